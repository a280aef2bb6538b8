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

/** A liveness counterexample's lasso, as replay hands it to the binding to judge (see Binding.judgeLasso). */
export interface Lasso<S> {
  /** The temporal property the trace violates (#meta.property), when the trace names it. */
  readonly property?: string;
  /** back-to-state: a step from the last state leads back to state loopIndex; stuttering: the last state repeats. */
  readonly kind: 'back-to-state' | 'stuttering';
  /** The state the last state loops back to (the last state itself for stuttering). */
  readonly loopIndex: number;
  /** The implementation's state after the trace's last step. */
  readonly last: S;
  /** The trace's states loopIndex..last: the cycle the behaviour repeats forever, as the spec's variables. */
  readonly cycle: readonly ReadonlyMap<string, TlaValue>[];
}

/** What a binding says about a lasso it confirms. */
export interface LassoJudgement<S> {
  /** Why the lasso is a real, fair behaviour of the implementation that violates the property, in kernel terms. */
  readonly narration: readonly string[];
  /** back-to-state: the implementation's state after the step that closes the loop (replay compares it with state loopIndex). */
  readonly closing?: StepEffect<S> & { readonly action: StepAction };
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
  /** Exhaustive exploration under a model's constants (absent: the spec's models cannot be explored). */
  readonly explore?: Exploration<S>;
  /**
   * Optional: judges a liveness counterexample after its states all matched. Ok = the implementation confirms
   * the lasso: for back-to-state it takes the step that closes the loop (returned as `closing`), and it checks that
   * repeating the cycle forever is fair and violates the property. Err = it cannot confirm, with the reason. A
   * binding without this hook leaves every lasso `unconfirmed`.
   */
  judgeLasso?(lasso: Lasso<S>): Result<LassoJudgement<S>, string>;
  /** A self-test spec (the Pipeline): replayed like the others, left out of design review. */
  readonly selfTest?: boolean;
}

/** A model's constants as TLC evaluated them (constant name → value), `Variant` included. */
export type Constants = ReadonlyMap<string, TlaValue>;

/**
 * What the explorer (`iterpin explore`, `iterpin conform`) needs besides replay: where the spec starts under a
 * model's constants, which arguments each action's quantifiers range over, and a way to keep a state while trying
 * several actions on it. Whether an action is enabled is never decided here: `step` refusing it is "not enabled".
 */
export interface Exploration<S> {
  /**
   * The spec's initial states under the constants, each as the variables a trace's first state carries (what
   * `init` reads). Err = the constants do not describe a model of this spec.
   */
  initialStates(constants: Constants): Result<readonly ReadonlyMap<string, TlaValue>[], string>;
  /**
   * Every action the spec's `Next` may take in this state with every argument its quantifiers allow under the
   * constants (the domains, not the guards). Arguments the spec computes rather than chooses are filled by
   * `recorded` after the step.
   */
  candidates(state: S, constants: Constants): readonly StepAction[];
  /**
   * The `action` record the spec writes for a step the implementation took from `before` to `after`, when it
   * carries results (a bio number, the length a call settled on) besides the candidate's arguments.
   */
  recorded?(candidate: StepAction, before: S, after: S): StepAction;
  /**
   * The argument and situation classes a step taken exercised (e.g. "UBUF", "empty segment", "partial pin"), for
   * the coverage report.
   */
  classify?(action: StepAction, before: S, after: S): readonly string[];
  /**
   * The spec's action that leaves every variable unchanged, `action` included (`Terminating`, `Finished`: a
   * finished run stutters). In TLC's graph such a step is a self-loop that keeps the record the state was reached
   * with, so the explorer labels it with every record that reaches the state.
   */
  readonly stuttering?: string;
  /**
   * `step` refuses before it changes anything, so a refused step's copy can serve the next candidate: always
   * (true), or for the actions this function names (a task that finds out only by running its next step that
   * it is not the one named changes the state it refuses).
   */
  readonly refusalKeepsState?: boolean | ((action: StepAction) => boolean);
  /**
   * An independent copy of a state (`step` may change the state it is given), or undefined when this state
   * cannot be copied (it holds a running call: a generator). The explorer then builds the state again by running
   * its path from the nearest state before it that could be copied, or from the initial state; without `clone`
   * always from the initial state.
   */
  clone?(state: S): S | undefined;
  /** The model's state constraints (a cfg `CONSTRAINT`) by operator name, on the abstract state. */
  readonly constraints?: Readonly<Record<string, (vars: ReadonlyMap<string, TlaValue>, constants: Constants) => boolean>>;
}

/** A binding the explorer can drive. */
export interface ExplorableBinding<S> extends Binding<S> {
  readonly explore: Exploration<S>;
  /**
   * Optional: judges a liveness counterexample after its states all matched. Ok = the implementation confirms
   * the lasso: for back-to-state it takes the step that closes the loop (returned as `closing`), and it checks that
   * repeating the cycle forever is fair and violates the property. Err = it cannot confirm, with the reason. A
   * binding without this hook leaves every lasso `unconfirmed`.
   */
  judgeLasso?(lasso: Lasso<S>): Result<LassoJudgement<S>, string>;
  /** A self-test spec (the Pipeline): replayed like the others, left out of design review. */
  readonly selfTest?: boolean;
}
