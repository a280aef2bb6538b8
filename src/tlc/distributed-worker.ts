// A TLC worker that joins a distributed run from any machine: waits for the server's port, runs
// `tlc2.tool.distributed.TLCWorker HOST` until the server's model is done, and waits for the next model's server
// (`iterpin check --runner distributed` runs models one after another on the same port).

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerJavaArgs, containerName, OUT_MOUNT, removeContainer, type PreparedContainer } from './container.js';
import { IMAGE_JAR } from './container-image.js';
import { workerJavaArgs } from './distributed.js';
import { killGroup } from './process.js';

export interface WorkerLoopOptions {
  readonly java: string;
  readonly jar: string;
  readonly heap: string;
  readonly server: string;
  readonly port: number;
  readonly threads?: number;
  readonly listen?: string;
  /** Stop after this long without a server to join. */
  readonly waitMs: number;
  /** Join one server run, then stop. */
  readonly once: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly onLine: (line: string) => void;
  readonly signal?: AbortSignal;
  /** Run TLC's worker in a container of the runner image (host network) instead of the host JVM. */
  readonly container?: PreparedContainer;
}

export interface WorkerLoopResult {
  /** Server runs this worker took part in (TLCWorker ran and exited 0). */
  readonly runs: number;
  /** TLCWorker runs that failed (non-zero exit), e.g. a server that went away mid-run. */
  readonly failed: number;
  /** Set when the loop stopped because no server answered within waitMs. */
  readonly idle: boolean;
}

/** Resolves true when a TCP connection to host:port opens within timeoutMs. */
export function portOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean): void => {
      socket.destroy();
      clearTimeout(timer);
      resolve(open);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** TLCWorker runs that may fail one after another before the loop gives up. */
export const MAX_FAILED_IN_A_ROW = 5;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitForServer(o: WorkerLoopOptions): Promise<boolean> {
  const until = Date.now() + o.waitMs;
  while (Date.now() < until && o.signal?.aborted !== true) {
    if (await portOpen(o.server, o.port, 2000)) return true;
    await sleep(1000);
  }
  return false;
}

async function runOnce(o: WorkerLoopOptions, tmp: string): Promise<number | null> {
  const c = o.container;
  const name = containerName('tlcworker');
  const code = await runWorker(o, tmp, name);
  // A killed engine client leaves its container running.
  if (c !== undefined && (code === null || o.signal?.aborted === true)) await removeContainer(c.engine, name, o.env);
  return code;
}

function runWorker(o: WorkerLoopOptions, tmp: string, name: string): Promise<number | null> {
  return new Promise((resolve) => {
    const c = o.container;
    const java = workerJavaArgs({ jar: c !== undefined ? IMAGE_JAR : o.jar, heap: o.heap, host: o.server, port: o.port, tmpdir: c !== undefined ? OUT_MOUNT : tmp, ...(o.threads !== undefined ? { threads: o.threads } : {}), ...(o.listen !== undefined ? { listen: o.listen } : {}) });
    const args = c === undefined || !java.ok ? java : containerJavaArgs(c, { name, network: 'host', mounts: [[tmp, OUT_MOUNT, false]], workdir: OUT_MOUNT, javaArgs: java.value });
    if (!args.ok) return resolve(null);
    const child = spawn(c !== undefined ? c.engine.program : o.java, args.value, { cwd: tmp, env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    let partial = '';
    const take = (b: Buffer): void => {
      const lines = (partial + b.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) o.onLine(l.replace(/\r$/, ''));
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const onAbort = (): void => killGroup(child.pid);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', () => resolve(null));
    child.on('close', (code) => {
      o.signal?.removeEventListener('abort', onAbort);
      if (partial !== '') o.onLine(partial);
      resolve(code);
    });
  });
}

/** Joins server runs until none comes within waitMs (or after one with `once`). */
export async function workerLoop(o: WorkerLoopOptions): Promise<WorkerLoopResult> {
  let runs = 0;
  let failed = 0;
  let failedInARow = 0;
  const tmp = await mkdtemp(join(tmpdir(), 'iterpin-worker-'));
  try {
    for (;;) {
      if (!(await waitForServer(o))) return { runs, failed, idle: true };
      const code = await runOnce(o, tmp);
      if (code === 0) {
        runs++;
        failedInARow = 0;
      } else {
        failed++;
        failedInARow++;
      }
      // A port that answers but never lets a worker join (not a TLC server, or another jar) is not retried forever.
      if (failedInARow >= MAX_FAILED_IN_A_ROW) return { runs, failed, idle: false };
      if (o.once && runs > 0) return { runs, failed, idle: false };
      if (o.signal?.aborted === true) return { runs, failed, idle: false };
      // The server closes its port when its model is done; give it a moment before looking for the next one.
      await sleep(2000);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
}
