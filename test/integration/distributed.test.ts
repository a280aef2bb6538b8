// The distributed runner with real TLC (TLCServer + TLCWorker processes on localhost): a violation found by the
// cluster exits like a local run, names the invariant and writes a reconstructed trace that replays `reproduced`;
// a worker killed mid-run still gives the local result (or a clear failure); and the cluster's bad states — no
// worker joining, the port taken, a worker with another jar — each get one clear message and their exit code.
// The whole default tier is compared by `npm run distributed` (test/distributed/), not here.
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile, copyFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/command.js';
import { projectRoot, cachedJarPath } from '../../src/tlc/jar.js';
import { runTlcDistributed } from '../../src/tlc/distributed.js';
import { killGroup } from '../../src/tlc/process.js';
import { runCli } from '../cli-harness.js';

const ROOT = projectRoot();
const SPEC = join(ROOT, 'spec');
const env = { ...process.env, TLA2TOOLS_JAR: '' };

/** A port nobody listens on right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function occupy(port: number): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(port, () => resolve(s));
  });
}

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'iterpin-dist-test-'));
}

interface Row {
  name: string;
  status: string;
  got: { outcome: string; invariant?: string; distinct?: number; depth?: number };
  itf?: string;
  distributed?: { rebuilt?: { lastStateInvariant?: string; depthBound: number; note: string }; joined: number };
}

describe('check --runner distributed', () => {
  it('a violation found by the cluster: the local exit code, the invariant named, a reconstructed trace that replays', async () => {
    const dir = await scratch();
    const port = await freePort();
    const r = await runCli(
      ['check', '--runner', 'distributed', '--workers', '2', '--port', String(port), '--model', 'MCPipelineBroken,MCPageLifetimeBugDioReffed', '--out', dir, '--json'],
      { env },
    );
    expect(r.stderr).toContain(`other machines join with: iterpin worker --server`);
    expect(r.code, r.stdout).toBe(EXIT.ok);
    const report = JSON.parse(r.stdout) as { runner: string; models: Row[] };
    expect(report.runner).toBe('distributed');
    const byName = new Map(report.models.map((m) => [m.name, m]));
    expect(byName.get('MCPipelineBroken')).toMatchObject({ status: 'match', got: { outcome: 'safety', invariant: 'QueueBoundInv', distinct: 22, depth: 4 } });
    expect(byName.get('MCPageLifetimeBugDioReffed')).toMatchObject({ status: 'match', got: { outcome: 'safety', invariant: 'PageRefsAccountedInv', distinct: 5, depth: 2 } });
    for (const m of report.models) {
      // The server named no invariant; the one-state check of its last state did.
      expect(m.distributed?.rebuilt?.lastStateInvariant).toBe(m.got.invariant);
      expect(m.distributed?.rebuilt?.note).toMatch(/^trace rebuilt by a local run bounded to depth \d+/);
      const itf = JSON.parse(await readFile(m.itf as string, 'utf8')) as { '#meta': Record<string, unknown>; states: unknown[] };
      expect(itf['#meta']).toMatchObject({ reconstructed: true, invariant: m.got.invariant, distributedInvariant: m.got.invariant });
      expect(itf.states).toHaveLength(m.got.depth as number);
      const replay = await runCli(['replay', m.itf as string], { env });
      expect(replay.code).toBe(EXIT.ok);
      expect(replay.stdout).toMatch(new RegExp(`^reproduced: ${m.got.invariant} violated at step \\d+, as in the trace$`, 'm'));
    }
    const text = await runCli(['check', '--runner', 'distributed', '--port', String(port), '--model', 'MCPipelineBroken', '--out', dir], { env });
    expect(text.code).toBe(EXIT.ok);
    expect(text.stdout).toMatch(/MCPipelineBroken: violation found by distributed TLC; trace rebuilt by a local run bounded to depth \d+ \(reconstructed\)/);
  });

  it('a worker killed mid-run: the run still gives the local result, or fails with a clear message', async () => {
    const dir = await scratch();
    const port = await freePort();
    const pids: number[] = [];
    let registered = 0;
    const r = await runTlcDistributed({
      jar: cachedJarPath(ROOT, env),
      specDir: SPEC,
      module: 'MCPipeline.tla',
      cfg: 'MCPipeline.cfg',
      workers: 1,
      heap: '512m',
      timeoutMs: 240_000,
      logFile: join(dir, 'MCPipeline.log'),
      env,
      localWorkers: 2,
      port,
      joinTimeoutMs: 60_000,
      onWorkerStarted: (pid) => pids.push(pid),
      onLine: (line) => {
        // As soon as the second worker registers, it is killed: the server has work out with it.
        if (/^Registration for worker/.test(line) && ++registered === 2) killGroup(pids[1]);
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const v = r.value;
    expect(registered).toBe(2);
    if (v.outcome === 'success') {
      expect(v.stats?.distinct).toBe(189);
      expect(v.distributed.propertiesCheckedLocally).toEqual(['QueueDrainsProp']);
    } else {
      expect(v.outcome).toBe('error');
      expect(v.problems[0]?.message).toMatch(/worker/);
    }
    const workerLog = await readFile(join(dir, 'MCPipeline.worker1.log'), 'utf8');
    expect(workerLog).toContain('TLC Worker Version 2.18');
  });

  it('no worker joins: one clear message after the join time-out, a TLC error, nothing left running', async () => {
    const dir = await scratch();
    const port = await freePort();
    const r = await runTlcDistributed({
      jar: cachedJarPath(ROOT, env),
      specDir: SPEC,
      module: 'MCPipeline.tla',
      cfg: 'MCPipelineBroken.cfg',
      workers: 1,
      heap: '256m',
      timeoutMs: 120_000,
      logFile: join(dir, 'server.log'),
      env,
      localWorkers: 0,
      port,
      joinTimeoutMs: 3_000,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.outcome).toBe('error');
    expect(r.value.problems.map((p) => p.message)).toEqual([`no TLC worker joined the server within 3 s (port ${port}); see ${join(dir, 'server.log')}`]);
    // The server is gone: its port is free again.
    const again = await occupy(port);
    again.close();
  });

  it('the port in use: one message naming it, the environment exit code, no trace written', async () => {
    const dir = await scratch();
    const port = await freePort();
    const held = await occupy(port);
    try {
      const r = await runCli(['check', '--runner', 'distributed', '--port', String(port), '--model', 'MCPipelineBroken', '--out', dir, '--json'], { env });
      expect(r.code).toBe(EXIT.environment);
      const report = JSON.parse(r.stdout) as { models: (Row & { problems: { message: string }[] })[] };
      expect(report.models[0]?.status).toBe('environment');
      expect(report.models[0]?.problems[0]?.message).toBe(`port ${port} is in use (another TLC server, or another program); choose another with --port`);
      expect(report.models[0]?.itf).toBeUndefined();
    } finally {
      held.close();
    }
  });

  it('a worker with another jar refuses to join, naming both hashes', async () => {
    const dir = await scratch();
    const other = join(dir, 'other-tla2tools.jar');
    await copyFile(cachedJarPath(ROOT, env), other);
    await writeFile(other, Buffer.from('x'), { flag: 'a' });
    const pinned = 'fc0a7b69b35076b4aeef54228a62fce9ca035f81a19619f5ed3f023f78c803b3';
    const r = await runCli(['worker', '--server', 'localhost', '--port', String(await freePort()), '--jar-sha256', pinned, '--wait', '5'], { env: { ...env, TLA2TOOLS_JAR: other } });
    expect(r.code).toBe(EXIT.untrustedJar);
    expect(r.stderr).toMatch(new RegExp(`^iterpin worker: ${other.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: sha256 [0-9a-f]{64} is not the server's ${pinned}; a worker must run the server's TLC jar \\(refusing to join\\)\\n$`));
    const none = await runCli(['worker', '--server', 'localhost'], { env });
    expect(none.code).toBe(EXIT.usage);
    expect(none.stderr).toContain('--jar-sha256 H is required');
  });
});
