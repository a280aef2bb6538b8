// The review's result cache: a TLC run of the review is decided by the model's modules (the root module and every
// spec-directory module it EXTENDS or INSTANCEs, transitively), the cfg the review writes for it, and the TLC jar;
// its verdict, counts and counterexample are kept under the SHA-256 of exactly those bytes. Replays are not cached:
// they are milliseconds, and rerunning them makes every implementation change count without hashing src/.

import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TlcOutcome } from '../tlc/run.js';
import { writeFileAtomic } from '../shared/output.js';

/** Bumped when the cached record's shape or meaning changes. */
const FORMAT = 'iterpin-review-cache-1';

/** What a cached TLC run keeps: enough to rebuild the review cell and its counterexample. */
export interface CachedRun {
  readonly outcome: TlcOutcome;
  readonly invariant?: string;
  readonly distinct?: number;
  readonly seconds: number;
  /** The counterexample as ITF text, for a safety violation. */
  readonly itf?: string;
  readonly message?: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The spec-directory modules `module` depends on, itself included, in a stable order. `module` is a module name or
 * its file name (`MC.tla`, as the manifest gives it).
 */
export async function moduleClosure(specDir: string, module: string): Promise<{ name: string; text: string }[]> {
  const seen = new Map<string, string>();
  const visit = async (name: string): Promise<void> => {
    if (seen.has(name) || !NAME.test(name)) return;
    let text: string;
    try {
      text = await readFile(join(specDir, `${name}.tla`), 'utf8');
    } catch {
      return; // a standard module (Naturals, Sequences, TLC, …) or one TLC will report missing
    }
    seen.set(name, text);
    const uses: string[] = [];
    for (const m of text.matchAll(/\bEXTENDS\b([^\n]*)/g)) uses.push(...(m[1] ?? '').split(',').map((s) => s.trim()));
    for (const m of text.matchAll(/\bINSTANCE\s+([A-Za-z_][A-Za-z0-9_]*)/g)) uses.push(m[1] ?? '');
    for (const u of uses) await visit(u);
  };
  await visit(module.replace(/\.tla$/, ''));
  return [...seen].sort(([a], [b]) => a.localeCompare(b)).map(([name, text]) => ({ name, text }));
}

/** The cache key of one TLC run: the hash of its modules, its cfg and the jar. */
export async function runKey(specDir: string, module: string, cfg: string, jarSha256: string): Promise<string> {
  const h = createHash('sha256');
  const field = (s: string): void => void h.update(`${Buffer.byteLength(s)}:${s}\n`);
  field(FORMAT);
  field(jarSha256);
  field(module);
  field(cfg);
  for (const m of await moduleClosure(specDir, module)) {
    field(m.name);
    field(m.text);
  }
  return h.digest('hex');
}

export async function readCached(dir: string, key: string): Promise<CachedRun | undefined> {
  try {
    const x = JSON.parse(await readFile(join(dir, `${key}.json`), 'utf8')) as CachedRun & { format?: string };
    return x.format === FORMAT && typeof x.outcome === 'string' && typeof x.seconds === 'number' ? x : undefined;
  } catch {
    return undefined; // absent or unreadable: run TLC
  }
}

/** Stores a run (atomically; a cache that cannot be written only costs a rerun). */
export async function writeCached(dir: string, key: string, run: CachedRun): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch {
    return;
  }
  await writeFileAtomic(join(dir, `${key}.json`), `${JSON.stringify({ format: FORMAT, ...run })}\n`);
}
