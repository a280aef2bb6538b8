// The exact-accounting invariants of spec/IovIter.tla (and the revert and errno rules) bite: for each, a real TLC run of a model that breaks it
// (a bug variant of the manifest, or a test-only cfg or one-line mutation of the spec in a scratch copy) stops
// on exactly that invariant. PageArrayBoundInv's model (bug-bvec-alloc-unchecked, KERNEL.md §G.9) is also
// replayed on the reference implementation. Needs TLC.

import { copyFile, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ManifestModel } from '../../src/manifest/manifest.js';
import { runTlcOnHost } from '../../src/tlc/host.js';
import type { TlcRunResult } from '../../src/tlc/run.js';
import { replay } from '../../src/trace/replay.js';
import { binding } from '../../src/trace/bindings/iov_iter.js';
import { iovIterCfg, manifestModels, pinnedJar, runModel, SPEC, type PinnedJar } from '../tlc-harness.js';

const ALL = [
  'TypeOK', 'ExtractContractInv', 'ExtractCoversStreamInv', 'NoStallInv', 'RevertRestoresInv', 'PositionConsistentInv',
  'ExtractPagesExactInv', 'PageArrayBoundInv', 'AllocFailCleanInv', 'AdvanceRevertInverseInv',
  'RevertWithinConsumedInv', 'ExtractErrnoInv', 'ExtractMaximalInv', 'HistoryRecordsInv',
];

/** A one-line change of IovIter.tla: the text replaced must occur exactly once. */
interface Mutation {
  readonly from: string;
  readonly to: string;
}

interface Case {
  readonly name: string;
  readonly invariant: string;
  readonly why: string;
  readonly variant: string;
  readonly allocs: string;
  readonly invariants: readonly string[];
  readonly mutation?: Mutation;
}

const CASES: readonly Case[] = [
  {
    name: 'kvec extraction that fills one entry more than its bytes touch',
    invariant: 'ExtractPagesExactInv',
    why: 'ExtractContractInv only asks for at least DIV_ROUND_UP(offset0 + ret, PS) entries within maxpages',
    variant: 'v6.6',
    allocs: 'MCAllocsCaller',
    invariants: ALL,
    mutation: {
      from: 'Res(r, "", off, [k \\in 1..n |-> (walk + (k - 1) * PS) \\div PS], AdvanceIt(it1, r), w.cap)',
      to: 'Res(r, "", off, [k \\in 1..Min(n + 1, maxpages) |-> (walk + (k - 1) * PS) \\div PS], AdvanceIt(it1, r), w.cap)',
    },
  },
  {
    name: 'a revert loop that stops one element early (`<` for `<=`), at the end of the element before',
    invariant: 'AdvanceRevertInverseInv',
    why: 'count and stream position are right, so RevertRestoresInv and PositionConsistentInv hold',
    variant: 'v6.6',
    allocs: 'MCAllocsCaller',
    invariants: ALL,
    mutation: {
      from: 'ELSE IF u <= Segs[NSegs - nr].len THEN',
      to: 'ELSE IF u < Segs[NSegs - nr].len \\/ u = 0 THEN',
    },
  },
  {
    name: 'a revert whose walk-off-the-front check stops two elements early',
    invariant: 'RevertWithinConsumedInv',
    why: 'the refused reverts are never taken, so no state after a revert is wrong',
    variant: 'v6.6',
    allocs: 'MCAllocsCaller',
    invariants: ALL,
    mutation: { from: 'IF nr >= NSegs THEN [ok |-> FALSE', to: 'IF nr >= NSegs - 2 THEN [ok |-> FALSE' },
  },
  {
    name: 'a user extraction whose pin got no page reporting -ENOMEM',
    invariant: 'ExtractErrnoInv',
    why: 'nothing was taken and the iterator did not move, which is all the other invariants ask of an error',
    variant: 'v6.6',
    allocs: 'MCAllocsCaller',
    invariants: ALL,
    mutation: { from: 'ELSE IF res = 0 THEN Res(0, "EFAULT"', to: 'ELSE IF res = 0 THEN Res(0, "ENOMEM"' },
  },
  {
    name: 'the v6.12 bvec walk stopping before its second chunk even when that chunk starts a page (§B.5)',
    invariant: 'ExtractMaximalInv',
    why: 'a shorter extraction of well-formed pages: ret, offset0 and the page list agree, and it returned bytes',
    variant: 'v6.12',
    allocs: 'MCAllocsCaller',
    invariants: ALL,
    mutation: { from: 'IN IF w.pages # <<>> /\\ po # 0 THEN w', to: 'IN IF w.pages # <<>> THEN w' },
  },
  {
    name: 'a revert that undid the last move, not marked so in hist',
    invariant: 'HistoryRecordsInv',
    why: 'AdvanceRevertInverseInv then checks no revert at all, and the iterator itself is right',
    variant: 'v6.6',
    allocs: 'MCAllocsCaller',
    invariants: ALL,
    mutation: {
      from: 'THEN [last |-> hist.last, lastMoved |-> 0, undone |-> TRUE]',
      to: 'THEN [last |-> hist.last, lastMoved |-> 0, undone |-> FALSE]',
    },
  },
  {
    name: 'an extraction that records its call and result as not valid',
    invariant: 'HistoryRecordsInv',
    why: 'every extraction invariant reads xtr only when it is valid, so the lost record switches them all off',
    variant: 'v6.6',
    allocs: 'MCAllocsCaller',
    invariants: ALL,
    mutation: { from: "/\\ xtr' = [valid |-> TRUE,", to: "/\\ xtr' = [valid |-> FALSE," },
  },
  {
    name: 'the unchecked v6.12 walker (§G.9) with PageArrayBoundInv left out',
    invariant: 'AllocFailCleanInv',
    why: 'after the failed allocation it returns bytes and a page instead of -ENOMEM',
    variant: 'bug-bvec-alloc-unchecked',
    allocs: 'MCAllocs',
    invariants: ALL.filter((i) => i !== 'PageArrayBoundInv'),
  },
];

let jar: PinnedJar;
let dir: string;
const runs = new Map<string, TlcRunResult>();
let allocModel: ManifestModel | undefined;

beforeAll(async () => {
  jar = await pinnedJar();
  allocModel = (await manifestModels('IovIter')).find((m) => m.name === 'MCIovIterBugBvecAllocUnchecked');
  const spec = await readFile(join(SPEC, 'IovIter.tla'), 'utf8');
  for (const c of CASES) {
    dir = await mkdtemp(join(tmpdir(), 'iterpin-iov-bite-'));
    for (const f of await readdir(SPEC)) if (f.endsWith('.tla') && f !== 'IovIter.tla') await copyFile(join(SPEC, f), join(dir, f));
    let text = spec;
    if (c.mutation !== undefined) {
      const at = spec.indexOf(c.mutation.from);
      if (at < 0 || spec.indexOf(c.mutation.from, at + 1) >= 0) throw new Error(`${c.invariant}: the mutated text is not in IovIter.tla exactly once`);
      text = spec.replace(c.mutation.from, c.mutation.to);
    }
    await writeFile(join(dir, 'IovIter.tla'), text);
    await writeFile(join(dir, 'Bite.cfg'), iovIterCfg(c.variant, c.allocs, c.invariants));
    const r = await runTlcOnHost({ jar: jar.path, specDir: dir, module: 'MCIovIter.tla', cfg: 'Bite.cfg', workers: 1, heap: '512m', timeoutMs: 240_000, logFile: join(dir, 'tlc.log') });
    if (!r.ok) throw new Error(r.error.message);
    runs.set(c.invariant, r.value);
  }
}, 900_000);

describe('each exact-accounting invariant of IovIter bites', () => {
  for (const c of CASES) {
    it(`${c.invariant}: ${c.name} (${c.why})`, () => {
      const r = runs.get(c.invariant)!;
      expect(r.outcome).toBe('safety');
      expect(r.invariant).toBe(c.invariant);
      expect(r.trace.length).toBeGreaterThanOrEqual(2);
    });
  }

  it('PageArrayBoundInv: bug-bvec-alloc-unchecked (§G.9) writes through the NULL array of a failed allocation; replays reproduced', async () => {
    if (allocModel === undefined) throw new Error('MCIovIterBugBvecAllocUnchecked is not in spec/manifest.json');
    expect(allocModel.expect).toEqual({ result: 'safety', invariant: 'PageArrayBoundInv' });
    const { result, trace } = await runModel(jar, allocModel, { timeoutMs: 120_000 });
    expect(result.outcome).toBe('safety');
    expect(result.invariant).toBe('PageArrayBoundInv');
    const report = replay(trace, binding, { variant: 'bug-bvec-alloc-unchecked' });
    expect(report.verdict).toBe('reproduced');
    if (report.verdict === 'reproduced') expect(report.invariant).toBe('PageArrayBoundInv');
    const fixed = replay(trace, binding, { variant: 'v6.12' });
    expect(['diverged', 'not-enabled']).toContain(fixed.verdict);
  }, 240_000);
});
