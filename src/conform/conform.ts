// One model through `iterpin explore` / `iterpin conform`: read its shape, have TLC evaluate its constants, explore
// the implementation, and (conform) dump TLC's state graph and compare. On a difference, the shortest path to it
// is written as an ITF trace `iterpin replay` accepts.

import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManifestModel } from '../manifest/manifest.js';
import { writeFileAtomic } from '../shared/output.js';
import { err, ok, type Result } from '../shared/result.js';
import { writeItf } from '../tla/itf.js';
import type { Trace } from '../tla/trace.js';
import type { TlaValue } from '../tla/value.js';
import type { ExplorableBinding } from '../trace/binding.js';
import { loadBinding } from '../trace/bindings/index.js';
import { compareGraphs, tlcGraph, type Comparison, type FirstDifference } from './compare.js';
import { parseDot } from './dot.js';
import { explore, exploreSummary, type ExploreResult, type ExploreSummary } from './explore.js';
import { dumpStateGraph, evaluateConstants, readModelShape, type ModelShape, type TlcJob } from './model.js';

export interface ModelJob extends Omit<TlcJob, 'logFile'> {
  /** The run directory: TLC logs, the dump, traces. */
  readonly runDir: string;
  /** Progress lines (stderr). */
  readonly note?: (line: string) => void;
  /** Replaces the spec's binding (tests: a deliberately broken one). */
  readonly binding?: ExplorableBinding<unknown>;
  /** Keep TLC's DOT dump in the run directory (default: removed once read). */
  readonly keepDump?: boolean;
}

/** Why a model could not be explored or compared. */
export interface ConformError {
  readonly kind:
    /** The spec has no reference implementation (a self-test spec): nothing to compare. */
    | 'no-implementation'
    /** The spec's binding has no exploration facet. */
    | 'not-explorable'
    /** TLC could not evaluate the constants or dump the state graph. */
    | 'tlc'
    /** The model's cfg, module or constants cannot be read, or the implementation cannot start from them. */
    | 'model'
    /** A result file cannot be written. */
    | 'io';
  readonly message: string;
}

const fail = (kind: ConformError['kind'], message: string): Result<never, ConformError> => err({ kind, message });

export interface Explored {
  readonly shape: ModelShape;
  readonly constants: ReadonlyMap<string, TlaValue>;
  readonly result: ExploreResult;
}

/** The binding that explores this model's spec, or why there is none. */
async function explorableBinding(model: ManifestModel, job: ModelJob): Promise<Result<ExplorableBinding<unknown>, ConformError>> {
  if (job.binding !== undefined) return ok(job.binding);
  const b = await loadBinding(model.spec);
  if (b === undefined) return fail('no-implementation', `${model.name}: spec ${model.spec} has no reference implementation to explore`);
  if (b.explore === undefined) return fail('not-explorable', `${model.name}: the ${model.spec} binding has no exploration facet yet`);
  return ok(b as ExplorableBinding<unknown>);
}

export async function exploreModel(model: ManifestModel, job: ModelJob): Promise<Result<Explored, ConformError>> {
  const binding = await explorableBinding(model, job);
  if (!binding.ok) return binding;
  const shape = await readModelShape(job.specDir, model);
  if (!shape.ok) return fail('model', shape.error);
  job.note?.(`${model.name}: evaluating the constants with TLC`);
  const constants = await evaluateConstants({ shape: shape.value, job: { ...job, logFile: join(job.runDir, `${model.name}.constants.log`) } });
  if (!constants.ok) return fail('tlc', constants.error);
  job.note?.(`${model.name}: exploring the implementation`);
  const result = explore({
    binding: binding.value,
    constants: constants.value,
    ...(shape.value.viewVars !== undefined ? { viewVars: shape.value.viewVars } : {}),
    constraints: shape.value.constraints,
    invariants: shape.value.invariants,
    onProgress: (d, depth, q) => job.note?.(`${model.name}: explorer ${d} distinct states, depth ${depth}, ${q} queued`),
  });
  if (!result.ok) return fail('model', `${model.name}: ${result.error}`);
  return ok({ shape: shape.value, constants: constants.value, result: result.value });
}

export interface ConformReport {
  readonly model: string;
  readonly spec: string;
  readonly variant: string;
  readonly verdict: 'conforms' | 'differs';
  readonly tlc: { readonly distinct: number; readonly transitions: number; readonly dumpStates: number; readonly seconds: number };
  /** The explorer's figures (its graph is dropped once compared: a run over every model would hold them all). */
  readonly explorer: ExploreSummary;
  readonly comparison: Comparison;
  /** The ITF trace of the first difference. */
  readonly traceFile?: string;
}

function differenceTrace(model: ManifestModel, shape: ModelShape, variant: string, vars: readonly string[], d: FirstDifference): Trace {
  return {
    meta: {
      format: 'ITF',
      source: 'iterpin conform',
      spec: model.spec,
      model: model.name,
      variant,
      invariants: [...shape.invariants],
      difference: d.kind,
      description: `the shortest path to the first difference between TLC and the implementation: ${d.kind} ${d.action}`,
    },
    vars: [...vars],
    states: d.path.map((p, index) => ({ index, values: new Map([...p.vars, ['action', p.action]]) })),
  };
}

export async function conformModel(model: ManifestModel, job: ModelJob): Promise<Result<ConformReport, ConformError>> {
  const explored = await exploreModel(model, job);
  if (!explored.ok) return explored;
  const { shape, result } = explored.value;
  const dotFile = join(job.runDir, `${model.name}.dot`);
  job.note?.(`${model.name}: TLC dumps the state graph (${result.distinct} states explored in ${result.seconds.toFixed(1)} s)`);
  const dump = await dumpStateGraph(
    { shape, job: { ...job, logFile: join(job.runDir, `${model.name}.dump.log`), onProgress: (d) => job.note?.(`${model.name}: TLC ${d} distinct states`) } },
    dotFile,
  );
  if (!dump.ok) return fail('tlc', `${model.name}: ${dump.error}`);
  let text: string;
  try {
    text = await readFile(dotFile, 'utf8');
  } catch (e) {
    return fail('tlc', `${model.name}: TLC wrote no readable state dump at ${dotFile} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const dot = parseDot(text, dotFile);
  if (!job.keepDump) await rm(dotFile, { force: true }).catch(() => undefined);
  if (!dot.ok) return fail('tlc', `${model.name}: ${dot.error}`);
  const spec = tlcGraph(dot.value, shape.viewVars);
  const comparison = compareGraphs(spec, result.graph);
  let transitions = 0;
  for (const s of spec.states.values()) transitions += s.succ.size;
  let traceFile: string | undefined;
  if (comparison.first !== undefined) {
    const binding = await explorableBinding(model, job);
    const vars = binding.ok ? binding.value.vars : [...comparison.first.path[0]!.vars.keys(), 'action'];
    traceFile = join(job.runDir, `${model.name}.difference.itf.json`);
    const w = await writeFileAtomic(traceFile, writeItf(differenceTrace(model, shape, result.variant, vars, comparison.first)));
    if (!w.ok) return fail('io', w.error.message);
  }
  return ok({
    model: model.name,
    spec: model.spec,
    variant: result.variant,
    verdict: comparison.equal ? 'conforms' : 'differs',
    tlc: { distinct: spec.states.size, transitions, dumpStates: dot.value.states.size, seconds: dump.value.tlc.seconds },
    explorer: exploreSummary(result),
    comparison,
    ...(traceFile !== undefined ? { traceFile } : {}),
  });
}
