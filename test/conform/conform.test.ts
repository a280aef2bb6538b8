// `iterpin conform` on real TLC dumps: small models of each explorable spec conform, and a deliberately broken
// binding (a test-only fault: reverting one byte short) is caught with the first differing state and a trace
// that replays to the divergence.

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformModel, type ModelJob } from '../../src/conform/conform.js';
import { parseItfText } from '../../src/tla/itf.js';
import { tlaInt } from '../../src/tla/value.js';
import { runTlcOnHost } from '../../src/tlc/host.js';
import type { ExplorableBinding } from '../../src/trace/binding.js';
import { binding as iovIter, type IovIterReplayState } from '../../src/trace/bindings/iov_iter.js';
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

/** The IovIter binding with a fault: iov_iter_revert() of 3 bytes (when 3 were consumed) gives back only 2. */
const broken: ExplorableBinding<IovIterReplayState> = {
  ...iovIter,
  step(s, a) {
    const n = a.args.get('n');
    if (a.name === 'Revert' && n?.kind === 'int' && n.value === 3n && s.m.total - s.m.iter.count >= 3) return iovIter.step(s, { name: 'Revert', args: new Map([['n', tlaInt(2)]]) });
    return iovIter.step(s, a);
  },
};

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
  });

  it('a broken revert is caught: the first differing state, and a trace that replays to the divergence', async () => {
    const j = await job(broken as ExplorableBinding<unknown>);
    const r = await conformModel(await model('MCIovIterXarrayHole'), j);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.verdict).toBe('differs');
    const first = r.value.comparison.first;
    expect(first?.kind).toBe('diverged');
    expect(first?.action).toBe('Revert(n=3)');
    expect(r.value.traceFile).toBeDefined();
    const trace = parseItfText(await readFile(r.value.traceFile!, 'utf8'));
    if (!trace.ok) throw new Error(trace.error.message);
    expect(trace.value.states.length).toBe(first!.path.length);
    // The trace is the spec's behaviour: the real implementation follows it, the broken one diverges at its end.
    expect(replay(trace.value, iovIter, { quiet: true }).verdict).toBe('conforms');
    const bad = replay(trace.value, broken, { quiet: true });
    expect(bad.verdict).toBe('diverged');
    if (bad.verdict === 'diverged') {
      expect(bad.step).toBe(trace.value.states.length - 1);
      expect(bad.differences.some((d) => d.path.startsWith('iter'))).toBe(true);
    }
  });

  it('bad input: an unknown model is one message and exit 64; a binding without exploration is reported, exit 1', async () => {
    const unknown = await runCli(['conform', '--model', 'NoSuchModel', '--quiet']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/unknown model 'NoSuchModel'/);
    const both = await runCli(['conform', '--all', '--spec', 'IovIter']);
    expect(both.code).toBe(64);
    const out = await mkdtemp(join(tmpdir(), 'iterpin-conform-cli-'));
    const skipped = await runCli(['conform', '--model', 'MCSpliceReadPipeExtractNoRef', '--quiet', '--json', '--out', out]);
    expect(skipped.code).toBe(1);
    const json = JSON.parse(skipped.stdout) as { problems: { kind: string }[]; models: unknown[] };
    expect(json.models).toEqual([]);
    expect(json.problems[0]?.kind).toBe('not-explorable');
  });
});
