// The bio side of page lifetime (KERNEL.md §C): bios with BIO_PAGE_PINNED/BIO_PAGE_REFFED (or the legacy
// BIO_NO_PAGE_REF), the bvec list with same-page merges, bio_iov_iter_get_pages() on the shared iov_iter
// extraction code, bio_release_page(s) per the bio's flags, and submit/DMA/completion.

import type { DioOptions } from '../fs/dio_variant.js';
import { kernelFaults } from '../lib/faults.js';
import { iovIterAdvance, iovIterRevert, type BvecIter, type IovIter } from '../lib/iov_iter.js';
import { iovIterExtractPages, iovIterExtractWillPin, type PinUserPagesFast } from '../lib/iov_iter_extract.js';
import {
  accessPageData,
  getPage,
  getUserPagesFast,
  pinUserPagesFast,
  type Mm,
  PAGE_SIZE,
  type PageId,
  pageExists,
  pageGeneration,
  putPage,
  unpinUserPage,
} from '../mm/mm.js';

export type BioFlag = 'BIO_PAGE_PINNED' | 'BIO_PAGE_REFFED' | 'BIO_NO_PAGE_REF' | 'BIO_CLONED';

export interface BioVec {
  /** bv_page: the first page; a multi-page bvec covers the physically following page ids too. */
  readonly page: PageId;
  /** bv_offset, from the start of bv_page. */
  readonly offset: number;
  /** bv_len. */
  len: number;
  /** Bookkeeping, not kernel state: each covered page's generation when it joined the bio. */
  readonly generations: number[];
}

export type BioState = 'building' | 'submitted' | 'transferred' | 'released';

/** A bio's lifecycle events, in the only order the block layer allows (KERNEL.md §C.2). */
export const BIO_LIFECYCLE = ['submit', 'dma', 'endio', 'release'] as const;
export type BioEvent = (typeof BIO_LIFECYCLE)[number];

/** How the bio's pages were taken (bookkeeping for the checker: the kernel keeps only the flags). */
export type Acquisition = 'pin' | 'ref' | 'none';
/** The primitive bio_release_pages() applied: unpin_user_page, put_page, or nothing. */
export type ReleaseMode = 'unpin' | 'put' | 'none';

export interface Bio {
  readonly id: number;
  /** REQ_OP_READ: the device writes into the pages (a DIO read); REQ_OP_WRITE: it reads them. */
  readonly op: 'READ' | 'WRITE';
  /** bi_max_vecs. */
  readonly maxVecs: number;
  /** 'data' = a DIO bio filled from an iterator; 'zero' = iomap_dio_zero()'s sub-block zeroing bio. */
  readonly kind: 'data' | 'zero';
  flags: BioFlag[];
  vecs: BioVec[];
  state: BioState;
  acquired: Acquisition;
  /** Set when bio_release_pages() ran: what its flags made it do. */
  releasedWith: ReleaseMode | null;
  /** Bookkeeping for the checker: the lifecycle events that happened to the bio, in order. */
  readonly trail: BioEvent[];
  /** Bookkeeping for the checker: the page GUP returned for each user page number this bio took. */
  readonly userPages: Map<number, PageId>;
}

export function bioAlloc(id: number, op: 'READ' | 'WRITE', maxVecs: number, kind: 'data' | 'zero' = 'data'): Bio {
  return { id, op, maxVecs, kind, flags: [], vecs: [], state: 'building', acquired: 'none', releasedWith: null, trail: [], userPages: new Map() };
}

/** An independent copy of a bio (its vecs, flags and the checker's records), for a caller that forks a state. */
export function bioCopy(bio: Bio): Bio {
  return {
    ...bio,
    flags: [...bio.flags],
    vecs: bio.vecs.map((v) => ({ ...v, generations: [...v.generations] })),
    trail: [...bio.trail],
    userPages: new Map(bio.userPages),
  };
}

export function bioFlagged(bio: Bio, flag: BioFlag): boolean {
  return bio.flags.includes(flag);
}

export function bioSetFlag(bio: Bio, flag: BioFlag): void {
  if (!bio.flags.includes(flag)) bio.flags.push(flag);
}

/** bi_iter.bi_size. */
export function bioSize(bio: Bio): number {
  return bio.vecs.reduce((n, v) => n + v.len, 0);
}

/** `bio_full()`. */
export function bioFull(bio: Bio): boolean {
  return bio.vecs.length >= bio.maxVecs;
}

/** The pages one bvec covers: bv_page + offset/PS … bv_page + (offset+len−1)/PS (single-page segments). */
export function bvecPages(bv: { readonly page: PageId; readonly offset: number; readonly len: number }): PageId[] {
  if (bv.len <= 0) return [];
  const first = Math.floor(bv.offset / PAGE_SIZE);
  const last = Math.floor((bv.offset + bv.len - 1) / PAGE_SIZE);
  const pages: PageId[] = [];
  for (let k = first; k <= last; k++) pages.push(bv.page + k);
  return pages;
}

/** Every page of the bio, one entry per single-page segment (`bio_for_each_segment_all`). */
export function bioPages(bio: Bio): PageId[] {
  return bio.vecs.flatMap(bvecPages);
}

function makeVec(mm: Mm, page: PageId, offset: number, len: number): BioVec {
  const v = { page, offset, len };
  const generations = bvecPages(v).map((p) => (pageExists(mm, p) ? pageGeneration(mm, p) : 0));
  return { page, offset, len, generations };
}

/**
 * Whether (page, off) continues bv's bytes physically (`page_is_mergeable()`), and if so whether the new bytes
 * start in the page bv already ends in (a same-page merge) or in the next page frame.
 */
function bvecMergeable(bv: BioVec, page: PageId, off: number): 'no' | 'same-page' | 'next-page' {
  const vecEndAddr = bv.page * PAGE_SIZE + bv.offset + bv.len - 1;
  const pageAddr = page * PAGE_SIZE;
  if (vecEndAddr + 1 !== pageAddr + off) return 'no';
  return Math.floor(vecEndAddr / PAGE_SIZE) * PAGE_SIZE === pageAddr ? 'same-page' : 'next-page';
}

/**
 * `bvec_try_merge_page()`: merge (page, off, len) into bv if it continues bv's bytes physically (page ids are
 * page frame numbers). `samePage` says the new bytes start in the page bv already ends in; otherwise bv becomes
 * (or grows as) a multi-page bvec.
 */
export function bvecTryMergePage(
  mm: Mm,
  bv: BioVec,
  page: PageId,
  len: number,
  off: number,
): { merged: boolean; samePage: boolean } {
  const how = bvecMergeable(bv, page, off);
  if (how === 'no') return { merged: false, samePage: false };
  const samePage = how === 'same-page';
  const before = bvecPages(bv).length;
  bv.len += len;
  for (const p of bvecPages(bv).slice(before)) bv.generations.push(pageGeneration(mm, p));
  return { merged: true, samePage };
}

/**
 * `bio_add_page()`: merge into the last bvec if possible, else append one; returns the bytes added (0 if the
 * bio is full) and whether the merge was a same-page merge.
 */
export function bioAddPage(mm: Mm, bio: Bio, page: PageId, len: number, off: number): { added: number; samePage: boolean } {
  const last = bio.vecs[bio.vecs.length - 1];
  if (last !== undefined) {
    const m = bvecTryMergePage(mm, last, page, len, off);
    if (m.merged) {
      mm.log.push(`  bio_add_page(bio ${bio.id}, page ${page}, off ${off}, len ${len}): merged into bvec ${bio.vecs.length - 1}${m.samePage ? ' (same page)' : ''}`);
      return { added: len, samePage: m.samePage };
    }
  }
  if (bioFull(bio)) return { added: 0, samePage: false };
  bio.vecs.push(makeVec(mm, page, off, len));
  mm.log.push(`  bio_add_page(bio ${bio.id}, page ${page}, off ${off}, len ${len}): bvec ${bio.vecs.length - 1}`);
  return { added: len, samePage: false };
}

/** Indents the narration lines logged since `mark` (the calls a higher-level operation made). */
function indentSince(mm: Mm, mark: number, by = '  '): void {
  for (let k = mark; k < mm.log.length; k++) mm.log[k] = by + (mm.log[k] ?? '');
}

/** What bio_release_page() does for this bio under the variant's flag scheme (§C.1, §C.2). */
export function bioReleaseMode(opts: DioOptions, bio: Bio): ReleaseMode {
  if (opts.flagScheme === 'no-page-ref') return bioFlagged(bio, 'BIO_NO_PAGE_REF') ? 'none' : 'put';
  if (bioFlagged(bio, 'BIO_PAGE_PINNED')) return 'unpin';
  if (bioFlagged(bio, 'BIO_PAGE_REFFED')) return 'put';
  return 'none';
}

/** `bio_release_page()`: drop one page the way the bio's flags say it was taken. */
export function bioReleasePage(mm: Mm, opts: DioOptions, bio: Bio, page: PageId): void {
  const mode = bioReleaseMode(opts, bio);
  switch (mode) {
    case 'unpin':
      unpinUserPage(mm, page);
      return;
    case 'put':
      putPage(mm, page);
      return;
    case 'none':
      return;
    default: {
      const never: never = mode;
      throw new Error(`unknown release mode ${String(never)}`);
    }
  }
}

/**
 * The pages `__bio_release_pages()` releases for one bvec fragment: every page it touches,
 * `(offset + length - 1) / PS - offset / PS + 1` of them (38b43539d64b); the folio loop before that fix counted
 * `ceil(length / PS)` from the page holding the offset, one too few for a fragment that starts mid-page and
 * crosses a page (§G.5).
 */
export function bvecReleasedPages(opts: DioOptions, bv: { readonly page: PageId; readonly offset: number; readonly len: number }): PageId[] {
  if (!opts.releaseCountsCeilLen) return bvecPages(bv);
  const first = bv.page + Math.floor(bv.offset / PAGE_SIZE);
  return Array.from({ length: Math.ceil(bv.len / PAGE_SIZE) }, (_, k) => first + k);
}

/** `bio_release_pages(bio, mark_dirty)`: release every single-page segment once, if the flags say the bio owns them. */
export function bioReleasePages(mm: Mm, opts: DioOptions, bio: Bio, markDirty: boolean): void {
  const mode = bioReleaseMode(opts, bio);
  bio.releasedWith = mode;
  bio.trail.push('release');
  if (mode === 'none') {
    mm.log.push(`bio_release_pages(bio ${bio.id}): flags [${bio.flags.join(', ')}] own no pages: nothing to drop`);
    return;
  }
  mm.log.push(`bio_release_pages(bio ${bio.id}, ${markDirty ? 'mark dirty' : 'clean'}): flags [${bio.flags.join(', ')}]`);
  const mark = mm.log.length;
  const vecs = kernelFaults.bioReleaseSkipsLastVec ? bio.vecs.slice(0, -1) : bio.vecs;
  for (const v of vecs) for (const page of bvecReleasedPages(opts, v)) bioReleasePage(mm, opts, bio, page);
  indentSince(mm, mark);
}

/** `submit_bio()`. */
export function submitBio(mm: Mm, bio: Bio): boolean {
  if (bio.state !== 'building' || bio.vecs.length === 0) return false;
  bio.state = 'submitted';
  bio.trail.push('submit');
  mm.log.push(`submit_bio(bio ${bio.id}, ${bio.op === 'READ' ? 'REQ_OP_READ' : 'REQ_OP_WRITE'}, ${bioSize(bio)} bytes)`);
  return true;
}

/**
 * The device's DMA for a submitted bio: a READ writes data into every page segment, a WRITE reads them. Each
 * access is recorded against the page's generation at the time it joined the bio, so an access to a page that
 * was freed or reused in between is visible (§E.3 step 7).
 */
export function bioDma(mm: Mm, bio: Bio): boolean {
  if (bio.state !== 'submitted') return false;
  const access = bio.op === 'READ' ? 'write' : 'read';
  mm.log.push(`DMA for bio ${bio.id}: device ${bio.op === 'READ' ? 'writes into' : 'reads from'} pages ${bioPages(bio).join(', ')}`);
  for (const v of bio.vecs) {
    bvecPages(v).forEach((p, k) => accessPageData(mm, p, v.generations[k] ?? 0, `bio ${bio.id}`, access));
  }
  bio.state = 'transferred';
  bio.trail.push('dma');
  return true;
}

/** `bio_endio()` of a DIO bio: the completion releases the pages per the flags (dirtying read pages first). */
export function bioEndio(mm: Mm, opts: DioOptions, bio: Bio): boolean {
  if (bio.state !== 'transferred') return false;
  mm.log.push(`bio_endio(bio ${bio.id})`);
  bio.trail.push('endio');
  bioReleasePages(mm, opts, bio, bio.op === 'READ');
  bio.state = 'released';
  return true;
}

/** True while the bio may still touch its pages (from its first page until bio_release_pages()). */
export function bioLive(bio: Bio): boolean {
  return bio.state !== 'released';
}

// ---------------------------------------------------------------------------------------------------------------
// bio_iov_iter_get_pages() (§C.3): the only place a DIO bio gets its pages

export type BioErrno = 'EFAULT' | 'ENOMEM' | 'EIO' | 'EINVAL';

/**
 * Failures injected into one bio_iov_iter_get_pages() call, counted in pages of this bio's fill (1-based; 0 =
 * none): pin_user_pages_fast() cannot get past page `gupFailAt` (it pins fewer pages than asked, and the next
 * call fails with -EFAULT), and bio_add_hw_page() refuses page `addRefuseAt` (a hardware limit, §C.4).
 * `allocFailAt` counts the fill's iov_iter_extract_pages() calls instead: the fill extracts into a page array the
 * call allocates (a NULL `*pages`, as bio_map_user_iov() passes for more than UIO_FASTIOV vecs, §C.4), and that
 * call's kvmalloc_array() fails (-ENOMEM, §B.2).
 */
export interface BioFaults {
  readonly gupFailAt?: number;
  readonly addRefuseAt?: number;
  readonly allocFailAt?: number;
}

/** The pages this bio's fill has handed to the add loop so far and its extraction calls, against which BioFaults count. */
interface FillProgress {
  tried: number;
  calls: number;
}

const UINT_MAX = 0xffffffff;

/**
 * How bio_iov_iter_get_pages() takes pages from this iterator under the variant: pin (user-backed, v6.5),
 * ref (FOLL_GET user pages and get_page()d XARRAY/PIPE pages before the series), none (listed kernel pages, shared
 * bvecs), or unsupported (ITER_KVEC before the series: iov_iter_get_pages() returned -EFAULT).
 */
export function bioAcquisitionFor(opts: DioOptions, iter: IovIter): Acquisition | 'unsupported' {
  if (iovIterExtractWillPin(iter)) return opts.userAcquire === 'pin' ? 'pin' : 'ref';
  switch (iter.type) {
    case 'KVEC':
      return opts.kernelIters === 'legacy-get' ? 'unsupported' : 'none';
    case 'XARRAY':
      return opts.kernelIters === 'legacy-get' ? 'ref' : 'none';
    case 'PIPE':
      // iov_iter_get_pages() on a pipe took a reference per page (pipe_get_pages, §E.1); the linux-next
      // iov_iter_extract_pages() pipe branch took none (§E.3). Mainline v6.5 has no ITER_PIPE at all.
      return opts.kernelIters === 'legacy-get' ? 'ref' : 'none';
    case 'BVEC':
    case 'FOLIOQ':
      return 'none';
    case 'DISCARD':
      return 'unsupported';
    case 'UBUF':
    case 'IOVEC':
      return 'pin'; // unreachable: user-backed iterators returned above
    default: {
      const never: never = iter;
      throw new Error(`unknown iterator ${String(never)}`);
    }
  }
}

/** `bio_iov_add_page()`: add or merge one page; a same-page merge drops the page's extra pin/ref at once (§C.3). */
export function bioIovAddPage(mm: Mm, opts: DioOptions, bio: Bio, page: PageId, len: number, off: number): void {
  const r = bioAddPage(mm, bio, page, len, off);
  if (r.added === 0) throw new Error(`bio ${bio.id} is full`); // callers extract at most the free vecs
  if (r.samePage) {
    if (opts.samePageMergeRelease) {
      mm.log.push(`  same-page merge: bio_release_page(page ${page}) drops the extra ${bio.acquired === 'pin' ? 'pin' : 'reference'}`);
      const mark = mm.log.length;
      bioReleasePage(mm, opts, bio, page);
      indentSince(mm, mark, '    ');
    } else {
      mm.log.push(`  same-page merge: the extra ${bio.acquired === 'pin' ? 'pin' : 'reference'} on page ${page} is kept (G.4)`);
    }
  }
}

/** `bio_iov_bvec_set()`: the bio shares the iterator's remaining bio_vecs; no page is referenced (§C.3, §E.4). */
function bioIovBvecSet(mm: Mm, opts: DioOptions, bio: Bio, iter: BvecIter): void {
  let left = iter.count;
  let skip = iter.iovOffset;
  for (let k = iter.cur; k < iter.cur + iter.nrSegs && left > 0; k++) {
    const bv = iter.segs[k];
    if (bv === undefined) break;
    const len = Math.min(bv.len - skip, left);
    if (len > 0) bio.vecs.push(makeVec(mm, bv.page, bv.offset + skip, len));
    left -= Math.max(len, 0);
    skip = 0;
  }
  if (opts.flagScheme === 'no-page-ref') bioSetFlag(bio, 'BIO_NO_PAGE_REF');
  bioSetFlag(bio, 'BIO_CLONED');
  bio.acquired = 'none';
  mm.log.push(`bio_iov_bvec_set(bio ${bio.id}): shares ${bio.vecs.length} bvecs of the iterator, ${bioSize(bio)} bytes, no page references`);
  iovIterAdvance(iter, bioSize(bio));
}

/**
 * `__bio_iov_iter_get_pages()`: one iov_iter_extract_pages() call into the bio's free vecs, then add each page.
 * User pages come back from the shared extraction code as user page numbers; the pin hook records which pages
 * it actually took, so the bio gets those (after a COW break, not the zero page it replaced).
 */
function bioIovIterGetPagesOnce(
  mm: Mm,
  opts: DioOptions,
  bio: Bio,
  iter: IovIter,
  faults: BioFaults,
  fill: FillProgress,
): 0 | BioErrno {
  const nrPages = bio.maxVecs - bio.vecs.length;
  let taken: PageId[] = [];
  const hook: PinUserPagesFast = (firstPage, n, gupFlags) => {
    let ask = n;
    const failAt = faults.gupFailAt ?? 0;
    if (failAt > 0) {
      // the injected fault: the walk cannot get past page failAt of this fill
      const room = failAt - 1 - fill.tried;
      if (room <= 0) {
        mm.log.push(`pin_user_pages_fast(user page ${firstPage}, ${n}): -EFAULT (injected fault)`);
        return 'EFAULT';
      }
      if (room < n) {
        mm.log.push(`  (injected fault: GUP stops after ${room} of ${n} pages)`);
        ask = room;
      }
    }
    const r =
      bio.acquired === 'pin' ? pinUserPagesFast(mm, firstPage, ask, gupFlags) : getUserPagesFast(mm, firstPage, ask, gupFlags);
    if ('error' in r) return r.error;
    taken = r.pages;
    r.pages.forEach((p, k) => bio.userPages.set(firstPage + k, p));
    return r.pages.length;
  };
  fill.calls += 1;
  const allocFailAt = faults.allocFailAt ?? 0;
  // With the allocation fault injected the fill passes a NULL page array, so every call allocates its own; the
  // allocFailAt-th allocation fails. Otherwise the call fills the tail of the bvec array (bio_iov_iter_get_pages()).
  const kvmallocArray =
    allocFailAt > 0
      ? (n: number): boolean => {
          if (fill.calls !== allocFailAt) return true;
          mm.log.push(`  kvmalloc_array(${n} page pointers): NULL (injected allocation failure)`);
          return false;
        }
      : undefined;
  const r = iovIterExtractPages(iter, UINT_MAX - bioSize(bio), nrPages, 0, {
    pinUserPagesFast: hook,
    ...(kvmallocArray !== undefined ? { kvmallocArray } : {}),
  });
  if (r.ret === 'BUG') throw new Error(`iov_iter_extract_pages() hit BUG() on a malformed ITER_${iter.type}`);
  if (typeof r.ret === 'string') return r.ret;
  if (r.ret <= 0) return 'EFAULT';
  const user = iovIterExtractWillPin(iter);
  const pages = user ? taken : r.pages;
  let off = r.offset0 ?? 0;
  const nr = Math.ceil((off + r.ret) / PAGE_SIZE);
  mm.log.push(`  iov_iter_extract_pages(ITER_${iter.type}) = ${r.ret} bytes, offset0 ${off}, pages ${pages.slice(0, nr).join(', ')}`);
  const used = pages.slice(0, nr);
  if (used.length < nr) throw new Error('extraction returned fewer pages than its size covers'); // §B.1 contract
  if (!user && bio.acquired === 'ref') for (const page of used) getPage(mm, page); // the old iov_iter_get_pages() on XARRAY/PIPE
  let left = r.ret;
  for (let k = 0; k < nr; k++) {
    const page = used[k]!;
    const len = Math.min(left, PAGE_SIZE - off);
    fill.tried += 1;
    if (fill.tried === faults.addRefuseAt) {
      bioAddHwPageRefused(mm, opts, bio, page, off);
      // iov_iter_revert(iter, left); "release the pages we didn't map into the bio, if any"
      iovIterRevert(iter, left);
      mm.log.push(`  iov_iter_revert(ITER_${iter.type}, ${left}); release the unused pages ${used.slice(k).join(', ')}`);
      const mark = mm.log.length;
      for (const unused of used.slice(k)) bioReleasePage(mm, opts, bio, unused);
      indentSince(mm, mark, '    ');
      return 'EINVAL';
    }
    bioIovAddPage(mm, opts, bio, page, len, off);
    left -= len;
    off = 0;
  }
  return 0;
}

/**
 * `bio_add_hw_page()` refused a page (the injected hardware limit). When the page would have merged into the last
 * bvec as the same page, the refusal reports same_page; from d1916c86ccdc until 5905afc2c7bb the caller released
 * the page there as well as in its release-unused-pages loop (§G.4, the failed-add half).
 */
function bioAddHwPageRefused(mm: Mm, opts: DioOptions, bio: Bio, page: PageId, off: number): void {
  const last = bio.vecs[bio.vecs.length - 1];
  const samePage = last !== undefined && bvecMergeable(last, page, off) === 'same-page';
  mm.log.push(`  bio_add_hw_page(bio ${bio.id}, page ${page}, off ${off}): refused (injected queue limit)${samePage ? ', same_page' : ''}`);
  if (samePage && opts.failedAddReleasesSamePage) {
    mm.log.push(`  same_page on a failed add: bio_release_page(page ${page}) here too (G.4)`);
    const mark = mm.log.length;
    bioReleasePage(mm, opts, bio, page);
    indentSince(mm, mark, '    ');
  }
}

/**
 * bio_map_user_iov()'s error path after an extraction call fails with -ENOMEM (`out_unmap`, §C.4): the pages the
 * bio already holds are released with `bio_release_pages(bio, false)` and the bio is freed unsubmitted. The
 * request maps from a copy of the caller's iterator (blk_rq_map_user_iov()), so the caller's iterator is back where
 * this bio started.
 */
function bioMapUserIovUnmap(mm: Mm, opts: DioOptions, bio: Bio, iter: IovIter): void {
  mm.log.push(`  -ENOMEM: out_unmap releases bio ${bio.id} unsubmitted (${bio.vecs.length} bvecs, ${bioSize(bio)} bytes)`);
  if (bio.vecs.length > 0) {
    const mark = mm.log.length;
    bioReleasePages(mm, opts, bio, false);
    indentSince(mm, mark, '    ');
  }
  iovIterRevert(iter, bioSize(bio));
}

/**
 * `bio_iov_iter_get_pages()` (v6.5 form, §C.3; the legacy variant is the same loop over the old get-pages
 * semantics): share a BVEC array, or set the release flag and extract until the bio is full, the iterator is
 * empty or extraction fails. 0 if the bio got pages, else the error.
 */
export function bioIovIterGetPages(mm: Mm, opts: DioOptions, bio: Bio, iter: IovIter, faults: BioFaults = {}): 0 | BioErrno {
  if (bioFlagged(bio, 'BIO_CLONED')) return 'EIO';
  // fs/direct-io.c's dio_bio_alloc() before the June 2023 fix: BIO_PAGE_REFFED on every bio (§G.3)
  if (opts.pinnedBioFlag === 'REFFED') bioSetFlag(bio, 'BIO_PAGE_REFFED');
  if (iter.type === 'BVEC') {
    bioIovBvecSet(mm, opts, bio, iter);
    return 0;
  }
  const how = bioAcquisitionFor(opts, iter);
  if (how === 'unsupported') {
    mm.log.push(`bio_iov_iter_get_pages(bio ${bio.id}, ITER_${iter.type}): -EFAULT (not supported)`);
    return 'EFAULT';
  }
  bio.acquired = how;
  if (how === 'pin' && opts.pinnedBioFlag === 'PINNED') bioSetFlag(bio, 'BIO_PAGE_PINNED');
  mm.log.push(`bio_iov_iter_get_pages(bio ${bio.id}, ITER_${iter.type}): flags [${bio.flags.join(', ')}]`);
  let ret: 0 | BioErrno = 0;
  const fill: FillProgress = { tried: 0, calls: 0 };
  do {
    ret = bioIovIterGetPagesOnce(mm, opts, bio, iter, faults, fill);
  } while (ret === 0 && iter.count > 0 && !bioFull(bio));
  if (ret === 'ENOMEM') {
    bioMapUserIovUnmap(mm, opts, bio, iter);
    return ret;
  }
  if (ret !== 0) mm.log.push(`  extraction stopped: -${ret}${bio.vecs.length > 0 ? ' (the bio keeps what it has)' : ''}`);
  return bio.vecs.length > 0 ? 0 : ret;
}
