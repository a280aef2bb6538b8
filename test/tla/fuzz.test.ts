// Fuzzing: the value parser and the ITF reader return a Result for any input — random text, TLA+-looking token
// soup, and mutations of valid values and traces — and never throw.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itfToTrace, parseItfText, writeItf } from '../../src/tla/itf.js';
import { parseTla } from '../../src/tla/parse.js';
import { printTla, printTlaPretty } from '../../src/tla/print.js';
import type { Trace } from '../../src/tla/trace.js';
import { tlaValueArb } from './arbitraries.js';

const TOKENS = ['{', '}', '<<', '>>', '[', ']', '(', ')', ',', '|->', ':>', '@@', '..', '\\in', '-', '"', '\\', 'TRUE', 'FALSE', 'x', 'A', '0', '12', ' ', '\n', '"a\\"b"', '<', '>', '|', ':', '@', '.', '\u0000', '\uFFFF', '😀'];

/** Text that mixes TLA+ tokens at random. */
const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((ts) => ts.join(''));

/** A mutation: delete, insert or replace a short span at a random place. */
const mutate = (text: string): fc.Arbitrary<string> =>
  fc
    .array(
      fc.tuple(fc.nat(), fc.nat({ max: 6 }), fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom(...TOKENS))),
      { minLength: 1, maxLength: 4 },
    )
    .map((edits) => {
      let t = text;
      for (const [at, del, ins] of edits) {
        const i = at % (t.length + 1);
        t = t.slice(0, i) + ins + t.slice(i + del);
      }
      return t;
    });

const returnsResult = (r: { ok: boolean; error?: { line?: number; message: string } }): boolean =>
  r.ok || (typeof r.error?.message === 'string' && (r.error.line === undefined || r.error.line >= 1));

describe('fuzz', () => {
  it('law: parseTla never throws on random text, token soup, or mutated printed values', () => {
    const input = fc.oneof(
      fc.string({ maxLength: 60 }),
      tokenSoup,
      tlaValueArb({ depth: 3 }).chain((v) => mutate(printTla(v))),
      tlaValueArb({ depth: 3, maxLength: 6 }).chain((v) => mutate(printTlaPretty(v, 30))),
    );
    fc.assert(
      fc.property(input, (text) => returnsResult(parseTla(text))),
      { numRuns: 10_000 },
    );
  });

  it('law: parseItfText never throws on random JSON, mutated ITF text, or arbitrary values in trace positions', () => {
    const trace: Trace = {
      meta: { format: 'ITF', spec: 'IovIter' },
      vars: ['x', 'action'],
      states: [
        {
          index: 0,
          values: new Map([
            ['x', { kind: 'set', elems: [{ kind: 'int', value: 10n ** 20n }, { kind: 'modelValue', name: 'A' }] }],
            ['action', { kind: 'record', fields: [['name', { kind: 'str', value: 'Init' }]] }],
          ]),
          header: { name: 'Initial predicate' },
        },
        {
          index: 1,
          values: new Map([
            ['x', { kind: 'fn', entries: [[{ kind: 'seq', elems: [] }, { kind: 'bool', value: true }]] }],
            ['action', { kind: 'record', fields: [['name', { kind: 'str', value: 'Step' }]] }],
          ]),
        },
      ],
    };
    const text = writeItf(trace);
    const input = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.jsonValue({ maxDepth: 4 }).map((j) => JSON.stringify(j)),
      fc.jsonValue({ maxDepth: 4 }).map((j) => JSON.stringify({ vars: ['x'], states: [{ '#meta': j, x: j }] })),
      mutate(text),
    );
    fc.assert(
      fc.property(input, (t) => returnsResult(parseItfText(t))),
      { numRuns: 10_000 },
    );
    // and on JSON values handed over directly
    fc.assert(
      fc.property(fc.anything(), (j) => returnsResult(itfToTrace(j)) && returnsResult(itfToTrace({ vars: ['x'], states: [{ x: j }] }))),
      { numRuns: 2_000 },
    );
    expect(parseItfText(text).ok).toBe(true);
  });
});
