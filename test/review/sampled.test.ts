// Sampled models in the review: not run by it, shown with the newest recorded sampled result of a check run
// under the output directory, in the sampled verdict's words (never "holds"), or as not run yet.
import { describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManifestModel } from '../../src/manifest/manifest.js';
import { renderReviewMarkdown, renderReviewText } from '../../src/review/render.js';
import { sampledRecords } from '../../src/review/sampled.js';

const model = (name: string, variant: string, expect: ManifestModel['expect']): ManifestModel =>
  ({ name, spec: 'IterToSg', module: 'MCIterToSgSample.tla', cfg: `${name}.cfg`, variant, expect, purpose: 'test', sample: { depth: 20, behaviours: 10 } }) as ManifestModel;

const models = [
  model('MCIterToSgSample', 'v7.0.7', { result: 'success' }),
  model('MCIterToSgSampleBugZeroLoop', 'bug-user-zero-loop', { result: 'safety', invariant: 'SgProgressInv' }),
  model('MCIterToSgSampleBugKvecTotalLen', 'bug-kvec-total-len', { result: 'safety', invariant: 'SgSegmentInv' }),
  { ...model('MCIterToSg', 'v7.0.7', { result: 'success' }), sample: undefined } as ManifestModel,
];

async function outWith(runs: Record<string, unknown[]>): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'iterpin-review-sampled-'));
  for (const [run, rows] of Object.entries(runs)) {
    await mkdir(join(out, run));
    await writeFile(join(out, run, 'report.json'), JSON.stringify({ models: rows }));
  }
  return out;
}

describe('review: sampled models', () => {
  it('shows the newest recorded sampled verdict, a mismatch as such, and an unrecorded model as not run yet', async () => {
    const out = await outWith({
      'check-20261201T000000Z-1': [
        { name: 'MCIterToSgSample', status: 'match', sampledRun: true, got: { outcome: 'no-violation-sampled', verdict: 'no violation in 5 behaviours of depth 20' } },
      ],
      'check-20261202T000000Z-2': [
        { name: 'MCIterToSgSample', status: 'match', sampledRun: true, got: { outcome: 'no-violation-sampled', verdict: 'no violation in 10 behaviours of depth 20' } },
        { name: 'MCIterToSgSampleBugZeroLoop', status: 'mismatch', sampledRun: true, got: { outcome: 'no-violation-sampled', verdict: 'no violation in 3 behaviours of depth 20' } },
        // an exhaustive run of a model of the same name is not a sampled record
        { name: 'MCIterToSgSampleBugKvecTotalLen', status: 'match', got: { outcome: 'safety', invariant: 'SgSegmentInv' } },
      ],
    });
    const rs = await sampledRecords(models, 'IterToSg', out);
    expect(rs.map((r) => r.model)).toEqual(['MCIterToSgSample', 'MCIterToSgSampleBugZeroLoop', 'MCIterToSgSampleBugKvecTotalLen']);
    expect(rs[0]?.recorded).toEqual({ verdict: 'no violation in 10 behaviours of depth 20', matched: true, run: join(out, 'check-20261202T000000Z-2') });
    expect(rs[1]?.recorded?.matched).toBe(false);
    expect(rs[2]?.recorded).toBeUndefined();

    const report = { specs: [{ spec: 'IterToSg', finalVariant: 'v7.0.7', invariants: [], rows: [], sampled: rs }], seconds: 1, ok: true };
    const text = renderReviewText(report);
    expect(text).toContain('~ MCIterToSgSample (v7.0.7; expected no violation (sampled)): sampled: no violation in 10 behaviours of depth 20 (last recorded:');
    expect(text).toContain('MCIterToSgSampleBugZeroLoop (bug-user-zero-loop; expected safety SgProgressInv): sampled: no violation in 3 behaviours of depth 20 — differs from the manifest');
    expect(text).toContain('MCIterToSgSampleBugKvecTotalLen (bug-kvec-total-len; expected safety SgSegmentInv): sampled: not run yet (npm run sample)');
    const sampledLines = text.split('\n').filter((l) => l.includes('Sample'));
    for (const l of sampledLines) expect(l).not.toMatch(/\bholds\b/);
    expect(renderReviewMarkdown(report)).toContain('Sampled models (not run by the review; their last recorded `npm run sample` result):');
  });

  it('a spec without sampled models has none; no output directory: every sampled model is not run yet', async () => {
    expect(await sampledRecords(models, 'PageLifetime', undefined)).toEqual([]);
    const rs = await sampledRecords(models, 'IterToSg', undefined);
    expect(rs.every((r) => r.recorded === undefined)).toBe(true);
  });
});
