// The pipe ring and ITER_PIPE (KERNEL.md §E.1): append_pipe() bookkeeping, the side effects of revert and
// advance, and the reference difference between pipe_get_pages() and the pre-v12 pipe extractor.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createMm, pageFolio, type Mm } from '../../../src/kernel/mm/mm.js';
import {
  allocPipeInfo,
  appendPipe,
  iovIterExtractPipePages,
  iovIterPipe,
  pipeAdvance,
  pipeBuf,
  pipeDiscardFrom,
  pipeGetPages,
  pipeRead,
  pipeRevert,
  pushPage,
  type PipeInodeInfo,
  type PipeIter,
} from '../../../src/kernel/fs/pipe.js';

const PS = 4096;

function setup(maxUsage = 4): { mm: Mm; pipe: PipeInodeInfo } {
  const mm = createMm();
  return { mm, pipe: allocPipeInfo(mm, { maxUsage }) };
}

const refcount = (mm: Mm, page: number): number => pageFolio(mm, page).refcount;
const isFree = (mm: Mm, page: number): boolean => pageFolio(mm, page).free;

/** Bytes held by the buffers the iterator wrote, [startHead, pipe.head). */
function bytesSince(i: PipeIter): number {
  let n = 0;
  for (let h = i.startHead; h < i.pipe.head; h++) n += pipeBuf(i.pipe, h)?.len ?? 0;
  return n;
}

describe('append_pipe', () => {
  it('pushes a fresh page per buffer and decrements count itself', () => {
    const { mm, pipe } = setup();
    const i = iovIterPipe('DEST', pipe, 3 * PS);
    const a = appendPipe(i, PS);
    const b = appendPipe(i, PS);
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(i.count).toBe(PS);
    expect(pipe.head).toBe(2);
    expect(i.head).toBe(1);
    expect(i.lastOffset).toBe(PS);
    expect(a!.page).not.toBe(b!.page);
    expect(refcount(mm, a!.page)).toBe(1);
  });

  it('grows the last anonymous buffer while it has room, then starts a new one', () => {
    const { pipe } = setup();
    const i = iovIterPipe('DEST', pipe, 2 * PS);
    const a = appendPipe(i, 1000)!;
    const b = appendPipe(i, PS)!; // only PS - 1000 fits into the same page
    expect(b.page).toBe(a.page);
    expect(b.offset).toBe(1000);
    expect(b.size).toBe(PS - 1000);
    expect(pipe.head).toBe(1);
    expect(pipeBuf(pipe, 0)?.len).toBe(PS);
    const c = appendPipe(i, 10)!;
    expect(c.page).not.toBe(a.page);
    expect(c.offset).toBe(0);
    expect(pipe.head).toBe(2);
  });

  it('returns null when the pipe is full', () => {
    const { pipe } = setup(1);
    const i = iovIterPipe('DEST', pipe, 2 * PS);
    expect(appendPipe(i, PS)).not.toBeNull();
    expect(appendPipe(i, PS)).toBeNull();
    expect(i.count).toBe(PS);
  });
});

describe('pipe page getters', () => {
  it('pipe_get_pages() gives the caller its own reference per page', () => {
    const { mm, pipe } = setup();
    const i = iovIterPipe('DEST', pipe, 2 * PS);
    const r = pipeGetPages(i, 2 * PS, 8);
    expect(r.ret).toBe(2 * PS);
    expect(r.pages).toHaveLength(2);
    for (const p of r.pages) expect(refcount(mm, p)).toBe(2);
  });

  it('the pre-v12 pipe extractor leaves the pipe buffer as the only reference', () => {
    const { mm, pipe } = setup();
    const i = iovIterPipe('DEST', pipe, 2 * PS);
    const r = iovIterExtractPipePages(i, 2 * PS, 8);
    expect(r.ret).toBe(2 * PS);
    for (const p of r.pages) expect(refcount(mm, p)).toBe(1);
  });

  it('respects maxpages and reports EFAULT when nothing fits', () => {
    const { pipe } = setup(1);
    const i = iovIterPipe('DEST', pipe, 3 * PS);
    const r = pipeGetPages(i, 3 * PS, 8);
    expect(r.ret).toBe(PS); // one slot
    expect(pipeGetPages(i, PS, 8).ret).toBe('EFAULT');
    const j = iovIterPipe('DEST', setup().pipe, 3 * PS);
    expect(pipeGetPages(j, 3 * PS, 2).pages).toHaveLength(2);
  });
});

describe('iov_iter_revert on ITER_PIPE', () => {
  it('releases whole buffers from the head and shrinks the last partial one', () => {
    const { mm, pipe } = setup();
    const i = iovIterPipe('DEST', pipe, 3 * PS);
    const r = iovIterExtractPipePages(i, 3 * PS, 8);
    i.count += PS + 100;
    const released = pipeRevert(i, PS + 100);
    expect(released).toEqual([r.pages[2]]);
    expect(isFree(mm, r.pages[2]!)).toBe(true);
    expect(pipe.head).toBe(2);
    expect(pipeBuf(pipe, 1)?.len).toBe(PS - 100);
    expect(i.head).toBe(1);
    expect(i.lastOffset).toBe(PS - 100);
  });

  it('frees a page a caller still uses when the caller took no reference (the §E.3 mechanism)', () => {
    const { mm, pipe } = setup();
    const i = iovIterPipe('DEST', pipe, PS);
    const got = iovIterExtractPipePages(i, PS, 1);
    i.count += PS;
    pipeRevert(i, PS);
    expect(isFree(mm, got.pages[0]!)).toBe(true);
  });

  it('only drops the pipe reference when the caller holds its own', () => {
    const { mm, pipe } = setup();
    const i = iovIterPipe('DEST', pipe, PS);
    const got = pipeGetPages(i, PS, 1);
    i.count += PS;
    pipeRevert(i, PS);
    expect(isFree(mm, got.pages[0]!)).toBe(false);
    expect(refcount(mm, got.pages[0]!)).toBe(1);
  });
});

describe('pipe_advance, pipe_discard_from, pipe_read', () => {
  it('advance(0) with nothing partial discards everything since start_head', () => {
    const { mm, pipe } = setup();
    pushPage(pipe, mm.zeroPages[0]!, 0, 10); // someone else's buffer before the iterator starts
    const i = iovIterPipe('DEST', pipe, 2 * PS);
    const r = iovIterExtractPipePages(i, 2 * PS, 8);
    i.lastOffset = 0;
    pipeAdvance(i, 0);
    expect(pipe.head).toBe(1);
    for (const p of r.pages) expect(isFree(mm, p)).toBe(true);
  });

  it('advance(n) keeps n bytes from the iterator position and discards the buffers after them', () => {
    const { mm, pipe } = setup();
    const i = iovIterPipe('DEST', pipe, 3 * PS);
    const r = iovIterExtractPipePages(i, 3 * PS, 8);
    // Rewind the position to the first buffer, as a caller that wants to keep only part of what it reserved.
    i.head = 0;
    i.lastOffset = 0;
    i.count = 3 * PS;
    pipeAdvance(i, PS + 5);
    expect(pipe.head).toBe(2);
    expect(pipeBuf(pipe, 1)?.len).toBe(5);
    expect(isFree(mm, r.pages[2]!)).toBe(true);
    expect(i.count).toBe(2 * PS - 5);
  });

  it('pipe_discard_from releases back to the given index', () => {
    const { mm, pipe } = setup();
    const i = iovIterPipe('DEST', pipe, 3 * PS);
    const r = iovIterExtractPipePages(i, 3 * PS, 8);
    pipeDiscardFrom(pipe, 1);
    expect(pipe.head).toBe(1);
    expect(r.pages.map((p) => isFree(mm, p))).toEqual([false, true, true]);
  });

  it('a reader releases every buffer it empties', () => {
    const { mm, pipe } = setup();
    const i = iovIterPipe('DEST', pipe, 2 * PS);
    const r = iovIterExtractPipePages(i, 2 * PS, 8);
    expect(pipeRead(pipe, PS + 1)).toBe(PS + 1);
    expect(isFree(mm, r.pages[0]!)).toBe(true);
    expect(pipeBuf(pipe, 1)?.len).toBe(PS - 1);
    expect(pipeRead(pipe, 10 * PS)).toBe(PS - 1);
    expect(pipe.tail).toBe(pipe.head);
    expect(isFree(mm, r.pages[1]!)).toBe(true);
  });
});

type Op = { kind: 'append'; size: number } | { kind: 'revert'; size: number } | { kind: 'get'; size: number; ref: boolean };

describe('ITER_PIPE accounting (property)', () => {
  it('law: bytes in the buffers the iterator appended == bytes the iterator consumed; each buffer owns one reference; max_usage holds', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), size: fc.integer({ min: 1, max: 2 * PS }) }),
      fc.record({ kind: fc.constant('revert' as const), size: fc.integer({ min: 0, max: 3 * PS }) }),
      fc.record({ kind: fc.constant('get' as const), size: fc.integer({ min: 1, max: 3 * PS }), ref: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 5 * PS }), fc.array(op, { maxLength: 12 }), (maxUsage, count, ops) => {
        const { mm, pipe } = setup(maxUsage);
        const i = iovIterPipe('DEST', pipe, count);
        const callerRefs = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'append') {
            if (i.count > 0) appendPipe(i, Math.min(o.size, i.count));
          } else if (o.kind === 'get') {
            const r = o.ref ? pipeGetPages(i, o.size, 4) : iovIterExtractPipePages(i, o.size, 4);
            if (o.ref) for (const p of r.pages) callerRefs.set(p, (callerRefs.get(p) ?? 0) + 1);
          } else {
            const u = Math.min(o.size, count - i.count);
            if (u > 0) {
              i.count += u;
              pipeRevert(i, u);
            }
          }
          expect(bytesSince(i)).toBe(count - i.count);
          expect(pipe.head - pipe.tail).toBeLessThanOrEqual(maxUsage);
          for (let h = pipe.tail; h < pipe.head; h++) {
            const b = pipeBuf(pipe, h)!;
            expect(b.len).toBeGreaterThan(0);
            expect(refcount(mm, b.page)).toBe(1 + (callerRefs.get(b.page) ?? 0));
          }
        }
      }),
    );
  });
});
