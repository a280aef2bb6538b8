// ITER_FOLIOQ (v6.12, KERNEL.md §A.3, §B.7): the reference iov_iter_folio_queue(), advance, revert and
// iov_iter_extract_pages() over chains of folio_queue segments with folios of more than one page, as `iterpin
// extract` vectors. Each case states its calls by hand; every call is also held against the page-list rule the
// kunit folioq test checks (KERNEL.md §F.2 11, §F.2a): entry k is the page of the stream byte at k pages past
// offset0, offset0 that byte's in-page offset, count down by exactly ret.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli-harness.js';
import { parseVector, runVector, type VectorOutput } from '../../../src/kernel/lib/vector.js';
import {
  folioqChain,
  iovIterAdvance,
  iovIterFolioQueue,
  iovIterRevert,
  type Folio,
} from '../../../src/kernel/lib/iov_iter.js';
import { iovIterExtractPages } from '../../../src/kernel/lib/iov_iter_extract.js';

const PS = 4;

/** The page and in-page offset of byte `p` of the chain's folios laid end to end. */
function place(folios: readonly Folio[], p: number): { page: number; offset: number } {
  for (const f of folios) {
    const size = PS * 2 ** f.order;
    if (p < size) return { page: f.page + Math.floor(p / PS), offset: p % PS };
    p -= size;
  }
  throw new Error('past the chain');
}

interface Case {
  readonly name: string;
  readonly folios: readonly Folio[];
  readonly slots: number;
  readonly firstSlot?: number;
  readonly offset?: number;
  readonly count?: number;
  readonly maxsize: number;
  readonly maxpages: number;
  /** ret, offset0 and pages of each call until the one returning 0. */
  readonly calls: readonly (readonly [number, number | null, readonly number[]])[];
}

// folios: a two-page folio at pages 0-1, a one-page folio at 2, a two-page folio at 3-4 (first segment: slots 0-1)
const THREE: readonly Folio[] = [{ page: 0, order: 1 }, { page: 2, order: 0 }, { page: 3, order: 1 }];

const CASES: readonly Case[] = [
  {
    name: 'aligned, one page per call: every page of a multi-page folio is its own entry',
    folios: THREE, slots: 2, maxsize: 100, maxpages: 1,
    calls: [[4, 0, [0]], [4, 0, [1]], [4, 0, [2]], [4, 0, [3]], [4, 0, [4]], [0, null, []]],
  },
  {
    name: 'unaligned start inside a two-page folio: offset0 3, the rest of the folio, then on',
    folios: THREE, slots: 2, offset: 3, maxsize: 100, maxpages: 2,
    // the first call ends at the folio's end (iov_offset 8 in slot 0); the next starts by moving on
    calls: [[5, 3, [0, 1]], [8, 0, [2, 3]], [4, 0, [4]], [0, null, []]],
  },
  {
    name: 'crossing the folio_queue segment boundary (slot 1 of the first segment to slot 0 of the second)',
    folios: THREE, slots: 2, firstSlot: 1, offset: 1, maxsize: 100, maxpages: 8,
    calls: [[11, 1, [2, 3, 4]], [0, null, []]],
  },
  {
    name: 'count short of the chain (the kunit folioq iterators end inside the last folio), maxsize mid-page',
    folios: THREE, slots: 2, count: 18, maxsize: 6, maxpages: 8,
    calls: [[6, 0, [0, 1]], [6, 2, [1, 2]], [6, 0, [3, 4]], [0, null, []]],
  },
  {
    name: 'a four-page folio across one-slot segments, maxsize 1 from mid-page',
    folios: [{ page: 10, order: 2 }, { page: 20, order: 0 }], slots: 1, offset: 14, maxsize: 1, maxpages: 4,
    calls: [[1, 2, [13]], [1, 3, [13]], [1, 0, [20]], [1, 1, [20]], [1, 2, [20]], [1, 3, [20]], [0, null, []]],
  },
];

function vectorOf(c: Case): unknown {
  return {
    pageSize: PS, variant: 'v6.12', maxsize: c.maxsize, maxpages: c.maxpages,
    iter: {
      type: 'FOLIOQ', direction: 'SOURCE', slots: c.slots, folios: c.folios,
      ...(c.firstSlot === undefined ? {} : { firstSlot: c.firstSlot }),
      ...(c.offset === undefined ? {} : { offset: c.offset }),
      ...(c.count === undefined ? {} : { count: c.count }),
    },
  };
}

function run(c: Case): VectorOutput {
  const v = parseVector(vectorOf(c));
  if (!v.ok) throw new Error(v.error);
  const out = runVector(v.value);
  if (!out.ok) throw new Error(out.error);
  return out.value;
}

describe('ITER_FOLIOQ extraction vectors', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const out = run(c);
      expect(out.calls.map((k) => ('error' in k ? k.error : [k.ret, k.offset0, k.pages]))).toEqual(c.calls);
      // the page-list rule on every call, from where the stream stood
      const skipped = c.folios.slice(0, c.firstSlot ?? 0).reduce((n, f) => n + PS * 2 ** f.order, 0) + (c.offset ?? 0);
      let pos = skipped;
      let count = (c.count ?? c.folios.reduce((n, f) => n + PS * 2 ** f.order, 0) - skipped);
      for (const k of out.calls) {
        if ('error' in k) throw new Error(k.error);
        expect(k.count).toBe(count - k.ret);
        if (k.ret > 0) {
          expect(k.offset0).toBe(place(c.folios, pos).offset);
          const need = Math.ceil(((k.offset0 ?? 0) + k.ret) / PS);
          expect(k.pages).toEqual(Array.from({ length: need }, (_, j) => place(c.folios, pos + Math.max(0, j * PS - (k.offset0 ?? 0))).page));
        }
        pos += k.ret;
        count -= k.ret;
      }
      expect(out.final.count).toBe(0);
    });
  }

  it('the iterator reports its folio_queue segment and slot: after the boundary, segment 1', () => {
    const out = run(CASES[2]!);
    expect(out.calls[0]).toMatchObject({ count: 0, folioq: 1, folioqSlot: 0, iovOffset: 8 });
  });

  it('a NULL page array whose allocation fails: -ENOMEM, offset0 written, nothing taken', () => {
    const i = iovIterFolioQueue('DEST', folioqChain(THREE, 2), 0, 3, 17, { pageSize: PS });
    const r = iovIterExtractPages(i, 5, 2, 0, { kvmallocArray: () => false });
    expect(r).toEqual({ ret: 'ENOMEM', offset0: 3, pages: [], cap: 0 });
    expect([i.count, i.folioqSlot, i.iovOffset]).toEqual([17, 0, 3]);
  });
});

describe('ITER_FOLIOQ advance and revert', () => {
  it('advance walks into the next segment and revert walks back into the previous one, to the same fields', () => {
    const chain = folioqChain(THREE, 2);
    const i = iovIterFolioQueue('SOURCE', chain, 0, 0, 20, { pageSize: PS });
    iovIterAdvance(i, 13); // 8 + 4 in the first segment, 1 into the second's first folio
    expect([i.folioq === chain.next, i.folioqSlot, i.iovOffset, i.count]).toEqual([true, 0, 1, 7]);
    expect(iovIterRevert(i, 10).kind).toBe('ok'); // back past the segment boundary into the two-page folio
    expect([i.folioq === chain, i.folioqSlot, i.iovOffset, i.count]).toEqual([true, 0, 3, 17]);
  });

  it('an advance that ends a folio moves to the next slot; one that ends the chain stays past its last folio', () => {
    const chain = folioqChain(THREE, 2);
    const i = iovIterFolioQueue('SOURCE', chain, 0, 0, 20, { pageSize: PS });
    iovIterAdvance(i, 8);
    expect([i.folioq === chain, i.folioqSlot, i.iovOffset]).toEqual([true, 1, 0]);
    iovIterAdvance(i, 100); // clamped to the 12 left
    expect([i.folioq === chain.next, i.folioqSlot, i.iovOffset, i.count]).toEqual([true, 1, 0, 0]);
  });
});

describe('iterpin extract with a FOLIOQ vector', () => {
  it('prints the calls with the segment and slot; a folio past MAX_PAGECACHE_ORDER is one clear message', async () => {
    const good = await runCli(['extract', '--vector', '-'], { stdinText: JSON.stringify(vectorOf(CASES[2]!)) });
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('"ret":11,"offset0":1,"pages":[2,3,4]');
    const bad = await runCli(['extract', '--vector', '-'], {
      stdinText: JSON.stringify({ ...(vectorOf(CASES[0]!) as object), iter: { type: 'FOLIOQ', direction: 'SOURCE', slots: 2, folios: [{ page: 0, order: 11 }] } }),
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/iter\.folios\[0\]\.order: expected at most 10/);
  });
});
