// `iterpin check` up to the point where TLC would start: usage errors, model selection, a bad manifest, a
// jar with the wrong hash, and a missing java, each with its own exit code and one clear message.
import { describe, it, expect } from 'vitest';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { EXIT } from '../../src/cli/command.js';
import { selectModels } from '../../src/cli/check.js';
import { CACHE_ENV, PINNED_JAR_NAME } from '../../src/tlc/jar.js';
import type { ManifestModel } from '../../src/manifest/manifest.js';
import { capture } from '../cli-harness.js';


async function check(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; out: string; err: string }> {
  const out = capture();
  const err = capture();
  const code = await main(['check', ...args], { stdout: out.stream, stderr: err.stream, env: { ...env, TLA2TOOLS_JAR: '' } });
  return { code, out: out.text(), err: err.text() };
}

const m = (name: string, spec: string, scale?: boolean): ManifestModel => ({
  name,
  spec,
  module: `MC${spec}.tla`,
  cfg: `${name}.cfg`,
  variant: 'v',
  expect: { result: 'success' },
  distinct: 1,
  depth: 1,
  purpose: 'p',
  ...(scale === true ? { scale } : {}),
});

const all = [m('MCA', 'A'), m('MCABug', 'A'), m('MCB', 'B'), m('MCBBig', 'B', true)];

describe('selectModels', () => {
  it('defaults to every model that is not marked scale', () => {
    const r = selectModels(all, { models: [], includeScale: false });
    expect(r.ok && r.value.map((x) => x.name)).toEqual(['MCA', 'MCABug', 'MCB']);
  });

  it('--include-scale adds the scale models; naming a scale model runs it', () => {
    const r = selectModels(all, { models: [], includeScale: true });
    expect(r.ok && r.value.length).toBe(4);
    const named = selectModels(all, { models: ['MCBBig'], includeScale: false });
    expect(named.ok && named.value.map((x) => x.name)).toEqual(['MCBBig']);
  });

  it('--spec narrows to one spec', () => {
    const r = selectModels(all, { models: [], spec: 'A', includeScale: false });
    expect(r.ok && r.value.map((x) => x.name)).toEqual(['MCA', 'MCABug']);
  });

  it('an unknown model name lists the valid ones', () => {
    const r = selectModels(all, { models: ['MCA', 'MCNope'], includeScale: false });
    expect(r).toEqual({ ok: false, message: "unknown model 'MCNope'; valid names: MCA, MCABug, MCB, MCBBig" });
  });

  it('an unknown spec lists the specs', () => {
    const r = selectModels(all, { models: [], spec: 'C', includeScale: false });
    expect(r).toEqual({ ok: false, message: "unknown spec 'C'; the manifest has: A, B" });
  });
});

describe('iterpin check before TLC starts', () => {
  it('an unknown model exits usage and names the valid models', async () => {
    const r = await check(['--model', 'MCNoSuchModel']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/^iterpin check: unknown model 'MCNoSuchModel'; valid names: .*MCPipelineBroken/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('bad option values exit usage', async () => {
    expect((await check(['--workers', '0'])).code).toBe(EXIT.usage);
    expect((await check(['--jobs', 'x'])).code).toBe(EXIT.usage);
    expect((await check(['--timeout', '-5'])).code).toBe(EXIT.usage);
    expect((await check(['--runner', 'vm'])).code).toBe(EXIT.usage);
    expect((await check(['--heap', '1 g'])).code).toBe(EXIT.usage);
    expect((await check(['--frobnicate'])).code).toBe(EXIT.usage);
  });

  it('an invalid manifest exits badInput naming the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iterpin-check-'));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ version: 1, models: [{ name: 'MCX' }] }));
    const r = await check(['--manifest', join(dir, 'manifest.json')]);
    expect(r.code).toBe(EXIT.badInput);
    expect(r.err).toContain('models[0]');
  });

  it('a missing manifest exits noInput', async () => {
    expect((await check(['--manifest', '/no/such/manifest.json'])).code).toBe(EXIT.noInput);
  });

  it('a cached jar with the wrong hash exits untrustedJar before any run directory is made', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'iterpin-cache-'));
    const out = await mkdtemp(join(tmpdir(), 'iterpin-out-'));
    await writeFile(join(cache, PINNED_JAR_NAME), 'not the pinned jar');
    const r = await check(['--model', 'MCPipeline', '--out', out], { ...process.env, [CACHE_ENV]: cache });
    expect(r.code).toBe(EXIT.untrustedJar);
    expect(r.err).toMatch(/^iterpin check: .*sha256 [0-9a-f]{64} differs from the pinned [0-9a-f]{64}; refusing to run it; run 'iterpin setup' to fetch it again\n$/);
    expect(await readdir(out)).toEqual([]);
  });

  it('missing java exits environment with one message, and nothing is written', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'iterpin-path-'));
    const out = await mkdtemp(join(tmpdir(), 'iterpin-out-'));
    const r = await check(['--model', 'MCPipelineBroken', '--out', out], { ...process.env, PATH: empty });
    expect(r.code).toBe(EXIT.environment);
    expect(r.err).toMatch(/^iterpin check: java not found on PATH[^\n]*\n$/);
    expect(r.out).toBe('');
    expect(await readdir(out)).toEqual([]);
  });
});
