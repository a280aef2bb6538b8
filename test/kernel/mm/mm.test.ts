// Unit tests of the page/folio reference implementation against the counting rules of KERNEL.md §D.
import { describe, expect, it } from 'vitest';
import {
  allocPage,
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
  munmapPage,
  ownerReleasePage,
  pageFolio,
  pinUserPagesFast,
  putPage,
  unpinUserPage,
  accessPageData,
  ZERO_PAGE_BASE_REFCOUNT,
  zeroPageFor,
} from '../../../src/kernel/mm/mm.js';

describe('small folios: the pin bias (§D.1)', () => {
  it('a pin adds 1024 to the refcount and unpin takes it back', () => {
    const mm = createMm();
    mmapAnonPage(mm, 7);
    const r = pinUserPagesFast(mm, 7, 1, 0);
    expect('pages' in r).toBe(true);
    const page = mm.pageTable.get(7)!;
    expect(pageFolio(mm, page).refcount).toBe(1 + GUP_PIN_COUNTING_BIAS);
    expect(folioMaybeDmaPinned(pageFolio(mm, page))).toBe(true);
    unpinUserPage(mm, page);
    expect(pageFolio(mm, page).refcount).toBe(1);
    expect(folioMaybeDmaPinned(pageFolio(mm, page))).toBe(false);
    expect(mm.log).toContain(`unpin_user_page(page ${page}): refcount 1025 → 1`);
  });

  it('FOLL_GET adds 1 and leaves the page looking unpinned (the legacy DIO hazard, §G.0)', () => {
    const mm = createMm();
    const page = mmapAnonPage(mm, 1);
    getUserPagesFast(mm, 1, 1, 0);
    expect(pageFolio(mm, page).refcount).toBe(2);
    expect(folioMaybeDmaPinned(pageFolio(mm, page))).toBe(false);
  });

  it('pin released by put_page leaks 1023 references and stays "maybe pinned" (§D.2)', () => {
    const mm = createMm();
    const page = mmapAnonPage(mm, 1);
    pinUserPagesFast(mm, 1, 1, 0);
    putPage(mm, page);
    munmapPage(mm, 1);
    const f = pageFolio(mm, page);
    expect(f.refcount).toBe(1023);
    expect(f.free).toBe(false);
    expect(folioMaybeDmaPinned(f)).toBe(false);
  });

  it('get released by unpin underflows and frees the page under its mapping (§D.2)', () => {
    const mm = createMm();
    const page = mmapAnonPage(mm, 1);
    getUserPagesFast(mm, 1, 1, 0);
    unpinUserPage(mm, page);
    const f = pageFolio(mm, page);
    expect(f.refcount).toBe(2 - GUP_PIN_COUNTING_BIAS);
    expect(f.free).toBe(true);
    expect(mm.pageTable.get(1)).toBe(page); // still mapped: use after free
    expect(mm.warnings.map((w) => w.kind)).toContain('refcount-underflow');
  });

  it('folio_add_pin adds one more bias and warns on an unpinned folio', () => {
    const mm = createMm();
    const page = mmapAnonPage(mm, 1);
    folioAddPin(mm, page);
    expect(mm.warnings.map((w) => w.kind)).toEqual(['add-pin-unpinned']);
    pinUserPagesFast(mm, 1, 1, 0);
    folioAddPin(mm, page);
    expect(pageFolio(mm, page).refcount).toBe(1 + 3 * GUP_PIN_COUNTING_BIAS);
  });
});

describe('large folios: _pincount (§D.1)', () => {
  it('a pin adds one reference and one pincount; maybe-pinned reads the pincount', () => {
    const mm = createMm();
    const head = allocPage(mm, 'user', 2);
    pageFolio(mm, head).ownerHeld = false;
    for (let k = 0; k < 4; k++) mm.pageTable.set(10 + k, head + k);
    pinUserPagesFast(mm, 10, 4, 0);
    const f = pageFolio(mm, head + 3);
    expect(f.head).toBe(head);
    expect(f.refcount).toBe(1 + 4);
    expect(f.pincount).toBe(4);
    expect(folioMaybeDmaPinned(f)).toBe(true);
    for (let k = 0; k < 4; k++) unpinUserPage(mm, head + k);
    expect(f.refcount).toBe(1);
    expect(f.pincount).toBe(0);
    expect(folioMaybeDmaPinned(f)).toBe(false);
  });

  it('pin released by put_page balances the refcount but leaves the pincount set (§D.2)', () => {
    const mm = createMm();
    const head = allocPage(mm, 'user', 1);
    mm.pageTable.set(3, head);
    pinUserPagesFast(mm, 3, 1, 0);
    putPage(mm, head);
    const f = pageFolio(mm, head);
    expect(f.refcount).toBe(1);
    expect(f.pincount).toBe(1);
    expect(folioMaybeDmaPinned(f)).toBe(true);
  });
});

describe('zero pages (§C.6)', () => {
  it('pins and unpins of any zero page are no-ops, get/put are not', () => {
    const mm = createMm({ zeroPages: 2 });
    expect(mm.zeroPages.length).toBe(2);
    mapZeroPage(mm, 0);
    mapZeroPage(mm, 1);
    const z0 = mm.pageTable.get(0)!;
    const z1 = mm.pageTable.get(1)!;
    expect(z0).not.toBe(z1); // page colouring: a second zero page
    expect(isZeroPage(mm, z1)).toBe(true);
    const r = pinUserPagesFast(mm, 0, 2, 0);
    expect(r).toEqual({ pages: [z0, z1] });
    expect(pageFolio(mm, z1).refcount).toBe(ZERO_PAGE_BASE_REFCOUNT);
    unpinUserPage(mm, z1);
    expect(pageFolio(mm, z1).refcount).toBe(ZERO_PAGE_BASE_REFCOUNT);
    getPage(mm, z1);
    expect(pageFolio(mm, z1).refcount).toBe(ZERO_PAGE_BASE_REFCOUNT + 1);
    putPage(mm, z1);
    putPage(mm, z1);
    // the G.3 failure: the zero page's count ran out; it is reserved, so it is not freed, only wrong
    expect(pageFolio(mm, z1).refcount).toBe(ZERO_PAGE_BASE_REFCOUNT - 1);
    expect(pageFolio(mm, z1).free).toBe(false);
  });

  it('unmapping a zero-page entry drops no reference', () => {
    const mm = createMm();
    const z = mapZeroPage(mm, 4);
    munmapPage(mm, 4);
    expect(pageFolio(mm, z).refcount).toBe(ZERO_PAGE_BASE_REFCOUNT);
    expect(zeroPageFor(mm, 4)).toBe(z);
  });

  it('a FOLL_WRITE pin of a zero-page entry breaks COW and pins a fresh page', () => {
    const mm = createMm();
    const z = mapZeroPage(mm, 4);
    const r = pinUserPagesFast(mm, 4, 1, FOLL_WRITE);
    if (!('pages' in r)) throw new Error('expected pages');
    const page = r.pages[0]!;
    expect(page).not.toBe(z);
    expect(mm.pageTable.get(4)).toBe(page);
    expect(pageFolio(mm, page).refcount).toBe(1 + GUP_PIN_COUNTING_BIAS);
    expect(pageFolio(mm, z).refcount).toBe(ZERO_PAGE_BASE_REFCOUNT);
  });
});

describe('pin_user_pages_fast walks the page table', () => {
  it('stops at the first unmapped page (short pin) and fails with EFAULT if nothing is mapped', () => {
    const mm = createMm();
    mmapAnonPage(mm, 0);
    mmapAnonPage(mm, 1);
    mmapAnonPage(mm, 3);
    const r = pinUserPagesFast(mm, 0, 4, 0);
    expect('pages' in r && r.pages.length).toBe(2);
    expect(pinUserPagesFast(mm, 2, 2, 0)).toEqual({ error: 'EFAULT' });
  });
});

describe('the allocator: freeing at zero, reuse, owners', () => {
  it('put_page at refcount 1 frees; the next allocation reuses the page with a new generation', () => {
    const mm = createMm();
    const a = allocPage(mm, 'kvec-buffer');
    const gen = pageFolio(mm, a).generation;
    expect(ownerReleasePage(mm, a, 'someone-else')).toBe(false);
    expect(ownerReleasePage(mm, a, 'kvec-buffer')).toBe(true);
    expect(pageFolio(mm, a).free).toBe(true);
    const b = allocPage(mm, 'skb');
    expect(b).toBe(a);
    expect(pageFolio(mm, b).owner).toBe('skb');
    expect(accessPageData(mm, a, gen, 'bio 1', 'write').outcome).toBe('reused');
    expect(accessPageData(mm, a, pageFolio(mm, a).generation, 'skb', 'write').outcome).toBe('ok');
    putPage(mm, b);
    expect(accessPageData(mm, a, gen, 'bio 1', 'write').outcome).toBe('freed');
  });

  it('a put on a freed page is an underflow', () => {
    const mm = createMm();
    const a = allocPage(mm, 'x');
    putPage(mm, a);
    putPage(mm, a);
    expect(pageFolio(mm, a).refcount).toBe(-1);
    expect(mm.warnings).toEqual([{ kind: 'refcount-underflow', page: a, detail: 'refcount 0 − 1 = -1' }]);
  });
});
