// The distributed runner: TLC 2.18's own distributed mode. One `tlc2.tool.distributed.TLCServer` holds the state
// queue and the fingerprint set; `TLCWorker` processes (started here on this machine, or `iterpin worker` on
// others) fetch the spec from it over RMI and compute successor states. The server's output goes through the host
// runner's stream handling; what the server leaves out on a violation (the invariant's name, the behaviour from an
// initial state, a non-zero exit) is worked out by local runs (distributed-trace.ts), and the result says so.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { err, ok, type Result } from '../shared/result.js';
import { jvmArgs, tlcArgs } from './args.js';
import { containerJavaArgs, containerName, OUT_MOUNT, prepareContainer, removeContainer, runTlcInContainer, SPEC_MOUNT, type PreparedContainer } from './container.js';
import { IMAGE_JAR } from './container-image.js';
import { cfgProperties, parseCfg } from './cfg.js';
import { invariantOfState, rebuildTrace } from './distributed-trace.js';
import { JAVA_MISSING, openLog, runTlcOnHost, spawnTlc, type HostRunOptions } from './host.js';
import { findExecutable, killGroup } from './process.js';
import type { RunnerError, TlcProblem, TlcRunner, TlcRunOptions, TlcRunResult } from './run.js';
import { parseToolOutput } from './toolstream.js';

/** TLC's own default RMI registry port for the server. */
export const DEFAULT_DISTRIBUTED_PORT = 10997;
/** How long the server waits for its first worker (and for a new one after all are lost) by default. */
export const DEFAULT_JOIN_TIMEOUT_MS = 120_000;

export const SERVER_CLASS = 'tlc2.tool.distributed.TLCServer';
export const WORKER_CLASS = 'tlc2.tool.distributed.TLCWorker';
/** The Java system properties TLC reads for the server's port and a worker's thread count. */
export const PORT_PROPERTY = 'tlc2.tool.distributed.TLCServer.port';
export const WORKER_THREADS_PROPERTY = 'tlc2.tool.distributed.TLCWorker.threadCount';
const REPORT_PROPERTY = 'tlc2.tool.distributed.TLCServer.report';

export interface DistributedOptions extends HostRunOptions {
  /** TLCWorker processes to start on this machine (0: only workers joining from elsewhere). */
  readonly localWorkers: number;
  /** The server's RMI registry port. */
  readonly port: number;
  /** The address remote workers reach the server at (java.rmi.server.hostname); default: this machine's name. */
  readonly listen?: string;
  /** Fail when no worker has joined this long after the server is ready (or after all workers were lost). */
  readonly joinTimeoutMs?: number;
  /** Threads per local worker (default 1: the local workers share the machine with the server). */
  readonly workerThreads?: number;
  /** Called with each local worker's pid when it starts (tests kill one). */
  readonly onWorkerStarted?: (pid: number, index: number) => void;
  /** Called once the server is ready for workers. */
  readonly onServerReady?: () => void;
  /**
   * Run the server and the local workers in containers of the runner image (host network: RMI calls back on
   * ports it picks), and the local re-runs in the container runner.
   */
  readonly container?: boolean;
  /** Notes while the runner image is prepared (container form). */
  readonly onNote?: (line: string) => void;
}

/** What a distributed run adds to a run's result. */
export interface DistributedInfo {
  readonly port: number;
  readonly localWorkers: number;
  /** Worker registrations during the run (TLC registers each thread of a worker process; local and remote). */
  readonly joined: number;
  /** Workers the server reported lost or disconnected before the end. */
  readonly lost: number;
  /** The server's own counts (a violation's counts in the result come from the local re-run). */
  readonly serverStats?: { readonly generated: number; readonly distinct: number; readonly queue: number; readonly level?: number };
  /** Set when the server reported a violation: how the result's invariant and trace were obtained. */
  readonly rebuilt?: {
    /** The invariant the server's last state violates (one-state check). */
    readonly lastStateInvariant?: string;
    /** The depth bound of the local re-run that produced the trace. */
    readonly depthBound: number;
    readonly note: string;
  };
  /** Set when the model has temporal properties: distributed TLC does not check them; a local run did. */
  readonly propertiesCheckedLocally?: readonly string[];
}

export type DistributedRunResult = TlcRunResult & { readonly distributed: DistributedInfo };

export function isDistributedResult(r: TlcRunResult): r is DistributedRunResult {
  return 'distributed' in r;
}

/** Resolves to a message when `port` cannot be bound on this machine (another server holds it), else undefined. */
export function portProblem(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) =>
      resolve(e.code === 'EADDRINUSE' ? `port ${port} is in use (another TLC server, or another program); choose another with --port` : `port ${port} cannot be opened (${e.code ?? e.message})`),
    );
    probe.listen({ port, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
}

/** The java argv of a worker that joins the server at `host`:`port`. */
export function workerJavaArgs(o: { jar: string; heap: string; host: string; port: number; threads?: number; tmpdir?: string; listen?: string }): Result<string[], RunnerError> {
  const jvm = jvmArgs({ heap: o.heap, ...(o.tmpdir !== undefined ? { tmpdir: o.tmpdir } : {}) });
  if (!jvm.ok) return err({ kind: 'spawn-failed', message: jvm.error.message });
  return ok([
    ...jvm.value,
    `-D${PORT_PROPERTY}=${o.port}`,
    ...(o.threads !== undefined ? [`-D${WORKER_THREADS_PROPERTY}=${o.threads}`] : []),
    ...(o.listen !== undefined ? [`-Djava.rmi.server.hostname=${o.listen}`] : []),
    '-cp', o.jar, WORKER_CLASS, o.host,
  ]);
}

/** Lines of the server's output that change the cluster's membership. */
const REGISTERED = /^Registration for worker at (\S+) completed/;
/** The server prints this once per worker it drops (after "TLC worker connection lost …", or on a clean exit). */
const GONE = /^TLC worker (\S+) disconnected/;
const READY = /^TLC server at \S+ is ready/;
const PORT_TAKEN = /Port already in use: (\d+)/;

/**
 * Runs one model on a TLCServer with `localWorkers` local TLCWorkers. Same options and result as the host runner,
 * plus `distributed` in the result. Only a run that never started is an Err.
 */
export async function runTlcDistributed(opts: DistributedOptions): Promise<Result<DistributedRunResult, RunnerError>> {
  const env = opts.env ?? process.env;
  let ctr: PreparedContainer | undefined;
  if (opts.container === true) {
    const prepared = await prepareContainer({ jar: opts.jar, env, ...(opts.onNote !== undefined ? { onNote: opts.onNote } : {}) });
    if (!prepared.ok) return prepared;
    ctr = prepared.value;
  }
  const java = ctr !== undefined ? ctr.engine.program : (opts.java ?? findExecutable('java', env));
  if (java === undefined) return err({ kind: 'java-missing', message: JAVA_MISSING });
  const jarInfo = await stat(opts.jar).catch(() => undefined);
  if (jarInfo === undefined || !jarInfo.isFile()) return err({ kind: 'jar-missing', message: `${opts.jar}: no TLC jar there; run 'iterpin setup'` });
  const taken = await portProblem(opts.port);
  if (taken !== undefined) return err({ kind: 'spawn-failed', message: taken });

  let scratch: string;
  try {
    scratch = await mkdtemp(join(tmpdir(), 'iterpin-dist-'));
    await mkdir(join(scratch, 'meta'));
    await mkdir(join(scratch, 'tmp'));
  } catch (e) {
    return err({ kind: 'io', message: `cannot create a temporary directory in ${tmpdir()} (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
  }
  const workers: ChildProcess[] = [];
  // In containers: the scratch directory is mounted at OUT_MOUNT, the spec directory at SPEC_MOUNT, the jar is the image's.
  const paths = ctr === undefined ? { jar: opts.jar, scratch } : { jar: IMAGE_JAR, scratch: OUT_MOUNT };
  const containers: string[] = [];
  /** The program and argv that run `java javaArgs` for a server or a worker, on the host or in a container. */
  const launch = (role: string, javaArgs: string[], spec: boolean): Result<string[], RunnerError> => {
    if (ctr === undefined) return ok(javaArgs);
    const name = containerName(role);
    containers.push(name);
    return containerJavaArgs(ctr, {
      name,
      network: 'host',
      mounts: [...(spec ? [[opts.specDir, SPEC_MOUNT, true] as const] : []), [scratch, OUT_MOUNT, false] as const],
      workdir: spec ? SPEC_MOUNT : OUT_MOUNT,
      javaArgs,
    });
  };
  try {
    const jvm = jvmArgs({ heap: opts.heap, tmpdir: join(paths.scratch, 'tmp') });
    const tlc = tlcArgs({ module: opts.module, cfg: opts.cfg, workers: 1, metadir: join(paths.scratch, 'meta'), ...(opts.extraArgs !== undefined ? { extraArgs: opts.extraArgs } : {}) });
    if (!jvm.ok) return err({ kind: 'spawn-failed', message: jvm.error.message });
    if (!tlc.ok) return err({ kind: 'spawn-failed', message: tlc.error.message });
    // TLCServer takes TLC's options except -workers (its workers are the processes that join), and does not read
    // CHECK_DEADLOCK from the cfg: a cfg that turns the deadlock check off needs -deadlock on the command line.
    const cfgText = await readFile(join(opts.specDir, opts.cfg), 'utf8').catch(() => '');
    const sections = parseCfg(cfgText);
    const noDeadlock = sections.some((s) => s.keyword === 'CHECK_DEADLOCK' && /^FALSE\b/.test(s.body));
    // Nor does it know -lncheck (it checks no temporal property: PROPERTIES go to a local run).
    const serverOnly = (a: string | undefined): boolean => a === '-workers' || a === '-lncheck';
    const serverTlc = tlc.value.filter((a, i, all) => !serverOnly(a) && !serverOnly(all[i - 1]));
    if (noDeadlock && !serverTlc.includes('-deadlock')) serverTlc.splice(serverTlc.length - 1, 0, '-deadlock');
    const launched = launch('tlcserver', [
      ...jvm.value,
      `-D${PORT_PROPERTY}=${opts.port}`,
      `-D${REPORT_PROPERTY}=10000`,
      ...(opts.listen !== undefined ? [`-Djava.rmi.server.hostname=${opts.listen}`] : []),
      '-cp', paths.jar, SERVER_CLASS, ...serverTlc,
    ], true);
    if (!launched.ok) return launched;
    const args = launched.value;
    const log = await openLog(opts.logFile);
    if (!log.ok) return log;

    const cluster = { joined: 0, live: 0, lost: 0, failure: undefined as string | undefined };
    const stop = new AbortController();
    const outer = (): void => stop.abort();
    if (opts.signal?.aborted === true) stop.abort();
    opts.signal?.addEventListener('abort', outer, { once: true });
    const joinTimeout = opts.joinTimeoutMs ?? DEFAULT_JOIN_TIMEOUT_MS;
    let joinTimer: NodeJS.Timeout | undefined;
    const waitForWorkers = (why: string): void => {
      clearTimeout(joinTimer);
      joinTimer = setTimeout(() => {
        if (cluster.live > 0) return;
        cluster.failure = `${why} within ${Math.round(joinTimeout / 1000)} s (port ${opts.port}); see ${opts.logFile}`;
        stop.abort();
      }, joinTimeout);
    };
    const startWorkers = (): void => {
      for (let i = 0; i < opts.localWorkers; i++) {
        const wj = workerJavaArgs({ jar: paths.jar, heap: opts.heap, host: 'localhost', port: opts.port, threads: opts.workerThreads ?? 1, tmpdir: join(paths.scratch, 'tmp') });
        const w = wj.ok ? launch(`tlcworker${i + 1}`, wj.value, false) : wj;
        if (!w.ok) continue;
        const child = spawn(java, w.value, { cwd: scratch, env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
        const wlog = createWriteStream(opts.logFile.replace(/\.log$/, `.worker${i + 1}.log`), { flags: 'wx' });
        wlog.on('error', () => undefined);
        child.stdout?.pipe(wlog);
        child.stderr?.on('data', (b: Buffer) => wlog.write(b));
        child.on('error', () => undefined);
        workers.push(child);
        if (child.pid !== undefined) opts.onWorkerStarted?.(child.pid, i);
      }
    };
    const onLine = (line: string): void => {
      opts.onLine?.(line);
      if (READY.test(line)) {
        opts.onServerReady?.();
        startWorkers();
        waitForWorkers('no TLC worker joined the server');
      } else if (REGISTERED.test(line)) {
        cluster.joined++;
        cluster.live++;
      } else if (GONE.test(line)) {
        cluster.live = Math.max(0, cluster.live - 1);
        cluster.lost++;
        if (cluster.live === 0) waitForWorkers('every TLC worker was lost and none joined again');
      } else if (PORT_TAKEN.test(line)) {
        cluster.failure = `port ${opts.port} is in use (another TLC server, or another program); choose another with --port`;
      }
    };
    const hostOpts: HostRunOptions = { ...opts, signal: stop.signal, onLine };
    const ran = await spawnTlc(java, args, hostOpts, env, log.value);
    clearTimeout(joinTimer);
    opts.signal?.removeEventListener('abort', outer);
    for (const w of workers) killGroup(w.pid);
    // Killing an engine client leaves its container running: stop them by name.
    if (ctr !== undefined) for (const name of containers.splice(0)) await removeContainer(ctr.engine, name, env);
    if (!ran.ok) return ran;
    const serverRun = ran.value;
    const text = await readFile(opts.logFile, 'utf8').catch(() => '');
    const parsed = parseToolOutput(text);
    const out = parsed.ok ? parsed.value : undefined;
    const lastProgress = out?.events.filter((e) => e.type === 'progress').at(-1);
    const level = lastProgress?.type === 'progress' ? lastProgress.depth : undefined;
    const info: DistributedInfo = {
      port: opts.port,
      localWorkers: opts.localWorkers,
      joined: cluster.joined,
      lost: cluster.lost,
      ...(out?.distinct !== undefined && out.generated !== undefined
        ? { serverStats: { generated: out.generated, distinct: out.distinct, queue: out.queue ?? 0, ...(level !== undefined ? { level } : {}) } }
        : {}),
    };
    const failed = (message: string, extra: readonly TlcProblem[] = []): DistributedRunResult => ({
      ...serverRun,
      outcome: 'error',
      trace: [],
      problems: [{ kind: 'other', message }, ...extra],
      distributed: info,
    });
    if (cluster.failure !== undefined && opts.signal?.aborted !== true) return ok(failed(cluster.failure));
    // At shutdown the server may try to stop a worker lost on the way, or fail to read its cache statistics, and
    // says so (the latter "does not invalidate model checking results"): after a lost worker neither is an error.
    const benign = (m: string): boolean =>
      cluster.lost > 0 && /^(Ignoring attempt to exit dead worker|Failed to read remote worker cache statistic)/.test(m.trim());
    const onlyBenign = serverRun.outcome === 'error' && serverRun.problems.length > 0 && serverRun.problems.every((p) => benign(p.message));
    if (serverRun.outcome === 'timeout' || (serverRun.outcome === 'error' && !onlyBenign)) return ok({ ...serverRun, distributed: info });
    if (out === undefined) return ok(failed(`the server's output could not be read (see ${opts.logFile})`));
    const errors = out.errors.filter((e) => !benign(e.message));
    if (errors.length > 0 && out.trace.length === 0) {
      return ok({ ...serverRun, outcome: 'error', trace: [], problems: errors.map((e) => ({ kind: 'other' as const, message: e.message.replace(/\s*\n\s*/g, ' ').trim() })), distributed: info });
    }
    if (!out.finished) return ok(failed(`the server ended without its final message (see ${opts.logFile})`));

    const inCtr = ctr;
    const local: TlcRunner =
      inCtr !== undefined
        ? (o) => runTlcInContainer({ ...o, engine: inCtr.engine, engineFlags: inCtr.flags })
        : (o) => runTlcOnHost({ ...o, ...(opts.java !== undefined ? { java: opts.java } : {}) });
    const localOpts: TlcRunOptions = { ...opts, coverage: false, onProgress: () => undefined };
    if (out.trace.length > 0) {
      // A violation, whatever the server's exit status: name it and rebuild its behaviour locally.
      const last = out.trace.at(-1);
      // The server's level is that of its last progress report (one every 10 s), which may lag the violation by
      // levels: the bound is twice it. Breadth-first, the local run stops at its first violation, before any state
      // deeper than that one, so a bound at or past the violation's level changes nothing it counts.
      const depthBound = 2 * (level ?? out.trace.length) + 2;
      const named = last !== undefined ? await invariantOfState(local, localOpts, last) : undefined;
      const lastStateInvariant = named?.ok === true && named.run.outcome === 'safety' ? named.run.invariant : undefined;
      const rebuilt = await rebuildTrace(local, localOpts, depthBound);
      if (!rebuilt.ok) return ok(failed(`the server reported a violation; rebuilding its trace failed: ${rebuilt.message}`));
      let r = rebuilt.run;
      let unbounded = false;
      if (r.outcome === 'success') {
        // Deeper than the bound: the model as it is, locally (it stops at its first violation too).
        const again = await local({ ...localOpts, logFile: opts.logFile.replace(/\.log$/, '.rebuild-unbounded.log') });
        if (!again.ok) return again;
        r = again.value;
        unbounded = true;
      }
      if (r.outcome === 'success') {
        return ok(failed(`the server reported a violation, but a local run of the model finds none (see ${r.logFile})`));
      }
      if (r.outcome === 'error' || r.outcome === 'timeout') return ok({ ...r, distributed: info });
      const same = lastStateInvariant === undefined || lastStateInvariant === r.invariant;
      const note = `trace rebuilt by a local run ${unbounded ? `of the whole model (bounded to depth ${depthBound} it found none)` : `bounded to depth ${depthBound}`}${
        same ? '' : `; the server stopped at a state violating ${lastStateInvariant}, the local run's first violation is ${r.invariant ?? r.outcome}`
      }`;
      return ok({ ...r, seconds: serverRun.seconds + r.seconds, logFile: serverRun.logFile, argv: serverRun.argv, distributed: { ...info, rebuilt: { ...(lastStateInvariant !== undefined ? { lastStateInvariant } : {}), depthBound, note } } });
    }
    const onlyBenignErrors = out.outcome === 'error' && out.errors.length > 0 && errors.length === 0;
    if ((out.outcome !== 'success' && !onlyBenignErrors) || out.distinct === undefined) {
      return ok(failed(`the server ended without a verdict (see ${opts.logFile})`));
    }
    const success: DistributedRunResult = { ...serverRun, outcome: 'success', exitCode: 0, trace: [], problems: [], distributed: info };
    // Distributed TLC checks no temporal properties: a model that has some is checked by a local run as well.
    const properties = cfgProperties(sections);
    if (properties.length === 0) return ok(success);
    const localLog = opts.logFile.replace(/\.log$/, '.properties.log');
    const again = await local({ ...localOpts, logFile: localLog });
    if (!again.ok) return again;
    const withProps = { ...info, propertiesCheckedLocally: properties };
    if (again.value.outcome === 'success') return ok({ ...success, distributed: withProps });
    return ok({ ...again.value, seconds: serverRun.seconds + again.value.seconds, distributed: withProps });
  } finally {
    for (const w of workers) killGroup(w.pid);
    if (ctr !== undefined) for (const name of containers) await removeContainer(ctr.engine, name, env);
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}
