// The reference implementation's own checker for the PageLifetime invariants (KERNEL.md §H.1-4), written
// against the implementation's data (folios, page table, bios, recorded DMA accesses), not against the spec.

import { bioLive, bioPages, bvecPages, type Acquisition, type Bio, type ReleaseMode } from '../block/bio.js';
import type { DioWorld } from './dio.js';
import {
  folioMapCount,
  folioMaybeDmaPinned,
  isZeroFolio,
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
  'DmaPinnedVisibleInv',
  'NoLeakInv',
  'FlagsMirrorAcquisitionInv',
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

/** Every violated invariant with what breaks it, in PAGE_LIFETIME_INVARIANTS order. */
export function pageLifetimeViolations(world: DioWorld): Violation[] {
  const out: Violation[] = [];
  const bios = allBios(world);
  checkUseAfterFree(world, bios, out);
  checkUnderflow(world, out);
  checkZeroPages(world, out);
  checkDmaPinned(world, bios, out);
  checkLeaks(world, bios, out);
  checkFlags(bios, out);
  return out;
}

/** The names of the violated invariants, each once, in PAGE_LIFETIME_INVARIANTS order. */
export function violatedInvariants(world: DioWorld): PageLifetimeInvariant[] {
  const hit = new Set(pageLifetimeViolations(world).map((v) => v.invariant));
  return PAGE_LIFETIME_INVARIANTS.filter((name) => hit.has(name));
}
