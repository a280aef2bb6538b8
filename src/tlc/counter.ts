// Action counts without TLC's -coverage. TLC 2.18's coverage instruments every expression (and, on IovIter,
// takes over a second to set itself up): a default check ran about twice as long with it. What `iterpin check`
// needs is only how often each action of Next was taken, so a run is counted instead:
//
//   * a generated module, IterpinCounted, EXTENDS the model's module and tlc-ext/IterpinCounter.tla and defines
//       IterpinStep == IterpinCount(IF action' = action /\ UNCHANGED vars /\ ENABLED Terminating
//                                   THEN "Terminating" ELSE action'.name)
//     (the `IF` only for a Next with a stuttering action, here Terminating; see below);
//   * a copy of the model's cfg adds `ACTION_CONSTRAINT IterpinStep`, which TLC evaluates once for every step it
//     generates (new state or not) and which is always TRUE, so the search, its counts and its verdict are the
//     model's own (TLC still warns that constraints and liveness checking mix badly: this one prunes nothing);
//   * TLC runs with tlc-ext's compiled IterpinCounter class on its classpath (compiled by `iterpin setup`), whose
//     Java IterpinCount replaces the TLA+ one and counts; at exit it prints "@iterpin-action-counts K" and K lines
//     "@iterpin-action-count N NAME".
//
// Every action of these specs records itself in `action` (a record with `name`), except the stuttering one
// (Terminating, Finished: `UNCHANGED vars`), which leaves the variable as it was. A step that changes nothing,
// `action` included, is therefore credited to the stuttering action when that action is enabled in the state it
// leaves, else to the action `action` names (a real action that repeats its own last step and changes nothing,
// as an extraction that makes no progress does). Where both could take the same step, it counts for the
// stuttering action. The counts are steps TLC generated per action; the distinct states each found are not
// known this way (TLC's -coverage gives both).

import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, delimiter, join, resolve } from 'node:path';
import { err, ok, type Result } from '../shared/result.js';
import { jarCacheDir } from './jar.js';
import { findExecutable, runCommand } from './process.js';
import type { TlcRunOptions } from './run.js';
import type { ActionCoverage, NextList } from './tool-coverage.js';

/** The Java class (and TLA+ module) that counts; its source and module live in tlc-ext/ of the project. */
export const COUNTER_CLASS = 'IterpinCounter';
/** The lines IterpinCounter prints at exit: a header with the number of names, then one line per name. */
const COUNTS_HEADER = '@iterpin-action-counts ';
const COUNT_LINE = '@iterpin-action-count ';
const COUNTED_MODULE = 'IterpinCounted';

/** The compiled counter: the class directory for TLC's classpath and the directory holding IterpinCounter.tla. */
export interface CounterExt {
  readonly classDir: string;
  readonly moduleDir: string;
}

/** Where the counter's Java source and TLA+ module are, in the project. */
export function counterSourceDir(root: string): string {
  return join(root, 'tlc-ext');
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * The counter compiled against the jar: `.cache/tlc/counter-<hash>/IterpinCounter.class`, the hash over the Java
 * source and the jar's, so an edit of either compiles again. Compiles with javac when it is not there yet (into
 * a staging directory renamed into place: never a half-written class). An Err says why no counter is available.
 */
export async function ensureCounter(o: {
  readonly root: string;
  readonly jar: { readonly path: string; readonly sha256: string };
  readonly env?: NodeJS.ProcessEnv;
  readonly note?: (line: string) => void;
}): Promise<Result<CounterExt, string>> {
  const env = o.env ?? process.env;
  const moduleDir = counterSourceDir(o.root);
  const source = join(moduleDir, `${COUNTER_CLASS}.java`);
  const text = await readFile(source, 'utf8').catch(() => undefined);
  if (text === undefined || !(await exists(join(moduleDir, `${COUNTER_CLASS}.tla`)))) {
    return err(`${moduleDir}: ${COUNTER_CLASS}.java or ${COUNTER_CLASS}.tla is missing`);
  }
  const hash = createHash('sha256').update(text).update('\0').update(o.jar.sha256).digest('hex').slice(0, 16);
  const cache = jarCacheDir(o.root, env);
  const classDir = join(cache, `counter-${hash}`);
  if (await exists(join(classDir, `${COUNTER_CLASS}.class`))) return ok({ classDir, moduleDir });
  const javac = findExecutable('javac', env);
  if (javac === undefined) return err('javac not found on PATH (a JDK, e.g. apt-get install openjdk-17-jdk-headless, compiles the action counter)');
  o.note?.(`compiling ${COUNTER_CLASS}.java against ${basename(o.jar.path)}`);
  let staging: string;
  try {
    await mkdir(cache, { recursive: true });
    staging = await mkdtemp(join(cache, 'counter-staging-'));
  } catch (e) {
    return err(`${cache}: cannot create a directory (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    const run = await runCommand(javac, ['--release', '11', '-nowarn', '-cp', o.jar.path, '-d', staging, source], { env, timeoutMs: 120_000 });
    if (run.kind !== 'exited' || run.code !== 0) {
      const why = run.kind === 'exited' ? run.stderr.trim().split('\n')[0] ?? `exit ${run.code}` : run.kind === 'timeout' ? 'timed out' : run.message;
      return err(`javac could not compile ${source}: ${why}`);
    }
    await rename(staging, classDir).catch(async (e: NodeJS.ErrnoException) => {
      // Another run compiled the same counter first: theirs is as good.
      if (!(await exists(join(classDir, `${COUNTER_CLASS}.class`)))) throw e;
    });
    return ok({ classDir, moduleDir });
  } catch (e) {
    return err(`${classDir}: cannot put the compiled counter there (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The module that counts the model's steps: EXTENDS it and the counter, defines IterpinStep (see above). */
export function countedModuleText(module: string, cfg: string, stuttering: readonly string[]): string {
  const name = stuttering.reduceRight(
    (otherwise, s) => `IF action' = action /\\ UNCHANGED vars /\\ ENABLED ${s} THEN "${s}" ELSE ${otherwise}`,
    "action'.name",
  );
  return [
    `---- MODULE ${COUNTED_MODULE} ----`,
    `\\* ${cfg} with every step counted per action by \`iterpin check\` (src/tlc/counter.ts); generated, not in spec/.`,
    `EXTENDS ${basename(module, '.tla')}, ${COUNTER_CLASS}`,
    `IterpinStep == IterpinCount(${name})`,
    '====',
    '',
  ].join('\n');
}

/** The model's cfg with the counting constraint added. */
export function countedCfgText(cfgText: string): string {
  return `${cfgText.replace(/\s*$/, '')}\n\n\\* added by iterpin check: counts each step, constrains nothing\nACTION_CONSTRAINT\n    IterpinStep\n`;
}

/** A counted run's options and the scratch directory to remove after it. */
export interface CountedRun {
  readonly options: TlcRunOptions;
  readonly dispose: () => Promise<void>;
}

/**
 * The run options for the counted model: TLC starts on IterpinCounted in a scratch directory, finds the model's
 * modules and IterpinCounter.tla through TLA-Library, and the counter's class through the classpath.
 */
export async function countedRun(run: TlcRunOptions, ext: CounterExt, stuttering: readonly string[]): Promise<Result<CountedRun, string>> {
  const cfgText = await readFile(join(run.specDir, run.cfg), 'utf8').catch(() => undefined);
  if (cfgText === undefined) return err(`${join(run.specDir, run.cfg)}: cannot be read`);
  let dir: string;
  try {
    dir = await mkdtemp(join(tmpdir(), 'iterpin-count-'));
    await writeFile(join(dir, `${COUNTED_MODULE}.tla`), countedModuleText(run.module, run.cfg, stuttering));
    await writeFile(join(dir, `${COUNTED_MODULE}.cfg`), countedCfgText(cfgText));
  } catch (e) {
    return err(`cannot write the counted model in ${tmpdir()} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const library = [resolve(run.specDir), ext.moduleDir].join(delimiter);
  return ok({
    options: {
      ...run,
      specDir: dir,
      module: `${COUNTED_MODULE}.tla`,
      cfg: `${COUNTED_MODULE}.cfg`,
      coverage: false,
      classpath: [...(run.classpath ?? []), ext.classDir],
      jvmProperties: { ...run.jvmProperties, 'TLA-Library': library },
    },
    dispose: () => rm(dir, { recursive: true, force: true }).catch(() => undefined),
  });
}

/** The counter's header line ("@iterpin-action-counts K") or one of its count lines ("@iterpin-action-count N NAME"). */
export function parseCountLine(text: string): { kind: 'start' } | { kind: 'count'; name: string; count: number } | undefined {
  if (text.startsWith(COUNTS_HEADER)) return /^\d+$/.test(text.slice(COUNTS_HEADER.length)) ? { kind: 'start' } : undefined;
  if (!text.startsWith(COUNT_LINE)) return undefined;
  const m = /^(\d+) (.+)$/.exec(text.slice(COUNT_LINE.length));
  return m === null ? undefined : { kind: 'count', name: m[2] as string, count: Number(m[1]) };
}

/** The counts per action of Next, in Next's order (0 for an action never counted); a name that is no action of Next is an Err. */
export function countedCoverage(counts: Readonly<Record<string, number>>, next: NextList): Result<ActionCoverage[], string> {
  const names = [...new Set(next.actions.map((a) => a.name))];
  const stray = Object.keys(counts).find((n) => !names.includes(n));
  if (stray !== undefined) return err(`${counts[stray]} steps were counted for '${stray}', which is no action of ${next.operator} (${names.join(', ')})`);
  return ok(names.map((name) => ({ name, generated: counts[name] ?? 0 })));
}
