// Reader for TLC's `-tool` output: framed (possibly nested) messages plus the unframed text SANY prints. Fed in
// chunks, it yields typed events — progress, violations, trace states with parsed values, located errors — and
// reports a malformed stream as a typed error naming the output line, never by throwing.
//
// The reading runs in stages, one file each: framing (tool-framing.ts), classification of each message
// (tool-classify.ts, with progress and statistics in tool-progress.ts and SANY's unframed text in
// tool-sany.ts), trace-state assembly (tool-state.ts) and the run's outcome (tool-output.ts). This module is
// their public surface.

export type { TlcErrorKind } from './messages.js';
export type { SourceRange, TlcError, TlcWarning, ToolEvent, ToolStreamError, ToolStreamErrorKind } from './tool-events.js';
export { ToolStreamParser } from './tool-classify.js';
export { parseToolOutput, summarize, type TlcOutcome, type TlcOutput } from './tool-output.js';
