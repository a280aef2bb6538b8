// The SpliceRead binding (DESIGN.md "Replay"): builds the splice system from a trace's first state, runs each
// spec action on the reference kernel code (the splice task's next step, the device, the other allocator,
// truncate, the reader), maps the system back to the spec's variables and runs its own invariant checker.

import { err, ok, type Result } from '../../shared/result.js';
import type { Constants, ExplorableBinding, Exploration, StepAction, StepEffect } from '../binding.js';
import { bioLive, bioPages, bioReleaseMode, bioSize, bioFlagged, type Bio } from '../../kernel/block/bio.js';
import { drainLog, type PageId } from '../../kernel/mm/mm.js';
import {
  SPLICE_READ_VARIANTS,
  completeBio,
  createSpliceSystem,
  isSplicePathOwner,
  isSpliceReadVariant,
  otherAlloc,
  quiescent,
  readPipeBuffer,
  taskStep,
  truncate,
  truncateFreeBlocks,
  type SpliceEvent,
  type SpliceSystem,
} from '../../kernel/fs/splice.js';
import { checkSplice, spliceErr, violatedSplice } from '../../kernel/fs/splice_check.js';
import { JUNK } from '../../kernel/fs/iomap.js';
import { tlaFn, tlaInt, tlaRecord, tlaSeq, tlaSet, tlaStr, type TlaValue } from '../../tla/value.js';
import { pipeOccupancy, pipeSlot } from '../../kernel/fs/pipe.js';
import { PAGE_SIZE } from '../../kernel/mm/mm.js';
import { ConstantShapeError, constantInt, constantInts, integerArg } from './explore_args.js';
import { printTla } from '../../tla/print.js';
import { spliceReadView } from './splice_read_view.js';

const VARS = ['refcount', 'owner', 'content', 'file', 'pipe', 'iter', 'bvec', 'bios', 'dio', 'task', 'action'] as const;

/** The spec's actions (its `Next` list and Init) and the arguments each one's `action` record carries. */
const ACTION_ARGS = {
  Init: [],
  SpliceStart: ['len', 'short'],
  DioStart: ['size'],
  Extract: ['bio', 'size', 'page', 'nomem'],
  Submit: ['bio'],
  DioRevert: ['unroll'],
  DioWait: ['ret'],
  SpliceReturn: ['ret'],
  BioComplete: ['bio'],
  OtherAlloc: ['page'],
  Truncate: ['size'],
  TruncateBlocks: ['mapped'],
  PipeRead: ['slot'],
  Finished: [],
} as const satisfies Readonly<Record<string, readonly string[]>>;
type ActionName = keyof typeof ACTION_ARGS;

// ---------------------------------------------------------------------------------------------------------------
// Reading TLA+ values

type Read<T> = Result<T, string>;

function field(v: TlaValue | undefined, name: string, where: string): Read<TlaValue> {
  if (v === undefined) return err(`${where} is missing`);
  if (v.kind !== 'record') return err(`${where} is not a record: ${printTla(v)}`);
  const f = v.fields.find(([k]) => k === name);
  return f === undefined ? err(`${where} has no field ${name}`) : ok(f[1]);
}

function int(v: TlaValue | undefined, where: string): Read<number> {
  if (v === undefined || v.kind !== 'int') return err(`${where} is not an integer${v === undefined ? '' : `: ${printTla(v)}`}`);
  return ok(Number(v.value));
}

function intField(v: TlaValue | undefined, name: string, where: string): Read<number> {
  const f = field(v, name, where);
  return f.ok ? int(f.value, `${where}.${name}`) : f;
}

function strField(v: TlaValue | undefined, name: string, where: string): Read<string> {
  const f = field(v, name, where);
  if (!f.ok) return f;
  return f.value.kind === 'str' ? ok(f.value.value) : err(`${where}.${name} is not a string: ${printTla(f.value)}`);
}

/** A function with integer keys (a sequence or `k :> v @@ …`) as its entries. */
function intKeyed(v: TlaValue | undefined, where: string): Read<[number, TlaValue][]> {
  if (v === undefined) return err(`${where} is missing`);
  if (v.kind === 'seq') return ok(v.elems.map((e, k) => [k + 1, e]));
  if (v.kind === 'fn') {
    const out: [number, TlaValue][] = [];
    for (const [k, e] of v.entries) {
      if (k.kind !== 'int') return err(`${where} has a non-integer key ${printTla(k)}`);
      out.push([Number(k.value), e]);
    }
    return ok(out.sort((a, b) => a[0] - b[0]));
  }
  if (v.kind === 'record' && v.fields.length === 0) return ok([]);
  return err(`${where} is not a function of integers: ${printTla(v)}`);
}

/** The constant exploration adds to a first state (not a variable of the spec). */
const OTHER_MAX = 'OtherMax';

const argInt = (a: StepAction, name: string): Read<number> => int(a.args.get(name), `action.${name}`);

// ---------------------------------------------------------------------------------------------------------------
// init: the spec's Init state

function init(first: ReadonlyMap<string, TlaValue>, variant: string): Result<StepEffect<SpliceSystem>, string> {
  if (!isSpliceReadVariant(variant)) return err(`unknown variant ${variant}`);
  const rc = intKeyed(first.get('refcount'), 'refcount');
  if (!rc.ok) return rc;
  const pages = rc.value.map(([p]) => p);
  if (pages.length === 0 || pages.some((p, k) => p !== k + 1)) return err(`refcount's domain is not 1..N: ${pages.join(', ')}`);
  const owner = intKeyed(first.get('owner'), 'owner');
  if (!owner.ok) return owner;
  const file = first.get('file');
  const isize = intField(file, 'isize', 'file');
  const mapped = intField(file, 'mapped', 'file');
  const pipe = first.get('pipe');
  const maxUsage = intField(pipe, 'maxUsage', 'pipe');
  const head = intField(pipe, 'head', 'pipe');
  const tail = intField(pipe, 'tail', 'pipe');
  const task = first.get('task');
  const len = intField(task, 'len', 'task');
  const pc = strField(task, 'pc', 'task');
  const pos = intField(task, 'pos', 'task');
  const head0 = intField(task, 'head0', 'task');
  for (const r of [isize, mapped, maxUsage, head, tail, len, pc, pos, head0]) if (!r.ok) return r;
  if (!isize.ok || !mapped.ok || !maxUsage.ok || !head.ok || !tail.ok || !len.ok || !pc.ok || !pos.ok || !head0.ok) return err('unreachable');
  if (maxUsage.value < 1) return err(`pipe.maxUsage is ${maxUsage.value}: a pipe holds at least one buffer`);
  for (const [name, v] of [['file.isize', isize], ['file.mapped', mapped], ['task.len', len], ['task.pos', pos], ['pipe.tail', tail]] as const) {
    if (v.value < 0) return err(`${name} is negative (${v.value})`);
  }
  const occupancy = head.value - tail.value;
  if (occupancy < 0 || occupancy > maxUsage.value) return err(`pipe head ${head.value} and tail ${tail.value} do not fit a ring of ${maxUsage.value}`);
  if (occupancy > pages.length) return err(`the pipe holds ${occupancy} buffers but there are only ${pages.length} page frames`);
  if (pc.value !== 'idle' || head0.value !== head.value) return err('the task already started: not the spec\'s Init');
  // The spec's Init: pages 1..occupancy are the earlier writer's buffers (one reference each), the rest free.
  for (const [p, v] of rc.value) {
    const want = p <= occupancy ? 1n : 0n;
    if (v.kind !== 'int' || v.value !== want) return err(`page ${p} starts with refcount ${printTla(v)}, not ${want}: not the spec's Init`);
  }
  for (const [p, v] of owner.value) {
    const want = p <= occupancy ? 'splice' : 'free';
    if (v.kind !== 'str' || v.value !== want) return err(`page ${p} starts ${printTla(v)}, not ${want}: not the spec's Init`);
  }
  const bufs = field(pipe, 'bufs', 'pipe');
  if (!bufs.ok) return bufs;
  const slots = intKeyed(bufs.value, 'pipe.bufs');
  if (!slots.ok) return slots;
  if (slots.value.length !== maxUsage.value) return err(`pipe.bufs has ${slots.value.length} slots, not ${maxUsage.value}`);
  for (let k = 0; k < occupancy; k++) {
    const slot = (tail.value + k) % maxUsage.value;
    const page = intField(slots.value[slot]?.[1], 'page', `pipe.bufs[${slot}]`);
    if (!page.ok) return page;
    if (page.value !== k + 1) return err(`pipe buffer ${slot} holds page ${page.value}, not ${k + 1}: not the spec's Init`);
  }
  const bios = intKeyed(first.get('bios'), 'bios');
  if (!bios.ok) return bios;
  if (bios.value.length > 0) return err('bios exist in the first state: not the spec\'s Init');
  // The other allocator's budget is the model's OtherMax: a trace's steps need no bound (it records what
  // happened), but exploration hands the constant along with the first state.
  const otherMax = first.has(OTHER_MAX) ? int(first.get(OTHER_MAX), OTHER_MAX) : undefined;
  if (otherMax !== undefined && !otherMax.ok) return otherMax;
  const sys = createSpliceSystem({
    variant,
    ...(otherMax !== undefined ? { otherMax: otherMax.value } : {}),
    fileSize: isize.value,
    mapped: mapped.value,
    spliceLen: len.value,
    pos: pos.value,
    maxUsage: maxUsage.value,
    occupancy,
    pipeTail: tail.value,
    pages: pages.length,
  });
  return ok({
    state: sys,
    narration: [
      `${variant}: file i_size ${isize.value} with ${mapped.value} bytes of written blocks; pipe max_usage ${maxUsage.value} ` +
        `holding ${occupancy} buffer(s) from index ${tail.value}; page frames ${pages.join(', ')}; ` +
        `splice(${len.value} bytes at offset ${pos.value}) about to start`,
    ],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// step

const EXPECTED_EVENT: Partial<Record<ActionName, SpliceEvent['kind'] | 'returned'>> = {
  SpliceStart: 'splice-start',
  DioStart: 'dio-start',
  Extract: 'extracted',
  Submit: 'submitted',
  DioRevert: 'reverted',
  DioWait: 'completed',
  SpliceReturn: 'returned',
};

const EVENT_TEXT: Readonly<Record<SpliceEvent['kind'] | 'returned', string>> = {
  'splice-start': 'start the splice (SpliceStart)',
  'dio-start': 'sample i_size (DioStart)',
  extracted: 'put the next block into a bio (Extract)',
  'extract-failed': 'fail to get the next block\'s page (Extract with nomem)',
  submitted: 'submit the bio (Submit)',
  reverted: 'revert the iterator (DioRevert)',
  blocked: 'wait for the bios (DioWait)',
  completed: 'return from the DIO (DioWait)',
  returned: 'return from the splice (SpliceReturn)',
};

/** The task's next step must be the one the trace names (SpliceStart may also return at once: -ENOMEM). */
function runTask(sys: SpliceSystem, name: ActionName): Result<string[], string> {
  const want = EXPECTED_EVENT[name];
  if (want === undefined) return err(`${name} is not a step of the splicing task`);
  const r = taskStep(sys);
  if (!r.ok) return err(r.error);
  const got = r.value.kind;
  if (got !== want && !(name === 'SpliceStart' && got === 'returned') && !(name === 'Extract' && got === 'extract-failed')) {
    return err(`the task's next step is to ${EVENT_TEXT[got]}, not ${name}`);
  }
  return ok([]);
}

/**
 * Extract, with push_anon()'s alloc_page() failing when the trace says so (nomem 1): the step must then be the
 * failed extraction, and without it a successful one.
 */
function runExtract(sys: SpliceSystem, action: StepAction): Result<string[], string> {
  const nomem = argInt(action, 'nomem');
  if (!nomem.ok) return nomem;
  if (nomem.value !== 0 && nomem.value !== 1) return err(`action.nomem is ${nomem.value}, not 0 or 1`);
  sys.pushAnonFail = nomem.value === 1;
  const before = sys.env.bios.length;
  const r = runTask(sys, 'Extract');
  const unused = sys.pushAnonFail;
  sys.pushAnonFail = false;
  if (!r.ok) return r;
  const failed = sys.env.bios.length === before;
  if (nomem.value === 1 && unused) return err('the extraction needed no new pipe page, so push_anon() could not fail (nomem 1)');
  if (nomem.value === 1 !== failed) return err(nomem.value === 1 ? 'push_anon() failed but a bio was built' : 'the extraction failed without an injected failure');
  return r;
}

/** Live bios that target `page`. */
function biosTargeting(sys: SpliceSystem, page: PageId): Bio[] {
  return sys.env.bios.filter((b) => bioLive(b) && b.state !== 'building' && bioPages(b).includes(page));
}

/**
 * The memory log of a step, in kernel terms: a pipe_buf_release() and the put_page() it causes on one line,
 * and a page freed or reallocated while a bio targets it said so.
 */
function narrate(sys: SpliceSystem, lines: string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < lines.length; k++) {
    let line = lines[k]!;
    const next = lines[k + 1];
    if (/^pipe_buf_release\(buffer \d+\)$/.test(line) && next !== undefined && next.startsWith('put_page(')) {
      line = `${line} → ${next}`;
      k++;
    }
    const freed = /page (\d+) freed/.exec(line);
    const taken = /^alloc_page\(\) for (\S+): page (\d+)/.exec(line);
    const page = freed?.[1] ?? (taken !== null && !isSplicePathOwner(taken[1]!) ? taken[2] : undefined);
    if (page !== undefined) {
      const ids = biosTargeting(sys, Number(page)).map((b) => b.id);
      if (ids.length > 0) line += `${freed !== null ? ' while' : ', while'} bio ${ids.join(', ')} targets it`;
    }
    out.push(line.trim());
  }
  return out;
}

function step(sys: SpliceSystem, action: StepAction): Result<StepEffect<SpliceSystem>, string> {
  drainLog(sys.mm);
  const name = action.name as ActionName;
  let r: Result<unknown, string>;
  switch (name) {
    case 'SpliceStart': {
      // Failure injection: copy_splice_read()'s alloc_pages_bulk_array() falls short by the trace's number of pages.
      const short = argInt(action, 'short');
      if (!short.ok) {
        r = short;
        break;
      }
      sys.bulkAllocShort = short.value;
      r = runTask(sys, name);
      break;
    }
    case 'Extract':
      r = runExtract(sys, action);
      break;
    case 'DioStart':
    case 'Submit':
    case 'DioRevert':
    case 'DioWait':
    case 'SpliceReturn':
      r = runTask(sys, name);
      break;
    case 'BioComplete': {
      const id = argInt(action, 'bio');
      r = id.ok ? completeBio(sys, id.value) : id;
      break;
    }
    case 'OtherAlloc': {
      const p = argInt(action, 'page');
      r = p.ok ? otherAlloc(sys, p.value) : p;
      break;
    }
    case 'Truncate': {
      const n = argInt(action, 'size');
      r = n.ok ? truncate(sys, n.value) : n;
      break;
    }
    case 'TruncateBlocks':
      r = truncateFreeBlocks(sys);
      break;
    case 'PipeRead':
      r = readPipeBuffer(sys);
      break;
    case 'Finished':
      r = quiescent(sys) ? ok(undefined) : err('the system is not quiescent');
      break;
    case 'Init':
      r = err('Init is not a step');
      break;
    default: {
      const never: never = name;
      r = err(`unknown action ${String(never)}`);
    }
  }
  if (!r.ok) return err(r.error);
  return ok({ state: sys, narration: narrate(sys, drainLog(sys.mm)) });
}

// ---------------------------------------------------------------------------------------------------------------
// abstract: the implementation's state as the spec's variables

const NO_BUF = tlaRecord({ page: tlaInt(0), offset: tlaInt(0), len: tlaInt(0), ops: tlaStr('none') });

function bioState(b: Bio): string {
  switch (b.state) {
    case 'building':
      return 'built';
    case 'submitted':
    case 'transferred':
      return 'inflight';
    case 'released':
      return 'done';
    default: {
      const never: never = b.state;
      return never;
    }
  }
}

function abstractIter(sys: SpliceSystem): TlaValue {
  const i = sys.task.iter;
  if (i === null) return tlaRecord({ type: tlaStr('NONE') });
  switch (i.type) {
    case 'PIPE':
      return tlaRecord({
        type: tlaStr('PIPE'),
        count: tlaInt(i.count),
        head: tlaInt(i.head),
        startHead: tlaInt(i.startHead),
        lastOffset: tlaInt(i.lastOffset),
      });
    case 'BVEC':
      return tlaRecord({ type: tlaStr('BVEC'), count: tlaInt(i.count), idx: tlaInt(i.cur + 1), iovOffset: tlaInt(i.iovOffset) });
    default:
      // The splice builds only these two; anything else is shown as what it is, so the comparison fails loudly.
      return tlaRecord({ type: tlaStr(i.type), count: tlaInt(i.count) });
  }
}

function abstract(sys: SpliceSystem): ReadonlyMap<string, TlaValue> {
  const pages = [...sys.mm.folios.keys()].sort((a, b) => a - b);
  const folio = (p: PageId) => sys.mm.folios.get(p)!;
  const owner = (p: PageId): string => (folio(p).free ? 'free' : isSplicePathOwner(folio(p).owner) ? 'splice' : 'other');
  const { pipe, task, inode } = sys;
  const bufs: TlaValue[] = [];
  for (let s = 0; s < pipe.ringSize; s++) {
    const b = pipe.bufs[s];
    bufs.push(b === null || b === undefined ? NO_BUF : tlaRecord({ page: tlaInt(b.page), offset: tlaInt(b.offset), len: tlaInt(b.len), ops: tlaStr(b.ops) }));
  }
  const flags = (b: Bio): TlaValue[] => [
    ...(bioReleaseMode(sys.env.opts, b) === 'put' ? [tlaStr('REFFED')] : []),
    ...(bioFlagged(b, 'BIO_CLONED') ? [tlaStr('CLONED')] : []),
  ];
  const m = new Map<string, TlaValue>();
  m.set('refcount', tlaSeq(pages.map((p) => tlaInt(folio(p).refcount))));
  m.set('owner', tlaSeq(pages.map((p) => tlaStr(owner(p)))));
  m.set(
    'content',
    tlaSeq(
      pages.map((p) => {
        const c = sys.env.contents.get(p) ?? JUNK;
        return tlaRecord({ kind: tlaStr(c.kind), pos: tlaInt(c.pos), upto: tlaInt(c.upto) });
      }),
    ),
  );
  m.set('file', tlaRecord({ isize: tlaInt(inode.isize), mapped: tlaInt(inode.mapped) }));
  m.set(
    'pipe',
    tlaRecord({
      head: tlaInt(pipe.head),
      tail: tlaInt(pipe.tail),
      maxUsage: tlaInt(pipe.maxUsage),
      bufs: { kind: 'fn', entries: bufs.map((b, s) => [tlaInt(s), b] as const) },
    }),
  );
  m.set('iter', abstractIter(sys));
  m.set('bvec', tlaSeq(task.bvec.map((bv) => tlaRecord({ page: tlaInt(bv.page), offset: tlaInt(bv.offset), len: tlaInt(bv.len) }))));
  m.set(
    'bios',
    tlaSeq(
      sys.env.bios.map((b) =>
        tlaRecord({
          pages: tlaSeq(bioPages(b).map((p) => tlaInt(p))),
          offset: tlaInt(b.vecs[0]?.offset ?? 0),
          len: tlaInt(bioSize(b)),
          pos: tlaInt(sys.env.bioPos.get(b.id) ?? 0),
          flags: tlaSet(flags(b)),
          state: tlaStr(bioState(b)),
        }),
      ),
    ),
  );
  m.set('dio', tlaRecord({ isize: tlaInt(task.dio?.iSize ?? 0), pos: tlaInt(task.dio?.pos ?? 0) }));
  m.set(
    'task',
    tlaRecord({
      pc: tlaStr(task.phase),
      len: tlaInt(task.len),
      ret: tlaInt(typeof task.ret === 'number' ? task.ret : 0),
      // the DIO's error is the task's from the failed extraction on, as the spec records it
      err: tlaStr(spliceErr(task)),
      pos: tlaInt(task.pos0),
      head0: tlaInt(task.head0),
    }),
  );
  return m;
}

// ---------------------------------------------------------------------------------------------------------------
// Exploration under a model's constants

const str = (s: string): TlaValue => tlaStr(s);

/**
 * The spec's first states (SpliceRead.tla Init): every occupancy an earlier writer left from every ring index,
 * every splice length and position, every file size; what `init` reads, built from the constants.
 */
function initialStates(c: Constants): Result<ReadonlyMap<string, TlaValue>[], string> {
  const pages = constantInts(c, 'Pages');
  const maxUsage = constantInt(c, 'MaxUsage');
  const pageSize = constantInt(c, 'PageSize');
  if (pageSize !== PAGE_SIZE) return err(`the model's PageSize is ${pageSize}; the implementation's pages are ${PAGE_SIZE} bytes`);
  const out: Map<string, TlaValue>[] = [];
  for (const occ of constantInts(c, 'Occupancies')) {
    for (const t0 of constantInts(c, 'PipeTails')) {
      const slots = Array.from({ length: maxUsage }, (_, s) => {
        const i = Array.from({ length: occ }, (__, k) => k + 1).find((k) => (t0 + k - 1) % maxUsage === s);
        const buf = i === undefined ? NO_BUF : tlaRecord({ page: tlaInt(i), offset: tlaInt(0), len: tlaInt(pageSize), ops: str('anon') });
        return [tlaInt(s), buf] as const;
      });
      const pipe = tlaRecord({ head: tlaInt(t0 + occ), tail: tlaInt(t0), maxUsage: tlaInt(maxUsage), bufs: tlaFn(slots) });
      for (const len of constantInts(c, 'SpliceLens')) {
        for (const pos of constantInts(c, 'Offsets')) {
          for (const size of constantInts(c, 'FileSizes')) {
            out.push(
              new Map<string, TlaValue>([
                ['refcount', tlaSeq(pages.map((p) => tlaInt(p <= occ ? 1 : 0)))],
                ['owner', tlaSeq(pages.map((p) => str(p <= occ ? 'splice' : 'free')))],
                ['file', tlaRecord({ isize: tlaInt(size), mapped: tlaInt(Math.ceil(size / pageSize) * pageSize) })],
                ['pipe', pipe],
                ['task', tlaRecord({ pc: str('idle'), len: tlaInt(len), ret: tlaInt(0), err: str('none'), pos: tlaInt(pos), head0: tlaInt(t0 + occ) })],
                ['bios', tlaSeq([])],
                [OTHER_MAX, tlaInt(constantInt(c, 'OtherMax'))],
              ]),
            );
          }
        }
      }
    }
  }
  return ok(out);
}

const divRoundUp = (n: number): number => Math.floor((n + PAGE_SIZE - 1) / PAGE_SIZE);

/** The splicing task's next step, by where it stopped; the task decides between Extract and DioRevert itself. */
const TASK_CANDIDATES: Readonly<Record<SpliceSystem['task']['phase'], readonly ActionName[]>> = {
  idle: ['SpliceStart'],
  dio: ['DioStart'],
  map: ['Extract', 'DioRevert'],
  submit: ['Submit'],
  wait: ['DioWait'],
  return: ['SpliceReturn'],
  done: [],
};

const none = (name: string): StepAction => ({ name, args: new Map() });
const withArgs = (name: string, args: Record<string, number>): StepAction => ({ name, args: new Map(Object.entries(args).map(([k, v]) => [k, integerArg(v)])) });

function allocFailures(c: Constants): boolean {
  const v = c.get('AllocFailures');
  if (v?.kind !== 'bool') throw new ConstantShapeError("the model's constant AllocFailures is not a boolean");
  return v.value;
}

function candidates(sys: SpliceSystem, c: Constants): StepAction[] {
  const out: StepAction[] = [];
  for (let b = 1; b <= sys.env.bios.length; b++) out.push(withArgs('BioComplete', { bio: b }));
  for (const p of constantInts(c, 'Pages')) out.push(withArgs('OtherAlloc', { page: p }));
  for (const n of constantInts(c, 'TruncSizes')) out.push(withArgs('Truncate', { size: n }));
  out.push(none('TruncateBlocks'), none('PipeRead'), none('Finished'));
  for (const name of TASK_CANDIDATES[sys.task.phase]) {
    if (name === 'Extract') {
      // PushAnonFails(grows): with failures injected, push_anon() may get no page when append_pipe() needs one
      const i = sys.task.iter;
      const grows = i !== null && i.type === 'PIPE' && i.lastOffset > 0 && i.lastOffset < PAGE_SIZE;
      const fails = sys.opts.spliceRead === 'generic' && allocFailures(c) && !grows ? [0, 1] : [0];
      for (const nomem of fails) out.push(withArgs('Extract', { nomem }));
      continue;
    }
    if (name !== 'SpliceStart') {
      out.push(none(name));
      continue;
    }
    // AllocCounts(n): copy_splice_read() asks for the pages of the length the pipe has room for; with failures
    // injected the bulk allocation may fall short by any number of them.
    const room = Math.max(sys.pipe.maxUsage - pipeOccupancy(sys.pipe.head, sys.pipe.tail), 0);
    const n = divRoundUp(Math.min(sys.task.len, room * PAGE_SIZE));
    const shorts = sys.opts.spliceRead === 'copy' && allocFailures(c) ? Array.from({ length: n + 1 }, (_, k) => k) : [0];
    for (const short of shorts) out.push(withArgs('SpliceStart', { short }));
  }
  return out;
}

const argNomem = (a: StepAction): number => {
  const v = a.args.get('nomem');
  return v?.kind === 'int' ? Number(v.value) : 0;
};

const taskRet = (sys: SpliceSystem): number => (typeof sys.task.ret === 'number' ? sys.task.ret : 0);

/** The `action` record of a step taken: the results the spec records, read from the implementation. */
function recorded(a: StepAction, before: SpliceSystem, after: SpliceSystem): StepAction {
  const args = (r: Record<string, number>): StepAction => withArgs(a.name, r);
  switch (a.name as ActionName) {
    case 'SpliceStart':
      return args({ len: after.task.len, short: after.opts.spliceRead === 'copy' ? Number((a.args.get('short') as { value: bigint }).value) : 0 });
    case 'DioStart':
      return args({ size: after.task.dio?.iSize ?? after.inode.isize });
    case 'Extract': {
      // iomap_dio_bio_iter() gets the rest of the block, the iterator hands over at most its count.
      const pos = before.task.dio?.pos ?? 0;
      const length = Math.min(before.inode.blockSize - (pos % before.inode.blockSize), before.inode.mapped - pos);
      const size = Math.min(length, before.task.iter?.count ?? 0);
      if (argNomem(a) === 1) return args({ bio: 0, size, page: 0, nomem: 1 });
      const bio = after.env.bios[after.env.bios.length - 1];
      return args({ bio: after.env.bios.length, size, page: bio === undefined ? 0 : (bioPages(bio)[0] ?? 0), nomem: 0 });
    }
    case 'Submit':
      return args({ bio: after.env.bios.length });
    case 'DioRevert':
      return args({ unroll: (after.task.iter?.count ?? 0) - (before.task.iter?.count ?? 0) });
    case 'DioWait':
      return args({ ret: taskRet(after) });
    case 'SpliceReturn':
      return args({ ret: taskRet(before) });
    case 'TruncateBlocks':
      return args({ mapped: after.inode.mapped });
    case 'PipeRead':
      return args({ slot: pipeSlot(before.pipe, before.pipe.tail) });
    default:
      return a;
  }
}

function classify(a: StepAction, before: SpliceSystem, after: SpliceSystem): string[] {
  const out: string[] = [before.variant];
  const occ = pipeOccupancy(before.pipe.head, before.pipe.tail);
  if (a.name === 'SpliceStart') {
    if (occ > 0) out.push('pipe already holds buffers');
    if (before.pipe.tail % before.pipe.ringSize !== 0 || (before.pipe.head % before.pipe.ringSize) < (before.pipe.tail % before.pipe.ringSize)) out.push('ring wraps or starts mid-ring');
    const short = a.args.get('short');
    if (short?.kind === 'int' && short.value > 0n) out.push(after.task.phase === 'done' ? 'bulk allocation fails (-ENOMEM)' : 'bulk allocation falls short');
    if (before.task.pos0 > 0) out.push('splice from a non-zero offset');
  }
  if (a.name === 'Extract') {
    if (argNomem(a) === 1) out.push('push_anon() gets no page (-EFAULT)');
    const bio = after.env.bios[after.env.bios.length - 1];
    if (bio !== undefined && bioSize(bio) < PAGE_SIZE) out.push('partial block');
    if (bio !== undefined && (bio.vecs[0]?.offset ?? 0) > 0) out.push('appends to the last buffer');
  }
  if (a.name === 'DioRevert') {
    const u = a.args.get('unroll');
    out.push(u?.kind === 'int' && u.value > 0n ? 'reverts past i_size' : 'nothing to revert');
  }
  if (a.name === 'DioStart' && after.task.phase === 'return') out.push('read at or past i_size');
  if (a.name === 'BioComplete' && before.task.phase === 'done') out.push('completes after the splice returned');
  if (a.name === 'OtherAlloc' && biosTargeting(before, Number((a.args.get('page') as { value: bigint }).value)).length > 0) out.push('takes a page a bio targets');
  if (a.name === 'Truncate' && ['map', 'submit', 'wait'].includes(before.task.phase)) out.push('truncate during the DIO');
  return out;
}

const exploration: Exploration<SpliceSystem> = {
  initialStates,
  candidates,
  recorded,
  classify,
  stuttering: 'Finished',
  // Every step but the task's refuses before it changes anything; the task finds out only by running its next
  // step whether that is an extraction or the revert after the loop.
  refusalKeepsState: (a) => a.name !== 'Extract' && a.name !== 'DioRevert',
  constraints: {
    // MCSpliceRead.tla / MCSpliceReadGen.tla: Len(bios) <= MaxUsage (GenRing) guards the finite space.
    StateConstraint(vars, c) {
      const bios = vars.get('bios');
      const bound = c.get('GenRing') !== undefined ? constantInt(c, 'GenRing') : constantInt(c, 'MaxUsage');
      return bios?.kind !== 'seq' || bios.elems.length <= bound;
    },
  },
  // No clone: the task is a running generator (the kernel stack), which cannot be copied; the explorer builds
  // states again from their paths.
};

export const binding: ExplorableBinding<SpliceSystem> = {
  ...spliceReadView,
  violations: (sys) => checkSplice(sys),
  spec: 'SpliceRead',
  variants: SPLICE_READ_VARIANTS,
  finalVariant: 'copy-splice-read',
  actionArgs: ACTION_ARGS,
  vars: VARS,
  init,
  step,
  abstract,
  violated: (sys) => violatedSplice(sys),
  explore: exploration,
};

