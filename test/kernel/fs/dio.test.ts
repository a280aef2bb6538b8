// Scenario tests of DIO over the reference mm/bio code: each variant's known failure, in kernel terms, and the
// implementation's invariant checker naming it (KERNEL.md §C.5, §C.6, §G.0, §G.3, §G.4).
import { describe, expect, it } from 'vitest';
import {
  createDioWorld,
  startDio,
  dioBuildBio,
  dioComplete,
  dioDma,
  dioDone,
  dioSubmitBio,
  dioWorldCopy,
  getDio,
  iomapDioZero,
  kernelBufferFree,
  userMunmap,
  type DioWorld,
} from '../../../src/kernel/fs/dio.js';
import { buildDioWorld, type DioLayout } from '../../../src/kernel/fs/dio_layout.js';
import { PAGE_LIFETIME_VARIANTS } from '../../../src/kernel/fs/dio_variant.js';
import { iovIterUbuf } from '../../../src/kernel/lib/iov_iter.js';
import { allocPage, createMm, GUP_PIN_COUNTING_BIAS, pageFolio } from '../../../src/kernel/mm/mm.js';
import { violatedInvariants } from '../../../src/kernel/fs/dio_check.js';

const PS = 4096;

/** A never-written static buffer (the zero page at user page 1) and a written one (page 3 at user page 2). */
const staticBuffer: DioLayout = {
  kind: new Map([
    [1, 'zero'],
    [3, 'user'],
  ]),
  mapping: new Map([
    [1, 1],
    [2, 3],
  ]),
  owned: new Set(),
  dios: [
    { type: 'UBUF', dir: 'SOURCE', elems: [{ page: 1, off: 0, len: PS }] },
    { type: 'UBUF', dir: 'SOURCE', elems: [{ page: 1, off: 0, len: PS }] },
    { type: 'IOVEC', dir: 'DEST', elems: [{ page: 2, off: 0, len: 2048 }, { page: 2, off: 2048, len: 2048 }] },
  ],
  maxVecs: 2,
};

function world(layout: DioLayout, variant: string): DioWorld {
  const w = buildDioWorld(layout, variant);
  if (!w.ok) throw new Error(w.error);
  return w.value;
}

/** Runs one DIO to completion: build, submit, DMA and complete each bio in turn. */
function runDio(w: DioWorld, id: number): string[] {
  const seen: string[] = [];
  const dio = getDio(w, id)!;
  while (!dioDone(dio)) {
    const b = dioBuildBio(w, id);
    if (!b.ok) throw new Error(b.error);
    if (b.value === null) break;
    const k = dio.bios.length;
    for (const step of [dioSubmitBio, dioDma, dioComplete]) {
      const r = step(w, id, k);
      if (!r.ok) throw new Error(r.error);
      seen.push(...violatedInvariants(w));
    }
  }
  return [...new Set(seen)];
}

describe('G.3: two O_DIRECT pwrite()s from a never-written buffer', () => {
  it('v6.5: the zero page sits in a PINNED bio and its refcount never moves', () => {
    const w = world(staticBuffer, 'v6.5');
    expect(runDio(w, 1)).toEqual([]);
    expect(runDio(w, 2)).toEqual([]);
    expect(pageFolio(w.mm, 1).refcount).toBe(1);
  });

  it('bug-dio-reffed: completion put_page()s the zero page it never referenced', () => {
    const w = world(staticBuffer, 'bug-dio-reffed');
    // the bio's flags claim a reference its pinned pages never got: wrong from the moment it is built
    expect(runDio(w, 1)).toEqual(['PageRefsAccountedInv', 'ZeroPageStableInv', 'NoLeakInv', 'FlagsMirrorAcquisitionInv']);
    expect(pageFolio(w.mm, 1).refcount).toBe(0);
    expect(w.mm.log.join('\n')).toContain('put_page(page 1): refcount 1 → 0 (zero page!)');
  });

  it('bug-dio-reffed on an ordinary page leaks 1023 references per pin (§D.2)', () => {
    const w = world(staticBuffer, 'bug-dio-reffed');
    expect(runDio(w, 3)).toContain('NoLeakInv');
    // two pins (one dropped by the same-page merge with put_page: −1), then put_page at completion: −1
    expect(pageFolio(w.mm, 3).refcount).toBe(1 + 2 * GUP_PIN_COUNTING_BIAS - 2);
  });
});

describe('G.4: same-page merge', () => {
  it('v6.5 drops the extra pin at once; the bug keeps it and leaks', () => {
    expect(runDio(world(staticBuffer, 'v6.5'), 3)).toEqual([]);
    const w = world(staticBuffer, 'bug-same-page-merge');
    expect(runDio(w, 3)).toEqual(['PageRefsAccountedInv', 'NoLeakInv']);
    expect(pageFolio(w.mm, 3).refcount).toBe(1 + GUP_PIN_COUNTING_BIAS);
  });
});

describe('iomap_dio_zero (§C.6)', () => {
  for (const [variant, expected, refDuringIo] of [
    ['v6.5', [], 1],
    ['legacy', [], 2],
    ['bug-zero-page-put', ['ZeroPageStableInv', 'NoLeakInv', 'FlagsMirrorAcquisitionInv', 'PageRefsAccountedInv'], 1],
  ] as const) {
    it(`${variant}: ${expected.length === 0 ? 'the zero page stays stable' : 'the zero page loses a reference'}`, () => {
      const w = world(staticBuffer, variant);
      const z = iomapDioZero(w, 1);
      expect(z.ok).toBe(true);
      expect(pageFolio(w.mm, 1).refcount).toBe(refDuringIo);
      const k = getDio(w, 1)!.bios.length;
      dioDma(w, 1, k);
      dioComplete(w, 1, k);
      expect(violatedInvariants(w)).toEqual(expected);
    });
  }

  it('still zeroes the tail after a failed extraction while an earlier bio of the DIO is in flight (zero_tail)', () => {
    const twoPages: DioLayout = {
      kind: new Map([
        [1, 'zero'],
        [3, 'user'],
        [5, 'user'],
      ]),
      mapping: new Map([
        [2, 3],
        [3, 5],
      ]),
      owned: new Set(),
      dios: [{ type: 'UBUF', dir: 'SOURCE', elems: [{ page: 2, off: 0, len: PS }, { page: 3, off: 0, len: PS }] }],
      maxVecs: 1,
    };
    const w = world(twoPages, 'v6.5');
    const first = dioBuildBio(w, 1);
    expect(first.ok && first.value !== null).toBe(true);
    dioSubmitBio(w, 1, 1);
    expect(userMunmap(w, 3).ok).toBe(true);
    const second = dioBuildBio(w, 1);
    expect(second.ok && second.value).toBe(null);
    expect(getDio(w, 1)!.error).toBe('EFAULT');
    expect(dioDone(getDio(w, 1)!)).toBe(false);
    const z = iomapDioZero(w, 1);
    expect(z.ok).toBe(true);
    expect(getDio(w, 1)!.bios.map((b) => b.kind)).toEqual(['data', 'zero']);
    expect(violatedInvariants(w)).toEqual([]);
  });

  it('is refused for a read DIO and for a second time', () => {
    const w = world(staticBuffer, 'v6.5');
    expect(iomapDioZero(w, 3).ok).toBe(false);
    expect(iomapDioZero(w, 1).ok).toBe(true);
    expect(iomapDioZero(w, 1).ok).toBe(false);
  });
});

describe('legacy (FOLL_GET DIO)', () => {
  it('a user page under DIO does not look DMA-pinned', () => {
    const w = world(staticBuffer, 'legacy');
    dioBuildBio(w, 3);
    expect(violatedInvariants(w)).toEqual(['DmaPinnedVisibleInv']);
    expect(pageFolio(w.mm, 3).refcount).toBe(2);
  });
});

describe('the user and the kernel owner', () => {
  const kernelLayout: DioLayout = {
    kind: new Map([
      [1, 'zero'],
      [7, 'kernel'],
      [3, 'user'],
    ]),
    mapping: new Map([[2, 3]]),
    owned: new Set([7]),
    dios: [
      { type: 'KVEC', dir: 'SOURCE', elems: [{ page: 7, off: 0, len: PS }] },
      { type: 'UBUF', dir: 'DEST', elems: [{ page: 2, off: 0, len: PS }] },
    ],
    maxVecs: 2,
  };

  it('munmap() during DIO leaves the pinned page alive until completion frees it', () => {
    for (const variant of PAGE_LIFETIME_VARIANTS.filter((v) => v !== 'legacy')) {
      const w = world(kernelLayout, variant);
      dioBuildBio(w, 2);
      dioSubmitBio(w, 2, 1);
      expect(userMunmap(w, 2).ok).toBe(true);
      expect(pageFolio(w.mm, 3).free).toBe(false);
      // bug-dio-reffed is wrong from the start: its bio's flags say "one reference" over a pinned page
      expect(violatedInvariants(w)).toEqual(variant === 'bug-dio-reffed' ? ['PageRefsAccountedInv'] : []);
      dioDma(w, 2, 1);
      dioComplete(w, 2, 1);
      expect(pageFolio(w.mm, 3).free).toBe(variant !== 'bug-dio-reffed');
      expect(w.mm.accesses.every((a) => a.outcome === 'ok')).toBe(true);
    }
  });

  it('the kernel owner may free its buffer only when the DIO over it is done', () => {
    const w = world(kernelLayout, 'v6.5');
    expect(kernelBufferFree(w, 7).ok).toBe(false);
    runDio(w, 1);
    expect(kernelBufferFree(w, 7).ok).toBe(true);
    expect(pageFolio(w.mm, 7).free).toBe(true);
    expect(violatedInvariants(w)).toEqual([]);
  });

  it('legacy refuses KVEC DIO with -EFAULT', () => {
    const w = world(kernelLayout, 'legacy');
    const r = dioBuildBio(w, 1);
    expect(r.ok && r.value).toBe(null);
    expect(getDio(w, 1)!.error).toBe('EFAULT');
    expect(dioDone(getDio(w, 1)!)).toBe(true);
  });
});

describe('large folios under DIO (§D.1)', () => {
  /** A user buffer backed by one order-2 folio (four pages) at user pages 8-11, written by a UBUF DIO. */
  function largeFolioDio(variant: string): { w: DioWorld; head: number } {
    const mm = createMm();
    const head = allocPage(mm, 'user', 2);
    pageFolio(mm, head).ownerHeld = false;
    for (let k = 0; k < 4; k++) mm.pageTable.set(8 + k, head + k);
    pageFolio(mm, head).refcount = 4; // one reference per page-table entry
    const w = createDioWorld(mm, variant);
    if (!w.ok) throw new Error(w.error);
    startDio(w.value, iovIterUbuf('SOURCE', 8 * PS + 512, 3 * PS), 8);
    return { w: w.value, head };
  }

  it('v6.5: each pinned page adds one reference and one pincount; completion gives both back', () => {
    const { w, head } = largeFolioDio('v6.5');
    dioBuildBio(w, 1);
    const f = pageFolio(w.mm, head);
    expect([f.refcount, f.pincount]).toEqual([8, 4]); // 4 pages touched by [512, 512 + 3 pages)
    expect(violatedInvariants(w)).toEqual([]);
    dioSubmitBio(w, 1, 1);
    dioDma(w, 1, 1);
    dioComplete(w, 1, 1);
    expect([f.refcount, f.pincount]).toEqual([4, 0]);
    expect(violatedInvariants(w)).toEqual([]);
  });

  it('bug-dio-reffed: put_page balances the refcount of a large folio but leaves its pincount (§D.2)', () => {
    const { w, head } = largeFolioDio('bug-dio-reffed');
    dioBuildBio(w, 1);
    dioSubmitBio(w, 1, 1);
    dioDma(w, 1, 1);
    dioComplete(w, 1, 1);
    const f = pageFolio(w.mm, head);
    expect([f.refcount, f.pincount]).toEqual([4, 4]);
    expect(violatedInvariants(w)).toEqual(['NoLeakInv', 'FlagsMirrorAcquisitionInv', 'PageRefsAccountedInv']);
  });
});

describe('dioWorldCopy (the explorer forks a state with it)', () => {
  /** Every object, array, map and set reachable from `root`. */
  function reachable(root: unknown, into = new Set<object>()): Set<object> {
    if (typeof root !== 'object' || root === null || into.has(root)) return into;
    into.add(root);
    const children = root instanceof Map ? [...root.keys(), ...root.values()] : root instanceof Set ? [...root] : Object.values(root);
    for (const c of children) reachable(c, into);
    return into;
  }

  it('is equal to the world and shares only its read-only parts; steps on the copy leave the world alone', () => {
    const w = world(staticBuffer, 'v6.5');
    dioBuildBio(w, 1);
    dioSubmitBio(w, 1, 1);
    dioBuildBio(w, 3);
    userMunmap(w, 2);
    const copy = dioWorldCopy(w);
    expect(copy).toEqual(w);
    const readOnly = reachable([w.opts, w.mm.accesses.slice(), w.mm.warnings.slice(), ...w.dios.map((d) => [(d.iter as { segs?: unknown }).segs, d.kernelPages])]);
    const shared = [...reachable(copy)].filter((o) => reachable(w).has(o) && !readOnly.has(o));
    expect(shared).toEqual([]);
    const before = structuredClone(w);
    for (const step of [dioDma, dioComplete]) expect(step(copy, 1, 1).ok).toBe(true);
    expect(dioBuildBio(copy, 2).ok).toBe(true);
    kernelBufferFree(copy, 3);
    expect(w).toEqual(before);
    expect(copy).not.toEqual(before);
  });
});
