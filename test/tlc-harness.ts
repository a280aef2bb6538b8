// Real TLC runs for tests: the pinned jar, the manifest's models, a model's counterexample as the Trace that
// `iterpin check` writes, and the checked-in trace fixtures (ITERPIN_UPDATE_FIXTURES=1 rewrites them).
import { mkdir, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCfgInvariants } from '../src/cli/check.js';
import { PROFILES } from '../src/conform/profiles.js';
import type { ValidateOptions } from '../src/conform/validate.js';
import type { ManifestModel } from '../src/manifest/manifest.js';
import { parseItfText, writeItf } from '../src/tla/itf.js';
import { runTlcOnHost } from '../src/tlc/host.js';
import { projectRoot } from '../src/tlc/jar.js';
import type { TlcRunResult } from '../src/tlc/run.js';
import { ensureJar } from '../src/tlc/setup.js';
import { traceFromRun } from '../src/tlc/counterexample.js';
import type { Trace } from '../src/tla/trace.js';
import type { ExplorableBinding } from '../src/trace/binding.js';
import { loadBinding } from '../src/trace/bindings/index.js';

export const ROOT = projectRoot();
export const SPEC = join(ROOT, 'spec');
export const TRACE_FIXTURES = join(ROOT, 'test', 'fixtures', 'traces');
export const UPDATE_FIXTURES = process.env['ITERPIN_UPDATE_FIXTURES'] === '1';

export interface PinnedJar {
  readonly path: string;
  readonly sha256: string;
}

/** The pinned jar (fetched if absent); TLA2TOOLS_JAR is ignored so tests always run the pinned TLC. */
export async function pinnedJar(): Promise<PinnedJar> {
  const r = await ensureJar({ root: ROOT, env: { ...process.env, TLA2TOOLS_JAR: '' }, replaceBad: false });
  if (!r.ok) throw new Error(`the pinned TLC jar is not available: ${r.error.message}`);
  return { path: r.value.path, sha256: r.value.sha256 };
}

/** The exhaustively checked models of spec/manifest.json (not the sampled ones), optionally of one spec. */
export async function manifestModels(spec?: string): Promise<ManifestModel[]> {
  return (await allManifestModels()).filter((m) => m.sample === undefined && (spec === undefined || m.spec === spec));
}

/** Every model of spec/manifest.json, the sampled ones too. */
export async function allManifestModels(): Promise<ManifestModel[]> {
  const manifest = JSON.parse(await readFile(join(SPEC, 'manifest.json'), 'utf8')) as { models: ManifestModel[] };
  return manifest.models;
}

export interface ModelRun {
  readonly result: TlcRunResult;
  /** The counterexample with the #meta `iterpin check` writes (empty states for a success). */
  readonly trace: Trace;
}

/** Runs one model in TLC with one worker, as `iterpin check` does. */
export async function runModel(
  jar: PinnedJar,
  m: ManifestModel,
  o: { specDir?: string; cfg?: string; timeoutMs?: number } = {},
): Promise<ModelRun> {
  const specDir = o.specDir ?? SPEC;
  const cfg = o.cfg ?? m.cfg;
  const out = await mkdtemp(join(tmpdir(), 'iterpin-model-'));
  const r = await runTlcOnHost({
    jar: jar.path,
    specDir,
    module: m.module,
    cfg,
    workers: 1,
    heap: '512m',
    timeoutMs: o.timeoutMs ?? 120_000,
    logFile: join(out, 'tlc.log'),
  });
  if (!r.ok) throw new Error(`TLC did not start: ${r.error.message}`);
  const invariants = await readCfgInvariants(join(specDir, cfg));
  const trace = traceFromRun(r.value, {
    source: 'iterpin check',
    spec: m.spec,
    model: m.name,
    variant: m.variant,
    jarSha256: jar.sha256,
    ...(invariants !== undefined ? { invariants } : {}),
  });
  return { result: r.value, trace };
}

export const traceFixturePath = (model: string): string => join(TRACE_FIXTURES, `${model}.itf.json`);

export async function readTraceFixture(model: string): Promise<Trace> {
  const parsed = parseItfText(await readFile(traceFixturePath(model), 'utf8'));
  if (!parsed.ok) throw new Error(`${traceFixturePath(model)}: ${parsed.error.message}`);
  return parsed.value;
}

/** Writes a fixture atomically (temp file, then rename). */
export async function writeTraceFixture(model: string, trace: Trace): Promise<void> {
  await mkdir(TRACE_FIXTURES, { recursive: true });
  const file = traceFixturePath(model);
  await writeFile(`${file}.tmp`, writeItf(trace));
  await rename(`${file}.tmp`, file);
}

/** A port nobody listens on right now (the OS picks it), for a TLC server under test. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** The cfg of an MCIovIter model on its standard constants: a variant, the page-array allocations, invariants. */
export function iovIterCfg(variant: string, allocs: string, invariants: readonly string[]): string {
  return [
    'CONSTANTS',
    '    PS <- MCPageSize',
    '    Layouts <- MCLayouts',
    '    Sizes <- MCSizes',
    '    PageCounts <- MCPageCounts',
    '    Steps <- MCSteps',
    `    Allocs <- ${allocs}`,
    `    Variant = "${variant}"`,
    'SPECIFICATION Spec',
    'INVARIANTS',
    ...invariants.map((i) => `    ${i}`),
    'VIEW View',
    '',
  ].join('\n');
}

/** `iterpin validate`'s options for a spec's final design on the pinned TLC, in a fresh run directory. */
export async function validateOptions(spec: string, seed: number, runs = 100): Promise<ValidateOptions<unknown, unknown>> {
  const binding = (await loadBinding(spec)) as ExplorableBinding<unknown>;
  const jar = await pinnedJar();
  return {
    binding,
    profile: PROFILES[spec]!,
    variant: binding.finalVariant,
    runs,
    seed,
    job: { runner: runTlcOnHost, jar: jar.path, specDir: SPEC, heap: '512m', timeoutMs: 400_000 },
    runDir: await mkdtemp(join(tmpdir(), 'iterpin-validate-test-')),
  };
}
