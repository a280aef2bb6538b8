// The PageLifetime replay binding: builds the reference mm/bio/DIO code from a trace's first state, runs each
// spec action as the kernel-shaped call it stands for, maps the implementation's state back to the spec's
// variables, and asks the implementation's own checker which invariants fail.

import type { Constants, ExplorableBinding, Exploration, Lasso, LassoJudgement, StepAction, StepEffect } from '../binding.js';
import { ConstantShapeError, constantSet, integerArg } from './explore_args.js';
import { err, ok, type Result } from '../../shared/result.js';
import { tlaBool, tlaFn, tlaInt, tlaRecord, tlaSeq, tlaSet, tlaStr, type TlaValue } from '../../tla/value.js';
import { printTla } from '../../tla/print.js';
import type { Bio, BioFlag, BioState } from '../../kernel/block/bio.js';
import {
  dioBuildBio,
  dioComplete,
  dioDma,
  dioDone,
  dioSubmitBio,
  dioWorldCopy,
  iomapDioZero,
  kernelBufferFree,
  KERNEL_OWNER,
  userMunmap,
  type Dio,
  type DioWorld,
} from '../../kernel/fs/dio.js';
import {
  buildDioWorld,
  DIO_ITER_TYPES,
  elementsConsumed,
  NO_PAGE,
  type DioIterType,
  type DioLayout,
  type LayoutDio,
  type LayoutElem,
  type PageKind,
} from '../../kernel/fs/dio_layout.js';
import { PAGE_LIFETIME_VARIANTS } from '../../kernel/fs/dio_variant.js';
import { drainLog, isZeroFolio, PAGE_SIZE, USER_OWNER, type Folio } from '../../kernel/mm/mm.js';
import { folioBaseline, pageLifetimeViolations, violatedInvariants } from '../../kernel/fs/dio_check.js';
import { folioqFolios, type IovIter } from '../../kernel/lib/iov_iter.js';
import { pageLifetimeView } from './page_lifetime_view.js';

export interface PageLifetimeState {
  readonly world: DioWorld;
  /** The user virtual pages of the layout: the domain of `mapping` (unmapped ones read NoPage). */
  readonly vpages: readonly number[];
}

const VARS = ['kind', 'ref', 'freed', 'owned', 'mapping', 'iter', 'dio', 'bios', 'action'] as const;
/** The spec's actions (its `Next` list and Init) and the arguments each one's `action` record carries. */
const ACTION_ARGS = {
  Init: [],
  GetPages: ['dio', 'bio', 'gup', 'add', 'alloc'],
  IomapDioZero: ['dio', 'bio'],
  Submit: ['dio', 'bio'],
  Dma: ['dio', 'bio'],
  Complete: ['dio', 'bio'],
  UserUnmap: ['vpage'],
  KernelFree: ['page'],
  Terminating: [],
} as const satisfies Readonly<Record<string, readonly string[]>>;
type ActionName = keyof typeof ACTION_ARGS;

// ---------------------------------------------------------------------------------------------------------------
// Reading TLA+ values

const show = (v: TlaValue): string => {
  const s = printTla(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

function asInt(v: TlaValue | undefined, what: string): Result<number, string> {
  if (v?.kind !== 'int') return err(`${what} is not an integer${v === undefined ? '' : `: ${show(v)}`}`);
  return ok(Number(v.value));
}

function asStr(v: TlaValue | undefined, what: string): Result<string, string> {
  if (v?.kind !== 'str') return err(`${what} is not a string${v === undefined ? '' : `: ${show(v)}`}`);
  return ok(v.value);
}

/** The (key, value) pairs of a function, whether TLC printed it as `<<…>>` (domain 1..n) or with `:>`. */
function fnEntries(v: TlaValue | undefined, what: string): Result<(readonly [TlaValue, TlaValue])[], string> {
  if (v === undefined) return err(`${what} is missing`);
  if (v.kind === 'seq') return ok(v.elems.map((e, i) => [tlaInt(i + 1), e] as const));
  if (v.kind === 'fn') return ok([...v.entries]);
  return err(`${what} is not a function: ${show(v)}`);
}

function intFn<T>(v: TlaValue | undefined, what: string, value: (x: TlaValue, key: number) => Result<T, string>): Result<Map<number, T>, string> {
  const entries = fnEntries(v, what);
  if (!entries.ok) return entries;
  const out = new Map<number, T>();
  for (const [k, x] of entries.value) {
    const key = asInt(k, `a key of ${what}`);
    if (!key.ok) return key;
    const val = value(x, key.value);
    if (!val.ok) return val;
    out.set(key.value, val.value);
  }
  return ok(out);
}

function field(v: TlaValue, name: string): TlaValue | undefined {
  return v.kind === 'record' ? v.fields.find(([f]) => f === name)?.[1] : undefined;
}

function readElem(v: TlaValue, what: string): Result<LayoutElem, string> {
  const page = asInt(field(v, 'page'), `${what}.page`);
  const off = asInt(field(v, 'off'), `${what}.off`);
  const len = asInt(field(v, 'len'), `${what}.len`);
  if (!page.ok) return page;
  if (!off.ok) return off;
  if (!len.ok) return len;
  return ok({ page: page.value, off: off.value, len: len.value });
}

function readDio(v: TlaValue, d: number): Result<LayoutDio & { maxVecs: number }, string> {
  const what = `iter[${d}]`;
  const type = asStr(field(v, 'type'), `${what}.type`);
  if (!type.ok) return type;
  if (!(DIO_ITER_TYPES as readonly string[]).includes(type.value)) return err(`${what}.type is unknown: ${type.value}`);
  const dir = asStr(field(v, 'dir'), `${what}.dir`);
  if (!dir.ok) return dir;
  if (dir.value !== 'SOURCE' && dir.value !== 'DEST') return err(`${what}.dir is neither SOURCE nor DEST`);
  const maxVecs = asInt(field(v, 'maxVecs'), `${what}.maxVecs`);
  if (!maxVecs.ok) return maxVecs;
  const elemsV = field(v, 'elems');
  if (elemsV?.kind !== 'seq') return err(`${what}.elems is not a sequence`);
  const elems: LayoutElem[] = [];
  for (const [i, e] of elemsV.elems.entries()) {
    const el = readElem(e, `${what}.elems[${i + 1}]`);
    if (!el.ok) return el;
    elems.push(el.value);
  }
  return ok({ type: type.value as DioIterType, dir: dir.value, elems, maxVecs: maxVecs.value });
}

/** The layout a trace starts from: pages and kinds, the page table, kernel buffers, the DIOs. */
export function readLayout(first: ReadonlyMap<string, TlaValue>): Result<DioLayout, string> {
  const kind = intFn(first.get('kind'), 'kind', (x, p) => {
    const s = asStr(x, `kind[${p}]`);
    if (!s.ok) return s;
    return s.value === 'user' || s.value === 'kernel' || s.value === 'zero' ? ok(s.value as PageKind) : err(`kind[${p}] is ${s.value}`);
  });
  if (!kind.ok) return kind;
  const mapping = intFn(first.get('mapping'), 'mapping', (x, v) => asInt(x, `mapping[${v}]`));
  if (!mapping.ok) return mapping;
  const ownedV = first.get('owned');
  if (ownedV?.kind !== 'set') return err('owned is not a set');
  const owned = new Set<number>();
  for (const x of ownedV.elems) {
    const p = asInt(x, 'an element of owned');
    if (!p.ok) return p;
    owned.add(p.value);
  }
  const dios = intFn(first.get('iter'), 'iter', readDio);
  if (!dios.ok) return dios;
  const ids = [...dios.value.keys()].sort((a, b) => a - b);
  if (ids.some((id, k) => id !== k + 1)) return err(`the DIOs must be numbered 1..n, not ${ids.join(', ')}`);
  const list = ids.map((id) => dios.value.get(id)!);
  return ok({ kind: kind.value, mapping: mapping.value, owned, dios: list, maxVecs: list[0]?.maxVecs ?? 1 });
}

// ---------------------------------------------------------------------------------------------------------------
// The abstraction function

const FLAG_NAMES: Readonly<Record<BioFlag, string>> = {
  BIO_PAGE_PINNED: 'PINNED',
  BIO_PAGE_REFFED: 'REFFED',
  BIO_NO_PAGE_REF: 'NO_PAGE_REF',
  BIO_CLONED: 'CLONED',
};

const BIO_STATE_NAMES: Readonly<Record<BioState, string>> = {
  building: 'built',
  submitted: 'inflight',
  transferred: 'dma',
  released: 'released',
};

function folioKind(world: DioWorld, f: Folio): string {
  if (isZeroFolio(world.mm, f)) return 'zero';
  if (f.owner === USER_OWNER) return 'user';
  if (f.owner === KERNEL_OWNER) return 'kernel';
  return f.owner;
}

/** Per-page elements of one contiguous byte range (UBUF, XARRAY), as the spec lists them. */
function splitRange(start: number, total: number): LayoutElem[] {
  const out: LayoutElem[] = [];
  for (let at = start; at < start + total; ) {
    const off = at % PAGE_SIZE;
    const len = Math.min(PAGE_SIZE - off, start + total - at);
    out.push({ page: Math.floor(at / PAGE_SIZE), off, len });
    at += len;
  }
  return out;
}

/** The spec's element list, read back from the implementation's iterator (an exhaustive switch: a hot path). */
function iterElems(i: IovIter): LayoutElem[] {
  switch (i.type) {
    case 'UBUF':
      return splitRange(i.ubuf, i.count + i.iovOffset);
    case 'XARRAY':
      return splitRange(i.xarrayStart, i.count + i.iovOffset);
    case 'IOVEC':
    case 'KVEC':
      return i.segs.map((e) => ({ page: Math.floor(e.addr / PAGE_SIZE), off: e.addr % PAGE_SIZE, len: e.len }));
    case 'BVEC':
      return i.segs.map((e) => ({ page: e.page, off: e.offset, len: e.len }));
    case 'FOLIOQ':
      return folioqFolios(i).map((e) => ({ page: e.page, off: e.offset, len: e.len }));
    case 'DISCARD':
    case 'PIPE':
      return [];
    default: {
      const never: never = i;
      return never;
    }
  }
}

const elemValue = (e: LayoutElem): TlaValue => tlaRecord({ page: tlaInt(e.page), off: tlaInt(e.off), len: tlaInt(e.len) });

function bioValue(b: Bio): TlaValue {
  return tlaRecord({
    kind: tlaStr(b.kind),
    state: tlaStr(BIO_STATE_NAMES[b.state]),
    flags: tlaSet(b.flags.map((f) => tlaStr(FLAG_NAMES[f]))),
    taken: tlaStr(b.acquired),
    vecs: tlaSeq(b.vecs.map((v) => elemValue({ page: v.page, off: v.offset, len: v.len }))),
    trail: tlaSeq(b.trail.map((e) => tlaStr(e))),
  });
}

function dioValues(d: Dio): { iter: TlaValue; dio: TlaValue } {
  const elems = iterElems(d.iter);
  const total = elems.reduce((n, e) => n + e.len, 0);
  const pos = elementsConsumed({ type: d.iter.type as DioIterType, dir: d.iter.dataSource, elems }, total - d.iter.count);
  return {
    iter: tlaRecord({
      type: tlaStr(d.iter.type),
      dir: tlaStr(d.iter.dataSource),
      elems: tlaSeq(elems.map(elemValue)),
      maxVecs: tlaInt(d.maxVecs),
    }),
    dio: tlaRecord({ pos: tlaInt(pos), err: tlaBool(d.error !== null), zeroed: tlaBool(d.zeroed) }),
  };
}

function abstractState(s: PageLifetimeState): ReadonlyMap<string, TlaValue> {
  const { world } = s;
  const folios = [...world.mm.folios.values()].sort((a, b) => a.head - b.head);
  const perDio = world.dios.map(dioValues);
  return new Map<string, TlaValue>([
    ['kind', tlaFn(folios.map((f) => [tlaInt(f.head), tlaStr(folioKind(world, f))] as const))],
    ['ref', tlaFn(folios.map((f) => [tlaInt(f.head), tlaInt(f.refcount)] as const))],
    ['freed', tlaSet(folios.filter((f) => f.free).map((f) => tlaInt(f.head)))],
    ['owned', tlaSet(folios.filter((f) => f.owner === KERNEL_OWNER && f.ownerHeld).map((f) => tlaInt(f.head)))],
    ['mapping', tlaFn(s.vpages.map((v) => [tlaInt(v), tlaInt(world.mm.pageTable.get(v) ?? NO_PAGE)] as const))],
    ['iter', tlaFn(world.dios.map((d, k) => [tlaInt(d.id), perDio[k]!.iter] as const))],
    ['dio', tlaFn(world.dios.map((d, k) => [tlaInt(d.id), perDio[k]!.dio] as const))],
    ['bios', tlaFn(world.dios.map((d) => [tlaInt(d.id), tlaSeq(d.bios.map(bioValue))] as const))],
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// Actions

function intArg(action: StepAction, name: string): Result<number, string> {
  return asInt(action.args.get(name), `${action.name}'s argument ${name}`);
}

function run(s: PageLifetimeState, action: StepAction): Result<StepEffect<PageLifetimeState>, string> {
  // The replay engine never looks at a state again after stepping it, so the step works on it in place.
  const world = s.world;
  const next: PageLifetimeState = s;
  const name = action.name as ActionName;
  const done = (r: Result<unknown, string>, lead: string[] = []): Result<StepEffect<PageLifetimeState>, string> =>
    r.ok ? ok({ state: next, narration: [...lead, ...drainLog(world.mm)] }) : err(r.error);
  const dioBio = (f: (w: DioWorld, d: number, k: number) => Result<Bio, string>): Result<StepEffect<PageLifetimeState>, string> => {
    const d = intArg(action, 'dio');
    const k = intArg(action, 'bio');
    if (!d.ok) return d;
    if (!k.ok) return k;
    const bio = world.dios[d.value - 1]?.bios[k.value - 1];
    const lead = bio === undefined ? [] : [`DIO ${d.value}, its bio #${k.value} = bio ${bio.id}:`];
    return done(f(world, d.value, k.value), lead);
  };
  switch (name) {
    case 'Init':
      return err('Init can only be the first state');
    case 'GetPages': {
      const d = intArg(action, 'dio');
      const gup = intArg(action, 'gup');
      const add = intArg(action, 'add');
      const alloc = intArg(action, 'alloc');
      if (!d.ok) return d;
      if (!gup.ok) return gup;
      if (!add.ok) return add;
      if (!alloc.ok) return alloc;
      const injected = [
        ...(gup.value > 0 ? [`GUP faults at page ${gup.value} of the fill`] : []),
        ...(add.value > 0 ? [`bio_add_hw_page() refuses page ${add.value} of the fill`] : []),
        ...(alloc.value > 0 ? [`the page array of extraction call ${alloc.value} cannot be allocated`] : []),
      ];
      const lead = `DIO ${d.value} builds its next bio${injected.length > 0 ? ` (injected: ${injected.join(', ')})` : ''}:`;
      return done(dioBuildBio(world, d.value, { gupFailAt: gup.value, addRefuseAt: add.value, allocFailAt: alloc.value }), [lead]);
    }
    case 'IomapDioZero': {
      const d = intArg(action, 'dio');
      if (!d.ok) return d;
      return done(iomapDioZero(world, d.value));
    }
    case 'Submit':
      return dioBio(dioSubmitBio);
    case 'Dma':
      return dioBio(dioDma);
    case 'Complete':
      return dioBio(dioComplete);
    case 'UserUnmap': {
      const v = intArg(action, 'vpage');
      if (!v.ok) return v;
      return done(userMunmap(world, v.value));
    }
    case 'KernelFree': {
      const p = intArg(action, 'page');
      if (!p.ok) return p;
      return done(kernelBufferFree(world, p.value));
    }
    case 'Terminating': {
      const busy = world.dios.find((d) => !dioDone(d));
      return busy === undefined ? ok({ state: next, narration: ['every DIO is done'] }) : err(`DIO ${busy.id} is not done`);
    }
    default: {
      const never: never = name;
      return err(`unknown action ${String(never)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Exploration under a model's constants

/** The failures the model lets GetPages inject (its `Inject` constant): a subset of "gup", "add", "alloc". */
function injectable(c: Constants): ReadonlySet<string> {
  const v = c.get('Inject');
  if (v?.kind !== 'set' || v.elems.some((e) => e.kind !== 'str')) {
    throw new ConstantShapeError("the model's constant Inject is not a set of strings");
  }
  return new Set(v.elems.map((e) => (e as { value: string }).value));
}

/**
 * The candidates of `Next`: every DIO with every failure its GetPages may inject (as the spec's Injections: a GUP
 * fault at any remaining element of a user iterator, a refused add at any remaining element or a failed page-array
 * allocation at any extraction call up to that many, but not for a BVEC one),
 * each of its bios, every user virtual page, every page, and Terminating.
 */
function candidates(s: PageLifetimeState, c: Constants): StepAction[] {
  const act = (name: ActionName, args: [string, number][] = []): StepAction => ({ name, args: new Map(args.map(([k, v]) => [k, integerArg(v)])) });
  const inject = injectable(c);
  const out: StepAction[] = [];
  for (const d of s.world.dios) {
    const elems = iterElems(d.iter);
    const total = elems.reduce((n, e) => n + e.len, 0);
    const left = elems.length - elementsConsumed({ type: d.iter.type as DioIterType, dir: d.iter.dataSource, elems }, total - d.iter.count);
    const user = d.iter.type === 'UBUF' || d.iter.type === 'IOVEC';
    // The bio number of GetPages/IomapDioZero is what the step produces; `recorded` fills it in.
    const getPages = (gup: number, add: number, alloc: number): StepAction =>
      act('GetPages', [['dio', d.id], ['gup', gup], ['add', add], ['alloc', alloc]]);
    out.push(getPages(0, 0, 0), act('IomapDioZero', [['dio', d.id]]));
    for (let k = 1; k <= left; k++) {
      if (inject.has('gup') && user) out.push(getPages(k, 0, 0));
      if (inject.has('add') && d.iter.type !== 'BVEC') out.push(getPages(0, k, 0));
      if (inject.has('alloc') && d.iter.type !== 'BVEC') out.push(getPages(0, 0, k));
    }
    for (let k = 1; k <= d.bios.length; k++) {
      out.push(act('Submit', [['dio', d.id], ['bio', k]]), act('Dma', [['dio', d.id], ['bio', k]]), act('Complete', [['dio', d.id], ['bio', k]]));
    }
  }
  for (const v of s.vpages) out.push(act('UserUnmap', [['vpage', v]]));
  for (const p of [...s.world.mm.folios.keys()].sort((a, b) => a - b)) out.push(act('KernelFree', [['page', p]]));
  out.push(act('Terminating'));
  return out;
}

const exploration: Exploration<PageLifetimeState> = {
  initialStates(c) {
    const layouts = constantSet(c, 'Layouts');
    if (!layouts.ok) return layouts;
    const firsts: Map<string, TlaValue>[] = [];
    for (const l of layouts.value) {
      if (l.kind !== 'record') return err('an element of Layouts is not a record');
      firsts.push(new Map(l.fields.filter(([f]) => ['kind', 'mapping', 'iter', 'owned'].includes(f))));
    }
    return ok(firsts);
  },
  candidates,
  stuttering: 'Terminating',
  // The kernel calls check their preconditions (DIO running, bio state, page mapped or owned) before acting.
  refusalKeepsState: true,
  recorded(a, before, after) {
    if (a.name !== 'GetPages' && a.name !== 'IomapDioZero') return a;
    const d = a.args.get('dio');
    const k = d?.kind === 'int' ? Number(d.value) - 1 : -1;
    const was = before.world.dios[k]?.bios.length ?? 0;
    const now = after.world.dios[k]?.bios.length ?? 0;
    // The spec records the new bio's number, or 0 when the call built none (-EFAULT).
    return { name: a.name, args: new Map([...a.args, ['bio', integerArg(now > was ? now : 0)]]) };
  },
  classify(a, before) {
    const d = a.args.get('dio');
    const dio = d?.kind === 'int' ? before.world.dios[Number(d.value) - 1] : undefined;
    if (dio === undefined) return [];
    const out = [`${dio.iter.type} ${dio.op === 'READ' ? 'read' : 'write'}`];
    const arg = (n: string): number => {
      const v = a.args.get(n);
      return v?.kind === 'int' ? Number(v.value) : 0;
    };
    if (a.name === 'GetPages') {
      if (arg('gup') > 0) out.push('GUP fault injected');
      if (arg('add') > 0) out.push('add refused');
      if (arg('alloc') > 0) out.push('page array allocation fails');
      if (arg('bio') === 0) out.push('no bio built (error)');
    }
    return out;
  },
  // Steps work on the state in place: each try works on the world's copy (the page table's user pages are fixed).
  clone: (s) => ({ world: dioWorldCopy(s.world), vpages: s.vpages }),
};

// ---------------------------------------------------------------------------------------------------------------
// Liveness counterexamples

/** The temporal properties of PageLifetime's LiveSpec this binding judges. */
const LIVE_PROPERTIES = ['PinsReleasedProp', 'BiosCompleteProp'] as const;

/**
 * The steps LiveSpec is weakly fair to (submit_bio(), the device's DMA, bio_endio()) that the implementation
 * takes in this state: each is tried on a copy, so a refusal is the kernel call's own precondition failing.
 */
function fairStepsEnabled(s: PageLifetimeState): string[] {
  const out: string[] = [];
  const steps = [
    ['Submit', dioSubmitBio],
    ['Dma', dioDma],
    ['Complete', dioComplete],
  ] as const;
  for (const d of s.world.dios) {
    for (let k = 1; k <= d.bios.length; k++) {
      for (const [name, call] of steps) {
        if (call(dioWorldCopy(s.world), d.id, k).ok) out.push(`${name}(dio ${d.id}, bio ${k})`);
      }
    }
  }
  return out;
}

/**
 * A PageLifetime lasso (LiveSpec: weak fairness for Submit, Dma and Complete only). Every step moves the state
 * forward (the iterator position, each bio's lifecycle, unmapped pages, freed buffers only advance), so the only
 * cycles stutter: the behaviour stops in its last state. That is fair when no submission, transfer or completion
 * is enabled there; it violates PinsReleasedProp when a page stays above its owners' baseline
 * (`(ref > Baseline) ~> (ref = Baseline)`), and BiosCompleteProp when a submitted bio never completes.
 */
function judgeLasso(l: Lasso<PageLifetimeState>): Result<LassoJudgement<PageLifetimeState>, string> {
  if (l.property !== undefined && !(LIVE_PROPERTIES as readonly string[]).includes(l.property)) {
    return err(`the PageLifetime binding judges ${LIVE_PROPERTIES.join(' and ')}, not ${l.property}`);
  }
  if (l.kind === 'back-to-state') {
    return err(`no PageLifetime step returns to an earlier state (positions, bio lifecycles, unmaps and frees only advance), so the loop back to state ${l.loopIndex} cannot close`);
  }
  const { world } = l.last;
  const enabled = fairStepsEnabled(l.last);
  if (enabled.length > 0) return err(`${enabled.join(', ')} can still happen: weak fairness does not let the behaviour stop here`);
  const held = [...world.mm.folios.values()]
    .sort((a, b) => a.head - b.head)
    .filter((f) => !f.free && f.refcount > folioBaseline(world, f))
    .map((f) => `page ${f.head} (refcount ${f.refcount}, its owners hold ${folioBaseline(world, f)})`);
  const stuck = world.dios.flatMap((d) =>
    d.bios.flatMap((b, k) => (b.state === 'submitted' || b.state === 'transferred' ? [`DIO ${d.id}'s bio #${k + 1} (${b.state})`] : [])),
  );
  const pins = l.property === undefined || l.property === 'PinsReleasedProp';
  if (pins && held.length > 0) {
    return ok({
      narration: [
        `the behaviour stops in state ${l.loopIndex}: ${world.dios.every(dioDone) ? 'every DIO is done, every bio released' : 'nothing more happens'}`,
        'fair: no bio is built, in flight or transferred there, so no submit_bio(), DMA or bio_endio() is enabled',
        `PinsReleasedProp is violated: ${held.join('; ')} stays above its baseline forever`,
      ],
    });
  }
  if (!pins && stuck.length > 0) {
    return ok({
      narration: [`the behaviour stops in state ${l.loopIndex}`, `BiosCompleteProp is violated: ${stuck.join(', ')} never completes`],
    });
  }
  return err(`no ${l.property ?? 'liveness property'} violation in the stuttering state: ${pins ? 'every page is back to its owners\' baseline' : 'no submitted bio is left incomplete'}`);
}

export const binding: ExplorableBinding<PageLifetimeState> = {
  ...pageLifetimeView,
  violations: (s) => pageLifetimeViolations(s.world),
  spec: 'PageLifetime',
  variants: PAGE_LIFETIME_VARIANTS,
  finalVariant: 'v6.5',
  actionArgs: ACTION_ARGS,
  vars: VARS,
  init(first, variant) {
    const layout = readLayout(first);
    if (!layout.ok) return layout;
    const world = buildDioWorld(layout.value, variant);
    if (!world.ok) return world;
    const vpages = [...layout.value.mapping.keys()].sort((a, b) => a - b);
    const narration = [
      `memory: ${[...layout.value.kind].map(([p, k]) => `page ${p} ${k}`).join(', ')}`,
      `user page table: ${[...layout.value.mapping].map(([v, p]) => `${v} → ${p}`).join(', ') || 'empty'}`,
      ...world.value.dios.map(
        (d) => `DIO ${d.id}: ${d.op === 'READ' ? 'read into' : 'write from'} ITER_${d.iter.type}, ${d.iter.count} bytes, bi_max_vecs ${d.maxVecs}`,
      ),
    ];
    return ok({ state: { world: world.value, vpages }, narration });
  },
  step: run,
  abstract: abstractState,
  violated: (s) => violatedInvariants(s.world),
  explore: exploration,
  judgeLasso,
};
