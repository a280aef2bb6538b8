// The check report: comparison of a run with its manifest entry, the exit code, and the text/JSON renderings.
import { describe, it, expect } from 'vitest';
import type { ManifestModel } from '../../src/manifest/manifest.js';
import type { TlcRunResult } from '../../src/tlc/run.js';
import { tlaInt } from '../../src/tla/value.js';
import {
  checkExitCode,
  compareRun,
  modelCoverage,
  renderCheckJson,
  renderCheckText,
  type CheckReport,
  type ModelCheck,
} from '../../src/cli/check-report.js';
import { EXIT } from '../../src/cli/command.js';

const broken: ManifestModel = {
  name: 'MCPipelineBroken',
  spec: 'Pipeline',
  module: 'MCPipeline.tla',
  cfg: 'MCPipelineBroken.cfg',
  variant: 'bug-overfill',
  expect: { result: 'safety', invariant: 'QueueBoundInv' },
  distinct: 22,
  depth: 4,
  purpose: 'p',
};
const fine: ManifestModel = { ...broken, name: 'MCPipeline', cfg: 'MCPipeline.cfg', variant: 'bounded', expect: { result: 'success' }, distinct: 189, depth: 9 };

const states = (n: number): TlcRunResult['trace'] =>
  Array.from({ length: n }, (_, i) => ({ index: i, values: new Map([['x', tlaInt(i)]]) }));

const result = (over: Partial<TlcRunResult>): TlcRunResult => ({
  outcome: 'safety',
  exitCode: 12,
  exitSignal: null,
  invariant: 'QueueBoundInv',
  stats: { generated: 22, distinct: 22, queue: 15 },
  depth: 4,
  trace: states(4),
  problems: [],
  seconds: 0.5,
  logFile: '/o/M.log',
  argv: ['java'],
  ...over,
});

describe('compareRun', () => {
  it('matches when outcome, invariant, distinct states and trace length agree', () => {
    expect(compareRun(broken, result({}), 1)).toMatchObject({ status: 'match', differences: [] });
  });

  it('a success is held against its graph depth', () => {
    const r = result({ outcome: 'success', exitCode: 0, trace: [], stats: { generated: 273, distinct: 189, queue: 0 }, depth: 9 });
    delete (r as { invariant?: string }).invariant;
    expect(compareRun(fine, r, 1).status).toBe('match');
  });

  it('names each difference', () => {
    const c = compareRun(broken, result({ invariant: 'FifoInv', stats: { generated: 30, distinct: 23, queue: 1 }, trace: states(5) }), 1);
    expect(c.status).toBe('mismatch');
    expect(c.differences).toEqual([
      'invariant: expected QueueBoundInv, got FifoInv',
      'distinct states: expected 22, got 23',
      'depth: expected 4, got 5',
    ]);
  });

  it('a success where a violation was expected is a mismatch of the result', () => {
    const c = compareRun(broken, result({ outcome: 'success', exitCode: 0, trace: [], depth: 9 }), 1);
    expect(c.differences[0]).toBe('result: expected safety QueueBoundInv, got success');
  });

  it('with several workers, a violation’s counts are not compared but a success’s distinct count is', () => {
    const c = compareRun(broken, result({ stats: { generated: 40, distinct: 31, queue: 2 }, trace: states(4) }), 2);
    expect(c.status).toBe('match');
    expect(c.compared).toEqual({ distinct: false, depth: false });
    const s = compareRun(fine, result({ outcome: 'success', exitCode: 0, trace: [], stats: { generated: 1, distinct: 188, queue: 0 } }), 2);
    expect(s.status).toBe('mismatch');
  });

  it('timeouts and TLC errors are their own statuses', () => {
    expect(compareRun(broken, result({ outcome: 'timeout', exitCode: null, trace: [] }), 1).status).toBe('timeout');
    const problems = [{ kind: 'parse' as const, message: 'x', file: 'Bad.tla', line: 5, col: 14 }];
    expect(compareRun(broken, result({ outcome: 'error', exitCode: 150, trace: [], problems }), 1)).toMatchObject({ status: 'tlc-error', problems });
  });
});

const model = (over: Partial<ModelCheck>): ModelCheck => ({
  name: 'MCPipelineBroken',
  spec: 'Pipeline',
  variant: 'bug-overfill',
  expect: broken.expect,
  expectDistinct: 22,
  expectDepth: 4,
  status: 'match',
  got: { outcome: 'safety', invariant: 'QueueBoundInv', distinct: 22, generated: 22, depth: 4 },
  differences: [],
  problems: [],
  compared: { distinct: true, depth: true },
  seconds: 0.54,
  itf: '/o/check-x/MCPipelineBroken.itf.json',
  log: '/o/check-x/MCPipelineBroken.log',
  ...over,
});

const report = (models: ModelCheck[]): CheckReport => ({
  runner: 'host',
  workers: 1,
  jobs: 2,
  tlc: { jar: '/j.jar', sha256: 'ab'.repeat(32), pinned: true, version: 'TLC2 Version 2.18 of 20 March 2023' },
  runDir: '/o/check-x',
  models,
  seconds: 1.2,
  writeErrors: [],
  warnings: [],
});

describe('coverage: every action of Next fires in a model expected to succeed', () => {
  const success = result({ outcome: 'success', exitCode: 0, trace: [], stats: { generated: 273, distinct: 189, queue: 0 }, depth: 9 });
  delete (success as { invariant?: string }).invariant;
  const counts = (consume: number) => [
    { name: 'Produce', generated: 124, distinct: 64 },
    { name: 'Consume', generated: consume, distinct: consume },
    { name: 'Terminating', generated: 24, distinct: 0 },
  ];

  it('all fired: a match, with k/n', () => {
    const c = compareRun(fine, success, 1, modelCoverage(fine, counts(124)));
    expect(c).toMatchObject({ status: 'match', coverage: { fired: 3, of: 3, unfired: [], allowed: {} } });
  });

  it('an action that never fired makes the model uncovered, with its own exit code', () => {
    const c = compareRun(fine, success, 1, modelCoverage(fine, counts(0)));
    expect(c).toMatchObject({ status: 'uncovered', differences: [], coverage: { fired: 2, of: 3, unfired: ['Consume'] } });
    const row = model({ name: 'MCPipeline', ...c });
    expect(checkExitCode(report([model({}), row]))).toBe(EXIT.uncovered);
    expect(checkExitCode(report([row, model({ status: 'mismatch' })]))).toBe(EXIT.mismatch);
    const text = renderCheckText(report([row]));
    expect(text).toMatch(/^MCPipeline .* 2\/3 .*✗$/m);
    expect(text).toContain('✗ MCPipeline: action Consume never fired (fix the model, or list it under neverFires with the reason)');
  });

  it('neverFires allows it, with the reason; a stale or unknown entry is a difference', () => {
    const allowed = { ...fine, neverFires: { Consume: 'nothing is ever produced' } };
    expect(compareRun(allowed, success, 1, modelCoverage(allowed, counts(0)))).toMatchObject({ status: 'match', coverage: { allowed: { Consume: 'nothing is ever produced' } } });
    expect(compareRun(allowed, success, 1, modelCoverage(allowed, counts(5))).differences).toEqual(['neverFires: Consume fired (5 times); remove it from neverFires']);
    const unknown = { ...fine, neverFires: { Consumer: 'typo' } };
    expect(compareRun(unknown, success, 1, modelCoverage(unknown, counts(5))).differences).toEqual([
      'neverFires: Consumer is not an action of Next (Produce, Consume, Terminating)',
    ]);
  });

  it("the manifest's actionsFired is compared like a count; a violation's partial coverage is never uncovered", () => {
    const recorded = { ...fine, actionsFired: '3/3' };
    expect(compareRun(recorded, success, 1, modelCoverage(recorded, counts(0))).differences).toEqual(['actions fired: expected 3/3, got 2/3']);
    const c = compareRun(broken, result({}), 1, modelCoverage(broken, counts(0)));
    expect(c.status).toBe('match');
  });
});

describe('checkExitCode', () => {
  it('is 0 only when every model matched', () => {
    expect(checkExitCode(report([model({})]))).toBe(EXIT.ok);
    expect(checkExitCode(report([model({}), model({ status: 'mismatch' })]))).toBe(EXIT.mismatch);
  });

  it('ranks environment over TLC errors over time-outs over mismatches', () => {
    const all = (s: ModelCheck['status'][]): number => checkExitCode(report(s.map((status) => model({ status }))));
    expect(all(['mismatch', 'timeout'])).toBe(EXIT.timeout);
    expect(all(['mismatch', 'timeout', 'tlc-error'])).toBe(EXIT.tlcError);
    expect(all(['environment', 'skipped', 'tlc-error'])).toBe(EXIT.environment);
  });

  it('a result that could not be written makes the run fail even if every model matched', () => {
    expect(checkExitCode({ ...report([model({})]), writeErrors: ['/o/x.itf.json: cannot write (ENOSPC)'] })).toBe(EXIT.cantCreate);
    expect(checkExitCode({ ...report([model({})]), warnings: ['/o/latest: cannot point at /o/x (EPERM)'] })).toBe(EXIT.ok);
  });

  it('an empty run is a success (nothing differs)', () => {
    expect(checkExitCode(report([]))).toBe(EXIT.ok);
  });
});

describe('renderers', () => {
  it('text: a table row per model with ✓/✗ and the place of each problem', () => {
    const text = renderCheckText(
      report([
        model({}),
        model({
          name: 'MCBad',
          status: 'tlc-error',
          got: { outcome: 'error' },
          problems: [{ kind: 'parse', message: 'Encountered "=" ', file: 'Bad.tla', line: 5, col: 14 }],
        }),
        model({ name: 'MCOff', status: 'mismatch', got: { outcome: 'safety', invariant: 'QueueBoundInv', distinct: 23, depth: 4 }, differences: ['distinct states: expected 22, got 23'] }),
      ]),
    );
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^model\s+variant\s+expected\s+got\s+distinct\s+depth\s+actions fired\s+seconds$/);
    expect(lines[1]).toMatch(/^MCPipelineBroken\s+bug-overfill\s+safety QueueBoundInv\s+safety QueueBoundInv\s+22\s+4\s+-\s+0\.5\s+✓$/);
    expect(lines[2]).toMatch(/^MCBad .*TLC error .*✗$/);
    expect(lines[3]).toContain('23 (≠22)');
    expect(text).toContain('✗ MCBad: TLC error: Bad.tla:5:14: Encountered "="');
    expect(text).toContain('✗ MCOff: distinct states: expected 22, got 23');
    expect(text).toContain('3 models: 1 as expected, 2 not');
    expect(text).toContain('results: /o/check-x');
  });

  it('text: paths below the working directory are shown relative to it', () => {
    const text = renderCheckText(report([model({})]), { cwd: '/o' });
    expect(text).toContain('  MCPipelineBroken: counterexample check-x/MCPipelineBroken.itf.json');
    expect(text).toContain('results: check-x\n');
    expect(text).toContain('jar /j.jar sha256');
  });

  it('JSON: the report itself plus the exit code it implies', () => {
    const r = report([model({ status: 'timeout' })]);
    const doc = JSON.parse(renderCheckJson(r)) as Record<string, unknown>;
    expect(doc.exitCode).toBe(EXIT.timeout);
    expect(doc.models).toEqual(JSON.parse(JSON.stringify(r.models)));
  });
});
