// `iterpin mutate` for real: SANY and TLC run every mutant of the Pipeline self-test spec, and two mutants of
// PageLifetime: a swapped release flag that its invariants must kill, and a survivor on the equivalence list.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli-harness.js';
import type { MutateReport } from '../../src/mutate/run.js';
import { readFileSync } from 'node:fs';
import { sanyCheck } from '../../src/mutate/sany.js';
import { findExecutable } from '../../src/tlc/process.js';
import { cachedJarPath, projectRoot } from '../../src/tlc/jar.js';

const out = mkdtempSync(join(tmpdir(), 'iterpin-mutate-test-'));
const journal = join(out, 'pipeline.jsonl');

/** Runs one mutant of `spec` on one model (`--mutant ID --model M --json`); the run must exit 0. Its verdict. */
async function oneMutant(spec: string, model: string, id: string): Promise<MutateReport['specs'][number]['mutants'][number] | undefined> {
  const r = await runCli(['mutate', '--spec', spec, '--model', model, '--mutant', id, '--json', '--quiet', '--out', out]);
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as MutateReport).specs[0]?.mutants[0];
}

describe('iterpin mutate (real TLC)', () => {
  it('Pipeline: every mutant is killed for its own reason except the two listed as equivalent', async () => {
    const r = await runCli(['mutate', '--spec', 'Pipeline', '--json', '--jobs', '2', '--out', out, '--results', journal]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as MutateReport;
    const [s] = report.specs;
    expect(s?.summary).toMatchObject({ generated: 16, selected: 16, invalid: 0, killed: 14, survived: 0, equivalent: 2, timeout: 0, score: 1 });
    const by = (change: string) => s!.mutants.find((m) => `${m.before} → ${m.after}` === change)!;
    // The off-by-one room check is the broken-on-purpose variant's bug: the bound invariant catches it.
    expect(by('Len(queue) < Capacity → Len(queue) <= Capacity').killedBy).toMatchObject({ model: 'MCPipeline', outcome: 'safety', invariant: 'QueueBoundInv' });
    expect(by("produced' = Append(produced, i) → produced' = produced").killedBy?.invariant).toBe('FifoInv');
    expect(by('i \\in pending → i \\notin pending').killedBy?.outcome).toBe('deadlock');
    const eq = s!.mutants.filter((m) => m.status === 'equivalent');
    expect(eq.map((m) => m.definition)).toEqual(['Terminating', 'Terminating']);
    expect(eq[0]?.diff?.map((l) => l.replace(/^([-+]) */, '$1'))).toEqual([`-${eq[0]!.line} |     /\\ pending = {}`, `+${eq[0]!.line} |     /\\ TRUE`]);
    // progress went to stderr
    expect(r.stderr).toContain('[16/16]');
  });

  it('a run given the results journal of a finished run on the same spec files takes every verdict from it, running no TLC', async () => {
    const first = readFileSync(journal, 'utf8').trim().split('\n');
    expect(first).toHaveLength(16);
    const r = await runCli(['mutate', '--spec', 'Pipeline', '--json', '--out', out, '--results', journal]);
    expect(r.code).toBe(0);
    const [s] = (JSON.parse(r.stdout) as MutateReport).specs;
    expect(s?.summary).toMatchObject({ selected: 16, killed: 14, equivalent: 2, survived: 0, reused: 16 });
    expect(s?.mutants.every((m) => m.reused === true)).toBe(true);
    expect(r.stderr).toContain('16 of the 16 mutants were judged in');
    expect(r.stderr).not.toContain('passes on the original');
    // An interrupted run: the journal lost its last verdicts and the last line was cut short. A slice of the
    // selection (--shard) runs only its own mutants that the journal does not hold, and appends their verdicts.
    const cut = join(out, 'cut.jsonl');
    writeFileSync(cut, `${first.slice(0, 12).join('\n')}\n${first[12]!.slice(0, 40)}`);
    const slice = await runCli(['mutate', '--spec', 'Pipeline', '--shard', '4/4', '--json', '--out', out, '--results', cut]);
    expect(slice.code).toBe(0);
    const [t] = (JSON.parse(slice.stdout) as MutateReport).specs;
    const ids = s!.mutants.map((m) => m.id);
    expect(t?.mutants.map((m) => m.id)).toEqual([ids[3], ids[7], ids[11], ids[15]]);
    const kept = new Set(first.slice(0, 12).map((l) => (JSON.parse(l) as { result: { id: string } }).result.id));
    // The line cut short went before the first new verdict was appended: every line is whole.
    for (const l of readFileSync(cut, 'utf8').trim().split('\n')) expect(() => JSON.parse(l) as unknown).not.toThrow();
    expect(t?.summary.reused).toBe([3, 7, 11, 15].filter((k) => kept.has(ids[k]!)).length);
    for (const m of t!.mutants) {
      expect(m.reused === true).toBe(kept.has(m.id));
      expect(m.status).toBe(s!.mutants.find((x) => x.id === m.id)?.status);
      if (!kept.has(m.id)) expect(readFileSync(cut, 'utf8')).toContain(`"id":"${m.id}"`);
    }
    // --report-only: the figures of what the journal now holds, running nothing.
    const held = new Set([...kept, ...t!.mutants.map((m) => m.id)]);
    const rep = await runCli(['mutate', '--spec', 'Pipeline', '--report-only', '--json', '--out', out, '--results', cut]);
    expect(rep.code).toBe(0);
    const [u] = (JSON.parse(rep.stdout) as MutateReport).specs;
    expect(u?.summary).toMatchObject({ generated: 16, selected: held.size, reused: held.size });
    expect(u!.summary.killed + u!.summary.equivalent).toBe(held.size);
    expect(rep.stderr).not.toContain('passes on the original');
  });

  it('a survivor that only removes behaviours is killed as narrowed; one that adds a start survives; --invariants-only judges by invariants alone', async () => {
    // Narrow: a counter that starts in 0..2 and counts to 4 (test/fixtures/mutate-narrow). Starting in 1..2 or 0..1
    // reaches a strict subgraph of the original's state graph; starting in 0..3 adds an initial state.
    const manifest = join(projectRoot(), 'test', 'fixtures', 'mutate-narrow', 'manifest.json');
    const ids = ['Init:int-literal:29394b7f', 'Init:int-literal:74e806d3', 'Init:int-literal:3236f979'];
    const args = ['mutate', '--manifest', manifest, '--spec', 'Narrow', '--json', '--quiet', '--jobs', '2', '--out', out, ...ids.flatMap((id) => ['--mutant', id])];
    const r = await runCli(args);
    expect(r.code).toBe(1);
    const [s] = (JSON.parse(r.stdout) as MutateReport).specs;
    const by = (id: string) => s!.mutants.find((m) => m.id === id)!;
    expect(by(ids[0]!)).toMatchObject({ before: '0..2', after: '1..2', status: 'killed', killedBy: { model: 'MCNarrow', outcome: 'narrowed' } });
    expect(by(ids[0]!).killedBy?.message).toMatch(/^reaches 5 of the original's 7 distinct states \(\d+ of its \d+ transitions\)/);
    expect(by(ids[1]!)).toMatchObject({ after: '0..1', status: 'killed', killedBy: { outcome: 'narrowed' } });
    expect(by(ids[1]!).killedBy?.message).toMatch(/^reaches 6 of the original's 7 distinct states/);
    expect(by(ids[2]!)).toMatchObject({ after: '0..3', status: 'survived', graphCompared: true });
    expect(s?.summary).toMatchObject({ killed: 2, narrowed: 2, survived: 1 });
    // By the invariants alone all three pass every model.
    const inv = await runCli([...args, '--invariants-only']);
    expect(inv.code).toBe(1);
    const [t] = (JSON.parse(inv.stdout) as MutateReport).specs;
    expect(t?.summary).toMatchObject({ killed: 0, narrowed: 0, survived: 3 });
    expect(t?.mutants.every((m) => m.graphCompared === undefined)).toBe(true);
    // A survivor judged without the comparison, kept in a journal, is judged again when the comparison applies.
    const journal = join(out, 'narrow.jsonl');
    expect((await runCli([...args, '--invariants-only', '--results', journal])).code).toBe(1);
    const again = await runCli([...args, '--results', journal]);
    const [u] = (JSON.parse(again.stdout) as MutateReport).specs;
    expect(u?.summary).toMatchObject({ killed: 2, narrowed: 2, survived: 1, reused: 0 });
  });

  it('a survivor missing from the list fails the run and is shown with its place and diff', async () => {
    const empty = join(out, 'none.json');
    writeFileSync(empty, JSON.stringify({ version: 1, equivalent: [] }));
    const r = await runCli(['mutate', '--spec', 'Pipeline', '--mutant', 'Terminating:drop-conjunct:af4da898', '--equivalent', empty, '--quiet', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('survived (not on the equivalence list):');
    expect(r.stdout).toMatch(/Pipeline Terminating:drop-conjunct:af4da898 {2}\(drop-conjunct in Terminating, line \d+, column 8\)/);
    expect(r.stdout).toMatch(/- *\d+ \| {5}\/\\ queue = <<>>\n +\+ *\d+ \| {5}\/\\ TRUE/);
  });

  it('PageLifetime: a bio flagged REFFED where the final design pins is killed by an invariant', async () => {
    const list = await runCli(['mutate', '--spec', 'PageLifetime', '--list', '--json']);
    expect(list.code).toBe(0);
    const [pl] = JSON.parse(list.stdout) as { mutants: { id: string; definition: string; before: string; after: string }[] }[];
    const flag = pl!.mutants.find((m) => m.definition === 'DataFlags' && m.before === '{"PINNED"}' && m.after === '{"REFFED"}');
    expect(flag).toBeDefined();
    // On the safety model (the liveness model, run alone, kills it too, by its temporal property).
    const mutant = await oneMutant('PageLifetime', 'MCPageLifetime', flag!.id);
    expect(mutant?.status).toBe('killed');
    expect(mutant?.killedBy).toMatchObject({ model: 'MCPageLifetime', outcome: 'safety', invariant: 'PageRefsAccountedInv' });
  });

  it('SpliceRead: DIV_ROUND_UP rounding a remainder of 1 down is killed on the byte-granular sizes, which no generated size gives', async () => {
    const mutant = await oneMutant('SpliceRead', 'MCSpliceReadOddSizes', 'DivRoundUp:int-literal:f440b8b8');
    expect(mutant).toMatchObject({ before: 'PageSize - 1', after: 'PageSize - 2', status: 'killed' });
    expect(mutant?.killedBy).toMatchObject({ model: 'MCSpliceReadOddSizes', outcome: 'safety', invariant: 'PipeFileDataInv' });
  });

  it('SpliceRead: round_up() one short for a size a byte past a page leaves the last byte unmapped, and the short read before EOF is killed', async () => {
    const mutant = await oneMutant('SpliceRead', 'MCSpliceReadOddSizes', 'RoundUp:int-literal:b85be696');
    expect(mutant).toMatchObject({ definition: 'RoundUp', before: 'PageSize - 1', after: 'PageSize - 2', status: 'killed' });
    expect(mutant?.killedBy).toMatchObject({ model: 'MCSpliceReadOddSizes', outcome: 'safety', invariant: 'PipeFileDataInv' });
  });

  it('SpliceRead: an ITER_BVEC revert that steps back one element too far is killed by BvecPosInv', async () => {
    const mutant = await oneMutant('SpliceRead', 'MCSpliceRead', 'BvecBack:comparison:9cc3ef1f');
    expect(mutant).toMatchObject({ definition: 'BvecBack', before: 'u <= bvec[it.idx - 1].len', after: 'u < bvec[it.idx - 1].len', status: 'killed' });
    expect(mutant?.killedBy).toMatchObject({ model: 'MCSpliceRead', outcome: 'safety', invariant: 'BvecPosInv' });
  });

  it('SANY, one JVM for a batch, rejects a mutant that uses an undefined operator and accepts the others', async () => {
    const specDir = join(projectRoot(), 'spec');
    const text = readFileSync(join(specDir, 'Pipeline.tla'), 'utf8');
    const r = await sanyCheck({ java: findExecutable('java')!, jar: cachedJarPath(projectRoot()), specDir, spec: 'Pipeline', timeoutMs: 120_000 }, [
      { key: 'same', text },
      { key: 'bad', text: text.replace('/\\ HasRoom', '/\\ HasRooom') },
      { key: 'other', text: text.replace('Len(queue) < Capacity', 'Len(queue) <= Capacity') },
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.verdicts.get('same')).toBeUndefined();
    expect(r.verdicts.get('other')).toBeUndefined();
    expect(r.verdicts.get('bad')).toMatch(/Unknown operator: `HasRooom'/);
  });

  it('a stale equivalence entry is an error, found without running TLC', async () => {
    const stale = join(out, 'stale.json');
    writeFileSync(stale, JSON.stringify({ version: 1, equivalent: [{ spec: 'Pipeline', id: 'Produce:drop-conjunct:00000000', reason: 'gone' }] }));
    const r = await runCli(['mutate', '--spec', 'Pipeline', '--list', '--equivalent', stale]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('stale equivalence entry: Produce:drop-conjunct:00000000');
  });

  it('bad usage gets one clear message', async () => {
    const r = await runCli(['mutate', '--spec', 'NoSuchSpec', '--list']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/^iterpin mutate: unknown spec 'NoSuchSpec'; the manifest has: /);
    const m = await runCli(['mutate', '--spec', 'Pipeline', '--mutant', 'Nope:x:1', '--quiet']);
    expect(m.code).toBe(64);
    expect(m.stderr).toContain('no such mutant: Nope:x:1');
    const ro = await runCli(['mutate', '--spec', 'Pipeline', '--report-only']);
    expect(ro.code).toBe(64);
    expect(ro.stderr).toBe('iterpin mutate: --report-only needs --results FILE\n');
    const notJournal = join(out, 'not-a-journal.json');
    writeFileSync(notJournal, '{\n  "specs": []\n}\n');
    const nj = await runCli(['mutate', '--spec', 'Pipeline', '--results', notJournal, '--quiet']);
    expect(nj.code).toBe(65);
    expect(nj.stderr).toContain('not a results journal: line 1 is not a results line');
    const bad = join(out, 'bad.json');
    writeFileSync(bad, '{"version": 1, "equivalent": [{"spec": "Pipeline"}]}');
    const b = await runCli(['mutate', '--list', '--equivalent', bad]);
    expect(b.code).toBe(65);
    expect(b.stderr).toContain('"id" must be a non-empty string');
  });
});
