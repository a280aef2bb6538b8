// TLC's exit-code table and the classification of a finished run into a runner-independent result.
import { describe, it, expect } from 'vitest';
import { classifyRun, tlcExitMeaning, TLC_EXIT, type ProcessEnd, type TlcOutputSummary } from '../../src/tlc/run.js';
import type { TraceState } from '../../src/tla/trace.js';
import { tlaInt } from '../../src/tla/value.js';

const end = (over: Partial<ProcessEnd> = {}): ProcessEnd => ({
  exitCode: 0,
  exitSignal: null,
  timedOut: false,
  seconds: 1.25,
  logFile: '/out/M.log',
  argv: ['java', '-tool'],
  ...over,
});

const state = (i: number): TraceState => ({ index: i, values: new Map([['x', tlaInt(i)]]) });

const summary = (over: Partial<TlcOutputSummary> = {}): TlcOutputSummary => ({
  tlcVersion: 'TLC2 Version 2.18 of 20 March 2023',
  stats: { generated: 30, distinct: 22, queue: 15 },
  depth: 4,
  trace: [state(0), state(1)],
  problems: [],
  ...over,
});

describe('tlcExitMeaning', () => {
  it('maps every documented TLC exit code', () => {
    expect(tlcExitMeaning(0)).toEqual({ kind: 'verdict', outcome: 'success' });
    expect(tlcExitMeaning(10)).toEqual({ kind: 'verdict', outcome: 'assumption' });
    expect(tlcExitMeaning(11)).toEqual({ kind: 'verdict', outcome: 'deadlock' });
    expect(tlcExitMeaning(12)).toEqual({ kind: 'verdict', outcome: 'safety' });
    expect(tlcExitMeaning(13)).toEqual({ kind: 'verdict', outcome: 'liveness' });
    expect(tlcExitMeaning(14)).toEqual({ kind: 'verdict', outcome: 'assert' });
    expect(tlcExitMeaning(150)).toEqual({ kind: 'error', problem: 'parse' });
    expect(tlcExitMeaning(151)).toEqual({ kind: 'error', problem: 'config' });
    expect(tlcExitMeaning(152)).toEqual({ kind: 'error', problem: 'state-space' });
    expect(tlcExitMeaning(153)).toEqual({ kind: 'error', problem: 'system' });
    expect(tlcExitMeaning(255)).toEqual({ kind: 'error', problem: 'other' });
  });

  it('treats codes TLC does not define (e.g. the JVM’s 1) as errors', () => {
    for (const c of [1, 2, 9, 15, 99, 137, 149, 154]) expect(tlcExitMeaning(c).kind).toBe('error');
  });

  it('has one table entry per named constant', () => {
    expect(Object.values(TLC_EXIT)).toEqual([0, 10, 11, 12, 13, 14, 150, 151, 152, 153, 255]);
  });
});

describe('classifyRun', () => {
  it('a safety violation keeps the invariant, counts and trace', () => {
    const r = classifyRun(end({ exitCode: 12 }), summary({ invariant: 'QueueBoundInv' }));
    expect(r.outcome).toBe('safety');
    expect(r.invariant).toBe('QueueBoundInv');
    expect(r.stats).toEqual({ generated: 30, distinct: 22, queue: 15 });
    expect(r.trace).toHaveLength(2);
    expect(r.problems).toEqual([]);
    expect(r.tlcVersion).toBe('TLC2 Version 2.18 of 20 March 2023');
  });

  it('a success carries the depth and no trace', () => {
    const r = classifyRun(end({ exitCode: 0 }), summary({ trace: [] }));
    expect(r).toMatchObject({ outcome: 'success', depth: 4, trace: [] });
  });

  it('the exit code decides the outcome even when the output claims a violation', () => {
    expect(classifyRun(end({ exitCode: 11 }), summary({ invariant: 'Foo' })).outcome).toBe('deadlock');
    expect(classifyRun(end({ exitCode: 11 }), summary({ invariant: 'Foo' })).invariant).toBeUndefined();
  });

  it('a time-out drops the (possibly cut-off) trace but keeps the last counts', () => {
    const r = classifyRun(end({ exitCode: null, exitSignal: 'SIGKILL', timedOut: true }), summary({ stats: undefined, lastProgress: { generated: 9, distinct: 8, queue: 7 } }));
    expect(r).toMatchObject({ outcome: 'timeout', trace: [], stats: { generated: 9, distinct: 8, queue: 7 } });
  });

  it('a parse error keeps the parser’s problems with their place', () => {
    const problem = { kind: 'parse' as const, message: 'Encountered "=" ', file: 'Bad.tla', line: 5, col: 14 };
    const r = classifyRun(end({ exitCode: 150 }), summary({ problems: [problem], trace: [] }));
    expect(r.outcome).toBe('error');
    expect(r.problems).toEqual([problem]);
  });

  it('an error exit without any parsed problem still names one, pointing at the log', () => {
    const r = classifyRun(end({ exitCode: 153 }), summary({ trace: [] }));
    expect(r.outcome).toBe('error');
    expect(r.problems[0]?.kind).toBe('system');
    expect(r.problems[0]?.message).toContain('/out/M.log');
  });

  it('death by a signal is a crash, not a verdict', () => {
    const r = classifyRun(end({ exitCode: null, exitSignal: 'SIGSEGV' }), summary());
    expect(r.outcome).toBe('error');
    expect(r.problems.at(-1)).toMatchObject({ kind: 'crash' });
    expect(r.trace).toEqual([]);
  });

  it('a cancelled run is an error and keeps no trace', () => {
    const r = classifyRun(end({ exitCode: null, exitSignal: 'SIGKILL', aborted: true }), summary());
    expect(r).toMatchObject({ outcome: 'error', trace: [] });
  });
});
