// Reviewer views of PageLifetime states: a timeline row per page (owner, refcount, pins by the GUP bias, the bios
// targeting it, free), differences in kernel terms, and each action as an arrow of a sequence diagram.

import type { BindingView, TimelineRow } from '../binding.js';
import type { TlaValue } from '../../tla/value.js';
import { GUP_PIN_COUNTING_BIAS } from '../../kernel/mm/mm.js';
import { actionArg as arg, entries, get, ints, num, pathParts, str } from './view_values.js';

function timeline(vars: ReadonlyMap<string, TlaValue>): TimelineRow[] {
  const freed = new Set(ints(vars.get('freed')));
  const owned = new Set(ints(vars.get('owned')));
  const ref = new Map(entries(vars.get('ref')));
  const mapped = new Map<number, number>();
  for (const [v, p] of entries(vars.get('mapping'))) if (typeof v === 'number' && num(p) !== undefined) mapped.set(num(p)!, v);
  const holders = new Map<number, string[]>();
  for (const [d, list] of entries(vars.get('bios'))) {
    for (const [k, bio] of entries(list)) {
      const state = str(get(bio, 'state'));
      if (state === 'released') continue;
      for (const [, vec] of entries(get(bio, 'vecs'))) {
        const p = num(get(vec, 'page'));
        if (p === undefined) continue;
        const label = `DIO ${d} bio #${k} (${state ?? '?'})`;
        const list = holders.get(p) ?? [];
        if (!list.includes(label)) list.push(label);
        holders.set(p, list);
      }
    }
  }
  return entries(vars.get('kind')).map(([p, k]) => {
    const page = Number(p);
    const kind = str(k) ?? '?';
    const refcount = num(ref.get(page));
    const v = mapped.get(page);
    return {
      key: `page ${page}`,
      cell: {
        owner: kind === 'kernel' && !owned.has(page) ? 'kernel (buffer freed)' : kind,
        ...(refcount !== undefined ? { refcount } : {}),
        ...(refcount !== undefined && kind !== 'zero' ? { pincount: Math.floor(refcount / GUP_PIN_COUNTING_BIAS) } : {}),
        holders: holders.get(page) ?? [],
        free: freed.has(page),
        ...(v !== undefined ? { detail: `mapped at user page ${v}` } : {}),
      },
    };
  });
}

function describePath(path: string): string {
  const [root, a, b, c] = pathParts(path);
  switch (root) {
    case 'ref':
      return a !== undefined ? `page ${a}'s refcount` : 'the refcounts';
    case 'freed':
      return 'the set of freed pages';
    case 'owned':
      return 'the kernel buffers still owned';
    case 'mapping':
      return a !== undefined ? `user page ${a}'s page-table entry` : 'the user page table';
    case 'kind':
      return a !== undefined ? `page ${a}'s kind` : 'the page kinds';
    case 'iter':
      return a !== undefined ? `DIO ${a}'s iov_iter${b !== undefined ? ` (${b})` : ''}` : 'the iterators';
    case 'dio':
      return a !== undefined ? `DIO ${a}'s ${b === 'pos' ? 'position' : b === 'err' ? 'error' : b === 'zeroed' ? 'zeroing' : 'state'}` : 'the DIOs';
    case 'bios':
      if (a === undefined) return 'the bios';
      if (b === undefined) return `DIO ${a}'s bios`;
      return `DIO ${a}'s bio #${b}${c === 'flags' ? ' release flags (BIO_PAGE_PINNED/REFFED)' : c === 'taken' ? ' acquisition (pin or ref)' : c !== undefined ? ` ${String(c)}` : ''}`;
    default:
      return path;
  }
}

export const pageLifetimeView: BindingView<unknown> = {
  timeline,
  describePath,
  participants: ['task', 'bio', 'device', 'completion', 'allocator'],
  message(a) {
    switch (a.name) {
      case 'Init':
        return { from: 'task', to: 'task', label: 'open O_DIRECT, set up the iterators' };
      case 'GetPages':
        return { from: 'task', to: 'bio', label: `bio_iov_iter_get_pages (DIO ${arg(a, 'dio')}, bio ${arg(a, 'bio')})` };
      case 'IomapDioZero':
        return { from: 'task', to: 'bio', label: `iomap_dio_zero (DIO ${arg(a, 'dio')}, bio ${arg(a, 'bio')})` };
      case 'Submit':
        return { from: 'task', to: 'device', label: `submit_bio (DIO ${arg(a, 'dio')}, bio ${arg(a, 'bio')})` };
      case 'Dma':
        return { from: 'device', to: 'bio', label: `DMA into the pages of bio ${arg(a, 'bio')}` };
      case 'Complete':
        return { from: 'completion', to: 'bio', label: `bio_endio, bio_release_pages (DIO ${arg(a, 'dio')}, bio ${arg(a, 'bio')})` };
      case 'UserUnmap':
        return { from: 'task', to: 'allocator', label: `munmap user page ${arg(a, 'vpage')}` };
      case 'KernelFree':
        return { from: 'task', to: 'allocator', label: `free kernel buffer page ${arg(a, 'page')}` };
      case 'Terminating':
        return { from: 'task', to: 'task', label: 'every DIO done' };
      default:
        return { from: 'task', to: 'task', label: a.name };
    }
  },
};
