// A TLC run's counterexample as a Trace, with the #meta every writer records (check, review, tests).

import type { TlcRunResult } from './run.js';
import type { Trace, TraceMeta } from '../tla/trace.js';

export interface CounterexampleSource {
  readonly source: string; // "iterpin check" | "iterpin review"
  readonly spec: string;
  readonly model: string;
  readonly variant: string;
  readonly jarSha256: string;
  /** The invariants the model checked (its cfg's INVARIANT list); replay judges violations against these. */
  readonly invariants?: readonly string[];
}

/** Where a liveness counterexample's lasso closes, as #meta records it (see TraceMeta.loopIndex). */
export function lassoMeta(r: Pick<TlcRunResult, 'loop' | 'trace'>): Pick<TraceMeta, 'loopIndex' | 'lasso'> {
  if (r.loop === undefined || r.trace.length === 0) return {};
  // TLC numbers the stuttering pseudo-state after the last one; the lasso is the last state repeating.
  if (r.loop.kind === 'stuttering') return { lasso: 'stuttering', loopIndex: r.trace.length - 1 };
  return { lasso: 'back-to-state', loopIndex: r.loop.index };
}

export function traceFromRun(r: TlcRunResult, s: CounterexampleSource): Trace {
  const first = r.trace[0];
  const meta: TraceMeta = {
    format: 'ITF',
    source: s.source,
    spec: s.spec,
    model: s.model,
    variant: s.variant,
    ...(r.invariant !== undefined ? { invariant: r.invariant } : {}),
    ...(r.outcome !== 'safety' ? { violation: r.outcome } : {}),
    ...(r.property !== undefined ? { property: r.property } : {}),
    ...lassoMeta(r),
    ...(r.tlcVersion !== undefined ? { tlcVersion: r.tlcVersion } : {}),
    jarSha256: s.jarSha256,
    ...(s.invariants !== undefined ? { invariants: s.invariants } : {}),
  };
  return { meta, vars: first !== undefined ? [...first.values.keys()] : [], states: r.trace };
}
