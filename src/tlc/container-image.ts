// The TLC runner image: built from docker/Dockerfile with the verified jar, tagged with the jar's hash, FROM the
// public JRE image when it can be pulled, else FROM a Debian base made locally by docker/build-base.sh.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { err, memoizeOk, ok, type Result } from '../shared/result.js';
import { ENGINE_ENV, imageExists, lastLine, type ContainerEngine } from './container-engine.js';
import { projectRoot, sha256File } from './jar.js';
import { runCommand } from './process.js';
import type { RunnerError } from './run.js';

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
  return memoizeOk(imageBuilds, key, () => buildRunnerImage(o));
}

