// Keeps src/ one-way: every import goes to the importer's own room or a lower floor, and no files import one
// another in a circle. The checker itself is shown to catch both faults on small made-up graphs.

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { floorViolations, importCircles, importGraph, roomOf } from './layers.js';

const root = join(import.meta.dirname, '..', '..');

describe('src/ layering', () => {
  const edges = importGraph(root);

  it('reads a real import graph', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges).toContainEqual({ from: 'src/cli/check.ts', to: 'src/tlc/run.ts' });
  });

  it('has no import from a room on the same floor or above', () => {
    expect(floorViolations(edges)).toEqual([]);
  });

  it('has no import circle', () => {
    expect(importCircles(edges)).toEqual([]);
  });

  it('has no file outside a room', () => {
    const loose = [...new Set(edges.flatMap((e) => [e.from, e.to]))].filter((f) => roomOf(f) === '(top)');
    expect(loose).toEqual([]);
  });
});

describe('the layering checker', () => {
  it('reports an upward import and an import across one floor', () => {
    const v = floorViolations([
      { from: 'src/trace/load.ts', to: 'src/tlc/toolstream.ts' },
      { from: 'src/tla/itf.ts', to: 'src/trace/trace.ts' },
      { from: 'src/cli/check.ts', to: 'src/tlc/run.ts' },
    ]);
    expect(v).toEqual([
      "src/trace/load.ts imports src/tlc/toolstream.ts: 'tlc' is on the same floor as 'trace'",
      "src/tla/itf.ts imports src/trace/trace.ts: 'trace' is above 'tla'",
    ]);
  });

  it('reports a circle of two files and leaves a chain alone', () => {
    const circles = importCircles([
      { from: 'src/kernel/lib/iov_iter.ts', to: 'src/kernel/lib/iov_iter_extract.ts' },
      { from: 'src/kernel/lib/iov_iter_extract.ts', to: 'src/kernel/lib/iov_iter.ts' },
      { from: 'src/kernel/block/bio.ts', to: 'src/kernel/lib/iov_iter.ts' },
    ]);
    expect(circles).toEqual([['src/kernel/lib/iov_iter.ts', 'src/kernel/lib/iov_iter_extract.ts']]);
  });
});
