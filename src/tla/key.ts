// A canonical text key for a TLA+ value: two values have the same key exactly when tlaEqual says they are
// equal. Sets list their elements' keys sorted and without duplicates; sequences, records and `:>` functions
// are all functions and list `domain key:value key` pairs sorted by the domain key (so `<<a, b>>` and
// `(1 :> a @@ 2 :> b)` share a key, as they are equal). Used to de-duplicate states in hash sets and maps.

import type { TlaValue } from './value.js';

const keys = new WeakMap<TlaValue, string>();

const byKey = (a: readonly [string, string], b: readonly [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function pairsKey(pairs: [string, string][]): string {
  pairs.sort(byKey);
  let out = '[';
  let last: string | undefined;
  for (const [k, v] of pairs) {
    if (k === last) continue; // a function lists each domain element once
    if (last !== undefined) out += ',';
    out += `${k}:${v}`;
    last = k;
  }
  return `${out}]`;
}

export function tlaKey(v: TlaValue): string {
  switch (v.kind) {
    case 'bool':
      return v.value ? 'T' : 'F';
    case 'int':
      return v.value.toString();
    case 'str':
      return JSON.stringify(v.value);
    case 'modelValue':
      return `@${v.name}`;
    default: {
      let k = keys.get(v);
      if (k !== undefined) return k;
      switch (v.kind) {
        case 'set': {
          const elems = [...new Set(v.elems.map(tlaKey))].sort();
          k = `{${elems.join(',')}}`;
          break;
        }
        case 'seq':
          k = pairsKey(v.elems.map((e, i) => [String(i + 1), tlaKey(e)]));
          break;
        case 'record':
          k = pairsKey(v.fields.map(([f, e]) => [JSON.stringify(f), tlaKey(e)]));
          break;
        case 'fn':
          k = pairsKey(v.entries.map(([a, b]) => [tlaKey(a), tlaKey(b)]));
          break;
      }
      keys.set(v, k);
      return k;
    }
  }
}
