// The splice system's own invariant checker: the claims of spec/SpliceRead.tla, stated on the implementation's
// data (folios and their generations, the pipe ring, the bios' recorded pages, the device's page accesses).

import { bioLive, bioPages, bioReleaseMode, bioSize, bvecPages } from '../block/bio.js';
import { OTHER_OWNER, isSplicePathOwner, quiescent, type SpliceSystem } from './splice.js';
import { lastOffsetOf, pipeBuf, pipeOccupancy, pipeSlot, type PipeBuffer } from './pipe.js';
import { PAGE_SIZE, type PageId } from '../mm/mm.js';

export const SPLICE_INVARIANTS = [
  'TypeOK',
  'NoUseAfterFreeInv',
  'PipeOwnsBuffersInv',
  'NoLeakInv',
  'NoCorruptionInv',
  'RefsAccountedInv',
  'PipeDataInv',
  'PipeRingInv',
  'PipeFileDataInv',
  'BioLifecycleInv',
  'SpliceErrnoInv',
  'SpliceProgressInv',
  'DioIoInv',
  'BvecPosInv',
] as const;
export type SpliceInvariant = (typeof SPLICE_INVARIANTS)[number];

export interface Violation {
  readonly invariant: SpliceInvariant;
  readonly detail: string;
}

/** Bios the device may still write into: built or submitted, not yet completed. */
const inFlight = (sys: SpliceSystem) => sys.env.bios.filter((b) => bioLive(b) && b.state !== 'transferred');

function typeOk(sys: SpliceSystem): string[] {
  const out: string[] = [];
  for (const f of sys.mm.folios.values()) if (f.refcount < 0) out.push(`page ${f.head} has refcount ${f.refcount}`);
  const occ = pipeOccupancy(sys.pipe.head, sys.pipe.tail);
  if (occ < 0 || occ > sys.pipe.maxUsage) out.push(`pipe occupancy ${occ} outside 0..${sys.pipe.maxUsage}`);
  if (sys.task.iter !== null && sys.task.iter.count < 0) out.push(`iterator count ${sys.task.iter.count}`);
  return out;
}

/** No bio the device may still write targets a page that was freed, or freed and reallocated, since it joined. */
function noUseAfterFree(sys: SpliceSystem): string[] {
  const out: string[] = [];
  for (const bio of inFlight(sys)) {
    for (const v of bio.vecs) {
      const gens = v.generations;
      bvecPages(v).forEach((p, k) => {
        const f = sys.mm.folios.get(p);
        if (f === undefined) return;
        if (f.free) out.push(`bio ${bio.id} targets page ${p}, which is free`);
        else if (f.generation !== gens[k]) out.push(`bio ${bio.id} targets page ${p}, now ${f.owner}'s`);
      });
    }
  }
  return out;
}

/** The device never wrote into a page after it had been handed to another allocation. */
function noCorruption(sys: SpliceSystem): string[] {
  return sys.mm.accesses
    .filter((a) => a.access === 'write' && a.outcome === 'reused')
    .map((a) => `${a.who} wrote into page ${a.page} after it was reallocated (to ${sys.mm.folios.get(a.page)?.owner ?? '?'})`);
}

function ringPages(sys: SpliceSystem): { slot: number; page: PageId }[] {
  const out: { slot: number; page: PageId }[] = [];
  for (let h = sys.pipe.tail; h < sys.pipe.head; h++) {
    const b = pipeBuf(sys.pipe, h);
    out.push({ slot: pipeSlot(sys.pipe, h), page: b === null ? 0 : b.page });
  }
  return out;
}

/** Each buffer in the ring holds its own live page of the splice path. */
function pipeOwnsBuffers(sys: SpliceSystem): string[] {
  const out: string[] = [];
  const seen = new Map<PageId, number>();
  for (const { slot, page } of ringPages(sys)) {
    const f = sys.mm.folios.get(page);
    if (f === undefined) out.push(`pipe buffer ${slot} has no page`);
    else if (f.free) out.push(`pipe buffer ${slot} holds page ${page}, which is free`);
    else if (!isSplicePathOwner(f.owner)) out.push(`pipe buffer ${slot} holds page ${page}, which is ${f.owner}'s`);
    else if (f.refcount < 1) out.push(`pipe buffer ${slot}: page ${page} has refcount ${f.refcount}`);
    const other = seen.get(page);
    if (other !== undefined) out.push(`pipe buffers ${other} and ${slot} share page ${page}`);
    seen.set(page, slot);
  }
  return out;
}

/** Once everything settled, no page is still allocated to the splice path. */
function noLeak(sys: SpliceSystem): string[] {
  if (!quiescent(sys)) return [];
  return [...sys.mm.folios.values()]
    .filter((f) => !f.free && isSplicePathOwner(f.owner))
    .map((f) => `page ${f.head} (${f.owner}'s) is still allocated with refcount ${f.refcount} after the splice finished`);
}

/** References each page should have: pipe buffers, bios holding one, copy_splice_read()'s array, another user. */
export function expectedRefs(sys: SpliceSystem, page: PageId): number {
  let n = ringPages(sys).filter((r) => r.page === page).length;
  for (const bio of sys.env.bios.filter(bioLive)) {
    if (bioReleaseMode(sys.env.opts, bio) === 'put') n += bioPages(bio).filter((p) => p === page).length;
  }
  n += sys.task.bvec.filter((bv) => bv.page === page).length;
  const f = sys.mm.folios.get(page);
  if (f !== undefined && !f.free && f.owner === OTHER_OWNER) n += 1;
  return n;
}

function refsAccounted(sys: SpliceSystem): string[] {
  const out: string[] = [];
  for (const f of sys.mm.folios.values()) {
    const want = expectedRefs(sys, f.head);
    if (f.refcount !== want) out.push(`page ${f.head}: refcount ${f.refcount}, holders account for ${want}`);
    if (f.free !== (f.refcount === 0)) out.push(`page ${f.head}: ${f.free ? 'free' : 'allocated'} with refcount ${f.refcount}`);
  }
  return out;
}

/**
 * The ITER_BVEC cursor says how far the iterator went (§A.2, §A.4): within the array (one past it at the end),
 * short of the current element's end, and the bytes before it are the bytes consumed, len - count.
 */
function bvecPos(sys: SpliceSystem): string[] {
  const it = sys.task.iter;
  if (it === null || it.type !== 'BVEC') return [];
  const n = it.segs.length;
  if (it.cur < 0 || it.cur > n) return [`bvec iterator at element ${it.cur} of ${n}`];
  const out: string[] = [];
  const room = it.cur < n ? (it.segs[it.cur]?.len ?? 0) : 1;
  if (it.iovOffset < 0 || it.iovOffset >= room) out.push(`bvec iterator offset ${it.iovOffset} outside element ${it.cur} (${room} bytes)`);
  const before = it.segs.slice(0, it.cur).reduce((a, bv) => a + bv.len, 0);
  const consumed = sys.task.len - it.count;
  if (before + it.iovOffset !== consumed) out.push(`bvec iterator at byte ${before + it.iovOffset}, but ${consumed} bytes were consumed`);
  return out;
}

/** The ring indices of the buffers the splice added that are still in the pipe. */
function splicedIndices(sys: SpliceSystem): number[] {
  const out: number[] = [];
  for (let h = Math.max(sys.pipe.tail, sys.task.head0); h < sys.pipe.head; h++) out.push(h);
  return out;
}

/** What the splice added to the pipe is file data. */
function pipeData(sys: SpliceSystem): string[] {
  if (sys.task.phase !== 'done') return [];
  const out: string[] = [];
  for (const h of splicedIndices(sys)) {
    const page = pipeBuf(sys.pipe, h)?.page ?? 0;
    const kind = sys.env.contents.get(page)?.kind ?? 'nothing';
    if (kind !== 'file') out.push(`pipe buffer ${pipeSlot(sys.pipe, h)} (page ${page}) holds ${kind}, not file data`);
  }
  return out;
}

/**
 * The pipe ring at every state (KERNEL.md §E.1, §H.11): tail ≤ head, occupancy within max_usage, every buffer in
 * [tail, head) a non-empty piece of one page, every slot outside it empty, no page in two buffers; while an
 * ITER_PIPE iterator writes the ring, its head/last_offset describe the last buffer, the buffers since start_head
 * hold what it consumed, and once the DIO returned without an error exactly what the read reports (§E.2; an
 * error's buffers go when the splice returns).
 */
function pipeRing(sys: SpliceSystem): string[] {
  const { pipe, task } = sys;
  const out: string[] = [];
  const occ = pipeOccupancy(pipe.head, pipe.tail);
  if (occ < 0 || occ > pipe.maxUsage) out.push(`pipe occupancy ${occ} (head ${pipe.head}, tail ${pipe.tail}) outside 0..${pipe.maxUsage}`);
  const inRing = new Set<number>();
  const pages = new Map<PageId, number>();
  for (let h = pipe.tail; h < pipe.head; h++) {
    const slot = pipeSlot(pipe, h);
    inRing.add(slot);
    const b = pipeBuf(pipe, h);
    if (b === null) {
      out.push(`pipe buffer ${slot} (index ${h}) is empty inside the ring`);
      continue;
    }
    if (b.len <= 0 || b.offset + b.len > PAGE_SIZE) out.push(`pipe buffer ${slot} is ${b.len} bytes at offset ${b.offset}`);
    const other = pages.get(b.page);
    if (other !== undefined) out.push(`pipe buffers ${other} and ${slot} hold the same page ${b.page}`);
    pages.set(b.page, slot);
  }
  pipe.bufs.forEach((b, slot) => {
    if (b !== null && !inRing.has(slot)) out.push(`pipe slot ${slot} outside [tail, head) still holds page ${b.page}`);
  });
  const i = task.iter;
  if (i !== null && i.type === 'PIPE') {
    if (i.head < i.startHead || i.head > pipe.head) out.push(`the pipe iterator's head ${i.head} is outside [${i.startHead}, ${pipe.head}]`);
    const last: PipeBuffer | null = pipe.head > i.startHead ? pipeBuf(pipe, pipe.head - 1) : null;
    if (i.lastOffset === 0 ? pipe.head !== i.startHead : last === null || i.head !== pipe.head - 1 || i.lastOffset !== lastOffsetOf(last)) {
      out.push(`the pipe iterator's last_offset ${i.lastOffset} (head ${i.head}) does not describe the ring's last buffer`);
    }
    let held = 0;
    for (let h = i.startHead; h < pipe.head; h++) held += pipeBuf(pipe, h)?.len ?? 0;
    const consumed = task.len - i.count;
    if (held !== consumed) out.push(`the ring holds ${held} bytes since start_head, the iterator consumed ${consumed}`);
    if (task.phase === 'return' && typeof task.ret === 'number' && consumed !== task.ret) {
      out.push(`the read returned ${String(task.ret)} but the iterator, and the ring, hold ${consumed} bytes`);
    }
  }
  return out;
}

/**
 * What a pipe reader gets (KERNEL.md §H.12, §E.2, §E.4), once the splice returned: the buffers it added hold the
 * file's bytes from its start position in order, written there by the device, without a hole, never past what
 * the read returned; the pipe got all of it; a failed splice added nothing; a read that did not fail returned
 * every byte before the i_size it sampled.
 */
function pipeFileData(sys: SpliceSystem): string[] {
  const { pipe, task } = sys;
  if (task.phase !== 'done') return [];
  const out: string[] = [];
  const ret = typeof task.ret === 'number' ? task.ret : 0;
  const ps = PAGE_SIZE;
  const end = (h: number, b: PipeBuffer): number => (h - task.head0) * ps + b.offset + b.len;
  const hs = splicedIndices(sys);
  for (const h of hs) {
    const b = pipeBuf(pipe, h);
    if (b === null) continue; // PipeRingInv's finding
    const c = sys.env.contents.get(b.page);
    const want = task.pos0 + (h - task.head0) * ps;
    const slot = pipeSlot(pipe, h);
    if (c === undefined || c.kind !== 'file') out.push(`pipe buffer ${slot} (page ${b.page}) holds ${c?.kind ?? 'nothing'}, not file data`);
    else if (c.pos !== want) out.push(`pipe buffer ${slot} (page ${b.page}) holds the file bytes from ${c.pos}, not from ${want}`);
    else if (b.offset + b.len > c.upto) out.push(`pipe buffer ${slot} (page ${b.page}) offers ${b.offset + b.len} bytes, the device wrote ${c.upto}`);
    if (end(h, b) > ret) out.push(`pipe buffer ${slot} (page ${b.page}) offers the reader bytes up to ${end(h, b)}, the read returned ${ret}`);
    if (h < pipe.head - 1 && b.offset + b.len !== ps) out.push(`pipe buffer ${slot} ends at byte ${b.offset + b.len}, before the next buffer`);
  }
  const lastH = hs[hs.length - 1];
  const lastB = lastH === undefined ? null : pipeBuf(pipe, lastH);
  if (lastH !== undefined && lastB !== null && lastH === pipe.head - 1 && end(lastH, lastB) !== ret) {
    out.push(`the pipe holds ${end(lastH, lastB)} bytes of the splice, the read returned ${ret}`);
  }
  const added = pipe.head - task.head0;
  if (added !== Math.ceil(ret / ps)) out.push(`the splice added ${added} buffers for ${ret} bytes`);
  // A read that did not fail is short only at the i_size it sampled (§E.2): no block within it goes unread.
  if (typeof task.ret === 'number' && task.dio !== null) {
    const want = Math.max(0, Math.min(task.len, task.dio.iSize - task.pos0));
    if (task.ret !== want) out.push(`the read returned ${task.ret} bytes, ${want} lay before the i_size it sampled`);
  }
  return out;
}

/**
 * The bio just built waits for its submission while the task is at submit, and no other bio is ever left
 * unsubmitted (bio.ts refuses a transfer before submission and a release before the transfer).
 */
function bioLifecycle(sys: SpliceSystem): string[] {
  const bios = sys.env.bios;
  const out: string[] = [];
  const last = bios[bios.length - 1];
  if (sys.task.phase === 'submit' && last?.state !== 'building') out.push(`the task is at submit but its last bio is ${last === undefined ? 'not there' : last.state}`);
  bios.forEach((b, k) => {
    if (b.state === 'building' && (k !== bios.length - 1 || sys.task.phase !== 'submit')) out.push(`bio ${k + 1} is still being built while the task is at ${sys.task.phase}`);
  });
  return out;
}

/** The splice's error as the model states it: the errno it returned, else the DIO's while the splice runs. */
export function spliceErr(task: SpliceSystem['task']): string {
  return typeof task.ret === 'string' ? task.ret : task.phase !== 'done' ? (task.dio?.error ?? 'none') : 'none';
}

/**
 * Which error a splice returns: -ENOMEM only from copy_splice_read()'s allocation, before any DIO; -EFAULT (the
 * pipe forms' push_anon() failure) only while the read runs, -EAGAIN (what ->splice_read() makes of it) only
 * once it returned. (The spec also ties each to the step that caused it, whose arguments a state does not hold.)
 */
function spliceErrno(sys: SpliceSystem): string[] {
  const { task } = sys;
  const e = spliceErr(task);
  const pipeForm = sys.variant !== 'copy-splice-read';
  const out: string[] = [];
  if (e === 'ENOMEM' && (pipeForm || task.phase !== 'done' || task.bvec.length > 0 || sys.env.bios.length > 0)) {
    out.push(`-ENOMEM with ${pipeForm ? 'a pipe iterator' : `the task at ${task.phase}, ${task.bvec.length} bvec pages, ${sys.env.bios.length} bios`}`);
  }
  if ((e === 'EFAULT' || e === 'EAGAIN') && !pipeForm) out.push(`-${e} from copy_splice_read()`);
  if (e === 'EFAULT' && !['map', 'wait', 'return'].includes(task.phase)) out.push(`-EFAULT with the task at ${task.phase}`);
  if (e === 'EAGAIN' && task.phase !== 'done') out.push(`-EAGAIN before the splice returned (task at ${task.phase})`);
  return out;
}

/**
 * A splice makes progress (KERNEL.md §E.4, §E.2): one that did not fail ran its DIO, which sampled i_size (only a
 * truncate changes it since, and only down), and if it got pages and pipe room and started before that EOF it
 * returned bytes.
 */
function spliceProgress(sys: SpliceSystem): string[] {
  const { task } = sys;
  if (task.phase !== 'done' || typeof task.ret !== 'number') return [];
  if (task.dio === null) return [`the splice returned ${task.ret} bytes without a DIO`];
  const out: string[] = [];
  if (task.dio.iSize < sys.inode.isize) out.push(`the DIO sampled i_size ${task.dio.iSize}, below today's ${sys.inode.isize}`);
  if (task.len > 0 && task.pos0 < task.dio.iSize && task.ret === 0) out.push(`the splice returned 0 with ${task.len} bytes of room before the sampled i_size ${task.dio.iSize}`);
  return out;
}

/**
 * What the DIO reads (KERNEL.md §E.2, §H.12): no bio before it sampled i_size or for a read starting at or past
 * it; each bio reads on from where the last stopped, from the splice position, no more than the count in all;
 * iomi.pos is where the last one ended.
 */
function dioIo(sys: SpliceSystem): string[] {
  const { task } = sys;
  const bios = sys.env.bios;
  const out: string[] = [];
  if (bios.length > 0 && (task.phase === 'idle' || task.phase === 'dio' || task.dio === null)) out.push(`${bios.length} bios before the DIO sampled i_size`);
  if (bios.length > 0 && task.dio !== null && task.pos0 >= task.dio.iSize) out.push(`a bio for a read from ${task.pos0}, at or past the sampled i_size ${task.dio.iSize}`);
  let at = task.pos0;
  for (const b of bios) {
    const pos = sys.env.bioPos.get(b.id);
    if (pos !== undefined && pos !== at) out.push(`bio ${b.id} reads from ${pos}, the last one stopped at ${at}`);
    at += bioSize(b);
  }
  if (at - task.pos0 > task.len) out.push(`the bios read ${at - task.pos0} bytes, the count was ${task.len}`);
  if (task.dio !== null && task.dio.pos !== at) out.push(`iomi.pos is ${task.dio.pos}, the bios end at ${at}`);
  return out;
}

const CHECKS: Readonly<Record<SpliceInvariant, (sys: SpliceSystem) => string[]>> = {
  TypeOK: typeOk,
  NoUseAfterFreeInv: noUseAfterFree,
  PipeOwnsBuffersInv: pipeOwnsBuffers,
  NoLeakInv: noLeak,
  NoCorruptionInv: noCorruption,
  RefsAccountedInv: refsAccounted,
  PipeDataInv: pipeData,
  PipeRingInv: pipeRing,
  PipeFileDataInv: pipeFileData,
  BioLifecycleInv: bioLifecycle,
  SpliceErrnoInv: spliceErrno,
  SpliceProgressInv: spliceProgress,
  DioIoInv: dioIo,
  BvecPosInv: bvecPos,
};

/** Every violated invariant with what breaks it, in SPLICE_INVARIANTS order. */
export function checkSplice(sys: SpliceSystem): Violation[] {
  return SPLICE_INVARIANTS.flatMap((inv) => CHECKS[inv](sys).map((detail) => ({ invariant: inv, detail })));
}

/** Names of the violated invariants. */
export function violatedSplice(sys: SpliceSystem): SpliceInvariant[] {
  return [...new Set(checkSplice(sys).map((v) => v.invariant))];
}
