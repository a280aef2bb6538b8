// Builds the review matrix: for each spec, TLC runs every variant of the final-design model with the invariants
// still standing (dropping each one found violated, until the rest hold), and every counterexample is replayed
// on the reference implementation as its own variant and as the final design.

import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest, ManifestModel } from '../manifest/manifest.js';
import type { Binding } from '../trace/binding.js';
import { loadBinding } from '../trace/bindings/index.js';
import { replay } from '../trace/replay.js';
import { replayAgainst } from '../trace/against.js';
import { traceFromRun, type CounterexampleSource } from '../tlc/counterexample.js';
import { parseItfText } from '../tla/itf.js';
import type { Trace } from '../tla/trace.js';
import { readCached, runKey, writeCached, type CachedRun } from './cache.js';
import type { TlcRunner } from '../tlc/run.js';
import { writeItf } from '../tla/itf.js';
import { writeFileAtomic } from '../shared/output.js';
import { pool } from '../shared/pool.js';
import { cfgInvariants, cfgShape, parseCfg, rewriteCfg, type CfgSection } from '../tlc/cfg.js';
import { sampledRecords } from './sampled.js';
import { disagreements, type ReviewCell, type ReviewReport, type ReviewRow, type ReviewSpec } from './matrix.js';

export interface ReviewOptions {
  readonly manifest: Manifest;
  /** The directory holding the specs (the manifest's directory). */
  readonly specDir: string;
  /** Only these specs (default: every spec of the manifest that has a replay binding). */
  readonly specs?: readonly string[];
  /** Only the rows of these variants (default: every variant of each spec's binding). */
  readonly variants?: readonly string[];
  readonly runner: TlcRunner;
  readonly jar: { readonly path: string; readonly sha256: string };
  /** Where TLC logs and counterexamples (ITF) go. */
  readonly runDir: string;
  readonly jobs: number;
  readonly heap: string;
  readonly timeoutMs: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Where TLC results are cached by the content that decides them (cache.ts); none = no cache. */
  readonly cacheDir?: string;
  /** Where earlier check runs are: the sampled models show their newest recorded result from there. */
  readonly outDir?: string;
  /** Called when a TLC run of the review finishes, for progress output. */
  readonly onRun?: (line: string) => void;
}

/** A final-design model the review runs variants on: its manifest entry and its cfg. */
interface Base {
  readonly base: ManifestModel;
  readonly sections: readonly CfgSection[];
  readonly invariants: readonly string[];
  readonly shape: string;
}

interface Plan extends Base {
  readonly spec: string;
  readonly binding: Binding<unknown>;
  /** The model each variant runs on (rowBase); a variant not listed runs on the plan's own base. */
  readonly rows: ReadonlyMap<string, Base>;
}

export type ReviewError = { readonly message: string };

/** Every spec of the manifest that has a binding and a final-design model that succeeds. */
async function plans(o: ReviewOptions): Promise<Plan[] | ReviewError> {
  const specs = o.specs ?? [...new Set(o.manifest.models.map((m) => m.spec))];
  const out: Plan[] = [];
  for (const spec of specs) {
    const binding = await loadBinding(spec);
    if (binding === undefined || (binding.selfTest === true && o.specs === undefined)) {
      if (o.specs !== undefined) return { message: `no replay binding for spec '${spec}'` };
      continue; // the pipeline self-test spec: checked by `iterpin check` and replayed, not reviewed
    }
    // The passing final-design models, the default tier's first (the spec's base is the first of those).
    const passing = o.manifest.models.filter((m) => m.spec === spec && m.variant === binding.finalVariant && m.expect.result === 'success' && m.sample === undefined);
    const finals = [...passing.filter((m) => m.scale !== true), ...passing.filter((m) => m.scale === true)];
    const base = finals.find((m) => m.scale !== true);
    if (base === undefined) return { message: `the manifest has no passing ${binding.finalVariant} model for ${spec}` };
    let text: string;
    try {
      text = await readFile(join(o.specDir, base.cfg), 'utf8');
    } catch (e) {
      return { message: `${join(o.specDir, base.cfg)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
    }
    const sections = parseCfg(text);
    const first: Base = { base, sections, invariants: cfgInvariants(sections), shape: cfgShape(sections) };
    const twins = await twinCandidates(o, first, finals);
    const rows = new Map<string, Base>();
    for (const variant of binding.variants) {
      if (variant === binding.finalVariant) continue;
      const twin = await rowBase(o, first, twins, variant);
      if (twin !== undefined && twin.base !== base) rows.set(variant, twin);
    }
    out.push({ spec, binding, ...first, rows });
  }
  return out;
}

/** A model's cfg read as a review base, or undefined when it cannot be read (`iterpin check` reports that). */
async function readBase(o: ReviewOptions, m: ManifestModel): Promise<Base | undefined> {
  try {
    const sections = parseCfg(await readFile(join(o.specDir, m.cfg), 'utf8'));
    return { base: m, sections, invariants: cfgInvariants(sections), shape: cfgShape(sections) };
  } catch {
    return undefined;
  }
}

/**
 * The final-design model a variant runs on: the final-design model of the same configuration as the variant's
 * own model (same module, same cfg but for the Variant binding and the invariants, the same invariants as the
 * spec's first final-design model; a default-tier one if there is one, else one of the deep tier), for the first
 * of the variant's own default-tier models, in manifest order, that has one. So a bug that lives on a failure path
 * runs on the final design with that failure injectable, even when that model's full check is kept out of the
 * default tier for time, and its counterexample's actions are replayed there. Undefined: the spec's first
 * default-tier final-design model.
 */
async function rowBase(o: ReviewOptions, first: Base, candidates: readonly Base[], variant: string): Promise<Base | undefined> {
  for (const m of o.manifest.models) {
    if (m.spec !== first.base.spec || m.variant !== variant || m.scale === true || m.sample !== undefined) continue;
    const own = await readBase(o, m);
    const twin = own === undefined ? undefined : candidates.find((c) => c.base.module === m.module && c.shape === own.shape);
    if (twin !== undefined) return twin;
  }
  return undefined;
}

/** The final-design models a variant may run on (rowBase): those with the invariants of the spec's first, read once. */
async function twinCandidates(o: ReviewOptions, first: Base, finals: readonly ManifestModel[]): Promise<Base[]> {
  const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));
  const candidates: Base[] = [];
  for (const f of finals) {
    const b = f === first.base ? first : await readBase(o, f);
    if (b !== undefined && same(b.invariants, first.invariants)) candidates.push(b);
  }
  return candidates;
}

/** The model `variant` runs on, with its cfg. */
function baseOf(plan: Plan, variant: string): Base {
  return plan.rows.get(variant) ?? plan;
}

/** The manifest models that run `variant` on the same model shape as the row's base model. */
async function expectationsFor(o: ReviewOptions, plan: Plan, row: Base, variant: string): Promise<ReviewRow['expects']> {
  const out: { model: string; expect: ManifestModel['expect'] }[] = [];
  for (const m of o.manifest.models) {
    if (m.spec !== plan.spec || m.variant !== variant || m.module !== row.base.module || m.scale === true || m.sample !== undefined) continue;
    try {
      const shape = cfgShape(parseCfg(await readFile(join(o.specDir, m.cfg), 'utf8')));
      if (shape === row.shape) out.push({ model: m.name, expect: m.expect });
    } catch {
      // An unreadable cfg has no expectation to compare with; `iterpin check` reports it.
    }
  }
  return out;
}

type Round =
  | { readonly cached: boolean; readonly run: CachedRun; readonly trace?: Trace }
  | { readonly cached: false; readonly error: string };

/** One TLC run of the review, from the cache when the same modules, cfg and jar were checked before. */
async function tlcRound(o: ReviewOptions, work: string, row: Base, name: string, cfgText: string, meta: CounterexampleSource): Promise<Round> {
  const key = o.cacheDir !== undefined ? await runKey(o.specDir, row.base.module, cfgText, o.jar.sha256) : undefined;
  if (key !== undefined && o.cacheDir !== undefined) {
    const hit = await readCached(o.cacheDir, key);
    if (hit !== undefined) {
      if (hit.itf === undefined) return { cached: true, run: hit };
      const parsed = parseItfText(hit.itf);
      if (parsed.ok) return { cached: true, run: hit, trace: parsed.value };
    }
  }
  await writeFile(join(work, `${name}.cfg`), cfgText);
  const result = await o.runner({
    jar: o.jar.path,
    specDir: work,
    module: row.base.module,
    cfg: `${name}.cfg`,
    workers: 1,
    heap: o.heap,
    timeoutMs: o.timeoutMs,
    logFile: join(o.runDir, `${name}.log`),
    ...(o.env !== undefined ? { env: o.env } : {}),
  });
  if (!result.ok) return { cached: false, error: result.error.message };
  const r = result.value;
  const trace = r.outcome === 'safety' && r.trace.length > 0 ? traceFromRun(r, meta) : undefined;
  const run: CachedRun = {
    outcome: r.outcome,
    ...(r.invariant !== undefined ? { invariant: r.invariant } : {}),
    ...(r.stats?.distinct !== undefined ? { distinct: r.stats.distinct } : {}),
    seconds: r.seconds,
    ...(trace !== undefined ? { itf: writeItf(trace) } : {}),
    ...(r.problems[0] !== undefined ? { message: r.problems[0].message } : {}),
  };
  // Only verdicts are kept (a deadlock is one): a time-out or a crash says nothing about the model.
  if (key !== undefined && o.cacheDir !== undefined && r.outcome !== 'timeout' && r.outcome !== 'error') await writeCached(o.cacheDir, key, run);
  return { cached: false, run, ...(trace !== undefined ? { trace } : {}) };
}

async function reviewVariant(o: ReviewOptions, work: string, plan: Plan, variant: string): Promise<ReviewRow> {
  const final = variant === plan.binding.finalVariant;
  const row = baseOf(plan, variant);
  const cells = new Map<string, ReviewCell>();
  let remaining = [...plan.invariants];
  let hits = 0;
  let runs = 0;
  for (let round = 0; remaining.length > 0; round++) {
    const name = `${plan.spec}-${variant.replace(/[^A-Za-z0-9]+/g, '_')}-${round}`;
    const cfgText = rewriteCfg(row.sections, variant, remaining);
    const meta = {
      source: 'iterpin review',
      spec: plan.spec,
      model: `${row.base.name}@${variant}`,
      variant,
      jarSha256: o.jar.sha256,
      invariants: remaining,
    };
    const run = await tlcRound(o, work, row, name, cfgText, meta);
    if (run.cached) hits++;
    else runs++;
    if ('error' in run) {
      for (const inv of remaining) cells.set(inv, { invariant: inv, status: 'error', message: run.error });
      break;
    }
    const r = run.run;
    o.onRun?.(`${plan.spec} ${variant}: ${r.outcome}${r.invariant !== undefined ? ` ${r.invariant}` : ''} (${run.cached ? 'cached' : `${r.seconds.toFixed(1)} s`})`);
    const distinct = r.distinct;
    if (r.outcome === 'success') {
      for (const inv of remaining) cells.set(inv, { invariant: inv, status: 'holds', ...(distinct !== undefined ? { distinct } : {}) });
      break;
    }
    if (r.outcome !== 'safety' || r.invariant === undefined || !remaining.includes(r.invariant) || run.trace === undefined) {
      const status = r.outcome === 'timeout' ? 'timeout' : 'error';
      const message = r.message ?? `TLC reported ${r.outcome}`;
      for (const inv of remaining) cells.set(inv, { invariant: inv, status, message });
      break;
    }
    const inv = r.invariant;
    const trace = run.trace;
    const file = join(o.runDir, `${name}.itf.json`);
    const written = await writeFileAtomic(file, writeItf(trace));
    const own = replay(trace, plan.binding, { variant, quiet: true });
    const onFinal = final ? undefined : replay(trace, plan.binding, { variant: plan.binding.finalVariant, quiet: true });
    const against = final ? undefined : replayAgainst(trace, plan.binding, plan.binding.finalVariant).report;
    cells.set(inv, {
      invariant: inv,
      status: 'violated',
      length: trace.states.length,
      ...(distinct !== undefined ? { distinct } : {}),
      replayOwn: own.verdict,
      ...(onFinal !== undefined ? { replayFinal: onFinal.verdict } : {}),
      ...(onFinal !== undefined && 'step' in onFinal ? { replayFinalStep: onFinal.step } : {}),
      ...(against !== undefined
        ? {
            onFinal: {
              verdict: against.verdict,
              summary: against.verdict === 'bad-trace' ? against.reason : against.summary,
              invariantHolds: against.verdict !== 'bad-trace' && against.end.violatedAt === undefined,
            },
          }
        : {}),
      ...(written.ok ? { trace: file } : {}),
    });
    remaining = remaining.filter((i) => i !== inv);
  }
  const ordered = plan.invariants.map((inv) => cells.get(inv) ?? { invariant: inv, status: 'error' as const, message: 'not checked' });
  const expects = await expectationsFor(o, plan, row, variant);
  const why = disagreements(ordered, final, expects);
  return { variant, final, model: row.base.name, cells: ordered, expects, agrees: why.length === 0, disagreements: why, tlcRuns: runs, cacheHits: hits };
}

/** The `variants` no reviewed spec's binding knows, as an error; undefined when there are none. */
export async function unknownVariants(
  manifest: Manifest,
  specs: readonly string[] | undefined,
  variants: readonly string[] | undefined,
): Promise<ReviewError | undefined> {
  if (variants === undefined) return undefined;
  const known = new Set<string>();
  for (const spec of specs ?? new Set(manifest.models.map((m) => m.spec))) for (const v of (await loadBinding(spec))?.variants ?? []) known.add(v);
  const unknown = variants.filter((v) => !known.has(v));
  return unknown.length > 0 ? { message: `no reviewed spec has variant ${unknown.map((v) => `'${v}'`).join(', ')}` } : undefined;
}

export async function runReview(o: ReviewOptions): Promise<ReviewReport | ReviewError> {
  const started = process.hrtime.bigint();
  const planned = await plans(o);
  if (!Array.isArray(planned)) return planned;
  const unknown = await unknownVariants(o.manifest, o.specs, o.variants);
  if (unknown !== undefined) return unknown;
  await mkdir(o.runDir, { recursive: true });
  // TLC runs on a private copy of the spec directory, so derived cfgs never land in spec/ and the container
  // runner can mount it read-only like the real one.
  const work = await mkdtemp(join(tmpdir(), 'iterpin-review-'));
  try {
    for (const f of await readdir(o.specDir)) if (f.endsWith('.tla')) await copyFile(join(o.specDir, f), join(work, f));
    const jobs = planned.flatMap((plan) =>
      plan.binding.variants.filter((v) => o.variants === undefined || o.variants.includes(v)).map((variant) => ({ plan, variant })),
    );
    const rows = await pool(jobs, o.jobs, ({ plan, variant }) => reviewVariant(o, work, plan, variant));
    const specs: ReviewSpec[] = [];
    for (const plan of planned) {
      const sampled = await sampledRecords(o.manifest.models, plan.spec, o.outDir);
      specs.push({
        spec: plan.spec,
        finalVariant: plan.binding.finalVariant,
        model: plan.base.name,
        invariants: plan.invariants,
        rows: rows.filter((_r, k) => jobs[k]?.plan === plan),
        ...(sampled.length > 0 ? { sampled } : {}),
      });
    }
    return {
      specs,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      ok: rows.every((r) => r.agrees),
      tlcRuns: rows.reduce((n, r) => n + (r.tlcRuns ?? 0), 0),
      cacheHits: rows.reduce((n, r) => n + (r.cacheHits ?? 0), 0),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
