// Live progress of running TLC models, from TLC's progress reports (message 2200): one line rewritten in place
// on a terminal, or plain lines (when asked for) when the output is a file or a pipe.

import type { TlcProgress } from '../tlc/run.js';
import { describeEstimate, LevelEstimator, type Estimate } from './progress-estimate.js';

const fmt = new Intl.NumberFormat('en-US');

/** `MCFoo 12,345 gen 4,567 dist 89 queue 50,000/min` */
export function describeProgress(model: string, p: TlcProgress): string {
  const rate = p.perMinute !== undefined ? ` ${fmt.format(p.perMinute)}/min` : '';
  const level = p.depth !== undefined && p.depth >= 0 ? ` level ${p.depth}` : '';
  return `${model} ${fmt.format(p.generated)} gen ${fmt.format(p.distinct)} dist ${fmt.format(p.queue)} queue${rate}${level}`;
}

export interface ProgressSink {
  start(model: string): void;
  progress(model: string, p: TlcProgress): void;
  done(model: string, summary: string): void;
  /** Clears the live line, if any, before the final output. */
  close(): void;
}

/**
 * Progress on a terminal: one status line for all running models, redrawn in place. TLC reports progress only
 * once a minute, so the line also shows each model's elapsed seconds, ticking every second.
 */
export class TtyProgress implements ProgressSink {
  private readonly running = new Map<string, { started: number; last?: TlcProgress; levels: LevelEstimator }>();
  private shown = false;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: NodeJS.WritableStream & { columns?: number },
    private readonly now: () => number = Date.now,
  ) {}

  start(model: string): void {
    this.running.set(model, { started: this.now(), levels: new LevelEstimator() });
    this.ticker ??= setInterval(() => this.draw(), 1000).unref();
    this.draw();
  }

  progress(model: string, p: TlcProgress): void {
    const r = this.running.get(model);
    if (r !== undefined) {
      r.last = p;
      r.levels.add((this.now() - r.started) / 1000, p);
    }
    this.draw();
  }

  done(model: string, summary: string): void {
    this.running.delete(model);
    this.clear();
    this.out.write(`${summary}\n`);
    this.draw();
  }

  close(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
    this.clear();
  }

  /** The status line as drawn (without terminal control characters). */
  line(): string {
    return [...this.running.entries()]
      .map(([model, r]) => {
        const secs = `${Math.floor((this.now() - r.started) / 1000)} s`;
        if (r.last === undefined) return `${model} ${secs}`;
        const est = describeEstimate(r.levels.estimate());
        return `${describeProgress(model, r.last)} ${secs}${est !== '' ? ` (${est})` : ''}`;
      })
      .join(' | ');
  }

  private clear(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }

  private draw(): void {
    this.clear();
    if (this.running.size === 0) return;
    const width = Math.max(20, (this.out.columns ?? 100) - 1);
    const line = this.line();
    this.out.write(line.length > width ? `${line.slice(0, width - 1)}…` : line);
    this.shown = true;
  }
}

/** Progress into a log or pipe: a plain line per event. */
export class PlainProgress implements ProgressSink {
  constructor(private readonly out: NodeJS.WritableStream) {}

  start(model: string): void {
    this.out.write(`${model}: started\n`);
  }

  progress(model: string, p: TlcProgress): void {
    this.out.write(`${describeProgress(model, p)}\n`);
  }

  done(_model: string, summary: string): void {
    this.out.write(`${summary}\n`);
  }

  close(): void {}
}

/** No progress at all (not a terminal and not --verbose). */
export class NoProgress implements ProgressSink {
  start(): void {}
  progress(): void {}
  done(): void {}
  close(): void {}
}

/** `--json --verbose`: each event as one JSON line (stderr), with the level estimate on every progress report. */
export class JsonProgress implements ProgressSink {
  private readonly started = new Map<string, { at: number; levels: LevelEstimator }>();

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly now: () => number = Date.now,
  ) {}

  private emit(e: Record<string, unknown>): void {
    this.out.write(`${JSON.stringify(e)}\n`);
  }

  start(model: string): void {
    this.started.set(model, { at: this.now(), levels: new LevelEstimator() });
    this.emit({ event: 'start', model });
  }

  progress(model: string, p: TlcProgress): void {
    const s = this.started.get(model);
    const seconds = s !== undefined ? (this.now() - s.at) / 1000 : undefined;
    if (s !== undefined && seconds !== undefined) s.levels.add(seconds, p);
    const estimate: Estimate | undefined = s?.levels.estimate();
    this.emit({ event: 'progress', model, ...(seconds !== undefined ? { seconds } : {}), ...p, ...(p.depth !== undefined ? { level: p.depth } : {}), ...(estimate !== undefined ? { estimate } : {}) });
  }

  done(model: string, summary: string): void {
    this.started.delete(model);
    this.emit({ event: 'done', model, summary });
  }

  close(): void {}
}
