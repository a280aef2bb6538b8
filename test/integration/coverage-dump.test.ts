// "Every action fires" for models TLC's -coverage set-up cannot handle (IterToSg: its coverage set-up walks the
// INSTANCE of IovIter once per path and does not finish), with real TLC: the action counter counts them as it
// counts every model, and with --counts coverage (TLC's -coverage) they come from TLC's dump of the state graph. A test-only cfg of IterToSg's final design with kernel iterators only (KVEC), so UserRound (the
// user path's rounds) can never fire: the model is uncovered until its manifest entry lists UserRound under
// neverFires; the project's MCIterToSg fires all three actions.
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/command.js';
import { projectRoot } from '../../src/tlc/jar.js';
import { runCli } from '../cli-harness.js';

const SPEC = join(projectRoot(), 'spec');
const NO_COVERAGE = 'test only: TLC 2.18 coverage set-up does not finish on IterToSg';

async function specDir(entry: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'iterpin-coverage-dump-'));
  for (const f of ['IterToSg.tla', 'IovIter.tla', 'MCIterToSg.tla']) await writeFile(join(dir, f), await readFile(join(SPEC, f)));
  const cfg = (await readFile(join(SPEC, 'MCIterToSg.cfg'), 'utf8')).replace(/Layouts <- MCSmallLayouts/, 'Layouts <- MCKvecLayouts');
  expect(cfg).toContain('Layouts <- MCKvecLayouts');
  await writeFile(join(dir, 'MCIterToSgKvec.cfg'), `\\* Test only: kernel iterators only, so UserRound never fires.\n${cfg}`);
  const model = { name: 'MCIterToSgKvec', spec: 'IterToSg', module: 'MCIterToSg.tla', cfg: 'MCIterToSgKvec.cfg', variant: 'v7.0.7', expect: { result: 'success' }, distinct: 85, depth: 5, purpose: 'test only', noCoverage: NO_COVERAGE, ...entry };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ version: 1, models: [model] }));
  return dir;
}

const check = (manifest: string, out: string, ...extra: string[]) => runCli(['check', '--manifest', manifest, '--out', out, '--jobs', '1', ...extra]);

interface Row {
  status: string;
  coverage?: { fired: number; of: number; unfired: string[]; source?: string; actions: { name: string; generated: number }[] };
}

describe('iterpin check: action counts from the state-graph dump (real TLC)', () => {
  it('an IterToSg model whose user path cannot run is uncovered, names UserRound, and passes once neverFires lists it', async () => {
    const dir = await specDir({});
    for (const [how, source] of [['counter', 'counter'], ['coverage', 'dump']] as const) {
      const r = await check(join(dir, 'manifest.json'), join(dir, 'out'), '--counts', how, '--json');
      const row = (JSON.parse(r.stdout) as { models: Row[] }).models[0];
      expect(row?.status).toBe('uncovered');
      expect(row?.coverage).toMatchObject({ fired: 2, of: 3, unfired: ['UserRound'], source });
      expect(row?.coverage?.actions.map((a) => a.name)).toEqual(['Call', 'UserRound', 'Terminating']);
      expect(row?.coverage?.actions.find((a) => a.name === 'Call')?.generated).toBeGreaterThan(0);
      expect(r.code).toBe(EXIT.uncovered);
    }

    const allowed = await specDir({ neverFires: { UserRound: 'kernel iterators only' }, actionsFired: '2/3' });
    const ok = await check(join(allowed, 'manifest.json'), join(allowed, 'out'));
    expect(ok.stdout).toMatch(/^MCIterToSgKvec\s+.*2\/3\s+\d+\.\d\s+✓$/m);
    expect(ok.code).toBe(EXIT.ok);
  }, 300_000);

  it("the project's MCIterToSg: every action fires, counted from the dump, its states and depth unchanged", async () => {
    const out = await mkdtemp(join(tmpdir(), 'iterpin-coverage-dump-'));
    const r = await check(join(SPEC, 'manifest.json'), out, '--model', 'MCIterToSg', '--counts', 'coverage', '--json');
    const row = (JSON.parse(r.stdout) as { models: Row[] }).models[0];
    expect(row?.status).toBe('match');
    expect(row?.coverage).toMatchObject({ fired: 3, of: 3, unfired: [], source: 'dump' });
    expect(r.code).toBe(EXIT.ok);
  }, 300_000);
});
