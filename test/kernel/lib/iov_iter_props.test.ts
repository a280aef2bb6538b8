// Property tests of the reference iov_iter: random iterators of every type (with empty elements) and random
// operation sequences, checked after every step by the implementation's own invariant checker; each bug
// variant must be caught by a counterexample.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseItfText } from '../../../src/tla/itf.js';
import type { TlaValue } from '../../../src/tla/value.js';
import {
  iovIterBvec,
  iovIterDiscard,
  iovIterIovec,
  iovIterKvec,
  iovIterUbuf,
  iovIterXarray,
  type BioVec,
  type IovIter,
  type Iovec,
} from '../../../src/kernel/lib/iov_iter.js';
import {
  iovIterExtractPages,
  makeUserPinner,
  VARIANT_OPTIONS,
  type IovIterVariant,
} from '../../../src/kernel/lib/iov_iter_extract.js';
import {
  isForwardMove,
  startMonitor,
  stepMonitor,
  violatedInvariants,
  type IovIterInvariant,
  type PagesMode,
  type IterOp,
  type Monitored,
} from '../../../src/kernel/lib/iov_iter_check.js';

/** A plain description of an iterator (iterators are mutable, so each run builds its own). */
type IterDesc =
  | { type: 'UBUF' | 'IOVEC' | 'KVEC'; ps: number; dir: 'SOURCE' | 'DEST'; segs: Iovec[] }
  | { type: 'BVEC'; ps: number; dir: 'SOURCE' | 'DEST'; segs: BioVec[] }
  | { type: 'XARRAY'; ps: number; dir: 'SOURCE' | 'DEST'; start: number; count: number; holes?: number[] }
  | { type: 'DISCARD'; ps: number; count: number };

function build(d: IterDesc): IovIter {
  const o = { pageSize: d.ps };
  switch (d.type) {
    case 'UBUF': {
      const s = d.segs[0] ?? { addr: 0, len: 0 };
      return iovIterUbuf(d.dir, s.addr, s.len, o);
    }
    case 'IOVEC':
      return iovIterIovec(d.dir, d.segs, d.segs.length, undefined, o);
    case 'KVEC':
      return iovIterKvec(d.dir, d.segs, d.segs.length, undefined, o);
    case 'BVEC':
      return iovIterBvec(d.dir, d.segs, d.segs.length, undefined, o);
    case 'XARRAY':
      return iovIterXarray(d.dir, { holes: new Set(d.holes ?? []) }, d.start, d.count, o);
    case 'DISCARD':
      return iovIterDiscard('DEST', d.count, o);
  }
}

/** Lengths: empty elements are frequent, the rest span up to a few small pages. */
const lenArb = fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.nat(20) });
const dirArb = fc.constantFrom<'SOURCE' | 'DEST'>('SOURCE', 'DEST');
const iovecsArb = fc.array(fc.record({ addr: fc.nat(40), len: lenArb }), { maxLength: 5 });

function iterArb(opts: { maxLeadingEmptyBvecs?: number } = {}): fc.Arbitrary<IterDesc> {
  return fc.constantFrom(4, 8).chain((ps) => {
    const bvecs = fc
      .array(fc.record({ page: fc.nat(30), offset: fc.nat(ps - 1), len: lenArb }), { maxLength: 5 })
      .filter((segs) => {
        const lead = segs.findIndex((s) => s.len > 0);
        const leading = lead === -1 ? segs.length : lead;
        return opts.maxLeadingEmptyBvecs === undefined || leading <= opts.maxLeadingEmptyBvecs;
      });
    return fc.oneof(
      fc.record({ type: fc.constant('UBUF' as const), ps: fc.constant(ps), dir: dirArb, segs: fc.tuple(fc.record({ addr: fc.nat(40), len: lenArb })).map((t) => [...t]) }),
      fc.record({ type: fc.constant('IOVEC' as const), ps: fc.constant(ps), dir: dirArb, segs: iovecsArb }),
      fc.record({ type: fc.constant('KVEC' as const), ps: fc.constant(ps), dir: dirArb, segs: iovecsArb }),
      fc.record({ type: fc.constant('BVEC' as const), ps: fc.constant(ps), dir: dirArb, segs: bvecs }),
      fc.record({ type: fc.constant('XARRAY' as const), ps: fc.constant(ps), dir: dirArb, start: fc.nat(40), count: fc.nat(40) }),
      fc.record({ type: fc.constant('DISCARD' as const), ps: fc.constant(ps), count: fc.nat(20) }),
    );
  });
}

/** Operations: revert amounts are chosen relative to what has been consumed, as callers do. */
type OpDesc =
  | { kind: 'advance'; n: number }
  | { kind: 'revertLast' }
  | { kind: 'revertSome'; frac: number }
  | { kind: 'extract'; maxsize: number; maxpages: number; pinLimit: number | null; alloc?: PagesMode };

const opArb: fc.Arbitrary<OpDesc> = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), n: fc.nat(24) }),
  fc.record({ kind: fc.constant('revertLast' as const) }),
  fc.record({ kind: fc.constant('revertSome' as const), frac: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant('extract' as const),
    maxsize: fc.oneof(fc.nat(12), fc.constant(1000)),
    maxpages: fc.integer({ min: 1, max: 4 }),
    pinLimit: fc.option(fc.nat(4)),
    alloc: fc.constantFrom<PagesMode>('caller', 'caller', 'alloc', 'fail'),
  }),
  fc.record({ kind: fc.constant('extract' as const), maxsize: fc.constant(1000), maxpages: fc.constant(8), pinLimit: fc.constant(null) }),
);
const opsArb = fc.array(opArb, { maxLength: 12 });

function toOp(m: Monitored, d: OpDesc): IterOp | undefined {
  const consumed = m.total - m.iter.count;
  switch (d.kind) {
    case 'advance':
      return { name: 'Advance', n: d.n };
    case 'revertLast':
      return isForwardMove(m.fwd) && m.fwd.moved > 0 && m.fwd.moved <= consumed ? { name: 'Revert', n: m.fwd.moved } : undefined;
    case 'revertSome':
      return consumed > 0 ? { name: 'Revert', n: 1 + Math.floor(d.frac * (consumed - 1)) } : undefined;
    case 'extract':
      return {
        name: 'Extract',
        maxsize: d.maxsize,
        maxpages: d.maxpages,
        ...(d.pinLimit === null ? {} : { pinLimit: d.pinLimit }),
        ...(d.alloc === undefined ? {} : { alloc: d.alloc }),
      };
  }
}

interface Violation {
  step: number;
  op: IterOp;
  invariants: IovIterInvariant[];
}

/** Runs the operations, checking every state; the first violation, if any. */
function firstViolation(d: IterDesc, ops: readonly OpDesc[], variant: IovIterVariant): Violation | undefined {
  let m = startMonitor(build(d));
  const initial = violatedInvariants(m, VARIANT_OPTIONS[variant]);
  if (initial.length > 0) return { step: 0, op: { name: 'Advance', n: 0 }, invariants: initial };
  for (const [k, od] of ops.entries()) {
    const op = toOp(m, od);
    if (op === undefined) continue;
    m = stepMonitor(m, op, VARIANT_OPTIONS[variant]);
    const bad = violatedInvariants(m, VARIANT_OPTIONS[variant]);
    if (bad.length > 0) return { step: k + 1, op, invariants: bad };
  }
  return undefined;
}

const SEED = 20230207;

describe('iov_iter invariants under random operation sequences', () => {
  it('v6.6: after every advance, revert and extraction all invariants hold', () => {
    fc.assert(
      fc.property(iterArb(), opsArb, (d, ops) => firstViolation(d, ops, 'v6.6') === undefined),
      { numRuns: 3000, seed: SEED },
    );
  });

  it('v6.12: all invariants hold when at most one empty bvec starts the array', () => {
    fc.assert(
      fc.property(iterArb({ maxLeadingEmptyBvecs: 1 }), opsArb, (d, ops) => firstViolation(d, ops, 'v6.12') === undefined),
      { numRuns: 3000, seed: SEED },
    );
  });

  it('user-backed extraction pins exactly the pages it returns, once each', () => {
    const userArb = iterArb().filter((d) => d.type === 'UBUF' || d.type === 'IOVEC');
    const callArb = fc.array(fc.record({ maxsize: fc.nat(30), maxpages: fc.integer({ min: 1, max: 4 }) }), { maxLength: 6 });
    fc.assert(
      fc.property(userArb, callArb, fc.option(fc.nat(6)), (d, calls, failAfter) => {
        const iter = build(d);
        const pinner = makeUserPinner(failAfter === null ? {} : { failAfter });
        const returned: number[] = [];
        for (const c of calls) {
          const r = iovIterExtractPages(iter, c.maxsize, c.maxpages, 0, { pinUserPagesFast: pinner.pinUserPagesFast });
          if (typeof r.ret === 'number') returned.push(...r.pages);
        }
        expect(pinner.pinned).toEqual(returned);
      }),
      { numRuns: 1500, seed: SEED },
    );
  });
});

/** Every bug variant: a property that must fail, and the invariant the first counterexample breaks. */
const BUGS: readonly [IovIterVariant, IovIterInvariant][] = [
  ['bug-clobber-maxsize', 'NoStallInv'],
  ['bug-no-skip-empty', 'NoStallInv'],
  ['bug-kvec-offset', 'ExtractCoversStreamInv'],
  ['bug-bvec-size-plus-skip', 'ExtractContractInv'],
  ['bug-bvec-alloc-unchecked', 'PageArrayBoundInv'],
];

describe('each bug variant is caught by a counterexample', () => {
  for (const [variant, invariant] of BUGS) {
    it(`${variant}: "all invariants hold" fails, and the counterexample breaks ${invariant}`, () => {
      const result = fc.check(
        fc.property(iterArb(), opsArb, (d, ops) => firstViolation(d, ops, variant) === undefined),
        { numRuns: 5000, seed: SEED },
      );
      expect(result.failed).toBe(true);
      const [d, ops] = result.counterexample ?? [];
      expect(d).toBeDefined();
      const v = firstViolation(d as IterDesc, ops as OpDesc[], variant);
      expect(v?.invariants).toContain(invariant);
      // The same operations on the final design are fine: the counterexample is about the variant.
      expect(firstViolation(d as IterDesc, ops as OpDesc[], 'v6.6')).toBeUndefined();
    });
  }

  it('v6.12 with two empty bvecs first: "all invariants hold" fails on NoStallInv (an inferred defect)', () => {
    const result = fc.check(
      fc.property(iterArb(), opsArb, (d, ops) => firstViolation(d, ops, 'v6.12') === undefined),
      { numRuns: 5000, seed: SEED },
    );
    expect(result.failed).toBe(true);
    const [d, ops] = result.counterexample ?? [];
    expect((d as IterDesc).type).toBe('BVEC');
    expect(firstViolation(d as IterDesc, ops as OpDesc[], 'v6.12')?.invariants).toContain('NoStallInv');
  });
});

// ---- the checked-in TLC counterexamples as fast-check examples ----

/** A TLA+ value as plain JSON-ish data (ints as numbers), enough to read layouts and actions. */
function plain(v: TlaValue): unknown {
  switch (v.kind) {
    case 'int':
      return Number(v.value);
    case 'str':
      return v.value;
    case 'bool':
      return v.value;
    case 'seq':
    case 'set':
      return v.elems.map(plain);
    case 'record':
      return Object.fromEntries(v.fields.map(([k, x]) => [k, plain(x)]));
    default:
      return undefined;
  }
}

/** The iterator and operations of a fixture trace, in the shapes the properties draw. */
function exampleOf(model: string): [IterDesc, OpDesc[]] {
  const file = join(import.meta.dirname, '..', '..', 'fixtures', 'traces', `${model}.itf.json`);
  const trace = parseItfText(readFileSync(file, 'utf8'));
  if (!trace.ok) throw new Error(trace.error.message);
  const [first, ...rest] = trace.value.states;
  const l = plain(first!.values.get('layout')!) as { type: string; dir: 'SOURCE' | 'DEST'; pageSize: number; segs: never[]; start: number; count: number; holes: number[] };
  const d = (l.type === 'XARRAY'
    ? { type: 'XARRAY', ps: l.pageSize, dir: l.dir, start: l.start, count: l.count, holes: l.holes }
    : l.type === 'DISCARD'
      ? { type: 'DISCARD', ps: l.pageSize, count: l.count }
      : { type: l.type, ps: l.pageSize, dir: l.dir, segs: l.segs }) as IterDesc;
  const ops = rest.map((s) => {
    const a = plain(s.values.get('action')!) as { name: string; n: number; maxsize: number; maxpages: number; pinLimit: number; alloc: PagesMode };
    if (a.name === 'Advance') return { kind: 'advance', n: a.n } as const;
    if (a.name === 'Extract') {
      const pinLimit = d.type === 'UBUF' || d.type === 'IOVEC' ? a.pinLimit : null;
      return { kind: 'extract', maxsize: a.maxsize, maxpages: a.maxpages, pinLimit, alloc: a.alloc } as const;
    }
    throw new Error(`${model}: no example form for ${a.name}`);
  });
  return [d, ops];
}

describe('the TLC counterexamples seed the properties', () => {
  const cases: [string, IovIterVariant, IovIterInvariant][] = [
    ['MCIovIterBugClobberMaxsize', 'bug-clobber-maxsize', 'NoStallInv'],
    ['MCIovIterBugNoSkipEmpty', 'bug-no-skip-empty', 'NoStallInv'],
    ['MCIovIterBugKvecOffset', 'bug-kvec-offset', 'ExtractCoversStreamInv'],
    ['MCIovIterBugBvecSizePlusSkip', 'bug-bvec-size-plus-skip', 'ExtractContractInv'],
    ['MCIovIterBugBvecAllocUnchecked', 'bug-bvec-alloc-unchecked', 'PageArrayBoundInv'],
    ['MCIovIterV612LeadingEmpties', 'v6.12', 'NoStallInv'],
  ];
  for (const [model, variant, invariant] of cases) {
    it(`${model}: as an example it fails "all invariants hold" on ${variant} (${invariant}, at its last step) and passes on v6.6`, () => {
      const example = exampleOf(model);
      const result = fc.check(
        fc.property(iterArb(), opsArb, (d, ops) => firstViolation(d, ops, variant) === undefined),
        { numRuns: 1, seed: SEED, examples: [example] },
      );
      expect(result.failed).toBe(true);
      expect(result.counterexample).toEqual(example);
      const v = firstViolation(example[0], example[1], variant);
      expect(v?.invariants[0]).toBe(invariant);
      expect(v?.step).toBe(example[1].length);
      expect(firstViolation(example[0], example[1], 'v6.6')).toBeUndefined();
    });
  }
});
