// The manifest as a table: `iterpin check --list` prints it, and README.md carries its Markdown form
// (test/readme.test.ts keeps the two equal).

import type { Expectation, Manifest, ManifestModel } from './manifest.js';

export function expectationText(e: Expectation): string {
  if (e.result === 'success') return 'success';
  return e.result === 'safety' ? `violates ${e.invariant}` : `violates ${e.property} (liveness)`;
}

function row(m: ManifestModel): string[] {
  return [m.name, m.spec, m.variant, expectationText(m.expect), String(m.distinct), String(m.depth), m.actionsFired ?? '-'];
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
      return `| \`${name}\` | ${spec} | \`${variant}\` | ${expected} | ${distinct} | ${depth} | ${fired} | ${esc(m.purpose)}${m.scale === true ? ' *(scale: not in the default run)*' : ''} |`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}
