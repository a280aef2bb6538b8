// The host runner's process handling, with stand-in `java` programs instead of a JVM: output streaming and
// classification, the process-group kill at the time limit, JVM errors on stderr, cut-off output, missing java.
import { describe, it, expect } from 'vitest';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTlcOnHost, type HostRunOptions } from '../../src/tlc/host.js';
import type { TlcProgress } from '../../src/tlc/run.js';
import { tempDir, writeFakeJar } from './fixtures.js';

const M = (code: number, cls: number, body: string): string => `@!@!@STARTMSG ${code}:${cls} @!@!@\n${body}\n@!@!@ENDMSG ${code} @!@!@\n`;

const state = (n: number, items: number[]): string =>
  M(
    2217,
    4,
    [
      n === 1 ? '1: <Initial predicate>' : `${n}: <Produce line 52, col 5 to line 58, col 21 of module Pipeline>`,
      `/\\ queue = <<${items.join(', ')}>>`,
      `/\\ action = ${n === 1 ? '[name |-> "Init"]' : `[name |-> "Produce", item |-> ${items.at(-1)}, depth |-> ${items.length}]`}`,
      '',
    ].join('\n'),
  );

const VIOLATION =
  M(2262, 0, 'TLC2 Version 2.18 of 20 March 2023') +
  M(2110, 1, 'Invariant QueueBoundInv is violated.') +
  M(2121, 1, 'The behavior up to this point is:') +
  state(1, []) +
  state(2, [1]) +
  state(3, [1, 2]) +
  M(2200, 0, 'Progress(3) at 2026-11-25 17:03:09: 9 states generated (531 s/min), 8 distinct states found (500 ds/min), 5 states left on queue.') +
  M(2199, 0, '9 states generated, 8 distinct states found, 5 states left on queue.') +
  M(2194, 0, 'The depth of the complete state graph search is 3.') +
  M(2186, 0, 'Finished in 25ms at (2026-11-25 17:03:09)');

/** 'gone', or the state letter from /proc (a killed child whose parent died may linger as a zombie, 'Z'). */
async function processState(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat === undefined ? 'gone' : (/\) (\S)/.exec(stat)?.[1] ?? '?');
}

/** A directory with a jar stand-in and a `java` shell script with the given body. */
async function fakeJava(body: string): Promise<{ dir: string; opts: HostRunOptions }> {
  const dir = await tempDir('iterpin-host-');
  const java = join(dir, 'java');
  await writeFile(java, `#!/bin/sh\n${body}\n`);
  await chmod(java, 0o755);
  const jar = await writeFakeJar(dir, 'tla2tools.jar');
  return {
    dir,
    opts: { java, jar, specDir: dir, module: 'MCPipeline.tla', cfg: 'MCPipelineBroken.cfg', workers: 1, heap: '64m', timeoutMs: 20_000, logFile: join(dir, 'run.log') },
  };
}

describe('runTlcOnHost with a stand-in java', () => {
  it('streams the output to the log, reports progress, and classifies a violation with its trace', async () => {
    const { dir, opts } = await fakeJava(`cat "${'$'}(dirname "$0")/out.txt"; exit 12`);
    await writeFile(join(dir, 'out.txt'), VIOLATION);
    const progress: TlcProgress[] = [];
    const r = await runTlcOnHost({ ...opts, onProgress: (p) => progress.push(p) });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ outcome: 'safety', exitCode: 12, invariant: 'QueueBoundInv', stats: { generated: 9, distinct: 8, queue: 5 }, depth: 3 });
    expect(r.value.trace.map((s) => s.header?.name)).toEqual(['Initial predicate', 'Produce', 'Produce']);
    expect(progress).toEqual([{ generated: 9, distinct: 8, queue: 5, depth: 3, perMinute: 531, distinctPerMinute: 500 }]);
    expect(await readFile(opts.logFile, 'utf8')).toBe(VIOLATION);
  });

  it('passes the argv from the builder and runs in the spec directory', async () => {
    const { dir, opts } = await fakeJava('pwd > "$(dirname "$0")/cwd.txt"; for a in "$@"; do echo "$a"; done > "$(dirname "$0")/argv.txt"; exit 0');
    const r = await runTlcOnHost(opts);
    expect(r.ok).toBe(true);
    const argv = (await readFile(join(dir, 'argv.txt'), 'utf8')).trimEnd().split('\n');
    expect(argv.slice(0, 3)).toEqual(['-Xmx64m', '-XX:+UseParallelGC', '-XX:TieredStopAtLevel=1']);
    const cp = argv.indexOf('-cp');
    expect(argv.slice(cp, cp + 9)).toEqual(['-cp', opts.jar, 'tlc2.TLC', '-tool', '-workers', '1', '-lncheck', 'final', '-config']);
    expect(argv.at(-1)).toBe('MCPipeline.tla');
    expect((await readFile(join(dir, 'cwd.txt'), 'utf8')).trim()).toBe(dir);
  });

  it('kills the whole process group at the time limit, children included', async () => {
    const { dir, opts } = await fakeJava('sleep 60 & echo $! > "$(dirname "$0")/child.pid"; wait');
    const started = Date.now();
    const r = await runTlcOnHost({ ...opts, timeoutMs: 500 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.ok && r.value.outcome).toBe('timeout');
    const child = Number(await readFile(join(dir, 'child.pid'), 'utf8'));
    await new Promise((res) => setTimeout(res, 200));
    expect(await processState(child)).toMatch(/^(gone|Z)$/);
  });

  it('a JVM that fails before TLC starts is an error carrying its stderr line', async () => {
    const { opts } = await fakeJava('echo "Error: Could not find or load main class tlc2.TLC" >&2; exit 1');
    const r = await runTlcOnHost(opts);
    expect(r.ok && r.value.outcome).toBe('error');
    expect(r.ok && r.value.problems[0]?.message).toBe('TLC exited with code 1: Error: Could not find or load main class tlc2.TLC');
  });

  it('a verdict whose output is cut off mid-trace is an error, never a partial trace', async () => {
    const { dir, opts } = await fakeJava(`cat "${'$'}(dirname "$0")/out.txt"; exit 12`);
    await writeFile(join(dir, 'out.txt'), VIOLATION.slice(0, VIOLATION.indexOf('2: <Produce') + 20));
    const r = await runTlcOnHost(opts);
    expect(r.ok && r.value.outcome).toBe('error');
    expect(r.ok && r.value.trace).toEqual([]);
    expect(r.ok && r.value.problems[0]?.message).toMatch(/^TLC's output could not be read: /);
  });

  it('refuses to overwrite an existing log file', async () => {
    const { opts } = await fakeJava('exit 0');
    await writeFile(opts.logFile, 'an earlier run');
    const r = await runTlcOnHost(opts);
    expect(r.ok === false && r.error.kind).toBe('io');
    expect(await readFile(opts.logFile, 'utf8')).toBe('an earlier run');
  });

  it('java missing from PATH and a missing jar are typed errors', async () => {
    const { dir, opts } = await fakeJava('exit 0');
    const { java: _java, ...noJava } = opts;
    const r = await runTlcOnHost({ ...noJava, env: { PATH: join(dir, 'empty') } });
    expect(r.ok === false && r.error.kind).toBe('java-missing');
    const j = await runTlcOnHost({ ...opts, jar: join(dir, 'none.jar') });
    expect(j.ok === false && j.error.kind).toBe('jar-missing');
  });

  it('an aborted run is stopped and reported as an error', async () => {
    const { opts } = await fakeJava('sleep 30');
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 200);
    const r = await runTlcOnHost({ ...opts, signal: stop.signal });
    expect(r.ok && r.value.outcome).toBe('error');
  });
});
