// `iterpin validate` on real TLC: 100 generated runs per spec, beyond the models' constants, checked against the
// spec in one TLC batch each; a test-only kernel fault hook (iov_iter_revert() forgetting nr_segs++) gives runs
// the spec cannot follow, reported at the step on a shrunk run with its seed, whose trace the sound implementation's
// replay diverges on exactly there; bad input, and runs that fail part-way without leaving half-written files.

import { mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatActionValue } from '../../src/conform/compare.js';
import { checkBatch, validate, walk } from '../../src/conform/validate.js';
import { kernelFaults } from '../../src/kernel/lib/faults.js';
import { parseItfText } from '../../src/tla/itf.js';
import { tlaSeq } from '../../src/tla/value.js';
import type { ExplorableBinding } from '../../src/trace/binding.js';
import { loadBinding } from '../../src/trace/bindings/index.js';
import { replay } from '../../src/trace/replay.js';
import { runCli } from '../cli-harness.js';
import { validateOptions } from '../tlc-harness.js';

describe('iterpin validate', () => {
  it.each(['Pipeline', 'SpliceRead', 'IovIter'])('%s: the spec takes every step of 100 generated runs (one TLC batch)', async (spec) => {
    const r = await validate(await validateOptions(spec, 7));
    if (!r.ok) throw new Error(r.error);
    expect(r.value.stuck).toBeUndefined();
    expect(r.value.verdict).toBe('followed');
    expect(r.value.runs).toBe(100);
    expect(r.value.tlcRuns).toBe(1);
    expect(r.value.steps).toBeGreaterThan(200);
    // Every action of the binding but the stuttering one is exercised.
    const b = (await loadBinding(spec)) as ExplorableBinding<unknown>;
    const actions = Object.keys(b.actionArgs).filter((a) => a !== 'Init' && a !== b.explore.stuttering);
    expect([...r.value.classes.keys()].sort()).toEqual(actions.sort());
  }, 400_000);

  it('a broken kernel path: the spec cannot take a Revert; the run is shrunk and replays to the fault', async () => {
    kernelFaults.revertForgetsNrSegs = true;
    let r;
    try {
      r = await validate({ ...(await validateOptions('IovIter', 3)), shrinkRounds: 4 });
    } finally {
      kernelFaults.revertForgetsNrSegs = false;
    }
    if (!r.ok) throw new Error(r.error);
    expect(r.value.verdict).toBe('stuck');
    const s = r.value.stuck!;
    expect(formatActionValue(s.states[s.step]!.get('action')!)).toMatch(/^Revert\(n=\d+\)$/);
    expect(s.shrunk.choices.length).toBeLessThanOrEqual(s.run.choices.length);
    expect(s.states.length).toBe(s.step + 1);
    const trace = parseItfText(await readFile(s.traceFile, 'utf8'));
    if (!trace.ok) throw new Error(trace.error.message);
    expect(trace.value.states.length).toBe(s.step + 1);
    // The trace holds the broken implementation's states: the sound implementation's replay of it follows every
    // step before the broken Revert and diverges exactly there, on the element count the fault forgets.
    const sound = replay(trace.value, (await loadBinding('IovIter'))!, { quiet: true });
    expect(sound.verdict === 'diverged' ? sound.step : sound.verdict).toBe(s.step);
    if (sound.verdict === 'diverged') expect(sound.differences.some((d) => d.path.startsWith('iter.nrSegs'))).toBe(true);
  }, 400_000);

  it('bad input: an unknown spec is one message and exit 64; a trace module TLC rejects is an error, not a verdict', async () => {
    const unknown = await runCli(['validate', '--spec', 'NoSuchSpec', '--quiet']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/no validation profile for spec 'NoSuchSpec'/);
    const runs = await runCli(['validate', '--spec', 'Pipeline', '--runs', 'many']);
    expect(runs.code).toBe(64);
    const o = await validateOptions('Pipeline', 1, 3);
    const w = walk(o.binding, o.profile, { params: { items: 3 }, choices: [0, 1, 2] }, 'bounded');
    if (!w.ok) throw new Error(w.error);
    // A module that extends no spec of the directory: TLC rejects it before checking anything.
    const v = await checkBatch('NoSuchSpec', o.binding.vars, [w.value], { ...o.job, logFile: join(o.runDir, 'rejected.log') });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.error).toMatch(/TLC rejected the trace-validation module/);
  });

  // A run that fails part-way writes nothing half: the run directory keeps TLC's logs and no report, no trace and
  // no temporary file.
  const written = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((f) => !f.endsWith('.log')).sort();

  it('bad input part-way: TLC fails on the recorded runs (the command), or rejects the generated module: no report, no trace', async () => {
    const out = await mkdtemp(join(tmpdir(), 'iterpin-validate-out-'));
    // A heap the JVM cannot start with: the runs are generated and recorded, then TLC fails.
    const r = await runCli(['validate', '--spec', 'Pipeline', '--runs', '3', '--seed', '1', '--heap', '1k', '--out', out, '--quiet']);
    expect(r.code).toBe(71);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^iterpin validate: TLC rejected the trace-validation module: .*; see \S+batch-1\.log\n$/);
    expect(r.stderr.match(/; see /g)).toHaveLength(1);
    const [runDir, ...others] = await readdir(out);
    expect(others).toEqual([]);
    expect(await readdir(join(out, runDir!))).toEqual(['batch-1.log']);
    // An output directory that cannot be made (a file is in the way): one message, exit 73, nothing written.
    const file = join(out, runDir!, 'batch-1.log');
    const unwritable = await runCli(['validate', '--spec', 'Pipeline', '--runs', '3', '--out', join(file, 'out'), '--quiet']);
    expect(unwritable.code).toBe(73);
    expect(unwritable.stderr).toMatch(/^iterpin validate: \S+: cannot create \(ENOTDIR\)\n$/);
    expect(await readdir(out)).toEqual([runDir]);
    // The generated module extends a spec TLC cannot find: rejected before any step is checked.
    const o = await validateOptions('Pipeline', 1, 3);
    const v = await validate({ ...o, binding: { ...o.binding, spec: 'NoSuchSpec' } });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.error).toMatch(/^TLC rejected the trace-validation module: /);
    expect(await written(o.runDir)).toEqual([]);
  });

  it('bad input part-way: the shrunk run cannot be written where it goes: one message, no trace and no temporary file', async () => {
    const o = await validateOptions('Pipeline', 5, 1);
    // An implementation that never records what it produced: the spec cannot take its first Produce.
    const broken: ExplorableBinding<unknown> = { ...o.binding, abstract: (s) => new Map([...o.binding.abstract(s), ['produced', tlaSeq([])]]) };
    const blocked = join(o.runDir, 'Pipeline.validate-5-0.itf.json');
    await mkdir(blocked); // where the trace goes: a directory, so it cannot be written
    const v = await validate({ ...o, binding: broken, shrinkRounds: 0 });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.error).toBe(`${blocked}: cannot write (EISDIR)`);
    expect(await written(o.runDir)).toEqual(['Pipeline.validate-5-0.itf.json']);
    expect(await readdir(blocked)).toEqual([]);
    // The same run with somewhere to go: the spec cannot take step 1, a Produce.
    const ok = await validate({ ...o, binding: broken, shrinkRounds: 0, runDir: await mkdtemp(join(tmpdir(), 'iterpin-validate-test-')) });
    if (!ok.ok) throw new Error(ok.error);
    expect(ok.value.stuck?.step).toBe(1);
    expect(formatActionValue(ok.value.stuck!.states[1]!.get('action')!)).toMatch(/^Produce\(/);
  });
});
