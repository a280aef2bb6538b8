// The generic replay engine on a toy binding (a counter that must stay below a bound): every verdict of
// DESIGN.md "Replay" and the bad-trace checks, independent of the three kernel specs.
import { describe, it, expect } from 'vitest';
import { err, ok } from '../../src/shared/result.js';
import type { Binding } from '../../src/trace/binding.js';
import { replay } from '../../src/trace/replay.js';
import type { Trace, TraceMeta } from '../../src/tla/trace.js';
import { tlaInt, tlaRecord, tlaStr, type TlaValue } from '../../src/tla/value.js';

interface Counter {
  x: number;
  readonly limit: number;
}

const counter: Binding<Counter> = {
  spec: 'Counter',
  variants: ['safe', 'unsafe'],
  finalVariant: 'safe',
  actionArgs: { Init: [], Inc: ['by'] },
  vars: ['x', 'action'],
  init: (first, variant) => {
    const x = first.get('x');
    if (x?.kind !== 'int') return err('x is not an integer');
    return ok({ state: { x: Number(x.value), limit: variant === 'safe' ? 2 : 99 }, narration: [`x = ${x.value}`] });
  },
  step: (s, action) => {
    const by = action.args.get('by');
    if (by?.kind !== 'int') return err('by is not an integer');
    if (s.x + Number(by.value) > s.limit) return err(`inc(${by.value}) would pass the limit ${s.limit}`);
    s.x += Number(by.value);
    return ok({ state: s, narration: [`inc(${by.value}): x = ${s.x}`] });
  },
  abstract: (s) => new Map([['x', tlaInt(s.x)]]),
  violated: (s) => (s.x >= 2 ? ['BelowTwoInv'] : []),
};

const inc = (by: number): TlaValue => tlaRecord({ name: tlaStr('Inc'), by: tlaInt(by) });
const initAction = tlaRecord({ name: tlaStr('Init') });

function trace(xs: number[], meta: TraceMeta = {}, actions?: TlaValue[]): Trace {
  return {
    meta: { spec: 'Counter', ...meta },
    vars: ['x', 'action'],
    states: xs.map((x, i) => ({
      index: i,
      values: new Map([
        ['x', tlaInt(x)],
        ['action', actions?.[i] ?? (i === 0 ? initAction : inc(x - (xs[i - 1] ?? 0)))],
      ]),
    })),
  };
}

describe('replay engine', () => {
  it('reproduced: every state matches and the checker flags the trace invariant at the last step', () => {
    const r = replay(trace([0, 1, 2], { invariant: 'BelowTwoInv', variant: 'unsafe' }), counter);
    expect(r).toMatchObject({ verdict: 'reproduced', invariant: 'BelowTwoInv', step: 2, variant: 'unsafe' });
    expect(r.steps.map((s) => s.action)).toEqual(['Init()', 'Inc(by=1)', 'Inc(by=1)']);
    expect(r.steps[2]?.narration).toEqual(['inc(1): x = 2']);
  });

  it('conforms: no violation expected and none flagged', () => {
    expect(replay(trace([0, 1]), counter).verdict).toBe('conforms');
  });

  it('not-enabled: the implementation refuses a step, with its reason', () => {
    const r = replay(trace([0, 1, 2, 3], { invariant: 'BelowTwoInv' }), counter, { variant: 'safe' });
    expect(r).toMatchObject({ verdict: 'not-enabled', step: 3, action: 'Inc(by=1)', reason: 'inc(1) would pass the limit 2' });
  });

  it('diverged: a state differs, naming the variable', () => {
    const t = trace([0, 1, 2]);
    const edited: Trace = {
      ...t,
      states: t.states.map((s) => (s.index === 1 ? { ...s, values: new Map([...s.values, ['x', tlaInt(5)]]) } : s)),
    };
    const r = replay(edited, counter, { variant: 'unsafe' });
    expect(r).toMatchObject({ verdict: 'diverged', step: 1 });
    if (r.verdict === 'diverged') expect(r.differences[0]).toMatchObject({ path: 'x', expected: tlaInt(5), actual: tlaInt(1) });
  });

  it('diverged: the checker flags an invariant before the trace says, or not at all', () => {
    const early = replay(trace([0, 2, 3], { invariant: 'BelowTwoInv', variant: 'unsafe' }), counter);
    expect(early).toMatchObject({ verdict: 'diverged', step: 1 });
    const none = replay(trace([0, 1], { invariant: 'BelowTwoInv', variant: 'unsafe' }), counter);
    expect(none).toMatchObject({ verdict: 'diverged', step: 1 });
    if (none.verdict === 'diverged') expect(none.note).toMatch(/flags nothing/);
    const unexpected = replay(trace([0, 2], { variant: 'unsafe' }), counter);
    expect(unexpected).toMatchObject({ verdict: 'diverged', step: 1 });
  });

  it('only the invariants the model checked count (#meta.invariants)', () => {
    const r = replay(trace([0, 2, 3], { invariant: 'OtherInv', invariants: ['OtherInv'], variant: 'unsafe' }), counter);
    // BelowTwoInv is flagged but was not checked by the model; OtherInv is not flagged at the end.
    expect(r).toMatchObject({ verdict: 'diverged', step: 2 });
    if (r.verdict === 'diverged') expect(r.note).toMatch(/violates OtherInv here/);
  });

  it.each([
    ['another spec', { ...trace([0]), meta: { spec: 'IovIter' } }, /for spec IovIter, not Counter/],
    ['no states', { ...trace([0]), states: [] }, /no states/],
    ['a missing variable', { ...trace([0]), vars: ['action'] }, /missing x/],
    ['an unknown variable', { ...trace([0]), vars: ['x', 'y', 'action'] }, /unknown y/],
    ['an unknown action', trace([0, 1], {}, [initAction, tlaRecord({ name: tlaStr('Dec'), by: tlaInt(1) })]), /unknown action 'Dec'/],
    ['an unknown argument', trace([0, 1], {}, [initAction, tlaRecord({ name: tlaStr('Inc'), by: tlaInt(1), why: tlaInt(0) })]), /unknown argument why/],
    ['a missing argument', trace([0, 1], {}, [initAction, tlaRecord({ name: tlaStr('Inc') })]), /missing argument by/],
    ['an action that is not a record', trace([0], {}, [tlaStr('Init')]), /`action` is not a record/],
    ['a bad initial state', { ...trace([0]), states: [{ index: 0, values: new Map([['x', tlaStr('zero')], ['action', initAction]]) }] }, /not an initial state.*x is not an integer/],
  ])('bad-trace: %s', (_name, t, reason) => {
    const r = replay(t as Trace, counter);
    expect(r.verdict).toBe('bad-trace');
    if (r.verdict === 'bad-trace') expect(r.reason).toMatch(reason);
  });

  it('bad-trace: an unknown variant', () => {
    const r = replay(trace([0]), counter, { variant: 'v0' });
    expect(r).toMatchObject({ verdict: 'bad-trace' });
    if (r.verdict === 'bad-trace') expect(r.reason).toMatch(/unknown variant 'v0' for Counter \(known: safe, unsafe\)/);
  });

  it('a binding that throws never escapes: in init the trace is bad, in a step the implementation diverged there', () => {
    const fragile: Binding<Counter> = {
      ...counter,
      init: (first, variant) => {
        const x = first.get('x');
        if (x?.kind === 'int' && x.value < 0n) throw new RangeError(`no counter starts at ${x.value}`);
        return counter.init(first, variant);
      },
      step: (s, action) => {
        if (s.x === 1) throw new Error('cannot step from 1');
        return counter.step(s, action);
      },
    };
    const atInit = replay(trace([-1, 0]), fragile, { variant: 'unsafe' });
    expect(atInit).toMatchObject({ verdict: 'bad-trace' });
    if (atInit.verdict === 'bad-trace') expect(atInit.reason).toBe('state 0: the Counter binding cannot build an implementation state from it (it threw RangeError: no counter starts at -1)');
    const atStep = replay(trace([0, 1, 2]), fragile, { variant: 'unsafe' });
    expect(atStep).toMatchObject({ verdict: 'diverged', step: 2, action: 'Inc(by=1)', note: 'the implementation failed while running Inc(by=1): Error: cannot step from 1' });
    const reading: Binding<Counter> = { ...counter, abstract: () => { throw new TypeError('no state'); } };
    expect(replay(trace([0]), reading)).toMatchObject({ verdict: 'diverged', step: 0, note: 'the implementation failed while reading the implementation state back: TypeError: no state' });
  });

  describe('a liveness counterexample (a lasso)', () => {
    // The counter wraps around in the 'unsafe' variant's lasso judge: from x = 1 an Inc(by=-1) returns to x = 0.
    const looping: Binding<Counter> = {
      ...counter,
      judgeLasso: (l) => {
        const back = counter.step({ ...l.last }, { name: 'Inc', args: new Map([['by', tlaInt(-l.last.x)]]) });
        if (!back.ok) return err(back.error);
        return ok({ narration: ['x never reaches 2'], closing: { ...back.value, action: { name: 'Inc', args: new Map([['by', tlaInt(-l.last.x)]]) } } });
      },
    };
    const lasso = (xs: number[], meta: TraceMeta): Trace => trace(xs, { violation: 'liveness', property: 'ReachesTwoProp', ...meta });

    it('reproduced only when the binding takes the closing step back to the recorded state', () => {
      const r = replay(lasso([0, 1], { lasso: 'back-to-state', loopIndex: 0 }), looping, { variant: 'unsafe' });
      expect(r).toMatchObject({ verdict: 'reproduced', invariant: 'ReachesTwoProp', step: 1, lasso: { kind: 'back-to-state', loopIndex: 0 } });
      if (r.verdict === 'reproduced') expect(r.lasso?.narration).toEqual(['Inc(by=-1) returns to state 0: inc(-1): x = 0', 'x never reaches 2']);
      // ITF's own top-level `loop` (another tool's file) is read the same way.
      expect(replay(trace([0, 1], { loop: 0 }), looping, { variant: 'unsafe' }).verdict).toBe('reproduced');
    });

    it('unconfirmed when the closing step lands elsewhere, when the binding refuses, or when it has no judge', () => {
      const elsewhere = replay(lasso([0, 1, 1], { loopIndex: 1 }), looping, { variant: 'unsafe' });
      expect(elsewhere).toMatchObject({ verdict: 'unconfirmed', step: 2 });
      if (elsewhere.verdict === 'unconfirmed') expect(elsewhere.reason).toBe('the closing step Inc(by=-1) does not return to state 1: x differs (1 difference)');
      const refusing: Binding<Counter> = { ...counter, judgeLasso: () => err('not fair') };
      expect(replay(lasso([0, 1], { loopIndex: 1, lasso: 'stuttering' }), refusing)).toMatchObject({ verdict: 'unconfirmed', reason: 'not fair' });
      expect(replay(lasso([0, 1], { loopIndex: 1 }), counter)).toMatchObject({ verdict: 'unconfirmed', reason: 'the Counter binding does not judge lassos' });
      expect(replay(lasso([0, 1], {}), looping)).toMatchObject({ verdict: 'unconfirmed' });
    });

    it('a lasso field that does not fit the trace is a bad trace; an invariant flagged on the way is a divergence', () => {
      expect(replay(lasso([0, 1], { loopIndex: 2 }), looping)).toMatchObject({ verdict: 'bad-trace', reason: "the lasso's loop index 2 is not the index of a state (0..1)" });
      expect(replay(lasso([0, 1], { loopIndex: 0, lasso: 'stuttering' }), looping)).toMatchObject({ verdict: 'bad-trace' });
      expect(replay(lasso([0, 1, 2], { loopIndex: 0 }), looping, { variant: 'unsafe' })).toMatchObject({ verdict: 'diverged', step: 2 });
    });
  });
});
