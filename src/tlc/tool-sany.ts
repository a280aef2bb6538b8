// Reading SANY's unframed output: TLC 2.18 prints the parser's progress and its errors and warnings as plain
// lines outside any message; this turns them into located error and warning events.

import type { TlcErrorKind } from './messages.js';
import type { TlcError, ToolEvent } from './tool-events.js';
import { num } from './tool-text.js';

const SANY_RANGE = /^line (\d+), col (\d+) to line (\d+), col (\d+) of module (\S+)$/;

/**
 * Errors and warnings in SANY's text: `***Parse Error***` and `Lexical error …` (with `at line L, column C` and
 * the module from `In module M`), `Semantic errors:` / `*** Errors: N` / `*** Warnings: N` sections of
 * `line L, col C to line L2, col C2 of module M` entries, and the `*** Abort messages` section (missing files).
 */
export function analyzeSany(lines: readonly { text: string; line: number }[], files: ReadonlyMap<string, string>, lastFile: string | undefined): ToolEvent[] {
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
