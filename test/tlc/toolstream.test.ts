// Tests of the -tool stream reader against real TLC 2.18 outputs (test/fixtures/tlc), in one piece and in chunks,
// and against malformed streams.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tlaEqual } from '../../src/tla/equal.js';
import { parseTla } from '../../src/tla/parse.js';
import { printTlaPretty } from '../../src/tla/print.js';
import { tlaInt, tlaRecord, tlaStr, type TlaValue } from '../../src/tla/value.js';
import { TLC_CODE, TLC_MESSAGES } from '../../src/tlc/messages.js';
import { parseToolOutput, ToolStreamParser, type TlcOutcome, type TlcOutput, type ToolEvent } from '../../src/tlc/toolstream.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/tlc/', import.meta.url));
const fixture = (name: string): string => readFileSync(`${FIXTURES}${name}.out`, 'utf8');

function output(text: string): TlcOutput {
  const r = parseToolOutput(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function v(text: string): TlaValue {
  const r = parseTla(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** Outcome of each fixture, and TLC's exit code in that run (see the fixtures' README). */
const OUTCOMES: Record<string, TlcOutcome> = {
  success: 'success',
  'success-gc-warning': 'success',
  'invariant-violation': 'safety',
  'initial-state-violation': 'safety',
  'initial-state-wrapped-values': 'safety',
  'initial-state-wrapped-records': 'safety',
  'action-headers': 'safety',
  'deadlock-single-variable': 'deadlock',
  'deadlock-long-trace': 'deadlock',
  'liveness-stuttering': 'liveness',
  'liveness-lasso': 'liveness',
  'assume-false': 'assumption',
  'assert-failure': 'assert',
  'sany-parse-error': 'parse-error',
  'sany-lexical-error': 'parse-error',
  'sany-parse-error-in-extended-module': 'parse-error',
  'sany-semantic-error': 'parse-error',
  'sany-semantic-errors-and-warnings': 'parse-error',
  'sany-missing-module': 'parse-error',
  'cfg-unknown-invariant': 'config-error',
  'cfg-unassigned-constant': 'config-error',
  'cfg-unknown-identifier': 'config-error',
  'cfg-syntax-error': 'config-error',
  'cfg-invariant-constant-false': 'config-error',
  'number-too-big': 'error',
  overflow: 'error',
  'eval-error-domain': 'error',
  'eval-error-compare': 'error',
  'eval-error-initial-state': 'error',
  'coverage-pipeline': 'success',
  'coverage-instance': 'success',
  'coverage-split': 'success',
};

describe('parseToolOutput on real TLC output', () => {
  it('covers every fixture with its outcome', () => {
    const files = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.out'))
      .map((f) => f.slice(0, -4))
      .sort();
    expect(files).toEqual(Object.keys(OUTCOMES).sort());
    for (const name of files) {
      const out = output(fixture(name));
      expect(out.outcome, name).toBe(OUTCOMES[name]);
      expect(out.version, name).toBe('TLC2 Version 2.18 of 20 March 2023');
      expect(out.finished, name).toBe(true);
      expect(out.elapsedMs, name).toBeGreaterThan(0);
    }
  });

  it('reads a successful run: statistics, depth, no trace', () => {
    const out = output(fixture('success'));
    expect(out).toMatchObject({ outcome: 'success', generated: 6, distinct: 6, queue: 0, depth: 6, trace: [], errors: [], elapsedMs: 482 });
    const progress = out.events.find((e) => e.type === 'progress');
    expect(progress).toMatchObject({ depth: 6, generated: 6, distinct: 6, queue: 0, generatedPerMinute: 756, distinctPerMinute: 756 });
  });

  it('reads progress numbers with thousands separators and without rates', () => {
    const long = output(fixture('deadlock-long-trace'));
    expect(long.events.find((e) => e.type === 'progress')).toMatchObject({ generated: 24341, distinct: 12341, generatedPerMinute: 2410000, distinctPerMinute: 1221881 });
    expect(long).toMatchObject({ generated: 24341, distinct: 12341, depth: 341 });
    const live = output(fixture('liveness-stuttering'));
    const first = live.events.find((e) => e.type === 'progress');
    expect(first).toMatchObject({ generated: 4, distinct: 3, queue: 0 });
    expect(first && 'generatedPerMinute' in first).toBe(false);
  });

  it('reads an invariant violation with its trace, headers and every value', () => {
    const out = output(fixture('invariant-violation'));
    expect(out).toMatchObject({ outcome: 'safety', invariant: 'Inv', distinct: 3, generated: 3, depth: 3 });
    expect(out.trace.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(out.trace[0]?.header).toEqual({ name: 'Initial predicate' });
    expect(out.trace[1]?.header).toEqual({ name: 'Step', module: 'Vals', line: 20, col: 3, endLine: 27, endCol: 40 });
    const s0 = out.trace[0]?.values;
    expect([...(s0?.keys() ?? [])]).toEqual(['str', 'mv', 'action', 'e', 'f', 'g', 'h', 'q', 'r', 's', 'x', 'big']);
    expect(s0?.get('str')).toEqual(tlaStr('q"uo\\te\nnl\ttab'));
    expect(s0?.get('action')).toEqual(tlaRecord({ name: tlaStr('Init') }));
    expect(s0?.get('x')).toEqual(tlaInt(-3));
    const big = s0?.get('big');
    expect(big?.kind === 'seq' && big.elems.length).toBe(12);
    expect(tlaEqual(big?.kind === 'seq' ? (big.elems[9] as TlaValue) : tlaInt(0), v('[page |-> 10, refcount |-> 1034, owner |-> A, flags |-> {"PINNED", "REFFED"}]'))).toBe(true);
    const s2 = out.trace[2]?.values;
    expect(s2?.get('action')).toEqual(tlaRecord([['name', tlaStr('Step')], ['arg', tlaInt(-2)]]));
    expect(tlaEqual(s2?.get('f') as TlaValue, v('(<<1, 2>> :> "a" @@ <<2, 3>> :> "b" @@ <<-3, -3>> :> "neg" @@ <<-2, -2>> :> "neg")'))).toBe(true);
  });

  it('reads an initial-state violation (2107), whose state is inside the message', () => {
    const out = output(fixture('initial-state-violation'));
    expect(out).toMatchObject({ outcome: 'safety', invariant: 'Inv' });
    expect(out.trace).toHaveLength(1);
    expect(out.trace[0]?.header).toEqual({ name: 'Initial predicate' });
    expect(tlaEqual(out.trace[0]?.values.get('a') as TlaValue, v('{1, 2, 3}'))).toBe(true);
    expect(out.trace[0]?.values.get('k')).toEqual(tlaInt(-2147483648));
    const wrapped = output(fixture('initial-state-wrapped-records'));
    const action = wrapped.trace[0]?.values.get('action');
    expect(action && tlaEqual(action, v('[name |-> "ExtractPages", maxsize |-> 102400, maxpages |-> 8, ret |-> 8292, offset0 |-> 0, pages |-> <<1, 2, 3>>]'))).toBe(true);
  });

  it('reads traces of a single variable (no `/\\`) and long traces', () => {
    const dead = output(fixture('deadlock-single-variable'));
    expect(dead.outcome).toBe('deadlock');
    expect(dead.trace.map((s) => s.values.get('x'))).toEqual([tlaInt(0), tlaInt(1), tlaInt(2)]);
    const long = output(fixture('deadlock-long-trace'));
    expect(long.trace).toHaveLength(341);
    expect(long.trace[340]?.values.get('y')).toEqual(tlaInt(40));
  });

  it('reads liveness counterexamples and how they end', () => {
    expect(output(fixture('liveness-lasso'))).toMatchObject({ outcome: 'liveness', loop: { kind: 'back-to-state', index: 0 } });
    expect(output(fixture('liveness-stuttering'))).toMatchObject({ outcome: 'liveness', loop: { kind: 'stuttering', index: 1 } });
  });

  it('locates ASSUME, Assert and evaluation errors in the spec', () => {
    expect(output(fixture('assume-false')).errors).toMatchObject([{ kind: 'assumption', code: 2104, module: 'Assume', line: 4, col: 21 }]);
    const assert = output(fixture('assert-failure'));
    expect(assert.errors).toMatchObject([{ kind: 'assert', code: 2132, module: 'AssertFail', line: 5, col: 12 }]);
    expect(assert.errors[0]?.message).toContain('"x got \\"too\\" big"');
    expect(assert.errors[0]?.context).toHaveLength(2);
    expect(assert.trace).toHaveLength(3);
    const domain = output(fixture('eval-error-domain'));
    expect(domain.errors).toMatchObject([{ kind: 'evaluation', code: 1000, module: 'EvalErr', line: 5, col: 14 }]);
    expect(domain.errors[0]?.message).toBe('Attempted to apply function:\n<<1, 2>>\nto argument 3, which is not in the domain of the function.');
    expect(output(fixture('overflow')).errors).toMatchObject([{ kind: 'evaluation', code: 2178, message: 'Overflow when computing 65536*65536' }]);
    expect(output(fixture('number-too-big')).errors).toMatchObject([{ kind: 'evaluation', code: 2265 }]);
  });

  it('reads SANY errors printed outside the message framing, with file, module and position', () => {
    expect(output(fixture('sany-parse-error')).errors).toMatchObject([
      { kind: 'parse', file: '/tmp/tlcx/Syntax.tla', module: 'Syntax', line: 5, col: 1 },
      { kind: 'parse', code: 3002 },
    ]);
    expect(output(fixture('sany-parse-error-in-extended-module')).errors[0]).toMatchObject({ file: '/tmp/tlcx/BadLib.tla', module: 'BadLib', line: 3, col: 1 });
    expect(output(fixture('sany-lexical-error')).errors[0]).toMatchObject({ kind: 'parse', module: 'Lexical', line: 4, col: 17 });
    expect(output(fixture('sany-missing-module')).errors[0]).toMatchObject({ kind: 'parse', file: '/tmp/tlcx/NoFile.tla', module: 'NoFile' });
    const semantic = output(fixture('sany-semantic-error'));
    expect(semantic.errors).toMatchObject([
      { kind: 'semantic', module: 'Semantic', line: 5, col: 18, endLine: 5, endCol: 31, message: "Unknown operator: `undefinedThing'." },
      { kind: 'semantic', module: 'Semantic', line: 5, col: 36, message: "Unknown operator: `Foo'." },
      { kind: 'parse', code: 3002 },
    ]);
    expect(semantic.errors[0]?.code).toBeUndefined();
    const warn = output(fixture('sany-semantic-errors-and-warnings'));
    expect(warn.errors.filter((e) => e.kind === 'semantic')).toHaveLength(2);
    expect(warn.warnings).toMatchObject([{ module: 'SemWarn', line: 6, col: 1 }]);
    // SANY's lines are also kept as text events.
    expect(semantic.events.filter((e) => e.type === 'text').map((e) => e.type === 'text' && e.text)).toContain('Semantic errors:');
  });

  it('reads cfg errors, including the 5006 message TLC nests inside 1000', () => {
    expect(output(fixture('cfg-syntax-error')).errors).toMatchObject([{ kind: 'config', code: 1000, line: 3, message: expect.stringContaining('configuration file at line 3') }]);
    expect(output(fixture('cfg-unknown-invariant')).errors).toMatchObject([{ kind: 'config', code: 2229 }]);
    expect(output(fixture('cfg-unassigned-constant')).errors).toMatchObject([{ kind: 'config', code: 2222 }]);
    expect(output(fixture('cfg-unknown-identifier')).errors).toMatchObject([{ kind: 'config', code: 2226 }]);
    expect(output(fixture('cfg-invariant-constant-false')).errors).toMatchObject([{ kind: 'config', code: 2230 }]);
    const nested = output(fixture('cfg-syntax-error')).events.find((e) => e.type === 'message' && e.code === 5006);
    expect(nested).toMatchObject({ body: 'TLC found an error in the configuration file at line 3\nIt was expecting = or <-, but did not find it.' });
  });

  it('reports warnings (class 3)', () => {
    expect(output(fixture('success-gc-warning')).warnings).toMatchObject([{ code: 2401 }]);
  });

  it('has a meaning for every code seen in the fixtures', () => {
    const seen = new Set<number>();
    for (const name of Object.keys(OUTCOMES)) for (const m of fixture(name).matchAll(/@!@!@STARTMSG (\d+):/g)) seen.add(Number(m[1]));
    for (const code of seen) expect(TLC_MESSAGES[code], `code ${code}`).toBeDefined();
    expect(Object.values(TLC_CODE).every((c) => seen.has(c))).toBe(true);
  });

  it('reads Windows line endings the same way', () => {
    const lf = output(fixture('invariant-violation'));
    const crlf = output(fixture('invariant-violation').replace(/\n/g, '\r\n'));
    expect(crlf.outcome).toBe('safety');
    expect(crlf.trace.length).toBe(lf.trace.length);
    crlf.trace.forEach((s, i) => {
      for (const [k, x] of s.values) expect(tlaEqual(x, lf.trace[i]?.values.get(k) as TlaValue)).toBe(true);
    });
  });
});

describe('ToolStreamParser: chunked input', () => {
  const names = ['invariant-violation', 'cfg-syntax-error', 'sany-semantic-errors-and-warnings', 'initial-state-wrapped-records', 'assert-failure'];

  const feedAll = (chunks: readonly (string | Uint8Array)[]): ToolEvent[] => {
    const p = new ToolStreamParser();
    const events: ToolEvent[] = [];
    for (const c of chunks) events.push(...p.feed(c));
    events.push(...p.end());
    return events;
  };
  const split = (text: string, cuts: number[]): string[] => {
    const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
    const out: string[] = [];
    let from = 0;
    for (const p of points) {
      out.push(text.slice(from, p));
      from = p;
    }
    out.push(text.slice(from));
    return out;
  };

  it('law: events do not depend on where the stream is cut into chunks', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.array(fc.nat(), { maxLength: 40 }), (name, cuts) => {
        const text = fixture(name);
        expect(feedAll(split(text, cuts))).toEqual(feedAll([text]));
      }),
      { numRuns: 200 },
    );
  });

  it('law: events do not depend on how UTF-8 bytes are cut', () => {
    const text = fixture('deadlock-single-variable').replace('x = 1\n', 'x = "héllo ✓ 漢字"\n');
    const bytes = Buffer.from(text, 'utf8');
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 30 }), (cuts) => {
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let from = 0;
        for (const p of points) {
          chunks.push(bytes.subarray(from, p));
          from = p;
        }
        chunks.push(bytes.subarray(from));
        expect(feedAll(chunks)).toEqual(feedAll([text]));
      }),
      { numRuns: 200 },
    );
  });

  it('delivers each event as soon as its message is complete', () => {
    const text = fixture('invariant-violation');
    const p = new ToolStreamParser();
    const cut = text.indexOf('@!@!@ENDMSG 2110 @!@!@') + 10;
    expect(p.feed(text.slice(0, cut)).some((e) => e.type === 'invariant-violated')).toBe(false);
    expect(p.feed(text.slice(cut, cut + 20)).some((e) => e.type === 'invariant-violated')).toBe(true);
  });
});

describe('malformed streams are typed errors naming the line', () => {
  const text = fixture('invariant-violation');

  it('a stream cut inside a trace value: unterminated message at its STARTMSG line', () => {
    const cut = text.indexOf('refcount |-> 1030') + 5;
    const r = parseToolOutput(text.slice(0, cut));
    const startLine = text.slice(0, cut).lastIndexOf('@!@!@STARTMSG 2217:4');
    const line = text.slice(0, startLine).split('\n').length;
    expect(r).toMatchObject({ ok: false, error: { kind: 'unterminated-message', code: 2217, line } });
    expect(!r.ok && r.error.message).toContain(`line ${line}`);
  });

  it('a stream cut between messages is complete but unfinished', () => {
    const cut = text.indexOf('@!@!@STARTMSG 2200');
    const out = output(text.slice(0, cut));
    expect(out.outcome).toBe('incomplete');
    expect(out.finished).toBe(false);
    expect(out.trace).toHaveLength(3);
  });

  it('a missing ENDMSG inside the stream, a stray or mismatched ENDMSG, a broken marker', () => {
    const lines = text.split('\n');
    const at = (pattern: string) => lines.findIndex((l) => l.startsWith(pattern));
    const drop = (i: number) => [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n');
    const end2110 = at('@!@!@ENDMSG 2110');
    const start2110 = at('@!@!@STARTMSG 2110');
    // Messages may nest (TLC nests 5006 in 1000), so the open 2110 swallows what follows until the end.
    expect(parseToolOutput(drop(end2110))).toMatchObject({ ok: false, error: { kind: 'unterminated-message', code: 2110, line: start2110 + 1 } });
    const renamed = lines.slice();
    renamed[end2110] = '@!@!@ENDMSG 2111 @!@!@';
    expect(parseToolOutput(renamed.join('\n'))).toMatchObject({ ok: false, error: { kind: 'mismatched-end', line: end2110 + 1 } });
    expect(parseToolOutput(drop(start2110))).toMatchObject({ ok: false, error: { kind: 'stray-end', line: end2110 } });
    const broken = lines.slice();
    broken[start2110] = '@!@!@STARTMSG 2110:x @!@!@';
    expect(parseToolOutput(broken.join('\n'))).toMatchObject({ ok: false, error: { kind: 'bad-marker', line: start2110 + 1 } });
    const unclosed = lines.slice();
    unclosed[start2110] = '@!@!@STARTMSG 2110:1';
    expect(parseToolOutput(unclosed.join('\n'))).toMatchObject({ ok: false, error: { kind: 'bad-marker', line: start2110 + 1 } });
  });

  it('a garbled value inside a trace state: bad value at the exact line and column', () => {
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.startsWith('   [ page |-> 11,'));
    lines[i + 1] = '     refcount |-> 10 35,';
    const r = parseToolOutput(lines.join('\n'));
    expect(r).toMatchObject({ ok: false, error: { kind: 'bad-value', code: 2217, line: i + 2, col: 22 } });
    expect(!r.ok && r.error.message).toContain('variable big');
  });

  it('a state message without its header: bad state', () => {
    const r = parseToolOutput(text.replace('2: <Step line 20, col 3 to line 27, col 40 of module Vals>\n', ''));
    expect(r).toMatchObject({ ok: false, error: { kind: 'bad-state', code: 2217 } });
  });

  it('text between messages is kept, not refused', () => {
    const noisy = text.replace('@!@!@STARTMSG 2185:0 @!@!@', 'some noise from the JVM\n@!@!@STARTMSG 2185:0 @!@!@');
    const out = output(noisy);
    expect(out.outcome).toBe('safety');
    expect(out.events.some((e) => e.type === 'text' && e.text === 'some noise from the JVM')).toBe(true);
  });

  it('values TLC wraps over many lines parse as they print', () => {
    const text = fixture('initial-state-wrapped-records');
    const out = output(text);
    const nested = out.trace[0]?.values.get('nested') as TlaValue;
    const printed = /^\/\\ nested = (.*(?:\n +.*)*)/m.exec(text)?.[1];
    expect(printed?.split('\n')).toHaveLength(25);
    expect(printTlaPretty(nested)).toBe(printed);
  });
});
