// IovIter counterexamples from real TLC runs, replayed on the reference implementation: each reproduces on its
// own variant, fails to on v6.6 at a named step, and a hand-edited copy diverges where it was edited. The
// checked-in ITF fixtures are compared with what TLC prints today (ITERPIN_UPDATE_FIXTURES=1 rewrites them).

import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseItfText } from '../../src/tla/itf.js';
import { tlaEqual } from '../../src/tla/equal.js';
import { tlaInt, type TlaValue } from '../../src/tla/value.js';
import type { Trace, TraceState } from '../../src/tla/trace.js';
import { replay } from '../../src/trace/replay.js';
import { binding } from '../../src/trace/bindings/iov_iter.js';
import type { ManifestModel } from '../../src/manifest/manifest.js';
import {
  manifestModels,
  pinnedJar,
  readTraceFixture,
  runModel,
  traceFixturePath,
  UPDATE_FIXTURES,
  writeTraceFixture,
  type PinnedJar,
} from '../tlc-harness.js';

let jar: PinnedJar;
let models: ManifestModel[];

beforeAll(async () => {
  jar = await pinnedJar();
  models = await manifestModels('IovIter');
});

/** Runs a model with TLC (one worker), checks it against the manifest, and returns its counterexample. */
async function counterexample(model: ManifestModel): Promise<Trace> {
  const { result: run, trace } = await runModel(jar, model, { timeoutMs: 60_000 });
  expect(run.outcome).toBe('safety');
  expect(run.invariant).toBe(model.expect.result === 'safety' ? model.expect.invariant : undefined);
  expect(run.stats?.distinct).toBe(model.distinct);
  expect(run.trace.length).toBe(model.depth);
  if (trace.states.length === 0) throw new Error('TLC printed no trace');
  return trace;
}

/** The same trace with one value of one state replaced. */
function edited(trace: Trace, index: number, variable: string, f: (v: TlaValue) => TlaValue): Trace {
  const states: TraceState[] = trace.states.map((s) => {
    if (s.index !== index) return s;
    const values = new Map(s.values);
    const v = values.get(variable);
    if (v === undefined) throw new Error(`state ${index} has no ${variable}`);
    values.set(variable, f(v));
    return { ...s, values };
  });
  return { ...trace, states };
}

/** A record with one integer field changed by delta. */
const bump = (field: string, delta: number) => (v: TlaValue): TlaValue => {
  if (v.kind !== 'record') throw new Error('not a record');
  return {
    kind: 'record',
    fields: v.fields.map(([k, x]) => (k === field && x.kind === 'int' ? [k, tlaInt(x.value + BigInt(delta))] as const : [k, x] as const)),
  };
};

const BUG_MODELS = [
  'MCIovIterBugClobberMaxsize',
  'MCIovIterBugNoSkipEmpty',
  'MCIovIterBugKvecOffset',
  'MCIovIterBugBvecSizePlusSkip',
  'MCIovIterBugBvecAllocUnchecked',
  'MCIovIterXarrayHole',
  'MCIovIterV612LeadingEmpties',
  // the same bugs over iterators generated from bounds (MCIovIterGen.tla): TLC finds the input itself
  'MCIovIterGenBugClobberMaxsize',
  'MCIovIterGenBugNoSkipEmpty',
  'MCIovIterGenBugKvecOffset',
  'MCIovIterGenBugBvecSizePlusSkip',
  'MCIovIterGenBugBvecAllocUnchecked',
];

describe.each(BUG_MODELS)('%s: the TLC counterexample on the implementation', (name) => {
  let trace: Trace;
  let model: ManifestModel;

  beforeAll(async () => {
    const found = models.find((m) => m.name === name);
    if (found === undefined) throw new Error(`${name} is not in spec/manifest.json`);
    model = found;
    trace = await counterexample(model);
  });

  it('replays as reproduced on its own variant, the same invariant flagged at the last step', () => {
    const report = replay(trace, binding, { variant: model.variant });
    expect(report.verdict).toBe('reproduced');
    if (report.verdict !== 'reproduced') return;
    expect(report.invariant).toBe(trace.meta.invariant);
    expect(report.step).toBe(trace.states.length - 1);
    expect(report.steps.at(-1)?.narration.join('\n')).toMatch(/iov_iter_extract_pages\(i, maxsize \d+, maxpages \d+\) = /);
  });

  it('does not reproduce on the final design: diverged or not enabled at a named step', () => {
    const other = model.variant === 'v6.6' ? 'v6.12' : 'v6.6';
    const report = replay(trace, binding, { variant: other });
    if (name === 'MCIovIterXarrayHole') {
      // No design of the extractors changes the xarray path: the hole misbehaves on every variant.
      expect(report.verdict).toBe('reproduced');
      return;
    }
    expect(['diverged', 'not-enabled']).toContain(report.verdict);
    if (report.verdict !== 'diverged' && report.verdict !== 'not-enabled') return;
    expect(report.step).toBe(trace.states.length - 1);
    expect(report.action).toMatch(/^Extract\(/);
    if (report.verdict === 'diverged') {
      expect(report.differences.length).toBeGreaterThan(0);
      for (const d of report.differences) expect(d.path).toMatch(/^(iter|xtr|fwd|hist)\./);
    }
  });

  it('a copy with iter.count changed by hand in its last state diverges there, naming iter.count', () => {
    const last = trace.states.length - 1;
    const report = replay(edited(trace, last, 'iter', bump('count', 1)), binding, { variant: model.variant });
    expect(report.verdict).toBe('diverged');
    if (report.verdict !== 'diverged') return;
    expect(report.step).toBe(last);
    expect(report.differences.map((d) => d.path)).toEqual(['iter.count']);
  });

  it('a copy with the first extraction result changed by hand diverges at that step, naming xtr.ret', () => {
    const at = trace.states.findIndex((s) => {
      const a = s.values.get('action');
      return a?.kind === 'record' && a.fields.some(([k, v]) => k === 'name' && v.kind === 'str' && v.value === 'Extract');
    });
    expect(at).toBeGreaterThan(0);
    const report = replay(edited(trace, at, 'xtr', bump('ret', 1)), binding, { variant: model.variant });
    expect(report.verdict).toBe('diverged');
    if (report.verdict !== 'diverged') return;
    expect(report.step).toBe(at);
    expect(report.differences.some((d) => d.path === 'xtr.ret')).toBe(true);
  });

  it(`matches the checked-in fixture test/fixtures/traces/${name}.itf.json`, async () => {
    if (UPDATE_FIXTURES) await writeTraceFixture(name, trace);
    const fixture = { value: await readTraceFixture(name) };
    expect(fixture.value.meta).toMatchObject({ spec: 'IovIter', model: name, variant: model.variant, invariant: trace.meta.invariant });
    expect(fixture.value.vars).toEqual(trace.vars);
    expect(fixture.value.states.length).toBe(trace.states.length);
    for (const [k, s] of fixture.value.states.entries()) {
      for (const v of trace.vars) expect(tlaEqual(s.values.get(v)!, trace.states[k]!.values.get(v)!)).toBe(true);
    }
    expect(replay(fixture.value, binding).verdict).toBe('reproduced');
  });
});

describe('IovIter replay: traces that are not IovIter counterexamples', () => {
  it('a first state with a malformed layout is a bad trace', async () => {
    const text = await readFile(traceFixturePath('MCIovIterBugClobberMaxsize'), 'utf8');
    const json = JSON.parse(text) as { states: Record<string, unknown>[] };
    const s0 = json.states[0]!;
    s0['layout'] = { ...(s0['layout'] as object), type: 'PIPE' };
    const parsed = parseItfText(JSON.stringify(json));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const report = replay(parsed.value, binding);
    expect(report.verdict).toBe('bad-trace');
    if (report.verdict === 'bad-trace') expect(report.reason).toMatch(/layout\.type "PIPE"/);
  });

  it('a revert of more than was consumed is refused (not enabled)', async () => {
    const t = edited(await readTraceFixture('MCIovIterBugBvecSizePlusSkip'), 1, 'action', () => ({ kind: 'record', fields: [['name', { kind: 'str', value: 'Revert' }], ['n', tlaInt(3)]] }));
    const report = replay(t, binding);
    expect(report.verdict).toBe('not-enabled');
    if (report.verdict === 'not-enabled') expect(report.reason).toMatch(/iov_iter_revert\(i, 3\)/);
  });
});
