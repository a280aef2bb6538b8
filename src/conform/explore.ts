// The explorer: breadth-first search over the reference implementation under a model's constants. It starts from
// the spec's initial states (the binding builds each with `init`, as replay does), tries every action the
// binding's candidates name with every argument the constants allow (the implementation refusing one is "not
// enabled"), abstracts every state through the binding's abstraction function and de-duplicates on the model's
// VIEW. Nothing of the spec is re-implemented here.

import { err, ok, type Result } from '../shared/result.js';
import { printTla } from '../tla/print.js';
import type { TlaValue } from '../tla/value.js';
import type { Constants, ExplorableBinding, StepAction } from '../trace/binding.js';
import { ConstantShapeError } from '../trace/bindings/explore_args.js';
import { actionValue, addState, addTransition, emptyGraph, INIT_ACTION, stateKey, viewOf, type StateGraph } from './graph.js';
import { tlaKey } from '../tla/key.js';

export interface ActionCount {
  /** Candidate steps tried (a state × an argument tuple). */
  tried: number;
  /** Steps the implementation took. */
  fired: number;
  /** Steps it refused (not enabled). */
  refused: number;
  /** Steps whose successor the model's state constraint drops (as TLC does). */
  constrained: number;
  /** Per argument, the distinct values of the steps taken (printed as TLA+). */
  readonly args: Record<string, string[]>;
  /** Argument and situation classes the binding names for the steps taken (e.g. "UBUF", "partial pin"), counted. */
  readonly classes: Record<string, number>;
}

export interface ExploreResult {
  readonly spec: string;
  readonly variant: string;
  readonly graph: StateGraph;
  readonly distinct: number;
  /** Transitions between distinct (view) states, each (state, action record, successor) once. */
  readonly transitions: number;
  /** Steps taken, duplicates included (TLC's "states generated" counts the same way, plus initial states). */
  readonly generated: number;
  readonly depth: number;
  readonly actions: Record<string, ActionCount>;
  /** States the implementation's own checker flags, per invariant the model checks. */
  readonly violations: Record<string, number>;
  readonly seconds: number;
  /** The explorer's CPU time (the process's, user and system): the figure that does not grow with others' load. */
  readonly cpuSeconds: number;
}

/** An exploration's figures without its graph: what a report keeps once the graphs are compared. */
export type ExploreSummary = Omit<ExploreResult, 'graph'>;

/** The figures of an exploration, dropping the graph so that a run over many models does not hold every graph. */
export function exploreSummary(r: ExploreResult): ExploreSummary {
  const { graph: _graph, ...rest } = r;
  return rest;
}

export interface ExploreOptions<S> {
  readonly binding: ExplorableBinding<S>;
  readonly constants: Constants;
  /** The VIEW's variables; undefined: every variable but `action`. */
  readonly viewVars?: readonly string[];
  /** The cfg's CONSTRAINT operators; each must be one the binding knows. */
  readonly constraints?: readonly string[];
  /** The invariants the model checks (violations of others are not counted). */
  readonly invariants?: readonly string[];
  /** Called every `progressEvery` new states (default 5000). */
  readonly onProgress?: (distinct: number, depth: number, queued: number) => void;
  readonly progressEvery?: number;
  /** Stop with an error past this many distinct states (default: no limit). */
  readonly maxStates?: number;
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

function count(actions: Record<string, ActionCount>, name: string): ActionCount {
  let c = actions[name];
  if (c === undefined) {
    c = { tried: 0, fired: 0, refused: 0, constrained: 0, args: {}, classes: {} };
    actions[name] = c;
  }
  return c;
}

function noteArgs(c: ActionCount, a: StepAction): void {
  for (const [k, v] of a.args) {
    const list = (c.args[k] ??= []);
    const s = printTla(v);
    if (!list.includes(s)) list.push(s);
  }
}

export function explore<S>(o: ExploreOptions<S>): Result<ExploreResult, string> {
  try {
    return exploreFrom(o);
  } catch (e) {
    // A binding reading a constant of the wrong shape throws its message (candidates have no error channel).
    if (e instanceof ConstantShapeError) return err(e.message);
    throw e;
  }
}

function exploreFrom<S>(o: ExploreOptions<S>): Result<ExploreResult, string> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const { binding, constants } = o;
  const x = binding.explore;
  const variantV = constants.get('Variant');
  if (variantV?.kind !== 'str') return err(`the model's Variant constant is not a string${variantV === undefined ? ' (it sets none)' : ''}`);
  const variant = variantV.value;
  if (!binding.variants.includes(variant)) return err(`the implementation has no variant '${variant}' (known: ${binding.variants.join(', ')})`);
  const checks: ((vars: ReadonlyMap<string, TlaValue>) => boolean)[] = [];
  for (const name of o.constraints ?? []) {
    const c = x.constraints?.[name];
    if (c === undefined) return err(`the model's state constraint ${name} is unknown to the ${binding.spec} binding`);
    checks.push((vars) => c(vars, constants));
  }
  const inModel = (vars: ReadonlyMap<string, TlaValue>): boolean => checks.every((c) => c(vars));
  const counted = o.invariants === undefined ? undefined : new Set(o.invariants);
  const violations: Record<string, number> = {};
  const noteViolations = (s: S): void => {
    for (const inv of binding.violated(s)) if (counted === undefined || counted.has(inv)) violations[inv] = (violations[inv] ?? 0) + 1;
  };

  const firsts = x.initialStates(constants);
  if (!firsts.ok) return err(`the initial states: ${firsts.error}`);
  const graph = emptyGraph();
  const actions: Record<string, ActionCount> = {};
  // Each queued state with the way to build it again when it cannot be copied: the path to it from `anchor`, the
  // nearest state before it that could be (undefined: from the initial state `first`). States reached are only
  // ever copied, never stepped themselves, so an anchor stays as it was reached.
  interface Queued {
    readonly state: S;
    readonly first: ReadonlyMap<string, TlaValue>;
    readonly anchor: S | undefined;
    readonly path: readonly StepAction[];
  }
  let queue: Queued[] = [];
  let keys: string[] = [];
  const rebuild = (q: Queued): S => {
    let s: S;
    if (q.anchor !== undefined) s = x.clone!(q.anchor)!;
    else {
      const init = binding.init(q.first, variant);
      if (!init.ok) throw new Error(`the implementation no longer builds an initial state: ${init.error}`);
      s = init.value.state;
    }
    for (const a of q.path) {
      const r = binding.step(s, a);
      if (!r.ok) throw new Error(`the implementation refuses ${a.name} on a path it took before: ${r.error}`);
      s = r.value.state;
    }
    return s;
  };
  const copyOf = (q: Queued): S => x.clone?.(q.state) ?? rebuild(q);
  for (const first of firsts.value) {
    const init = binding.init(first, variant);
    if (!init.ok) return err(`the implementation cannot build an initial state of the model: ${init.error}`);
    const abs = binding.abstract(init.value.state);
    if (!inModel(abs)) continue;
    const view = viewOf(abs, o.viewVars);
    const { node, added } = addState(graph, view);
    if (!added) continue;
    graph.initial.push(node.key);
    noteViolations(init.value.state);
    queue.push({ state: init.value.state, first, anchor: undefined, path: [] });
    keys.push(node.key);
  }

  const keep = x.refusalKeepsState;
  const keepsState = (a: StepAction): boolean => (typeof keep === 'function' ? keep(a) : keep === true);
  const stutters = new Set<string>();
  let depth = graph.initial.length > 0 ? 1 : 0; // TLC counts the initial states as depth 1
  let generated = graph.initial.length;
  let transitions = 0;
  const every = o.progressEvery ?? 5000;
  let nextReport = every;
  while (queue.length > 0) {
    const nextQueue: Queued[] = [];
    const nextKeys: string[] = [];
    for (let i = 0; i < queue.length; i++) {
      const q = queue[i] as Queued;
      const s = q.state;
      const from = graph.states.get(keys[i] as string)!;
      // A copy a refused step left as it was serves the next candidate (when the binding vouches for that).
      let spare: S | undefined = x.clone?.(s);
      // Successors are built again from this state when it could be copied, else from its own anchor.
      const copyable = spare !== undefined;
      for (const cand of x.candidates(s, constants)) {
        const c = count(actions, cand.name);
        c.tried++;
        const copy = spare ?? copyOf(q);
        spare = undefined;
        const r = binding.step(copy, cand);
        if (!r.ok) {
          c.refused++;
          if (keepsState(cand)) spare = copy;
          continue;
        }
        const after = r.value.state;
        generated++;
        const abs = binding.abstract(after);
        if (!inModel(abs)) {
          c.constrained++;
          continue;
        }
        c.fired++;
        if (cand.name === x.stuttering) {
          stutters.add(from.key);
          continue;
        }
        const rec = x.recorded !== undefined ? x.recorded(cand, s, after) : cand;
        noteArgs(c, rec);
        for (const cl of x.classify?.(rec, s, after) ?? []) c.classes[cl] = (c.classes[cl] ?? 0) + 1;
        const view = viewOf(abs, o.viewVars);
        const key = stateKey(view, true);
        const before = from.succ.size;
        addTransition(from, actionValue(rec), key, true);
        if (from.succ.size > before) transitions++;
        const { added } = addState(graph, view, key);
        if (!added) continue;
        noteViolations(after);
        nextQueue.push(copyable ? { state: after, first: q.first, anchor: s, path: [cand] } : { state: after, first: q.first, anchor: q.anchor, path: [...q.path, cand] });
        nextKeys.push(key);
        if (graph.states.size >= nextReport) {
          nextReport += every;
          o.onProgress?.(graph.states.size, depth + 1, queue.length - i + nextQueue.length);
        }
        if (o.maxStates !== undefined && graph.states.size > o.maxStates) {
          return err(`more than ${o.maxStates} distinct states; the model is too large to explore here`);
        }
      }
    }
    if (nextQueue.length > 0) depth++;
    queue = nextQueue;
    keys = nextKeys;
  }
  // A stuttering step keeps the state and its `action` record: one self-loop per record that reaches the state.
  const incoming = new Map<string, Map<string, TlaValue>>();
  const reach = (k: string, a: TlaValue): void => {
    const m = incoming.get(k) ?? new Map<string, TlaValue>();
    incoming.set(k, m);
    m.set(tlaKey(a), a);
  };
  for (const k of graph.initial) reach(k, INIT_ACTION);
  for (const node of graph.states.values()) for (const t of node.succ.values()) if (stutters.has(t.target)) reach(t.target, t.action);
  for (const k of stutters) {
    const node = graph.states.get(k)!;
    for (const a of incoming.get(k)?.values() ?? []) {
      const before = node.succ.size;
      addTransition(node, a, k);
      if (node.succ.size > before) transitions++;
    }
  }
  return ok({
    spec: binding.spec,
    variant,
    graph,
    distinct: graph.states.size,
    transitions,
    generated,
    depth,
    actions,
    violations,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: cpuSince(cpu),
  });
}
