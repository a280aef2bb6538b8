// Renderers of the review matrix: terminal table, Markdown for a code review, JSON. Pure functions.

import type { ReviewCell, ReviewReport, ReviewSpec } from './matrix.js';
import type { Timeline } from './timeline.js';
import { anchor } from './html.js';
import { reviewDiagram } from './mermaid.js';
import { sampledLine } from './sampled.js';

/** `✗ 5` — violated with a 5-state counterexample; `✓` holds. */
function cellText(c: ReviewCell): string {
  switch (c.status) {
    case 'holds':
      return '✓';
    case 'violated':
      return `✗ ${c.length ?? '?'}`;
    case 'error':
      return 'error';
    case 'timeout':
      return 'timeout';
    default: {
      const never: never = c.status;
      return never;
    }
  }
}

function replayText(c: ReviewCell, finalVariant: string, final: boolean): string {
  const own = `own variant: ${c.replayOwn ?? '—'}`;
  if (final) return own;
  if (c.onFinal !== undefined) return `${own}; the same actions on ${finalVariant}: ${c.onFinal.summary}`;
  const step = c.replayFinalStep !== undefined ? ` at step ${c.replayFinalStep}` : '';
  return `${own}; on ${finalVariant}: ${c.replayFinal ?? '—'}${step}`;
}

function violations(spec: ReviewSpec): { variant: string; cell: ReviewCell; final: boolean; model?: string }[] {
  return spec.rows.flatMap((r) =>
    r.cells
      .filter((c) => c.status === 'violated')
      .map((cell) => ({ variant: r.variant, cell, final: r.final, ...(r.model !== undefined && r.model !== spec.model ? { model: r.model } : {}) })),
  );
}

/**
 * `final design: v6.5 on MCPageLifetime; bug-x on MCPageLifetimeFail (…)`: the model the rows run on, and the rows
 * that run on another final-design model than the spec's first. `q` quotes a name (Markdown code spans).
 */
function headline(spec: ReviewSpec, q: (s: string) => string = (s) => s): string {
  const others = spec.rows.filter((r) => r.model !== undefined && r.model !== spec.model).map((r) => `${q(r.variant)} on ${q(r.model ?? '')}`);
  const on = spec.model !== undefined ? ` on ${q(spec.model)}` : '';
  return `final design: ${q(spec.finalVariant)}${on}${others.length > 0 ? `; ${others.join(', ')} (the final design's model of the configuration its own model has)` : ''}`;
}

function pad(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((row) => row.map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) - [...cell].length)).join('  ').trimEnd());
}

export function renderReviewText(report: ReviewReport): string {
  const out: string[] = [];
  for (const spec of report.specs) {
    out.push(`${spec.spec} (${headline(spec)})`);
    const header = ['variant', ...spec.invariants, 'manifest'];
    const rows = spec.rows.map((r) => [
      r.final ? `${r.variant} *` : r.variant,
      ...r.cells.map(cellText),
      r.agrees ? 'agrees' : 'DISAGREES',
    ]);
    out.push(...pad([header, ...rows]).map((l) => `  ${l}`));
    for (const v of violations(spec)) {
      const on = v.model !== undefined ? `, on ${v.model}` : '';
      out.push(`  ${v.variant} ✗ ${v.cell.invariant} (${v.cell.length} states${on}): ${replayText(v.cell, spec.finalVariant, v.final)}`);
    }
    for (const r of spec.rows) for (const d of r.disagreements) out.push(`  ! ${r.variant}: ${d}`);
    for (const s of spec.sampled ?? []) out.push(`  ~ ${sampledLine(s)}`);
    out.push('');
  }
  out.push('✓ holds   ✗ k violated, counterexample of k states   * final design   ~ sampled model, last recorded result');
  const runs = report.tlcRuns !== undefined ? `, ${report.tlcRuns} TLC runs, ${report.cacheHits ?? 0} answered from the cache` : '';
  out.push(`${report.ok ? 'every row agrees with the manifest' : 'some rows DISAGREE with the manifest'} (${report.seconds.toFixed(1)} s${runs})`);
  return `${out.join('\n')}\n`;
}

const mdEscape = (s: string): string => s.replace(/\|/g, '\\|');

/**
 * Markdown for a code review. With `timelines` (reviewTimelines), each counterexample gets a Mermaid sequence
 * diagram under its line, folded in a <details> block.
 */
export function renderReviewMarkdown(report: ReviewReport, timelines?: ReadonlyMap<string, Timeline>): string {
  const out: string[] = [];
  for (const spec of report.specs) {
    const h = headline(spec, (x) => `\`${x}\``);
    out.push(`### ${spec.spec}`, '', `${h.charAt(0).toUpperCase()}${h.slice(1)}.`, '');
    out.push(`| variant | ${spec.invariants.map((i) => `\`${i}\``).join(' | ')} | manifest |`);
    out.push(`|---|${spec.invariants.map(() => ':-:').join('|')}|---|`);
    for (const r of spec.rows) {
      const name = r.final ? `**\`${r.variant}\`**` : `\`${r.variant}\``;
      out.push(`| ${name} | ${r.cells.map((c) => mdEscape(cellText(c))).join(' | ')} | ${r.agrees ? 'agrees' : '**disagrees**'} |`);
    }
    const vs = violations(spec);
    if (vs.length > 0) {
      out.push('', 'Counterexamples, replayed on the reference implementation:', '');
      for (const v of vs) {
        const on = v.model !== undefined ? ` (on \`${v.model}\`)` : '';
        out.push(`- \`${v.variant}\` violates \`${v.cell.invariant}\` in ${v.cell.length} states${on} — ${mdEscape(replayText(v.cell, spec.finalVariant, v.final))}`);
        const t = timelines?.get(anchor(spec.spec, v.variant, v.cell.invariant));
        if (t !== undefined) {
          out.push('', '  <details><summary>sequence diagram</summary>', '', ...reviewDiagram(t).split('\n').map((l) => `  ${l}`), '', '  </details>', '');
        }
      }
    }
    const ds = spec.rows.flatMap((r) => r.disagreements.map((d) => `- **${r.variant}**: ${mdEscape(d)}`));
    if (ds.length > 0) out.push('', 'Disagreements:', '', ...ds);
    const ss = (spec.sampled ?? []).map((s) => `- ${mdEscape(sampledLine(s))}`);
    if (ss.length > 0) out.push('', 'Sampled models (not run by the review; their last recorded `npm run sample` result):', '', ...ss);
    out.push('');
  }
  out.push('✓ holds · ✗ *k* violated with a counterexample of *k* states · **bold** = final design');
  return `${out.join('\n')}\n`;
}

export function renderReviewJson(report: ReviewReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
