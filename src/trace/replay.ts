// The generic replay engine: drives a spec's binding along a trace, compares every state through the
// abstraction function, and reaches one of the verdicts of DESIGN.md "Replay".

import type { Binding, StepAction } from './binding.js';
import type { ReplayReport, ReplayStep, StateDifference } from './report.js';
import type { Trace } from '../tla/trace.js';
import type { TlaValue } from '../tla/value.js';
import { tlaDiff, tlaEqual } from '../tla/equal.js';
import { printTla } from '../tla/print.js';
import { err, ok, type Result } from '../shared/result.js';

export interface ReplayOptions {
  /** Variant the implementation runs as; defaults to the trace's own (#meta.variant). */
  readonly variant?: string;
  /** Keep no transcript: the report's steps stay empty (faster, for review, benchmarks and bulk runs). */
  readonly quiet?: boolean;
  /** File name, carried into the report. */
  readonly file?: string;
}

/**
 * Runs one call into a binding. A binding reports what it refuses as a value; an exception is a defect of the
 * binding or of the implementation under it (a state it was never meant to reach), and replay turns it into a
 * verdict naming the exception instead of letting it escape.
 */
function guarded<T>(call: () => T): Result<T, string> {
  try {
    return ok(call());
  } catch (e) {
    return err(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  }
}

/** Reads `[name |-> "Extract", maxsize |-> 8, …]` into a StepAction. */
export function readAction(value: TlaValue | undefined): Result<StepAction, string> {
  if (value === undefined) return err('the state has no `action` variable');
  if (value.kind !== 'record') return err(`\`action\` is not a record but ${value.kind}: ${printTla(value)}`);
  let name: string | undefined;
  const args = new Map<string, TlaValue>();
  for (const [field, v] of value.fields) {
    if (field === 'name') {
      if (v.kind !== 'str') return err(`\`action.name\` is not a string: ${printTla(v)}`);
      name = v.value;
    } else {
      args.set(field, v);
    }
  }
  if (name === undefined) return err('`action` has no `name` field');
  return ok({ name, args });
}

export function formatAction(action: StepAction): string {
  const args = [...action.args].map(([k, v]) => `${k}=${printTla(v)}`);
  return `${action.name}(${args.join(', ')})`;
}

export function compareState(
  expected: ReadonlyMap<string, TlaValue>,
  actual: ReadonlyMap<string, TlaValue>,
): StateDifference[] {
  const diffs: StateDifference[] = [];
  for (const [name, want] of expected) {
    if (name === 'action') continue;
    const got = actual.get(name);
    if (got === undefined) {
      diffs.push({ path: name, expected: want, note: 'the implementation has no such variable' });
      continue;
    }
    if (tlaEqual(want, got)) continue;
    for (const d of tlaDiff(want, got)) {
      diffs.push({ ...d, path: d.path === '' ? name : d.path.startsWith('[') ? `${name}${d.path}` : `${name}.${d.path}` });
    }
  }
  return diffs;
}

/** `#meta.invariants`: the invariants the model checked (its cfg's INVARIANT list), when the trace records them. */
function checkedInvariants(trace: Trace): ReadonlySet<string> | undefined {
  const x = trace.meta['invariants'];
  return Array.isArray(x) && x.every((e) => typeof e === 'string') ? new Set(x as string[]) : undefined;
}

/** Checks that the trace's variables are the spec's; returns the reason when they are not. */
function checkShape(trace: Trace, binding: Binding<unknown>): string | undefined {
  if (trace.meta.spec !== undefined && trace.meta.spec !== binding.spec) {
    return `the trace is for spec ${trace.meta.spec}, not ${binding.spec}`;
  }
  if (trace.states.length === 0) return 'the trace has no states';
  const want = new Set(binding.vars);
  const have = new Set(trace.vars);
  const missing = [...want].filter((v) => !have.has(v));
  const extra = [...have].filter((v) => !want.has(v));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [];
    if (missing.length > 0) parts.push(`missing ${missing.join(', ')}`);
    if (extra.length > 0) parts.push(`unknown ${extra.join(', ')}`);
    return `the trace's variables are not those of ${binding.spec} (${parts.join('; ')})`;
  }
  for (const state of trace.states) {
    for (const v of binding.vars) {
      if (!state.values.has(v)) return `state ${state.index} has no value for variable ${v}`;
    }
  }
  return undefined;
}

/**
 * Every step's action, read before anything runs: an unknown action or argument is a bad trace, not a divergence.
 * Err = why the trace is not one of this spec's.
 */
export function traceActions(trace: Trace, binding: Binding<unknown>): Result<StepAction[], string> {
  const actions: StepAction[] = [];
  for (const state of trace.states) {
    const action = readAction(state.values.get('action'));
    if (!action.ok) return err(`state ${state.index}: ${action.error}`);
    const want = binding.actionArgs[action.value.name];
    if (want === undefined) {
      return err(`state ${state.index}: unknown action '${action.value.name}' for ${binding.spec}`);
    }
    {
      const extra = [...action.value.args.keys()].filter((a) => !want.includes(a));
      const missing = want.filter((a) => !action.value.args.has(a));
      if (extra.length > 0 || missing.length > 0) {
        const parts = [
          ...(extra.length > 0 ? [`unknown argument${extra.length > 1 ? 's' : ''} ${extra.join(', ')}`] : []),
          ...(missing.length > 0 ? [`missing argument${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`] : []),
        ];
        return err(`state ${state.index}: action ${action.value.name} has ${parts.join(' and ')} (expected: ${want.join(', ') || 'none'})`);
      }
    }
    actions.push(action.value);
  }

  return ok(actions);
}

/** Where a liveness counterexample's lasso closes: #meta.loopIndex (ours) or ITF's top-level `loop`. */
interface LassoSpec {
  readonly kind: 'back-to-state' | 'stuttering';
  readonly loopIndex: number;
  readonly property?: string;
}

/** The trace's lasso; undefined for a finite trace; a string naming what is wrong with its lasso fields. */
function lassoOf(trace: Trace): LassoSpec | string | undefined {
  const meta = trace.meta;
  const index = meta.loopIndex ?? meta['loop'];
  if (index === undefined) return undefined;
  const last = trace.states.length - 1;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0 || index > last) {
    return `the lasso's loop index ${JSON.stringify(index)} is not the index of a state (0..${last})`;
  }
  const kind = meta.lasso ?? (index === last ? 'stuttering' : 'back-to-state');
  if (kind !== 'back-to-state' && kind !== 'stuttering') return `#meta.lasso is ${JSON.stringify(kind)}, not "back-to-state" or "stuttering"`;
  if (kind === 'stuttering' && index !== last) return `a stuttering lasso loops on its last state (${last}), not on state ${index}`;
  return { kind, loopIndex: index, ...(typeof meta.property === 'string' ? { property: meta.property } : {}) };
}

/**
 * Every state of a liveness counterexample matched: the binding judges the lasso. Reproduced only when it
 * confirms it (and, for a loop back to an earlier state, its closing step reaches that state); else unconfirmed.
 */
function judgeLasso<S>(
  trace: Trace,
  binding: Binding<S>,
  lasso: LassoSpec,
  state: S,
  base: Omit<ReplayReport, 'verdict'>,
  last: number,
): ReplayReport {
  const unconfirmed = (reason: string): ReplayReport => ({ ...base, verdict: 'unconfirmed', step: last, reason });
  if (binding.judgeLasso === undefined) return unconfirmed(`the ${binding.spec} binding does not judge lassos`);
  const cycle = trace.states.slice(lasso.loopIndex).map((s) => s.values);
  const judged = guarded(() =>
    binding.judgeLasso!({ ...(lasso.property !== undefined ? { property: lasso.property } : {}), kind: lasso.kind, loopIndex: lasso.loopIndex, last: state, cycle }),
  );
  if (!judged.ok) return unconfirmed(`the binding failed while judging the lasso: ${judged.error}`);
  if (!judged.value.ok) return unconfirmed(judged.value.error);
  const j = judged.value.value;
  const narration = [...j.narration];
  if (lasso.kind === 'back-to-state') {
    if (j.closing === undefined) return unconfirmed('the binding confirms a loop back to an earlier state without taking the step that closes it');
    const target = trace.states[lasso.loopIndex];
    const reached = guarded(() => binding.abstract(j.closing!.state));
    if (!reached.ok || target === undefined) return unconfirmed(`the closing step's state cannot be read back: ${reached.ok ? 'no target' : reached.error}`);
    const differences = compareState(target.values, reached.value);
    if (differences.length > 0) {
      const d = differences[0]!;
      return unconfirmed(`the closing step ${formatAction(j.closing.action)} does not return to state ${lasso.loopIndex}: ${d.path} differs (${differences.length} difference${differences.length === 1 ? '' : 's'})`);
    }
    narration.unshift(`${formatAction(j.closing.action)} returns to state ${lasso.loopIndex}: ${j.closing.narration.join('; ') || 'the loop closes'}`);
  }
  const lassoReport = { ...(lasso.property !== undefined ? { property: lasso.property } : {}), kind: lasso.kind, loopIndex: lasso.loopIndex, narration };
  return { ...base, verdict: 'reproduced', invariant: lasso.property ?? 'liveness', step: last, lasso: lassoReport };
}

export function replay<S>(trace: Trace, binding: Binding<S>, options: ReplayOptions = {}): ReplayReport {
  const variant = options.variant ?? trace.meta.variant ?? binding.finalVariant;
  const base = {
    spec: binding.spec,
    variant,
    ...(trace.meta.variant !== undefined ? { traceVariant: trace.meta.variant } : {}),
    ...(trace.meta.model !== undefined ? { model: trace.meta.model } : {}),
    ...(options.file !== undefined ? { file: options.file } : {}),
    states: trace.states.length,
  };
  const steps: ReplayStep[] = [];
  const badTrace = (reason: string): ReplayReport => ({ ...base, steps, verdict: 'bad-trace', reason });
  // The shape first: a trace of another spec carries that spec's variant, and the spec is the problem to name.
  const shape = checkShape(trace, binding as Binding<unknown>);
  if (shape !== undefined) return badTrace(shape);
  if (!binding.variants.includes(variant)) {
    return badTrace(`unknown variant '${variant}' for ${binding.spec} (known: ${binding.variants.join(', ')})`);
  }

  const read = traceActions(trace, binding as Binding<unknown>);
  if (!read.ok) return badTrace(read.error);
  const actions = read.value;

  const lasso = lassoOf(trace);
  if (lasso !== undefined && typeof lasso === 'string') return badTrace(lasso);

  const first = trace.states[0];
  const firstAction = actions[0];
  if (first === undefined || firstAction === undefined) return badTrace('the trace has no states');
  const initCall = guarded(() => binding.init(first.values, variant));
  if (!initCall.ok) return badTrace(`state 0: the ${binding.spec} binding cannot build an implementation state from it (it threw ${initCall.error})`);
  const init = initCall.value;
  if (!init.ok) return badTrace(`state 0 is not an initial state of ${binding.spec}: ${init.error}`);
  let state = init.value.state;
  let firstViolation: { invariant: string; step: number } | undefined;
  // TLC vouches only for the invariants the model checked; others the implementation flags are narrated only.
  const checked = checkedInvariants(trace);
  const quiet = options.quiet === true;

  /** The binding threw at step i: the implementation could not follow the trace there (a divergence, named). */
  const threw = (i: number, action: StepAction, doing: string, error: string): ReplayReport => ({
    ...base,
    steps,
    verdict: 'diverged',
    step: i,
    action: formatAction(action),
    differences: [],
    note: `the implementation failed while ${doing}: ${error}`,
  });

  for (let i = 0; i < trace.states.length; i++) {
    const expected = trace.states[i];
    const action = actions[i];
    if (expected === undefined || action === undefined) break;
    let narration: readonly string[];
    if (i === 0) {
      narration = init.value.narration;
    } else {
      const call = guarded(() => binding.step(state, action));
      if (!call.ok) return threw(i, action, `running ${formatAction(action)}`, call.error);
      const effect = call.value;
      if (!effect.ok) {
        const label = formatAction(action);
        if (!quiet) steps.push({ index: i, action: label, narration: [], violated: [] });
        return { ...base, steps, verdict: 'not-enabled', step: i, action: label, reason: effect.error };
      }
      state = effect.value.state;
      narration = effect.value.narration;
    }
    const judged = guarded(() => {
      const violated = binding.violated(state);
      const reasons = !quiet && violated.length > 0 ? binding.violations?.(state) : undefined;
      return { violated, reasons, actual: binding.abstract(state) };
    });
    if (!judged.ok) return threw(i, action, 'reading the implementation state back', judged.error);
    const { violated, reasons, actual } = judged.value;
    if (!quiet) steps.push({ index: i, action: formatAction(action), narration, violated, ...(reasons !== undefined ? { reasons } : {}) });
    const differences = compareState(expected.values, actual);
    if (differences.length > 0) {
      return { ...base, steps, verdict: 'diverged', step: i, action: formatAction(action), differences };
    }
    const v = violated.find((name) => checked === undefined || checked.has(name));
    if (firstViolation === undefined && v !== undefined) {
      firstViolation = { invariant: trace.meta.invariant !== undefined && violated.includes(trace.meta.invariant) ? trace.meta.invariant : v, step: i };
    }
  }

  const last = trace.states.length - 1;
  /** A divergence in the verdict rather than in a state: the states matched, the violations did not. */
  const divergedAt = (step: number, note: string): ReplayReport => ({
    ...base,
    steps,
    verdict: 'diverged',
    step,
    action: actions[step] !== undefined ? formatAction(actions[step]) : '',
    differences: [],
    note,
  });
  const expectedInvariant = trace.meta.invariant;
  if (lasso !== undefined) {
    if (firstViolation !== undefined) {
      return divergedAt(firstViolation.step, `the implementation flags ${firstViolation.invariant} here, but the trace is a liveness counterexample that violates no invariant`);
    }
    return judgeLasso(trace, binding, lasso, state, { ...base, steps }, last);
  }
  if (trace.meta['violation'] === 'liveness' && firstViolation === undefined) {
    return { ...base, steps, verdict: 'unconfirmed', step: last, reason: 'the trace is a liveness counterexample but does not record where its lasso closes (#meta.loopIndex, or ITF\'s loop)' };
  }
  if (expectedInvariant === undefined) {
    if (firstViolation === undefined) return { ...base, steps, verdict: 'conforms' };
    return divergedAt(firstViolation.step, `the implementation flags ${firstViolation.invariant} here, but the trace records no violation`);
  }
  if (firstViolation !== undefined && firstViolation.invariant === expectedInvariant && firstViolation.step === last) {
    return { ...base, steps, verdict: 'reproduced', invariant: expectedInvariant, step: last };
  }
  if (firstViolation !== undefined && firstViolation.step < last) {
    return divergedAt(
      firstViolation.step,
      `the implementation flags ${firstViolation.invariant} at step ${firstViolation.step}, before the trace's violation of ${expectedInvariant} at step ${last}`,
    );
  }
  const flagged = steps[last]?.violated ?? [];
  return divergedAt(
    last,
    flagged.length === 0
      ? `the trace violates ${expectedInvariant} here, but the implementation's checker flags nothing`
      : `the trace violates ${expectedInvariant} here, but the implementation's checker flags ${flagged.join(', ')}`,
  );
}
