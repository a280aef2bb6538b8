// Fuzzing the -tool stream reader: mutated real TLC outputs and random text give a Result, never an exception,
// and every stream error names a line of the output.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parseToolOutput, ToolStreamParser } from '../../src/tlc/toolstream.js';
import { textEdits } from '../text-tools.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/tlc/', import.meta.url));
const NAMES = ['invariant-violation', 'initial-state-wrapped-records', 'cfg-syntax-error', 'sany-semantic-errors-and-warnings', 'assert-failure', 'liveness-lasso'];
const TEXTS = NAMES.map((n) => readFileSync(`${FIXTURES}${n}.out`, 'utf8'));
const FRAGMENTS = ['@!@!@', '@!@!@STARTMSG 2217:4 @!@!@\n', '@!@!@ENDMSG 2217 @!@!@\n', '@!@!@STARTMSG 1000:1 @!@!@', '\n/\\ ', ' = ', '{', '<<', '"', '\n', '\r', '1: <Initial predicate>\n', 'line 1, col 1 to line 1, col 2 of module M'];

const mutated = textEdits(TEXTS, FRAGMENTS, 40);

const randomStream = fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 8 })), { maxLength: 30 }).map((xs) => xs.join(''));

describe('fuzz', () => {
  it('law: parseToolOutput never throws on mutated TLC output or random streams, and errors name a line', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, randomStream), (text) => {
        const r = parseToolOutput(text);
        return r.ok || (r.error.line >= 1 && r.error.line <= text.split('\n').length + 1 && r.error.message.length > 0);
      }),
      { numRuns: 10_000 },
    );
  });

  it('law: the streaming reader never throws whatever the chunking', () => {
    fc.assert(
      fc.property(mutated, fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
        const p = new ToolStreamParser();
        let from = 0;
        for (const c of [...cuts.map((x) => x % (text.length + 1))].sort((a, b) => a - b)) {
          p.feed(text.slice(from, c));
          from = c;
        }
        p.feed(text.slice(from));
        p.end();
        return p.feed('more').length === 0;
      }),
      { numRuns: 2_000 },
    );
  });
});
