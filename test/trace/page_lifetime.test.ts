// Replay of real TLC counterexamples of the PageLifetime models on the reference implementation: each bug
// model's trace is `reproduced` on its variant and not on v6.5; the checked-in ITF fixtures are exactly what TLC
// produces today (set ITERPIN_UPDATE_FIXTURES=1 to regenerate them from a real run through the ITF encoder).
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binding } from '../../src/trace/bindings/page_lifetime.js';
import { replay } from '../../src/trace/replay.js';
import { parseItfText } from '../../src/tla/itf.js';
import { EXIT } from '../../src/cli/command.js';
import { runCli } from '../cli-harness.js';
import { tlaEqual } from '../../src/tla/equal.js';
import type { ManifestModel } from '../../src/manifest/manifest.js';
import {
  manifestModels,
  pinnedJar,
  readTraceFixture,
  runModel,
  SPEC,
  UPDATE_FIXTURES,
  writeTraceFixture,
  type PinnedJar,
} from '../tlc-harness.js';

let jar: PinnedJar;
let models: ManifestModel[];

beforeAll(async () => {
  jar = await pinnedJar();
  models = await manifestModels('PageLifetime');
});

const BUG_MODELS = [
  'MCPageLifetimeLegacy',
  'MCPageLifetimeBugDioReffed',
  'MCPageLifetimeBugDioReffedKernel',
  'MCPageLifetimeBugSamePageMerge',
  'MCPageLifetimeBugSamePageFailedAdd',
  'MCPageLifetimeBugReleaseUnaligned',
  'MCPageLifetimeBugZeroPagePut',
];

describe('PageLifetime counterexamples from real TLC runs', () => {
  for (const name of BUG_MODELS) {
    it(`${name}: TLC's counterexample replays as reproduced on its variant and not on v6.5`, async () => {
      const m = models.find((x) => x.name === name);
      if (m === undefined) throw new Error(`${name} is not in spec/manifest.json`);
      if (m.expect.result !== 'safety') throw new Error(`${name} is expected to fail`);
      const run = await runModel(jar, m);
      expect(run.result.invariant).toBe(m.expect.invariant);
      expect(run.result.stats?.distinct).toBe(m.distinct);
      expect(run.trace.states.length).toBe(m.depth);

      const own = replay(run.trace, binding);
      expect({ verdict: own.verdict, invariant: own.verdict === 'reproduced' ? own.invariant : own }).toEqual({
        verdict: 'reproduced',
        invariant: m.expect.invariant,
      });
      const onFinal = replay(run.trace, binding, { variant: 'v6.5' });
      expect(onFinal.verdict).not.toBe('reproduced');

      if (UPDATE_FIXTURES) await writeTraceFixture(name, run.trace);
      // the checked-in fixture is this very counterexample
      const fixture = await readTraceFixture(name);
      expect(fixture.meta.model).toBe(name);
      expect(fixture.meta.invariant).toBe(m.expect.invariant);
      expect(fixture.vars).toEqual(run.trace.vars);
      expect(fixture.states.length).toBe(run.trace.states.length);
      fixture.states.forEach((s, i) => {
        for (const v of fixture.vars) expect(tlaEqual(s.values.get(v)!, run.trace.states[i]!.values.get(v)!)).toBe(true);
      });
    });
  }
});

// Over inputs generated from bounds (MCPageLifetimeGen.tla), every bug is caught too, and its counterexample is real.
const GEN_BUG_MODELS = [
  'MCPageLifetimeGenLegacy',
  'MCPageLifetimeGenBugDioReffed',
  'MCPageLifetimeGenBugSamePageMerge',
  'MCPageLifetimeGenBugZeroPagePut',
  'MCPageLifetimeGenBugSamePageFailedAdd',
  'MCPageLifetimeGenBugReleaseUnaligned',
];

describe('PageLifetime bugs over generated inputs', () => {
  for (const name of GEN_BUG_MODELS) {
    it(`${name}: TLC catches it and the counterexample replays as reproduced on its variant, not on v6.5`, async () => {
      const m = models.find((x) => x.name === name);
      if (m === undefined || m.expect.result !== 'safety') throw new Error(`${name} is not a violating model of spec/manifest.json`);
      const run = await runModel(jar, m);
      expect([run.result.invariant, run.result.stats?.distinct, run.trace.states.length]).toEqual([m.expect.invariant, m.distinct, m.depth]);
      const own = replay(run.trace, binding);
      expect(own.verdict === 'reproduced' ? own.invariant : own).toBe(m.expect.invariant);
      expect(replay(run.trace, binding, { variant: 'v6.5' }).verdict).not.toBe('reproduced');
    });
  }
});

describe('PageLifetime checked-in counterexamples', () => {
  for (const name of BUG_MODELS) {
    it(`${name}.itf.json is reproduced on its own variant and diverges on v6.5`, async () => {
      const trace = await readTraceFixture(name);
      const own = replay(trace, binding);
      expect(own.verdict).toBe('reproduced');
      const last = own.steps[own.steps.length - 1]!;
      expect(last.violated).toContain(trace.meta.invariant);
      // every earlier state matched and was clean
      expect(own.steps.slice(0, -1).every((s) => s.violated.length === 0)).toBe(true);
      const onFinal = replay(trace, binding, { variant: 'v6.5' });
      expect(onFinal.verdict).toBe('diverged');
    });
  }

  it('narrates the steps in kernel terms', async () => {
    const r = replay(await readTraceFixture('MCPageLifetimeBugSamePageMerge'), binding);
    const text = r.steps.flatMap((s) => s.narration).join('\n');
    expect(text).toContain('pin_user_pages_fast(user page 2, 1, FOLL_WRITE)');
    expect(text).toContain('same-page merge: the extra pin on page 3 is kept (G.4)');
    expect(text).toContain('pin user page 2 = page 3: refcount 1025 → 2049');
    const fixed = replay(await readTraceFixture('MCPageLifetimeBugSamePageMerge'), binding, { variant: 'v6.5' });
    expect(fixed.verdict).toBe('diverged');
    if (fixed.verdict === 'diverged') {
      expect(fixed.step).toBe(1);
      expect(fixed.differences.map((d) => d.path)).toContain('ref[3]');
    }
  });
});

// A leak caught as a liveness violation (issue: liveness): `iterpin check` runs MCPageLifetimeLeak (G.5 under
// LiveSpec, PinsReleasedProp only), names the property and writes the lasso; replay follows every state on
// bug-release-unaligned and the binding confirms the loop: fair (no submission, transfer or completion left) and
// a page above its owners' baseline forever. The same trace cut before the completion is not a fair lasso.
describe('PageLifetime leak as a liveness violation', () => {
  it('MCPageLifetimeLeak: check names PinsReleasedProp, replay reproduces the lasso on its variant only', async () => {
    const out = await mkdtemp(join(tmpdir(), 'iterpin-pl-leak-'));
    const r = await runCli(['check', '--model', 'MCPageLifetimeLeak', '--jobs', '1', '--out', out, '--json'], { env: { ...process.env, TLA2TOOLS_JAR: '' } });
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.ok);
    const row = (JSON.parse(r.stdout) as { models: { status: string; got: { outcome: string; property?: string }; itf: string }[] }).models[0]!;
    expect(row).toMatchObject({ status: 'match', got: { outcome: 'liveness', property: 'PinsReleasedProp' } });
    const parsed = parseItfText(await readFile(row.itf, 'utf8'));
    if (!parsed.ok) throw new Error(parsed.error.message);
    const trace = parsed.value;
    expect(trace.meta).toMatchObject({ violation: 'liveness', property: 'PinsReleasedProp', lasso: 'stuttering', loopIndex: trace.states.length - 1 });

    const own = replay(trace, binding);
    expect(own.verdict === 'reproduced' ? own.lasso : own).toMatchObject({ property: 'PinsReleasedProp', kind: 'stuttering' });
    const narration = own.verdict === 'reproduced' ? (own.lasso?.narration ?? []).join('\n') : '';
    expect(narration).toMatch(/PinsReleasedProp is violated: page 4 \(refcount 1024, its owners hold 0\) stays above its baseline forever/);
    expect(narration).toContain('no submit_bio(), DMA or bio_endio() is enabled');
    // v6.5 releases both pages of the fragment: the completion already differs
    expect(replay(trace, binding, { variant: 'v6.5' }).verdict).toBe('diverged');

    // cut before bio_endio(): stopping there is not fair (the completion stays enabled), so nothing is confirmed
    const k = trace.states.findIndex((s) => {
      const a = s.values.get('action');
      return a?.kind === 'record' && a.fields.some(([f, v]) => f === 'name' && v.kind === 'str' && v.value === 'Complete');
    });
    expect(k).toBeGreaterThan(0);
    const cut = { ...trace, meta: { ...trace.meta, loopIndex: k - 1 }, states: trace.states.slice(0, k) };
    const unfair = replay(cut, binding);
    expect(unfair.verdict).toBe('unconfirmed');
    expect(unfair.verdict === 'unconfirmed' ? unfair.reason : '').toMatch(/Complete\(dio 1, bio 1\) can still happen: weak fairness does not let the behaviour stop here/);
  });
});

// Witnesses: a model whose "invariant" is the negation of an interesting situation makes TLC print a v6.5
// behaviour that reaches it; replayed without an expected violation, every state must match (`conforms`). The
// failure-injection witnesses, one per injection point, are in page_lifetime_failure_paths.test.ts.
const WITNESSES: Readonly<Record<string, { formula: string; actions: readonly string[] }>> = {
  // munmap() of a page while its bio is in flight; the bio's completion frees it
  UnmapInFlight: {
    formula: '\\E p \\in freed : kind[p] = "user" /\\ action.name = "Complete"',
    actions: ['UserUnmap', 'Complete'],
  },
  // a three-page UBUF write needs two bios (bi_max_vecs 2), one of them with the zero page; all of it completes
  UbufTwoBios: {
    formula: '\\E d \\in Dios : iter[d].type = "UBUF" /\\ Len(bios[d]) >= 2 /\\ DioDone(d)',
    actions: ['GetPages', 'Complete'],
  },
  // both kernel DIOs (KVEC write, XARRAY read over a shared page) finish and the owner frees every buffer
  KernelBuffersFreed: {
    formula: '\\E p \\in Pages : kind[p] = "kernel" /\\ owned = {} /\\ \\A d \\in Dios : DioDone(d)',
    actions: ['KernelFree'],
  },
  // a write DIO zeroes a partial block with the zero page and finishes
  ZeroBioDone: {
    formula: '\\E d \\in Dios : dio[d].zeroed /\\ DioDone(d)',
    actions: ['IomapDioZero'],
  },
  // the BVEC read (a shared bio_vec array) and the IOVEC write from the zero page both complete
  MixedDone: {
    formula: '\\E d \\in Dios : iter[d].type = "BVEC" /\\ (\\A e \\in Dios : DioDone(e))',
    actions: ['GetPages'],
  },
};

describe('PageLifetime v6.5 behaviours from TLC replay as conforming', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iterpin-pl-witness-'));
    for (const f of ['PageLifetime.tla', 'MCPageLifetime.tla']) await copyFile(join(SPEC, f), join(dir, f));
    const defs = Object.entries(WITNESSES).map(([name, w]) => `Not${name} == ~(${w.formula})`);
    await writeFile(
      join(dir, 'MCPageLifetimeWitness.tla'),
      ['---- MODULE MCPageLifetimeWitness ----', 'EXTENDS MCPageLifetime', ...defs, '===='].join('\n') + '\n',
    );
    const base = await readFile(join(SPEC, 'MCPageLifetime.cfg'), 'utf8');
    for (const name of Object.keys(WITNESSES)) {
      await writeFile(join(dir, `W${name}.cfg`), base.replace(/INVARIANTS\n/, `INVARIANTS\n    Not${name}\n`));
    }
  });

  for (const [name, w] of Object.entries(WITNESSES)) {
    it(`${name}: the v6.5 implementation follows TLC's behaviour state by state`, async () => {
      const m: ManifestModel = {
        name: `W${name}`,
        spec: 'PageLifetime',
        module: 'MCPageLifetimeWitness.tla',
        cfg: `W${name}.cfg`,
        variant: 'v6.5',
        expect: { result: 'safety', invariant: `Not${name}` },
        distinct: 0,
        depth: 0,
        purpose: 'witness',
      };
      const run = await runModel(jar, m, { specDir: dir });
      expect(run.result.invariant).toBe(`Not${name}`);
      const actions = run.trace.states.map((s) => {
        const a = s.values.get('action');
        return a?.kind === 'record' ? a.fields.find(([f]) => f === 'name')?.[1] : undefined;
      });
      for (const a of w.actions) expect(actions.some((x) => x?.kind === 'str' && x.value === a)).toBe(true);
      const { invariant: _witness, ...meta } = run.trace.meta;
      const r = replay({ ...run.trace, meta }, binding);
      expect(r.verdict === 'diverged' ? r : r.verdict).toBe('conforms');
    });
  }
});
