// The splice system's own invariant checker: the claims of spec/SpliceRead.tla, stated on the implementation's
// data (folios and their generations, the pipe ring, the bios' recorded pages, the device's page accesses).

import { bioLive, bioPages, bioReleaseMode, bvecPages } from '../block/bio.js';
import { OTHER_OWNER, isSplicePathOwner, quiescent, type SpliceSystem } from './splice.js';
import { pipeBuf, pipeOccupancy, pipeSlot } from './pipe.js';
import type { PageId } from '../mm/mm.js';

export const SPLICE_INVARIANTS = [
  'TypeOK',
  'NoUseAfterFreeInv',
  'PipeOwnsBuffersInv',
  'NoLeakInv',
  'NoCorruptionInv',
  'RefsAccountedInv',
  'PipeDataInv',
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

/** What the splice left in the pipe is file data. */
function pipeData(sys: SpliceSystem): string[] {
  if (sys.task.phase !== 'done') return [];
  return ringPages(sys)
    .filter(({ page }) => sys.env.contents.get(page) !== 'file')
    .map(({ slot, page }) => `pipe buffer ${slot} (page ${page}) holds ${sys.env.contents.get(page) ?? 'nothing'}, not file data`);
}

const CHECKS: Readonly<Record<SpliceInvariant, (sys: SpliceSystem) => string[]>> = {
  TypeOK: typeOk,
  NoUseAfterFreeInv: noUseAfterFree,
  PipeOwnsBuffersInv: pipeOwnsBuffers,
  NoLeakInv: noLeak,
  NoCorruptionInv: noCorruption,
  RefsAccountedInv: refsAccounted,
  PipeDataInv: pipeData,
};

/** Every violated invariant with what breaks it, in SPLICE_INVARIANTS order. */
export function checkSplice(sys: SpliceSystem): Violation[] {
  return SPLICE_INVARIANTS.flatMap((inv) => CHECKS[inv](sys).map((detail) => ({ invariant: inv, detail })));
}

/** Names of the violated invariants. */
export function violatedSplice(sys: SpliceSystem): SpliceInvariant[] {
  return [...new Set(checkSplice(sys).map((v) => v.invariant))];
}
