// What a TLC run yields, whichever runner (host JVM or container) started it: the options every runner takes,
// the result every runner returns, TLC's exit-code table, and the classification of a finished run.

import type { TraceState } from '../tla/trace.js';
import type { CoverageEntry } from './tool-coverage.js';
import type { Jit } from './args.js';
import type { Result } from '../shared/result.js';

/** How a TLC run ended. The first six are TLC's own verdicts; the last two are ours. */
export type TlcOutcome =
  | 'success'
  | 'assumption'
  | 'deadlock'
  | 'safety'
  | 'liveness'
  | 'assert'
  /** TLC stopped without a verdict: parse error, cfg error, crash, out of memory. See `problems`. */
  | 'error'
  /** The run passed its time limit and was killed. */
  | 'timeout';

/** TLC's process exit codes (tlc2.output.EC.ExitStatus in the 1.7/1.8 tools). */
export const TLC_EXIT = {
  success: 0,
  assumption: 10,
  deadlock: 11,
  safety: 12,
  liveness: 13,
  assert: 14,
  specParse: 150,
  configParse: 151,
  stateSpaceTooLarge: 152,
  system: 153,
  other: 255,
} as const;

/** What an exit code of TLC means: a verdict, or the kind of problem that kept TLC from reaching one. */
export type TlcExitMeaning =
  | { readonly kind: 'verdict'; readonly outcome: Exclude<TlcOutcome, 'error' | 'timeout'> }
  | { readonly kind: 'error'; readonly problem: TlcProblemKind };

export function tlcExitMeaning(code: number): TlcExitMeaning {
  switch (code) {
    case TLC_EXIT.success:
      return { kind: 'verdict', outcome: 'success' };
    case TLC_EXIT.assumption:
      return { kind: 'verdict', outcome: 'assumption' };
    case TLC_EXIT.deadlock:
      return { kind: 'verdict', outcome: 'deadlock' };
    case TLC_EXIT.safety:
      return { kind: 'verdict', outcome: 'safety' };
    case TLC_EXIT.liveness:
      return { kind: 'verdict', outcome: 'liveness' };
    case TLC_EXIT.assert:
      return { kind: 'verdict', outcome: 'assert' };
    case TLC_EXIT.specParse:
      return { kind: 'error', problem: 'parse' };
    case TLC_EXIT.configParse:
      return { kind: 'error', problem: 'config' };
    case TLC_EXIT.stateSpaceTooLarge:
      return { kind: 'error', problem: 'state-space' };
    case TLC_EXIT.system:
      return { kind: 'error', problem: 'system' };
    default:
      return { kind: 'error', problem: 'other' };
  }
}

export type TlcProblemKind =
  /** SANY rejected a module (syntax or semantic error). */
  | 'parse'
  /** TLC rejected the cfg file or a name it refers to. */
  | 'config'
  /** An error while evaluating the spec (e.g. a type error in an expression). */
  | 'evaluation'
  /** The state space is too large for TLC's fingerprint set. */
  | 'state-space'
  /** A JVM or TLC internal failure (out of memory, I/O). */
  | 'system'
  /** The process died of a signal or an exit code that is not TLC's. */
  | 'crash'
  | 'other';

/** One reason TLC gave for stopping without a verdict, with the place it names when it names one. */
export interface TlcProblem {
  readonly kind: TlcProblemKind;
  /** TLC's message code (e.g. 2229), when the problem came from a framed message. */
  readonly code?: number;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
}

/** TLC's state counters, from the final statistics (2199) or the last progress report (2200). */
export interface TlcStats {
  readonly generated: number;
  readonly distinct: number;
  readonly queue: number;
}

/** Everything a runner needs to run one model. Runners take these fields and may add their own. */
export interface TlcRunOptions {
  /** The tla2tools jar on the host (the container runner uses the image's copy of the same bytes). */
  readonly jar: string;
  /** The directory holding the module and cfg; TLC runs with it as working directory. */
  readonly specDir: string;
  /** The module TLC starts on, relative to specDir, e.g. "MCPipeline.tla". */
  readonly module: string;
  /** The cfg, relative to specDir, e.g. "MCPipelineBroken.cfg". */
  readonly cfg: string;
  /** TLC's -workers; 1 gives deterministic distinct-state counts. */
  readonly workers: number;
  /** The JVM's maximum heap, e.g. "1g" or "512m". */
  readonly heap: string;
  /** Wall-clock limit in milliseconds; the TLC process (group) is killed when it passes. */
  readonly timeoutMs: number;
  /** Where TLC's complete output is written, byte for byte. */
  readonly logFile: string;
  /** Called with each progress report (message 2200) as it arrives. */
  readonly onProgress?: (progress: TlcProgress) => void;
  /** Called with each complete output line as it arrives (for --verbose). */
  readonly onLine?: (line: string) => void;
  /** The environment the runner's child process sees (PATH decides which `java`/engine is found). */
  readonly env?: NodeJS.ProcessEnv;
  /** Further TLC options before the module (host runner), e.g. `-deadlock` or `-dump dot FILE`. */
  readonly extraArgs?: readonly string[];
  /** Class directories or jars after the TLC jar on the JVM's classpath (host runner), e.g. the action counter. */
  readonly classpath?: readonly string[];
  /** JVM system properties (host runner), e.g. TLC's own `tlc2.TLCGlobals.chkpt`. */
  readonly jvmProperties?: Readonly<Record<string, string>>;
  /** Aborts the run from outside (e.g. another model hit an environment problem); reported as 'error'. */
  readonly signal?: AbortSignal;
  /** The JIT of the TLC JVM (host runner; default quick): see jitFor in args.ts. */
  readonly jit?: Jit;
  /** Run with TLC's `-coverage`: the result then says how often each sub-action of Next was taken. */
  readonly coverage?: boolean;
  /**
   * TLC's -metadir kept after the run (host runner), for checkpoints a later run can `-recover` from; absent: a
   * temporary one, removed after the run.
   */
  readonly metadir?: string;
}

/** How a liveness counterexample ends: stuttering forever in its last state, or a loop back to state `index` (0-based). */
export type TraceLoop = { readonly kind: 'stuttering'; readonly index: number } | { readonly kind: 'back-to-state'; readonly index: number };

export interface TlcProgress extends TlcStats {
  /** Search depth reached so far. */
  readonly depth?: number;
  /** States generated per minute, as TLC reports it. */
  readonly perMinute?: number;
  /** Distinct states per minute. */
  readonly distinctPerMinute?: number;
}

/** The result of a run that started: TLC ran, to a verdict, an error, or the time limit. */
export interface TlcRunResult {
  readonly outcome: TlcOutcome;
  /** TLC's exit code; null when it was killed by a signal. */
  readonly exitCode: number | null;
  readonly exitSignal: string | null;
  /** The violated invariant (2110, or 2107 in an initial state). */
  readonly invariant?: string;
  /**
   * The violated temporal property. TLC 2.18 does not name it ("Temporal properties were violated."); the
   * caller that knows the cfg's PROPERTIES sets it (see liveness.ts).
   */
  readonly property?: string;
  /** Final statistics (2199), or the last progress report on timeout. */
  readonly stats?: TlcStats;
  /** Depth of the complete state graph search (2194). */
  readonly depth?: number;
  /** The counterexample, empty when there is none. */
  readonly trace: readonly TraceState[];
  /** For a liveness counterexample: where its lasso closes. */
  readonly loop?: TraceLoop;
  /** With `coverage`: TLC's last coverage report (Init's parts and Next's sub-actions, as TLC names them). */
  readonly coverage?: readonly CoverageEntry[];
  /** Steps counted per name by the action counter (counter.ts), when the run was counted. */
  readonly actionCounts?: Readonly<Record<string, number>>;
  /** Why TLC stopped without a verdict; empty for verdicts. */
  readonly problems: readonly TlcProblem[];
  /** TLC's version line (2262), e.g. "TLC2 Version 2.18 of 20 March 2023". */
  readonly tlcVersion?: string;
  /** Wall-clock seconds from spawn to exit. */
  readonly seconds: number;
  /** The log file holding TLC's complete output. */
  readonly logFile: string;
  /** The exact argv the runner executed (program first). */
  readonly argv: readonly string[];
}

/** Problems that keep a runner from starting TLC at all. Messages are one line and name the missing thing. */
export type RunnerErrorKind =
  | 'java-missing'
  | 'jar-missing'
  | 'engine-missing'
  | 'image-missing'
  | 'spawn-failed'
  | 'io';

export interface RunnerError {
  readonly kind: RunnerErrorKind;
  readonly message: string;
}

/** A runner: the host JVM runner and the container runner both have this type. */
export type TlcRunner = (opts: TlcRunOptions) => Promise<Result<TlcRunResult, RunnerError>>;

/** The parts of TLC's output that decide a run's result; produced by the tool-stream parser. */
export interface TlcOutputSummary {
  readonly tlcVersion?: string;
  readonly invariant?: string;
  readonly stats?: TlcStats;
  readonly lastProgress?: TlcProgress;
  readonly depth?: number;
  readonly trace: readonly TraceState[];
  readonly loop?: TraceLoop;
  readonly coverage?: readonly CoverageEntry[];
  readonly actionCounts?: Readonly<Record<string, number>>;
  readonly problems: readonly TlcProblem[];
  /** Where the output itself could not be read (malformed framing, an unparsable trace state). */
  readonly unreadable?: readonly string[];
  /** The first line TLC's JVM wrote to stderr (e.g. "Error: Could not find or load main class …"). */
  readonly stderr?: string;
}

export interface ProcessEnd {
  readonly exitCode: number | null;
  readonly exitSignal: string | null;
  readonly timedOut: boolean;
  readonly aborted?: boolean;
  readonly seconds: number;
  readonly logFile: string;
  readonly argv: readonly string[];
}

/**
 * Decides the result of a finished TLC process from its exit status and its parsed output. The exit code is
 * authoritative for the outcome; the output supplies the invariant, counts, trace and problem details.
 */
export function classifyRun(end: ProcessEnd, out: TlcOutputSummary): TlcRunResult {
  const base = {
    exitCode: end.exitCode,
    exitSignal: end.exitSignal,
    seconds: end.seconds,
    logFile: end.logFile,
    argv: end.argv,
    ...(out.tlcVersion !== undefined ? { tlcVersion: out.tlcVersion } : {}),
  };
  const stats = out.stats ?? out.lastProgress;
  const statsPart = stats !== undefined ? { stats: { generated: stats.generated, distinct: stats.distinct, queue: stats.queue } } : {};
  if (end.timedOut) {
    // A killed run's trace may be cut off in the middle; it is never reported.
    return { ...base, ...statsPart, outcome: 'timeout', trace: [], problems: [] };
  }
  if (end.aborted === true) {
    return { ...base, ...statsPart, outcome: 'error', trace: [], problems: [{ kind: 'crash', message: 'the run was cancelled' }] };
  }
  if (end.exitCode === null) {
    const message = `TLC was killed by signal ${end.exitSignal ?? 'unknown'}`;
    return { ...base, ...statsPart, outcome: 'error', trace: [], problems: [...out.problems, { kind: 'crash', message }] };
  }
  const meaning = tlcExitMeaning(end.exitCode);
  if (meaning.kind === 'error') {
    const said = out.stderr !== undefined ? `: ${out.stderr}` : ` without naming the problem; see ${end.logFile}`;
    const problems = out.problems.length > 0 ? out.problems : [{ kind: meaning.problem, message: `TLC exited with code ${end.exitCode}${said}` }];
    return { ...base, ...statsPart, outcome: 'error', trace: [], problems };
  }
  if (out.unreadable !== undefined && out.unreadable.length > 0) {
    // A verdict whose trace or counts could not be read is not trusted: no partial counterexample goes out.
    const problems = out.unreadable.map((m) => ({ kind: 'other' as const, message: `TLC's output could not be read: ${m} (see ${end.logFile})` }));
    return { ...base, ...statsPart, outcome: 'error', trace: [], problems };
  }
  return {
    ...base,
    ...statsPart,
    outcome: meaning.outcome,
    ...(out.invariant !== undefined && meaning.outcome === 'safety' ? { invariant: out.invariant } : {}),
    ...(out.depth !== undefined ? { depth: out.depth } : {}),
    trace: meaning.outcome === 'success' ? [] : out.trace,
    ...(out.loop !== undefined && meaning.outcome === 'liveness' ? { loop: out.loop } : {}),
    ...(out.coverage !== undefined ? { coverage: out.coverage } : {}),
    ...(out.actionCounts !== undefined ? { actionCounts: out.actionCounts } : {}),
    problems: [],
  };
}
