// The argv of a TLC run, built in one place so the host and container runners run TLC identically.
// Arguments are an array handed to spawn(), never a shell string.

import { delimiter } from 'node:path';
import { err, ok, type Result } from '../shared/result.js';

/** TLC's main class in every tla2tools jar. */
export const TLC_MAIN_CLASS = 'tlc2.TLC';

/** Heap given to each TLC JVM unless the caller says otherwise (the machines are shared; keep it small). */
export const DEFAULT_HEAP = '1g';

export interface TlcArgsOptions {
  /** The module TLC starts on, relative to the working directory (the spec directory). */
  readonly module: string;
  /** The cfg file, relative to the working directory. */
  readonly cfg: string;
  /** -workers: a positive integer. */
  readonly workers: number;
  /** -metadir: a fresh directory for TLC's states/ and fingerprints, deleted after the run. */
  readonly metadir: string;
  /** Further TLC options placed before the module (e.g. `-deadlock`, `-dump dot FILE`), each one argv element. */
  readonly extraArgs?: readonly string[];
  /** -coverage: report how often each action was taken (at the end of the run). */
  readonly coverage?: boolean;
}

/**
 * The interval of `-coverage`, in minutes. TLC prints a report at every interval and one at the end; the runs
 * read only the last, so the interval is long enough that a model of the default or deep tier prints only that.
 */
export const COVERAGE_MINUTES = 60;

export interface JvmArgsOptions {
  /** Maximum heap, e.g. "1g", "512m". */
  readonly heap: string;
  /**
   * java.io.tmpdir for this JVM. TLC unpacks its standard modules (Naturals.tla, …) there and deletes them on
   * exit, so concurrent runs sharing /tmp can remove each other's copies; a per-run directory avoids that.
   */
  readonly tmpdir?: string;
  /** Further system properties (`-Dname=value`), e.g. TLC's own `tlc2.TLCGlobals.chkpt`. */
  readonly properties?: Readonly<Record<string, string>>;
  /** The JIT: `quick` (default) stops at the C1 compiler, `full` keeps the optimising tier (see jitFor). */
  readonly jit?: Jit;
}

export type Jit = 'quick' | 'full';

/** Seconds (its last recorded run) from which a model runs with the optimising compiler. */
export const FULL_JIT_SECONDS = 60;

/**
 * Which JIT a model's run gets. The quick compiler (C1) alone spends less CPU on most runs: the optimising tier
 * (C2) compiles in threads of its own, which costs more than it saves on runs of up to tens of seconds
 * (MCSpliceReadLive: 4.8 s of CPU with C1 against 11.2 s; MCPageLifetimeGen: 10.4 s against 16.4 s; MCIovIterGen:
 * 9.9 s against 14.7 s). A run of a minute over recursive operators gains from it (MCIovIter with coverage: 43 s of
 * CPU with C2 against 62 s). So: the optimising tier for long runs (deep-tier and sampled models) and for models
 * whose last recorded run took FULL_JIT_SECONDS or more; the manifest's distinct-state count is no guide
 * (MCIovIter's 3,427 states take longer than MCPageLifetime's 16,322).
 */
export function jitFor(o: { readonly long?: boolean; readonly seconds?: number }): Jit {
  if (o.long === true) return 'full';
  if (o.seconds !== undefined && o.seconds >= FULL_JIT_SECONDS) return 'full';
  return 'quick';
}

export type ArgsError = { readonly kind: 'bad-heap' | 'bad-workers' | 'bad-path'; readonly message: string };

const HEAP = /^[1-9][0-9]*[kKmMgG]?$/;

export function validateHeap(heap: string): Result<string, ArgsError> {
  return HEAP.test(heap)
    ? ok(heap)
    : err({ kind: 'bad-heap', message: `heap '${heap}' is not a JVM size like 512m or 1g` });
}

export function validateWorkers(workers: number): Result<number, ArgsError> {
  return Number.isSafeInteger(workers) && workers >= 1 && workers <= 1024
    ? ok(workers)
    : err({ kind: 'bad-workers', message: `workers must be an integer from 1 to 1024, got ${workers}` });
}

/** A module or cfg name TLC gets as a bare argument: no option lookalikes, no empty strings. */
function validateOperand(what: string, value: string): Result<string, ArgsError> {
  if (value === '' || value.startsWith('-')) return err({ kind: 'bad-path', message: `${what} '${value}' is not a file name` });
  return ok(value);
}

/**
 * JVM options: heap, the throughput collector TLC asks for, the JIT (jitFor), optionally a private temp dir.
 */
export function jvmArgs(o: JvmArgsOptions): Result<string[], ArgsError> {
  const heap = validateHeap(o.heap);
  if (!heap.ok) return heap;
  const props = Object.entries(o.properties ?? {});
  const bad = props.find(([k, v]) => !/^[A-Za-z][\w.-]*$/.test(k) || v === '');
  if (bad !== undefined) return err({ kind: 'bad-path', message: `JVM property '${bad[0]}' is not a property name with a value` });
  const jit = o.jit === 'full' ? [] : ['-XX:TieredStopAtLevel=1'];
  return ok([
    `-Xmx${heap.value}`,
    '-XX:+UseParallelGC',
    ...jit,
    ...(o.tmpdir !== undefined ? [`-Djava.io.tmpdir=${o.tmpdir}`] : []),
    ...props.map(([k, v]) => `-D${k}=${v}`),
  ]);
}

/**
 * TLC's own arguments (after the main class): `-tool -workers N [-coverage M] -lncheck final -config CFG -metadir
 * DIR MODULE`. `-lncheck final` checks temporal properties once, on the whole state space: by default TLC also
 * checks them on the part found so far whenever its periodic work runs, so a liveness violation was found after a
 * number of states that depended on the machine's load; with it the distinct-state count of a liveness model is
 * the same on every run (a model without PROPERTIES is unaffected). Simulation runs go without it.
 */
export function tlcArgs(o: TlcArgsOptions): Result<string[], ArgsError> {
  const workers = validateWorkers(o.workers);
  if (!workers.ok) return workers;
  const cfg = validateOperand('cfg', o.cfg);
  if (!cfg.ok) return cfg;
  const module = validateOperand('module', o.module);
  if (!module.ok) return module;
  const metadir = validateOperand('metadir', o.metadir);
  if (!metadir.ok) return metadir;
  const extra = o.extraArgs ?? [];
  if (extra.some((a) => a === '')) return err({ kind: 'bad-path', message: 'an extra TLC argument is empty' });
  const coverage = o.coverage === true ? ['-coverage', String(COVERAGE_MINUTES)] : [];
  // model checking only: a simulation (-simulate) checks temporal properties on each behaviour it draws
  const lncheck = extra.includes('-simulate') ? [] : ['-lncheck', 'final'];
  return ok(['-tool', '-workers', String(workers.value), ...coverage, ...lncheck, '-config', cfg.value, '-metadir', metadir.value, ...extra, module.value]);
}

/** The complete argv after `java`: JVM options, `-cp JAR tlc2.TLC`, TLC's arguments. */
export function javaTlcArgs(o: TlcArgsOptions & JvmArgsOptions & { readonly jar: string; readonly classpath?: readonly string[] }): Result<string[], ArgsError> {
  const jvm = jvmArgs(o);
  if (!jvm.ok) return jvm;
  const tlc = tlcArgs(o);
  if (!tlc.ok) return tlc;
  if (o.jar === '') return err({ kind: 'bad-path', message: 'the jar path is empty' });
  const classpath = [o.jar, ...(o.classpath ?? [])];
  if (classpath.some((c) => c === '' || c.includes(delimiter))) return err({ kind: 'bad-path', message: `a classpath entry is empty or holds '${delimiter}'` });
  return ok([...jvm.value, '-cp', classpath.join(delimiter), TLC_MAIN_CLASS, ...tlc.value]);
}

