// Reading TLC's `-dump dot` state graph: one node per distinct state (its label is the state as `/\ var = value`
// lines, DOT-escaped; initial states are drawn filled), one edge per transition TLC took (`from -> to`, to new and
// already-seen states alike). Values are read with the project's parser, through the TLC state reader.

import { err, ok, type Result } from '../shared/result.js';
import type { TlaValue } from '../tla/value.js';
import { DOT_EDGE_LINE as EDGE, DOT_STATE_LINE as NODE } from '../tlc/dot-lines.js';
import { parseAssignments, type ValueMemo } from '../tlc/tool-state.js';

export interface DotGraph {
  /** TLC's fingerprint of each state → its variables. */
  readonly states: ReadonlyMap<string, ReadonlyMap<string, TlaValue>>;
  readonly initial: readonly string[];
  /** Transitions as (from, to, the action's name from the edge's label), each triple once. */
  readonly edges: readonly (readonly [string, string, string])[];
}

/** DOT's string escapes as TLC writes them: `\\`, `\"` and `\n`. */
function unescapeLabel(s: string): string {
  return s.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

export function parseDot(text: string, file: string): Result<DotGraph, string> {
  const states = new Map<string, ReadonlyMap<string, TlaValue>>();
  const initial: string[] = [];
  const edges: (readonly [string, string, string])[] = [];
  const seenEdges = new Set<string>();
  const memo: ValueMemo = new Map();
  let lineNo = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trimEnd();
    start = end + 1;
    lineNo++;
    if (line === '' || line.startsWith('strict digraph') || line.startsWith('digraph') || line.startsWith('nodesep') ||
        line.startsWith('subgraph') || line.startsWith('color=') || line === '}' || line.startsWith('rankdir')) continue;
    const e = EDGE.exec(line);
    if (e !== null) {
      const label = unescapeLabel(e[3] ?? '');
      const key = `${e[1]} ${e[2]} ${label}`;
      if (!seenEdges.has(key)) {
        seenEdges.add(key);
        edges.push([e[1] as string, e[2] as string, label]);
      }
      continue;
    }
    const n = NODE.exec(line);
    if (n !== null) {
      const body = unescapeLabel(n[2] as string);
      const values = parseAssignments(body, 0, 1, memo);
      if (!values.ok) return err(`${file}:${lineNo}: state ${n[1]} cannot be read: ${values.error.detail}`);
      states.set(n[1] as string, values.value);
      if (n[3] !== undefined) initial.push(n[1] as string);
      continue;
    }
    // Legend and other decorations TLC may add are not states or transitions.
    if (line.startsWith('{') || line.startsWith('node') || line.startsWith('label') || line.startsWith('}')) continue;
    return err(`${file}:${lineNo}: not a DOT line of TLC's state dump: ${line.slice(0, 80)}`);
  }
  for (const [a, b] of edges) {
    if (!states.has(a) || !states.has(b)) return err(`${file}: the transition ${a} -> ${b} names a state the dump does not hold`);
  }
  if (initial.length === 0) return err(`${file}: the dump holds no initial state`);
  return ok({ states, initial, edges });
}
