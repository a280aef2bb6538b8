// extract_iter_to_sg() (lib/scatterlist.c, KERNEL.md §G.10): append the next bytes of an iov_iter to an sg_table
// as scatterlist entries, at most sg_max of them. UBUF/IOVEC are pinned through iov_iter_extract_pages() with the
// page-pointer array placed in the unused tail of the table itself; KVEC/BVEC/XARRAY are walked directly and not
// pinned. The three fixes of the final design (6a30653b604a, 07b7d66e65d9, 118cf3f55975) are options of this one
// code. The table is kept as pointer-sized words, as the kernel's memory is, so the temporary array and the
// entries overlap exactly where they overlap in the kernel.

import { kernelFaults } from './faults.js';
import { assertNever, folioqFolioSize, iovIterAdvance, userBackedIter, xaLoad, type BvecIter, type FolioqIter, type FolioQueue, type IovIter, type IovecIter, type KvecIter, type UbufIter, type XarrayIter } from './iov_iter.js';
import { iovIterExtractPages, type ExtractErrno, type PinUserPagesFast } from './iov_iter_extract.js';

/** The variant strings shared with spec/IterToSg.tla's `Variant` constant. */
export const SG_VARIANTS = ['v7.0.7', 'bug-user-zero-loop', 'bug-kvec-total-len', 'bug-user-temp-over-table'] as const;
export type SgVariant = (typeof SG_VARIANTS)[number];

export interface SgOptions {
  /** extract_user_to_sg() fails on `res <= 0` (6a30653b604a, v6.9-rc6); false = only `res < 0`, a 0 loops. */
  readonly zeroIsFailure: boolean;
  /**
   * 07b7d66e65d9: a kvec entry gets its page's part (`seg`), the count drops what did not fit when sg_max runs
   * out, and sg_max == 0 returns 0 at once; false = the entry gets the remaining length, and sg_max wraps.
   */
  readonly kvecPerPage: boolean;
  /** 118cf3f55975: the page array ends sg_max entries after `sg` (first unused entry); false = after `sgl`. */
  readonly tempAfterUsed: boolean;
}

const FINAL: SgOptions = { zeroIsFailure: true, kvecPerPage: true, tempAfterUsed: true };

/** Variant → options. Each bug variant is the final design with exactly one fix taken back out. */
export const SG_VARIANT_OPTIONS: Readonly<Record<SgVariant, SgOptions>> = {
  'v7.0.7': FINAL,
  'bug-user-zero-loop': { ...FINAL, zeroIsFailure: false },
  'bug-kvec-total-len': { ...FINAL, kvecPerPage: false },
  'bug-user-temp-over-table': { ...FINAL, tempAfterUsed: false },
};

export function isSgVariant(s: string): s is SgVariant {
  return (SG_VARIANTS as readonly string[]).includes(s);
}

// ---- the scatterlist array as memory ----

/** A NULL page pointer, and a word read as a page pointer that is not one. */
export const NO_PAGE = -1;
export const GARBAGE = -2;

/**
 * One pointer-sized word of the array: zero (sg_init_table(), a NULL pointer, an unmapped DMA word), a page
 * pointer (page_link, or an entry of the temporary page array), or the offset/length word of an entry.
 */
export type SgWord =
  | { readonly kind: 'zero' }
  | { readonly kind: 'page'; readonly page: number }
  | { readonly kind: 'len'; readonly offset: number; readonly length: number };

export const ZERO_WORD: SgWord = { kind: 'zero' };
export const pageWord = (page: number): SgWord => (page === NO_PAGE ? ZERO_WORD : { kind: 'page', page });

/** struct scatterlist on x86-64: page_link, offset+length, dma_address, dma_length+flags = 4 × 8 bytes. */
export const SG_PTRS_X86_64 = 4;

/** An sg_table over a caller's array of `capacity` entries of `ptrs` words each. */
export interface SgTable {
  readonly words: SgWord[];
  readonly ptrs: number;
  readonly capacity: number;
  nents: number;
  origNents: number;
}

export interface SgEntry {
  readonly page: number;
  readonly offset: number;
  readonly length: number;
}

/** sg_init_table(): a zeroed array. */
export function sgInitTable(capacity: number, ptrs = SG_PTRS_X86_64): SgTable {
  return { words: new Array<SgWord>(capacity * ptrs).fill(ZERO_WORD), ptrs, capacity, nents: 0, origNents: 0 };
}

/** A word read as a page pointer. */
export function wordAsPage(w: SgWord | undefined): number {
  if (w === undefined || w.kind === 'zero') return NO_PAGE;
  return w.kind === 'page' ? w.page : GARBAGE;
}

/** Entry e as sg_page()/->offset/->length read it. */
export function sgEntry(t: SgTable, e: number): SgEntry {
  const w = t.words[e * t.ptrs + 1];
  const page = wordAsPage(t.words[e * t.ptrs]);
  if (w === undefined || w.kind === 'zero') return { page, offset: 0, length: 0 };
  if (w.kind === 'page') return { page, offset: GARBAGE, length: GARBAGE };
  return { page, offset: w.offset, length: w.length };
}

/** sg_set_page(&sgl[e], page, length, offset): page_link and the offset/length word; past the array nothing is kept. */
export function sgSetPage(t: SgTable, e: number, page: number, length: number, offset: number): void {
  if (e < 0 || e >= t.capacity) return;
  t.words[e * t.ptrs] = pageWord(page);
  t.words[e * t.ptrs + 1] = { kind: 'len', offset, length };
}

// ---- pins ----

/** FOLL_PIN pins taken by pin_user_pages_fast() and dropped by unpin_user_page(), per page. */
export interface PinLedger {
  readonly pins: Map<number, number>;
}

export const newPinLedger = (): PinLedger => ({ pins: new Map() });

function pinRun(l: PinLedger, first: number, n: number): void {
  for (let k = 0; k < n; k++) l.pins.set(first + k, (l.pins.get(first + k) ?? 0) + 1);
}

/** unpin_user_page(page): drops one pin (a NULL or garbage page is counted too, so a checker sees it). */
export function unpinUserPage(l: PinLedger, page: number): void {
  l.pins.set(page, (l.pins.get(page) ?? 0) - 1);
}

/** A pin_user_pages_fast() whose result `gup` picks (pages asked for → pages pinned or an errno), recording pins. */
export function ledgerPinner(l: PinLedger, gup: (nrPages: number) => number | ExtractErrno = (n) => n): PinUserPagesFast {
  return (first, n) => {
    const res = gup(n);
    if (typeof res === 'number' && res > 0) pinRun(l, first, res);
    return res;
  };
}

// ---- extract_iter_to_sg() ----

export type SgErrno = ExtractErrno | 'EIO';
export type SgRet = number | SgErrno;

/** The function's locals the model observes after set-up and after each round (the spec's `call` record). */
export interface SgProgress {
  /** maxsize and sg_max as they stand (sg_max is unsigned in C: -1 stands for its wrap-around). */
  readonly maxsize: number;
  readonly sgMax: number;
  /** Bytes added so far. */
  readonly ret: number;
  /** Where the temporary page array stands, as a word index into the table (user path). */
  readonly pagesAt: number;
  /** The last round's extraction result and the entries it used. */
  readonly lastRes: SgRet;
  readonly lastSlots: number;
  readonly rounds: number;
}

export interface SgDone extends SgProgress {
  readonly result: SgRet;
}

export interface SgCallOptions {
  readonly variant?: SgOptions;
  /** pin_user_pages_fast() for the user path; defaults to pinning every page asked for into `ledger`. */
  readonly pinUserPagesFast?: PinUserPagesFast;
  /** Where pins are recorded and unpin_user_page() drops them. */
  readonly ledger?: PinLedger;
  readonly extractionFlags?: number;
}

const divRoundUp = (a: number, b: number): number => Math.floor((a + b - 1) / b);

/** extract_user_to_sg(): rounds of iov_iter_extract_pages() into the array at the table's unused tail. */
function* extractUserToSg(iter: UbufIter | IovecIter, maxsize: number, t: SgTable, sgMax: number, o: SgOptions, pin: PinUserPagesFast, ledger: PinLedger, flags: number): Generator<SgProgress, SgDone> {
  const ps = iter.pageSize;
  let sg = t.nents; // sgtable->sgl + sgtable->nents
  // pages = (void *)sg + array_size(sg_max, sizeof(struct scatterlist)); pages -= sg_max;
  let pages = (o.tempAfterUsed ? sg * t.ptrs : 0) + sgMax * t.ptrs - sgMax;
  let ret = 0;
  let off = 0;
  let rounds = 0;
  let lastRes: SgRet = 0;
  let lastSlots = 0;
  const progress = (): SgProgress => ({ maxsize, sgMax, ret, pagesAt: pages, lastRes, lastSlots, rounds });
  yield progress();
  for (;;) {
    const x = iovIterExtractPages(iter, maxsize, sgMax, flags, { pinUserPagesFast: pin });
    // pin_user_pages_fast() filled (*pages)[0..res-1]
    x.pages.forEach((p, k) => {
      if (pages + k < t.words.length) t.words[pages + k] = pageWord(p);
    });
    const res: SgRet = x.ret === 'BUG' ? 'EFAULT' : x.ret;
    rounds++;
    lastRes = res;
    if (typeof res === 'string' || (o.zeroIsFailure ? res <= 0 : res < 0)) {
      lastSlots = 0;
      // failed: while (sgtable->nents > sgtable->orig_nents) unpin_user_page(sg_page(&sgtable->sgl[--sgtable->nents]));
      while (t.nents > t.origNents) {
        t.nents--;
        if (t.nents < t.capacity) unpinUserPage(ledger, sgEntry(t, t.nents).page);
      }
      return { ...progress(), result: res };
    }
    if (x.offset0 !== undefined) off = x.offset0;
    let len = res;
    maxsize -= len;
    ret += len;
    let npages = divRoundUp(off + len, ps);
    sgMax -= npages;
    lastSlots = npages;
    for (; npages > 0; npages--) {
      const page = wordAsPage(t.words[pages]);
      const seg = Math.min(ps - off, len);
      t.words[pages++] = ZERO_WORD; // *pages++ = NULL
      sgSetPage(t, sg, page, seg, off);
      t.nents++;
      sg++;
      len -= seg;
      off = 0;
    }
    if (!(maxsize > 0 && sgMax > 0)) return { ...progress(), result: ret };
    yield progress();
  }
}

/** The entries a kernel-backed walk adds, and the byte count it returns. */
interface Walk {
  readonly entries: SgEntry[];
  ret: number;
}

/** extract_kvec_to_sg(): per element, one entry per page (before 07b7d66e65d9 each got the remaining length). */
function extractKvecToSg(iter: KvecIter, maxsize: number, sgMax: number, o: SgOptions): Walk {
  const ps = iter.pageSize;
  const w: Walk = { entries: [], ret: 0 };
  let start = iter.iovOffset;
  for (let i = 0; i < iter.nrSegs; i++) {
    const kv = iter.segs[iter.cur + i];
    if (kv === undefined) break;
    if (start >= kv.len) {
      start -= kv.len;
      continue;
    }
    let kaddr = kv.addr + start;
    let off = kaddr % ps;
    let len = Math.min(maxsize, kv.len - start);
    kaddr -= off;
    maxsize -= len;
    w.ret += len;
    do {
      const seg = Math.min(len, ps - off);
      const page = Math.floor(kaddr / ps); // virt_to_page() / vmalloc_to_page()
      w.entries.push({ page, offset: off, length: o.kvecPerPage ? seg : len });
      sgMax--; // unsigned: 0 wraps to "a lot" (-1 here), so only the bug variant can get here with 0
      len -= seg;
      kaddr += ps;
      if (!kernelFaults.kvecToSgKeepsOffset) off = 0;
    } while (len > 0 && sgMax !== 0);
    if (o.kvecPerPage) w.ret -= len;
    if (maxsize <= 0 || sgMax === 0) break;
    start = 0;
  }
  return w;
}

/** extract_bvec_to_sg(): one entry per bio_vec piece (a multi-page bvec stays one entry). */
function extractBvecToSg(iter: BvecIter, maxsize: number, sgMax: number): Walk {
  const w: Walk = { entries: [], ret: 0 };
  let start = iter.iovOffset;
  for (let i = 0; i < iter.nrSegs; i++) {
    const bv = iter.segs[iter.cur + i];
    if (bv === undefined) break;
    if (start >= bv.len) {
      start -= bv.len;
      continue;
    }
    const len = Math.min(maxsize, bv.len - start);
    w.entries.push({ page: bv.page, offset: bv.offset + start, length: len });
    sgMax--;
    w.ret += len;
    maxsize -= len;
    if (maxsize <= 0 || sgMax === 0) break;
    start = 0;
  }
  return w;
}

/**
 * extract_xarray_to_sg(): one entry per present (order-0) folio from the current index on, holes skipped
 * (xas_for_each()); each folio's offset is offset_in_folio(folio, start) with start the call's first position.
 */
function extractXarrayToSg(iter: XarrayIter, maxsize: number, sgMax: number): Walk {
  const ps = iter.pageSize;
  const w: Walk = { entries: [], ret: 0 };
  const start = iter.xarrayStart + iter.iovOffset;
  // Every present folio takes at least one byte, so no more than maxsize of them (plus the holes) are visited.
  const last = iter.xarray.limit ?? Math.floor(start / ps) + maxsize + iter.xarray.holes.size + 1;
  for (let index = Math.floor(start / ps); index < last; index++) {
    const page = xaLoad(iter.xarray, index);
    if (page === undefined) continue;
    const offset = start % ps;
    const len = Math.min(maxsize, ps - offset);
    w.entries.push({ page, offset, length: len });
    sgMax--;
    maxsize -= len;
    w.ret += len;
    if (maxsize <= 0 || sgMax === 0) break;
  }
  return w;
}

/**
 * extract_folioq_to_sg() (v6.12): one entry per folio from the current slot on, each the rest of the folio from
 * the iterator's offset (an entry of a large folio spans its pages), until sg_max entries or maxsize bytes; the
 * walk moves to the next segment past a segment's last slot and stops at the chain's end. The pages are not pinned.
 */
function extractFolioqToSg(iter: FolioqIter, maxsize: number, sgMax: number): Walk {
  const w: Walk = { entries: [], ret: 0 };
  let folioq: FolioQueue | undefined = iter.folioq;
  let slot = iter.folioqSlot;
  let offset = iter.iovOffset;
  if (slot >= folioq.nrSlots) {
    folioq = folioq.next;
    if (folioq === undefined) return w; // WARN_ON_ONCE(!folioq)
    slot = 0;
  }
  do {
    const folio = folioq.folios[slot];
    const fsize = folioqFolioSize(folioq, slot, iter.pageSize);
    if (offset < fsize && folio !== undefined) {
      const part = Math.min(maxsize - w.ret, fsize - offset);
      w.entries.push({ page: folio.page, offset, length: part }); // sg_set_page(sg, folio_page(folio, 0), part, offset)
      sgMax--;
      offset += part;
      w.ret += part;
    }
    if (offset >= fsize) {
      offset = 0;
      slot++;
      if (slot >= folioq.nrSlots) {
        if (folioq.next === undefined) break;
        folioq = folioq.next;
        slot = 0;
      }
    }
  } while (sgMax > 0 && w.ret < maxsize);
  return w;
}

/**
 * extract_iter_to_sg(iter, maxsize, sgtable, sg_max, extraction_flags) as a stepper: yields after the user path's
 * set-up and after every round that goes around again, and returns the call's result. A kernel-backed iterator
 * (and every early return) finishes without yielding. Run it to the end with `extractIterToSg()`.
 */
export function* extractIterToSgSteps(iter: IovIter, maxsize: number, t: SgTable, sgMax: number, options: SgCallOptions = {}): Generator<SgProgress, SgDone> {
  const o = options.variant ?? FINAL;
  const ledger = options.ledger ?? newPinLedger();
  const none = (result: SgRet): SgDone => ({ maxsize, sgMax, ret: 0, pagesAt: 0, lastRes: 0, lastSlots: 0, rounds: 0, result });
  if (maxsize === 0 || (o.kvecPerPage && sgMax === 0)) return none(0);
  let w: Walk;
  switch (iter.type) {
    case 'UBUF':
    case 'IOVEC':
      return yield* extractUserToSg(iter, maxsize, t, sgMax, o, options.pinUserPagesFast ?? ledgerPinner(ledger), ledger, options.extractionFlags ?? 0);
    case 'KVEC':
      w = extractKvecToSg(iter, maxsize, sgMax, o);
      break;
    case 'BVEC':
      w = extractBvecToSg(iter, maxsize, sgMax);
      break;
    case 'FOLIOQ':
      w = extractFolioqToSg(iter, maxsize, sgMax);
      break;
    case 'XARRAY':
      w = extractXarrayToSg(iter, maxsize, sgMax);
      break;
    case 'DISCARD':
    case 'PIPE':
      return none('EIO'); // pr_err("... unsupported"), WARN_ON_ONCE, -EIO
    default:
      return assertNever(iter);
  }
  for (const e of w.entries) {
    sgSetPage(t, t.nents, e.page, e.length, e.offset);
    t.nents++;
  }
  if (w.ret > 0) iovIterAdvance(iter, w.ret);
  return { maxsize, sgMax, ret: w.ret, pagesAt: 0, lastRes: w.ret, lastSlots: w.entries.length, rounds: 1, result: w.ret };
}

/** The outcome of a whole call, or the loop stopped because a round made no progress after sg_max + 1 rounds. */
export type SgCallOutcome = { readonly kind: 'returned'; readonly done: SgDone } | { readonly kind: 'no-progress'; readonly rounds: number };

/**
 * extract_iter_to_sg() run to its return. A design whose loop does not progress would spin forever; it is stopped
 * once it has run more rounds than sg_max allows a progressing loop (the bound SgProgressInv states).
 */
export function extractIterToSg(iter: IovIter, maxsize: number, t: SgTable, sgMax: number, options: SgCallOptions = {}): SgCallOutcome {
  const gen = extractIterToSgSteps(iter, maxsize, t, sgMax, options);
  for (let r = gen.next(); ; r = gen.next()) {
    if (r.done === true) return { kind: 'returned', done: r.value };
    if (r.value.rounds > Math.max(sgMax, 0) + 1) return { kind: 'no-progress', rounds: r.value.rounds };
  }
}

/** Whether the call pins (iov_iter_extract_will_pin()): entries then hold one pin each, dropped with unpin_user_page(). */
export const iterToSgWillPin = (iter: IovIter): boolean => userBackedIter(iter);
