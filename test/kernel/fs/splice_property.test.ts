// Property tests of the splice system (KERNEL.md §E): random file sizes, splice lengths, truncation points and
// interleavings of the task, bio completion, another allocator, truncate and the reader, checked after every step.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { checkSplice, type Violation } from '../../../src/kernel/fs/splice_check.js';
import {
  completeBio,
  createSpliceSystem,
  otherAlloc,
  quiescent,
  readPipeBuffer,
  taskStep,
  truncate,
  truncateFreeBlocks,
  type SpliceReadVariant,
  type SpliceSystem,
} from '../../../src/kernel/fs/splice.js';

const PS = 4096;

type Actor = 'task' | 'device' | 'other' | 'truncate' | 'reader';

interface Scenario {
  readonly fileSize: number;
  readonly spliceLen: number;
  readonly maxUsage: number;
  readonly otherMax: number;
  readonly truncSizes: readonly number[];
  /** *ppos (block aligned), buffers an earlier writer left in the pipe (clipped below max_usage) and where. */
  readonly pos: number;
  readonly occupancy: number;
  readonly pipeTail: number;
  /** Failure injection: pages copy_splice_read()'s bulk allocation falls short by. */
  readonly bulkShort: number;
  /** Who moves next and which of its enabled steps it takes (modulo their number). */
  readonly schedule: readonly { readonly actor: Actor; readonly pick: number }[];
}

const bytes = (pages: number): fc.Arbitrary<number> =>
  fc.oneof(fc.integer({ min: 0, max: pages * PS }), fc.integer({ min: 0, max: pages }).map((k) => k * PS));

const actor: fc.Arbitrary<Actor> = fc.oneof(
  { arbitrary: fc.constant<Actor>('task'), weight: 5 },
  { arbitrary: fc.constant<Actor>('device'), weight: 3 },
  { arbitrary: fc.constant<Actor>('other'), weight: 2 },
  { arbitrary: fc.constant<Actor>('truncate'), weight: 2 },
  { arbitrary: fc.constant<Actor>('reader'), weight: 1 },
);

const scenario: fc.Arbitrary<Scenario> = fc.record({
  fileSize: bytes(4),
  spliceLen: fc.integer({ min: 1, max: 4 * PS }),
  maxUsage: fc.integer({ min: 1, max: 3 }),
  otherMax: fc.integer({ min: 0, max: 2 }),
  truncSizes: fc.array(bytes(3), { minLength: 1, maxLength: 3 }),
  pos: fc.integer({ min: 0, max: 2 }).map((k) => k * PS),
  occupancy: fc.integer({ min: 0, max: 2 }),
  pipeTail: fc.integer({ min: 0, max: 3 }),
  bulkShort: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 })),
  schedule: fc.array(fc.record({ actor, pick: fc.nat() }), { minLength: 5, maxLength: 40 }),
});

/** Scenarios where the race is possible at all: a file and a splice of several pages, an allocator to reuse. */
const raceScenario: fc.Arbitrary<Scenario> = fc.record({
  fileSize: fc.integer({ min: 2, max: 4 }).map((k) => k * PS),
  spliceLen: fc.integer({ min: 2, max: 4 }).map((k) => k * PS),
  maxUsage: fc.integer({ min: 2, max: 3 }),
  otherMax: fc.integer({ min: 1, max: 2 }),
  truncSizes: fc.array(bytes(3), { minLength: 1, maxLength: 3 }),
  pos: fc.constant(0),
  occupancy: fc.constant(0),
  pipeTail: fc.integer({ min: 0, max: 3 }),
  bulkShort: fc.constant(0),
  schedule: fc.array(fc.record({ actor, pick: fc.nat() }), { minLength: 10, maxLength: 40 }),
});

interface Run {
  readonly sys: SpliceSystem;
  /** The steps taken, in kernel terms, for counterexample reports. */
  readonly steps: string[];
  /** The first violation seen and the step it followed. */
  first?: { readonly step: number; readonly violations: readonly Violation[] };
}

type Candidate = { readonly label: string; readonly run: () => boolean };

/** The steps an actor may try now; a refused step changes nothing. */
function candidates(sys: SpliceSystem, who: Actor, truncSizes: readonly number[]): Candidate[] {
  switch (who) {
    case 'task':
      return [{ label: 'task', run: () => taskStep(sys).ok }];
    case 'device':
      return sys.env.bios
        .filter((b) => b.state === 'submitted')
        .map((b) => ({ label: `complete bio ${b.id}`, run: () => completeBio(sys, b.id).ok }));
    case 'other':
      return [...sys.mm.folios.values()]
        .filter((f) => f.free)
        .map((f) => ({ label: `other allocator takes page ${f.head}`, run: () => otherAlloc(sys, f.head).ok }));
    case 'truncate':
      return [
        ...truncSizes.map((size) => ({ label: `truncate to ${size}`, run: () => truncate(sys, size).ok })),
        { label: 'truncate frees blocks', run: () => truncateFreeBlocks(sys).ok },
      ];
    case 'reader':
      return [{ label: 'reader', run: () => readPipeBuffer(sys).ok }];
    default: {
      const never: never = who;
      return never;
    }
  }
}

/** Runs the chosen interleaving, then lets the task, the device and the reader finish. */
function runScenario(variant: SpliceReadVariant, s: Scenario): Run {
  const sys = createSpliceSystem({
    variant,
    fileSize: s.fileSize,
    spliceLen: s.spliceLen,
    maxUsage: s.maxUsage,
    otherMax: s.otherMax,
    pages: s.maxUsage + s.otherMax,
    pos: s.pos,
    occupancy: Math.min(s.occupancy, s.maxUsage - 1),
    pipeTail: s.pipeTail,
  });
  sys.bulkAllocShort = s.bulkShort;
  const run: Run = { sys, steps: [] };
  const record = (label: string): void => {
    run.steps.push(label);
    const v = checkSplice(sys);
    if (run.first === undefined && v.length > 0) run.first = { step: run.steps.length, violations: v };
  };
  for (const { actor: who, pick } of s.schedule) {
    const cs = candidates(sys, who, s.truncSizes);
    const c = cs[pick % Math.max(cs.length, 1)];
    if (c !== undefined && c.run()) record(c.label);
  }
  // Drain: the device completes everything, the task returns, the reader empties the pipe.
  for (let guard = 0; guard < 100 && !quiescent(sys); guard++) {
    const bio = sys.env.bios.find((b) => b.state === 'submitted');
    if (bio !== undefined && completeBio(sys, bio.id).ok) record(`complete bio ${bio.id}`);
    else if (taskStep(sys).ok) record('task');
    else if (readPipeBuffer(sys).ok) record('reader');
  }
  return run;
}

const describeRun = (r: Run): string =>
  `${r.steps.join(' → ')}${r.first === undefined ? '' : `\n  first violation after step ${r.first.step}: ${r.first.violations.map((v) => `${v.invariant}: ${v.detail}`).join('; ')}`}`;

describe('SpliceRead properties', () => {
  for (const variant of ['copy-splice-read', 'pipe-get-pages'] as const) {
    it(`law (${variant}): no interleaving makes a bio write a freed or reused page, and the splice leaks nothing`, () => {
      fc.assert(
        fc.property(fc.oneof(scenario, raceScenario), (s) => {
          const r = runScenario(variant, s);
          if (r.first !== undefined) throw new Error(describeRun(r));
          expect(quiescent(r.sys)).toBe(true);
          expect(r.sys.mm.accesses.filter((a) => a.outcome !== 'ok')).toEqual([]);
        }),
        { numRuns: 400 },
      );
    });
  }

  it('law (every variant): the pipe owns one reference per buffer and every page reference has a holder', () => {
    fc.assert(
      fc.property(fc.constantFrom<SpliceReadVariant>('copy-splice-read', 'pipe-get-pages', 'pipe-extract-no-ref'), fc.oneof(scenario, raceScenario), (variant, s) => {
        const r = runScenario(variant, s);
        const bad = (r.first?.violations ?? []).filter((v) => ['TypeOK', 'PipeOwnsBuffersInv', 'RefsAccountedInv', 'NoLeakInv'].includes(v.invariant));
        if (bad.length > 0) throw new Error(describeRun(r));
      }),
      { numRuns: 300 },
    );
  });

  it('law (pipe-extract-no-ref): some interleaving lets a completion write into a page another allocator now owns', () => {
    const result = fc.check(
      fc.property(raceScenario, (s) => {
        const r = runScenario('pipe-extract-no-ref', s);
        return !r.sys.mm.accesses.some((a) => a.access === 'write' && a.outcome === 'reused');
      }),
      { numRuns: 5000, seed: 20230201 },
    );
    expect(result.failed).toBe(true);
    const [s] = result.counterexample ?? [];
    expect(s).toBeDefined();
    const r = runScenario('pipe-extract-no-ref', s!);
    const text = r.steps.join(' | ');
    // The corrupting run contains a truncate, the other allocator taking a page, and a completion after it.
    expect(text).toMatch(/truncate to \d+/);
    expect(text).toMatch(/other allocator takes page (\d+).*complete bio/);
    expect(checkSplice(r.sys).map((v) => v.invariant)).toContain('NoCorruptionInv');
  });

  it('law (pipe-extract-no-ref): every use-after-free starts with the task revert releasing a page a live bio targets', () => {
    let found = 0;
    fc.assert(
      fc.property(raceScenario, (s) => {
        const r = runScenario('pipe-extract-no-ref', s);
        const uaf = r.first?.violations.find((v) => v.invariant === 'NoUseAfterFreeInv');
        if (uaf === undefined) return;
        found++;
        // The step that broke it is the task's: the revert is the only release of pipe pages while bios fly.
        expect(r.steps[r.first!.step - 1]).toBe('task');
        expect(uaf.detail).toMatch(/^bio \d+ targets page \d+, which is free$/);
      }),
      { numRuns: 400, seed: 6405 },
    );
    expect(found).toBeGreaterThan(0);
  });
});
