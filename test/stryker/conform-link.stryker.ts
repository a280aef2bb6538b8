// The conformance link as mutation testing runs it: the reference implementation (possibly mutated) is explored
// exhaustively under a model's constants and its state graph must equal TLC's dump of the same model, state for
// state and step for step (arguments included), as `iterpin conform` checks it. TLC's side does not depend on
// src/kernel/, so its constants and its dump are computed once per model and kept in a cache keyed on the spec
// directory's modules, the model's cfg and the pinned jar; each mutant then costs one exploration, not two TLC runs.

import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareGraphs, tlcGraph } from '../../src/conform/compare.js';
import { parseDot } from '../../src/conform/dot.js';
import { explore } from '../../src/conform/explore.js';
import { dumpStateGraph, evaluateConstants, readModelShape, type ModelShape, type TlcJob } from '../../src/conform/model.js';
import type { ManifestModel } from '../../src/manifest/manifest.js';
import { parseTla } from '../../src/tla/parse.js';
import { printTla } from '../../src/tla/print.js';
import type { TlaValue } from '../../src/tla/value.js';
import { runTlcOnHost } from '../../src/tlc/host.js';
import type { ExplorableBinding } from '../../src/trace/binding.js';
import { loadBinding } from '../../src/trace/bindings/index.js';
import { manifestModels, pinnedJar, ROOT, SPEC } from '../tlc-harness.js';

/**
 * The models each mutant is explored under: the smallest of each spec with an implementation (a few seconds each,
 * measured under load). Larger ones are not among them: without their invariants (TLC's dump explores a bug
 * variant's space to the end) the IovIter bug models' spaces are 20-70 times their manifest sizes, and the
 * smallest SpliceRead model and the IterToSg bug models take 30-45 s per exploration; SpliceRead's kernel paths
 * are linked by trace validation and the unit tests instead.
 */
export const LINK_MODELS: readonly string[] = [
  'MCPipeline',
  'MCPipelineBroken',
  'MCPipelineConsumerStops',
  'MCIovIterXarrayHole',
  'MCIovIterV612LeadingEmpties',
  'MCPageLifetimeBugDioReffedKernel',
  'MCIterToSgXarrayUnaligned',
];

/** Where TLC's side is kept between runs (a mutation run sets it to the project's own cache, outside its sandbox). */
const CACHE = process.env['ITERPIN_CONFORM_CACHE'] ?? join(ROOT, '.cache', 'conform');

interface TlcSide {
  readonly constants: Map<string, TlaValue>;
  readonly dot: string;
}

async function cacheKey(m: ManifestModel): Promise<string> {
  const h = createHash('sha256');
  h.update((await pinnedJar()).sha256);
  for (const f of (await readdir(SPEC)).filter((x) => x.endsWith('.tla')).sort()) h.update(f).update(await readFile(join(SPEC, f)));
  h.update(m.cfg).update(await readFile(join(SPEC, m.cfg)));
  return h.digest('hex').slice(0, 16);
}

/** TLC's constants and state-graph dump of the model, from the cache or from two TLC runs (then cached). */
async function tlcSide(m: ManifestModel, shape: ModelShape): Promise<TlcSide> {
  const file = join(CACHE, `${m.name}-${await cacheKey(m)}.json`);
  try {
    const kept = JSON.parse(await readFile(file, 'utf8')) as { constants: [string, string][]; dot: string };
    const constants = new Map<string, TlaValue>();
    for (const [k, text] of kept.constants) {
      const v = parseTla(text);
      if (!v.ok) throw new Error(`${file}: constant ${k}: ${v.error.message}`);
      constants.set(k, v.value);
    }
    return { constants, dot: kept.dot };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const runDir = await mkdtemp(join(tmpdir(), 'iterpin-link-'));
  try {
    const jar = await pinnedJar();
    const job = (log: string): TlcJob => ({ runner: runTlcOnHost, jar: jar.path, specDir: SPEC, heap: '512m', timeoutMs: 600_000, logFile: join(runDir, log) });
    const constants = await evaluateConstants({ shape, job: job('constants.log') });
    if (!constants.ok) throw new Error(constants.error);
    const dotFile = join(runDir, 'dump.dot');
    const dump = await dumpStateGraph({ shape, job: job('dump.log') }, dotFile);
    if (!dump.ok) throw new Error(dump.error);
    const dot = await readFile(dotFile, 'utf8');
    await mkdir(CACHE, { recursive: true });
    const body = JSON.stringify({ model: m.name, constants: [...constants.value].map(([k, v]) => [k, printTla(v)]), dot });
    await writeFile(`${file}.tmp`, body);
    await rename(`${file}.tmp`, file);
    return { constants: constants.value, dot };
  } finally {
    await rm(runDir, { recursive: true, force: true });
  }
}

describe('the implementation conforms to TLC state for state and step for step', () => {
  it.each(LINK_MODELS)('%s', async (name) => {
    const m = (await manifestModels()).find((x) => x.name === name);
    if (m === undefined) throw new Error(`no model ${name} in the manifest`);
    const shape = await readModelShape(SPEC, m);
    if (!shape.ok) throw new Error(shape.error);
    const tlc = await tlcSide(m, shape.value);
    const binding = (await loadBinding(m.spec)) as ExplorableBinding<unknown>;
    const result = explore({
      binding,
      constants: tlc.constants,
      ...(shape.value.viewVars !== undefined ? { viewVars: shape.value.viewVars } : {}),
      constraints: shape.value.constraints,
      invariants: shape.value.invariants,
      // A mutant that loops the explorer into an unbounded space is caught here, not by a time-out.
      maxStates: 200_000,
    });
    if (!result.ok) throw new Error(`${name}: the explorer failed: ${result.error}`);
    const dot = parseDot(tlc.dot, `${name}.dot`);
    if (!dot.ok) throw new Error(dot.error);
    const comparison = compareGraphs(tlcGraph(dot.value, shape.value.viewVars), result.value.graph);
    const first = comparison.first;
    expect(first === undefined ? 'none' : `${first.kind} after ${first.path.length} steps: ${first.action}`).toBe('none');
    expect(comparison.equal).toBe(true);
    // The implementation's own invariant checkers, over the same space: a bug model's violated invariant is
    // flagged in some state (TLC finds it), a final design's invariants in none.
    const violations = result.value.violations;
    if (m.expect.result === 'success') expect(violations).toEqual({});
    else if (m.expect.result === 'safety') expect(violations[m.expect.invariant] ?? 0).toBeGreaterThan(0);
  });
});
