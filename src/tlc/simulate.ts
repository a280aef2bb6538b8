// Sampled runs: TLC's simulation mode (`-simulate num=N -depth D -seed S`) for models too large to exhaust.
// TLC 2.18 has no time budget for simulation, so a budget in seconds is spent in batches of a known number of
// behaviours each (the count stays exact): a short first batch measures the rate, the next ones fill the time
// left, and a batch cut off by the deadline is not counted. A sampled run that finds nothing says how much it
// looked at ("no violation in N behaviours of depth D"), never that the invariants hold.

import { randomInt } from 'node:crypto';
import type { TlcRunOptions, TlcRunResult, TlcRunner, RunnerError } from './run.js';
import { err, ok, type Result } from '../shared/result.js';

export interface SampleBudget {
  /** Steps per behaviour (TLC's -depth). */
  readonly depth: number;
  /** Exactly this many behaviours, in one TLC run. */
  readonly behaviours?: number;
  /** Or: as many behaviours as fit in this many seconds (batches). */
  readonly seconds?: number;
  /** The first batch's seed; absent: a fresh random one. Batch k uses seed + k. */
  readonly seed?: number;
}

/** What a sampled run looked at. */
export interface SampledRun {
  /** Steps per behaviour. */
  readonly depth: number;
  /** Behaviours of the batches that finished without a violation (a violation's own batch is not counted). */
  readonly behaviours: number;
  /** The seed of each batch, in order: `-seed` reproduces a batch exactly with one worker. */
  readonly seeds: readonly number[];
  /** The budget asked for. */
  readonly budget: { readonly behaviours: number } | { readonly seconds: number };
}

/** The highest seed drawn at random (TLC takes a long; keep it exact in JSON). */
const MAX_RANDOM_SEED = 2 ** 47;

/** A fresh seed for a sampled run. */
export const randomSeed = (): number => randomInt(0, MAX_RANDOM_SEED);

/** TLC's arguments for one batch of `num` behaviours of `depth` steps from `seed`. */
export function simulateArgs(num: number, depth: number, seed: number): string[] {
  return ['-simulate', `num=${num}`, '-depth', String(depth), '-seed', String(seed)];
}

/** Behaviours in the first batch of a time budget (its run also measures the rate). */
export const FIRST_BATCH = 200;

/** The log of batch k: the model's log for the first, `<log>.batch<k+1>.log` after. */
export const batchLog = (log: string, k: number): string => (k === 0 ? log : log.replace(/(\.log)?$/, `.batch${k + 1}.log`));

/**
 * Runs a sampled check of one model. The result is the last batch's TLC result (a violation's, if one was found),
 * with the wall time of all batches; `sampled` says how many behaviours finished without a violation.
 */
export async function runSampled(
  runner: TlcRunner,
  opts: TlcRunOptions,
  budget: SampleBudget,
): Promise<Result<{ result: TlcRunResult; sampled: SampledRun }, RunnerError>> {
  const seed0 = budget.seed ?? randomSeed();
  const extra = opts.extraArgs ?? [];
  const one = (num: number, k: number, timeoutMs: number): ReturnType<TlcRunner> =>
    runner({ ...opts, coverage: false, logFile: batchLog(opts.logFile, k), timeoutMs, extraArgs: [...extra, ...simulateArgs(num, budget.depth, seed0 + k)] });

  if (budget.seconds === undefined) {
    const num = budget.behaviours ?? FIRST_BATCH;
    const r = await one(num, 0, opts.timeoutMs);
    if (!r.ok) return r;
    const clean = r.value.outcome === 'success';
    return ok({ result: r.value, sampled: { depth: budget.depth, behaviours: clean ? num : 0, seeds: [seed0], budget: { behaviours: num } } });
  }

  const deadline = Date.now() + budget.seconds * 1000;
  const seeds: number[] = [];
  let behaviours = 0;
  let seconds = 0;
  let last: TlcRunResult | undefined;
  let num = FIRST_BATCH;
  for (let k = 0; ; k++) {
    const left = deadline - Date.now();
    if (k > 0 && left <= 0) break;
    const r = await one(num, k, Math.max(1000, Math.min(left, opts.timeoutMs)));
    if (!r.ok) return k === 0 ? r : err(r.error);
    seeds.push(seed0 + k);
    seconds += r.value.seconds;
    if (r.value.outcome === 'timeout' && last !== undefined) break; // cut off by the deadline: not counted
    last = r.value;
    if (r.value.outcome !== 'success') break;
    behaviours += num;
    // The rate of this batch (its JVM start included) sizes the next one to fill most of the time left.
    const rate = num / Math.max(r.value.seconds, 0.001);
    const next = Math.floor((rate * (deadline - Date.now())) / 1000 * 0.8);
    if (next < 1) break;
    num = Math.min(next, 1_000_000_000);
  }
  const result = { ...(last as TlcRunResult), seconds };
  return ok({ result, sampled: { depth: budget.depth, behaviours, seeds, budget: { seconds: budget.seconds } } });
}

/** "no violation in 1,000 behaviours of depth 20" */
export function describeSampled(s: Pick<SampledRun, 'behaviours' | 'depth'>): string {
  const n = new Intl.NumberFormat('en-US').format(s.behaviours);
  return `no violation in ${n} behaviour${s.behaviours === 1 ? '' : 's'} of depth ${s.depth}`;
}
