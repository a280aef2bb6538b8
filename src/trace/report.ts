// The replay report: what replaying a trace on the reference implementation found. Pure data; rendering and
// exit codes are functions of it (render.ts).

import type { TlaValue } from '../tla/value.js';

export type ReplayVerdict = 'reproduced' | 'conforms' | 'diverged' | 'not-enabled' | 'unconfirmed' | 'bad-trace';

/** How a liveness counterexample's lasso closed on the implementation. */
export interface LassoReport {
  readonly property?: string;
  readonly kind: 'back-to-state' | 'stuttering';
  readonly loopIndex: number;
  /** The binding's reasons for confirming the lasso (the closing step, fairness, the property's violation). */
  readonly narration: readonly string[];
}

export interface ReplayStep {
  /** 0-based index of the trace state this step produced (0 = the initial state). */
  readonly index: number;
  /** The action as `Name(arg=value, …)`, read from the trace's `action` variable. */
  readonly action: string;
  /** What the implementation did, in kernel terms. */
  readonly narration: readonly string[];
  /** Invariants the implementation's own checker flags in the state after this step. */
  readonly violated: readonly string[];
  /** Which part of each violated invariant fails, when the binding's checker says (its `violations` hook). */
  readonly reasons?: readonly { readonly invariant: string; readonly detail: string }[];
}

export interface StateDifference {
  /** Variable and path inside it, e.g. `pages[3].refcount`. */
  readonly path: string;
  readonly expected?: TlaValue;
  readonly actual?: TlaValue;
  readonly note?: string;
}

interface ReportBase {
  readonly spec?: string;
  /** The variant the implementation ran as. */
  readonly variant?: string;
  /** The variant the trace was produced on, from its #meta. */
  readonly traceVariant?: string;
  readonly model?: string;
  readonly file?: string;
  /** Number of states in the trace. */
  readonly states: number;
  /** The steps replayed, up to and including the one where the verdict was reached (none when run quiet). */
  readonly steps: readonly ReplayStep[];
}

export type ReplayReport =
  /** For a lasso, `invariant` is the violated temporal property (or "liveness" when the trace names none). */
  | (ReportBase & { readonly verdict: 'reproduced'; readonly invariant: string; readonly step: number; readonly lasso?: LassoReport })
  | (ReportBase & { readonly verdict: 'conforms' })
  | (ReportBase & {
      readonly verdict: 'diverged';
      readonly step: number;
      readonly action: string;
      readonly differences: readonly StateDifference[];
      readonly note?: string;
    })
  | (ReportBase & { readonly verdict: 'not-enabled'; readonly step: number; readonly action: string; readonly reason: string })
  /** Every state of a liveness counterexample matched, but the binding could not confirm its lasso (the reason says why). */
  | (ReportBase & { readonly verdict: 'unconfirmed'; readonly step: number; readonly reason: string })
  | (ReportBase & { readonly verdict: 'bad-trace'; readonly reason: string });
