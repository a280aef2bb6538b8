// The sampled models in the review: `iterpin review` does not run them (a sampling budget is minutes per model),
// so each shows as its last recorded sampled result — from the newest `iterpin check --simulate` run (`npm run
// sample`) under the output directory that has it — in the sampled verdict's own words ("no violation in N
// behaviours of depth D", never "holds"), or as not run yet.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Expectation, ManifestModel } from '../manifest/manifest.js';

export interface SampledRecord {
  readonly model: string;
  readonly variant: string;
  readonly expect: Expectation;
  /** The newest recorded sampled run of the model, if any. */
  readonly recorded?: {
    /** The check's verdict text, e.g. "no violation in 10 behaviours of depth 20" or "safety SgProgressInv". */
    readonly verdict: string;
    /** Whether that run matched the manifest's expectation. */
    readonly matched: boolean;
    readonly run: string;
  };
}

interface ReportRow {
  name?: unknown;
  status?: unknown;
  sampledRun?: unknown;
  got?: { verdict?: unknown; outcome?: unknown; invariant?: unknown };
}

/** The newest sampled result of each model in the check runs under `outDir` (run directories sort by time). */
async function recordedSampled(outDir: string): Promise<Map<string, NonNullable<SampledRecord['recorded']>>> {
  const found = new Map<string, NonNullable<SampledRecord['recorded']>>();
  const runs = await readdir(outDir).catch(() => [] as string[]);
  for (const run of runs.filter((r) => r.startsWith('check-')).sort().reverse()) {
    const text = await readFile(join(outDir, run, 'report.json'), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    let rows: ReportRow[];
    try {
      rows = (JSON.parse(text) as { models?: ReportRow[] }).models ?? [];
    } catch {
      continue;
    }
    for (const m of rows) {
      if (typeof m.name !== 'string' || m.sampledRun !== true || found.has(m.name)) continue;
      if (m.status !== 'match' && m.status !== 'mismatch') continue;
      const g = m.got;
      const verdict =
        typeof g?.verdict === 'string' ? g.verdict : `${String(g?.outcome ?? '?')}${typeof g?.invariant === 'string' ? ` ${g.invariant}` : ''}`;
      found.set(m.name, { verdict, matched: m.status === 'match', run: join(outDir, run) });
    }
  }
  return found;
}

/** The sampled models of `spec` in the manifest, each with its newest recorded sampled result under `outDir`. */
export async function sampledRecords(models: readonly ManifestModel[], spec: string, outDir: string | undefined): Promise<SampledRecord[]> {
  const sampled = models.filter((m) => m.spec === spec && m.sample !== undefined);
  if (sampled.length === 0) return [];
  const recorded = outDir !== undefined ? await recordedSampled(outDir) : new Map();
  return sampled.map((m) => {
    const r = recorded.get(m.name);
    return { model: m.name, variant: m.variant, expect: m.expect, ...(r !== undefined ? { recorded: r } : {}) };
  });
}

/** One line per sampled model for the review's text and Markdown. */
export function sampledLine(s: SampledRecord): string {
  const expected = s.expect.result === 'success' ? 'no violation (sampled)' : `${s.expect.result}${'invariant' in s.expect ? ` ${s.expect.invariant}` : ''}`;
  const got =
    s.recorded === undefined
      ? 'sampled: not run yet (npm run sample)'
      : `sampled: ${s.recorded.verdict}${s.recorded.matched ? '' : ' — differs from the manifest'} (last recorded: ${s.recorded.run})`;
  return `${s.model} (${s.variant}; expected ${expected}): ${got}`;
}
