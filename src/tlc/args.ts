// The argv of a TLC run, built in one place so the host and container runners run TLC identically.
// Arguments are an array handed to spawn(), never a shell string.

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
  /**
   * A class-data-sharing archive of TLC's classes (see class-archive.ts): `use` maps it at start-up, `create`
   * writes one at exit. JVM logging goes to errors on stderr only, so CDS notes never reach TLC's stdout stream,
   * and a JVM without these options ignores them.
   */
  readonly classArchive?: { readonly path: string; readonly mode: 'use' | 'create' };
  /** The JIT: `quick` (default) stops at the C1 compiler, `full` keeps the optimising tier (see jitFor). */
  readonly jit?: Jit;
}

export type Jit = 'quick' | 'full';

/** Distinct states (as the manifest records them) from which a model runs with the optimising compiler. */
export const FULL_JIT_DISTINCT = 2_000;
/** Seconds (its last recorded run) from which a model runs with the optimising compiler. */
export const FULL_JIT_SECONDS = 8;

/**
 * Which JIT a model's run gets. A run of a few seconds spends less CPU on the C1 compiler alone (C2 compiles
 * start-up code it never uses again: about 0.7 s of CPU on a 2 s run), while a model that evaluates recursive
 * operators for tens of seconds costs 1.2-1.7× the CPU without C2 (MCIovIter with coverage: 70 s against 44 s).
 * So: the optimising tier for long runs (deep-tier and sampled models) and for models the manifest records at
 * FULL_JIT_DISTINCT distinct states or more, or whose last recorded run took FULL_JIT_SECONDS or more.
 */
export function jitFor(o: { readonly long?: boolean; readonly distinct?: number; readonly seconds?: number }): Jit {
  if (o.long === true) return 'full';
  if (o.distinct !== undefined && o.distinct >= FULL_JIT_DISTINCT) return 'full';
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
 * JVM options: heap, the throughput collector TLC asks for, the JIT (jitFor), optionally a private temp dir and a
 * class archive.
 */
export function jvmArgs(o: JvmArgsOptions): Result<string[], ArgsError> {
  const heap = validateHeap(o.heap);
  if (!heap.ok) return heap;
  const props = Object.entries(o.properties ?? {});
  const bad = props.find(([k, v]) => !/^[A-Za-z][\w.]*$/.test(k) || v === '');
  if (bad !== undefined) return err({ kind: 'bad-path', message: `JVM property '${bad[0]}' is not a property name with a value` });
  if (o.classArchive !== undefined && (o.classArchive.path === '' || o.classArchive.path.includes(','))) {
    return err({ kind: 'bad-path', message: `class archive '${o.classArchive.path}' is not a usable file name` });
  }
  const archive =
    o.classArchive === undefined
      ? []
      : [
          '-XX:+IgnoreUnrecognizedVMOptions',
          o.classArchive.mode === 'use' ? `-XX:SharedArchiveFile=${o.classArchive.path}` : `-XX:ArchiveClassesAtExit=${o.classArchive.path}`,
          '-Xshare:auto',
          '-Xlog:disable',
          '-Xlog:all=error:stderr',
        ];
  const jit = o.jit === 'full' ? [] : ['-XX:TieredStopAtLevel=1'];
  return ok([
    `-Xmx${heap.value}`,
    '-XX:+UseParallelGC',
    ...jit,
    ...archive,
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
export function javaTlcArgs(o: TlcArgsOptions & JvmArgsOptions & { readonly jar: string }): Result<string[], ArgsError> {
  const jvm = jvmArgs(o);
  if (!jvm.ok) return jvm;
  const tlc = tlcArgs(o);
  if (!tlc.ok) return tlc;
  if (o.jar === '') return err({ kind: 'bad-path', message: 'the jar path is empty' });
  return ok([...jvm.value, '-cp', o.jar, TLC_MAIN_CLASS, ...tlc.value]);
}

