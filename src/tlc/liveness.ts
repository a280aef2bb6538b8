// Naming the temporal property a liveness counterexample violates. TLC 2.18 says only "Temporal properties were
// violated." (2116), whichever of the cfg's PROPERTIES it found violated. With one property that is the one. With
// several, the model is run again once per property, each time with a cfg that checks that property alone, on a
// private copy of the spec directory: the first property violated on its own is named, the expected one tried
// first, and that run's lasso is the counterexample (so the trace shown violates the property named). This is
// sound: a property is violated on its own exactly when the spec does not satisfy it, whatever else is checked.

import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cfgProperties, cfgWithOnlyProperty, parseCfg } from './cfg.js';
import type { TlcRunner, TlcRunOptions, TlcRunResult } from './run.js';

export interface PropertyNaming {
  /** The run whose outcome is 'liveness', with `property` set when one could be named. */
  readonly result: TlcRunResult;
  /** Extra TLC runs made to name it (0 when the cfg lists one property). */
  readonly reruns: number;
  /** Why no property could be named, when none was. */
  readonly note?: string;
}

/**
 * Names the property a liveness run violated. `opts` are the run's own options; `expected` is the manifest's
 * property, tried first. Re-runs never use -coverage and log next to the original log (`<log>.<Property>.log`).
 */
export async function nameViolatedProperty(
  run: TlcRunResult,
  runner: TlcRunner,
  opts: TlcRunOptions,
  expected?: string,
): Promise<PropertyNaming> {
  if (run.outcome !== 'liveness') return { result: run, reruns: 0 };
  const cfgText = await readFile(join(opts.specDir, opts.cfg), 'utf8').catch(() => undefined);
  if (cfgText === undefined) return { result: run, reruns: 0, note: `${opts.cfg} cannot be read to name the property` };
  const sections = parseCfg(cfgText);
  const properties = cfgProperties(sections);
  if (properties.length === 0) return { result: run, reruns: 0, note: `${opts.cfg} lists no PROPERTIES` };
  if (properties.length === 1) return { result: { ...run, property: properties[0] as string }, reruns: 0 };
  const order = expected !== undefined && properties.includes(expected) ? [expected, ...properties.filter((p) => p !== expected)] : properties;
  const work = await mkdtemp(join(tmpdir(), 'iterpin-property-'));
  let reruns = 0;
  try {
    for (const f of await readdir(opts.specDir)) if (f.endsWith('.tla')) await copyFile(join(opts.specDir, f), join(work, f));
    for (const property of order) {
      const cfg = `${opts.cfg.replace(/\.cfg$/, '')}-${property}.cfg`;
      await writeFile(join(work, cfg), cfgWithOnlyProperty(sections, property));
      reruns++;
      const again = await runner({ ...opts, specDir: work, cfg, coverage: false, logFile: `${opts.logFile.replace(/\.log$/, '')}.${property}.log` });
      if (!again.ok || again.value.outcome === 'error' || again.value.outcome === 'timeout') {
        const why = again.ok ? again.value.outcome : again.error.message;
        return { result: run, reruns, note: `the run checking ${property} alone did not finish (${why})` };
      }
      if (again.value.outcome === 'liveness') {
        // The lasso of this run violates exactly this property; the original run's counts stay the model's.
        const { trace, loop } = again.value;
        return { result: { ...run, property, trace, ...(loop !== undefined ? { loop } : {}) }, reruns };
      }
    }
    return { result: run, reruns, note: `none of ${properties.join(', ')} is violated when checked alone` };
  } finally {
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
}
