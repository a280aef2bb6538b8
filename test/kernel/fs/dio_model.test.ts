// Model-based property tests (fast-check `fc.commands`) of DIO page lifetimes: random workloads over random
// iterator types keep every PageLifetime invariant on v6.5 and return every page to its owners; each other variant
// is caught, with the shrunk counterexample printed.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bioLive } from '../../../src/kernel/block/bio.js';
import {
  dioBuildBio,
  dioComplete,
  dioDma,
  dioDone,
  dioRunning,
  dioSubmitBio,
  getDio,
  iomapDioZero,
  kernelBufferFree,
  KERNEL_OWNER,
  userMunmap,
  type DioWorld,
} from '../../../src/kernel/fs/dio.js';
import { buildDioWorld, type DioIterType, type DioLayout, type LayoutElem, type PageKind } from '../../../src/kernel/fs/dio_layout.js';
import { PAGE_LIFETIME_VARIANTS, type PageLifetimeVariant } from '../../../src/kernel/fs/dio_variant.js';
import { PAGE_SIZE, ZERO_PAGE_BASE_REFCOUNT, isZeroFolio } from '../../../src/kernel/mm/mm.js';
import { pageLifetimeViolations } from '../../../src/kernel/fs/dio_check.js';
import { parseItfText } from '../../../src/tla/itf.js';
import { readLayout } from '../../../src/trace/bindings/page_lifetime.js';
import { readAction } from '../../../src/trace/replay.js';

const PS = PAGE_SIZE;
const Q = PS / 4; // element offsets and lengths come in quarter pages
const ZERO_PAGES = [1, 2];
const USER_POOL = [10, 11, 12, 14];
const KERNEL_POOL = [20, 21, 22, 24];
const VPAGES = [1, 2, 3, 4, 5]; // user page 5 is never mapped: extraction from it faults

// ---------------------------------------------------------------------------------------------------------------
// Layouts

/** One element inside a page: offset and length in quarter pages. */
const inPage = (pages: readonly number[]): fc.Arbitrary<LayoutElem> =>
  fc
    .record({ page: fc.constantFrom(...pages), q0: fc.integer({ min: 0, max: 3 }), n: fc.integer({ min: 1, max: 4 }) })
    .map(({ page, q0, n }) => ({ page, off: q0 * Q, len: Math.min(n, 4 - q0) * Q }));

/** A contiguous range over consecutive pages from `start` (UBUF, XARRAY). */
const range = (starts: readonly number[]): fc.Arbitrary<LayoutElem[]> =>
  fc
    .record({ start: fc.constantFrom(...starts), q0: fc.integer({ min: 0, max: 3 }), quarters: fc.integer({ min: 1, max: 10 }) })
    .map(({ start, q0, quarters }) => {
      const elems: LayoutElem[] = [];
      let left = quarters * Q;
      let off = q0 * Q;
      for (let page = start; left > 0; page++, off = 0) {
        const len = Math.min(left, PS - off);
        elems.push({ page, off, len });
        left -= len;
      }
      return elems;
    });

/** Same-page pieces next to each other, so same-page merges are common. */
const pieces = (pages: readonly number[]): fc.Arbitrary<LayoutElem[]> =>
  fc.oneof(
    fc.array(inPage(pages), { minLength: 1, maxLength: 4 }),
    fc.record({ page: fc.constantFrom(...pages), cut: fc.integer({ min: 1, max: 3 }) }).map(({ page, cut }) => [
      { page, off: 0, len: cut * Q },
      { page, off: cut * Q, len: PS - cut * Q },
    ]),
  );

const dioArb = (kernelPages: readonly number[]): fc.Arbitrary<{ type: DioIterType; dir: 'SOURCE' | 'DEST'; elems: LayoutElem[] }> =>
  fc.constantFrom<DioIterType>('UBUF', 'IOVEC', 'KVEC', 'BVEC', 'XARRAY').chain((type) =>
    fc.record({
      type: fc.constant(type),
      dir: fc.constantFrom<'SOURCE' | 'DEST'>('SOURCE', 'DEST'),
      elems:
        type === 'UBUF'
          ? range(VPAGES)
          : type === 'IOVEC'
            ? pieces(VPAGES)
            : type === 'XARRAY'
              ? range(kernelPages)
              : pieces(kernelPages),
    }),
  );

const layoutArb: fc.Arbitrary<DioLayout> = fc
  .record({
    // user pages 1-4: a zero page (a never-written buffer) or one of the user pages (shared mappings allowed)
    mapping: fc.tuple(...[1, 2, 3, 4].map(() => fc.constantFrom(...ZERO_PAGES, ...USER_POOL))),
    kernelPages: fc.subarray(KERNEL_POOL, { minLength: 1 }),
    maxVecs: fc.integer({ min: 1, max: 3 }),
  })
  .chain(({ mapping, kernelPages, maxVecs }) =>
    fc.array(dioArb(kernelPages), { minLength: 1, maxLength: 3 }).map((dios): DioLayout => {
      const kind = new Map<number, PageKind>(ZERO_PAGES.map((z) => [z, 'zero']));
      const owned = new Set<number>();
      // XARRAY ranges may run past the chosen pages: those pages exist too, owned like the others
      const kernel = new Set([...kernelPages, ...dios.filter((d) => d.type === 'XARRAY').flatMap((d) => d.elems.map((e) => e.page))]);
      for (const p of kernel) {
        kind.set(p, 'kernel');
        owned.add(p);
      }
      for (const p of mapping) if (!ZERO_PAGES.includes(p)) kind.set(p, 'user');
      return { kind, mapping: new Map(mapping.map((p, k) => [k + 1, p])), owned, dios, maxVecs };
    }),
  );

// ---------------------------------------------------------------------------------------------------------------
// Commands: every one is a kernel-level action; one the implementation refuses (not enabled) is a no-op.

interface Real {
  readonly w: DioWorld;
  readonly steps: string[];
}
type Model = Record<string, never>;

/** Throws, naming every violated invariant, if the implementation's checker flags anything. */
function assertInvariants(real: Real, after: string): void {
  const v = pageLifetimeViolations(real.w);
  if (v.length > 0) {
    const lines = v.map((x) => `  ${x.invariant}: ${x.detail}`).join('\n');
    throw new Error(`after ${after}:\n${lines}`);
  }
}

abstract class Step implements fc.Command<Model, Real> {
  check(): boolean {
    return true;
  }
  run(_m: Model, real: Real): void {
    if (this.act(real.w)) {
      real.steps.push(this.toString());
      assertInvariants(real, this.toString());
    }
  }
  abstract act(w: DioWorld): boolean;
  abstract toString(): string;
}

/**
 * Builds the DIO's next bio, with the injected failures (pages of the fill for gup and add, extraction calls for
 * alloc; 0 = none), as a TLC trace does.
 */
class GetPages extends Step {
  constructor(
    readonly dio: number,
    readonly gup = 0,
    readonly add = 0,
    readonly alloc = 0,
  ) {
    super();
  }
  act(w: DioWorld): boolean {
    return dioBuildBio(w, this.dio, { gupFailAt: this.gup, addRefuseAt: this.add, allocFailAt: this.alloc }).ok;
  }
  toString(): string {
    const faults = [
      ...(this.gup > 0 ? [`GUP faults at ${this.gup}`] : []),
      ...(this.add > 0 ? [`add refused at ${this.add}`] : []),
      ...(this.alloc > 0 ? [`page array of call ${this.alloc} not allocated`] : []),
    ];
    return `GetPages(dio ${this.dio}${faults.map((f) => `, ${f}`).join('')})`;
  }
}

/** The kernel-side step that moves a bio on, per step name. */
const BIO_STEP = { Submit: dioSubmitBio, Dma: dioDma, Complete: dioComplete } as const;

/** Moves the `nth` bio (modulo) of a DIO that is in `from` one step on: submit, DMA or complete. */
class Advance extends Step {
  constructor(
    readonly what: 'Submit' | 'Dma' | 'Complete',
    readonly dio: number,
    readonly nth: number,
  ) {
    super();
  }
  act(w: DioWorld): boolean {
    const d = getDio(w, this.dio);
    if (d === undefined) return false;
    const from = { Submit: 'building', Dma: 'submitted', Complete: 'transferred' }[this.what];
    const idx = d.bios.flatMap((b, k) => (b.state === from ? [k + 1] : []));
    const k = idx[this.nth % Math.max(idx.length, 1)];
    if (k === undefined) return false;
    return BIO_STEP[this.what](w, this.dio, k).ok;
  }
  toString(): string {
    return `${this.what}(dio ${this.dio}, #${this.nth})`;
  }
}

/** Moves one named bio (DIO `dio`'s `bio`-th) one step on: how a TLC trace addresses bios. */
class AdvanceBio extends Step {
  constructor(
    readonly what: 'Submit' | 'Dma' | 'Complete',
    readonly dio: number,
    readonly bio: number,
  ) {
    super();
  }
  act(w: DioWorld): boolean {
    return BIO_STEP[this.what](w, this.dio, this.bio).ok;
  }
  toString(): string {
    return `${this.what}(dio ${this.dio}, bio ${this.bio})`;
  }
}

class Zero extends Step {
  constructor(readonly dio: number) {
    super();
  }
  act(w: DioWorld): boolean {
    return iomapDioZero(w, this.dio).ok;
  }
  toString(): string {
    return `IomapDioZero(dio ${this.dio})`;
  }
}

class Unmap extends Step {
  constructor(readonly vpage: number) {
    super();
  }
  act(w: DioWorld): boolean {
    return userMunmap(w, this.vpage).ok;
  }
  toString(): string {
    return `UserUnmap(user page ${this.vpage})`;
  }
}

class Free extends Step {
  constructor(readonly page: number) {
    super();
  }
  act(w: DioWorld): boolean {
    return kernelBufferFree(w, this.page).ok;
  }
  toString(): string {
    return `KernelFree(page ${this.page})`;
  }
}

const dioIdx = fc.integer({ min: 1, max: 3 });
const nth = fc.nat({ max: 3 });
// GetPages and UserUnmap appear twice: extraction starts most of the interesting interleavings, and an unmap
// while a bio is in flight should be common.
const fault = fc.integer({ min: 1, max: 3 });
const commandsArb = fc.commands(
  [
    dioIdx.map((d) => new GetPages(d)),
    dioIdx.map((d) => new GetPages(d)),
    fc.tuple(dioIdx, fault).map(([d, k]) => new GetPages(d, k, 0)),
    fc.tuple(dioIdx, fault).map(([d, k]) => new GetPages(d, 0, k)),
    fc.tuple(dioIdx, fault).map(([d, k]) => new GetPages(d, 0, 0, k)),
    fc.constantFrom(...VPAGES).map((v) => new Unmap(v)),
    fc.tuple(dioIdx, nth).map(([d, n]) => new Advance('Submit', d, n)),
    fc.tuple(dioIdx, nth).map(([d, n]) => new Advance('Dma', d, n)),
    fc.tuple(dioIdx, nth).map(([d, n]) => new Advance('Complete', d, n)),
    dioIdx.map((d) => new Zero(d)),
    fc.constantFrom(...VPAGES).map((v) => new Unmap(v)),
    fc.constantFrom(...KERNEL_POOL).map((p) => new Free(p)),
  ],
  { maxCommands: 30, size: "max" },
);

/** Finishes every DIO (build, submit, DMA, complete whatever is left), checking the invariants after each step. */
function drain(real: Real): void {
  const { w } = real;
  for (let guard = 0; guard < 1000; guard++) {
    const d = w.dios.find((x) => !dioDone(x));
    if (d === undefined) return;
    const b = d.bios.findIndex((x) => bioLive(x));
    if (b >= 0) {
      const bio = d.bios[b]!;
      const step = bio.state === 'building' ? dioSubmitBio : bio.state === 'submitted' ? dioDma : dioComplete;
      const r = step(w, d.id, b + 1);
      if (!r.ok) throw new Error(`drain: ${r.error}`);
      real.steps.push(`(drain) ${bio.state === 'submitted' ? 'Dma' : bio.state === 'transferred' ? 'Submit' : 'Complete'} dio ${d.id} bio ${b + 1}`);
    } else if (dioRunning(d)) {
      const r = dioBuildBio(w, d.id);
      if (!r.ok) throw new Error(`drain: ${r.error}`);
      real.steps.push(`(drain) GetPages(dio ${d.id})`);
    }
    assertInvariants(real, real.steps[real.steps.length - 1] ?? 'drain');
  }
  throw new Error('drain did not finish');
}

/** With no I/O left, the user unmaps everything and the kernel owner frees its buffers: every page must go. */
function teardown(real: Real): void {
  const { w } = real;
  for (const v of [...w.mm.pageTable.keys()]) userMunmap(w, v);
  for (const f of w.mm.folios.values()) {
    if (f.owner === KERNEL_OWNER && f.ownerHeld) {
      const r = kernelBufferFree(w, f.head);
      if (!r.ok) throw new Error(`teardown: ${r.error}`);
    }
  }
  assertInvariants(real, 'teardown');
  for (const f of w.mm.folios.values()) {
    const zero = isZeroFolio(w.mm, f);
    const want = zero ? ZERO_PAGE_BASE_REFCOUNT : 0;
    if (f.refcount !== want || f.pincount !== 0 || f.free === zero) {
      throw new Error(`after teardown page ${f.head} has refcount ${f.refcount}, pincount ${f.pincount}, free ${f.free}`);
    }
  }
}

/** What a workload exercised, read from the narration: counted so the test can show the law was not vacuous. */
function noteCoverage(coverage: Map<string, number>, log: string): void {
  const features: Record<string, boolean> = {
    'same-page merge': log.includes('same-page merge'),
    'multi-page bvec': /merged into bvec \d+$/m.test(log),
    'COW break of the zero page': log.includes('COW'),
    'extraction fault (-EFAULT)': log.includes('-EFAULT'),
    'GUP stops short (injected)': log.includes('injected fault: GUP stops after'),
    'bio_add_hw_page() refusal (injected)': log.includes('refused (injected queue limit)'),
    'failed same-page merge (injected)': log.includes('refused (injected queue limit), same_page'),
    'iomap_dio_zero': log.includes('iomap_dio_zero'),
    'munmap of a pinned page': /munmap\(user page \d+\): put_page\(page \d+\): refcount 1\d\d\d /.test(log),
    'kernel buffer freed': log.includes('frees its buffer'),
    ...Object.fromEntries(['UBUF', 'IOVEC', 'KVEC', 'XARRAY'].map((t) => [`ITER_${t}`, log.includes(`ITER_${t}`)])),
    ITER_BVEC: log.includes('bio_iov_bvec_set'),
  };
  for (const [k, hit] of Object.entries(features)) coverage.set(k, (coverage.get(k) ?? 0) + (hit ? 1 : 0));
}

function workloadProperty(
  variant: PageLifetimeVariant,
  coverage?: Map<string, number>,
): fc.IPropertyWithHooks<[DioLayout, Iterable<fc.Command<Model, Real>>]> {
  return fc.property(layoutArb, commandsArb, (layout, cmds) => {
    const built = buildDioWorld(layout, variant);
    if (!built.ok) throw new Error(`bad generated layout: ${built.error}`);
    const real: Real = { w: built.value, steps: [] };
    fc.modelRun(() => ({ model: {}, real }), cmds);
    drain(real);
    if (coverage !== undefined) noteCoverage(coverage, real.w.mm.log.join('\n'));
    teardown(real);
  });
}

/** A checked-in TLC counterexample as a fast-check example: its first state's layout and its actions as commands. */
function tlcExample(model: string): [DioLayout, Iterable<fc.Command<Model, Real>>] {
  const file = join(import.meta.dirname, '..', '..', 'fixtures', 'traces', `${model}.itf.json`);
  const trace = parseItfText(readFileSync(file, 'utf8'));
  if (!trace.ok) throw new Error(`${file}: ${trace.error.message}`);
  const first = trace.value.states[0];
  if (first === undefined) throw new Error(`${file}: no states`);
  const layout = readLayout(first.values);
  if (!layout.ok) throw new Error(`${file}: ${layout.error}`);
  const cmds: fc.Command<Model, Real>[] = trace.value.states.slice(1).map((s) => {
    const a = readAction(s.values.get('action'));
    if (!a.ok) throw new Error(`${file}: ${a.error}`);
    const arg = (n: string): number => {
      const v = a.value.args.get(n);
      if (v?.kind !== 'int') throw new Error(`${file}: ${a.value.name} has no integer ${n}`);
      return Number(v.value);
    };
    switch (a.value.name) {
      case 'GetPages':
        return new GetPages(arg('dio'), arg('gup'), arg('add'), arg('alloc'));
      case 'IomapDioZero':
        return new Zero(arg('dio'));
      case 'Submit':
      case 'Dma':
      case 'Complete':
        return new AdvanceBio(a.value.name, arg('dio'), arg('bio'));
      case 'UserUnmap':
        return new Unmap(arg('vpage'));
      case 'KernelFree':
        return new Free(arg('page'));
      default:
        throw new Error(`${file}: unexpected action ${a.value.name}`);
    }
  });
  return [layout.value, cmds];
}

type OtherVariant = Exclude<PageLifetimeVariant, 'v6.5'>;

const TLC_COUNTEREXAMPLES: Readonly<Record<OtherVariant, string>> = {
  legacy: 'MCPageLifetimeLegacy',
  'bug-dio-reffed': 'MCPageLifetimeBugDioReffed',
  'bug-same-page-merge': 'MCPageLifetimeBugSamePageMerge',
  'bug-zero-page-put': 'MCPageLifetimeBugZeroPagePut',
  'bug-same-page-failed-add': 'MCPageLifetimeBugSamePageFailedAdd',
  'bug-release-unaligned': 'MCPageLifetimeBugReleaseUnaligned',
};

const caughtBy: Readonly<Record<OtherVariant, readonly string[]>> = {
  legacy: ['DmaPinnedVisibleInv'],
  'bug-dio-reffed': ['PageRefsAccountedInv'],
  'bug-same-page-merge': ['PageRefsAccountedInv'],
  'bug-zero-page-put': ['PageRefsAccountedInv'],
  'bug-same-page-failed-add': ['PageRefsAccountedInv'],
  'bug-release-unaligned': ['PageRefsAccountedInv'],
};

const OTHER_VARIANTS = PAGE_LIFETIME_VARIANTS.filter((v): v is OtherVariant => v !== 'v6.5');

function failureMessage(details: { readonly errorInstance: unknown }): string {
  return details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
}

// ---------------------------------------------------------------------------------------------------------------

describe('PageLifetime model runs', () => {
  it('v6.5: any DIO workload keeps every invariant after every step and returns every page to its owners', () => {
    const coverage = new Map<string, number>();
    // TLC's counterexamples of the other variants run first, as examples: v6.5 must survive them too
    const examples = OTHER_VARIANTS.map((v) => tlcExample(TLC_COUNTEREXAMPLES[v]));
    fc.assert(workloadProperty('v6.5', coverage), { numRuns: 400, seed: 20230315, examples });
    // the law was exercised on every feature it is about, not vacuously
    for (const [feature, runs] of coverage) expect([feature, runs > 0]).toEqual([feature, true]);
    expect(coverage.size).toBe(15);
  });

  for (const variant of OTHER_VARIANTS) {
    it(`${variant}: some DIO workload breaks ${caughtBy[variant].join(' or ')} (a counterexample is found and shrunk)`, () => {
      const details = fc.check(workloadProperty(variant), { numRuns: 2000, seed: 20230612 });
      expect(details.failed).toBe(true);
      const message = failureMessage(details);
      expect(caughtBy[variant].some((inv) => message.includes(inv))).toBe(true);
      console.log(`${variant}: shrunk counterexample\n${fc.defaultReportMessage(details) ?? ''}`);
    });
  }

  for (const variant of OTHER_VARIANTS) {
    const model = TLC_COUNTEREXAMPLES[variant];
    it(`${variant}: TLC's counterexample ${model}, run as a workload, breaks ${caughtBy[variant].join(' or ')}`, () => {
      const details = fc.check(workloadProperty(variant), { numRuns: 1, examples: [tlcExample(model)] });
      expect(details.failed).toBe(true);
      expect(caughtBy[variant].some((inv) => failureMessage(details).includes(inv))).toBe(true);
    });
  }
});
