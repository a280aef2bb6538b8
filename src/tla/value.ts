// TLA+ values as TLC prints them, kept lossless: a set is not a sequence, a model value is not a string,
// integers are exact bigints. Structural equality and a path-naming diff live here too.

export type TlaValue =
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'modelValue'; readonly name: string }
  /** `{a, b}`: element order as printed; equality ignores order and duplicates. */
  | { readonly kind: 'set'; readonly elems: readonly TlaValue[] }
  /** `<<a, b>>`: TLC prints tuples and sequences alike. */
  | { readonly kind: 'seq'; readonly elems: readonly TlaValue[] }
  /** `[a |-> 1, b |-> 2]`: field order as printed; equality ignores order. */
  | { readonly kind: 'record'; readonly fields: readonly (readonly [string, TlaValue])[] }
  /** `(k1 :> v1 @@ k2 :> v2)` or `[x \in S |-> e]`: a function with an arbitrary domain. */
  | { readonly kind: 'fn'; readonly entries: readonly (readonly [TlaValue, TlaValue])[] };

export type TlaKind = TlaValue['kind'];

export const tlaBool = (value: boolean): TlaValue => ({ kind: 'bool', value });
// Values are immutable and traces repeat the same small integers in every state, so small integers are shared
// objects: the parser, the ITF decoder and every binding's abstraction allocate each of them once.
const SMALL_MIN = -1024;
const SMALL_MAX = 65535;
const SMALL_INTS: (TlaValue | undefined)[] = new Array<TlaValue | undefined>(SMALL_MAX - SMALL_MIN + 1);

/** The integer n, shared with every other occurrence of n when n is a small safe integer. */
export function sharedInt(n: number): TlaValue {
  if (n >= SMALL_MIN && n <= SMALL_MAX && Number.isInteger(n)) {
    const cached = SMALL_INTS[n - SMALL_MIN];
    if (cached !== undefined) return cached;
    const v: TlaValue = { kind: 'int', value: BigInt(n) };
    SMALL_INTS[n - SMALL_MIN] = v;
    return v;
  }
  return { kind: 'int', value: BigInt(n) };
}

export const tlaInt = (value: bigint | number): TlaValue =>
  typeof value === 'number' ? sharedInt(value) : value >= SMALL_MIN && value <= SMALL_MAX ? sharedInt(Number(value)) : { kind: 'int', value };
export const tlaStr = (value: string): TlaValue => ({ kind: 'str', value });
export const tlaModelValue = (name: string): TlaValue => ({ kind: 'modelValue', name });
export const tlaSet = (elems: readonly TlaValue[]): TlaValue => ({ kind: 'set', elems });
export const tlaSeq = (elems: readonly TlaValue[]): TlaValue => ({ kind: 'seq', elems });
export function tlaRecord(fields: Record<string, TlaValue> | readonly (readonly [string, TlaValue])[]): TlaValue {
  if (Array.isArray(fields)) return { kind: 'record', fields };
  // A plain loop: abstractions build small records at every replay step, and this is their hot path.
  const out: (readonly [string, TlaValue])[] = [];
  const object = fields as Record<string, TlaValue>;
  for (const name in object) out.push([name, object[name] as TlaValue]);
  return { kind: 'record', fields: out };
}
export const tlaFn = (entries: readonly (readonly [TlaValue, TlaValue])[]): TlaValue => ({ kind: 'fn', entries });
