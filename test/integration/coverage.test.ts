// "Every action fires", with real TLC: a test-only cfg of the Pipeline self-test with no items, so Produce (an
// `\E` over the empty set, which TLC's report leaves out) and Consume (reported, never enabled) never fire. The
// model expected to succeed is `uncovered` (its own exit code) until its manifest entry lists both actions under
// neverFires with a reason; a malformed neverFires is refused before TLC runs; --no-coverage switches it all off.
// The counts come from the action counter (src/tlc/counter.ts) unless --counts coverage asks for TLC's -coverage.
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/command.js';
import { projectRoot } from '../../src/tlc/jar.js';
import { runCli } from '../cli-harness.js';

const SPEC = join(projectRoot(), 'spec');
const env = { ...process.env, TLA2TOOLS_JAR: '' };

const CFG = `\\* Test only: the Pipeline with nothing to produce; Produce and Consume can never fire.
CONSTANTS
    Items = {}
    Capacity <- MCCapacity
    Variant <- VariantBounded
SPECIFICATION Spec
INVARIANTS
    TypeOK
    QueueBoundInv
VIEW View
`;

async function specDir(entry: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'iterpin-coverage-'));
  for (const f of ['Pipeline.tla', 'MCPipeline.tla']) await writeFile(join(dir, f), await readFile(join(SPEC, f)));
  await writeFile(join(dir, 'MCPipelineNoItems.cfg'), CFG);
  const model = { name: 'MCPipelineNoItems', spec: 'Pipeline', module: 'MCPipeline.tla', cfg: 'MCPipelineNoItems.cfg', variant: 'bounded', expect: { result: 'success' }, distinct: 1, depth: 1, purpose: 'test only', ...entry };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ version: 1, models: [model] }));
  return dir;
}

const check = (dir: string, ...extra: string[]) => runCli(['check', '--manifest', join(dir, 'manifest.json'), '--out', join(dir, 'out'), '--jobs', '1', ...extra], { env });

interface Row {
  status: string;
  coverage?: { fired: number; of: number; unfired: string[]; allowed: Record<string, string>; source: string; actions: { name: string; generated: number; distinct?: number }[] };
}

describe('iterpin check: every action of Next fires', () => {
  it('a model expected to succeed with actions that never fire is uncovered, names them, and exits with its own code', async () => {
    const dir = await specDir({});
    const r = await check(dir, '--json');
    expect(r.code).toBe(EXIT.uncovered);
    const row = (JSON.parse(r.stdout) as { models: Row[] }).models[0];
    expect(row?.status).toBe('uncovered');
    expect(row?.coverage).toMatchObject({ fired: 1, of: 3, unfired: ['Produce', 'Consume'], source: 'counter' });
    // the one step TLC takes is Terminating's stutter from the initial state
    expect(row?.coverage?.actions).toEqual([
      { name: 'Produce', generated: 0 },
      { name: 'Consume', generated: 0 },
      { name: 'Terminating', generated: 1 },
    ]);
    const text = await check(dir);
    expect(text.code).toBe(EXIT.uncovered);
    expect(text.stdout).toMatch(/^MCPipelineNoItems\s+bounded\s+success\s+success\s+1\s+1\s+1\/3\s+\d+\.\d\s+✗$/m);
    expect(text.stdout).toContain('✗ MCPipelineNoItems: action Produce never fired');
  });

  it('neverFires with a reason for each lets it pass; actionsFired is held against the run', async () => {
    const neverFires = { Produce: 'the model has no items', Consume: 'nothing is ever queued' };
    const ok = await check(await specDir({ neverFires, actionsFired: '1/3' }));
    expect(ok.stdout).toMatch(/^MCPipelineNoItems\s+.*1\/3\s+\d+\.\d\s+✓$/m);
    expect(ok.code).toBe(EXIT.ok);
    const off = await check(await specDir({ neverFires, actionsFired: '3/3' }));
    expect(off.code).toBe(EXIT.mismatch);
    expect(off.stdout).toContain('✗ MCPipelineNoItems: actions fired: expected 3/3, got 1/3');
  });

  it('a bad neverFires entry is refused with the manifest place, before TLC runs', async () => {
    const r = await check(await specDir({ neverFires: { Produce: '' } }));
    expect(r.code).toBe(EXIT.badInput);
    expect(r.stderr).toMatch(/^iterpin check: .*manifest\.json: models\[0\]\.neverFires\.Produce: must be the reason the action never fires/);
    expect(r.stdout).toBe('');
  });

  it('--counts coverage: the same verdict from TLC\'s -coverage, with the distinct states each action found', async () => {
    const r = await check(await specDir({}), '--counts', 'coverage', '--json');
    expect(r.code).toBe(EXIT.uncovered);
    const row = (JSON.parse(r.stdout) as { models: Row[] }).models[0];
    expect(row?.coverage).toMatchObject({ fired: 1, of: 3, unfired: ['Produce', 'Consume'], source: 'coverage' });
    expect(row?.coverage?.actions).toEqual([
      { name: 'Produce', generated: 0, distinct: 0 },
      { name: 'Consume', generated: 0, distinct: 0 },
      { name: 'Terminating', generated: 1, distinct: 0 },
    ]);
    const bad = await check(await specDir({}), '--counts', 'sometimes');
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain("--counts must be counter or coverage, got 'sometimes'");
  });

  it("the counter's counts are TLC's own: MCPipeline's steps per action equal -coverage's, the distinct states too", async () => {
    const runs = [];
    for (const how of ['counter', 'coverage']) {
      const r = await runCli(['check', '--model', 'MCPipeline', '--out', await mkdtemp(join(tmpdir(), 'iterpin-coverage-')), '--counts', how, '--json'], { env });
      expect(r.code).toBe(EXIT.ok);
      runs.push((JSON.parse(r.stdout) as { models: (Row & { got: { distinct: number } })[] }).models[0]);
    }
    expect(runs[0]?.coverage?.actions).toEqual(runs[1]?.coverage?.actions.map(({ name, generated }) => ({ name, generated })));
    expect(runs[0]?.coverage?.actions.map((a) => a.generated)).toEqual([136, 148, 24]);
    expect(runs[0]?.got.distinct).toBe(runs[1]?.got.distinct);
  });

  it('a step that changes nothing counts for the action that took it: the v6.9 zero-return loop is Call, not Terminating', async () => {
    const r = await runCli(['check', '--model', 'MCIterToSgBugZeroLoop', '--out', await mkdtemp(join(tmpdir(), 'iterpin-coverage-')), '--json'], { env });
    const row = (JSON.parse(r.stdout) as { models: Row[] }).models[0];
    expect(row?.status).toBe('match');
    expect(row?.coverage?.source).toBe('counter');
    expect(row?.coverage?.actions.find((a) => a.name === 'Terminating')?.generated).toBe(0);
    expect(row?.coverage?.actions.find((a) => a.name === 'Call')?.generated).toBeGreaterThan(0);
  });

  it('--no-coverage: no counts, no uncovered verdict', async () => {
    const r = await check(await specDir({}), '--no-coverage', '--json');
    expect(r.code).toBe(EXIT.ok);
    const row = (JSON.parse(r.stdout) as { models: Row[] }).models[0];
    expect(row?.status).toBe('match');
    expect(row?.coverage).toBeUndefined();
  });
});
