// `iterpin validate` on real TLC: 100 generated runs per spec, beyond the models' constants, checked against the
// spec in one TLC batch each; a test-only kernel fault hook (iov_iter_revert() forgetting nr_segs++) gives runs
// the spec cannot follow, reported at the step on a shrunk run with its seed; bad input.

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatActionValue } from '../../src/conform/compare.js';
import { PROFILES } from '../../src/conform/profiles.js';
import { checkBatch, validate, walk, type ValidateOptions } from '../../src/conform/validate.js';
import { kernelFaults } from '../../src/kernel/lib/faults.js';
import { parseItfText } from '../../src/tla/itf.js';
import { runTlcOnHost } from '../../src/tlc/host.js';
import type { ExplorableBinding } from '../../src/trace/binding.js';
import { loadBinding } from '../../src/trace/bindings/index.js';
import { runCli } from '../cli-harness.js';
import { pinnedJar, SPEC } from '../tlc-harness.js';

async function options(spec: string, seed: number, runs = 100): Promise<ValidateOptions<unknown, unknown>> {
  const binding = (await loadBinding(spec)) as ExplorableBinding<unknown>;
  const jar = await pinnedJar();
  return {
    binding,
    profile: PROFILES[spec]!,
    variant: binding.finalVariant,
    runs,
    seed,
    job: { runner: runTlcOnHost, jar: jar.path, specDir: SPEC, heap: '512m', timeoutMs: 400_000 },
    runDir: await mkdtemp(join(tmpdir(), 'iterpin-validate-test-')),
  };
}

describe('iterpin validate', () => {
  it.each(['Pipeline', 'SpliceRead', 'IovIter'])('%s: the spec takes every step of 100 generated runs (one TLC batch)', async (spec) => {
    const r = await validate(await options(spec, 7));
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
      r = await validate({ ...(await options('IovIter', 3)), shrinkRounds: 4 });
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
  }, 400_000);

  it('bad input: an unknown spec is one message and exit 64; a trace module TLC rejects is an error, not a verdict', async () => {
    const unknown = await runCli(['validate', '--spec', 'NoSuchSpec', '--quiet']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/no validation profile for spec 'NoSuchSpec'/);
    const runs = await runCli(['validate', '--spec', 'Pipeline', '--runs', 'many']);
    expect(runs.code).toBe(64);
    const o = await options('Pipeline', 1, 3);
    const w = walk(o.binding, o.profile, { params: { items: 3 }, choices: [0, 1, 2] }, 'bounded');
    if (!w.ok) throw new Error(w.error);
    // A module that extends no spec of the directory: TLC rejects it before checking anything.
    const v = await checkBatch('NoSuchSpec', o.binding.vars, [w.value], { ...o.job, logFile: join(o.runDir, 'rejected.log') });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.error).toMatch(/TLC rejected the trace-validation module/);
  });
});
