// JSON vectors for the reference extract_iter_to_sg() (README "Vectors", `"op": "iter_to_sg"`): a table that may
// already hold entries, one or more calls on the same iterator and table (as the kunit iter_to_sg cases make
// them, KERNEL.md §F.2 13-17), and what each call added, with the implementation's own invariant verdicts.

import { err, ok, type Result } from '../../shared/result.js';
import { iovIterClone, PAGE_SIZE, type IovIter } from './iov_iter.js';
import { makeUserPinner } from './iov_iter_extract.js';
import {
  isSgVariant,
  newPinLedger,
  SG_PTRS_X86_64,
  SG_VARIANT_OPTIONS,
  SG_VARIANTS,
  sgEntry,
  sgInitTable,
  sgSetPage,
  type SgEntry,
  type SgRet,
  type SgVariant,
} from './scatterlist.js';
import { sgCallResume, sgCallStart, sgViolatedInvariants, type SgWorld } from './scatterlist_check.js';
import { isObj, natural, parseIter, show, unknownKeys, type Obj } from './vector.js';

export interface SgVectorCall {
  readonly maxsize: number;
  /** undefined: every unused entry of the table. */
  readonly sgMax: number | undefined;
}

export interface SgVector {
  readonly pageSize: number;
  readonly variant: SgVariant;
  readonly iter: IovIter;
  readonly preexisting: readonly SgEntry[];
  readonly tableSize: number;
  readonly ptrsPerEntry: number;
  readonly calls: readonly SgVectorCall[];
  readonly pinFailAfter?: number;
}

export interface SgVectorEntry {
  readonly page: number;
  readonly offset: number;
  readonly len: number;
}

export type SgVectorCallOut =
  | {
      readonly ret: number | string;
      readonly sgMax: number;
      readonly nents: number;
      readonly added: readonly SgVectorEntry[];
      readonly count: number;
      /** Invariants of spec/IterToSg.tla the implementation's checker finds violated after the call. */
      readonly violated: readonly string[];
    }
  | { readonly error: string; readonly rounds: number; readonly violated: readonly string[] };

export interface SgVectorOutput {
  readonly calls: readonly SgVectorCallOut[];
  /** Every entry of the table after the last call (those that were there first included). */
  readonly table: readonly SgVectorEntry[];
  /** Pins held per page (user-backed iterators), as {page: count} for pages with a non-zero count. */
  readonly pins: Readonly<Record<string, number>>;
  readonly final: { readonly count: number };
}

const SG_KEYS = ['op', 'pageSize', 'variant', 'iter', 'preexisting', 'tableSize', 'ptrsPerEntry', 'maxsize', 'sgMax', 'calls', 'pinFailAfter'];
const entryOf = (e: SgEntry): SgVectorEntry => ({ page: e.page, offset: e.offset, len: e.length });

function parseCall(o: Obj, path: string): Result<SgVectorCall, string> {
  const extra = unknownKeys(o, ['maxsize', 'sgMax'], path);
  if (extra !== undefined) return err(extra);
  const maxsize = natural(o, 'maxsize', path);
  if (!maxsize.ok) return maxsize;
  if (o['sgMax'] === undefined) return ok({ maxsize: maxsize.value, sgMax: undefined });
  const sgMax = natural(o, 'sgMax', path);
  if (!sgMax.ok) return sgMax;
  return ok({ maxsize: maxsize.value, sgMax: sgMax.value });
}

/** Validate a parsed JSON vector whose "op" is "iter_to_sg". */
export function parseSgVector(x: Obj): Result<SgVector, string> {
  const extra = unknownKeys(x, SG_KEYS, '');
  if (extra !== undefined) return err(extra);
  const pageSize = natural(x, 'pageSize', '', PAGE_SIZE);
  if (!pageSize.ok) return pageSize;
  if (pageSize.value === 0 || (pageSize.value & (pageSize.value - 1)) !== 0 || pageSize.value > 1 << 30) {
    return err(`pageSize: expected a power of two between 1 and 2^30, got ${pageSize.value}`);
  }
  const variant = x['variant'] ?? 'v7.0.7';
  if (typeof variant !== 'string' || !isSgVariant(variant)) return err(`variant: expected one of ${SG_VARIANTS.join(', ')}, got ${show(variant)}`);
  const iter = parseIter(x['iter'], pageSize.value);
  if (!iter.ok) return iter;
  if (iter.value.type === 'DISCARD') return err('iter.type: extract_iter_to_sg() does not take a DISCARD iterator (it returns -EIO)');
  const pre = x['preexisting'] ?? [];
  if (!Array.isArray(pre)) return err(`preexisting: expected an array of {page, offset, len}, got ${show(pre)}`);
  const preexisting: SgEntry[] = [];
  for (const [k, e] of pre.entries()) {
    const path = `preexisting[${k}].`;
    if (!isObj(e)) return err(`preexisting[${k}]: expected an object, got ${show(e)}`);
    const bad = unknownKeys(e, ['page', 'offset', 'len'], path);
    if (bad !== undefined) return err(bad);
    const page = natural(e, 'page', path);
    if (!page.ok) return page;
    const offset = natural(e, 'offset', path);
    if (!offset.ok) return offset;
    const len = natural(e, 'len', path);
    if (!len.ok) return len;
    preexisting.push({ page: page.value, offset: offset.value, length: len.value });
  }
  const ptrs = natural(x, 'ptrsPerEntry', '', SG_PTRS_X86_64);
  if (!ptrs.ok) return ptrs;
  if (ptrs.value < 2 || ptrs.value > 16) return err(`ptrsPerEntry: expected 2..16 pointer-sized words per entry, got ${ptrs.value}`);
  let calls: SgVectorCall[];
  if (x['calls'] !== undefined) {
    if (x['maxsize'] !== undefined || x['sgMax'] !== undefined) return err('calls: give either "calls" or one call\'s "maxsize"/"sgMax", not both');
    const cs = x['calls'];
    if (!Array.isArray(cs) || cs.length === 0) return err(`calls: expected a non-empty array of {maxsize, sgMax}, got ${show(cs)}`);
    calls = [];
    for (const [k, c] of cs.entries()) {
      if (!isObj(c)) return err(`calls[${k}]: expected an object, got ${show(c)}`);
      const call = parseCall(c, `calls[${k}].`);
      if (!call.ok) return call;
      calls.push(call.value);
    }
  } else {
    const call = parseCall({ maxsize: x['maxsize'], ...(x['sgMax'] !== undefined ? { sgMax: x['sgMax'] } : {}) }, '');
    if (!call.ok) return call;
    calls = [call.value];
  }
  const wanted = preexisting.length + Math.max(1, ...calls.map((c) => c.sgMax ?? 0));
  const tableSize = natural(x, 'tableSize', '', wanted);
  if (!tableSize.ok) return tableSize;
  if (tableSize.value < preexisting.length) return err(`tableSize: ${tableSize.value} entries cannot hold the ${preexisting.length} pre-existing ones`);
  if (tableSize.value > 1 << 20) return err(`tableSize: at most ${1 << 20} entries, got ${tableSize.value}`);
  const base = { pageSize: pageSize.value, variant, iter: iter.value, preexisting, tableSize: tableSize.value, ptrsPerEntry: ptrs.value, calls };
  if (x['pinFailAfter'] === undefined) return ok(base);
  const pinFailAfter = natural(x, 'pinFailAfter', '');
  if (!pinFailAfter.ok) return pinFailAfter;
  return ok({ ...base, pinFailAfter: pinFailAfter.value });
}

const retOut = (r: SgRet): number | string => r;

/**
 * Run the vector: the calls in order on one iterator and one table, as a caller like af_alg_sendmsg() makes them
 * (orig_nents = nents before each call). A call's sg_max may not exceed the unused entries. A call whose loop
 * makes no progress is stopped after sg_max + 1 rounds and reported as an error; later calls are not made.
 */
export function runSgVector(v: SgVector): Result<SgVectorOutput, string> {
  const iter = iovIterClone(v.iter);
  const table = sgInitTable(v.tableSize, v.ptrsPerEntry);
  for (const [k, e] of v.preexisting.entries()) sgSetPage(table, k, e.page, e.length, e.offset);
  table.nents = v.preexisting.length;
  table.origNents = table.nents;
  const w: SgWorld = { initial: iovIterClone(iter), iter, table, ledger: newPinLedger(), pre: table.nents, call: undefined };
  const pinner = makeUserPinner(v.pinFailAfter === undefined ? {} : { failAfter: v.pinFailAfter });
  const pin = (first: number, n: number, gup: number): number | 'EFAULT' | 'ENOMEM' => {
    const res = pinner.pinUserPagesFast(first, n, gup);
    if (typeof res === 'number') for (let p = first; p < first + res; p++) w.ledger.pins.set(p, (w.ledger.pins.get(p) ?? 0) + 1);
    return res;
  };
  const out: SgVectorCallOut[] = [];
  for (const [k, c] of v.calls.entries()) {
    const unused = table.capacity - table.nents;
    const sgMax = c.sgMax ?? unused;
    if (sgMax > unused) return err(`calls[${k}].sgMax: ${sgMax} is more than the ${unused} unused entries of the table`);
    if (c.maxsize > iter.count) return err(`calls[${k}].maxsize: ${c.maxsize} is more than the iterator holds (${iter.count}); callers ask for at most that`);
    let rec = sgCallStart(w, c.maxsize, sgMax, { variant: SG_VARIANT_OPTIONS[v.variant], pinUserPagesFast: pin });
    while (rec.phase === 'user' && rec.progress.rounds <= sgMax + 1) rec = sgCallResume(w) ?? rec;
    if (rec.phase === 'user') {
      out.push({ error: `no progress: the extraction loop went round ${rec.progress.rounds} times with sg_max ${sgMax} (it would not end)`, rounds: rec.progress.rounds, violated: sgViolatedInvariants(w) });
      break;
    }
    const added: SgVectorEntry[] = [];
    for (let e = rec.nents0; e < Math.min(table.nents, table.capacity); e++) added.push(entryOf(sgEntry(table, e)));
    const result = 'result' in rec.progress ? rec.progress.result : 0;
    out.push({ ret: retOut(result), sgMax, nents: table.nents, added, count: iter.count, violated: sgViolatedInvariants(w) });
  }
  const all: SgVectorEntry[] = [];
  for (let e = 0; e < Math.min(table.nents, table.capacity); e++) all.push(entryOf(sgEntry(table, e)));
  const pins: Record<string, number> = {};
  for (const [p, n] of [...w.ledger.pins].sort((a, b) => a[0] - b[0])) if (n !== 0) pins[String(p)] = n;
  return ok({ calls: out, table: all, pins, final: { count: iter.count } });
}

/** JSON text with one call and one table entry per line. */
export function formatSgVectorOutput(out: SgVectorOutput): string {
  const calls = out.calls.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
  const table = out.table.map((e) => `    ${JSON.stringify(e)}`).join(',\n');
  return `{\n  "calls": [\n${calls}\n  ],\n  "table": [\n${table}\n  ],\n  "pins": ${JSON.stringify(out.pins)},\n  "final": ${JSON.stringify(out.final)}\n}\n`;
}
