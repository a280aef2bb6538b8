// splice from an O_DIRECT file into a pipe (KERNEL.md §E): the syzbot interleaving run step by step on each
// variant, and copy_splice_read()'s page accounting.
import { describe, it, expect } from 'vitest';
import { checkSplice, violatedSplice } from '../../../src/kernel/fs/splice_check.js';
import {
  completeBio,
  createSpliceSystem,
  otherAlloc,
  quiescent,
  readPipeBuffer,
  taskStep,
  truncate,
  truncateFreeBlocks,
  type SpliceReadVariant,
  type SpliceSystem,
} from '../../../src/kernel/fs/splice.js';
import { pageFolio } from '../../../src/kernel/mm/mm.js';

const PS = 4096;

function ok<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function kind(sys: SpliceSystem): string {
  const r = taskStep(sys);
  if (!r.ok) throw new Error(r.error);
  return r.value.kind;
}

/**
 * §E.3's path: splice 8192 bytes of an 8192-byte file whose size a truncate drops to 2048 before the DIO samples
 * it; both blocks go into bios, the revert unrolls 6144 bytes. Returns the system just after the revert.
 */
function raceToRevert(variant: SpliceReadVariant): SpliceSystem {
  const sys = createSpliceSystem({ variant, fileSize: 8192, spliceLen: 8192, maxUsage: 2, otherMax: 1 });
  expect(kind(sys)).toBe('splice-start');
  ok(truncate(sys, 2048));
  expect(kind(sys)).toBe('dio-start');
  expect(kind(sys)).toBe('extracted');
  expect(kind(sys)).toBe('submitted');
  expect(kind(sys)).toBe('extracted');
  expect(kind(sys)).toBe('submitted');
  const r = taskStep(sys);
  expect(r.ok && r.value.kind === 'reverted' && r.value.unroll).toBe(6144);
  return sys;
}

describe('the syzbot interleaving (KERNEL.md §E.3)', () => {
  it('pipe-extract-no-ref: the revert frees a page bio 2 targets; it is reused and the completion corrupts it', () => {
    const sys = raceToRevert('pipe-extract-no-ref');
    const bio2 = sys.env.bios[1]!;
    const page = bio2.vecs[0]!.page;
    expect(pageFolio(sys.mm, page).free).toBe(true);
    expect(violatedSplice(sys)).toEqual(['NoUseAfterFreeInv']);
    expect(ok(otherAlloc(sys, page))).toBe(page);
    expect(violatedSplice(sys)).toContain('NoUseAfterFreeInv');
    ok(completeBio(sys, 2));
    expect(violatedSplice(sys)).toEqual(['NoCorruptionInv']);
    expect(checkSplice(sys)[0]?.detail).toMatch(/bio 2 wrote into page 2 after it was reallocated \(to skb\)/);
  });

  it('pipe-get-pages: the bio keeps the page alive; the revert only drops the pipe reference', () => {
    const sys = raceToRevert('pipe-get-pages');
    const page = sys.env.bios[1]!.vecs[0]!.page;
    expect(pageFolio(sys.mm, page).refcount).toBe(1);
    expect(violatedSplice(sys)).toEqual([]);
    expect(otherAlloc(sys, page).ok).toBe(false);
    ok(completeBio(sys, 2));
    expect(pageFolio(sys.mm, page).free).toBe(true);
    ok(completeBio(sys, 1));
    expect(kind(sys)).toBe('completed');
    expect(kind(sys)).toBe('returned');
    expect(sys.task.ret).toBe(2048);
    ok(readPipeBuffer(sys));
    expect(quiescent(sys)).toBe(true);
    expect(violatedSplice(sys)).toEqual([]);
  });

  it('copy-splice-read: the revert leaves the ITER_BVEC cursor where len - count says (BvecPosInv), and a cursor off by an element is flagged', () => {
    const sys = raceToRevert('copy-splice-read');
    const it = sys.task.iter;
    if (it === null || it.type !== 'BVEC') throw new Error('expected the ITER_BVEC iterator');
    // 8192 bytes consumed, 6144 unrolled: 2048 bytes into the first element.
    expect([it.cur, it.iovOffset, it.count]).toEqual([0, 2048, 6144]);
    expect(violatedSplice(sys)).toEqual([]);
    // A revert that stepped back one element too far, or not far enough, leaves the cursor off the consumed bytes.
    it.cur = 1;
    expect(checkSplice(sys)).toEqual([{ invariant: 'BvecPosInv', detail: 'bvec iterator at byte 6144, but 2048 bytes were consumed' }]);
    it.iovOffset = 4096;
    expect(checkSplice(sys).map((v) => v.detail)).toContain('bvec iterator offset 4096 outside element 1 (4096 bytes)');
  });

  it('a read that returns less than the bytes before the i_size it sampled is flagged (PipeFileDataInv)', () => {
    const sys = raceToRevert('pipe-get-pages');
    ok(completeBio(sys, 2));
    ok(completeBio(sys, 1));
    expect(kind(sys)).toBe('completed');
    expect(kind(sys)).toBe('returned');
    expect(sys.task.ret).toBe(2048);
    expect(violatedSplice(sys)).toEqual([]);
    // A read short before EOF (a block within i_size left unread) reports fewer bytes than the sampled size allows.
    sys.task.ret = 1024;
    expect(checkSplice(sys).map((v) => v.detail)).toContain('the read returned 1024 bytes, 2048 lay before the i_size it sampled');
  });

  it('bios that do not read the file on from the splice position, or a finished splice without its DIO, are flagged (DioIoInv, SpliceProgressInv)', () => {
    const sys = raceToRevert('pipe-get-pages');
    expect(violatedSplice(sys)).toEqual([]);
    // The second bio reading block 0 again (a DIO whose iomi.pos did not move) breaks the contiguous reads.
    sys.env.bioPos.set(2, 0);
    expect(checkSplice(sys)).toEqual([{ invariant: 'DioIoInv', detail: 'bio 2 reads from 0, the last one stopped at 4096' }]);
    sys.env.bioPos.set(2, 4096);
    ok(completeBio(sys, 2));
    ok(completeBio(sys, 1));
    expect(kind(sys)).toBe('completed');
    expect(kind(sys)).toBe('returned');
    expect(violatedSplice(sys)).toEqual([]);
    // A splice that returns having skipped its DIO (no i_size sampled) is a 0-byte read for nothing.
    sys.task.dio = null;
    expect(checkSplice(sys).map((v) => [v.invariant, v.detail])).toContainEqual(['SpliceProgressInv', 'the splice returned 2048 bytes without a DIO']);
  });

  it('copy-splice-read: the revert moves the ITER_BVEC cursor only; unused pages are released after the read', () => {
    const sys = raceToRevert('copy-splice-read');
    expect(sys.task.bvec.map((b) => pageFolio(sys.mm, b.page).refcount)).toEqual([1, 1]);
    expect(sys.task.iter?.count).toBe(6144);
    expect(violatedSplice(sys)).toEqual([]);
    expect(taskStep(sys).ok).toBe(false); // still waiting for both bios
    ok(completeBio(sys, 2));
    ok(completeBio(sys, 1));
    expect(kind(sys)).toBe('completed');
    expect(kind(sys)).toBe('returned');
    // keep = DIV_ROUND_UP(2048, 4096) = 1 page in the pipe, the other released
    expect(sys.pipe.head - sys.pipe.tail).toBe(1);
    expect(sys.pipe.bufs[0]?.len).toBe(2048);
    expect(pageFolio(sys.mm, 2).free).toBe(true);
    expect(violatedSplice(sys)).toEqual([]);
    ok(readPipeBuffer(sys));
    expect(quiescent(sys)).toBe(true);
    expect(violatedSplice(sys)).toEqual([]);
  });
});

describe('the splice task', () => {
  it('a read at or past the sampled i_size returns 0 at once, without a revert or a wait', () => {
    const sys = createSpliceSystem({ variant: 'pipe-extract-no-ref', fileSize: 4096, spliceLen: 4096, maxUsage: 2 });
    expect(kind(sys)).toBe('splice-start');
    ok(truncate(sys, 0));
    const r = taskStep(sys);
    expect(r.ok && r.value.kind === 'dio-start' && r.value.proceed).toBe(false);
    expect(kind(sys)).toBe('returned');
    expect(sys.task.ret).toBe(0);
    expect(sys.pipe.head).toBe(0);
  });

  it('do_splice_read caps len at the free pipe space', () => {
    const sys = createSpliceSystem({ variant: 'copy-splice-read', fileSize: 3 * PS, spliceLen: 3 * PS, maxUsage: 2 });
    expect(kind(sys)).toBe('splice-start');
    expect(sys.task.len).toBe(2 * PS);
    expect(sys.task.bvec).toHaveLength(2);
  });

  it('truncate frees blocks only when no direct I/O is in flight', () => {
    const sys = createSpliceSystem({ variant: 'pipe-get-pages', fileSize: 2 * PS, spliceLen: 2 * PS, maxUsage: 2 });
    kind(sys);
    kind(sys); // dio-start: inode_dio_begin
    ok(truncate(sys, 100));
    expect(truncateFreeBlocks(sys).ok).toBe(false);
    expect(sys.inode.mapped).toBe(2 * PS);
  });

  it('the reader waits for the splice to drop the pipe lock', () => {
    const sys = createSpliceSystem({ variant: 'pipe-get-pages', fileSize: PS, spliceLen: PS, maxUsage: 2 });
    kind(sys);
    kind(sys);
    kind(sys);
    expect(readPipeBuffer(sys).ok).toBe(false);
  });
});
