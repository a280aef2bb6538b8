// A state graph both sides of the conformance check are put into: states keyed by their VIEW (the variables the
// model's VIEW keeps; never `action`), each with the transitions leaving it, labelled with the spec's `action`
// record (name and arguments). The explorer builds one from the implementation, dot.ts's dump from TLC.

import { tlaKey, tlaKeyOnce } from '../tla/key.js';
import { tlaRecord, tlaStr, type TlaValue } from '../tla/value.js';
import type { StepAction } from '../trace/binding.js';

export interface Transition {
  /** The `action` record the step writes. */
  readonly action: TlaValue;
  readonly target: string;
}

export interface StateNode {
  readonly key: string;
  /** The view's variables (every variable but `action` when the model has no VIEW). */
  readonly vars: ReadonlyMap<string, TlaValue>;
  /** Transitions leaving the state, by `tlaKey(action) > target`. */
  readonly succ: Map<string, Transition>;
}

export interface StateGraph {
  readonly states: Map<string, StateNode>;
  /** Keys of the initial states. */
  readonly initial: string[];
}

export const INIT_ACTION: TlaValue = tlaRecord([['name', tlaStr('Init')]]);

export function actionValue(a: StepAction): TlaValue {
  return tlaRecord([['name', tlaStr(a.name)], ...a.args]);
}

/** The view of a state: its variables restricted to `viewVars` (or all but `action`), in a fixed order. */
export function viewOf(values: ReadonlyMap<string, TlaValue>, viewVars: readonly string[] | undefined): Map<string, TlaValue> {
  const out = new Map<string, TlaValue>();
  const names = viewVars ?? [...values.keys()].filter((v) => v !== 'action');
  for (const n of [...names].sort()) {
    const v = values.get(n);
    if (v !== undefined) out.set(n, v);
  }
  return out;
}

/** The key of a state's view; `once`: the view was just built and is keyed once (see tlaKeyOnce). */
export function stateKey(view: ReadonlyMap<string, TlaValue>, once = false): string {
  const r = tlaRecord([...view]);
  return once ? tlaKeyOnce(r) : tlaKey(r);
}

export function transitionKey(action: TlaValue, target: string, once = false): string {
  return `${once ? tlaKeyOnce(action) : tlaKey(action)}>${target}`;
}

export function emptyGraph(): StateGraph {
  return { states: new Map(), initial: [] };
}

/** Adds a state if new; returns its node and whether it was new. */
export function addState(g: StateGraph, view: ReadonlyMap<string, TlaValue>, key = stateKey(view)): { node: StateNode; added: boolean } {
  const have = g.states.get(key);
  if (have !== undefined) return { node: have, added: false };
  const node: StateNode = { key, vars: view, succ: new Map() };
  g.states.set(key, node);
  return { node, added: true };
}

export function addTransition(from: StateNode, action: TlaValue, target: string, once = false): void {
  const k = transitionKey(action, target, once);
  if (!from.succ.has(k)) from.succ.set(k, { action, target });
}
