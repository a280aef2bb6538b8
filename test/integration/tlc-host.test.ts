// Real TLC runs on the host JVM: the pipeline self-test models, a syntax error, a cfg error, a time-out, and
// `iterpin check` end to end with its ITF output. Needs java and the pinned jar (`iterpin setup`).
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTlcOnHost } from '../../src/tlc/host.js';
import type { TlcProgress, TlcRunResult } from '../../src/tlc/run.js';
import { projectRoot } from '../../src/tlc/jar.js';
import { ensureJar } from '../../src/tlc/setup.js';
import { parseItfText } from '../../src/tla/itf.js';
import { tlaInt, tlaRecord, tlaSeq, tlaSet, tlaStr } from '../../src/tla/value.js';
import { tlaEqual } from '../../src/tla/equal.js';
import { main } from '../../src/cli/main.js';
import { EXIT } from '../../src/cli/command.js';
import { capture } from '../cli-harness.js';

const SPEC = join(projectRoot(), 'spec');
let jar: string;

beforeAll(async () => {
  const r = await ensureJar({ root: projectRoot(), env: { ...process.env, TLA2TOOLS_JAR: '' }, replaceBad: false });
  if (!r.ok) throw new Error(`the pinned TLC jar is not available: ${r.error.message}`);
  jar = r.value.path;
});

const temp = (p: string): Promise<string> => mkdtemp(join(tmpdir(), p));

async function runHost(specDir: string, module: string, cfg: string, extra: { timeoutMs?: number; onProgress?: (p: TlcProgress) => void } = {}): Promise<TlcRunResult> {
  const out = await temp('iterpin-run-');
  const r = await runTlcOnHost({
    jar,
    specDir,
    module,
    cfg,
    workers: 1,
    heap: '256m',
    timeoutMs: extra.timeoutMs ?? 60_000,
    logFile: join(out, 'tlc.log'),
    ...(extra.onProgress !== undefined ? { onProgress: extra.onProgress } : {}),
  });
  if (!r.ok) throw new Error(`runner did not start TLC: ${r.error.message}`);
  return r.value;
}


describe('host runner on the pipeline self-test', () => {
  it('MCPipeline: success with 189 distinct states at depth 9, the version line and a complete log', async () => {
    const progress: TlcProgress[] = [];
    const r = await runHost(SPEC, 'MCPipeline.tla', 'MCPipeline.cfg', { onProgress: (p) => progress.push(p) });
    expect(r.outcome).toBe('success');
    expect(r.exitCode).toBe(0);
    expect(r.stats?.distinct).toBe(189);
    expect(r.depth).toBe(9);
    expect(r.trace).toEqual([]);
    expect(r.tlcVersion).toBe('TLC2 Version 2.18 of 20 March 2023');
    const cp = r.argv.indexOf('-cp');
    expect(r.argv.slice(1, 4)).toEqual(['-Xmx256m', '-XX:+UseParallelGC', '-XX:TieredStopAtLevel=1']);
    expect(r.argv[cp - 1]).toMatch(/^-Djava\.io\.tmpdir=/);
    expect(r.argv.slice(cp)).toEqual([
      '-cp', jar, 'tlc2.TLC',
      '-tool', '-workers', '1', '-lncheck', 'final', '-config', 'MCPipeline.cfg', '-metadir', expect.any(String), 'MCPipeline.tla',
    ]);
    expect(progress.at(-1)?.distinct).toBe(189);
    const log = await readFile(r.logFile, 'utf8');
    expect(log).toContain('@!@!@STARTMSG 2262:0 @!@!@');
    expect(log).toContain('189 distinct states found');
  });

  it('MCPipelineBroken: QueueBoundInv violated after three Produce steps, with the trace', async () => {
    const r = await runHost(SPEC, 'MCPipeline.tla', 'MCPipelineBroken.cfg');
    expect(r.outcome).toBe('safety');
    expect(r.exitCode).toBe(12);
    expect(r.invariant).toBe('QueueBoundInv');
    expect(r.stats?.distinct).toBe(22);
    expect(r.trace).toHaveLength(4);
    expect(r.trace.map((s) => s.header?.name)).toEqual(['Initial predicate', 'Produce', 'Produce', 'Produce']);
    const last = r.trace[3]?.values;
    expect(last !== undefined && tlaEqual(last.get('queue') ?? tlaSeq([]), tlaSeq([tlaInt(1), tlaInt(2), tlaInt(3)]))).toBe(true);
    expect(last !== undefined && tlaEqual(last.get('pending') ?? tlaSet([]), tlaSet([tlaInt(4)]))).toBe(true);
    const action = tlaRecord({ name: tlaStr('Produce'), item: tlaInt(3), depth: tlaInt(3) });
    expect(last !== undefined && tlaEqual(last.get('action') ?? tlaSeq([]), action)).toBe(true);
  });
});

describe('host runner on broken input', () => {
  it('a syntax error is a parse problem naming the file and line', async () => {
    const dir = await temp('iterpin-bad-');
    await writeFile(join(dir, 'Bad.tla'), ['---- MODULE Bad ----', 'EXTENDS Naturals', 'VARIABLE x', 'Init == x = 0', "Next == x' = x +", 'Spec == Init /\\ [][Next]_x', '===='].join('\n'));
    await writeFile(join(dir, 'Bad.cfg'), 'SPECIFICATION Spec\n');
    const r = await runHost(dir, 'Bad.tla', 'Bad.cfg');
    expect(r.outcome).toBe('error');
    expect(r.exitCode).toBe(150);
    const p = r.problems[0];
    expect(p?.kind).toBe('parse');
    expect(p?.file).toMatch(/Bad(\.tla)?$/);
    expect(p?.line).toBe(5); // the unfinished `Next == x' = x +`
    expect(r.trace).toEqual([]);
  });

  it('a cfg naming an undefined invariant is a config problem', async () => {
    const dir = await temp('iterpin-cfg-');
    await writeFile(join(dir, 'Good.tla'), ['---- MODULE Good ----', 'EXTENDS Naturals', 'VARIABLE x', 'Init == x = 0', "Next == x' = (x + 1) % 3", 'Spec == Init /\\ [][Next]_x', '===='].join('\n'));
    await writeFile(join(dir, 'Good.cfg'), 'SPECIFICATION Spec\nINVARIANT NoSuchInv\n');
    const r = await runHost(dir, 'Good.tla', 'Good.cfg');
    expect(r.outcome).toBe('error');
    expect(r.exitCode).toBe(151);
    expect(r.problems.some((p) => p.kind === 'config' && p.message.includes('NoSuchInv'))).toBe(true);
  });
});

/** A model far too large to finish: two counters, one unbounded; TLC keeps finding new states until killed. */
async function writeHugeModel(dir: string): Promise<void> {
  await writeFile(
    join(dir, 'MCHuge.tla'),
    ['---- MODULE MCHuge ----', 'EXTENDS Naturals', 'VARIABLES x, y', 'Init == x = 0 /\\ y = 0', "Next == x' = x + 1 /\\ y' \\in 0..20", 'Spec == Init /\\ [][Next]_<<x, y>>', 'Small == y <= 20', '===='].join('\n'),
  );
  await writeFile(join(dir, 'MCHuge.cfg'), 'SPECIFICATION Spec\nINVARIANT Small\n');
}

describe('time limit', () => {
  it('kills a run past its limit and reports timeout with no trace', async () => {
    const dir = await temp('iterpin-huge-');
    await writeHugeModel(dir);
    const started = Date.now();
    const r = await runHost(dir, 'MCHuge.tla', 'MCHuge.cfg', { timeoutMs: 2500 });
    expect(r.outcome).toBe('timeout');
    expect(r.exitCode).toBeNull();
    expect(r.trace).toEqual([]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('iterpin check end to end', () => {
  it('--model MCPipelineBroken exits 0 and writes a decodable ITF counterexample with its #meta', async () => {
    const out = await temp('iterpin-out-');
    const stdout = capture();
    const code = await main(['check', '--model', 'MCPipelineBroken', '--out', out, '--json'], {
      stdout: stdout.stream,
      stderr: capture().stream,
      env: { ...process.env, TLA2TOOLS_JAR: '' },
    });
    const report = JSON.parse(stdout.text()) as { runDir: string; exitCode: number; models: { status: string; itf?: string }[] };
    expect(report.models.map((m) => m.status)).toEqual(['match']);
    expect(code).toBe(EXIT.ok);
    expect(report.exitCode).toBe(EXIT.ok);
    expect(await readlink(join(out, 'latest'))).toBe(report.runDir.split('/').at(-1));
    const files = (await readdir(report.runDir)).sort();
    expect(files).toEqual(['MCPipelineBroken.itf.json', 'MCPipelineBroken.log', 'report.json']);
    const itf = parseItfText(await readFile(join(report.runDir, 'MCPipelineBroken.itf.json'), 'utf8'));
    expect(itf.ok).toBe(true);
    if (!itf.ok) return;
    expect(itf.value.meta).toMatchObject({
      format: 'ITF',
      source: 'iterpin check',
      spec: 'Pipeline',
      model: 'MCPipelineBroken',
      variant: 'bug-overfill',
      invariant: 'QueueBoundInv',
      tlcVersion: 'TLC2 Version 2.18 of 20 March 2023',
      jarSha256: 'fc0a7b69b35076b4aeef54228a62fce9ca035f81a19619f5ed3f023f78c803b3',
    });
    expect(itf.value.states).toHaveLength(4);
    expect([...itf.value.vars].sort()).toEqual(['action', 'done', 'pending', 'produced', 'queue']);
    const q = itf.value.states[3]?.values.get('queue');
    expect(q !== undefined && tlaEqual(q, tlaSeq([tlaInt(1), tlaInt(2), tlaInt(3)]))).toBe(true);
  });

  it('a second run writes a new directory and leaves the first untouched', async () => {
    const out = await temp('iterpin-out-');
    const env = { ...process.env, TLA2TOOLS_JAR: '' };
    expect(await main(['check', '--model', 'MCPipeline', '--out', out], { stdout: capture().stream, stderr: capture().stream, env })).toBe(EXIT.ok);
    const first = await readlink(join(out, 'latest'));
    const firstFiles = await readdir(join(out, first));
    const table = capture();
    expect(await main(['check', '--model', 'MCPipeline', '--out', out], { stdout: table.stream, stderr: capture().stream, env })).toBe(EXIT.ok);
    const second = await readlink(join(out, 'latest'));
    expect(second).not.toBe(first);
    expect(await readdir(join(out, first))).toEqual(firstFiles);
    expect(table.text()).toMatch(/^MCPipeline\s+bounded\s+success\s+success\s+189\s+9\s+3\/3\s+\d+\.\d\s+✓$/m);
  });

  it('a manifest expectation that TLC contradicts exits mismatch and names the difference', async () => {
    const dir = await temp('iterpin-spec-');
    for (const f of ['Pipeline.tla', 'MCPipeline.tla', 'MCPipelineBroken.cfg']) await writeFile(join(dir, f), await readFile(join(SPEC, f)));
    const entry = { name: 'MCPipelineBroken', spec: 'Pipeline', module: 'MCPipeline.tla', cfg: 'MCPipelineBroken.cfg', variant: 'bug-overfill', expect: { result: 'safety', invariant: 'FifoInv' }, distinct: 21, depth: 4, purpose: 'wrong on purpose' };
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ version: 1, models: [entry] }));
    const stdout = capture();
    const code = await main(['check', '--manifest', join(dir, 'manifest.json'), '--out', join(dir, 'out')], { stdout: stdout.stream, stderr: capture().stream, env: { ...process.env, TLA2TOOLS_JAR: '' } });
    expect(code).toBe(EXIT.mismatch);
    expect(stdout.text()).toContain('✗ MCPipelineBroken: invariant: expected FifoInv, got QueueBoundInv');
    expect(stdout.text()).toContain('✗ MCPipelineBroken: distinct states: expected 21, got 22');
  });

  it('a spec with a syntax error exits tlcError with the file and line, and no trace file', async () => {
    const dir = await temp('iterpin-spec-');
    await writeFile(join(dir, 'MCBad.tla'), ['---- MODULE MCBad ----', 'VARIABLE x', 'Init == x = ', '===='].join('\n'));
    await writeFile(join(dir, 'MCBad.cfg'), 'INIT Init\nNEXT Init\n');
    const entry = { name: 'MCBad', spec: 'Bad', module: 'MCBad.tla', cfg: 'MCBad.cfg', variant: 'v', expect: { result: 'success' }, distinct: 1, depth: 1, purpose: 'broken on purpose' };
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ version: 1, models: [entry] }));
    const stdout = capture();
    const code = await main(['check', '--manifest', join(dir, 'manifest.json'), '--out', join(dir, 'out')], { stdout: stdout.stream, stderr: capture().stream, env: { ...process.env, TLA2TOOLS_JAR: '' } });
    expect(code).toBe(EXIT.tlcError);
    expect(stdout.text()).toMatch(/✗ MCBad: TLC error: \S*MCBad(\.tla)?:4:\d+: /);
    const latest = await readlink(join(dir, 'out', 'latest'));
    expect((await readdir(join(dir, 'out', latest))).filter((f) => f.endsWith('.itf.json'))).toEqual([]);
  });

  it('a model past its --timeout exits timeout and leaves no trace file', async () => {
    const dir = await temp('iterpin-spec-');
    await writeHugeModel(dir);
    const entry = { name: 'MCHuge', spec: 'Huge', module: 'MCHuge.tla', cfg: 'MCHuge.cfg', variant: 'v', expect: { result: 'success' }, distinct: 1, depth: 1, purpose: 'too big on purpose' };
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ version: 1, models: [entry] }));
    const stdout = capture();
    const code = await main(['check', '--manifest', join(dir, 'manifest.json'), '--out', join(dir, 'out'), '--timeout', '2'], { stdout: stdout.stream, stderr: capture().stream, env: { ...process.env, TLA2TOOLS_JAR: '' } });
    expect(code).toBe(EXIT.timeout);
    expect(stdout.text()).toContain('✗ MCHuge: killed after its time limit');
    const latest = await readlink(join(dir, 'out', 'latest'));
    expect((await readdir(join(dir, 'out', latest))).sort()).toEqual(['MCHuge.log', 'report.json']);
  });
});
