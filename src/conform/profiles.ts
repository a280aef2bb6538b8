// The validation profiles of `iterpin validate`: per spec, the inputs fast-check generates beyond the models'
// constants (real 4096-byte pages, eight pages and more, longer element lists, several bios, deeper pipes) as the
// constants the spec declares. Scalar constants are fixed per profile so many runs share one TLC batch; the
// set-valued ones (layouts, sizes, lengths) come from each run and are united over a batch.

import fc from 'fast-check';
import { tlaBool, tlaFn, tlaInt, tlaRecord, tlaSeq, tlaSet, tlaStr, type TlaValue } from '../tla/value.js';
import type { Constants } from '../trace/binding.js';
import type { ValidationProfile } from './validate.js';

const PAGE = 4096;
const ints = (xs: readonly number[]): TlaValue => tlaSet([...new Set(xs)].map((x) => tlaInt(x)));
/** Byte counts around page boundaries, and anywhere up to `pages` pages. */
const bytes = (pages: number): fc.Arbitrary<number> =>
  fc.oneof(fc.integer({ min: 0, max: pages * PAGE }), fc.constantFrom(0, 1, PAGE - 1, PAGE, PAGE + 1, 2 * PAGE, 3 * PAGE - 7, pages * PAGE));

// ---- IovIter ----

interface IovIterParams {
  readonly layout: TlaValue;
  readonly sizes: readonly number[];
  readonly steps: readonly number[];
}

const seg = fc.record({ addr: fc.integer({ min: 0, max: 16 * PAGE }), len: fc.oneof(fc.constant(0), bytes(3)) });
const bvec = fc.record({ page: fc.integer({ min: 0, max: 15 }), offset: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: PAGE - 1 })), len: fc.oneof(fc.constant(0), bytes(3)) });

function layout(type: string, dir: string, segs: readonly Record<string, number>[], count: number, start = 0, holes: readonly number[] = []): TlaValue {
  return tlaRecord([
    ['type', tlaStr(type)],
    ['dir', tlaStr(type === 'DISCARD' ? 'DEST' : dir)],
    ['pageSize', tlaInt(PAGE)],
    ['segs', tlaSeq(segs.map((s) => tlaRecord(Object.entries(s).map(([k, v]) => [k, tlaInt(v)] as const))))],
    ['start', tlaInt(start)],
    ['count', tlaInt(count)],
    ['holes', ints(holes)],
  ]);
}

const sum = (xs: readonly { len: number }[]): number => xs.reduce((n, x) => n + x.len, 0);
const dirs = fc.constantFrom('SOURCE', 'DEST');

/** IovIter layout records of the memory-backed types (what IterToSg extracts from) over 4096-byte pages. */
const memoryLayouts: fc.Arbitrary<TlaValue>[] = [
  fc.tuple(dirs, seg).map(([d, s]) => layout('UBUF', d, [s], s.len)),
  fc.tuple(fc.constantFrom('IOVEC', 'KVEC'), dirs, fc.array(seg, { minLength: 1, maxLength: 10 })).map(([t, d, s]) => layout(t, d, s, sum(s))),
  fc.tuple(dirs, fc.array(bvec, { minLength: 1, maxLength: 10 })).map(([d, s]) => layout('BVEC', d, s, sum(s))),
  fc
    .tuple(dirs, fc.integer({ min: 0, max: 8 * PAGE }), bytes(8), fc.uniqueArray(fc.integer({ min: 0, max: 20 }), { maxLength: 4 }))
    .map(([d, start, count, holes]) => layout('XARRAY', d, [], count, start, holes)),
];

const iovIterLayout: fc.Arbitrary<TlaValue> = fc.oneof(...memoryLayouts, bytes(8).map((count) => layout('DISCARD', 'DEST', [], count)));

export const iovIterProfile: ValidationProfile<IovIterParams> = {
  spec: 'IovIter',
  params: fc.record({
    layout: iovIterLayout,
    sizes: fc.array(bytes(10), { minLength: 1, maxLength: 2 }),
    steps: fc.array(fc.oneof(fc.integer({ min: 1, max: 64 }), bytes(4)), { minLength: 1, maxLength: 3 }),
  }),
  constants(p, variant): Constants {
    return new Map<string, TlaValue>([
      ['PS', tlaInt(PAGE)],
      ['Layouts', tlaSet([p.layout])],
      ['Sizes', ints(p.sizes)],
      // Fixed, so every run of a batch has the same MaxPageCount (the pin limits Extract is tried with).
      ['PageCounts', ints([1, 2, 8, 16])],
      ['Steps', ints(p.steps)],
      ['Allocs', tlaSet(['caller', 'alloc', 'fail'].map(tlaStr))],
      ['Variant', tlaStr(variant)],
    ]);
  },
  maxSteps: 12, // TLC's Next over 4096-byte pages is costly: short runs, many of them
};

// ---- Pipeline ----

export const pipelineProfile: ValidationProfile<{ readonly items: number }> = {
  spec: 'Pipeline',
  params: fc.record({ items: fc.integer({ min: 1, max: 12 }) }),
  constants(p, variant) {
    return new Map<string, TlaValue>([
      ['Items', ints(Array.from({ length: p.items }, (_, k) => k + 1))],
      ['Capacity', tlaInt(5)],
      ['Variant', tlaStr(variant)],
    ]);
  },
  maxSteps: 30,
};

// ---- SpliceRead ----

interface SpliceParams {
  readonly fileSize: number;
  readonly spliceLen: number;
  readonly truncs: readonly number[];
  readonly offsetBlock: number;
  readonly occupancy: number;
  readonly tail: number;
}

const RING = 4;
const OTHER = 2;

export const spliceReadProfile: ValidationProfile<SpliceParams> = {
  spec: 'SpliceRead',
  params: fc.record({
    fileSize: bytes(6),
    spliceLen: fc.integer({ min: 1, max: 6 * PAGE }),
    truncs: fc.array(bytes(6), { minLength: 1, maxLength: 3 }),
    offsetBlock: fc.integer({ min: 0, max: 5 }),
    occupancy: fc.integer({ min: 0, max: RING - 1 }),
    tail: fc.integer({ min: 0, max: 2 * RING }),
  }),
  constants(p, variant) {
    return new Map<string, TlaValue>([
      ['Variant', tlaStr(variant)],
      ['PageSize', tlaInt(PAGE)],
      ['MaxUsage', tlaInt(RING)],
      ['Pages', ints(Array.from({ length: RING + OTHER }, (_, k) => k + 1))],
      ['FileSizes', ints([p.fileSize])],
      ['SpliceLens', ints([p.spliceLen])],
      ['TruncSizes', ints(p.truncs)],
      ['OtherMax', tlaInt(OTHER)],
      ['Offsets', ints([p.offsetBlock * PAGE])],
      ['Occupancies', ints([p.occupancy])],
      ['PipeTails', ints([p.tail])],
      ['AllocFailures', tlaBool(true)],
    ]);
  },
  maxSteps: 30,
};

// ---- IterToSg ----

interface IterToSgParams {
  readonly layout: TlaValue;
  readonly pre: number;
  readonly sizes: readonly number[];
  readonly sgMaxes: readonly number[];
}

/** Entries in the caller's scatterlist array: room for a call over eight pages and more. */
const SG_CAP = 16;

export const iterToSgProfile: ValidationProfile<IterToSgParams> = {
  spec: 'IterToSg',
  params: fc.record({
    layout: fc.oneof(...memoryLayouts),
    pre: fc.integer({ min: 0, max: 3 }),
    sizes: fc.array(fc.integer({ min: 1, max: 10 * PAGE }), { minLength: 1, maxLength: 2 }),
    sgMaxes: fc.array(fc.integer({ min: 0, max: SG_CAP }), { minLength: 1, maxLength: 3 }),
  }),
  constants(p, variant) {
    return new Map<string, TlaValue>([
      ['PS', tlaInt(PAGE)],
      ['Layouts', tlaSet([p.layout])],
      // Every page an iterator of the profile can name (user addresses and bvecs reach below page 40).
      ['Pages', ints(Array.from({ length: 41 }, (_, k) => k))],
      ['PreCounts', ints([p.pre])],
      ['Cap', tlaInt(SG_CAP)],
      ['SgPtrs', tlaInt(4)],
      ['Sizes', ints(p.sizes)],
      ['SgMaxes', ints(p.sgMaxes)],
      ['Variant', tlaStr(variant)],
    ]);
  },
  maxSteps: 12,
};

// ---- PageLifetime ----

interface PageLifetimeParams {
  readonly layout: TlaValue;
}

const ZERO_PAGE = 1;
const USER_BASE = 10; // user virtual page v is backed by page USER_BASE + v unless it shares or maps the zero page
const KERNEL_BASE = 40; // kernel pages KERNEL_BASE.., physically adjacent

interface LayoutElem {
  readonly page: number;
  readonly off: number;
  readonly len: number;
}

/** A contiguous range of `total` bytes from `off` in page `first` as per-page elements, at most `pages` pages. */
function rangeElems(first: number, off: number, total: number, pages: number): LayoutElem[] {
  const out: LayoutElem[] = [];
  for (let page = first, at = off % PAGE, left = total; left > 0 && page < first + pages; page++, at = 0) {
    const len = Math.min(left, PAGE - at);
    out.push({ page, off: at, len });
    left -= len;
  }
  return out;
}

/** One element inside a page: an offset and a length that stay in it. */
const inPage = fc.record({ slot: fc.nat(), off: fc.oneof(fc.constantFrom(0, 512, 2048, PAGE - 1), fc.integer({ min: 0, max: PAGE - 1 })), len: fc.oneof(fc.constantFrom(1, 512, 2048, PAGE), fc.integer({ min: 1, max: PAGE })) });

const dioArb = fc.record({
  type: fc.constantFrom('UBUF', 'IOVEC', 'KVEC', 'BVEC', 'XARRAY'),
  dir: dirs,
  maxVecs: fc.integer({ min: 1, max: 4 }),
  first: fc.nat(),
  off: fc.oneof(fc.constantFrom(0, 2048), fc.integer({ min: 0, max: PAGE - 1 })),
  total: fc.oneof(fc.constantFrom(1, PAGE, 2 * PAGE, 8 * PAGE), fc.integer({ min: 1, max: 10 * PAGE })),
  elems: fc.array(inPage, { minLength: 1, maxLength: 8 }),
});

/**
 * A PageLifetime layout (spec/PageLifetime.tla's layout record) from raw choices: `vpages` user pages (each its
 * own page, the previous one's page again, the zero page of a never-written buffer, or not mapped), `kpages`
 * kernel pages their owner holds, and one to three DIOs of any type, direction and bi_max_vecs. A read into a
 * zero-page mapping would break COW, which the spec leaves out: such a DIO writes instead.
 */
type DioChoice = typeof dioArb extends fc.Arbitrary<infer T> ? T : never;

function dioLayout(vmap: readonly number[], kpages: number, dios: readonly DioChoice[]): TlaValue {
  const vpages = vmap.length;
  // 0: its own page; 1: the previous user page's frame again (its own when there is none); 2: the zero page; 3: not mapped.
  const resolved: number[] = [];
  for (const [k, m] of vmap.entries()) {
    const prev = resolved[k - 1] ?? 0;
    resolved.push(m === 1 && prev >= USER_BASE ? prev : m === 2 ? ZERO_PAGE : m === 3 ? 0 : USER_BASE + k + 1);
  }
  const userPages = [...new Set(resolved.filter((p) => p >= USER_BASE))];
  const kind: (readonly [TlaValue, TlaValue])[] = [
    [tlaInt(ZERO_PAGE), tlaStr('zero')],
    ...userPages.sort((a, b) => a - b).map((p) => [tlaInt(p), tlaStr('user')] as const),
    ...Array.from({ length: kpages }, (_, k) => [tlaInt(KERNEL_BASE + k), tlaStr('kernel')] as const),
  ];
  const iters = dios.map((d) => {
    const user = d.type === 'UBUF' || d.type === 'IOVEC';
    const npages = user ? vpages : kpages;
    const base = user ? 1 : KERNEL_BASE;
    let elems: LayoutElem[];
    if (d.type === 'UBUF' || d.type === 'XARRAY') {
      const first = d.first % npages;
      elems = rangeElems(base + first, d.off, d.total, npages - first);
    } else {
      elems = d.elems.map((e) => ({ page: base + (e.slot % npages), off: e.off, len: Math.min(e.len, PAGE - e.off) }));
    }
    // The spec's NoCowInLayouts reads the kind of every page a user read maps: none is the zero page or unmapped.
    const noRead = user && elems.some((e) => resolved[e.page - 1] === ZERO_PAGE || resolved[e.page - 1] === 0);
    const dir = noRead ? 'SOURCE' : d.dir;
    return tlaRecord([
      ['type', tlaStr(d.type)],
      ['dir', tlaStr(dir)],
      ['maxVecs', tlaInt(d.maxVecs)],
      ['elems', tlaSeq(elems.map((e) => tlaRecord([['page', tlaInt(e.page)], ['off', tlaInt(e.off)], ['len', tlaInt(e.len)]])))],
    ]);
  });
  return tlaRecord([
    ['kind', tlaFn(kind)],
    ['mapping', tlaFn(resolved.map((p, k) => [tlaInt(k + 1), tlaInt(p)] as const))],
    ['iter', tlaFn(iters.map((it, k) => [tlaInt(k + 1), it] as const))],
    ['owned', ints(Array.from({ length: kpages }, (_, k) => KERNEL_BASE + k))],
  ]);
}

export const pageLifetimeProfile: ValidationProfile<PageLifetimeParams> = {
  spec: 'PageLifetime',
  params: fc
    .tuple(
      fc.array(fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, fc.constantFrom(1, 2, 3)), { minLength: 8, maxLength: 12 }),
      fc.integer({ min: 2, max: 8 }),
      fc.array(dioArb, { minLength: 1, maxLength: 3 }),
    )
    .map(([vmap, kpages, dios]) => ({ layout: dioLayout(vmap, kpages, dios) })),
  constants(p, variant) {
    return new Map<string, TlaValue>([
      ['Variant', tlaStr(variant)],
      ['PageSize', tlaInt(PAGE)],
      ['Bias', tlaInt(1024)],
      ['ZeroBase', tlaInt(1)],
      ['Layouts', tlaSet([p.layout])],
      ['Inject', tlaSet(['gup', 'add', 'alloc'].map(tlaStr))],
    ]);
  },
  maxSteps: 40,
  // TLC's PageLifetime over a hundred layouts at once ran out of a 512 MB heap here; twenty at a time takes seconds.
  batch: 20,
};

export const PROFILES: Readonly<Record<string, ValidationProfile<unknown>>> = {
  PageLifetime: pageLifetimeProfile as ValidationProfile<unknown>,
  IterToSg: iterToSgProfile as ValidationProfile<unknown>,
  IovIter: iovIterProfile as ValidationProfile<unknown>,
  Pipeline: pipelineProfile as ValidationProfile<unknown>,
  SpliceRead: spliceReadProfile as ValidationProfile<unknown>,
};
