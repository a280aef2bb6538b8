// Real TLC runs of spec/IterToSg.tla: every violating model of the manifest, and two test-only models
// (test/fixtures/iter_to_sg/), violate the invariant they are about, and each counterexample replays as
// `reproduced` on its own variant of src/kernel/lib/scatterlist.ts and not on the final design. Behaviours of the
// final design that reach chosen witness states replay state for state with a clean checker. The checked-in ITF fixtures
// of the bug models are compared with what TLC prints today (ITERPIN_UPDATE_FIXTURES=1 rewrites them). Needs TLC.
import { describe, it, expect, beforeAll } from 'vitest';
import { copyFile, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replay } from '../../src/trace/replay.js';
import type { Trace } from '../../src/tla/trace.js';
import { binding } from '../../src/trace/bindings/iter_to_sg.js';
import { runTlcOnHost } from '../../src/tlc/host.js';
import type { ManifestModel } from '../../src/manifest/manifest.js';
import type { TlcRunResult } from '../../src/tlc/run.js';
import { tlaEqual } from '../../src/tla/equal.js';
import { manifestModels, pinnedJar, readTraceFixture, ROOT, runModel, SPEC, UPDATE_FIXTURES, writeTraceFixture, type PinnedJar } from '../tlc-harness.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'iter_to_sg');

interface Run {
  readonly entry: ManifestModel;
  readonly result: TlcRunResult;
  readonly trace: Trace;
}

const runs = new Map<string, Run>();
let violating: ManifestModel[] = [];

/** Test-only models: cfg file, the variant it runs, the one invariant it checks besides TypeOK. */
const FIXTURE_MODELS = [
  { cfg: 'MCIterToSgCapacity.cfg', variant: 'bug-kvec-total-len', invariant: 'SgCapacityInv' },
  { cfg: 'MCIterToSgPinBalance.cfg', variant: 'bug-user-zero-loop', invariant: 'SgPinBalanceInv' },
] as const;

/** Witnesses on the final design: each is violated exactly in the states a behaviour should reach. */
const WITNESS_MODULE = `---- MODULE MCIterToSgWitness ----
EXTENDS MCIterToSg
UnwoundWitness == ~(call.phase = "done" /\\ call.result < 0 /\\ call.rounds >= 2)
RoundsWitness == ~(call.phase = "done" /\\ call.result > 0 /\\ call.rounds >= 2 /\\ tbl.pre = 2)
KvecShortWitness == ~(layout.type = "KVEC" /\\ call.phase = "done" /\\ call.sgMax0 = 1 /\\ call.result > 0
                      /\\ iter.count > 0)
BvecMultiPageWitness == ~(layout.type = "BVEC" /\\ \\E e \\in Added : Entry(mem, e).off + Entry(mem, e).len > PS)
XarrayWitness == ~(layout.type = "XARRAY" /\\ call.phase = "done" /\\ tbl.nents - call.nents0 >= 2)
FullWitness == ~(tbl.nents = Cap /\\ tbl.pre = 2 /\\ layout.type \\in UserTypes)
====
`;
const WITNESSES = ['UnwoundWitness', 'RoundsWitness', 'KvecShortWitness', 'BvecMultiPageWitness', 'XarrayWitness', 'FullWitness'] as const;

const witnessCfg = (witness: string): string =>
  [
    'CONSTANTS',
    '    PS <- MCPageSize',
    '    Layouts <- MCSmallLayouts',
    '    Pages <- MCPages',
    '    PreCounts <- MCPreCounts',
    '    Cap <- MCCap',
    '    SgPtrs <- MCSgPtrs',
    '    Sizes <- MCSizes',
    '    SgMaxes <- MCSgMaxes',
    '    Variant <- VariantFinal',
    'SPECIFICATION Spec',
    'CONSTRAINT XarrayCallsAligned',
    'INVARIANTS',
    '    TypeOK',
    `    ${witness}`,
    'VIEW View',
    '',
  ].join('\n');

const fixtureRuns = new Map<string, { result: TlcRunResult; trace: Trace }>();
const witnessTraces = new Map<string, Trace>();

async function runIn(jar: PinnedJar, dir: string, module: string, cfg: string): Promise<TlcRunResult> {
  const r = await runTlcOnHost({ jar: jar.path, specDir: dir, module, cfg, workers: 1, heap: '512m', timeoutMs: 60_000, logFile: join(dir, `${cfg}.log`) });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const asTrace = (name: string, variant: string, invariants: string[], result: TlcRunResult, invariant?: string): Trace => {
  const first = result.trace[0];
  return {
    meta: { spec: 'IterToSg', model: name, variant, invariants, ...(invariant !== undefined ? { invariant } : {}) },
    vars: first === undefined ? [] : [...first.values.keys()],
    states: result.trace,
  };
};

beforeAll(async () => {
  const jar = await pinnedJar();
  violating = (await manifestModels('IterToSg')).filter((m) => m.expect.result === 'safety');
  for (const entry of violating) {
    const { result, trace } = await runModel(jar, entry, { timeoutMs: 60_000 });
    runs.set(entry.name, { entry, result, trace });
  }
  const dir = await mkdtemp(join(tmpdir(), 'iterpin-iter-to-sg-'));
  for (const f of await readdir(SPEC)) if (f.endsWith('.tla')) await copyFile(join(SPEC, f), join(dir, f));
  for (const f of FIXTURE_MODELS) {
    await copyFile(join(FIXTURES, f.cfg), join(dir, f.cfg));
    const result = await runIn(jar, dir, 'MCIterToSg.tla', f.cfg);
    fixtureRuns.set(f.cfg, { result, trace: asTrace(f.cfg, f.variant, ['TypeOK', f.invariant], result, result.invariant) });
  }
  await writeFile(join(dir, 'MCIterToSgWitness.tla'), WITNESS_MODULE);
  for (const w of WITNESSES) {
    await writeFile(join(dir, `${w}.cfg`), witnessCfg(w));
    const result = await runIn(jar, dir, 'MCIterToSgWitness.tla', `${w}.cfg`);
    if (result.invariant !== w) throw new Error(`${w}: TLC did not reach the witness (${result.outcome})`);
    // The witness is no claim about the system: only TypeOK was checked.
    witnessTraces.set(w, asTrace(w, 'v7.0.7', ['TypeOK'], result));
  }
}, 300_000);

const show = (x: unknown): string => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 1500);

describe('IterToSg bug models in TLC', () => {
  it('the manifest has the four violating models, one per invariant they are about', () => {
    expect(violating.map((m) => [m.name, m.variant, m.expect.result === 'safety' ? m.expect.invariant : '']).sort()).toEqual([
      ['MCIterToSgBugKvecTotalLen', 'bug-kvec-total-len', 'SgSegmentInv'],
      ['MCIterToSgBugTempOverTable', 'bug-user-temp-over-table', 'SgPreservedInv'],
      ['MCIterToSgBugZeroLoop', 'bug-user-zero-loop', 'SgProgressInv'],
      ['MCIterToSgXarrayUnaligned', 'v7.0.7', 'SgTotalInv'],
    ]);
  });

  for (const name of ['MCIterToSgBugZeroLoop', 'MCIterToSgBugKvecTotalLen', 'MCIterToSgBugTempOverTable', 'MCIterToSgXarrayUnaligned']) {
    it(`${name}: TLC finds the manifest's violation with its distinct-state count and trace length`, () => {
      const r = runs.get(name)!;
      expect(r.entry.expect.result).toBe('safety');
      expect(r.result.outcome).toBe('safety');
      expect(r.result.invariant).toBe(r.entry.expect.result === 'safety' ? r.entry.expect.invariant : undefined);
      expect(r.result.stats?.distinct).toBe(r.entry.distinct);
      expect(r.result.trace.length).toBe(r.entry.depth);
    });

    if (name !== 'MCIterToSgXarrayUnaligned') {
      it(`${name}: the checked-in fixture (test/fixtures/traces/, used by the timeline tests) is this counterexample`, async () => {
        const r = runs.get(name)!;
        if (UPDATE_FIXTURES) await writeTraceFixture(name, r.trace);
        const fixture = await readTraceFixture(name);
        expect(fixture.meta.model).toBe(name);
        expect(fixture.meta.invariant).toBe(r.result.invariant);
        expect(fixture.states.length).toBe(r.trace.states.length);
        fixture.states.forEach((s, i) => {
          for (const v of fixture.vars) expect(tlaEqual(s.values.get(v)!, r.trace.states[i]!.values.get(v)!), `state ${i} ${v}`).toBe(true);
        });
      });
    }

    it(`${name}: the counterexample replays as reproduced on its own variant`, () => {
      const r = runs.get(name)!;
      const report = replay(r.trace, binding, { variant: r.entry.variant });
      expect(report.verdict, show(report)).toBe('reproduced');
      if (report.verdict === 'reproduced') {
        expect(report.invariant).toBe(r.result.invariant);
        expect(report.step).toBe(r.trace.states.length - 1);
      }
    });

    if (name !== 'MCIterToSgXarrayUnaligned') {
      it(`${name}: the counterexample is not reproduced on the final design v7.0.7`, () => {
        const report = replay(runs.get(name)!.trace, binding, { variant: 'v7.0.7' });
        expect(['diverged', 'not-enabled']).toContain(report.verdict);
      });
    }
  }

  for (const f of FIXTURE_MODELS) {
    it(`${f.cfg}: TLC reports ${f.invariant} and the trace replays as reproduced on ${f.variant}`, () => {
      const r = fixtureRuns.get(f.cfg)!;
      expect(r.result.outcome).toBe('safety');
      expect(r.result.invariant).toBe(f.invariant);
      const report = replay(r.trace, binding, { variant: f.variant });
      expect(report.verdict, show(report)).toBe('reproduced');
    });
  }
});

describe('final-design behaviours of IterToSg replay on the implementation', () => {
  for (const w of WITNESSES) {
    it(`the shortest behaviour to ${w} conforms, with nothing flagged`, () => {
      const trace = witnessTraces.get(w)!;
      const report = replay(trace, binding, { variant: 'v7.0.7' });
      expect(report.verdict, show(report)).toBe('conforms');
      expect(report.steps.flatMap((s) => s.violated)).toEqual([]);
    });
  }

  it('between them the behaviours take every action of the spec that changes the state', () => {
    const used = new Set<string>();
    for (const t of witnessTraces.values()) {
      for (const s of t.states) {
        const a = s.values.get('action');
        if (a?.kind !== 'record') continue;
        const n = a.fields.find(([k]) => k === 'name')?.[1];
        if (n?.kind === 'str') used.add(n.value);
      }
    }
    // Terminating is UNCHANGED vars: a stuttering step, never a state of a TLC trace (explore covers it).
    expect(binding.explore.stuttering).toBe('Terminating');
    expect([...used].sort()).toEqual(Object.keys(binding.actionArgs).filter((a) => a !== binding.explore.stuttering).sort());
  });
});
