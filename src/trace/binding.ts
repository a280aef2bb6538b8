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

/** How one page (or one iterator segment) stands in one state, for the page-lifetime timeline. */
export interface TimelineCell {
  /** Who owns the page: "user", "kernel", "pipe", "splice", "other", "zero", … */
  readonly owner?: string;
  readonly refcount?: number;
  /** Pins (FOLL_PIN, counted by the GUP bias on small folios). */
  readonly pincount?: number;
  /** What targets the page: "bio 1", "pipe buffer 0", "sg 2", … */
  readonly holders?: readonly string[];
  /** The page is on the free list. */
  readonly free?: boolean;
  /** Anything else worth a glance (a segment's length and offset, a pipe buffer's length). */
  readonly detail?: string;
}

export interface TimelineRow {
  /** Stable across states: "page 3", "seg 2". */
  readonly key: string;
  readonly cell: TimelineCell;
}

/** One arrow of a Mermaid sequence diagram. */
export interface SequenceMessage {
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

/**
 * Optional views of a spec for reviewers: none of them takes part in replay's verdict, and a binding without them
 * still replays; renderers fall back to the raw variables.
 */
export interface BindingView<S> {
  /** The state's pages (segments for IovIter) as timeline rows, read from the spec's variables. */
  timeline?(vars: ReadonlyMap<string, TlaValue>): readonly TimelineRow[];
  /** A state path of a difference (`ref[3]`) in kernel terms (`page 3's refcount`). */
  describePath?(path: string): string;
  /** The implementation checker's reasons: which part of each violated invariant fails. */
  violations?(state: S): readonly { readonly invariant: string; readonly detail: string }[];
  /** The participants of the spec's sequence diagrams, in order ("task", "bio", "pipe", "allocator", …). */
  readonly participants?: readonly string[];
  /** One action as an arrow between participants. */
  message?(action: StepAction): SequenceMessage;
}

export interface Binding<S> extends BindingView<S> {
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
