// Unit tests of the bio reference code (KERNEL.md §C): merges, release per flags, bio_iov_iter_get_pages per type.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bioAddPage,
  bioAlloc,
  bioDma,
  bioEndio,
  bioIovIterGetPages,
  bioPages,
  bioReleasePages,
  bioSetFlag,
  submitBio,
} from '../../../src/kernel/block/bio.js';
import { DIO_VARIANTS } from '../../../src/kernel/fs/dio_variant.js';
import { iovIterBvec, iovIterIovec, iovIterKvec, iovIterUbuf, iovIterXarray } from '../../../src/kernel/lib/iov_iter.js';
import { iovIterExtractPages } from '../../../src/kernel/lib/iov_iter_extract.js';
import { FOLL_NOFAULT, FOLL_PCI_P2PDMA, FOLL_WRITE as EXTRACT_FOLL_WRITE } from '../../../src/kernel/lib/iov_iter_extract.js';
import {
  allocPage,
  allocPageAt,
  createMm,
  FOLL_NOFAULT as MM_FOLL_NOFAULT,
  FOLL_PCI_P2PDMA as MM_FOLL_PCI_P2PDMA,
  FOLL_WRITE,
  GUP_PIN_COUNTING_BIAS,
  mapZeroPage,
  mmapAnonPage,
  munmapPage,
  ownerReleasePage,
  pageFolio,
  pageGeneration,
  ZERO_PAGE_BASE_REFCOUNT,
  type Mm,
} from '../../../src/kernel/mm/mm.js';

const PS = 4096;
const v65 = DIO_VARIANTS['v6.5'];
const legacy = DIO_VARIANTS.legacy;
const ref = (mm: Mm, p: number): number => pageFolio(mm, p).refcount;

describe('bio_add_page merges (bvec_try_merge_page)', () => {
  it('merges contiguous bytes of one page as a same-page merge', () => {
    const mm = createMm();
    const p = allocPageAt(mm, 10, 'kernel');
    const bio = bioAlloc(1, 'WRITE', 2);
    expect(bioAddPage(mm, bio, p, 2048, 0)).toEqual({ added: 2048, samePage: false });
    expect(bioAddPage(mm, bio, p, 2048, 2048)).toEqual({ added: 2048, samePage: true });
    expect(bio.vecs.map(({ page, offset, len }) => ({ page, offset, len }))).toEqual([{ page: 10, offset: 0, len: 4096 }]);
  });

  it('grows a multi-page bvec over physically adjacent pages (not a same-page merge)', () => {
    const mm = createMm();
    allocPageAt(mm, 10, 'kernel');
    allocPageAt(mm, 11, 'kernel');
    const bio = bioAlloc(1, 'WRITE', 1);
    bioAddPage(mm, bio, 10, PS, 0);
    expect(bioAddPage(mm, bio, 11, PS, 0)).toEqual({ added: PS, samePage: false });
    expect(bio.vecs.length).toBe(1);
    expect(bioPages(bio)).toEqual([10, 11]);
  });

  it('a bvec grown over a new page records the generation of that page, one entry per page', () => {
    // DMA is checked page by page against the generation each page had when it joined the bio.
    const mm = createMm();
    allocPageAt(mm, 10, 'kernel');
    allocPageAt(mm, 11, 'kernel');
    ownerReleasePage(mm, 11, 'kernel');
    allocPageAt(mm, 11, 'kernel'); // page 11 freed and reused: a later generation than page 10's
    const bio = bioAlloc(1, 'WRITE', 1);
    bioAddPage(mm, bio, 10, PS, 0);
    bioAddPage(mm, bio, 11, PS, 0);
    expect(pageGeneration(mm, 11)).not.toBe(pageGeneration(mm, 10));
    expect(bio.vecs[0]?.generations).toEqual([pageGeneration(mm, 10), pageGeneration(mm, 11)]);
  });

  it('does not merge a gap or a non-adjacent page, and refuses a full bio', () => {
    const mm = createMm();
    allocPageAt(mm, 10, 'kernel');
    allocPageAt(mm, 12, 'kernel');
    const bio = bioAlloc(1, 'WRITE', 2);
    bioAddPage(mm, bio, 10, 1024, 0);
    bioAddPage(mm, bio, 10, 1024, 2048); // gap: a second bvec on the same page
    expect(bio.vecs.length).toBe(2);
    expect(bioAddPage(mm, bio, 12, PS, 0)).toEqual({ added: 0, samePage: false });
  });
});

describe('bio_release_pages follows the flags (§C.2)', () => {
  const setup = (): { mm: Mm; page: number } => {
    const mm = createMm();
    mmapAnonPage(mm, 1, 20);
    return { mm, page: 20 };
  };

  it('PINNED unpins, REFFED puts, no flag releases nothing (v6.5 scheme)', () => {
    const { mm, page } = setup();
    for (const [flag, delta] of [
      ['BIO_PAGE_PINNED', GUP_PIN_COUNTING_BIAS],
      ['BIO_PAGE_REFFED', 1],
      [undefined, 0],
    ] as const) {
      pageFolio(mm, page).refcount = 1 + GUP_PIN_COUNTING_BIAS;
      const bio = bioAlloc(1, 'READ', 1);
      if (flag !== undefined) bioSetFlag(bio, flag);
      bioAddPage(mm, bio, page, PS, 0);
      bioReleasePages(mm, v65, bio, true);
      expect(ref(mm, page)).toBe(1 + GUP_PIN_COUNTING_BIAS - delta);
    }
  });

  it('legacy scheme: put_page unless BIO_NO_PAGE_REF', () => {
    const { mm, page } = setup();
    const bio = bioAlloc(1, 'READ', 1);
    bioAddPage(mm, bio, page, PS, 0);
    pageFolio(mm, page).refcount = 2;
    bioReleasePages(mm, legacy, bio, true);
    expect(ref(mm, page)).toBe(1);
    const shared = bioAlloc(2, 'READ', 1);
    bioSetFlag(shared, 'BIO_NO_PAGE_REF');
    bioAddPage(mm, shared, page, PS, 0);
    bioReleasePages(mm, legacy, shared, true);
    expect(ref(mm, page)).toBe(1);
  });

  it('a multi-page bvec releases every page it covers once', () => {
    const mm = createMm();
    allocPageAt(mm, 10, 'kernel');
    allocPageAt(mm, 11, 'kernel');
    const bio = bioAlloc(1, 'READ', 1);
    bioSetFlag(bio, 'BIO_PAGE_REFFED');
    bioAddPage(mm, bio, 10, 2048, 2048);
    bioAddPage(mm, bio, 11, 100, 0);
    pageFolio(mm, 10).refcount = 2;
    pageFolio(mm, 11).refcount = 2;
    bioReleasePages(mm, v65, bio, false);
    expect([ref(mm, 10), ref(mm, 11)]).toEqual([1, 1]);
  });
});

describe('bio_iov_iter_get_pages on the shared extraction code (§C.3)', () => {
  it('uses the same gup flag numbering as iov_iter_extract_pages', () => {
    expect([FOLL_WRITE, MM_FOLL_NOFAULT, MM_FOLL_PCI_P2PDMA]).toEqual([EXTRACT_FOLL_WRITE, FOLL_NOFAULT, FOLL_PCI_P2PDMA]);
  });

  it('UBUF (v6.5): pins each page, sets BIO_PAGE_PINNED, stops when the bio is full', () => {
    const mm = createMm();
    for (const v of [4, 5, 6]) mmapAnonPage(mm, v, 20 + 2 * v); // pages 28, 30, 32: not adjacent
    const iter = iovIterUbuf('SOURCE', 4 * PS, 3 * PS);
    const bio = bioAlloc(1, 'WRITE', 2);
    expect(bioIovIterGetPages(mm, v65, bio, iter)).toBe(0);
    expect(bio.flags).toEqual(['BIO_PAGE_PINNED']);
    expect(bioPages(bio)).toEqual([28, 30]);
    expect([ref(mm, 28), ref(mm, 30), ref(mm, 32)]).toEqual([1025, 1025, 1]);
    expect(iter.count).toBe(PS);
  });

  it('IOVEC same-page merge drops the extra pin at once (v6.5) and keeps it under bug-same-page-merge (G.4)', () => {
    for (const [opts, expected] of [
      [v65, 1 + GUP_PIN_COUNTING_BIAS],
      [DIO_VARIANTS['bug-same-page-merge'], 1 + 2 * GUP_PIN_COUNTING_BIAS],
    ] as const) {
      const mm = createMm();
      mmapAnonPage(mm, 2, 30);
      const iter = iovIterIovec('DEST', [
        { addr: 2 * PS, len: 2048 },
        { addr: 2 * PS + 2048, len: 2048 },
      ]);
      const bio = bioAlloc(1, 'READ', 2);
      expect(bioIovIterGetPages(mm, opts, bio, iter)).toBe(0);
      expect(bio.vecs.length).toBe(1);
      expect(ref(mm, 30)).toBe(expected);
      submitBio(mm, bio);
      bioDma(mm, bio);
      bioEndio(mm, opts, bio);
      expect(ref(mm, 30)).toBe(expected - GUP_PIN_COUNTING_BIAS);
    }
  });

  it('legacy: user pages get FOLL_GET references and no flag (put at release)', () => {
    const mm = createMm();
    mmapAnonPage(mm, 1, 20);
    const bio = bioAlloc(1, 'READ', 4);
    expect(bioIovIterGetPages(mm, legacy, bio, iovIterUbuf('DEST', PS, PS))).toBe(0);
    expect(bio.flags).toEqual([]);
    expect(ref(mm, 20)).toBe(2);
    submitBio(mm, bio);
    bioDma(mm, bio);
    bioEndio(mm, legacy, bio);
    expect(ref(mm, 20)).toBe(1);
  });

  it('KVEC lists pages without references (v6.5) and is refused with -EFAULT by the legacy code', () => {
    const mm = createMm();
    allocPageAt(mm, 7, 'kernel');
    const kv = (): ReturnType<typeof iovIterKvec> => iovIterKvec('SOURCE', [{ addr: 7 * PS + 100, len: 200 }]);
    const bio = bioAlloc(1, 'WRITE', 2);
    expect(bioIovIterGetPages(mm, v65, bio, kv())).toBe(0);
    expect(bio.flags).toEqual([]);
    expect(bio.vecs.map(({ page, offset, len }) => ({ page, offset, len }))).toEqual([{ page: 7, offset: 100, len: 200 }]);
    expect(ref(mm, 7)).toBe(1);
    expect(bioIovIterGetPages(mm, legacy, bioAlloc(2, 'WRITE', 2), kv())).toBe('EFAULT');
  });

  it('XARRAY lists pages (v6.5) but takes get_page references in the legacy code', () => {
    for (const [opts, expected] of [
      [v65, 1],
      [legacy, 2],
    ] as const) {
      const mm = createMm();
      allocPageAt(mm, 8, 'kernel');
      allocPageAt(mm, 9, 'kernel');
      const bio = bioAlloc(1, 'READ', 2);
      expect(bioIovIterGetPages(mm, opts, bio, iovIterXarray('DEST', { holes: new Set() }, 8 * PS, 2 * PS))).toBe(0);
      expect(bio.vecs.length).toBe(1); // pages 8 and 9 are adjacent: one multi-page bvec
      expect([ref(mm, 8), ref(mm, 9)]).toEqual([expected, expected]);
    }
  });

  it('BVEC: the bio shares the array, no references; BIO_NO_PAGE_REF only in the legacy scheme', () => {
    for (const [opts, flags] of [
      [v65, ['BIO_CLONED']],
      [legacy, ['BIO_NO_PAGE_REF', 'BIO_CLONED']],
    ] as const) {
      const mm = createMm();
      allocPageAt(mm, 7, 'kernel');
      allocPageAt(mm, 9, 'kernel');
      const iter = iovIterBvec('DEST', [
        { page: 7, offset: 0, len: PS },
        { page: 9, offset: 0, len: 2048 },
      ]);
      const bio = bioAlloc(1, 'READ', 0);
      expect(bioIovIterGetPages(mm, opts, bio, iter)).toBe(0);
      expect(bio.flags).toEqual(flags);
      expect(bio.vecs.length).toBe(2);
      expect(iter.count).toBe(0);
      bioReleasePages(mm, opts, bio, true);
      expect([ref(mm, 7), ref(mm, 9)]).toEqual([1, 1]);
    }
  });

  it('a munmap()ed page stops extraction short; nothing mapped gives -EFAULT', () => {
    const mm = createMm();
    mmapAnonPage(mm, 0, 20);
    mmapAnonPage(mm, 1, 22);
    munmapPage(mm, 1);
    const iter = iovIterUbuf('SOURCE', 0, 2 * PS);
    const bio = bioAlloc(1, 'WRITE', 4);
    expect(bioIovIterGetPages(mm, v65, bio, iter)).toBe(0);
    expect(bioPages(bio)).toEqual([20]);
    expect(iter.count).toBe(PS);
    expect(bioIovIterGetPages(mm, v65, bioAlloc(2, 'WRITE', 4), iter)).toBe('EFAULT');
  });

  it('-ENOMEM from the page array of a later extraction call: out_unmap unpins what the bio took, the iterator is back (§C.4, §B.2)', () => {
    const mm = createMm();
    mmapAnonPage(mm, 2, 30);
    mmapAnonPage(mm, 3, 40);
    const segs = [
      { addr: 2 * PS, len: 2048 },
      { addr: 2 * PS + 2048, len: 2048 },
      { addr: 3 * PS, len: PS },
    ];
    // one segment per call: the first pins page 30, the second merges into it (same page), the third cannot allocate
    const iter = iovIterIovec('DEST', segs);
    const bio = bioAlloc(1, 'READ', 4);
    expect(bioIovIterGetPages(mm, v65, bio, iter, { allocFailAt: 3 })).toBe('ENOMEM');
    expect([ref(mm, 30), ref(mm, 40)]).toEqual([1, 1]);
    expect(bio.releasedWith).toBe('unpin');
    expect(iter.count).toBe(2 * PS);
    // a fill with fewer calls is not affected
    const whole = bioAlloc(2, 'READ', 4);
    expect(bioIovIterGetPages(mm, v65, whole, iovIterIovec('DEST', segs), { allocFailAt: 4 })).toBe(0);
    expect([ref(mm, 30), ref(mm, 40)]).toEqual([1 + GUP_PIN_COUNTING_BIAS, 1 + GUP_PIN_COUNTING_BIAS]);
    // the first call failing takes nothing: -ENOMEM with an empty bio
    const none = bioAlloc(3, 'READ', 4);
    expect(bioIovIterGetPages(mm, v65, none, iovIterUbuf('DEST', 3 * PS, PS), { allocFailAt: 1 })).toBe('ENOMEM');
    expect([none.vecs.length, ref(mm, 40)]).toEqual([0, 1 + GUP_PIN_COUNTING_BIAS]);
  });

  it('a write DIO from a never-written buffer puts the zero page in a PINNED bio at no cost (c8070b787519)', () => {
    const mm = createMm({ zeroPageIds: [1] });
    mapZeroPage(mm, 5, 1);
    const bio = bioAlloc(1, 'WRITE', 1);
    expect(bioIovIterGetPages(mm, v65, bio, iovIterUbuf('SOURCE', 5 * PS, PS))).toBe(0);
    expect(bioPages(bio)).toEqual([1]);
    expect(ref(mm, 1)).toBe(ZERO_PAGE_BASE_REFCOUNT);
    submitBio(mm, bio);
    bioDma(mm, bio);
    bioEndio(mm, v65, bio);
    expect(ref(mm, 1)).toBe(ZERO_PAGE_BASE_REFCOUNT);
  });
});

describe('DMA is recorded against the page generation the bio saw', () => {
  it('a DMA into a page freed and reused meanwhile is recorded as such', () => {
    const mm = createMm();
    allocPageAt(mm, 7, 'kernel');
    const bio = bioAlloc(1, 'READ', 1);
    bioAddPage(mm, bio, 7, PS, 0);
    submitBio(mm, bio);
    pageFolio(mm, 7).refcount = 1;
    // the owner frees the page and another allocator takes it while the bio is in flight (no ref held)
    ownerReleasePage(mm, 7, 'kernel');
    expect(allocPage(mm, 'skb')).toBe(7);
    bioDma(mm, bio);
    expect(mm.accesses).toEqual([{ page: 7, access: 'write', generation: 1, who: 'bio 1', outcome: 'reused' }]);
  });
});

describe('bio_iov_iter_get_pages is iov_iter_extract_pages plus bio_add_page', () => {
  /** Byte ranges [start, end) of physical memory, contiguous neighbours joined. */
  const joined = (pieces: readonly { page: number; offset: number; len: number }[]): [number, number][] => {
    const out: [number, number][] = [];
    for (const p of pieces) {
      const start = p.page * PS + p.offset;
      const last = out[out.length - 1];
      if (last !== undefined && last[1] === start) last[1] += p.len;
      else out.push([start, start + p.len]);
    }
    return out;
  };
  const elem = fc
    .record({ page: fc.integer({ min: 20, max: 26 }), q0: fc.integer({ min: 0, max: 3 }), n: fc.integer({ min: 1, max: 4 }) })
    .map(({ page, q0, n }) => ({ addr: page * PS + q0 * 1024, len: Math.min(n, 4 - q0) * 1024 }));

  it('law: the bio describes exactly the bytes repeated extraction hands out, in order (KVEC and IOVEC)', () => {
    fc.assert(
      fc.property(fc.array(elem, { minLength: 1, maxLength: 6 }), fc.constantFrom('KVEC', 'IOVEC'), (segs, type) => {
        const mm = createMm();
        for (let p = 20; p <= 26; p++) {
          if (type === 'KVEC') allocPageAt(mm, p, 'kernel');
          else mmapAnonPage(mm, p, p); // user page p maps page p, so extraction's page numbers are the pages
        }
        const make = () => (type === 'KVEC' ? iovIterKvec('SOURCE', segs) : iovIterIovec('SOURCE', segs));
        // what the shared extraction code hands out, call after call
        const it2 = make();
        const extracted: { page: number; offset: number; len: number }[] = [];
        for (;;) {
          const r = iovIterExtractPages(it2, 0xffffffff, 64);
          if (typeof r.ret !== 'number' || r.ret <= 0) break;
          let left = r.ret;
          let off = r.offset0 ?? 0;
          for (const page of r.pages) {
            const len = Math.min(left, PS - off);
            extracted.push({ page, offset: off, len });
            left -= len;
            off = 0;
          }
        }
        const bio = bioAlloc(1, 'WRITE', 64);
        expect(bioIovIterGetPages(mm, v65, bio, make())).toBe(0);
        expect(joined(bio.vecs)).toEqual(joined(extracted));
      }),
    );
  });
});
