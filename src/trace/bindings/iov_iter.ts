// The IovIter replay binding: builds the reference iterator from a trace's first state (spec/IovIter.tla's
// `layout`), runs Advance/Revert/Extract as iov_iter_advance()/iov_iter_revert()/iov_iter_extract_pages() (with
// pin_user_pages_fast() and the page-array allocation driven by the action's pinLimit and alloc arguments), and
// maps the implementation back to the spec's variables.

import { err, ok, type Result } from '../../shared/result.js';
import { tlaBool, tlaInt, tlaRecord, tlaSeq, tlaSet, tlaStr, type TlaValue } from '../../tla/value.js';
import type { Constants, ExplorableBinding, Exploration, StepAction, StepEffect } from '../binding.js';
import { constantInts, constantSet, integerArg } from './explore_args.js';
import {
  folioqChain,
  folioqFolios,
  folioqIndex,
  iovIterBvec,
  iovIterDiscard,
  iovIterFolioQueue,
  iovIterIovec,
  iovIterKvec,
  iovIterUbuf,
  iovIterXarray,
  isSegmentIter,
  iterSegments,
  type BioVec,
  type Folio,
  type IovIter,
  type IterDirection,
  type Iovec,
} from '../../kernel/lib/iov_iter.js';
import {
  FOLL_WRITE,
  IOV_ITER_VARIANTS,
  iovIterExtractWillPin,
  isIovIterVariant,
  VARIANT_OPTIONS,
  type ExtractOptions,
  type PinUserPagesFast,
} from '../../kernel/lib/iov_iter_extract.js';
import {
  positionOf,
  startMonitor,
  type PagesMode,
  stepMonitor,
  violatedInvariants,
  type Monitored,
} from '../../kernel/lib/iov_iter_check.js';
import { iovIterReasons, iovIterView } from './iov_iter_view.js';

export interface IovIterReplayState {
  readonly m: Monitored;
  readonly variant: ExtractOptions;
  /** `layout` as the implementation's initial iterator gives it back (constant along a run). */
  readonly layout: TlaValue;
}

// ---- reading TLA+ values ----

type Fields = ReadonlyMap<string, TlaValue>;

function recordOf(v: TlaValue | undefined, what: string): Result<Fields, string> {
  if (v === undefined) return err(`${what} is missing`);
  if (v.kind !== 'record') return err(`${what} is not a record`);
  return ok(new Map(v.fields));
}

function intOf(v: TlaValue | undefined, what: string): Result<number, string> {
  if (v === undefined) return err(`${what} is missing`);
  if (v.kind !== 'int') return err(`${what} is not an integer`);
  const n = Number(v.value);
  if (!Number.isSafeInteger(n) || n < 0) return err(`${what} = ${v.value} is not a byte count`);
  return ok(n);
}

function strOf(v: TlaValue | undefined, what: string): Result<string, string> {
  if (v === undefined) return err(`${what} is missing`);
  if (v.kind !== 'str') return err(`${what} is not a string`);
  return ok(v.value);
}

/** A sequence as TLC prints it (`<<…>>`), or the empty function/set it may also print for `<<>>`. */
function seqOf(v: TlaValue | undefined, what: string): Result<readonly TlaValue[], string> {
  if (v === undefined) return err(`${what} is missing`);
  if (v.kind === 'seq') return ok(v.elems);
  if ((v.kind === 'fn' && v.entries.length === 0) || (v.kind === 'set' && v.elems.length === 0)) return ok([]);
  return err(`${what} is not a sequence`);
}

function intsOf(v: TlaValue | undefined, what: string): Result<number[], string> {
  const elems = v?.kind === 'set' ? ok(v.elems) : seqOf(v, what);
  if (!elems.ok) return elems;
  const out: number[] = [];
  for (const [k, e] of elems.value.entries()) {
    const n = intOf(e, `${what}[${k + 1}]`);
    if (!n.ok) return n;
    out.push(n.value);
  }
  return ok(out);
}

function fieldsOf<K extends string>(v: TlaValue | undefined, keys: readonly K[], what: string): Result<Record<K, number>, string> {
  const r = recordOf(v, what);
  if (!r.ok) return r;
  const out = {} as Record<K, number>;
  for (const k of keys) {
    const n = intOf(r.value.get(k), `${what}.${k}`);
    if (!n.ok) return n;
    out[k] = n.value;
  }
  return ok(out);
}

/** folioq_nr_slots() of the models' folio queues (spec/IovIter.tla FolioqSlots; PAGEVEC_SIZE in the kernel). */
export const FOLIOQ_SLOTS = 2;

/** The iterator `layout` describes, built with the kernel constructors. */
export function buildIter(layoutValue: TlaValue | undefined): Result<IovIter, string> {
  const l = recordOf(layoutValue, 'layout');
  if (!l.ok) return l;
  const get = (k: string): TlaValue | undefined => l.value.get(k);
  const type = strOf(get('type'), 'layout.type');
  if (!type.ok) return type;
  const dir = strOf(get('dir'), 'layout.dir');
  if (!dir.ok) return dir;
  if (dir.value !== 'SOURCE' && dir.value !== 'DEST') return err(`layout.dir is "${dir.value}", not "SOURCE" or "DEST"`);
  const direction: IterDirection = dir.value;
  const pageSize = intOf(get('pageSize'), 'layout.pageSize');
  if (!pageSize.ok) return pageSize;
  if (pageSize.value === 0) return err('layout.pageSize is 0');
  const count = intOf(get('count'), 'layout.count');
  if (!count.ok) return count;
  const segs = seqOf(get('segs'), 'layout.segs');
  if (!segs.ok) return segs;
  const o = { pageSize: pageSize.value };
  const iovecs = (): Result<Iovec[], string> => {
    const out: Iovec[] = [];
    for (const [k, s] of segs.value.entries()) {
      const f = fieldsOf(s, ['addr', 'len'], `layout.segs[${k + 1}]`);
      if (!f.ok) return f;
      out.push(f.value);
    }
    return ok(out);
  };
  const counted = (total: number): Result<void, string> =>
    total === count.value ? ok(undefined) : err(`layout.count is ${count.value} but the elements hold ${total} bytes`);
  switch (type.value) {
    case 'UBUF': {
      const v = iovecs();
      if (!v.ok) return v;
      const [seg, ...rest] = v.value;
      if (seg === undefined || rest.length > 0) return err('a UBUF layout has exactly one element');
      const c = counted(seg.len);
      return c.ok ? ok(iovIterUbuf(direction, seg.addr, seg.len, o)) : c;
    }
    case 'IOVEC':
    case 'KVEC': {
      const v = iovecs();
      if (!v.ok) return v;
      const c = counted(v.value.reduce((s, g) => s + g.len, 0));
      if (!c.ok) return c;
      const make = type.value === 'IOVEC' ? iovIterIovec : iovIterKvec;
      return ok(make(direction, v.value, v.value.length, count.value, o));
    }
    case 'BVEC': {
      const out: BioVec[] = [];
      for (const [k, s] of segs.value.entries()) {
        const f = fieldsOf(s, ['page', 'offset', 'len'], `layout.segs[${k + 1}]`);
        if (!f.ok) return f;
        out.push(f.value);
      }
      const c = counted(out.reduce((s, g) => s + g.len, 0));
      return c.ok ? ok(iovIterBvec(direction, out, out.length, count.value, o)) : c;
    }
    case 'FOLIOQ': {
      // spec/IovIter.tla's FOLIOQ layout: the chain's folios as [page, offset 0, len = PAGE_SIZE << order], cut
      // into folio_queue segments of FOLIOQ_SLOTS slots; iov_iter_folio_queue() from slot 0 at offset 0.
      const folios: Folio[] = [];
      let total = 0;
      for (const [k, s] of segs.value.entries()) {
        const f = fieldsOf(s, ['page', 'offset', 'len'], `layout.segs[${k + 1}]`);
        if (!f.ok) return f;
        const order = Math.log2(f.value.len / pageSize.value);
        if (f.value.offset !== 0 || !Number.isInteger(order)) return err(`layout.segs[${k + 1}] is not a folio (offset 0, PAGE_SIZE << order bytes)`);
        folios.push({ page: f.value.page, order });
        total += f.value.len;
      }
      if (folios.length === 0) return err('a FOLIOQ layout has at least one folio');
      if (count.value > total) return err(`layout.count is ${count.value} but the folios hold ${total} bytes`);
      return ok(iovIterFolioQueue(direction, folioqChain(folios, FOLIOQ_SLOTS), 0, 0, count.value, o));
    }
    case 'XARRAY': {
      const start = intOf(get('start'), 'layout.start');
      if (!start.ok) return start;
      const holes = intsOf(get('holes'), 'layout.holes');
      if (!holes.ok) return holes;
      return ok(iovIterXarray(direction, { holes: new Set(holes.value) }, start.value, count.value, o));
    }
    case 'DISCARD':
      if (direction !== 'DEST') return err('a DISCARD layout must be DEST');
      return ok(iovIterDiscard('DEST', count.value, o));
    default:
      return err(`layout.type "${type.value}" is not an iterator type of IovIter`);
  }
}

// ---- the abstraction function ----

/** Small integers are shared values (replay builds several per step). */
const SMALL_INTS: readonly TlaValue[] = Array.from({ length: 1024 }, (_, k) => tlaInt(k - 1));
const int = (n: number): TlaValue => SMALL_INTS[n + 1] ?? tlaInt(n);
const ints = (xs: readonly number[]): TlaValue => tlaSeq(xs.map(int));

/** `layout` from the implementation's iterator as it was built. */
export function layoutOf(i: IovIter): TlaValue {
  const segs = i.type === 'XARRAY' || i.type === 'DISCARD' ? [] : iterSegments(i);
  return tlaRecord([
    ['type', tlaStr(i.type)],
    ['dir', tlaStr(i.dataSource)],
    ['pageSize', int(i.pageSize)],
    ['segs', tlaSeq(segs.map((s) => ('page' in s ? tlaRecord([['page', int(s.page)], ['offset', int(s.offset)], ['len', int(s.len)]]) : tlaRecord([['addr', int(s.addr)], ['len', int(s.len)]]))))],
    ['start', int(i.type === 'XARRAY' ? i.xarrayStart : 0)],
    ['count', int(i.count)],
    ['holes', tlaSet(i.type === 'XARRAY' ? [...i.xarray.holes].map(int) : [])],
  ]);
}

/** nr_segs, or for FOLIOQ the folios left in the chain, the current one included (the spec's flat position). */
function nrSegsOf(i: IovIter): number {
  if (i.type === 'FOLIOQ') return folioqFolios(i).length - folioqIndex(i);
  return isSegmentIter(i) ? i.nrSegs : i.type === 'UBUF' ? 1 : 0;
}

export function iterOf(i: IovIter): TlaValue {
  return tlaRecord([['count', int(i.count)], ['iovOffset', int(i.iovOffset)], ['nrSegs', int(nrSegsOf(i))]]);
}

const NO_XTR = tlaRecord([
  ['valid', tlaBool(false)], ['maxsize', int(0)], ['maxpages', int(0)], ['alloc', tlaStr('caller')], ['countBefore', int(0)],
  ['ret', int(0)], ['errno', tlaStr('')], ['offset0', int(-1)], ['pages', tlaSeq([])], ['cap', int(0)],
]);

function xtrOf(m: Monitored): TlaValue {
  const l = m.last;
  if (l.op !== 'extract') return NO_XTR;
  const { ret, offset0, pages } = l.result;
  return tlaRecord([
    ['valid', tlaBool(true)],
    ['maxsize', int(l.maxsize)],
    ['maxpages', int(l.maxpages)],
    ['alloc', tlaStr(l.alloc)],
    ['countBefore', int(l.before.count)],
    ['ret', int(typeof ret === 'number' ? ret : 0)],
    ['errno', tlaStr(typeof ret === 'number' ? '' : ret)],
    ['offset0', int(offset0 ?? -1)],
    ['pages', ints(pages)],
    ['cap', int(l.result.cap ?? l.maxpages)],
  ]);
}

const NO_ITER = tlaRecord([['count', int(0)], ['iovOffset', int(0)], ['nrSegs', int(0)]]);

function histOf(m: Monitored): TlaValue {
  const h = m.hist;
  return tlaRecord([['last', h.last === undefined ? NO_ITER : iterOf(h.last)], ['lastMoved', int(h.lastMoved)], ['undone', tlaBool(h.undone)]]);
}

function fwdOf(m: Monitored): TlaValue {
  const f = m.fwd;
  if (f.kind === 'none') return tlaRecord([['kind', tlaStr('none')], ['moved', int(0)], ['count', int(0)], ['pos', int(0)]]);
  return tlaRecord([['kind', tlaStr(f.kind)], ['moved', int(f.moved)], ['count', int(f.before.count)], ['pos', int(f.before.pos)]]);
}

// ---- narration ----

/** The folio_queue segment the iterator is on (0 = the chain's first). */
function folioqSegment(i: IovIter): number {
  let q = 0;
  if (i.type === 'FOLIOQ') for (let s = i.head; s !== i.folioq && s.next !== undefined; s = s.next) q++;
  return q;
}

const fields = (i: IovIter): string =>
  i.type === 'FOLIOQ'
    ? `count ${i.count}, folioq ${folioqSegment(i)} slot ${i.folioqSlot}, iov_offset ${i.iovOffset}`
    : `count ${i.count}, nr_segs ${nrSegsOf(i)}, iov_offset ${i.iovOffset}`;

function gupNames(flags: number): string {
  return flags & FOLL_WRITE ? 'FOLL_WRITE' : '0';
}

// ---- the binding ----

function argOf(action: StepAction, name: string): Result<number, string> {
  return intOf(action.args.get(name), `${action.name}'s argument ${name}`);
}

const PAGES_MODES: readonly PagesMode[] = ['caller', 'alloc', 'fail'];

function allocOf(action: StepAction): Result<PagesMode, string> {
  const a = strOf(action.args.get('alloc'), `${action.name}'s argument alloc`);
  if (!a.ok) return a;
  const mode = PAGES_MODES.find((x) => x === a.value);
  return mode === undefined ? err(`${action.name}'s argument alloc is "${a.value}", not one of ${PAGES_MODES.join(', ')}`) : ok(mode);
}

function step(s: IovIterReplayState, action: StepAction): Result<StepEffect<IovIterReplayState>, string> {
  const before = s.m.iter;
  switch (action.name) {
    case 'Advance': {
      const n = argOf(action, 'n');
      if (!n.ok) return n;
      const m = stepMonitor(s.m, { name: 'Advance', n: n.value }, s.variant);
      return ok({ state: { ...s, m }, narration: [`iov_iter_advance(i, ${n.value}): ${fields(before)} → ${fields(m.iter)}`] });
    }
    case 'Revert': {
      const n = argOf(action, 'n');
      if (!n.ok) return n;
      const consumed = s.m.total - before.count;
      if (n.value === 0 || n.value > consumed) {
        return err(`iov_iter_revert(i, ${n.value}): callers give back between 1 and the ${consumed} bytes consumed`);
      }
      const m = stepMonitor(s.m, { name: 'Revert', n: n.value }, s.variant);
      if (m.last.op === 'revert' && m.last.outcome.kind !== 'ok') {
        return err(`iov_iter_revert(i, ${n.value}): ${m.last.outcome.kind === 'bug' ? 'BUG()' : 'WARN'}: ${m.last.outcome.what}`);
      }
      return ok({ state: { ...s, m }, narration: [`iov_iter_revert(i, ${n.value}): ${fields(before)} → ${fields(m.iter)}`] });
    }
    case 'Extract': {
      const maxsize = argOf(action, 'maxsize');
      if (!maxsize.ok) return maxsize;
      const maxpages = argOf(action, 'maxpages');
      if (!maxpages.ok) return maxpages;
      const pinLimit = argOf(action, 'pinLimit');
      if (!pinLimit.ok) return pinLimit;
      const alloc = allocOf(action);
      if (!alloc.ok) return alloc;
      const narration: string[] = [];
      const pin: PinUserPagesFast = (first, n, gup) => {
        const got = Math.min(n, pinLimit.value);
        const res = got === 0 ? 'EFAULT' : got;
        narration.push(`pin_user_pages_fast(page ${first}, ${n} pages, ${gupNames(gup)}) = ${typeof res === 'number' ? res : `-${res}`}`);
        return res;
      };
      const m = stepMonitor(s.m, { name: 'Extract', maxsize: maxsize.value, maxpages: maxpages.value, alloc: alloc.value }, s.variant, pin);
      if (alloc.value !== 'caller') {
        narration.push(`*pages == NULL: kvmalloc_array() of the entries needed ${alloc.value === 'fail' ? 'fails' : 'succeeds'}`);
      }
      if (m.last.op === 'extract') {
        const { ret, offset0, pages } = m.last.result;
        const shown = typeof ret === 'number' ? `${ret}` : ret === 'BUG' ? 'BUG()' : `-${ret}`;
        const list = pages.length > 0 ? `, pages [${pages.join(', ')}]` : '';
        const off = offset0 === undefined ? '' : `, offset0 ${offset0}`;
        narration.push(`iov_iter_extract_pages(i, maxsize ${maxsize.value}, maxpages ${maxpages.value}) = ${shown}${off}${list}; ${fields(m.iter)}`);
      }
      return ok({ state: { ...s, m }, narration });
    }
    default:
      return err(`IovIter has no action ${action.name}`);
  }
}

// ---- exploration under a model's constants ----

/**
 * `Extract`'s argument tuples: Sizes × PageCounts × the pin limits (fault injection only where extraction pins) ×
 * Allocs (the page array: the caller's, or NULL with an allocation that succeeds or fails).
 */
function candidates(s: IovIterReplayState, c: Constants): StepAction[] {
  const allocs = constantSet(c, 'Allocs');
  const modes = allocs.ok ? allocs.value.flatMap((v) => (v.kind === 'str' ? [tlaStr(v.value)] : [])) : [tlaStr('caller')];
  const steps = constantInts(c, 'Steps');
  const sizes = constantInts(c, 'Sizes');
  const counts = constantInts(c, 'PageCounts');
  const most = Math.max(...counts);
  // pin_user_pages_fast() manages none, one or all of the pages: a fault is injected only where the extraction
  // pins user pages (iov_iter_extract_will_pin); elsewhere nothing can fault and the limit is the largest count.
  const limits = iovIterExtractWillPin(s.m.iter) ? [...new Set([0, 1, most])] : [most];
  const out: StepAction[] = [];
  for (const n of steps) out.push({ name: 'Advance', args: new Map([['n', integerArg(n)]]) });
  for (const n of steps) out.push({ name: 'Revert', args: new Map([['n', integerArg(n)]]) });
  for (const m of sizes) {
    for (const p of counts) {
      for (const l of limits) {
        for (const a of modes) {
          out.push({ name: 'Extract', args: new Map([['maxsize', integerArg(m)], ['maxpages', integerArg(p)], ['pinLimit', integerArg(l)], ['alloc', a]]) });
        }
      }
    }
  }
  return out;
}

function classify(a: StepAction, before: IovIterReplayState, after: IovIterReplayState): string[] {
  const out: string[] = [before.m.iter.type];
  const i = before.m.iter;
  if (isSegmentIter(i) && i.nrSegs > 0 && i.segs[i.segs.length - i.nrSegs]?.len === 0) out.push('at an empty element');
  if (i.iovOffset % i.pageSize !== 0) out.push('unaligned position');
  const l = after.m.last;
  if (a.name === 'Extract' && l.op === 'extract') {
    const { ret, pages, offset0 } = l.result;
    if (typeof ret !== 'number') out.push(`error ${ret}`);
    else if (ret === 0) out.push('returns 0');
    if (pages.length > 1) out.push('crosses a page boundary');
    if (offset0 !== undefined && offset0 > 0) out.push('unaligned offset0');
    const alloc = a.args.get('alloc');
    if (alloc?.kind === 'str' && alloc.value !== 'caller') out.push(alloc.value === 'fail' ? 'page-array allocation fails' : 'page array allocated');
    const limit = a.args.get('pinLimit');
    if (iovIterExtractWillPin(i) && limit?.kind === 'int' && limit.value < 2n) out.push(limit.value === 0n ? 'pin fault (no page)' : 'pin fault (one page)');
  } else if (a.name === 'Advance' || a.name === 'Revert') {
    const n = a.args.get('n');
    if (n?.kind === 'int' && a.name === 'Advance' && Number(n.value) > i.count) out.push('clamped to count');
    if (isSegmentIter(i) && isSegmentIter(after.m.iter) && after.m.iter.nrSegs !== i.nrSegs) out.push('crosses an element');
  }
  if (i.type === 'FOLIOQ' && folioqSegment(after.m.iter) !== folioqSegment(i)) out.push('crosses a folio_queue segment');
  return out;
}

const exploration: Exploration<IovIterReplayState> = {
  initialStates(c) {
    const layouts = constantSet(c, 'Layouts');
    if (!layouts.ok) return layouts;
    return ok(layouts.value.map((l) => new Map([['layout', l]])));
  },
  candidates,
  classify,
  // Steps never change a state in place (stepMonitor works on a copy of the iterator).
  clone: (s) => s,
};

export const binding: ExplorableBinding<IovIterReplayState> = {
  ...iovIterView,
  spec: 'IovIter',
  variants: IOV_ITER_VARIANTS,
  finalVariant: 'v6.6',
  actionArgs: { Init: [], Advance: ['n'], Revert: ['n'], Extract: ['maxsize', 'maxpages', 'pinLimit', 'alloc'] },
  vars: ['layout', 'iter', 'xtr', 'fwd', 'hist', 'action'],
  init(first, variant) {
    if (!isIovIterVariant(variant)) return err(`unknown variant ${variant}`);
    const iter = buildIter(first.get('layout'));
    if (!iter.ok) return iter;
    const m = startMonitor(iter.value);
    const state: IovIterReplayState = { m, variant: VARIANT_OPTIONS[variant], layout: layoutOf(m.initial) };
    return ok({ state, narration: [`iov_iter_${iter.value.type.toLowerCase()}(${iter.value.dataSource}, …): ${fields(iter.value)}, position ${positionOf(iter.value).pos}`] });
  },
  step,
  abstract(s) {
    return new Map<string, TlaValue>([
      ['layout', s.layout],
      ['iter', iterOf(s.m.iter)],
      ['xtr', xtrOf(s.m)],
      ['fwd', fwdOf(s.m)],
      ['hist', histOf(s.m)],
    ]);
  },
  violated(s) {
    return violatedInvariants(s.m, s.variant);
  },
  violations(s) {
    return iovIterReasons(violatedInvariants(s.m, s.variant), this.abstract(s));
  },
  explore: exploration,
};
