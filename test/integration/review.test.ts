// `iterpin review` for real: TLC runs every SpliceRead variant of the final-design model, each counterexample
// is replayed, and every row must agree with the manifest.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli-harness.js';
import type { ReviewReport } from '../../src/review/matrix.js';

describe('iterpin review (real TLC)', () => {
  it('SpliceRead: the fix and the pre-series code hold everything; the linux-next code breaks both safety invariants, the pre-2019 code the ring and data invariants', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'iterpin-review-test-'));
    const r = await runCli(['review', '--spec', 'SpliceRead', '--json', '--out', outDir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ReviewReport;
    expect(report.ok).toBe(true);
    const [spec] = report.specs;
    expect(spec?.spec).toBe('SpliceRead');
    const row = (v: string) => spec!.rows.find((x) => x.variant === v)!;
    expect(row('copy-splice-read').final).toBe(true);
    for (const v of ['copy-splice-read', 'pipe-get-pages']) expect(row(v).cells.every((c) => c.status === 'holds')).toBe(true);
    const bad = row('pipe-extract-no-ref').cells.filter((c) => c.status === 'violated');
    expect(bad.map((c) => c.invariant).sort()).toEqual(['NoCorruptionInv', 'NoUseAfterFreeInv']);
    const noRevert = row('pipe-get-pages-no-revert').cells.filter((c) => c.status === 'violated');
    expect(noRevert.map((c) => c.invariant).sort()).toEqual(['PipeFileDataInv', 'PipeRingInv']);
    for (const c of [...bad, ...noRevert]) {
      expect(c.replayOwn).toBe('reproduced');
      expect(c.replayFinal).not.toBe('reproduced');
      expect(c.trace).toBeDefined();
    }
    // The run directory keeps a log per TLC run and an ITF file per counterexample.
    const [runDir] = readdirSync(outDir).filter((d) => d.startsWith('review-'));
    const files = readdirSync(join(outDir, runDir!));
    expect(files.filter((f) => f.endsWith('.itf.json'))).toHaveLength(4);
    expect(files).toContain('review.json');
  });
});
