// Equality, a total order and a path-naming diff for TLA+ values with TLA+'s meaning: sets ignore order and
// duplicates; sequences, records and `:>` functions are all functions, equal when their (key, value) pairs are
// (so `<<a, b>>` equals `(1 :> a @@ 2 :> b)`, as in TLC); a set never equals a function or a scalar.

import { isTlaIdentifier, printTla, quoteTlaString } from './print.js';
import type { TlaValue } from './value.js';

type Pair = readonly [TlaValue, TlaValue];
type FnLike = TlaValue & { kind: 'seq' | 'record' | 'fn' };
type SetValue = TlaValue & { kind: 'set' };

/** Kind ranks for the total order; the three function kinds share one rank. */
const RANK: Record<TlaValue['kind'], number> = { bool: 0, int: 1, str: 2, modelValue: 3, set: 4, seq: 5, record: 5, fn: 5 };

const isFnLike = (v: TlaValue): v is FnLike => v.kind === 'seq' || v.kind === 'record' || v.kind === 'fn';

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Canonical forms are cached per value object: values are immutable once built.
const canonicalSets = new WeakMap<TlaValue, readonly TlaValue[]>();
const canonicalFns = new WeakMap<TlaValue, readonly Pair[]>();
const canonicalRecords = new WeakMap<TlaValue, readonly (readonly [string, TlaValue])[]>();

/** The elements sorted by tlaCompare, duplicates removed. */
export function canonicalSetElems(v: SetValue): readonly TlaValue[] {
  let c = canonicalSets.get(v);
  if (c === undefined) {
    const sorted = v.elems.slice().sort(tlaCompare);
    const out: TlaValue[] = [];
    for (const e of sorted) {
      const last = out[out.length - 1];
      if (last === undefined || tlaCompare(last, e) !== 0) out.push(e);
    }
    c = out;
    canonicalSets.set(v, c);
  }
  return c;
}

function comparePairs(x: Pair, y: Pair): number {
  return tlaCompare(x[0], y[0]) || tlaCompare(x[1], y[1]);
}

/** The (key, value) pairs sorted by key then value, identical pairs removed. */
export function canonicalPairs(v: FnLike): readonly Pair[] {
  let c = canonicalFns.get(v);
  if (c === undefined) {
    switch (v.kind) {
      case 'seq':
        c = v.elems.map((e, i) => [{ kind: 'int', value: BigInt(i + 1) }, e] as const);
        break;
      case 'record':
        c = canonicalRecord(v).map(([f, e]) => [{ kind: 'str', value: f }, e] as const);
        break;
      case 'fn': {
        const sorted = v.entries.slice().sort(comparePairs);
        const out: Pair[] = [];
        for (const p of sorted) {
          const last = out[out.length - 1];
          if (last === undefined || comparePairs(last, p) !== 0) out.push(p);
        }
        c = out;
        break;
      }
    }
    canonicalFns.set(v, c);
  }
  return c;
}

function canonicalRecord(v: TlaValue & { kind: 'record' }): readonly (readonly [string, TlaValue])[] {
  let c = canonicalRecords.get(v);
  if (c === undefined) {
    const sorted = v.fields.slice().sort((x, y) => compareStrings(x[0], y[0]) || tlaCompare(x[1], y[1]));
    const out: (readonly [string, TlaValue])[] = [];
    for (const f of sorted) {
      const last = out[out.length - 1];
      if (last === undefined || last[0] !== f[0] || tlaCompare(last[1], f[1]) !== 0) out.push(f);
    }
    c = out;
    canonicalRecords.set(v, c);
  }
  return c;
}

function compareLists<T>(a: readonly T[], b: readonly T[], cmp: (x: T, y: T) => number): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const r = cmp(a[i] as T, b[i] as T);
    if (r !== 0) return r;
  }
  return a.length - b.length;
}

function compareFields(x: readonly [string, TlaValue], y: readonly [string, TlaValue]): number {
  return compareStrings(x[0], y[0]) || tlaCompare(x[1], y[1]);
}

function compareFunctions(a: FnLike, b: FnLike): number {
  if (a.kind === 'seq' && b.kind === 'seq') return compareLists(a.elems, b.elems, tlaCompare);
  if (a.kind === 'record' && b.kind === 'record') return compareLists(canonicalRecord(a), canonicalRecord(b), compareFields);
  return compareLists(canonicalPairs(a), canonicalPairs(b), comparePairs);
}

/**
 * A total order on values, consistent with tlaEqual (0 exactly when equal): by kind (booleans, integers,
 * strings, model values, sets, functions), then by content — sets by their sorted distinct elements, functions
 * by their (key, value) pairs sorted by key. Result is negative, zero or positive.
 */
export function tlaCompare(a: TlaValue, b: TlaValue): number {
  if (a === b) return 0;
  const ra = RANK[a.kind];
  const rb = RANK[b.kind];
  if (ra !== rb) return ra - rb;
  switch (a.kind) {
    case 'bool':
      return Number(a.value) - Number((b as typeof a).value);
    case 'int': {
      const y = (b as typeof a).value;
      return a.value < y ? -1 : a.value > y ? 1 : 0;
    }
    case 'str':
      return compareStrings(a.value, (b as typeof a).value);
    case 'modelValue':
      return compareStrings(a.name, (b as typeof a).name);
    case 'set':
      return compareLists(canonicalSetElems(a), canonicalSetElems(b as SetValue), tlaCompare);
    case 'seq':
    case 'record':
    case 'fn':
      return compareFunctions(a, b as FnLike);
  }
}

/** Structural equality with TLA+'s meaning (see the file comment). Fast when both sides are in the same order. */
export function tlaEqual(a: TlaValue, b: TlaValue): boolean {
  if (a === b) return true;
  switch (a.kind) {
    case 'bool':
      return b.kind === 'bool' && a.value === b.value;
    case 'int':
      return b.kind === 'int' && a.value === b.value;
    case 'str':
      return b.kind === 'str' && a.value === b.value;
    case 'modelValue':
      return b.kind === 'modelValue' && a.name === b.name;
    case 'set': {
      if (b.kind !== 'set') return false;
      if (sameOrder(a.elems, b.elems)) return true;
      return compareLists(canonicalSetElems(a), canonicalSetElems(b), tlaCompare) === 0;
    }
    case 'seq': {
      if (b.kind === 'seq') return a.elems.length === b.elems.length && sameOrder(a.elems, b.elems);
      if (!isFnLike(b)) return false;
      const fast = fnLikeEqualFast(a, b);
      return fast ?? compareFunctions(a, b) === 0;
    }
    case 'record': {
      if (b.kind === 'record') {
        const fa = a.fields;
        const fb = b.fields;
        if (fa.length === fb.length) {
          let same = true;
          for (let i = 0; i < fa.length; i++) {
            const x = fa[i] as readonly [string, TlaValue];
            const y = fb[i] as readonly [string, TlaValue];
            if (x[0] !== y[0] || !tlaEqual(x[1], y[1])) {
              same = false;
              break;
            }
          }
          if (same) return true;
          if (sameFieldsAnyOrder(fa, fb)) return true;
        }
        return compareFunctions(a, b) === 0;
      }
      if (!isFnLike(b)) return false;
      return fnLikeEqualFast(a, b) ?? compareFunctions(a, b) === 0;
    }
    case 'fn': {
      if (b.kind === 'fn' && a.entries.length === b.entries.length) {
        let same = true;
        for (let i = 0; i < a.entries.length; i++) {
          const x = a.entries[i] as Pair;
          const y = b.entries[i] as Pair;
          if (!tlaEqual(x[0], y[0]) || !tlaEqual(x[1], y[1])) {
            same = false;
            break;
          }
        }
        if (same) return true;
      }
      if (!isFnLike(b)) return false;
      return fnLikeEqualFast(a, b) ?? compareFunctions(a, b) === 0;
    }
  }
}

/** The number of (key, value) pairs a function-like value lists (before removing duplicates). */
function pairCount(v: FnLike): number {
  return v.kind === 'seq' ? v.elems.length : v.kind === 'record' ? v.fields.length : v.entries.length;
}

/** Whether pair i of v has the given key; seq and record keys are compared without building values. */
function keyAt(v: FnLike, i: number, key: TlaValue): boolean {
  switch (v.kind) {
    case 'seq':
      return key.kind === 'int' && key.value === BigInt(i + 1);
    case 'record':
      return key.kind === 'str' && key.value === (v.fields[i] as readonly [string, TlaValue])[0];
    case 'fn':
      return tlaEqual((v.entries[i] as Pair)[0], key);
  }
}

function keyOf(v: FnLike, i: number): TlaValue {
  switch (v.kind) {
    case 'seq':
      return { kind: 'int', value: BigInt(i + 1) };
    case 'record':
      return { kind: 'str', value: (v.fields[i] as readonly [string, TlaValue])[0] };
    case 'fn':
      return (v.entries[i] as Pair)[0];
  }
}

function valueAt(v: FnLike, i: number): TlaValue {
  switch (v.kind) {
    case 'seq':
      return v.elems[i] as TlaValue;
    case 'record':
      return (v.fields[i] as readonly [string, TlaValue])[1];
    case 'fn':
      return (v.entries[i] as Pair)[1];
  }
}

/**
 * Equality of two function-like values of different kinds or orders without canonical forms: the same number
 * of pairs, the same keys, and equal values under each key. Only ever answers true; undefined means "use the
 * canonical comparison" (a difference, duplicated pairs, or values too large for the quadratic search).
 */
function fnLikeEqualFast(a: FnLike, b: FnLike): boolean | undefined {
  const n = pairCount(a);
  if (n !== pairCount(b) || n > 64) return undefined;
  for (let i = 0; i < n; i++) {
    const key = keyOf(a, i);
    let j = keyAt(b, i, key) ? i : -1;
    for (let k = 0; j < 0 && k < n; k++) if (k !== i && keyAt(b, k, key)) j = k;
    if (j < 0) return undefined;
    if (!tlaEqual(valueAt(a, i), valueAt(b, j))) return undefined;
  }
  // With duplicates on one side the same count does not mean the same keys: check the other direction too.
  for (let i = 0; i < n; i++) {
    const key = keyOf(b, i);
    let found = keyAt(a, i, key);
    for (let k = 0; !found && k < n; k++) found = keyAt(a, k, key);
    if (!found) return undefined;
  }
  return true;
}

/**
 * Records of equal length whose fields are printed in different orders (TLC sorts them; code builds them in
 * declaration order): a field-by-field look-up, without allocating canonical forms. Field names are unique.
 */
function sameFieldsAnyOrder(fa: readonly (readonly [string, TlaValue])[], fb: readonly (readonly [string, TlaValue])[]): boolean {
  for (const [name, value] of fa) {
    let found = false;
    for (const [other, v] of fb) {
      if (other === name) {
        if (!tlaEqual(value, v)) return false;
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

/** Same length and pairwise equal in the given order. */
function sameOrder(a: readonly TlaValue[], b: readonly TlaValue[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!tlaEqual(a[i] as TlaValue, b[i] as TlaValue)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Paths and differences

/** One step into a value: a record field, a sequence position (1-based, as in TLA+), or a function key. */
export type PathSegment =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'key'; readonly key: TlaValue };

/**
 * Renders a path the way a kernel engineer reads it: `pages[3].refcount`, `iter.segs[2]`, `owner(A)`,
 * `fn(<<1, 2>>)`. Integer keys use brackets like sequence positions; other keys use parentheses.
 */
export function formatPath(root: string, segments: readonly PathSegment[]): string {
  let out = root;
  for (const seg of segments) {
    switch (seg.kind) {
      case 'field':
        if (isTlaIdentifier(seg.name)) out += out === '' ? seg.name : '.' + seg.name;
        else out += '[' + quoteTlaString(seg.name) + ']';
        break;
      case 'index':
        out += `[${seg.index}]`;
        break;
      case 'key':
        out += seg.key.kind === 'int' ? `[${seg.key.value}]` : `(${printTla(seg.key)})`;
        break;
      default: {
        const unhandled: never = seg;
        return unhandled;
      }
    }
  }
  return out;
}

export interface TlaDifference {
  /** Where the values differ, e.g. `pages[3].refcount`; the root name alone when the whole value differs. */
  readonly path: string;
  readonly expected?: TlaValue;
  readonly actual?: TlaValue;
  readonly note?: string;
}

const KIND_NAME: Record<TlaValue['kind'], string> = {
  bool: 'a boolean',
  int: 'an integer',
  str: 'a string',
  modelValue: 'a model value',
  set: 'a set',
  seq: 'a sequence',
  record: 'a record',
  fn: 'a function',
};

/**
 * The differences between two values, each at the deepest path where the two sides still correspond: a
 * changed field of a record inside a sequence is reported as `segs[2].len`, not as the whole sequence. Set
 * differences name the missing and unexpected elements at the set's path. At most `limit` entries.
 */
export function tlaDiff(expected: TlaValue, actual: TlaValue, root = '', limit = 100): TlaDifference[] {
  const out: TlaDifference[] = [];
  diffInto(expected, actual, root, [], out, limit);
  return out;
}

function diffInto(e: TlaValue, a: TlaValue, root: string, path: PathSegment[], out: TlaDifference[], limit: number): void {
  if (out.length >= limit || tlaEqual(e, a)) return;
  const here = (): string => formatPath(root, path);
  const at = (seg: PathSegment, f: () => void): void => {
    path.push(seg);
    f();
    path.pop();
  };
  if (e.kind === 'set' && a.kind === 'set') {
    const ce = canonicalSetElems(e);
    const ca = canonicalSetElems(a);
    let i = 0;
    let j = 0;
    while ((i < ce.length || j < ca.length) && out.length < limit) {
      const x = ce[i];
      const y = ca[j];
      const c = x === undefined ? 1 : y === undefined ? -1 : tlaCompare(x, y);
      if (c === 0) {
        i++;
        j++;
      } else if (c < 0) {
        out.push({ path: here(), expected: x, note: 'element missing from the set' });
        i++;
      } else {
        out.push({ path: here(), actual: y, note: 'unexpected element in the set' });
        j++;
      }
    }
    return;
  }
  if (isFnLike(e) && isFnLike(a)) {
    if (e.kind === 'seq' && a.kind === 'seq') {
      const n = Math.max(e.elems.length, a.elems.length);
      for (let k = 0; k < n && out.length < limit; k++) {
        const x = e.elems[k];
        const y = a.elems[k];
        at({ kind: 'index', index: k + 1 }, () => {
          if (x !== undefined && y !== undefined) diffInto(x, y, root, path, out, limit);
          else if (x !== undefined) out.push({ path: here(), expected: x, note: `missing: the sequence has ${a.elems.length} elements, expected ${e.elems.length}` });
          else if (y !== undefined) out.push({ path: here(), actual: y, note: `unexpected: the sequence has ${a.elems.length} elements, expected ${e.elems.length}` });
        });
      }
      return;
    }
    const pe = canonicalPairs(e);
    const pa = canonicalPairs(a);
    const segFor = (k: TlaValue): PathSegment =>
      k.kind === 'str' && (e.kind === 'record' || a.kind === 'record')
        ? { kind: 'field', name: k.value }
        : k.kind === 'int' && e.kind === 'seq'
          ? { kind: 'index', index: Number(k.value) }
          : { kind: 'key', key: k };
    const what = e.kind === 'record' ? 'field' : 'key';
    let i = 0;
    let j = 0;
    while ((i < pe.length || j < pa.length) && out.length < limit) {
      const x = pe[i];
      const y = pa[j];
      const c = x === undefined ? 1 : y === undefined ? -1 : tlaCompare(x[0], y[0]);
      if (c === 0 && x !== undefined && y !== undefined) {
        at(segFor(x[0]), () => diffInto(x[1], y[1], root, path, out, limit));
        i++;
        j++;
      } else if (c < 0 && x !== undefined) {
        at(segFor(x[0]), () => out.push({ path: here(), expected: x[1], note: `${what} missing` }));
        i++;
      } else if (y !== undefined) {
        at(segFor(y[0]), () => out.push({ path: here(), actual: y[1], note: `unexpected ${what}` }));
        j++;
      }
    }
    return;
  }
  const note = RANK[e.kind] !== RANK[a.kind] ? `expected ${KIND_NAME[e.kind]}, found ${KIND_NAME[a.kind]}` : undefined;
  out.push(note === undefined ? { path: here(), expected: e, actual: a } : { path: here(), expected: e, actual: a, note });
}
