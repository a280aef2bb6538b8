// The parts of a mutation run that make a long run affordable, without TLC: the slice a --shard takes, the order
// the models run in on a mutant, the results journal an interrupted run resumes from, and the key it is read by.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finalModels, modelOrder, type MutantResult, readJournal, shardOf, specFingerprint } from '../../src/mutate/run.js';
import { parseManifest } from '../../src/manifest/load.js';

const specDir = join(import.meta.dirname, '..', '..', 'spec');

describe('--shard I/N', () => {
  it('takes every N-th mutant from the I-th, and the N slices together are the selection, each once', () => {
    const items = Array.from({ length: 11 }, (_, k) => k);
    expect(shardOf(items, { index: 1, count: 4 })).toEqual([0, 4, 8]);
    expect(shardOf(items, { index: 4, count: 4 })).toEqual([3, 7]);
    const union = [1, 2, 3, 4].flatMap((index) => shardOf(items, { index, count: 4 }));
    expect(union.sort((a, b) => a - b)).toEqual(items);
  });
});

describe('the order the models run in on a mutant', () => {
  const models = [
    { name: 'slow', seconds: 20 },
    { name: 'cheap', seconds: 2 },
    { name: 'mid', seconds: 5 },
  ];
  it('is cheapest first before any mutant has run', () => {
    expect(modelOrder(models, new Map(), new Map()).map((m) => m.name)).toEqual(['cheap', 'mid', 'slow']);
  });
  it('puts a model that kills often ahead of a cheaper one that rarely does', () => {
    // cheap: 2 s, no kill in 40 tries -> 2·42/1 = 84; mid: 5 s, 9 kills in 10 tries -> 5·12/10 = 6; slow: 20·2/1 = 40.
    const tries = new Map([
      ['cheap', 40],
      ['mid', 10],
    ]);
    const kills = new Map([
      ['cheap', 0],
      ['mid', 9],
    ]);
    expect(modelOrder(models, tries, kills).map((m) => m.name)).toEqual(['mid', 'slow', 'cheap']);
  });
});

describe('the results journal', () => {
  const result = (id: string, status: MutantResult['status']): MutantResult => ({
    id,
    operator: 'drop-conjunct',
    definition: 'Produce',
    line: 1,
    col: 1,
    before: 'a',
    after: 'TRUE',
    status,
    seconds: 1,
  });
  const line = (spec: string, fingerprint: string, r: MutantResult): string => JSON.stringify({ spec, fingerprint, result: r });
  const dir = mkdtempSync(join(tmpdir(), 'iterpin-journal-'));

  it('gives the verdicts by spec, fingerprint and id, the last of a mutant judged twice', async () => {
    const file = join(dir, 'a.jsonl');
    const lines = [
      line('P', 'f1', result('k', 'killed')),
      line('P', 'f1', result('s', 'survived')),
      line('P', 'f1', result('t', 'timeout')),
      line('P', 'f1', result('i', 'invalid')),
      line('P', 'f0', result('k', 'survived')),
      line('P', 'f1', result('t', 'killed')),
    ];
    // An interrupted write leaves the last line cut short: it is skipped.
    writeFileSync(file, `${lines.join('\n')}\n{"spec": "P", "finger`);
    const j = await readJournal(file);
    expect(typeof j).not.toBe('string');
    if (typeof j === 'string') return;
    expect([...j.keys()].sort()).toEqual(['P\u0000f0\u0000k', 'P\u0000f1\u0000i', 'P\u0000f1\u0000k', 'P\u0000f1\u0000s', 'P\u0000f1\u0000t']);
    expect(j.get('P\u0000f1\u0000k')?.status).toBe('killed');
    expect(j.get('P\u0000f0\u0000k')?.status).toBe('survived');
    expect(j.get('P\u0000f1\u0000t')?.status).toBe('killed');
  });

  it('a missing file is an empty journal; a file of other lines is not a journal', async () => {
    const none = await readJournal(join(dir, 'none.jsonl'));
    expect(none instanceof Map && none.size).toBe(0);
    const other = join(dir, 'report.json');
    writeFileSync(other, '{\n  "specs": []\n}\n');
    expect(await readJournal(other)).toMatch(/^line 1 is not a results line/);
  });

  it('is keyed by the modules the models load: an edit of another spec keeps the key, an edit of this one changes it', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'iterpin-fp-'));
    cpSync(specDir, copy, { recursive: true });
    const manifest = parseManifest(readFileSync(join(copy, 'manifest.json'), 'utf8'), 'manifest.json');
    if (!manifest.ok) throw new Error('manifest');
    const models = manifest.value.models.filter((m) => m.spec === 'Pipeline' && m.expect.result === 'success');
    const before = await specFingerprint(copy, 'Pipeline', models);
    writeFileSync(join(copy, 'IovIter.tla'), `${readFileSync(join(copy, 'IovIter.tla'), 'utf8')}\n\\* an edit elsewhere\n`);
    expect(await specFingerprint(copy, 'Pipeline', models)).toBe(before);
    writeFileSync(join(copy, 'Pipeline.tla'), `${readFileSync(join(copy, 'Pipeline.tla'), 'utf8')}\n\\* an edit here\n`);
    expect(await specFingerprint(copy, 'Pipeline', models)).not.toBe(before);
  });
});

describe('the models mutants run on', () => {
  it('are the default tier and the deep models marked mutate; --include-scale adds every deep one', () => {
    const text = readFileSync(join(specDir, 'manifest.json'), 'utf8');
    const m = parseManifest(text, 'spec/manifest.json');
    expect(m.ok).toBe(true);
    if (!m.ok) return;
    const names = (includeScale: boolean, only?: string[]): string[] => finalModels(m.value, 'PageLifetime', includeScale, only).map((x) => x.name).sort();
    expect(names(false)).toEqual(['MCPageLifetime', 'MCPageLifetimeFail', 'MCPageLifetimeGen', 'MCPageLifetimeLive']);
    expect(names(true)).toContain('MCPageLifetimeGenDeepKernel');
    expect(names(false)).not.toContain('MCPageLifetimeGenDeepKernel');
    expect(names(false, ['MCPageLifetimeGenDeepKernel'])).toEqual(['MCPageLifetimeGenDeepKernel']);
    for (const spec of ['IovIter', 'SpliceRead', 'PageLifetime']) {
      const deep = finalModels(m.value, spec, false).filter((x) => x.scale === true);
      expect(deep.length, spec).toBeGreaterThan(0);
      expect(deep.every((x) => x.mutate !== undefined)).toBe(true);
    }
  });
});
