// Loading spec/manifest.json: the real manifest is valid, and each kind of defect is a typed error naming its place.
import { describe, it, expect } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatManifestError, loadManifest, parseManifest, validateManifest } from '../../src/manifest/load.js';
import { projectRoot } from '../../src/tlc/jar.js';

const good = {
  name: 'MCPipelineBroken',
  spec: 'Pipeline',
  module: 'MCPipeline.tla',
  cfg: 'MCPipelineBroken.cfg',
  variant: 'bug-overfill',
  expect: { result: 'safety', invariant: 'QueueBoundInv' },
  distinct: 22,
  depth: 4,
  purpose: 'test',
};

const withModel = (over: Record<string, unknown>, drop: string[] = []): unknown => {
  const m: Record<string, unknown> = { ...good, ...over };
  for (const k of drop) delete m[k];
  return { version: 1, models: [m] };
};

function invalidAt(doc: unknown): string | undefined {
  const r = validateManifest(doc, 'm.json');
  return r.ok ? undefined : r.error.at;
}

describe('validateManifest', () => {
  it('accepts a well-formed entry and keeps it as typed data', () => {
    const r = validateManifest(withModel({}), 'm.json');
    expect(r).toEqual({ ok: true, value: { version: 1, models: [good] } });
  });

  it('reads a liveness expectation with its property', () => {
    const r = validateManifest(withModel({ expect: { result: 'liveness', property: 'QueueDrainsProp' } }), 'm.json');
    expect(r.ok && r.value.models[0]?.expect).toEqual({ result: 'liveness', property: 'QueueDrainsProp' });
  });

  it('keeps scale only when it is true', () => {
    const r = validateManifest(withModel({ scale: true }), 'm.json');
    expect(r.ok && r.value.models[0]?.scale).toBe(true);
  });

  it('keeps a mutate reason only on a deep-tier model expected to succeed', () => {
    const deep = { scale: true, expect: { result: 'success' }, mutate: 'the only model that injects failures' };
    const r = validateManifest(withModel(deep), 'm.json');
    expect(r.ok && r.value.models[0]?.mutate).toBe('the only model that injects failures');
    expect(invalidAt(withModel({ ...deep, scale: false }))).toBe('models[0].mutate');
    expect(invalidAt(withModel({ ...deep, expect: { result: 'safety', invariant: 'QueueBoundInv' } }))).toBe('models[0].mutate');
    expect(invalidAt(withModel({ ...deep, mutate: true }))).toBe('models[0].mutate');
    expect(invalidAt(withModel({ ...deep, mutate: '' }))).toBe('models[0].mutate');
  });

  it('names the field of each defect', () => {
    expect(invalidAt([])).toBe('(top level)');
    expect(invalidAt({ version: 2, models: [] })).toBe('version');
    expect(invalidAt({ version: 1, models: {} })).toBe('models');
    expect(invalidAt({ version: 1, models: [], extra: 1 })).toBe('extra');
    expect(invalidAt(withModel({ distinct: -1 }))).toBe('models[0].distinct');
    expect(invalidAt(withModel({ distinct: '22' }))).toBe('models[0].distinct');
    expect(invalidAt(withModel({ depth: 1.5 }))).toBe('models[0].depth');
    expect(invalidAt(withModel({ expect: { result: 'liveness' } }))).toBe('models[0].expect.property');
    expect(invalidAt(withModel({ expect: { result: 'liveness', property: 'Not An Id' } }))).toBe('models[0].expect.property');
    expect(invalidAt(withModel({ expect: { result: 'liveness', property: 'P', invariant: 'I' } }))).toBe('models[0].expect.invariant');
    expect(invalidAt(withModel({ expect: { result: 'safety', invariant: 'I', property: 'P' } }))).toBe('models[0].expect.property');
    expect(invalidAt(withModel({ expect: { result: 'deadlock' } }))).toBe('models[0].expect.result');
    expect(invalidAt(withModel({ expect: { result: 'safety' } }))).toBe('models[0].expect.invariant');
    expect(invalidAt(withModel({ expect: { result: 'safety', invariant: 'Not An Id' } }))).toBe('models[0].expect.invariant');
    expect(invalidAt(withModel({ expect: { result: 'success', invariant: 'X' } }))).toBe('models[0].expect.invariant');
    expect(invalidAt(withModel({ name: 'MCOther' }))).toBe('models[0].name');
    expect(invalidAt(withModel({ module: '../etc/passwd.tla' }))).toBe('models[0].module');
    expect(invalidAt(withModel({ cfg: '/abs/MCPipelineBroken.cfg' }))).toBe('models[0].cfg');
    expect(invalidAt(withModel({ module: 'MCPipeline.cfg' }))).toBe('models[0].module');
    expect(invalidAt(withModel({ purpose: '' }))).toBe('models[0].purpose');
    expect(invalidAt(withModel({ scale: 'yes' }))).toBe('models[0].scale');
    expect(invalidAt(withModel({ distnct: 22 }))).toBe('models[0].distnct');
    expect(invalidAt(withModel({}, ['variant']))).toBe('models[0]');
  });

  it('neverFires: action names with a reason each, only for a model expected to succeed', () => {
    const success = { expect: { result: 'success' } };
    const r = validateManifest(withModel({ ...success, neverFires: { Consume: 'no items', 'IV!Extract': 'r', 'Next@12:8': 'r' } }), 'm.json');
    expect(r.ok && r.value.models[0]?.neverFires).toEqual({ Consume: 'no items', 'IV!Extract': 'r', 'Next@12:8': 'r' });
    expect(invalidAt(withModel({ ...success, neverFires: ['Consume'] }))).toBe('models[0].neverFires');
    expect(invalidAt(withModel({ ...success, neverFires: { Consume: '' } }))).toBe('models[0].neverFires.Consume');
    expect(invalidAt(withModel({ ...success, neverFires: { Consume: true } }))).toBe('models[0].neverFires.Consume');
    expect(invalidAt(withModel({ ...success, neverFires: { 'not an action': 'r' } }))).toBe('models[0].neverFires.not an action');
    const onViolation = validateManifest(withModel({ neverFires: { Consume: 'r' } }), 'm.json');
    expect(onViolation.ok === false && formatManifestError(onViolation.error)).toBe(
      'm.json: models[0].neverFires: is only for a model expected to succeed (a violation stops the search early)',
    );
  });

  it('actionsFired is "k/n" with k <= n', () => {
    expect(validateManifest(withModel({ actionsFired: '2/3' }), 'm.json')).toMatchObject({ ok: true, value: { models: [{ actionsFired: '2/3' }] } });
    expect(invalidAt(withModel({ actionsFired: '4/3' }))).toBe('models[0].actionsFired');
    expect(invalidAt(withModel({ actionsFired: 3 }))).toBe('models[0].actionsFired');
    expect(invalidAt(withModel({ actionsFired: '0/0' }))).toBe('models[0].actionsFired');
  });

  it('refuses two entries with the same name', () => {
    const r = validateManifest({ version: 1, models: [good, good] }, 'm.json');
    expect(r.ok === false && r.error.at).toBe('models[1].name');
    expect(r.ok === false && r.error.message).toContain('models[0]');
  });

  it('formats an error as one line with file and place', () => {
    const r = validateManifest(withModel({ distinct: 'x' }), 'spec/manifest.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatManifestError(r.error)).toBe('spec/manifest.json: models[0].distinct: must be a non-negative integer, got "x"');
  });
});

describe('parseManifest and loadManifest', () => {
  it('reports broken JSON as bad-json', () => {
    const r = parseManifest('{"version": 1, "models": [', 'm.json');
    expect(r.ok === false && r.error.kind).toBe('bad-json');
  });

  it('reports a missing file as unreadable', async () => {
    const r = await loadManifest('/no/such/manifest.json');
    expect(r.ok === false && r.error.kind).toBe('unreadable');
  });

  it('with checkFiles, reports a cfg that does not exist', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iterpin-manifest-'));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(withModel({})));
    await writeFile(join(dir, 'MCPipeline.tla'), '');
    const r = await loadManifest(join(dir, 'manifest.json'), { checkFiles: true });
    expect(r.ok === false && r.error.kind).toBe('missing-file');
    expect(r.ok === false && r.error.at).toBe('models[0].cfg');
  });

  it("the project's spec/manifest.json is valid and its files exist", async () => {
    const r = await loadManifest(join(projectRoot(), 'spec', 'manifest.json'), { checkFiles: true });
    expect(r.ok ? 'valid' : formatManifestError(r.error)).toBe('valid');
    expect(r.ok && r.value.models.some((m) => m.name === 'MCPipelineBroken')).toBe(true);
  });
});

describe('sampled models ("sample")', () => {
  const sampled = (sample: unknown, drop: string[] = ['distinct', 'depth']): unknown => withModel({ sample }, drop);
  const message = (doc: unknown): string | undefined => {
    const r = validateManifest(doc, 'm.json');
    return r.ok ? undefined : formatManifestError(r.error);
  };

  it('reads a budget of behaviours or of seconds, with an optional seed, and no distinct or depth', () => {
    const a = validateManifest(sampled({ depth: 20, behaviours: 50 }), 'm.json');
    expect(a.ok && a.value.models[0]).toMatchObject({ sample: { depth: 20, behaviours: 50 } });
    expect(a.ok && 'distinct' in (a.value.models[0] ?? {})).toBe(false);
    const b = validateManifest(sampled({ depth: 7, seconds: 120, seed: 0 }), 'm.json');
    expect(b.ok && b.value.models[0]?.sample).toEqual({ depth: 7, seconds: 120, seed: 0 });
  });

  it('refuses each bad setting, naming its place', () => {
    expect(message(sampled({ depth: 0, behaviours: 5 }))).toBe('m.json: models[0].sample.depth: must be the length of each behaviour, an integer from 1 to 100000, got number 0');
    expect(message(sampled({ depth: 5 }))).toBe('m.json: models[0].sample: must give exactly one of "behaviours" (how many) and "seconds" (how long)');
    expect(message(sampled({ depth: 5, behaviours: 5, seconds: 5 }))).toMatch(/models\[0\]\.sample: must give exactly one of/);
    expect(message(sampled({ depth: 5, behaviours: 1.5 }))).toMatch(/models\[0\]\.sample\.behaviours: must be the number of behaviours, an integer from 1/);
    expect(message(sampled({ depth: 5, seconds: '60' }))).toMatch(/models\[0\]\.sample\.seconds: must be the seconds to sample for/);
    expect(message(sampled({ depth: 5, behaviours: 5, seed: -1 }))).toBe('m.json: models[0].sample.seed: must be a non-negative integer, got number -1');
    expect(message(sampled({ depth: 5, behaviours: 5, runs: 2 }))).toBe('m.json: models[0].sample.runs: is not a sample setting (depth, behaviours, seconds, seed, alsoFinds)');
    expect(message(sampled({ depth: 5, behaviours: 5, alsoFinds: [] }))).toMatch(/models\[0\]\.sample\.alsoFinds: must be a non-empty list of invariant names/);
    expect(message(withModel({ sample: { depth: 5, behaviours: 5, alsoFinds: ['NoLeakInv'] }, expect: { result: 'success' } }, ['distinct', 'depth']))).toBe(
      'm.json: models[0].sample.alsoFinds: is only for a model expected to violate an invariant',
    );
    expect(message(sampled('fast'))).toMatch(/models\[0\]\.sample: must be \{"depth": D, "behaviours": N\}/);
  });

  it('refuses a distinct-state count or a depth on a sampled model, and requires them on every other', () => {
    expect(message(sampled({ depth: 5, behaviours: 5 }, ['depth']))).toMatch(/models\[0\]\.distinct: is not for a sampled model \(a sampled run counts no distinct states/);
    expect(message(sampled({ depth: 5, behaviours: 5 }, ['distinct']))).toMatch(/models\[0\]\.depth: is not for a sampled model/);
    expect(message(withModel({}, ['depth']))).toBe('m.json: models[0]: lacks depth');
  });
});
