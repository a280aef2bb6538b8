// Failure paths of the bio side (issue: cleanup on every path), with real TLC, one injection point at a time on
// the final design (v6.5): GUP pinning fewer pages than asked and then failing with -EFAULT in the middle of a
// multi-bio DIO (`gup`), bio_add_hw_page() refusing a page because the bio is full and refusing a same-page merge
// (`add`), and the page array of an extraction call failing to allocate (-ENOMEM) for a user-backed and a
// kernel-backed DIO (`alloc`). For each point a small test-only model enables that injection alone and
//  * reaches it: a witness (an "invariant" that is the negation of the failure having happened, with the
//    action's argument that injects it) makes TLC print a behaviour through it, and the v6.5 reference
//    implementation, driven by the binding through the same injection point (BioFaults in bio.ts), follows it
//    state by state (`conforms`);
//  * is clean: under LiveSpec every invariant of MCPageLifetimeFail and both temporal properties
//    (BiosCompleteProp, PinsReleasedProp) hold on the whole state space.
// The manifest's MCPageLifetimeFail (all injections, both DIOs of every layout) checks the same invariants in the
// default tier; its liveness twin MCPageLifetimeLiveFail is too large for npm test (deep tier).
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binding } from '../../src/trace/bindings/page_lifetime.js';
import { replay } from '../../src/trace/replay.js';
import { readCfgInvariants } from '../../src/cli/check.js';
import type { ManifestModel } from '../../src/manifest/manifest.js';
import type { TlaValue } from '../../src/tla/value.js';
import { pinnedJar, runModel, SPEC, type PinnedJar } from '../tlc-harness.js';

/** The layouts of the test-only models, each a single DIO (MCPageLifetime.tla's E(page, off, len) pieces). */
const MODULE = `---- MODULE MCPageLifetimeFailPaths ----
EXTENDS MCPageLifetime
\\* An O_DIRECT read into three user pages through a UBUF, bi_max_vecs 2: the first extraction call asks for two
\\* pages, so a GUP that stops at the second pins fewer than asked, and the DIO needs two bios.
LayoutUbufRead ==
    [kind |-> 1 :> "zero" @@ 3 :> "user" @@ 4 :> "user" @@ 5 :> "user",
     mapping |-> 1 :> 3 @@ 2 :> 4 @@ 3 :> 5,
     iter |-> 1 :> [type |-> "UBUF", dir |-> "DEST", maxVecs |-> 2,
                    elems |-> <<E(1, 0, 4096), E(2, 0, 4096), E(3, 0, 4096)>>],
     owned |-> {}]
GupLayouts == {LayoutUbufRead}
\\* The IOVEC read of LayoutUser alone: two halves of one page (a same-page merge), then a whole page.
AddLayouts == {OneDio(LayoutUser, 1)}
\\* The same IOVEC read, and the KVEC write of LayoutKernel (halves of page 7, then page 8) alone.
AllocLayouts == {OneDio(LayoutUser, 1), OneDio(LayoutKernel, 1)}
====
`;

interface Point {
  /** Which failure of GetPages the model enables, and the layouts it starts from. */
  readonly inject: 'gup' | 'add' | 'alloc';
  readonly layouts: string;
  /** The situation TLC must reach: the failure with its argument, and what it left behind. */
  readonly witness: string;
  /** The end state is one a failure reached earlier reaches too: check without the VIEW, so the step is new. */
  readonly noView?: true;
}

const POINTS: Readonly<Record<string, Point>> = {
  // pin_user_pages_fast() pins the first page of the two asked for: bio 1 goes out with that page alone
  GupPinsFewer: {
    inject: 'gup',
    layouts: 'GupLayouts',
    witness: 'action.name = "GetPages" /\\ action.gup = 2 /\\ action.bio = 1 /\\ Len(bios[1][1].vecs) = 1',
  },
  // ... then the next call fails with -EFAULT after a bio of the DIO was built and submitted: the DIO ends in the
  // middle, with a bio still to complete
  GupFaultsMidDio: {
    inject: 'gup',
    layouts: 'GupLayouts',
    witness: 'action.name = "GetPages" /\\ action.gup = 1 /\\ action.bio = 0 /\\ dio[1].err /\\ Len(bios[1]) = 1 /\\ bios[1][1].state /= "released"',
  },
  // bio_add_hw_page() refuses the whole page after the merged halves (the bio is full for the hardware): the
  // page goes back in the release-unused-pages loop and bio 1 goes out with the one bvec
  AddRefusedBioFull: {
    inject: 'add',
    layouts: 'AddLayouts',
    witness: 'action.name = "GetPages" /\\ action.add = 3 /\\ action.bio = 1 /\\ Len(bios[1][1].vecs) = 1 /\\ bios[1][1].vecs[1].len = 4096',
  },
  // ... or the second half of the page whose first half the bio holds: a failed same-page merge, released once
  SamePageMergeRefused: {
    inject: 'add',
    layouts: 'AddLayouts',
    witness: 'action.name = "GetPages" /\\ action.add = 2 /\\ action.bio = 1 /\\ bios[1][1].vecs = <<[page |-> 3, off |-> 0, len |-> 2048]>>',
  },
  // the page array of the IOVEC fill's second extraction call cannot be allocated after the first pinned a page
  // into the bio: out_unmap unpins it and frees the bio, the DIO fails
  AllocFailsUserBio: {
    inject: 'alloc',
    layouts: 'AllocLayouts',
    witness: 'action.name = "GetPages" /\\ action.alloc = 2 /\\ action.bio = 0 /\\ iter[1].type = "IOVEC" /\\ dio[1].err',
    noView: true,
  },
  // ... and for the KVEC write, whose pages the bio only lists: nothing to release but the bio
  AllocFailsKernelBio: {
    inject: 'alloc',
    layouts: 'AllocLayouts',
    witness: 'action.name = "GetPages" /\\ action.alloc = 2 /\\ action.bio = 0 /\\ iter[1].type = "KVEC" /\\ dio[1].err',
    noView: true,
  },
};

let jar: PinnedJar;
let dir: string;
let invariants: readonly string[];

beforeAll(async () => {
  jar = await pinnedJar();
  dir = await mkdtemp(join(tmpdir(), 'iterpin-pl-failure-'));
  for (const f of ['PageLifetime.tla', 'MCPageLifetime.tla']) await copyFile(join(SPEC, f), join(dir, f));
  const defs = Object.entries(POINTS).map(([name, p]) => `Not${name} == ~(${p.witness})`);
  await writeFile(join(dir, 'MCPageLifetimeFailPaths.tla'), MODULE.replace(/====\n$/, `${defs.join('\n')}\n====\n`));
  // every invariant the manifest's failure-injection model checks
  const inv = await readCfgInvariants(join(SPEC, 'MCPageLifetimeFail.cfg'));
  if (inv === undefined || inv.length < 10) throw new Error('MCPageLifetimeFail.cfg lists no invariants');
  invariants = inv;
});

function cfg(p: Pick<Point, 'inject' | 'layouts'>, o: { invariants: readonly string[]; live: boolean; view: boolean }): string {
  return [
    'CONSTANTS',
    '    Variant <- VariantV65',
    '    PageSize <- MCPageSize',
    '    Bias <- MCBias',
    '    ZeroBase <- MCZeroBase',
    `    Layouts <- ${p.layouts}`,
    `    Inject = {"${p.inject}"}`,
    `SPECIFICATION ${o.live ? 'LiveSpec' : 'Spec'}`,
    'INVARIANTS',
    ...o.invariants.map((i) => `    ${i}`),
    ...(o.live ? ['PROPERTIES', '    BiosCompleteProp', '    PinsReleasedProp'] : []),
    ...(o.view ? ['VIEW View'] : []),
    '',
  ].join('\n');
}

const model = (name: string, cfgFile: string, expect: ManifestModel['expect']): ManifestModel => ({
  name,
  spec: 'PageLifetime',
  module: 'MCPageLifetimeFailPaths.tla',
  cfg: cfgFile,
  variant: 'v6.5',
  expect,
  distinct: 0,
  depth: 0,
  purpose: 'test only',
});

const str = (v: TlaValue | undefined): string | undefined => (v?.kind === 'str' ? v.value : undefined);
const field = (v: TlaValue | undefined, f: string): TlaValue | undefined => (v?.kind === 'record' ? v.fields.find(([k]) => k === f)?.[1] : undefined);

describe('PageLifetime failure injection: each point is reached on v6.5 and the implementation follows it', () => {
  for (const [name, p] of Object.entries(POINTS)) {
    it(`${name} (${p.inject}): TLC reaches it, the v6.5 implementation conforms state by state`, async () => {
      await writeFile(join(dir, `W${name}.cfg`), cfg(p, { invariants: ['TypeOK', `Not${name}`], live: false, view: p.noView !== true }));
      const run = await runModel(jar, model(`W${name}`, `W${name}.cfg`, { result: 'safety', invariant: `Not${name}` }), { specDir: dir });
      expect(run.result.invariant).toBe(`Not${name}`);
      const last = run.trace.states[run.trace.states.length - 1]!.values.get('action');
      expect(str(field(last, 'name'))).toBe('GetPages');
      const arg = field(last, p.inject);
      expect(arg?.kind === 'int' && arg.value > 0n).toBe(true);
      const { invariant: _witness, ...meta } = run.trace.meta;
      const r = replay({ ...run.trace, meta }, binding);
      expect(r.verdict === 'conforms' ? r.verdict : r).toBe('conforms');
    });
  }
});

describe('PageLifetime failure injection: v6.5 is clean with each point enabled', () => {
  const models = [...new Map(Object.values(POINTS).map((p) => [p.inject, p] as const)).values()];
  for (const p of models) {
    it(`Inject {"${p.inject}"} on ${p.layouts}: every invariant of MCPageLifetimeFail, BiosCompleteProp and PinsReleasedProp hold`, async () => {
      const file = `Clean${p.inject}.cfg`;
      await writeFile(join(dir, file), cfg(p, { invariants, live: true, view: true }));
      const run = await runModel(jar, model(`Clean${p.inject}`, file, { result: 'success' }), { specDir: dir, timeoutMs: 240_000 });
      expect(run.result.outcome).toBe('success');
      expect(run.result.stats?.distinct).toBeGreaterThan(100);
      // the temporal properties were checked on the complete state space, not only the invariants
      expect(await readFile(run.result.logFile, 'utf8')).toMatch(/Finished checking temporal properties/);
    });
  }
});
