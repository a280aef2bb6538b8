// `iterpin review` of bugs that live on different configurations, for real: each variant runs on the final-design
// model of the same configuration as the variant's own model. The failed same-page add (KERNEL.md §G.4, fixed by
// 5905afc2c7bb) needs a refused bio_add_hw_page(), which only the failure-injecting final-design model offers
// (MCPageLifetimeFail, in the deep tier of `iterpin check`, of the configuration of
// MCPageLifetimeBugSamePageFailedAdd); on the first final-design model, which injects nothing, it would hold
// everywhere. The rows of G.5 and of bug-dio-reffed (kernel-backed bios among them) stay on MCPageLifetime.
// Sixteen TLC runs of models of at most 16,322 states.
import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli-harness.js';
import type { ReviewReport } from '../../src/review/matrix.js';

describe('iterpin review on failure paths (real TLC)', () => {
  it('the failed same-page add runs on the failure-injecting final design, and what its fix changes is shown', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'iterpin-review-fail-'));
    const variants = ['bug-same-page-failed-add', 'bug-release-unaligned', 'bug-dio-reffed'].flatMap((v) => ['--variant', v]);
    const r = await runCli(['review', '--spec', 'PageLifetime', ...variants, '--json', '--no-cache', '--jobs', '2', '--out', outDir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ReviewReport;
    const [spec] = report.specs;
    expect(spec?.model).toBe('MCPageLifetime');
    expect(spec!.rows.map((x) => x.variant)).toEqual(['bug-dio-reffed', 'bug-same-page-failed-add', 'bug-release-unaligned']);
    const row = (v: string) => spec!.rows.find((x) => x.variant === v)!;
    const cell = (v: string, inv: string) => row(v).cells.find((c) => c.invariant === inv)!;

    const failedAdd = row('bug-same-page-failed-add');
    expect(failedAdd.model).toBe('MCPageLifetimeFail');
    expect(failedAdd.expects.map((e) => e.model)).toContain('MCPageLifetimeBugSamePageFailedAdd');
    const dma = cell('bug-same-page-failed-add', 'DmaPinnedVisibleInv');
    expect(dma.status).toBe('violated');
    expect(dma.replayOwn).toBe('reproduced');
    expect(dma.replayFinal).not.toBe('reproduced');
    // The same actions on v6.5: the refused add releases the page once, and the invariant holds there.
    expect(dma.onFinal?.invariantHolds).toBe(true);
    expect(dma.onFinal?.summary).toMatch(/same_page on a failed add: bio_release_page\(page \d+\) here too \(G\.4\)/);
    expect(dma.onFinal?.summary).toMatch(/GetPages\([^)]*add=[1-9]/);

    expect(row('bug-release-unaligned').model).toBe('MCPageLifetime');
    const leak = cell('bug-release-unaligned', 'NoLeakInv');
    expect([leak.status, leak.replayOwn, leak.onFinal?.invariantHolds]).toEqual(['violated', 'reproduced', true]);
    expect(leak.onFinal?.summary).toMatch(/unpin_user_page/);

    // bug-dio-reffed on a kernel-backed bio: the borrowed page is put, used after free; v6.5 takes nothing there.
    expect(row('bug-dio-reffed').model).toBe('MCPageLifetime');
    const uaf = cell('bug-dio-reffed', 'NoUseAfterFreeInv');
    expect([uaf.status, uaf.replayOwn, uaf.onFinal?.invariantHolds]).toEqual(['violated', 'reproduced', true]);
    expect(uaf.onFinal?.summary).toMatch(/ITER_(KVEC|BVEC|XARRAY)/);
    for (const x of spec!.rows) expect(x.disagreements, x.variant).toEqual([]);
  }, 600_000);
});
