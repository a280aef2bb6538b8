// Reviewer views of IterToSg states: a timeline row per scatterlist entry (pre-existing, added by an earlier call or
// by this one, unused; the words a user call's temporary page array occupies; an entry of the table written over)
// and one per page an entry or the page array points at or that holds pins, differences in kernel terms, and
// sequence-diagram arrows (KERNEL.md §G.10).

import type { BindingView, TimelineRow } from '../binding.js';
import type { TlaValue } from '../../tla/value.js';
import { actionArg as arg, entries, get, num, pathParts, str } from './view_values.js';

interface Word {
  readonly k: string;
  readonly a: number;
  readonly b: number;
}

const wordOf = (v: TlaValue | undefined): Word => ({ k: str(get(v, 'k')) ?? '?', a: num(get(v, 'a')) ?? 0, b: num(get(v, 'b')) ?? 0 });
const sameWord = (x: Word, y: Word): boolean => x.k === y.k && x.a === y.a && x.b === y.b;
const showWord = (w: Word): string => (w.k === 'page' ? `page ${w.a}` : w.k === 'len' ? `+${w.a} len ${w.b}` : w.k === 'zero' ? '0' : '?');

/** A page id as the spec writes it: NULL (-1), a word read as a pointer (-2), a pre-existing entry's page (100 + e). */
function pageOwner(p: number, userBacked: boolean): string {
  if (p === -1) return 'NULL';
  if (p === -2) return 'not a page (a word read as one)';
  if (p >= 100) return `other (entry ${p - 100}'s page, before the call)`;
  return userBacked ? 'user' : 'kernel (the iterator\'s owner)';
}

function timeline(vars: ReadonlyMap<string, TlaValue>): TimelineRow[] {
  const layout = vars.get('layout');
  const tbl = vars.get('tbl');
  const call = vars.get('call');
  const type = str(get(layout, 'type')) ?? '?';
  const userBacked = type === 'UBUF' || type === 'IOVEC';
  const ptrs = num(get(tbl, 'ptrs')) ?? 4;
  const nents = num(get(tbl, 'nents')) ?? 0;
  const pre = num(get(tbl, 'pre')) ?? 0;
  const phase = str(get(call, 'phase')) ?? 'idle';
  const nents0 = num(get(call, 'nents0')) ?? 0;
  const words = entries(vars.get('mem')).map(([, w]) => wordOf(w));
  const frozen = entries(get(call, 'frozen')).map(([, w]) => wordOf(w));
  const capacity = Math.floor(words.length / ptrs);
  // The user path's temporary page array: sg_max pointers from slot pagesAt while its loop runs.
  const arrayFrom = phase === 'user' ? (num(get(call, 'pagesAt')) ?? 0) : 0;
  const arrayTo = phase === 'user' ? arrayFrom + Math.max(num(get(call, 'sgMax')) ?? 0, 0) : 0;
  const inArray = (s: number): boolean => s >= arrayFrom && s < arrayTo;
  const pins = new Map<number, number>();
  for (const [p, n] of entries(vars.get('pins'))) if (typeof p === 'number' && num(n) !== undefined) pins.set(p, num(n)!);
  const pageHolders = new Map<number, string[]>();
  const hold = (p: number, h: string): void => void pageHolders.set(p, [...(pageHolders.get(p) ?? []), h]);

  const rows: TimelineRow[] = [];
  for (let e = 0; e < capacity; e++) {
    const ws = words.slice(e * ptrs, (e + 1) * ptrs);
    const inUse = e < nents;
    const added = phase !== 'idle' && e >= nents0 && inUse;
    const owner = e < pre ? 'pre-existing entry' : added ? (phase === 'user' ? 'this call (running)' : 'the last call') : inUse ? 'an earlier call' : 'unused';
    const holders: string[] = [];
    const notes: string[] = [];
    ws.forEach((w, k) => {
      const s = e * ptrs + k;
      if (w.k === 'page') {
        const label = inArray(s) ? `page array [${s - arrayFrom}]` : k === 0 ? 'page_link' : `word ${k}`;
        holders.push(`page ${w.a} (${label})`);
        hold(w.a, inArray(s) ? `page array [${s - arrayFrom}] (word ${s})` : `sg ${e}${k === 0 ? '' : ` word ${k}`}`);
      }
    });
    const page = ws[0];
    const len = ws[1];
    if (inUse && page !== undefined && len !== undefined) notes.push(`${showWord(page)} ${showWord(len)}`);
    const arrayWords = ws.map((_w, k) => e * ptrs + k).filter(inArray);
    if (arrayWords.length > 0) notes.push(`words ${arrayWords[0]}-${arrayWords[arrayWords.length - 1]} hold the page array`);
    const was = frozen.slice(e * ptrs, (e + 1) * ptrs);
    const changed = was.length > 0 ? ws.map((_w, k) => k).filter((k) => was[k] !== undefined && !sameWord(ws[k]!, was[k]!)) : [];
    if (changed.length > 0) notes.push(`written over: ${changed.map((k) => `word ${k} ${showWord(was[k]!)} → ${showWord(ws[k]!)}`).join(', ')}`);
    rows.push({
      key: `sg ${e}`,
      // An unused entry is free even while the page array borrows its words: it is no entry of the table.
      cell: { owner, holders, free: !inUse, ...(notes.length > 0 ? { detail: notes.join('; ') } : {}) },
    });
  }
  for (const [p, n] of pins) if (n !== 0 && !pageHolders.has(p)) pageHolders.set(p, []);
  for (const p of [...pageHolders.keys()].sort((x, y) => x - y)) {
    const n = pins.get(p) ?? 0;
    rows.push({
      key: `page ${p}`,
      cell: {
        owner: pageOwner(p, userBacked),
        ...(n > 0 ? { pincount: n } : {}),
        holders: pageHolders.get(p) ?? [],
        ...(n < 0 ? { detail: `pins ${n}: unpinned more often than pinned` } : {}),
      },
    });
  }
  return rows;
}

function describePath(path: string): string {
  const [root, a] = pathParts(path);
  switch (root) {
    case 'mem':
      return typeof a === 'number' ? `word ${a} of the scatterlist array` : 'the scatterlist array';
    case 'tbl':
      return a === 'nents' ? 'sgt->nents' : a === 'origNents' ? 'sgt->orig_nents' : 'the sg_table';
    case 'pins':
      return a !== undefined ? `the pins on page ${a}` : 'the pins';
    case 'iter':
      return a === 'count' ? 'i->count' : a === 'nrSegs' ? 'i->nr_segs' : a === 'iovOffset' ? 'i->iov_offset' : 'the iterator';
    case 'call':
      return a === 'result' ? "extract_iter_to_sg()'s return value" : a === 'rounds' ? "extract_user_to_sg()'s rounds" : `the call's ${String(a ?? 'state')}`;
    default:
      return path;
  }
}

export const iterToSgView: BindingView<unknown> = {
  timeline,
  describePath,
  participants: ['caller', 'sg', 'gup'],
  message(a) {
    switch (a.name) {
      case 'Init':
        return { from: 'caller', to: 'sg', label: 'sg_init_table, iov_iter_init' };
      case 'Call':
        return { from: 'caller', to: 'sg', label: `extract_iter_to_sg maxsize ${arg(a, 'maxsize')} sg_max ${arg(a, 'sgMax')}` };
      case 'UserRound':
        return { from: 'sg', to: 'gup', label: `iov_iter_extract_pages: pin_user_pages_fast ${arg(a, 'gup')}` };
      case 'Terminating':
        return { from: 'caller', to: 'caller', label: 'done' };
      default:
        return { from: 'caller', to: 'sg', label: a.name };
    }
  },
};

/** Which part of each violated IterToSg invariant fails, in the terms of the current or last call (KERNEL.md §G.10). */
export function iterToSgReasons(names: readonly string[], vars: ReadonlyMap<string, TlaValue>): { invariant: string; detail: string }[] {
  const call = vars.get('call');
  const tbl = vars.get('tbl');
  const n = (v: TlaValue | undefined, f: string): string => String(num(get(v, f)) ?? '?');
  const mem = entries(vars.get('mem')).map(([, w]) => wordOf(w));
  const frozen = entries(get(call, 'frozen')).map(([, w]) => wordOf(w));
  const ptrs = num(get(tbl, 'ptrs')) ?? 4;
  const overwritten = frozen.flatMap((w, slot) => (mem[slot] !== undefined && !sameWord(w, mem[slot]!) ? [`sg ${Math.floor(slot / ptrs)} word ${slot % ptrs} (${showWord(w)} → ${showWord(mem[slot]!)})`] : []));
  const what = `extract_iter_to_sg(maxsize ${n(call, 'maxsize0')}, sg_max ${n(call, 'sgMax0')}) on a table holding ${n(call, 'nents0')} entries (${str(get(call, 'phase')) === 'user' ? 'its loop running' : `returned ${n(call, 'result')}`}; nents now ${n(tbl, 'nents')})`;
  const part: Readonly<Record<string, string>> = {
    TypeOK: 'a variable is outside its type',
    SgProgressInv: `${what}: round ${n(call, 'rounds')} goes round again after iov_iter_extract_pages() returned ${n(call, 'lastRes')} and ${n(call, 'lastSlots')} entries were used: the loop does not progress`,
    SgSegmentInv: `${what}: an entry it added is empty, has no page, or runs past its page (its bio_vec for BVEC)`,
    SgTotalInv: `${what}: the added entries' lengths do not add up to the ${n(call, 'ret')} bytes extracted, do not hold the iterator's next bytes in order, or a call returning ${n(call, 'result')} left entries behind`,
    SgPreservedInv: `${what}: it wrote a word of an entry that was in the table before the call: ${overwritten.length > 0 ? overwritten.join(', ') : '?'}`,
    SgCapacityInv: `${what}: it added more than sg_max ${n(call, 'sgMax0')} entries`,
    SgPinBalanceInv: `${what}: the pins held are not one per entry the user path added (a failed call unpins what it added; kernel-backed iterators pin nothing)`,
  };
  return names.map((invariant) => ({ invariant, detail: part[invariant] ?? `the implementation's checker flags ${invariant}` }));
}
