// Recursive-descent parser for TLA+ values as TLC prints them (records, sets, sequences, `:>`/`@@` functions,
// `a..b`, strings, exact integers, booleans, model values). One pass over char codes, no token array, no regex;
// errors are values naming the line and column, and no input makes it throw.

import { err, ok, type Result } from '../shared/result.js';
import { sharedInt, tlaInt, type TlaValue } from './value.js';

export type TlaParseErrorKind =
  | 'unexpected-token'
  | 'unexpected-character'
  | 'unexpected-end'
  | 'unterminated-string'
  | 'bad-escape'
  | 'trailing-input'
  | 'not-a-set'
  | 'too-large'
  | 'too-deep';

export interface TlaParseError {
  readonly kind: TlaParseErrorKind;
  readonly message: string;
  /** Line of the problem, counted from `origin.line` (default 1) at the start of the parsed text. */
  readonly line: number;
  /** 1-based column within that line of the underlying text. */
  readonly col: number;
  /** Offset of the problem in the underlying text. */
  readonly offset: number;
}

const KIND_TEXT: Record<TlaParseErrorKind, string> = {
  'unexpected-token': 'unexpected token',
  'unexpected-character': 'character that cannot start a TLA+ value',
  'unexpected-end': 'value ends too early',
  'unterminated-string': 'string literal is not closed',
  'bad-escape': 'unknown escape in string literal',
  'trailing-input': 'text after the value',
  'not-a-set': 'the domain of [x \\in S |-> e] is not a set',
  'too-large': 'value too large',
  'too-deep': 'value nested too deeply',
};

/** Deepest nesting of brackets accepted; deeper input is refused instead of exhausting the stack. */
export const MAX_DEPTH = 1000;
/** Largest `a..b` interval expanded into a set. */
export const MAX_INTERVAL = 1_000_000;

/** Where the parsed text sits in a larger document, for error positions. */
export interface TlaOrigin {
  readonly line: number;
}

/**
 * Parses one TLA+ value; whitespace (spaces, tabs, line breaks) between tokens is ignored. Accepted forms:
 * TRUE, FALSE, integers of any size (`-3`), strings with TLC's escapes (\" \\ \n \t \r \f), model values (any
 * other identifier), `{…}`, `<<…>>` (also TLC's `<< >>`), `[f |-> v, …]`, `k :> v @@ …` with or without
 * parentheses, `a..b` (expanded into a set), and `[x \in S |-> e]` when S is a literal set or `a..b` and e a
 * literal value that may mention x (TLC itself only prints such functions with constant bodies; expressions
 * such as `x * x` are refused).
 */
export function parseTla(text: string, origin?: TlaOrigin): Result<TlaValue, TlaParseError> {
  return parseTlaRange(text, 0, text.length, origin);
}

/**
 * Parses the value in `text[start, end)` without copying it out; `origin.line` is the line number of the line
 * holding `start`. Used by the -tool stream reader to parse `/\ var = value` in place.
 */
export function parseTlaRange(
  text: string,
  start: number,
  end: number,
  origin?: TlaOrigin,
): Result<TlaValue, TlaParseError> {
  const p = new Parser(text, Math.max(0, start), Math.min(text.length, Math.max(start, end)));
  scratchTop = 0;
  try {
    const v = p.expr();
    p.ws();
    if (p.i < p.end) p.fail('trailing-input', p.i, `expected the end of the value, found ${p.found(p.i)}`);
    return ok(v);
  } catch (e) {
    if (e instanceof Failure) return err(p.locate(e, origin));
    // Only a stack overflow can get here (the depth limit normally prevents it); it is still a value.
    return err(p.locate(new Failure('too-deep', p.i, 'value nested too deeply for the parser'), origin));
  } finally {
    if (scratchHigh > 4096) {
      scratch = [];
      scratchHigh = 0;
    }
  }
}

// Elements of the collections being parsed, innermost last; each collection is copied out at its exact size
// when it closes (growing a fresh array per collection would leave most of its capacity unused, and every
// parsed value outlives the parse, so the waste would be kept).
let scratch: unknown[] = [];
let scratchTop = 0;
let scratchHigh = 0;

function push(x: unknown): void {
  scratch[scratchTop++] = x;
  if (scratchTop > scratchHigh) scratchHigh = scratchTop;
}

function popFrom<T>(base: number): T[] {
  const out = scratch.slice(base, scratchTop) as T[];
  scratchTop = base;
  return out;
}

/** Internal unwinding from the point of failure to parseTlaRange; never escapes this module. */
class Failure {
  constructor(
    readonly kind: TlaParseErrorKind,
    readonly offset: number,
    readonly detail: string,
  ) {}
}

// Character classes for identifiers (letters, digits, `_`).
const IDENT = new Uint8Array(128);
for (let c = 48; c <= 57; c++) IDENT[c] = 2; // digit
for (let c = 65; c <= 90; c++) IDENT[c] = 1;
for (let c = 97; c <= 122; c++) IDENT[c] = 1;
IDENT[95] = 1;

// Values are immutable, and traces repeat the same small integers, field names, strings and model values in
// every state, so the parser shares them instead of allocating each occurrence again (allocation, not
// scanning, dominates the cost of parsing a long trace). Small integers are shared through value.ts.
const TRUE: TlaValue = { kind: 'bool', value: true };
const FALSE: TlaValue = { kind: 'bool', value: false };
const intValue = sharedInt;

/** Direct-mapped caches of recently seen names and short string literals, indexed by a hash of the text. */
const CACHE_SIZE = 4096;
const CACHE_MAX_LENGTH = 40;
const nameCache: (string | undefined)[] = new Array<string | undefined>(CACHE_SIZE);
const modelCache: ({ kind: 'modelValue'; name: string } | undefined)[] = new Array(CACHE_SIZE);
const strCache: ({ kind: 'str'; value: string } | undefined)[] = new Array(CACHE_SIZE);

function slot(hash: number, length: number): number {
  return (hash ^ Math.imul(length, 0x9e3779b1)) & (CACHE_SIZE - 1);
}

function cachedName(s: string, a: number, j: number, hash: number): string {
  if (j - a > CACHE_MAX_LENGTH) return s.slice(a, j);
  const k = slot(hash, j - a);
  const c = nameCache[k];
  if (c !== undefined && c.length === j - a && s.startsWith(c, a)) return c;
  const name = s.slice(a, j);
  nameCache[k] = name;
  return name;
}

function cachedModelValue(s: string, a: number, j: number, hash: number): TlaValue {
  if (j - a > CACHE_MAX_LENGTH) return { kind: 'modelValue', name: s.slice(a, j) };
  const k = slot(hash, j - a);
  const c = modelCache[k];
  if (c !== undefined && c.name.length === j - a && s.startsWith(c.name, a)) return c;
  const v = { kind: 'modelValue', name: s.slice(a, j) } as const;
  modelCache[k] = v;
  return v;
}

function cachedString(s: string, a: number, j: number, hash: number): TlaValue {
  if (j - a > CACHE_MAX_LENGTH) return { kind: 'str', value: s.slice(a, j) };
  const k = slot(hash, j - a);
  const c = strCache[k];
  if (c !== undefined && c.value.length === j - a && s.startsWith(c.value, a)) return c;
  const v = { kind: 'str', value: s.slice(a, j) } as const;
  strCache[k] = v;
  return v;
}

class Parser {
  i: number;
  depth = 0;

  constructor(
    readonly s: string,
    readonly start: number,
    readonly end: number,
  ) {
    this.i = start;
  }

  fail(kind: TlaParseErrorKind, offset: number, detail: string): never {
    throw new Failure(kind, offset, detail);
  }

  /** A short description of the text at offset `at`, for messages. */
  found(at: number): string {
    if (at >= this.end) return 'the end of the input';
    const c = this.s.charCodeAt(at);
    if (c === 10 || c === 13) return 'a line break';
    let j = at;
    while (j < this.end && j - at < 12 && this.s.charCodeAt(j) > 32) j++;
    return `'${this.s.slice(at, Math.max(j, at + 1))}'`;
  }

  locate(f: Failure, origin?: TlaOrigin): TlaParseError {
    const offset = Math.min(Math.max(f.offset, this.start), this.end);
    let line = origin?.line ?? 1;
    let lineStart = this.start;
    for (let j = this.start; j < offset; j++) {
      if (this.s.charCodeAt(j) === 10) {
        line++;
        lineStart = j + 1;
      }
    }
    if (lineStart === this.start) {
      while (lineStart > 0 && this.s.charCodeAt(lineStart - 1) !== 10) lineStart--;
    }
    const col = offset - lineStart + 1;
    return { kind: f.kind, message: `line ${line}, col ${col}: ${KIND_TEXT[f.kind]}: ${f.detail}`, line, col, offset };
  }

  ws(): void {
    const s = this.s;
    let i = this.i;
    while (i < this.end) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.i = i;
  }

  /** True (and consumes it) when the two-character operator `a b` is next. */
  private op2(a: number, b: number): boolean {
    if (this.i + 1 < this.end && this.s.charCodeAt(this.i) === a && this.s.charCodeAt(this.i + 1) === b) {
      this.i += 2;
      return true;
    }
    return false;
  }

  private expectOp2(a: number, b: number, what: string): void {
    this.ws();
    if (!this.op2(a, b)) this.fail(this.i >= this.end ? 'unexpected-end' : 'unexpected-token', this.i, `expected '${what}', found ${this.found(this.i)}`);
  }

  private enter(at: number): void {
    if (++this.depth > MAX_DEPTH) this.fail('too-deep', at, `more than ${MAX_DEPTH} nested brackets`);
  }

  /** expr := operand [ ':>' operand { '@@' operand ':>' operand } ] */
  expr(): TlaValue {
    const first = this.operand();
    this.ws();
    if (!this.op2(58, 62)) return first; // ':>'
    const base = scratchTop;
    push([first, this.operand()]);
    for (;;) {
      this.ws();
      if (!this.op2(64, 64)) break; // '@@'
      const k = this.operand();
      this.expectOp2(58, 62, ':>');
      push([k, this.operand()]);
    }
    return { kind: 'fn', entries: popFrom<readonly [TlaValue, TlaValue]>(base) };
  }

  /** operand := value [ '..' value ]   (an integer interval, expanded into a set) */
  private operand(): TlaValue {
    const at = this.i;
    const v = this.value();
    if (v.kind !== 'int') return v;
    this.ws();
    if (!this.op2(46, 46)) return v; // '..'
    const hiAt = this.i;
    const hi = this.value();
    if (hi.kind !== 'int') this.fail('unexpected-token', hiAt, `the upper bound of '..' must be an integer, found ${this.found(hiAt)}`);
    const lo = v.value;
    if (hi.value - lo + 1n > BigInt(MAX_INTERVAL)) this.fail('too-large', at, `interval ${lo}..${hi.value} has more than ${MAX_INTERVAL} elements`);
    const elems: TlaValue[] = [];
    for (let n = lo; n <= hi.value; n++) elems.push(tlaInt(n));
    return { kind: 'set', elems };
  }

  private value(): TlaValue {
    this.ws();
    const s = this.s;
    const at = this.i;
    if (at >= this.end) this.fail('unexpected-end', at, 'expected a value');
    const c = s.charCodeAt(at);
    switch (c) {
      case 123: // '{'
        return { kind: 'set', elems: this.list(at, 1, 125, 0, '}') };
      case 60: // '<<'
        if (at + 1 < this.end && s.charCodeAt(at + 1) === 60) return { kind: 'seq', elems: this.list(at, 2, 62, 62, '>>') };
        return this.fail('unexpected-character', at, `expected a value, found ${this.found(at)}`);
      case 91: // '['
        return this.bracket(at);
      case 40: {
        // '(' expr ')'
        this.enter(at);
        this.i++;
        const v = this.expr();
        this.ws();
        if (this.i < this.end && s.charCodeAt(this.i) === 41) this.i++;
        else this.fail(this.i >= this.end ? 'unexpected-end' : 'unexpected-token', this.i, `expected ')' to close the '(' at offset ${at - this.start}, found ${this.found(this.i)}`);
        this.depth--;
        return v;
      }
      case 34: // '"'
        return this.string();
      case 45: {
        // '-' integer
        this.i++;
        this.ws();
        const d = this.i < this.end ? s.charCodeAt(this.i) : 0;
        if (d < 48 || d > 57) this.fail(this.i >= this.end ? 'unexpected-end' : 'unexpected-token', this.i, `expected digits after '-', found ${this.found(this.i)}`);
        return this.integer(true);
      }
      default:
        if (c < 128 && IDENT[c] !== 0) return this.word(c);
        return this.fail('unexpected-character', at, `expected a value, found ${this.found(at)}`);
    }
  }

  /** Comma-separated values after an opener of `openLen` chars, up to the closer `c1 c2` (c2 = 0: one char). */
  private list(at: number, openLen: number, c1: number, c2: number, closer: string): TlaValue[] {
    this.enter(at);
    this.i += openLen;
    const base = scratchTop;
    this.ws();
    if (!this.closes(c1, c2)) {
      for (;;) {
        push(this.expr());
        this.ws();
        if (this.i < this.end && this.s.charCodeAt(this.i) === 44) {
          this.i++;
          continue;
        }
        if (this.closes(c1, c2)) break;
        this.fail(this.i >= this.end ? 'unexpected-end' : 'unexpected-token', this.i, `expected ',' or '${closer}', found ${this.found(this.i)}`);
      }
    }
    this.depth--;
    return popFrom<TlaValue>(base);
  }

  private closes(c1: number, c2: number): boolean {
    if (this.i >= this.end || this.s.charCodeAt(this.i) !== c1) return false;
    if (c2 === 0) {
      this.i++;
      return true;
    }
    if (this.i + 1 < this.end && this.s.charCodeAt(this.i + 1) === c2) {
      this.i += 2;
      return true;
    }
    return false;
  }

  /** `[f |-> v, ...]` (record) or `[x \in S |-> e]` (function). */
  private bracket(at: number): TlaValue {
    this.enter(at);
    this.i++;
    const name = this.fieldName();
    this.ws();
    if (this.isIn()) {
      const v = this.lambda(name);
      this.depth--;
      return v;
    }
    const base = scratchTop;
    let field = name;
    for (;;) {
      this.expectMapsTo();
      push([field, this.expr()]);
      this.ws();
      const c = this.i < this.end ? this.s.charCodeAt(this.i) : -1;
      if (c === 93) {
        this.i++;
        break;
      }
      if (c !== 44) this.fail(c < 0 ? 'unexpected-end' : 'unexpected-token', this.i, `expected ',' or ']', found ${this.found(this.i)}`);
      this.i++;
      field = this.fieldName();
    }
    this.depth--;
    return { kind: 'record', fields: popFrom<readonly [string, TlaValue]>(base) };
  }

  private fieldName(): string {
    this.ws();
    const a = this.i;
    let j = a;
    let hash = 0;
    while (j < this.end) {
      const c = this.s.charCodeAt(j);
      if (c < 128 && IDENT[c] !== 0) {
        hash = (Math.imul(hash, 31) + c) | 0;
        j++;
      } else break;
    }
    if (j === a) this.fail(a >= this.end ? 'unexpected-end' : 'unexpected-token', a, `expected a field name, found ${this.found(a)}`);
    this.i = j;
    return cachedName(this.s, a, j, hash);
  }

  private expectMapsTo(): void {
    this.ws();
    const s = this.s;
    const i = this.i;
    if (i + 2 < this.end && s.charCodeAt(i) === 124 && s.charCodeAt(i + 1) === 45 && s.charCodeAt(i + 2) === 62) {
      this.i += 3;
      return;
    }
    this.fail(i >= this.end ? 'unexpected-end' : 'unexpected-token', i, `expected '|->', found ${this.found(i)}`);
  }

  private isIn(): boolean {
    const s = this.s;
    const i = this.i;
    if (i + 2 < this.end && s.charCodeAt(i) === 92 && s.charCodeAt(i + 1) === 105 && s.charCodeAt(i + 2) === 110) {
      const after = i + 3 < this.end ? s.charCodeAt(i + 3) : 32;
      if (after >= 128 || IDENT[after] === 0) {
        this.i += 3;
        return true;
      }
    }
    return false;
  }

  /**
   * `[x \in S |-> e]` after `\in`: S must be a literal set (or `a..b`) and e a literal value in which the
   * bound name may stand for the element; TLC only prints such functions with constant bodies.
   */
  private lambda(bound: string): TlaValue {
    const domAt = this.i;
    const dom = this.expr();
    if (dom.kind !== 'set') this.fail('not-a-set', domAt, `found ${this.found(domAt)}`);
    this.expectMapsTo();
    const body = this.expr();
    this.ws();
    if (this.i < this.end && this.s.charCodeAt(this.i) === 93) this.i++;
    else this.fail(this.i >= this.end ? 'unexpected-end' : 'unexpected-token', this.i, `expected ']', found ${this.found(this.i)}`);
    return { kind: 'fn', entries: dom.elems.map((d) => [d, substitute(body, bound, d)] as const) };
  }

  private string(): TlaValue {
    const s = this.s;
    const open = this.i;
    let i = open + 1;
    let from = i;
    let parts: string[] | undefined;
    let hash = 0;
    for (;;) {
      if (i >= this.end) this.fail('unterminated-string', open, `the string opened here is not closed`);
      const c = s.charCodeAt(i);
      if (c === 34) break;
      if (c !== 92) {
        hash = (Math.imul(hash, 31) + c) | 0;
        i++;
        continue;
      }
      if (i + 1 >= this.end) this.fail('unterminated-string', open, `the string opened here is not closed`);
      const e = s.charCodeAt(i + 1);
      let rep: string;
      if (e === 34) rep = '"';
      else if (e === 92) rep = '\\';
      else if (e === 110) rep = '\n';
      else if (e === 116) rep = '\t';
      else if (e === 114) rep = '\r';
      else if (e === 102) rep = '\f';
      else return this.fail('bad-escape', i, `'\\${s.charAt(i + 1)}' (TLC writes only \\" \\\\ \\n \\t \\r \\f)`);
      (parts ??= []).push(s.slice(from, i), rep);
      i += 2;
      from = i;
    }
    this.i = i + 1;
    if (parts === undefined) return cachedString(s, from, i, hash);
    parts.push(s.slice(from, i));
    return { kind: 'str', value: parts.join('') };
  }

  private integer(negative: boolean): TlaValue {
    const s = this.s;
    const a = this.i;
    let j = a;
    let n = 0;
    while (j < this.end) {
      const c = s.charCodeAt(j);
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
      j++;
    }
    if (j < this.end) {
      const c = s.charCodeAt(j);
      if (c < 128 && IDENT[c] === 1) this.fail('unexpected-token', a, `expected an integer, found ${this.found(a)}`);
    }
    this.i = j;
    if (j - a <= 15) return intValue(negative ? -n : n);
    const big = BigInt(s.slice(a, j));
    return { kind: 'int', value: negative ? -big : big };
  }

  /** An integer, TRUE/FALSE, or a model value (identifiers may start with digits, like `1x`). */
  private word(c0: number): TlaValue {
    const s = this.s;
    const a = this.i;
    let j = a;
    let letters = false;
    let hash = 0;
    while (j < this.end) {
      const c = s.charCodeAt(j);
      if (c >= 128) break;
      const k = IDENT[c];
      if (k === 0) break;
      if (k === 1) letters = true;
      hash = (Math.imul(hash, 31) + c) | 0;
      j++;
    }
    if (!letters) return this.integer(false);
    this.i = j;
    if (j - a === 4 && c0 === 84 && s.startsWith('TRUE', a)) return TRUE;
    if (j - a === 5 && c0 === 70 && s.startsWith('FALSE', a)) return FALSE;
    return cachedModelValue(s, a, j, hash);
  }
}

/** Replaces the bound name (parsed as a model value) by `by` throughout `v`; shares untouched parts. */
function substitute(v: TlaValue, name: string, by: TlaValue): TlaValue {
  switch (v.kind) {
    case 'bool':
    case 'int':
    case 'str':
      return v;
    case 'modelValue':
      return v.name === name ? by : v;
    case 'set':
    case 'seq': {
      let changed = false;
      const elems = v.elems.map((e) => {
        const r = substitute(e, name, by);
        if (r !== e) changed = true;
        return r;
      });
      return changed ? { kind: v.kind, elems } : v;
    }
    case 'record': {
      let changed = false;
      const fields = v.fields.map(([f, e]) => {
        const r = substitute(e, name, by);
        if (r !== e) changed = true;
        return [f, r] as const;
      });
      return changed ? { kind: 'record', fields } : v;
    }
    case 'fn': {
      let changed = false;
      const entries = v.entries.map(([k, e]) => {
        const rk = substitute(k, name, by);
        const re = substitute(e, name, by);
        if (rk !== k || re !== e) changed = true;
        return [rk, re] as const;
      });
      return changed ? { kind: 'fn', entries } : v;
    }
  }
}
