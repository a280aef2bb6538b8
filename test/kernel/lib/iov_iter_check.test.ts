// The implementation's checker states IovIter's exact-accounting rules: each new rule flags a hand-made state that
// breaks it (and only it), and passes the state the reference implementation really reaches.

import { describe, expect, it } from 'vitest';
import { iovIterBvec, iovIterClone, iovIterKvec, iovIterUbuf } from '../../../src/kernel/lib/iov_iter.js';
import { VARIANT_OPTIONS } from '../../../src/kernel/lib/iov_iter_extract.js';
import { startMonitor, stepMonitor, violatedInvariants, type Monitored } from '../../../src/kernel/lib/iov_iter_check.js';

const small = { pageSize: 4 };
const v66 = VARIANT_OPTIONS['v6.6'];
const v612 = VARIANT_OPTIONS['v6.12'];

/** The state after one extraction, with its result replaced. */
function withResult(m: Monitored, change: (r: { ret: number; offset0: number | undefined; pages: number[] }) => object): Monitored {
  if (m.last.op !== 'extract') throw new Error('not an extraction');
  const r = m.last.result as { ret: number; offset0: number | undefined; pages: number[] };
  return { ...m, last: { ...m.last, result: { ...r, ...change(r) } } };
}

describe('IovIter checker: exact accounting', () => {
  const kvec = () => startMonitor(iovIterKvec('DEST', [{ addr: 5, len: 6 }], 1, 6, small));

  it('ExtractPagesExactInv: an extra entry, or a wrong one, is flagged; the real extraction is clean', () => {
    const m = stepMonitor(kvec(), { name: 'Extract', maxsize: 32, maxpages: 3 }, v66);
    expect(m.last.op === 'extract' && m.last.result).toEqual({ ret: 6, offset0: 1, pages: [1, 2] });
    expect(violatedInvariants(m, v66)).toEqual([]);
    expect(violatedInvariants(withResult(m, (r) => ({ pages: [...r.pages, 3] })), v66)).toEqual(['ExtractPagesExactInv']);
    expect(violatedInvariants(withResult(m, () => ({ pages: [1, 7] })), v66)).toContain('ExtractPagesExactInv');
  });

  it('ExtractPagesExactInv: the v6.12 trailing entry of an empty bvec after a page-aligned end is the one allowed extra', () => {
    const segs = [
      { page: 1, offset: 1, len: 3 },
      { page: 5, offset: 0, len: 0 },
      { page: 6, offset: 2, len: 2 },
    ];
    const m = stepMonitor(startMonitor(iovIterBvec('DEST', segs, 3, 5, small)), { name: 'Extract', maxsize: 32, maxpages: 3 }, v612);
    expect(m.last.op === 'extract' && m.last.result).toEqual({ ret: 3, offset0: 1, pages: [1, 5] });
    expect(violatedInvariants(m, v612)).toEqual([]);
    // The same list under the one-bvec-per-call design, or with another page last, is not the explicit case.
    expect(violatedInvariants(m, v66)).toEqual(['ExtractPagesExactInv']);
    expect(violatedInvariants(withResult(m, () => ({ pages: [1, 6] })), v612)).toEqual(['ExtractPagesExactInv']);
  });

  it('PageArrayBoundInv and AllocFailCleanInv: the unchecked v6.12 walker after a failed allocation', () => {
    const b = () => startMonitor(iovIterBvec('DEST', [{ page: 7, offset: 1, len: 10 }], 1, 10, small));
    const op = { name: 'Extract', maxsize: 32, maxpages: 3, alloc: 'fail' } as const;
    expect(violatedInvariants(stepMonitor(b(), op, v612), v612)).toEqual([]);
    const bad = VARIANT_OPTIONS['bug-bvec-alloc-unchecked'];
    // Its 3 bytes stop for no reason a kernel iterator has: the array it wrote through has no entry at all.
    expect(violatedInvariants(stepMonitor(b(), op, bad), bad)).toEqual(['PageArrayBoundInv', 'AllocFailCleanInv', 'ExtractMaximalInv']);
  });

  it('AdvanceRevertInverseInv: a revert that lands at the end of the element before is flagged, the real one is not', () => {
    const segs = [
      { addr: 1, len: 2 },
      { addr: 9, len: 3 },
    ];
    let m = startMonitor(iovIterKvec('DEST', segs, 2, 5, small));
    m = stepMonitor(m, { name: 'Advance', n: 2 }, v66);
    m = stepMonitor(m, { name: 'Advance', n: 3 }, v66);
    const back = stepMonitor(m, { name: 'Revert', n: 3 }, v66);
    expect(violatedInvariants(back, v66)).toEqual([]);
    // Same count and position, but standing at the end of element 0 instead of the start of element 1.
    const early = iovIterClone(back.iter) as typeof back.iter & { cur: number; nrSegs: number };
    early.cur = 0;
    early.nrSegs = 2;
    early.iovOffset = 2;
    expect(violatedInvariants({ ...back, iter: early }, v66)).toEqual(['AdvanceRevertInverseInv']);
  });

  it('RevertWithinConsumedInv: an iterator whose iov_offset lags its count cannot revert what it consumed; the real one can', () => {
    const m = stepMonitor(startMonitor(iovIterUbuf('DEST', 3, 9, small)), { name: 'Advance', n: 5 }, v66);
    expect(violatedInvariants(m, v66)).toEqual([]);
    // count says 5 bytes were consumed, iov_offset only 2: iov_iter_revert(5) would BUG() before the buffer.
    const lag = { ...iovIterClone(m.iter), iovOffset: 2 };
    // (The record of the advance, 5 bytes from position 0, no longer matches the position either.)
    expect(violatedInvariants({ ...m, iter: lag }, v66)).toEqual(['RevertWithinConsumedInv', 'HistoryRecordsInv']);
  });

  it('ExtractErrnoInv: a user pin of no page reported as -ENOMEM is flagged; -EFAULT is the real answer', () => {
    const m = stepMonitor(startMonitor(iovIterUbuf('DEST', 3, 9, small)), { name: 'Extract', maxsize: 32, maxpages: 3, pinLimit: 0 }, v66);
    expect(m.last.op === 'extract' && m.last.result.ret).toBe('EFAULT');
    expect(violatedInvariants(m, v66)).toEqual([]);
    expect(violatedInvariants(withResult(m, () => ({ ret: 'ENOMEM' })), v66)).toEqual(['ExtractErrnoInv']);
    // With the caller's array and a pin that works, 0 is not an answer either.
    const ok = stepMonitor(startMonitor(iovIterUbuf('DEST', 3, 9, small)), { name: 'Extract', maxsize: 32, maxpages: 3 }, v66);
    expect(violatedInvariants(ok, v66)).toEqual([]);
    expect(violatedInvariants(withResult(ok, () => ({ ret: 0, pages: [], offset0: undefined })), v66)).toContain('ExtractErrnoInv');
  });

  it('ExtractMaximalInv: the v6.12 walk stopping after its first chunk with entries to spare is flagged; its real stops are not', () => {
    const segs = [
      { page: 1, offset: 1, len: 3 },
      { page: 3, offset: 0, len: 8 },
      { page: 9, offset: 2, len: 2 },
    ];
    const b = () => startMonitor(iovIterBvec('DEST', segs, 3, 13, small));
    // The walk crosses into the second bvec (it starts a page) and stops at maxpages.
    const full = stepMonitor(b(), { name: 'Extract', maxsize: 32, maxpages: 3 }, v612);
    expect(full.last.op === 'extract' && full.last.result).toEqual({ ret: 11, offset0: 1, pages: [1, 3, 4] });
    expect(violatedInvariants(full, v612)).toEqual([]);
    // With four entries it stops before the third bvec, which starts mid-page (it would leave a hole).
    const hole = stepMonitor(b(), { name: 'Extract', maxsize: 32, maxpages: 4 }, v612);
    expect(hole.last.op === 'extract' && hole.last.result).toEqual({ ret: 11, offset0: 1, pages: [1, 3, 4] });
    expect(violatedInvariants(hole, v612)).toEqual([]);
    // The first chunk alone (what a call with one entry returns), recorded as a call with three.
    const one = stepMonitor(b(), { name: 'Extract', maxsize: 32, maxpages: 1 }, v612);
    expect(violatedInvariants(one, v612)).toEqual([]);
    if (one.last.op !== 'extract') throw new Error('not an extraction');
    expect(violatedInvariants({ ...one, last: { ...one.last, maxpages: 3 } }, v612)).toEqual(['ExtractMaximalInv']);
    // The one-bvec-per-call design stops at the first bvec's end: a reason of its own.
    const v63 = stepMonitor(b(), { name: 'Extract', maxsize: 32, maxpages: 3 }, v66);
    expect(v63.last.op === 'extract' && v63.last.result.ret).toBe(3);
    expect(violatedInvariants(v63, v66)).toEqual([]);
  });

  it('ExtractMaximalInv: a user extraction one byte short of the pages its partial pin got is flagged; the real one is not', () => {
    const m = stepMonitor(startMonitor(iovIterUbuf('DEST', 3, 9, small)), { name: 'Extract', maxsize: 32, maxpages: 3, pinLimit: 2 }, v66);
    expect(m.last.op === 'extract' && m.last.result).toEqual({ ret: 5, offset0: 3, pages: [0, 1] });
    expect(violatedInvariants(m, v66)).toEqual([]);
    if (m.last.op !== 'extract' || m.fwd.kind === 'none') throw new Error('not an extraction');
    // 4 bytes on the same two pinned pages, the iterator and the records moved by 4: only maximality can tell.
    const it = { ...iovIterClone(m.iter), count: m.iter.count + 1, iovOffset: m.iter.iovOffset - 1 };
    const short: Monitored = {
      ...m,
      iter: it,
      last: { ...m.last, result: { ...m.last.result, ret: 4 } },
      fwd: { ...m.fwd, moved: 4 },
      hist: { ...m.hist, lastMoved: 4 },
    };
    expect(violatedInvariants(short, v66)).toEqual(['ExtractMaximalInv']);
  });

  it('HistoryRecordsInv: an advance recorded as no move, or a revert of it marked in one record only, is flagged', () => {
    const k = () => startMonitor(iovIterKvec('DEST', [{ addr: 5, len: 6 }], 1, 6, small));
    const moved = stepMonitor(k(), { name: 'Advance', n: 3 }, v66);
    expect(violatedInvariants(moved, v66)).toEqual([]);
    expect(violatedInvariants({ ...moved, fwd: { kind: 'none' } }, v66)).toEqual(['HistoryRecordsInv']);
    const back = stepMonitor(moved, { name: 'Revert', n: 3 }, v66);
    expect(back.hist.undone).toBe(true);
    expect(violatedInvariants(back, v66)).toEqual([]);
    // Not marked in hist: AdvanceRevertInverseInv would check nothing, so only the records rule can see it.
    expect(violatedInvariants({ ...back, hist: { ...back.hist, undone: false } }, v66)).toEqual(['HistoryRecordsInv']);
  });

  it('HistoryRecordsInv: a move recorded as made by the other call is flagged', () => {
    const k = () => startMonitor(iovIterKvec('DEST', [{ addr: 5, len: 6 }], 1, 6, small));
    const advanced = stepMonitor(k(), { name: 'Advance', n: 3 }, v66);
    if (advanced.fwd.kind === 'none') throw new Error('an advance of 3 bytes records a move');
    expect(advanced.fwd.kind).toBe('advanced');
    expect(violatedInvariants({ ...advanced, fwd: { ...advanced.fwd, kind: 'extracted' } }, v66)).toEqual(['HistoryRecordsInv']);
    const extracted = stepMonitor(k(), { name: 'Extract', maxsize: 3, maxpages: 2 }, v66);
    if (extracted.fwd.kind === 'none') throw new Error('an extraction records a move');
    expect(extracted.fwd.kind).toBe('extracted');
    expect(violatedInvariants(extracted, v66)).toEqual([]);
    expect(violatedInvariants({ ...extracted, fwd: { ...extracted.fwd, kind: 'advanced' } }, v66)).toEqual(['HistoryRecordsInv']);
  });
});
