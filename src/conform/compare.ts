// The comparison at the heart of `iterpin conform`: TLC's state graph of a model against the explorer's. The state
// sets must be equal and so must every state's transitions (action record with its arguments, and successor).
// The first difference is found by a breadth-first walk over the transitions both sides share, so the path to it
// is a shortest one and every state on it is common to both.

import type { TlaValue } from '../tla/value.js';
import { printTla } from '../tla/print.js';
import { tlaKey } from '../tla/key.js';
import type { DotGraph } from './dot.js';
import { addState, addTransition, emptyGraph, INIT_ACTION, stateKey, viewOf, type StateGraph } from './graph.js';

/**
 * TLC's dump as a view-keyed graph; a transition's label is the `action` record of the state it reaches. (TLC's
 * edge labels name the enclosing `Next` for some actions, so they do not identify one.) A step that leaves every
 * variable alone, `action` included (`Terminating`, `Finished`), is a self-loop labelled with the record the
 * state already carries; the explorer labels its stuttering steps the same way.
 */
export function tlcGraph(dot: DotGraph, viewVars: readonly string[] | undefined): StateGraph {
  const g = emptyGraph();
  const keyOf = new Map<string, string>();
  for (const [fp, values] of dot.states) {
    const view = viewOf(values, viewVars);
    const key = stateKey(view);
    keyOf.set(fp, key);
    addState(g, view, key);
  }
  for (const fp of dot.initial) {
    const k = keyOf.get(fp)!;
    if (!g.initial.includes(k)) g.initial.push(k);
  }
  for (const [a, b] of dot.edges) {
    const action = dot.states.get(b)!.get('action') ?? INIT_ACTION;
    addTransition(g.states.get(keyOf.get(a)!)!, action, keyOf.get(b)!);
  }
  return g;
}

export type DifferenceKind =
  /** An initial state of the spec the implementation does not start from. */
  | 'initial-missing'
  /** An initial state of the implementation that the spec does not have. */
  | 'initial-extra'
  /** The spec takes this action here; the implementation refuses it (or is never offered it). */
  | 'not-taken'
  /** Both take this action here, but reach different states. */
  | 'diverged'
  /** The implementation takes this action here; the spec does not. */
  | 'extra';

export interface PathStep {
  readonly vars: ReadonlyMap<string, TlaValue>;
  /** The `action` record that reached this state (`[name |-> "Init"]` for the first). */
  readonly action: TlaValue;
}

export interface FirstDifference {
  readonly kind: DifferenceKind;
  /** The action, as `Name(arg=value, …)`. */
  readonly action: string;
  /** The state the action starts from (absent for initial states). */
  readonly from?: ReadonlyMap<string, TlaValue>;
  /** What the spec reaches (absent when it does not take the action). */
  readonly expected?: ReadonlyMap<string, TlaValue>;
  /** What the implementation reaches (absent when it does not take the action). */
  readonly actual?: ReadonlyMap<string, TlaValue>;
  /** A shortest path reaching the difference, ending in the spec's state (the implementation's for `extra`). */
  readonly path: readonly PathStep[];
}

export interface Comparison {
  readonly equal: boolean;
  /** States TLC reaches that the explorer does not. */
  readonly missingStates: number;
  /** States the explorer reaches that TLC does not. */
  readonly extraStates: number;
  /** Common states whose transitions differ. */
  readonly differingStates: number;
  readonly first?: FirstDifference;
}

export function formatActionValue(v: TlaValue): string {
  if (v.kind !== 'record') return printTla(v);
  const name = v.fields.find(([f]) => f === 'name')?.[1];
  const args = v.fields.filter(([f]) => f !== 'name').map(([f, x]) => `${f}=${printTla(x)}`);
  return `${name?.kind === 'str' ? name.value : printTla(name ?? v)}(${args.join(', ')})`;
}

export function compareGraphs(spec: StateGraph, impl: StateGraph): Comparison {
  let missingStates = 0;
  let extraStates = 0;
  for (const k of spec.states.keys()) if (!impl.states.has(k)) missingStates++;
  for (const k of impl.states.keys()) if (!spec.states.has(k)) extraStates++;

  let first: FirstDifference | undefined;
  const implInit = new Set(impl.initial);
  const specInit = new Set(spec.initial);
  for (const k of spec.initial) {
    if (!implInit.has(k) && first === undefined) {
      const s = spec.states.get(k)!;
      first = { kind: 'initial-missing', action: 'Init()', expected: s.vars, path: [{ vars: s.vars, action: INIT_ACTION }] };
    }
  }
  for (const k of impl.initial) {
    if (!specInit.has(k) && first === undefined) {
      const s = impl.states.get(k)!;
      first = { kind: 'initial-extra', action: 'Init()', actual: s.vars, path: [{ vars: s.vars, action: INIT_ACTION }] };
    }
  }

  // Breadth-first over shared transitions, from the shared initial states.
  const parent = new Map<string, { key: string; action: TlaValue } | undefined>();
  const queue: string[] = [];
  for (const k of spec.initial) {
    if (implInit.has(k) && !parent.has(k)) {
      parent.set(k, undefined);
      queue.push(k);
    }
  }
  const pathTo = (key: string): PathStep[] => {
    const rev: PathStep[] = [];
    let k: string | undefined = key;
    while (k !== undefined) {
      const p = parent.get(k);
      rev.push({ vars: spec.states.get(k)!.vars, action: p?.action ?? INIT_ACTION });
      k = p?.key;
    }
    return rev.reverse();
  };
  let differingStates = 0;
  for (let i = 0; i < queue.length; i++) {
    const key = queue[i] as string;
    const s = spec.states.get(key)!;
    const m = impl.states.get(key)!;
    let differs = false;
    for (const [tk, t] of s.succ) {
      if (m.succ.has(tk)) {
        if (!parent.has(t.target)) {
          parent.set(t.target, { key, action: t.action });
          queue.push(t.target);
        }
        continue;
      }
      differs = true;
      if (first !== undefined) continue;
      const ak = tlaKey(t.action);
      const other = [...m.succ.values()].find((x) => tlaKey(x.action) === ak);
      const expected = spec.states.get(t.target)!.vars;
      first = {
        kind: other !== undefined ? 'diverged' : 'not-taken',
        action: formatActionValue(t.action),
        from: s.vars,
        expected,
        ...(other !== undefined ? { actual: impl.states.get(other.target)!.vars } : {}),
        path: [...pathTo(key), { vars: expected, action: t.action }],
      };
    }
    for (const [tk, t] of m.succ) {
      if (s.succ.has(tk)) continue;
      differs = true;
      if (first !== undefined) continue;
      const ak = tlaKey(t.action);
      if ([...s.succ.values()].some((x) => tlaKey(x.action) === ak)) continue; // reported as 'diverged'
      const actual = impl.states.get(t.target)!.vars;
      first = { kind: 'extra', action: formatActionValue(t.action), from: s.vars, actual, path: [...pathTo(key), { vars: actual, action: t.action }] };
    }
    if (differs) differingStates++;
  }
  const equal = first === undefined && missingStates === 0 && extraStates === 0 && differingStates === 0;
  return { equal, missingStates, extraStates, differingStates, ...(first !== undefined ? { first } : {}) };
}
