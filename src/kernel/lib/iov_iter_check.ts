// The iterator's own invariant checker (the same claims as spec/IovIter.tla, stated on implementation data) and
// a monitored run: an iterator plus the record of its last operation that the claims are about.

import {
  iovIterAdvance,
  iovIterClone,
  iovIterRevert,
  isSegmentIter,
  type IovIter,
  type KernelOutcome,
} from './iov_iter.js';
import { iterPieces } from './iov_iter_copy.js';
import {
  iovIterExtractPages,
  iovIterExtractWillPin,
  type ExtractOptions,
  type ExtractResult,
  type PinUserPagesFast,
} from './iov_iter_extract.js';

export const IOV_ITER_INVARIANTS = [
  'TypeOK',
  'ExtractContractInv',
  'ExtractCoversStreamInv',
  'NoStallInv',
  'RevertRestoresInv',
  'PositionConsistentInv',
] as const;
export type IovIterInvariant = (typeof IOV_ITER_INVARIANTS)[number];

/** Where an iterator stands: bytes left, and the stream position its element/offset fields designate. */
export interface Position {
  readonly count: number;
  readonly pos: number;
}

/** The last operation, with what the invariants need to judge it. */
export type LastOp =
  | { readonly op: 'none' }
  | { readonly op: 'advance'; readonly n: number }
  | { readonly op: 'revert'; readonly n: number; readonly outcome: KernelOutcome }
  | {
      readonly op: 'extract';
      readonly maxsize: number;
      readonly maxpages: number;
      /** The iterator as it was before the call. */
      readonly before: IovIter;
      readonly result: ExtractResult;
    };

/**
 * The last forward move (advance or extract): bytes moved and the position before it; `undone` once a revert of
 * exactly those bytes followed it.
 */
export type ForwardMove =
  | { readonly kind: 'none' }
  | { readonly kind: 'moved' | 'undone'; readonly moved: number; readonly before: Position };

export interface Monitored {
  readonly iter: IovIter;
  /** A copy of the iterator as it was built (its elements are the stream). */
  readonly initial: IovIter;
  readonly last: LastOp;
  readonly fwd: ForwardMove;
  /** Bytes the iterator was built with. */
  readonly total: number;
}

export type IterOp =
  | { readonly name: 'Advance'; readonly n: number }
  | { readonly name: 'Revert'; readonly n: number }
  | { readonly name: 'Extract'; readonly maxsize: number; readonly maxpages: number; readonly pinLimit?: number };

/** Bytes before element `k` of a segment iterator. */
function prefix(i: IovIter, k: number): number {
  if (!isSegmentIter(i)) return 0;
  let s = 0;
  const segs: readonly { readonly len: number }[] = i.segs;
  for (let j = 0; j < k && j < segs.length; j++) s += segs[j]?.len ?? 0;
  return s;
}

/** The stream position the iterator's fields designate (element start + iov_offset, or iov_offset). */
export function streamPos(i: IovIter): number {
  return isSegmentIter(i) ? prefix(i, i.cur) + i.iovOffset : i.iovOffset;
}

export const positionOf = (i: IovIter): Position => ({ count: i.count, pos: streamPos(i) });

export function startMonitor(iter: IovIter): Monitored {
  return { iter, initial: iovIterClone(iter), last: { op: 'none' }, fwd: { kind: 'none' }, total: iter.count };
}

/** A pin_user_pages_fast() that faults after `limit` pages of this call. */
export function pinUpTo(limit: number): PinUserPagesFast {
  return (_first, n) => (Math.min(n, limit) === 0 ? 'EFAULT' : Math.min(n, limit));
}

/** Run one operation on a copy of the monitored iterator. */
export function stepMonitor(m: Monitored, op: IterOp, variant: ExtractOptions, pin?: PinUserPagesFast): Monitored {
  const iter = iovIterClone(m.iter);
  const before = positionOf(m.iter);
  switch (op.name) {
    case 'Advance':
      iovIterAdvance(iter, op.n);
      return {
        ...m,
        iter,
        last: { op: 'advance', n: op.n },
        fwd: { kind: 'moved', moved: before.count - iter.count, before },
      };
    case 'Revert': {
      const outcome = iovIterRevert(iter, op.n);
      const fwd: ForwardMove =
        m.fwd.kind === 'moved' && m.fwd.moved === op.n ? { ...m.fwd, kind: 'undone' } : { kind: 'none' };
      return { ...m, iter, last: { op: 'revert', n: op.n, outcome }, fwd };
    }
    case 'Extract': {
      const pinUserPagesFast = pin ?? (op.pinLimit === undefined ? undefined : pinUpTo(op.pinLimit));
      const result = iovIterExtractPages(iter, op.maxsize, op.maxpages, 0, { variant, ...(pinUserPagesFast ? { pinUserPagesFast } : {}) });
      const moved = typeof result.ret === 'number' && result.ret > 0 ? result.ret : 0;
      return {
        ...m,
        iter,
        last: { op: 'extract', maxsize: op.maxsize, maxpages: op.maxpages, before: m.iter, result },
        fwd: { kind: 'moved', moved, before },
      };
    }
    default: {
      const never: never = op;
      return never;
    }
  }
}

const divRoundUp = (a: number, b: number): number => Math.floor((a + b - 1) / b);

/** Pages the caller treats as returned: DIV_ROUND_UP(offset0 + ret, PAGE_SIZE) (§B.1). */
export function neededPages(offset0: number, ret: number, ps: number): number {
  return ret > 0 ? divRoundUp(offset0 + ret, ps) : 0;
}

function typeOk(m: Monitored): boolean {
  const i = m.iter;
  if (m.last.op === 'revert' && m.last.outcome.kind === 'bug') return false;
  if (!(i.count >= 0 && i.count <= m.total && i.iovOffset >= 0)) return false;
  if (isSegmentIter(i)) return i.nrSegs >= 0 && i.cur + i.nrSegs === i.segs.length;
  return true;
}

/** 0 ≤ offset0 < PS, ret ≤ min(maxsize, count), the needed pages were written and fit in maxpages, count drops by ret. */
function extractContract(m: Monitored): boolean {
  const l = m.last;
  if (l.op !== 'extract') return true;
  const { ret, offset0, pages } = l.result;
  const ps = l.before.pageSize;
  if (ret === 'BUG') return false;
  if (typeof ret === 'string') return m.iter.count === l.before.count;
  if (ret < 0 || ret > Math.min(l.maxsize, l.before.count)) return false;
  if (m.iter.count !== l.before.count - ret) return false;
  if (ret === 0) return true;
  if (offset0 === undefined || offset0 < 0 || offset0 >= ps) return false;
  const need = neededPages(offset0, ret, ps);
  if (need > pages.length || pages.length > l.maxpages) return false;
  return !iovIterExtractWillPin(l.before) || pages.length === need;
}

/**
 * Each byte the returned (pages, offset0, ret) describe is the stream's byte at that place, the stream being read
 * from where the count says the iterator stood (its initial elements walked past the bytes consumed).
 */
function extractCoversStream(m: Monitored): boolean {
  const l = m.last;
  if (l.op !== 'extract') return true;
  const { ret, offset0, pages } = l.result;
  if (typeof ret !== 'number' || ret <= 0 || offset0 === undefined) return true;
  const ps = l.before.pageSize;
  const stream = iovIterClone(m.initial);
  iovIterAdvance(stream, m.total - l.before.count);
  let j = offset0; // byte index into the returned page list
  let ok = true;
  iterPieces(stream, Math.min(ret, l.before.count), (p) => {
    if (!ok) return;
    const idx = Math.floor(j / ps);
    if (idx >= pages.length) {
      j += p.len; // a missing entry is ExtractContractInv's business
      return;
    }
    if (pages[idx] !== p.page || j % ps !== p.offset || Math.floor((j + p.len - 1) / ps) !== idx) ok = false;
    j += p.len;
  });
  return ok;
}

/** A kernel-backed extraction (KVEC/BVEC/XARRAY) with something to give gives something; no data without elements. */
function noStall(m: Monitored): boolean {
  const l = m.last;
  if (l.op === 'extract') {
    const t = l.before.type;
    const kernelBacked = t === 'KVEC' || t === 'BVEC' || t === 'XARRAY';
    const asked = l.before.count > 0 && l.maxsize > 0 && l.maxpages > 0;
    if (kernelBacked && asked && !(typeof l.result.ret === 'number' && l.result.ret > 0)) return false;
  }
  return !(isSegmentIter(m.iter) && m.iter.count > 0 && m.iter.nrSegs === 0);
}

/** revert(n) right after a move of n bytes puts the iterator back where that move started. */
function revertRestores(m: Monitored): boolean {
  if (m.fwd.kind !== 'undone') return true;
  return m.iter.count === m.fwd.before.count && streamPos(m.iter) === m.fwd.before.pos;
}

/** The element/offset fields and count agree: position + count = bytes the iterator was built with. */
function positionConsistent(m: Monitored): boolean {
  if (!isSegmentIter(m.iter)) return true;
  return streamPos(m.iter) + m.iter.count === m.total;
}

const CHECKS: Readonly<Record<IovIterInvariant, (m: Monitored) => boolean>> = {
  TypeOK: typeOk,
  ExtractContractInv: extractContract,
  ExtractCoversStreamInv: extractCoversStream,
  NoStallInv: noStall,
  RevertRestoresInv: revertRestores,
  PositionConsistentInv: positionConsistent,
};

/** Names of the invariants the monitored state violates, in the spec's order. */
export function violatedInvariants(m: Monitored): IovIterInvariant[] {
  return IOV_ITER_INVARIANTS.filter((name) => !CHECKS[name](m));
}
