// The strict-subset criterion of `iterpin mutate`. A mutant that passes every invariant and property may still
// only REMOVE behaviours: a fault-injection set narrowed, an input generator that offers fewer inputs, a guard
// that forbids a start. No safety invariant can see a behaviour that is no longer there, but `iterpin check` does:
// the model's distinct-state count is no longer the manifest's. Such a mutant is killed for that reason, and only
// when the claim is exact: on every model, its state graph (TLC's `-dump dot,actionlabels`: states by TLC's
// fingerprint, initial states, transitions with their action labels) is a subgraph of the original's, and on some
// model it has fewer states. A mutant that adds one state, one initial state or one transition the original lacks
// is not a narrowing and stays a survivor. A self-loop of an action no fairness condition names is not a
// transition here: a TLA+ behaviour may stutter at any state (`[][Next]_vars`), so such a step adds no behaviour,
// and an edit that turns the action into a stutter (a truncate that changes nothing) only removes the steps it
// took. A self-loop of a fair action is kept: repeated forever, it is a livelock a liveness property can catch
// (an extraction loop retrying a failure it never records), so it is a transition the original lacks.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DOT_EDGE_LINE as EDGE, DOT_STATE_LINE as NODE } from '../tlc/dot-lines.js';

/** The shape of a dumped state graph: fingerprints only, no values (the comparison needs nothing else). */
export interface GraphShape {
  readonly states: ReadonlySet<string>;
  readonly initial: ReadonlySet<string>;
  /** `from>to>label`, each once; self-loops of actions no fairness condition names are left out. */
  readonly edges: ReadonlySet<string>;
}

/**
 * The names a spec's fairness conditions reach: every identifier inside a `WF_v(...)` or `SF_v(...)`, and,
 * transitively, every identifier in the body of an operator so named. An over-approximation (a constant or a
 * variable is named too), which only keeps more self-loops.
 */
export function fairNames(text: string): Set<string> {
  const defs = new Map<string, string>();
  const heads = [...text.matchAll(/^([A-Za-z_]\w*)\s*(?:\([^)]*\))?\s*==/gm)];
  heads.forEach((m, k) => {
    const end = heads[k + 1]?.index ?? text.length;
    defs.set(m[1] as string, text.slice((m.index ?? 0) + m[0].length, end));
  });
  const idents = (body: string): string[] => [...body.matchAll(/[A-Za-z_]\w*/g)].map((x) => x[0]);
  const todo: string[] = [];
  for (const m of text.matchAll(/\b[WS]F_\w+\s*\(/g)) {
    let depth = 1;
    let k = (m.index ?? 0) + m[0].length;
    const from = k;
    for (; k < text.length && depth > 0; k++) {
      if (text[k] === '(') depth++;
      else if (text[k] === ')') depth--;
    }
    todo.push(...idents(text.slice(from, k - 1)));
  }
  const out = new Set<string>();
  for (let n = todo.pop(); n !== undefined; n = todo.pop()) {
    if (out.has(n)) continue;
    out.add(n);
    const body = defs.get(n);
    if (body !== undefined) todo.push(...idents(body));
  }
  return out;
}

/**
 * Reads a `-dump dot` file line by line (a deep model's dump is large), keeping fingerprints and labels. A
 * self-loop is kept only when its action label is among `fair` (see fairNames).
 */
export async function readGraphShape(file: string, fair: ReadonlySet<string> = new Set()): Promise<GraphShape> {
  const states = new Set<string>();
  const initial = new Set<string>();
  const edges = new Set<string>();
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const raw of lines) {
    const line = raw.trimEnd();
    const e = EDGE.exec(line);
    if (e !== null) {
      if (e[1] !== e[2] || fair.has(e[3] ?? '')) edges.add(`${e[1]}>${e[2]}>${e[3] ?? ''}`);
      continue;
    }
    const n = NODE.exec(line);
    if (n !== null) {
      states.add(n[1] as string);
      if (n[3] !== undefined) initial.add(n[1] as string);
    }
  }
  return { states, initial, edges };
}

const within = (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean => {
  if (a.size > b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
};

export type ShapeComparison =
  | { readonly kind: 'subgraph'; readonly states: number; readonly originalStates: number; readonly edges: number; readonly originalEdges: number }
  | { readonly kind: 'adds'; readonly what: string };

/** Whether the mutant's graph is a subgraph of the original's (and how big each is), or what it adds. */
export function compareShapes(mutant: GraphShape, original: GraphShape): ShapeComparison {
  if (!within(mutant.states, original.states)) return { kind: 'adds', what: 'a state' };
  if (!within(mutant.initial, original.initial)) return { kind: 'adds', what: 'an initial state' };
  if (!within(mutant.edges, original.edges)) return { kind: 'adds', what: 'a transition' };
  return { kind: 'subgraph', states: mutant.states.size, originalStates: original.states.size, edges: mutant.edges.size, originalEdges: original.edges.size };
}

/**
 * The verdict over all models, in the order given: a narrowing (the first model with fewer states, and the
 * message) when every graph is a subgraph and some has fewer states; otherwise undefined.
 */
export function narrowing(per: readonly { readonly model: string; readonly cmp: ShapeComparison }[]): { readonly model: string; readonly message: string } | undefined {
  const subgraphs = per.map((p) => p.cmp).filter((c): c is Extract<ShapeComparison, { kind: 'subgraph' }> => c.kind === 'subgraph');
  if (subgraphs.length !== per.length) return undefined;
  const fewer = per.find((p) => p.cmp.kind === 'subgraph' && p.cmp.states < p.cmp.originalStates);
  if (fewer === undefined || fewer.cmp.kind !== 'subgraph') return undefined;
  const c = fewer.cmp;
  return {
    model: fewer.model,
    message:
      `reaches ${c.states} of the original's ${c.originalStates} distinct states (${c.edges} of its ${c.originalEdges} transitions) and, on every model, ` +
      `no state, initial state or transition the original lacks: it only removes behaviours, and iterpin check's distinct-state count fails`,
  };
}
