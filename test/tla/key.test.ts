// The canonical key of a TLA+ value (what the explorer and the conformance check de-duplicate states on): equal
// values share it, different values do not, and the remembered and the one-off forms agree.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tlaEqual } from '../../src/tla/equal.js';
import { tlaKey, tlaKeyOnce } from '../../src/tla/key.js';
import { tlaFn, tlaInt, tlaRecord, tlaSeq, tlaSet, tlaStr, type TlaValue } from '../../src/tla/value.js';
import { tlaEquivalentPairArb, tlaValueArb } from './arbitraries.js';

/** No function lists a domain element twice. */
function wellFormed(v: TlaValue): boolean {
  switch (v.kind) {
    case 'set':
    case 'seq':
      return v.elems.every(wellFormed);
    case 'record':
      return v.fields.every(([, e]) => wellFormed(e));
    case 'fn':
      return new Set(v.entries.map(([k]) => tlaKey(k))).size === v.entries.length && v.entries.every(([k, e]) => wellFormed(k) && wellFormed(e));
    default:
      return true;
  }
}

describe('tlaKey', () => {
  it('gives equal values written differently the same key, in both forms', () => {
    fc.assert(
      fc.property(tlaEquivalentPairArb(), ([a, b]) => {
        // A function listing a domain element twice is no TLA+ value; reordered, it may keep another entry.
        fc.pre(wellFormed(a));
        expect(tlaKeyOnce(a)).toBe(tlaKey(b));
        expect(tlaKey(a)).toBe(tlaKeyOnce(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives values the same key exactly when they are equal', () => {
    fc.assert(
      fc.property(tlaValueArb({ depth: 2, maxLength: 3 }), tlaValueArb({ depth: 2, maxLength: 3 }), (a, b) => {
        expect(tlaKeyOnce(a) === tlaKeyOnce(b)).toBe(tlaEqual(a, b));
      }),
      { numRuns: 2000 },
    );
  });

  it('orders domain keys as text, keeps the first of repeated ones, and reads sequences as functions of 1..n', () => {
    const seq = tlaSeq(Array.from({ length: 12 }, (_, i) => tlaInt(i * 7)));
    const fn = tlaFn(Array.from({ length: 12 }, (_, i) => [tlaInt(12 - i), tlaInt((11 - i) * 7)] as const));
    expect(tlaKeyOnce(seq)).toBe(tlaKeyOnce(fn));
    expect(tlaKey(tlaFn([[tlaInt(1), tlaStr('a')], [tlaInt(1), tlaStr('b')]]))).toBe('[1:"a"]');
    expect(tlaKey(tlaRecord({ b: tlaInt(2), a: tlaSet([tlaInt(5000), tlaInt(-3), tlaInt(5000)]) }))).toBe('["a":{-3,5000},"b":2]');
  });
});
