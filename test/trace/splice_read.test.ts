// The SpliceRead binding on the checked-in TLC counterexamples (test/fixtures/traces): both replay as
// `reproduced` on pipe-extract-no-ref, stop at a named step on the other variants, and the corruption trace shows
// the whole syzbot path in order; plus the binding's refusals.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseItfText } from '../../src/tla/itf.js';
import { replay, readAction } from '../../src/trace/replay.js';
import type { Trace } from '../../src/tla/trace.js';
import { tlaInt, type TlaValue } from '../../src/tla/value.js';
import { binding } from '../../src/trace/bindings/splice_read.js';
import { projectRoot } from '../../src/tlc/jar.js';

function fixture(model: string): Trace {
  const r = parseItfText(readFileSync(join(projectRoot(), 'test', 'fixtures', 'traces', `${model}.itf.json`), 'utf8'));
  if (!r.ok) throw new Error(`${model}: ${JSON.stringify(r.error)}`);
  return r.value;
}

const NO_REF = fixture('MCSpliceReadPipeExtractNoRef');
const CORRUPTION = fixture('MCSpliceReadPipeExtractNoRefCorruption');

/** Field `path` (dot-separated; numbers index sequences 1-based and functions by key) of a value. */
function at(v: TlaValue | undefined, path: string): TlaValue | undefined {
  for (const part of path.split('.')) {
    if (v === undefined) return undefined;
    const n = /^\d+$/.test(part) ? BigInt(part) : undefined;
    if (v.kind === 'record') v = v.fields.find(([k]) => k === part)?.[1];
    else if (v.kind === 'seq' && n !== undefined) v = v.elems[Number(n) - 1];
    else if (v.kind === 'fn' && n !== undefined) v = v.entries.find(([k]) => k.kind === 'int' && k.value === n)?.[1];
    else return undefined;
  }
  return v;
}
const num = (v: TlaValue | undefined): number | undefined => (v?.kind === 'int' ? Number(v.value) : undefined);
const str = (v: TlaValue | undefined): string | undefined => (v?.kind === 'str' ? v.value : undefined);

describe('replaying the SpliceRead counterexamples', () => {
  it('the NoUseAfterFreeInv trace is reproduced on pipe-extract-no-ref, with the release narrated in kernel terms', () => {
    const report = replay(NO_REF, binding, { variant: 'pipe-extract-no-ref' });
    expect(report.verdict).toBe('reproduced');
    if (report.verdict !== 'reproduced') return;
    expect(report.invariant).toBe('NoUseAfterFreeInv');
    const revert = report.steps[report.step]!;
    expect(revert.action).toMatch(/^DioRevert\(unroll=6144\)$/);
    expect(revert.narration).toContain(
      "pipe_buf_release(buffer 1) → put_page(page 2): refcount 1 → 0; page 2 freed (was pipe's) while bio 2 targets it",
    );
  });

  it('the NoCorruptionInv trace is reproduced on pipe-extract-no-ref: the device writes into the other allocator\'s page', () => {
    const report = replay(CORRUPTION, binding, { variant: 'pipe-extract-no-ref' });
    expect(report.verdict).toBe('reproduced');
    if (report.verdict !== 'reproduced') return;
    expect(report.invariant).toBe('NoCorruptionInv');
    const last = report.steps[report.step]!;
    expect(last.action).toBe('BioComplete(bio=2)');
    expect(last.narration.join('\n')).toMatch(/bio 2 writes into page 2, which is now skb's/);
    // The use-after-free before it is real too, but the model did not check it: narrated, not a divergence.
    expect(report.steps[8]!.violated).toEqual(['NoUseAfterFreeInv']);
  });

  for (const [name, trace] of [['NoUseAfterFreeInv', NO_REF], ['NoCorruptionInv', CORRUPTION]] as const) {
    it(`the ${name} trace is not reproduced on copy-splice-read: it diverges at SpliceStart (step 1)`, () => {
      const report = replay(trace, binding, { variant: 'copy-splice-read' });
      expect(report.verdict).toBe('diverged');
      if (report.verdict !== 'diverged') return;
      expect(report.step).toBe(1);
      expect(report.action).toBe('SpliceStart(len=8192, short=0)');
      expect(report.differences.map((d) => d.path)).toEqual(expect.arrayContaining(['iter.type', 'refcount[1]', 'bvec[1]']));
    });

    it(`the ${name} trace is not reproduced on pipe-get-pages: it diverges at the first Extract (step 4)`, () => {
      const report = replay(trace, binding, { variant: 'pipe-get-pages' });
      expect(report.verdict).toBe('diverged');
      if (report.verdict !== 'diverged') return;
      expect(report.step).toBe(4);
      expect(report.differences.map((d) => d.path)).toEqual(expect.arrayContaining(['refcount[1]']));
    });
  }
});

describe('the NoCorruptionInv counterexample is the syzbot path (KERNEL.md §E.3)', () => {
  it('contains, in order: extraction into a bio without a reference, submit, a revert freeing that page, its reallocation, the completion into it', () => {
    const states = CORRUPTION.states.map((s) => s.values);
    const act = (i: number) => {
      const a = readAction(states[i]!.get('action'));
      if (!a.ok) throw new Error(a.error);
      return a.value;
    };
    const argOf = (i: number, k: string) => num(act(i).args.get(k));
    const find = (from: number, pred: (i: number) => boolean): number => {
      for (let i = from; i < states.length; i++) if (pred(i)) return i;
      return -1;
    };
    // The completing bio and its page, read off the last step.
    const last = states.length - 1;
    expect(act(last).name).toBe('BioComplete');
    const bio = argOf(last, 'bio')!;
    const page = num(at(states[last]!.get('bios'), `${bio}.pages.1`))!;

    const extract = find(1, (i) => act(i).name === 'Extract' && argOf(i, 'bio') === bio);
    expect(extract).toBeGreaterThan(0);
    expect(argOf(extract, 'page')).toBe(page);
    // No reference for the bio: the pipe buffer's is the page's only one, and the bio has no release flag.
    expect(num(at(states[extract]!.get('refcount'), `${page}`))).toBe(1);
    expect(at(states[extract]!.get('bios'), `${bio}.flags`)).toEqual({ kind: 'set', elems: [] });

    const submit = find(extract + 1, (i) => act(i).name === 'Submit' && argOf(i, 'bio') === bio);
    expect(submit).toBeGreaterThan(extract);

    const revert = find(submit + 1, (i) => act(i).name === 'DioRevert');
    expect(revert).toBeGreaterThan(submit);
    expect(num(at(states[revert - 1]!.get('refcount'), `${page}`))).toBe(1);
    expect(num(at(states[revert]!.get('refcount'), `${page}`))).toBe(0);
    expect(str(at(states[revert]!.get('owner'), `${page}`))).toBe('free');
    expect(str(at(states[revert]!.get('bios'), `${bio}.state`))).toBe('inflight');

    const realloc = find(revert + 1, (i) => act(i).name === 'OtherAlloc' && argOf(i, 'page') === page);
    expect(realloc).toBeGreaterThan(revert);
    expect(str(at(states[realloc]!.get('owner'), `${page}`))).toBe('other');

    expect(last).toBeGreaterThan(realloc);
    expect(str(at(states[last]!.get('owner'), `${page}`))).toBe('other');
    expect(str(at(states[last]!.get('content'), `${page}.kind`))).toBe('file');
  });
});

describe('the binding refuses what the implementation cannot do', () => {
  const first = NO_REF.states[0]!.values;

  it('rejects an unknown variant and a first state that is not an initial state', () => {
    expect(binding.init(first, 'v6.5').ok).toBe(false);
    const later = new Map(NO_REF.states[5]!.values);
    const r = binding.init(later, 'pipe-extract-no-ref');
    expect(r.ok).toBe(false);
  });

  it('returns an error, never throws, for a first state whose pipe geometry or sizes no kernel pipe has', () => {
    const withPipe = (fields: Record<string, TlaValue>): Map<string, TlaValue> => {
      const m = new Map(first);
      const pipe = m.get('pipe')!;
      if (pipe.kind !== 'record') throw new Error('pipe is not a record');
      m.set('pipe', { kind: 'record', fields: pipe.fields.map(([k, v]) => [k, fields[k] ?? v] as const) });
      return m;
    };
    const int = (n: number): TlaValue => ({ kind: 'int', value: BigInt(n) });
    const empty: TlaValue = { kind: 'record', fields: [] };
    for (const [state, why] of [
      [withPipe({ maxUsage: int(0), bufs: empty }), /maxUsage is 0/],
      [withPipe({ head: int(5) }), /do not fit a ring of 2/],
      [withPipe({ tail: int(-1) }), /negative/],
    ] as const) {
      const r = binding.init(state, 'copy-splice-read');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(why);
    }
  });

  it('DioWait is not enabled while a bio is in flight', () => {
    const init = binding.init(first, 'pipe-extract-no-ref');
    if (!init.ok) throw new Error(init.error);
    let sys = init.value.state;
    for (const state of NO_REF.states.slice(1)) {
      const a = readAction(state.values.get('action'));
      if (!a.ok) throw new Error(a.error);
      const r = binding.step(sys, a.value);
      if (!r.ok) throw new Error(r.error);
      sys = r.value.state;
    }
    const wait = binding.step(sys, { name: 'DioWait', args: new Map() });
    expect(wait.ok).toBe(false);
    if (!wait.ok) expect(wait.error).toMatch(/waits for bio 1, 2/);
    const read = binding.step(sys, { name: 'PipeRead', args: new Map() });
    expect(read.ok).toBe(false);
  });

  it('a task step out of order is refused with the step the task would take', () => {
    const init = binding.init(first, 'copy-splice-read');
    if (!init.ok) throw new Error(init.error);
    const r = binding.step(init.value.state, { name: 'Extract', args: new Map([['nomem', tlaInt(0)]]) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/next step is to start the splice \(SpliceStart\), not Extract/);
  });
});
