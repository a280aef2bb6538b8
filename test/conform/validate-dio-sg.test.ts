// `iterpin validate` for PageLifetime and IterToSg on real TLC: 100 generated runs per spec beyond the models'
// constants (4096-byte pages, eight user pages and more, up to three DIOs of several bios each; a sixteen-entry
// scatterlist over iterators of up to ten elements), each spec's batch checked in one TLC run; and per spec a
// test-only fault hook whose broken path the spec cannot take, found on a shrunk run with its seed.

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { formatActionValue } from '../../src/conform/compare.js';
import { PROFILES } from '../../src/conform/profiles.js';
import { validate } from '../../src/conform/validate.js';
import { kernelFaults, type KernelFaults } from '../../src/kernel/lib/faults.js';
import { parseItfText } from '../../src/tla/itf.js';
import type { ExplorableBinding } from '../../src/trace/binding.js';
import { loadBinding } from '../../src/trace/bindings/index.js';
import { replay } from '../../src/trace/replay.js';
import { validateOptions } from '../tlc-harness.js';

async function withFault<T>(fault: keyof KernelFaults, f: () => Promise<T>): Promise<T> {
  kernelFaults[fault] = true;
  try {
    return await f();
  } finally {
    kernelFaults[fault] = false;
  }
}

describe('iterpin validate: PageLifetime and IterToSg', () => {
  it.each(['PageLifetime', 'IterToSg'])('%s: the spec takes every step of 100 generated runs (in TLC batches)', async (spec) => {
    const r = await validate(await validateOptions(spec, 7));
    if (!r.ok) throw new Error(r.error);
    expect(r.value.stuck).toBeUndefined();
    expect(r.value.verdict).toBe('followed');
    expect(r.value.runs).toBe(100);
    expect(r.value.tlcRuns).toBe(Math.ceil(100 / (PROFILES[spec]!.batch ?? 250)));
    expect(r.value.steps).toBeGreaterThan(150);
    const b = (await loadBinding(spec)) as ExplorableBinding<unknown>;
    const actions = Object.keys(b.actionArgs).filter((a) => a !== 'Init' && a !== b.explore.stuttering);
    expect([...r.value.classes.keys()].sort()).toEqual(actions.sort());
  }, 400_000);

  // Each broken path: the spec cannot take the step the broken code takes; the shrunk run's ITF trace holds the
  // broken implementation's states up to that step, and the sound implementation's replay diverges exactly there.
  it.each([
    // Completion and a failed fill's unwind both release through bio_release_pages().
    { spec: 'PageLifetime', fault: 'bioReleaseSkipsLastVec' as const, action: /^(Complete|GetPages)\(/, seed: 3 },
    { spec: 'IterToSg', fault: 'kvecToSgKeepsOffset' as const, action: /^Call\(/, seed: 3 },
  ])('$spec: a broken kernel path ($fault) is a step the spec cannot take, on a shrunk run with its seed', async ({ spec, fault, action, seed }) => {
    const r = await withFault(fault, async () => validate({ ...(await validateOptions(spec, seed)), shrinkRounds: 3 }));
    if (!r.ok) throw new Error(r.error);
    expect(r.value.verdict).toBe('stuck');
    const s = r.value.stuck!;
    expect(r.value.seed).toBe(seed);
    expect(formatActionValue(s.states[s.step]!.get('action')!)).toMatch(action);
    expect(s.shrunk.choices.length).toBeLessThanOrEqual(s.run.choices.length);
    expect(s.states.length).toBe(s.step + 1);
    const trace = parseItfText(await readFile(s.traceFile, 'utf8'));
    if (!trace.ok) throw new Error(trace.error.message);
    expect(trace.value.states.length).toBe(s.step + 1);
    const b = (await loadBinding(spec))!;
    const sound = replay(trace.value, b, { quiet: true });
    expect(sound.verdict === 'diverged' ? sound.step : sound.verdict).toBe(s.step);
  }, 600_000);
});
