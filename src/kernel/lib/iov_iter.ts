// The reference `struct iov_iter` (KERNEL.md §A): the iterator as the kernel keeps it, its constructors,
// iov_iter_advance() and iov_iter_revert() (§A.4). Page extraction (§B) is in iov_iter_extract.ts, copies in
// iov_iter_copy.ts. Iterators are mutated in place, as the kernel does; `iovIterClone` copies one.

import { kernelFaults } from './faults.js';
import { pipeAdvance, pipeRevert, type PipeIter } from '../fs/pipe.js';

/** PAGE_SIZE on the machines the kernel facts were read for; every iterator carries its own page size. */
export const PAGE_SIZE = 4096;

/** `data_source`: ITER_SOURCE (== WRITE) when the iterator's memory is read from, ITER_DEST (== READ) when written. */
export type IterDirection = 'SOURCE' | 'DEST';

/**
 * The iterator types of v6.5+, FOLIOQ (added in v6.12, KERNEL.md §A.3, §B.7) among them, plus PIPE as it was
 * before its removal in v6.5 (KERNEL.md §E.1; implemented in pipe.ts).
 */
export type IovIterType = 'UBUF' | 'IOVEC' | 'KVEC' | 'BVEC' | 'FOLIOQ' | 'XARRAY' | 'DISCARD' | 'PIPE';

/** `struct iovec` / `struct kvec`: a range of one virtually contiguous buffer whose virtual page k is page id k. */
export interface Iovec {
  readonly addr: number;
  readonly len: number;
}

/** `struct bio_vec`: `len` bytes from `offset` in `page`; a multi-page bvec runs on into page+1, page+2, … */
export interface BioVec {
  readonly page: number;
  readonly offset: number;
  readonly len: number;
}

/** A folio in a folio_queue slot: its first page id and its order (2^order physically consecutive pages). */
export interface Folio {
  readonly page: number;
  readonly order: number;
}

/**
 * `struct folio_queue` (v6.12, include/linux/folio_queue.h): one segment of a chain of folio slots. `nrSlots` is
 * folioq_nr_slots() (PAGEVEC_SIZE in the kernel); slots past `folios.length` are empty (order 0, no folio).
 */
export interface FolioQueue {
  readonly folios: readonly Folio[];
  readonly nrSlots: number;
  next: FolioQueue | undefined;
  prev: FolioQueue | undefined;
}

/** folioq_folio_size(): PAGE_SIZE << the slot's order (an empty slot's order is 0). */
export function folioqFolioSize(q: FolioQueue, slot: number, pageSize: number): number {
  return pageSize * 2 ** (q.folios[slot]?.order ?? 0);
}

/** A chain of folio_queue segments of `nrSlots` slots each, filled with `folios` in order. */
export function folioqChain(folios: readonly Folio[], nrSlots: number): FolioQueue {
  const head: FolioQueue = { folios: folios.slice(0, nrSlots), nrSlots, next: undefined, prev: undefined };
  let tail = head;
  for (let k = nrSlots; k < folios.length; k += nrSlots) {
    const q: FolioQueue = { folios: folios.slice(k, k + nrSlots), nrSlots, next: undefined, prev: tail };
    tail.next = q;
    tail = q;
  }
  return head;
}

/** The page cache's xarray as an ITER_XARRAY iterator sees it: index k holds page id k unless k is a hole. */
export interface XArray {
  readonly holes: ReadonlySet<number>;
  /** Indices at or above `limit` are empty (no limit when absent). */
  readonly limit?: number;
}

/** `xa_load()`: the page at `index`, or undefined for a hole. */
export function xaLoad(xa: XArray, index: number): number | undefined {
  if (index < 0 || xa.holes.has(index) || (xa.limit !== undefined && index >= xa.limit)) return undefined;
  return index;
}

interface IterCommon {
  /** Bytes remaining (§A.2). */
  count: number;
  /** Progress within the current element (IOVEC/KVEC/BVEC), or from the start (UBUF/XARRAY). */
  iovOffset: number;
  readonly dataSource: IterDirection;
  /** `nofault`: pin with FOLL_NOFAULT. */
  readonly nofault: boolean;
  readonly pageSize: number;
}

export interface UbufIter extends IterCommon {
  readonly type: 'UBUF';
  readonly ubuf: number;
  readonly nrSegs: 1;
}

/** IOVEC, KVEC and BVEC keep the element array, the current element (`cur`, the kernel's pointer) and nr_segs. */
interface SegIter<T extends 'IOVEC' | 'KVEC' | 'BVEC', E> extends IterCommon {
  readonly type: T;
  readonly segs: readonly E[];
  /** Index of the current element in `segs` (the kernel advances its `__iov`/`kvec`/`bvec` pointer). */
  cur: number;
  /** Elements remaining, the current one included. */
  nrSegs: number;
}

export type IovecIter = SegIter<'IOVEC', Iovec>;
export type KvecIter = SegIter<'KVEC', Iovec>;
export type BvecIter = SegIter<'BVEC', BioVec>;

export interface XarrayIter extends IterCommon {
  readonly type: 'XARRAY';
  readonly xarray: XArray;
  readonly xarrayStart: number;
}

/**
 * ITER_FOLIOQ (v6.12): the current folio_queue segment, the slot in it (`folioq_slot`, in the kernel a union with
 * nr_segs) and `iov_offset` within that slot's folio. `head` is the chain's first segment (for the model's view).
 */
export interface FolioqIter extends IterCommon {
  readonly type: 'FOLIOQ';
  readonly head: FolioQueue;
  folioq: FolioQueue;
  folioqSlot: number;
}

export interface DiscardIter extends IterCommon {
  readonly type: 'DISCARD';
}

export type IovIter = UbufIter | IovecIter | KvecIter | BvecIter | FolioqIter | XarrayIter | DiscardIter | PipeIter;
export type SegmentIter = IovecIter | KvecIter | BvecIter;

/** What a kernel function did besides its return value: finished, WARNed and did nothing, or hit BUG(). */
export type KernelOutcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'warn'; readonly what: string }
  | { readonly kind: 'bug'; readonly what: string };

export const OK: KernelOutcome = { kind: 'ok' };

/** MAX_RW_COUNT = INT_MAX & PAGE_MASK. */
export function maxRwCount(pageSize: number): number {
  return 0x7fffffff - (0x7fffffff % pageSize);
}

/** Exhaustiveness guard for switches over a union. */
export function assertNever(x: never): never {
  // Reached only if a new union member was added without handling it; the compiler rejects that first.
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}

export interface IterOptions {
  readonly pageSize?: number;
  readonly nofault?: boolean;
}

function common(direction: IterDirection, count: number, o: IterOptions | undefined): IterCommon {
  return { count, iovOffset: 0, dataSource: direction, nofault: o?.nofault ?? false, pageSize: o?.pageSize ?? PAGE_SIZE };
}

const sumLen = (segs: readonly { readonly len: number }[], n: number): number => {
  let s = 0;
  for (let k = 0; k < n; k++) s += segs[k]?.len ?? 0;
  return s;
};

/** iov_iter_ubuf(): one user buffer. */
export function iovIterUbuf(direction: IterDirection, buf: number, count: number, o?: IterOptions): UbufIter {
  return { type: 'UBUF', ubuf: buf, nrSegs: 1, ...common(direction, count, o) };
}

/** iov_iter_init(): an array of user iovecs (count defaults to the sum of the first nrSegs lengths). */
export function iovIterIovec(
  direction: IterDirection,
  iov: readonly Iovec[],
  nrSegs: number = iov.length,
  count: number = sumLen(iov, nrSegs),
  o?: IterOptions,
): IovecIter {
  return { type: 'IOVEC', segs: iov, cur: 0, nrSegs, ...common(direction, count, o) };
}

/** iov_iter_kvec(): an array of kernel-virtual ranges. */
export function iovIterKvec(
  direction: IterDirection,
  kvec: readonly Iovec[],
  nrSegs: number = kvec.length,
  count: number = sumLen(kvec, nrSegs),
  o?: IterOptions,
): KvecIter {
  return { type: 'KVEC', segs: kvec, cur: 0, nrSegs, ...common(direction, count, o) };
}

/** iov_iter_bvec(): an array of (page, offset, len) bio_vecs. */
export function iovIterBvec(
  direction: IterDirection,
  bvec: readonly BioVec[],
  nrSegs: number = bvec.length,
  count: number = sumLen(bvec, nrSegs),
  o?: IterOptions,
): BvecIter {
  return { type: 'BVEC', segs: bvec, cur: 0, nrSegs, ...common(direction, count, o) };
}

/** iov_iter_xarray(): `count` bytes of the xarray's pages from byte position `start`. */
export function iovIterXarray(
  direction: IterDirection,
  xarray: XArray,
  start: number,
  count: number,
  o?: IterOptions,
): XarrayIter {
  return { type: 'XARRAY', xarray, xarrayStart: start, ...common(direction, count, o) };
}

/** iov_iter_folio_queue(): `count` bytes of the chain from slot `firstSlot` of `folioq`, `offset` into its folio. */
export function iovIterFolioQueue(
  direction: IterDirection,
  folioq: FolioQueue,
  firstSlot: number,
  offset: number,
  count: number,
  o?: IterOptions,
): FolioqIter {
  return { type: 'FOLIOQ', head: folioq, folioq, folioqSlot: firstSlot, ...common(direction, count, o), iovOffset: offset };
}

/** The chain's folios in order, each as the run of bytes it holds (offset 0, PAGE_SIZE << order bytes). */
export function folioqFolios(i: FolioqIter): BioVec[] {
  const out: BioVec[] = [];
  for (let q: FolioQueue | undefined = i.head; q !== undefined; q = q.next) {
    for (let s = 0; s < q.folios.length; s++) out.push({ page: q.folios[s]!.page, offset: 0, len: folioqFolioSize(q, s, i.pageSize) });
  }
  return out;
}

/**
 * The iterator's slot as an index into folioqFolios(): the slots of the segments before the current one plus
 * folioq_slot (a slot equal to nrSlots, left at the end of the last segment, is one past its last folio).
 */
export function folioqIndex(i: FolioqIter): number {
  let k = 0;
  for (let q: FolioQueue | undefined = i.head; q !== undefined && q !== i.folioq; q = q.next) k += q.nrSlots;
  return k + i.folioqSlot;
}

/** iov_iter_discard(): a sink of `count` bytes; the kernel BUG()s on a SOURCE discard, so the type forbids it. */
export function iovIterDiscard(direction: 'DEST', count: number, o?: IterOptions): DiscardIter {
  return { type: 'DISCARD', ...common(direction, count, o) };
}

/** A copy of the iterator's mutable fields (the arrays it points at are shared, as in the kernel). */
export function iovIterClone<I extends IovIter>(i: I): I {
  return { ...i };
}

/** iov_iter_count(). */
export const iovIterCount = (i: IovIter): number => i.count;

/** iter_is_ubuf() || iter_is_iovec(): user_backed_iter(). */
export function userBackedIter(i: IovIter): i is UbufIter | IovecIter {
  return i.type === 'UBUF' || i.type === 'IOVEC';
}

export function isSegmentIter(i: IovIter): i is SegmentIter {
  return i.type === 'IOVEC' || i.type === 'KVEC' || i.type === 'BVEC';
}

/** iov_iter_folioq_advance(): slot by slot, moving to the next segment past the last slot of one. */
function folioqAdvance(i: FolioqIter, size: number): void {
  let folioq = i.folioq;
  let slot = i.folioqSlot;
  if (i.count === 0) return;
  i.count -= size;
  if (slot >= folioq.nrSlots) {
    folioq = folioq.next!; // count > 0: the chain goes on
    slot = 0;
  }
  size += i.iovOffset; // from the start of the current folio
  do {
    const fsize = folioqFolioSize(folioq, slot, i.pageSize);
    if (size < fsize) break;
    size -= fsize;
    slot++;
    if (slot >= folioq.nrSlots && folioq.next !== undefined) {
      folioq = folioq.next;
      slot = 0;
    }
  } while (size !== 0);
  i.iovOffset = size;
  i.folioqSlot = slot;
  i.folioq = folioq;
}

/** iov_iter_folioq_revert(): step back slot by slot (into the previous segment from slot 0) until `unroll` fits. */
function folioqRevert(i: FolioqIter, unroll: number): KernelOutcome {
  let folioq = i.folioq;
  let slot = i.folioqSlot;
  for (;;) {
    if (slot === 0) {
      if (folioq.prev === undefined) return { kind: 'bug', what: `iov_iter_revert() ${unroll} bytes before the first folio` };
      folioq = folioq.prev;
      slot = folioq.nrSlots;
    }
    slot--;
    const fsize = folioqFolioSize(folioq, slot, i.pageSize);
    if (unroll <= fsize) {
      i.iovOffset = fsize - unroll;
      break;
    }
    unroll -= fsize;
  }
  i.folioqSlot = slot;
  i.folioq = folioq;
  return OK;
}

/** iov_iter_iovec_advance() / iov_iter_bvec_advance(): identical walks over `{len}` elements. */
function segAdvance(i: SegmentIter, size: number): void {
  if (i.count === 0) return;
  i.count -= size;
  size += i.iovOffset; // from the start of the current element
  const segs: readonly { readonly len: number }[] = i.segs;
  const end = i.cur + i.nrSegs;
  let k = i.cur;
  for (; k < end; k++) {
    const len = segs[k]?.len ?? 0;
    if (size < len) break;
    size -= len; // zero-length elements at the new position are stepped over too
  }
  i.iovOffset = size;
  i.nrSegs -= k - i.cur;
  i.cur = k;
}

/** iov_iter_advance() (§A.4): n is clamped to count; never touches page lifetimes. */
export function iovIterAdvance(i: IovIter, size: number): void {
  if (i.count < size) size = i.count;
  switch (i.type) {
    case 'UBUF':
    case 'XARRAY':
      i.iovOffset += size;
      i.count -= size;
      return;
    case 'IOVEC':
    case 'KVEC':
    case 'BVEC':
      segAdvance(i, size);
      return;
    case 'FOLIOQ':
      folioqAdvance(i, size);
      return;
    case 'DISCARD':
      i.count -= size;
      return;
    case 'PIPE':
      pipeAdvance(i, size); // may discard buffers past the new position (§E.1)
      return;
    default:
      assertNever(i);
  }
}

/**
 * iov_iter_revert() (§A.4): give back `unroll` bytes. Reverting past the start of a UBUF or XARRAY iterator is
 * the kernel's BUG(); stepping before the first element of an array would read outside it, reported the same way.
 * After a BUG outcome the iterator's fields are as the kernel left them when it stopped.
 */
export function iovIterRevert(i: IovIter, unroll: number): KernelOutcome {
  if (unroll === 0) return OK;
  if (unroll > maxRwCount(i.pageSize)) return { kind: 'warn', what: `iov_iter_revert(${unroll}) > MAX_RW_COUNT` };
  i.count += unroll;
  if (i.type === 'PIPE') {
    pipeRevert(i, unroll); // releases whole pipe buffers: the one revert with page-lifetime effects (§E.1)
    return OK;
  }
  if (i.type === 'DISCARD') return OK;
  if (unroll <= i.iovOffset) {
    i.iovOffset -= unroll;
    return OK;
  }
  unroll -= i.iovOffset;
  switch (i.type) {
    case 'UBUF':
    case 'XARRAY':
      return { kind: 'bug', what: `iov_iter_revert() ${unroll} bytes before the start of an ITER_${i.type} iterator` };
    case 'FOLIOQ':
      i.iovOffset = 0;
      return folioqRevert(i, unroll);
    case 'IOVEC':
    case 'KVEC':
    case 'BVEC': {
      const segs: readonly { readonly len: number }[] = i.segs;
      let k = i.cur;
      for (;;) {
        k--;
        if (k < 0) return { kind: 'bug', what: `iov_iter_revert() ${unroll} bytes before the first element` };
        const n = segs[k]?.len ?? 0;
        if (!kernelFaults.revertForgetsNrSegs) i.nrSegs++;
        if (unroll <= n) {
          i.cur = k;
          i.iovOffset = n - unroll;
          return OK;
        }
        unroll -= n;
      }
    }
    default:
      return assertNever(i);
  }
}

/** The elements an iterator was built over, for UBUF as its single buffer (`len` = bytes it started with), for
 * FOLIOQ the chain's folios. */
export function iterSegments(i: IovIter): readonly (Iovec | BioVec)[] {
  switch (i.type) {
    case 'UBUF':
      return [{ addr: i.ubuf, len: i.count + i.iovOffset }];
    case 'IOVEC':
    case 'KVEC':
    case 'BVEC':
      return i.segs;
    case 'FOLIOQ':
      return folioqFolios(i);
    case 'XARRAY':
    case 'DISCARD':
    case 'PIPE':
      return [];
    default:
      return assertNever(i);
  }
}
