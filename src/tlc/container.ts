// The container runner: TLC inside the runner image built from docker/Dockerfile, under docker (when its daemon
// answers) or podman, with the host runner's exact java argv, no network, the spec directory read-only, and the
// host runner's stream handling and result type.

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { err, ok, type Result } from '../result.js';
import { javaTlcArgs } from './args.js';
import { openLog, spawnTlc } from './host.js';
import { projectRoot, sha256File } from './jar.js';
import { findExecutable, runCommand } from './process.js';
import type { RunnerError, TlcRunOptions, TlcRunResult } from './run.js';

export type EngineName = 'docker' | 'podman';

export interface ContainerEngine {
  readonly name: EngineName;
  /** The engine's client program, an absolute path. */
  readonly program: string;
  /** A docker daemon running rootless (container root is the caller); podman is not asked. */
  readonly rootless?: boolean;
}

/** Forces an engine ("docker" or "podman") instead of detecting one. */
export const ENGINE_ENV = 'ITERPIN_CONTAINER_ENGINE';
/** Extra `run` flags, whitespace-separated (e.g. "--runtime runc --ulimit host"); set = no probing. */
export const FLAGS_ENV = 'ITERPIN_CONTAINER_FLAGS';
/** Forces the base image the runner image is built FROM (skips the pull attempt and the local build). */
export const BASE_ENV = 'ITERPIN_CONTAINER_BASE';

/** The Dockerfile's default base: a public Java 17 runtime image, for machines that reach a registry. */
export const PUBLIC_BASE = 'docker.io/library/eclipse-temurin:17-jre';
/** The base docker/build-base.sh makes from Debian packages, for machines without a registry. */
export const LOCAL_BASE = 'localhost/iterpin-base:bookworm';
/** Another name for that local base (docker/build-base.sh reads the same variable). */
export const LOCAL_BASE_ENV = 'ITERPIN_BASE_IMAGE';
/** The runner image's repository; the tag names the jar's hash (and the Dockerfile's). */
export const RUNNER_REPO = 'localhost/iterpin-tlc';
/** Where the Dockerfile puts the jar inside the image. */
export const IMAGE_JAR = '/opt/tlc/tla2tools.jar';
const SPEC_MOUNT = '/spec';
const OUT_MOUNT = '/out';

const ENGINE_HINT = 'install podman (Debian: apt-get install podman runc) or start a docker daemon';

// --- finding the engine ---------------------------------------------------------------------------------------------

/** A docker daemon that answers `docker info` within the limit (and whether it runs rootless), or undefined. */
async function dockerDaemon(program: string, env: NodeJS.ProcessEnv): Promise<ContainerEngine | undefined> {
  const r = await runCommand(program, ['info', '--format', '{{.ServerVersion}} {{json .SecurityOptions}}'], { env, timeoutMs: 20_000 });
  if (r.kind !== 'exited' || r.code !== 0) return undefined;
  return { name: 'docker', program, rootless: r.stdout.includes('rootless') };
}

/**
 * The engine to use: `ITERPIN_CONTAINER_ENGINE` when set; else `docker` if its daemon answers `docker info`; else
 * `podman` if installed. A typed 'engine-missing' error otherwise.
 */
export function findEngine(env: NodeJS.ProcessEnv = process.env): Promise<Result<ContainerEngine, RunnerError>> {
  // Remembered per PATH and override for the process (a `docker info` per model would add up); failures are not.
  const key = `${env[ENGINE_ENV] ?? ''}\0${env.PATH ?? ''}`;
  const known = engines.get(key);
  if (known !== undefined) return known;
  const found = detectEngine(env).then((r) => {
    if (!r.ok) engines.delete(key);
    return r;
  });
  engines.set(key, found);
  return found;
}

const engines = new Map<string, Promise<Result<ContainerEngine, RunnerError>>>();

async function detectEngine(env: NodeJS.ProcessEnv): Promise<Result<ContainerEngine, RunnerError>> {
  const forced = env[ENGINE_ENV];
  if (forced !== undefined && forced !== '') {
    if (forced !== 'docker' && forced !== 'podman') {
      return err({ kind: 'engine-missing', message: `${ENGINE_ENV}=${forced}: must be 'docker' or 'podman'` });
    }
    const program = findExecutable(forced, env);
    if (program === undefined) return err({ kind: 'engine-missing', message: `${ENGINE_ENV}=${forced}, but ${forced} is not on PATH` });
    if (forced === 'podman') return ok({ name: forced, program });
    const daemon = await dockerDaemon(program, env);
    if (daemon === undefined) return err({ kind: 'engine-missing', message: `${ENGINE_ENV}=docker, but the docker daemon does not answer 'docker info'` });
    return ok(daemon);
  }
  const docker = findExecutable('docker', env);
  const daemon = docker !== undefined ? await dockerDaemon(docker, env) : undefined;
  if (daemon !== undefined) return ok(daemon);
  const podman = findExecutable('podman', env);
  if (podman !== undefined) return ok({ name: 'podman', program: podman });
  const why = docker === undefined ? 'docker is not installed' : 'the docker daemon does not answer';
  return err({ kind: 'engine-missing', message: `no container engine: ${why} and podman is not installed; ${ENGINE_HINT}` });
}

// --- small engine helpers -------------------------------------------------------------------------------------------

async function imageExists(engine: ContainerEngine, image: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const r = await runCommand(engine.program, ['image', 'inspect', '--format', '{{.Id}}', image], { env, timeoutMs: 30_000 });
  return r.kind === 'exited' && r.code === 0;
}

/** The last non-empty line of a command's output, for one-line error messages. */
function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  return (lines[lines.length - 1] ?? 'no output').slice(0, 300);
}

/** Runs a command, handing each stderr/stdout line to `note` as it arrives; resolves to its exit code. */
function runNoting(
  program: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  note: (line: string) => void,
  timeoutMs: number,
): Promise<{ code: number | null; tail: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(program, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const feed = (b: Buffer): void => {
      const text = b.toString('utf8');
      tail = (tail + text).slice(-4000);
      for (const line of text.split(/\r?\n/)) if (line.trim() !== '') note(line);
    };
    child.stdout.on('data', feed);
    child.stderr.on('data', feed);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolvePromise({ code: null, tail: e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, tail });
    });
  });
}

// --- the runner image -----------------------------------------------------------------------------------------------

export interface ImageOptions {
  readonly engine: ContainerEngine;
  /** The verified jar on the host and its SHA-256 (the bytes the image receives). */
  readonly jar: { readonly path: string; readonly sha256: string };
  /** The project root holding docker/Dockerfile and docker/build-base.sh. */
  readonly root?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Build the local Debian base with docker/build-base.sh when no base is available (default true). */
  readonly buildBase?: boolean;
  /** Progress notes while an image is pulled or built; not called when the image already exists. */
  readonly note?: (line: string) => void;
}

export interface RunnerImage {
  readonly tag: string;
  /** The base it was built from, when it was built now. */
  readonly base?: string;
  readonly built: boolean;
}

/** The runner image's tag: the jar's hash (a changed jar gets a new image) and the Dockerfile's. */
export function runnerImageTag(jarSha256: string, dockerfile: string): string {
  const df = createHash('sha256').update(dockerfile).digest('hex');
  return `${RUNNER_REPO}:jar-${jarSha256.slice(0, 16)}-df-${df.slice(0, 8)}`;
}

/**
 * The base to build FROM: `ITERPIN_CONTAINER_BASE`; else the local Debian base if present (no network needed);
 * else the public image if present or pullable; else the local base, built now with docker/build-base.sh.
 */
async function chooseBase(o: ImageOptions, root: string, env: NodeJS.ProcessEnv, note: (l: string) => void): Promise<Result<string, RunnerError>> {
  const forced = env[BASE_ENV];
  if (forced !== undefined && forced !== '') return ok(forced);
  const localBase = env[LOCAL_BASE_ENV] !== undefined && env[LOCAL_BASE_ENV] !== '' ? env[LOCAL_BASE_ENV] : LOCAL_BASE;
  if (await imageExists(o.engine, localBase, env)) return ok(localBase);
  if (await imageExists(o.engine, PUBLIC_BASE, env)) return ok(PUBLIC_BASE);
  note(`pulling ${PUBLIC_BASE}`);
  const pull = await runCommand(o.engine.program, ['pull', '--quiet', PUBLIC_BASE], { env, timeoutMs: 300_000 });
  if (pull.kind === 'exited' && pull.code === 0) return ok(PUBLIC_BASE);
  const why = pull.kind === 'exited' ? lastLine(pull.stderr + pull.stdout) : pull.kind === 'timeout' ? 'timed out' : pull.message;
  const script = join(root, 'docker', 'build-base.sh');
  if (o.buildBase === false) {
    return err({ kind: 'image-missing', message: `cannot pull ${PUBLIC_BASE} (${why}) and ${localBase} does not exist; build it with ${script}` });
  }
  note(`cannot pull ${PUBLIC_BASE} (${why}); building ${localBase} from Debian packages with ${script}`);
  const built = await runNoting(script, [], { ...env, [ENGINE_ENV]: o.engine.name, [LOCAL_BASE_ENV]: localBase }, note, 1_800_000);
  if (built.code !== 0) {
    return err({ kind: 'image-missing', message: `${script} failed (exit ${built.code ?? 'signal'}): ${lastLine(built.tail)}` });
  }
  return ok(localBase);
}

async function buildRunnerImage(o: ImageOptions): Promise<Result<RunnerImage, RunnerError>> {
  const env = o.env ?? process.env;
  const root = o.root ?? projectRoot();
  const note = o.note ?? ((): void => undefined);
  const dockerfilePath = join(root, 'docker', 'Dockerfile');
  let dockerfile: string;
  try {
    dockerfile = await readFile(dockerfilePath, 'utf8');
  } catch (e) {
    return err({ kind: 'image-missing', message: `${dockerfilePath}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
  }
  const tag = runnerImageTag(o.jar.sha256, dockerfile);
  if (await imageExists(o.engine, tag, env)) return ok({ tag, built: false });

  const base = await chooseBase(o, root, env, note);
  if (!base.ok) return base;
  let context: string;
  try {
    context = await mkdtemp(join(tmpdir(), 'iterpin-image-'));
  } catch (e) {
    return err({ kind: 'io', message: `cannot create a build context in ${tmpdir()} (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
  }
  try {
    // The context holds exactly the Dockerfile and the jar; the copy is re-hashed so the image gets the verified bytes.
    await writeFile(join(context, 'Dockerfile'), dockerfile);
    await copyFile(o.jar.path, join(context, 'tla2tools.jar'));
    const copied = await sha256File(join(context, 'tla2tools.jar'));
    if (!copied.ok || copied.value !== o.jar.sha256) {
      return err({ kind: 'jar-missing', message: `${o.jar.path} changed while it was copied into the image build; run again` });
    }
    note(`building ${tag} FROM ${base.value} with ${o.engine.name}`);
    const build = await runCommand(
      o.engine.program,
      ['build', '--quiet', '--file', join(context, 'Dockerfile'), '--build-arg', `BASE=${base.value}`, '--build-arg', `JAR_SHA256=${o.jar.sha256}`, '--tag', tag, context],
      { env, timeoutMs: 600_000 },
    );
    if (build.kind !== 'exited' || build.code !== 0) {
      const why = build.kind === 'exited' ? lastLine(build.stderr + build.stdout) : build.kind === 'timeout' ? 'timed out' : build.message;
      return err({ kind: 'image-missing', message: `${o.engine.name} build of ${tag} from ${base.value} failed: ${why}` });
    }
    return ok({ tag, base: base.value, built: true });
  } catch (e) {
    return err({ kind: 'io', message: `preparing the image build in ${context}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });
  } finally {
    await rm(context, { recursive: true, force: true }).catch(() => undefined);
  }
}

const imageBuilds = new Map<string, Promise<Result<RunnerImage, RunnerError>>>();

/**
 * Makes sure the runner image for this jar exists and returns its tag. Concurrent callers in one process share a
 * single build; a failed attempt is not remembered, so the next call tries again.
 */
export function ensureRunnerImage(o: ImageOptions): Promise<Result<RunnerImage, RunnerError>> {
  const key = `${o.engine.program}\0${o.jar.sha256}\0${o.root ?? ''}`;
  const pending = imageBuilds.get(key);
  if (pending !== undefined) return pending;
  const started = buildRunnerImage(o).then((r) => {
    if (!r.ok) imageBuilds.delete(key);
    return r;
  });
  imageBuilds.set(key, started);
  return started;
}

// --- run flags: runtime and rlimits -----------------------------------------------------------------------------

/** This process's hard limit for a resource, from /proc/self/limits (Linux); undefined elsewhere. */
function hardLimit(label: string): number | undefined {
  try {
    const row = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith(label));
    const hard = row?.slice(label.length).trim().split(/\s+/)[1];
    return hard === undefined || hard === 'unlimited' ? undefined : Number(hard);
  } catch {
    return undefined;
  }
}

/**
 * The flag sets tried, in order, until a trivial container starts: the engine's defaults first (so a machine where
 * they work keeps them), then `--runtime runc` (podman defaults to crun, which fails where cgroups are restricted),
 * crossed with rlimit settings: none, `--ulimit host`, and explicit limits no higher than this process's own. The
 * last one exists because podman's default (nofile 1048576) is refused where the caller may not raise its hard
 * limits, and podman 4.3 ignores `--ulimit host`; podman caps its own nproc at 32768, so the container asks no more.
 */
export function runFlagCandidates(engine: ContainerEngine, env: NodeJS.ProcessEnv = process.env): string[][] {
  const runtimes: string[][] = [[]];
  if (engine.name === 'podman' && findExecutable('runc', env) !== undefined) runtimes.push(['--runtime', 'runc']);
  const limits: string[][] = [[], ['--ulimit', 'host']];
  const nofile = hardLimit('Max open files');
  const nproc = Math.min(hardLimit('Max processes') ?? 32768, 32768);
  if (nofile !== undefined) limits.push(['--ulimit', `nofile=${nofile}:${nofile}`, '--ulimit', `nproc=${nproc}:${nproc}`]);
  return runtimes.flatMap((r) => limits.map((l) => [...r, ...l]));
}

export interface RunFlags {
  readonly flags: readonly string[];
  /** 'env' = ITERPIN_CONTAINER_FLAGS; 'probe' = the first candidate that started a container. */
  readonly source: 'env' | 'probe';
}

const flagProbes = new Map<string, Promise<Result<RunFlags, RunnerError>>>();

async function probeRunFlags(engine: ContainerEngine, image: string, env: NodeJS.ProcessEnv): Promise<Result<RunFlags, RunnerError>> {
  const failures: string[] = [];
  for (const flags of runFlagCandidates(engine, env)) {
    const r = await runCommand(
      engine.program,
      ['run', '--rm', '--network', 'none', '--pull', 'never', ...flags, '--entrypoint', 'true', image],
      { env, timeoutMs: 60_000 },
    );
    if (r.kind === 'exited' && r.code === 0) return ok({ flags, source: 'probe' });
    const why = r.kind === 'exited' ? lastLine(r.stderr + r.stdout) : r.kind === 'timeout' ? 'timed out' : r.message;
    failures.push(`[${flags.join(' ') || 'defaults'}] ${why}`);
  }
  return err({
    kind: 'engine-missing',
    message: `${engine.name} cannot start a container with any of the flag sets tried (set ${FLAGS_ENV} to override): ${failures.join('; ')}`,
  });
}

/**
 * The extra `run` flags this machine needs: `ITERPIN_CONTAINER_FLAGS` when set, else the first candidate of
 * `runFlagCandidates` that starts a container from `image` (probed once per engine and image in a process).
 */
export function detectRunFlags(engine: ContainerEngine, image: string, env: NodeJS.ProcessEnv = process.env): Promise<Result<RunFlags, RunnerError>> {
  const forced = env[FLAGS_ENV];
  if (forced !== undefined && forced.trim() !== '') {
    return Promise.resolve(ok({ flags: forced.trim().split(/\s+/), source: 'env' }));
  }
  const key = `${engine.program}\0${image}`;
  const pending = flagProbes.get(key);
  if (pending !== undefined) return pending;
  const started = probeRunFlags(engine, image, env).then((r) => {
    if (!r.ok) flagProbes.delete(key);
    return r;
  });
  flagProbes.set(key, started);
  return started;
}

// --- the run ------------------------------------------------------------------------------------------------------

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

/**
 * Runs one model with TLC in a container: the same options and result as `runTlcOnHost`. The java argv after the
 * image name is the host runner's (`javaTlcArgs`) with the image's jar path and container paths; the log, progress
 * callbacks and classification are the host runner's own code. The time limit kills the container by name.
 */
export async function runTlcInContainer(opts: ContainerRunOptions): Promise<Result<TlcRunResult, RunnerError>> {
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

  const specDir = resolve(opts.specDir);
  let scratch: string;
  try {
    scratch = await mkdtemp(join(tmpdir(), 'iterpin-tlc-ctr-'));
    await mkdir(join(scratch, 'meta'));
    await mkdir(join(scratch, 'tmp'));
  } catch (e) {
    return err({ kind: 'io', message: `cannot create a temporary directory in ${tmpdir()} (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
  }
  const name = `iterpin-tlc-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    for (const dir of [specDir, scratch]) {
      if (!mountable(dir)) return err({ kind: 'io', message: `${dir}: a path with ':' or ',' cannot be mounted into a container` });
    }
    const java = javaTlcArgs({
      jar: IMAGE_JAR,
      heap: opts.heap,
      tmpdir: `${OUT_MOUNT}/tmp`,
      module: opts.module,
      cfg: opts.cfg,
      workers: opts.workers,
      metadir: `${OUT_MOUNT}/meta`,
    });
    if (!java.ok) return err({ kind: 'spawn-failed', message: java.error.message });
    // A rootful docker daemon would write the metadir as root; run as the caller so the scratch dir can be removed.
    // (Rootless engines already map container root to the caller.)
    const uid = process.getuid?.();
    const gid = process.getgid?.();
    const user = eng.name === 'docker' && eng.rootless !== true && uid !== undefined && gid !== undefined && uid !== 0 ? ['--user', `${uid}:${gid}`] : [];
    const args = [
      'run', '--rm', '--name', name, '--network', 'none', '--pull', 'never', ...flags, ...user,
      '--volume', `${specDir}:${SPEC_MOUNT}:ro`, '--volume', `${scratch}:${OUT_MOUNT}`, '--workdir', SPEC_MOUNT,
      '--entrypoint', 'java', image.value.tag, ...java.value,
    ];
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
async function removeContainer(engine: ContainerEngine, name: string, env: NodeJS.ProcessEnv): Promise<void> {
  await runCommand(engine.program, ['kill', name], { env, timeoutMs: 30_000 });
  await runCommand(engine.program, ['rm', '--force', name], { env, timeoutMs: 60_000 });
}
