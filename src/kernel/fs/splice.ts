// splice(2) from an O_DIRECT file into a pipe (KERNEL.md §E): generic_file_splice_read() over ITER_PIPE (the
// pipe variants) and copy_splice_read() over ITER_BVEC (the fix, §E.4), on top of the iomap DIO read; plus the
// system they run in — the device, another allocator, a concurrent truncate and a pipe reader — as one state
// that a test or a trace replay drives step by step. The variants are options of this one code.

import { DIO_VARIANTS, type DioOptions } from './dio_variant.js';
import { iovIterBvec, type BioVec, type IovIter } from '../lib/iov_iter.js';
import {
  deviceCompleteBio,
  iomapDioRw,
  roundUp,
  truncateBlocks,
  truncateSetSize,
  type DioEnv,
  type DioEvent,
  type Inode,
  type IomapDio,
  type Kiocb,
  JUNK,
  contentOf,
  type PageContent,
} from './iomap.js';
import { PAGE_SIZE, allocPage, allocPageAt, createMm, putPage, type Mm, type OwnerTag, type PageId } from '../mm/mm.js';
import {
  allocPipeInfo,
  iovIterPipe,
  pipeDiscardFrom,
  pipeEmpty,
  pipeOccupancy,
  pipeRead,
  pipeSlot,
  PIPE_OWNER,
  type PageAllocator,
  type PipeInodeInfo,
} from './pipe.js';
import type { BioErrno } from '../block/bio.js';

/** What ->splice_read() returns: bytes or an errno (-EFAULT from the read becomes -EAGAIN). */
export type SpliceRet = number | BioErrno | 'EAGAIN';

/** The variant strings shared with spec/SpliceRead.tla's `Variant` constant. */
export const SPLICE_READ_VARIANTS = ['copy-splice-read', 'pipe-get-pages', 'pipe-extract-no-ref', 'pipe-get-pages-no-revert'] as const;
export type SpliceReadVariant = (typeof SPLICE_READ_VARIANTS)[number];

export interface SpliceOptions {
  /** ->splice_read() of an O_DIRECT file: generic_file_splice_read() over ITER_PIPE, or copy_splice_read(). */
  readonly spliceRead: 'generic' | 'copy';
  /**
   * The block layer generation: 'legacy' = before the series (iov_iter_get_pages(): pipe_get_pages() gives the
   * bio a reference per page, released at completion); 'v6.5' = iov_iter_extract_pages(), which for ITER_PIPE is
   * the linux-next extractor that takes no reference (§E.3).
   */
  readonly dio: DioOptions;
  /** __iomap_dio_rw() reverts the iterator by what it read past the sampled i_size (419e9c38aa07, §E.2). */
  readonly revertPastEof: boolean;
}

export const SPLICE_VARIANT_OPTIONS: Readonly<Record<SpliceReadVariant, SpliceOptions>> = {
  'copy-splice-read': { spliceRead: 'copy', dio: DIO_VARIANTS['v6.5'], revertPastEof: true },
  'pipe-get-pages': { spliceRead: 'generic', dio: DIO_VARIANTS.legacy, revertPastEof: true },
  'pipe-extract-no-ref': { spliceRead: 'generic', dio: DIO_VARIANTS['v6.5'], revertPastEof: true },
  'pipe-get-pages-no-revert': { spliceRead: 'generic', dio: DIO_VARIANTS.legacy, revertPastEof: false },
};

export function isSpliceReadVariant(v: string): v is SpliceReadVariant {
  return (SPLICE_READ_VARIANTS as readonly string[]).includes(v);
}

/** Owner tags: push_anon() pages are the pipe's, copy_splice_read() pages the splice's, and someone else's. */
export const SPLICE_OWNER: OwnerTag = 'splice';
export const OTHER_OWNER: OwnerTag = 'skb';
export const isSplicePathOwner = (owner: OwnerTag): boolean => owner === PIPE_OWNER || owner === SPLICE_OWNER;

/** Where the splicing task is, as the spec's `task.pc` names it. */
export type TaskPhase = 'idle' | 'dio' | 'map' | 'submit' | 'wait' | 'return' | 'done';

export type SpliceEvent = { readonly kind: 'splice-start'; readonly len: number } | DioEvent;

/** The splicing task: its generator (the kernel stack) and the locals other parts of the system can see. */
export interface SpliceTask {
  phase: TaskPhase;
  /** The len argument, capped to the pipe's free space once the splice started. */
  len: number;
  /** The read's return value once the DIO completed, then the splice's. */
  ret: SpliceRet;
  /** *ppos when the splice started, and pipe->head then (where its buffers begin). */
  readonly pos0: number;
  readonly head0: number;
  /** The destination iterator while the splice runs. */
  iter: IovIter | null;
  /** copy_splice_read()'s bio_vec array while it owns the pages (empty otherwise). */
  bvec: BioVec[];
  dio: IomapDio | null;
  ppos: number;
  gen: Generator<SpliceEvent, SpliceRet, void> | null;
}

export interface SpliceSystem {
  readonly variant: SpliceReadVariant;
  readonly opts: SpliceOptions;
  readonly mm: Mm;
  readonly pipe: PipeInodeInfo;
  readonly inode: Inode;
  readonly env: DioEnv;
  readonly task: SpliceTask;
  /** The allocator every part uses (it also records what the new page holds). */
  readonly allocPage: PageAllocator;
  /** How many pages the other allocator holds at most (the model's OtherMax); unbounded when absent. */
  readonly otherMax?: number;
  /** Failure injection: how many pages short of the request the next alloc_pages_bulk_array() falls (0: none). */
  bulkAllocShort: number;
  /** Failure injection: the next push_anon()'s alloc_page() gets no page (consumed by that call). */
  pushAnonFail: boolean;
}

export interface SystemConfig {
  readonly variant: SpliceReadVariant;
  readonly fileSize: number;
  /** Bytes of written blocks; default: i_size rounded up to the block size. */
  readonly mapped?: number;
  readonly spliceLen: number;
  /** *ppos: the file position the splice reads from (block aligned for O_DIRECT); default 0. */
  readonly pos?: number;
  readonly maxUsage: number;
  /** Full buffers an earlier writer left in the pipe (pages 1..occupancy), from ring index `pipeTail`. */
  readonly occupancy?: number;
  readonly pipeTail?: number;
  /** Page frames 1..pages, all free; allocations take the lowest free one (as the spec does). */
  readonly pages?: number;
  readonly otherMax?: number;
}

/** The lowest-numbered free page, allocated for `owner`; fresh pages only when none is free. */
export const lowestFreeAllocator: PageAllocator = (mm, owner) => {
  const free = [...mm.freeList].sort((a, b) => a - b)[0];
  if (free === undefined) return allocPage(mm, owner);
  allocPageAt(mm, free, owner);
  mm.log.push(`alloc_page() for ${owner}: page ${free}, refcount 1`);
  return free;
};

/**
 * A system: a file, a pipe holding `occupancy` full buffers of an earlier writer (pages 1..occupancy, from ring
 * index `pipeTail`), and the other page frames up to `pages` free.
 */
export function createSpliceSystem(c: SystemConfig): SpliceSystem {
  const mm = createMm({ zeroPages: 0 });
  const occupancy = c.occupancy ?? 0;
  for (let p = 1; p <= (c.pages ?? c.maxUsage + 1); p++) {
    allocPageAt(mm, p, 'boot');
    putPage(mm, p);
  }
  const contents = new Map<PageId, PageContent>();
  for (const p of mm.folios.keys()) contents.set(p, JUNK);
  const alloc: PageAllocator = (m, owner) => {
    const p = lowestFreeAllocator(m, owner);
    contents.set(p, owner === OTHER_OWNER ? contentOf('other') : JUNK);
    return p;
  };
  const opts = SPLICE_VARIANT_OPTIONS[c.variant];
  // push_anon()'s alloc_page(): the injected failure, else the same allocator
  const pipeAlloc = (m: Mm, owner: OwnerTag): PageId | null => {
    if (!sys.pushAnonFail) return alloc(m, owner);
    sys.pushAnonFail = false;
    m.log.push(`alloc_page() for ${owner}: no page (injected failure)`);
    return null;
  };
  const pipe = allocPipeInfo(mm, { maxUsage: c.maxUsage, allocPage: pipeAlloc });
  pipe.head = pipe.tail = c.pipeTail ?? 0;
  for (let p = 1; p <= occupancy; p++) {
    allocPageAt(mm, p, PIPE_OWNER);
    contents.set(p, contentOf('pipe'));
    pipe.bufs[pipeSlot(pipe, pipe.head)] = { page: p, offset: 0, len: PAGE_SIZE, ops: 'anon' };
    pipe.head++;
  }
  mm.log.length = 0;
  const pos = c.pos ?? 0;
  const sys: SpliceSystem = {
    variant: c.variant,
    opts,
    mm,
    pipe,
    inode: { isize: c.fileSize, mapped: c.mapped ?? roundUp(c.fileSize, PAGE_SIZE), dioCount: 0, blockSize: PAGE_SIZE },
    env: { mm, opts: opts.dio, bios: [], contents, bioPos: new Map() },
    task: { phase: 'idle', len: c.spliceLen, ret: 0, pos0: pos, head0: pipe.head, iter: null, bvec: [], dio: null, ppos: pos, gen: null },
    allocPage: alloc,
    ...(c.otherMax !== undefined ? { otherMax: c.otherMax } : {}),
    bulkAllocShort: 0,
    pushAnonFail: false,
  };
  return sys;
}

// ---------------------------------------------------------------------------------------------------------------
// The two ->splice_read() implementations

const divRoundUp = (n: number, d: number): number => Math.floor((n + d - 1) / d);

/** generic_file_splice_read() (≤ v6.4): read straight into the pipe through an ITER_PIPE iterator (§E.1). */
function* genericFileSpliceRead(sys: SpliceSystem, len: number): Generator<SpliceEvent, SpliceRet, void> {
  const { pipe, task } = sys;
  const to = iovIterPipe('DEST', pipe, len);
  task.iter = to;
  sys.mm.log.push(`generic_file_splice_read: iov_iter_pipe(ITER_DEST, ${len} bytes), start_head ${to.startHead}`);
  yield { kind: 'splice-start', len };
  const kiocb: Kiocb = { pos: task.ppos };
  const ret = yield* iomapDioRw(sys.env, sys.inode, kiocb, to, (d) => (task.dio = d), sys.opts.revertPastEof);
  if (typeof ret === 'number' && ret > 0) task.ppos = kiocb.pos;
  else if (typeof ret === 'string') {
    pipeDiscardFrom(pipe, to.startHead); // free what was emitted
  }
  task.iter = null;
  return ret === 'EFAULT' ? 'EAGAIN' : ret; // callers of ->splice_read() expect -EAGAIN, not -EFAULT
}

/**
 * copy_splice_read() (v6.5; §E.4): allocate the pages the pipe has room for, read into them through an
 * ITER_BVEC iterator synchronously, keep DIV_ROUND_UP(ret, PAGE_SIZE) of them for the pipe and release the rest.
 */
function* copySpliceRead(sys: SpliceSystem, len: number): Generator<SpliceEvent, SpliceRet, void> {
  const { pipe, task, mm } = sys;
  const used = pipeOccupancy(pipe.head, pipe.tail);
  let npages = Math.max(pipe.maxUsage - used, 0);
  len = Math.min(len, npages * PAGE_SIZE);
  npages = divRoundUp(len, PAGE_SIZE);
  const pages = allocPagesBulkArray(sys, npages);
  if (pages.length === 0) {
    mm.log.push(`copy_splice_read: alloc_pages_bulk_array(${npages}) got no page: -ENOMEM`);
    task.len = len;
    return 'ENOMEM'; // kfree(bv)
  }
  npages = pages.length;
  len = Math.min(len, npages * PAGE_SIZE);
  task.len = len;
  let remain = len;
  task.bvec = pages.map((page) => {
    const chunk = Math.min(PAGE_SIZE, remain);
    remain -= chunk;
    return { page, offset: 0, len: chunk };
  });
  const to = iovIterBvec('DEST', task.bvec, npages, len);
  task.iter = to;
  mm.log.push(`copy_splice_read: ${npages} pages [${pages.join(', ')}], iov_iter_bvec(ITER_DEST, ${len} bytes)`);
  yield { kind: 'splice-start', len };

  const kiocb: Kiocb = { pos: task.ppos };
  const ret = yield* iomapDioRw(sys.env, sys.inode, kiocb, to, (d) => (task.dio = d), sys.opts.revertPastEof);
  let keep = 0;
  if (typeof ret === 'number' && ret > 0) {
    keep = divRoundUp(ret, PAGE_SIZE);
    task.ppos = kiocb.pos;
  }
  // Free any pages that didn't get touched at all.
  if (keep < npages) mm.log.push(`release_pages(${npages - keep} untouched pages)`);
  for (let k = keep; k < npages; k++) putPage(mm, pages[k]!);
  // Push the remaining pages into the pipe.
  remain = typeof ret === 'number' ? ret : 0;
  for (let k = 0; k < keep; k++) {
    const chunk = Math.min(remain, PAGE_SIZE);
    pipe.bufs[pipeSlot(pipe, pipe.head)] = { page: pages[k]!, offset: 0, len: chunk, ops: 'anon' };
    mm.log.push(`pipe buffer ${pipeSlot(pipe, pipe.head)} = page ${pages[k]}, len ${chunk}`);
    pipe.head++;
    remain -= chunk;
  }
  task.bvec = []; // kfree(bv): the references went to the pipe or back to the allocator
  task.iter = null;
  return ret === 'EFAULT' ? 'EAGAIN' : ret;
}

/**
 * alloc_pages_bulk_array(GFP_USER, n, pages): n fresh pages for the splice; fewer (or none) when a failure is
 * injected through `bulkAllocShort`, which one call consumes.
 */
function allocPagesBulkArray(sys: SpliceSystem, n: number): PageId[] {
  const got = Math.max(n - sys.bulkAllocShort, 0);
  sys.bulkAllocShort = 0;
  const pages: PageId[] = [];
  for (let k = 0; k < got; k++) pages.push(sys.allocPage(sys.mm, SPLICE_OWNER));
  return pages;
}

/** do_splice_read(): cap len at the pipe's free space, then the file's ->splice_read(). */
function* doSpliceRead(sys: SpliceSystem, len: number): Generator<SpliceEvent, SpliceRet, void> {
  const { pipe } = sys;
  const space = pipe.maxUsage - pipeOccupancy(pipe.head, pipe.tail);
  len = Math.min(len, space * PAGE_SIZE);
  sys.task.len = len;
  return yield* sys.opts.spliceRead === 'copy' ? copySpliceRead(sys, len) : genericFileSpliceRead(sys, len);
}

// ---------------------------------------------------------------------------------------------------------------
// The system's actors. Each returns an error string when the step is not possible now.

export type Step<T = SpliceEvent | { readonly kind: 'returned'; readonly ret: SpliceRet }> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

const PHASE_AFTER: Readonly<Record<SpliceEvent['kind'], TaskPhase | null>> = {
  'splice-start': 'dio',
  'dio-start': null, // 'map' or 'return', by the event
  extracted: 'submit',
  'extract-failed': 'map',
  submitted: 'map',
  reverted: 'wait',
  blocked: 'wait',
  completed: 'return',
};

/** The splicing task runs to its next stopping point (the first call starts the splice). */
export function taskStep(sys: SpliceSystem): Step {
  const t = sys.task;
  if (t.phase === 'done') return { ok: false, error: 'the splice already returned' };
  if (t.gen === null) t.gen = doSpliceRead(sys, t.len);
  const r = t.gen.next();
  if (r.done === true) {
    t.phase = 'done';
    t.gen = null;
    t.ret = r.value;
    return { ok: true, value: { kind: 'returned', ret: r.value } };
  }
  const ev = r.value;
  if (ev.kind === 'blocked') return { ok: false, error: `the task waits for bio ${ev.waitingFor.join(', ')} to complete` };
  if (ev.kind === 'completed') t.ret = ev.ret;
  t.phase = ev.kind === 'dio-start' ? (ev.proceed ? 'map' : 'return') : (PHASE_AFTER[ev.kind] ?? t.phase);
  return { ok: true, value: ev };
}

/** The device completes bio `id` (1-based). */
export function completeBio(sys: SpliceSystem, id: number): Step<number> {
  const bio = sys.env.bios[id - 1];
  if (bio === undefined) return { ok: false, error: `there is no bio ${id}` };
  if (bio.state !== 'submitted') return { ok: false, error: `bio ${id} is ${bio.state}, not in flight` };
  deviceCompleteBio(sys.env, bio);
  return { ok: true, value: id };
}

/** Another kernel user allocates a page (page `at` when given: it must be free). */
export function otherAlloc(sys: SpliceSystem, at?: PageId): Step<PageId> {
  const held = [...sys.mm.folios.values()].filter((f) => !f.free && f.owner === OTHER_OWNER).length;
  if (sys.otherMax !== undefined && held >= sys.otherMax) return { ok: false, error: `the other allocator already holds ${held} pages` };
  if (at !== undefined) {
    const f = sys.mm.folios.get(at);
    if (f === undefined || !f.free) return { ok: false, error: `page ${at} is not free` };
    allocPageAt(sys.mm, at, OTHER_OWNER);
    sys.env.contents.set(at, contentOf('other'));
    sys.mm.log.push(`alloc_page() for ${OTHER_OWNER}: page ${at}, refcount 1; its object is written into the page`);
    return { ok: true, value: at };
  }
  const p = sys.allocPage(sys.mm, OTHER_OWNER);
  return { ok: true, value: p };
}

/** ftruncate(): the size drops now. */
export function truncate(sys: SpliceSystem, size: number): Step<number> {
  if (!truncateSetSize(sys.inode, size)) return { ok: false, error: `i_size is ${sys.inode.isize}, not above ${size}` };
  sys.mm.log.push(`ftruncate: i_size_write(${size})`);
  return { ok: true, value: size };
}

/** The rest of truncate: free the blocks past EOF once no direct I/O is in flight. */
export function truncateFreeBlocks(sys: SpliceSystem): Step<number> {
  if (sys.inode.dioCount > 0) return { ok: false, error: 'inode_dio_wait(): direct I/O is in flight' };
  if (!truncateBlocks(sys.inode)) return { ok: false, error: 'no blocks past EOF' };
  sys.mm.log.push(`truncate: blocks past ${sys.inode.mapped} freed`);
  return { ok: true, value: sys.inode.mapped };
}

/** A reader consumes the oldest pipe buffer whole; the splice holds the pipe lock until it returns. */
export function readPipeBuffer(sys: SpliceSystem): Step<number> {
  const { pipe } = sys;
  if (sys.task.phase !== 'done') return { ok: false, error: 'the splice holds the pipe lock' };
  if (pipeEmpty(pipe.head, pipe.tail)) return { ok: false, error: 'the pipe is empty' };
  const slot = pipeSlot(pipe, pipe.tail);
  const len = pipe.bufs[slot]?.len ?? 0;
  pipeRead(pipe, len);
  return { ok: true, value: slot };
}

/** Everything settled: the splice returned, the pipe is drained and no bio is in flight. */
export function quiescent(sys: SpliceSystem): boolean {
  return (
    sys.task.phase === 'done' &&
    pipeEmpty(sys.pipe.head, sys.pipe.tail) &&
    sys.env.bios.every((b) => b.state === 'released')
  );
}
