// Stage 3 of reading TLC's `-tool` output: trace-state assembly. A 2217 message (`N: <Action …>` then
// `/\ var = value` lines) becomes a trace state with parsed values; action headers are read once and shared.

import { err, ok, type Result } from '../shared/result.js';
import { parseTlaRange, type TlaParseError } from '../tla/parse.js';
import type { TlaValue } from '../tla/value.js';
import type { TlcActionHeader, TraceState } from '../tla/trace.js';
import { digits, firstLine, num } from './tool-text.js';

export interface StateProblem {
  readonly kind: 'bad-state' | 'bad-value';
  readonly line: number;
  readonly col?: number;
  readonly detail: string;
}

/** A 2217 body: `N: <header>` then the variables. Headers repeat, so each distinct one is read once. */
export function parseStateMessage(body: string, bodyLine: number, memo: ValueMemo, headers: Map<string, TlcActionHeader>): Result<TraceState, StateProblem> {
  const nl = body.indexOf('\n');
  const number = digits(body, 0, nl < 0 ? body.length : nl);
  if (number === undefined || !body.startsWith(': ', number.end)) {
    return err({ kind: 'bad-state', line: bodyLine, detail: `expected 'N: <Action …>', found '${firstLine(body).slice(0, 60)}'` });
  }
  const index = number.value - 1;
  if (index < 0) return err({ kind: 'bad-state', line: bodyLine, detail: `state number ${number.value} is not positive` });
  const text = body.slice(number.end + 2, nl < 0 ? body.length : body.charCodeAt(nl - 1) === 13 ? nl - 1 : nl).trim();
  let header = headers.get(text);
  if (header === undefined) {
    header = parseHeader(text);
    headers.set(text, header);
  }
  const values = parseAssignments(body, nl < 0 ? body.length : nl + 1, bodyLine + 1, memo);
  if (!values.ok) return values;
  return ok({ index, values: values.value, header });
}

/** `Inc line 5, col 11 to line 5, col 35 of module Hdr` (inside `<…>`), or `Initial predicate`. */
export function parseHeader(text: string): TlcActionHeader {
  const inner = text.startsWith('<') && text.endsWith('>') ? text.slice(1, -1) : text;
  const m = /^(.*?) line (\d+), col (\d+) to line (\d+), col (\d+) of module (\S+)$/.exec(inner);
  if (m === null) return { name: inner };
  return { name: m[1] as string, module: m[6] as string, line: num(m[2]), col: num(m[3]), endLine: num(m[4]), endCol: num(m[5]) };
}

function isIdentChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** The last text and value of each variable: most variables do not change from one trace state to the next. */
export type ValueMemo = Map<string, { readonly text: string; readonly value: TlaValue }>;

/**
 * `/\ x = v` lines (several variables) or a single `x = v` (TLC drops the `/\` when there is only one
 * variable), from `from` to the end of `body`; a value runs until the next line starting with `/\ `.
 * `line` is the output line of `from`. A value whose text equals the variable's text in the previous state is
 * not parsed again: the previous (immutable) value is shared.
 */
export function parseAssignments(body: string, from: number, line: number, memo: ValueMemo): Result<Map<string, TlaValue>, StateProblem> {
  const values = new Map<string, TlaValue>();
  const lineAt = (offset: number): number => line + countNewlinesIn(body, from, offset);
  let i = from;
  // Skip blank lines before the first variable.
  for (;;) {
    let j = i;
    while (j < body.length && (body.charCodeAt(j) === 32 || body.charCodeAt(j) === 9 || body.charCodeAt(j) === 13)) j++;
    if (j < body.length && body.charCodeAt(j) === 10) {
      i = j + 1;
      continue;
    }
    if (j >= body.length) return ok(values);
    break;
  }
  const conj = body.startsWith('/\\ ', i);
  while (i < body.length) {
    let start = i;
    if (conj) {
      if (!body.startsWith('/\\ ', i)) return err({ kind: 'bad-state', line: lineAt(i), col: 1, detail: `expected '/\\ variable = value'` });
      start = i + 3;
    }
    // The assignment ends where the next `/\ ` line starts (or at the end of the body).
    let end = body.length;
    if (conj) {
      const next = body.indexOf('\n/\\ ', start);
      if (next >= 0) end = next + 1;
    }
    let j = start;
    while (j < end && isIdentChar(body.charCodeAt(j))) j++;
    const name = body.slice(start, j);
    while (j < end && body.charCodeAt(j) === 32) j++;
    if (name === '' || body.charCodeAt(j) !== 61) {
      return err({ kind: 'bad-state', line: lineAt(start), col: start - lineStartOf(body, start) + 1, detail: `expected 'variable = value', found '${firstLine(body.slice(start, end)).slice(0, 60)}'` });
    }
    let a = j + 1;
    let b = end;
    while (a < b && isSpace(body.charCodeAt(a))) a++;
    while (b > a && isSpace(body.charCodeAt(b - 1))) b--;
    const text = body.slice(a, b);
    const last = memo.get(name);
    if (last !== undefined && last.text === text) values.set(name, last.value);
    else {
      const r = parseTlaRange(body, a, b, { line: 1 });
      if (!r.ok) return err(valueProblem(name, r.error, lineAt(a) - 1));
      values.set(name, r.value);
      memo.set(name, { text, value: r.value });
    }
    i = end;
  }
  return ok(values);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** The value was parsed with origin line 1; `lineOffset` moves its error line into the output. */
function valueProblem(name: string, e: TlaParseError, lineOffset: number): StateProblem {
  return { kind: 'bad-value', line: e.line + lineOffset, col: e.col, detail: `variable ${name}: ${e.message.replace(/^line \d+, col \d+: /, '')}` };
}

function lineStartOf(s: string, at: number): number {
  return s.lastIndexOf('\n', at - 1) + 1;
}

function countNewlinesIn(s: string, from: number, to: number): number {
  let n = 0;
  let i = s.indexOf('\n', from);
  while (i >= 0 && i < to) {
    n++;
    i = s.indexOf('\n', i + 1);
  }
  return n;
}
