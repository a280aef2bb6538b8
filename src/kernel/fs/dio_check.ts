// The reference implementation's own checker for the PageLifetime invariants (KERNEL.md §H.1-4), written
// against the implementation's data (folios, page table, bios, recorded DMA accesses), not against the spec.

import {
  BIO_LIFECYCLE,
  bioFlagged,
  bioLive,
  bioPages,
  bioReleaseMode,
  bvecPages,
  type Acquisition,
  type Bio,
  type BioState,
  type ReleaseMode,
} from '../block/bio.js';
import type { Dio, DioWorld } from './dio.js';
import { folioqFolios, folioqIndex, userBackedIter } from '../lib/iov_iter.js';
import {
  folioMapCount,
  folioMaybeDmaPinned,
  GUP_PIN_COUNTING_BIAS,
  isZeroFolio,
  PAGE_SIZE,
  pageFolio,
  USER_OWNER,
  ZERO_PAGE_BASE_REFCOUNT,
  type Folio,
} from '../mm/mm.js';

/** The invariant names shared with spec/PageLifetime.tla, in the order the cfgs list them. */
export const PAGE_LIFETIME_INVARIANTS = [
  'NoUseAfterFreeInv',
  'NoUnderflowInv',
  'ZeroPageStableInv',
  'FreedAtZeroInv',
  'DmaPinnedVisibleInv',
  'NoLeakInv',
  'FlagsMirrorAcquisitionInv',
  'PageRefsAccountedInv',
  'BioLifecycleInv',
  'BioMaxVecsInv',
  'DioCoverageInv',
] as const;
export type PageLifetimeInvariant = (typeof PAGE_LIFETIME_INVARIANTS)[number];

export interface Violation {
  readonly invariant: PageLifetimeInvariant;
  readonly detail: string;
}

function allBios(world: DioWorld): Bio[] {
  const out: Bio[] = [];
  for (const d of world.dios) for (const b of d.bios) out.push(b);
  return out;
}

/** The references a folio's owners hold when no I/O runs: page-table entries, the kernel owner, a zero page's reservation. */
export function folioBaseline(world: DioWorld, folio: Folio): number {
  if (isZeroFolio(world.mm, folio)) return ZERO_PAGE_BASE_REFCOUNT;
  return folioMapCount(world.mm, folio) + (folio.ownerHeld ? 1 : 0);
}

const RELEASE_FOR: Readonly<Record<Acquisition, ReleaseMode>> = { pin: 'unpin', ref: 'put', none: 'none' };

function checkUseAfterFree(world: DioWorld, bios: readonly Bio[], out: Violation[]): void {
  const { mm } = world;
  const add = (detail: string): void => void out.push({ invariant: 'NoUseAfterFreeInv', detail });
  for (const [vpage, page] of mm.pageTable) {
    if (pageFolio(mm, page).free) add(`user page ${vpage} still maps page ${page}, which was freed`);
  }
  for (const folio of mm.folios.values()) {
    if (folio.free && folio.ownerHeld) add(`page ${folio.head} was freed while ${folio.owner} still holds it`);
  }
  for (const bio of bios) {
    if (!bioLive(bio)) continue;
    for (const v of bio.vecs) {
      bvecPages(v).forEach((page, k) => {
        const folio = pageFolio(mm, page);
        if (folio.free) add(`bio ${bio.id} still targets page ${page}, which was freed`);
        else if (folio.generation !== v.generations[k]) add(`bio ${bio.id} targets page ${page}, now reused by ${folio.owner}`);
      });
    }
  }
  for (const a of mm.accesses) {
    if (a.outcome !== 'ok') add(`${a.who} ${a.access === 'write' ? 'wrote into' : 'read from'} page ${a.page} after it was ${a.outcome}`);
  }
}

function checkUnderflow(world: DioWorld, out: Violation[]): void {
  for (const folio of world.mm.folios.values()) {
    if (folio.refcount < 0) out.push({ invariant: 'NoUnderflowInv', detail: `page ${folio.head}: refcount ${folio.refcount}` });
    if (folio.pincount < 0) out.push({ invariant: 'NoUnderflowInv', detail: `page ${folio.head}: pincount ${folio.pincount}` });
  }
}

function checkZeroPages(world: DioWorld, out: Violation[]): void {
  const { mm } = world;
  for (const z of mm.zeroPages) {
    const f = pageFolio(mm, z);
    if (f.refcount < ZERO_PAGE_BASE_REFCOUNT || f.free || f.pincount !== 0) {
      out.push({
        invariant: 'ZeroPageStableInv',
        detail: `zero page ${z}: refcount ${f.refcount} (base ${ZERO_PAGE_BASE_REFCOUNT})${f.free ? ', freed' : ''}`,
      });
    }
  }
}

/** A folio other than a zero page is free exactly when its refcount is zero: the put that drops the last one frees it. */
function checkFreedAtZero(world: DioWorld, out: Violation[]): void {
  for (const folio of world.mm.folios.values()) {
    if (isZeroFolio(world.mm, folio) || folio.free === (folio.refcount === 0)) continue;
    out.push({
      invariant: 'FreedAtZeroInv',
      detail: `page ${folio.head}: refcount ${folio.refcount}, ${folio.free ? 'freed' : 'not freed'}`,
    });
  }
}

function checkDmaPinned(world: DioWorld, bios: readonly Bio[], out: Violation[]): void {
  const { mm } = world;
  for (const bio of bios) {
    if (!bioLive(bio)) continue;
    for (const page of bioPages(bio)) {
      const f = pageFolio(mm, page);
      if (f.owner === USER_OWNER && !isZeroFolio(mm, f) && !folioMaybeDmaPinned(f)) {
        out.push({
          invariant: 'DmaPinnedVisibleInv',
          detail: `bio ${bio.id} targets user page ${page} but folio_maybe_dma_pinned() is false (refcount ${f.refcount})`,
        });
      }
    }
  }
}

function checkLeaks(world: DioWorld, bios: readonly Bio[], out: Violation[]): void {
  if (bios.some(bioLive)) return;
  for (const folio of world.mm.folios.values()) {
    const base = folioBaseline(world, folio);
    if (folio.refcount !== base || folio.pincount !== 0) {
      out.push({
        invariant: 'NoLeakInv',
        detail: `no bio is live, yet page ${folio.head} has refcount ${folio.refcount}${folio.order > 0 ? `, pincount ${folio.pincount}` : ''} (its owners hold ${base})`,
      });
    }
  }
}

function checkFlags(bios: readonly Bio[], out: Violation[]): void {
  for (const bio of bios) {
    if (bio.flags.includes('BIO_PAGE_PINNED') && bio.flags.includes('BIO_PAGE_REFFED')) {
      out.push({ invariant: 'FlagsMirrorAcquisitionInv', detail: `bio ${bio.id} is both PINNED and REFFED` });
    }
    if (bio.releasedWith !== null && bio.releasedWith !== RELEASE_FOR[bio.acquired]) {
      out.push({
        invariant: 'FlagsMirrorAcquisitionInv',
        detail: `bio ${bio.id}'s pages were taken by ${bio.acquired === 'none' ? 'nothing' : bio.acquired} but its flags [${bio.flags.join(', ')}] released them with ${bio.releasedWith}`,
      });
    }
  }
}

/**
 * What one live bio holds on a folio, per single-page segment, by its flags: what bio_release_pages() will drop
 * (§C.2, §D.1). A pin is the bias on a small folio, one reference and one `_pincount` on a large one, nothing on a
 * zero page; a reference is one reference; borrowed pages and shared bvecs hold nothing.
 */
function holding(world: DioWorld, mode: ReleaseMode, folio: Folio): { refs: number; pins: number } {
  if (mode === 'put') return { refs: 1, pins: 0 };
  if (mode === 'none' || isZeroFolio(world.mm, folio)) return { refs: 0, pins: 0 };
  return folio.order > 0 ? { refs: 1, pins: 1 } : { refs: GUP_PIN_COUNTING_BIAS, pins: 0 };
}

function checkAccounting(world: DioWorld, bios: readonly Bio[], out: Violation[]): void {
  const { mm } = world;
  const held = new Map<Folio, { refs: number; pins: number }>();
  for (const bio of bios) {
    if (!bioLive(bio)) continue;
    const mode = bioReleaseMode(world.opts, bio);
    for (const page of bioPages(bio)) {
      const folio = pageFolio(mm, page);
      const h = holding(world, mode, folio);
      const sum = held.get(folio) ?? { refs: 0, pins: 0 };
      held.set(folio, { refs: sum.refs + h.refs, pins: sum.pins + h.pins });
    }
  }
  for (const folio of mm.folios.values()) {
    const h = held.get(folio) ?? { refs: 0, pins: 0 };
    const base = folioBaseline(world, folio);
    if (folio.refcount !== base + h.refs || folio.pincount !== h.pins) {
      out.push({
        invariant: 'PageRefsAccountedInv',
        detail: `page ${folio.head}: refcount ${folio.refcount}${folio.order > 0 ? `, pincount ${folio.pincount}` : ''}, but its owners hold ${base} and the live bios ${h.refs}${folio.order > 0 ? ` (${h.pins} pins)` : ''} by their flags`,
      });
    }
  }
}

/** The state a bio is in after its first n lifecycle events. */
const STATE_AFTER: readonly (BioState | undefined)[] = ['building', 'submitted', 'transferred', undefined, 'released'];

function checkLifecycle(bios: readonly Bio[], out: Violation[]): void {
  for (const bio of bios) {
    const t = bio.trail;
    const inOrder = t.length <= BIO_LIFECYCLE.length && t.every((e, k) => e === BIO_LIFECYCLE[k]);
    if (!inOrder || STATE_AFTER[t.length] !== bio.state) {
      out.push({ invariant: 'BioLifecycleInv', detail: `bio ${bio.id} is ${bio.state} after [${t.join(', ')}]` });
    }
  }
}

function checkMaxVecs(bios: readonly Bio[], out: Violation[]): void {
  for (const bio of bios) {
    // a BVEC bio shares the iterator's array (BIO_CLONED): its bi_max_vecs is 0 and bounds nothing
    if (!bioFlagged(bio, 'BIO_CLONED') && bio.vecs.length > bio.maxVecs) {
      out.push({ invariant: 'BioMaxVecsInv', detail: `bio ${bio.id} holds ${bio.vecs.length} bvecs, bi_max_vecs ${bio.maxVecs}` });
    }
  }
}

/** Bytes within one page; a negative page -v stands for user page v, unmapped since (its page is unknown). */
interface Piece {
  readonly page: number;
  readonly off: number;
  readonly len: number;
}

/** Splits `len` bytes at byte address `addr` (page-frame or virtual) into per-page pieces named by `page`. */
function splitPieces(addr: number, len: number, page: (pfn: number) => number, out: Piece[]): void {
  for (let at = addr; at < addr + len; ) {
    const off = at % PAGE_SIZE;
    const n = Math.min(PAGE_SIZE - off, addr + len - at);
    out.push({ page: page(Math.floor(at / PAGE_SIZE)), off, len: n });
    at += n;
  }
}

/** Adjacent pieces of one page that continue each other are one piece. */
function coalesce(pieces: readonly Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    if (last !== undefined && last.page === p.page && last.off + last.len === p.off) out[out.length - 1] = { ...last, len: last.len + p.len };
    else out.push(p);
  }
  return out;
}

/**
 * The pieces of the bytes a DIO's iterator has given out so far, read from the iterator itself. A user page is
 * the page GUP returned for it (the page table may have changed since: munmap, a COW break), or -v if none did.
 */
function consumedPieces(dio: Dio): Piece[] {
  const out: Piece[] = [];
  const i = dio.iter;
  const gup = new Map<number, number>();
  for (const bio of dio.bios) for (const [v, p] of bio.userPages) gup.set(v, p);
  const user = userBackedIter(i);
  const resolve = (v: number): number => (user ? (gup.get(v) ?? -v) : v);
  const segsConsumed = (segs: readonly { readonly len: number }[], each: (k: number, n: number) => void): void => {
    let left = segs.reduce((n, s) => n + s.len, 0) - i.count;
    segs.forEach((s, k) => {
      const n = Math.min(s.len, Math.max(left, 0));
      if (n > 0) each(k, n);
      left -= n;
    });
  };
  switch (i.type) {
    case 'UBUF':
      splitPieces(i.ubuf, i.iovOffset, resolve, out);
      break;
    case 'XARRAY':
      splitPieces(i.xarrayStart, i.iovOffset, resolve, out);
      break;
    case 'IOVEC':
    case 'KVEC':
      segsConsumed(i.segs, (k, n) => splitPieces(i.segs[k]!.addr, n, resolve, out));
      break;
    case 'BVEC':
      segsConsumed(i.segs, (k, n) => splitPieces(i.segs[k]!.page * PAGE_SIZE + i.segs[k]!.offset, n, resolve, out));
      break;
    case 'FOLIOQ': {
      // the count may start below what the chain holds: the bytes consumed are those before the position
      const folios = folioqFolios(i);
      const at = folioqIndex(i);
      folios.forEach((f, k) => {
        const n = k < at ? f.len : k === at ? i.iovOffset : 0;
        if (n > 0) splitPieces(f.page * PAGE_SIZE, n, resolve, out);
      });
      break;
    }
    case 'DISCARD':
    case 'PIPE':
      break;
    default: {
      const never: never = i;
      return never;
    }
  }
  return out;
}

function checkCoverage(dio: Dio, out: Violation[]): void {
  const fromBios: Piece[] = [];
  for (const bio of dio.bios) {
    if (bio.kind !== 'data') continue;
    for (const v of bio.vecs) splitPieces(v.page * PAGE_SIZE + v.offset, v.len, (pfn) => pfn, fromBios);
  }
  const got = coalesce(fromBios);
  const want = coalesce(consumedPieces(dio));
  const same =
    got.length === want.length &&
    want.every((w, k) => got[k]!.off === w.off && got[k]!.len === w.len && (w.page < 0 || got[k]!.page === w.page));
  if (!same) {
    const show = (ps: readonly Piece[]): string => ps.map((p) => `${p.page}+${p.off}:${p.len}`).join(' ');
    out.push({ invariant: 'DioCoverageInv', detail: `DIO ${dio.id}: its bios hold [${show(got)}], its iterator gave out [${show(want)}]` });
  }
}

/** Every violated invariant with what breaks it, in PAGE_LIFETIME_INVARIANTS order. */
export function pageLifetimeViolations(world: DioWorld): Violation[] {
  const out: Violation[] = [];
  const bios = allBios(world);
  checkUseAfterFree(world, bios, out);
  checkUnderflow(world, out);
  checkZeroPages(world, out);
  checkFreedAtZero(world, out);
  checkDmaPinned(world, bios, out);
  checkLeaks(world, bios, out);
  checkFlags(bios, out);
  checkAccounting(world, bios, out);
  checkLifecycle(bios, out);
  checkMaxVecs(bios, out);
  for (const dio of world.dios) checkCoverage(dio, out);
  return out;
}

/** The names of the violated invariants, each once, in PAGE_LIFETIME_INVARIANTS order. */
export function violatedInvariants(world: DioWorld): PageLifetimeInvariant[] {
  const hit = new Set(pageLifetimeViolations(world).map((v) => v.invariant));
  return PAGE_LIFETIME_INVARIANTS.filter((name) => hit.has(name));
}
