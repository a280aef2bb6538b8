// extract_iter_to_sg()'s invariant checker (the same claims as spec/IterToSg.tla, stated on implementation data)
// and a monitored table: an iterator, the sg_table, the pin ledger and the record of the current or last call.

import { iovIterClone, type IovIter } from './iov_iter.js';
import { iterPieces, type PagePiece } from './iov_iter_copy.js';
import {
  extractIterToSgSteps,
  iterToSgWillPin,
  sgEntry,
  type PinLedger,
  type SgCallOptions,
  type SgDone,
  type SgProgress,
  type SgTable,
  type SgWord,
} from './scatterlist.js';

export const ITER_TO_SG_INVARIANTS = [
  'TypeOK',
  'SgProgressInv',
  'SgSegmentInv',
  'SgTotalInv',
  'SgPreservedInv',
  'SgCapacityInv',
  'SgPinBalanceInv',
] as const;
export type IterToSgInvariant = (typeof ITER_TO_SG_INVARIANTS)[number];

/** One extract_iter_to_sg() call as the invariants see it: its arguments, the state it began from, its locals. */
export interface SgCallRecord {
  phase: 'user' | 'done';
  readonly maxsize0: number;
  readonly sgMax0: number;
  readonly nents0: number;
  /** The iterator as the call found it. */
  readonly before: IovIter;
  /** The words of the entries already in the table when the call began. */
  readonly frozen: readonly SgWord[];
  progress: SgProgress | SgDone;
  gen: Generator<SgProgress, SgDone> | undefined;
}

/** The caller's world: the iterator, its table (with `pre` entries that were there first), the pins. */
export interface SgWorld {
  /** The iterator as it was built (for the bvec extents). */
  readonly initial: IovIter;
  readonly iter: IovIter;
  readonly table: SgTable;
  readonly ledger: PinLedger;
  readonly pre: number;
  call: SgCallRecord | undefined;
}

/**
 * The caller's part, as af_alg_sendmsg() does it, then the call up to its first stop: orig_nents = nents, and
 * extract_iter_to_sg(iter, maxsize, sgt, sg_max, 0). A kernel-backed iterator finishes here.
 */
export function sgCallStart(w: SgWorld, maxsize: number, sgMax: number, options: SgCallOptions): SgCallRecord {
  w.table.origNents = w.table.nents;
  const before = iovIterClone(w.iter);
  const nents0 = w.table.nents;
  const frozen = w.table.words.slice(0, nents0 * w.table.ptrs);
  const gen = extractIterToSgSteps(w.iter, maxsize, w.table, sgMax, { ...options, ledger: w.ledger });
  const r = gen.next();
  const call: SgCallRecord = {
    phase: r.done === true ? 'done' : 'user',
    maxsize0: maxsize,
    sgMax0: sgMax,
    nents0,
    before,
    frozen,
    progress: r.value,
    gen: r.done === true ? undefined : gen,
  };
  w.call = call;
  return call;
}

/**
 * An independent copy of the caller's world between calls, for a caller that forks a state to try several calls
 * on it; undefined while a user-backed call is in its loop (the call's stack, a running generator, cannot be
 * copied). The iterator's memory and the records of a finished call are read-only and shared.
 */
export function sgWorldCopy(w: SgWorld): SgWorld | undefined {
  if (w.call?.gen !== undefined) return undefined;
  return {
    ...w,
    iter: iovIterClone(w.iter),
    table: { ...w.table, words: [...w.table.words] },
    ledger: { pins: new Map(w.ledger.pins) },
    call: w.call === undefined ? undefined : { ...w.call },
  };
}

/** The next round of the user path's loop. */
export function sgCallResume(w: SgWorld): SgCallRecord | undefined {
  const c = w.call;
  if (c === undefined || c.gen === undefined) return undefined;
  const r = c.gen.next();
  c.progress = r.value;
  if (r.done === true) {
    c.phase = 'done';
    c.gen = undefined;
  }
  return c;
}

// ---- the invariants ----

const entriesAdded = (w: SgWorld, c: SgCallRecord): number[] => {
  const out: number[] = [];
  for (let e = c.nents0; e < Math.min(w.table.nents, w.table.capacity); e++) out.push(e);
  return out;
};

const resultOf = (c: SgCallRecord): number | string | undefined => ('result' in c.progress ? c.progress.result : undefined);

function typeOk(w: SgWorld): boolean {
  return w.iter.count >= 0 && w.iter.count <= w.initial.count && w.table.nents >= 0 && w.table.words.length === w.table.capacity * w.table.ptrs;
}

function progressInv(w: SgWorld): boolean {
  const c = w.call;
  if (c === undefined || c.phase !== 'user' || c.progress.rounds === 0) return true;
  const p = c.progress;
  return typeof p.lastRes === 'number' && p.lastRes > 0 && p.lastSlots > 0 && p.rounds < c.sgMax0;
}

function segmentInv(w: SgWorld): boolean {
  const c = w.call;
  if (c === undefined) return true;
  const ps = w.iter.pageSize;
  const bvecs = w.initial.type === 'BVEC' ? w.initial.segs : undefined;
  return entriesAdded(w, c).every((e) => {
    const en = sgEntry(w.table, e);
    if (!(en.length > 0 && en.page >= 0 && en.offset >= 0)) return false;
    if (bvecs === undefined) return en.offset + en.length <= ps;
    return bvecs.some((bv) => bv.page === en.page && bv.offset <= en.offset && en.offset + en.length <= bv.offset + bv.len);
  });
}

/** Pieces split at page boundaries, then neighbours in the same page joined: one canonical form of a byte run. */
function canonical(pieces: readonly PagePiece[], ps: number): PagePiece[] {
  const out: PagePiece[] = [];
  for (const p of pieces) {
    let at = p.offset;
    let len = p.len;
    let page = p.page;
    while (len > 0) {
      const pg = page + Math.floor(at / ps);
      const off = at % ps;
      const part = Math.min(len, ps - off);
      const last = out[out.length - 1];
      if (last !== undefined && last.page === pg && last.offset + last.len === off) out[out.length - 1] = { page: pg, offset: last.offset, len: last.len + part };
      else out.push({ page: pg, offset: off, len: part });
      at = off + part;
      page = pg;
      len -= part;
    }
  }
  return out;
}

function totalInv(w: SgWorld): boolean {
  const c = w.call;
  if (c === undefined) return true;
  const result = resultOf(c);
  if (c.phase === 'done' && (typeof result !== 'number' || result <= 0)) return w.table.nents === c.nents0;
  const ret = c.progress.ret;
  if (ret > c.maxsize0 || w.iter.count !== c.before.count - ret) return false;
  const entries = entriesAdded(w, c).map((e) => sgEntry(w.table, e));
  if (entries.reduce((s, en) => s + en.length, 0) !== ret) return false;
  if (entries.some((en) => en.length > 0 && (en.page < 0 || en.offset < 0))) return false;
  const ps = w.iter.pageSize;
  const stream: PagePiece[] = [];
  const walked = iterPieces(iovIterClone(c.before), ret, (p) => stream.push(p));
  if (walked !== ret) return false;
  const a = canonical(stream, ps);
  const b = canonical(entries.map((en) => ({ page: en.page, offset: en.offset, len: en.length })), ps);
  return a.length === b.length && a.every((p, k) => p.page === b[k]!.page && p.offset === b[k]!.offset && p.len === b[k]!.len);
}

const sameWord = (a: SgWord | undefined, b: SgWord | undefined): boolean => {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind !== b.kind) return false;
  if (a.kind === 'page' && b.kind === 'page') return a.page === b.page;
  if (a.kind === 'len' && b.kind === 'len') return a.offset === b.offset && a.length === b.length;
  return true;
};

function preservedInv(w: SgWorld): boolean {
  const c = w.call;
  return c === undefined || c.frozen.every((word, s) => sameWord(word, w.table.words[s]));
}

function capacityInv(w: SgWorld): boolean {
  const c = w.call;
  return c === undefined || w.table.nents <= c.nents0 + c.sgMax0;
}

function pinBalanceInv(w: SgWorld): boolean {
  if (w.call?.phase === 'user') return true;
  const pinned = iterToSgWillPin(w.initial);
  const want = new Map<number, number>();
  if (pinned) {
    for (let e = w.pre; e < Math.min(w.table.nents, w.table.capacity); e++) {
      const p = sgEntry(w.table, e).page;
      want.set(p, (want.get(p) ?? 0) + 1);
    }
  }
  for (const [p, n] of w.ledger.pins) if (n !== (want.get(p) ?? 0)) return false;
  for (const [p, n] of want) if (n !== (w.ledger.pins.get(p) ?? 0)) return false;
  return true;
}

const CHECKS: Readonly<Record<IterToSgInvariant, (w: SgWorld) => boolean>> = {
  TypeOK: typeOk,
  SgProgressInv: progressInv,
  SgSegmentInv: segmentInv,
  SgTotalInv: totalInv,
  SgPreservedInv: preservedInv,
  SgCapacityInv: capacityInv,
  SgPinBalanceInv: pinBalanceInv,
};

/** The invariants the world violates, in the spec's order. */
export function sgViolatedInvariants(w: SgWorld): IterToSgInvariant[] {
  return ITER_TO_SG_INVARIANTS.filter((inv) => !CHECKS[inv](w));
}
