// The events a `-tool` output reader yields, and the errors it reports: the vocabulary shared by every stage of
// reading TLC's output (framing, classification, trace states, SANY's text, the run's outcome).

import type { TlcActionHeader, TraceState } from '../tla/trace.js';
import type { TlcErrorKind } from './messages.js';
import type { CoverageEntry } from './tool-coverage.js';

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


export const STREAM_ERROR_TEXT: Record<ToolStreamErrorKind, string> = {
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
  /** Message 2201: a coverage report (`-coverage`) begins; the entries that follow replace any earlier report's. */
  | { readonly type: 'coverage-start'; readonly line: number }
  /** Messages 2772 (a sub-action of Next) and 2773 (Init) of a coverage report. */
  | { readonly type: 'coverage-entry'; readonly line: number; readonly entry: CoverageEntry }
  /** The action counter's lines (counter.ts), printed after TLC's output: its header, then steps counted per name. */
  | { readonly type: 'action-counts-start'; readonly line: number }
  | { readonly type: 'action-count'; readonly line: number; readonly name: string; readonly count: number }
  /** Any other framed message, verbatim. */
  | { readonly type: 'message'; readonly line: number; readonly code: number; readonly cls: number; readonly body: string }
  /** A line printed outside any message (SANY's progress and errors). */
  | { readonly type: 'text'; readonly line: number; readonly text: string }
  | { readonly type: 'stream-error'; readonly line: number; readonly error: ToolStreamError };
