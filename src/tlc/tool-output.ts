// Stage 4 of reading TLC's `-tool` output: the run's outcome. Folds the events of a whole run into what it
// found (success, a violated invariant or property, a deadlock, an error), its statistics and its trace.

import { err, ok, type Result } from '../shared/result.js';
import type { TraceState } from '../tla/trace.js';
import type { TlcError, TlcWarning, ToolEvent, ToolStreamError } from './tool-events.js';
import { ToolStreamParser } from './tool-classify.js';
import type { CoverageEntry } from './tool-coverage.js';
import type { TraceLoop } from './run.js';


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
  readonly loop?: TraceLoop;
  /** The last coverage report (with `-coverage`): Init's parts and Next's sub-actions as TLC names them. */
  readonly coverage?: readonly CoverageEntry[];
  /** The action counter's counts per name (counter.ts), when the run was counted. */
  readonly actionCounts?: Readonly<Record<string, number>>;
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
  let coverage: CoverageEntry[] | undefined;
  let actionCounts: Record<string, number> | undefined;
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
      case 'coverage-start':
        coverage = [];
        break;
      case 'coverage-entry':
        (coverage ??= []).push(e.entry);
        break;
      case 'action-counts-start':
        actionCounts = {};
        break;
      case 'action-count':
        actionCounts = { ...actionCounts, [e.name]: (actionCounts?.[e.name] ?? 0) + e.count };
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
    ...(coverage === undefined ? {} : { coverage }),
    ...(actionCounts === undefined ? {} : { actionCounts }),
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
