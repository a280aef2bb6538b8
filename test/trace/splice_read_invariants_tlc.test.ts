// SpliceRead's bio-lifecycle, errno, progress, DIO I/O and task-locals invariants bite: for each, a real TLC run of a model of the manifest on a
// one-line mutation of spec/SpliceRead.tla (in a scratch copy) stops on exactly that invariant, while every other
// invariant of the model holds up to there. The reference implementation's checker states the same claims.
// Needs TLC.

import { copyFile, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTlcOnHost } from '../../src/tlc/host.js';
import type { TlcRunResult } from '../../src/tlc/run.js';
import { SPLICE_INVARIANTS } from '../../src/kernel/fs/splice_check.js';
import { pinnedJar, SPEC, type PinnedJar } from '../tlc-harness.js';

interface Case {
  readonly name: string;
  readonly invariant: string;
  readonly why: string;
  /** A manifest model whose module and cfg run on the mutated spec. */
  readonly model: string;
  readonly from: string;
  readonly to: string;
}

const CASES: readonly Case[] = [
  {
    name: "copy_splice_read()'s bio built already in flight, so it may complete before it is submitted",
    invariant: 'BioLifecycleInv',
    why: 'its pages and bytes are right, so every accounting invariant holds',
    model: 'MCSpliceRead',
    from: 'flags |-> {"CLONED"}, state |-> "built"',
    to: 'flags |-> {"CLONED"}, state |-> "inflight"',
  },
  {
    name: "copy_splice_read()'s failed allocation reported as -EAGAIN instead of -ENOMEM",
    invariant: 'SpliceErrnoInv',
    why: 'a failed splice that added nothing and holds nothing satisfies every accounting invariant',
    model: 'MCSpliceReadGen',
    from: '!.pc = "done", !.len = len, !.err = "ENOMEM"',
    to: '!.pc = "done", !.len = len, !.err = "EAGAIN"',
  },
  {
    name: "the pipe forms' -EFAULT returned as -ENOMEM instead of -EAGAIN",
    invariant: 'SpliceErrnoInv',
    why: 'pipe_discard_from() still freed what was emitted, so the pipe and the pages are right',
    model: 'MCSpliceReadGenPipeGetPages',
    from: 'IF @ = "EFAULT" THEN "EAGAIN" ELSE @',
    to: 'IF @ = "EFAULT" THEN "ENOMEM" ELSE @',
  },
  {
    name: "the pipe form takes push_anon()'s success for its failure, in a model that injects no allocation failure",
    invariant: 'SpliceErrnoInv',
    why: 'the -EFAULT path discards what was emitted and returns -EAGAIN with nothing held, as a real failure would',
    model: 'MCSpliceReadPipeGetPages',
    from: 'IF nomem = 1',
    to: 'IF nomem = 0',
  },
  {
    name: "copy_splice_read()'s failed bulk allocation reported as a 0-byte read",
    invariant: 'SpliceProgressInv',
    why: 'a splice that returns 0 having read nothing and holding nothing satisfies every accounting and data invariant',
    model: 'MCSpliceReadGen',
    from: '!.pc = "done", !.len = len, !.err = "ENOMEM"',
    to: '!.pc = "done", !.len = len, !.err = "none"',
  },
  {
    name: "a DIO read starting exactly at the sampled i_size maps the blocks past it (DioStart's >= made >)",
    invariant: 'DioIoInv',
    why: 'the revert undoes all it read and the read returns 0, as the early return would',
    model: 'MCSpliceReadGen',
    from: 'IF task.pos >= file.isize THEN "return"',
    to: 'IF task.pos > file.isize THEN "return"',
  },
  {
    name: 'the pipe form builds its ITER_PIPE iterator but stays before the start (pc "idle"), so it starts again and again',
    invariant: 'TaskLocalsInv',
    why: 'the new iterator has consumed nothing and the pipe is untouched, so every ring and data invariant holds',
    model: 'MCSpliceReadPipeGetPages',
    from: '!.pc = "dio", !.len = len]',
    to: '!.pc = "idle", !.len = len]',
  },
  {
    name: "__iomap_dio_rw()'s revert leaves copy_splice_read()'s ITER_BVEC iterator where the mapping loop left it",
    invariant: 'BvecPosInv',
    why: 'the cursor still matches the count, the return value comes from the DIO and the unused pages are released as before',
    model: 'MCSpliceRead',
    from: "iter' = BvecRevert(iter, u)",
    to: "iter' = iter",
  },
];

const MODULES: Record<string, { module: string; cfg: string }> = {
  MCSpliceRead: { module: 'MCSpliceRead.tla', cfg: 'MCSpliceRead.cfg' },
  MCSpliceReadGen: { module: 'MCSpliceReadGen.tla', cfg: 'MCSpliceReadGen.cfg' },
  MCSpliceReadGenPipeGetPages: { module: 'MCSpliceReadGen.tla', cfg: 'MCSpliceReadGenPipeGetPages.cfg' },
  MCSpliceReadPipeGetPages: { module: 'MCSpliceRead.tla', cfg: 'MCSpliceReadPipeGetPages.cfg' },
};

let jar: PinnedJar;
const runs = new Map<string, TlcRunResult>();

beforeAll(async () => {
  jar = await pinnedJar();
  const spec = await readFile(join(SPEC, 'SpliceRead.tla'), 'utf8');
  for (const c of CASES) {
    const at = spec.indexOf(c.from);
    if (at < 0 || spec.indexOf(c.from, at + 1) >= 0) throw new Error(`${c.name}: the mutated text is not in SpliceRead.tla exactly once`);
    const dir = await mkdtemp(join(tmpdir(), 'iterpin-splice-bite-'));
    for (const f of await readdir(SPEC)) if ((f.endsWith('.tla') || f.endsWith('.cfg')) && f !== 'SpliceRead.tla') await copyFile(join(SPEC, f), join(dir, f));
    await writeFile(join(dir, 'SpliceRead.tla'), spec.replace(c.from, c.to));
    const m = MODULES[c.model]!;
    const r = await runTlcOnHost({ jar: jar.path, specDir: dir, module: m.module, cfg: m.cfg, workers: 1, heap: '512m', timeoutMs: 240_000, logFile: join(dir, 'tlc.log') });
    if (!r.ok) throw new Error(r.error.message);
    runs.set(c.name, r.value);
  }
}, 900_000);

describe("SpliceRead's lifecycle, errno, progress, DIO I/O and task-locals invariants bite", () => {
  for (const c of CASES) {
    it(`${c.invariant} on ${c.model}: ${c.name} (${c.why})`, () => {
      const r = runs.get(c.name)!;
      expect(r.outcome).toBe('safety');
      expect(r.invariant).toBe(c.invariant);
      expect(r.trace.length).toBeGreaterThanOrEqual(2);
    });
  }

  it('every SpliceRead cfg checks all five, and the implementation checker states the first four', async () => {
    for (const f of (await readdir(SPEC)).filter((x) => x.startsWith('MCSpliceRead') && x.endsWith('.cfg'))) {
      const cfg = await readFile(join(SPEC, f), 'utf8');
      expect(cfg, f).toMatch(/^ {4}BioLifecycleInv$/m);
      expect(cfg, f).toMatch(/^ {4}SpliceErrnoInv$/m);
      expect(cfg, f).toMatch(/^ {4}SpliceProgressInv$/m);
      expect(cfg, f).toMatch(/^ {4}DioIoInv$/m);
      expect(cfg, f).toMatch(/^ {4}TaskLocalsInv$/m);
    }
    expect(SPLICE_INVARIANTS).toContain('BioLifecycleInv');
    expect(SPLICE_INVARIANTS).toContain('SpliceErrnoInv');
    expect(SPLICE_INVARIANTS).toContain('SpliceProgressInv');
    expect(SPLICE_INVARIANTS).toContain('DioIoInv');
  });
});
