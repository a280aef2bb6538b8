// Keeps README.md true: its model table is the manifest's, its replay transcripts are what `iterpin replay`
// prints for the checked-in syzbot counterexample, and its quick start names scripts package.json has.
// ITERPIN_UPDATE_README=1 rewrites the generated sections instead of comparing them.

import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli-harness.js';
import { parseManifest } from '../src/manifest/load.js';
import { renderManifestMarkdown } from '../src/manifest/table.js';
import { OPERATORS } from '../src/mutate/generate.js';
import { specMutants } from '../src/mutate/run.js';
import type { Manifest } from '../src/manifest/manifest.js';

/** The mutant counts per spec and operator that `iterpin mutate` generates today. */
async function mutantTable(manifest: Manifest): Promise<string> {
  const specs = [...new Set(manifest.models.map((m) => m.spec))];
  const rows: string[] = [];
  for (const spec of specs) {
    const got = await specMutants({ manifest, specDir: join(root, 'spec'), includeScale: false }, spec);
    if ('kind' in got) continue; // no passing model: nothing to mutate
    const n = (op: string) => got.all.filter((m) => m.operator === op).length;
    rows.push(`| \`${spec}\` | ${got.all.length} | ${OPERATORS.map(n).join(' | ')} |`);
  }
  return [`| spec | mutants | ${OPERATORS.join(' | ')} |`, `|---|--:|${OPERATORS.map(() => '--:').join('|')}|`, ...rows, ''].join('\n');
}

const root = join(import.meta.dirname, '..');
const readmePath = join(root, 'README.md');
const update = process.env['ITERPIN_UPDATE_README'] === '1';

function section(text: string, name: string): string | undefined {
  const m = new RegExp(`<!-- ${name}:begin -->\\n([\\s\\S]*?)<!-- ${name}:end -->`).exec(text);
  return m?.[1];
}

function replaceSection(text: string, name: string, body: string): string {
  return text.replace(new RegExp(`(<!-- ${name}:begin -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`), (_m, a: string, b: string) => `${a}${body}${b}`);
}

async function generated(): Promise<Record<string, string>> {
  const manifest = parseManifest(readFileSync(join(root, 'spec', 'manifest.json'), 'utf8'), 'spec/manifest.json');
  if (!manifest.ok) throw new Error('spec/manifest.json is invalid');
  const trace = 'test/fixtures/traces/MCSpliceReadPipeExtractNoRefCorruption.itf.json';
  const own = await runCli(['replay', trace], { cwd: root });
  const fix = await runCli(['replay', trace, '--variant', 'copy-splice-read', '--brief'], { cwd: root });
  expect(own.code).toBe(0);
  expect(fix.code).toBe(2);
  return { models: renderManifestMarkdown(manifest.value), replay: own.stdout, 'replay-fix': fix.stdout, mutants: await mutantTable(manifest.value) };
}

describe('README.md', () => {
  it('carries the manifest table and the real replay transcripts', async () => {
    const sections = await generated();
    let text = readFileSync(readmePath, 'utf8');
    if (update) {
      for (const [name, body] of Object.entries(sections)) text = replaceSection(text, name, body);
      writeFileSync(readmePath, text);
    }
    for (const [name, body] of Object.entries(sections)) {
      expect(section(text, name), `README section ${name} (ITERPIN_UPDATE_README=1 npx vitest run test/readme.test.ts rewrites it)`).toBe(body);
    }
  });

  it('names in its quick start only scripts that package.json defines', () => {
    const text = readFileSync(readmePath, 'utf8');
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const quick = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
    expect(quick).toContain('npm ci && npm start');
    expect(quick).toContain('npm test');
    expect(scripts['start']).toContain('check');
    expect(scripts['test']).toContain('vitest run');
  });
});
