// Reviewer views of SpliceRead states: a timeline row per page frame (owner, refcount, the pipe buffer and bios
// targeting it, free or reused by another allocator), differences in kernel terms, and sequence-diagram arrows.

import type { BindingView, TimelineRow } from '../binding.js';
import type { TlaValue } from '../../tla/value.js';
import { actionArg as arg, entries, get, ints, num, pathParts, str } from './view_values.js';

function timeline(vars: ReadonlyMap<string, TlaValue>): TimelineRow[] {
  const owner = entries(vars.get('owner'));
  const refcount = new Map(entries(vars.get('refcount')));
  const content = new Map(entries(vars.get('content')));
  const holders = new Map<number, string[]>();
  const hold = (p: number, label: string): void => void holders.set(p, [...(holders.get(p) ?? []), label]);
  const pipe = vars.get('pipe');
  const head = num(get(pipe, 'head')) ?? 0;
  const tail = num(get(pipe, 'tail')) ?? 0;
  const ring = entries(get(pipe, 'bufs')).length;
  for (const [slot, buf] of entries(get(pipe, 'bufs'))) {
    const p = num(get(buf, 'page'));
    const live = ring > 0 && typeof slot === 'number' && [...Array(Math.max(0, head - tail)).keys()].some((k) => (tail + k) % ring === slot);
    if (p !== undefined && p > 0 && live) hold(p, `pipe buffer ${slot} (len ${num(get(buf, 'len')) ?? '?'})`);
  }
  for (const [k, bio] of entries(vars.get('bios'))) {
    const state = str(get(bio, 'state'));
    if (state === 'done' || state === 'completed') continue;
    for (const p of ints(get(bio, 'pages'))) hold(p, `bio ${k} (${state ?? '?'})`);
  }
  return owner.map(([p, o]) => {
    const page = Number(p);
    const who = str(o) ?? '?';
    const rc = num(refcount.get(page));
    const c = content.get(page);
    const kind = str(get(c, 'kind'));
    const at = num(get(c, 'pos'));
    const data = kind === 'file' && at !== undefined ? `file bytes from ${at} (${num(get(c, 'upto')) ?? '?'} bytes)` : kind;
    return {
      key: `page ${page}`,
      cell: {
        owner: who,
        ...(rc !== undefined ? { refcount: rc } : {}),
        holders: holders.get(page) ?? [],
        free: who === 'free',
        ...(data !== undefined ? { detail: `content ${data}` } : {}),
      },
    };
  });
}

function describePath(path: string): string {
  const [root, a, b, c] = pathParts(path);
  switch (root) {
    case 'refcount':
      return a !== undefined ? `page ${a}'s refcount` : 'the refcounts';
    case 'owner':
      return a !== undefined ? `page ${a}'s owner` : 'the page owners';
    case 'content':
      return a !== undefined ? `page ${a}'s content` : 'the page contents';
    case 'pipe':
      return a === 'bufs' && b !== undefined ? `pipe buffer ${b}${c !== undefined ? `'s ${String(c)}` : ''}` : `the pipe${a !== undefined ? `'s ${String(a)}` : ''}`;
    case 'iter':
      return `the splice iterator${a !== undefined ? `'s ${String(a)}` : ''}`;
    case 'bvec':
      return 'the bvec array of copy_splice_read';
    case 'bios':
      return a !== undefined ? `bio ${a}${b !== undefined ? `'s ${String(b)}` : ''}` : 'the bios';
    case 'dio':
      return `the iomap DIO${a !== undefined ? `'s ${a === 'isize' ? 'sampled i_size' : String(a)}` : ''}`;
    case 'file':
      return `the file's ${a === 'isize' ? 'i_size' : a === 'mapped' ? 'written blocks' : String(a ?? 'state')}`;
    case 'task':
      return `the splice task${a !== undefined ? `'s ${String(a)}` : ''}`;
    default:
      return path;
  }
}

export const spliceReadView: BindingView<unknown> = {
  timeline,
  describePath,
  participants: ['task', 'pipe', 'bio', 'completion', 'truncate', 'allocator', 'reader'],
  message(a) {
    switch (a.name) {
      case 'Init':
        return { from: 'task', to: 'task', label: 'open O_DIRECT file and pipe' };
      case 'SpliceStart':
        return { from: 'task', to: 'pipe', label: `splice ${arg(a, 'len')} bytes into the pipe` };
      case 'DioStart':
        return { from: 'task', to: 'task', label: `__iomap_dio_rw samples i_size ${arg(a, 'size')}` };
      case 'Extract':
        return { from: 'task', to: 'bio', label: `iov_iter_extract_pages: page ${arg(a, 'page')}, ${arg(a, 'size')} bytes into bio ${arg(a, 'bio')}` };
      case 'Submit':
        return { from: 'task', to: 'bio', label: `submit_bio ${arg(a, 'bio')}` };
      case 'DioRevert':
        return { from: 'task', to: 'pipe', label: `iov_iter_revert ${arg(a, 'unroll')} bytes` };
      case 'DioWait':
        return { from: 'task', to: 'task', label: `DIO returns ${arg(a, 'ret')}` };
      case 'SpliceReturn':
        return { from: 'task', to: 'pipe', label: `splice returns ${arg(a, 'ret')}` };
      case 'BioComplete':
        return { from: 'completion', to: 'bio', label: `bio_endio ${arg(a, 'bio')}: file data into its pages` };
      case 'OtherAlloc':
        return { from: 'allocator', to: 'allocator', label: `alloc_page() hands page ${arg(a, 'page')} to another user` };
      case 'Truncate':
        return { from: 'truncate', to: 'task', label: `ftruncate to ${arg(a, 'size')}` };
      case 'TruncateBlocks':
        return { from: 'truncate', to: 'truncate', label: `blocks past ${arg(a, 'mapped')} unmapped` };
      case 'PipeRead':
        return { from: 'reader', to: 'pipe', label: `read pipe slot ${arg(a, 'slot')}` };
      case 'Finished':
        return { from: 'task', to: 'task', label: 'done' };
      default:
        return { from: 'task', to: 'task', label: a.name };
    }
  },
};
