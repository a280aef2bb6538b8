// Sampled runs with real TLC (`iterpin check --simulate`, TLC's simulation mode): a bug variant at the large
// sampled constants is found and its trace replays `reproduced`; a sampled run that finds nothing reads "no violation
// in N behaviours of depth D" in the table and the JSON, never "success"; a time budget runs exact batches; bad
// sample settings are refused before TLC runs. The slow part (every bug variant of every spec at the sampled
// constants) is `npm run sample`, not this file.
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/command.js';
import { projectRoot } from '../../src/tlc/jar.js';
import { runCli } from '../cli-harness.js';

const SPEC = join(projectRoot(), 'spec');
const env = { ...process.env, TLA2TOOLS_JAR: '' };

interface Row {
  name: string;
  status: string;
  sampledRun?: boolean;
  got: { outcome: string; invariant?: string; verdict?: string; distinct?: number; sampled?: { behaviours: number; depth: number; seeds: number[] } };
  itf?: string;
}

const check = async (args: string[]): Promise<{ code: number; rows: Row[]; stdout: string; stderr: string }> => {
  const out = await mkdtemp(join(tmpdir(), 'iterpin-simulate-'));
  const r = await runCli(['check', '--out', out, '--jobs', '1', ...args], { env });
  const rows = args.includes('--json') && r.stdout !== '' ? (JSON.parse(r.stdout) as { models: Row[] }).models : [];
  return { code: r.code, rows, stdout: r.stdout, stderr: r.stderr };
};

describe('iterpin check --simulate', () => {
  it('finds a bug variant at the sampled 4096-byte-page constants; its trace replays reproduced', async () => {
    const r = await check(['--model', 'MCIovIterSampleBugClobberMaxsize', '--json']);
    expect(r.code).toBe(EXIT.ok);
    const row = r.rows[0]!;
    expect(row).toMatchObject({ status: 'match', sampledRun: true, got: { outcome: 'safety', invariant: 'NoStallInv' } });
    const itf = JSON.parse(await readFile(row.itf!, 'utf8')) as { '#meta': { sampled?: { depth: number; seed: number } }; states: { layout: { pageSize: { '#bigint': string } | number } }[] };
    expect(itf['#meta'].sampled?.depth).toBe(20);
    expect(Number.isSafeInteger(itf['#meta'].sampled?.seed)).toBe(true);
    const replay = await runCli(['replay', row.itf!], { env });
    expect(replay.stdout).toMatch(/^reproduced: NoStallInv violated at step \d+, as in the trace$/m);
    expect(replay.code).toBe(EXIT.ok);
  });

  it('finds a PageLifetime bug with four DIOs over eight 4096-byte pages; its trace replays reproduced', async () => {
    const r = await check(['--model', 'MCPageLifetimeSampleLegacy', '--json']);
    expect(r.code).toBe(EXIT.ok);
    const row = r.rows[0]!;
    expect(row).toMatchObject({ status: 'match', got: { outcome: 'safety', invariant: 'DmaPinnedVisibleInv' } });
    // Four DIOs: the iterator function 1..4 is a sequence in ITF.
    const itf = JSON.parse(await readFile(row.itf!, 'utf8')) as { states: { iter: unknown[] }[] };
    expect(itf.states[0]?.iter).toHaveLength(4);
    const replay = await runCli(['replay', row.itf!], { env });
    expect(replay.stdout).toMatch(/^reproduced: DmaPinnedVisibleInv violated at step \d+, as in the trace$/m);
  });

  it('a run that finds nothing reads "no violation in N behaviours of depth D", never success', async () => {
    const json = await check(['--simulate', '--model', 'MCPipeline', '--behaviours', '3', '--depth', '4', '--seed', '7', '--json']);
    expect(json.code).toBe(EXIT.ok);
    expect(json.rows[0]).toMatchObject({
      status: 'match',
      got: { outcome: 'no-violation-sampled', verdict: 'no violation in 3 behaviours of depth 4', sampled: { behaviours: 3, depth: 4, seeds: [7] } },
    });
    expect(json.rows[0]?.got.distinct).toBeUndefined();
    expect(json.stdout).not.toMatch(/"outcome": "success"/);
    const text = await check(['--simulate', '--model', 'MCPipeline', '--behaviours', '3', '--depth', '4']);
    const line = text.stdout.split('\n').find((l) => l.startsWith('MCPipeline '));
    expect(line).toMatch(/no violation \(sampled\)\s+no violation in 3 behaviours of depth 4\s+-\s+-/);
    expect(line).not.toMatch(/success/);
  });

  it('a sampled run that misses an expected violation is a mismatch that says how little it looked at', async () => {
    const r = await check(['--simulate', '--model', 'MCPipelineBroken', '--behaviours', '1', '--depth', '1']);
    expect(r.code).toBe(EXIT.mismatch);
    expect(r.stdout).toContain('✗ MCPipelineBroken: result: expected safety QueueBoundInv, got no violation in 1 behaviour of depth 1');
  });

  it('a time budget runs batches of an exact number of behaviours, each from its own seed', async () => {
    const r = await check(['--simulate', '--model', 'MCPipeline', '--time', '8', '--depth', '5', '--seed', '100', '--json']);
    expect(r.code).toBe(EXIT.ok);
    const s = r.rows[0]!.got.sampled!;
    expect(s.behaviours).toBeGreaterThanOrEqual(200);
    expect(s.seeds[0]).toBe(100);
    expect(s.seeds).toEqual(s.seeds.map((_x, k) => 100 + k));
  });

  it('bad sample settings are refused before TLC runs: the manifest (65) and the command line (64)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iterpin-simulate-bad-'));
    for (const f of ['Pipeline.tla', 'MCPipeline.tla', 'MCPipeline.cfg']) await writeFile(join(dir, f), await readFile(join(SPEC, f)));
    const entry = { name: 'MCPipeline', spec: 'Pipeline', module: 'MCPipeline.tla', cfg: 'MCPipeline.cfg', variant: 'bounded', expect: { result: 'success' }, purpose: 't' };
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ version: 1, models: [{ ...entry, sample: { depth: 0, behaviours: 10 } }] }));
    const bad = await runCli(['check', '--manifest', join(dir, 'manifest.json'), '--out', join(dir, 'out'), '--simulate'], { env });
    expect(bad.code).toBe(EXIT.badInput);
    expect(bad.stderr).toMatch(/^iterpin check: .*manifest\.json: models\[0\]\.sample\.depth: must be the length of each behaviour, an integer from 1 to 100000, got number 0\n$/);
    const usage = await check(['--simulate', '--behaviours', '5', '--time', '5']);
    expect(usage.code).toBe(EXIT.usage);
    expect(usage.stderr).toBe('iterpin check: give --behaviours or --time, not both\n');
    const noSim = await check(['--depth', '5']);
    expect(noSim.code).toBe(EXIT.usage);
    expect(noSim.stderr).toMatch(/add --simulate/);
  });
});
