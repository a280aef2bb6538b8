// Replaying a counterexample's actions on another variant (`iterpin replay TRACE --against VARIANT`): the same
// syscalls, interrupts and frees, run on, say, the final design, side by side with the variant that produced the
// trace. The trace's states are the buggy variant's; the other variant is compared with them after every step, and
// keeps going after the first difference, so the report shows where in kernel terms the two part, whether the other
// variant refuses an action (and why), and whether the trace's invariant holds on it.

import type { Binding, StepAction } from './binding.js';
import type { ReplayVerdict, StateDifference } from './report.js';
import { compareState, formatAction, replay, traceActions } from './replay.js';
import { verdictLine } from './render.js';
import type { Trace } from '../tla/trace.js';
import type { TlaValue } from '../tla/value.js';
import { printTla } from '../tla/print.js';

export interface AgainstSide {
  /** What the implementation did, in kernel terms. */
  readonly narration: readonly string[];
  /** Invariants the implementation's checker flags after the step. */
  readonly violated: readonly string[];
  /** Which part of each violated invariant fails (the binding's `violations` hook). */
  readonly reasons?: readonly { readonly invariant: string; readonly detail: string }[];
  /** Why the variant refuses the step's action (it then stops). */
  readonly refused?: string;
}

export interface DescribedDifference extends StateDifference {
  /** The path in kernel terms, from the binding's describePath hook (else the path itself). */
  readonly description: string;
}

export interface AgainstStep {
  readonly index: number;
  /** `Name(arg=value, …)`. */
  readonly action: string;
  readonly name: string;
  readonly args: Readonly<Record<string, string>>;
  /** The trace's own variant (absent when its replay stopped before this step). */
  readonly own?: AgainstSide;
  /** The other variant (absent after it refused an earlier action). */
  readonly other?: AgainstSide;
  /** Where the other variant's state differs from the trace's after this step (empty: same state). */
  readonly differences: readonly DescribedDifference[];
}

export interface AgainstParting {
  readonly step: number;
  readonly action: string;
  /** Narration lines of the step only the trace's variant has, and only the other variant has. */
  readonly own: readonly string[];
  readonly other: readonly string[];
  readonly differences: readonly DescribedDifference[];
}

export interface AgainstEnd {
  /** The trace's violated invariant (#meta.invariant), when it records one. */
  readonly invariant?: string;
  /** The last step the other variant ran (the one before a refusal, or the trace's last). */
  readonly through: number;
  /** First step at which the other variant's checker flags the invariant. */
  readonly violatedAt?: number;
  /** Whether the invariant holds in the other variant's last state. */
  readonly holdsAtEnd: boolean;
  /** Everything the other variant's checker flags in its last state. */
  readonly flagged: readonly string[];
}

export type AgainstReport =
  | {
      readonly verdict: 'bad-trace';
      readonly spec?: string;
      readonly file?: string;
      readonly against: string;
      readonly reason: string;
      readonly states: number;
    }
  | {
      /** same: every state matched; parts: states differ from some step on; refused: the other variant refuses a step. */
      readonly verdict: 'same' | 'parts' | 'refused';
      readonly spec: string;
      readonly model?: string;
      readonly file?: string;
      /** The variant that produced the trace. */
      readonly variant: string;
      readonly against: string;
      readonly states: number;
      /** The trace replayed on its own variant (it should be reproduced). */
      readonly ownVerdict: ReplayVerdict;
      readonly ownVerdictLine: string;
      readonly steps: readonly AgainstStep[];
      readonly parting?: AgainstParting;
      readonly refusal?: { readonly step: number; readonly action: string; readonly reason: string };
      readonly end: AgainstEnd;
      /** One line for a review row. */
      readonly summary: string;
    };

export interface AgainstResult {
  readonly report: AgainstReport;
  /** The other variant's states through its abstraction function, one per step it ran (for timelines). */
  readonly otherStates: readonly ReadonlyMap<string, TlaValue>[];
}

const quote = (lines: readonly string[]): string => lines.map((l) => `"${l.trim()}"`).join('; ');

function describe(binding: Binding<unknown>, d: StateDifference): DescribedDifference {
  return { ...d, description: binding.describePath?.(d.path) ?? d.path };
}

/** Narration lines that only one side has (the order kept). */
function onlyIn(a: readonly string[], b: readonly string[]): string[] {
  const other = new Set(b.map((l) => l.trim()));
  return a.filter((l) => !other.has(l.trim()));
}

function args(action: StepAction): Record<string, string> {
  return Object.fromEntries([...action.args].map(([k, v]) => [k, printTla(v)]));
}

function summarize(r: {
  variant: string;
  against: string;
  parting?: AgainstParting;
  refusal?: { step: number; action: string; reason: string };
  end: AgainstEnd;
  states: number;
}): string {
  const out: string[] = [];
  if (r.parting !== undefined) {
    const p = r.parting;
    const what = p.own.length > 0 || p.other.length > 0
      ? `${r.variant} ${quote(p.own.slice(0, 2)) || '(nothing)'} vs ${r.against} ${quote(p.other.slice(0, 2)) || '(nothing)'}`
      : p.differences.slice(0, 2).map((d) => `${d.description}: ${d.expected !== undefined ? printTla(d.expected) : '—'} vs ${d.actual !== undefined ? printTla(d.actual) : '—'}`).join(', ');
    out.push(`the same actions part at step ${p.step} ${p.action}: ${what}`);
  } else if (r.refusal === undefined) {
    out.push(`the same ${r.states} states`);
  }
  if (r.refusal !== undefined) out.push(`${r.against} refuses step ${r.refusal.step} ${r.refusal.action}: ${r.refusal.reason}`);
  const e = r.end;
  if (e.invariant !== undefined) {
    out.push(
      e.violatedAt === undefined
        ? `${e.invariant} holds on ${r.against} through step ${e.through}`
        : `${e.invariant} is violated on ${r.against} too, at step ${e.violatedAt}`,
    );
  }
  return out.join('; ');
}

/** Replays `trace`'s actions on `against`, side by side with the trace's own variant. */
export function replayAgainst<S>(trace: Trace, binding: Binding<S>, against: string, options: { file?: string } = {}): AgainstResult {
  const b = binding as Binding<unknown>;
  const bad = (reason: string): AgainstResult => ({
    report: {
      verdict: 'bad-trace',
      spec: binding.spec,
      ...(options.file !== undefined ? { file: options.file } : {}),
      against,
      reason,
      states: trace.states.length,
    },
    otherStates: [],
  });
  const variant = trace.meta.variant ?? binding.finalVariant;
  const own = replay(trace, binding, { variant, ...(options.file !== undefined ? { file: options.file } : {}) });
  if (own.verdict === 'bad-trace') return bad(own.reason);
  if (!binding.variants.includes(against)) {
    return bad(`unknown variant '${against}' for ${binding.spec} (known: ${binding.variants.join(', ')})`);
  }
  const actions = traceActions(trace, b);
  if (!actions.ok) return bad(actions.error);
  const first = trace.states[0];
  if (first === undefined) return bad('the trace has no states');

  const steps: AgainstStep[] = [];
  const otherStates: ReadonlyMap<string, TlaValue>[] = [];
  let parting: AgainstParting | undefined;
  let refusal: { step: number; action: string; reason: string } | undefined;
  const invariant = trace.meta.invariant;
  let violatedAt: number | undefined;
  let flagged: readonly string[] = [];
  let through = 0;

  const init = binding.init(first.values, against);
  let state: S | undefined;
  if (!init.ok) {
    refusal = { step: 0, action: 'Init()', reason: init.error };
  } else {
    state = init.value.state;
  }
  for (let i = 0; i < trace.states.length; i++) {
    const action = actions.value[i]!;
    const expected = trace.states[i]!;
    const label = formatAction(action);
    const ownStep = own.steps[i];
    const ownSide: AgainstSide | undefined =
      ownStep !== undefined
        ? { narration: ownStep.narration, violated: ownStep.violated, ...(ownStep.reasons !== undefined ? { reasons: ownStep.reasons } : {}) }
        : undefined;
    const base = { index: i, action: label, name: action.name, args: args(action), ...(ownSide !== undefined ? { own: ownSide } : {}) };
    if (state === undefined) {
      steps.push({ ...base, ...(i === 0 && refusal !== undefined ? { other: { narration: [], violated: [], refused: refusal.reason } } : {}), differences: [] });
      continue;
    }
    let narration: readonly string[];
    if (i === 0) {
      narration = init.ok ? init.value.narration : [];
    } else {
      const effect = binding.step(state, action);
      if (!effect.ok) {
        refusal = { step: i, action: label, reason: effect.error };
        steps.push({ ...base, other: { narration: [], violated: [], refused: effect.error }, differences: [] });
        state = undefined;
        continue;
      }
      state = effect.value.state;
      narration = effect.value.narration;
    }
    through = i;
    const violated = binding.violated(state);
    flagged = violated;
    if (invariant !== undefined && violatedAt === undefined && violated.includes(invariant)) violatedAt = i;
    const abstract = binding.abstract(state);
    otherStates.push(abstract);
    const differences = compareState(expected.values, abstract).map((d) => describe(b, d));
    const reasons = violated.length > 0 ? binding.violations?.(state) : undefined;
    steps.push({ ...base, other: { narration, violated, ...(reasons !== undefined ? { reasons } : {}) }, differences });
    if (parting === undefined && differences.length > 0) {
      parting = {
        step: i,
        action: label,
        own: onlyIn(ownSide?.narration ?? [], narration),
        other: onlyIn(narration, ownSide?.narration ?? []),
        differences,
      };
    }
  }
  const end: AgainstEnd = {
    ...(invariant !== undefined ? { invariant } : {}),
    through,
    ...(violatedAt !== undefined ? { violatedAt } : {}),
    holdsAtEnd: invariant === undefined || !flagged.includes(invariant),
    flagged,
  };
  const verdict = refusal !== undefined ? 'refused' : parting !== undefined ? 'parts' : 'same';
  const core = { variant, against, states: trace.states.length, end, ...(parting !== undefined ? { parting } : {}), ...(refusal !== undefined ? { refusal } : {}) };
  return {
    report: {
      verdict,
      spec: binding.spec,
      ...(trace.meta.model !== undefined ? { model: trace.meta.model } : {}),
      ...(options.file !== undefined ? { file: options.file } : {}),
      ownVerdict: own.verdict,
      ownVerdictLine: verdictLine(own),
      steps,
      summary: summarize(core),
      ...core,
    },
    otherStates,
  };
}
