// The host runner: TLC on the local JVM. One process group per run, its own temporary -metadir and
// java.io.tmpdir, a time limit that kills the group, and TLC's complete output streamed to the log file.

import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { err, ok, type Result } from '../shared/result.js';
import { javaTlcArgs } from './args.js';
import { findExecutable, killGroup } from './process.js';
import { classifyRun, type RunnerError, type TlcRunOptions, type TlcRunResult } from './run.js';
import { OutputWatcher } from './summary.js';

export interface HostRunOptions extends TlcRunOptions {
  /** The java program; default: `java` found on (env ?? process.env).PATH. */
  readonly java?: string;
}

export const JAVA_MISSING = 'java not found on PATH; install a Java 11+ runtime (e.g. apt-get install openjdk-17-jre-headless)';

/** Runs one model with TLC on the host JVM. Errors are values: only a run that never started is an Err. */
export async function runTlcOnHost(opts: HostRunOptions): Promise<Result<TlcRunResult, RunnerError>> {
  const env = opts.env ?? process.env;
  const java = opts.java ?? findExecutable('java', env);
  if (java === undefined) return err({ kind: 'java-missing', message: JAVA_MISSING });
  const jarInfo = await stat(opts.jar).catch(() => undefined);
  if (jarInfo === undefined || !jarInfo.isFile()) {
    return err({ kind: 'jar-missing', message: `${opts.jar}: no TLC jar there; run 'iterpin setup'` });
  }

  let scratch: string;
  try {
    scratch = await mkdtemp(join(tmpdir(), 'iterpin-tlc-'));
    await mkdir(join(scratch, 'meta'));
    await mkdir(join(scratch, 'tmp'));
  } catch (e) {
    return err({ kind: 'io', message: `cannot create a temporary directory in ${tmpdir()} (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
  }
  try {
    const args = javaTlcArgs({
      jar: opts.jar,
      ...(opts.classpath !== undefined ? { classpath: opts.classpath } : {}),
      heap: opts.heap,
      ...(opts.jit !== undefined ? { jit: opts.jit } : {}),
      tmpdir: join(scratch, 'tmp'),
      ...(opts.jvmProperties !== undefined ? { properties: opts.jvmProperties } : {}),
      module: opts.module,
      cfg: opts.cfg,
      workers: opts.workers,
      ...(opts.coverage === true ? { coverage: true } : {}),
      metadir: opts.metadir ?? join(scratch, 'meta'),
      ...(opts.extraArgs !== undefined ? { extraArgs: opts.extraArgs } : {}),
    });
    if (!args.ok) return err({ kind: 'spawn-failed', message: args.error.message });
    const log = await openLog(opts.logFile);
    if (!log.ok) return log;
    return await spawnTlc(java, args.value, opts, env, log.value);
  } finally {
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Creates the log file exclusively (an earlier run's log is never clobbered) and opens it for streaming. */
export function openLog(path: string): Promise<Result<WriteStream, RunnerError>> {
  return new Promise((resolve) => {
    const stream = createWriteStream(path, { flags: 'wx' });
    stream.once('open', () => resolve(ok(stream)));
    stream.once('error', (e: NodeJS.ErrnoException) =>
      resolve(err({ kind: 'io', message: `${path}: cannot create the log file (${e.code ?? e.message})` })),
    );
  });
}

function closeLog(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => stream.end(() => resolve()));
}

/**
 * Spawns `program args…` (java, or a container engine running java) in its own process group with cwd = the
 * spec dir, streams stdout/stderr into `log` and stdout through the tool-stream watcher, enforces the time limit
 * and the abort signal, and classifies the finished run. Shared with the container runner.
 */
export function spawnTlc(
  java: string,
  args: readonly string[],
  opts: HostRunOptions,
  env: NodeJS.ProcessEnv,
  log: WriteStream,
): Promise<Result<TlcRunResult, RunnerError>> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
    const watcher = new OutputWatcher({
      cfg: opts.cfg,
      ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}),
      ...(opts.onLine !== undefined ? { onLine: opts.onLine } : {}),
    });
    const stderr: Buffer[] = [];
    let timedOut = false;
    let aborted = false;

    const child = spawn(java, [...args], {
      cwd: opts.specDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a time-out kills the JVM and anything it forked.
      detached: process.platform !== 'win32',
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, opts.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      killGroup(child.pid);
    };
    if (opts.signal?.aborted === true) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (b: Buffer) => {
      log.write(b);
      watcher.push(b);
    });
    let stderrBytes = 0;
    child.stderr.on('data', (b: Buffer) => {
      // Only the start of stderr is kept for the error message; the log gets all of it.
      if (stderrBytes < 64 * 1024) stderr.push(b);
      stderrBytes += b.length;
      log.write(b);
    });
    let settled = false;
    const finish = (): void => {
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      // Without a pid the process never started, and no 'close' may follow.
      if (settled || child.pid !== undefined) return;
      finish();
      const missing = e.code === 'ENOENT';
      void closeLog(log).then(() =>
        resolve(err({ kind: missing ? 'java-missing' : 'spawn-failed', message: missing ? JAVA_MISSING : `cannot run ${java}: ${e.message}` })),
      );
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      finish();
      void closeLog(log).then(() => {
        const summary = watcher.finish(Buffer.concat(stderr).toString('utf8'));
        resolve(
          ok(
            classifyRun(
              { exitCode: code, exitSignal: signal, timedOut, aborted, seconds: seconds(), logFile: opts.logFile, argv: [java, ...args] },
              summary,
            ),
          ),
        );
      });
    });
  });
}
