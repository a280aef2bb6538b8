// `iterpin check --simulate`: the options of a sampled run, and which budget each selected model gets (the
// command line's settings over the manifest's `sample` over the defaults).

import type { ManifestModel, SampleSettings } from '../manifest/manifest.js';
import { SAMPLE_LIMITS } from '../manifest/load.js';
import type { SampleBudget } from '../tlc/simulate.js';

/** Defaults of a sampled run of a model whose manifest entry has no `sample` (TLC's own default depth). */
export const DEFAULT_SAMPLE = { depth: 100, behaviours: 1000 } as const;

export const SAMPLE_HELP = `sampled runs (TLC's simulation mode, for models too large to exhaust):
  --simulate         check by sampling random behaviours instead of every state: the models marked
                     "sample" in the manifest (or the --model/--spec ones). A run that finds nothing
                     reads "no violation in N behaviours of depth D", never "success"; a violation it
                     finds is written as a trace like any other. Models marked "sample" are always
                     sampled, and are not in the default run.
  --depth D          steps per behaviour (default: the manifest's, else ${DEFAULT_SAMPLE.depth})
  --behaviours N     sample N behaviours (default: the manifest's, else ${DEFAULT_SAMPLE.behaviours})
  --time SECONDS     or sample for this long (in batches of an exact number of behaviours each)
  --seed S           the first batch's seed (default: the manifest's, else a random one; the report
                     records every seed)
`;

export const SAMPLE_OPTIONS = {
  simulate: { type: 'boolean', default: false },
  depth: { type: 'string' },
  behaviours: { type: 'string' },
  time: { type: 'string' },
  seed: { type: 'string' },
} as const;

/** The command line's sampling settings; each absent one falls back to the manifest's. */
export interface SampleCli {
  readonly simulate: boolean;
  readonly depth?: number;
  readonly behaviours?: number;
  readonly seconds?: number;
  readonly seed?: number;
}

function int(name: string, text: string | undefined, min: number, max: number): number | string | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return /^[0-9]+$/.test(text) && Number.isSafeInteger(n) && n >= min && n <= max ? n : `--${name} must be an integer from ${min} to ${max}, got '${text}'`;
}

export function parseSampleArgs(values: {
  simulate?: boolean;
  depth?: string;
  behaviours?: string;
  time?: string;
  seed?: string;
}): { ok: true; value: SampleCli } | { ok: false; message: string } {
  const depth = int('depth', values.depth, 1, SAMPLE_LIMITS.depth);
  const behaviours = int('behaviours', values.behaviours, 1, SAMPLE_LIMITS.behaviours);
  const seconds = int('time', values.time, 1, SAMPLE_LIMITS.seconds);
  const seed = int('seed', values.seed, 0, SAMPLE_LIMITS.seed);
  for (const v of [depth, behaviours, seconds, seed]) if (typeof v === 'string') return { ok: false, message: v };
  if (behaviours !== undefined && seconds !== undefined) return { ok: false, message: 'give --behaviours or --time, not both' };
  const simulate = values.simulate === true;
  if (!simulate && [depth, behaviours, seconds, seed].some((v) => v !== undefined)) {
    return { ok: false, message: '--depth, --behaviours, --time and --seed are settings of a sampled run: add --simulate' };
  }
  return {
    ok: true,
    value: {
      simulate,
      ...(typeof depth === 'number' ? { depth } : {}),
      ...(typeof behaviours === 'number' ? { behaviours } : {}),
      ...(typeof seconds === 'number' ? { seconds } : {}),
      ...(typeof seed === 'number' ? { seed } : {}),
    },
  };
}

/** The budget of a sampled run of `m`, or undefined when `m` is checked exhaustively. */
export function sampleBudget(m: ManifestModel, cli: SampleCli): SampleBudget | undefined {
  if (!cli.simulate && m.sample === undefined) return undefined;
  const base: SampleSettings = m.sample ?? DEFAULT_SAMPLE;
  const count =
    cli.behaviours !== undefined
      ? { behaviours: cli.behaviours }
      : cli.seconds !== undefined
        ? { seconds: cli.seconds }
        : base.seconds !== undefined
          ? { seconds: base.seconds }
          : { behaviours: base.behaviours ?? DEFAULT_SAMPLE.behaviours };
  const seed = cli.seed ?? m.sample?.seed;
  return { depth: cli.depth ?? base.depth, ...count, ...(seed !== undefined ? { seed } : {}) };
}
