// The container runner: TLC inside the runner image under docker or podman, with the host runner's exact java
// argv, no network, the spec directory read-only, and the host runner's stream handling and result type.

import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { err, ok, type Result } from '../shared/result.js';
import { javaTlcArgs } from './args.js';
import { detectRunFlags, findEngine, lastLine, type ContainerEngine } from './container-engine.js';
import { ensureRunnerImage, IMAGE_JAR } from './container-image.js';
import { openLog, spawnTlc } from './host.js';
import { sha256File } from './jar.js';
import { runCommand } from './process.js';
import type { RunnerError, TlcRunOptions, TlcRunResult } from './run.js';

// The container runner's whole API is importable from here.
export { detectRunFlags, findEngine, runFlagCandidates, ENGINE_ENV, FLAGS_ENV } from './container-engine.js';
export type { ContainerEngine, EngineName, RunFlags } from './container-engine.js';
export { ensureRunnerImage, runnerImageTag, BASE_ENV, IMAGE_JAR, LOCAL_BASE, LOCAL_BASE_ENV, PUBLIC_BASE, RUNNER_REPO } from './container-image.js';
export type { ImageOptions, RunnerImage } from './container-image.js';

export const SPEC_MOUNT = '/spec';
export const OUT_MOUNT = '/out';
/** Where a run's own metadir (checkpoints kept for --resume) is mounted. */
export const META_MOUNT = '/meta';
/** Where the checkpoint a run recovers from is mounted. */
export const RECOVER_MOUNT = '/recover';

export interface ContainerRunOptions extends TlcRunOptions {
  /** The engine; default: detected by `findEngine`. */
  readonly engine?: ContainerEngine;
  /** Extra `run` flags; default: `detectRunFlags`. */
  readonly engineFlags?: readonly string[];
  /** The project root holding docker/ (default: this checkout). */
  readonly root?: string;
  /** Build the Debian base image when no base is available (default true). */
  readonly buildBase?: boolean;
  /** Notes while the image is prepared (pull, base build, image build). */
  readonly onNote?: (line: string) => void;
}

/** Bind-mount sources go into `-v SRC:DST:ro`; a ':' or ',' in them would be misread. */
function mountable(path: string): boolean {
  return !/[:,]/.test(path);
}

/** Exit codes that come from the engine or the container runtime, never from TLC (125 engine, 126/127 exec). */
const ENGINE_EXIT_CODES = new Set([125, 126, 127]);

/** The engine, the runner image and the run flags: everything a `run` of the runner image needs. */
export interface PreparedContainer {
  readonly engine: ContainerEngine;
  readonly image: string;
  readonly flags: readonly string[];
}

/** Finds the engine, builds the runner image from the verified jar if needed, and probes the run flags. */
export async function prepareContainer(opts: Pick<ContainerRunOptions, 'jar' | 'env' | 'engine' | 'engineFlags' | 'root' | 'buildBase' | 'onNote'>): Promise<Result<PreparedContainer, RunnerError>> {
  const env = opts.env ?? process.env;
  const jarHash = await sha256File(opts.jar);
  if (!jarHash.ok) return err({ kind: 'jar-missing', message: `${opts.jar}: no TLC jar there; run 'iterpin setup'` });

  let eng: ContainerEngine;
  if (opts.engine !== undefined) eng = opts.engine;
  else {
    const found = await findEngine(env);
    if (!found.ok) return found;
    eng = found.value;
  }

  const image = await ensureRunnerImage({
    engine: eng,
    jar: { path: opts.jar, sha256: jarHash.value },
    env,
    ...(opts.root !== undefined ? { root: opts.root } : {}),
    ...(opts.buildBase !== undefined ? { buildBase: opts.buildBase } : {}),
    ...(opts.onNote !== undefined ? { note: opts.onNote } : {}),
  });
  if (!image.ok) return image;

  let flags: readonly string[];
  if (opts.engineFlags !== undefined) flags = opts.engineFlags;
  else {
    const detected = await detectRunFlags(eng, image.value.tag, env);
    if (!detected.ok) return detected;
    flags = detected.value.flags;
  }
  return ok({ engine: eng, image: image.value.tag, flags });
}

/**
 * `run` arguments that start `java javaArgs` in the runner image: removed on exit, named (to be killed by name),
 * the given network, mounts (host path, container path, read-only) and working directory.
 */
export function containerJavaArgs(
  c: PreparedContainer,
  o: { name: string; network: 'none' | 'host'; mounts: readonly (readonly [string, string, boolean])[]; workdir: string; javaArgs: readonly string[] },
): Result<string[], RunnerError> {
  const bad = o.mounts.find(([host]) => !mountable(host));
  if (bad !== undefined) return err({ kind: 'io', message: `${bad[0]}: a path with ':' or ',' cannot be mounted into a container` });
  // A rootful docker daemon would write the metadir as root; run as the caller so the scratch dir can be removed.
  // (Rootless engines already map container root to the caller.)
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  const user = c.engine.name === 'docker' && c.engine.rootless !== true && uid !== undefined && gid !== undefined && uid !== 0 ? ['--user', `${uid}:${gid}`] : [];
  return ok([
    'run', '--rm', '--name', o.name, '--network', o.network, '--pull', 'never', ...c.flags, ...user,
    ...o.mounts.flatMap(([host, inside, ro]) => ['--volume', `${host}:${inside}${ro ? ':ro' : ''}`]),
    '--workdir', o.workdir, '--entrypoint', 'java', c.image, ...o.javaArgs,
  ]);
}

/** A fresh container name for this process. */
export const containerName = (role: string): string => `iterpin-${role}-${process.pid}-${randomBytes(4).toString('hex')}`;

/**
 * Runs one model with TLC in a container: the same options and result as `runTlcOnHost`. The java argv after the
 * image name is the host runner's (`javaTlcArgs`) with the image's jar path and container paths; the log, progress
 * callbacks and classification are the host runner's own code. The time limit kills the container by name.
 */
export async function runTlcInContainer(opts: ContainerRunOptions): Promise<Result<TlcRunResult, RunnerError>> {
  const env = opts.env ?? process.env;
  const prepared = await prepareContainer(opts);
  if (!prepared.ok) return prepared;
  const eng = prepared.value.engine;

  const specDir = resolve(opts.specDir);
  let scratch: string;
  try {
    scratch = await mkdtemp(join(tmpdir(), 'iterpin-tlc-ctr-'));
    await mkdir(join(scratch, 'meta'));
    await mkdir(join(scratch, 'tmp'));
  } catch (e) {
    return err({ kind: 'io', message: `cannot create a temporary directory in ${tmpdir()} (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
  }
  const name = containerName('tlc');
  // A metadir of the caller's (checkpoints a later --resume recovers from) is mounted at META_MOUNT, the checkpoint
  // a run recovers from (-recover DIR) at RECOVER_MOUNT, and TLC is given the paths the container sees.
  const metadir = opts.metadir !== undefined ? resolve(opts.metadir) : undefined;
  const extra = [...(opts.extraArgs ?? [])];
  const at = extra.indexOf('-recover');
  const recover = at >= 0 && extra[at + 1] !== undefined ? resolve(extra[at + 1] as string) : undefined;
  if (recover !== undefined) extra[at + 1] = RECOVER_MOUNT;
  try {
    const java = javaTlcArgs({
      jar: IMAGE_JAR,
      heap: opts.heap,
      tmpdir: `${OUT_MOUNT}/tmp`,
      ...(opts.jvmProperties !== undefined ? { properties: opts.jvmProperties } : {}),
      ...(opts.jit !== undefined ? { jit: opts.jit } : {}),
      module: opts.module,
      cfg: opts.cfg,
      workers: opts.workers,
      ...(opts.coverage === true ? { coverage: true } : {}),
      metadir: metadir !== undefined ? META_MOUNT : `${OUT_MOUNT}/meta`,
      ...(extra.length > 0 ? { extraArgs: extra } : {}),
    });
    if (!java.ok) return err({ kind: 'spawn-failed', message: java.error.message });
    const run0 = containerJavaArgs(prepared.value, {
      name,
      network: 'none',
      mounts: [
        [specDir, SPEC_MOUNT, true],
        [scratch, OUT_MOUNT, false],
        ...(metadir !== undefined ? [[metadir, META_MOUNT, false] as const] : []),
        ...(recover !== undefined ? [[recover, RECOVER_MOUNT, false] as const] : []),
      ],
      workdir: SPEC_MOUNT,
      javaArgs: java.value,
    });
    if (!run0.ok) return run0;
    const args = run0.value;
    const log = await openLog(opts.logFile);
    if (!log.ok) return log;
    const run = await spawnTlc(eng.program, args, opts, env, log.value);
    if (!run.ok) {
      // spawnTlc names java when the program cannot be started; here the program is the engine.
      return run.error.kind === 'java-missing' ? err({ kind: 'engine-missing', message: `${eng.program} cannot be started` }) : run;
    }
    const r = run.value;
    if (r.exitSignal !== null || r.outcome === 'timeout') {
      // The engine client was killed (time limit or abort); the container may still be running: kill it by name.
      await removeContainer(eng, name, env);
    }
    if (r.exitCode !== null && ENGINE_EXIT_CODES.has(r.exitCode) && r.tlcVersion === undefined) {
      const logText = await readFile(opts.logFile, 'utf8').catch(() => '');
      return err({ kind: 'spawn-failed', message: `${eng.name} could not start TLC (exit ${r.exitCode}): ${lastLine(logText)}` });
    }
    return ok(r);
  } finally {
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** `kill` then `rm -f` by name; both are no-ops (with an error we ignore) when the container is already gone. */
export async function removeContainer(engine: ContainerEngine, name: string, env: NodeJS.ProcessEnv): Promise<void> {
  await runCommand(engine.program, ['kill', name], { env, timeoutMs: 30_000 });
  await runCommand(engine.program, ['rm', '--force', name], { env, timeoutMs: 60_000 });
}
