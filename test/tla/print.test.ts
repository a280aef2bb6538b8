// Tests of the TLC-syntax printer, against unit cases and against every value real TLC printed in the fixtures.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseTla } from '../../src/tla/parse.js';
import { isTlaIdentifier, printTla, printTlaPretty, quoteTlaString } from '../../src/tla/print.js';
import { tlaBool, tlaFn, tlaInt, tlaModelValue, tlaRecord, tlaSeq, tlaSet, tlaStr } from '../../src/tla/value.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/tlc/', import.meta.url));

describe('printTla', () => {
  it('prints scalars as TLC does', () => {
    expect(printTla(tlaBool(true))).toBe('TRUE');
    expect(printTla(tlaBool(false))).toBe('FALSE');
    expect(printTla(tlaInt(-3))).toBe('-3');
    expect(printTla(tlaInt(123456789012345678901234567890n))).toBe('123456789012345678901234567890');
    expect(printTla(tlaStr('x'))).toBe('"x"');
    expect(printTla(tlaModelValue('A'))).toBe('A');
  });

  it('escapes strings with TLC escapes', () => {
    expect(quoteTlaString('q"uo\\te\nnl\ttab')).toBe('"q\\"uo\\\\te\\nnl\\ttab"');
    expect(quoteTlaString('tab\there\rcr\fff')).toBe('"tab\\there\\rcr\\fff"');
    expect(quoteTlaString('')).toBe('""');
  });

  it('prints collections with TLC delimiters', () => {
    expect(printTla(tlaSet([]))).toBe('{}');
    expect(printTla(tlaSeq([]))).toBe('<<>>');
    expect(printTla(tlaSet([tlaInt(1), tlaInt(2)]))).toBe('{1, 2}');
    expect(printTla(tlaSeq([tlaInt(1), tlaInt(2)]))).toBe('<<1, 2>>');
    expect(printTla(tlaRecord({ a: tlaInt(1), b: tlaStr('x') }))).toBe('[a |-> 1, b |-> "x"]');
    expect(printTla(tlaFn([[tlaInt(1), tlaStr('a')], [tlaInt(5), tlaStr('b')]]))).toBe('(1 :> "a" @@ 5 :> "b")');
  });

  it('normalises functions the way TLC does', () => {
    // domain 1..n (in any order) prints as a sequence
    expect(printTla(tlaFn([[tlaInt(2), tlaStr('b')], [tlaInt(1), tlaStr('a')]]))).toBe('<<"a", "b">>');
    // identifier strings print as a record; other strings stay a function (as TLC printed ("a b" :> 1 …))
    expect(printTla(tlaFn([[tlaStr('u'), tlaInt(1)]]))).toBe('[u |-> 1]');
    expect(printTla(tlaFn([[tlaStr('a b'), tlaInt(1)]]))).toBe('("a b" :> 1)');
    expect(printTla(tlaRecord([['a b', tlaInt(1)]]))).toBe('("a b" :> 1)');
    // empty functions and records print as the empty sequence
    expect(printTla(tlaFn([]))).toBe('<<>>');
    expect(printTla(tlaRecord([]))).toBe('<<>>');
    // domain 0..1 is not a sequence
    expect(printTla(tlaFn([[tlaInt(0), tlaInt(0)], [tlaInt(1), tlaInt(1)]]))).toBe('(0 :> 0 @@ 1 :> 1)');
  });

  it('recognises TLA+ identifiers', () => {
    expect(isTlaIdentifier('refcount')).toBe(true);
    expect(isTlaIdentifier('_a1')).toBe(true);
    expect(isTlaIdentifier('1x')).toBe(true);
    expect(isTlaIdentifier('12')).toBe(false);
    expect(isTlaIdentifier('a b')).toBe(false);
    expect(isTlaIdentifier('')).toBe(false);
  });
});

describe('printing matches real TLC output', () => {
  // Every `/\ var = value` printed by TLC 2.18 in the fixtures, with its continuation lines.
  const samples: { file: string; name: string; text: string }[] = [];
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.out'))) {
    const text = readFileSync(FIXTURES + file, 'utf8');
    for (const m of text.matchAll(/^\/\\ (\w+) = (.*(?:\n +.*)*)/gm)) samples.push({ file, name: m[1] as string, text: m[2] as string });
  }

  it('has samples, including values TLC broke over several lines', () => {
    expect(samples.length).toBeGreaterThan(50);
    expect(samples.filter((s) => s.text.includes('\n')).length).toBeGreaterThan(10);
  });

  it('reprints each single-line value byte for byte (except `1..3` and `<< >>`, which TLC does not normalise)', () => {
    for (const s of samples.filter((x) => !x.text.includes('\n'))) {
      const r = parseTla(s.text);
      expect(r.ok, `${s.file} ${s.name}`).toBe(true);
      if (!r.ok) continue;
      const expected = s.text === '1..3' ? '{1, 2, 3}' : s.text.replace(/<< >>/g, '<<>>');
      expect(printTla(r.value), `${s.file} ${s.name}`).toBe(expected);
    }
  });

  it('reprints each multi-line value in the same layout with printTlaPretty', () => {
    for (const s of samples.filter((x) => x.text.includes('\n'))) {
      const r = parseTla(s.text);
      expect(r.ok, `${s.file} ${s.name}`).toBe(true);
      if (r.ok) expect(printTlaPretty(r.value), `${s.file} ${s.name}`).toBe(s.text);
    }
  });
});
