// Text and JSON for `iterpin explore` and `iterpin conform`: counts, the first difference, and the coverage table
// (which actions, argument values and classes the exploration exercised).

import { tlaDiff } from '../tla/equal.js';
import { printTla } from '../tla/print.js';
import { tlaRecord, type TlaValue } from '../tla/value.js';
import type { FirstDifference } from './compare.js';
import type { ConformReport } from './conform.js';
import type { ExploreSummary } from './explore.js';

const rate = (n: number, s: number): string => (s > 0 ? `${Math.round(n / s)}` : '-');

export function exploreJson(model: string, r: ExploreSummary): Record<string, unknown> {
  return {
    model,
    spec: r.spec,
    variant: r.variant,
    distinct: r.distinct,
    transitions: r.transitions,
    generated: r.generated,
    depth: r.depth,
    seconds: r.seconds,
    cpuSeconds: r.cpuSeconds,
    distinctPerSecond: r.seconds > 0 ? r.distinct / r.seconds : null,
    distinctPerCpuSecond: r.cpuSeconds > 0 ? r.distinct / r.cpuSeconds : null,
    actions: r.actions,
    violations: r.violations,
  };
}

export function renderExploreText(model: string, r: ExploreSummary): string {
  const lines = [
    `${model} (${r.spec}, variant ${r.variant}): ${r.distinct} distinct states, ${r.transitions} transitions, depth ${r.depth}; ` +
      `${r.generated} steps in ${r.seconds.toFixed(2)} s, ${r.cpuSeconds.toFixed(2)} s CPU (${rate(r.distinct, r.seconds)} distinct states/s)`,
  ];
  for (const [name, c] of Object.entries(r.actions)) {
    const args = Object.entries(c.args).map(([k, vs]) => `${k} ∈ {${vs.join(', ')}}`).join(', ');
    lines.push(`  ${name.padEnd(16)} ${String(c.fired).padStart(8)} taken, ${String(c.refused).padStart(7)} not enabled${c.constrained > 0 ? `, ${c.constrained} cut by the constraint` : ''}${args !== '' ? `; ${args}` : ''}`);
  }
  const flagged = Object.entries(r.violations);
  lines.push(flagged.length === 0 ? '  the implementation flags no invariant in any state' : `  states the implementation flags: ${flagged.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

function varsRecord(vars: ReadonlyMap<string, TlaValue> | undefined): string {
  return vars === undefined ? '(none)' : printTla(tlaRecord([...vars]));
}

function differenceLines(d: FirstDifference): string[] {
  const what: Record<FirstDifference['kind'], string> = {
    'initial-missing': 'an initial state of the spec that the implementation does not start from',
    'initial-extra': 'an initial state of the implementation that the spec does not have',
    'not-taken': `the spec takes ${d.action} here; the implementation does not`,
    diverged: `after ${d.action} the spec and the implementation reach different states`,
    extra: `the implementation takes ${d.action} here; the spec does not`,
  };
  const out = [`  first difference (after ${d.path.length - 1} step(s)): ${what[d.kind]}`];
  if (d.from !== undefined) out.push(`    from:     ${varsRecord(d.from)}`);
  if (d.expected !== undefined) out.push(`    spec:     ${varsRecord(d.expected)}`);
  if (d.actual !== undefined) out.push(`    impl:     ${varsRecord(d.actual)}`);
  if (d.expected !== undefined && d.actual !== undefined) {
    for (const x of tlaDiff(tlaRecord([...d.expected]), tlaRecord([...d.actual])).slice(0, 8)) {
      out.push(`    differs at ${x.path}: spec ${x.expected !== undefined ? printTla(x.expected) : '(none)'}, impl ${x.actual !== undefined ? printTla(x.actual) : '(none)'}`);
    }
  }
  return out;
}

/** One model's verdict in one line: model, verdict, states and transitions (the explorer's, then TLC's), seconds. */
export function conformVerdictLine(r: ConformReport, pad = 0): string {
  const e = r.explorer;
  return (
    `${r.model.padEnd(pad)} ${r.verdict === 'conforms' ? 'conforms' : 'DIFFERS '}  ${e.distinct} states, ${e.transitions} transitions ` +
    `(TLC ${r.tlc.distinct}, ${r.tlc.transitions}); explorer ${e.seconds.toFixed(1)} s, TLC dump ${r.tlc.seconds.toFixed(1)} s`
  );
}

export function renderConformText(r: ConformReport): string {
  const c = r.comparison;
  const head = conformVerdictLine(r, 40);
  if (r.verdict === 'conforms') return `${head}\n`;
  const lines = [
    head,
    `  ${c.missingStates} state(s) the spec reaches are missing from the implementation, ${c.extraStates} extra; ${c.differingStates} common state(s) with other transitions`,
    ...(c.first !== undefined ? differenceLines(c.first) : []),
    ...(r.traceFile !== undefined ? [`  the path to it: ${r.traceFile} (iterpin replay ${r.traceFile})`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

function differenceJson(d: FirstDifference): Record<string, unknown> {
  const show = (v: ReadonlyMap<string, TlaValue> | undefined): string | undefined => (v === undefined ? undefined : printTla(tlaRecord([...v])));
  return {
    kind: d.kind,
    action: d.action,
    steps: d.path.length - 1,
    ...(d.from !== undefined ? { from: show(d.from) } : {}),
    ...(d.expected !== undefined ? { expected: show(d.expected) } : {}),
    ...(d.actual !== undefined ? { actual: show(d.actual) } : {}),
  };
}

export function conformJson(r: ConformReport): Record<string, unknown> {
  const { first, ...counts } = r.comparison;
  return {
    model: r.model,
    spec: r.spec,
    variant: r.variant,
    verdict: r.verdict,
    tlc: r.tlc,
    explorer: exploreJson(r.model, r.explorer),
    comparison: { ...counts, ...(first !== undefined ? { first: differenceJson(first) } : {}) },
    ...(r.traceFile !== undefined ? { traceFile: r.traceFile } : {}),
  };
}

/** Per spec and action: steps taken and refused, argument values and classes, summed over the models. */
export function renderCoverage(results: readonly ExploreSummary[]): string {
  const bySpec = new Map<string, Map<string, { fired: number; refused: number; args: Map<string, Set<string>>; classes: Map<string, number> }>>();
  for (const r of results) {
    const spec = bySpec.get(r.spec) ?? new Map();
    bySpec.set(r.spec, spec);
    for (const [name, c] of Object.entries(r.actions)) {
      const a = spec.get(name) ?? { fired: 0, refused: 0, args: new Map(), classes: new Map() };
      spec.set(name, a);
      a.fired += c.fired;
      a.refused += c.refused;
      for (const [k, vs] of Object.entries(c.args)) {
        const set = a.args.get(k) ?? new Set<string>();
        a.args.set(k, set);
        for (const v of vs) set.add(v);
      }
      for (const [k, n] of Object.entries(c.classes)) a.classes.set(k, (a.classes.get(k) ?? 0) + n);
    }
  }
  if (bySpec.size === 0) return '';
  const lines = ['', 'coverage (steps the implementation took, summed over the models):'];
  for (const [spec, actions] of bySpec) {
    for (const [name, a] of actions) {
      const args = [...a.args].map(([k, vs]) => `${k} ∈ {${[...vs].join(', ')}}`).join('; ');
      const classes = [...a.classes].sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ${n}`).join(', ');
      lines.push(`  ${`${spec}.${name}`.padEnd(28)} ${String(a.fired).padStart(9)} taken ${String(a.refused).padStart(9)} not enabled${args !== '' ? `  ${args}` : ''}`);
      if (classes !== '') lines.push(`  ${''.padEnd(28)} classes: ${classes}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
