// `iterpin mutate` output: a score table per spec, then each survivor, timeout and equivalent mutant with its
// place and the changed lines; or the whole report as JSON.

import type { MutantResult, MutateReport, SpecSummary } from './run.js';

export const scoreText = (s: SpecSummary): string => (s.score === null ? '—' : `${(100 * s.score).toFixed(1)}%`);

function mutantBlock(spec: string, m: MutantResult): string[] {
  const head = `  ${spec} ${m.id}  (${m.operator} in ${m.definition}, line ${m.line}, column ${m.col})`;
  const change = `    ${m.before}  →  ${m.after}`;
  const extra =
    m.status === 'equivalent'
      ? [`    equivalent: ${m.reason}`]
      : m.status === 'timeout'
        ? [`    timed out on ${(m.timedOut ?? []).join(', ')}`]
        : [];
  return [head, change, ...extra, ...(m.diff ?? []).map((l) => `    ${l}`), ''];
}

export function renderMutateText(r: MutateReport): string {
  const out: string[] = [];
  const header = ['spec', 'mutants', 'run', 'invalid', 'killed (narrowed)', 'survived', 'equivalent', 'timed out', 'score'];
  const rows = r.specs.map((s) => [
    s.spec,
    String(s.summary.generated),
    String(s.summary.selected),
    String(s.summary.invalid),
    `${s.summary.killed} (${s.summary.narrowed})`,
    String(s.summary.survived),
    String(s.summary.equivalent),
    String(s.summary.timeout),
    scoreText(s.summary),
  ]);
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((row) => (row[k] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, k) => (k === 0 ? c.padEnd(widths[k] ?? 0) : c.padStart(widths[k] ?? 0))).join('  ');
  out.push(line(header), ...rows.map(line), '');
  for (const s of r.specs) {
    const models = s.models.map((m) => `${m.name} (${m.seconds.toFixed(1)} s, ${m.kills} killed)`).join(', ');
    out.push(`${s.spec}: ${s.selection}${models === '' ? '' : `, on ${models}`}${s.summary.reused > 0 ? `; ${s.summary.reused} verdicts from the results journal` : ''}`);
    const survivors = s.mutants.filter((m) => m.status === 'survived');
    const timeouts = s.mutants.filter((m) => m.status === 'timeout');
    const equivalent = s.mutants.filter((m) => m.status === 'equivalent');
    if (survivors.length > 0) out.push(`survived (not on the equivalence list):`, ...survivors.flatMap((m) => mutantBlock(s.spec, m)));
    if (timeouts.length > 0) out.push(`timed out:`, ...timeouts.flatMap((m) => mutantBlock(s.spec, m)));
    if (equivalent.length > 0) out.push(`survived, judged equivalent:`, ...equivalent.flatMap((m) => mutantBlock(s.spec, m)));
    for (const p of s.problems) out.push(`problem: ${p}`);
    if (survivors.length + timeouts.length + equivalent.length + s.problems.length === 0) out.push('  every mutant that ran was killed');
    out.push('');
  }
  out.push(
    `score = killed / (killed + survived + timed out); equivalent and invalid mutants are left out. (narrowed): of the killed, those that only remove behaviours (a strict subgraph of the original's state graph). ${r.seconds.toFixed(0)} s in all.`,
  );
  return `${out.join('\n')}\n`;
}

export function renderMutateJson(r: MutateReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
