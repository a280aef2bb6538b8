// A canonical text key for a TLA+ value: two values have the same key exactly when tlaEqual says they are
// equal. Sets list their elements' keys sorted and without duplicates; sequences, records and `:>` functions
// are all functions and list `domain key:value key` pairs sorted by the domain key (so `<<a, b>>` and
// `(1 :> a @@ 2 :> b)` share a key, as they are equal). Used to de-duplicate states in hash sets and maps.

import type { TlaValue } from './value.js';

const keys = new WeakMap<TlaValue, string>();

/**
 * `[k:v,…]` over the domain keys `ks` and value keys `vs`, sorted by domain key, each domain key once (the first
 * listed wins, as a stable sort keeps it first). Values are mostly built in key order already: then no sort.
 */
function pairsKey(ks: readonly string[], vs: readonly string[]): string {
  let sorted = true;
  for (let i = 1; i < ks.length; i++) {
    if ((ks[i - 1] as string) >= (ks[i] as string)) {
      sorted = false;
      break;
    }
  }
  let order: number[] | undefined;
  if (!sorted) {
    order = ks.map((_, i) => i);
    order.sort((a, b) => {
      const x = ks[a] as string;
      const y = ks[b] as string;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
  }
  let out = '[';
  let last: string | undefined;
  for (let j = 0; j < ks.length; j++) {
    const i = order === undefined ? j : (order[j] as number);
    const k = ks[i] as string;
    if (k === last) continue; // a function lists each domain element once
    if (last !== undefined) out += ',';
    out += `${k}:${vs[i] as string}`;
    last = k;
  }
  return `${out}]`;
}

/** "1", "2", …: the domain keys of sequences, shared. */
const indexKeys: string[] = [];

function indexKey(i: number): string {
  let k = indexKeys[i];
  if (k === undefined) {
    k = String(i + 1);
    if (i < 4096) indexKeys[i] = k;
  }
  return k;
}

export function tlaKey(v: TlaValue): string {
  return keyOf(v, true);
}

/**
 * The same key, for a value built once and keyed once (a state the explorer has just abstracted): composite
 * values' keys are not remembered, which spares a weak-map entry per node the garbage collector must then trace.
 * Keys already remembered are still used.
 */
export function tlaKeyOnce(v: TlaValue): string {
  return keyOf(v, false);
}

const quoted = new Map<string, string>();

/** A string's key (a field name's too): the string quoted, remembered for the few names and tags states repeat. */
function fieldKey(f: string): string {
  let k = quoted.get(f);
  if (k === undefined) {
    k = JSON.stringify(f);
    if (quoted.size < 4096 && f.length <= 64) quoted.set(f, k); // parsed input may hold any number of strings
  }
  return k;
}

const smallIntKeys: string[] = [];

function intKey(n: bigint): string {
  if (n < 0n || n > 4095n) return n.toString();
  const i = Number(n);
  return (smallIntKeys[i] ??= n.toString());
}

function keyOf(v: TlaValue, store: boolean): string {
  switch (v.kind) {
    case 'bool':
      return v.value ? 'T' : 'F';
    case 'int':
      return intKey(v.value);
    case 'str':
      return fieldKey(v.value);
    case 'modelValue':
      return `@${v.name}`;
    default: {
      let k = keys.get(v);
      if (k !== undefined) return k;
      switch (v.kind) {
        case 'set': {
          const elems = [...new Set(v.elems.map((e) => keyOf(e, store)))].sort();
          k = `{${elems.join(',')}}`;
          break;
        }
        case 'seq':
          k = pairsKey(
            v.elems.map((_, i) => indexKey(i)),
            v.elems.map((e) => keyOf(e, store)),
          );
          break;
        case 'record':
          k = pairsKey(
            v.fields.map(([f]) => fieldKey(f)),
            v.fields.map(([, e]) => keyOf(e, store)),
          );
          break;
        case 'fn':
          k = pairsKey(
            v.entries.map(([a]) => keyOf(a, store)),
            v.entries.map(([, b]) => keyOf(b, store)),
          );
          break;
      }
      if (store) keys.set(v, k);
      return k;
    }
  }
}
