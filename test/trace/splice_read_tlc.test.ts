// Real TLC runs of the SpliceRead bug models (pipe-extract-no-ref, pipe-get-pages-no-revert): their
// counterexamples replay as `reproduced` on their own variant of the reference implementation and not on the fix, and equal the checked-in ITF fixtures (which this test rewrites
// from the fresh TLC output when ITERPIN_UPDATE_FIXTURES=1). Needs java and the pinned jar.
import { describe, it, expect, beforeAll } from 'vitest';
import type { TlcRunResult } from '../../src/tlc/run.js';
import { tlaEqual } from '../../src/tla/equal.js';
import { replay } from '../../src/trace/replay.js';
import type { Trace } from '../../src/tla/trace.js';
import { binding } from '../../src/trace/bindings/splice_read.js';
import type { ManifestModel } from '../../src/manifest/manifest.js';
import { manifestModels, pinnedJar, readTraceFixture, runModel, UPDATE_FIXTURES, writeTraceFixture } from '../tlc-harness.js';

const MODELS = [
  'MCSpliceReadPipeExtractNoRef',
  'MCSpliceReadPipeExtractNoRefCorruption',
  'MCSpliceReadPipeGetPagesNoRevert',
  'MCSpliceReadPipeGetPagesNoRevertData',
  'MCSpliceReadGenPipeExtractNoRef',
  'MCSpliceReadGenPipeGetPagesNoRevert',
] as const;

interface Run {
  readonly entry: ManifestModel;
  readonly result: TlcRunResult;
  readonly trace: Trace;
}

const runs = new Map<string, Run>();

beforeAll(async () => {
  const jar = await pinnedJar();
  const models = await manifestModels('SpliceRead');
  for (const name of MODELS) {
    const entry = models.find((m) => m.name === name);
    if (entry === undefined) throw new Error(`${name} is not in spec/manifest.json`);
    const { result, trace } = await runModel(jar, entry, { timeoutMs: 60_000 });
    if (trace.meta['invariants'] === undefined) throw new Error(`cannot read ${entry.cfg}`);
    runs.set(name, { entry, result, trace });
    if (UPDATE_FIXTURES) await writeTraceFixture(name, trace);
  }
}, 400_000);

const run = (name: string): Run => {
  const r = runs.get(name);
  if (r === undefined) throw new Error(`no run of ${name}`);
  return r;
};

describe('SpliceRead bug models in TLC', () => {
  for (const name of MODELS) {
    it(`${name}: TLC finds the manifest's violation with its distinct-state count and trace length`, () => {
      const { entry, result } = run(name);
      expect(entry.expect.result).toBe('safety');
      expect(result.invariant).toBe(entry.expect.result === 'safety' ? entry.expect.invariant : undefined);
      expect(result.stats?.distinct).toBe(entry.distinct);
      expect(result.trace.length).toBe(entry.depth);
    });

    it(`${name}: the counterexample replays as reproduced on its own variant`, () => {
      const report = replay(run(name).trace, binding, { variant: run(name).entry.variant });
      expect(report.verdict, JSON.stringify(report, (_k, v) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 2000)).toBe('reproduced');
      if (report.verdict === 'reproduced') {
        expect(report.invariant).toBe(run(name).entry.expect.result === 'safety' ? (run(name).entry.expect as { invariant: string }).invariant : '');
        expect(report.step).toBe(run(name).trace.states.length - 1);
      }
    });

    it(`${name}: the counterexample does not replay on copy-splice-read: it stops at SpliceStart`, () => {
      const report = replay(run(name).trace, binding, { variant: 'copy-splice-read' });
      expect(['diverged', 'not-enabled']).toContain(report.verdict);
      if (report.verdict === 'diverged' || report.verdict === 'not-enabled') {
        expect(report.action).toMatch(/^SpliceStart\(/);
        // copy_splice_read() allocated its pages up front: the abstraction differs in the page references.
        if (report.verdict === 'diverged') expect(report.differences.map((d) => d.path).join(' ')).toMatch(/refcount|bvec|iter/);
      }
    });

    it(`${name}: the checked-in fixture is this TLC output`, async () => {
      const fixture = { value: await readTraceFixture(name) };
      const fresh = run(name).trace;
      expect(fixture.value.meta.invariant).toBe(fresh.meta.invariant);
      expect(fixture.value.meta.model).toBe(name);
      expect(fixture.value.states).toHaveLength(fresh.states.length);
      fresh.states.forEach((s, i) => {
        for (const [v, value] of s.values) expect(tlaEqual(fixture.value.states[i]!.values.get(v)!, value), `state ${i} ${v}`).toBe(true);
      });
    });
  }
});
