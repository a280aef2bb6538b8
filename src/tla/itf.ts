// ITF (Informal Trace Format, Apalache ADR-015) encoding and decoding of TLA+ values and whole traces.
// Lossless for every TlaValue: each kind has its own JSON form, so decode(encode(t)) gives back t exactly.

import { err, ok, type Result } from '../shared/result.js';
import type { TlcActionHeader, Trace, TraceMeta, TraceState } from './trace.js';
import { sharedInt } from './value.js';
import type { TlaValue } from './value.js';

/*
 * Value encoding (ADR-015 plus one documented choice):
 *   bool  -> true / false
 *   int   -> JSON number when a safe integer (|n| <= 2^53 - 1), else {"#bigint": "-123…"}
 *   str   -> JSON string
 *   set   -> {"#set": [...]}
 *   seq   -> [...]
 *   record-> {"field": value, ...}; a record with a field name starting with '#' (which ITF reserves) or with a
 *            repeated field name is written as {"#map": [["field", value], ...]} instead
 *   fn    -> {"#map": [[key, value], ...]}
 *   model value -> {"#unserializable": "<name>"}: ITF has no form for uninterpreted constants (Apalache writes
 *            them as strings such as "a_OF_T", which would be confused with TLA+ strings), and its
 *            "#unserializable" form carries the value's printed representation, which for a TLC model value is
 *            its bare name. Decoding reads any {"#unserializable": s} back as the model value named s.
 * Decoding also accepts {"#tup": [...]} (as a sequence) and {"#bigint"} for any integer; any other '#' key is
 * an error naming the JSON path.
 */

export type ItfErrorKind = 'json-syntax' | 'not-a-trace' | 'bad-value' | 'unknown-tag' | 'missing-variable' | 'bad-meta';

export interface ItfError {
  readonly kind: ItfErrorKind;
  readonly message: string;
  /** JSON path of the offending part, e.g. `$.states[3].pages["#map"][0][1]`. */
  readonly path?: string;
  /** For JSON syntax errors: 1-based line and column, and the offset. */
  readonly line?: number;
  readonly col?: number;
  readonly offset?: number;
}

const KIND_TEXT: Record<ItfErrorKind, string> = {
  'json-syntax': 'not valid JSON',
  'not-a-trace': 'not an ITF trace',
  'bad-value': 'not an ITF value',
  'unknown-tag': 'unknown ITF tag',
  'missing-variable': 'state lacks a variable',
  'bad-meta': 'malformed #meta',
};

function itfError(kind: ItfErrorKind, path: string, detail: string): ItfError {
  return { kind, path, message: `${path}: ${KIND_TEXT[kind]}: ${detail}` };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** An object without a prototype, so that keys such as `__proto__` are plain data. */
function dict(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------------
// Values

export function encodeItfValue(v: TlaValue): unknown {
  switch (v.kind) {
    case 'bool':
      return v.value;
    case 'int':
      return v.value >= -MAX_SAFE && v.value <= MAX_SAFE ? Number(v.value) : { '#bigint': v.value.toString() };
    case 'str':
      return v.value;
    case 'modelValue':
      return { '#unserializable': v.name };
    case 'set':
      return { '#set': v.elems.map(encodeItfValue) };
    case 'seq':
      return v.elems.map(encodeItfValue);
    case 'record': {
      const o = dict();
      for (const [name, e] of v.fields) {
        if (name.startsWith('#') || Object.prototype.hasOwnProperty.call(o, name)) {
          return { '#map': v.fields.map(([f, x]) => [f, encodeItfValue(x)]) };
        }
        o[name] = encodeItfValue(e);
      }
      return o;
    }
    case 'fn':
      return { '#map': v.entries.map(([k, e]) => [encodeItfValue(k), encodeItfValue(e)]) };
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Decodes one ITF value; `path` names it in errors. */
export function decodeItfValue(json: unknown, path = '$'): Result<TlaValue, ItfError> {
  const v = new Decoder(false).value(json, path);
  if (v !== FAILED) return ok(v);
  // Decode again, this time building the JSON path of every part, to say where the problem is.
  const slow = new Decoder(true);
  slow.value(json, path);
  return err(slow.error ?? itfError('bad-value', path, 'not a value'));
}

const FAILED: TlaValue = { kind: 'bool', value: false };

/**
 * Decodes values; the first problem makes it return FAILED. Paths are only built when `track` is set (the
 * second pass after a failure), since naming every part of a large trace would cost more than decoding it.
 */
class Decoder {
  error: ItfError | undefined;
  private depth = 0;

  constructor(private readonly track: boolean) {}

  private fail(kind: ItfErrorKind, path: string, detail: string): TlaValue {
    if (this.track) this.error ??= itfError(kind, path, detail);
    return FAILED;
  }

  private index(path: string, i: number): string {
    return this.track ? `${path}[${i}]` : path;
  }

  private key(path: string, k: string): string {
    return this.track ? `${path}${jsonKey(k)}` : path;
  }

  value(j: unknown, path: string): TlaValue {
    switch (typeof j) {
      case 'boolean':
        return { kind: 'bool', value: j };
      case 'string':
        return { kind: 'str', value: j };
      case 'number':
        if (!Number.isSafeInteger(j)) {
          return this.fail('bad-value', path, `${j} is not an integer in the safe range; write it as {"#bigint": "…"}`);
        }
        return sharedInt(j);
      case 'object': {
        if (j === null) return this.fail('bad-value', path, 'null is not a value');
        if (this.depth >= MAX_ITF_DEPTH) return this.fail('bad-value', path, `nested more than ${MAX_ITF_DEPTH} levels deep`);
        this.depth++;
        let v: TlaValue;
        if (Array.isArray(j)) {
          const elems = this.list(j, path);
          v = elems === undefined ? FAILED : { kind: 'seq', elems };
        } else v = this.object(j as Record<string, unknown>, path);
        this.depth--;
        return v;
      }
      default:
        return this.fail('bad-value', path, `a JSON ${typeof j} is not a value`);
    }
  }

  private list(items: readonly unknown[], path: string): TlaValue[] | undefined {
    const out: TlaValue[] = new Array<TlaValue>(items.length);
    for (let i = 0; i < items.length; i++) {
      const v = this.value(items[i], this.index(path, i));
      if (v === FAILED) return undefined;
      out[i] = v;
    }
    return out;
  }

  private object(o: Record<string, unknown>, path: string): TlaValue {
    const keys = Object.keys(o);
    let tag: string | undefined;
    for (const k of keys) {
      if (k.charCodeAt(0) === 35) {
        tag = k;
        break;
      }
    }
    if (tag === undefined) {
      const fields: (readonly [string, TlaValue])[] = new Array(keys.length);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        const v = this.value(o[k], this.key(path, k));
        if (v === FAILED) return FAILED;
        fields[i] = [k, v];
      }
      return { kind: 'record', fields };
    }
    const at = this.key(path, tag);
    if (keys.length !== 1) return this.fail('bad-value', path, `a "${tag}" object must have no other keys, found ${keys.map((k) => JSON.stringify(k)).join(', ')}`);
    const body = o[tag];
    switch (tag) {
      case '#bigint':
        if (typeof body !== 'string' || !isIntegerText(body)) return this.fail('bad-value', at, `expected a decimal integer string, found ${brief(body)}`);
        return { kind: 'int', value: BigInt(body) };
      case '#set':
      case '#tup': {
        if (!Array.isArray(body)) return this.fail('bad-value', at, `expected an array, found ${brief(body)}`);
        const elems = this.list(body, at);
        if (elems === undefined) return FAILED;
        return tag === '#set' ? { kind: 'set', elems } : { kind: 'seq', elems };
      }
      case '#map': {
        if (!Array.isArray(body)) return this.fail('bad-value', at, `expected an array of [key, value] pairs, found ${brief(body)}`);
        const entries: (readonly [TlaValue, TlaValue])[] = new Array(body.length);
        for (let i = 0; i < body.length; i++) {
          const pair: unknown = body[i];
          const here = this.index(at, i);
          if (!Array.isArray(pair) || pair.length !== 2) return this.fail('bad-value', here, `expected a [key, value] pair, found ${brief(pair)}`);
          const k = this.value(pair[0], this.index(here, 0));
          if (k === FAILED) return FAILED;
          const v = this.value(pair[1], this.index(here, 1));
          if (v === FAILED) return FAILED;
          entries[i] = [k, v];
        }
        return { kind: 'fn', entries };
      }
      case '#unserializable':
        if (typeof body !== 'string') return this.fail('bad-value', at, `expected a string, found ${brief(body)}`);
        return { kind: 'modelValue', name: body };
      default:
        return this.fail('unknown-tag', at, `"${tag}" (known: #bigint, #set, #tup, #map, #unserializable)`);
    }
  }
}

/** Deepest nesting decoded; deeper input is refused instead of exhausting the stack. */
export const MAX_ITF_DEPTH = 1000;

function isIntegerText(s: string): boolean {
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (i >= s.length) return false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function jsonKey(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

function brief(j: unknown): string {
  if (j === undefined) return 'nothing';
  const s = JSON.stringify(j) ?? String(j);
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

// ---------------------------------------------------------------------------------------------------------
// Traces

const HEADER_KEYS = ['name', 'module', 'line', 'col', 'endLine', 'endCol'] as const;

function encodeHeader(h: TlcActionHeader): Record<string, unknown> {
  const o = dict();
  for (const k of HEADER_KEYS) if (h[k] !== undefined) o[k] = h[k];
  return o;
}

/**
 * The ITF object of a trace: `#meta` (the trace's meta), `vars`, and `states`, each state with
 * `#meta: {index, header?}` (header = TLC's action header: name, module, line, col, endLine, endCol) and one key
 * per variable in `vars` order, then any other keys the state holds. A lasso (#meta.loopIndex) also gets ITF's own
 * top-level `loop`: the index of the state the last state loops back to.
 */
export function traceToItf(trace: Trace): Record<string, unknown> {
  const out = dict();
  out['#meta'] = jsonSafe(trace.meta);
  if (typeof trace.meta.loopIndex === 'number') out['loop'] = trace.meta.loopIndex;
  out['vars'] = [...trace.vars];
  out['states'] = trace.states.map((s) => {
    const o = dict();
    const meta = dict();
    meta['index'] = s.index;
    if (s.header !== undefined) meta['header'] = encodeHeader(s.header);
    o['#meta'] = meta;
    for (const name of trace.vars) {
      const v = s.values.get(name);
      if (v !== undefined) o[name] = encodeItfValue(v);
    }
    for (const [name, v] of s.values) if (!Object.prototype.hasOwnProperty.call(o, name)) o[name] = encodeItfValue(v);
    return o;
  });
  return out;
}

/** Meta is free-form data; anything JSON cannot hold (bigint, functions, undefined) is dropped or stringified. */
function jsonSafe(meta: TraceMeta): Json {
  const walk = (x: unknown): Json | undefined => {
    switch (typeof x) {
      case 'string':
      case 'boolean':
        return x;
      case 'number':
        return Number.isFinite(x) ? x : undefined;
      case 'bigint':
        return x.toString();
      case 'object': {
        if (x === null) return null;
        if (Array.isArray(x)) return x.map((e) => walk(e) ?? null);
        const o = dict() as { [k: string]: Json };
        for (const [k, e] of Object.entries(x)) {
          const w = walk(e);
          if (w !== undefined) o[k] = w;
        }
        return o;
      }
      default:
        return undefined;
    }
  };
  return walk(meta) ?? {};
}

/** Reads an ITF trace object (ours or another tool's). `params` and `loop`, if present, are kept in meta. */
export function itfToTrace(json: unknown): Result<Trace, ItfError> {
  if (!isObject(json)) return err(itfError('not-a-trace', '$', `expected an object with "vars" and "states", found ${brief(json)}`));
  const metaJson = json['#meta'];
  if (metaJson !== undefined && !isObject(metaJson)) return err(itfError('bad-meta', '$["#meta"]', `expected an object, found ${brief(metaJson)}`));
  const varsJson = json['vars'];
  if (!Array.isArray(varsJson) || !varsJson.every((v): v is string => typeof v === 'string')) {
    return err(itfError('not-a-trace', '$.vars', `expected an array of variable names, found ${brief(varsJson)}`));
  }
  const statesJson = json['states'];
  if (!Array.isArray(statesJson)) return err(itfError('not-a-trace', '$.states', `expected an array of states, found ${brief(statesJson)}`));
  const meta: Record<string, unknown> = { ...(metaJson ?? {}) };
  if (json['params'] !== undefined) meta['params'] = json['params'];
  if (json['loop'] !== undefined) meta['loop'] = json['loop'];

  const dec = new Decoder(false);
  const decode = (j: unknown, path: string): Result<TlaValue, ItfError> => {
    const v = dec.value(j, path);
    return v === FAILED ? decodeItfValue(j, path) : ok(v);
  };
  const states: TraceState[] = [];
  for (let i = 0; i < statesJson.length; i++) {
    const path = `$.states[${i}]`;
    const sj: unknown = statesJson[i];
    if (!isObject(sj)) return err(itfError('not-a-trace', path, `expected a state object, found ${brief(sj)}`));
    let index = i;
    let header: TlcActionHeader | undefined;
    const sm = sj['#meta'];
    if (sm !== undefined) {
      if (!isObject(sm)) return err(itfError('bad-meta', `${path}["#meta"]`, `expected an object, found ${brief(sm)}`));
      if (sm['index'] !== undefined) {
        if (typeof sm['index'] !== 'number' || !Number.isSafeInteger(sm['index']) || sm['index'] < 0) {
          return err(itfError('bad-meta', `${path}["#meta"].index`, `expected a non-negative integer, found ${brief(sm['index'])}`));
        }
        index = sm['index'];
      }
      if (sm['header'] !== undefined) {
        const h = decodeHeader(sm['header'], `${path}["#meta"].header`);
        if (!h.ok) return h;
        header = h.value;
      }
    }
    const values = new Map<string, TlaValue>();
    for (const name of varsJson) {
      if (!Object.prototype.hasOwnProperty.call(sj, name)) {
        return err(itfError('missing-variable', `${path}${jsonKey(name)}`, `state ${i} has no value for variable "${name}"`));
      }
      const v = decode(sj[name], `${path}${jsonKey(name)}`);
      if (!v.ok) return v;
      values.set(name, v.value);
    }
    for (const name of Object.keys(sj)) {
      if (name === '#meta' || values.has(name)) continue;
      const v = decode(sj[name], `${path}${jsonKey(name)}`);
      if (!v.ok) return v;
      values.set(name, v.value);
    }
    states.push(header === undefined ? { index, values } : { index, values, header });
  }
  return ok({ meta: meta as TraceMeta, vars: varsJson, states });
}

function decodeHeader(j: unknown, path: string): Result<TlcActionHeader, ItfError> {
  if (!isObject(j) || typeof j['name'] !== 'string') return err(itfError('bad-meta', path, `expected {"name": …, "module"?, "line"?, …}, found ${brief(j)}`));
  const h: Record<string, string | number> = { name: j['name'] };
  for (const k of HEADER_KEYS) {
    if (k === 'name' || j[k] === undefined) continue;
    const v = j[k];
    if (k === 'module' ? typeof v !== 'string' : typeof v !== 'number' || !Number.isSafeInteger(v)) {
      return err(itfError('bad-meta', `${path}.${k}`, `unexpected ${brief(v)}`));
    }
    h[k] = v as string | number;
  }
  return ok(h as unknown as TlcActionHeader);
}

function isObject(j: unknown): j is Record<string, unknown> {
  return typeof j === 'object' && j !== null && !Array.isArray(j);
}

/** Parses ITF text; JSON syntax errors come back with line, column and offset. */
export function parseItfText(text: string): Result<Trace, ItfError> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return err(jsonSyntaxError(text));
  }
  return itfToTrace(json);
}

/**
 * ITF text with a stable layout for diffs: keys "#meta", "vars", "states"; one state per block, one variable
 * per line, each value on one line.
 */
export function writeItf(trace: Trace): string {
  const itf = traceToItf(trace);
  const lines: string[] = ['{'];
  lines.push(`  "#meta": ${JSON.stringify(itf['#meta'])},`);
  if (itf['loop'] !== undefined) lines.push(`  "loop": ${JSON.stringify(itf['loop'])},`);
  lines.push(`  "vars": ${JSON.stringify(itf['vars'])},`);
  const states = itf['states'] as Record<string, unknown>[];
  if (states.length === 0) lines.push('  "states": []');
  else {
    lines.push('  "states": [');
    states.forEach((s, i) => {
      const keys = Object.keys(s);
      lines.push('    {');
      keys.forEach((k, j) => lines.push(`      ${JSON.stringify(k)}: ${JSON.stringify(s[k])}${j < keys.length - 1 ? ',' : ''}`));
      lines.push(i < states.length - 1 ? '    },' : '    }');
    });
    lines.push('  ]');
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------------
// Locating JSON syntax errors (only run after JSON.parse has failed, so speed does not matter here).

function jsonSyntaxError(text: string): ItfError {
  const { offset, detail } = findJsonError(text);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  const col = offset - lineStart + 1;
  return { kind: 'json-syntax', message: `line ${line}, col ${col}: ${KIND_TEXT['json-syntax']}: ${detail}`, line, col, offset };
}

/** A small JSON validator that reports where the text stops being JSON. */
function findJsonError(t: string): { offset: number; detail: string } {
  let i = 0;
  const ws = (): void => {
    while (i < t.length && (t[i] === ' ' || t[i] === '\n' || t[i] === '\r' || t[i] === '\t')) i++;
  };
  const what = (): string => (i >= t.length ? 'the end of the text' : JSON.stringify(t[i]));
  class Stop {
    constructor(readonly detail: string) {}
  }
  const stop = (detail: string): never => {
    throw new Stop(detail);
  };
  const str = (): void => {
    i++;
    for (;;) {
      if (i >= t.length) stop('unterminated string');
      const c = t.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32) stop('control character in string');
      if (c === 92) {
        const e = t[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(i + 2, i + 6))) stop('bad \\u escape');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else stop('bad escape');
      } else i++;
    }
  };
  const num = (): void => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(t.slice(i, i + 400));
    if (m === null || m[0] === '' || m[0] === '-') stop(`expected a value, found ${what()}`);
    i += (m as RegExpExecArray)[0].length;
  };
  const val = (depth: number): void => {
    if (depth > MAX_ITF_DEPTH) stop('nested too deeply');
    ws();
    const c = t[i];
    if (c === '{') {
      i++;
      ws();
      if (t[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (t[i] !== '"') stop(`expected a property name, found ${what()}`);
        str();
        ws();
        if (t[i] !== ':') stop(`expected ':', found ${what()}`);
        i++;
        val(depth + 1);
        ws();
        if (t[i] === ',') {
          i++;
          continue;
        }
        if (t[i] === '}') {
          i++;
          return;
        }
        stop(`expected ',' or '}', found ${what()}`);
      }
    } else if (c === '[') {
      i++;
      ws();
      if (t[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        val(depth + 1);
        ws();
        if (t[i] === ',') {
          i++;
          continue;
        }
        if (t[i] === ']') {
          i++;
          return;
        }
        stop(`expected ',' or ']', found ${what()}`);
      }
    } else if (c === '"') str();
    else if (t.startsWith('true', i)) i += 4;
    else if (t.startsWith('false', i)) i += 5;
    else if (t.startsWith('null', i)) i += 4;
    else num();
  };
  try {
    val(0);
    ws();
    if (i < t.length) stop(`unexpected ${what()} after the JSON value`);
    return { offset: i, detail: 'JSON.parse refused the text' };
  } catch (e) {
    if (e instanceof Stop) return { offset: Math.min(i, t.length), detail: e.detail };
    return { offset: Math.min(i, t.length), detail: 'nested too deeply' };
  }
}
