// The PageLifetime variants as options of one reference implementation (DESIGN.md "Specs and variants"): an
// options record read by mm/bio/dio code, and the table from the spec's Variant strings to options.

import { err, ok, type Result } from '../../shared/result.js';

export const PAGE_LIFETIME_VARIANTS = [
  'v6.5',
  'legacy',
  'bug-dio-reffed',
  'bug-same-page-merge',
  'bug-zero-page-put',
  'bug-same-page-failed-add',
  'bug-release-unaligned',
] as const;
export type PageLifetimeVariant = (typeof PAGE_LIFETIME_VARIANTS)[number];

export interface DioOptions {
  /**
   * How bio_iov_iter_get_pages() takes user (UBUF/IOVEC) pages: 'pin' = iov_iter_extract_pages() with FOLL_PIN
   * (v6.5, §C.3); 'get' = iov_iter_get_pages() with FOLL_GET references (before the series, §G.0).
   */
  readonly userAcquire: 'pin' | 'get';
  /**
   * The release-flag scheme: 'pinned-reffed' = BIO_PAGE_PINNED/BIO_PAGE_REFFED, release only what a flag names
   * (§C.1); 'no-page-ref' = before the series: put_page every page unless BIO_NO_PAGE_REF is set.
   */
  readonly flagScheme: 'pinned-reffed' | 'no-page-ref';
  /**
   * Kernel-backed iterators: 'list' = iov_iter_extract_pages() lists KVEC/XARRAY pages without references (v6.5);
   * 'legacy-get' = iov_iter_get_pages(): KVEC unsupported (-EFAULT), XARRAY pages get_page()'d.
   */
  readonly kernelIters: 'list' | 'legacy-get';
  /**
   * The flag a bio of pinned pages gets: 'PINNED' (v6.5), or 'REFFED': fs/direct-io.c's dio_bio_alloc() before the
   * June 2023 fix set BIO_PAGE_REFFED on every bio it allocated, pinned, listed or shared alike (§G.3).
   */
  readonly pinnedBioFlag: 'PINNED' | 'REFFED';
  /** After bio_add_hw_page() refused a page reporting same_page, release it there too (§G.4's failed-add half). */
  readonly failedAddReleasesSamePage: boolean;
  /** __bio_release_pages() counts ceil(length / PS) pages per fragment from the page holding its offset (§G.5). */
  readonly releaseCountsCeilLen: boolean;
  /** Release the extra pin/ref of a same-page merge at once (v6.5) or keep it (§G.4 leak). */
  readonly samePageMergeRelease: boolean;
  /** iomap_dio_zero(): get_page(ZERO_PAGE) before adding it (legacy) or add it with no reference (§C.6). */
  readonly zeroPageGetRef: boolean;
  /** iomap_dio_zero()'s bio flag: none (v6.5; under 'no-page-ref' that means put_page) or REFFED (bug-zero-page-put). */
  readonly zeroBioFlag: 'none' | 'REFFED';
}

const V65: DioOptions = {
  userAcquire: 'pin',
  flagScheme: 'pinned-reffed',
  kernelIters: 'list',
  pinnedBioFlag: 'PINNED',
  samePageMergeRelease: true,
  zeroPageGetRef: false,
  zeroBioFlag: 'none',
  failedAddReleasesSamePage: false,
  releaseCountsCeilLen: false,
};

/** Variant string (the spec's `Variant` constant) → options. */
export const DIO_VARIANTS: Readonly<Record<PageLifetimeVariant, DioOptions>> = {
  'v6.5': V65,
  legacy: {
    userAcquire: 'get',
    flagScheme: 'no-page-ref',
    kernelIters: 'legacy-get',
    pinnedBioFlag: 'PINNED',
    samePageMergeRelease: true,
    zeroPageGetRef: true,
    zeroBioFlag: 'none',
    failedAddReleasesSamePage: false,
    releaseCountsCeilLen: false,
  },
  'bug-dio-reffed': { ...V65, pinnedBioFlag: 'REFFED' },
  'bug-same-page-merge': { ...V65, samePageMergeRelease: false },
  'bug-zero-page-put': { ...V65, zeroBioFlag: 'REFFED' },
  'bug-same-page-failed-add': { ...V65, failedAddReleasesSamePage: true },
  'bug-release-unaligned': { ...V65, releaseCountsCeilLen: true },
};

export function isPageLifetimeVariant(v: string): v is PageLifetimeVariant {
  return (PAGE_LIFETIME_VARIANTS as readonly string[]).includes(v);
}

export function dioOptions(variant: string): Result<DioOptions, string> {
  if (!isPageLifetimeVariant(variant)) {
    return err(`unknown PageLifetime variant '${variant}' (known: ${PAGE_LIFETIME_VARIANTS.join(', ')})`);
  }
  return ok(DIO_VARIANTS[variant]);
}
