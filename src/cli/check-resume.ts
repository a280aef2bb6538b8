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

/**
 * TLC's own system property for the checkpoint interval in milliseconds (`tlc2.TLCGlobals.chkpt`, read when TLC
 * starts; `-checkpoint MIN` on the command line overrides it). TLC looks whether a checkpoint is due 3 s into the
 * search and then at each progress report, once a minute: an interval below a minute gives a checkpoint at the
 * start of the search and one a minute after that.
 */
export const CHECKPOINT_PROPERTY = 'tlc2.TLCGlobals.chkpt';

export const RESUME_FILE = 'resume.json';

/** What a resumed run needs to run the same thing again. */
export interface ResumeRecord {
  /** The runner of the interrupted run (a resumed run uses the same one); absent in older records: host. */
  readonly runner?: 'host' | 'container';
  readonly manifest: string;
  readonly models: readonly string[];
  readonly workers: number;
  readonly heap: string;
  readonly timeoutSeconds: number;
  readonly checkpointMinutes: number;
  /** The interval in seconds when it is not whole minutes (`--checkpoint 5s`). */
  readonly checkpointSeconds?: number;
  readonly coverage: boolean;
}

export const modelMetadir = (runDir: string, model: string): string => join(runDir, `${model}.states`);

/** `--checkpoint`: MIN (whole minutes, TLC's -checkpoint) or Ns (seconds, TLC's chkpt property); a message if neither. */
export function parseCheckpointInterval(text: string | undefined): number | string {
  if (text === undefined) return DEFAULT_CHECKPOINT_MINUTES * 60;
  const m = /^([1-9][0-9]{0,6})(s?)$/.exec(text);
  const seconds = m === null ? NaN : Number(m[1]) * (m[2] === 's' ? 1 : 60);
  if (!(seconds <= 7 * 24 * 3600)) return `--checkpoint must be whole minutes (e.g. 30) or seconds (e.g. 10s) up to a week, got '${text}'`;
  return seconds;
}

export const formatCheckpointInterval = (seconds: number): string => (seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`);

/**
 * Where a run recovers from, and the fingerprint polynomial and seed of the run that wrote the checkpoint: TLC
 * 2.18 picks both at random when not given, and a recovery under another polynomial fingerprints the states it
 * reaches afresh, so some already seen count again (a larger distinct-state count than an uninterrupted run).
 */
export interface Recovery {
  readonly dir: string;
  readonly fp: number;
  readonly seed: string;
}

/** TLC's options and JVM properties for checkpoints every `seconds`, recovering from `recover` if given. */
export function checkpointArgs(seconds: number, recover?: Recovery): { extraArgs: string[]; jvmProperties: Record<string, string> } {
  const interval = seconds % 60 === 0 ? ['-checkpoint', String(seconds / 60)] : [];
  const jvmProperties: Record<string, string> = seconds % 60 === 0 ? {} : { [CHECKPOINT_PROPERTY]: String(seconds * 1000) };
  const from = recover !== undefined ? ['-recover', recover.dir, '-fp', String(recover.fp), '-seed', recover.seed] : [];
  return { extraArgs: [...interval, ...from], jvmProperties };
}

/** The fingerprint polynomial and seed a TLC run names in its start line ("… with fp 31 and seed -284… with 1 worker"). */
export function runIdentity(log: string): { fp: number; seed: string } | undefined {
  const m = /with fp (\d+) and seed (-?\d+)/.exec(log);
  return m === null ? undefined : { fp: Number(m[1]), seed: m[2] as string };
}

/** The recovery of a model of an interrupted run: its newest checkpoint and the identity of the run that wrote it. */
export async function recoveryOf(runDir: string, model: string): Promise<Recovery | undefined> {
  const dir = await latestCheckpoint(modelMetadir(runDir, model));
  if (dir === undefined) return undefined;
  const id = runIdentity(await readFile(join(runDir, `${model}.log`), 'utf8').catch(() => ''));
  return id === undefined ? undefined : { dir, ...id };
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
      (v.checkpointSeconds === undefined || Number.isSafeInteger(v.checkpointSeconds)) &&
      typeof v.coverage === 'boolean' &&
      (v.runner === undefined || v.runner === 'host' || v.runner === 'container');
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
