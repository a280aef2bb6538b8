// Liveness with real TLC, on the Pipeline self-test: MCPipelineConsumerStops violates QueueDrainsProp by a lasso
// that stutters with items queued; check names the property (TLC does not), writes the lasso's loop into the ITF,
// and replay confirms it on bug-consumer-stops but not on the final design, whose consumer would go on. With two
// properties in the cfg the property is named by re-running each alone; the final design satisfies QueueDrainsProp.
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/command.js';
import { projectRoot } from '../../src/tlc/jar.js';
import { runCli } from '../cli-harness.js';

const SPEC = join(projectRoot(), 'spec');
const env = { ...process.env, TLA2TOOLS_JAR: '' };

async function specDir(cfgs: Record<string, string>, models: Record<string, unknown>[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'iterpin-liveness-'));
  for (const f of ['Pipeline.tla', 'MCPipeline.tla', 'MCPipelineConsumerStops.cfg']) await writeFile(join(dir, f), await readFile(join(SPEC, f)));
  for (const [name, text] of Object.entries(cfgs)) await writeFile(join(dir, name), text);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ version: 1, models }));
  return dir;
}

const base = { spec: 'Pipeline', module: 'MCPipeline.tla', purpose: 'test' };
const check = (dir: string, ...extra: string[]) => runCli(['check', '--manifest', join(dir, 'manifest.json'), '--out', join(dir, 'out'), '--jobs', '1', '--no-coverage', ...extra], { env });

describe('liveness: a lasso from TLC to replay', () => {
  it('check names the violated property, records the lasso in the ITF, and replay confirms it only on its own variant', async () => {
    const stops = { ...base, name: 'MCPipelineConsumerStops', cfg: 'MCPipelineConsumerStops.cfg', variant: 'bug-consumer-stops', expect: { result: 'liveness', property: 'QueueDrainsProp' }, distinct: 57, depth: 5 };
    const dir = await specDir({}, [stops]);
    const r = await check(dir, '--json');
    expect(r.code).toBe(EXIT.ok);
    const row = (JSON.parse(r.stdout) as { models: { status: string; got: { outcome: string; property?: string }; itf: string }[] }).models[0];
    expect(row).toMatchObject({ status: 'match', got: { outcome: 'liveness', property: 'QueueDrainsProp' } });
    const itf = JSON.parse(await readFile(row!.itf, 'utf8')) as { '#meta': Record<string, unknown>; loop: number; states: unknown[] };
    expect(itf['#meta']).toMatchObject({ violation: 'liveness', property: 'QueueDrainsProp', lasso: 'stuttering', loopIndex: itf.states.length - 1 });
    expect(itf.loop).toBe(itf.states.length - 1);

    const own = await runCli(['replay', row!.itf], { env });
    expect(own.code).toBe(EXIT.ok);
    expect(own.stdout).toMatch(/^reproduced: QueueDrainsProp violated by a lasso that stutters forever at step 4, as in the trace; the implementation confirms the loop$/m);
    expect(own.stdout).toContain('fair: Consume is not enabled there (the consumer has stopped)');
    const fixed = await runCli(['replay', row!.itf, '--variant', 'bounded', '--brief'], { env });
    expect(fixed.code).toBe(EXIT.unconfirmed);
    expect(fixed.stdout).toMatch(/^unconfirmed: all 5 states matched, but the lasso is not confirmed: the consumer can still take item \d: weak fairness does not let the behaviour stop here$/m);
  });

  it('with several properties, the one violated on its own is named (by re-running each alone); a wrong expectation is a mismatch', async () => {
    const two = (await readFile(join(SPEC, 'MCPipelineConsumerStops.cfg'), 'utf8')).replace('PROPERTIES\n    QueueDrainsProp', 'PROPERTIES\n    ItemsEventuallyProducedProp\n    QueueDrainsProp');
    const holds = { ...base, name: 'MCPipelineTwo', cfg: 'MCPipelineTwo.cfg', variant: 'bug-consumer-stops', expect: { result: 'liveness', property: 'ItemsEventuallyProducedProp' }, distinct: 57, depth: 5 };
    const dir = await specDir({ 'MCPipelineTwo.cfg': two }, [holds]);
    await writeFile(join(dir, 'MCPipeline.tla'), (await readFile(join(dir, 'MCPipeline.tla'), 'utf8')).replace('=====', '\\* Holds without any fairness: nothing requires the producer to move.\nItemsEventuallyProducedProp == [](produced /= <<>> => <>(produced /= <<>>))\n====='));
    const r = await check(dir);
    expect(r.code).toBe(EXIT.mismatch);
    expect(r.stdout).toContain('✗ MCPipelineTwo: property: expected ItemsEventuallyProducedProp, got QueueDrainsProp');
    expect(r.stdout).toMatch(/MCPipelineTwo: counterexample .*MCPipelineTwo\.itf\.json/);
  });

  it('the final design (MCPipeline: LiveSpec, PROPERTIES QueueDrainsProp) satisfies it', async () => {
    const cfg = await readFile(join(SPEC, 'MCPipeline.cfg'), 'utf8');
    expect(cfg).toMatch(/SPECIFICATION LiveSpec[\s\S]*PROPERTIES\s+QueueDrainsProp/);
    const fine = { ...base, name: 'MCPipeline', cfg: 'MCPipeline.cfg', variant: 'bounded', expect: { result: 'success' }, distinct: 189, depth: 9 };
    const r = await check(await specDir({ 'MCPipeline.cfg': cfg }, [fine]));
    expect(r.stdout).toMatch(/^MCPipeline\s+bounded\s+success\s+success\s+189\s+9\s+-\s+\d+\.\d\s+✓$/m);
    expect(r.code).toBe(EXIT.ok);
  });
});
