// Unit tests of the reference iov_iter: advance/revert arithmetic, each extractor's edge cases (KERNEL.md §A.4,
// §B.3–§B.8) and what each design alternative changes, worked out by hand on 4096-byte and 4-byte pages.

import { describe, expect, it } from 'vitest';
import { iovIterAdvance, iovIterBvec, iovIterDiscard, iovIterIovec, iovIterKvec, iovIterRevert, iovIterUbuf, iovIterXarray } from '../../../src/kernel/lib/iov_iter.js';
import { FOLL_NOFAULT, FOLL_PCI_P2PDMA, FOLL_WRITE, ITER_ALLOW_P2PDMA, iovIterExtractPages, iovIterExtractWillPin, makeUserPinner, VARIANT_OPTIONS } from '../../../src/kernel/lib/iov_iter_extract.js';

const small = { pageSize: 4 };

describe('iov_iter_advance / iov_iter_revert', () => {
  it('advance clamps to count and steps over empty elements at the new position', () => {
    const i = iovIterKvec('DEST', [{ addr: 0, len: 0 }, { addr: 8, len: 3 }, { addr: 20, len: 0 }, { addr: 30, len: 2 }]);
    iovIterAdvance(i, 0);
    expect(i).toMatchObject({ count: 5, cur: 1, nrSegs: 3, iovOffset: 0 });
    iovIterAdvance(i, 3);
    expect(i).toMatchObject({ count: 2, cur: 3, nrSegs: 1, iovOffset: 0 });
    iovIterAdvance(i, 99);
    expect(i).toMatchObject({ count: 0, cur: 4, nrSegs: 0, iovOffset: 0 });
  });

  it('revert steps back over whole elements and lands inside the one that holds the position', () => {
    const i = iovIterBvec('DEST', [{ page: 1, offset: 0, len: 4 }, { page: 7, offset: 2, len: 0 }, { page: 9, offset: 1, len: 3 }]);
    iovIterAdvance(i, 6);
    expect(i).toMatchObject({ count: 1, cur: 2, iovOffset: 2 });
    expect(iovIterRevert(i, 5)).toEqual({ kind: 'ok' });
    expect(i).toMatchObject({ count: 6, cur: 0, nrSegs: 3, iovOffset: 1 });
  });

  it('revert past the start of UBUF or XARRAY is the kernel BUG(), reported as a value', () => {
    const u = iovIterUbuf('DEST', 100, 10);
    iovIterAdvance(u, 3);
    expect(iovIterRevert(u, 4)).toMatchObject({ kind: 'bug' });
    const x = iovIterXarray('SOURCE', { holes: new Set() }, 50, 10);
    iovIterAdvance(x, 2);
    expect(iovIterRevert(x, 2)).toEqual({ kind: 'ok' });
    expect(iovIterRevert(x, 1)).toMatchObject({ kind: 'bug' });
  });

  it('revert before the first element of an array is reported, and revert(0) does nothing', () => {
    const i = iovIterIovec('SOURCE', [{ addr: 0, len: 2 }]);
    expect(iovIterRevert(i, 0)).toEqual({ kind: 'ok' });
    expect(iovIterRevert(i, 1)).toMatchObject({ kind: 'bug' });
  });

  it('revert of more than MAX_RW_COUNT WARNs and leaves the iterator alone', () => {
    const i = iovIterKvec('DEST', [{ addr: 0, len: 2 }]);
    expect(iovIterRevert(i, 0x7ffff001)).toMatchObject({ kind: 'warn' });
    expect(i.count).toBe(2);
  });
});

describe('iov_iter_extract_pages: user-backed iterators pin', () => {
  it('UBUF: pins the pages of the range with FOLL_WRITE for a DEST iterator', () => {
    const pinner = makeUserPinner();
    const i = iovIterUbuf('DEST', 4096 * 3 + 100, 10000);
    const r = iovIterExtractPages(i, 5000, 8, 0, { pinUserPagesFast: pinner.pinUserPagesFast });
    expect(r).toEqual({ ret: 5000, offset0: 100, pages: [3, 4] });
    expect(pinner.calls).toEqual([{ firstPage: 3, nrPages: 2, gupFlags: FOLL_WRITE, result: 2 }]);
    expect(pinner.pinned).toEqual([3, 4]);
    expect(i).toMatchObject({ count: 5000, iovOffset: 5000 });
    expect(iovIterExtractWillPin(i)).toBe(true);
  });

  it('passes FOLL_PCI_P2PDMA and FOLL_NOFAULT, and no FOLL_WRITE for a SOURCE iterator', () => {
    const pinner = makeUserPinner();
    const i = iovIterUbuf('SOURCE', 0, 10, { nofault: true });
    iovIterExtractPages(i, 10, 1, ITER_ALLOW_P2PDMA, { pinUserPagesFast: pinner.pinUserPagesFast });
    expect(pinner.calls[0]?.gupFlags).toBe(FOLL_PCI_P2PDMA | FOLL_NOFAULT);
  });

  it('IOVEC: skips empty iovecs without consuming them and never crosses into the next iovec', () => {
    const i = iovIterIovec('SOURCE', [{ addr: 10, len: 0 }, { addr: 4090, len: 20 }, { addr: 9000, len: 5 }]);
    const r = iovIterExtractPages(i, 100, 8, 0);
    expect(r).toEqual({ ret: 20, offset0: 4090, pages: [0, 1] });
    expect(i).toMatchObject({ count: 5, cur: 2, nrSegs: 1, iovOffset: 0 });
  });

  it('a partial pin returns only what the pinned pages cover, and a pin of nothing returns the errno', () => {
    const pinner = makeUserPinner({ failAfter: 1 });
    const i = iovIterUbuf('DEST', 4000, 9000);
    const r = iovIterExtractPages(i, 9000, 8, 0, { pinUserPagesFast: pinner.pinUserPagesFast });
    expect(r).toEqual({ ret: 96, offset0: 4000, pages: [0] });
    expect(pinner.pinned).toEqual([0]);
    const again = iovIterExtractPages(i, 9000, 8, 0, { pinUserPagesFast: pinner.pinUserPagesFast });
    expect(again).toEqual({ ret: 'EFAULT', offset0: 0, pages: [] });
    expect(i.count).toBe(9000 - 96);
  });
});

describe('iov_iter_extract_pages: kernel-backed iterators list', () => {
  it('count or maxsize 0 returns 0 and writes nothing; DISCARD is -EFAULT', () => {
    expect(iovIterExtractPages(iovIterKvec('DEST', []), 10, 8)).toEqual({ ret: 0, offset0: undefined, pages: [] });
    expect(iovIterExtractPages(iovIterKvec('DEST', [{ addr: 0, len: 5 }]), 0, 8)).toEqual({ ret: 0, offset0: undefined, pages: [] });
    expect(iovIterExtractPages(iovIterDiscard('DEST', 10), 10, 8).ret).toBe('EFAULT');
    expect(iovIterExtractWillPin(iovIterKvec('DEST', []))).toBe(false);
  });

  it('maxpages 0 is -ENOMEM for KVEC and the fixed v6.12 walker; without the §G.9 check the walker writes one entry anyway', () => {
    const k = iovIterKvec('DEST', [{ addr: 5, len: 10 }], 1, 10, small);
    expect(iovIterExtractPages(k, 10, 0).ret).toBe('ENOMEM');
    const bvec = () => iovIterBvec('DEST', [{ page: 7, offset: 1, len: 10 }], 1, 10, small);
    expect(iovIterExtractPages(bvec(), 10, 0, 0, { variant: VARIANT_OPTIONS['v6.12'] })).toEqual({ ret: 'ENOMEM', offset0: undefined, pages: [] });
    const unchecked = { variant: VARIANT_OPTIONS['bug-bvec-alloc-unchecked'] };
    expect(iovIterExtractPages(bvec(), 10, 0, 0, unchecked)).toEqual({ ret: 3, offset0: 1, pages: [7] });
  });

  it('a NULL *pages: the call allocates the entries it needs; a failed allocation is -ENOMEM with nothing taken (§B.2, §G.9)', () => {
    const asked: number[] = [];
    const alloc = (ok: boolean) => ({ kvmallocArray: (n: number) => (asked.push(n), ok) });
    const kvec = iovIterKvec('DEST', [{ addr: 5, len: 10 }], 1, 10, small);
    expect(iovIterExtractPages(kvec, 10, 8, 0, alloc(true))).toEqual({ ret: 10, offset0: 1, pages: [1, 2, 3], cap: 3 });
    const user = iovIterUbuf('DEST', 5, 10, small);
    const pinner = makeUserPinner();
    expect(iovIterExtractPages(user, 10, 8, 0, { ...alloc(false), pinUserPagesFast: pinner.pinUserPagesFast })).toEqual({ ret: 'ENOMEM', offset0: 1, pages: [], cap: 0 });
    expect(pinner.calls).toEqual([]);
    expect(user.count).toBe(10);
    for (const variant of ['v6.6', 'v6.12'] as const) {
      const b = iovIterBvec('DEST', [{ page: 7, offset: 1, len: 10 }], 1, 10, small);
      expect(iovIterExtractPages(b, 10, 8, 0, { ...alloc(false), variant: VARIANT_OPTIONS[variant] }).ret).toBe('ENOMEM');
      expect(b.count).toBe(10);
    }
    const b = iovIterBvec('DEST', [{ page: 7, offset: 1, len: 10 }], 1, 10, small);
    const r = iovIterExtractPages(b, 10, 8, 0, { ...alloc(false), variant: VARIANT_OPTIONS['bug-bvec-alloc-unchecked'] });
    expect(r).toEqual({ ret: 3, offset0: 1, pages: [7], cap: 0 }); // one entry written through the NULL array
    expect(asked).toEqual([3, 3, 3, 3, 3]);
  });

  it('KVEC: the -ENOMEM path still keeps the empty elements it stepped over', () => {
    const k = iovIterKvec('DEST', [{ addr: 0, len: 0 }, { addr: 5, len: 3 }], 2, 3, small);
    expect(iovIterExtractPages(k, 3, 0).ret).toBe('ENOMEM');
    expect(k).toMatchObject({ cur: 1, nrSegs: 1, count: 3 });
  });

  it('BVEC v6.3: one bvec per call, a multi-page bvec listed as consecutive pages', () => {
    const b = iovIterBvec('DEST', [{ page: 10, offset: 3, len: 6 }, { page: 20, offset: 0, len: 4 }], 2, 10, small);
    expect(iovIterExtractPages(b, 32, 8)).toEqual({ ret: 6, offset0: 3, pages: [10, 11, 12] });
    expect(iovIterExtractPages(b, 32, 8)).toEqual({ ret: 4, offset0: 0, pages: [20] });
  });

  it('BVEC v6.12: crosses into the next bvec at a page boundary and stops at an offset', () => {
    const segs = [{ page: 10, offset: 1, len: 3 }, { page: 20, offset: 0, len: 6 }, { page: 30, offset: 0, len: 4 }];
    const b = iovIterBvec('DEST', segs, 3, 13, small);
    const v612 = { variant: VARIANT_OPTIONS['v6.12'] };
    expect(iovIterExtractPages(b, 32, 8, 0, v612)).toEqual({ ret: 9, offset0: 1, pages: [10, 20, 21] });
    expect(iovIterExtractPages(b, 32, 8, 0, v612)).toEqual({ ret: 4, offset0: 0, pages: [30] });
  });

  it('BVEC G.7: with bi_size = maxsize + skip the walker returns more than maxsize', () => {
    const b = iovIterBvec('DEST', [{ page: 10, offset: 0, len: 12 }], 1, 12, small);
    iovIterAdvance(b, 2);
    const r = iovIterExtractPages(b, 3, 8, 0, { variant: VARIANT_OPTIONS['bug-bvec-size-plus-skip'] });
    expect(r).toEqual({ ret: 5, offset0: 2, pages: [10, 11] });
    const b2 = iovIterBvec('DEST', [{ page: 10, offset: 0, len: 12 }], 1, 12, small);
    iovIterAdvance(b2, 2);
    expect(iovIterExtractPages(b2, 3, 8, 0, { variant: VARIANT_OPTIONS['v6.12'] }).ret).toBe(3);
  });

  it('BVEC v6.12 (INFERRED): two empty bvecs at the front make a call return 0 with data left', () => {
    const segs = [{ page: 1, offset: 0, len: 0 }, { page: 2, offset: 0, len: 0 }, { page: 3, offset: 0, len: 4 }];
    const b = iovIterBvec('DEST', segs, 3, 4, small);
    const r = iovIterExtractPages(b, 4, 8, 0, { variant: VARIANT_OPTIONS['v6.12'] });
    expect(r).toEqual({ ret: 0, offset0: 0, pages: [2] });
    expect(b).toMatchObject({ count: 4, cur: 2 }); // advance(0) stepped over the second empty bvec
    const b63 = iovIterBvec('DEST', segs, 3, 4, small);
    expect(iovIterExtractPages(b63, 4, 8).ret).toBe(4);
  });

  it('KVEC v10 offset (bug-kvec-offset): offset0 is skip % PS and the walk starts from iov_base - offset', () => {
    const segs = [{ addr: 5, len: 6 }];
    const fixed = iovIterKvec('DEST', segs, 1, 6, small);
    expect(iovIterExtractPages(fixed, 32, 8)).toEqual({ ret: 6, offset0: 1, pages: [1, 2] });
    const old = iovIterKvec('DEST', segs, 1, 6, small);
    const r = iovIterExtractPages(old, 32, 8, 0, { variant: VARIANT_OPTIONS['bug-kvec-offset'] });
    expect(r).toEqual({ ret: 6, offset0: 0, pages: [1, 2] }); // offset0 0: bytes 4..9 instead of 5..10
  });

  it('G.1: one empty front element makes the loop swallow every element and return 0', () => {
    const k = iovIterKvec('DEST', [{ addr: 0, len: 0 }, { addr: 8, len: 3 }], 2, 3, small);
    const r = iovIterExtractPages(k, 32, 8, 0, { variant: VARIANT_OPTIONS['bug-clobber-maxsize'] });
    expect(r).toEqual({ ret: 0, offset0: undefined, pages: [] });
    expect(k).toMatchObject({ count: 3, nrSegs: 0 });
  });

  it('pre-v7 (bug-no-skip-empty): an empty front element returns 0, or -ENOMEM when it is page aligned', () => {
    const unaligned = iovIterKvec('DEST', [{ addr: 2, len: 0 }, { addr: 8, len: 3 }], 2, 3, small);
    const o = { variant: VARIANT_OPTIONS['bug-no-skip-empty'] };
    expect(iovIterExtractPages(unaligned, 32, 8, 0, o)).toEqual({ ret: 0, offset0: 2, pages: [0] });
    const aligned = iovIterKvec('DEST', [{ addr: 4, len: 0 }, { addr: 8, len: 3 }], 2, 3, small);
    expect(iovIterExtractPages(aligned, 32, 8, 0, o).ret).toBe('ENOMEM');
  });

  it('XARRAY: stops at a hole; a hole at a non-zero offset returns maxsize with no page (G.11)', () => {
    const xa = { holes: new Set([3]) };
    const x = iovIterXarray('SOURCE', xa, 5, 20, small);
    expect(iovIterExtractPages(x, 32, 8)).toEqual({ ret: 7, offset0: 1, pages: [1, 2] });
    const y = iovIterXarray('SOURCE', xa, 13, 5, small);
    expect(iovIterExtractPages(y, 32, 8)).toEqual({ ret: 5, offset0: 1, pages: [] });
  });
});
