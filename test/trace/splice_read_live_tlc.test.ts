// SpliceRead's liveness properties bite: TLC runs test-only models that take one fairness condition out of
// LiveSpec (the device may stop; nobody reads the pipe) and finds each property violated with a lasso whose
// states show the missing progress; the manifest's liveness models (full fairness) hold. Needs TLC.
import { describe, it, expect, beforeAll } from 'vitest';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TlcRunResult } from '../../src/tlc/run.js';
import type { TlaValue } from '../../src/tla/value.js';
import { pinnedJar, ROOT, runModel, SPEC } from '../tlc-harness.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'splice_read');
const UNFAIR = ['MCSpliceReadNoDevice', 'MCSpliceReadNoReader', 'MCSpliceReadNoReaderPages'] as const;

const runs = new Map<string, TlcRunResult>();

beforeAll(async () => {
  const jar = await pinnedJar();
  const dir = await mkdtemp(join(tmpdir(), 'iterpin-splice-live-'));
  for (const f of ['SpliceRead.tla', 'MCSpliceRead.tla']) await copyFile(join(SPEC, f), join(dir, f));
  await copyFile(join(FIXTURES, 'MCSpliceReadUnfair.tla'), join(dir, 'MCSpliceReadUnfair.tla'));
  for (const name of UNFAIR) {
    await copyFile(join(FIXTURES, `${name}.cfg`), join(dir, `${name}.cfg`));
    const entry = {
      name,
      spec: 'SpliceRead',
      module: 'MCSpliceReadUnfair.tla',
      cfg: `${name}.cfg`,
      variant: 'copy-splice-read',
      expect: { result: 'success' as const },
      distinct: 0,
      depth: 0,
      purpose: 'test-only',
    };
    const { result } = await runModel(jar, entry, { specDir: dir, timeoutMs: 120_000 });
    runs.set(name, result);
  }
}, 400_000);

function field(v: TlaValue | undefined, name: string): TlaValue | undefined {
  return v?.kind === 'record' ? v.fields.find(([k]) => k === name)?.[1] : undefined;
}
const str = (v: TlaValue | undefined): string | undefined => (v?.kind === 'str' ? v.value : undefined);
const last = (name: string): ReadonlyMap<string, TlaValue> => {
  const t = runs.get(name)!.trace;
  return t[t.length - 1]!.values;
};

describe('SpliceRead liveness properties need the progress they claim', () => {
  for (const name of UNFAIR) {
    it(`${name}: TLC reports a liveness violation with a counterexample`, () => {
      const r = runs.get(name)!;
      expect(r.outcome).toBe('liveness');
      expect(r.exitCode).toBe(13);
      expect(r.trace.length).toBeGreaterThan(1);
    });
  }

  it('without device fairness, the behaviour ends with a bio submitted and never completed', () => {
    const bios = last('MCSpliceReadNoDevice').get('bios');
    const states = bios?.kind === 'seq' ? bios.elems.map((b) => str(field(b, 'state'))) : [];
    expect(states).toContain('inflight');
  });

  for (const name of ['MCSpliceReadNoReader', 'MCSpliceReadNoReaderPages'] as const) {
    it(`${name}: without a reader, the splice returned and its buffers stay in the pipe`, () => {
      const s = last(name);
      expect(str(field(s.get('task'), 'pc'))).toBe('done');
      const pipe = s.get('pipe');
      const head = field(pipe, 'head');
      const tail = field(pipe, 'tail');
      expect(head?.kind === 'int' && tail?.kind === 'int' && head.value > tail.value).toBe(true);
    });
  }
});
