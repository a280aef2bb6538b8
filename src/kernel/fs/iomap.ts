// The iomap direct-I/O read (__iomap_dio_rw, KERNEL.md §E.2) as a resumable task: sample i_size, map the file
// block by block, put each block's pages into a bio and submit it, then — right after the last submission and
// before waiting — revert the iterator by what was read past the sampled size; wait for the bios; return.
// Also the file side (i_size, written blocks, truncate) and the device that completes bios.

import {
  bioAlloc,
  bioDma,
  bioEndio,
  bioIovIterGetPages,
  bioLive,
  bioSize,
  submitBio,
  type Bio,
  type BioErrno,
} from '../block/bio.js';
import type { DioOptions } from './dio_variant.js';
import { iovIterRevert, type IovIter } from '../lib/iov_iter.js';
import type { Mm, PageId } from '../mm/mm.js';

/** BIO_MAX_VECS. */
export const BIO_MAX_VECS = 256;

/**
 * What a page holds, as far as the model cares: stale bytes, file data written by a bio, another user's object,
 * or an earlier pipe writer's data. For file data, `pos` is the file offset of the page's first byte and `upto`
 * how many bytes from there are file data; both are 0 otherwise.
 */
export interface PageContent {
  readonly kind: 'junk' | 'file' | 'other' | 'pipe';
  readonly pos: number;
  readonly upto: number;
}

export const JUNK: PageContent = { kind: 'junk', pos: 0, upto: 0 };
export const contentOf = (kind: 'junk' | 'other' | 'pipe'): PageContent => ({ kind, pos: 0, upto: 0 });

/**
 * The page after the device wrote `len` file bytes from file offset `pos` at byte `offset` of it: file data
 * whose byte 0 is at pos - offset; it extends file data from the same offset that it continues, else starts anew.
 */
export function writtenContent(c: PageContent, pos: number, offset: number, len: number): PageContent {
  const base = pos - offset;
  if (c.kind === 'file' && c.pos === base && c.upto >= offset) return { ...c, upto: Math.max(c.upto, offset + len) };
  return { kind: 'file', pos: base, upto: offset === 0 ? len : 0 };
}

/** The inode of the O_DIRECT file. */
export interface Inode {
  /** i_size. */
  isize: number;
  /**
   * Bytes from offset 0 covered by written blocks (block aligned). A truncate lowers i_size at once but frees
   * the blocks past it only after inode_dio_wait(), so a DIO can map blocks beyond the size it sampled.
   */
  mapped: number;
  /** i_dio_count (inode_dio_begin / inode_dio_end). */
  dioCount: number;
  /** The file system block size; each block is its own extent, so iomap maps one block per iteration. */
  readonly blockSize: number;
}

/** A synchronous kiocb: only ki_pos matters. */
export interface Kiocb {
  pos: number;
}

/** struct iomap_dio, the parts that matter here. */
export interface IomapDio {
  /** dio->i_size: i_size when the read started. */
  readonly iSize: number;
  /** iomi.pos: the file position the mapping loop has reached. */
  pos: number;
  /** dio->size: bytes put into submitted bios. */
  size: number;
  readonly bios: Bio[];
  error: BioErrno | null;
}

/** The memory, the block layer generation in force, every bio ever allocated, and what each page holds. */
export interface DioEnv {
  readonly mm: Mm;
  readonly opts: DioOptions;
  /** Every bio, in allocation order; bio ids are 1, 2, … */
  readonly bios: Bio[];
  readonly contents: Map<PageId, PageContent>;
  /** The file offset each bio reads (what its bi_sector stands for), by bio id. */
  readonly bioPos: Map<number, number>;
}

/** Where the task stopped: the points a concurrent actor can slip in between. */
export type DioEvent =
  | { readonly kind: 'dio-start'; readonly dio: IomapDio; readonly proceed: boolean }
  | { readonly kind: 'extracted'; readonly bio: Bio }
  /** bio_iov_iter_get_pages() failed: the bio is put and the mapping loop ends with the error. */
  | { readonly kind: 'extract-failed'; readonly error: BioErrno }
  | { readonly kind: 'submitted'; readonly bio: Bio }
  | { readonly kind: 'reverted'; readonly unroll: number }
  | { readonly kind: 'blocked'; readonly waitingFor: readonly number[] }
  | { readonly kind: 'completed'; readonly ret: number | BioErrno };

export const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/** iov_iter_truncate(): hide everything past `count`. */
function iovIterTruncate(i: IovIter, count: number): void {
  if (i.count > count) i.count = count;
}

/** iov_iter_reexpand(): give the hidden part back. */
function iovIterReexpand(i: IovIter, count: number): void {
  i.count = count;
}

/**
 * iomap_dio_bio_iter() for one mapped block: a bio for `length` bytes of the iterator, its pages from
 * bio_iov_iter_get_pages(). Returns the bio (not yet submitted) or the error.
 */
function iomapDioBioIter(env: DioEnv, iter: IovIter, pos: number, length: number): Bio | BioErrno {
  const bio = bioAlloc(env.bios.length + 1, 'READ', BIO_MAX_VECS);
  const orig = iter.count;
  iovIterTruncate(iter, length);
  const r = bioIovIterGetPages(env.mm, env.opts, bio, iter);
  iovIterReexpand(iter, orig - (Math.min(orig, length) - iter.count));
  if (r !== 0) return r;
  env.bios.push(bio);
  env.bioPos.set(bio.id, pos);
  return bio;
}

/**
 * __iomap_dio_rw() for a read into `iter` at `iocb.pos`, as a generator: each `yield` is a point where the
 * device, the other allocator or truncate may run. Returns the bytes read (at most up to the sampled i_size)
 * or the error. `revertPastEof: false` is the code before 419e9c38aa07, which did not revert (§E.2).
 */
export function* iomapDioRw(
  env: DioEnv,
  inode: Inode,
  iocb: Kiocb,
  iter: IovIter,
  onDio: (dio: IomapDio) => void = () => {},
  revertPastEof = true,
): Generator<DioEvent, number | BioErrno, void> {
  const dio: IomapDio = { iSize: inode.isize, pos: iocb.pos, size: 0, bios: [], error: null };
  onDio(dio);
  const proceed = iocb.pos < dio.iSize;
  env.mm.log.push(`__iomap_dio_rw: dio->i_size = ${dio.iSize}${proceed ? '' : `, read at ${iocb.pos} is past it: return 0`}`);
  if (proceed) inode.dioCount++; // inode_dio_begin()
  yield { kind: 'dio-start', dio, proceed };
  if (!proceed) return 0;

  // iomap_iter(): ->iomap_begin() maps the written block at iomi.pos; past the written blocks the loop ends.
  while (iter.count > 0 && dio.pos < inode.mapped) {
    const length = Math.min(inode.blockSize - (dio.pos % inode.blockSize), inode.mapped - dio.pos);
    const bio = iomapDioBioIter(env, iter, dio.pos, length);
    if (typeof bio === 'string') {
      // Each block is its own extent here, so nothing was copied in this iteration: iomap_dio_bio_iter() returns
      // the error and the loop ends with it.
      dio.error = bio;
      env.mm.log.push(`iomap_dio_bio_iter: bio_put(), -${bio}`);
      yield { kind: 'extract-failed', error: bio };
      break;
    }
    dio.bios.push(bio);
    const n = bioSize(bio);
    dio.size += n; // counted before submission, as iomap_dio_bio_iter() does
    dio.pos += n;
    yield { kind: 'extracted', bio };
    submitBio(env.mm, bio);
    yield { kind: 'submitted', bio };
  }

  // "We only report that we've read data up to i_size": revert now, while the bios are still in flight.
  let unroll = 0;
  if (revertPastEof && dio.pos >= dio.iSize) {
    unroll = dio.pos - dio.iSize;
    if (unroll > 0) env.mm.log.push(`iov_iter_revert(ITER_${iter.type}, ${unroll}): iomi.pos ${dio.pos} - dio->i_size ${dio.iSize}`);
    iovIterRevert(iter, unroll);
  }
  yield { kind: 'reverted', unroll };

  // The synchronous kiocb waits until every bio completed.
  for (;;) {
    const live = dio.bios.filter(bioLive).map((b) => b.id);
    if (live.length === 0) break;
    yield { kind: 'blocked', waitingFor: live };
  }

  // iomap_dio_complete(): the DIO's error if it has one, else what was read up to the sampled i_size
  let ret: number | BioErrno = dio.size;
  if (dio.error !== null) ret = dio.error;
  else if (iocb.pos + dio.size > dio.iSize) ret = dio.iSize - iocb.pos;
  if (typeof ret === 'number') iocb.pos += ret;
  inode.dioCount--;
  env.mm.log.push(`iomap_dio_complete: ret ${ret}`);
  yield { kind: 'completed', ret };
  return ret;
}

/**
 * The device finishes a submitted bio: DMA writes the file's data into every page of the bio (whoever owns the
 * page by now), then the completion releases the pages as the bio's flags say.
 */
export function deviceCompleteBio(env: DioEnv, bio: Bio): boolean {
  if (!bioDma(env.mm, bio)) return false;
  let pos = env.bioPos.get(bio.id) ?? 0;
  for (const v of bio.vecs) {
    // Single-page segments here: the bytes [offset, offset + len) of the page are the file bytes from pos.
    env.contents.set(v.page, writtenContent(env.contents.get(v.page) ?? JUNK, pos, v.offset, v.len));
    pos += v.len;
  }
  bioEndio(env.mm, env.opts, bio);
  return true;
}

/** ftruncate() to a smaller size: i_size_write() now; the blocks go later (truncateBlocks). */
export function truncateSetSize(inode: Inode, size: number): boolean {
  if (size < 0 || size >= inode.isize) return false;
  inode.isize = size;
  return true;
}

/** The rest of truncate: once inode_dio_wait() sees no direct I/O, free the blocks past EOF. */
export function truncateBlocks(inode: Inode): boolean {
  const keep = roundUp(inode.isize, inode.blockSize);
  if (inode.dioCount > 0 || inode.mapped <= keep) return false;
  inode.mapped = keep;
  return true;
}
