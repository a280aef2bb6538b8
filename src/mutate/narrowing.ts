// The strict-subset criterion of `iterpin mutate`. A mutant that passes every invariant and property may still
// only REMOVE behaviours: a fault-injection set narrowed, an input generator that offers fewer inputs, a guard
// that forbids a start. No safety invariant can see a behaviour that is no longer there, but `iterpin check` does:
// the model's distinct-state count is no longer the manifest's. Such a mutant is killed for that reason, and only
// when the claim is exact: on every model, its state graph (TLC's `-dump dot,actionlabels`: states by TLC's
// fingerprint, initial states, transitions with their action labels) is a subgraph of the original's, and on some
// model it has fewer states. A mutant that adds one state, one initial state or one transition the original lacks
// is not a narrowing and stays a survivor.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** The shape of a dumped state graph: fingerprints only, no values (the comparison needs nothing else). */
export interface GraphShape {
  readonly states: ReadonlySet<string>;
  readonly initial: ReadonlySet<string>;
  /** `from>to>label`, each once. */
  readonly edges: ReadonlySet<string>;
}

const NODE = /^(-?\d+) \[label="(?:[^"\\]|\\.)*"(,style = filled)?\];?$/;
const EDGE = /^(-?\d+) -> (-?\d+)(?: \[label="((?:[^"\\]|\\.)*)")?/;

/** Reads a `-dump dot` file line by line (a deep model's dump is large), keeping fingerprints and labels. */
export async function readGraphShape(file: string): Promise<GraphShape> {
  const states = new Set<string>();
  const initial = new Set<string>();
  const edges = new Set<string>();
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const raw of lines) {
    const line = raw.trimEnd();
    const e = EDGE.exec(line);
    if (e !== null) {
      edges.add(`${e[1]}>${e[2]}>${e[3] ?? ''}`);
      continue;
    }
    const n = NODE.exec(line);
    if (n !== null) {
      states.add(n[1] as string);
      if (n[2] !== undefined) initial.add(n[1] as string);
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
