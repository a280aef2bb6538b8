// Tests of TLA+ value equality, the total order and the path-naming diff.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPath, tlaCompare, tlaDiff, tlaEqual } from '../../src/tla/equal.js';
import { parseTla } from '../../src/tla/parse.js';
import { printTla } from '../../src/tla/print.js';
import { tlaFn, tlaInt, tlaModelValue, tlaRecord, tlaSeq, tlaSet, tlaStr, type TlaValue } from '../../src/tla/value.js';
import { reshape, tlaEquivalentPairArb, tlaValueArb } from './arbitraries.js';

function v(text: string): TlaValue {
  const r = parseTla(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('tlaEqual', () => {
  it('compares sets as sets: order and duplicates ignored', () => {
    expect(tlaEqual(v('{1, 2, 3}'), v('{3, 1, 2}'))).toBe(true);
    expect(tlaEqual(v('{1, 1, 2}'), v('{2, 1}'))).toBe(true);
    expect(tlaEqual(v('{1, 2}'), v('{1, 2, 3}'))).toBe(false);
    expect(tlaEqual(v('{{1, 2}, {3}}'), v('{{3}, {2, 1}}'))).toBe(true);
  });

  it('ignores record field order', () => {
    expect(tlaEqual(v('[a |-> 1, b |-> 2]'), v('[b |-> 2, a |-> 1]'))).toBe(true);
    expect(tlaEqual(v('[a |-> 1, b |-> 2]'), v('[a |-> 1, b |-> 3]'))).toBe(false);
    expect(tlaEqual(v('[a |-> 1]'), v('[a |-> 1, b |-> 2]'))).toBe(false);
  });

  it('compares function entries as a set of pairs', () => {
    expect(tlaEqual(v('(A :> 1 @@ B :> 2)'), v('(B :> 2 @@ A :> 1)'))).toBe(true);
    expect(tlaEqual(v('(A :> 1 @@ B :> 2)'), v('(A :> 2 @@ B :> 1)'))).toBe(false);
  });

  it('keeps sequences ordered', () => {
    expect(tlaEqual(v('<<1, 2>>'), v('<<2, 1>>'))).toBe(false);
    expect(tlaEqual(v('<<1, 2>>'), v('<<1, 2>>'))).toBe(true);
  });

  it('never equates a set with a sequence, or values of different kinds', () => {
    expect(tlaEqual(tlaSet([]), tlaSeq([]))).toBe(false);
    expect(tlaEqual(v('{1, 2}'), v('<<1, 2>>'))).toBe(false);
    expect(tlaEqual(tlaStr('A'), tlaModelValue('A'))).toBe(false);
    expect(tlaEqual(tlaInt(1), tlaStr('1'))).toBe(false);
    expect(tlaEqual(v('TRUE'), tlaInt(1))).toBe(false);
  });

  it('treats sequences, records and :> functions as functions, as TLA+ does', () => {
    expect(tlaEqual(v('<<"a", "b">>'), v('(2 :> "b" @@ 1 :> "a")'))).toBe(true);
    expect(tlaEqual(v('[u |-> 1]'), v('("u" :> 1)'))).toBe(true);
    expect(tlaEqual(tlaSeq([]), tlaFn([]))).toBe(true);
    expect(tlaEqual(tlaRecord([]), tlaSeq([]))).toBe(true);
    expect(tlaEqual(v('<<"a">>'), v('(0 :> "a")'))).toBe(false);
  });

  it('law: a value equals every reshaping of itself (shuffled, duplicated, sequences as functions)', () => {
    fc.assert(
      fc.property(tlaEquivalentPairArb({ depth: 4 }), ([a, b]) => tlaEqual(a, b) && tlaEqual(b, a) && tlaCompare(a, b) === 0),
      { numRuns: 2000 },
    );
  });
});

describe('tlaCompare', () => {
  const sign = (n: number): number => Math.sign(n);
  const valueArb = tlaValueArb({ depth: 3, maxLength: 3 });
  // Values built from a small pool, so that equal and near-equal values are common.
  const pool = fc.constantFrom('1', '2', '"a"', 'A', '{}', '<<>>', '{1}', '<<1>>', '[a |-> 1]', '(2 :> 1)', '{1, 2}', '<<1, 2>>').map(v);
  const nearArb = fc.oneof(
    valueArb,
    pool,
    fc.array(pool, { maxLength: 3 }).map((elems): TlaValue => ({ kind: 'set', elems })),
    fc.array(pool, { maxLength: 3 }).map((elems): TlaValue => ({ kind: 'seq', elems })),
  );

  it('law: tlaCompare is antisymmetric and consistent with tlaEqual', () => {
    fc.assert(
      fc.property(nearArb, nearArb, (a, b) => {
        const ab = tlaCompare(a, b);
        return sign(ab) === -sign(tlaCompare(b, a)) && (ab === 0) === tlaEqual(a, b);
      }),
      { numRuns: 3000 },
    );
  });

  it('law: tlaCompare is transitive (a total order)', () => {
    fc.assert(
      fc.property(nearArb, nearArb, nearArb, (a, b, c) => {
        const [x, y, z] = [a, b, c].sort(tlaCompare) as [TlaValue, TlaValue, TlaValue];
        return tlaCompare(x, y) <= 0 && tlaCompare(y, z) <= 0 && tlaCompare(x, z) <= 0;
      }),
      { numRuns: 3000 },
    );
  });

  it('law: sorting by tlaCompare gives the same order whatever the input order', () => {
    fc.assert(
      fc.property(fc.array(nearArb, { maxLength: 8 }), fc.integer(), (xs, seed) => {
        const a = xs.slice().sort(tlaCompare).map(printTla);
        const b = xs.map((x) => reshape(x, seed)).reverse().sort(tlaCompare);
        return a.every((p, i) => tlaEqual(v(p), b[i] as TlaValue));
      }),
      { numRuns: 500 },
    );
  });

  it('orders kinds: booleans < integers < strings < model values < sets < functions', () => {
    const ordered = ['TRUE', '-1', '"a"', 'A', '{}', '<<>>'].map(v);
    for (let i = 0; i + 1 < ordered.length; i++) expect(tlaCompare(ordered[i] as TlaValue, ordered[i + 1] as TlaValue)).toBeLessThan(0);
    expect(tlaCompare(tlaInt(10n ** 30n), tlaInt(10n ** 30n + 1n))).toBeLessThan(0);
  });
});

describe('tlaDiff', () => {
  it('names the deepest differing path', () => {
    const expected = v('[iter |-> [segs |-> <<[addr |-> 2, len |-> 0], [addr |-> 39, len |-> 12249]>>]]');
    const actual = v('[iter |-> [segs |-> <<[addr |-> 2, len |-> 0], [addr |-> 39, len |-> 12248]>>]]');
    expect(tlaDiff(expected, actual)).toEqual([{ path: 'iter.segs[2].len', expected: tlaInt(12249), actual: tlaInt(12248) }]);
  });

  it('uses the root name and TLA+ application syntax for keys', () => {
    const pages = (rc: number) => v(`<<[refcount |-> 1], [refcount |-> 1], [refcount |-> ${rc}]>>`);
    expect(tlaDiff(pages(1025), pages(1), 'pages').map((d) => d.path)).toEqual(['pages[3].refcount']);
    expect(tlaDiff(v('(<<1, 2>> :> "a")'), v('(<<1, 2>> :> "b")'), 'fn').map((d) => d.path)).toEqual(['fn(<<1, 2>>)']);
    expect(tlaDiff(v('(A :> 1 @@ B :> 2)'), v('(A :> 1 @@ B :> 3)'), 'owner').map((d) => d.path)).toEqual(['owner(B)']);
    expect(tlaDiff(v('(0 :> 1)'), v('(0 :> 2)'), 'f').map((d) => d.path)).toEqual(['f[0]']);
  });

  it('reports missing and unexpected fields, keys, positions and set elements', () => {
    expect(tlaDiff(v('[a |-> 1, b |-> 2]'), v('[a |-> 1, c |-> 3]'), 'r')).toEqual([
      { path: 'r.b', expected: tlaInt(2), note: 'field missing' },
      { path: 'r.c', actual: tlaInt(3), note: 'unexpected field' },
    ]);
    expect(tlaDiff(v('<<1, 2>>'), v('<<1>>'), 's')).toEqual([{ path: 's[2]', expected: tlaInt(2), note: 'missing: the sequence has 1 elements, expected 2' }]);
    expect(tlaDiff(v('{1, 2}'), v('{2, 3}'), 'flags')).toEqual([
      { path: 'flags', expected: tlaInt(1), note: 'element missing from the set' },
      { path: 'flags', actual: tlaInt(3), note: 'unexpected element in the set' },
    ]);
  });

  it('reports a kind mismatch at the path where it happens', () => {
    expect(tlaDiff(v('[x |-> {}]'), v('[x |-> <<>>]'), 'v')).toEqual([
      { path: 'v.x', expected: tlaSet([]), actual: tlaSeq([]), note: 'expected a set, found a sequence' },
    ]);
  });

  it('finds no difference between equal values written differently, and respects the limit', () => {
    expect(tlaDiff(v('{[a |-> 1, b |-> 2]}'), v('{[b |-> 2, a |-> 1]}'))).toEqual([]);
    expect(tlaDiff(v('<<1, 2>>'), v('(2 :> 2 @@ 1 :> 1)'))).toEqual([]);
    const big = (k: number) => tlaSeq(Array.from({ length: 50 }, (_, i) => tlaInt(i + k)));
    expect(tlaDiff(big(0), big(1), 'x', 5)).toHaveLength(5);
  });

  it('law: tlaDiff is empty exactly when the values are equal', () => {
    const arb = tlaValueArb({ depth: 3, maxLength: 3 });
    fc.assert(
      fc.property(arb, arb, (a, b) => (tlaDiff(a, b).length === 0) === tlaEqual(a, b)),
      { numRuns: 2000 },
    );
  });
});

describe('formatPath', () => {
  it('formats fields, indices and keys', () => {
    expect(formatPath('pages', [{ kind: 'index', index: 3 }, { kind: 'field', name: 'refcount' }])).toBe('pages[3].refcount');
    expect(formatPath('', [{ kind: 'field', name: 'iter' }, { kind: 'field', name: 'segs' }, { kind: 'index', index: 2 }])).toBe('iter.segs[2]');
    expect(formatPath('fn', [{ kind: 'key', key: tlaSeq([tlaInt(1), tlaInt(2)]) }])).toBe('fn(<<1, 2>>)');
    expect(formatPath('r', [{ kind: 'field', name: 'a b' }])).toBe('r["a b"]');
  });
});
