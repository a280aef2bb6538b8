// The IterToSg replay binding: builds the iterator (spec/IterToSg.tla's `layout`, IovIter's shape) and the
// scatterlist array from a trace's first state, runs Call as extract_iter_to_sg() up to its first stop and each
// UserRound as one more round of extract_user_to_sg()'s loop with the trace's pin_user_pages_fast() outcome,
// and maps the table's words, the pins and the call's locals back to the spec's variables.

import { err, ok, type Result } from '../../shared/result.js';
import { tlaFn, tlaInt, tlaRecord, tlaSeq, tlaStr, type TlaValue } from '../../tla/value.js';
import type { ExplorableBinding, Exploration, StepAction, StepEffect } from '../binding.js';
import { constantInt, constantInts, constantSet, integerArg } from './explore_args.js';
import { iovIterClone, type IovIter } from '../../kernel/lib/iov_iter.js';
import type { ExtractErrno } from '../../kernel/lib/iov_iter_extract.js';
import {
  isSgVariant,
  ledgerPinner,
  newPinLedger,
  pageWord,
  SG_VARIANT_OPTIONS,
  SG_VARIANTS,
  sgEntry,
  ZERO_WORD,
  type SgOptions,
  type SgRet,
  type SgWord,
} from '../../kernel/lib/scatterlist.js';
import { sgCallResume, sgCallStart, sgViolatedInvariants, sgWorldCopy, type SgWorld } from '../../kernel/lib/scatterlist_check.js';
import { buildIter, iterOf, layoutOf } from './iov_iter.js';
import { iterToSgReasons, iterToSgView } from './iter_to_sg_view.js';

/** pin_user_pages_fast() outcomes a UserRound names (the spec's Gups). */
const GUPS = ['all', 'one', 'zero', 'efault'] as const;
type Gup = (typeof GUPS)[number];

export interface IterToSgReplayState {
  readonly w: SgWorld;
  readonly variant: SgOptions;
  readonly layout: TlaValue;
  /** The pin counts' domain, as the trace's first state gives it. */
  readonly pinPages: readonly number[];
  /** The outcome the next pin_user_pages_fast() call has (set by each UserRound). */
  gup: { current: Gup };
}

// ---- reading TLA+ values ----

function int(v: TlaValue | undefined, what: string): Result<number, string> {
  if (v === undefined) return err(`${what} is missing`);
  if (v.kind !== 'int') return err(`${what} is not an integer`);
  const n = Number(v.value);
  return Number.isSafeInteger(n) ? ok(n) : err(`${what} = ${v.value} is too large`);
}

function rec(v: TlaValue | undefined, what: string): Result<ReadonlyMap<string, TlaValue>, string> {
  if (v === undefined) return err(`${what} is missing`);
  if (v.kind !== 'record') return err(`${what} is not a record`);
  return ok(new Map(v.fields));
}

/** A function with integer keys (or a sequence, keys 1..n) as [key, value] pairs. */
function intKeyed(v: TlaValue | undefined, what: string): Result<[number, TlaValue][], string> {
  if (v === undefined) return err(`${what} is missing`);
  if (v.kind === 'seq') return ok(v.elems.map((e, k) => [k + 1, e]));
  if (v.kind !== 'fn') return err(`${what} is not a function`);
  const out: [number, TlaValue][] = [];
  for (const [k, x] of v.entries) {
    const n = int(k, `a key of ${what}`);
    if (!n.ok) return n;
    out.push([n.value, x]);
  }
  return ok(out.sort((a, b) => a[0] - b[0]));
}

function wordOf(v: TlaValue, what: string): Result<SgWord, string> {
  const r = rec(v, what);
  if (!r.ok) return r;
  const k = r.value.get('k');
  const a = int(r.value.get('a'), `${what}.a`);
  const b = int(r.value.get('b'), `${what}.b`);
  if (k?.kind !== 'str' || !a.ok || !b.ok) return err(`${what} is not a word [k, a, b]`);
  switch (k.value) {
    case 'zero':
      return ok(ZERO_WORD);
    case 'page':
      return ok(pageWord(a.value));
    case 'len':
      return ok({ kind: 'len', offset: a.value, length: b.value });
    default:
      return err(`${what}.k is "${k.value}", not zero, page or len`);
  }
}

// ---- the abstraction function ----

const ERRNO: Readonly<Record<string, number>> = { EFAULT: -14, ENOMEM: -12, EIO: -5 };
const retValue = (r: SgRet): number => (typeof r === 'number' ? r : (ERRNO[r] ?? -1));

const wordValue = (w: SgWord | undefined): TlaValue => {
  const r = (k: string, a: number, b: number): TlaValue => tlaRecord([['k', tlaStr(k)], ['a', tlaInt(a)], ['b', tlaInt(b)]]);
  if (w === undefined || w.kind === 'zero') return r('zero', 0, 0);
  return w.kind === 'page' ? r('page', w.page, 0) : r('len', w.offset, w.length);
};

const wordsValue = (ws: readonly SgWord[]): TlaValue => (ws.length === 0 ? tlaSeq([]) : tlaFn(ws.map((w, s) => [tlaInt(s), wordValue(w)] as const)));

function callValue(s: IterToSgReplayState): TlaValue {
  const c = s.w.call;
  const f = (o: {
    phase: string; maxsize0: number; sgMax0: number; nents0: number; countBefore: number; maxsize: number; sgMax: number;
    ret: number; rounds: number; pagesAt: number; lastRes: number; lastSlots: number; result: number; frozen: readonly SgWord[];
  }): TlaValue =>
    tlaRecord([
      ['phase', tlaStr(o.phase)], ['maxsize0', tlaInt(o.maxsize0)], ['sgMax0', tlaInt(o.sgMax0)], ['nents0', tlaInt(o.nents0)],
      ['countBefore', tlaInt(o.countBefore)], ['maxsize', tlaInt(o.maxsize)], ['sgMax', tlaInt(o.sgMax)], ['ret', tlaInt(o.ret)],
      ['rounds', tlaInt(o.rounds)], ['pagesAt', tlaInt(o.pagesAt)], ['lastRes', tlaInt(o.lastRes)], ['lastSlots', tlaInt(o.lastSlots)],
      ['result', tlaInt(o.result)], ['frozen', wordsValue(o.frozen)],
    ]);
  if (c === undefined) {
    return f({ phase: 'idle', maxsize0: 0, sgMax0: 0, nents0: 0, countBefore: 0, maxsize: 0, sgMax: 0, ret: 0, rounds: 0, pagesAt: 0, lastRes: 0, lastSlots: 0, result: 0, frozen: [] });
  }
  const p = c.progress;
  return f({
    phase: c.phase, maxsize0: c.maxsize0, sgMax0: c.sgMax0, nents0: c.nents0, countBefore: c.before.count,
    maxsize: p.maxsize, sgMax: p.sgMax, ret: p.ret, rounds: p.rounds, pagesAt: p.pagesAt, lastRes: retValue(p.lastRes),
    lastSlots: p.lastSlots, result: 'result' in p ? retValue(p.result) : 0, frozen: c.frozen,
  });
}

function abstract(s: IterToSgReplayState): ReadonlyMap<string, TlaValue> {
  const t = s.w.table;
  return new Map<string, TlaValue>([
    ['layout', s.layout],
    ['iter', iterOf(s.w.iter)],
    ['mem', wordsValue(t.words)],
    ['tbl', tlaRecord([['nents', tlaInt(t.nents)], ['origNents', tlaInt(t.origNents)], ['pre', tlaInt(s.w.pre)], ['ptrs', tlaInt(t.ptrs)]])],
    ['call', callValue(s)],
    ['pins', tlaFn(s.pinPages.map((p) => [tlaInt(p), tlaInt(s.w.ledger.pins.get(p) ?? 0)] as const))],
  ]);
}

// ---- narration ----

const shown = (r: SgRet): string => (typeof r === 'number' ? `${r}` : `-${r}`);

function entriesNarration(s: IterToSgReplayState, from: number): string {
  const t = s.w.table;
  const out: string[] = [];
  for (let e = from; e < Math.min(t.nents, t.capacity); e++) {
    const en = sgEntry(t, e);
    out.push(`[${e}] page ${en.page} +${en.offset} len ${en.length}`);
  }
  return out.length === 0 ? 'no entries added' : out.join(', ');
}

// ---- the binding ----

function step(s: IterToSgReplayState, action: StepAction): Result<StepEffect<IterToSgReplayState>, string> {
  const w = s.w;
  switch (action.name) {
    case 'Call': {
      const m = int(action.args.get('maxsize'), "Call's argument maxsize");
      if (!m.ok) return m;
      const sgMax = int(action.args.get('sgMax'), "Call's argument sgMax");
      if (!sgMax.ok) return sgMax;
      if (w.call?.phase === 'user') return err('extract_iter_to_sg(): the previous call has not returned');
      if (m.value <= 0 || m.value > w.iter.count) return err(`extract_iter_to_sg(maxsize ${m.value}): callers ask for 1..${w.iter.count} bytes`);
      if (sgMax.value < 0 || w.table.nents + sgMax.value > w.table.capacity) {
        return err(`extract_iter_to_sg(sg_max ${sgMax.value}): the table has ${w.table.capacity - w.table.nents} unused entries`);
      }
      const pin = ledgerPinner(w.ledger, (n): number | ExtractErrno => {
        switch (s.gup.current) {
          case 'all': return n;
          case 'one': return Math.min(n, 1);
          case 'zero': return 0;
          case 'efault': return 'EFAULT';
        }
      });
      const c = sgCallStart(w, m.value, sgMax.value, { variant: s.variant, pinUserPagesFast: pin });
      const head = `extract_iter_to_sg(iter, ${m.value}, sgt [nents ${c.nents0}], sg_max ${sgMax.value}, 0)`;
      const narration =
        c.phase === 'user'
          ? [`${head}: user-backed; page array at word ${c.progress.pagesAt} of the table`]
          : [`${head} = ${shown('result' in c.progress ? c.progress.result : 0)}: ${entriesNarration(s, c.nents0)}`];
      return ok({ state: s, narration });
    }
    case 'UserRound': {
      const g = action.args.get('gup');
      if (g?.kind !== 'str' || !(GUPS as readonly string[]).includes(g.value)) return err("UserRound's argument gup is not one of all, one, zero, efault");
      if (w.call?.phase !== 'user') return err('no extract_user_to_sg() loop is running');
      s.gup.current = g.value as Gup;
      const c = sgCallResume(w);
      if (c === undefined) return err('no extract_user_to_sg() loop is running');
      const p = c.progress;
      const what = `round ${p.rounds}: pin_user_pages_fast() ${g.value}; iov_iter_extract_pages() = ${shown(p.lastRes)}`;
      const end = c.phase === 'done' ? `; returns ${shown('result' in p ? p.result : 0)}` : '; goes round again';
      return ok({ state: s, narration: [`${what}, ${p.lastSlots} entries${end}: ${entriesNarration(s, c.nents0)}`] });
    }
    case 'Terminating':
      // The caller is done: no call is in its user-page loop, and the iterator is used up or the table full.
      if (w.call?.phase === 'user') return err('extract_iter_to_sg() has not returned');
      if (w.iter.count !== 0 && w.table.nents < w.table.capacity) return err(`the iterator holds ${w.iter.count} bytes and the table has room`);
      return ok({ state: s, narration: ['the caller stops: nothing left to extract or no room left'] });
    default:
      return err(`IterToSg has no action ${action.name}`);
  }
}

// ---- exploration under a model's constants ----

const word = (k: string, a: number, b: number): TlaValue => tlaRecord([['k', tlaStr(k)], ['a', tlaInt(a)], ['b', tlaInt(b)]]);

/**
 * The spec's first states (IterToSg.tla Init): every layout with every count of entries already in the table.
 * An entry already there is the spec's: a foreign page 100 + e, offset 1, length 2; pin counts start at 0 on
 * the pages, NULL (-1), garbage (-2) and the foreign pages.
 */
function initialStates(c: Parameters<Exploration<IterToSgReplayState>['initialStates']>[0]): Result<Map<string, TlaValue>[], string> {
  const layouts = constantSet(c, 'Layouts');
  if (!layouts.ok) return layouts;
  const ptrs = constantInt(c, 'SgPtrs');
  const cap = constantInt(c, 'Cap');
  const pages = constantInts(c, 'Pages');
  const pinPages = [...new Set([...pages, -1, -2, ...Array.from({ length: cap + 1 }, (_, e) => 100 + e)])].sort((a, b) => a - b);
  const pins = tlaFn(pinPages.map((p) => [tlaInt(p), tlaInt(0)] as const));
  const out: Map<string, TlaValue>[] = [];
  for (const layout of layouts.value) {
    for (const n of constantInts(c, 'PreCounts')) {
      const mem = Array.from({ length: cap * ptrs }, (_, slot) => {
        const e = Math.floor(slot / ptrs);
        if (e >= n) return [tlaInt(slot), word('zero', 0, 0)] as const;
        return [tlaInt(slot), slot % ptrs === 0 ? word('page', 100 + e, 0) : slot % ptrs === 1 ? word('len', 1, 2) : word('zero', 0, 0)] as const;
      });
      const tbl = tlaRecord([['nents', tlaInt(n)], ['origNents', tlaInt(n)], ['pre', tlaInt(n)], ['ptrs', tlaInt(ptrs)]]);
      out.push(new Map([['layout', layout], ['tbl', tbl], ['mem', tlaFn(mem)], ['pins', pins]]));
    }
  }
  return ok(out);
}

const field = (v: TlaValue | undefined, f: string): TlaValue | undefined => (v?.kind === 'record' ? v.fields.find(([k]) => k === f)?.[1] : undefined);
const num = (v: TlaValue | undefined): number => (v?.kind === 'int' ? Number(v.value) : NaN);

const exploration: Exploration<IterToSgReplayState> = {
  initialStates,
  candidates(s, c) {
    const out: StepAction[] = [];
    for (const m of new Set([...constantInts(c, 'Sizes'), s.w.iter.count])) {
      for (const g of constantInts(c, 'SgMaxes')) out.push({ name: 'Call', args: new Map([['maxsize', integerArg(m)], ['sgMax', integerArg(g)]]) });
    }
    for (const g of GUPS) out.push({ name: 'UserRound', args: new Map([['gup', tlaStr(g)]]) });
    out.push({ name: 'Terminating', args: new Map() });
    return out;
  },
  stuttering: 'Terminating',
  classify(a, before, after) {
    const out: string[] = [before.w.iter.type];
    if (a.name === 'Call' && before.w.table.nents > 0) out.push('entries already in the table');
    if (a.name === 'Call' && num(a.args.get('sgMax')) === 0) out.push('sg_max 0');
    if (a.name === 'UserRound') out.push(`gup ${printArg(a.args.get('gup'))}`);
    const added = Math.min(after.w.table.nents, after.w.table.capacity) - Math.min(before.w.table.nents, before.w.table.capacity);
    if (added > 1) out.push('several entries (crosses pages or elements)');
    if (after.w.call?.phase === 'done' && 'result' in after.w.call.progress && after.w.call.progress.result === 0) out.push('returns 0');
    if (before.w.iter.iovOffset % before.w.iter.pageSize !== 0) out.push('unaligned position');
    return out;
  },
  constraints: {
    // MCIterToSg.tla: the final-design models keep xarray calls page-aligned (see the README's known gaps).
    XarrayCallsAligned(vars, c) {
      const layout = vars.get('layout');
      const type = field(layout, 'type');
      const phase = field(vars.get('call'), 'phase');
      if (type?.kind !== 'str' || type.value !== 'XARRAY' || (phase?.kind === 'str' && phase.value === 'user')) return true;
      return (num(field(layout, 'start')) + num(field(vars.get('iter'), 'iovOffset'))) % constantInt(c, 'PS') === 0;
    },
    // MCIterToSg.tla: one call is followed for at most Cap + 1 rounds (only a loop that makes no progress gets there).
    RoundsBounded(vars, c) {
      return num(field(vars.get('call'), 'rounds')) <= constantInt(c, 'Cap') + 1;
    },
    // MCIterToSg.tla: a behaviour ends where a page has been unpinned more often than it was pinned.
    PinsNotUnderflowed(vars) {
      const pins = vars.get('pins');
      const counts = pins?.kind === 'fn' ? pins.entries.map(([, v]) => v) : pins?.kind === 'seq' ? pins.elems : [];
      return counts.every((v) => v.kind !== 'int' || v.value >= 0n);
    },
  },
  // A user-backed call in its loop is a running generator (sgCallResume), which cannot be copied: the explorer
  // builds such states again from the state before the call.
  clone(s) {
    const w = sgWorldCopy(s.w);
    return w === undefined ? undefined : { ...s, w, gup: { ...s.gup } };
  },
  // Call and UserRound check that a call may start or go round before they change anything.
  refusalKeepsState: true,
};

function printArg(v: TlaValue | undefined): string {
  return v?.kind === 'str' ? v.value : '?';
}

export const binding: ExplorableBinding<IterToSgReplayState> = {
  ...iterToSgView,
  spec: 'IterToSg',
  variants: SG_VARIANTS,
  finalVariant: 'v7.0.7',
  actionArgs: { Init: [], Call: ['maxsize', 'sgMax'], UserRound: ['gup'], Terminating: [] },
  vars: ['layout', 'iter', 'mem', 'tbl', 'call', 'pins', 'action'],
  init(first, variant) {
    if (!isSgVariant(variant)) return err(`unknown variant ${variant}`);
    const built = buildIter(first.get('layout'));
    if (!built.ok) return built;
    const iter: IovIter = built.value;
    const tbl = rec(first.get('tbl'), 'tbl');
    if (!tbl.ok) return tbl;
    const nents = int(tbl.value.get('nents'), 'tbl.nents');
    const pre = int(tbl.value.get('pre'), 'tbl.pre');
    const ptrs = int(tbl.value.get('ptrs'), 'tbl.ptrs');
    if (!nents.ok) return nents;
    if (!pre.ok) return pre;
    if (!ptrs.ok) return ptrs;
    if (ptrs.value <= 1) return err(`tbl.ptrs = ${ptrs.value}: an entry holds at least two words`);
    const mem = intKeyed(first.get('mem'), 'mem');
    if (!mem.ok) return mem;
    if (mem.value.length % ptrs.value !== 0) return err(`mem has ${mem.value.length} words, not a whole number of ${ptrs.value}-word entries`);
    const words: SgWord[] = [];
    for (const [k, [key, v]] of mem.value.entries()) {
      if (key !== k) return err(`mem is not indexed 0..${mem.value.length - 1}`);
      const word = wordOf(v, `mem[${key}]`);
      if (!word.ok) return word;
      words.push(word.value);
    }
    const capacity = words.length / ptrs.value;
    if (nents.value !== pre.value || pre.value > capacity) return err(`tbl: ${nents.value} entries, ${pre.value} pre-existing, room for ${capacity}`);
    const pins = intKeyed(first.get('pins'), 'pins');
    if (!pins.ok) return pins;
    const table = { words, ptrs: ptrs.value, capacity, nents: nents.value, origNents: nents.value };
    const w: SgWorld = { initial: iovIterClone(iter), iter, table, ledger: newPinLedger(), pre: pre.value, call: undefined };
    const state: IterToSgReplayState = {
      w,
      variant: SG_VARIANT_OPTIONS[variant],
      layout: layoutOf(iter),
      pinPages: pins.value.map(([p]) => p),
      gup: { current: 'all' },
    };
    return ok({ state, narration: [`iov_iter_${iter.type.toLowerCase()}(…): count ${iter.count}; sg_table of ${capacity} entries (${ptrs.value} words each), ${pre.value} in use`] });
  },
  step,
  abstract,
  violated(s) {
    return sgViolatedInvariants(s.w);
  },
  violations(s) {
    return iterToSgReasons(sgViolatedInvariants(s.w), abstract(s));
  },
  explore: exploration,
};
