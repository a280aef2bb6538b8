// More of KERNEL.md §D's counting rules and §C.6's zero pages, case by case: the unsigned reading of an
// underflowed small folio, a large folio's get/unpin mismatch, folio_add_pin() on a large folio, GUP of a page
// freed under its mapping, FOLL_GET of a zero page, and page colouring.
import { describe, expect, it } from 'vitest';
import {
  allocPage,
  allocPageAt,
  createMm,
  FOLL_WRITE,
  folioAddPin,
  folioMaybeDmaPinned,
  getPage,
  getUserPagesFast,
  GUP_PIN_COUNTING_BIAS,
  isZeroPage,
  mapZeroPage,
  mmapAnonPage,
  ownerReleasePage,
  pageFolio,
  pinUserPagesFast,
  unpinUserPage,
  ZERO_PAGE_BASE_REFCOUNT,
  zeroPageFor,
} from '../../../src/kernel/mm/mm.js';

describe('small folios read as unsigned (§D.1)', () => {
  it('a folio whose refcount underflowed (get, then unpin) reads "maybe pinned": (unsigned)_refcount >= 1024', () => {
    const mm = createMm();
    const page = mmapAnonPage(mm, 1);
    getUserPagesFast(mm, 1, 1, 0);
    unpinUserPage(mm, page);
    const f = pageFolio(mm, page);
    expect(f.refcount).toBeLessThan(0);
    expect(folioMaybeDmaPinned(f)).toBe(true);
  });

  it('exactly GUP_PIN_COUNTING_BIAS references read as pinned, one fewer does not', () => {
    const mm = createMm();
    const page = allocPage(mm, 'k');
    const f = pageFolio(mm, page);
    for (let k = 1; k < GUP_PIN_COUNTING_BIAS - 1; k++) getPage(mm, page);
    expect(f.refcount).toBe(GUP_PIN_COUNTING_BIAS - 1);
    expect(folioMaybeDmaPinned(f)).toBe(false);
    getPage(mm, page);
    expect(folioMaybeDmaPinned(f)).toBe(true); // the false positive §D.1 allows after 1024 plain references
  });

  it('a later GUP of a page freed under its mapping fails (the WARN in try_get_folio, §D.2)', () => {
    const mm = createMm();
    const page = mmapAnonPage(mm, 1);
    getUserPagesFast(mm, 1, 1, 0);
    unpinUserPage(mm, page); // underflow: freed while still mapped
    expect(pageFolio(mm, page).free).toBe(true);
    expect(pinUserPagesFast(mm, 1, 1, 0)).toEqual({ error: 'EFAULT' });
    expect(mm.warnings.map((w) => w.kind)).toContain('grab-free-folio');
  });
});

describe('references on a freed page (§D.2)', () => {
  it('get_page() on a page that was freed is reported (folio_get()\'s VM_BUG_ON on a zero refcount)', () => {
    const mm = createMm();
    const page = allocPage(mm, 'k');
    expect(ownerReleasePage(mm, page, 'k')).toBe(true);
    expect(mm.warnings).toEqual([]);
    getPage(mm, page);
    expect(mm.warnings.map((w) => [w.kind, w.page])).toEqual([['grab-free-folio', page]]);
  });
});

describe('large folios (§D.1, §D.2)', () => {
  function largeMapped(order: number): { mm: ReturnType<typeof createMm>; head: number } {
    const mm = createMm();
    const head = allocPage(mm, 'user', order);
    pageFolio(mm, head).ownerHeld = false;
    for (let k = 0; k < 1 << order; k++) mm.pageTable.set(20 + k, head + k);
    return { mm, head };
  }

  it('get, then unpin: the refcount balances, _pincount goes below the true number, the folio reads unpinned', () => {
    const { mm, head } = largeMapped(2);
    const f = pageFolio(mm, head);
    getUserPagesFast(mm, 21, 1, 0);
    expect([f.refcount, f.pincount]).toEqual([2, 0]);
    unpinUserPage(mm, head + 1);
    expect([f.refcount, f.pincount]).toEqual([1, -1]);
    expect(f.free).toBe(false);
    expect(folioMaybeDmaPinned(f)).toBe(false);
    // A real pin now leaves the count at 0: "false not pinned while a real pin exists".
    pinUserPagesFast(mm, 22, 1, 0);
    expect([f.refcount, f.pincount]).toEqual([2, 0]);
    expect(folioMaybeDmaPinned(f)).toBe(false);
  });

  it('folio_add_pin() adds one reference and one _pincount, and warns when the folio has no pin', () => {
    const { mm, head } = largeMapped(1);
    const f = pageFolio(mm, head);
    folioAddPin(mm, head + 1);
    expect([f.refcount, f.pincount]).toEqual([2, 1]);
    expect(mm.warnings.map((w) => w.kind)).toEqual(['add-pin-unpinned']);
    folioAddPin(mm, head);
    expect([f.refcount, f.pincount]).toEqual([3, 2]);
    expect(mm.warnings.length).toBe(1);
  });

  it('the last unpin of a large folio frees it; its pages are not handed out again as small pages', () => {
    const mm = createMm();
    const head = allocPage(mm, 'k', 1);
    const f = pageFolio(mm, head);
    pinUserPagesFast(mm, 0, 1, 0); // nothing mapped: no effect
    mm.pageTable.set(5, head);
    pinUserPagesFast(mm, 5, 1, 0);
    expect(ownerReleasePage(mm, head, 'k')).toBe(true);
    expect([f.refcount, f.pincount, f.free]).toEqual([1, 1, false]);
    unpinUserPage(mm, head);
    expect([f.refcount, f.pincount, f.free]).toEqual([0, 0, true]);
    const next = allocPage(mm, 'other');
    expect(next).not.toBe(head);
    expect(next).not.toBe(head + 1);
  });
});

describe('zero pages (§C.6)', () => {
  it('FOLL_GET of a zero-page entry takes a reference; a pin does not', () => {
    const mm = createMm();
    const z = mapZeroPage(mm, 3);
    expect(getUserPagesFast(mm, 3, 1, 0)).toEqual({ pages: [z] });
    expect(pageFolio(mm, z).refcount).toBe(ZERO_PAGE_BASE_REFCOUNT + 1);
    expect(pinUserPagesFast(mm, 3, 1, 0)).toEqual({ pages: [z] });
    expect(pageFolio(mm, z).refcount).toBe(ZERO_PAGE_BASE_REFCOUNT + 1);
    folioAddPin(mm, z);
    expect(pageFolio(mm, z).refcount).toBe(ZERO_PAGE_BASE_REFCOUNT + 1);
    expect(mm.warnings).toEqual([]);
  });

  it('page colouring: ZERO_PAGE(vaddr) is chosen by the address, and any of them breaks COW on a write pin', () => {
    const mm = createMm({ zeroPages: 4 });
    expect(zeroPageFor(mm, 6)).toBe(mm.zeroPages[2]);
    expect(zeroPageFor(mm, 3)).toBe(mm.zeroPages[3]);
    const z = mapZeroPage(mm, 6);
    expect(z).toBe(mm.zeroPages[2]);
    expect(isZeroPage(mm, z)).toBe(true);
    const r = pinUserPagesFast(mm, 6, 1, FOLL_WRITE);
    if (!('pages' in r)) throw new Error('expected pages');
    expect(isZeroPage(mm, r.pages[0]!)).toBe(false);
    expect(pageFolio(mm, r.pages[0]!).refcount).toBe(1 + GUP_PIN_COUNTING_BIAS);
    expect(pageFolio(mm, z).refcount).toBe(ZERO_PAGE_BASE_REFCOUNT);
  });
});

describe('the allocator at chosen page ids', () => {
  it('a freed page can be taken again at its id, with a new generation; a page in use cannot', () => {
    const mm = createMm();
    const a = allocPageAt(mm, 40, 'k');
    const gen = pageFolio(mm, a).generation;
    expect(() => allocPageAt(mm, 40, 'k')).toThrow();
    expect(ownerReleasePage(mm, a, 'k')).toBe(true);
    expect(ownerReleasePage(mm, a, 'k')).toBe(false); // its reference is already given back
    expect(allocPageAt(mm, 40, 'j')).toBe(40);
    const f = pageFolio(mm, 40);
    expect([f.refcount, f.free, f.owner, f.generation]).toEqual([1, false, 'j', gen + 1]);
    expect(allocPage(mm, 'i')).not.toBe(40); // no longer on the free list
  });
});
