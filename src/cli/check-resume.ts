// Checkpoints and resume for `iterpin check`: each model of a host run keeps TLC's -metadir in the run directory
// (`<model>.states/`) while it runs, TLC checkpoints into it every `--checkpoint` minutes (-checkpoint), and the
// directory is removed once the model finishes. A run stopped on the way (Ctrl-C) keeps them, with resume.json
// saying what was being run; `iterpin check --resume RUNDIR` runs the same models again, each from its newest
// complete checkpoint (TLC's -recover), the others from the start.

import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../shared/output.js';

/** TLC's own default interval, in minutes. */
export const DEFAULT_CHECKPOINT_MINUTES = 30;

export const RESUME_FILE = 'resume.json';

/** What a resumed run needs to run the same thing again. */
export interface ResumeRecord {
  readonly manifest: string;
  readonly models: readonly string[];
  readonly workers: number;
  readonly heap: string;
  readonly timeoutSeconds: number;
  readonly checkpointMinutes: number;
  readonly coverage: boolean;
}

export const modelMetadir = (runDir: string, model: string): string => join(runDir, `${model}.states`);

export function checkpointArgs(minutes: number, recoverFrom?: string): string[] {
  return ['-checkpoint', String(minutes), ...(recoverFrom !== undefined ? ['-recover', recoverFrom] : [])];
}

/**
 * The newest complete checkpoint under a model's metadir: the run directory (TLC names one per start) holding a
 * non-empty `<Module>-<n>.chkpt`, which TLC writes last (then "Checkpointing completed").
 */
export async function latestCheckpoint(metadir: string): Promise<string | undefined> {
  const runs = (await readdir(metadir).catch(() => [] as string[])).sort().reverse();
  for (const r of runs) {
    const dir = join(metadir, r);
    const files = await readdir(dir).catch(() => [] as string[]);
    for (const f of files.filter((x) => /-\d+\.chkpt$/.test(x))) {
      const info = await stat(join(dir, f)).catch(() => undefined);
      if (info !== undefined && info.size > 0) return dir;
    }
  }
  return undefined;
}

export async function writeResumeRecord(runDir: string, r: ResumeRecord): Promise<void> {
  await writeFileAtomic(join(runDir, RESUME_FILE), `${JSON.stringify(r, null, 2)}\n`);
}

/** A run that ended by itself has nothing to resume: its record goes, as its models' checkpoints went. */
export async function dropResumeRecord(runDir: string): Promise<void> {
  await rm(join(runDir, RESUME_FILE), { force: true });
}

export async function readResumeRecord(runDir: string): Promise<{ ok: true; value: ResumeRecord } | { ok: false; message: string }> {
  const file = join(runDir, RESUME_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, message: `${file}: ${code === 'ENOENT' ? 'no such file: not the directory of a checkpointed check run' : (code ?? String(e))}` };
  }
  try {
    const v = JSON.parse(text) as Partial<ResumeRecord>;
    const okShape =
      typeof v.manifest === 'string' &&
      Array.isArray(v.models) &&
      v.models.every((m) => typeof m === 'string') &&
      Number.isSafeInteger(v.workers) &&
      typeof v.heap === 'string' &&
      Number.isSafeInteger(v.timeoutSeconds) &&
      Number.isSafeInteger(v.checkpointMinutes) &&
      typeof v.coverage === 'boolean';
    if (!okShape) return { ok: false, message: `${file}: not a resume record of iterpin check` };
    return { ok: true, value: v as ResumeRecord };
  } catch (e) {
    return { ok: false, message: `${file}: not valid JSON: ${(e as Error).message}` };
  }
}

/** Removes a finished model's metadir (its checkpoints are of no use any more). */
export async function dropMetadir(metadir: string): Promise<void> {
  await rm(metadir, { recursive: true, force: true }).catch(() => undefined);
}
