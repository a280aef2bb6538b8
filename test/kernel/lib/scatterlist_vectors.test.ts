// extract_iter_to_sg() vectors: the kernel's own iter_to_sg kunit cases (KERNEL.md §F.2 13-17: a 2 MiB buffer,
// a 512-entry table, sg_max 0, then one entry, then the rest but a 16-page tail, then the tail) for each iterator
// type the reference implements, the kunit kvec ranges of §F.1, and unaligned cases with entries already in the
// table, each on the final design and, where they differ, on the bug variants (KERNEL.md §G.10).
import { describe, it, expect } from 'vitest';
import { parseSgVector, runSgVector, type SgVectorOutput } from '../../../src/kernel/lib/sg_vector.js';
import { iovIterClone, iovIterIovec } from '../../../src/kernel/lib/iov_iter.js';
import { ledgerPinner, newPinLedger, sgInitTable } from '../../../src/kernel/lib/scatterlist.js';
import { sgCallResume, sgCallStart, sgWorldCopy, type SgWorld } from '../../../src/kernel/lib/scatterlist_check.js';

const PS = 4096;
const BUFSIZE = 0x200000; // 512 pages
const TAIL = 16 * PS;

function run(v: Record<string, unknown>): SgVectorOutput {
  const parsed = parseSgVector({ op: 'iter_to_sg', ...v });
  if (!parsed.ok) throw new Error(parsed.error);
  const out = runSgVector(parsed.value);
  if (!out.ok) throw new Error(out.error);
  return out.value;
}

/** The kunit check sequence (a)-(d) as calls: sg_max 0; one entry; the rest but the tail; the tail. */
const KUNIT_CALLS = (afterB: number, nentsAfterC: number): Record<string, unknown>[] => [
  { maxsize: BUFSIZE, sgMax: 0 },
  { maxsize: BUFSIZE - TAIL, sgMax: 1 },
  { maxsize: BUFSIZE - TAIL - afterB, sgMax: 511 },
  { maxsize: TAIL, sgMax: 512 - nentsAfterC },
];

/**
 * The 2026 kunit buffer swaps pages[i] and pages[i + 256] for i < 128 (§F.1), so bvecs merged over physically
 * consecutive pages are four runs of 128 pages.
 */
const KUNIT_BVECS = [
  { page: 256, offset: 0, len: 128 * PS },
  { page: 128, offset: 0, len: 128 * PS },
  { page: 0, offset: 0, len: 128 * PS },
  { page: 384, offset: 0, len: 128 * PS },
];

const perPage = (first: number, n: number): { page: number; offset: number; len: number }[] =>
  Array.from({ length: n }, (_, k) => ({ page: first + k, offset: 0, len: PS }));

interface KunitCase {
  readonly name: string;
  readonly iter: Record<string, unknown>;
  /** Bytes and entries after (b), entries after (c). */
  readonly afterB: number;
  readonly nentsAfterC: number;
  readonly table: { page: number; offset: number; len: number }[];
  readonly pins: boolean;
}

const KUNIT: readonly KunitCase[] = [
  { name: 'iter_to_sg_ubuf', iter: { type: 'UBUF', direction: 'SOURCE', segments: [{ addr: 0, len: BUFSIZE }] }, afterB: PS, nentsAfterC: 496, table: perPage(0, 512), pins: true },
  { name: 'iter_to_sg_kvec', iter: { type: 'KVEC', direction: 'SOURCE', segments: [{ addr: 0, len: BUFSIZE }] }, afterB: PS, nentsAfterC: 496, table: perPage(0, 512), pins: false },
  {
    name: 'iter_to_sg_bvec',
    iter: { type: 'BVEC', direction: 'SOURCE', segments: KUNIT_BVECS },
    afterB: 128 * PS,
    nentsAfterC: 4,
    table: [
      { page: 256, offset: 0, len: 128 * PS },
      { page: 128, offset: 0, len: 128 * PS },
      { page: 0, offset: 0, len: 128 * PS },
      { page: 384, offset: 0, len: 112 * PS },
      { page: 384, offset: 112 * PS, len: TAIL },
    ],
    pins: false,
  },
  { name: 'iter_to_sg_xarray', iter: { type: 'XARRAY', direction: 'SOURCE', start: 0, count: BUFSIZE }, afterB: PS, nentsAfterC: 496, table: perPage(0, 512), pins: false },
];

describe('the kunit iter_to_sg cases (KERNEL.md §F.2 13-17) on the final design', () => {
  for (const c of KUNIT) {
    it(`${c.name}: (a) sg_max 0 adds nothing, (b) one entry, (c) up to the tail, (d) the whole buffer in order`, () => {
      const out = run({ iter: c.iter, tableSize: 512, calls: KUNIT_CALLS(c.afterB, c.nentsAfterC) });
      const [a, b, cc, d] = out.calls.map((x) => ('ret' in x ? x : undefined));
      expect(a).toMatchObject({ ret: 0, nents: 0, added: [] });
      expect(b).toMatchObject({ ret: c.afterB, nents: 1 });
      expect(cc).toMatchObject({ ret: BUFSIZE - TAIL - c.afterB, nents: c.nentsAfterC });
      expect(d).toMatchObject({ ret: TAIL, count: 0 });
      expect(d!.nents).toBeLessThanOrEqual(512);
      expect(out.calls.flatMap((x) => x.violated)).toEqual([]);
      expect(out.table).toEqual(c.table);
      expect(out.table.reduce((s, e) => s + e.len, 0)).toBe(BUFSIZE);
      // ubuf: one pin per entry, dropped by unpin_user_page() per entry in the test's cleanup
      expect(Object.keys(out.pins)).toHaveLength(c.pins ? 512 : 0);
    });
  }

  it('iter_to_sg_kvec before 07b7d66e65d9: (a) writes past sg_max 0, (b) an entry runs past its page', () => {
    const out = run({ variant: 'bug-kvec-total-len', iter: KUNIT[1]!.iter, tableSize: 512, calls: KUNIT_CALLS(PS, 496).slice(0, 1) });
    expect(out.calls[0]).toMatchObject({ ret: BUFSIZE, nents: 512 });
    expect(out.calls[0]!.violated).toEqual(expect.arrayContaining(['SgSegmentInv', 'SgCapacityInv']));
    const b = run({ variant: 'bug-kvec-total-len', iter: KUNIT[1]!.iter, tableSize: 512, calls: [{ maxsize: BUFSIZE - TAIL, sgMax: 1 }] });
    // one entry for one page, but it claims the whole request and the call returns all of it; here page ids of
    // the kvec are contiguous, so only the per-page rule sees it (the kunit buffer's vmalloc pages are not, and
    // the long entry runs into foreign pages there)
    expect(b.calls[0]).toMatchObject({ ret: BUFSIZE - TAIL, nents: 1, added: [{ page: 0, offset: 0, len: BUFSIZE - TAIL }] });
    expect(b.calls[0]!.violated).toEqual(['SgSegmentInv']);
  });

  it('iter_to_sg_ubuf before 118cf3f55975: the tail call (d) puts its page array over filled entries', () => {
    const out = run({ variant: 'bug-user-temp-over-table', iter: KUNIT[0]!.iter, tableSize: 512, calls: KUNIT_CALLS(PS, 496) });
    const d = out.calls[3]!;
    expect(d.violated).toContain('SgPreservedInv');
    // sg_max 16: the array is words 48..63 from sgl, i.e. entries 12..15 of the 496 already filled
    expect(out.table.slice(12, 16)).toEqual(Array.from({ length: 4 }, () => ({ page: -1, offset: 0, len: 0 })));
    expect(out.table.slice(0, 12)).toEqual(perPage(0, 12));
  });
});

describe('unaligned extract_iter_to_sg() cases', () => {
  it('UBUF mid-page with two entries already in the table: one page, then a page-aligned call that stops short', () => {
    const pre = [{ page: 900, offset: 0, len: PS }, { page: 901, offset: 8, len: 16 }];
    const out = run({ iter: { type: 'UBUF', direction: 'DEST', segments: [{ addr: 100, len: 9000 }] }, preexisting: pre, tableSize: 6, calls: [{ maxsize: 5000, sgMax: 1 }, { maxsize: 4000, sgMax: 3 }] });
    expect(out.calls).toEqual([
      { ret: 3996, sgMax: 1, nents: 3, added: [{ page: 0, offset: 100, len: 3996 }], count: 5004, violated: [] },
      { ret: 4000, sgMax: 3, nents: 4, added: [{ page: 1, offset: 0, len: 4000 }], count: 1004, violated: [] },
    ]);
    expect(out.table.slice(0, 2)).toEqual(pre);
    expect(out.pins).toEqual({ 0: 1, 1: 1 });
  });

  it('UBUF with four entries already there, sg_max 4: the final design leaves them; before 118cf3f55975 entry 3 is cleared', () => {
    const pre = [900, 901, 902, 903].map((page) => ({ page, offset: 0, len: PS }));
    const v = { iter: { type: 'UBUF', direction: 'SOURCE', segments: [{ addr: 100, len: 9000 }] }, preexisting: pre, tableSize: 8, calls: [{ maxsize: 9000, sgMax: 4 }] };
    const added = [{ page: 0, offset: 100, len: 3996 }, { page: 1, offset: 0, len: PS }, { page: 2, offset: 0, len: 908 }];
    const fine = run(v);
    expect(fine.calls[0]).toEqual({ ret: 9000, sgMax: 4, nents: 7, added, count: 0, violated: [] });
    expect(fine.table).toEqual([...pre, ...added]);
    const bad = run({ ...v, variant: 'bug-user-temp-over-table' });
    expect(bad.calls[0]).toEqual({ ret: 9000, sgMax: 4, nents: 7, added, count: 0, violated: ['SgPreservedInv'] });
    expect(bad.table[3]).toEqual({ page: -1, offset: 0, len: 0 });
  });

  it('IOVEC with an empty first element and page-crossing ones: one round per iovec, per-page entries', () => {
    const out = run({
      iter: { type: 'IOVEC', direction: 'SOURCE', segments: [{ addr: 2, len: 0 }, { addr: 5000, len: 5000 }, { addr: 20000, len: 10 }] },
      maxsize: 5010,
      sgMax: 8,
    });
    expect(out.calls).toEqual([
      { ret: 5010, sgMax: 8, nents: 3, added: [{ page: 1, offset: 904, len: 3192 }, { page: 2, offset: 0, len: 1808 }, { page: 4, offset: 3616, len: 10 }], count: 0, violated: [] },
    ]);
    expect(out.pins).toEqual({ 1: 1, 2: 1, 4: 1 });
  });

  it('a pin that fails after one round unpins what the call added and returns -EFAULT', () => {
    const out = run({ iter: { type: 'UBUF', direction: 'SOURCE', segments: [{ addr: 100, len: 9000 }] }, pinFailAfter: 1, maxsize: 9000, sgMax: 3 });
    expect(out.calls).toEqual([{ ret: 'EFAULT', sgMax: 3, nents: 0, added: [], count: 5004, violated: [] }]);
    expect(out.pins).toEqual({});
  });

  it('KVEC running out of entries inside an element: the count drops the bytes that did not fit (07b7d66e65d9)', () => {
    const v = { iter: { type: 'KVEC', direction: 'DEST', segments: [{ addr: 4000, len: 10000 }] }, maxsize: 10000, sgMax: 2 };
    expect(run(v).calls[0]).toEqual({ ret: 4192, sgMax: 2, nents: 2, added: [{ page: 0, offset: 4000, len: 96 }, { page: 1, offset: 0, len: PS }], count: 5808, violated: [] });
    expect(run({ ...v, variant: 'bug-kvec-total-len' }).calls[0]).toEqual({
      ret: 10000, sgMax: 2, nents: 2, added: [{ page: 0, offset: 4000, len: 10000 }, { page: 1, offset: 0, len: 9904 }], count: 0, violated: ['SgSegmentInv', 'SgTotalInv'],
    });
  });

  it('the kunit kvec ranges of §F.1 in one call: 247 per-page entries holding 0xf45d7 bytes', () => {
    const ranges = [[0x00002, 0x00002], [0x00027, 0x03000], [0x05193, 0x18794], [0x20000, 0x20000], [0x20000, 0x24000], [0x24000, 0x27001], [0x29000, 0xffffb], [0xffffd, 0xffffe]];
    const iter = { type: 'KVEC', direction: 'DEST', segments: ranges.map(([from, to]) => ({ addr: from!, len: to! - from! })) };
    const out = run({ iter, maxsize: 0xf45d7, sgMax: 512, tableSize: 512 });
    expect(out.calls[0]).toMatchObject({ ret: 0xf45d7, nents: 247, count: 0, violated: [] });
    expect(out.table.every((e) => e.offset + e.len <= PS && e.len > 0)).toBe(true);
    expect(out.table[0]).toEqual({ page: 0, offset: 0x27, len: PS - 0x27 });
    expect(out.table[246]).toEqual({ page: 0xff, offset: 0xffd, len: 1 });
  });

  it('BVEC entries start inside a multi-page bvec: one entry per bio_vec piece, its offset past the first page', () => {
    const out = run({ iter: { type: 'BVEC', direction: 'DEST', segments: [{ page: 7, offset: 100, len: 3 * PS }, { page: 20, offset: 5, len: 10 }] }, tableSize: 3, calls: [{ maxsize: 5000, sgMax: 1 }, { maxsize: 7298, sgMax: 2 }] });
    expect(out.calls.map((c) => ('added' in c ? c.added : c))).toEqual([
      [{ page: 7, offset: 100, len: 5000 }],
      [{ page: 7, offset: 5100, len: 7288 }, { page: 20, offset: 5, len: 10 }],
    ]);
    expect(out.calls.flatMap((c) => c.violated)).toEqual([]);
  });

  it('XARRAY from a mid-page position across pages: every folio gets the first position\'s offset (inferred, SgTotalInv)', () => {
    const out = run({ iter: { type: 'XARRAY', direction: 'SOURCE', start: 6000, count: 8000 }, maxsize: 8000, sgMax: 4 });
    expect(out.calls[0]).toEqual({
      ret: 8000, sgMax: 4, nents: 4, count: 0, violated: ['SgTotalInv'],
      added: [{ page: 1, offset: 1904, len: 2192 }, { page: 2, offset: 1904, len: 2192 }, { page: 3, offset: 1904, len: 2192 }, { page: 4, offset: 1904, len: 1424 }],
    });
    // from a page-aligned position the same call is right
    expect(run({ iter: { type: 'XARRAY', direction: 'SOURCE', start: 8192, count: 8000 }, maxsize: 8000, sgMax: 4 }).calls[0]!.violated).toEqual([]);
  });
});

describe('bad scatterlist vectors are refused with the field named', () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['an unknown variant', { variant: 'v6.6', iter: { type: 'KVEC', direction: 'DEST', segments: [] }, maxsize: 1 }, /^variant: expected one of v7\.0\.7/],
    ['a DISCARD iterator', { iter: { type: 'DISCARD', direction: 'DEST', count: 4 }, maxsize: 1 }, /^iter\.type: .*-EIO/],
    ['a pre-existing entry without a page', { iter: { type: 'KVEC', direction: 'DEST', segments: [] }, preexisting: [{ offset: 0, len: 1 }], maxsize: 1 }, /^preexisting\[0\]\.page/],
    ['calls and maxsize together', { iter: { type: 'KVEC', direction: 'DEST', segments: [] }, maxsize: 1, calls: [{ maxsize: 1 }] }, /^calls: give either/],
    ['a table smaller than its entries', { iter: { type: 'KVEC', direction: 'DEST', segments: [] }, preexisting: [{ page: 1, offset: 0, len: 1 }], tableSize: 0, maxsize: 1 }, /^tableSize: 0 entries/],
  ];
  for (const [what, v, msg] of bad) {
    it(what, () => {
      const parsed = parseSgVector({ op: 'iter_to_sg', ...v });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatch(msg);
    });
  }

  it('a call asking for more entries than are unused, or more bytes than the iterator holds', () => {
    const p = parseSgVector({ op: 'iter_to_sg', iter: { type: 'KVEC', direction: 'DEST', segments: [{ addr: 0, len: 10 }] }, tableSize: 2, calls: [{ maxsize: 10, sgMax: 3 }] });
    expect(p.ok && runSgVector(p.value)).toMatchObject({ ok: false, error: expect.stringMatching(/^calls\[0\]\.sgMax: 3 is more than the 2 unused/) });
    const q = parseSgVector({ op: 'iter_to_sg', iter: { type: 'KVEC', direction: 'DEST', segments: [{ addr: 0, len: 10 }] }, maxsize: 11, sgMax: 1 });
    expect(q.ok && runSgVector(q.value)).toMatchObject({ ok: false, error: expect.stringMatching(/^calls\[0\]\.maxsize: 11 is more/) });
  });
});

describe('sgWorldCopy (the explorer forks a state with it)', () => {
  it('copies the world between calls, independently; a user-backed call in its loop cannot be copied', () => {
    const iter = iovIterIovec('DEST', [{ addr: PS + 100, len: 3 * PS }]);
    const w: SgWorld = { initial: iovIterClone(iter), iter, table: sgInitTable(8), ledger: newPinLedger(), pre: 0, call: undefined };
    const pin = ledgerPinner(w.ledger);
    sgCallStart(w, 2 * PS, 8, { pinUserPagesFast: pin });
    expect(sgWorldCopy(w)).toBeUndefined(); // the user path stops before its first round
    while (w.call?.phase === 'user') sgCallResume(w);
    const copy = sgWorldCopy(w)!;
    expect(copy).toEqual(w);
    const before = structuredClone({ ...w, call: { ...w.call, gen: undefined } });
    sgCallStart(copy, PS, 4, { pinUserPagesFast: ledgerPinner(copy.ledger) });
    while (copy.call?.phase === 'user') sgCallResume(copy);
    expect(copy.table.nents).toBeGreaterThan(w.table.nents);
    expect({ ...w, call: { ...w.call, gen: undefined } }).toEqual(before);
  });
});
