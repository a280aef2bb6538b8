// Stage 2 of reading TLC's `-tool` output: classification. Each framed message becomes a typed event by its
// code (version, progress, statistics, violations, trace states, errors located in the spec or the cfg), and
// the unframed lines go to SANY's reader.

import { TLC_CODE, TLC_MESSAGES, type TlcErrorKind } from './messages.js';
import type { TlcActionHeader } from '../tla/trace.js';
import type { SourceRange, TlcError } from './tool-events.js';
import { MessageFramer, type OpenMessage } from './tool-framing.js';
import { parseCoverageEntry } from './tool-coverage.js';
import { parseCountLine } from './counter.js';
import { parseElapsed, parseInitialStates, parseProgress, parseSearchDepth, parseStatistics } from './tool-progress.js';
import { analyzeSany } from './tool-sany.js';
import { parseAssignments, parseHeader, parseStateMessage, type ValueMemo } from './tool-state.js';
import { firstLine, num } from './tool-text.js';

/**
 * Incremental reader: `feed` each chunk as it arrives (strings or UTF-8 bytes; chunks may split lines, markers
 * and characters anywhere) and `end` when the stream closes; both return the events completed so far.
 */
export class ToolStreamParser extends MessageFramer {
  private outside: { text: string; line: number }[] = [];
  private readonly moduleFiles = new Map<string, string>();
  private lastParsedFile: string | undefined;
  private readonly memo: ValueMemo = new Map();
  private readonly headers = new Map<string, TlcActionHeader>();

  protected override outsideLine(raw: string): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    this.emit({ type: 'text', line: this.line, text });
    const counted = parseCountLine(text);
    if (counted !== undefined) {
      this.emit(counted.kind === 'start' ? { type: 'action-counts-start', line: this.line } : { type: 'action-count', line: this.line, name: counted.name, count: counted.count });
      return;
    }
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
  protected override flushOutside(): void {
    if (this.outside.length === 0) return;
    const lines = this.outside;
    this.outside = [];
    for (const e of analyzeSany(lines, this.moduleFiles, this.lastParsedFile)) this.emit(e);
  }

  protected override interpret(msg: OpenMessage, body: string): void {
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
        const st = parseStatistics(first);
        if (st !== undefined) this.emit({ type: 'statistics', line, ...st });
        else this.emitMessage(msg, body);
        return;
      }
      case TLC_CODE.SEARCH_DEPTH: {
        const depth = parseSearchDepth(first);
        if (depth !== undefined) this.emit({ type: 'depth', line, depth });
        else this.emitMessage(msg, body);
        return;
      }
      case TLC_CODE.INIT_GENERATED: {
        const distinct = parseInitialStates(first);
        if (distinct !== undefined) this.emit({ type: 'initial-states', line, distinct });
        else this.emitMessage(msg, body);
        return;
      }
      case TLC_CODE.SUCCESS:
        this.emit({ type: 'success', line });
        return;
      case TLC_CODE.COVERAGE_START:
        this.emit({ type: 'coverage-start', line });
        return;
      case TLC_CODE.COVERAGE_NEXT:
      case TLC_CODE.COVERAGE_INIT: {
        const entry = parseCoverageEntry(first, msg.code === TLC_CODE.COVERAGE_INIT);
        if (entry !== undefined) this.emit({ type: 'coverage-entry', line, entry });
        else this.emitMessage(msg, body);
        return;
      }
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

const RANGE_TLC = /line (\d+), col (\d+) to line (\d+), col (\d+) of module (\w+)/;
const RANGE_NESTED = /Line (\d+), column (\d+) to line (\d+), column (\d+) in (\w+)/g;

function findRanges(body: string): SourceRange[] {
  const out: SourceRange[] = [];
  for (const m of body.matchAll(RANGE_NESTED)) {
    out.push({ module: m[5] as string, line: num(m[1]), col: num(m[2]), endLine: num(m[3]), endCol: num(m[4]) });
  }
  return out;
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
