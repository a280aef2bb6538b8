// Reader for TLC's `-tool` output: framed (possibly nested) messages plus the unframed text SANY prints. Fed in
// chunks, it yields typed events — progress, violations, trace states with parsed values, located errors — and
// reports a malformed stream as a typed error naming the output line, never by throwing.

import { TextDecoder } from 'node:util';
import { err, ok, type Result } from '../result.js';
import { parseTlaRange, type TlaParseError } from '../tla/parse.js';
import type { TlaValue } from '../tla/value.js';
import type { TlcActionHeader, TraceState } from '../trace/trace.js';
import { TLC_CODE, TLC_MESSAGES, type TlcErrorKind } from './messages.js';

export type { TlcErrorKind } from './messages.js';

/** An error TLC or SANY reported about the spec, the cfg or the run. */
export interface TlcError {
  readonly kind: TlcErrorKind;
  /** TLC message code; absent for SANY's errors, which TLC 2.18 prints outside any message. */
  readonly code?: number;
  /** The error in a few lines, without TLC's boilerplate. */
  readonly message: string;
  /** Path of the file, when SANY named it (`Parsing file …`). */
  readonly file?: string;
  readonly module?: string;
  /** Position in the module — or, for kind `config`, in the cfg file. */
  readonly line?: number;
  readonly col?: number;
  readonly endLine?: number;
  readonly endCol?: number;
  /** Positions TLC was evaluating (message 2103), outermost first. */
  readonly context?: readonly SourceRange[];
  /** Line of the TLC output where the error was reported. */
  readonly outputLine: number;
}

export interface SourceRange {
  readonly module: string;
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
}

export interface TlcWarning {
  readonly code?: number;
  readonly message: string;
  readonly module?: string;
  readonly line?: number;
  readonly col?: number;
  readonly outputLine: number;
}

export type ToolStreamErrorKind = 'bad-marker' | 'mismatched-end' | 'stray-end' | 'unterminated-message' | 'bad-state' | 'bad-value';

/** The output itself is malformed (not an error TLC reported). */
export interface ToolStreamError {
  readonly kind: ToolStreamErrorKind;
  readonly message: string;
  /** Line of the TLC output. */
  readonly line: number;
  readonly col?: number;
  readonly code?: number;
}

const STREAM_ERROR_TEXT: Record<ToolStreamErrorKind, string> = {
  'bad-marker': 'malformed message marker',
  'mismatched-end': 'ENDMSG does not match the open message',
  'stray-end': 'ENDMSG without an open message',
  'unterminated-message': 'message is not terminated',
  'bad-state': 'malformed trace state',
  'bad-value': 'unparsable value in trace state',
};

export type ToolEvent =
  | { readonly type: 'version'; readonly line: number; readonly version: string }
  | {
      readonly type: 'progress';
      readonly line: number;
      /** The number in `Progress(n)`: the search depth reached so far. */
      readonly depth: number;
      readonly at: string;
      readonly generated: number;
      readonly distinct: number;
      readonly queue: number;
      readonly generatedPerMinute?: number;
      readonly distinctPerMinute?: number;
    }
  | { readonly type: 'initial-states'; readonly line: number; readonly distinct: number }
  | { readonly type: 'statistics'; readonly line: number; readonly generated: number; readonly distinct: number; readonly queue: number }
  | { readonly type: 'depth'; readonly line: number; readonly depth: number }
  | { readonly type: 'success'; readonly line: number }
  | { readonly type: 'invariant-violated'; readonly line: number; readonly invariant: string; readonly initial: boolean }
  | { readonly type: 'property-violated'; readonly line: number }
  | { readonly type: 'deadlock'; readonly line: number }
  | { readonly type: 'state'; readonly line: number; readonly state: TraceState }
  | { readonly type: 'stuttering'; readonly line: number; readonly index: number }
  | { readonly type: 'back-to-state'; readonly line: number; readonly index: number; readonly header?: TlcActionHeader }
  | { readonly type: 'error'; readonly line: number; readonly error: TlcError }
  /** Message 2103: where TLC was evaluating when the preceding error happened. */
  | { readonly type: 'error-context'; readonly line: number; readonly positions: readonly SourceRange[] }
  | { readonly type: 'warning'; readonly line: number; readonly warning: TlcWarning }
  | { readonly type: 'finished'; readonly line: number; readonly elapsedMs?: number }
  /** Any other framed message, verbatim. */
  | { readonly type: 'message'; readonly line: number; readonly code: number; readonly cls: number; readonly body: string }
  /** A line printed outside any message (SANY's progress and errors). */
  | { readonly type: 'text'; readonly line: number; readonly text: string }
  | { readonly type: 'stream-error'; readonly line: number; readonly error: ToolStreamError };

interface OpenMessage {
  readonly code: number;
  readonly cls: number;
  readonly line: number;
  bodyLine: number;
  readonly parts: string[];
  readonly nested: number[];
}

const MARK = '@!@!@';

/**
 * Incremental reader: `feed` each chunk as it arrives (strings or UTF-8 bytes; chunks may split lines, markers
 * and characters anywhere) and `end` when the stream closes; both return the events completed so far.
 */
export class ToolStreamParser {
  private buf = '';
  private pos = 0;
  private scan = 0;
  private line = 1;
  private readonly stack: OpenMessage[] = [];
  private outside: { text: string; line: number }[] = [];
  private readonly moduleFiles = new Map<string, string>();
  private lastParsedFile: string | undefined;
  private decoder: TextDecoder | undefined;
  private out: ToolEvent[] = [];
  private ended = false;
  private readonly memo: ValueMemo = new Map();
  private readonly headers = new Map<string, TlcActionHeader>();

  feed(chunk: string | Uint8Array): ToolEvent[] {
    if (this.ended) return [];
    const text = typeof chunk === 'string' ? chunk : (this.decoder ??= new TextDecoder('utf-8')).decode(chunk, { stream: true });
    this.buf = this.pos === 0 ? this.buf + text : this.buf.slice(this.pos) + text;
    this.scan -= this.pos;
    this.pos = 0;
    if (this.scan < 0) this.scan = 0;
    this.run(false);
    return this.take();
  }

  end(): ToolEvent[] {
    if (this.ended) return [];
    if (this.decoder !== undefined) this.buf += this.decoder.decode();
    this.run(true);
    this.ended = true;
    const rest = this.buf.slice(this.pos);
    this.pos = this.buf.length;
    if (this.stack.length > 0) {
      this.appendBody(rest);
      for (const m of this.stack) {
        this.streamError('unterminated-message', m.line, `message ${m.code} opened at line ${m.line} has no ENDMSG (the output ends at line ${this.line})`, m.code);
      }
      this.stack.length = 0;
    } else if (rest.length > 0) {
      this.outsideText(rest, true);
    }
    this.flushOutside();
    return this.take();
  }

  private take(): ToolEvent[] {
    const events = this.out;
    this.out = [];
    return events;
  }

  private emit(e: ToolEvent): void {
    this.out.push(e);
  }

  private streamError(kind: ToolStreamErrorKind, line: number, detail: string, code?: number, col?: number): void {
    const error: ToolStreamError = {
      kind,
      message: `line ${line}${col === undefined ? '' : `, col ${col}`}: ${STREAM_ERROR_TEXT[kind]}: ${detail}`,
      line,
      ...(col === undefined ? {} : { col }),
      ...(code === undefined ? {} : { code }),
    };
    this.emit({ type: 'stream-error', line, error });
  }

  /** Consumes buf from pos: text, markers and messages, until more input is needed. */
  private run(ending: boolean): void {
    const buf = this.buf;
    for (;;) {
      const m = buf.indexOf(MARK, this.scan);
      if (m < 0) {
        // No marker: keep a tail that may be the start of one; hand complete text over.
        const safe = Math.max(this.pos, buf.length - (MARK.length - 1));
        if (this.stack.length > 0) {
          if (safe > this.pos) this.appendBody(buf.slice(this.pos, safe));
          this.pos = safe;
        } else {
          const nl = buf.lastIndexOf('\n', safe - 1);
          if (nl >= this.pos) {
            this.outsideText(buf.slice(this.pos, nl + 1), false);
            this.pos = nl + 1;
          }
        }
        this.scan = Math.max(this.pos, safe);
        return;
      }
      const close = buf.indexOf(MARK, m + MARK.length);
      const nl = buf.indexOf('\n', m);
      if (close < 0 || (nl >= 0 && nl < close)) {
        if (close < 0 && nl < 0 && !ending) {
          this.consumeText(m);
          this.scan = m;
          return;
        }
        // "@!@!@" that never closes on its line: report it and read it as plain text.
        this.consumeText(m);
        this.streamError('bad-marker', this.line, `'${buf.slice(m, nl < 0 ? buf.length : nl).slice(0, 60)}' is not a message marker`);
        this.scan = m + MARK.length;
        continue;
      }
      const after = close + MARK.length;
      if (!ending && (after >= buf.length || (buf.charCodeAt(after) === 13 && after + 1 >= buf.length))) {
        this.consumeText(m);
        this.scan = m;
        return;
      }
      const marker = parseMarker(buf, m + MARK.length, close);
      if (marker === undefined) {
        this.consumeText(m);
        this.streamError('bad-marker', this.line, `'${buf.slice(m, after).slice(0, 60)}' is not a message marker`);
        this.scan = m + MARK.length;
        continue;
      }
      this.consumeText(m);
      const markerLine = this.line;
      let next = after;
      if (buf.charCodeAt(next) === 13 && buf.charCodeAt(next + 1) === 10) next += 2;
      else if (buf.charCodeAt(next) === 10) next += 1;
      if (next > after) this.line++;
      this.pos = next;
      this.scan = next;
      if (marker.start) {
        this.flushOutside();
        this.stack.push({ code: marker.code, cls: marker.cls, line: markerLine, bodyLine: this.line, parts: [], nested: [] });
      } else {
        this.closeMessage(marker.code, markerLine);
      }
    }
  }

  /** Hands buf[pos, to) to the open message or to the unframed text, counting lines. */
  private consumeText(to: number): void {
    if (to <= this.pos) return;
    const text = this.buf.slice(this.pos, to);
    this.pos = to;
    if (this.stack.length > 0) this.appendBody(text);
    else this.outsideText(text, true);
  }

  private appendBody(text: string): void {
    const top = this.stack[this.stack.length - 1];
    if (top !== undefined && text.length > 0) top.parts.push(text);
    this.line += countNewlines(text);
  }

  /** Unframed text: complete lines become text events; `partialOk` also emits a last line without '\n'. */
  private outsideText(text: string, partialOk: boolean): void {
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) {
        if (partialOk && from < text.length) this.outsideLine(text.slice(from));
        return;
      }
      this.outsideLine(text.slice(from, nl));
      this.line++;
      from = nl + 1;
    }
  }

  private outsideLine(raw: string): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    this.emit({ type: 'text', line: this.line, text });
    const parsing = /^Parsing file (.+)$/.exec(text);
    if (parsing !== null) {
      const file = (parsing[1] as string).trim();
      this.lastParsedFile = file;
      const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1).replace(/\.tla$/, '');
      this.moduleFiles.set(base, file);
    }
    this.outside.push({ text, line: this.line });
  }

  /** Interprets the unframed text since the last message (SANY's errors and warnings). */
  private flushOutside(): void {
    if (this.outside.length === 0) return;
    const lines = this.outside;
    this.outside = [];
    for (const e of analyzeSany(lines, this.moduleFiles, this.lastParsedFile)) this.emit(e);
  }

  private closeMessage(code: number, markerLine: number): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      this.streamError('stray-end', markerLine, `ENDMSG ${code} without a matching STARTMSG`, code);
      return;
    }
    if (top.code !== code) {
      const depth = this.stack.map((m) => m.code).lastIndexOf(code);
      if (depth < 0) {
        this.streamError('mismatched-end', markerLine, `ENDMSG ${code} while message ${top.code} (opened at line ${top.line}) is open`, code);
        return;
      }
      while (this.stack.length > depth + 1) {
        const m = this.stack.pop() as OpenMessage;
        this.streamError('unterminated-message', m.line, `message ${m.code} opened at line ${m.line} is cut off by ENDMSG ${code} at line ${markerLine}`, m.code);
      }
    }
    const msg = this.stack.pop() as OpenMessage;
    let body = msg.parts.join('');
    if (body.endsWith('\n')) body = body.slice(0, body.endsWith('\r\n') ? -2 : -1);
    const parent = this.stack[this.stack.length - 1];
    if (parent !== undefined) {
      parent.parts.push(body);
      parent.nested.push(msg.code);
    }
    this.interpret(msg, body);
  }

  private interpret(msg: OpenMessage, body: string): void {
    const line = msg.line;
    const first = firstLine(body);
    switch (msg.code) {
      case TLC_CODE.VERSION:
        this.emit({ type: 'version', line, version: first.trim() });
        return;
      case TLC_CODE.PROGRESS: {
        const p = parseProgress(first);
        if (p !== undefined) this.emit({ type: 'progress', line, ...p });
        else this.emitMessage(msg, body);
        return;
      }
      case TLC_CODE.STATS: {
        const m = /^([\d,]+) states? generated, ([\d,]+) distinct states? found, ([\d,]+) states? left on queue/.exec(first);
        if (m !== null) this.emit({ type: 'statistics', line, generated: num(m[1]), distinct: num(m[2]), queue: num(m[3]) });
        else this.emitMessage(msg, body);
        return;
      }
      case TLC_CODE.SEARCH_DEPTH: {
        const m = /search is (\d+)/.exec(first);
        if (m !== null) this.emit({ type: 'depth', line, depth: num(m[1]) });
        else this.emitMessage(msg, body);
        return;
      }
      case TLC_CODE.INIT_GENERATED: {
        const m = /: ([\d,]+) distinct states? generated/.exec(first);
        if (m !== null) this.emit({ type: 'initial-states', line, distinct: num(m[1]) });
        else this.emitMessage(msg, body);
        return;
      }
      case TLC_CODE.SUCCESS:
        this.emit({ type: 'success', line });
        return;
      case TLC_CODE.FINISHED: {
        const ms = parseElapsed(first);
        this.emit(ms === undefined ? { type: 'finished', line } : { type: 'finished', line, elapsedMs: ms });
        return;
      }
      case TLC_CODE.INVARIANT_VIOLATED_BEHAVIOR:
      case TLC_CODE.INVARIANT_VIOLATED_INITIAL: {
        const m = /^Invariant (\S+) is violated/.exec(first);
        const initial = msg.code === TLC_CODE.INVARIANT_VIOLATED_INITIAL;
        this.emit({ type: 'invariant-violated', line, invariant: m?.[1] ?? '', initial });
        if (initial) {
          const nl = body.indexOf('\n');
          const state = parseAssignments(body, nl < 0 ? body.length : nl + 1, msg.bodyLine + (nl < 0 ? 0 : 1), this.memo);
          if (state.ok) this.emit({ type: 'state', line, state: { index: 0, values: state.value, header: { name: 'Initial predicate' } } });
          else this.streamError(state.error.kind, state.error.line, state.error.detail, msg.code, state.error.col);
        }
        return;
      }
      case TLC_CODE.DEADLOCK:
        this.emit({ type: 'deadlock', line });
        return;
      case TLC_CODE.TEMPORAL_VIOLATED:
        this.emit({ type: 'property-violated', line });
        return;
      case TLC_CODE.STATE: {
        const r = parseStateMessage(body, msg.bodyLine, this.memo, this.headers);
        if (r.ok) this.emit({ type: 'state', line, state: r.value });
        else this.streamError(r.error.kind, r.error.line, r.error.detail, msg.code, r.error.col);
        return;
      }
      case TLC_CODE.STUTTERING: {
        const m = /^(\d+): Stuttering/.exec(first);
        if (m !== null) this.emit({ type: 'stuttering', line, index: num(m[1]) - 1 });
        else this.streamError('bad-state', msg.bodyLine, `expected 'N: Stuttering', found '${first.slice(0, 60)}'`, msg.code);
        return;
      }
      case TLC_CODE.BACK_TO_STATE: {
        const m = /^(\d+): Back to state(?::\s*(.*))?$/.exec(first);
        if (m === null) {
          this.streamError('bad-state', msg.bodyLine, `expected 'N: Back to state: <…>', found '${first.slice(0, 60)}'`, msg.code);
          return;
        }
        const header = m[2] === undefined || m[2] === '' ? undefined : parseHeader(m[2]);
        this.emit(header === undefined ? { type: 'back-to-state', line, index: num(m[1]) - 1 } : { type: 'back-to-state', line, index: num(m[1]) - 1, header });
        return;
      }
      case TLC_CODE.NESTED_EXPRESSIONS:
        this.emit({ type: 'error-context', line, positions: findRanges(body) });
        return;
      case TLC_CODE.BEHAVIOR_UP_TO_HERE:
      case TLC_CODE.COUNTER_EXAMPLE:
        // Class 1, but only the preamble of a trace.
        this.emitMessage(msg, body);
        return;
      default:
        break;
    }
    // Class 1 is TLC's error class; codes 1000-1999 are its general (non-model) failures whatever the class.
    if (msg.cls === 1 || (msg.code >= 1000 && msg.code < 2000)) {
      this.emit({ type: 'error', line, error: tlcError(msg, body) });
      return;
    }
    if (msg.cls === 3) {
      this.emit({ type: 'warning', line, warning: { code: msg.code, message: body.trim(), outputLine: line } });
      return;
    }
    this.emitMessage(msg, body);
  }

  private emitMessage(msg: OpenMessage, body: string): void {
    this.emit({ type: 'message', line: msg.line, code: msg.code, cls: msg.cls, body });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Markers and small parsers

/** `STARTMSG <code>:<class> ` or `ENDMSG <code> ` between the two `@!@!@` of a marker. */
function parseMarker(s: string, from: number, to: number): { start: boolean; code: number; cls: number } | undefined {
  const start = s.startsWith('STARTMSG ', from);
  if (!start && !s.startsWith('ENDMSG ', from)) return undefined;
  let i = from + (start ? 9 : 7);
  const code = digits(s, i, to);
  if (code === undefined) return undefined;
  i = code.end;
  let cls = 0;
  if (start) {
    if (s.charCodeAt(i) !== 58) return undefined; // ':'
    const c = digits(s, i + 1, to);
    if (c === undefined) return undefined;
    cls = c.value;
    i = c.end;
  }
  if (i !== to - 1 || s.charCodeAt(i) !== 32) return undefined;
  return { start, code: code.value, cls };
}

/** A run of 1 to 9 decimal digits at `i` (before `to`). */
function digits(s: string, i: number, to: number): { value: number; end: number } | undefined {
  let n = 0;
  let j = i;
  while (j < to && j - i < 9) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
    j++;
  }
  return j === i ? undefined : { value: n, end: j };
}

function countNewlines(s: string): number {
  let n = 0;
  let i = s.indexOf('\n');
  while (i >= 0) {
    n++;
    i = s.indexOf('\n', i + 1);
  }
  return n;
}

function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  const l = nl < 0 ? s : s.slice(0, nl);
  return l.endsWith('\r') ? l.slice(0, -1) : l;
}

function num(s: string | undefined): number {
  return s === undefined ? NaN : Number(s.replace(/,/g, ''));
}

function parseProgress(line: string): Omit<Extract<ToolEvent, { type: 'progress' }>, 'type' | 'line'> | undefined {
  const m =
    /^Progress\((\d[\d,]*)\) at (.*?): ([\d,]+) states? generated(?: \(([\d,]+) s\/min\))?, ([\d,]+) distinct states? found(?: \(([\d,]+) ds\/min\))?, ([\d,]+) states? left on queue/.exec(
      line,
    );
  if (m === null) return undefined;
  return {
    depth: num(m[1]),
    at: m[2] as string,
    generated: num(m[3]),
    distinct: num(m[5]),
    queue: num(m[7]),
    ...(m[4] === undefined ? {} : { generatedPerMinute: num(m[4]) }),
    ...(m[6] === undefined ? {} : { distinctPerMinute: num(m[6]) }),
  };
}

/** `Finished in 482ms at (…)`, `Finished in 01min 05s at …`, `Finished in 02h 01min 05s at …`. */
function parseElapsed(line: string): number | undefined {
  const m = /^Finished in ((?:\d+(?:h|min|s|ms)\s*)+)/.exec(line);
  if (m === null) return undefined;
  let ms = 0;
  for (const part of (m[1] as string).matchAll(/(\d+)(h|min|ms|s)/g)) {
    const n = Number(part[1]);
    ms += part[2] === 'h' ? n * 3_600_000 : part[2] === 'min' ? n * 60_000 : part[2] === 's' ? n * 1000 : n;
  }
  return ms;
}

const RANGE_TLC = /line (\d+), col (\d+) to line (\d+), col (\d+) of module (\w+)/;
const RANGE_NESTED = /Line (\d+), column (\d+) to line (\d+), column (\d+) in (\w+)/g;

function findRanges(body: string): SourceRange[] {
  const out: SourceRange[] = [];
  for (const m of body.matchAll(RANGE_NESTED)) {
    out.push({ module: m[5] as string, line: num(m[1]), col: num(m[2]), endLine: num(m[3]), endCol: num(m[4]) });
  }
  return out;
}

/** `Inc line 5, col 11 to line 5, col 35 of module Hdr` (inside `<…>`), or `Initial predicate`. */
function parseHeader(text: string): TlcActionHeader {
  const inner = text.startsWith('<') && text.endsWith('>') ? text.slice(1, -1) : text;
  const m = /^(.*?) line (\d+), col (\d+) to line (\d+), col (\d+) of module (\S+)$/.exec(inner);
  if (m === null) return { name: inner };
  return { name: m[1] as string, module: m[6] as string, line: num(m[2]), col: num(m[3]), endLine: num(m[4]), endCol: num(m[5]) };
}

const TLC_BOILERPLATE = /^TLC threw an unexpected exception\.\nThis was probably caused by an error in the spec or model\.\nSee the User Output or TLC Console for clues to what happened\.\n(?:The exception was a ([\w.$]+)\n: )?/;

function tlcError(msg: OpenMessage, body: string): TlcError {
  const info = TLC_MESSAGES[msg.code];
  let kind: TlcErrorKind = info?.errorKind ?? 'other';
  let message = body.trim();
  const boiler = TLC_BOILERPLATE.exec(body);
  if (boiler !== null) message = body.slice(boiler[0].length).trim() || boiler[1] || message;
  const loc: { module?: string; line?: number; col?: number; endLine?: number; endCol?: number } = {};
  if (msg.code === TLC_CODE.GENERAL && (msg.nested.includes(TLC_CODE.CONFIG_FILE_ERROR) || boiler?.[1] === 'tlc2.tool.ConfigFileException')) {
    kind = 'config';
  }
  const cfgLine = /configuration file at line (\d+)/.exec(body);
  const range = RANGE_TLC.exec(body);
  if (kind === 'config' && cfgLine !== null) loc.line = num(cfgLine[1]);
  else if (range !== null) {
    loc.module = range[5] as string;
    loc.line = num(range[1]);
    loc.col = num(range[2]);
    loc.endLine = num(range[3]);
    loc.endCol = num(range[4]);
  }
  return { kind, code: msg.code, message, ...loc, outputLine: msg.line };
}

// ---------------------------------------------------------------------------------------------------------
// Trace states

interface StateProblem {
  readonly kind: 'bad-state' | 'bad-value';
  readonly line: number;
  readonly col?: number;
  readonly detail: string;
}

/** A 2217 body: `N: <header>` then the variables. */
/** A 2217 body: `N: <header>` then the variables. Headers repeat, so each distinct one is read once. */
function parseStateMessage(body: string, bodyLine: number, memo: ValueMemo, headers: Map<string, TlcActionHeader>): Result<TraceState, StateProblem> {
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

function isIdentChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/**
 * `/\ x = v` lines (several variables) or a single `x = v` (TLC drops the `/\` when there is only one
 * variable), from `from` to the end of `body`; a value runs until the next line starting with `/\ `.
 * `line` is the output line of `from`.
 */
/** The last text and value of each variable: most variables do not change from one trace state to the next. */
type ValueMemo = Map<string, { readonly text: string; readonly value: TlaValue }>;

/**
 * `/\ x = v` lines (several variables) or a single `x = v` (TLC drops the `/\` when there is only one
 * variable), from `from` to the end of `body`; a value runs until the next line starting with `/\ `.
 * `line` is the output line of `from`. A value whose text equals the variable's text in the previous state is
 * not parsed again: the previous (immutable) value is shared.
 */
function parseAssignments(body: string, from: number, line: number, memo: ValueMemo): Result<Map<string, TlaValue>, StateProblem> {
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

// ---------------------------------------------------------------------------------------------------------
// SANY's unframed output

const SANY_RANGE = /^line (\d+), col (\d+) to line (\d+), col (\d+) of module (\S+)$/;

/**
 * Errors and warnings in SANY's text: `***Parse Error***` and `Lexical error …` (with `at line L, column C` and
 * the module from `In module M`), `Semantic errors:` / `*** Errors: N` / `*** Warnings: N` sections of
 * `line L, col C to line L2, col C2 of module M` entries, and the `*** Abort messages` section (missing files).
 */
function analyzeSany(lines: readonly { text: string; line: number }[], files: ReadonlyMap<string, string>, lastFile: string | undefined): ToolEvent[] {
  const events: ToolEvent[] = [];
  const fileOf = (module: string | undefined): string | undefined => (module === undefined ? lastFile : (files.get(module) ?? lastFile));
  let abortModule: string | undefined;
  let abortMessage: { text: string; line: number } | undefined;
  let missingFile: string | undefined;
  for (let k = 0; k < lines.length; k++) {
    const text = (lines[k] as { text: string }).text.trim();
    const inModule = /^In module (\S+)$/.exec(text);
    if (inModule !== null) abortModule = inModule[1];
    const missing = /^File does not exist: (.+?) while looking in/.exec(text);
    if (missing !== null) missingFile = missing[1];
    if (text.startsWith('*** Abort messages:')) {
      // location line, then the message
      let j = k + 1;
      while (j < lines.length && (lines[j] as { text: string }).text.trim() === '') j++;
      const loc = (lines[j]?.text ?? '').trim();
      const m = /^In module (\S+)$/.exec(loc);
      if (m !== null) abortModule = m[1];
      j++;
      while (j < lines.length && (lines[j] as { text: string }).text.trim() === '') j++;
      const msgLine = lines[j];
      if (msgLine !== undefined && msgLine.text.trim() !== '') {
        abortMessage = { text: msgLine.text.trim(), line: msgLine.line };
        abortModule ??= /^Cannot find source file for module (\S+?)\.?$/.exec(abortMessage.text)?.[1];
      }
    }
  }

  let detailFound = false;
  let section: 'errors' | 'warnings' | undefined;
  for (let k = 0; k < lines.length; k++) {
    const entry = lines[k] as { text: string; line: number };
    const text = entry.text.trim();
    if (text === '***Parse Error***') {
      let j = k + 1;
      while (j < lines.length && (lines[j] as { text: string }).text.trim() === '') j++;
      const msg = lines[j];
      if (msg !== undefined) {
        const at = /at line (\d+), column (\d+)/.exec(msg.text);
        events.push(sanyError('parse', msg.text.trim(), entry.line, abortModule, fileOf(abortModule), at));
        detailFound = true;
        k = j;
      }
      continue;
    }
    const lexical = /^Lexical error at line (\d+), column (\d+)/.exec(text);
    if (lexical !== null) {
      events.push(sanyError('parse', text, entry.line, abortModule, fileOf(abortModule), lexical));
      detailFound = true;
      continue;
    }
    if (text === 'Semantic errors:' || text.startsWith('*** Errors:')) {
      section = 'errors';
      continue;
    }
    if (text.startsWith('*** Warnings:')) {
      section = 'warnings';
      continue;
    }
    if (section === undefined) continue;
    const range = SANY_RANGE.exec(text);
    if (range === null) continue;
    const msgLines: string[] = [];
    let j = k + 1;
    for (; j < lines.length; j++) {
      const t = (lines[j] as { text: string }).text.trim();
      if (SANY_RANGE.test(t) || t.startsWith('*** ') || t === 'Semantic errors:') break;
      if (t !== '') msgLines.push(t);
    }
    k = j - 1;
    const module = range[5] as string;
    const message = msgLines.join(' ');
    const loc = { module, line: num(range[1]), col: num(range[2]), endLine: num(range[3]), endCol: num(range[4]) };
    if (section === 'errors') {
      const file = fileOf(module);
      events.push({ type: 'error', line: entry.line, error: { kind: 'semantic', message, ...(file === undefined ? {} : { file }), ...loc, outputLine: entry.line } });
      detailFound = true;
    } else {
      events.push({ type: 'warning', line: entry.line, warning: { message, module, line: loc.line, col: loc.col, outputLine: entry.line } });
    }
  }
  if (!detailFound && abortMessage !== undefined) {
    const file = missingFile ?? fileOf(abortModule);
    const error: TlcError = {
      kind: 'parse',
      message: abortMessage.text,
      ...(file === undefined ? {} : { file }),
      ...(abortModule === undefined ? {} : { module: abortModule }),
      outputLine: abortMessage.line,
    };
    events.push({ type: 'error', line: abortMessage.line, error });
  }
  return events;
}

function sanyError(kind: TlcErrorKind, message: string, outputLine: number, module: string | undefined, file: string | undefined, at: RegExpExecArray | null): ToolEvent {
  const error: TlcError = {
    kind,
    message,
    ...(file === undefined ? {} : { file }),
    ...(module === undefined ? {} : { module }),
    ...(at === null ? {} : { line: num(at[1]), col: num(at[2]) }),
    outputLine,
  };
  return { type: 'error', line: outputLine, error };
}

// ---------------------------------------------------------------------------------------------------------
// Whole output

export type TlcOutcome =
  | 'success'
  | 'safety'
  | 'deadlock'
  | 'liveness'
  | 'assumption'
  | 'assert'
  | 'parse-error'
  | 'config-error'
  | 'error'
  /** The output ends before TLC's final 2186 message (killed, timed out, or cut). */
  | 'incomplete'
  /** TLC finished without reporting success or any failure. */
  | 'unknown';

export interface TlcOutput {
  readonly version?: string;
  readonly events: readonly ToolEvent[];
  readonly outcome: TlcOutcome;
  /** TLC printed its final message (2186). */
  readonly finished: boolean;
  readonly invariant?: string;
  /** From the final statistics (2199), else the last progress report. */
  readonly generated?: number;
  readonly distinct?: number;
  readonly queue?: number;
  /** Depth of the complete state graph search (2194), when TLC printed it. */
  readonly depth?: number;
  readonly elapsedMs?: number;
  /** The first counterexample (empty if none); index 0-based, values include `action`, header from TLC. */
  readonly trace: readonly TraceState[];
  /** Every counterexample printed, in order (more than one only with -continue). */
  readonly traces: readonly (readonly TraceState[])[];
  /** How a liveness counterexample ends: stuttering after the last state, or a loop back to `index`. */
  readonly loop?: { readonly kind: 'stuttering'; readonly index: number } | { readonly kind: 'back-to-state'; readonly index: number };
  /** Errors, each with the 2103 evaluation context that followed it merged in. */
  readonly errors: readonly TlcError[];
  readonly warnings: readonly TlcWarning[];
}

/** Reads a complete -tool output. Malformed framing or an unparsable trace state is an error. */
export function parseToolOutput(text: string): Result<TlcOutput, ToolStreamError> {
  const p = new ToolStreamParser();
  const events = [...p.feed(text), ...p.end()];
  const firstProblem = events.find((e) => e.type === 'stream-error');
  if (firstProblem !== undefined && firstProblem.type === 'stream-error') return err(firstProblem.error);
  return ok(summarize(events));
}

/** Folds events (from a ToolStreamParser) into the summary of the run. */
export function summarize(events: readonly ToolEvent[]): TlcOutput {
  let version: string | undefined;
  let finished = false;
  let success = false;
  let invariant: string | undefined;
  let violated: 'safety' | 'deadlock' | 'liveness' | undefined;
  let stats: { generated: number; distinct: number; queue: number } | undefined;
  let progress: { generated: number; distinct: number; queue: number } | undefined;
  let depth: number | undefined;
  let elapsedMs: number | undefined;
  let loop: TlcOutput['loop'];
  const traces: TraceState[][] = [];
  const errors: TlcError[] = [];
  const warnings: TlcWarning[] = [];
  for (const e of events) {
    switch (e.type) {
      case 'version':
        version ??= e.version;
        break;
      case 'progress':
        progress = { generated: e.generated, distinct: e.distinct, queue: e.queue };
        break;
      case 'statistics':
        stats = { generated: e.generated, distinct: e.distinct, queue: e.queue };
        break;
      case 'depth':
        depth = e.depth;
        break;
      case 'success':
        success = true;
        break;
      case 'invariant-violated':
        invariant ??= e.invariant;
        violated ??= 'safety';
        break;
      case 'property-violated':
        violated ??= 'liveness';
        break;
      case 'deadlock':
        violated ??= 'deadlock';
        break;
      case 'state': {
        const current = traces[traces.length - 1];
        if (current === undefined || (e.state.index === 0 && current.length > 0)) traces.push([e.state]);
        else current.push(e.state);
        break;
      }
      case 'stuttering':
        loop ??= { kind: 'stuttering', index: e.index };
        break;
      case 'back-to-state':
        loop ??= { kind: 'back-to-state', index: e.index };
        break;
      case 'error':
        errors.push(e.error);
        break;
      case 'error-context': {
        const last = errors[errors.length - 1];
        if (last !== undefined && last.context === undefined) {
          const inner = e.positions[e.positions.length - 1];
          const located = last.line !== undefined || inner === undefined ? {} : { module: inner.module, line: inner.line, col: inner.col, endLine: inner.endLine, endCol: inner.endCol };
          errors[errors.length - 1] = { ...last, ...located, context: e.positions };
        }
        break;
      }
      case 'warning':
        warnings.push(e.warning);
        break;
      case 'finished':
        finished = true;
        if (e.elapsedMs !== undefined) elapsedMs = e.elapsedMs;
        break;
      case 'message':
      case 'text':
      case 'initial-states':
      case 'stream-error':
        break;
      default: {
        const never: never = e;
        return never;
      }
    }
  }
  const counts = stats ?? progress;
  const outcome: TlcOutcome = !finished ? 'incomplete' : (violated ?? errorOutcome(errors) ?? (success ? 'success' : 'unknown'));
  return {
    ...(version === undefined ? {} : { version }),
    events,
    outcome,
    finished,
    ...(invariant === undefined ? {} : { invariant }),
    ...(counts === undefined ? {} : counts),
    ...(depth === undefined ? {} : { depth }),
    ...(elapsedMs === undefined ? {} : { elapsedMs }),
    trace: traces[0] ?? [],
    traces,
    ...(loop === undefined ? {} : { loop }),
    errors,
    warnings,
  };
}

function errorOutcome(errors: readonly TlcError[]): TlcOutcome | undefined {
  const kinds = new Set(errors.map((e) => e.kind));
  if (kinds.has('parse') || kinds.has('semantic')) return 'parse-error';
  if (kinds.has('config')) return 'config-error';
  if (kinds.has('assumption')) return 'assumption';
  if (kinds.has('assert')) return 'assert';
  if (errors.length > 0) return 'error';
  return undefined;
}
