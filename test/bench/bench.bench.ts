// Performance figures for out/bench.json: the TLC-output parser against JSON.parse on the same trace as ITF,
// replay steps per second, the wall time of the default `iterpin check`, and the container runner against the
// host runner on one model. Measurements only: nothing here asserts on time.

import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseToolOutput } from '../../src/tlc/toolstream.js';
import { parseItfText, writeItf } from '../../src/tla/itf.js';
import { printTla } from '../../src/tla/print.js';
import type { Trace, TraceState } from '../../src/trace/trace.js';
import { loadBinding } from '../../src/trace/bindings/index.js';
import { replay } from '../../src/trace/replay.js';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'traces');
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };

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

/** The same trace as TLC prints it with -tool: one 2217 message per state. */
function asToolOutput(trace: Trace): string {
  const out: string[] = ['@!@!@STARTMSG 2262:0 @!@!@', 'TLC2 Version 2.18 of 20 March 2023', '@!@!@ENDMSG 2262 @!@!@'];
  out.push('@!@!@STARTMSG 2110:1 @!@!@', `Invariant ${trace.meta.invariant ?? 'Inv'} is violated.`, '@!@!@ENDMSG 2110 @!@!@');
  for (const s of trace.states) {
    out.push('@!@!@STARTMSG 2217:4 @!@!@');
    out.push(s.index === 0 ? '1: <Initial predicate>' : `${s.index + 1}: <Step line 10, col 1 to line 20, col 30 of module Bench>`);
    for (const v of [...s.values.keys()].sort()) out.push(`/\\ ${v} = ${printTla(s.values.get(v)!)}`);
    out.push('', '@!@!@ENDMSG 2217 @!@!@');
  }
  return `${out.join('\n')}\n`;
}

/** Median wall time in ms of fn over enough repetitions to last about `budgetMs`. */
function timeIt(fn: () => void, budgetMs: number): number {
  fn(); // warm-up
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 5 || (performance.now() - start < budgetMs && samples.length < 200)) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

function iterpin(args: string[]): { seconds: number; status: number | null; stdout: string } {
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'bin', 'iterpin.js'), ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { seconds: (performance.now() - t) / 1000, status: r.status, stdout: r.stdout };
}

describe('bench', () => {
  afterAll(() => {
    mkdirSync(join(root, 'out'), { recursive: true });
    const tmp = join(root, 'out', `.bench.json.${process.pid}`);
    writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
    renameSync(tmp, join(root, 'out', 'bench.json'));
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  });

  it('TLC -tool output parser against JSON.parse on the same trace as ITF', () => {
    const template = loadFixture('MCSpliceReadPipeExtractNoRefCorruption.itf.json');
    const rows = [];
    for (const n of [10, 1_000, 100_000]) {
      const trace = stretch(template, n);
      const tool = asToolOutput(trace);
      const itf = writeItf(trace);
      const check = parseToolOutput(tool);
      expect(check.ok && check.value.trace.length === n).toBe(true);
      const budget = n >= 100_000 ? 20_000 : 3_000;
      const parseMs = timeIt(() => void parseToolOutput(tool), budget);
      const jsonMs = timeIt(() => void JSON.parse(itf), budget);
      const itfDecodeMs = timeIt(() => void parseItfText(itf), budget);
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

  it('replay steps per second', async () => {
    const names = readdirSync(fixtures).filter((f) => f.endsWith('.itf.json'));
    const rows = [];
    let totalSteps = 0;
    let totalMs = 0;
    for (const name of names) {
      const trace = loadFixture(name);
      const binding = await loadBinding(trace.meta.spec ?? '');
      if (binding === undefined) continue;
      let steps = 0;
      const t = performance.now();
      while (performance.now() - t < 1_000) {
        const r = replay(trace, binding, { quiet: true });
        expect(r.verdict).not.toBe('bad-trace');
        steps += trace.states.length;
      }
      const ms = performance.now() - t;
      totalSteps += steps;
      totalMs += ms;
      rows.push({ trace: name, states: trace.states.length, stepsPerSecond: Math.round(steps / (ms / 1000)) });
    }
    results.replay = { target: 'at least 100000 steps/s', stepsPerSecond: Math.round(totalSteps / (totalMs / 1000)), traces: rows };
  });

  it('wall time of the default iterpin check', () => {
    const r = iterpin(['check', '--json']);
    const report = JSON.parse(r.stdout) as { models: { name: string; seconds: number }[] };
    results.check = {
      exitCode: r.status,
      wallSeconds: +r.seconds.toFixed(2),
      models: report.models.map((m) => ({ name: m.name, seconds: +m.seconds.toFixed(2) })),
    };
  });

  it('container runner against host runner on the same model', () => {
    const model = 'MCIovIter';
    const warm = iterpin(['check', '--runner', 'container', '--model', model, '--json']); // builds the image if needed
    const host = iterpin(['check', '--runner', 'host', '--model', model, '--json']);
    const container = iterpin(['check', '--runner', 'container', '--model', model, '--json']);
    results.container = {
      target: 'container within 1.5x of host',
      model,
      warmUpExitCode: warm.status,
      hostSeconds: +host.seconds.toFixed(2),
      containerSeconds: +container.seconds.toFixed(2),
      ratio: +(container.seconds / host.seconds).toFixed(2),
      hostExitCode: host.status,
      containerExitCode: container.status,
    };
  });
});
