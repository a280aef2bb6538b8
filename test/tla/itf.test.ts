// Tests of ITF encoding and decoding: the tag rules of ADR-015, typed errors with JSON paths, and exact round trips.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeItfValue, encodeItfValue, itfToTrace, parseItfText, traceToItf, writeItf } from '../../src/tla/itf.js';
import { tlaFn, tlaInt, tlaModelValue, tlaRecord, tlaSeq, tlaSet, tlaStr, tlaBool, type TlaValue } from '../../src/tla/value.js';
import type { Trace, TraceState } from '../../src/tla/trace.js';
import { tlaIdentifierArb, tlaValueArb } from './arbitraries.js';

const decoded = (j: unknown): TlaValue => {
  const r = decodeItfValue(j);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('ITF values', () => {
  it('encodes each kind in its own form', () => {
    expect(encodeItfValue(tlaBool(true))).toBe(true);
    expect(encodeItfValue(tlaInt(-7))).toBe(-7);
    expect(encodeItfValue(tlaInt(9007199254740991n))).toBe(9007199254740991);
    expect(encodeItfValue(tlaInt(9007199254740992n))).toEqual({ '#bigint': '9007199254740992' });
    expect(encodeItfValue(tlaInt(-(10n ** 30n)))).toEqual({ '#bigint': '-1000000000000000000000000000000' });
    expect(encodeItfValue(tlaStr('x'))).toBe('x');
    expect(encodeItfValue(tlaModelValue('A'))).toEqual({ '#unserializable': 'A' });
    expect(encodeItfValue(tlaSet([tlaInt(1)]))).toEqual({ '#set': [1] });
    expect(encodeItfValue(tlaSeq([tlaInt(1)]))).toEqual([1]);
    expect(encodeItfValue(tlaRecord({ a: tlaInt(1) }))).toEqual({ a: 1 });
    expect(encodeItfValue(tlaFn([[tlaSeq([tlaInt(1)]), tlaStr('a')]]))).toEqual({ '#map': [[[1], 'a']] });
  });

  it('writes records whose field names ITF cannot hold as #map', () => {
    expect(encodeItfValue(tlaRecord([['#set', tlaInt(1)]]))).toEqual({ '#map': [['#set', 1]] });
    expect(encodeItfValue(tlaRecord([['a', tlaInt(1)], ['a', tlaInt(2)]]))).toEqual({ '#map': [['a', 1], ['a', 2]] });
  });

  it('decodes #tup as a sequence and #bigint for any size', () => {
    expect(decoded({ '#tup': [1, 'a'] })).toEqual(tlaSeq([tlaInt(1), tlaStr('a')]));
    expect(decoded({ '#bigint': '5' })).toEqual(tlaInt(5));
    expect(decoded({ '#bigint': '-123456789012345678901234567890' })).toEqual(tlaInt(-123456789012345678901234567890n));
    expect(decoded({})).toEqual(tlaRecord([]));
    expect(decoded({ __proto__: 1, constructor: 2 })).toEqual(tlaRecord([['constructor', tlaInt(2)]]));
    expect(decoded(JSON.parse('{"__proto__": 1}'))).toEqual(tlaRecord([['__proto__', tlaInt(1)]]));
  });

  it('rejects unknown tags and malformed values naming the JSON path', () => {
    const error = (j: unknown) => {
      const r = decodeItfValue(j);
      if (r.ok) throw new Error('expected an error');
      return r.error;
    };
    expect(error({ a: [1, { '#frob': 1 }] })).toMatchObject({ kind: 'unknown-tag', path: '$.a[1]["#frob"]' });
    expect(error({ '#set': 1 })).toMatchObject({ kind: 'bad-value', path: '$["#set"]' });
    expect(error({ '#map': [[1]] })).toMatchObject({ kind: 'bad-value', path: '$["#map"][0]' });
    expect(error({ '#bigint': '12a' })).toMatchObject({ kind: 'bad-value' });
    expect(error({ '#bigint': '1', x: 2 })).toMatchObject({ kind: 'bad-value', path: '$' });
    expect(error(1.5)).toMatchObject({ kind: 'bad-value' });
    expect(error(1e300)).toMatchObject({ kind: 'bad-value' });
    expect(error(null)).toMatchObject({ kind: 'bad-value' });
    expect(error({ '#unserializable': 3 })).toMatchObject({ kind: 'bad-value' });
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(error(deep)).toMatchObject({ kind: 'bad-value' });
  });

  it('law: decodeItfValue(encodeItfValue(v)) gives v back exactly', () => {
    fc.assert(
      fc.property(tlaValueArb({ depth: 4 }), (v) => {
        const back = decodeItfValue(JSON.parse(JSON.stringify(encodeItfValue(v))));
        expect(back).toEqual({ ok: true, value: v });
      }),
      { numRuns: 2000 },
    );
  });
});

const headerArb = fc.option(
  fc.record(
    { name: tlaIdentifierArb, module: tlaIdentifierArb, line: fc.nat(), col: fc.nat(), endLine: fc.nat(), endCol: fc.nat() },
    { requiredKeys: ['name'] },
  ),
  { nil: undefined },
);

const traceArb: fc.Arbitrary<Trace> = fc
  .uniqueArray(tlaIdentifierArb, { minLength: 1, maxLength: 4 })
  .chain((vars) =>
    fc.record({
      meta: fc.record(
        { format: fc.constant('ITF'), spec: tlaIdentifierArb, variant: fc.string(), invariant: tlaIdentifierArb, jarSha256: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: 64, maxLength: 64 }) },
        { requiredKeys: [] },
      ),
      vars: fc.constant(vars),
      states: fc.array(
        fc.tuple(fc.array(tlaValueArb({ depth: 3, maxLength: 3 }), { minLength: vars.length, maxLength: vars.length }), headerArb),
        { maxLength: 5 },
      ),
    }),
  )
  .map(({ meta, vars, states }) => ({
    meta,
    vars,
    states: states.map(([vals, header], index): TraceState => {
      const values = new Map(vars.map((name, k) => [name, vals[k] as TlaValue]));
      return header === undefined ? { index, values } : { index, values, header };
    }),
  }));

describe('ITF traces', () => {
  const trace: Trace = {
    meta: { format: 'ITF', spec: 'IovIter', model: 'MCIovIter', variant: 'v6.6', invariant: 'NoStallInv' },
    vars: ['count', 'action'],
    states: [
      { index: 0, values: new Map([['count', tlaInt(3)], ['action', tlaRecord({ name: tlaStr('Init') })]]), header: { name: 'Initial predicate' } },
      {
        index: 1,
        values: new Map([['count', tlaInt(0)], ['action', tlaRecord({ name: tlaStr('Extract'), maxsize: tlaInt(102400) })]]),
        header: { name: 'Extract', module: 'IovIter', line: 20, col: 3, endLine: 27, endCol: 40 },
      },
    ],
  };

  it('writes "#meta", "vars", "states" in that order, one variable per line', () => {
    const text = writeItf(trace);
    expect(text).toBe(
      [
        '{',
        '  "#meta": {"format":"ITF","spec":"IovIter","model":"MCIovIter","variant":"v6.6","invariant":"NoStallInv"},',
        '  "vars": ["count","action"],',
        '  "states": [',
        '    {',
        '      "#meta": {"index":0,"header":{"name":"Initial predicate"}},',
        '      "count": 3,',
        '      "action": {"name":"Init"}',
        '    },',
        '    {',
        '      "#meta": {"index":1,"header":{"name":"Extract","module":"IovIter","line":20,"col":3,"endLine":27,"endCol":40}},',
        '      "count": 0,',
        '      "action": {"name":"Extract","maxsize":102400}',
        '    }',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
    expect(parseItfText(text)).toEqual({ ok: true, value: trace });
  });

  it('law: parseItfText(writeItf(t)) and itfToTrace(traceToItf(t)) give t back exactly (header and meta included)', () => {
    fc.assert(
      fc.property(traceArb, (t) => {
        expect(parseItfText(writeItf(t))).toEqual({ ok: true, value: t });
        expect(itfToTrace(traceToItf(t))).toEqual({ ok: true, value: t });
      }),
      { numRuns: 300 },
    );
  });

  it('reads traces written by other tools (Apalache/Quint style)', () => {
    const r = parseItfText(
      JSON.stringify({
        '#meta': { format: 'ITF', source: 'MC.tla' },
        params: ['N'],
        vars: ['x', 'who'],
        loop: 1,
        states: [
          { '#meta': { index: 0 }, N: { '#bigint': '3' }, x: { '#bigint': '2' }, who: { '#map': [['E', { '#set': ['c1_OF_PERSON'] }]] } },
          { x: 3, who: { '#map': [] } },
        ],
      }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.meta).toMatchObject({ format: 'ITF', params: ['N'], loop: 1 });
    expect(r.value.states[1]?.index).toBe(1);
    expect(r.value.states[0]?.values.get('N')).toEqual(tlaInt(3));
    expect(r.value.states[0]?.values.get('who')).toEqual(tlaFn([[tlaStr('E'), tlaSet([tlaStr('c1_OF_PERSON')])]]));
  });

  it('gives typed errors: JSON syntax with line and column, missing variables and bad shapes with paths', () => {
    const syntax = parseItfText('{\n  "vars": ["x"],\n  "states": [1, ]\n}');
    expect(syntax).toMatchObject({ ok: false, error: { kind: 'json-syntax', line: 3, col: 17 } });
    expect(parseItfText('')).toMatchObject({ ok: false, error: { kind: 'json-syntax', line: 1, col: 1 } });
    expect(parseItfText('{"vars": ["x"], "states": [{"x": 1}]} x')).toMatchObject({ ok: false, error: { kind: 'json-syntax', col: 39 } });
    expect(parseItfText('{"vars": ["x"], "states": [{"y": 1}]}')).toMatchObject({ ok: false, error: { kind: 'missing-variable', path: '$.states[0].x' } });
    expect(parseItfText('[1]')).toMatchObject({ ok: false, error: { kind: 'not-a-trace', path: '$' } });
    expect(parseItfText('{"vars": "x", "states": []}')).toMatchObject({ ok: false, error: { kind: 'not-a-trace', path: '$.vars' } });
    expect(parseItfText('{"vars": [], "states": [{"#meta": {"index": -1}}]}')).toMatchObject({ ok: false, error: { kind: 'bad-meta' } });
    expect(parseItfText('{"vars": ["x"], "states": [{"x": {"#set": [{"#tup": [{"#foo": 1}]}]}}]}')).toMatchObject({
      ok: false,
      error: { kind: 'unknown-tag', path: '$.states[0].x["#set"][0]["#tup"][0]["#foo"]' },
    });
  });
});
