// Stage of reading TLC's `-tool` output for `-coverage`: the coverage report. TLC 2.18 opens each report with
// 2201 ("The coverage statistics at …"), prints one 2773 message for Init and one 2772 per sub-action of Next,
// each `<Name line L, col C to line L2, col C2 of module M>: distinct:generated`, then the expressions (2221,
// 2775) and the invariants (2774), and closes with 2202 ("End of statistics."). A sub-action that is an
// application of a named operator is named after it (`<Produce … of module Pipeline>`), in whichever module
// defines it (an INSTANCEd module's name for `IV!Op`); a disjunct TLC cannot split further — one whose
// `\E` ranges over a set that depends on the state — is named after the next-state operator with the disjunct's
// place in parentheses: `<Next line 301, col 1 to line 301, col 4 of module IterToSg (302 8 302 67)>`.
// A disjunct `\E x \in S : A(x)` over an empty constant S yields no sub-action and so no message at all.

import { num } from './tool-text.js';

/** One 2772/2773 line: a sub-action (or Init) with what it did in the search so far. */
export interface CoverageEntry {
  /** The operator TLC names: the action's own name, or the next-state operator's for an unsplit disjunct. */
  readonly name: string;
  /** Where that operator is defined. */
  readonly definition: { readonly module: string; readonly line: number; readonly col: number; readonly endLine: number; readonly endCol: number };
  /** For an unsplit disjunct: its place (module is the definition's). */
  readonly disjunct?: { readonly line: number; readonly col: number; readonly endLine: number; readonly endCol: number };
  /** Distinct new states the sub-action found. */
  readonly distinct: number;
  /** Successor states it generated (a step that leaves the state unchanged counts here, not in `distinct`). */
  readonly generated: number;
  readonly init: boolean;
}

const ENTRY =
  /^<(\S+) line ([\d,]+), col ([\d,]+) to line ([\d,]+), col ([\d,]+) of module (\w+)(?: \(([\d,]+) ([\d,]+) ([\d,]+) ([\d,]+)\))?>: ([\d,]+):([\d,]+)\s*$/;

/** Reads the first line of a 2772 (action) or 2773 (Init) message; undefined when it has another shape. */
export function parseCoverageEntry(line: string, init: boolean): CoverageEntry | undefined {
  const m = ENTRY.exec(line);
  if (m === null) return undefined;
  return {
    name: m[1] as string,
    definition: { module: m[6] as string, line: num(m[2]), col: num(m[3]), endLine: num(m[4]), endCol: num(m[5]) },
    ...(m[7] !== undefined ? { disjunct: { line: num(m[7]), col: num(m[8]), endLine: num(m[9]), endCol: num(m[10]) } } : {}),
    distinct: num(m[11]),
    generated: num(m[12]),
    init,
  };
}

/** One action of Next as the spec's source lists it (see next-actions.ts). */
export interface NextAction {
  /**
   * The operator the disjunct applies, as written: `Produce` for `\E i \in Items : Produce(i)`, `IV!Op` for an
   * INSTANCEd module's operator; `Next@L:C` for a disjunct that applies no single operator.
   */
  readonly name: string;
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
}

/** The next-state operator of a model and its disjuncts, in order. */
export interface NextList {
  /** The operator's name, e.g. "Next". */
  readonly operator: string;
  /** The module defining it, e.g. "Pipeline". */
  readonly module: string;
  readonly actions: readonly NextAction[];
  /** The actions that only stutter (`UNCHANGED vars`, no `action'`), e.g. Terminating: counter.ts credits steps that change nothing to them. */
  readonly stuttering?: readonly string[];
  /** The spec defines `vars` and has an `action` variable each step records itself in: the action counter can count it. */
  readonly recordsActions?: boolean;
}

/** How often one action of Next was taken. */
export interface ActionCoverage {
  readonly name: string;
  /** Successor states the action generated: 0 means it never fired. */
  readonly generated: number;
  /** Distinct new states it found (TLC's -coverage and the state-graph dump say; the action counter does not). */
  readonly distinct?: number;
}

/** `(line, col)` lies within the range (inclusive). */
function within(r: { line: number; col: number; endLine: number; endCol: number }, line: number, col: number): boolean {
  const afterStart = line > r.line || (line === r.line && col >= r.col);
  const beforeEnd = line < r.endLine || (line === r.endLine && col <= r.endCol);
  return afterStart && beforeEnd;
}

/**
 * Per action of Next, by name, in Next's order: TLC's counts summed over the sub-actions that carry the name
 * (one per value of a constant `\E`, one per disjunct inside the action), a disjunct TLC names after the
 * next-state operator credited to the action written at its place, and 0 for an action TLC did not report at
 * all. Without Next's source list (`next` undefined) the names are TLC's, such a disjunct named `Next@line:col`.
 */
export function actionCoverage(entries: readonly CoverageEntry[], next: NextList | undefined): ActionCoverage[] {
  const counts = new Map<string, { generated: number; distinct: number }>();
  const order: string[] = next === undefined ? [] : [...new Set(next.actions.map((a) => a.name))];
  for (const e of entries) {
    if (e.init) continue;
    let name = e.name;
    const d = e.disjunct;
    const isNext = next === undefined ? e.name === 'Next' : e.name === next.operator && e.definition.module === next.module;
    if (d !== undefined && isNext) {
      const at = next?.actions.find((a) => within(a, d.line, d.col));
      name = at?.name ?? `${e.name}@${d.line}:${d.col}`;
    }
    if (!order.includes(name)) order.push(name);
    const c = counts.get(name) ?? { generated: 0, distinct: 0 };
    counts.set(name, { generated: c.generated + e.generated, distinct: c.distinct + e.distinct });
  }
  return order.map((name) => ({ name, generated: counts.get(name)?.generated ?? 0, distinct: counts.get(name)?.distinct ?? 0 }));
}
