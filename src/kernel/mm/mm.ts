// Pages and folios as mm/gup.c counts them (KERNEL.md §D): refcount, pincount, the GUP pin bias, zero pages with
// no-op pins (§C.6), pin_user_pages_fast()/unpin_user_page()/get_page()/put_page(), a user page table, and a page
// allocator whose owner tags and generations make use-after-free and reuse by another allocator observable.

/** PAGE_SIZE everywhere in iterpin's reference implementation. */
export const PAGE_SIZE = 4096;
/** `GUP_PIN_COUNTING_BIAS` (1U << 10): what one FOLL_PIN adds to a small folio's refcount (KERNEL.md §D.1). */
export const GUP_PIN_COUNTING_BIAS = 1024;
/** The refcount a zero page has when nothing but the kernel's own reservation holds it. */
export const ZERO_PAGE_BASE_REFCOUNT = 1;

/** gup_flags bits that matter here, numbered as in include/linux/mm_types.h (v6.2+) and mm/internal.h. */
export const FOLL_WRITE = 1 << 0;
export const FOLL_GET = 1 << 1;
export const FOLL_NOFAULT = 1 << 5;
export const FOLL_PCI_P2PDMA = 1 << 10;
export const FOLL_PIN = 1 << 12;

export type PageId = number;

/** Who took a page from the allocator: "user" (an anonymous page of the process), "zero", or any kernel caller. */
export type OwnerTag = string;
export const USER_OWNER: OwnerTag = 'user';
export const ZERO_OWNER: OwnerTag = 'zero';

export interface Folio {
  /** The folio's first page; page ids head … head + 2^order − 1 belong to it. */
  readonly head: PageId;
  /** 0 = small (order-0) folio, counted with the pin bias; > 0 = large folio with its own `_pincount`. */
  readonly order: number;
  refcount: number;
  /** `_pincount`: used by large folios only; small folios fold pins into the refcount. */
  pincount: number;
  free: boolean;
  /** Owner tag of the latest allocation (kept after the free, so a freed page still says whose it was). */
  owner: OwnerTag;
  /**
   * True while a non-user owner still holds the reference the allocation gave it (it stays true if the page is
   * freed under the owner by someone else's extra put: that is the use-after-free the checker looks for).
   */
  ownerHeld: boolean;
  /** Bumped at every allocation: a holder that remembers the generation can tell a reused page apart. */
  generation: number;
}

/** A data access to a page (DMA by a bio, or a CPU copy), kept so an access to a dead page shows. */
export interface PageAccess {
  readonly page: PageId;
  /** 'write': data lands in the page (a DIO read's DMA); 'read': the device reads it (a DIO write). */
  readonly access: 'read' | 'write';
  /** The generation the accessor believed it was using. */
  readonly generation: number;
  readonly who: string;
  /** 'ok', or why the access hit memory that was no longer the accessor's. */
  readonly outcome: 'ok' | 'freed' | 'reused';
}

/** Conditions the kernel reports with a WARN (or worse); the checker turns them into invariant violations. */
export interface MmWarning {
  readonly kind: 'refcount-underflow' | 'pincount-underflow' | 'add-pin-unpinned' | 'grab-free-folio';
  readonly page: PageId;
  readonly detail: string;
}

export interface Mm {
  /** Every folio ever created, keyed by head page. */
  readonly folios: Map<PageId, Folio>;
  /** Page id → head page of its folio. */
  readonly pageHead: Map<PageId, PageId>;
  /** The zero pages (several exist with page colouring, §C.6): test membership with isZeroPage, never `===`. */
  readonly zeroPages: PageId[];
  /** Free small folios, most recently freed last: the allocator reuses them first. */
  readonly freeList: PageId[];
  /** The process's page table: user virtual page number → page. A zero-page entry holds no reference. */
  readonly pageTable: Map<number, PageId>;
  nextPageId: PageId;
  readonly accesses: PageAccess[];
  readonly warnings: MmWarning[];
  /** Narration of every operation, in kernel terms; callers drain it per step. */
  readonly log: string[];
}

export interface MmConfig {
  /** How many zero pages to create (page colouring makes several on some architectures). Default 1. */
  readonly zeroPages?: number;
  /** Page ids for the zero pages instead (trace replay uses the spec's numbering). */
  readonly zeroPageIds?: readonly PageId[];
  /** The first page id handed out. Default 1. */
  readonly firstPageId?: PageId;
}

/** Creates physical memory with its zero page(s); zero pages take the first page ids. */
export function createMm(config: MmConfig = {}): Mm {
  const mm: Mm = {
    folios: new Map(),
    pageHead: new Map(),
    zeroPages: [],
    freeList: [],
    pageTable: new Map(),
    nextPageId: config.firstPageId ?? 1,
    accesses: [],
    warnings: [],
    log: [],
  };
  const ids = config.zeroPageIds ?? Array.from({ length: config.zeroPages ?? 1 }, (_, k) => mm.nextPageId + k);
  for (const id of ids) {
    const folio = newFolio(mm, id, 0, ZERO_OWNER);
    folio.refcount = ZERO_PAGE_BASE_REFCOUNT;
    folio.ownerHeld = false;
    mm.zeroPages.push(folio.head);
  }
  return mm;
}

function newFolio(mm: Mm, head: PageId, order: number, owner: OwnerTag): Folio {
  const nr = 1 << order;
  for (let k = 0; k < nr; k++) {
    if (mm.pageHead.has(head + k)) throw new Error(`page ${head + k} already exists`); // caller bug, not input
  }
  const folio: Folio = { head, order, refcount: 1, pincount: 0, free: false, owner, ownerHeld: true, generation: 1 };
  mm.folios.set(head, folio);
  for (let k = 0; k < nr; k++) mm.pageHead.set(head + k, head);
  mm.nextPageId = Math.max(mm.nextPageId, head + nr);
  return folio;
}

/**
 * An independent copy of all of memory (folios, the page table, the allocator's lists and the records the
 * checker reads), for a caller that forks a state to try several operations on it. Nothing mutable is shared.
 */
export function mmCopy(mm: Mm): Mm {
  const folios = new Map<PageId, Folio>();
  for (const [head, f] of mm.folios) folios.set(head, { ...f });
  return {
    folios,
    pageHead: new Map(mm.pageHead),
    zeroPages: [...mm.zeroPages],
    freeList: [...mm.freeList],
    pageTable: new Map(mm.pageTable),
    nextPageId: mm.nextPageId,
    accesses: [...mm.accesses],
    warnings: [...mm.warnings],
    log: [...mm.log],
  };
}

/** `page_folio()`. Throws for a page id that was never created: that is a caller bug, not an input error. */
export function pageFolio(mm: Mm, page: PageId): Folio {
  const head = mm.pageHead.get(page);
  const folio = head === undefined ? undefined : mm.folios.get(head);
  if (folio === undefined) throw new Error(`no such page ${page}`);
  return folio;
}

export function pageExists(mm: Mm, page: PageId): boolean {
  return mm.pageHead.has(page);
}

/** `is_zero_page()`: true for every zero page, not only ZERO_PAGE(0) (Linus' caveat in §C.6). */
export function isZeroPage(mm: Mm, page: PageId): boolean {
  return mm.zeroPages.includes(page);
}

/** `is_zero_folio()`. */
export function isZeroFolio(mm: Mm, folio: Folio): boolean {
  return mm.zeroPages.includes(folio.head);
}

/** `ZERO_PAGE(vaddr)`: the zero page for a virtual address (colour = page number modulo the number of them). */
export function zeroPageFor(mm: Mm, vaddrPage = 0): PageId {
  const z = mm.zeroPages[vaddrPage % mm.zeroPages.length];
  if (z === undefined) throw new Error('this memory has no zero page');
  return z;
}

/** `folio_maybe_dma_pinned()`: large ⇒ `_pincount > 0`; small ⇒ `(unsigned)refcount >= GUP_PIN_COUNTING_BIAS`. */
export function folioMaybeDmaPinned(folio: Folio): boolean {
  if (folio.order > 0) return folio.pincount > 0;
  // The kernel compares the refcount as unsigned: an underflowed (negative) count reads as huge.
  return folio.refcount < 0 || folio.refcount >= GUP_PIN_COUNTING_BIAS;
}

export function pageMaybeDmaPinned(mm: Mm, page: PageId): boolean {
  return folioMaybeDmaPinned(pageFolio(mm, page));
}

type Counts = readonly [refcount: number, pincount: number];

function counts(folio: Folio): Counts {
  return [folio.refcount, folio.pincount];
}

/** "refcount 1025 → 1" (small folio) or "refcount 3 → 2, pincount 2 → 1" (large folio). */
function change(folio: Folio, before: Counts): string {
  const r = `refcount ${before[0]} → ${folio.refcount}`;
  return folio.order > 0 ? `${r}, pincount ${before[1]} → ${folio.pincount}` : r;
}

/** Drops `refs` from the refcount; frees the folio when it reaches zero (`folio_put_refs()`). True if freed. */
function folioPutRefs(mm: Mm, folio: Folio, refs: number): boolean {
  const before = folio.refcount;
  folio.refcount -= refs;
  if (before - refs < 0) {
    mm.warnings.push({
      kind: 'refcount-underflow',
      page: folio.head,
      detail: `refcount ${before} − ${refs} = ${folio.refcount}`,
    });
  }
  // A zero page is PG_reserved: dropping its last reference is a "bad page" report, never a free.
  if (before > 0 && folio.refcount <= 0 && !isZeroFolio(mm, folio)) {
    folio.free = true; // ownerHeld stays as it was: a holder that still believes it owns the page shows up
    if (folio.order === 0) mm.freeList.push(folio.head);
    return true;
  }
  return false;
}

/** The suffix of a narration line for an operation that freed the folio. */
function freed(folio: Folio, didFree: boolean): string {
  return didFree ? `; page ${folio.head} freed (was ${folio.owner}'s)` : '';
}

// ---------------------------------------------------------------------------------------------------------------
// The allocator

/**
 * `alloc_pages()`: a folio of 2^order pages with refcount 1, held by `owner`. Small folios come from the free
 * list first (most recently freed first), so a freed page is promptly reused by whoever allocates next.
 */
export function allocPage(mm: Mm, owner: OwnerTag, order = 0): PageId {
  const reuse = order === 0 ? mm.freeList.pop() : undefined;
  let folio: Folio;
  if (reuse !== undefined) {
    folio = pageFolio(mm, reuse);
    folio.refcount = 1;
    folio.pincount = 0;
    folio.free = false;
    folio.owner = owner;
    folio.ownerHeld = true;
    folio.generation += 1;
  } else {
    folio = newFolio(mm, mm.nextPageId, order, owner);
  }
  mm.log.push(`alloc_pages(order ${order}) for ${owner}: page ${folio.head}, refcount 1`);
  return folio.head;
}

/** Creates a folio at a chosen page id (fixtures and trace replay need the spec's page numbering). */
export function allocPageAt(mm: Mm, head: PageId, owner: OwnerTag, order = 0): PageId {
  const existing = mm.pageHead.get(head);
  if (existing !== undefined) {
    const folio = pageFolio(mm, existing);
    if (!folio.free || folio.head !== head || folio.order !== order) throw new Error(`page ${head} is in use`);
    const at = mm.freeList.indexOf(head);
    if (at >= 0) mm.freeList.splice(at, 1);
    folio.refcount = 1;
    folio.pincount = 0;
    folio.free = false;
    folio.owner = owner;
    folio.ownerHeld = true;
    folio.generation += 1;
    return head;
  }
  newFolio(mm, head, order, owner);
  return head;
}

/** A kernel owner drops the reference its allocation gave it (kfree/vfree/put of its buffer page). */
export function ownerReleasePage(mm: Mm, page: PageId, owner: OwnerTag): boolean {
  if (!pageExists(mm, page)) return false;
  const folio = pageFolio(mm, page);
  if (folio.owner !== owner || !folio.ownerHeld) return false;
  folio.ownerHeld = false;
  const before = counts(folio);
  const f = folioPutRefs(mm, folio, 1);
  mm.log.push(`${owner} frees its buffer: put_page(page ${page}): ${change(folio, before)}${freed(folio, f)}`);
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// References and pins

/** `get_page()`: +1 on the folio's refcount, zero pages included. */
export function getPage(mm: Mm, page: PageId): void {
  const folio = pageFolio(mm, page);
  if (folio.free) {
    mm.warnings.push({ kind: 'grab-free-folio', page, detail: 'get_page on a freed page' });
  }
  const before = counts(folio);
  folio.refcount += 1;
  mm.log.push(`get_page(page ${page}): ${change(folio, before)}`);
}

/** `put_page()`: −1; the folio is freed when the count reaches zero. A zero page is no exception (§G.3). */
export function putPage(mm: Mm, page: PageId): void {
  const folio = pageFolio(mm, page);
  const before = counts(folio);
  const f = folioPutRefs(mm, folio, 1);
  const what = isZeroFolio(mm, folio) ? ' (zero page!)' : '';
  mm.log.push(`put_page(page ${page}): ${change(folio, before)}${what}${freed(folio, f)}`);
}

/**
 * `try_grab_folio()`: take `refs` references of kind FOLL_GET or FOLL_PIN (§D.1). Pins of a zero page are no-ops
 * (c8070b787519); FOLL_GET still counts on a zero page. A freed folio (its count driven to zero or below, by a
 * double release while still mapped, say) is refused: `try_get_folio()` cannot add to a zero count and WARNs on a
 * negative one, and the slow path's `try_grab_page()` WARNs on either (§D.2).
 */
export function tryGrabFolio(mm: Mm, folio: Folio, refs: number, gupFlags: number): boolean {
  if (folio.free) {
    mm.warnings.push({ kind: 'grab-free-folio', page: folio.head, detail: 'GUP on a freed folio' });
    return false;
  }
  if ((gupFlags & FOLL_PIN) !== 0) {
    if (isZeroFolio(mm, folio)) return true;
    if (folio.order > 0) {
      folio.refcount += refs;
      folio.pincount += refs;
    } else {
      folio.refcount += refs * GUP_PIN_COUNTING_BIAS;
    }
    return true;
  }
  folio.refcount += refs;
  return true;
}

/** `gup_put_folio(folio, refs, FOLL_PIN | FOLL_GET)`. True if the folio was freed. */
function gupPutFolio(mm: Mm, folio: Folio, refs: number, gupFlags: number): boolean {
  if ((gupFlags & FOLL_PIN) !== 0) {
    if (isZeroFolio(mm, folio)) return false;
    if (folio.order > 0) {
      folio.pincount -= refs;
      if (folio.pincount < 0) {
        mm.warnings.push({ kind: 'pincount-underflow', page: folio.head, detail: `pincount ${folio.pincount}` });
      }
    } else {
      refs *= GUP_PIN_COUNTING_BIAS;
    }
  }
  return folioPutRefs(mm, folio, refs);
}

/** `unpin_user_page()`: drop one FOLL_PIN pin (a no-op on a zero page). */
export function unpinUserPage(mm: Mm, page: PageId): void {
  const folio = pageFolio(mm, page);
  const before = counts(folio);
  const f = gupPutFolio(mm, folio, 1, FOLL_PIN);
  const what = isZeroFolio(mm, folio) ? ' (zero page: no-op)' : '';
  mm.log.push(`unpin_user_page(page ${page}): ${change(folio, before)}${what}${freed(folio, f)}`);
}

/** `folio_add_pin()`: one more pin on a folio the caller already has pinned (no-op on a zero page). */
export function folioAddPin(mm: Mm, page: PageId): void {
  const folio = pageFolio(mm, page);
  if (isZeroFolio(mm, folio)) {
    mm.log.push(`folio_add_pin(page ${page}): zero page, no-op`);
    return;
  }
  const before = counts(folio);
  if (folio.order > 0) {
    if (folio.pincount < 1) {
      mm.warnings.push({ kind: 'add-pin-unpinned', page, detail: `pincount ${folio.pincount}` });
    }
    folio.refcount += 1;
    folio.pincount += 1;
  } else {
    if (folio.refcount < GUP_PIN_COUNTING_BIAS) {
      mm.warnings.push({ kind: 'add-pin-unpinned', page, detail: `refcount ${folio.refcount}` });
    }
    folio.refcount += GUP_PIN_COUNTING_BIAS;
  }
  mm.log.push(`folio_add_pin(page ${page}): ${change(folio, before)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The process's address space

/** Maps a fresh anonymous page at user virtual page `vpage` (the page table's entry holds the only reference). */
export function mmapAnonPage(mm: Mm, vpage: number, at?: PageId): PageId {
  if (mm.pageTable.has(vpage)) throw new Error(`user page ${vpage} is already mapped`);
  const page = at === undefined ? allocPage(mm, USER_OWNER) : allocPageAt(mm, at, USER_OWNER);
  pageFolio(mm, page).ownerHeld = false; // the reference now belongs to the page-table entry
  mm.pageTable.set(vpage, page);
  return page;
}

/** Maps an already mapped user page at a second address (a shared mapping): one more page-table reference. */
export function mapSharedUserPage(mm: Mm, vpage: number, page: PageId): void {
  if (mm.pageTable.has(vpage)) throw new Error(`user page ${vpage} is already mapped`);
  const folio = pageFolio(mm, page);
  if (folio.free || folio.owner !== USER_OWNER) throw new Error(`page ${page} is not a user page`);
  folio.refcount += 1;
  mm.pageTable.set(vpage, page);
}

/** Maps a zero page at `vpage`: a never-written private buffer (no reference is taken for it, as in the kernel). */
export function mapZeroPage(mm: Mm, vpage: number, zero?: PageId): PageId {
  if (mm.pageTable.has(vpage)) throw new Error(`user page ${vpage} is already mapped`);
  const z = zero ?? zeroPageFor(mm, vpage);
  if (!isZeroPage(mm, z)) throw new Error(`page ${z} is not a zero page`);
  mm.pageTable.set(vpage, z);
  return z;
}

/** munmap() of one user page: the page-table entry's reference is dropped (none for a zero page). */
export function munmapPage(mm: Mm, vpage: number): boolean {
  const page = mm.pageTable.get(vpage);
  if (page === undefined) return false;
  mm.pageTable.delete(vpage);
  if (isZeroPage(mm, page)) {
    mm.log.push(`munmap(user page ${vpage}): zero page ${page}, no reference to drop`);
    return true;
  }
  const folio = pageFolio(mm, page);
  const before = counts(folio);
  const f = folioPutRefs(mm, folio, 1);
  mm.log.push(`munmap(user page ${vpage}): put_page(page ${page}): ${change(folio, before)}${freed(folio, f)}`);
  return true;
}

/** How many page-table entries map pages of this folio (each holds one reference unless it is a zero page). */
export function folioMapCount(mm: Mm, folio: Folio): number {
  let n = 0;
  for (const page of mm.pageTable.values()) if (mm.pageHead.get(page) === folio.head) n++;
  return n;
}

export type GupError = 'EFAULT';

/**
 * The fast-GUP walk behind `pin_user_pages_fast()`/`get_user_pages_fast()`: resolve `n` user pages from
 * `startVpage`, grab each (FOLL_PIN or FOLL_GET), stop at the first unmapped address. A FOLL_WRITE walk over a
 * zero-page entry breaks COW first: a fresh page replaces the zero page in the page table.
 * Returns the pages taken (possibly fewer than n) or -EFAULT if none.
 */
function gupFast(mm: Mm, startVpage: number, n: number, gupFlags: number): { pages: PageId[] } | { error: GupError } {
  const pages: PageId[] = [];
  for (let k = 0; k < n; k++) {
    const vpage = startVpage + k;
    let page = mm.pageTable.get(vpage);
    if (page === undefined) break; // no VMA here: the walk stops, the caller gets what it has
    if ((gupFlags & FOLL_WRITE) !== 0 && isZeroPage(mm, page)) {
      mm.pageTable.delete(vpage);
      page = mmapAnonPage(mm, vpage);
      mm.log.push(`  write fault on user page ${vpage}: COW breaks the zero page, page ${page} mapped`);
    }
    const folio = pageFolio(mm, page);
    const before = counts(folio);
    if (!tryGrabFolio(mm, folio, 1, gupFlags)) break;
    const how = (gupFlags & FOLL_PIN) !== 0 ? 'pin' : 'get';
    const note = (gupFlags & FOLL_PIN) !== 0 && isZeroFolio(mm, folio) ? ' (zero page: no-op)' : '';
    mm.log.push(`  ${how} user page ${vpage} = page ${page}: ${change(folio, before)}${note}`);
    pages.push(page);
  }
  if (pages.length === 0) return { error: 'EFAULT' };
  return { pages };
}

/** `pin_user_pages_fast()`: FOLL_PIN is implied (v12: callers must not pass it). */
export function pinUserPagesFast(
  mm: Mm,
  startVpage: number,
  n: number,
  gupFlags: number,
): { pages: PageId[] } | { error: GupError } {
  mm.log.push(`pin_user_pages_fast(user page ${startVpage}, ${n}${flagText(gupFlags)})`);
  return gupFast(mm, startVpage, n, (gupFlags & ~FOLL_GET) | FOLL_PIN);
}

/** `get_user_pages_fast()`: FOLL_GET references (what DIO used before the series, the "legacy" variant). */
export function getUserPagesFast(
  mm: Mm,
  startVpage: number,
  n: number,
  gupFlags: number,
): { pages: PageId[] } | { error: GupError } {
  mm.log.push(`get_user_pages_fast(user page ${startVpage}, ${n}${flagText(gupFlags)})`);
  return gupFast(mm, startVpage, n, (gupFlags & ~FOLL_PIN) | FOLL_GET);
}

function flagText(gupFlags: number): string {
  const names: string[] = [];
  if ((gupFlags & FOLL_WRITE) !== 0) names.push('FOLL_WRITE');
  if ((gupFlags & FOLL_NOFAULT) !== 0) names.push('FOLL_NOFAULT');
  if ((gupFlags & FOLL_PCI_P2PDMA) !== 0) names.push('FOLL_PCI_P2PDMA');
  return names.length === 0 ? '' : `, ${names.join('|')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Data

/**
 * Records a data access by `who`, which took the page when its generation was `generation`. A DMA transfer happens
 * whatever the page's state: the kernel cannot refuse it; it is corruption (or a leak of someone else's data) when
 * the page was freed or reused meanwhile.
 */
export function accessPageData(
  mm: Mm,
  page: PageId,
  generation: number,
  who: string,
  access: 'read' | 'write',
): PageAccess {
  const folio = pageFolio(mm, page);
  const outcome = folio.free ? 'freed' : folio.generation !== generation ? 'reused' : 'ok';
  const a: PageAccess = { page, access, generation, who, outcome };
  mm.accesses.push(a);
  if (outcome !== 'ok') {
    const what = outcome === 'freed' ? 'free' : `now ${folio.owner}'s`;
    mm.log.push(`  !! ${who} ${access === 'write' ? 'writes into' : 'reads from'} page ${page}, which is ${what}`);
  }
  return a;
}

/** The generation a holder records when it takes a page. */
export function pageGeneration(mm: Mm, page: PageId): number {
  return pageFolio(mm, page).generation;
}

/** Takes the narration accumulated since the last call. */
export function drainLog(mm: Mm): string[] {
  return mm.log.splice(0, mm.log.length);
}
