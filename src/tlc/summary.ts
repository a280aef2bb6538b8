// Reads a running TLC's stdout through the tool-stream parser as it arrives (live progress, output lines) and
// folds the events into the runner-independent summary that classifyRun turns into a result.

import { summarize, ToolStreamParser, type TlcError, type ToolEvent } from './toolstream.js';
import type { TlcOutputSummary, TlcProblem, TlcProblemKind, TlcProgress } from './run.js';
import { TLC_CODE, type TlcErrorKind } from './messages.js';

const PROBLEM_KIND: Readonly<Record<TlcErrorKind, TlcProblemKind>> = {
  parse: 'parse',
  semantic: 'parse',
  config: 'config',
  assumption: 'evaluation',
  assert: 'evaluation',
  evaluation: 'evaluation',
  other: 'other',
};

/** A TLC/SANY error as a problem, naming the file SANY named, else the module's file, else (cfg errors) the cfg. */
export function toProblem(e: TlcError, cfg?: string): TlcProblem {
  const file = e.file ?? (e.module !== undefined ? `${e.module}.tla` : e.kind === 'config' ? cfg : undefined);
  return {
    kind: PROBLEM_KIND[e.kind],
    ...(e.code !== undefined ? { code: e.code } : {}),
    message: e.message.replace(/\s*\n\s*/g, ' ').trim(),
    ...(file !== undefined ? { file } : {}),
    ...(e.line !== undefined ? { line: e.line } : {}),
    ...(e.col !== undefined ? { col: e.col } : {}),
  };
}

export interface WatcherOptions {
  readonly onProgress?: (p: TlcProgress) => void;
  readonly onLine?: (line: string) => void;
  /** The model's cfg, to name it in cfg errors that carry only a line. */
  readonly cfg?: string;
}

/** Feeds stdout chunks to the parser as they arrive; keeps every event for the summary at the end. */
export class OutputWatcher {
  private readonly parser = new ToolStreamParser();
  private readonly events: ToolEvent[] = [];
  private partial = '';
  private ended = false;
  lastProgress: TlcProgress | undefined;

  constructor(private readonly opts: WatcherOptions = {}) {}

  push(chunk: Buffer | string): void {
    this.take(this.parser.feed(chunk));
    if (this.opts.onLine !== undefined) {
      const text = this.partial + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const l of lines) this.opts.onLine(l.replace(/\r$/, ''));
    }
  }

  /** Ends the stream; `stderr` is what the process wrote there (JVM errors that never reach the tool stream). */
  finish(stderr = ''): TlcOutputSummary {
    if (!this.ended) {
      this.ended = true;
      this.take(this.parser.end());
      if (this.opts.onLine !== undefined && this.partial !== '') this.opts.onLine(this.partial);
    }
    const out = summarize(this.events);
    const unreadable = this.events.flatMap((e) => (e.type === 'stream-error' ? [e.error.message] : []));
    const stderrLine = stderr
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l !== '');
    return {
      ...(out.version !== undefined ? { tlcVersion: out.version } : {}),
      ...(out.invariant !== undefined ? { invariant: out.invariant } : {}),
      ...(out.generated !== undefined && out.distinct !== undefined && out.queue !== undefined
        ? { stats: { generated: out.generated, distinct: out.distinct, queue: out.queue } }
        : {}),
      ...(this.lastProgress !== undefined ? { lastProgress: this.lastProgress } : {}),
      ...(out.depth !== undefined ? { depth: out.depth } : {}),
      trace: out.trace,
      ...(out.loop !== undefined ? { loop: out.loop } : {}),
      ...(out.coverage !== undefined ? { coverage: out.coverage } : {}),
      ...(out.actionCounts !== undefined ? { actionCounts: out.actionCounts } : {}),
      problems: located(out.errors.map((e) => toProblem(e, this.opts.cfg))),
      ...(unreadable.length > 0 ? { unreadable } : {}),
      ...(stderrLine !== undefined ? { stderr: stderrLine } : {}),
    };
  }

  private take(events: readonly ToolEvent[]): void {
    for (const e of events) {
      this.events.push(e);
      if (e.type === 'progress') {
        this.lastProgress = {
          generated: e.generated,
          distinct: e.distinct,
          queue: e.queue,
          depth: e.depth,
          ...(e.generatedPerMinute !== undefined ? { perMinute: e.generatedPerMinute } : {}),
          ...(e.distinctPerMinute !== undefined ? { distinctPerMinute: e.distinctPerMinute } : {}),
        };
        this.opts.onProgress?.(this.lastProgress);
      }
    }
  }
}

/** TLC's closing "Parsing or semantic analysis failed." adds nothing once SANY's own errors name a place. */
function located(problems: readonly TlcProblem[]): TlcProblem[] {
  const placed = problems.some((p) => p.line !== undefined);
  return problems.filter((p) => !(placed && p.code === TLC_CODE.PARSING_FAILED));
}
