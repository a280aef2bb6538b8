// Direct I/O over the reference mm and bio code (KERNEL.md §C.3, §C.6): DIO reads and writes through an iterator
// into bios (iomap's loop: build a bio, submit it, build the next), iomap_dio_zero(), DMA and completion, plus
// the actors around it: the user unmapping a page at any time and a kernel owner freeing its buffer.

import { err, ok, type Result } from '../../shared/result.js';
import {
  bioAlloc,
  bioCopy,
  bioDma,
  bioEndio,
  bioIovIterGetPages,
  bioLive,
  bioSetFlag,
  bioAddPage,
  submitBio,
  type Bio,
  type BioErrno,
  type BioFaults,
} from '../block/bio.js';
import { dioOptions, type DioOptions } from './dio_variant.js';
import { iovIterCount, iovIterClone, type IovIter } from '../lib/iov_iter.js';
import { getPage, mmCopy, munmapPage, ownerReleasePage, PAGE_SIZE, zeroPageFor, type Mm, type PageId } from '../mm/mm.js';

/** The owner tag of kernel buffers (kvec/bvec/xarray pages) in DIO workloads. */
export const KERNEL_OWNER = 'kernel';

export interface Dio {
  readonly id: number;
  /** The iterator the DIO reads into (ITER_DEST) or writes from (ITER_SOURCE). */
  readonly iter: IovIter;
  /** REQ_OP_READ for a DEST iterator, REQ_OP_WRITE for a SOURCE one. */
  readonly op: 'READ' | 'WRITE';
  /** bi_max_vecs of each data bio. */
  readonly maxVecs: number;
  /** Kernel pages behind a kernel-backed iterator: their owner must keep them until the DIO is done. */
  readonly kernelPages: readonly PageId[];
  /** Bios issued, oldest first (the zero bio among them). */
  readonly bios: Bio[];
  /** The error that ended extraction early, if any. */
  error: BioErrno | null;
  /** iomap_dio_zero() ran for this DIO. */
  zeroed: boolean;
}

/** Everything a DIO workload touches: memory, the variant's options, the DIOs in flight. */
export interface DioWorld {
  readonly mm: Mm;
  readonly variant: string;
  readonly opts: DioOptions;
  readonly dios: Dio[];
  nextBioId: number;
}

export function createDioWorld(mm: Mm, variant: string): Result<DioWorld, string> {
  const opts = dioOptions(variant);
  if (!opts.ok) return opts;
  return ok({ mm, variant, opts: opts.value, dios: [], nextBioId: 1 });
}

/**
 * An independent copy of a DIO workload (memory, each DIO's iterator position and bios), for a caller that forks
 * a state to try several operations on it. The variant's options, the iterators' segment arrays and the kernel
 * buffers' page lists are read-only and shared.
 */
export function dioWorldCopy(world: DioWorld): DioWorld {
  return {
    ...world,
    mm: mmCopy(world.mm),
    dios: world.dios.map((d) => ({ ...d, iter: iovIterClone(d.iter), bios: d.bios.map(bioCopy) })),
  };
}

/** Starts a DIO over `iter`; returns its id (1-based, in creation order). */
export function startDio(world: DioWorld, iter: IovIter, maxVecs: number, kernelPages: readonly PageId[] = []): number {
  const id = world.dios.length + 1;
  world.dios.push({
    id,
    iter,
    op: iter.dataSource === 'DEST' ? 'READ' : 'WRITE',
    maxVecs,
    kernelPages,
    bios: [],
    error: null,
    zeroed: false,
  });
  return id;
}

export function getDio(world: DioWorld, id: number): Dio | undefined {
  return world.dios[id - 1];
}

/** The DIO may still build bios: no extraction error and data left in the iterator. */
export function dioRunning(dio: Dio): boolean {
  return dio.error === null && iovIterCount(dio.iter) > 0;
}

/** Nothing more will happen: extraction is over and every bio has released its pages. */
export function dioDone(dio: Dio): boolean {
  return !dioRunning(dio) && dio.bios.every((b) => !bioLive(b));
}

function buildingBio(dio: Dio): Bio | undefined {
  return dio.bios.find((b) => b.state === 'building');
}

/**
 * One turn of iomap_dio_bio_iter()'s loop: allocate a bio and fill it with bio_iov_iter_get_pages(). The bio is
 * then submitted by dioSubmitBio (iomap submits it before building the next). An extraction that gets nothing
 * ends the DIO with the error; the empty bio is dropped (bio_put). `faults` are the failures injected into this
 * fill (a GUP fault, a refused add).
 */
export function dioBuildBio(world: DioWorld, id: number, faults: BioFaults = {}): Result<Bio | null, string> {
  const dio = getDio(world, id);
  if (dio === undefined) return err(`no DIO ${id}`);
  if (!dioRunning(dio)) return err(`DIO ${id} has nothing left to extract`);
  const pending = buildingBio(dio);
  if (pending !== undefined) return err(`DIO ${id}'s bio ${pending.id} is not submitted yet`);
  const bio = bioAlloc(world.nextBioId++, dio.op, dio.maxVecs);
  const r = bioIovIterGetPages(world.mm, world.opts, bio, dio.iter, faults);
  if (r !== 0) {
    dio.error = r;
    world.mm.log.push(`DIO ${id} fails with -${r}; bio_put(bio ${bio.id})`);
    return ok(null);
  }
  dio.bios.push(bio);
  return ok(bio);
}

function dioBio(world: DioWorld, id: number, index: number): Result<Bio, string> {
  const dio = getDio(world, id);
  if (dio === undefined) return err(`no DIO ${id}`);
  const bio = dio.bios[index - 1];
  if (bio === undefined) return err(`DIO ${id} has no bio ${index}`);
  return ok(bio);
}

/** submit_bio() of the DIO's `index`-th bio (1-based). */
export function dioSubmitBio(world: DioWorld, id: number, index: number): Result<Bio, string> {
  const bio = dioBio(world, id, index);
  if (!bio.ok) return bio;
  if (!submitBio(world.mm, bio.value)) return err(`bio ${bio.value.id} is ${bio.value.state}, not being built`);
  return bio;
}

/** The device's transfer for the DIO's `index`-th bio. */
export function dioDma(world: DioWorld, id: number, index: number): Result<Bio, string> {
  const bio = dioBio(world, id, index);
  if (!bio.ok) return bio;
  if (!bioDma(world.mm, bio.value)) return err(`bio ${bio.value.id} is ${bio.value.state}, not in flight`);
  return bio;
}

/** bio_endio() of the DIO's `index`-th bio: its pages are released per its flags. */
export function dioComplete(world: DioWorld, id: number, index: number): Result<Bio, string> {
  const bio = dioBio(world, id, index);
  if (!bio.ok) return bio;
  if (!bioEndio(world.mm, world.opts, bio.value)) {
    return err(`bio ${bio.value.id} is ${bio.value.state}, its transfer has not happened`);
  }
  return bio;
}

/**
 * iomap_dio_zero() (§C.6): a write DIO, before it is done, zeroes the rest of a partial block with ZERO_PAGE(0) in a
 * bio of its own, submitted at once. A failed extraction does not prevent it: iomap_dio_bio_iter() puts the bio it
 * could not fill and jumps to its tail zeroing (zero_tail), so that a short write leaves no stale data in the block.
 * Since the series no reference is taken and the bio owns nothing; the legacy code took a get_page() and let the
 * default put_page() release it.
 */
export function iomapDioZero(world: DioWorld, id: number): Result<Bio, string> {
  const dio = getDio(world, id);
  if (dio === undefined) return err(`no DIO ${id}`);
  if (dio.op !== 'WRITE') return err(`DIO ${id} is a read: iomap zeroes sub-block ranges only for writes`);
  if (dio.zeroed) return err(`DIO ${id} already zeroed its partial block`);
  if (dioDone(dio)) return err(`DIO ${id} is done`);
  const pending = buildingBio(dio);
  if (pending !== undefined) return err(`DIO ${id}'s bio ${pending.id} is not submitted yet`);
  const { mm, opts } = world;
  const zero = zeroPageFor(mm, 0);
  const bio = bioAlloc(world.nextBioId++, 'WRITE', 1, 'zero');
  mm.log.push(`iomap_dio_zero(DIO ${id}): bio ${bio.id} with ZERO_PAGE(0) = page ${zero}`);
  if (opts.zeroPageGetRef) {
    getPage(mm, zero);
    bio.acquired = 'ref';
  }
  if (opts.zeroBioFlag === 'REFFED') bioSetFlag(bio, 'BIO_PAGE_REFFED');
  bioAddPage(mm, bio, zero, PAGE_SIZE, 0);
  submitBio(mm, bio);
  dio.zeroed = true;
  dio.bios.push(bio);
  return ok(bio);
}

/** The user munmap()s one page of its buffer: allowed at any time, DIO or not. */
export function userMunmap(world: DioWorld, vpage: number): Result<void, string> {
  if (!munmapPage(world.mm, vpage)) return err(`user page ${vpage} is not mapped`);
  return ok(undefined);
}

/** A page some DIO's kernel-backed iterator uses, while that DIO is not done. */
export function kernelPageBusy(world: DioWorld, page: PageId): Dio | undefined {
  return world.dios.find((d) => d.kernelPages.includes(page) && !dioDone(d));
}

/**
 * The kernel owner frees its buffer page. Its contract (nothing pins or references kernel-iterator pages for
 * it, §B.1) is to wait until no I/O uses the page; a free that would break it is refused here.
 */
export function kernelBufferFree(world: DioWorld, page: PageId, owner = KERNEL_OWNER): Result<void, string> {
  const busy = kernelPageBusy(world, page);
  if (busy !== undefined) return err(`page ${page} is still in use by DIO ${busy.id}`);
  if (!ownerReleasePage(world.mm, page, owner)) return err(`page ${page} is not held by ${owner}`);
  return ok(undefined);
}
