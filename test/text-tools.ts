// Test-side text tools shared by the fuzz tests and the benchmark: a trace printed as TLC 2.18's -tool output,
// and fast-check arbitraries of byte-level edits of texts.
import fc from 'fast-check';
import { printTlaPretty } from '../src/tla/print.js';
import type { Trace, TraceState } from '../src/tla/trace.js';

/** The trace as TLC 2.18 prints it with -tool: version, violation, one 2217 message per state, statistics, end. */
export function toolOutputOf(trace: Trace): string {
  const msg = (code: number, kind: number, body: string): string => `@!@!@STARTMSG ${code}:${kind} @!@!@\n${body}\n@!@!@ENDMSG ${code} @!@!@\n`;
  const header = (s: TraceState, i: number): string => {
    const h = s.header;
    if (i === 0 || h === undefined) return `${i + 1}: <Initial predicate>`;
    if (h.module === undefined || h.line === undefined) return `${i + 1}: <${h.name}>`;
    return `${i + 1}: <${h.name} line ${h.line}, col ${h.col ?? 1} to line ${h.endLine ?? h.line}, col ${h.endCol ?? 1} of module ${h.module}>`;
  };
  const states = trace.states.map((s, i) => {
    const lines = trace.vars.map((v) => {
      const value = s.values.get(v);
      return value === undefined ? '' : `/\\ ${v} = ${printTlaPretty(value).replace(/\n/g, '\n   ')}`;
    });
    return msg(2217, 4, `${header(s, i)}\n${lines.join('\n')}\n`);
  });
  return [
    msg(2262, 0, 'TLC2 Version 2.18 of 20 March 2023'),
    ...(trace.meta.invariant !== undefined ? [msg(2110, 1, `Invariant ${trace.meta.invariant} is violated.`)] : []),
    msg(2121, 1, 'The behavior up to this point is:'),
    ...states,
    msg(2199, 0, `${trace.states.length * 3} states generated, ${trace.states.length * 2} distinct states found, 0 states left on queue.`),
    msg(2186, 0, 'Finished in 1000ms at (2026-01-01 00:00:00)'),
  ].join('');
}

/** 1–5 edits of one of `texts`, each deleting up to `maxDelete` characters and inserting a short string or fragment. */
export const textEdits = (texts: readonly string[], fragments: readonly string[], maxDelete: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom(...texts),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: maxDelete }), fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom(...fragments))), { minLength: 1, maxLength: 5 }),
    )
    .map(([text, edits]) => {
      let t = text;
      for (const [at, del, ins] of edits) {
        const i = at % (t.length + 1);
        t = t.slice(0, i) + ins + t.slice(i + del);
      }
      return t;
    });
