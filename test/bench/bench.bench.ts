// Performance figures for out/bench.json: the TLC-output parser against JSON.parse on the same trace as ITF,
// replay steps per second, the explorer's distinct states per second against TLC's on the same model, validation
// traces per second per spec, replay of a 10,000-step recorded run against decoding its ITF file, the wall
// time of the default `iterpin check`, a cold and a warm full `iterpin review` (empty result cache, then the same
// cache), sampled behaviours per second per spec, the distributed runner against the local one (where iterpin has
// it), and the container runner against the host runner on one model. A figure whose run failed is recorded as "not
// measured" with the reason, never as a number. Measurements only: nothing here asserts on time.

import fc from 'fast-check';
import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseToolOutput } from '../../src/tlc/toolstream.js';
import { parseItfText, writeItf } from '../../src/tla/itf.js';
import { toolOutputOf } from '../text-tools.js';
import type { Trace, TraceState } from '../../src/tla/trace.js';
import { PROFILES } from '../../src/conform/profiles.js';
import { walk } from '../../src/conform/validate.js';
import type { ExplorableBinding } from '../../src/trace/binding.js';
import { loadBinding } from '../../src/trace/bindings/index.js';
import { replay } from '../../src/trace/replay.js';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'traces');
// The load average at the start: figures measured on a loaded machine are inflated, their ratios less so.
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, loadAverage: loadavg().map((x) => +x.toFixed(2)), cores: availableParallelism() };

function loadFixture(name: string): Trace {
  const parsed = parseItfText(readFileSync(join(fixtures, name), 'utf8'));
  if (!parsed.ok) throw new Error(`fixture ${name}: ${parsed.error.message}`);
  return parsed.value;
}

/** A trace of n states built by cycling the states of a real counterexample. */
function stretch(trace: Trace, n: number): Trace {
  const states: TraceState[] = [];
  for (let i = 0; i < n; i++) {
    const s = trace.states[i % trace.states.length] as TraceState;
    states.push({ index: i, values: s.values, ...(s.header !== undefined ? { header: s.header } : {}) });
  }
  return { meta: trace.meta, vars: trace.vars, states };
}

/**
 * Median wall time in ms of one call of fn. Warms up for a fifth of the budget, then takes samples of enough
 * back-to-back calls to last at least 5 ms each (so sub-millisecond parses are not lost in timer noise), until
 * the budget is spent. Yields to the event loop between samples so the test runner's worker stays responsive.
 */
async function timeIt(fn: () => void, budgetMs: number): Promise<number> {
  const warmUntil = performance.now() + budgetMs / 5;
  let reps = 1;
  for (;;) {
    const t = performance.now();
    for (let k = 0; k < reps; k++) fn();
    const took = performance.now() - t;
    if (took >= 5 && performance.now() >= warmUntil) break;
    if (took < 5) reps *= 2;
    await new Promise((resolve) => setImmediate(resolve));
  }
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 5 || (performance.now() - start < budgetMs && samples.length < 200)) {
    await new Promise((resolve) => setImmediate(resolve));
    const t = performance.now();
    for (let k = 0; k < reps; k++) fn();
    samples.push((performance.now() - t) / reps);
  }
  samples.sort((x, y) => x - y);
  return samples[Math.floor(samples.length / 2)] as number;
}

/** Runs the built `iterpin` as a child process (asynchronously: the worker must keep answering its runner). */
function iterpin(args: string[]): Promise<{ seconds: number; status: number | null; stdout: string }> {
  const t = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'iterpin.js'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.on('close', (status) => resolve({ seconds: (performance.now() - t) / 1000, status, stdout }));
  });
}

describe('bench', () => {
  afterAll(() => {
    mkdirSync(join(root, 'out'), { recursive: true });
    const tmp = join(root, 'out', `.bench.json.${process.pid}`);
    writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
    renameSync(tmp, join(root, 'out', 'bench.json'));
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  });

  // Replay runs first, on a fresh heap: the 100 000-state parser measurement leaves a large, fragmented one.
  it('replay steps per second', async () => {
    const names = readdirSync(fixtures).filter((f) => f.endsWith('.itf.json'));
    const rows = [];
    let totalSteps = 0;
    let totalMs = 0;
    for (const name of names) {
      const trace = loadFixture(name);
      const binding = await loadBinding(trace.meta.spec ?? '');
      if (binding === undefined) continue;
      expect(replay(trace, binding, { quiet: true }).verdict).toBe('reproduced');
      // Steady state: a short warm-up lets the JIT compile this binding's paths before the clock runs.
      for (const warm = performance.now(); performance.now() - warm < 200; ) replay(trace, binding, { quiet: true });
      let steps = 0;
      const t = performance.now();
      while (performance.now() - t < 1_000) {
        replay(trace, binding, { quiet: true });
        steps += trace.states.length;
      }
      const ms = performance.now() - t;
      totalSteps += steps;
      totalMs += ms;
      rows.push({ trace: name, states: trace.states.length, stepsPerSecond: Math.round(steps / (ms / 1000)) });
    }
    results.replay = { target: 'at least 100000 steps/s', stepsPerSecond: Math.round(totalSteps / (totalMs / 1000)), traces: rows };
  });

  it('TLC -tool output parser against JSON.parse on the same trace as ITF', async () => {
    const template = loadFixture('MCSpliceReadPipeExtractNoRefCorruption.itf.json');
    const rows = [];
    for (const n of [10, 1_000, 100_000]) {
      const trace = stretch(template, n);
      const tool = toolOutputOf(trace);
      const itf = writeItf(trace);
      const check = parseToolOutput(tool);
      expect(check.ok && check.value.trace.length === n).toBe(true);
      const budget = n >= 100_000 ? 20_000 : 3_000;
      const parseMs = await timeIt(() => void parseToolOutput(tool), budget);
      const jsonMs = await timeIt(() => void JSON.parse(itf), budget);
      const itfDecodeMs = await timeIt(() => void parseItfText(itf), budget);
      rows.push({
        states: n,
        toolOutputBytes: tool.length,
        itfBytes: itf.length,
        parseToolOutputMs: +parseMs.toFixed(3),
        jsonParseMs: +jsonMs.toFixed(3),
        itfDecodeMs: +itfDecodeMs.toFixed(3),
        ratioToJsonParse: +(parseMs / jsonMs).toFixed(2),
        parseMsPerState: +(parseMs / n).toFixed(5),
      });
    }
    results.parser = { target: 'within 3x of JSON.parse, linear in states', traces: rows };
  });

  it('explorer distinct states per second against TLC on the same model', async () => {
    // The largest default model of each explorable spec; TLC with one worker, as iterpin check runs it.
    const rows = [];
    for (const model of ['MCIovIter', 'MCPageLifetime']) {
      const ex = await iterpin(['explore', '--model', model, '--json', '--quiet']);
      const tlc = await iterpin(['check', '--model', model, '--json', '--jobs', '1', '--workers', '1']);
      if (ex.status !== 0 || tlc.status !== 0) {
        rows.push({ model, explorer: ex.status === 0 ? 'measured' : 'not measured', tlc: tlc.status === 0 ? 'measured' : 'not measured', explorerExitCode: ex.status, tlcExitCode: tlc.status });
        continue;
      }
      const e = (JSON.parse(ex.stdout) as { distinct: number; seconds: number }[])[0]!;
      const t = (JSON.parse(tlc.stdout) as { models: { got?: { distinct?: number }; seconds: number }[] }).models[0]!;
      const tlcDistinct = t.got?.distinct;
      if (tlcDistinct === undefined || tlcDistinct === 0) {
        rows.push({ model, explorer: 'measured', tlc: 'not measured', note: "not measured: TLC's report gives no distinct-state count" });
        continue;
      }
      const explorerRate = e.distinct / e.seconds;
      const tlcRate = tlcDistinct / t.seconds;
      rows.push({
        model,
        explorerDistinct: e.distinct,
        explorerSeconds: +e.seconds.toFixed(2),
        explorerDistinctPerSecond: Math.round(explorerRate),
        tlcDistinct,
        tlcSeconds: +t.seconds.toFixed(2),
        tlcDistinctPerSecond: Math.round(tlcRate),
        ratio: +(explorerRate / tlcRate).toFixed(2),
      });
    }
    results.explore = {
      target: 'explorer at least as many distinct states per second as TLC with one worker (ratio >= 1)',
      note: "TLC's seconds are the wall time of its run (JVM start included); the explorer's exclude the TLC run that evaluates the constants",
      models: rows,
    };
  });

  it('validation traces per second per spec (iterpin validate, 100 runs)', async () => {
    // Each spec's runs beyond the models' bounds, generated, recorded and checked by TLC in batches, as
    // `iterpin validate` runs them (wall time of the command: generation, the walks, every TLC run with its JVM start).
    const out = mkdtempSync(join(tmpdir(), 'iterpin-bench-validate-'));
    const rows = [];
    for (const spec of ['Pipeline', 'SpliceRead', 'IovIter', 'PageLifetime', 'IterToSg']) {
      const r = await iterpin(['validate', '--spec', spec, '--runs', '100', '--seed', '1', '--json', '--quiet', '--out', out]);
      if (r.status !== 0) {
        rows.push({ spec, measured: false, exitCode: r.status, note: 'not measured: the validation did not finish with every run followed' });
        continue;
      }
      const v = JSON.parse(r.stdout) as { runs: number; steps: number; tlcRuns: number; seconds: number; walkSeconds: number; tracesPerSecond: number };
      rows.push({
        spec,
        measured: true,
        runs: v.runs,
        steps: v.steps,
        tlcRuns: v.tlcRuns,
        seconds: +v.seconds.toFixed(2),
        tracesPerSecond: +v.tracesPerSecond.toFixed(2),
        walkSeconds: +v.walkSeconds.toFixed(3),
        walkTracesPerSecond: v.walkSeconds > 0 ? Math.round(v.runs / v.walkSeconds) : null,
      });
    }
    results.validate = { note: "traces per second over the whole command; walkTracesPerSecond is the implementation's share (generating and recording the runs)", specs: rows };
    rmSync(out, { recursive: true, force: true });
  });

  it('replay of a long recorded run (10,000 steps) against decoding the same ITF file', async () => {
    // A run of the reference implementation recorded as `iterpin validate` records it (IovIter's profile: 4096-byte
    // pages, up to ten elements; Advance, Revert and Extract with every argument the constants allow), 10,000 steps.
    const binding = (await loadBinding('IovIter')) as ExplorableBinding<unknown>;
    const profile = PROFILES['IovIter']!;
    const [params] = fc.sample(profile.params, { seed: 1, numRuns: 1 });
    const [choices] = fc.sample(fc.array(fc.nat(), { minLength: 10_001, maxLength: 10_001 }), { seed: 2, numRuns: 1 });
    const w = walk(binding, profile, { params: params!, choices: choices! }, binding.finalVariant);
    if (!w.ok) throw new Error(w.error);
    const steps = w.value.states.length - 1;
    expect(steps).toBe(10_000);
    const text = writeItf({
      meta: { format: 'ITF', source: 'iterpin validate', spec: 'IovIter', variant: binding.finalVariant },
      vars: [...binding.vars],
      states: w.value.states.map((values, index) => ({ index, values })),
    });
    const decoded = parseItfText(text);
    if (!decoded.ok) throw new Error(decoded.error.message);
    expect(replay(decoded.value, binding, { quiet: true }).verdict).toBe('conforms');
    const decodeMs = await timeIt(() => void parseItfText(text), 10_000);
    const replayMs = await timeIt(() => void replay(decoded.value, binding, { quiet: true }), 10_000);
    results.longReplay = {
      target: 'replay within 2x of decoding the same file (ratio <= 2)',
      spec: 'IovIter',
      steps,
      itfBytes: text.length,
      decodeMs: +decodeMs.toFixed(2),
      replayMs: +replayMs.toFixed(2),
      ratio: +(replayMs / decodeMs).toFixed(2),
      replayStepsPerSecond: Math.round(steps / (replayMs / 1000)),
    };
  });

  it('wall time of the default iterpin check', async () => {
    const r = await iterpin(['check', '--json']);
    const report = JSON.parse(r.stdout) as { models: { name: string; seconds: number }[] };
    results.check = {
      exitCode: r.status,
      wallSeconds: +r.seconds.toFixed(2),
      models: report.models.map((m) => ({ name: m.name, seconds: +m.seconds.toFixed(2) })),
    };
  });

  it('full review, cold (empty result cache) and warm (the same cache again)', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'iterpin-bench-review-cache-'));
    const out = mkdtempSync(join(tmpdir(), 'iterpin-bench-review-out-'));
    const run = async (): Promise<Record<string, unknown>> => {
      const r = await iterpin(['review', '--json', '--cache-dir', cache, '--out', out]);
      // 0 = every row agrees, 1 = some row disagrees: both are measured reviews; anything else is not.
      if (r.status !== 0 && r.status !== 1) return { measured: false, exitCode: r.status, note: 'not measured: the review did not finish' };
      const report = JSON.parse(r.stdout) as { tlcRuns?: number; cacheHits?: number; ok: boolean };
      return { measured: true, exitCode: r.status, wallSeconds: +r.seconds.toFixed(2), tlcRuns: report.tlcRuns, cacheHits: report.cacheHits, rowsAgree: report.ok };
    };
    const cold = await run();
    const warm = cold.measured === true ? await run() : { measured: false, note: 'not measured: the cold review failed' };
    results.review = {
      target: 'warm at most 5 s; cold no slower than a review without the cache',
      cold,
      warm,
      ...(cold.measured === true && warm.measured === true
        ? { warmOverCold: +((warm.wallSeconds as number) / (cold.wallSeconds as number)).toFixed(4), warmWithinTarget: (warm.wallSeconds as number) <= 5 }
        : {}),
    };
    rmSync(cache, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('sampled behaviours per second per spec (iterpin check --simulate on its final-design sampled model)', async () => {
    // A fixed budget and seed on each spec's sampled final-design model; the seconds are the run's wall time,
    // JVM start and the initial states included (what a user waits for).
    const rows = [];
    for (const [spec, model, behaviours] of [
      ['IovIter', 'MCIovIterSample', 20],
      ['PageLifetime', 'MCPageLifetimeSample', 20],
      ['SpliceRead', 'MCSpliceReadSample', 20],
      ['IterToSg', 'MCIterToSgSample', 2],
    ] as const) {
      const r = await iterpin(['check', '--simulate', '--model', model, '--behaviours', String(behaviours), '--seed', '1', '--jobs', '1', '--json']);
      const row = r.status === 0 ? (JSON.parse(r.stdout) as { models: { seconds: number; got: { sampled?: { behaviours: number; depth: number } } }[] }).models[0] : undefined;
      const sampled = row?.got.sampled;
      if (row === undefined || sampled === undefined || sampled.behaviours === 0) {
        rows.push({ spec, model, measured: false, exitCode: r.status, note: 'not measured: the sampled run did not finish without a violation' });
        continue;
      }
      rows.push({
        spec,
        model,
        measured: true,
        behaviours: sampled.behaviours,
        depth: sampled.depth,
        seconds: +row.seconds.toFixed(2),
        behavioursPerSecond: +(sampled.behaviours / row.seconds).toFixed(2),
      });
    }
    results.sampled = { note: 'wall time of one TLC run, JVM start and the initial states included', specs: rows };
  });

  it('distributed runner against the local runner', async () => {
    const help = await iterpin(['check', '--help']);
    const available = /--runner [^\n]*distributed/.test(help.stdout);
    if (!available) {
      results.distributed = { measured: false, note: 'not measured: this iterpin has no distributed runner (iterpin check --runner distributed)' };
      return;
    }
    // The largest model the distributed runner finishes in a couple of minutes here (RMI per block of states makes
    // it slow for what it is: the deep tier's MCSpliceReadGenDeepRing3 takes far longer); one run of each.
    const model = 'MCPageLifetime';
    const local = await iterpin(['check', '--model', model, '--workers', '2', '--jobs', '1', '--json']);
    const dist = await iterpin(['check', '--runner', 'distributed', '--workers', '2', '--model', model, '--jobs', '1', '--json']);
    if (local.status !== 0 || dist.status !== 0) {
      results.distributed = { measured: false, model, localExitCode: local.status, distributedExitCode: dist.status, note: `not measured: a run exited non-zero (local ${local.status}, distributed ${dist.status})` };
      return;
    }
    const perMinute = (r: { stdout: string }): number => {
      const m = (JSON.parse(r.stdout) as { models: { seconds: number; got: { distinct: number } }[] }).models[0]!;
      return (m.got.distinct / m.seconds) * 60;
    };
    const l = perMinute(local);
    const d = perMinute(dist);
    results.distributed = {
      target: 'distributed within 1.5x of local (distinct states per minute)',
      model,
      measured: true,
      localDistinctPerMinute: Math.round(l),
      distributedDistinctPerMinute: Math.round(d),
      ratio: +(l / d).toFixed(2),
    };
  });

  it('container runner against host runner on the same model', async () => {
    const model = 'MCIovIter';
    const warm = await iterpin(['check', '--runner', 'container', '--model', model, '--json']); // builds the image if needed
    // Three alternating pairs; the medians are compared, so one noisy run does not decide the ratio.
    const hostRuns: { seconds: number; status: number | null }[] = [];
    const containerRuns: { seconds: number; status: number | null }[] = [];
    for (let k = 0; k < 3; k++) {
      hostRuns.push(await iterpin(['check', '--runner', 'host', '--model', model, '--json']));
      containerRuns.push(await iterpin(['check', '--runner', 'container', '--model', model, '--json']));
    }
    const median = (xs: number[]): number => xs.slice().sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
    const host = { seconds: median(hostRuns.map((r) => r.seconds)), status: Math.max(...hostRuns.map((r) => r.status ?? 255)) };
    const container = { seconds: median(containerRuns.map((r) => r.seconds)), status: Math.max(...containerRuns.map((r) => r.status ?? 255)) };
    // A pair is measured only when every run of both runners checked the model (exit 0): a run that failed (e.g.
    // exit 78, no container engine) took the time of its failure, and its ratio would mean nothing.
    const failed = [...hostRuns.map((r) => ['host', r.status] as const), ...containerRuns.map((r) => ['container', r.status] as const)].find(([, st]) => st !== 0);
    results.container = {
      target: 'container within 1.5x of host',
      model,
      warmUpExitCode: warm.status,
      runsEach: 3,
      hostExitCode: host.status,
      containerExitCode: container.status,
      ...(failed === undefined
        ? { measured: true, hostSeconds: +host.seconds.toFixed(2), containerSeconds: +container.seconds.toFixed(2), ratio: +(container.seconds / host.seconds).toFixed(2) }
        : { measured: false, note: `not measured: a ${failed[0]} run exited ${failed[1] ?? 'by a signal'}${failed[0] === 'container' && failed[1] === 78 ? ' (no container engine or image on this machine)' : ''}` }),
    };
  });
});
