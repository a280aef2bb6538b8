// The review matrix: for each spec, every variant against every invariant, with each violation replayed on
// its own variant and on the spec's final design. Pure data plus the agreement rule with the manifest.

import type { Expectation } from '../manifest/manifest.js';
import type { ReplayVerdict } from '../trace/report.js';
import type { SampledRecord } from './sampled.js';

export type CellStatus = 'holds' | 'violated' | 'error' | 'timeout';

export interface ReviewCell {
  readonly invariant: string;
  readonly status: CellStatus;
  /** Number of states of the counterexample (violated). */
  readonly length?: number;
  /** Distinct states TLC explored for this cell. */
  readonly distinct?: number;
  /** The counterexample replayed on its own variant. */
  readonly replayOwn?: ReplayVerdict;
  /** The counterexample replayed on the spec's final design, and the step where that verdict was reached. */
  readonly replayFinal?: ReplayVerdict;
  readonly replayFinalStep?: number;
  /**
   * The counterexample's actions run on the final design (`replay --against`): where the two designs part, in
   * kernel terms, what the final design refuses, and whether the invariant holds on it.
   */
  readonly onFinal?: {
    readonly verdict: 'same' | 'parts' | 'refused' | 'bad-trace';
    readonly summary: string;
    /** The invariant holds in every state the final design reached. */
    readonly invariantHolds: boolean;
  };
  /** The ITF file of the counterexample. */
  readonly trace?: string;
  /** TLC's message when status is error. */
  readonly message?: string;
}

export interface ReviewRow {
  readonly variant: string;
  readonly final: boolean;
  /**
   * The final-design model whose configuration the row runs (with the variant in place of the final design): the
   * one of the same configuration as the variant's own model, else the spec's first (run.ts rowBase).
   */
  readonly model?: string;
  readonly cells: readonly ReviewCell[];
  /** The manifest models of this variant over the same model shape (what `iterpin check` runs). */
  readonly expects: readonly { readonly model: string; readonly expect: Expectation }[];
  /** Whether the row agrees with the manifest and every replay verdict is the expected one. */
  readonly agrees: boolean;
  /** Why not, when it does not. */
  readonly disagreements: readonly string[];
  /** TLC runs made for the row, and runs answered from the cache. */
  readonly tlcRuns?: number;
  readonly cacheHits?: number;
}

export interface ReviewSpec {
  readonly spec: string;
  readonly finalVariant: string;
  /** The spec's first default-tier final-design model: the rows run on it unless their own says otherwise. */
  readonly model?: string;
  readonly invariants: readonly string[];
  readonly rows: readonly ReviewRow[];
  /** The spec's sampled models: not run by the review, shown with their last recorded sampled result. */
  readonly sampled?: readonly SampledRecord[];
}

export interface ReviewReport {
  readonly specs: readonly ReviewSpec[];
  readonly seconds: number;
  readonly ok: boolean;
  /** TLC runs made, and runs answered from the result cache. */
  readonly tlcRuns?: number;
  readonly cacheHits?: number;
}

/** The rule a row must satisfy: see DESIGN.md "Replay" and the manifest's expectations. */
export function disagreements(
  cells: readonly ReviewCell[],
  final: boolean,
  expects: readonly { readonly model: string; readonly expect: Expectation }[],
): string[] {
  const out: string[] = [];
  for (const c of cells) {
    if (c.status === 'error' || c.status === 'timeout') out.push(`${c.invariant}: TLC ${c.status}${c.message !== undefined ? ` (${c.message})` : ''}`);
    if (c.status !== 'violated') continue;
    if (c.replayOwn !== 'reproduced') out.push(`${c.invariant}: the counterexample replays as ${c.replayOwn ?? 'nothing'} on its own variant, not reproduced`);
    if (!final && c.replayFinal === 'reproduced') out.push(`${c.invariant}: the counterexample is reproduced on the final design too`);
    else if (!final && c.onFinal !== undefined && !c.onFinal.invariantHolds) out.push(`${c.invariant}: the counterexample's actions violate it on the final design too`);
  }
  for (const { model, expect } of expects) {
    if (expect.result === 'success') {
      for (const c of cells) if (c.status === 'violated') out.push(`${model} expects success, but ${c.invariant} is violated`);
    } else if (expect.result === 'safety') {
      // Liveness expectations are `iterpin check`'s to compare: the matrix is of invariants.
      const cell = cells.find((c) => c.invariant === expect.invariant);
      if (cell === undefined) out.push(`${model} expects ${expect.invariant} violated, but the spec has no such invariant`);
      else if (cell.status !== 'violated') out.push(`${model} expects ${expect.invariant} violated, but it ${cell.status}`);
    }
  }
  if (final) {
    for (const c of cells) if (c.status === 'violated') out.push(`the final design violates ${c.invariant}`);
  }
  return out;
}
