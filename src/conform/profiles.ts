// The validation profiles of `iterpin validate`: per spec, the inputs fast-check generates beyond the models'
// constants (real 4096-byte pages, eight pages and more, longer element lists, several bios, deeper pipes) as the
// constants the spec declares. Scalar constants are fixed per profile so many runs share one TLC batch; the
// set-valued ones (layouts, sizes, lengths) come from each run and are united over a batch.

import fc from 'fast-check';
import { tlaBool, tlaInt, tlaRecord, tlaSeq, tlaSet, tlaStr, type TlaValue } from '../tla/value.js';
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

const iovIterLayout: fc.Arbitrary<TlaValue> = fc.oneof(
  fc.tuple(dirs, seg).map(([d, s]) => layout('UBUF', d, [s], s.len)),
  fc.tuple(fc.constantFrom('IOVEC', 'KVEC'), dirs, fc.array(seg, { minLength: 1, maxLength: 10 })).map(([t, d, s]) => layout(t, d, s, sum(s))),
  fc.tuple(dirs, fc.array(bvec, { minLength: 1, maxLength: 10 })).map(([d, s]) => layout('BVEC', d, s, sum(s))),
  fc
    .tuple(dirs, fc.integer({ min: 0, max: 8 * PAGE }), bytes(8), fc.uniqueArray(fc.integer({ min: 0, max: 20 }), { maxLength: 4 }))
    .map(([d, start, count, holes]) => layout('XARRAY', d, [], count, start, holes)),
  bytes(8).map((count) => layout('DISCARD', 'DEST', [], count)),
);

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

export const PROFILES: Readonly<Record<string, ValidationProfile<unknown>>> = {
  IovIter: iovIterProfile as ValidationProfile<unknown>,
  Pipeline: pipelineProfile as ValidationProfile<unknown>,
  SpliceRead: spliceReadProfile as ValidationProfile<unknown>,
};
