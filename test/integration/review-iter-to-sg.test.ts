// `iterpin review --spec IterToSg` for real: every cell of the matrix is a verdict of TLC (no time-out, no
// deadlock reported as an error), including the zero-return loop's (bug-user-zero-loop) once its violated
// invariants are dropped, and every row is compared with a manifest model of the same shape.
import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli-harness.js';
import type { ReviewReport } from '../../src/review/matrix.js';

describe('iterpin review IterToSg (real TLC)', () => {
  it('every cell is holds or violated, every row agrees with a manifest model of its variant', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'iterpin-review-sg-'));
    const r = await runCli(['review', '--spec', 'IterToSg', '--json', '--no-cache', '--out', outDir, '--jobs', '2']);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as ReviewReport;
    const [spec] = report.specs;
    for (const row of spec!.rows) {
      expect(row.disagreements, row.variant).toEqual([]);
      for (const c of row.cells) expect(['holds', 'violated'], `${row.variant} ${c.invariant}: ${c.message ?? ''}`).toContain(c.status);
      // The manifest's model of the variant runs on the final design's shape, so the row is checked against it.
      expect(row.expects.length, row.variant).toBeGreaterThan(0);
    }
    expect(r.code).toBe(0);
    const row = (v: string) => spec!.rows.find((x) => x.variant === v)!;
    const violated = (v: string) => row(v).cells.filter((c) => c.status === 'violated').map((c) => c.invariant).sort();
    // The loop that does not progress: TLC ends (RoundsBounded, PinsNotUnderflowed) and the rest holds.
    expect(violated('bug-user-zero-loop')).toEqual(['SgPinBalanceInv', 'SgProgressInv', 'SgSegmentInv', 'SgTotalInv']);
    const rest = row('bug-user-zero-loop').cells.filter((c) => c.status === 'holds');
    expect(rest.map((c) => c.invariant)).toEqual(['TypeOK', 'SgPreservedInv', 'SgCapacityInv']);
    for (const c of rest) expect(c.distinct).toBeGreaterThan(row('v7.0.7').cells[0]!.distinct!);
    // The kvec walk that writes past sg_max: its overrun table is full, so the caller stops (no deadlock).
    expect(violated('bug-kvec-total-len')).toEqual(['SgCapacityInv', 'SgSegmentInv', 'SgTotalInv']);
    expect(violated('bug-user-temp-over-table')).toEqual(['SgPreservedInv']);
    for (const c of spec!.rows.flatMap((x) => x.cells).filter((x) => x.status === 'violated')) expect(c.replayOwn).toBe('reproduced');
  }, 600_000);
});
