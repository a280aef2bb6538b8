// Reading spec/manifest.json into the types of src/manifest.ts. Every defect comes back as a typed error that
// names the file and the entry (`models[3].expect.invariant`), never as an exception.

import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import type { Expectation, Manifest, ManifestModel, SampleSettings } from './manifest.js';
import { err, ok, type Result } from '../shared/result.js';

export type ManifestErrorKind = 'unreadable' | 'bad-json' | 'invalid' | 'missing-file';

export interface ManifestError {
  readonly kind: ManifestErrorKind;
  readonly file: string;
  /** Where in the document, e.g. "models[2].distinct"; absent for whole-file problems. */
  readonly at?: string;
  readonly message: string;
}

const MODEL_KEYS = ['name', 'spec', 'module', 'cfg', 'variant', 'expect', 'distinct', 'depth', 'purpose', 'scale', 'mutate', 'neverFires', 'actionsFired', 'noCoverage', 'sample'] as const;
const OPTIONAL_KEYS: readonly string[] = ['scale', 'mutate', 'neverFires', 'actionsFired', 'noCoverage', 'sample', 'distinct', 'depth'];
const REQUIRED_KEYS = MODEL_KEYS.filter((k) => !OPTIONAL_KEYS.includes(k));

/** An action of Next as coverage names it: `Op`, `Inst!Op`, or `Next@line:col` for a disjunct that applies no operator. */
const ACTION_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:![A-Za-z_][A-Za-z0-9_]*)*(?:@[0-9]+:[0-9]+)?$/;

type Check<T> = Result<T, { at: string; message: string }>;

const fail = <T>(at: string, message: string): Check<T> => err({ at, message });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function nonEmptyString(v: unknown, at: string): Check<string> {
  return typeof v === 'string' && v.trim() !== '' ? ok(v) : fail(at, `must be a non-empty string, got ${describe(v)}`);
}

function count(v: unknown, at: string): Check<number> {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? ok(v) : fail(at, `must be a non-negative integer, got ${describe(v)}`);
}

/** A file name relative to spec/ that stays inside it. */
function specFile(v: unknown, at: string, ext: string): Check<string> {
  const s = nonEmptyString(v, at);
  if (!s.ok) return s;
  const n = normalize(s.value);
  if (isAbsolute(s.value) || n.startsWith('..') || n.startsWith('/')) return fail(at, `must be a path inside spec/, got ${describe(v)}`);
  if (!s.value.endsWith(ext)) return fail(at, `must name a ${ext} file, got ${describe(v)}`);
  return ok(s.value);
}

const TLA_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function expectation(v: unknown, at: string): Check<Expectation> {
  if (!isObject(v)) {
    return fail(at, `must be {"result":"success"}, {"result":"safety","invariant":…} or {"result":"liveness","property":…}, got ${describe(v)}`);
  }
  const extra = Object.keys(v).filter((k) => k !== 'result' && k !== 'invariant' && k !== 'property');
  if (extra.length > 0) return fail(`${at}.${extra[0]}`, 'is not a field of an expectation (result, invariant, property)');
  if (v.result !== 'liveness' && 'property' in v) return fail(`${at}.property`, 'is only for a "liveness" result');
  if (v.result === 'success') {
    if ('invariant' in v) return fail(`${at}.invariant`, 'must be absent when the result is "success"');
    return ok({ result: 'success' });
  }
  if (v.result === 'liveness') {
    if ('invariant' in v) return fail(`${at}.invariant`, 'must be absent when the result is "liveness" (name the property)');
    const prop = nonEmptyString(v.property, `${at}.property`);
    if (!prop.ok) return prop;
    if (!TLA_IDENTIFIER.test(prop.value)) return fail(`${at}.property`, `must be a TLA+ identifier, got ${describe(prop.value)}`);
    return ok({ result: 'liveness', property: prop.value });
  }
  if (v.result === 'safety') {
    const inv = nonEmptyString(v.invariant, `${at}.invariant`);
    if (!inv.ok) return inv;
    if (!TLA_IDENTIFIER.test(inv.value)) return fail(`${at}.invariant`, `must be a TLA+ identifier, got ${describe(inv.value)}`);
    return ok({ result: 'safety', invariant: inv.value });
  }
  return fail(`${at}.result`, `must be "success", "safety" or "liveness", got ${describe(v.result)}`);
}

/** `{"Action": "why it never fires in this model", …}`, only for a model expected to succeed. */
function neverFires(v: unknown, at: string, expect: Expectation): Check<Record<string, string>> {
  if (!isObject(v)) return fail(at, `must be an object mapping action names to the reason each never fires, got ${describe(v)}`);
  if (expect.result !== 'success') return fail(at, 'is only for a model expected to succeed (a violation stops the search early)');
  const out: Record<string, string> = {};
  for (const [name, reason] of Object.entries(v)) {
    if (!ACTION_NAME.test(name)) return fail(`${at}.${name}`, `is not an action name (an operator of Next, e.g. "Consume" or "IV!Extract")`);
    const r = nonEmptyString(reason, `${at}.${name}`);
    if (!r.ok) return fail(`${at}.${name}`, `must be the reason the action never fires, a non-empty string, got ${describe(reason)}`);
    out[name] = r.value;
  }
  return ok(out);
}

/** `"k/n"`: k of the n actions of Next fire. */
function actionsFired(v: unknown, at: string): Check<string> {
  const m = typeof v === 'string' ? /^([0-9]{1,6})\/([0-9]{1,6})$/.exec(v) : null;
  if (m === null) return fail(at, `must be "k/n" (k of the n actions of Next fire), got ${describe(v)}`);
  const fired = Number(m[1]);
  const of = Number(m[2]);
  if (fired > of || of === 0) return fail(at, `must have 0 <= k <= n and n >= 1, got ${describe(v)}`);
  return ok(`${fired}/${of}`);
}

/** Limits of a sample's settings (TLC takes ints; beyond these a run is a mistake, not a sample). */
export const SAMPLE_LIMITS = { depth: 100_000, behaviours: 1_000_000_000, seconds: 7 * 24 * 3600, seed: Number.MAX_SAFE_INTEGER } as const;

function positive(v: unknown, at: string, max: number, what: string): Check<number> {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= max
    ? ok(v)
    : fail(at, `must be ${what}, an integer from 1 to ${max}, got ${describe(v)}`);
}

/** `{"depth": D, "behaviours": N}` or `{"depth": D, "seconds": T}`, optionally with `"seed"`. */
export function sampleSettings(v: unknown, at: string): Check<SampleSettings> {
  if (!isObject(v)) return fail(at, `must be {"depth": D, "behaviours": N} or {"depth": D, "seconds": T}, got ${describe(v)}`);
  const extra = Object.keys(v).filter((k) => !['depth', 'behaviours', 'seconds', 'seed', 'alsoFinds'].includes(k));
  if (extra.length > 0) return fail(`${at}.${extra[0]}`, 'is not a sample setting (depth, behaviours, seconds, seed, alsoFinds)');
  const depth = positive(v.depth, `${at}.depth`, SAMPLE_LIMITS.depth, 'the length of each behaviour');
  if (!depth.ok) return depth;
  if (('behaviours' in v) === ('seconds' in v)) return fail(at, 'must give exactly one of "behaviours" (how many) and "seconds" (how long)');
  const budget =
    'behaviours' in v
      ? positive(v.behaviours, `${at}.behaviours`, SAMPLE_LIMITS.behaviours, 'the number of behaviours')
      : positive(v.seconds, `${at}.seconds`, SAMPLE_LIMITS.seconds, 'the seconds to sample for');
  if (!budget.ok) return budget;
  if ('seed' in v && !(typeof v.seed === 'number' && Number.isSafeInteger(v.seed) && v.seed >= 0)) {
    return fail(`${at}.seed`, `must be a non-negative integer, got ${describe(v.seed)}`);
  }
  const also = v.alsoFinds;
  if (also !== undefined && !(Array.isArray(also) && also.length > 0 && also.every((x) => typeof x === 'string' && TLA_IDENTIFIER.test(x)))) {
    return fail(`${at}.alsoFinds`, `must be a non-empty list of invariant names, got ${describe(also)}`);
  }
  return ok({
    depth: depth.value,
    ...('behaviours' in v ? { behaviours: budget.value } : { seconds: budget.value }),
    ...(typeof v.seed === 'number' ? { seed: v.seed } : {}),
    ...(also !== undefined ? { alsoFinds: also as string[] } : {}),
  });
}

function model(v: unknown, at: string): Check<ManifestModel> {
  if (!isObject(v)) return fail(at, `must be an object, got ${describe(v)}`);
  const unknown = Object.keys(v).filter((k) => !(MODEL_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) return fail(`${at}.${unknown[0]}`, `is not a manifest field (fields: ${MODEL_KEYS.join(', ')})`);
  const missing = REQUIRED_KEYS.filter((k) => !(k in v));
  if (missing.length > 0) return fail(at, `lacks ${missing.join(', ')}`);
  const name = nonEmptyString(v.name, `${at}.name`);
  if (!name.ok) return name;
  const spec = nonEmptyString(v.spec, `${at}.spec`);
  if (!spec.ok) return spec;
  const module = specFile(v.module, `${at}.module`, '.tla');
  if (!module.ok) return module;
  const cfg = specFile(v.cfg, `${at}.cfg`, '.cfg');
  if (!cfg.ok) return cfg;
  if (basename(cfg.value, '.cfg') !== name.value) {
    return fail(`${at}.name`, `must equal the cfg's base name: cfg is ${describe(cfg.value)}, name is ${describe(name.value)}`);
  }
  const variant = nonEmptyString(v.variant, `${at}.variant`);
  if (!variant.ok) return variant;
  const expect = expectation(v.expect, `${at}.expect`);
  if (!expect.ok) return expect;
  const sample = 'sample' in v ? sampleSettings(v.sample, `${at}.sample`) : undefined;
  if (sample !== undefined && !sample.ok) return sample;
  if (sample?.value.alsoFinds !== undefined && expect.value.result !== 'safety') {
    return fail(`${at}.sample.alsoFinds`, 'is only for a model expected to violate an invariant');
  }
  // A sampled run counts no distinct states and has no graph depth; an exhaustive model records both.
  if (sample !== undefined) {
    for (const k of ['distinct', 'depth', 'scale', 'neverFires', 'actionsFired'] as const) {
      if (k in v) return fail(`${at}.${k}`, `is not for a sampled model (a sampled run ${k === 'scale' ? 'is never in the default run anyway' : k === 'distinct' || k === 'depth' ? 'counts no distinct states and has no graph depth' : 'judges no coverage'})`);
    }
  } else {
    const absent = (['distinct', 'depth'] as const).filter((k) => !(k in v));
    if (absent.length > 0) return fail(at, `lacks ${absent.join(', ')}`);
  }
  const distinct = sample === undefined ? count(v.distinct, `${at}.distinct`) : undefined;
  if (distinct !== undefined && !distinct.ok) return distinct;
  const depth = sample === undefined ? count(v.depth, `${at}.depth`) : undefined;
  if (depth !== undefined && !depth.ok) return depth;
  const purpose = nonEmptyString(v.purpose, `${at}.purpose`);
  if (!purpose.ok) return purpose;
  if ('scale' in v && typeof v.scale !== 'boolean') return fail(`${at}.scale`, `must be true or false, got ${describe(v.scale)}`);
  const mutate = 'mutate' in v ? nonEmptyString(v.mutate, `${at}.mutate`) : undefined;
  if (mutate !== undefined && !mutate.ok) return fail(`${at}.mutate`, `must be the reason mutants run on this deep model by default, got ${describe(v.mutate)}`);
  if (mutate !== undefined && (v.scale !== true || expect.value.result !== 'success'))
    return fail(`${at}.mutate`, 'is only for a deep-tier ("scale": true) model expected to succeed: the default tier\'s passing models run mutants anyway');
  const never = 'neverFires' in v ? neverFires(v.neverFires, `${at}.neverFires`, expect.value) : undefined;
  if (never !== undefined && !never.ok) return never;
  const fired = 'actionsFired' in v ? actionsFired(v.actionsFired, `${at}.actionsFired`) : undefined;
  if (fired !== undefined && !fired.ok) return fired;
  const noCoverage = 'noCoverage' in v ? nonEmptyString(v.noCoverage, `${at}.noCoverage`) : undefined;
  if (noCoverage !== undefined && !noCoverage.ok) return fail(`${at}.noCoverage`, `must be the reason the model runs without -coverage, got ${describe(v.noCoverage)}`);
  return ok({
    name: name.value,
    spec: spec.value,
    module: module.value,
    cfg: cfg.value,
    variant: variant.value,
    expect: expect.value,
    ...(distinct !== undefined ? { distinct: distinct.value } : {}),
    ...(depth !== undefined ? { depth: depth.value } : {}),
    purpose: purpose.value,
    ...(v.scale === true ? { scale: true } : {}),
    ...(mutate !== undefined ? { mutate: mutate.value } : {}),
    ...(never !== undefined ? { neverFires: never.value } : {}),
    ...(fired !== undefined ? { actionsFired: fired.value } : {}),
    ...(noCoverage !== undefined ? { noCoverage: noCoverage.value } : {}),
    ...(sample !== undefined ? { sample: sample.value } : {}),
  });
}

/** Checks a parsed manifest document; `file` only labels the errors. */
export function validateManifest(doc: unknown, file: string): Result<Manifest, ManifestError> {
  const invalid = (at: string, message: string): Result<Manifest, ManifestError> => err({ kind: 'invalid', file, at, message });
  if (!isObject(doc)) return invalid('(top level)', `must be an object with "version" and "models", got ${describe(doc)}`);
  const extra = Object.keys(doc).filter((k) => k !== 'version' && k !== 'models');
  if (extra.length > 0) return invalid(extra[0] as string, 'is not a top-level field (version, models)');
  if (doc.version !== 1) return invalid('version', `must be 1, got ${describe(doc.version)}`);
  if (!Array.isArray(doc.models)) return invalid('models', `must be an array, got ${describe(doc.models)}`);
  const models: ManifestModel[] = [];
  const seen = new Map<string, number>();
  for (const [i, entry] of doc.models.entries()) {
    const m = model(entry, `models[${i}]`);
    if (!m.ok) return invalid(m.error.at, m.error.message);
    const before = seen.get(m.value.name);
    if (before !== undefined) return invalid(`models[${i}].name`, `repeats ${describe(m.value.name)} of models[${before}]`);
    seen.set(m.value.name, i);
    models.push(m.value);
  }
  return ok({ version: 1, models });
}

/** Parses manifest text (JSON). */
export function parseManifest(text: string, file: string): Result<Manifest, ManifestError> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return err({ kind: 'bad-json', file, message: `not valid JSON: ${(e as Error).message}` });
  }
  return validateManifest(doc, file);
}

/** Reads and validates a manifest; with checkFiles, also that every module and cfg exists next to it. */
export async function loadManifest(file: string, opts: { readonly checkFiles?: boolean } = {}): Promise<Result<Manifest, ManifestError>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? String(e));
    return err({ kind: 'unreadable', file, message: reason });
  }
  const parsed = parseManifest(text, file);
  if (!parsed.ok || opts.checkFiles !== true) return parsed;
  const dir = dirname(file);
  for (const [i, m] of parsed.value.models.entries()) {
    for (const key of ['module', 'cfg'] as const) {
      const path = join(dir, m[key]);
      const info = await stat(path).catch(() => undefined);
      if (info === undefined || !info.isFile()) {
        return err({ kind: 'missing-file', file, at: `models[${i}].${key}`, message: `${path} does not exist` });
      }
    }
  }
  return parsed;
}

/** One line: `spec/manifest.json: models[2].distinct: must be a non-negative integer, got string "12"`. */
export function formatManifestError(e: ManifestError): string {
  return `${e.file}: ${e.at !== undefined ? `${e.at}: ` : ''}${e.message}`;
}
