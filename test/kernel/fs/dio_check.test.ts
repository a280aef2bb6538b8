// The reference implementation's checker states the accounting, freeing, lifecycle, bound and coverage rules of
// spec/PageLifetime.tla on the implementation's own data: each rule holds along a clean DIO and each one, alone,
// flags a state broken in exactly its way (KERNEL.md §H.1, §H.3, §H.11, §H.12, §D.1).
import { describe, expect, it } from 'vitest';
import { dioBuildBio, dioComplete, dioDma, dioSubmitBio, getDio, type DioWorld } from '../../../src/kernel/fs/dio.js';
import { buildDioWorld, type DioLayout } from '../../../src/kernel/fs/dio_layout.js';
import { violatedInvariants } from '../../../src/kernel/fs/dio_check.js';
import { iovIterAdvance } from '../../../src/kernel/lib/iov_iter.js';
import { getPage, pageFolio } from '../../../src/kernel/mm/mm.js';

const PS = 4096;

/** A read into two user pages (same-page halves, then a whole page) and a KVEC write from a kernel page. */
const layout: DioLayout = {
  kind: new Map([
    [1, 'zero'],
    [3, 'user'],
    [4, 'user'],
    [7, 'kernel'],
  ]),
  mapping: new Map([
    [1, 3],
    [2, 4],
  ]),
  owned: new Set([7]),
  dios: [
    { type: 'IOVEC', dir: 'DEST', elems: [{ page: 1, off: 0, len: 2048 }, { page: 1, off: 2048, len: 2048 }, { page: 2, off: 0, len: PS }] },
    { type: 'KVEC', dir: 'SOURCE', elems: [{ page: 7, off: 1024, len: 1024 }] },
  ],
  maxVecs: 2,
};

function built(): DioWorld {
  const w = buildDioWorld(layout, 'v6.5');
  if (!w.ok) throw new Error(w.error);
  const b = dioBuildBio(w.value, 1);
  if (!b.ok || b.value === null) throw new Error('no bio');
  return w.value;
}

describe('the PageLifetime checker on the implementation', () => {
  it('holds at every step of a clean DIO', () => {
    const w = built();
    expect(violatedInvariants(w)).toEqual([]);
    for (const step of [dioSubmitBio, dioDma, dioComplete]) {
      expect(step(w, 1, 1).ok).toBe(true);
      expect(violatedInvariants(w)).toEqual([]);
    }
    expect(dioBuildBio(w, 2).ok).toBe(true);
    expect(violatedInvariants(w)).toEqual([]);
  });

  it('PageRefsAccountedInv: a stray get_page() on a page a live bio holds, that nobody will put', () => {
    const w = built();
    getPage(w.mm, 3); // refcount 1025 → 1026: still pinned-looking, nothing freed, but one reference too many
    expect(violatedInvariants(w)).toEqual(['PageRefsAccountedInv']);
  });

  it('FreedAtZeroInv: the owner drops its last reference to an idle page, which stays out of the allocator', () => {
    const w = built();
    const folio = pageFolio(w.mm, 7); // DIO 2's kernel page, no bio built over it yet
    folio.ownerHeld = false;
    folio.refcount = 0; // a put_page() to zero that does not free: every count still balances
    expect(violatedInvariants(w)).toEqual(['FreedAtZeroInv']);
  });

  it('BioLifecycleInv: a bio that reaches the device without submit_bio()', () => {
    const w = built();
    getDio(w, 1)!.bios[0]!.state = 'submitted';
    expect(violatedInvariants(w)).toEqual(['BioLifecycleInv']);
    const again = built();
    for (const step of [dioSubmitBio, dioDma, dioComplete]) step(again, 1, 1);
    getDio(again, 1)!.bios[0]!.trail.push('release'); // bio_release_pages() a second time
    expect(violatedInvariants(again)).toEqual(['BioLifecycleInv']);
  });

  it('BioMaxVecsInv: a bvec written past bi_max_vecs', () => {
    const w = built();
    const bio = getDio(w, 1)!.bios[0]!;
    expect(bio.vecs.length).toBe(1); // pages 3 and 4 are physically adjacent: one multi-page bvec
    // empty bvecs: nothing held, nothing covered, only the array overrun
    while (bio.vecs.length <= bio.maxVecs) bio.vecs.push({ page: 1, offset: 0, len: 0, generations: [] });
    expect(violatedInvariants(w)).toEqual(['BioMaxVecsInv']);
  });

  it('DioCoverageInv: the iterator moves past the bytes its bios hold', () => {
    const w = built();
    iovIterAdvance(getDio(w, 2)!.iter, 512);
    expect(violatedInvariants(w)).toEqual(['DioCoverageInv']);
  });
});
