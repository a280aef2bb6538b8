// Tests of the TLC value parser: every value form TLC prints, positions in errors, and print → parse.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tlaEqual } from '../../src/tla/equal.js';
import { MAX_DEPTH, parseTla, parseTlaRange } from '../../src/tla/parse.js';
import { printTla, printTlaPretty } from '../../src/tla/print.js';
import { tlaBool, tlaFn, tlaInt, tlaModelValue, tlaRecord, tlaSeq, tlaSet, tlaStr, type TlaValue } from '../../src/tla/value.js';
import { tlaValueArb } from './arbitraries.js';

function parsed(text: string): TlaValue {
  const r = parseTla(text);
  if (!r.ok) throw new Error(`parse failed: ${r.error.message}`);
  return r.value;
}

describe('parseTla: value forms', () => {
  it('reads scalars: booleans, integers, strings, model values', () => {
    expect(parsed('TRUE')).toEqual(tlaBool(true));
    expect(parsed('FALSE')).toEqual(tlaBool(false));
    expect(parsed('42')).toEqual(tlaInt(42));
    expect(parsed('"KVEC"')).toEqual(tlaStr('KVEC'));
    expect(parsed('A')).toEqual(tlaModelValue('A'));
    expect(parsed('TRUEISH')).toEqual(tlaModelValue('TRUEISH'));
    expect(parsed('p_1')).toEqual(tlaModelValue('p_1'));
    expect(parsed('1x')).toEqual(tlaModelValue('1x'));
  });

  it('keeps negative and large integers exact', () => {
    expect(parsed('-3')).toEqual(tlaInt(-3));
    expect(parsed('- 3')).toEqual(tlaInt(-3));
    expect(parsed('-2147483648')).toEqual(tlaInt(-2147483648n));
    expect(parsed('123456789012345678901234567890')).toEqual(tlaInt(123456789012345678901234567890n));
    expect(parsed('-9007199254740993')).toEqual(tlaInt(-9007199254740993n));
    expect(parsed('999999999999999')).toEqual(tlaInt(999999999999999n));
    expect(parsed('0007')).toEqual(tlaInt(7));
  });

  it('decodes TLC string escapes', () => {
    // As TLC 2.18 printed `"q\"uo\\te\nnl\ttab"` and `"tab\there\rcr\fff"` (fixtures).
    expect(parsed('"q\\"uo\\\\te\\nnl\\ttab"')).toEqual(tlaStr('q"uo\\te\nnl\ttab'));
    expect(parsed('"tab\\there\\rcr\\fff"')).toEqual(tlaStr('tab\there\rcr\fff'));
    expect(parsed('""')).toEqual(tlaStr(''));
    expect(parsed('"héllo ✓"')).toEqual(tlaStr('héllo ✓'));
  });

  it('tells the empty set from the empty sequence', () => {
    expect(parsed('{}')).toEqual(tlaSet([]));
    expect(parsed('<<>>')).toEqual(tlaSeq([]));
    expect(parsed('<< >>')).toEqual(tlaSeq([])); // TLC's rendering of an empty function
    expect(tlaEqual(parsed('{}'), parsed('<<>>'))).toBe(false);
  });

  it('reads nested records, sets of records and sequences of sets', () => {
    expect(parsed('[a |-> 1, b |-> "x", c |-> {1, 2}]')).toEqual(
      tlaRecord([
        ['a', tlaInt(1)],
        ['b', tlaStr('x')],
        ['c', tlaSet([tlaInt(1), tlaInt(2)])],
      ]),
    );
    expect(parsed('{[q |-> <<>>, p |-> 2], [q |-> <<1, 2>>, p |-> 1]}')).toEqual(
      tlaSet([
        tlaRecord([
          ['q', tlaSeq([])],
          ['p', tlaInt(2)],
        ]),
        tlaRecord([
          ['q', tlaSeq([tlaInt(1), tlaInt(2)])],
          ['p', tlaInt(1)],
        ]),
      ]),
    );
    expect(parsed('<<{1, 2}, {}, {3}>>')).toEqual(tlaSeq([tlaSet([tlaInt(1), tlaInt(2)]), tlaSet([]), tlaSet([tlaInt(3)])]));
    expect(parsed('[iter |-> [segs |-> <<[addr |-> 2, len |-> 0]>>]]')).toEqual(
      tlaRecord({ iter: tlaRecord({ segs: tlaSeq([tlaRecord({ addr: tlaInt(2), len: tlaInt(0) })]) }) }),
    );
  });

  it('reads functions with non-string domains', () => {
    expect(parsed('(<<1, 2>> :> "a" @@ <<2, 3>> :> "b")')).toEqual(
      tlaFn([
        [tlaSeq([tlaInt(1), tlaInt(2)]), tlaStr('a')],
        [tlaSeq([tlaInt(2), tlaInt(3)]), tlaStr('b')],
      ]),
    );
    expect(parsed('(A :> A @@ B :> B)')).toEqual(
      tlaFn([
        [tlaModelValue('A'), tlaModelValue('A')],
        [tlaModelValue('B'), tlaModelValue('B')],
      ]),
    );
    expect(parsed('(0 :> 0 @@ 1 :> -1)')).toEqual(
      tlaFn([
        [tlaInt(0), tlaInt(0)],
        [tlaInt(1), tlaInt(-1)],
      ]),
    );
    expect(parsed('("a b" :> 1)')).toEqual(tlaFn([[tlaStr('a b'), tlaInt(1)]]));
    // Apalache writes functions without parentheses.
    expect(parsed('"E" :> {} @@ "W" :> {1}')).toEqual(
      tlaFn([
        [tlaStr('E'), tlaSet([])],
        [tlaStr('W'), tlaSet([tlaInt(1)])],
      ]),
    );
  });

  it('expands a..b intervals into sets', () => {
    expect(parsed('1..3')).toEqual(tlaSet([tlaInt(1), tlaInt(2), tlaInt(3)]));
    expect(parsed('-1 .. 0')).toEqual(tlaSet([tlaInt(-1), tlaInt(0)]));
    expect(parsed('3..1')).toEqual(tlaSet([]));
    expect(parsed('{1..2}')).toEqual(tlaSet([tlaSet([tlaInt(1), tlaInt(2)])]));
  });

  it('reads [x \\in S |-> e] with a literal domain and a literal body that may name x', () => {
    expect(parsed('[i \\in 1..3 |-> 0]')).toEqual(
      tlaFn([
        [tlaInt(1), tlaInt(0)],
        [tlaInt(2), tlaInt(0)],
        [tlaInt(3), tlaInt(0)],
      ]),
    );
    expect(parsed('[k \\in {"u", "v"} |-> <<k, {k}>>]')).toEqual(
      tlaFn([
        [tlaStr('u'), tlaSeq([tlaStr('u'), tlaSet([tlaStr('u')])])],
        [tlaStr('v'), tlaSeq([tlaStr('v'), tlaSet([tlaStr('v')])])],
      ]),
    );
    expect(tlaEqual(parsed('[i \\in 1..2 |-> i]'), parsed('<<1, 2>>'))).toBe(true);
    expect(parsed('[x \\in {} |-> 1]')).toEqual(tlaFn([]));
    const bad = parseTla('[i \\in 1..3 |-> i * i]');
    expect(bad.ok).toBe(false);
    const notSet = parseTla('[i \\in <<1>> |-> 0]');
    expect(!notSet.ok && notSet.error.kind).toBe('not-a-set');
  });

  it('ignores whitespace and line breaks anywhere between tokens', () => {
    const text = `<< [page |-> 1, refcount |-> 1025, owner |-> B, flags |-> {"PINNED", "REFFED"}],
   [ page |-> 10,
     refcount |-> 1034,
     owner |-> A,
     flags |-> {"PINNED", "REFFED"} ] >>`;
    const v = parsed(text);
    expect(v.kind).toBe('seq');
    expect(tlaEqual(v, parsed(text.replace(/\s+/g, ' ')))).toBe(true);
    expect(parsed('\r\n\t{ 1 ,\n\n 2 }  \n')).toEqual(tlaSet([tlaInt(1), tlaInt(2)]));
    expect(parsed('( <<-3, -3>> :> "neg" @@\n  <<1, 2>> :> "a" )')).toEqual(
      tlaFn([
        [tlaSeq([tlaInt(-3), tlaInt(-3)]), tlaStr('neg')],
        [tlaSeq([tlaInt(1), tlaInt(2)]), tlaStr('a')],
      ]),
    );
  });

  it('separates `>>>>` into two closers', () => {
    expect(parsed('<<{}, <<>>, << >>>>')).toEqual(tlaSeq([tlaSet([]), tlaSeq([]), tlaSeq([])]));
    expect(parsed('<<<<1>>>>')).toEqual(tlaSeq([tlaSeq([tlaInt(1)])]));
  });

  it('parses a sub-range of a larger text in place', () => {
    const text = '/\\ x = {1, 2}\n/\\ y = 3';
    const r = parseTlaRange(text, 7, 14);
    expect(r.ok && r.value).toEqual(tlaSet([tlaInt(1), tlaInt(2)]));
  });
});

describe('parseTla: errors are values naming the line', () => {
  const error = (text: string, origin?: { line: number }) => {
    const r = parseTla(text, origin);
    if (r.ok) throw new Error(`expected a parse error for ${text}`);
    return r.error;
  };

  it('reports the kind, line and column', () => {
    expect(error('{1, 2')).toMatchObject({ kind: 'unexpected-end', line: 1, col: 6 });
    expect(error('[a |-> 1,\n  b = 2]')).toMatchObject({ kind: 'unexpected-token', line: 2, col: 5 });
    expect(error('"abc')).toMatchObject({ kind: 'unterminated-string', line: 1, col: 1 });
    expect(error('"a\\qb"')).toMatchObject({ kind: 'bad-escape', col: 3 });
    expect(error('{1} 2')).toMatchObject({ kind: 'trailing-input', col: 5 });
    expect(error('')).toMatchObject({ kind: 'unexpected-end', line: 1, col: 1 });
    expect(error('{1, #}')).toMatchObject({ kind: 'unexpected-character', col: 5 });
    expect(error('<1>')).toMatchObject({ kind: 'unexpected-character', col: 1 });
    expect(error('1..x')).toMatchObject({ kind: 'unexpected-token' });
    expect(error('-x')).toMatchObject({ kind: 'unexpected-token', col: 2 });
    expect(error('(1 :> 2 @@ 3)')).toMatchObject({ kind: 'unexpected-token' });
  });

  it('counts lines from the origin', () => {
    const e = error('<<1,\n2,\n3 4>>', { line: 40 });
    expect(e).toMatchObject({ line: 42, col: 3 });
    expect(e.message).toContain('line 42, col 3');
  });

  it('refuses nesting deeper than the limit and huge intervals, without throwing', () => {
    expect(error('{'.repeat(MAX_DEPTH + 1) + '}'.repeat(MAX_DEPTH + 1))).toMatchObject({ kind: 'too-deep' });
    expect(error('<<'.repeat(100_000))).toMatchObject({ kind: 'too-deep' });
    const ok = parseTla('{'.repeat(MAX_DEPTH) + '}'.repeat(MAX_DEPTH));
    expect(ok.ok).toBe(true);
    expect(error('1..100000000')).toMatchObject({ kind: 'too-large' });
  });
});

describe('print → parse', () => {
  it('law: parseTla(printTla(v)) is tlaEqual to v', () => {
    fc.assert(
      fc.property(tlaValueArb({ depth: 4 }), (v) => {
        const r = parseTla(printTla(v));
        return r.ok && tlaEqual(r.value, v);
      }),
      { numRuns: 2000 },
    );
  });

  it('law: parseTla(printTlaPretty(v, w)) is tlaEqual to v for any width', () => {
    fc.assert(
      fc.property(tlaValueArb({ depth: 4, maxLength: 6 }), fc.integer({ min: 10, max: 120 }), (v, w) => {
        const r = parseTla(printTlaPretty(v, w));
        return r.ok && tlaEqual(r.value, v);
      }),
      { numRuns: 1000 },
    );
  });
});
