// Interrupt-and-resume with real TLC: a test-only cfg of the Pipeline self-test large enough to run well past its
// first checkpoint on a quiet machine too (eight items, a queue of five: 655,049 distinct states, depth 17, recorded
// in its test manifest from an uninterrupted run; about 15-30 s), checkpointed every second through TLC's own `tlc2.TLCGlobals.chkpt` property (TLC looks
// 3 s into the search, so the first checkpoint comes then). `iterpin check` is interrupted with SIGINT, as Ctrl-C
// does, once TLC has finished writing that checkpoint (the metadir and the log are polled, no fixed sleep); then
// `iterpin check --resume RUNDIR` must recover from it and end with the uninterrupted run's counts and verdict, on the
// host and in a container (the run directory's checkpoint mounted into the resumed run's container).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkpointArgs, latestCheckpoint, modelMetadir, parseCheckpointInterval, runIdentity } from '../../src/cli/check-resume.js';
import { EXIT } from '../../src/cli/command.js';
import { projectRoot } from '../../src/tlc/jar.js';
import { runCli } from '../cli-harness.js';

const ROOT = projectRoot();
const SPEC = join(ROOT, 'spec');
const env = { ...process.env, TLA2TOOLS_JAR: '' };
const MODEL = 'MCPipelineResume';

const CFG = `\\* Test only: the Pipeline with eight items and a queue of five, long enough to interrupt after a checkpoint.
CONSTANTS
    Items = {1, 2, 3, 4, 5, 6, 7, 8}
    Capacity = 5
    Variant <- VariantBounded
SPECIFICATION Spec
INVARIANTS
    TypeOK
    QueueBoundInv
    ConservationInv
    FifoInv
VIEW View
`;

async function specDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'iterpin-resume-'));
  for (const f of ['Pipeline.tla', 'MCPipeline.tla']) await writeFile(join(dir, f), await readFile(join(SPEC, f)));
  await writeFile(join(dir, `${MODEL}.cfg`), CFG);
  // The uninterrupted run's figures (iterpin check of this cfg from the start).
  const model = { name: MODEL, spec: 'Pipeline', module: 'MCPipeline.tla', cfg: `${MODEL}.cfg`, variant: 'bounded', expect: { result: 'success' }, distinct: 655049, depth: 17, purpose: 'test only' };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ version: 1, models: [model] }));
  return dir;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Row {
  status: string;
  got?: { outcome: string; distinct?: number; depth?: number };
  log?: string;
}

describe('checkpoint intervals and the recovering run', () => {
  it('--checkpoint takes minutes or seconds; seconds go through TLC property, minutes through -checkpoint', () => {
    expect(parseCheckpointInterval(undefined)).toBe(30 * 60);
    expect(parseCheckpointInterval('2')).toBe(120);
    expect(parseCheckpointInterval('5s')).toBe(5);
    for (const bad of ['0', '0s', '-1', '1m', 's', '1.5', '99999999']) expect(parseCheckpointInterval(bad)).toMatch(/^--checkpoint must be/);
    expect(checkpointArgs(120)).toEqual({ extraArgs: ['-checkpoint', '2'], jvmProperties: {} });
    expect(checkpointArgs(5, { dir: '/r/x', fp: 31, seed: '-7' })).toEqual({
      extraArgs: ['-recover', '/r/x', '-fp', '31', '-seed', '-7'],
      jvmProperties: { 'tlc2.TLCGlobals.chkpt': '5000' },
    });
  });

  it("reads the fingerprint polynomial and seed from TLC's start line", () => {
    const line = 'Running breadth-first search Model-Checking with fp 31 and seed -2844652840885 with 1 worker on 2 cores';
    expect(runIdentity(`@!@!@STARTMSG 2187:0 @!@!@\n${line}\n`)).toEqual({ fp: 31, seed: '-2844652840885' });
    expect(runIdentity('no start line')).toBeUndefined();
  });
});

/** Runs the model, interrupts it after its first checkpoint, resumes it; `runner`: the --runner of the first run. */
async function interruptAndResume(runner: 'host' | 'container'): Promise<void> {
  const dir = await specDir();
  const out = join(dir, 'out');
  const argv = ['check', '--manifest', join(dir, 'manifest.json'), '--out', out, '--jobs', '1', '--no-coverage', '--checkpoint', '1s', '--runner', runner, '--json'];
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'iterpin.js'), ...argv], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let finished = false;
  void exited.then(() => (finished = true));

  // Wait for a complete checkpoint: TLC's checkpoint files in the model's metadir and its "completed" line.
  let runDir: string | undefined;
  for (let waited = 0; !finished && waited < 240_000; waited += 200) {
    await sleep(200);
    const runs = (await readdir(out).catch(() => [] as string[])).filter((d) => d.startsWith('check-'));
    if (runs.length !== 1) continue;
    runDir = join(out, runs[0] as string);
    const log = await readFile(join(runDir, `${MODEL}.log`), 'utf8').catch(() => '');
    if (log.includes('Checkpointing completed') && (await latestCheckpoint(modelMetadir(runDir, MODEL))) !== undefined) break;
  }
  expect(finished, 'the model finished before its first checkpoint could be interrupted').toBe(false);
  child.kill('SIGINT');
  expect(await exited).toBe(EXIT.interrupted);
  expect(runDir).toBeDefined();
  const first = runDir as string;
  expect(stderr).toContain(`checkpoints kept for ${MODEL}`);
  expect(stderr).toContain(`resume with: iterpin check --resume ${first}`);
  const cut = await readFile(join(first, `${MODEL}.log`), 'utf8');
  expect(cut).not.toContain('Model checking completed');
  const id = runIdentity(cut);
  expect(id).toBeDefined();

  const resumed = await runCli(['check', '--resume', first, '--out', out, '--json'], { env, cwd: dir });
  expect(resumed.stderr).not.toContain('checkpoint not used');
  expect(resumed.code).toBe(EXIT.ok);
  const row = (JSON.parse(resumed.stdout) as { models: Row[] }).models[0] as Row;
  expect(row.status).toBe('match');
  expect(row.got).toMatchObject({ outcome: 'success', distinct: 655049, depth: 17 });
  // It really went on from the checkpoint, under the interrupted run's fingerprint polynomial and seed.
  const log = await readFile(row.log as string, 'utf8');
  // on the host TLC names the interrupted run's metadir; in a container, where that checkpoint is mounted
  expect(log).toMatch(runner === 'host' ? /Starting recovery from checkpoint .*MCPipelineResume\.states/ : /Starting recovery from checkpoint \/recover/);
  expect(log).toMatch(/Recovery completed\. [1-9][0-9]* states examined/);
  expect(runIdentity(log)).toEqual(id);
  // The resumed run ended by itself: nothing of it is left to resume.
  expect(await readdir(dirname(row.log as string))).not.toContain('resume.json');
}

describe('iterpin check: interrupt and resume', () => {
  it('Ctrl-C after the first checkpoint, then --resume, gives the uninterrupted distinct states, depth and verdict', async () => {
    await interruptAndResume('host');
  }, 600_000);

  it('the same in a container (--runner container): the checkpoint is kept on the host and mounted into the resumed run', async () => {
    await interruptAndResume('container');
  }, 900_000);
});
