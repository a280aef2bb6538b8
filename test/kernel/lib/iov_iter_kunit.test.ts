// The kernel's own lib/kunit_iov_iter.c cases (KERNEL.md §F.1, §F.2 cases 1–4, 7–10, 12, §F.2a) ported as a
// conformance suite for the reference iterator: same fixtures, same per-call expectations, same protocol.

import { describe, expect, it } from 'vitest';
import {
  iovIterBvec,
  iovIterKvec,
  iovIterXarray,
  type BioVec,
  type IovIter,
  type IterDirection,
} from '../../../src/kernel/lib/iov_iter.js';
import { copyFromIter, copyToIter, makePageStore, type PageStore } from '../../../src/kernel/lib/iov_iter_copy.js';
import { iovIterExtractPages, VARIANT_OPTIONS, type IovIterVariant } from '../../../src/kernel/lib/iov_iter_extract.js';

const PS = 4096;
const BUFSIZE = 0x100000;
const NPAGES = BUFSIZE / PS;
const LONG_MAX = Number.MAX_SAFE_INTEGER; // the sentinel the tests preload into offset0
const POISON = -0x5a; // the sentinel preloaded into every page-list slot

/** kvec_test_ranges: byte ranges [from, to) of the 1 MiB buffer (also used per range for XARRAY). */
const KVEC_RANGES: readonly (readonly [number, number])[] = [
  [0x00002, 0x00002], // empty, first
  [0x00027, 0x03000],
  [0x05193, 0x18794],
  [0x20000, 0x20000], // empty, in the middle
  [0x20000, 0x24000],
  [0x24000, 0x27001],
  [0x29000, 0xffffb],
  [0xffffd, 0xffffe],
];

/** bvec_test_ranges: (page, from, to) within one page. */
const BVEC_RANGES: readonly (readonly [number, number, number])[] = [
  [0, 0x0002, 0x0002],
  [1, 0x0027, 0x0893],
  [2, 0x0193, 0x0794],
  [3, 0x0000, 0x1000],
  [4, 0x0000, 0x1000],
  [5, 0x0000, 0x1000],
  [6, 0x0000, 0x0ffb],
  [6, 0x0ffd, 0x0ffe],
];

/** bpages: the physical page behind each virtual page of the vmap()ed buffer. */
const CONTIGUOUS = Array.from({ length: NPAGES }, (_, k) => k);
const SCATTERED = Array.from({ length: NPAGES }, (_, k) => 1000 + 2 * k); // no two adjacent

/** KUNIT_EXPECT_* records and goes on; KUNIT_ASSERT_* records and abandons the case. */
class Kunit {
  readonly failures: string[] = [];
  expect(cond: boolean, what: string): void {
    if (!cond) this.failures.push(what);
  }
  assert(cond: boolean, what: string): void {
    if (!cond) {
      this.failures.push(what);
      throw new AbortCase();
    }
  }
  get failed(): boolean {
    return this.failures.length > 0;
  }
}
class AbortCase extends Error {}

function runCase(body: (t: Kunit) => void): string[] {
  const t = new Kunit();
  try {
    body(t);
  } catch (e) {
    if (!(e instanceof AbortCase)) throw e;
  }
  return t.failures;
}

/** iov_kunit_load_kvec(): one kvec per range over a buffer at virtual address 0. */
function loadKvec(dir: IterDirection): IovIter {
  return iovIterKvec(dir, KVEC_RANGES.map(([from, to]) => ({ addr: from, len: to - from })));
}

/**
 * iov_kunit_load_bvec(): a range is merged into the previous bvec iff it starts at 0, is not empty and its page is
 * the physical page right after the previous range's page-aligned end.
 */
function loadBvec(dir: IterDirection, bpages: readonly number[]): IovIter {
  const bvec: BioVec[] = [];
  let canMerge: number | undefined;
  for (const [pg, from, to] of BVEC_RANGES) {
    const page = bpages[pg]!;
    const last = bvec[bvec.length - 1];
    if (from === 0 && from !== to && page === canMerge && last !== undefined) {
      bvec[bvec.length - 1] = { ...last, len: last.len + to };
    } else {
      bvec.push({ page, offset: from, len: to - from });
    }
    canMerge = to % PS === 0 ? page + to / PS : undefined;
  }
  return iovIterBvec(dir, bvec);
}

/** iov_kunit_load_xarray() + iov_iter_xarray(): index k holds page k. */
const XARRAY = { holes: new Set<number>(), limit: NPAGES };

const pattern = (x: number): number => x & 0xff;

type ExpectPage = (from: number, rangeIndex: number) => number;

/**
 * The shared loop of iov_kunit_extract_pages_{kvec,bvec}: extract with maxsize 100 KiB into 8 slots until count
 * reaches 0 or a call returns 0, checking each call's offset, length, count and page identities against a cursor
 * that walks the ranges.
 */
function extractAndCheck(
  t: Kunit,
  iter: IovIter,
  ranges: readonly { from: number; to: number }[],
  expectedPage: ExpectPage,
  variant: IovIterVariant,
): void {
  let size = iter.count;
  let pr = 0;
  let from = ranges[0]!.from;
  stop: do {
    const r = iovIterExtractPages(iter, 100 * 1024, 8, 0, { variant: VARIANT_OPTIONS[variant] });
    const pagelist = Array.from({ length: 8 }, (_, k) => r.pages[k] ?? POISON);
    t.expect(typeof r.ret === 'number' && r.ret >= 0, `len ${String(r.ret)} >= 0`);
    if (typeof r.ret !== 'number' || r.ret < 0) break;
    let len = r.ret;
    let offset0 = r.offset0 ?? LONG_MAX;
    t.expect(offset0 >= 0, `offset0 ${offset0} >= 0`);
    t.expect(offset0 < PS, `offset0 ${offset0} < PAGE_SIZE`);
    t.expect(len <= size, `len ${len} <= size ${size}`);
    t.expect(iter.count === size - len, `iter.count ${iter.count} == ${size - len}`);
    size -= len;
    if (len === 0) break;
    for (let i = 0; i < pagelist.length; i++) {
      const part = Math.min(len, PS - offset0);
      t.assert(part >= 0, `part ${part} >= 0`);
      while (from === ranges[pr]!.to) {
        pr++;
        if (pr >= ranges.length) break stop;
        from = ranges[pr]!.from;
      }
      const p = expectedPage(from, pr);
      t.expect(pagelist[i] === p, `pagelist[${i}] ${pagelist[i]} == page ${p}`);
      t.expect(offset0 === from % PS, `offset0 ${offset0} == from % PAGE_SIZE ${from % PS}`);
      from += part;
      len -= part;
      t.assert(len >= 0, `len ${len} >= 0`);
      if (len === 0) break;
      offset0 = 0;
    }
    if (t.failed) break;
  } while (iter.count > 0);
  t.expect(size === 0, `remaining size ${size} == 0`);
  t.expect(iter.count === 0, `iter.count ${iter.count} == 0`);
}

/** iov_kunit_extract_pages_kvec (case 9). */
function extractPagesKvec(variant: IovIterVariant): string[] {
  return runCase((t) => {
    const ranges = KVEC_RANGES.map(([from, to]) => ({ from, to }));
    extractAndCheck(t, loadKvec('DEST'), ranges, (from) => CONTIGUOUS[Math.floor(from / PS)]!, variant);
  });
}

/** iov_kunit_extract_pages_bvec (case 10), over either physical layout of the buffer. */
function extractPagesBvec(variant: IovIterVariant, bpages: readonly number[]): string[] {
  return runCase((t) => {
    const ranges = BVEC_RANGES.map(([, from, to]) => ({ from, to }));
    const expected: ExpectPage = (from, pr) => bpages[BVEC_RANGES[pr]![0] + Math.floor(from / PS)]!;
    extractAndCheck(t, loadBvec('DEST', bpages), ranges, expected, variant);
  });
}

/** iov_kunit_extract_pages_xarray (case 12): one xarray iterator per kvec range. */
function extractPagesXarray(variant: IovIterVariant): string[] {
  return runCase((t) => {
    for (const [rfrom, to] of KVEC_RANGES) {
      let from = rfrom;
      let size = to - rfrom;
      const iter = iovIterXarray('SOURCE', XARRAY, from, size);
      do {
        const r = iovIterExtractPages(iter, 100 * 1024, 8, 0, { variant: VARIANT_OPTIONS[variant] });
        t.expect(typeof r.ret === 'number' && r.ret >= 0, `len ${String(r.ret)} >= 0`);
        if (typeof r.ret !== 'number' || r.ret < 0) break;
        let len = r.ret;
        t.expect(len <= size, `len ${len} <= size ${size}`);
        t.expect(iter.count === size - len, `iter.count ${iter.count} == ${size - len}`);
        if (len === 0) break;
        size -= len;
        let offset0 = r.offset0 ?? LONG_MAX;
        t.expect(offset0 >= 0 && offset0 < PS, `0 <= offset0 ${offset0} < PAGE_SIZE`);
        for (let i = 0; i < 8; i++) {
          const part = Math.min(len, PS - offset0);
          t.assert(part >= 0, `part ${part} >= 0`);
          const p = CONTIGUOUS[Math.floor(from / PS)];
          t.expect((r.pages[i] ?? POISON) === p, `pagelist[${i}] ${r.pages[i]} == page ${p}`);
          t.expect(offset0 === from % PS, `offset0 ${offset0} == from % PAGE_SIZE ${from % PS}`);
          from += part;
          len -= part;
          t.assert(len >= 0, `len ${len} >= 0`);
          if (len === 0) break;
          offset0 = 0;
        }
        if (t.failed) return;
      } while (iter.count > 0);
      t.expect(size === 0, `range ${rfrom.toString(16)}: remaining ${size} == 0`);
      t.expect(iter.count === 0, `range ${rfrom.toString(16)}: iter.count ${iter.count} == 0`);
      t.expect(iter.iovOffset === to - rfrom, `range ${rfrom.toString(16)}: iov_offset ${iter.iovOffset} == ${to - rfrom}`);
    }
  });
}

describe('kunit iov_iter extraction cases on the v6.6 design', () => {
  it('iov_kunit_extract_pages_kvec passes', () => {
    expect(extractPagesKvec('v6.6')).toEqual([]);
  });
  it('iov_kunit_extract_pages_bvec passes when pages 3..6 are contiguous (5 bvecs)', () => {
    expect(loadBvec('DEST', CONTIGUOUS)).toMatchObject({ nrSegs: 5 });
    expect(extractPagesBvec('v6.6', CONTIGUOUS)).toEqual([]);
  });
  it('iov_kunit_extract_pages_bvec passes when no two pages are contiguous (8 bvecs)', () => {
    expect(loadBvec('DEST', SCATTERED)).toMatchObject({ nrSegs: 8 });
    expect(extractPagesBvec('v6.6', SCATTERED)).toEqual([]);
  });
  it('iov_kunit_extract_pages_xarray passes', () => {
    expect(extractPagesXarray('v6.6')).toEqual([]);
  });
});

describe('kunit iov_iter extraction cases on the v6.12 bvec walker', () => {
  it('passes all three extraction cases in both bvec layouts', () => {
    expect(extractPagesKvec('v6.12')).toEqual([]);
    expect(extractPagesBvec('v6.12', CONTIGUOUS)).toEqual([]);
    expect(extractPagesBvec('v6.12', SCATTERED)).toEqual([]);
    expect(extractPagesXarray('v6.12')).toEqual([]);
  });
});

describe('kunit iov_iter extraction cases catch the G.1 maxsize clobber as they did in 2023', () => {
  it('kvec: the first call returns 0 without writing offset0, and the data is left behind', () => {
    expect(extractPagesKvec('bug-clobber-maxsize')).toEqual([
      `offset0 ${LONG_MAX} < PAGE_SIZE`,
      'remaining size 1000919 == 0',
      'iter.count 1000919 == 0',
    ]);
  });
  it('bvec: fails the same way in both layouts', () => {
    for (const bpages of [CONTIGUOUS, SCATTERED]) {
      expect(extractPagesBvec('bug-clobber-maxsize', bpages)).toEqual([
        `offset0 ${LONG_MAX} < PAGE_SIZE`,
        'remaining size 20073 == 0',
        'iter.count 20073 == 0',
      ]);
    }
  });
  it('xarray: unaffected (no element loop), so it passes', () => {
    expect(extractPagesXarray('bug-clobber-maxsize')).toEqual([]);
  });
});

describe('kunit iov_iter extraction cases against the other design alternatives', () => {
  it('bug-no-skip-empty: the empty first element stops kvec and bvec extraction with data left', () => {
    expect(extractPagesKvec('bug-no-skip-empty')).toContain('remaining size 1000919 == 0');
    expect(extractPagesBvec('bug-no-skip-empty', CONTIGUOUS)).toContain('remaining size 20073 == 0');
  });
  it('bug-kvec-offset: kvec pages and offsets describe the wrong bytes', () => {
    const failures = extractPagesKvec('bug-kvec-offset');
    expect(failures).toContain('offset0 0 == from % PAGE_SIZE 39');
  });
  it('bug-bvec-size-plus-skip: not caught — maxsize 100 KiB always exceeds what is left, as syzbot had to find it', () => {
    expect(extractPagesBvec('bug-bvec-size-plus-skip', CONTIGUOUS)).toEqual([]);
    expect(extractPagesBvec('bug-bvec-size-plus-skip', SCATTERED)).toEqual([]);
  });
});

// ---- copy cases (1–4, 7, 8) ----

/** The 1 MiB buffer as the test sees it through vmap(): virtual page k is physical page bpages[k]. */
function bufferImage(mem: PageStore, bpages: readonly number[]): Uint8Array {
  const out = new Uint8Array(BUFSIZE);
  for (let k = 0; k < NPAGES; k++) out.set(mem.page(bpages[k]!), k * PS);
  return out;
}

function fillBuffer(mem: PageStore, bpages: readonly number[], f: (x: number) => number): void {
  for (let k = 0; k < NPAGES; k++) {
    const p = mem.page(bpages[k]!);
    for (let j = 0; j < PS; j++) p[j] = f(k * PS + j);
  }
}

/** iov_kunit_build_to_reference_pattern(): the stream's bytes pattern(0), pattern(1), … at the ranges' places. */
function toReference(ranges: readonly (readonly [number, number, number])[]): Uint8Array {
  const out = new Uint8Array(BUFSIZE);
  let patt = 0;
  for (const [page, from, to] of ranges) for (let i = from; i < to; i++) out[page * PS + i] = pattern(patt++);
  return out;
}

/** iov_kunit_build_from_reference_pattern(): the ranges' bytes of a pattern(address) buffer, concatenated. */
function fromReference(ranges: readonly (readonly [number, number, number])[]): Uint8Array {
  const out = new Uint8Array(BUFSIZE);
  let i = 0;
  for (const [page, from, to] of ranges) for (let j = from; j < to && i < BUFSIZE; j++) out[i++] = pattern(page * PS + j);
  return out;
}

/** iov_kunit_check_pattern(): the first mismatching byte, or undefined. */
function firstMismatch(a: Uint8Array, b: Uint8Array): number | undefined {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return undefined;
}

const KVEC_AS_PAGED = KVEC_RANGES.map(([from, to]) => [0, from, to] as const);
const scratchPattern = (): Uint8Array => Uint8Array.from({ length: BUFSIZE }, (_, i) => pattern(i));

describe('kunit iov_iter copy cases', () => {
  it('iov_kunit_copy_to_kvec: the stream lands in the ranges, in order; nothing else is touched', () => {
    const mem = makePageStore(PS);
    const iter = loadKvec('DEST');
    const size = iter.count;
    expect(copyToIter(scratchPattern(), size, iter, mem)).toBe(size);
    expect(iter).toMatchObject({ count: 0, nrSegs: 0 });
    expect(firstMismatch(bufferImage(mem, CONTIGUOUS), toReference(KVEC_AS_PAGED))).toBeUndefined();
  });

  it('iov_kunit_copy_from_kvec: the ranges are gathered in order', () => {
    const mem = makePageStore(PS);
    fillBuffer(mem, CONTIGUOUS, pattern);
    const iter = loadKvec('SOURCE');
    const size = Math.min(iter.count, BUFSIZE);
    const scratch = new Uint8Array(BUFSIZE);
    expect(copyFromIter(scratch, size, iter, mem)).toBe(size);
    expect(iter).toMatchObject({ count: 0, nrSegs: 0 });
    expect(firstMismatch(scratch, fromReference(KVEC_AS_PAGED))).toBeUndefined();
  });

  for (const [name, bpages] of [['contiguous', CONTIGUOUS], ['scattered', SCATTERED]] as const) {
    it(`iov_kunit_copy_to_bvec (${name} pages): each range byte gets the next stream byte`, () => {
      const mem = makePageStore(PS);
      const iter = loadBvec('DEST', bpages);
      const size = iter.count;
      expect(copyToIter(scratchPattern(), size, iter, mem)).toBe(size);
      expect(iter).toMatchObject({ count: 0, nrSegs: 0 });
      expect(firstMismatch(bufferImage(mem, bpages), toReference(BVEC_RANGES))).toBeUndefined();
    });

    it(`iov_kunit_copy_from_bvec (${name} pages): the ranges are gathered in order`, () => {
      const mem = makePageStore(PS);
      fillBuffer(mem, bpages, pattern);
      const iter = loadBvec('SOURCE', bpages);
      const size = iter.count;
      const scratch = new Uint8Array(BUFSIZE);
      expect(copyFromIter(scratch, size, iter, mem)).toBe(size);
      expect(iter).toMatchObject({ count: 0, nrSegs: 0 });
      expect(firstMismatch(scratch, fromReference(BVEC_RANGES))).toBeUndefined();
    });
  }

  it('iov_kunit_copy_to_xarray: one iterator per range, iov_offset ends at the range size', () => {
    const mem = makePageStore(PS);
    const scratch = scratchPattern();
    let i = 0;
    for (const [from, to] of KVEC_RANGES) {
      const size = to - from;
      const iter = iovIterXarray('DEST', XARRAY, from, size);
      expect(copyToIter(scratch.subarray(i), size, iter, mem)).toBe(size);
      expect(iter).toMatchObject({ count: 0, iovOffset: size });
      i += size;
    }
    expect(firstMismatch(bufferImage(mem, CONTIGUOUS), toReference(KVEC_AS_PAGED))).toBeUndefined();
  });

  it('iov_kunit_copy_from_xarray: one iterator per range, gathered in order', () => {
    const mem = makePageStore(PS);
    fillBuffer(mem, CONTIGUOUS, pattern);
    const scratch = new Uint8Array(BUFSIZE);
    let i = 0;
    for (const [from, to] of KVEC_RANGES) {
      const size = to - from;
      const iter = iovIterXarray('SOURCE', XARRAY, from, size);
      expect(copyFromIter(scratch.subarray(i), size, iter, mem)).toBe(size);
      expect(iter).toMatchObject({ count: 0, iovOffset: size });
      i += size;
    }
    expect(firstMismatch(scratch, fromReference(KVEC_AS_PAGED))).toBeUndefined();
  });

  it('copy_to_iter on a SOURCE iterator and copy_from_iter on a DEST one copy nothing (the kernel WARNs)', () => {
    const mem = makePageStore(PS);
    const src = loadKvec('SOURCE');
    expect(copyToIter(scratchPattern(), 100, src, mem)).toBe(0);
    expect(src.count).toBe(0xf45d7);
    const dst = loadKvec('DEST');
    expect(copyFromIter(new Uint8Array(100), 100, dst, mem)).toBe(0);
    expect(dst.count).toBe(0xf45d7);
  });
});
