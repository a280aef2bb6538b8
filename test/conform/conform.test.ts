// `iterpin conform` on real TLC dumps: a small model of each spec conforms, and a deliberately broken kernel path
// (a test-only fault hook: iov_iter_revert() forgetting nr_segs++ when it steps back over an element) is caught
// with the first differing state and a trace that replays to the divergence. Bad input: an unknown model, a
// dump TLC cannot write.

import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformModel, type ModelJob } from '../../src/conform/conform.js';
import { readModelShape } from '../../src/conform/model.js';
import { parseItfText } from '../../src/tla/itf.js';
import { kernelFaults } from '../../src/kernel/lib/faults.js';
import { runTlcOnHost } from '../../src/tlc/host.js';
import type { ExplorableBinding } from '../../src/trace/binding.js';
import { binding as iovIter } from '../../src/trace/bindings/iov_iter.js';
import { replay } from '../../src/trace/replay.js';
import { runCli } from '../cli-harness.js';
import { manifestModels, pinnedJar, SPEC } from '../tlc-harness.js';

async function job(binding?: ExplorableBinding<unknown>): Promise<ModelJob> {
  const jar = await pinnedJar();
  return {
    runner: runTlcOnHost,
    jar: jar.path,
    specDir: SPEC,
    heap: '512m',
    timeoutMs: 240_000,
    runDir: await mkdtemp(join(tmpdir(), 'iterpin-conform-test-')),
    ...(binding !== undefined ? { binding } : {}),
  };
}

async function model(name: string) {
  const m = (await manifestModels()).find((x) => x.name === name);
  if (m === undefined) throw new Error(`no model ${name} in the manifest`);
  return m;
}

describe('iterpin conform', () => {
  it('an IovIter model conforms: equal state sets and equal transitions, with arguments', async () => {
    const r = await conformModel(await model('MCIovIterXarrayHole'), await job());
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.verdict).toBe('conforms');
    expect(r.value.comparison).toMatchObject({ equal: true, missingStates: 0, extraStates: 0, differingStates: 0 });
    expect(r.value.explorer.distinct).toBe(r.value.tlc.distinct);
    expect(r.value.explorer.transitions).toBe(r.value.tlc.transitions);
    expect(r.value.explorer.distinct).toBeGreaterThan(100);
    expect(r.value.explorer.actions['Revert']?.refused).toBeGreaterThan(0);
    // The report keeps the figures, not the graph: a run over every model would otherwise hold every graph.
    expect(Object.keys(r.value.explorer)).not.toContain('graph');
  });

  // One small model per other spec: TLC's dump and the explorer agree state for state and step for step.
  it.each(['MCPipelineConsumerStops', 'MCSpliceReadPipeExtractNoRef', 'MCPageLifetimeBugDioReffedKernel', 'MCIterToSgBugKvecTotalLen'])(
    '%s conforms',
    async (name) => {
      const r = await conformModel(await model(name), await job());
      if (!r.ok) throw new Error(r.error.message);
      expect(r.value.comparison.first).toBeUndefined();
      expect(r.value.verdict).toBe('conforms');
      expect(r.value.explorer.distinct).toBe(r.value.tlc.distinct);
      expect(r.value.explorer.transitions).toBe(r.value.tlc.transitions);
      expect(r.value.explorer.transitions).toBeGreaterThan(r.value.explorer.distinct);
    },
  );

  // The failed-add half of §G.4 double-unpins a page of the bio; its completion drives the page's refcount below
  // zero while the page is still mapped. A later GUP of it fails in both (try_get_folio() WARNs on a negative
  // count, §D.2): the DIO ends with an error instead of pinning a freed page again. One layout, adds refused only.
  it('a page freed under its mapping by the double unpin of bug-same-page-failed-add is not pinned again', async () => {
    const j = await job();
    const dir = join(j.runDir, 'spec');
    await mkdir(dir);
    for (const f of ['PageLifetime.tla', 'MCPageLifetime.tla']) await writeFile(join(dir, f), await readFile(join(SPEC, f), 'utf8'));
    await writeFile(
      join(dir, 'MCFailedAddFreed.tla'),
      '---- MODULE MCFailedAddFreed ----\nEXTENDS MCPageLifetime\nUserRead == {OneDio(LayoutUser, 1)}\nAddOnly == {"add"}\n====\n',
    );
    await writeFile(
      join(dir, 'MCFailedAddFreed.cfg'),
      'CONSTANTS\n  Variant <- VariantBugSamePageFailedAdd\n  PageSize <- MCPageSize\n  Bias <- MCBias\n' +
        '  ZeroBase <- MCZeroBase\n  Layouts <- UserRead\n  Inject <- AddOnly\nSPECIFICATION Spec\nINVARIANTS\n  TypeOK\nVIEW View\n',
    );
    const base = await model('MCPageLifetimeBugSamePageFailedAdd');
    const m = { ...base, name: 'MCFailedAddFreed', module: 'MCFailedAddFreed.tla', cfg: 'MCFailedAddFreed.cfg' };
    const r = await conformModel(m, { ...j, specDir: dir });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.comparison.first).toBeUndefined();
    expect(r.value.verdict).toBe('conforms');
    expect(r.value.explorer.distinct).toBe(r.value.tlc.distinct);
    expect(r.value.explorer.transitions).toBe(r.value.tlc.transitions);
  });

  it('a broken kernel path is caught: the first differing state, and a trace that replays to the divergence', async () => {
    kernelFaults.revertForgetsNrSegs = true;
    let r;
    try {
      r = await conformModel(await model('MCIovIterV612LeadingEmpties'), await job());
    } finally {
      kernelFaults.revertForgetsNrSegs = false;
    }
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.verdict).toBe('differs');
    const first = r.value.comparison.first;
    expect(first?.kind).toBe('diverged');
    expect(first?.action).toMatch(/^Revert\(n=\d\)$/);
    expect(r.value.traceFile).toBeDefined();
    const trace = parseItfText(await readFile(r.value.traceFile!, 'utf8'));
    if (!trace.ok) throw new Error(trace.error.message);
    expect(trace.value.states.length).toBe(first!.path.length);
    // The trace is the spec's behaviour: the implementation follows it, the broken one diverges at its end.
    expect(replay(trace.value, iovIter, { quiet: true }).verdict).toBe('conforms');
    kernelFaults.revertForgetsNrSegs = true;
    try {
      const bad = replay(trace.value, iovIter, { quiet: true });
      expect(bad.verdict).toBe('diverged');
      if (bad.verdict === 'diverged') {
        expect(bad.step).toBe(trace.value.states.length - 1);
        expect(bad.differences.some((d) => d.path.startsWith('iter.nrSegs'))).toBe(true);
      }
    } finally {
      kernelFaults.revertForgetsNrSegs = false;
    }
  });

  it("a model whose VIEW is defined in the module it extends (MCIovIterGen: MCIovIter's View) is read with that view", async () => {
    const shape = await readModelShape(SPEC, await model('MCIovIterGen'));
    if (!shape.ok) throw new Error(shape.error);
    expect(shape.value.viewVars).toEqual(['layout', 'iter', 'xtr', 'fwd', 'hist']);
    // Two levels down, past a standard module; a view that is not a tuple of variables anywhere is still refused.
    const dir = await mkdtemp(join(tmpdir(), 'iterpin-view-'));
    await writeFile(join(dir, 'A.tla'), '---- MODULE A ----\nEXTENDS Naturals, B\n====\n');
    await writeFile(join(dir, 'B.tla'), '---- MODULE B ----\nEXTENDS C\n====\n');
    await writeFile(join(dir, 'C.tla'), '---- MODULE C ----\nVARIABLES x, y\nView == <<x, y>>\nOther == x + 1\n====\n');
    await writeFile(join(dir, 'A.cfg'), 'VIEW View\n');
    await writeFile(join(dir, 'D.cfg'), 'VIEW Other\n');
    const m = await model('MCIovIterGen');
    const deep = await readModelShape(dir, { ...m, module: 'A.tla', cfg: 'A.cfg' });
    expect(deep.ok ? deep.value.viewVars : deep.error).toEqual(['x', 'y']);
    const other = await readModelShape(dir, { ...m, module: 'A.tla', cfg: 'D.cfg' });
    expect(other.ok ? other.value.viewVars : other.error).toMatch(/A\.tla: VIEW Other is not a tuple of variables/);
  });

  it('--spec --json: a verdict line per model on stderr as each finishes, the whole JSON report on stdout', async () => {
    const out = await mkdtemp(join(tmpdir(), 'iterpin-conform-cli-'));
    const r = await runCli(['conform', '--spec', 'Pipeline', '--json', '--out', out]);
    expect(r.code).toBe(0);
    const names = (await manifestModels('Pipeline')).filter((m) => m.scale !== true).map((m) => m.name);
    expect(names.length).toBe(3);
    const verdicts = r.stderr.split('\n').filter((l) => /^iterpin conform: \[\d+\/\d+\] /.test(l));
    expect(verdicts).toHaveLength(names.length);
    for (const [k, name] of names.entries()) {
      expect(verdicts[k]).toMatch(
        new RegExp(`^iterpin conform: \\[${k + 1}/${names.length}\\] ${name} conforms +\\d+ states, \\d+ transitions \\(TLC \\d+, \\d+\\); explorer [0-9.]+ s, TLC dump [0-9.]+ s \\(\\d+ s so far\\)$`),
      );
    }
    // Each verdict comes before the next model starts.
    expect(r.stderr.indexOf(verdicts[0]!)).toBeLessThan(r.stderr.indexOf(`model 2 of 3: ${names[1]}`));
    const report = JSON.parse(r.stdout) as { models: { model: string; verdict: string }[]; problems: unknown[] };
    expect(report.models.map((m) => [m.model, m.verdict])).toEqual(names.map((n) => [n, 'conforms']));
    expect(report.problems).toEqual([]);
  });

  it('bad input: an unknown model (conform, explore) is one message and exit 64; a dump TLC cannot write is a TLC error, no trace', async () => {
    const unknown = await runCli(['conform', '--model', 'NoSuchModel', '--quiet']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/unknown model 'NoSuchModel'/);
    const both = await runCli(['conform', '--all', '--spec', 'IovIter']);
    expect(both.code).toBe(64);
    const explored = await runCli(['explore', '--model', 'NoSuchModel', '--quiet']);
    expect(explored.code).toBe(64);
    expect(explored.stderr.trim().split('\n')).toHaveLength(1);
    expect(explored.stderr).toMatch(/^iterpin explore: .*unknown model 'NoSuchModel'/);
    const j = await job();
    await mkdir(join(j.runDir, 'MCPipelineBroken.dot')); // where the dump goes: a directory, so TLC cannot write it
    const r = await conformModel(await model('MCPipelineBroken'), j);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('tlc');
      expect(r.error.message).toMatch(/MCPipelineBroken: (TLC could not dump the state graph|TLC wrote no readable state dump)/);
    }
    expect((await readdir(j.runDir)).filter((f) => f.endsWith('.itf.json'))).toEqual([]);
  });
});
