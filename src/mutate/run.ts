// `iterpin mutate`: mutation testing of a spec. Every mutant (generate.ts) that SANY accepts is model-checked on
// the spec's passing models; a mutant is killed when some model's verdict is no longer success (which model,
// which invariant or property), survives when every model still passes, and is timed out when no model killed it
// and some run passed its time limit. Every run happens in a private temporary copy of the spec directory.

import { createHash } from 'node:crypto';
import { appendFile, copyFile, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest, ManifestModel } from '../manifest/manifest.js';
import { parseCfg } from '../tlc/cfg.js';
import { findExecutable } from '../tlc/process.js';
import type { TlcRunner, TlcRunResult } from '../tlc/run.js';
import { pool } from '../shared/pool.js';
import { type EquivalenceList, staleEntries } from './equivalent.js';
import { generateMutants, type Mutant, type MutationOperator } from './generate.js';
import { compareShapes, fairNames, type GraphShape, narrowing, readGraphShape, type ShapeComparison } from './narrowing.js';
import { sanyCheck } from './sany.js';

export interface MutateOptions {
  readonly manifest: Manifest;
  readonly specDir: string;
  readonly specs: readonly string[];
  /** Only these models (each must be a passing model of a selected spec). */
  readonly models?: readonly string[];
  readonly includeScale: boolean;
  readonly runner: TlcRunner;
  readonly jar: { readonly path: string; readonly sha256: string };
  readonly jobs: number;
  readonly heap: string;
  /** Time limit per TLC run; default: ten times the model's own time on the original spec, at least 60 s. */
  readonly timeoutMs?: number;
  readonly limit?: number;
  readonly sample?: { readonly count: number; readonly seed: number };
  /** Only the mutants with these ids. */
  readonly mutantIds?: readonly string[];
  /** Only every `count`-th mutant of the selection, starting with the `index`-th (1-based): one slice of a run. */
  readonly shard?: { readonly index: number; readonly count: number };
  /**
   * A results journal (JSON lines). Each judged mutant is appended as soon as it is judged, so an interrupted run
   * keeps what it did; a mutant already in the file, judged on the same spec files and models, is not run again.
   */
  readonly results?: string;
  /** Report only the verdicts the results journal holds for the selection; run nothing. */
  readonly reportOnly?: boolean;
  readonly equivalents: EquivalenceList;
  /**
   * The strict-subset criterion (narrowing.ts): a mutant that passes every model is compared, by its state graph,
   * with the original, and killed when it only removes behaviours. Needs TLC's -dump (host runner).
   */
  readonly narrowing?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly onProgress?: (line: string) => void;
}

export type MutantStatus = 'killed' | 'survived' | 'equivalent' | 'timeout' | 'invalid';

export interface MutantResult {
  readonly id: string;
  readonly operator: MutationOperator;
  readonly definition: string;
  readonly line: number;
  readonly col: number;
  readonly before: string;
  readonly after: string;
  readonly status: MutantStatus;
  /** killed: the model whose verdict changed, and how. */
  readonly killedBy?: { readonly model: string; readonly outcome: string; readonly invariant?: string; readonly message?: string };
  /** timeout: the models that ran out of time. */
  readonly timedOut?: readonly string[];
  /** invalid: SANY's complaint. */
  readonly invalid?: string;
  /** equivalent: the reason on the list. */
  readonly reason?: string;
  /** survived, equivalent, timeout: the changed lines of the spec, numbered. */
  readonly diff?: readonly string[];
  readonly seconds: number;
  /** Taken from the results journal of an earlier run on the same spec files and models. */
  readonly reused?: true;
  /** survived: its state graphs were compared with the original's and it adds behaviour on some model. */
  readonly graphCompared?: true;
}

export interface SpecSummary {
  readonly generated: number;
  readonly selected: number;
  readonly invalid: number;
  readonly killed: number;
  /** Of the killed, those killed because they only remove behaviours (the strict-subset criterion). */
  readonly narrowed: number;
  readonly survived: number;
  readonly equivalent: number;
  readonly timeout: number;
  /** Of those judged, the ones taken from the results journal. */
  readonly reused: number;
  /** killed / (killed + survived + timeout): equivalent and invalid mutants are left out. Null when nothing ran. */
  readonly score: number | null;
}

export interface SpecMutation {
  readonly spec: string;
  /** In the order of their time on the original spec; `kills`: the mutants each killed in this run. */
  readonly models: readonly { readonly name: string; readonly seconds: number; readonly timeoutSeconds: number; readonly kills: number }[];
  /** The spec files and models the verdicts hold for (the results journal's key). */
  readonly fingerprint: string;
  readonly selection: string;
  readonly summary: SpecSummary;
  readonly mutants: readonly MutantResult[];
  /** Problems that make the run fail: stale or contradicted equivalence entries. */
  readonly problems: readonly string[];
}

export interface MutateReport {
  readonly specs: readonly SpecMutation[];
  readonly seconds: number;
  readonly tlcVersion?: string;
  readonly equivalenceFile: string;
}

export type MutateError = { readonly kind: 'usage' | 'input' | 'output' | 'tlc' | 'environment'; readonly message: string };

/** A small seeded generator (mulberry32): the same seed picks the same sample on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` mutants chosen at random by `seed`, kept in source order. */
export function sampleMutants<T>(all: readonly T[], count: number, seed: number): T[] {
  const rnd = seededRandom(seed);
  const idx = all.map((_, k) => k);
  for (let k = idx.length - 1; k > 0; k--) {
    const j = Math.floor(rnd() * (k + 1));
    [idx[k], idx[j]] = [idx[j] as number, idx[k] as number];
  }
  return idx
    .slice(0, count)
    .sort((a, b) => a - b)
    .map((k) => all[k] as T);
}

/** Slice `index` of `count` (1-based): every `count`-th item, starting with the `index`-th. */
export function shardOf<T>(items: readonly T[], shard: { readonly index: number; readonly count: number }): T[] {
  return items.filter((_, k) => k % shard.count === shard.index - 1);
}

/** The changed lines, numbered: `-  42 | old` and `+  42 | new`. */
export function lineDiff(original: string, mutated: string): string[] {
  const a = original.split('\n');
  const b = mutated.split('\n');
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  const width = String(Math.max(a.length, b.length)).length;
  const num = (k: number): string => String(k + 1).padStart(width);
  return [
    ...a.slice(p, a.length - s).map((l, k) => `-${num(p + k)} | ${l}`),
    ...b.slice(p, b.length - s).map((l, k) => `+${num(p + k)} | ${l}`),
  ];
}

/**
 * The passing (final-design) models of a spec that mutants run on, cheapest first: the default tier's, the deep
 * ones the manifest marks `mutate`, and with includeScale (or when named) every deep one.
 */
export function finalModels(manifest: Manifest, spec: string, includeScale: boolean, only?: readonly string[]): ManifestModel[] {
  return manifest.models
    .filter((m) => m.spec === spec && m.expect.result === 'success' && m.sample === undefined &&
      (includeScale || m.scale !== true || m.mutate !== undefined || only?.includes(m.name) === true))
    .filter((m) => only === undefined || only.length === 0 || only.includes(m.name))
    .sort((a, b) => (a.distinct ?? 0) - (b.distinct ?? 0));
}

/** The definitions a model's behaviour starts from: its SPECIFICATION, or its INIT and NEXT. */
async function modelRoots(specDir: string, models: readonly ManifestModel[]): Promise<{ roots: string[]; init?: string; next?: string }> {
  const roots = new Set<string>();
  let init: string | undefined;
  let next: string | undefined;
  for (const m of models) {
    const sections = parseCfg(await readFile(join(specDir, m.cfg), 'utf8'));
    for (const s of sections) {
      const name = s.body.split(/\s+/)[0];
      if (name === undefined || name === '') continue;
      if (s.keyword === 'SPECIFICATION') roots.add(name);
      if (s.keyword === 'NEXT') {
        roots.add(name);
        next = name;
      }
      if (s.keyword === 'INIT') {
        roots.add(name);
        init = name;
      }
    }
  }
  return { roots: [...roots], ...(init !== undefined ? { init } : {}), ...(next !== undefined ? { next } : {}) };
}

interface Prepared {
  readonly spec: string;
  readonly models: ManifestModel[];
  readonly original: string;
  readonly all: readonly Mutant[];
  readonly chosen: readonly Mutant[];
  readonly selection: string;
  readonly problems: string[];
}

/** The mutants of one spec and the models they run on (the spec's passing models, cheapest first). */
export async function specMutants(
  o: Pick<MutateOptions, 'manifest' | 'specDir' | 'includeScale' | 'models'>,
  spec: string,
): Promise<{ models: ManifestModel[]; original: string; all: readonly Mutant[] } | MutateError> {
  const models = finalModels(o.manifest, spec, o.includeScale, o.models);
  if (models.length === 0) {
    return { kind: 'usage', message: `spec '${spec}' has no passing model to run mutants on${o.models !== undefined && o.models.length > 0 ? ' among --model' : ''}` };
  }
  const specFile = join(o.specDir, `${spec}.tla`);
  let original: string;
  try {
    original = await readFile(specFile, 'utf8');
  } catch (e) {
    return { kind: 'input', message: `${specFile}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  let roots;
  try {
    roots = await modelRoots(o.specDir, models);
  } catch (e) {
    return { kind: 'input', message: `a cfg of ${spec} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  const generated = await generateMutants({
    spec,
    text: original,
    finalVariants: [...new Set(models.map((m) => m.variant))],
    roots: roots.roots,
    ...(roots.init !== undefined ? { init: roots.init } : {}),
    ...(roots.next !== undefined ? { next: roots.next } : {}),
  });
  if (!generated.ok) return { kind: 'input', message: generated.message };
  return { models, original, all: generated.mutants };
}

async function prepare(o: MutateOptions, spec: string): Promise<Prepared | MutateError> {
  const got = await specMutants(o, spec);
  if ('kind' in got) return got;
  const { models, original, all } = got;
  // An entry is stale only when no passing model of the spec, in either tier, gets its mutant: --model or the
  // default tier alone may leave out the branch of another design that the entry judges.
  const every = o.models === undefined && o.includeScale === true ? got : await specMutants({ ...o, models: undefined, includeScale: true }, spec);
  const ids = new Set(('kind' in every ? all : every.all).map((m) => m.id));
  const problems = staleEntries(o.equivalents, spec, ids).map(
    (e) => `${o.equivalents.file}: ${spec} ${e.id} is listed as equivalent but no such mutant is generated any more (stale entry: judge the current code and update the list)`,
  );
  let chosen: readonly Mutant[] = all;
  let selection = `all ${all.length} mutants`;
  const wanted = (o.mutantIds ?? []).filter((id) => id.startsWith(`${spec}/`) || !id.includes('/')).map((id) => id.replace(`${spec}/`, ''));
  if (o.mutantIds !== undefined && o.mutantIds.length > 0) {
    chosen = all.filter((m) => wanted.includes(m.id));
    selection = `${chosen.length} named mutant${chosen.length === 1 ? '' : 's'} of ${all.length}`;
  } else if (o.limit !== undefined) {
    chosen = all.slice(0, o.limit);
    selection = `the first ${chosen.length} of ${all.length} mutants`;
  } else if (o.sample !== undefined) {
    chosen = sampleMutants(all, o.sample.count, o.sample.seed);
    selection = `${chosen.length} of ${all.length} mutants, sampled with seed ${o.sample.seed}`;
  }
  if (o.shard !== undefined) {
    const { index, count } = o.shard;
    chosen = shardOf(chosen, o.shard);
    selection = `${selection}, slice ${index}/${count} (${chosen.length})`;
  }
  return { spec, models, original, all, chosen, selection, problems };
}

const killedOutcome = (r: TlcRunResult): boolean => r.outcome !== 'success' && r.outcome !== 'timeout';

/** The modules of `specDir` the given files load, themselves included (EXTENDS and INSTANCE, followed). */
async function loadedModules(specDir: string, files: readonly string[]): Promise<Map<string, string>> {
  const present = new Set((await readdir(specDir)).filter((x) => x.endsWith('.tla')));
  const texts = new Map<string, string>();
  const todo = [...files];
  for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
    if (texts.has(f) || !present.has(f)) continue;
    const text = await readFile(join(specDir, f), 'utf8');
    texts.set(f, text);
    const names = [...text.matchAll(/\bEXTENDS\s+(\w+(?:\s*,\s*\w+)*)/g)].flatMap((m) => (m[1] ?? '').split(/[\s,]+/));
    for (const m of text.matchAll(/\bINSTANCE\s+(\w+)/g)) names.push(m[1] ?? '');
    for (const n of names) if (n !== '') todo.push(`${n}.tla`);
  }
  return texts;
}

/**
 * The spec files and the models' cfgs a spec's verdicts depend on, hashed: the results journal's key. Only the
 * modules the models load count, so an edit of another spec leaves the journal's verdicts usable.
 */
export async function specFingerprint(specDir: string, spec: string, models: readonly ManifestModel[]): Promise<string> {
  const h = createHash('sha256');
  const modules = await loadedModules(specDir, [`${spec}.tla`, ...models.map((m) => m.module)]);
  for (const f of [...modules.keys()].sort()) h.update(`${f}\u0000${modules.get(f)}\u0000`);
  for (const m of [...models].sort((a, b) => a.name.localeCompare(b.name))) {
    h.update(`${m.name}\u0000${m.module}\u0000${m.cfg}\u0000${await readFile(join(specDir, m.cfg), 'utf8')}\u0000`);
  }
  return h.digest('hex').slice(0, 16);
}

/** One line of the results journal: a mutant's verdict before the equivalence list is applied. */
interface JournalLine {
  readonly spec: string;
  readonly fingerprint: string;
  readonly result: MutantResult;
}

/**
 * The verdicts a results journal holds, by spec, fingerprint and mutant id (the last one of a mutant judged twice);
 * a last line cut short by an interrupted write is skipped. A file with
 * any other line that is not a journal line is not a results journal: a string saying so.
 */
export async function readJournal(file: string): Promise<Map<string, MutantResult> | string> {
  const out = new Map<string, MutantResult>();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw e;
  }
  const lines = text.split('\n');
  for (const [k, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let j: JournalLine | undefined;
    try {
      j = JSON.parse(line) as JournalLine;
    } catch {
      j = undefined;
    }
    const r = j?.result;
    if (j === undefined || typeof j?.spec !== 'string' || typeof j.fingerprint !== 'string' || typeof r?.id !== 'string' || typeof r.status !== 'string') {
      if (k === lines.length - 1) continue;
      return `line ${k + 1} is not a results line (one JSON object per line: spec, fingerprint, result)`;
    }
    if (['killed', 'survived', 'invalid', 'timeout'].includes(r.status)) out.set(`${j.spec}\u0000${j.fingerprint}\u0000${r.id}`, r);
  }
  return out;
}

/**
 * The order the models run in on a mutant: least expected time to a kill first (a model's time on the original
 * spec, divided by the share of the mutants it ran on that it killed, counted so far with one kill in two tries
 * assumed before any). A mutant stops at its first kill, so the cheap models that kill often go first.
 */
export function modelOrder<T extends { readonly name: string; readonly seconds: number }>(models: readonly T[], tries: ReadonlyMap<string, number>, kills: ReadonlyMap<string, number>): T[] {
  const cost = (m: T): number => (m.seconds * ((tries.get(m.name) ?? 0) + 2)) / ((kills.get(m.name) ?? 0) + 1);
  return [...models].sort((a, b) => cost(a) - cost(b) || a.seconds - b.seconds);
}

export async function runMutate(o: MutateOptions): Promise<MutateReport | MutateError> {
  const started = process.hrtime.bigint();
  const say = o.onProgress ?? ((): void => undefined);
  const prepared: Prepared[] = [];
  for (const spec of o.specs) {
    const p = await prepare(o, spec);
    if ('kind' in p) return p;
    prepared.push(p);
  }
  if (o.mutantIds !== undefined && o.mutantIds.length > 0) {
    const known = new Set(prepared.flatMap((p) => p.all.flatMap((m) => [m.id, `${p.spec}/${m.id}`])));
    const unknown = o.mutantIds.filter((id) => !known.has(id));
    if (unknown.length > 0) return { kind: 'usage', message: `no such mutant: ${unknown.join(', ')} (iterpin mutate --list shows them)` };
  }
  let journal: Map<string, MutantResult> | string;
  try {
    journal = o.results === undefined ? new Map() : await readJournal(o.results);
    if (o.results !== undefined && typeof journal !== 'string') {
      // A line an interrupted write cut short goes, so the next verdict starts a line of its own.
      const text = await readFile(o.results).catch(() => Buffer.alloc(0));
      if (text.length > 0 && text[text.length - 1] !== 0x0a) await truncate(o.results, text.lastIndexOf(0x0a) + 1);
      await appendFile(o.results, '');
    }
  } catch (e) {
    return { kind: 'output', message: `${o.results}: cannot read or append to the results journal (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  if (typeof journal === 'string') return { kind: 'input', message: `${o.results}: not a results journal: ${journal}` };
  const java = findExecutable('java', o.env ?? process.env);
  const work = await mkdtemp(join(tmpdir(), 'iterpin-mutate-'));
  let tlcVersion: string | undefined;
  try {
    const specs: SpecMutation[] = [];
    for (const p of prepared) {
      const fingerprint = await specFingerprint(o.specDir, p.spec, p.models);
      const earlier = new Map<string, MutantResult>();
      for (const m of p.chosen) {
        const r = journal.get(`${p.spec}\u0000${fingerprint}\u0000${m.id}`);
        // A timed-out mutant runs again (perhaps with a longer limit), except in a report of the journal alone; so
        // does a survivor judged without the strict-subset criterion when this run applies it.
        const rerun = r?.status === 'timeout' || (r?.status === 'survived' && o.narrowing === true && r.graphCompared !== true);
        if (r !== undefined && (!rerun || o.reportOnly === true)) earlier.set(m.id, r);
      }
      // --report-only: the report of what the journal holds (an interrupted run's figures), running nothing.
      const chosen = o.reportOnly === true ? p.chosen.filter((m) => earlier.has(m.id)) : p.chosen;
      const selection = o.reportOnly === true ? `the ${chosen.length} of ${p.selection} that ${o.results} holds` : p.selection;
      const toRun = chosen.filter((m) => !earlier.has(m.id));
      if (earlier.size > 0) say(`${p.spec}: ${earlier.size} of the ${chosen.length} mutants were judged in ${o.results} on the same spec files; running the other ${toRun.length}`);
      say(`${p.spec}: ${selection}; checking ${toRun.length === chosen.length ? 'them' : `those ${toRun.length}`} with SANY`);
      // SANY rejects the mutants that do not parse or make no sense (e.g. a level error).
      const sany =
        java === undefined || toRun.length === 0
          ? undefined
          : await sanyCheck(
              { java, jar: o.jar.path, specDir: o.specDir, spec: p.spec, timeoutMs: 600_000, ...(o.env !== undefined ? { env: o.env } : {}) },
              toRun.map((m) => ({ key: m.id, text: m.text })),
            );
      if (sany !== undefined && !sany.ok) return { kind: 'environment', message: sany.message };
      const base = join(work, p.spec);
      const copyInto = async (dir: string): Promise<void> => {
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
        for (const f of await readdir(o.specDir)) if (f.endsWith('.tla') || f.endsWith('.cfg')) await copyFile(join(o.specDir, f), join(dir, f));
      };
      /** One TLC run of model `m` on the spec copy in `dir`, with one worker and the run's heap. */
      const runModel = (m: ManifestModel, dir: string, timeoutMs: number, logFile: string, extraArgs?: readonly string[]) =>
        o.runner({
          jar: o.jar.path,
          specDir: dir,
          module: m.module,
          cfg: m.cfg,
          workers: 1,
          heap: o.heap,
          timeoutMs,
          logFile,
          ...(extraArgs !== undefined ? { extraArgs } : {}),
          ...(o.env !== undefined ? { env: o.env } : {}),
        });
      // The original spec first: every model must pass, and its time sets the mutants' time limit.
      await copyInto(base);
      const timed: { name: string; seconds: number; timeoutSeconds: number; model: ManifestModel }[] = [];
      for (const m of toRun.length === 0 ? [] : p.models) {
        const r = await runModel(m, base, o.timeoutMs ?? 1_800_000, join(base, `${m.name}.original.log`));
        if (!r.ok) return { kind: 'environment', message: r.error.message };
        tlcVersion ??= r.value.tlcVersion;
        if (r.value.outcome !== 'success') {
          const why = r.value.invariant ?? r.value.problems[0]?.message ?? r.value.outcome;
          return { kind: 'tlc', message: `${m.name} does not pass on the original ${p.spec} (${r.value.outcome}: ${why}); mutants need a passing model` };
        }
        const timeoutSeconds = o.timeoutMs !== undefined ? o.timeoutMs / 1000 : Math.max(60, Math.ceil(10 * r.value.seconds));
        timed.push({ name: m.name, seconds: r.value.seconds, timeoutSeconds, model: m });
        say(`${p.spec}: ${m.name} passes on the original in ${r.value.seconds.toFixed(1)} s (mutant limit ${timeoutSeconds} s)`);
      }
      // The original's state graph per model, dumped once, when the first survivor needs it.
      const originalShapes = new Map<string, Promise<GraphShape | string>>();
      const fair = fairNames(p.original);
      const dumpShape = async (m: ManifestModel, dir: string, file: string, limit: number): Promise<GraphShape | string> => {
        const r = await runModel(m, dir, limit * 1000, `${file}.log`, ['-fp', '0', '-dump', 'dot,actionlabels', file]);
        if (!r.ok) return r.error.message;
        if (r.value.outcome !== 'success') return `${r.value.outcome} on the dump run`;
        try {
          return await readGraphShape(file, fair);
        } catch (e) {
          return `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
        } finally {
          await rm(file, { force: true });
        }
      };
      const originalShape = (m: ManifestModel, limit: number): Promise<GraphShape | string> => {
        let got = originalShapes.get(m.name);
        if (got === undefined) {
          got = dumpShape(m, base, join(base, `${m.name}.original.dot`), limit);
          originalShapes.set(m.name, got);
        }
        return got;
      };
      const listed = new Map(o.equivalents.entries.filter((e) => e.spec === p.spec).map((e) => [e.id, e]));
      /** A survivor on the equivalence list is reported as equivalent, with the list's reason. */
      const judged = (r: MutantResult): MutantResult => {
        const entry = r.status === 'survived' ? listed.get(r.id) : undefined;
        return entry !== undefined ? { ...r, status: 'equivalent', reason: entry.reason } : r;
      };
      const tries = new Map<string, number>();
      const kills = new Map<string, number>();
      const bump = (m: Map<string, number>, name: string): void => void m.set(name, (m.get(name) ?? 0) + 1);
      let done = earlier.size;
      const fresh = await pool(toRun, o.jobs, async (mutant, k): Promise<MutantResult> => {
        const t0 = process.hrtime.bigint();
        const head = {
          id: mutant.id,
          operator: mutant.operator,
          definition: mutant.definition,
          line: mutant.line,
          col: mutant.col,
          before: mutant.before,
          after: mutant.after,
        };
        const elapsed = (): number => Number(process.hrtime.bigint() - t0) / 1e9;
        const finish = async (raw: MutantResult): Promise<MutantResult> => {
          if (o.results !== undefined) {
            try {
              await appendFile(o.results, `${JSON.stringify({ spec: p.spec, fingerprint, result: raw } satisfies JournalLine)}\n`);
            } catch (e) {
              say(`${o.results}: cannot append ${mutant.id} (${(e as NodeJS.ErrnoException).code ?? String(e)}); the report will still hold it`);
            }
          }
          const r = judged(raw);
          done++;
          const what =
            r.status === 'killed'
              ? `killed by ${r.killedBy?.model} (${r.killedBy?.invariant ?? r.killedBy?.outcome})`
              : r.status === 'invalid'
                ? `invalid (${r.invalid})`
                : r.status === 'timeout'
                  ? `timed out on ${r.timedOut?.join(', ')}`
                  : r.status;
          say(`[${done}/${chosen.length}] ${p.spec} ${mutant.id} line ${mutant.line}: ${what} (${r.seconds.toFixed(1)} s)`);
          return r;
        };
        const rejected = sany?.verdicts.get(mutant.id);
        if (rejected !== undefined) return finish({ ...head, status: 'invalid', invalid: rejected, seconds: 0 });
        const dir = join(work, `${p.spec}-m${k}`);
        await copyInto(dir);
        await writeFile(join(dir, `${p.spec}.tla`), mutant.text);
        const timedOut: string[] = [];
        let graphCompared = false;
        try {
          for (const { model: m, timeoutSeconds: limit } of modelOrder(timed, tries, kills)) {
            const r = await runModel(m, dir, limit * 1000, join(dir, `${m.name}.log`));
            if (!r.ok) return finish({ ...head, status: 'timeout', timedOut: [`${m.name} (${r.error.message})`], seconds: elapsed() });
            const v = r.value;
            if (v.outcome === 'error' && v.problems.some((x) => x.kind === 'parse')) {
              return finish({ ...head, status: 'invalid', invalid: v.problems[0]?.message ?? 'TLC could not parse the mutant', seconds: elapsed() });
            }
            if (v.outcome === 'timeout') timedOut.push(m.name);
            else bump(tries, m.name);
            if (killedOutcome(v)) {
              bump(kills, m.name);
              const message = v.outcome === 'error' || v.outcome === 'assumption' || v.outcome === 'assert' ? v.problems[0]?.message?.split('\n')[0] : undefined;
              return finish({
                ...head,
                status: 'killed',
                killedBy: { model: m.name, outcome: v.outcome, ...(v.invariant !== undefined ? { invariant: v.invariant } : {}), ...(message !== undefined ? { message } : {}) },
                seconds: elapsed(),
              });
            }
          }
          if (timedOut.length === 0 && o.narrowing === true) {
            const per: { model: string; cmp: ShapeComparison }[] = [];
            for (const { model: m, timeoutSeconds: limit } of timed) {
              const orig = await originalShape(m, limit);
              const mine = typeof orig === 'string' ? orig : await dumpShape(m, dir, join(dir, `${m.name}.dot`), limit);
              if (typeof orig === 'string' || typeof mine === 'string') {
                say(`${p.spec} ${mutant.id}: no state-graph comparison on ${m.name} (${typeof orig === 'string' ? orig : mine}); judged by the invariants alone`);
                per.length = 0;
                break;
              }
              const cmp = compareShapes(mine, orig);
              per.push({ model: m.name, cmp });
              if (cmp.kind === 'adds') break;
            }
            const narrowed = per.length === timed.length ? narrowing(per) : undefined;
            if (narrowed !== undefined) {
              return finish({ ...head, status: 'killed', killedBy: { model: narrowed.model, outcome: 'narrowed', message: narrowed.message }, seconds: elapsed() });
            }
            if (per.length > 0) graphCompared = true;
          }
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
        const diff = lineDiff(p.original, mutant.text);
        if (timedOut.length > 0) return finish({ ...head, status: 'timeout', timedOut, diff, seconds: elapsed() });
        return finish({ ...head, status: 'survived', diff, seconds: elapsed(), ...(graphCompared ? { graphCompared: true as const } : {}) });
      });
      const ran = new Map(toRun.map((m, k) => [m.id, fresh[k] as MutantResult]));
      const results = chosen.map((m) => ran.get(m.id) ?? { ...judged(earlier.get(m.id) as MutantResult), reused: true as const });
      const problems = [...p.problems];
      for (const r of results) {
        if (r.status === 'killed' && listed.has(r.id)) {
          problems.push(`${o.equivalents.file}: ${p.spec} ${r.id} is listed as equivalent but ${r.killedBy?.model} kills it (${r.killedBy?.invariant ?? r.killedBy?.outcome}): not equivalent`);
        }
      }
      const count = (s: MutantStatus): number => results.filter((r) => r.status === s).length;
      const killed = count('killed');
      const scored = killed + count('survived') + count('timeout');
      specs.push({
        spec: p.spec,
        models: [...timed].sort((a, b) => a.seconds - b.seconds).map(({ name, seconds, timeoutSeconds }) => ({ name, seconds, timeoutSeconds, kills: kills.get(name) ?? 0 })),
        fingerprint,
        selection,
        summary: {
          generated: p.all.length,
          selected: chosen.length,
          invalid: count('invalid'),
          killed,
          narrowed: results.filter((r) => r.status === 'killed' && r.killedBy?.outcome === 'narrowed').length,
          survived: count('survived'),
          equivalent: count('equivalent'),
          timeout: count('timeout'),
          reused: earlier.size,
          score: scored === 0 ? null : killed / scored,
        },
        mutants: results,
        problems,
      });
    }
    return {
      specs,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      ...(tlcVersion !== undefined ? { tlcVersion } : {}),
      equivalenceFile: o.equivalents.file,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
