// fast-check arbitraries of TLA+ values for property tests across the project: values of every kind (as TLC
// can print them), and pairs of differently written but equal values (shuffled sets, reordered records,
// sequences written as `:>` functions).

import fc from 'fast-check';
import type { TlaValue } from '../../src/tla/value.js';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const IDENT_CHARS = LETTERS + '0123456789_';

/** TLA+ identifiers (letters, digits, `_`, at least one letter), never TRUE or FALSE. */
export const tlaIdentifierArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...IDENT_CHARS.split('')), maxLength: 3 }),
    fc.constantFrom(...LETTERS.split('')),
    fc.string({ unit: fc.constantFrom(...IDENT_CHARS.split('')), maxLength: 6 }),
  )
  .map(([a, l, b]) => a + l + b)
  .filter((s) => s !== 'TRUE' && s !== 'FALSE');

/** Strings with the characters TLC escapes, plain ASCII, and some non-ASCII text. */
export const tlaStringArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\t', '\r', '\f', 'a', ' ', '/', '@'), maxLength: 10 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);

/** Integers: small ones, 32-bit bounds, and values far beyond 2^53 (both signs). */
export const tlaIntArb: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: -20n, max: 20n }),
  fc.constantFrom(-2147483648n, 2147483647n, 4096n, 4097n, -65n, -64n, 9007199254740991n, 9007199254740992n, -9007199254740993n),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
);

export interface TlaArbOptions {
  /** Maximum nesting depth (default 3). */
  readonly depth?: number;
  /** Maximum elements per collection (default 4). */
  readonly maxLength?: number;
}

/** Any TlaValue: scalars, sets, sequences, records with distinct identifier fields, functions with any keys. */
export function tlaValueArb(options: TlaArbOptions = {}): fc.Arbitrary<TlaValue> {
  const maxLength = options.maxLength ?? 4;
  const scalar: fc.Arbitrary<TlaValue> = fc.oneof(
    fc.boolean().map((value): TlaValue => ({ kind: 'bool', value })),
    tlaIntArb.map((value): TlaValue => ({ kind: 'int', value })),
    tlaStringArb.map((value): TlaValue => ({ kind: 'str', value })),
    tlaIdentifierArb.map((name): TlaValue => ({ kind: 'modelValue', name })),
  );
  const { value } = fc.letrec<{ value: TlaValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth: options.depth ?? 3, depthIdentifier: 'tla' },
      scalar,
      fc.array(tie('value'), { maxLength }).map((elems): TlaValue => ({ kind: 'set', elems })),
      fc.array(tie('value'), { maxLength }).map((elems): TlaValue => ({ kind: 'seq', elems })),
      fc
        .uniqueArray(fc.tuple(tlaIdentifierArb, tie('value')), { maxLength, selector: ([k]) => k })
        .map((fields): TlaValue => ({ kind: 'record', fields })),
      fc.array(fc.tuple(tie('value'), tie('value')), { maxLength }).map((entries): TlaValue => ({ kind: 'fn', entries })),
    ),
  }));
  return value;
}

/** A different way of writing the same value: reorders sets, records and functions, repeats set elements, and
 * turns sequences into `:>` functions. Deterministic in `seed`. */
export function reshape(v: TlaValue, seed: number): TlaValue {
  let s = seed >>> 0 || 1;
  const rnd = (n: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % Math.max(1, n);
  };
  const shuffle = <T>(xs: readonly T[]): T[] => {
    const a = xs.slice();
    for (let i = a.length - 1; i > 0; i--) {
      const j = rnd(i + 1);
      [a[i], a[j]] = [a[j] as T, a[i] as T];
    }
    return a;
  };
  const go = (x: TlaValue): TlaValue => {
    switch (x.kind) {
      case 'bool':
      case 'int':
      case 'str':
      case 'modelValue':
        return { ...x };
      case 'set': {
        const elems = shuffle(x.elems.map(go));
        if (elems.length > 0 && rnd(3) === 0) elems.push(go(elems[rnd(elems.length)] as TlaValue));
        return { kind: 'set', elems };
      }
      case 'seq': {
        const elems = x.elems.map(go);
        if (rnd(2) === 0) return { kind: 'seq', elems };
        return { kind: 'fn', entries: shuffle(elems.map((e, i) => [{ kind: 'int', value: BigInt(i + 1) }, e] as const)) };
      }
      case 'record':
        if (rnd(4) === 0) return { kind: 'fn', entries: shuffle(x.fields.map(([f, e]) => [{ kind: 'str', value: f }, go(e)] as const)) };
        return { kind: 'record', fields: shuffle(x.fields.map(([f, e]) => [f, go(e)] as const)) };
      case 'fn':
        return { kind: 'fn', entries: shuffle(x.entries.map(([k, e]) => [go(k), go(e)] as const)) };
    }
  };
  return go(v);
}

/** A value and an equal one written differently (see reshape). */
export const tlaEquivalentPairArb = (options: TlaArbOptions = {}): fc.Arbitrary<[TlaValue, TlaValue]> =>
  fc.tuple(tlaValueArb(options), fc.integer()).map(([v, seed]) => [v, reshape(v, seed)]);
