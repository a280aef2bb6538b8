// Real TLC runs of the two pipe-extract-no-ref models: their counterexamples replay as `reproduced` on the
// reference implementation and not on the fix, and equal the checked-in ITF fixtures (which this test rewrites
// from the fresh TLC output when ITERPIN_WRITE_FIXTURES=1). Needs java and the pinned jar.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, readFile, writeFile, mkdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTlcOnHost } from '../../src/tlc/host.js';
import type { TlcRunResult } from '../../src/tlc/run.js';
import { projectRoot } from '../../src/tlc/jar.js';
import { ensureJar } from '../../src/tlc/setup.js';
import { parseItfText, writeItf } from '../../src/tla/itf.js';
import { tlaEqual } from '../../src/tla/equal.js';
import { replay } from '../../src/trace/replay.js';
import type { Trace } from '../../src/trace/trace.js';
import { binding } from '../../src/trace/bindings/splice_read.js';
import type { ManifestModel } from '../../src/manifest.js';
import { readCfgInvariants } from '../../src/cli/check.js';

const ROOT = projectRoot();
const SPEC = join(ROOT, 'spec');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'traces');
const MODELS = ['MCSpliceReadPipeExtractNoRef', 'MCSpliceReadPipeExtractNoRefCorruption'] as const;

interface Run {
  readonly entry: ManifestModel;
  readonly result: TlcRunResult;
  readonly trace: Trace;
}

const runs = new Map<string, Run>();

beforeAll(async () => {
  const jar = await ensureJar({ root: ROOT, env: { ...process.env, TLA2TOOLS_JAR: '' }, replaceBad: false });
  if (!jar.ok) throw new Error(`the pinned TLC jar is not available: ${jar.error.message}`);
  const manifest = JSON.parse(await readFile(join(SPEC, 'manifest.json'), 'utf8')) as { models: ManifestModel[] };
  const out = await mkdtemp(join(tmpdir(), 'iterpin-splice-'));
  for (const name of MODELS) {
    const entry = manifest.models.find((m) => m.name === name);
    if (entry === undefined) throw new Error(`${name} is not in spec/manifest.json`);
    const r = await runTlcOnHost({
      jar: jar.value.path,
      specDir: SPEC,
      module: entry.module,
      cfg: entry.cfg,
      workers: 1,
      heap: '512m',
      timeoutMs: 60_000,
      logFile: join(out, `${name}.log`),
    });
    if (!r.ok) throw new Error(r.error.message);
    const invariants = await readCfgInvariants(join(SPEC, entry.cfg));
    if (invariants === undefined) throw new Error(`cannot read ${entry.cfg}`);
    const first = r.value.trace[0];
    const trace: Trace = {
      meta: {
        format: 'ITF',
        source: 'TLC -tool output, encoded by iterpin',
        spec: entry.spec,
        model: name,
        variant: entry.variant,
        ...(r.value.invariant !== undefined ? { invariant: r.value.invariant } : {}),
        invariants,
        ...(r.value.tlcVersion !== undefined ? { tlcVersion: r.value.tlcVersion } : {}),
        jarSha256: jar.value.sha256,
      },
      vars: first === undefined ? [] : [...first.values.keys()],
      states: r.value.trace,
    };
    runs.set(name, { entry, result: r.value, trace });
    if (process.env['ITERPIN_WRITE_FIXTURES'] === '1') {
      await mkdir(FIXTURES, { recursive: true });
      const file = join(FIXTURES, `${name}.itf.json`);
      await writeFile(`${file}.tmp`, writeItf(trace));
      await rename(`${file}.tmp`, file);
    }
  }
}, 180_000);

const run = (name: string): Run => {
  const r = runs.get(name);
  if (r === undefined) throw new Error(`no run of ${name}`);
  return r;
};

describe('SpliceRead bug models in TLC', () => {
  for (const name of MODELS) {
    it(`${name}: TLC finds the manifest's violation with its distinct-state count and trace length`, () => {
      const { entry, result } = run(name);
      expect(entry.expect.result).toBe('safety');
      expect(result.invariant).toBe(entry.expect.result === 'safety' ? entry.expect.invariant : undefined);
      expect(result.stats?.distinct).toBe(entry.distinct);
      expect(result.trace).toHaveLength(entry.depth);
    });

    it(`${name}: the counterexample replays as reproduced on pipe-extract-no-ref`, () => {
      const report = replay(run(name).trace, binding, { variant: 'pipe-extract-no-ref' });
      expect(report.verdict, JSON.stringify(report, (_k, v) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 2000)).toBe('reproduced');
      if (report.verdict === 'reproduced') {
        expect(report.invariant).toBe(run(name).entry.expect.result === 'safety' ? (run(name).entry.expect as { invariant: string }).invariant : '');
        expect(report.step).toBe(run(name).trace.states.length - 1);
      }
    });

    it(`${name}: the counterexample does not replay on copy-splice-read: it stops at SpliceStart`, () => {
      const report = replay(run(name).trace, binding, { variant: 'copy-splice-read' });
      expect(['diverged', 'not-enabled']).toContain(report.verdict);
      if (report.verdict === 'diverged' || report.verdict === 'not-enabled') {
        expect(report.action).toMatch(/^SpliceStart\(/);
        // copy_splice_read() allocated its pages up front: the abstraction differs in the page references.
        if (report.verdict === 'diverged') expect(report.differences.map((d) => d.path).join(' ')).toMatch(/refcount|bvec|iter/);
      }
    });

    it(`${name}: the checked-in fixture is this TLC output`, async () => {
      const text = await readFile(join(FIXTURES, `${name}.itf.json`), 'utf8');
      const fixture = parseItfText(text);
      expect(fixture.ok).toBe(true);
      if (!fixture.ok) return;
      const fresh = run(name).trace;
      expect(fixture.value.meta.invariant).toBe(fresh.meta.invariant);
      expect(fixture.value.meta.model).toBe(name);
      expect(fixture.value.states).toHaveLength(fresh.states.length);
      fresh.states.forEach((s, i) => {
        for (const [v, value] of s.values) expect(tlaEqual(fixture.value.states[i]!.values.get(v)!, value), `state ${i} ${v}`).toBe(true);
      });
    });
  }
});
