// The pipe ring and the ITER_PIPE iterator as they were in v6.1–v6.4 (KERNEL.md §E.1): every buffer owns one
// page reference; the iterator appends buffers as it is filled, and advancing or reverting it releases whole
// buffers — the side effect that made a post-submit iov_iter_revert() free pages a bio still targeted (§E.3).

import { PAGE_SIZE, allocPage, getPage, putPage, type Mm, type OwnerTag, type PageId } from '../mm/mm.js';

/** Which `pipe_buf_operations` a buffer has: default_pipe_buf_ops (anonymous) or page_cache_pipe_buf_ops. */
export type PipeBufOps = 'anon' | 'page_cache';

/** `struct pipe_buffer`; an empty ring slot is `null` (the kernel clears `ops` on release). */
export interface PipeBuffer {
  readonly page: PageId;
  readonly offset: number;
  len: number;
  readonly ops: PipeBufOps;
}

/** alloc_page(GFP_USER) as push_anon() calls it; replaceable so a replay can follow the spec's allocator. */
export type PageAllocator = (mm: Mm, owner: OwnerTag) => PageId;
/** The pipe's alloc_page(GFP_USER), which may fail (NULL): a failure injection point of push_anon(). */
export type PipePageAllocator = (mm: Mm, owner: OwnerTag) => PageId | null;

/** `struct pipe_inode_info`: a ring of `ringSize` slots of which at most `maxUsage` are occupied. */
export interface PipeInodeInfo {
  /** The memory the pipe's pages come from and go back to. */
  readonly mm: Mm;
  head: number;
  tail: number;
  readonly maxUsage: number;
  readonly ringSize: number;
  readonly bufs: (PipeBuffer | null)[];
  readonly allocPage: PipePageAllocator;
}

/** The owner tag of pages push_anon() allocates. */
export const PIPE_OWNER: OwnerTag = 'pipe';

export interface PipeOptions {
  /** pipe->max_usage; default 16 (PIPE_DEF_BUFFERS). */
  readonly maxUsage?: number;
  /** pipe->ring_size; default max_usage. */
  readonly ringSize?: number;
  readonly allocPage?: PipePageAllocator;
}

/** alloc_pipe_info(): an empty pipe. */
export function allocPipeInfo(mm: Mm, o: PipeOptions = {}): PipeInodeInfo {
  const maxUsage = o.maxUsage ?? 16;
  const ringSize = o.ringSize ?? maxUsage;
  if (maxUsage < 1 || ringSize < maxUsage) throw new Error(`bad pipe geometry ${maxUsage}/${ringSize}`); // caller bug
  return {
    mm,
    head: 0,
    tail: 0,
    maxUsage,
    ringSize,
    bufs: Array.from({ length: ringSize }, () => null),
    allocPage: o.allocPage ?? allocPage,
  };
}

/** pipe_occupancy(head, tail). */
export const pipeOccupancy = (head: number, tail: number): number => head - tail;
/** pipe_full(head, tail, limit). */
export const pipeFull = (head: number, tail: number, limit: number): boolean => pipeOccupancy(head, tail) >= limit;
/** pipe_empty(head, tail). */
export const pipeEmpty = (head: number, tail: number): boolean => head === tail;

/** The ring slot of buffer index `h` (the kernel masks with ring_size − 1). */
export const pipeSlot = (pipe: PipeInodeInfo, h: number): number => h % pipe.ringSize;

/** pipe_buf(pipe, h): the buffer at ring index h, or null for an empty slot. */
export function pipeBuf(pipe: PipeInodeInfo, h: number): PipeBuffer | null {
  return pipe.bufs[pipeSlot(pipe, h)] ?? null;
}

function requireBuf(pipe: PipeInodeInfo, h: number): PipeBuffer {
  const b = pipeBuf(pipe, h);
  // Every caller walks [tail, head), where the ring has a buffer by construction.
  if (b === null) throw new Error(`pipe slot ${pipeSlot(pipe, h)} (index ${h}) is empty`);
  return b;
}

/**
 * pipe_buf_release(): ops->release (generic_pipe_buf_release / anon_pipe_buf_release: put_page) and clear the
 * slot. Both ops kinds drop exactly the one reference the buffer owns.
 */
export function pipeBufRelease(pipe: PipeInodeInfo, h: number): PageId {
  const b = requireBuf(pipe, h);
  pipe.mm.log.push(`pipe_buf_release(buffer ${pipeSlot(pipe, h)})`);
  pipe.bufs[pipeSlot(pipe, h)] = null;
  putPage(pipe.mm, b.page);
  return b.page;
}

/**
 * push_anon(pipe, size): a fresh page (refcount 1, owned by the new buffer) in slot head++, `size` bytes long;
 * null, with the pipe untouched, when alloc_page() gets no page.
 */
export function pushAnon(pipe: PipeInodeInfo, size: number): PageId | null {
  const page = pipe.allocPage(pipe.mm, PIPE_OWNER);
  if (page === null) {
    pipe.mm.log.push('push_anon: alloc_page() got no page');
    return null;
  }
  pipe.bufs[pipeSlot(pipe, pipe.head)] = { page, offset: 0, len: size, ops: 'anon' };
  pipe.mm.log.push(`push_anon: buffer ${pipeSlot(pipe, pipe.head)} = page ${page}, len ${size}`);
  pipe.head++;
  return page;
}

/** push_page(pipe, page, offset, size): a caller's page (a page-cache page) spliced in with get_page(). */
export function pushPage(pipe: PipeInodeInfo, page: PageId, offset: number, size: number): void {
  getPage(pipe.mm, page);
  pipe.bufs[pipeSlot(pipe, pipe.head)] = { page, offset, len: size, ops: 'page_cache' };
  pipe.mm.log.push(`push_page: buffer ${pipeSlot(pipe, pipe.head)} = page ${page}+${offset}, len ${size}`);
  pipe.head++;
}

/** pipe_discard_from(pipe, h): release every buffer from the head back to index h. */
export function pipeDiscardFrom(pipe: PipeInodeInfo, h: number): void {
  while (pipe.head > h) {
    pipe.head--;
    pipeBufRelease(pipe, pipe.head);
  }
}

/**
 * pipe_read() for `total` bytes: copy out of the oldest buffers; a buffer read to its end is released and the
 * tail moves on. Returns the bytes consumed.
 */
export function pipeRead(pipe: PipeInodeInfo, total: number): number {
  let done = 0;
  while (done < total && !pipeEmpty(pipe.head, pipe.tail)) {
    const b = requireBuf(pipe, pipe.tail);
    const chars = Math.min(b.len, total - done);
    b.len -= chars;
    done += chars;
    pipe.mm.log.push(`pipe_read: ${chars} bytes from buffer ${pipeSlot(pipe, pipe.tail)} (page ${b.page})`);
    if (b.len === 0) {
      pipeBufRelease(pipe, pipe.tail);
      pipe.tail++;
    }
  }
  return done;
}

// ---------------------------------------------------------------------------------------------------------------
// ITER_PIPE

/**
 * An ITER_PIPE iterator: always ITER_DEST. `head` is the ring index of the buffer it last wrote (or the next one
 * before any write), `startHead` where it started, `lastOffset` the kernel's encoding of the last buffer:
 * > 0 anonymous buffer filled to that many bytes, < 0 −(offset+len) of a spliced page-cache page, 0 nothing
 * partial. The kernel unions `iov_offset` with `last_offset`; `iovOffset` stays 0 here.
 */
export interface PipeIter {
  readonly type: 'PIPE';
  count: number;
  iovOffset: number;
  readonly dataSource: 'DEST';
  readonly nofault: boolean;
  readonly pageSize: number;
  readonly pipe: PipeInodeInfo;
  head: number;
  startHead: number;
  lastOffset: number;
}

/** iov_iter_pipe(i, ITER_DEST, pipe, count). The kernel BUG()s on a SOURCE pipe iterator; the type forbids it. */
export function iovIterPipe(direction: 'DEST', pipe: PipeInodeInfo, count: number): PipeIter {
  return {
    type: 'PIPE',
    count,
    iovOffset: 0,
    dataSource: direction,
    nofault: false,
    pageSize: PAGE_SIZE,
    pipe,
    head: pipe.head,
    startHead: pipe.head,
    lastOffset: 0,
  };
}

/** last_offset(buf): how the iterator encodes a buffer it ends in. */
export function lastOffsetOf(b: PipeBuffer): number {
  return b.ops === 'anon' ? b.len : -(b.offset + b.len);
}

/** A chunk of one page that append_pipe() made room for. */
export interface PipeChunk {
  readonly page: PageId;
  readonly offset: number;
  readonly size: number;
  /** The ring slot of the buffer that holds it. */
  readonly slot: number;
}

/**
 * append_pipe(i, size, &off): room for up to `size` bytes in one page — the rest of the last anonymous buffer if
 * it has any, else a new buffer from push_anon() when the pipe is not full. Decrements `i.count` itself and
 * moves `i.head`/`i.lastOffset`. Returns null, the iterator untouched, when the pipe is full or push_anon() gets
 * no page.
 */
export function appendPipe(i: PipeIter, size: number): PipeChunk | null {
  const pipe = i.pipe;
  const offset = i.lastOffset;
  if (offset > 0 && offset < i.pageSize) {
    const h = pipe.head - 1;
    const b = requireBuf(pipe, h);
    size = Math.min(size, i.pageSize - offset);
    b.len += size;
    i.lastOffset += size;
    i.count -= size;
    pipe.mm.log.push(`append_pipe: buffer ${pipeSlot(pipe, h)} (page ${b.page}) grows by ${size} to ${b.len}`);
    return { page: b.page, offset, size, slot: pipeSlot(pipe, h) };
  }
  size = Math.min(size, i.pageSize);
  if (pipeFull(pipe.head, pipe.tail, pipe.maxUsage)) return null;
  const page = pushAnon(pipe, size);
  if (page === null) return null;
  i.head = pipe.head - 1;
  i.lastOffset = size;
  i.count -= size;
  return { page, offset: 0, size, slot: pipeSlot(pipe, pipe.head - 1) };
}

/**
 * pipe_advance(i, size): the data the caller keeps ends `size` bytes past the iterator's position; buffers past
 * that point are discarded. advance(0) with nothing partial discards everything since start_head.
 */
export function pipeAdvance(i: PipeIter, size: number): void {
  const pipe = i.pipe;
  let off = i.lastOffset;
  if (off === 0 && size === 0) {
    pipeDiscardFrom(pipe, i.startHead);
    return;
  }
  i.count -= size;
  for (;;) {
    if (i.head >= pipe.head) break; // nothing was written past the position: nothing to trim
    const b = requireBuf(pipe, i.head);
    if (off !== 0) size += Math.abs(off) - b.offset; // make it relative to the buffer's start
    if (size <= b.len) {
      b.len = size;
      i.lastOffset = lastOffsetOf(b);
      break;
    }
    size -= b.len;
    i.head++;
    off = 0;
  }
  pipeDiscardFrom(pipe, i.head + 1);
}

/**
 * The ITER_PIPE branch of iov_iter_revert(), run after `count += unroll`: walk back from pipe->head; a buffer
 * longer than what is left to unroll is shortened, every other one is released whole (pipe_buf_release →
 * put_page). Returns the pages released, in order.
 */
export function pipeRevert(i: PipeIter, unroll: number): PageId[] {
  const pipe = i.pipe;
  const released: PageId[] = [];
  let h = pipe.head;
  while (h > i.startHead) {
    const b = requireBuf(pipe, --h);
    if (unroll < b.len) {
      b.len -= unroll;
      i.lastOffset = lastOffsetOf(b);
      i.head = h;
      pipe.mm.log.push(`  buffer ${pipeSlot(pipe, h)} (page ${b.page}) shrinks to ${b.len}`);
      return released;
    }
    unroll -= b.len;
    released.push(pipeBufRelease(pipe, h));
    pipe.head--;
  }
  i.lastOffset = 0;
  i.head = h;
  return released;
}

/** What pipe_get_pages() and the pre-v12 pipe extractor return: bytes, the offset in the first page, the pages. */
export interface PipePages {
  readonly ret: number | 'EFAULT';
  readonly offset0: number;
  readonly pages: readonly PageId[];
}

/**
 * The page walk shared by both pipe page getters: append_pipe() up to `maxsize` bytes into at most `maxpages`
 * pages. `ref` says whether each page gets its own reference for the caller.
 */
function pipeAppendPages(i: PipeIter, maxsize: number, maxpages: number, ref: boolean): PipePages {
  maxsize = Math.min(maxsize, i.count);
  if (maxsize === 0) return { ret: 0, offset0: 0, pages: [] };
  const pages: PageId[] = [];
  let offset0 = 0;
  let left = maxsize;
  while (left > 0 && pages.length < maxpages) {
    const chunk = appendPipe(i, left);
    if (chunk === null) break;
    if (pages.length === 0) offset0 = chunk.offset;
    if (ref) getPage(i.pipe.mm, chunk.page);
    pages.push(chunk.page);
    left -= chunk.size;
  }
  const ret = maxsize - left;
  return ret === 0 ? { ret: 'EFAULT', offset0: 0, pages: [] } : { ret, offset0, pages };
}

/**
 * pipe_get_pages() behind iov_iter_get_pages2() on a pipe (v6.1–v6.4): the pages are appended to the pipe and
 * each gets a get_page() for the caller, so a bio holds its own reference next to the pipe's.
 */
export function pipeGetPages(i: PipeIter, maxsize: number, maxpages: number): PipePages {
  i.pipe.mm.log.push(`pipe_get_pages(${maxsize} bytes, ${maxpages} pages)`);
  return pipeAppendPages(i, maxsize, maxpages, true);
}

/**
 * iov_iter_extract_pipe_pages() as in linux-next before v12 of the series (with 920756a3306a): the same walk,
 * but the pages come back with no reference at all — the pipe buffer's reference is their only one (§E.3).
 */
export function iovIterExtractPipePages(i: PipeIter, maxsize: number, maxpages: number): PipePages {
  i.pipe.mm.log.push(`iov_iter_extract_pipe_pages(${maxsize} bytes, ${maxpages} pages)`);
  return pipeAppendPages(i, maxsize, maxpages, false);
}
