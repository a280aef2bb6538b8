// Reading TLC's progress and statistics messages: `Progress(n)` (2200), the final state counts (2199), the
// search depth (2194), the initial states (2190) and the elapsed time of `Finished in …` (2186).

import type { ToolEvent } from './tool-events.js';
import { num } from './tool-text.js';

export type ProgressFields = Omit<Extract<ToolEvent, { type: 'progress' }>, 'type' | 'line'>;

export function parseProgress(line: string): ProgressFields | undefined {
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

/** `N states generated, N distinct states found, N states left on queue.` */
export function parseStatistics(line: string): { generated: number; distinct: number; queue: number } | undefined {
  const m = /^([\d,]+) states? generated, ([\d,]+) distinct states? found, ([\d,]+) states? left on queue/.exec(line);
  return m === null ? undefined : { generated: num(m[1]), distinct: num(m[2]), queue: num(m[3]) };
}

/** `The depth of the complete state graph search is N.` */
export function parseSearchDepth(line: string): number | undefined {
  const m = /search is (\d+)/.exec(line);
  return m === null ? undefined : num(m[1]);
}

/** `Finished computing initial states: N distinct states generated at …` */
export function parseInitialStates(line: string): number | undefined {
  const m = /: ([\d,]+) distinct states? generated/.exec(line);
  return m === null ? undefined : num(m[1]);
}

/** `Finished in 482ms at (…)`, `Finished in 01min 05s at …`, `Finished in 02h 01min 05s at …`. */
export function parseElapsed(line: string): number | undefined {
  const m = /^Finished in ((?:\d+(?:h|min|s|ms)\s*)+)/.exec(line);
  if (m === null) return undefined;
  let ms = 0;
  for (const part of (m[1] as string).matchAll(/(\d+)(h|min|ms|s)/g)) {
    const n = Number(part[1]);
    ms += part[2] === 'h' ? n * 3_600_000 : part[2] === 'min' ? n * 60_000 : part[2] === 's' ? n * 1000 : n;
  }
  return ms;
}
