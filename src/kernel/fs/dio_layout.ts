// A DIO workload's starting point in the PageLifetime spec's terms (pages with their kinds, the user page table,
// kernel buffers, one iterator per DIO as a list of per-page elements) and how to build the reference
// implementation's memory, iterators and DIOs from it. Used by the replay binding and the property tests.

import { err, ok, type Result } from '../../shared/result.js';
import { createDioWorld, KERNEL_OWNER, startDio, type DioWorld } from './dio.js';
import {
  iovIterBvec,
  iovIterIovec,
  iovIterKvec,
  iovIterUbuf,
  iovIterXarray,
  type IovIter,
  type IterDirection,
} from '../lib/iov_iter.js';
import { allocPageAt, createMm, mapSharedUserPage, mapZeroPage, mmapAnonPage, PAGE_SIZE, type PageId } from '../mm/mm.js';

export type PageKind = 'user' | 'kernel' | 'zero';
export type DioIterType = 'UBUF' | 'IOVEC' | 'KVEC' | 'BVEC' | 'XARRAY';
export const DIO_ITER_TYPES: readonly DioIterType[] = ['UBUF', 'IOVEC', 'KVEC', 'BVEC', 'XARRAY'];

/** `len` bytes at `off` in `page` (a user virtual page for UBUF/IOVEC, a page otherwise); never crosses a page. */
export interface LayoutElem {
  readonly page: number;
  readonly off: number;
  readonly len: number;
}

export interface LayoutDio {
  readonly type: DioIterType;
  readonly dir: IterDirection;
  readonly elems: readonly LayoutElem[];
  /** bi_max_vecs of this DIO's bios, when it differs from the layout's. */
  readonly maxVecs?: number;
}

export interface DioLayout {
  readonly kind: ReadonlyMap<PageId, PageKind>;
  /** User virtual page → page (0 = not mapped). */
  readonly mapping: ReadonlyMap<number, PageId>;
  /** Kernel pages their kernel owner holds. */
  readonly owned: ReadonlySet<PageId>;
  readonly dios: readonly LayoutDio[];
  /** bi_max_vecs of every data bio (unless its DIO says otherwise). */
  readonly maxVecs: number;
}

export const NO_PAGE = 0;

const isUserType = (t: DioIterType): boolean => t === 'UBUF' || t === 'IOVEC';

/** Elements that form one contiguous byte range over consecutive pages (what UBUF and XARRAY describe). */
function contiguous(elems: readonly LayoutElem[]): boolean {
  for (let k = 1; k < elems.length; k++) {
    const a = elems[k - 1];
    const b = elems[k];
    if (a === undefined || b === undefined) return false;
    if (a.off + a.len !== PAGE_SIZE || b.off !== 0 || b.page !== a.page + 1) return false;
  }
  return true;
}

/** Builds the iterator a DIO of this layout runs over. */
export function layoutIter(d: LayoutDio): Result<IovIter, string> {
  if (d.elems.length === 0) return err('a DIO needs at least one element');
  for (const e of d.elems) {
    if (e.len <= 0 || e.off < 0 || e.off + e.len > PAGE_SIZE) return err(`element ${JSON.stringify(e)} is not inside one page`);
  }
  const first = d.elems[0]!;
  const total = d.elems.reduce((n, e) => n + e.len, 0);
  const addr = (e: LayoutElem): number => e.page * PAGE_SIZE + e.off;
  switch (d.type) {
    case 'UBUF':
      if (!contiguous(d.elems)) return err('UBUF elements must cover one contiguous user range');
      return ok(iovIterUbuf(d.dir, addr(first), total));
    case 'IOVEC':
      return ok(iovIterIovec(d.dir, d.elems.map((e) => ({ addr: addr(e), len: e.len }))));
    case 'KVEC':
      return ok(iovIterKvec(d.dir, d.elems.map((e) => ({ addr: addr(e), len: e.len }))));
    case 'BVEC':
      return ok(iovIterBvec(d.dir, d.elems.map((e) => ({ page: e.page, offset: e.off, len: e.len }))));
    case 'XARRAY':
      if (!contiguous(d.elems)) return err('XARRAY elements must cover consecutive indices');
      return ok(iovIterXarray(d.dir, { holes: new Set() }, addr(first), total));
    default: {
      const never: never = d.type;
      return err(`unknown iterator type ${String(never)}`);
    }
  }
}

/** The reference implementation's state at the start of a layout, running as `variant`. */
export function buildDioWorld(layout: DioLayout, variant: string): Result<DioWorld, string> {
  const zeroIds = [...layout.kind].filter(([, k]) => k === 'zero').map(([p]) => p).sort((a, b) => a - b);
  if (zeroIds.length === 0) return err('the layout has no zero page');
  const mm = createMm({ zeroPageIds: zeroIds });
  const world = createDioWorld(mm, variant);
  if (!world.ok) return world;
  for (const [p, k] of [...layout.kind].sort((a, b) => a[0] - b[0])) {
    if (p === NO_PAGE) return err('page 0 is reserved for "not mapped"');
    if (k === 'kernel') {
      if (!layout.owned.has(p)) return err(`kernel page ${p} has no owner`);
      allocPageAt(mm, p, KERNEL_OWNER);
    }
  }
  for (const [v, p] of [...layout.mapping].sort((a, b) => a[0] - b[0])) {
    if (p === NO_PAGE) continue;
    const k = layout.kind.get(p);
    if (k === 'zero') mapZeroPage(mm, v, p);
    else if (k !== 'user') return err(`user page ${v} maps page ${p}, which is not a user page`);
    else if (mm.pageHead.has(p)) mapSharedUserPage(mm, v, p);
    else mmapAnonPage(mm, v, p);
  }
  for (const [p, k] of layout.kind) {
    if (k === 'user' && !mm.pageHead.has(p)) return err(`user page ${p} is not mapped anywhere`);
  }
  mm.log.length = 0;
  for (const d of layout.dios) {
    const iter = layoutIter(d);
    if (!iter.ok) return iter;
    if (!isUserType(d.type)) {
      for (const e of d.elems) {
        if (layout.kind.get(e.page) !== 'kernel') return err(`a ${d.type} element names page ${e.page}, not a kernel page`);
      }
    }
    const kernelPages = isUserType(d.type) ? [] : [...new Set(d.elems.map((e) => e.page))];
    startDio(world.value, iter.value, d.maxVecs ?? layout.maxVecs, kernelPages);
  }
  return world;
}

/** How many whole elements `consumed` bytes of a DIO's iterator cover (the spec's `pos`). */
export function elementsConsumed(d: LayoutDio, consumed: number): number {
  let n = 0;
  for (const e of d.elems) {
    if (consumed < e.len) break;
    consumed -= e.len;
    n++;
  }
  return n;
}
