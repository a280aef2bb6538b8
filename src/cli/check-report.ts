// The report of `iterpin check` as data, its comparison with the manifest, and its renderings: the text table,
// the JSON document and the exit code are pure functions of the report.

import { isAbsolute, relative } from 'node:path';
import type { Expectation, ManifestModel } from '../manifest/manifest.js';
import type { TlcOutcome, TlcProblem, TlcRunResult } from '../tlc/run.js';
import type { ActionCoverage } from '../tlc/tool-coverage.js';
import { describeSampled, type SampledRun } from '../tlc/simulate.js';
import type { DistributedInfo } from '../tlc/distributed.js';
import { EXIT } from './command.js';

/**
 * match: outcome, invariant and (where compared) counts equal the manifest's. mismatch: TLC reached a verdict
 * that differs. uncovered: everything matched, but the model is expected to succeed and some action of Next never
 * fired without the manifest allowing it (neverFires). tlc-error: TLC stopped without a verdict. timeout: killed
 * at the time limit. environment: the runner could not start TLC. skipped: not run because an environment problem
 * stopped the run.
 */
export type ModelStatus = 'match' | 'mismatch' | 'uncovered' | 'tlc-error' | 'timeout' | 'environment' | 'skipped';

/** How often each action of Next fired in a run with -coverage. */
export interface ModelCoverage {
  /** Each action of Next, in Next's order, with TLC's counts (generated 0 = never fired). */
  readonly actions: readonly ActionCoverage[];
  /** Actions that fired at least once, out of all. */
  readonly fired: number;
  readonly of: number;
  /** Actions that never fired and that the manifest does not allow to (the reason for `uncovered`). */
  readonly unfired: readonly string[];
  /** Actions that never fired as the manifest allows, with its reason. */
  readonly allowed: Readonly<Record<string, string>>;
  /** Set when Next's disjuncts could not be read from the source: the names are TLC's, and this says why. */
  readonly namesFromTlc?: string;
  /**
   * Where the counts come from: `counter` (the action counter, src/tlc/counter.ts: `generated` is the steps TLC
   * generated per action, no `distinct`), `coverage` (TLC's -coverage: `generated` and `distinct` as TLC reports
   * them) or `dump` (TLC's dump of the state graph, for a model whose manifest entry says under `noCoverage` why
   * TLC's coverage set-up is not used: `generated` is the transitions the action took, `distinct` the distinct
   * states they reach).
   */
  readonly source: 'counter' | 'coverage' | 'dump';
}
/**
 * A run's outcome as the report states it: TLC's, except that a sampled run (TLC's simulation mode) that found no
 * violation is `no-violation-sampled`, never `success`: it looked at some behaviours, not at every state.
 */
export type GotOutcome = TlcOutcome | 'no-violation-sampled';

export interface ModelGot {
  readonly outcome: GotOutcome;
  readonly invariant?: string;
  /** The violated temporal property (liveness). */
  readonly property?: string;
  readonly distinct?: number;
  readonly generated?: number;
  /** Graph depth for success, trace length for a counterexample. */
  readonly depth?: number;
  /** A sampled run: how many behaviours of which depth, from which seeds. */
  readonly sampled?: SampledRun;
  /** For a sampled run without a violation: "no violation in N behaviours of depth D". */
  readonly verdict?: string;
}

export interface ModelCheck {
  readonly name: string;
  readonly spec: string;
  readonly variant: string;
  readonly expect: Expectation;
  /** Absent for a sampled model. */
  readonly expectDistinct?: number;
  readonly expectDepth?: number;
  /** The model was checked by sampling (its manifest `sample`, or --simulate). */
  readonly sampledRun?: boolean;
  /** The manifest's `actionsFired` ("k/n"), when it records one. */
  readonly expectActionsFired?: string;
  readonly status: ModelStatus;
  readonly got?: ModelGot;
  /** Each difference from the manifest, e.g. "distinct states: expected 189, got 190". */
  readonly differences: readonly string[];
  /** Why TLC stopped without a verdict (tlc-error), or what kept it from starting (environment). */
  readonly problems: readonly TlcProblem[];
  /** Which counts were compared: both with one worker; only a success's distinct count with more. */
  readonly compared: { readonly distinct: boolean; readonly depth: boolean };
  readonly seconds: number;
  /** With -coverage: how often each action of Next fired (partial for a violation: the search stopped there). */
  readonly coverage?: ModelCoverage;
  /** The counterexample written as ITF, when there is one. */
  readonly itf?: string;
  readonly log?: string;
  /** With the distributed runner: the cluster, and how a violation's invariant and trace were obtained. */
  readonly distributed?: DistributedInfo;
}

export interface CheckReport {
  readonly runner: 'host' | 'container' | 'distributed';
  readonly workers: number;
  readonly jobs: number;
  readonly tlc: { readonly jar: string; readonly sha256: string; readonly pinned: boolean; readonly version?: string };
  /** The run's own output directory (traces, logs, report.json). */
  readonly runDir: string;
  readonly models: readonly ModelCheck[];
  readonly seconds: number;
  /** Results that could not be written (a counterexample, report.json): the run's output is incomplete. */
  readonly writeErrors: readonly string[];
  /** Problems that lose nothing (e.g. `out/latest` could not be updated). */
  readonly warnings: readonly string[];
}

export const describeExpectation = (e: Expectation): string =>
  e.result === 'success' ? 'success' : e.result === 'safety' ? `safety ${e.invariant}` : `liveness ${e.property}`;

/** The expectation as a sampled run can meet it: a success is "no violation" (sampled). */
export const describeSampledExpectation = (e: Expectation): string => (e.result === 'success' ? 'no violation (sampled)' : describeExpectation(e));

export function describeGot(g: ModelGot | undefined, status: ModelStatus): string {
  if (g === undefined) return status === 'skipped' ? 'skipped' : status === 'environment' ? 'not run' : '?';
  if (g.outcome === 'no-violation-sampled') return g.sampled !== undefined ? describeSampled(g.sampled) : 'no violation (sampled)';
  if (g.outcome === 'error') return 'TLC error';
  if (g.outcome === 'liveness' && g.property !== undefined) return `liveness ${g.property}`;
  return g.outcome === 'safety' && g.invariant !== undefined ? `safety ${g.invariant}` : g.outcome;
}

/** The depth to hold against the manifest: the graph depth of a success, the length of a counterexample. */
export function observedDepth(r: TlcRunResult): number | undefined {
  if (r.outcome === 'success') return r.depth;
  return r.trace.length > 0 ? r.trace.length : undefined;
}

/** Judges a run's action counts against the manifest's neverFires. */
export function modelCoverage(m: ManifestModel, actions: readonly ActionCoverage[], namesFromTlc?: string): ModelCoverage {
  const allowed: Record<string, string> = {};
  const unfired: string[] = [];
  for (const a of actions) {
    if (a.generated > 0) continue;
    const reason = m.neverFires?.[a.name];
    if (reason !== undefined) allowed[a.name] = reason;
    else unfired.push(a.name);
  }
  return {
    actions,
    fired: actions.filter((a) => a.generated > 0).length,
    of: actions.length,
    unfired,
    allowed,
    ...(namesFromTlc !== undefined ? { namesFromTlc } : {}),
    source: 'coverage',
  };
}

/** The differences between a complete search's coverage and the manifest: stale neverFires entries, k/n. */
function coverageDifferences(m: ManifestModel, c: ModelCoverage, complete: boolean, compareFired: boolean): string[] {
  const out: string[] = [];
  if (compareFired && m.actionsFired !== undefined && `${c.fired}/${c.of}` !== m.actionsFired) {
    out.push(`actions fired: expected ${m.actionsFired}, got ${c.fired}/${c.of}`);
  }
  if (!complete) return out;
  for (const name of Object.keys(m.neverFires ?? {})) {
    const a = c.actions.find((x) => x.name === name);
    if (a === undefined && c.namesFromTlc === undefined) {
      out.push(`neverFires: ${name} is not an action of Next (${c.actions.map((x) => x.name).join(', ')})`);
    } else if (a !== undefined && a.generated > 0) {
      out.push(`neverFires: ${name} fired (${a.generated} time${a.generated === 1 ? '' : 's'}); remove it from neverFires`);
    }
  }
  return out;
}

/** Compares one finished run with its manifest entry (and, with -coverage, its action counts with neverFires). */
export function compareRun(
  m: ManifestModel,
  r: TlcRunResult,
  workers: number,
  coverage?: ModelCoverage,
  sampled?: SampledRun,
): Pick<ModelCheck, 'status' | 'got' | 'differences' | 'problems' | 'compared' | 'coverage'> {
  const depth = observedDepth(r);
  const cleanSample = sampled !== undefined && r.outcome === 'success';
  const got: ModelGot = {
    outcome: cleanSample ? 'no-violation-sampled' : r.outcome,
    ...(sampled !== undefined ? { sampled } : {}),
    ...(cleanSample ? { verdict: describeSampled(sampled) } : {}),
    ...(r.invariant !== undefined ? { invariant: r.invariant } : {}),
    ...(r.property !== undefined ? { property: r.property } : {}),
    ...(r.stats !== undefined ? { distinct: r.stats.distinct, generated: r.stats.generated } : {}),
    ...(depth !== undefined ? { depth } : {}),
  };
  // With one worker TLC's search is deterministic. With more, only the size of a complete search is. A sampled
  // run has neither a distinct-state count nor a graph depth to compare.
  const compared =
    sampled !== undefined || m.distinct === undefined
      ? { distinct: false, depth: false }
      : { distinct: workers === 1 || m.expect.result === 'success', depth: workers === 1 };
  if (r.outcome === 'timeout') return { status: 'timeout', got, differences: [], problems: [], compared };
  if (r.outcome === 'error') return { status: 'tlc-error', got, differences: [], problems: r.problems, compared };
  const differences: string[] = [];
  if (cleanSample ? m.expect.result !== 'success' : r.outcome !== m.expect.result) {
    const want = sampled !== undefined ? describeSampledExpectation(m.expect) : describeExpectation(m.expect);
    differences.push(`result: expected ${want}, got ${describeGot(got, 'mismatch')}`);
  } else if (m.expect.result === 'safety' && r.invariant !== m.expect.invariant && !(sampled !== undefined && r.invariant !== undefined && m.sample?.alsoFinds?.includes(r.invariant) === true)) {
    differences.push(`invariant: expected ${m.expect.invariant}, got ${r.invariant ?? 'none named'}`);
  } else if (m.expect.result === 'liveness' && r.property !== m.expect.property) {
    differences.push(`property: expected ${m.expect.property}, got ${r.property ?? 'none named'}`);
  }
  if (compared.distinct && got.distinct !== m.distinct) {
    differences.push(`distinct states: expected ${m.distinct}, got ${got.distinct ?? 'none reported'}`);
  }
  if (compared.depth && got.depth !== m.depth) {
    differences.push(`depth: expected ${m.depth}, got ${got.depth ?? 'none reported'}`);
  }
  if (coverage === undefined) return { status: differences.length === 0 ? 'match' : 'mismatch', got, differences, problems: [], compared };
  // A success searched every reachable state: its counts are complete, and so is the judgement of each action.
  const complete = r.outcome === 'success';
  differences.push(...coverageDifferences(m, coverage, complete, complete || workers === 1));
  const status = differences.length > 0 ? 'mismatch' : complete && m.expect.result === 'success' && coverage.unfired.length > 0 ? 'uncovered' : 'match';
  return { status, got, differences, problems: [], compared, coverage };
}

/**
 * The exit code: environment problems first (nothing else is trustworthy then), then results that could not be
 * written, TLC errors, time-outs and finally mismatches; 0 only when every model matched and all was written.
 */
export function checkExitCode(report: CheckReport): number {
  const has = (s: ModelStatus): boolean => report.models.some((m) => m.status === s);
  if (has('environment')) return EXIT.environment;
  if (report.writeErrors.length > 0) return EXIT.cantCreate;
  if (has('tlc-error')) return EXIT.tlcError;
  if (has('timeout')) return EXIT.timeout;
  if (has('mismatch') || has('skipped')) return EXIT.mismatch;
  if (has('uncovered')) return EXIT.uncovered;
  return EXIT.ok;
}

/** `Bad.tla:5:14: …` when TLC named a place, else the message alone. */
export function formatProblem(p: TlcProblem, cwd?: string): string {
  const where = p.file !== undefined ? `${shown(p.file, cwd)}${p.line !== undefined ? `:${p.line}${p.col !== undefined ? `:${p.col}` : ''}` : ''}: ` : '';
  return `${where}${p.message}`;
}

const MARK: Readonly<Record<ModelStatus, string>> = {
  match: '✓',
  mismatch: '✗',
  uncovered: '✗',
  'tlc-error': '✗',
  timeout: '✗',
  environment: '✗',
  skipped: '-',
};

/** `k/n` actions fired; a difference from the manifest's k/n shown like a count's; '-' without coverage. */
function firedCell(m: ModelCheck): string {
  const c = m.coverage;
  if (c === undefined) return '-';
  const got = `${c.fired}/${c.of}`;
  const want = m.expectActionsFired;
  return want !== undefined && want !== got && m.differences.some((d) => d.startsWith('actions fired:')) ? `${got} (≠${want})` : got;
}

function countCell(got: number | undefined, expected: number | undefined, compared: boolean): string {
  if (got === undefined) return '-';
  return compared && got !== expected ? `${got} (≠${expected})` : String(got);
}

/** `path` relative to `cwd` when it lies below it (shorter lines), else unchanged. */
function shown(path: string, cwd: string | undefined): string {
  if (cwd === undefined) return path;
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** The table, then one line per problem, then where the results are; paths relative to `cwd` if given. */
export function renderCheckText(report: CheckReport, opts: { readonly cwd?: string } = {}): string {
  const header = ['model', 'variant', 'expected', 'got', 'distinct', 'depth', 'actions fired', 'seconds', ''];
  const rows = report.models.map((m) => [
    m.name,
    m.variant,
    m.sampledRun === true ? describeSampledExpectation(m.expect) : describeExpectation(m.expect),
    m.status === 'timeout' ? 'timeout' : describeGot(m.got, m.status),
    countCell(m.got?.distinct, m.expectDistinct, m.compared.distinct),
    countCell(m.got?.depth, m.expectDepth, m.compared.depth),
    firedCell(m),
    m.status === 'skipped' ? '-' : m.seconds.toFixed(1),
    MARK[m.status],
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = new Set([4, 5, 6, 7]);
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...rows.map(line)];
  const notes: string[] = [];
  for (const m of report.models) {
    for (const d of m.differences) notes.push(`✗ ${m.name}: ${d}`);
    for (const a of m.coverage?.unfired ?? []) {
      if (m.status === 'uncovered') notes.push(`✗ ${m.name}: action ${a} never fired (fix the model, or list it under neverFires with the reason)`);
    }
    if (m.coverage?.namesFromTlc !== undefined) notes.push(`warning: ${m.name}: actions named as TLC prints them: ${m.coverage.namesFromTlc}`);
    for (const p of m.problems) notes.push(`✗ ${m.name}: ${m.status === 'environment' ? '' : 'TLC error: '}${formatProblem(p, opts.cwd)}`);
    if (m.status === 'timeout') notes.push(`✗ ${m.name}: killed after its time limit (${m.seconds.toFixed(1)} s)`);
    if (m.status === 'skipped') notes.push(`- ${m.name}: not run`);
    if (m.itf !== undefined) notes.push(`  ${m.name}: counterexample ${shown(m.itf, opts.cwd)}`);
  }
  for (const w of report.writeErrors) notes.push(`✗ not written: ${w}`);
  for (const w of report.warnings) notes.push(`warning: ${w}`);
  const matched = report.models.filter((m) => m.status === 'match').length;
  const summary =
    `${report.models.length} model${report.models.length === 1 ? '' : 's'}: ${matched} as expected` +
    (matched < report.models.length ? `, ${report.models.length - matched} not` : '') +
    ` (${report.seconds.toFixed(1)} s, ${report.runner} runner, ${report.workers} worker${report.workers === 1 ? '' : 's'} per model)`;
  const tlc = `TLC: ${report.tlc.version ?? 'version not reported'}; jar ${shown(report.tlc.jar, opts.cwd)} sha256 ${report.tlc.sha256}${report.tlc.pinned ? ' (pinned)' : ' (not the pinned jar)'}`;
  return [...out, '', ...notes, ...(notes.length > 0 ? [''] : []), summary, tlc, `results: ${shown(report.runDir, opts.cwd)}`, ''].join('\n');
}

/** The report as one JSON document, with the exit code it implies. */
export function renderCheckJson(report: CheckReport): string {
  return `${JSON.stringify({ ...report, exitCode: checkExitCode(report) }, null, 2)}\n`;
}
