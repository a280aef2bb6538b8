// The manifest as a table: `iterpin check --list` prints it, and README.md carries its Markdown form
// (test/readme.test.ts keeps the two equal).

import type { Expectation, Manifest, ManifestModel } from './manifest.js';

/** A sampled model's budget, e.g. "sampled: 50 behaviours" or "sampled: 120 s". */
function sampleText(m: ManifestModel): string | undefined {
  const s = m.sample;
  if (s === undefined) return undefined;
  return `sampled: ${s.behaviours !== undefined ? `${s.behaviours} behaviours` : `${s.seconds} s`}`;
}

export function expectationText(e: Expectation): string {
  if (e.result === 'success') return 'success';
  return e.result === 'safety' ? `violates ${e.invariant}` : `violates ${e.property} (liveness)`;
}

function row(m: ManifestModel): string[] {
  // A sampled model has no distinct-state count or graph depth: its budget and its behaviours' length instead.
  const also = m.sample?.alsoFinds !== undefined ? ` (or ${m.sample.alsoFinds.join(', ')})` : '';
  const expected = m.sample !== undefined && m.expect.result === 'success' ? 'no violation (sampled)' : `${expectationText(m.expect)}${also}`;
  const distinct = sampleText(m) ?? String(m.distinct);
  const depth = m.sample !== undefined ? `${m.sample.depth} (per behaviour)` : String(m.depth);
  return [m.name, m.spec, m.variant, expected, distinct, depth, m.actionsFired ?? '-'];
}

const HEADER = ['model', 'spec', 'variant', 'expected', 'distinct states', 'depth', 'actions fired'];

export function renderManifestText(manifest: Manifest): string {
  const rows = [HEADER, ...manifest.models.map((m) => [...row(m), m.scale === true ? '(scale)' : ''])];
  const widths = HEADER.map((_h, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return `${rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')}\n`;
}

export function renderManifestMarkdown(manifest: Manifest): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = [
    `| ${[...HEADER, 'purpose'].join(' | ')} |`,
    `|${[...HEADER, 'purpose'].map((_h, i) => (i >= 4 && i <= 6 ? '--:' : '---')).join('|')}|`,
    ...manifest.models.map((m) => {
      const [name, spec, variant, expected, distinct, depth, fired] = row(m);
      return `| \`${name}\` | ${spec} | \`${variant}\` | ${expected} | ${distinct} | ${depth} | ${fired} | ${esc(m.purpose)}${m.scale === true ? ` *(scale: not in the default run${m.mutate !== undefined ? `; iterpin mutate runs on it: ${esc(m.mutate)}` : ''})*` : ''} |`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}
