// Real container runs of TLC: the runner image (built here if needed, base image included) must give the same
// outcome, invariant, distinct-state count and counterexample as the host JVM on the pipeline self-test models.
// Skipped only off CI on a machine with no container engine; on CI (CI=true) a missing engine fails.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  detectRunFlags,
  ensureRunnerImage,
  findEngine,
  IMAGE_JAR,
  runFlagCandidates,
  runnerImageTag,
  runTlcInContainer,
  type ContainerEngine,
  type RunFlags,
} from '../../src/tlc/container.js';
import { runTlcOnHost } from '../../src/tlc/host.js';
import { projectRoot, sha256File } from '../../src/tlc/jar.js';
import { runCommand } from '../../src/tlc/process.js';
import type { TlcRunOptions, TlcRunResult } from '../../src/tlc/run.js';
import type { Manifest, ManifestModel } from '../../src/manifest/manifest.js';
import { realJar, tempDir } from '../tlc/fixtures.js';

const onCi = (process.env.CI ?? '') !== '' && process.env.CI !== 'false' && process.env.CI !== '0';
const found = await findEngine();
const root = projectRoot();
const specDir = join(root, 'spec');

let engine: ContainerEngine;
let image: string;
let flags: RunFlags;
let jar: string;
let outDir: string;

/** The engine, or the reason there is none (which fails the test it is called from). */
function needEngine(): ContainerEngine {
  if (!found.ok) throw new Error(`no container engine, and CI requires one: ${found.error.message}`);
  return engine;
}

async function model(name: string): Promise<ManifestModel> {
  const manifest = JSON.parse(await readFile(join(specDir, 'manifest.json'), 'utf8')) as Manifest;
  const entry = manifest.models.find((m) => m.name === name);
  if (entry === undefined) throw new Error(`spec/manifest.json has no model ${name}`);
  return entry;
}

function options(m: ManifestModel, runner: string, over: Partial<TlcRunOptions> = {}): TlcRunOptions {
  return {
    jar,
    specDir,
    module: m.module,
    cfg: m.cfg,
    workers: 1,
    heap: '512m',
    timeoutMs: 120_000,
    logFile: join(outDir, `${m.name}.${runner}.log`),
    ...over,
  };
}

async function both(name: string): Promise<{ m: ManifestModel; host: TlcRunResult; ctr: TlcRunResult }> {
  needEngine();
  const m = await model(name);
  const host = await runTlcOnHost(options(m, 'host'));
  if (!host.ok) throw new Error(`host run failed to start: ${host.error.message}`);
  const ctr = await runTlcInContainer(options(m, 'container', {}));
  if (!ctr.ok) throw new Error(`container run failed to start: ${ctr.error.message}`);
  return { m, host: host.value, ctr: ctr.value };
}

/** Names of containers this test process started that still exist. */
async function leftovers(): Promise<string[]> {
  const r = await runCommand(engine.program, ['ps', '--all', '--format', '{{.Names}}'], { timeoutMs: 30_000 });
  if (r.kind !== 'exited' || r.code !== 0) throw new Error(`${engine.name} ps failed`);
  return r.stdout.split('\n').filter((n) => n.startsWith(`iterpin-tlc-${process.pid}-`));
}

describe('container runner without containers', () => {
  it('finds no engine when neither docker nor podman is on PATH, and says so with a typed error', async () => {
    const empty = await tempDir('iterpin-nobin-');
    const r = await findEngine({ PATH: empty });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('engine-missing');
      expect(r.error.message).toMatch(/^no container engine/);
    }
  });

  it('refuses an ITERPIN_CONTAINER_ENGINE that is neither docker nor podman', async () => {
    const r = await findEngine({ ...process.env, ITERPIN_CONTAINER_ENGINE: 'lxc' });
    expect(r.ok ? r.value : r.error.kind).toBe('engine-missing');
  });

  it('tries the engine defaults before any extra run flag', () => {
    const candidates = runFlagCandidates({ name: 'podman', program: '/usr/bin/podman' });
    expect(candidates[0]).toEqual([]);
    expect(new Set(candidates.map((c) => c.join(' '))).size).toBe(candidates.length);
  });

  it('tags the runner image with the jar hash, so another jar gets another image', () => {
    const a = runnerImageTag('a'.repeat(64), 'FROM x\n');
    const b = runnerImageTag('b'.repeat(64), 'FROM x\n');
    expect(a).toMatch(/^localhost\/iterpin-tlc:jar-a{16}-df-[0-9a-f]{8}$/);
    expect(b).not.toBe(a);
    expect(runnerImageTag('a'.repeat(64), 'FROM y\n')).not.toBe(a);
  });
});

describe.skipIf(!found.ok && !onCi)('TLC in a container', () => {
  beforeAll(async () => {
    outDir = await tempDir('iterpin-ctr-test-');
    jar = await realJar();
    if (!found.ok) return; // each test then fails with the reason
    engine = found.value;
    const hash = await sha256File(jar);
    if (!hash.ok) throw new Error(hash.error.message);
    // Building the Debian base (debootstrap) takes about a minute on a machine without a registry.
    const built = await ensureRunnerImage({
      engine,
      jar: { path: jar, sha256: hash.value },
      note: (line) => process.stderr.write(`[container image] ${line}\n`),
    });
    if (!built.ok) throw new Error(built.error.message);
    image = built.value.tag;
    const detected = await detectRunFlags(engine, image);
    if (!detected.ok) throw new Error(detected.error.message);
    flags = detected.value;
    process.stderr.write(`[container] ${engine.name} ${image}, run flags: ${flags.flags.join(' ') || '(defaults)'} (${flags.source})\n`);
  }, 1_800_000);

  it('a container engine is available (docker with a daemon, or podman)', () => {
    expect(['docker', 'podman']).toContain(needEngine().name);
  });

  it('the image holds the same jar bytes as the host, and its entrypoint is TLC', async () => {
    const e = needEngine();
    const hash = await sha256File(jar);
    if (!hash.ok) throw new Error(hash.error.message);
    const sum = await runCommand(e.program, ['run', '--rm', '--network', 'none', ...flags.flags, '--entrypoint', 'sha256sum', image, IMAGE_JAR], {
      timeoutMs: 60_000,
    });
    expect(sum.kind === 'exited' ? sum.stdout.split(/\s+/)[0] : sum).toBe(hash.value);
    // With no TLC arguments the entrypoint prints TLC's version banner (and its usage).
    const banner = await runCommand(e.program, ['run', '--rm', '--network', 'none', ...flags.flags, image], { timeoutMs: 60_000 });
    expect(banner.kind === 'exited' ? banner.stdout + banner.stderr : '').toMatch(/TLC2 Version 2\.18 of 20 March 2023/);
  });

  it('MCPipeline: the container run holds every invariant with the host run’s distinct-state count', async () => {
    const { m, host, ctr } = await both('MCPipeline');
    expect(m.expect.result).toBe('success');
    expect(host.outcome).toBe('success');
    expect(ctr.outcome).toBe(host.outcome);
    expect(ctr.stats).toEqual(host.stats);
    expect(ctr.stats?.distinct).toBe(m.distinct);
    expect(ctr.depth).toBe(host.depth);
    expect(ctr.tlcVersion).toBe(host.tlcVersion);
    // The argv: the engine runs the image with no network and the spec read-only, then the host runner's java argv.
    expect(ctr.argv.slice(0, 2)).toEqual([engine.program, 'run']);
    expect(ctr.argv).toContain(`${specDir}:/spec:ro`);
    expect(ctr.argv.join(' ')).toContain('--rm');
    expect(ctr.argv.join(' ')).toContain('--network none');
    const javaArgs = ctr.argv.slice(ctr.argv.indexOf(image) + 1);
    expect(javaArgs.filter((a) => !a.includes('/'))).toEqual(host.argv.slice(1).filter((a) => !a.includes('/')));
  });

  it('MCPipelineBroken: the container run breaks the same invariant with the same counterexample', async () => {
    const { m, host, ctr } = await both('MCPipelineBroken');
    if (m.expect.result !== 'safety') throw new Error('MCPipelineBroken is expected to fail an invariant');
    expect(host.outcome).toBe('safety');
    expect(ctr.outcome).toBe('safety');
    expect(ctr.invariant).toBe(m.expect.invariant);
    expect(ctr.invariant).toBe(host.invariant);
    expect(ctr.stats?.distinct).toBe(host.stats?.distinct);
    expect(ctr.stats?.distinct).toBe(m.distinct);
    expect(ctr.trace.length).toBe(m.depth);
    expect(ctr.trace).toEqual(host.trace);
  });

  it('a run past its time limit is reported as a timeout and its container is killed and removed', async () => {
    needEngine();
    const m = await model('MCPipeline');
    // 300 ms is less than the container and JVM need to start, so TLC cannot finish first.
    const r = await runTlcInContainer(options(m, 'timeout', { timeoutMs: 300 }));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.outcome).toBe('timeout');
    expect(r.value.trace).toEqual([]);
    expect(await leftovers()).toEqual([]);
  });

  it('a run aborted while TLC works is cancelled and its container is killed and removed', async () => {
    needEngine();
    // A model that never ends: TLC is certainly still running when the abort comes.
    const dir = await tempDir('iterpin-forever-');
    await writeFile(join(dir, 'Forever.tla'), '---- MODULE Forever ----\nEXTENDS Naturals\nVARIABLE x\nInit == x = 0\nNext == x\' = x + 1\n====\n');
    await writeFile(join(dir, 'Forever.cfg'), 'INIT Init\nNEXT Next\n');
    const logFile = join(outDir, 'Forever.container.log');
    const abort = new AbortController();
    const running = runTlcInContainer({ ...options(await model('MCPipeline'), 'forever'), specDir: dir, module: 'Forever.tla', cfg: 'Forever.cfg', logFile, signal: abort.signal });
    const deadline = Date.now() + 100_000;
    while (!(await readFile(logFile, 'utf8').catch(() => '')).includes('@!@!@STARTMSG 2185:')) {
      if (Date.now() > deadline) throw new Error('TLC did not start in the container within 100 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    abort.abort();
    const r = await running;
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.outcome).toBe('error');
    expect(r.value.problems.map((p) => p.message)).toContain('the run was cancelled');
    expect(await leftovers()).toEqual([]);
  });
});
