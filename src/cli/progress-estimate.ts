// What is left of a breadth-first TLC run, estimated from the growth of its levels: TLC reports (about once a
// minute) the level it is on and the distinct states found so far. The new states per level over the last two
// reports give a growth factor q; while q < 1 the levels shrink geometrically, so about ln(n)/ln(1/q) more
// levels remain (until fewer than one new state per level) holding about n·q/(1-q) states, at the distinct-state
// rate of the last interval. While the levels still grow there is no estimate: the run is not past its widest level.

import type { TlcProgress } from '../tlc/run.js';

export interface Estimate {
  /** Distinct states per minute over the last interval. */
  readonly distinctPerMinute?: number;
  readonly remainingLevels?: number;
  readonly remainingSeconds?: number;
  /** Why there is no estimate, when there is none. */
  readonly note?: string;
}

interface Sample {
  readonly seconds: number;
  readonly level: number;
  readonly distinct: number;
}

export class LevelEstimator {
  private readonly samples: Sample[] = [];

  /** Records a progress report received `seconds` after the run started. */
  add(seconds: number, p: TlcProgress): void {
    if (p.depth === undefined || p.depth < 0) return;
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && p.depth <= last.level) {
      // Same level as before: keep the newest counts for it.
      this.samples[this.samples.length - 1] = { seconds, level: last.level, distinct: p.distinct };
      return;
    }
    this.samples.push({ seconds, level: p.depth, distinct: p.distinct });
  }

  estimate(): Estimate {
    const n = this.samples.length;
    if (n === 0) return {};
    const [a, b, c] = [this.samples[n - 3], this.samples[n - 2], this.samples[n - 1]];
    if (b === undefined || c === undefined) return { note: 'estimating after two more levels' };
    const rate = c.seconds > b.seconds ? ((c.distinct - b.distinct) / (c.seconds - b.seconds)) * 60 : undefined;
    const withRate = rate !== undefined ? { distinctPerMinute: Math.round(rate) } : {};
    if (a === undefined) return { ...withRate, note: 'estimating after one more level' };
    const perLevelLast = (c.distinct - b.distinct) / (c.level - b.level);
    const perLevelPrev = (b.distinct - a.distinct) / (b.level - a.level);
    if (perLevelPrev <= 0 || perLevelLast <= 0) return { ...withRate, note: 'no new states in the last levels' };
    const q = perLevelLast / perLevelPrev;
    if (q >= 1) return { ...withRate, note: `levels still growing (×${q.toFixed(2)} a level)` };
    const remainingLevels = perLevelLast <= 1 ? 1 : Math.ceil(Math.log(perLevelLast) / -Math.log(q));
    const remainingStates = (perLevelLast * q) / (1 - q);
    return {
      ...withRate,
      remainingLevels,
      ...(rate !== undefined && rate > 0 ? { remainingSeconds: Math.round((remainingStates / rate) * 60) } : {}),
    };
  }
}

/** `~3 levels, ~2 min left` or the reason there is no estimate. */
export function describeEstimate(e: Estimate): string {
  if (e.remainingLevels === undefined) return e.note ?? '';
  const t = e.remainingSeconds;
  const time = t === undefined ? '' : t < 90 ? `, ~${t} s left` : t < 5400 ? `, ~${Math.round(t / 60)} min left` : `, ~${(t / 3600).toFixed(1)} h left`;
  return `~${e.remainingLevels} more level${e.remainingLevels === 1 ? '' : 's'}${time}`;
}
