// The order in which `iterpin check` starts its models: longest first (recorded wall time, else a guess from the
// manifest), ties in manifest order.
import { describe, expect, it } from 'vitest';
import { longestFirst } from '../../src/cli/check-plan.js';
import type { ManifestModel } from '../../src/manifest/manifest.js';

const model = (name: string, more: Partial<ManifestModel> = {}): ManifestModel =>
  ({ name, spec: 'S', module: 'S.tla', cfg: `${name}.cfg`, variant: 'v', expect: { result: 'success' }, purpose: 'p', ...more }) as ManifestModel;

describe('longestFirst', () => {
  it('starts the models recorded as longest first, whatever their manifest order', () => {
    const ms = [model('A'), model('B'), model('C')];
    const recorded = new Map([['A', { seconds: 2 }], ['B', { seconds: 30 }], ['C', { seconds: 9 }]]);
    expect(longestFirst(ms, recorded).map((m) => m.name)).toEqual(['B', 'C', 'A']);
  });

  it('guesses from the distinct states when nothing was recorded; deep-tier and sampled models count as long', () => {
    const ms = [model('small', { distinct: 10 }), model('big', { distinct: 20_000 }), model('deep', { distinct: 5, scale: true }), model('none')];
    expect(longestFirst(ms, new Map()).map((m) => m.name)).toEqual(['deep', 'big', 'small', 'none']);
  });

  it('keeps the manifest order between equals and never drops or repeats a model', () => {
    const ms = [model('x'), model('y'), model('z')];
    expect(longestFirst(ms, new Map()).map((m) => m.name)).toEqual(['x', 'y', 'z']);
  });
});
