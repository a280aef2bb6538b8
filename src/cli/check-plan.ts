// `iterpin check --plan`: what a run is about to start, without running TLC. Per selected model: its last recorded
// distinct states and depth (the manifest's), and its last recorded wall time (the newest earlier check run under
// the output directory whose report.json has the model), or its sampling budget for a sampled model.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManifestModel } from '../manifest/manifest.js';
import type { SampleBudget } from '../tlc/simulate.js';

export interface PlanRow {
  readonly name: string;
  readonly spec: string;
  readonly variant: string;
  /** The manifest's distinct states and depth (absent for a sampled model). */
  readonly distinct?: number;
  readonly depth?: number;
  /** The wall time of the model in the newest earlier run that has it, and that run's directory. */
  readonly seconds?: number;
  readonly secondsFrom?: string;
  /** A sampled model's budget. */
  readonly sample?: SampleBudget;
}

/** The seconds of each model in the earlier check runs under `outDir`, the newest run first. */
export async function recordedSeconds(outDir: string): Promise<Map<string, { seconds: number; run: string }>> {
  const found = new Map<string, { seconds: number; run: string }>();
  const runs = await readdir(outDir).catch(() => [] as string[]);
  // Run directories are named check-<UTC time>-<pid>: sorting by name sorts by time.
  for (const run of runs.filter((r) => r.startsWith('check-')).sort().reverse()) {
    const text = await readFile(join(outDir, run, 'report.json'), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    try {
      const report = JSON.parse(text) as { models?: { name?: unknown; seconds?: unknown; status?: unknown }[] };
      for (const m of report.models ?? []) {
        // Only a run that reached a verdict says how long the model takes.
        if (typeof m.name !== 'string' || typeof m.seconds !== 'number' || found.has(m.name)) continue;
        if (m.status === 'skipped' || m.status === 'environment' || m.status === 'timeout' || m.status === 'tlc-error') continue;
        found.set(m.name, { seconds: m.seconds, run: join(outDir, run) });
      }
    } catch {
      // A report.json that is not JSON records nothing.
    }
  }
  return found;
}

export async function planRows(models: readonly ManifestModel[], outDir: string, budgetOf: (m: ManifestModel) => SampleBudget | undefined): Promise<PlanRow[]> {
  const seconds = await recordedSeconds(outDir);
  return models.map((m) => {
    const s = seconds.get(m.name);
    const sample = budgetOf(m);
    return {
      name: m.name,
      spec: m.spec,
      variant: m.variant,
      ...(sample === undefined && m.distinct !== undefined ? { distinct: m.distinct } : {}),
      ...(sample === undefined && m.depth !== undefined ? { depth: m.depth } : {}),
      ...(s !== undefined ? { seconds: s.seconds, secondsFrom: s.run } : {}),
      ...(sample !== undefined ? { sample } : {}),
    };
  });
}

const fmt = new Intl.NumberFormat('en-US');

export function renderPlanText(rows: readonly PlanRow[]): string {
  const header = ['model', 'variant', 'distinct', 'depth', 'last seconds'];
  const cells = rows.map((r) => [
    r.name,
    r.variant,
    r.sample !== undefined ? `sampled: ${r.sample.behaviours !== undefined ? `${fmt.format(r.sample.behaviours)} behaviours` : `${r.sample.seconds} s`}` : r.distinct !== undefined ? fmt.format(r.distinct) : '-',
    r.sample !== undefined ? `${r.sample.depth} (per behaviour)` : r.depth !== undefined ? String(r.depth) : '-',
    r.seconds !== undefined ? r.seconds.toFixed(1) : 'not recorded',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string => c.map((x, i) => (i >= 2 ? x.padStart(widths[i] ?? 0) : x.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const known = rows.filter((r) => r.seconds !== undefined);
  const total = known.reduce((a, r) => a + (r.seconds ?? 0), 0);
  const states = rows.reduce((a, r) => a + (r.distinct ?? 0), 0);
  const summary =
    `${rows.length} model${rows.length === 1 ? '' : 's'}: ${fmt.format(states)} distinct states recorded; ` +
    `${total.toFixed(1)} s of model time recorded for ${known.length} of them (one job at a time; --jobs runs them side by side)`;
  return [line(header), ...cells.map(line), '', summary, 'distinct and depth: spec/manifest.json; seconds: the newest earlier check run that has the model', ''].join('\n');
}

export function renderPlanJson(rows: readonly PlanRow[]): string {
  return `${JSON.stringify({ plan: rows }, null, 2)}\n`;
}

/**
 * The order in which a run starts its models: the longest first, so that with several jobs no long model
 * starts last and runs alone (the report keeps the manifest's order). A model's length is its last recorded
 * wall time; one never recorded is guessed from the manifest's distinct states (deep-tier and sampled models
 * count as long). Ties keep the manifest's order.
 */
export function longestFirst(models: readonly ManifestModel[], recorded: ReadonlyMap<string, { seconds: number }>): ManifestModel[] {
  const guess = (m: ManifestModel): number =>
    recorded.get(m.name)?.seconds ?? (m.scale === true || m.sample !== undefined ? 600 : 1 + (m.distinct ?? 0) / 2_000);
  return models
    .map((m, i) => ({ m, i, s: guess(m) }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.m);
}
