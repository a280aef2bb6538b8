// Finding a container engine (docker when its daemon answers, else podman) and the extra `run` flags this
// machine needs (OCI runtime, rlimits), probed once per process with a trivial container.

import { readFileSync } from 'node:fs';
import { err, memoizeOk, ok, type Result } from '../shared/result.js';
import { findExecutable, runCommand } from './process.js';
import type { RunnerError } from './run.js';

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
  return memoizeOk(engines, key, () => detectEngine(env));
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

export async function imageExists(engine: ContainerEngine, image: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const r = await runCommand(engine.program, ['image', 'inspect', '--format', '{{.Id}}', image], { env, timeoutMs: 30_000 });
  return r.kind === 'exited' && r.code === 0;
}

/** The last non-empty line of a command's output, for one-line error messages. */
export function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  return (lines[lines.length - 1] ?? 'no output').slice(0, 300);
}


// --- run flags: runtime, rlimits, cgroup placement ---------------------------------------------------------------

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
  /** 'env' = ITERPIN_CONTAINER_FLAGS; 'probe' = the first candidate that started a container (+ cgroup placement). */
  readonly source: 'env' | 'probe';
}

const flagProbes = new Map<string, Promise<Result<RunFlags, RunnerError>>>();

/** Starts `true` in a throw-away container with `flags`; undefined on success, else the engine's reason. */
async function tryFlags(engine: ContainerEngine, image: string, flags: readonly string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const r = await runCommand(
    engine.program,
    ['run', '--rm', '--network', 'none', '--pull', 'never', ...flags, '--entrypoint', 'true', image],
    { env, timeoutMs: 60_000 },
  );
  if (r.kind === 'exited' && r.code === 0) return undefined;
  return r.kind === 'exited' ? lastLine(r.stderr + r.stdout) : r.kind === 'timeout' ? 'timed out' : r.message;
}

/**
 * Rootful podman with the cgroupfs manager puts every container under one `/libpod_parent` cgroup whose CPU weight
 * is that of a single task, so on a busy machine TLC in a container gets a fraction of what the same JVM gets on
 * the host (measured: 1.7× slower with two models at a time next to other load; 1.0–1.1× with this). Giving each
 * container its own top-level cgroup restores the host's share. Used only when a probe shows it works.
 */
async function cgroupPlacement(engine: ContainerEngine, image: string, flags: readonly string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  if (engine.name !== 'podman' || process.getuid?.() !== 0) return [];
  const info = await runCommand(engine.program, ['info', '--format', '{{.Host.CgroupManager}}'], { env, timeoutMs: 30_000 });
  if (info.kind !== 'exited' || info.code !== 0 || info.stdout.trim() !== 'cgroupfs') return [];
  const placement = ['--cgroup-parent', '/'];
  return (await tryFlags(engine, image, [...flags, ...placement], env)) === undefined ? placement : [];
}

async function probeRunFlags(engine: ContainerEngine, image: string, env: NodeJS.ProcessEnv): Promise<Result<RunFlags, RunnerError>> {
  const failures: string[] = [];
  for (const flags of runFlagCandidates(engine, env)) {
    const why = await tryFlags(engine, image, flags, env);
    if (why === undefined) return ok({ flags: [...flags, ...(await cgroupPlacement(engine, image, flags, env))], source: 'probe' });
    failures.push(`[${flags.join(' ') || 'defaults'}] ${why}`);
  }
  return err({
    kind: 'engine-missing',
    message: `${engine.name} cannot start a container with any of the flag sets tried (set ${FLAGS_ENV} to override): ${failures.join('; ')}`,
  });
}

/**
 * The extra `run` flags this machine needs: `ITERPIN_CONTAINER_FLAGS` when set, else the first candidate of
 * `runFlagCandidates` that starts a container from `image`, plus the cgroup placement where it applies (probed
 * once per engine and image in a process).
 */
export function detectRunFlags(engine: ContainerEngine, image: string, env: NodeJS.ProcessEnv = process.env): Promise<Result<RunFlags, RunnerError>> {
  const forced = env[FLAGS_ENV];
  if (forced !== undefined && forced.trim() !== '') {
    return Promise.resolve(ok({ flags: forced.trim().split(/\s+/), source: 'env' }));
  }
  const key = `${engine.program}\0${image}`;
  return memoizeOk(flagProbes, key, () => probeRunFlags(engine, image, env));
}
