// Stage 1 of reading TLC's `-tool` output: framing. Splits the byte stream into framed messages
// (`@!@!@STARTMSG <code>:<class> @!@!@` … `@!@!@ENDMSG <code> @!@!@`, possibly nested) and the unframed lines
// between them, fed in chunks that may split lines, markers and characters anywhere. What a message or a line
// means is left to the subclass (classification, SANY's text).

import { TextDecoder } from 'node:util';
import { STREAM_ERROR_TEXT, type ToolEvent, type ToolStreamError, type ToolStreamErrorKind } from './tool-events.js';
import { countNewlines, digits } from './tool-text.js';

/** A message being read: its code and class, where it started, its text so far and the codes nested in it. */
export interface OpenMessage {
  readonly code: number;
  readonly cls: number;
  readonly line: number;
  bodyLine: number;
  readonly parts: string[];
  readonly nested: number[];
}

const MARK = '@!@!@';

/**
 * Incremental framer: `feed` each chunk as it arrives (strings or UTF-8 bytes) and `end` when the stream closes;
 * both return the events completed so far.
 */
export abstract class MessageFramer {
  private buf = '';
  private pos = 0;
  private scan = 0;
  protected line = 1;
  private readonly stack: OpenMessage[] = [];
  private decoder: TextDecoder | undefined;
  private out: ToolEvent[] = [];
  private ended = false;

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

  protected take(): ToolEvent[] {
    const events = this.out;
    this.out = [];
    return events;
  }

  protected emit(e: ToolEvent): void {
    this.out.push(e);
  }

  protected streamError(kind: ToolStreamErrorKind, line: number, detail: string, code?: number, col?: number): void {
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

  /** A complete line printed outside any message (without its line end). */
  protected abstract outsideLine(raw: string): void;

  /** The unframed text since the last message is complete (a message starts, or the output ends). */
  protected abstract flushOutside(): void;

  /** A message is complete: `body` is its text without the markers (nested messages' bodies included). */
  protected abstract interpret(msg: OpenMessage, body: string): void;


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

}

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
