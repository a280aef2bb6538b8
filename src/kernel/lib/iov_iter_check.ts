// The iterator's own invariant checker (the same claims as spec/IovIter.tla, stated on implementation data) and
// a monitored run: an iterator plus the record of its last operation that the claims are about.

import {
  folioqFolioSize,
  folioqFolios,
  folioqIndex,
  iovIterAdvance,
  iovIterClone,
  iovIterRevert,
  isSegmentIter,
  type IovIter,
  type KernelOutcome,
  xaLoad,
} from './iov_iter.js';
import { iterPieces } from './iov_iter_copy.js';
import {
  iovIterExtractPages,
  iovIterExtractWillPin,
  type ExtractOptions,
  type ExtractResult,
  type PinUserPagesFast,
} from './iov_iter_extract.js';

export const IOV_ITER_INVARIANTS = [
  'TypeOK',
  'ExtractContractInv',
  'ExtractCoversStreamInv',
  'NoStallInv',
  'RevertRestoresInv',
  'PositionConsistentInv',
  'ExtractPagesExactInv',
  'PageArrayBoundInv',
  'AllocFailCleanInv',
  'AdvanceRevertInverseInv',
  'RevertWithinConsumedInv',
  'ExtractErrnoInv',
  'ExtractMaximalInv',
  'HistoryRecordsInv',
] as const;
export type IovIterInvariant = (typeof IOV_ITER_INVARIANTS)[number];

/** Where an iterator stands: bytes left, and the stream position its element/offset fields designate. */
export interface Position {
  readonly count: number;
  readonly pos: number;
}

/** The last operation, with what the invariants need to judge it. */
export type LastOp =
  | { readonly op: 'none' }
  | { readonly op: 'advance'; readonly n: number }
  | { readonly op: 'revert'; readonly n: number; readonly outcome: KernelOutcome }
  | {
      readonly op: 'extract';
      readonly maxsize: number;
      readonly maxpages: number;
      /** How `*pages` was passed: the caller's array, or NULL with an allocation that succeeds or fails. */
      readonly alloc: PagesMode;
      /** The iterator as it was before the call. */
      readonly before: IovIter;
      readonly result: ExtractResult;
    };

/**
 * The last forward move, `advanced` or `extracted` by the call that made it: bytes moved and the position before
 * it; `undone` once a revert of exactly those bytes followed it.
 */
export type ForwardMove =
  | { readonly kind: 'none' }
  | { readonly kind: 'advanced' | 'extracted' | 'undone'; readonly moved: number; readonly before: Position };

/** A forward move not yet undone: made by an advance or an extraction (spec/IovIter.tla ForwardKinds). */
export const isForwardMove = (f: ForwardMove): f is ForwardMove & { readonly kind: 'advanced' | 'extracted' } =>
  f.kind === 'advanced' || f.kind === 'extracted';

/** `*pages` as a caller passes it (spec/IovIter.tla AllocModes). */
export type PagesMode = 'caller' | 'alloc' | 'fail';

/**
 * History for AdvanceRevertInverseInv: the iterator before the last forward move and the bytes it moved; after a
 * revert of exactly those bytes, `undone` and the iterator that must stand there again.
 */
export interface RevertHistory {
  readonly last: IovIter | undefined;
  readonly lastMoved: number;
  readonly undone: boolean;
}

export interface Monitored {
  readonly iter: IovIter;
  /** A copy of the iterator as it was built (its elements are the stream). */
  readonly initial: IovIter;
  readonly last: LastOp;
  readonly fwd: ForwardMove;
  /** Bytes the iterator was built with. */
  readonly total: number;
  readonly hist: RevertHistory;
}

export type IterOp =
  | { readonly name: 'Advance'; readonly n: number }
  | { readonly name: 'Revert'; readonly n: number }
  | {
      readonly name: 'Extract';
      readonly maxsize: number;
      readonly maxpages: number;
      readonly pinLimit?: number;
      /** Defaults to the caller's array. */
      readonly alloc?: PagesMode;
    };

/**
 * For the iterators over elements (IOVEC/KVEC/BVEC, and FOLIOQ over its chain's folios): the elements and the
 * index of the current one (the element count when past the last).
 */
function elementsOf(i: IovIter): { readonly segs: readonly { readonly len: number }[]; readonly cur: number } | undefined {
  if (isSegmentIter(i)) return { segs: i.segs, cur: i.cur };
  if (i.type === 'FOLIOQ') return { segs: folioqFolios(i), cur: folioqIndex(i) };
  return undefined;
}

/** Bytes before element `k` of an element iterator. */
function prefix(segs: readonly { readonly len: number }[], k: number): number {
  let s = 0;
  for (let j = 0; j < k && j < segs.length; j++) s += segs[j]?.len ?? 0;
  return s;
}

/** The stream position the iterator's fields designate (element start + iov_offset, or iov_offset). */
export function streamPos(i: IovIter): number {
  const e = elementsOf(i);
  return e === undefined ? i.iovOffset : prefix(e.segs, e.cur) + i.iovOffset;
}

export const positionOf = (i: IovIter): Position => ({ count: i.count, pos: streamPos(i) });

export function startMonitor(iter: IovIter): Monitored {
  const hist: RevertHistory = { last: iovIterClone(iter), lastMoved: 0, undone: false };
  return { iter, initial: iovIterClone(iter), last: { op: 'none' }, fwd: { kind: 'none' }, total: iter.count, hist };
}

/** A pin_user_pages_fast() that faults after `limit` pages of this call. */
export function pinUpTo(limit: number): PinUserPagesFast {
  return (_first, n) => (Math.min(n, limit) === 0 ? 'EFAULT' : Math.min(n, limit));
}

/** Run one operation on a copy of the monitored iterator. */
export function stepMonitor(m: Monitored, op: IterOp, variant: ExtractOptions, pin?: PinUserPagesFast): Monitored {
  const iter = iovIterClone(m.iter);
  const before = positionOf(m.iter);
  switch (op.name) {
    case 'Advance': {
      iovIterAdvance(iter, op.n);
      const moved = before.count - iter.count;
      return {
        ...m,
        iter,
        last: { op: 'advance', n: op.n },
        fwd: { kind: 'advanced', moved, before },
        hist: { last: m.iter, lastMoved: moved, undone: false },
      };
    }
    case 'Revert': {
      const outcome = iovIterRevert(iter, op.n);
      const fwd: ForwardMove =
        isForwardMove(m.fwd) && m.fwd.moved === op.n ? { ...m.fwd, kind: 'undone' } : { kind: 'none' };
      const hist: RevertHistory =
        op.n === m.hist.lastMoved ? { last: m.hist.last, lastMoved: 0, undone: true } : { last: undefined, lastMoved: 0, undone: false };
      return { ...m, iter, last: { op: 'revert', n: op.n, outcome }, fwd, hist };
    }
    case 'Extract': {
      const pinUserPagesFast = pin ?? (op.pinLimit === undefined ? undefined : pinUpTo(op.pinLimit));
      const alloc = op.alloc ?? 'caller';
      const result = iovIterExtractPages(iter, op.maxsize, op.maxpages, 0, {
        variant,
        ...(pinUserPagesFast ? { pinUserPagesFast } : {}),
        ...(alloc === 'caller' ? {} : { kvmallocArray: () => alloc === 'alloc' }),
      });
      const moved = typeof result.ret === 'number' && result.ret > 0 ? result.ret : 0;
      return {
        ...m,
        iter,
        last: { op: 'extract', maxsize: op.maxsize, maxpages: op.maxpages, alloc, before: m.iter, result },
        fwd: { kind: 'extracted', moved, before },
        hist: { last: m.iter, lastMoved: moved, undone: false },
      };
    }
    default: {
      const never: never = op;
      return never;
    }
  }
}

const divRoundUp = (a: number, b: number): number => Math.floor((a + b - 1) / b);

/** Pages the caller treats as returned: DIV_ROUND_UP(offset0 + ret, PAGE_SIZE) (§B.1). */
export function neededPages(offset0: number, ret: number, ps: number): number {
  return ret > 0 ? divRoundUp(offset0 + ret, ps) : 0;
}

function typeOk(m: Monitored): boolean {
  const i = m.iter;
  if (m.last.op === 'revert' && m.last.outcome.kind === 'bug') return false;
  if (!(i.count >= 0 && i.count <= m.total && i.iovOffset >= 0)) return false;
  if (isSegmentIter(i)) return i.nrSegs >= 0 && i.cur + i.nrSegs === i.segs.length;
  if (i.type === 'FOLIOQ') return folioqIndex(i) <= folioqFolios(i).length;
  return true;
}

/** 0 ≤ offset0 < PS, ret ≤ min(maxsize, count), the needed pages were written and fit in maxpages, count drops by ret. */
function extractContract(m: Monitored): boolean {
  const l = m.last;
  if (l.op !== 'extract') return true;
  const { ret, offset0, pages } = l.result;
  const ps = l.before.pageSize;
  if (ret === 'BUG') return false;
  if (typeof ret === 'string') return m.iter.count === l.before.count;
  if (ret < 0 || ret > Math.min(l.maxsize, l.before.count)) return false;
  if (m.iter.count !== l.before.count - ret) return false;
  if (ret === 0) return true;
  if (offset0 === undefined || offset0 < 0 || offset0 >= ps) return false;
  const need = neededPages(offset0, ret, ps);
  if (need > pages.length || pages.length > l.maxpages) return false;
  return !iovIterExtractWillPin(l.before) || pages.length === need;
}

/**
 * Each byte the returned (pages, offset0, ret) describe is the stream's byte at that place, the stream being read
 * from where the count says the iterator stood (its initial elements walked past the bytes consumed).
 */
function extractCoversStream(m: Monitored): boolean {
  const l = m.last;
  if (l.op !== 'extract') return true;
  const { ret, offset0, pages } = l.result;
  if (typeof ret !== 'number' || ret <= 0 || offset0 === undefined) return true;
  const ps = l.before.pageSize;
  const stream = iovIterClone(m.initial);
  iovIterAdvance(stream, m.total - l.before.count);
  let j = offset0; // byte index into the returned page list
  let ok = true;
  iterPieces(stream, Math.min(ret, l.before.count), (p) => {
    if (!ok) return;
    const idx = Math.floor(j / ps);
    if (idx >= pages.length) {
      j += p.len; // a missing entry is ExtractContractInv's business
      return;
    }
    if (pages[idx] !== p.page || j % ps !== p.offset || Math.floor((j + p.len - 1) / ps) !== idx) ok = false;
    j += p.len;
  });
  return ok;
}

const kernelBacked = (i: IovIter): boolean => i.type === 'KVEC' || i.type === 'BVEC' || i.type === 'FOLIOQ' || i.type === 'XARRAY';

/** Elements left, the current one included, of an element iterator (FOLIOQ: folios left in the chain). */
function elementsLeft(i: IovIter): number | undefined {
  const e = elementsOf(i);
  return e === undefined ? undefined : e.segs.length - e.cur;
}

/**
 * A kernel-backed extraction (KVEC/BVEC/FOLIOQ/XARRAY) with something to give and its page array gives
 * something; no data without elements.
 */
function noStall(m: Monitored): boolean {
  const l = m.last;
  if (l.op === 'extract') {
    const asked = l.before.count > 0 && l.maxsize > 0 && l.maxpages > 0 && l.alloc !== 'fail';
    if (kernelBacked(l.before) && asked && !(typeof l.result.ret === 'number' && l.result.ret > 0)) return false;
  }
  const left = elementsLeft(m.iter);
  return !(left !== undefined && m.iter.count > 0 && left <= 0);
}

/** revert(n) right after a move of n bytes puts the iterator back where that move started. */
function revertRestores(m: Monitored): boolean {
  if (m.fwd.kind !== 'undone') return true;
  return m.iter.count === m.fwd.before.count && streamPos(m.iter) === m.fwd.before.pos;
}

/** The element/offset fields and count agree: position + count = bytes the iterator was built with. */
function positionConsistent(m: Monitored): boolean {
  if (elementsOf(m.iter) === undefined) return true;
  return streamPos(m.iter) + m.iter.count === m.total;
}

/**
 * The iterator with the elements it stands on stepped over while they hold nothing more (empty ones, or the end
 * of the one before): the fields iov_iter_advance() leaves at a position.
 */
export function canonical(i: IovIter): IovIter {
  const c = iovIterClone(i);
  if (c.type === 'FOLIOQ') {
    // past the ends of folios, to the next slot (the next segment's first after a segment's last)
    while (folioqIndex(c) < folioqFolios(c).length && c.iovOffset >= folioqFolioSize(c.folioq, c.folioqSlot, c.pageSize)) {
      c.iovOffset -= folioqFolioSize(c.folioq, c.folioqSlot, c.pageSize);
      c.folioqSlot++;
      if (c.folioqSlot >= c.folioq.nrSlots && c.folioq.next !== undefined) {
        c.folioq = c.folioq.next;
        c.folioqSlot = 0;
      }
    }
    return c;
  }
  if (!isSegmentIter(c)) return c;
  const segs: readonly { readonly len: number }[] = c.segs;
  while (c.nrSegs > 0 && c.iovOffset >= (segs[c.cur]?.len ?? 0)) {
    c.iovOffset -= segs[c.cur]?.len ?? 0;
    c.cur++;
    c.nrSegs--;
  }
  return c;
}

const sameFields = (a: IovIter, b: IovIter): boolean =>
  a.count === b.count &&
  a.iovOffset === b.iovOffset &&
  (a.type === 'FOLIOQ' && b.type === 'FOLIOQ'
    ? folioqIndex(a) === folioqIndex(b)
    : isSegmentIter(a) && isSegmentIter(b)
      ? a.cur === b.cur && a.nrSegs === b.nrSegs
      : isSegmentIter(a) === isSegmentIter(b));

/** The page and in-page offset of stream byte `p` of the iterator as built. */
function pageAt(m: Monitored, p: number): { page: number; offset: number } | undefined {
  const at = iovIterClone(m.initial);
  iovIterAdvance(at, p);
  let place: { page: number; offset: number } | undefined;
  iterPieces(at, 1, (piece) => {
    place ??= { page: piece.page, offset: piece.offset };
  });
  return place;
}

/**
 * The one entry an extraction may write beyond the bytes (KERNEL.md §B.5, v6.12+): the bvec_iter walker, after
 * bytes that end on a page boundary (or before any byte), steps onto a zero-length bio_vec right after them and
 * writes its page. Callers count DIV_ROUND_UP(offset0 + ret, PS) entries and never use it.
 */
function trailingEmptyBvecEntry(m: Monitored, variant: ExtractOptions, ret: number, offset0: number, pages: readonly number[]): boolean {
  const i = m.initial;
  if (i.type !== 'BVEC' || variant.bvecWalker !== 'v6.12') return false;
  const ps = i.pageSize;
  if (!(ret === 0 || (offset0 + ret) % ps === 0)) return false;
  if (pages.length !== neededPages(offset0, ret, ps) + 1) return false;
  const at = m.total - (m.last.op === 'extract' ? m.last.before.count : 0) + ret;
  let p = 0;
  return i.segs.some((bv) => {
    const hit = bv.len === 0 && p === at && pages[pages.length - 1] === bv.page + Math.floor(bv.offset / ps);
    p += bv.len;
    return hit;
  });
}

/**
 * Exactly the pages the ret bytes touch (§B.1, §H.7): DIV_ROUND_UP(offset0 + ret, PS) entries (plus the v6.12
 * trailing empty bio_vec entry), entry k the page of the first byte it holds, offset0 that byte's in-page
 * offset; an error writes none.
 */
function extractPagesExact(m: Monitored, variant: ExtractOptions): boolean {
  const l = m.last;
  if (l.op !== 'extract') return true;
  const { ret, offset0, pages } = l.result;
  if (typeof ret !== 'number') return pages.length === 0;
  const ps = l.before.pageSize;
  const off = offset0 ?? -1;
  const need = neededPages(off, ret, ps);
  if (pages.length !== need && !trailingEmptyBvecEntry(m, variant, ret, off, pages)) return false;
  if (ret <= 0 || ret > l.before.count) return true;
  const start = m.total - l.before.count;
  if (pageAt(m, start)?.offset !== off) return false;
  for (let k = 0; k < Math.min(need, pages.length); k++) {
    if (pageAt(m, start + Math.max(0, k * ps - off))?.page !== pages[k]) return false;
  }
  return true;
}

/** A call never writes past its page array: maxpages entries of the caller's, those it allocated, none if NULL (§H.11). */
function pageArrayBound(m: Monitored): boolean {
  const l = m.last;
  if (l.op !== 'extract') return true;
  return l.result.pages.length <= (l.result.cap ?? l.maxpages);
}

/** With a failed page-array allocation the call returns -ENOMEM (if it needed the array) and takes nothing (§B.2, §G.9). */
function allocFailClean(m: Monitored): boolean {
  const l = m.last;
  if (l.op !== 'extract' || l.alloc !== 'fail') return true;
  if (l.result.pages.length > 0 || m.iter.count !== l.before.count) return false;
  if (!sameFields(canonical(m.iter), canonical(l.before))) return false;
  const extractable = iovIterExtractWillPin(l.before) || kernelBacked(l.before);
  return !(Math.min(l.maxsize, l.before.count) > 0 && extractable) || l.result.ret === 'ENOMEM';
}

/** revert(n) right after a move of n bytes gives back that iterator's fields, empty elements stepped over (§A.4, §H.5). */
function advanceRevertInverse(m: Monitored): boolean {
  const h = m.hist;
  if (!h.undone) return true;
  return h.last !== undefined && sameFields(m.iter, canonical(h.last));
}

/**
 * The revert amounts iov_iter_revert()'s walk treats differently (spec/IovIter.tla RevertProbes): none, one byte, all
 * the bytes consumed, and for an element iterator those ending exactly at the start of an element it has passed
 * and one byte either side.
 */
function revertProbes(m: Monitored): number[] {
  const c = m.total - m.iter.count;
  const at = new Set([0, 1, c]);
  if (isSegmentIter(m.iter)) {
    const pos = streamPos(m.iter);
    for (let k = 0; k <= m.iter.cur; k++) for (const d of [-1, 0, 1]) at.add(pos - prefix(m.iter.segs, k) + d);
  }
  return [...at].filter((u) => u >= 0 && u <= c);
}

/**
 * iov_iter_revert() is defined for every amount up to the bytes consumed (§A.4, §H.5): each such revert (of the
 * probes), tried on a copy, neither BUG()s nor walks off the front of the elements, and gives back exactly that
 * many bytes.
 */
function revertWithinConsumed(m: Monitored): boolean {
  if (m.iter.type === 'PIPE') return true; // a pipe revert releases buffers (§E.1): SpliceRead's business
  const pos = streamPos(m.iter);
  for (const u of revertProbes(m)) {
    const it = iovIterClone(m.iter);
    if (iovIterRevert(it, u).kind !== 'ok' || it.count !== m.iter.count + u) return false;
    if (m.iter.type !== 'DISCARD' && streamPos(it) !== pos - u) return false;
  }
  return true;
}

/**
 * Which error an extraction returns (§B.1, §B.2, §B.8): 0 when nothing was asked; -EFAULT for DISCARD; -ENOMEM
 * only for a page array the call could not have (a failed allocation, or maxpages 0); -EFAULT otherwise only
 * from a user pin of no page, so a user extraction that did not fail moved bytes.
 */
function extractErrno(m: Monitored): boolean {
  const l = m.last;
  if (l.op !== 'extract') return true;
  const { ret } = l.result;
  if (Math.min(l.maxsize, l.before.count) === 0) return ret === 0;
  if (l.before.type === 'DISCARD') return ret === 'EFAULT';
  if (ret === 'ENOMEM') return l.alloc === 'fail' || l.maxpages === 0;
  const user = iovIterExtractWillPin(l.before);
  if (ret === 'EFAULT') return user;
  return !(user && typeof ret === 'number' && ret <= 0);
}

/** The element of an element iterator's stream holding byte `p` (empty elements hold none), or -1. */
function elementAt(segs: readonly { readonly len: number }[], p: number): number {
  let start = 0;
  for (let k = 0; k < segs.length; k++) {
    const len = segs[k]?.len ?? 0;
    if (start <= p && p < start + len) return k;
    start += len;
  }
  return -1;
}

/**
 * An extraction that returned bytes stopped for one of its extractor's reasons (§B.8: a kernel type is short only
 * for maxpages, maxsize, a segment's end or an xarray hole; §B.3: a user one also for a pin of fewer pages): at
 * maxsize (or the count), at a full page array (every entry want_pages_array() gave, the last page filled), at the
 * end of its element (IOVEC, KVEC, the v6.3 bvec extractor), at the end of the pages pinned (UBUF, IOVEC), before
 * an xarray hole; the v6.12 bvec walk (§B.5) also after a chunk that does not end its page or at the end of a bvec
 * followed by one that starts mid-page or is empty. A return of 0 is NoStallInv's and ExtractErrnoInv's.
 */
function extractMaximal(m: Monitored, variant: ExtractOptions): boolean {
  const l = m.last;
  const user = l.op === 'extract' && iovIterExtractWillPin(l.before);
  if (l.op !== 'extract' || !(user || kernelBacked(l.before))) return true;
  const { ret, offset0, pages } = l.result;
  if (typeof ret !== 'number' || ret <= 0 || ret > l.before.count || offset0 === undefined) return true;
  const ps = l.before.pageSize;
  const asked = Math.min(l.maxsize, l.before.count);
  const cap = l.result.cap ?? l.maxpages;
  const start = m.total - l.before.count;
  const end = start + ret;
  const atSize = ret === asked;
  const atArrayEnd = (skip: number): boolean => offset0 + ret === Math.min(divRoundUp(asked + skip, ps), cap) * ps;
  const i = m.initial;
  if (i.type === 'XARRAY') {
    const next = Math.floor((i.xarrayStart + start) / ps) + pages.length;
    return atSize || atArrayEnd(offset0) || (offset0 + ret === pages.length * ps && xaLoad(i.xarray, next) === undefined);
  }
  if (i.type === 'FOLIOQ') return atSize || atArrayEnd(offset0);
  // UBUF: one buffer, whose end is the count's; IOVEC: one iovec per call (§B.3). Either may stop at the end of
  // the pages the pin got.
  const pinnedEnd = offset0 + ret === pages.length * ps;
  if (i.type === 'UBUF') return atSize || pinnedEnd;
  if (i.type === 'IOVEC') return atSize || end === prefix(i.segs, elementAt(i.segs, start) + 1) || pinnedEnd;
  if (i.type !== 'KVEC' && i.type !== 'BVEC') return true;
  const first = elementAt(i.segs, start);
  if (i.type === 'BVEC' && variant.bvecWalker === 'v6.12') {
    const k = elementAt(i.segs, end - 1);
    const next = i.segs[k + 1];
    const endsBvec = k >= 0 && end === prefix(i.segs, k + 1) && next !== undefined && (next.offset % ps !== 0 || next.len === 0);
    return atSize || atArrayEnd(start - prefix(i.segs, first)) || (offset0 + ret) % ps !== 0 || endsBvec;
  }
  return atSize || end === prefix(i.segs, first + 1) || atArrayEnd(offset0);
}

/**
 * The history records say what really happened (they are what RevertRestoresInv and AdvanceRevertInverseInv read,
 * §A.4, §H.5): a forward move is recorded in both, with the bytes the count lost and the position gained (an
 * extraction's return), and hist keeps the iterator it started from; a revert records no move and is marked as
 * undoing the last one in both records or in neither. The last operation is an extraction exactly when the
 * forward record says the move was extracted.
 */
function historyRecords(m: Monitored): boolean {
  const { fwd, hist, iter } = m;
  if ((fwd.kind === 'undone') !== hist.undone) return false;
  if (fwd.kind === 'none') return hist.lastMoved === 0 && m.last.op !== 'extract';
  if (hist.last === undefined || hist.last.count !== fwd.before.count || streamPos(hist.last) !== fwd.before.pos) return false;
  if (fwd.kind === 'undone') return hist.lastMoved === 0 && m.last.op !== 'extract';
  if (hist.lastMoved !== fwd.moved || iter.count !== fwd.before.count - fwd.moved) return false;
  if (iter.type !== 'DISCARD' && streamPos(iter) !== fwd.before.pos + fwd.moved) return false;
  const l = m.last;
  if ((l.op === 'extract') !== (fwd.kind === 'extracted')) return false;
  if (l.op !== 'extract') return true;
  const moved = typeof l.result.ret === 'number' && l.result.ret > 0 ? l.result.ret : 0;
  return fwd.before.count === l.before.count && fwd.moved === moved;
}

const CHECKS: Readonly<Record<IovIterInvariant, (m: Monitored, variant: ExtractOptions) => boolean>> = {
  TypeOK: typeOk,
  ExtractContractInv: extractContract,
  ExtractCoversStreamInv: extractCoversStream,
  NoStallInv: noStall,
  RevertRestoresInv: revertRestores,
  PositionConsistentInv: positionConsistent,
  ExtractPagesExactInv: extractPagesExact,
  PageArrayBoundInv: pageArrayBound,
  AllocFailCleanInv: allocFailClean,
  AdvanceRevertInverseInv: advanceRevertInverse,
  RevertWithinConsumedInv: revertWithinConsumed,
  ExtractErrnoInv: extractErrno,
  ExtractMaximalInv: extractMaximal,
  HistoryRecordsInv: historyRecords,
};

/** Names of the invariants the monitored state violates, in the spec's order (the variant: for §B.5's case). */
export function violatedInvariants(m: Monitored, variant: ExtractOptions): IovIterInvariant[] {
  return IOV_ITER_INVARIANTS.filter((name) => !CHECKS[name](m, variant));
}
