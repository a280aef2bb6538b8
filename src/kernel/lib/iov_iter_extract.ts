// iov_iter_extract_pages() and iov_iter_extract_will_pin() (KERNEL.md §B): the dispatcher and the per-type
// extractors, with every modelled design alternative (§G.0, §G.1, §G.7, §G.9) as an option of this one code.
// The page array is the caller's (maxpages entries) or, when the caller passes NULL, allocated by the call
// through an injection point that may fail (-ENOMEM, §B.2).

import {
  assertNever,
  folioqFolioSize,
  iovIterAdvance,
  maxRwCount,
  userBackedIter,
  xaLoad,
  type BvecIter,
  type FolioqIter,
  type IovecIter,
  type IovIter,
  type KvecIter,
  type UbufIter,
  type XarrayIter,
} from './iov_iter.js';
import { iovIterExtractPipePages } from '../fs/pipe.js';

/** The only extraction flag (§B.1). */
export const ITER_ALLOW_P2PDMA = 0x01;

/** gup_flags the user extractor passes to pin_user_pages_fast() (mm_types.h numbering of v6.2+). */
export const FOLL_WRITE = 1 << 0;
export const FOLL_NOFAULT = 1 << 5;
export const FOLL_PCI_P2PDMA = 1 << 10;

export type ExtractErrno = 'EFAULT' | 'ENOMEM';

/**
 * The return value (bytes, an errno, or the kernel's BUG() for an iterator whose count exceeds its elements),
 * `*offset0` (undefined when the call did not write it) and the page-array entries the call wrote, in order.
 */
export interface ExtractResult {
  readonly ret: number | ExtractErrno | 'EIO' | 'BUG';
  readonly offset0: number | undefined;
  readonly pages: readonly number[];
  /**
   * Present when the caller passed a NULL `*pages`: the entries of the array the call allocated (0 when it
   * allocated none, or its allocation failed). Absent: the caller's own array of `maxpages` entries.
   */
  readonly cap?: number;
}

/**
 * pin_user_pages_fast(first page, nr_pages, gup_flags): pins `nr_pages` consecutive pages of the user address
 * space starting at page `firstPage` and returns how many it pinned, or an errno when it pinned none.
 */
export type PinUserPagesFast = (firstPage: number, nrPages: number, gupFlags: number) => number | ExtractErrno;

/** Options: which generation of each extractor runs. */
export interface ExtractOptions {
  /** The KVEC/BVEC empty-segment loop writes `maxsize` instead of a separate `size` (pre-f741bd7178c9, §G.1). */
  readonly clobberMaxsize: boolean;
  /** KVEC/BVEC skip empty elements at the front (v7 of the series, §G.0); false = the v6 code. */
  readonly skipEmpty: boolean;
  /** KVEC: offset0 from the address `iov_base + skip` (v11); false = `skip % PAGE_SIZE`, walk from iov_base. */
  readonly kvecOffsetFix: boolean;
  /** BVEC: one bvec per call (v6.3–v6.11) or the bvec_iter walker of e4e535bff2bc (v6.12+), §B.5. */
  readonly bvecWalker: 'v6.3' | 'v6.12';
  /** v6.12 walker: bi_size = maxsize + skip (§G.7); false = bi_size = maxsize (Ming Lei's fix). */
  readonly bvecSizePlusSkip: boolean;
  /** v6.12 walker: returns -ENOMEM when want_pages_array() gives 0 (the 2026 fix, §G.9); false = unchecked. */
  readonly bvecAllocChecked: boolean;
}

/** The variant strings shared with spec/IovIter.tla's `Variant` constant. */
export const IOV_ITER_VARIANTS = [
  'v6.6',
  'v6.12',
  'bug-clobber-maxsize',
  'bug-no-skip-empty',
  'bug-kvec-offset',
  'bug-bvec-size-plus-skip',
  'bug-bvec-alloc-unchecked',
] as const;
export type IovIterVariant = (typeof IOV_ITER_VARIANTS)[number];

const V6_6: ExtractOptions = {
  clobberMaxsize: false,
  skipEmpty: true,
  kvecOffsetFix: true,
  bvecWalker: 'v6.3',
  bvecSizePlusSkip: false,
  bvecAllocChecked: true,
};

/** Variant → options. Each bug variant is the final design with exactly one thing changed back. */
export const VARIANT_OPTIONS: Readonly<Record<IovIterVariant, ExtractOptions>> = {
  'v6.6': V6_6,
  'v6.12': { ...V6_6, bvecWalker: 'v6.12' },
  'bug-clobber-maxsize': { ...V6_6, clobberMaxsize: true },
  'bug-no-skip-empty': { ...V6_6, skipEmpty: false },
  'bug-kvec-offset': { ...V6_6, kvecOffsetFix: false },
  'bug-bvec-size-plus-skip': { ...V6_6, bvecWalker: 'v6.12', bvecSizePlusSkip: true },
  'bug-bvec-alloc-unchecked': { ...V6_6, bvecWalker: 'v6.12', bvecAllocChecked: false },
};

export function isIovIterVariant(s: string): s is IovIterVariant {
  return (IOV_ITER_VARIANTS as readonly string[]).includes(s);
}

/** A pin_user_pages_fast() stand-in that pins everything (or fails after `failAfter` pages) and logs each call. */
export interface UserPinner {
  readonly pinUserPagesFast: PinUserPagesFast;
  /** Every page pinned, in order, once per pin. */
  readonly pinned: number[];
  /** Every call: first page, pages asked for, gup flags, result. */
  readonly calls: { firstPage: number; nrPages: number; gupFlags: number; result: number | ExtractErrno }[];
}

export function makeUserPinner(opts: { failAfter?: number } = {}): UserPinner {
  const pinned: number[] = [];
  const calls: UserPinner['calls'] = [];
  let budget = opts.failAfter ?? Number.POSITIVE_INFINITY;
  const pinUserPagesFast: PinUserPagesFast = (firstPage, nrPages, gupFlags) => {
    const n = Math.min(nrPages, budget);
    budget -= n;
    for (let k = 0; k < n; k++) pinned.push(firstPage + k);
    const result = n === 0 ? 'EFAULT' : n;
    calls.push({ firstPage, nrPages, gupFlags, result });
    return result;
  };
  return { pinUserPagesFast, pinned, calls };
}

const pinAll: PinUserPagesFast = (_first, nrPages) => nrPages;

export interface ExtractCallOptions {
  /** Defaults to the v6.6 design. */
  readonly variant?: ExtractOptions;
  /** Defaults to pinning every page asked for, without recording. */
  readonly pinUserPagesFast?: PinUserPagesFast;
  /**
   * Present: the caller passes a NULL `*pages` and the call allocates the array with this kvmalloc_array()
   * stand-in, which returns false when the allocation fails (the failure injection point). Absent: the caller's
   * array of `maxpages` entries.
   */
  readonly kvmallocArray?: (nrEntries: number) => boolean;
}

/** `*pages` during one call: the allocator when the caller passed NULL, and the entries the array has. */
interface PagesRef {
  readonly kvmallocArray: ((nrEntries: number) => boolean) | undefined;
  /** undefined: still NULL (or the caller's array); a number: entries allocated (0 after a failure). */
  cap: number | undefined;
}

const nothing = (ret: ExtractResult['ret']): ExtractResult => ({ ret, offset0: undefined, pages: [] });

const divRoundUp = (a: number, b: number): number => Math.floor((a + b - 1) / b);

/**
 * want_pages_array(): how many entries to fill (0 ⇒ the caller returns -ENOMEM); with a NULL `*pages` it first
 * allocates that many entries, and gives 0 when the allocation fails.
 */
function wantPagesArray(ref: PagesRef, size: number, start: number, maxpages: number, ps: number): number {
  const n = Math.min(divRoundUp(size + start, ps), maxpages);
  if (ref.kvmallocArray !== undefined && ref.cap === undefined) {
    if (!ref.kvmallocArray(n)) {
      ref.cap = 0;
      return 0;
    }
    ref.cap = n;
  }
  return n;
}

/** first_iovec_segment(): the address to start at and the size clipped to that element; skips empty iovecs. */
function firstIovecSegment(i: UbufIter | IovecIter, maxsize: number): { addr: number; size: number } | undefined {
  if (i.type === 'UBUF') return { addr: i.ubuf + i.iovOffset, size: maxsize };
  let skip = i.iovOffset;
  for (let k = 0; k < i.nrSegs; k++, skip = 0) {
    const seg = i.segs[i.cur + k];
    if (seg === undefined) break;
    const len = seg.len - skip;
    if (len === 0) continue;
    return { addr: seg.addr + skip, size: Math.min(maxsize, len) };
  }
  return undefined; // the kernel BUG()s: count says there is data but no element holds any
}

/** iov_iter_extract_user_pages() (§B.3): pins; never crosses an iovec; partial pins give a short count. */
function extractUser(
  i: UbufIter | IovecIter,
  maxsize: number,
  maxpages: number,
  flags: number,
  pin: PinUserPagesFast,
  ref: PagesRef,
): ExtractResult {
  const ps = i.pageSize;
  let gup = 0;
  if (i.dataSource === 'DEST') gup |= FOLL_WRITE;
  if (flags & ITER_ALLOW_P2PDMA) gup |= FOLL_PCI_P2PDMA;
  if (i.nofault) gup |= FOLL_NOFAULT;
  const first = firstIovecSegment(i, maxsize);
  if (first === undefined) return nothing('BUG');
  const offset = first.addr % ps;
  const n = wantPagesArray(ref, first.size, offset, maxpages, ps);
  if (n === 0) return { ret: 'ENOMEM', offset0: offset, pages: [] };
  const firstPage = (first.addr - offset) / ps;
  const res = pin(firstPage, n, gup);
  if (typeof res === 'string' || res <= 0) return { ret: res, offset0: offset, pages: [] };
  const pages = new Array<number>(res);
  for (let k = 0; k < res; k++) pages[k] = firstPage + k;
  const size = Math.min(first.size, res * ps - offset);
  iovIterAdvance(i, size);
  return { ret: size, offset0: offset, pages };
}

/**
 * The KVEC/BVEC (v6.3 generation) front loop: find the first element with data, stepping over empty ones
 * (v7+). Mutates nr_segs/cur/iov_offset as it goes, even if the call then returns 0 or -ENOMEM (§B.4).
 * Returns the size to extract from the current element and the skip into it, or undefined when no element is left.
 */
function skipEmptyFront(i: KvecIter | BvecIter, maxsize: number, o: ExtractOptions): { size: number; skip: number } | undefined {
  let skip = i.iovOffset;
  for (;;) {
    if (i.nrSegs === 0) return undefined;
    const len = i.segs[i.cur]?.len ?? 0;
    const size = Math.min(maxsize, len - skip);
    if (o.clobberMaxsize) maxsize = size; // G.1: one empty element makes every later one look empty
    if (size !== 0 || !o.skipEmpty) return { size, skip };
    i.iovOffset = 0;
    i.nrSegs--;
    i.cur++;
    skip = 0;
  }
}

/** iov_iter_extract_kvec_pages() (§B.4): lists the pages of one kvec element; no refs, no pins. */
function extractKvec(i: KvecIter, maxsize: number, maxpages: number, o: ExtractOptions, ref: PagesRef): ExtractResult {
  const ps = i.pageSize;
  const front = skipEmptyFront(i, maxsize, o);
  if (front === undefined) return nothing(0);
  let { size } = front;
  const base = i.segs[i.cur]?.addr ?? 0;
  let offset: number;
  let walk: number; // the address whose page is entry 0; entry k is the page of walk + k*ps
  if (o.kvecOffsetFix) {
    const kaddr = base + front.skip;
    offset = kaddr % ps;
    walk = kaddr - offset;
  } else {
    offset = front.skip % ps; // v10: the skip's offset, not the address's
    walk = base - offset; //      and the walk starts from iov_base, not iov_base + skip
  }
  const n = wantPagesArray(ref, size, offset, maxpages, ps);
  if (n === 0) return { ret: 'ENOMEM', offset0: offset, pages: [] };
  const pages = new Array<number>(n);
  for (let k = 0; k < n; k++) pages[k] = Math.floor((walk + k * ps) / ps); // virt_to_page()/vmalloc_to_page()
  size = Math.min(size, n * ps - offset);
  iovIterAdvance(i, size);
  return { ret: size, offset0: offset, pages };
}

/** iov_iter_extract_bvec_pages(), v6.3–v6.11 (§B.5): one bvec per call, its pages assumed contiguous. */
function extractBvecOne(i: BvecIter, maxsize: number, maxpages: number, o: ExtractOptions, ref: PagesRef): ExtractResult {
  const ps = i.pageSize;
  const front = skipEmptyFront(i, maxsize, o);
  if (front === undefined) return nothing(0);
  let { size } = front;
  const bv = i.segs[i.cur] ?? { page: 0, offset: 0, len: 0 };
  const skip = front.skip + bv.offset;
  const page = bv.page + Math.floor(skip / ps);
  const offset = skip % ps;
  const n = wantPagesArray(ref, size, offset, maxpages, ps);
  if (n === 0) return { ret: 'ENOMEM', offset0: offset, pages: [] };
  const pages = new Array<number>(n);
  for (let k = 0; k < n; k++) pages[k] = page + k;
  size = Math.min(size, n * ps - offset);
  iovIterAdvance(i, size);
  return { ret: size, offset0: offset, pages };
}

/**
 * iov_iter_extract_bvec_pages(), v6.12+ (e4e535bff2bc with the bi_idx fix, §B.5): walks a bvec_iter over
 * single-page chunks, possibly across bvecs, stopping where a hole would appear in the returned page list.
 */
function extractBvecWalk(i: BvecIter, maxsize: number, maxpages: number, o: ExtractOptions, ref: PagesRef): ExtractResult {
  const ps = i.pageSize;
  if (i.nrSegs === 0) return nothing(0);
  let skip = i.iovOffset;
  if (i.iovOffset === (i.segs[i.cur]?.len ?? 0)) {
    i.iovOffset = 0; // only one element is stepped over here
    i.nrSegs--;
    i.cur++;
    skip = 0;
  }
  let biIdx = 0;
  let biSize = o.bvecSizePlusSkip ? maxsize + skip : maxsize; // G.7
  let biDone = skip;
  const limit = wantPagesArray(ref, maxsize, skip, maxpages, ps);
  // Unchecked until the 2026 fix (§G.9): after a failed allocation the walk writes through the NULL array.
  if (limit === 0 && o.bvecAllocChecked) return { ret: 'ENOMEM', offset0: undefined, pages: [] };
  const pages: number[] = [];
  let offset0: number | undefined;
  let size = 0;
  while (biSize !== 0 && biIdx < i.nrSegs) {
    const mp = i.segs[i.cur + biIdx] ?? { page: 0, offset: 0, len: 0 };
    // bvec_iter_bvec(): the single-page piece of the current multi-page bvec
    const at = mp.offset + biDone;
    const bvPage = mp.page + Math.floor(at / ps);
    const bvOffset = at % ps;
    const bvLen = Math.min(biSize, mp.len - biDone, ps - bvOffset);
    if (pages.length > 0) {
      if (bvOffset !== 0) break; // only the first page may start inside
    } else {
      offset0 = bvOffset;
    }
    pages.push(bvPage);
    size += bvLen;
    if (pages.length >= limit) break;
    if (bvOffset + bvLen !== ps) break; // a short page ends the list
    // bvec_iter_advance_single()
    const done = biDone + bvLen;
    if (done === mp.len) {
      biDone = 0;
      biIdx++;
    } else {
      biDone = done;
    }
    biSize -= bvLen;
  }
  iovIterAdvance(i, size);
  return { ret: size, offset0, pages };
}

/**
 * iov_iter_extract_folioq_pages() (v6.12, §B.7): one page per step, each part at most the rest of its page,
 * across folios and folio_queue segments, until maxpages entries or maxsize bytes. The iterator's fields are
 * updated as it goes; a step that ends a folio moves to the next slot only if the loop goes on, so a call may
 * leave iov_offset at the end of a folio (the next call starts by moving on).
 */
function extractFolioq(i: FolioqIter, maxsize: number, maxpages: number, ref: PagesRef): ExtractResult {
  const ps = i.pageSize;
  let folioq = i.folioq;
  let slot = i.folioqSlot;
  if (slot >= folioq.nrSlots) {
    if (folioq.next === undefined) return nothing(0); // count > 0 past the chain's end: the kernel would oops
    folioq = folioq.next;
    slot = 0;
    if (i.iovOffset !== 0) return nothing('EIO'); // WARN_ON(i->iov_offset != 0)
  }
  const offset0 = i.iovOffset % ps;
  const n = wantPagesArray(ref, maxsize, offset0, maxpages, ps);
  if (n === 0) return { ret: 'ENOMEM', offset0, pages: [] };
  const pages: number[] = [];
  let extracted = 0;
  for (;;) {
    const folio = folioq.folios[slot];
    const offset = i.iovOffset;
    const fsize = folioqFolioSize(folioq, slot, ps);
    if (offset < fsize && folio !== undefined) {
      const part = Math.min(ps - (offset % ps), maxsize - extracted, fsize - offset);
      i.count -= part;
      i.iovOffset += part;
      extracted += part;
      pages.push(folio.page + Math.floor(offset / ps)); // folio_page(folio, offset / PAGE_SIZE)
    }
    if (pages.length >= n || extracted >= maxsize) break;
    if (i.iovOffset >= fsize) {
      i.iovOffset = 0;
      slot++;
      if (slot === folioq.nrSlots && folioq.next !== undefined) {
        folioq = folioq.next;
        slot = 0;
      }
    }
  }
  i.folioq = folioq;
  i.folioqSlot = slot;
  return { ret: extracted, offset0, pages };
}

/** iov_iter_extract_xarray_pages() (§B.6): consecutive present indices; stops at a hole or after n entries. */
function extractXarray(i: XarrayIter, maxsize: number, maxpages: number, ref: PagesRef): ExtractResult {
  const ps = i.pageSize;
  const pos = i.xarrayStart + i.iovOffset;
  const offset = pos % ps;
  const n = wantPagesArray(ref, maxsize, offset, maxpages, ps);
  if (n === 0) return { ret: 'ENOMEM', offset0: offset, pages: [] };
  const pages: number[] = [];
  for (let index = Math.floor(pos / ps); pages.length < n; index++) {
    const page = xaLoad(i.xarray, index);
    if (page === undefined) break;
    pages.push(page);
  }
  // min_t(size_t, nr * PAGE_SIZE - offset, maxsize): with no page and offset > 0 the unsigned difference
  // wraps and maxsize wins (KERNEL.md §B.6 / G.11).
  const avail = pages.length * ps - offset;
  const ret = avail < 0 ? maxsize : Math.min(avail, maxsize);
  iovIterAdvance(i, ret);
  return { ret, offset0: offset, pages };
}

/**
 * iov_iter_extract_pages(i, pages, maxsize, maxpages, flags, offset0) (§B.2): extract up to `maxsize` bytes
 * into at most `maxpages` pages, advancing the iterator by what was extracted. User-backed iterators are pinned
 * through `options.pinUserPagesFast`; the other types are only listed.
 */
export function iovIterExtractPages(
  i: IovIter,
  maxsize: number,
  maxpages: number,
  flags = 0,
  options: ExtractCallOptions = {},
): ExtractResult {
  const ref: PagesRef = { kvmallocArray: options.kvmallocArray, cap: undefined };
  const r = dispatch(i, maxsize, maxpages, flags, options, ref);
  return ref.kvmallocArray === undefined ? r : { ...r, cap: ref.cap ?? 0 };
}

function dispatch(i: IovIter, maxsize: number, maxpages: number, flags: number, options: ExtractCallOptions, ref: PagesRef): ExtractResult {
  maxsize = Math.min(maxsize, i.count, maxRwCount(i.pageSize));
  if (maxsize <= 0) return nothing(0);
  const o = options.variant ?? V6_6;
  switch (i.type) {
    case 'UBUF':
    case 'IOVEC':
      return extractUser(i, maxsize, maxpages, flags, options.pinUserPagesFast ?? pinAll, ref);
    case 'KVEC':
      return extractKvec(i, maxsize, maxpages, o, ref);
    case 'BVEC':
      return o.bvecWalker === 'v6.12' ? extractBvecWalk(i, maxsize, maxpages, o, ref) : extractBvecOne(i, maxsize, maxpages, o, ref);
    case 'FOLIOQ':
      return extractFolioq(i, maxsize, maxpages, ref);
    case 'XARRAY':
      return extractXarray(i, maxsize, maxpages, ref);
    case 'DISCARD':
      return nothing('EFAULT');
    case 'PIPE':
      // Only linux-next (Jan 2023, before v12 of the series) had a pipe branch: it appended pages to the pipe and
      // returned them with no reference (KERNEL.md §E.3). Mainline never extracted from a pipe.
      return iovIterExtractPipePages(i, maxsize, maxpages);
    default:
      return assertNever(i);
  }
}

/** iov_iter_extract_will_pin(): true iff the pages come back pinned (user-backed iterators). */
export function iovIterExtractWillPin(i: IovIter): boolean {
  return userBackedIter(i);
}
