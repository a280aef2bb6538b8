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
import { freePort } from '../tlc-harness.js';

const ROOT = projectRoot();
const SPEC = join(ROOT, 'spec');
const env = { ...process.env, TLA2TOOLS_JAR: '' };

function occupy(port: number): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(port, () => resolve(s));
  });
}

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'iterpin-dist-test-'));
}

/** Run options of one model of the project's spec directory. */
function base(dir: string, cfg: string, log: string, module = 'MCPipeline.tla') {
  return { jar: cachedJarPath(ROOT, env), specDir: SPEC, module, cfg, workers: 1, heap: '512m', timeoutMs: 240_000, logFile: join(dir, log), env };
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
    const r = await runCli(['check', '--runner', 'distributed', '--workers', '2', '--port', String(port), '--model', 'MCPipelineBroken', '--out', dir, '--json'], { env });
    expect(r.stderr).toContain(`other machines join with: iterpin worker --server`);
    expect(r.code, r.stdout).toBe(EXIT.ok);
    const report = JSON.parse(r.stdout) as { runner: string; models: Row[] };
    expect(report.runner).toBe('distributed');
    const m = report.models[0] as Row;
    expect(m).toMatchObject({ status: 'match', got: { outcome: 'safety', invariant: 'QueueBoundInv', distinct: 22, depth: 4 } });
    // The server named no invariant; the one-state check of its last state did.
    expect(m.distributed?.rebuilt?.lastStateInvariant).toBe('QueueBoundInv');
    expect(m.distributed?.rebuilt?.note).toMatch(/^trace rebuilt by a local run bounded to depth \d+/);
    const itf = JSON.parse(await readFile(m.itf as string, 'utf8')) as { '#meta': Record<string, unknown>; states: unknown[] };
    expect(itf['#meta']).toMatchObject({ reconstructed: true, invariant: 'QueueBoundInv', distributedInvariant: 'QueueBoundInv' });
    expect(itf.states).toHaveLength(4);
    const replay = await runCli(['replay', m.itf as string], { env });
    expect(replay.code).toBe(EXIT.ok);
    expect(replay.stdout).toMatch(/^reproduced: QueueBoundInv violated at step 3, as in the trace$/m);
  }, 300_000);

  it('a PageLifetime bug model: the text says the trace was reconstructed, and the trace replays on the implementation', async () => {
    const dir = await scratch();
    const port = await freePort();
    const r = await runCli(['check', '--runner', 'distributed', '--port', String(port), '--model', 'MCPageLifetimeBugDioReffed', '--out', dir], { env });
    expect(r.code, r.stdout).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/^MCPageLifetimeBugDioReffed +bug-dio-reffed +safety PageRefsAccountedInv +safety PageRefsAccountedInv +5 +2 /m);
    expect(r.stdout).toMatch(/MCPageLifetimeBugDioReffed: violation found by distributed TLC; trace rebuilt by a local run bounded to depth \d+ \(reconstructed\)/);
    const itf = /MCPageLifetimeBugDioReffed: counterexample (\S+)/.exec(r.stdout)?.[1] as string;
    const replay = await runCli(['replay', itf], { env });
    expect(replay.code).toBe(EXIT.ok);
    expect(replay.stdout).toMatch(/^reproduced: PageRefsAccountedInv violated at step 1, as in the trace$/m);
  }, 300_000);

  it('a worker killed mid-run: the other one finishes the run with the local result', async () => {
    const dir = await scratch();
    const port = await freePort();
    const pids: number[] = [];
    let registered = 0;
    const r = await runTlcDistributed({
      ...base(dir, 'MCPipeline.cfg', 'MCPipeline.log'),
      localWorkers: 2,
      port,
      joinTimeoutMs: 60_000,
      onWorkerStarted: (pid) => pids.push(pid),
      onLine: (line) => {
        // When the first worker registers, the first worker started is killed (before or after it joined).
        if (/^Registration for worker/.test(line) && ++registered === 1) setTimeout(() => killGroup(pids[0]), 300);
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ outcome: 'success', depth: 9, stats: { distinct: 189 } });
    expect(r.value.distributed.propertiesCheckedLocally).toEqual(['QueueDrainsProp']);
    expect(await readFile(join(dir, 'MCPipeline.worker1.log'), 'utf8')).toContain('TLC Worker Version 2.18');
  }, 300_000);

  it('the only worker killed mid-run and none joining again: one clear message, a TLC error', async () => {
    const dir = await scratch();
    const port = await freePort();
    const pids: number[] = [];
    const r = await runTlcDistributed({
      ...base(dir, 'MCIovIter.cfg', 'MCIovIter.log', 'MCIovIter.tla'),
      localWorkers: 1,
      port,
      joinTimeoutMs: 30_000,
      onWorkerStarted: (pid) => pids.push(pid),
      onLine: (line) => {
        if (/^Registration for worker/.test(line)) setTimeout(() => killGroup(pids[0]), 300);
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.outcome, JSON.stringify(r.value.problems)).toBe('error');
    expect(r.value.distributed.lost, r.value.logFile).toBe(1);
    expect(r.value.problems.map((p) => p.message)).toEqual([`every TLC worker was lost and none joined again within 30 s (port ${port}); see ${join(dir, 'MCIovIter.log')}`]);
  }, 300_000);

  it('no worker joins: one clear message after the join time-out, a TLC error, nothing left running', async () => {
    const dir = await scratch();
    const port = await freePort();
    const r = await runTlcDistributed({
      ...base(dir, 'MCPipelineBroken.cfg', 'server.log'),
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
