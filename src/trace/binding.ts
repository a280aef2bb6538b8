// The refinement mapping between one spec and the reference implementation (DESIGN.md "Replay").
// One binding per spec; the replay engine in replay.ts is generic over them.

import type { Result } from '../shared/result.js';
import type { TlaValue } from '../tla/value.js';

/** One step's action, read from the spec's auxiliary `action` variable: `[name |-> "Extract", …arguments]`. */
export interface StepAction {
  readonly name: string;
  readonly args: ReadonlyMap<string, TlaValue>;
}

/** What the implementation did for one step, in kernel terms, for the replay transcript. */
export interface StepEffect<S> {
  readonly state: S;
  /** e.g. "unpin_user_page(page 3): refcount 1025 → 1". */
  readonly narration: readonly string[];
}

export interface Binding<S> {
  /** The TLA+ module name, e.g. "IovIter". */
  readonly spec: string;
  /** Every variant the implementation knows; the same strings as the spec's `Variant` constant. */
  readonly variants: readonly string[];
  /** The variant standing for the final kernel design ("v6.6", "v6.5", "copy-splice-read"). */
  readonly finalVariant: string;
  /**
   * The spec's actions (its `Next` list, plus "Init") with the argument names each one's `action` record carries
   * besides `name`. Replay refuses a trace with another action, or with an argument that is not listed or
   * missing, as a bad trace.
   */
  readonly actionArgs: Readonly<Record<string, readonly string[]>>;
  /** The spec's variables, `action` included, as TLC prints them. */
  readonly vars: readonly string[];
  /** Build the implementation's state from the trace's first state. Err = the trace is not valid for the spec. */
  init(first: ReadonlyMap<string, TlaValue>, variant: string): Result<StepEffect<S>, string>;
  /** Run one action on the implementation. Err = the implementation refuses it (not enabled), with the reason. */
  step(state: S, action: StepAction): Result<StepEffect<S>, string>;
  /** The abstraction function: implementation state → the spec's variables (all but `action`). */
  abstract(state: S): ReadonlyMap<string, TlaValue>;
  /** The implementation's own invariant checker: names of the invariants the state violates. */
  violated(state: S): readonly string[];
}
