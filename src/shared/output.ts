// Writing results without ever losing or half-writing one: atomic file writes (temp file in the same
// directory, then rename), a fresh directory per run, and an atomically updated `latest` pointer.

import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { err, ok, type Result } from './result.js';

export interface OutputError {
  readonly path: string;
  readonly message: string;
}

const reason = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));

const tempName = (path: string): string => join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

/**
 * Writes `data` to `path` so that readers see either no file or the complete file: the bytes go to a temporary
 * file in the same directory, are flushed, and the temporary file is renamed over `path`.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<Result<void, OutputError>> {
  const tmp = tempName(path);
  try {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    return ok(undefined);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    return err({ path, message: `${path}: cannot write (${reason(e)})` });
  }
}

/** `check-20261125T164605Z-4242`: sorts by time, unique per process. */
export function runDirName(prefix: string, now: Date, pid: number): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${prefix}-${stamp}-${pid}`;
}

/**
 * Creates a new directory `<outDir>/<prefix>-<time>-<pid>[-n]` for one run's results; never reuses an
 * existing one, so an earlier run's results are never overwritten.
 */
export async function createRunDir(
  outDir: string,
  prefix: string,
  now: Date = new Date(),
  pid: number = process.pid,
): Promise<Result<string, OutputError>> {
  try {
    await mkdir(outDir, { recursive: true });
  } catch (e) {
    return err({ path: outDir, message: `${outDir}: cannot create (${reason(e)})` });
  }
  const base = runDirName(prefix, now, pid);
  for (let n = 0; n < 1000; n++) {
    const dir = join(outDir, n === 0 ? base : `${base}-${n}`);
    try {
      await mkdir(dir);
      return ok(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return err({ path: dir, message: `${dir}: cannot create (${reason(e)})` });
    }
  }
  return err({ path: join(outDir, base), message: `${join(outDir, base)}: a thousand run directories of that name already exist` });
}

/**
 * Points `<outDir>/<name>` (default `latest`) at `runDir` atomically: a symlink to the run directory's base
 * name, made under a temporary name and renamed into place. Where symlinks are not allowed, a small file
 * holding the directory's name is written atomically instead.
 */
export async function pointLatest(outDir: string, runDir: string, name = 'latest'): Promise<Result<void, OutputError>> {
  const path = join(outDir, name);
  const tmp = tempName(path);
  try {
    await symlink(basename(runDir), tmp);
    await rename(tmp, path);
    return ok(undefined);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EINVAL') {
      return writeFileAtomic(path, `${basename(runDir)}\n`);
    }
    return err({ path, message: `${path}: cannot point at ${runDir} (${reason(e)})` });
  }
}

