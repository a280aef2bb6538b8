// JSON vectors for the reference iov_iter_extract_pages() (DESIGN.md "Vectors"): validation of the input with
// messages that name the offending field, and the call-by-call run that `iterpin extract` prints.

import { err, ok, type Result } from '../../shared/result.js';
import {
  assertNever,
  folioqChain,
  folioqFolios,
  folioqIndex,
  iovIterBvec,
  iovIterClone,
  iovIterDiscard,
  iovIterFolioQueue,
  iovIterIovec,
  iovIterKvec,
  iovIterUbuf,
  iovIterXarray,
  isSegmentIter,
  PAGE_SIZE,
  type BioVec,
  type Folio,
  type FolioQueue,
  type IovIter,
  type IovIterType,
  type IterDirection,
  type Iovec,
} from './iov_iter.js';
import {
  iovIterExtractPages,
  IOV_ITER_VARIANTS,
  isIovIterVariant,
  makeUserPinner,
  VARIANT_OPTIONS,
  type IovIterVariant,
} from './iov_iter_extract.js';

export interface Vector {
  readonly pageSize: number;
  readonly variant: IovIterVariant;
  readonly iter: IovIter;
  readonly maxsize: number;
  readonly maxpages: number;
  readonly flags: number;
  readonly repeat: 'until-zero' | 'once';
  /** pin_user_pages_fast() pins this many pages in all, then fails (user-backed iterators only). */
  readonly pinFailAfter?: number;
}

export interface IterFields {
  readonly count: number;
  /** Elements left, the current one included (FOLIOQ: folios left in the chain, the current one included). */
  readonly nrSegs: number;
  readonly iovOffset: number;
  /** FOLIOQ only: the current folio_queue segment (0 = the first) and folioq_slot in it. */
  readonly folioq?: number;
  readonly folioqSlot?: number;
}

export type VectorCall =
  | (IterFields & { readonly ret: number; readonly offset0: number | null; readonly pages: readonly number[] })
  | { readonly error: string };

export interface VectorOutput {
  readonly calls: readonly VectorCall[];
  readonly final: IterFields;
}

/** Calls after which an "until-zero" run gives up (a kernel-backed run of maxsize 1 over a huge count). */
export const MAX_CALLS = 100_000;

const TYPES: readonly IovIterType[] = ['UBUF', 'IOVEC', 'KVEC', 'BVEC', 'FOLIOQ', 'XARRAY', 'DISCARD'];
const VECTOR_KEYS = ['pageSize', 'variant', 'iter', 'maxsize', 'maxpages', 'flags', 'repeat', 'pinFailAfter'];

export type Obj = Record<string, unknown>;
export const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
export const show = (x: unknown): string => (x === undefined ? 'nothing' : JSON.stringify(x));

/** Field readers: each returns the value or an error message naming the field. */
export function natural(o: Obj, key: string, path: string, dflt?: number): Result<number, string> {
  const v = o[key];
  if (v === undefined && dflt !== undefined) return ok(dflt);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    return err(`${path}${key}: expected a non-negative integer, got ${show(v)}`);
  }
  return ok(v);
}

export function unknownKeys(o: Obj, allowed: readonly string[], path: string): string | undefined {
  const extra = Object.keys(o).find((k) => !allowed.includes(k));
  return extra === undefined ? undefined : `${path}${extra}: unknown field (expected one of ${allowed.join(', ')})`;
}

function parseSegments<T>(
  it: Obj,
  keys: readonly string[],
  make: (s: Obj, path: string) => Result<T, string>,
): Result<T[], string> {
  const segs = it['segments'];
  if (!Array.isArray(segs)) return err(`iter.segments: expected an array, got ${show(segs)}`);
  const out: T[] = [];
  for (const [k, s] of segs.entries()) {
    const path = `iter.segments[${k}].`;
    if (!isObj(s)) return err(`iter.segments[${k}]: expected an object, got ${show(s)}`);
    const extra = unknownKeys(s, keys, path);
    if (extra !== undefined) return err(extra);
    const seg = make(s, path);
    if (!seg.ok) return seg;
    out.push(seg.value);
  }
  return ok(out);
}

const iovecOf = (s: Obj, path: string): Result<Iovec, string> => {
  const addr = natural(s, 'addr', path);
  if (!addr.ok) return addr;
  const len = natural(s, 'len', path);
  if (!len.ok) return len;
  return ok({ addr: addr.value, len: len.value });
};

const bvecOf = (s: Obj, path: string): Result<BioVec, string> => {
  const page = natural(s, 'page', path);
  if (!page.ok) return page;
  const offset = natural(s, 'offset', path);
  if (!offset.ok) return offset;
  const len = natural(s, 'len', path);
  if (!len.ok) return len;
  return ok({ page: page.value, offset: offset.value, len: len.value });
};

/** The iterator a vector's "iter" field describes. */
export function parseIter(x: unknown, pageSize: number): Result<IovIter, string> {
  if (!isObj(x)) return err(`iter: expected an object, got ${show(x)}`);
  const type = x['type'];
  if (typeof type !== 'string' || !(TYPES as readonly string[]).includes(type)) {
    return err(`iter.type: expected one of ${TYPES.join(', ')}, got ${show(type)}`);
  }
  const dir = x['direction'];
  if (dir !== 'SOURCE' && dir !== 'DEST') return err(`iter.direction: expected "SOURCE" or "DEST", got ${show(dir)}`);
  const direction: IterDirection = dir;
  const nofault = x['nofault'];
  if (nofault !== undefined && typeof nofault !== 'boolean') return err(`iter.nofault: expected a boolean, got ${show(nofault)}`);
  const o = { pageSize, nofault: nofault ?? false };
  const t = type as IovIterType;
  switch (t) {
    case 'UBUF': {
      const extra = unknownKeys(x, ['type', 'direction', 'nofault', 'segments'], 'iter.');
      if (extra !== undefined) return err(extra);
      const segs = parseSegments(x, ['addr', 'len'], iovecOf);
      if (!segs.ok) return segs;
      const [seg, ...rest] = segs.value;
      if (seg === undefined || rest.length > 0) return err(`iter.segments: a UBUF iterator has exactly one segment, got ${segs.value.length}`);
      return ok(iovIterUbuf(direction, seg.addr, seg.len, o));
    }
    case 'IOVEC':
    case 'KVEC':
    case 'BVEC': {
      const extra = unknownKeys(x, ['type', 'direction', 'nofault', 'segments', 'count'], 'iter.');
      if (extra !== undefined) return err(extra);
      const segs: Result<(Iovec | BioVec)[], string> =
        t === 'BVEC' ? parseSegments(x, ['page', 'offset', 'len'], bvecOf) : parseSegments(x, ['addr', 'len'], iovecOf);
      if (!segs.ok) return segs;
      const total = segs.value.reduce((s, g) => s + g.len, 0);
      const count = natural(x, 'count', 'iter.', total);
      if (!count.ok) return count;
      if (count.value > total) return err(`iter.count: ${count.value} is more than the segments hold (${total})`);
      const n = segs.value.length;
      if (t === 'BVEC') return ok(iovIterBvec(direction, segs.value as BioVec[], n, count.value, o));
      if (t === 'KVEC') return ok(iovIterKvec(direction, segs.value as Iovec[], n, count.value, o));
      return ok(iovIterIovec(direction, segs.value as Iovec[], n, count.value, o));
    }
    case 'FOLIOQ':
      return parseFolioq(x, direction, o);
    case 'XARRAY': {
      const extra = unknownKeys(x, ['type', 'direction', 'nofault', 'start', 'count', 'holes'], 'iter.');
      if (extra !== undefined) return err(extra);
      const start = natural(x, 'start', 'iter.');
      if (!start.ok) return start;
      const count = natural(x, 'count', 'iter.');
      if (!count.ok) return count;
      const holes = x['holes'] ?? [];
      if (!Array.isArray(holes) || !holes.every((h) => Number.isSafeInteger(h) && (h as number) >= 0)) {
        return err(`iter.holes: expected an array of non-negative integers (xarray indices), got ${show(holes)}`);
      }
      return ok(iovIterXarray(direction, { holes: new Set(holes as number[]) }, start.value, count.value, o));
    }
    case 'DISCARD': {
      const extra = unknownKeys(x, ['type', 'direction', 'count'], 'iter.');
      if (extra !== undefined) return err(extra);
      if (direction !== 'DEST') return err('iter.direction: a DISCARD iterator must be "DEST" (the kernel BUG()s otherwise)');
      const count = natural(x, 'count', 'iter.');
      if (!count.ok) return count;
      return ok(iovIterDiscard('DEST', count.value, o));
    }
    case 'PIPE': // not in TYPES: ITER_PIPE left mainline in v6.5, and iov_iter_extract_pages() never took one
      return err('iter.type: PIPE iterators cannot be described by a vector');
    default:
      return assertNever(t);
  }
}

const folioOf = (s: Obj, path: string): Result<Folio, string> => {
  const page = natural(s, 'page', path);
  if (!page.ok) return page;
  const order = natural(s, 'order', path, 0);
  if (!order.ok) return order;
  if (order.value > 10) return err(`${path}order: expected at most 10 (MAX_PAGECACHE_ORDER-sized folios), got ${order.value}`);
  return ok({ page: page.value, order: order.value });
};

/**
 * An ITER_FOLIOQ iterator: `folios` (`{page, order}`, the first page of 2^order consecutive pages) in a chain of
 * folio_queue segments of `slots` slots each, iov_iter_folio_queue() from slot `firstSlot` of the first segment
 * at `offset` in its folio, over `count` bytes (default: all the chain holds from there).
 */
function parseFolioq(x: Obj, direction: IterDirection, o: { pageSize: number; nofault: boolean }): Result<IovIter, string> {
  const extra = unknownKeys(x, ['type', 'direction', 'slots', 'folios', 'firstSlot', 'offset', 'count'], 'iter.');
  if (extra !== undefined) return err(extra);
  const slots = natural(x, 'slots', 'iter.');
  if (!slots.ok) return slots;
  if (slots.value === 0 || slots.value > 64) return err(`iter.slots: expected 1 to 64 slots per folio_queue, got ${slots.value}`);
  const list = x['folios'];
  if (!Array.isArray(list) || list.length === 0) return err(`iter.folios: expected a non-empty array, got ${show(list)}`);
  const folios: Folio[] = [];
  for (const [k, f] of list.entries()) {
    const path = `iter.folios[${k}].`;
    if (!isObj(f)) return err(`iter.folios[${k}]: expected an object, got ${show(f)}`);
    const bad = unknownKeys(f, ['page', 'order'], path);
    if (bad !== undefined) return err(bad);
    const folio = folioOf(f, path);
    if (!folio.ok) return folio;
    folios.push(folio.value);
  }
  const firstSlot = natural(x, 'firstSlot', 'iter.', 0);
  if (!firstSlot.ok) return firstSlot;
  if (firstSlot.value >= Math.min(slots.value, folios.length)) return err(`iter.firstSlot: ${firstSlot.value} is not a filled slot of the first folio_queue`);
  const chain: FolioQueue = folioqChain(folios, slots.value);
  const size = (f: Folio): number => o.pageSize * 2 ** f.order;
  const offset = natural(x, 'offset', 'iter.', 0);
  if (!offset.ok) return offset;
  if (offset.value >= size(folios[firstSlot.value]!)) return err(`iter.offset: ${offset.value} is past the end of the folio in slot ${firstSlot.value}`);
  const left = folios.slice(firstSlot.value).reduce((n, f) => n + size(f), 0) - offset.value;
  const count = natural(x, 'count', 'iter.', left);
  if (!count.ok) return count;
  if (count.value > left) return err(`iter.count: ${count.value} is more than the chain holds from the start (${left})`);
  return ok(iovIterFolioQueue(direction, chain, firstSlot.value, offset.value, count.value, o));
}

/** Validate a parsed JSON vector. */
export function parseVector(x: unknown): Result<Vector, string> {
  if (!isObj(x)) return err(`expected a JSON object, got ${show(x)}`);
  const extra = unknownKeys(x, VECTOR_KEYS, '');
  if (extra !== undefined) return err(extra);
  const pageSize = natural(x, 'pageSize', '', PAGE_SIZE);
  if (!pageSize.ok) return pageSize;
  if (pageSize.value === 0 || (pageSize.value & (pageSize.value - 1)) !== 0 || pageSize.value > 1 << 30) {
    return err(`pageSize: expected a power of two between 1 and 2^30, got ${pageSize.value}`);
  }
  const variant = x['variant'] ?? 'v6.6';
  if (typeof variant !== 'string' || !isIovIterVariant(variant)) {
    return err(`variant: expected one of ${IOV_ITER_VARIANTS.join(', ')}, got ${show(variant)}`);
  }
  const iter = parseIter(x['iter'], pageSize.value);
  if (!iter.ok) return iter;
  const maxsize = natural(x, 'maxsize', '');
  if (!maxsize.ok) return maxsize;
  const maxpages = natural(x, 'maxpages', '');
  if (!maxpages.ok) return maxpages;
  const flags = natural(x, 'flags', '', 0);
  if (!flags.ok) return flags;
  const repeat = x['repeat'] ?? 'until-zero';
  if (repeat !== 'until-zero' && repeat !== 'once') return err(`repeat: expected "until-zero" or "once", got ${show(repeat)}`);
  const base = { pageSize: pageSize.value, variant, iter: iter.value, maxsize: maxsize.value, maxpages: maxpages.value, flags: flags.value, repeat } as const;
  if (x['pinFailAfter'] === undefined) return ok(base);
  const pinFailAfter = natural(x, 'pinFailAfter', '');
  if (!pinFailAfter.ok) return pinFailAfter;
  return ok({ ...base, pinFailAfter: pinFailAfter.value });
}

function fieldsOf(i: IovIter): IterFields {
  if (i.type === 'FOLIOQ') {
    let q = 0;
    for (let s: FolioQueue | undefined = i.head; s !== undefined && s !== i.folioq; s = s.next) q++;
    const nrSegs = Math.max(folioqFolios(i).length - folioqIndex(i), 0);
    return { count: i.count, nrSegs, iovOffset: i.iovOffset, folioq: q, folioqSlot: i.folioqSlot };
  }
  const nrSegs = isSegmentIter(i) ? i.nrSegs : i.type === 'UBUF' ? 1 : 0;
  return { count: i.count, nrSegs, iovOffset: i.iovOffset };
}

/**
 * Run the vector: call iov_iter_extract_pages() once, or until a call returns 0 or an error. Err when an
 * "until-zero" run has not stopped after MAX_CALLS calls.
 */
export function runVector(v: Vector): Result<VectorOutput, string> {
  const pinner = makeUserPinner(v.pinFailAfter === undefined ? {} : { failAfter: v.pinFailAfter });
  const options = { variant: VARIANT_OPTIONS[v.variant], pinUserPagesFast: pinner.pinUserPagesFast };
  const iter = iovIterClone(v.iter);
  const calls: VectorCall[] = [];
  for (;;) {
    if (calls.length >= MAX_CALLS) return err(`the extraction did not return 0 within ${MAX_CALLS} calls`);
    const r = iovIterExtractPages(iter, v.maxsize, v.maxpages, v.flags, options);
    if (typeof r.ret === 'string') {
      calls.push({ error: r.ret });
      break;
    }
    calls.push({ ret: r.ret, offset0: r.offset0 ?? null, pages: r.pages, ...fieldsOf(iter) });
    if (r.ret === 0 || v.repeat === 'once') break;
  }
  return ok({ calls, final: fieldsOf(iter) });
}

/** JSON text with one call per line. */
export function formatVectorOutput(out: VectorOutput): string {
  const calls = out.calls.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
  return `{\n  "calls": [\n${calls}\n  ],\n  "final": ${JSON.stringify(out.final)}\n}\n`;
}
