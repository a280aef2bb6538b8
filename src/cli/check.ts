// `iterpin check`: model-check the manifest's models with TLC, compare each outcome with the manifest, write
// every counterexample as ITF into a fresh out/check-<time>-<pid>/ directory, and print a table or JSON.

import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command, Io } from './command.js';
import { EXIT } from './command.js';
import type { ManifestModel } from '../manifest/manifest.js';
import { formatManifestError, loadManifest } from '../manifest/load.js';
import { projectRoot } from '../tlc/jar.js';
import type { TlcRunner, TlcRunOptions, TlcRunResult } from '../tlc/run.js';
import { dumpCoverage } from '../conform/dump-coverage.js';
import { err, ok, type Result } from '../shared/result.js';
import { nameViolatedProperty, type PropertyNaming } from '../tlc/liveness.js';
import { DEFAULT_HEAP, jitFor, validateHeap } from '../tlc/args.js';
import { writeItf } from '../tla/itf.js';
import { traceFromRun } from '../tlc/counterexample.js';
import { createRunDir, pointLatest, writeFileAtomic } from '../shared/output.js';
import { checkExitCode, compareRun, renderCheckJson, renderCheckText, type CheckReport, type ModelCheck } from './check-report.js';
import { JsonProgress, NoProgress, PlainProgress, TtyProgress, type ProgressSink } from './progress.js';
import { pool } from '../shared/pool.js';
import { prepareTlc } from './tlc-env.js';
import { renderManifestMarkdown, renderManifestText } from '../manifest/table.js';
import { cfgInvariants, parseCfg } from '../tlc/cfg.js';
import { readNextList } from '../tlc/next-actions.js';
import { actionCoverage, type NextList } from '../tlc/tool-coverage.js';
import { countedCoverage, countedRun, COUNTER_CLASS, ensureCounter } from '../tlc/counter.js';
import { modelCoverage, type ModelCoverage } from './check-report.js';
import { parseSampleArgs, SAMPLE_HELP, SAMPLE_OPTIONS, sampleBudget, type SampleCli } from './check-sample.js';
import { runSampled, type SampledRun } from '../tlc/simulate.js';
import { distributedMeta, distributedNotes, distributedOnly, distributedPart, distributedRunner, DISTRIBUTED_HELP, joinHint, parseDistributedOptions, type DistributedCheckOptions } from './check-distributed.js';
import { hostname } from 'node:os';
import { longestFirst, planRows, recordedSeconds, renderPlanJson, renderPlanText } from './check-plan.js';
import { checkpointArgs, DEFAULT_CHECKPOINT_MINUTES, dropMetadir, dropResumeRecord, formatCheckpointInterval, latestCheckpoint, modelMetadir, parseCheckpointInterval, readResumeRecord, recoveryOf, writeResumeRecord } from './check-resume.js';
import { mkdir } from 'node:fs/promises';

export const DEFAULT_TIMEOUT_SECONDS = 300;

const HELP = `usage: iterpin check [options]

Model-checks the models of spec/manifest.json with TLC and compares each result (outcome, violated
invariant, distinct states, depth) with the manifest. Each run writes into a new directory
out/check-<time>-<pid>/ (a TLC log per model, an ITF trace per counterexample, report.json) and
points out/latest at it. Fetches the pinned TLC jar first if it is not there yet.

The report says, per model, how often each action of Next (each \/ disjunct, named after the
operator it applies) was taken, as "actions fired" k/n. A model expected to succeed in which an
action never fires is "uncovered" unless its manifest entry lists the action under "neverFires" with
the reason; "actionsFired" ("k/n"), when the manifest records it, is compared like the state counts.
The counts come from the action counter (tlc-ext/IterpinCounter, compiled by 'iterpin setup'): TLC
runs the model with an ACTION_CONSTRAINT that counts each step it generates and constrains nothing.
With --counts coverage, or when the counter is not available (no JDK) or TLC does not run on the host,
they come from TLC's -coverage (slower; it also counts the distinct states each action found); a model
whose entry says "noCoverage" (with the reason) then gets them from a second TLC run of its cfg
without the VIEW that dumps the state graph (-dump dot,actionlabels).

A model may expect a liveness violation: "expect": {"result": "liveness", "property": "P"}, P one of its
cfg's PROPERTIES. TLC does not name the property it found violated; with several PROPERTIES the model is
run again once per property (that property alone, the expected one first) and the first one violated on
its own is named, its lasso written as the counterexample (#meta.loopIndex and lasso, ITF's loop).

options:
  --model NAME       check only this model (repeatable, or comma-separated)
  --spec NAME        check only the models of this spec
  --include-scale    also run the large models marked "scale"
  --runner R         host (default: the local JVM), container or distributed (see below)
  --workers N        TLC workers per model (default 1: deterministic state counts)
  --jobs N           models run at the same time (default: the number of cores)
  --timeout SECONDS  time limit per model (default ${DEFAULT_TIMEOUT_SECONDS})
  --heap SIZE        JVM heap per model (default ${DEFAULT_HEAP})
  --out DIR          parent of the run directory (default: out/ in the project)
  --manifest FILE    another manifest (its directory holds the specs)
  --json             print the report as JSON
  --verbose          progress lines even when stderr is not a terminal (with --json: one JSON event per
                     line on stderr: start, progress with level and estimate, done)
  --no-coverage      count no actions: no action counts, no "uncovered" verdict
  --counts HOW       counter (default) or coverage: count actions with TLC's own -coverage
  --list             list the selected models with their expectations instead of running TLC
                     (with --markdown: the table README.md carries; with --json: as JSON)
  --checkpoint MIN   TLC checkpoints each model every MIN minutes (default ${DEFAULT_CHECKPOINT_MINUTES}, TLC's own) into
                     <run dir>/<model>.states/, removed when the model finishes (host and container
                     runners). Ctrl-C stops the run and keeps the checkpoints; it prints how to resume. \`Ns\`: N seconds
                     (TLC's tlc2.TLCGlobals.chkpt; TLC looks 3 s into the search, then once a minute)
  --resume RUNDIR    run the models of an interrupted run again (its manifest, settings and runner),
                     each from its newest checkpoint (TLC's -recover), the others from the start
  --plan             what a run would start, without running TLC: per selected model its recorded
                     distinct states and depth (manifest) and the wall time of its newest earlier run
                     under --out (or its sampling budget); with --json: as JSON

${SAMPLE_HELP}

${DISTRIBUTED_HELP}
exit codes:
  0   every model matched the manifest
  ${EXIT.mismatch}   some model's result differs from the manifest
  ${EXIT.uncovered}   every result matched, but some model expected to succeed has an action that never
      fired and is not listed under its "neverFires"
  ${EXIT.usage}  wrong usage, e.g. an unknown model name
  ${EXIT.badInput}  the manifest is invalid
  ${EXIT.tlcError}  TLC stopped without a verdict (parse or cfg error, crash) for some model
  ${EXIT.cantCreate}  the output directory or a result file cannot be written
  ${EXIT.timeout}  some model ran past its time limit
  ${EXIT.untrustedJar}  the cached TLC jar's SHA-256 is not the pinned one
  ${EXIT.environment}  java, mvn, the jar or the container engine is missing
`;

interface CheckOptions {
  readonly models: readonly string[];
  readonly spec?: string;
  readonly includeScale: boolean;
  readonly runner: 'host' | 'container' | 'distributed';
  readonly workers: number;
  readonly distributed?: DistributedCheckOptions;
  readonly jobs?: number;
  readonly timeoutSeconds: number;
  readonly heap: string;
  readonly outDir: string;
  readonly manifest: string;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly list: boolean;
  readonly markdown: boolean;
  readonly coverage: boolean;
  /** How actions are counted: the action counter (counter.ts, host runner) or TLC's -coverage. */
  readonly counts: 'counter' | 'coverage';
  readonly sample: SampleCli;
  readonly plan: boolean;
  readonly checkpointSeconds: number;
  readonly resume?: string;
}

type Parsed = { ok: true; value: CheckOptions } | { ok: false; message: string };

function positiveInt(name: string, text: string | undefined, max: number): number | string | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return /^[0-9]+$/.test(text) && Number.isSafeInteger(n) && n >= 1 && n <= max ? n : `--${name} must be an integer from 1 to ${max}, got '${text}'`;
}

function parseCheckArgs(argv: readonly string[], io: Io): Parsed {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        model: { type: 'string', multiple: true },
        spec: { type: 'string' },
        'include-scale': { type: 'boolean', default: false },
        runner: { type: 'string', default: 'host' },
        workers: { type: 'string' },
        jobs: { type: 'string' },
        timeout: { type: 'string' },
        heap: { type: 'string', default: DEFAULT_HEAP },
        out: { type: 'string' },
        manifest: { type: 'string' },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
        plan: { type: 'boolean', default: false },
        checkpoint: { type: 'string' },
        resume: { type: 'string' },
        markdown: { type: 'boolean', default: false },
        'no-coverage': { type: 'boolean', default: false },
        counts: { type: 'string', default: 'counter' },
        ...SAMPLE_OPTIONS,
        port: { type: 'string' },
        listen: { type: 'string' },
        'join-timeout': { type: 'string' },
        container: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
  const runner = values.runner;
  if (runner !== 'host' && runner !== 'container' && runner !== 'distributed') return { ok: false, message: `--runner must be host, container or distributed, got '${runner}'` };
  const workersGiven = positiveInt('workers', values.workers, 1024);
  if (typeof workersGiven === 'string') return { ok: false, message: workersGiven };
  const workers = workersGiven ?? (runner === 'distributed' ? 2 : 1);
  const distributed = runner === 'distributed' ? parseDistributedOptions(values, workers) : distributedOnly(values);
  if (typeof distributed === 'string') return { ok: false, message: distributed };
  const jobs = positiveInt('jobs', values.jobs, 64);
  if (typeof jobs === 'string') return { ok: false, message: jobs };
  const timeout = positiveInt('timeout', values.timeout, 7 * 24 * 3600) ?? DEFAULT_TIMEOUT_SECONDS;
  if (typeof timeout === 'string') return { ok: false, message: timeout };
  const heap = validateHeap(values.heap);
  if (!heap.ok) return { ok: false, message: `--heap: ${heap.error.message}` };
  const sample = parseSampleArgs(values);
  if (!sample.ok) return sample;
  if (sample.value.simulate && runner === 'distributed') return { ok: false, message: "--simulate runs on one machine: distributed TLC has no simulation mode (use --runner host)" };
  const counts = values.counts;
  if (counts !== 'counter' && counts !== 'coverage') return { ok: false, message: `--counts must be counter or coverage, got '${counts}'` };
  const checkpointSeconds = parseCheckpointInterval(values.checkpoint);
  if (typeof checkpointSeconds === 'string') return { ok: false, message: checkpointSeconds };
  const root = projectRoot();
  return {
    ok: true,
    value: {
      models: (values.model ?? []).flatMap((m) => m.split(',')).map((m) => m.trim()).filter((m) => m !== ''),
      ...(values.spec !== undefined ? { spec: values.spec } : {}),
      includeScale: values['include-scale'],
      runner,
      workers,
      ...(distributed !== undefined ? { distributed } : {}),
      ...(jobs !== undefined ? { jobs } : {}),
      timeoutSeconds: timeout,
      heap: heap.value,
      outDir: values.out !== undefined ? resolve(io.cwd, values.out) : join(root, 'out'),
      manifest: values.manifest !== undefined ? resolve(io.cwd, values.manifest) : join(root, 'spec', 'manifest.json'),
      json: values.json,
      verbose: values.verbose,
      list: values.list,
      markdown: values.markdown,
      coverage: !values['no-coverage'],
      counts,
      sample: sample.value,
      plan: values.plan,
      checkpointSeconds,
      ...(values.resume !== undefined ? { resume: resolve(io.cwd, values.resume) } : {}),
    },
  };
}

/**
 * The models to run: named ones (all must exist), else every non-scale model (of --spec, if given). Models marked
 * "sample" are not in the default run; with `simulate` (and no names) they are the ones run.
 */
export function selectModels(
  all: readonly ManifestModel[],
  o: Pick<CheckOptions, 'models' | 'spec' | 'includeScale'> & { readonly simulate?: boolean },
): { ok: true; value: ManifestModel[] } | { ok: false; message: string } {
  const specs = [...new Set(all.map((m) => m.spec))];
  if (o.spec !== undefined && !specs.includes(o.spec)) {
    return { ok: false, message: `unknown spec '${o.spec}'; the manifest has: ${specs.join(', ') || '(none)'}` };
  }
  const inSpec = all.filter((m) => o.spec === undefined || m.spec === o.spec);
  if (o.models.length > 0) {
    const unknown = o.models.filter((n) => !inSpec.some((m) => m.name === n));
    if (unknown.length > 0) {
      const valid = inSpec.map((m) => m.name).join(', ') || '(none)';
      return { ok: false, message: `unknown model${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')}; valid names: ${valid}` };
    }
    return { ok: true, value: inSpec.filter((m) => o.models.includes(m.name)) };
  }
  const chosen =
    o.simulate === true ? inSpec.filter((m) => m.sample !== undefined) : inSpec.filter((m) => (o.includeScale || m.scale !== true) && m.sample === undefined);
  if (chosen.length === 0) return { ok: false, message: 'no models to check (the manifest lists none that match)' };
  return { ok: true, value: chosen };
}

async function run(argv: readonly string[], io: Io): Promise<number> {
  const say = (line: string): void => void io.stderr.write(`iterpin check: ${line}\n`);
  const parsed = parseCheckArgs(argv, io);
  if (!parsed.ok) {
    say(parsed.message);
    return EXIT.usage;
  }
  let o = parsed.value;
  if (o.resume !== undefined) {
    // The interrupted run's manifest, models and settings; the command line may change only the runner's output.
    const record = await readResumeRecord(o.resume);
    if (!record.ok) {
      say(record.message);
      return EXIT.noInput;
    }
    const r = record.value;
    o = { ...o, ...(r.runner !== undefined ? { runner: r.runner } : {}), manifest: r.manifest, models: [...r.models], workers: r.workers, heap: r.heap, timeoutSeconds: r.timeoutSeconds, checkpointSeconds: r.checkpointSeconds ?? r.checkpointMinutes * 60, coverage: r.coverage };
  }
  const manifest = await loadManifest(o.manifest, { checkFiles: true });
  if (!manifest.ok) {
    say(formatManifestError(manifest.error));
    return manifest.error.kind === 'unreadable' ? EXIT.noInput : EXIT.badInput;
  }
  const selected = selectModels(manifest.value.models, { ...o, simulate: o.sample.simulate });
  if (!selected.ok) {
    say(selected.message);
    return EXIT.usage;
  }
  const models = selected.value;
  if (o.list) {
    const listed = { version: manifest.value.version, models };
    io.stdout.write(o.json ? `${JSON.stringify(listed, null, 2)}\n` : o.markdown ? renderManifestMarkdown(listed) : renderManifestText(listed));
    return EXIT.ok;
  }

  if (o.plan) {
    const rows = await planRows(models, o.outDir, (m) => sampleBudget(m, o.sample));
    io.stdout.write(o.json ? renderPlanJson(rows) : renderPlanText(rows));
    return EXIT.ok;
  }

  const tlc = await prepareTlc(o.runner === 'distributed' ? (o.distributed?.container === true ? 'container' : 'host') : o.runner, io, say);
  if (!tlc.ok) {
    say(tlc.message);
    return tlc.exit;
  }
  const { jar } = tlc;
  const hostTlc = o.runner === 'host' || (o.runner === 'distributed' && o.distributed?.container !== true);
  // Action counts: from the action counter (src/tlc/counter.ts) with TLC on the host, else from TLC's -coverage.
  const counter = o.coverage && o.counts === 'counter' && o.runner === 'host' ? await ensureCounter({ root: projectRoot(), jar, env: io.env, note: say }) : undefined;
  // The distributed runner runs one model at a time: the server takes the port, the workers the machine.
  const runner = o.distributed !== undefined ? distributedRunner(o.distributed, say) : tlc.runner;
  if (o.distributed !== undefined) say(joinHint(o.distributed, jar.sha256, hostname()));
  const runDir = await createRunDir(o.outDir, 'check');
  if (!runDir.ok) {
    say(runDir.error.message);
    return EXIT.cantCreate;
  }

  // Checkpoints (host and container runners, exhaustive runs): the record a later --resume reads, and Ctrl-C that
  // keeps them. Not the distributed runner: TLC 2.18's TLCServer writes no checkpoint of its fingerprint set, and a
  // recovered server run ends with fewer distinct states than an uninterrupted one (README, known gaps).
  const checkpointing = (o.runner === 'host' || o.runner === 'container') && models.some((m) => sampleBudget(m, o.sample) === undefined);
  if (checkpointing) {
    await writeResumeRecord(runDir.value, {
      runner: o.runner === 'container' ? 'container' : 'host',
      manifest: o.manifest,
      models: models.map((m) => m.name),
      workers: o.workers,
      heap: o.heap,
      timeoutSeconds: o.timeoutSeconds,
      checkpointMinutes: Math.ceil(o.checkpointSeconds / 60),
      ...(o.checkpointSeconds % 60 !== 0 ? { checkpointSeconds: o.checkpointSeconds } : {}),
      coverage: o.coverage,
    }).catch(() => undefined);
  }
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
    stop.abort();
  };
  const sink: ProgressSink =
    o.json && o.verbose ? new JsonProgress(io.stderr) : io.stderr.isTTY === true ? new TtyProgress(io.stderr) : o.verbose ? new PlainProgress(io.stderr) : new NoProgress();
  const jobs = o.distributed !== undefined ? 1 : (o.jobs ?? Math.max(1, Math.min(availableParallelism(), models.length)));
  const specDir = dirname(o.manifest);
  const stop = new AbortController();
  const warnings: string[] = [];
  if (counter !== undefined && !counter.ok) warnings.push(`action counts from TLC's -coverage (slower): ${counter.error}`);
  const writeErrors: string[] = [];
  let tlcVersion: string | undefined;
  const started = process.hrtime.bigint();

  // what earlier runs recorded, for the JIT each model gets (jitFor)
  const recorded = await recordedSeconds(o.outDir);
  const checkOne = async (m: ManifestModel): Promise<ModelCheck> => {
    const budget = sampleBudget(m, o.sample);
    const base = {
      name: m.name,
      spec: m.spec,
      variant: m.variant,
      expect: m.expect,
      expectDistinct: m.distinct,
      expectDepth: m.depth,
      ...(m.actionsFired !== undefined ? { expectActionsFired: m.actionsFired } : {}),
      ...(budget !== undefined ? { sampledRun: true } : {}),
    };
    const noCounts = { distinct: false, depth: false };
    if (stop.signal.aborted) return { ...base, status: 'skipped', differences: [], problems: [], compared: noCounts, seconds: 0 };
    sink.start(m.name);
    const log = join(runDir.value, `${m.name}.log`);
    const metadir = checkpointing && budget === undefined ? modelMetadir(runDir.value, m.name) : undefined;
    if (metadir !== undefined) await mkdir(metadir, { recursive: true }).catch(() => undefined);
    const recover = metadir !== undefined && o.resume !== undefined ? await recoveryOf(o.resume, m.name) : undefined;
    if (recover === undefined && o.resume !== undefined && metadir !== undefined && (await latestCheckpoint(modelMetadir(o.resume, m.name))) !== undefined) {
      warnings.push(`${m.name}: checkpoint not used (its log does not name the run's fingerprint polynomial and seed): run from the start`);
    }
    const tlcCheckpoint = metadir !== undefined ? checkpointArgs(o.checkpointSeconds, recover) : undefined;
    // The counter needs a spec whose steps record themselves in `action`; any other is counted by TLC's -coverage.
    const nextList = counter?.ok === true && budget === undefined ? await readNextList(specDir, m.module, m.cfg) : undefined;
    const counting =
      counter?.ok === true && nextList?.ok === true && nextList.value.recordsActions === true ? { ext: counter.value, next: nextList.value } : undefined;
    const runOptions: TlcRunOptions = {
      jar: jar.path,
      specDir,
      module: m.module,
      cfg: m.cfg,
      workers: o.workers,
      heap: o.heap,
      timeoutMs: o.timeoutSeconds * 1000,
      logFile: log,
      env: io.env,
      signal: stop.signal,
      onProgress: (p) => sink.progress(m.name, p),
      coverage: o.coverage && m.noCoverage === undefined && counting === undefined,
      jit: jitFor({
        long: m.scale === true || budget !== undefined,
        ...(recorded.get(m.name) !== undefined ? { seconds: (recorded.get(m.name) as { seconds: number }).seconds } : {}),
      }),
      ...(metadir !== undefined && tlcCheckpoint !== undefined ? { metadir, ...tlcCheckpoint } : {}),
    };
    let sampled: SampledRun | undefined;
    const counted =
      counting !== undefined
        ? await countedRun(runOptions, counting.ext, counting.next.stuttering ?? [])
        : undefined;
    if (counted !== undefined && !counted.ok) {
      sink.done(m.name, `${m.name}: not run (${counted.error})`);
      return { ...base, status: 'environment', differences: [], problems: [{ kind: 'other', message: counted.error }], compared: noCounts, seconds: 0 };
    }
    const result =
      budget === undefined
        ? await runner(counted?.value.options ?? runOptions).finally(() => counted?.value.dispose())
        : await runSampled(tlc.runner, runOptions, budget).then((s) => {
            if (!s.ok) return s;
            sampled = s.value.sampled;
            return { ok: true as const, value: s.value.result };
          });
    if (!result.ok) {
      // Java or the engine is missing: every other model would fail the same way.
      stop.abort();
      sink.done(m.name, `${m.name}: not run (${result.error.message})`);
      return { ...base, status: 'environment', differences: [], problems: [{ kind: 'other', message: result.error.message }], compared: noCounts, seconds: 0 };
    }
    // TLC does not name the temporal property it found violated: name it (re-running per property if need be).
    const named: PropertyNaming =
      sampled !== undefined
        ? { result: result.value, reruns: 0 }
        : await nameViolatedProperty(
            result.value,
            runner,
            { ...runOptions, onProgress: () => undefined, extraArgs: [], jvmProperties: {}, metadir: undefined },
            m.expect.result === 'liveness' ? m.expect.property : undefined,
          );
    // A finished model's checkpoints are of no use; an interrupted one keeps them for --resume.
    if (metadir !== undefined && !stop.signal.aborted) await dropMetadir(metadir);
    if (named.note !== undefined) warnings.push(`${m.name}: liveness violation, property not named: ${named.note}`);
    const r = named.result;
    tlcVersion ??= r.tlcVersion;
    // A model TLC's -coverage set-up cannot handle gets its action counts from a dump of its state graph.
    // (TLC on the host only: the container runner passes TLC no extra arguments and keeps no file TLC writes.)
    const wantDump = counting === undefined && r.coverage === undefined && o.coverage && m.noCoverage !== undefined && budget === undefined && (r.outcome === 'success' || r.outcome === 'safety');
    if (wantDump && !hostTlc) warnings.push(`${m.name}: action counts not read (they come from TLC's state-graph dump, which only TLC on the host writes)`);
    const dumped =
      wantDump && hostTlc
        ? await coverageFromDump(m, tlc.runner, { ...runOptions, onProgress: () => undefined, workers: 1, logFile: join(runDir.value, `${m.name}.coverage.log`) })
        : undefined;
    const fromCounter = counting !== undefined && r.outcome !== 'timeout' && r.outcome !== 'error' ? coverageFromCounts(m, r.actionCounts, counting.next) : undefined;
    const coverage =
      fromCounter?.ok === true ? fromCounter.value : r.coverage !== undefined ? await coverageOf(m, r.coverage, specDir) : dumped?.ok === true ? dumped.value : undefined;
    // A violation after a distributed run comes from the one-worker local re-run: its counts are deterministic.
    const compared = compareRun(m, r, distributedMeta(r)['reconstructed'] === true ? 1 : o.workers, coverage, sampled);
    const countError = dumped?.ok === false ? dumped.error : fromCounter?.ok === false ? fromCounter.error : undefined;
    const verdict = countError !== undefined ? { ...compared, status: 'mismatch' as const, differences: [...compared.differences, `action counts: ${countError}`] } : compared;
    warnings.push(...distributedNotes(m.name, r));
    const itf = await writeCounterexample(runDir.value, m, r, jar.sha256, specDir, sampled);
    if (itf !== undefined && !itf.ok) writeErrors.push(itf.message);
    sink.done(m.name, `${m.name}: ${verdict.got?.verdict ?? r.outcome}${r.invariant !== undefined ? ` ${r.invariant}` : ''}${r.property !== undefined ? ` ${r.property}` : ''} in ${r.seconds.toFixed(1)} s ${verdict.status === 'match' ? '✓' : '✗'}`);
    return {
      ...base,
      ...verdict,
      seconds: r.seconds,
      log,
      ...distributedPart(r),
      ...(itf?.ok === true ? { itf: itf.path } : {}),
    };
  };

  process.on('SIGINT', onSigint);
  const results = await pool(longestFirst(models, recorded), jobs, checkOne)
    .then((done) => models.map((m) => done.find((d) => d.name === m.name) as ModelCheck))
    .finally(() => process.off('SIGINT', onSigint));
  sink.close();
  if (interrupted) {
    const kept = [];
    for (const m of models) if ((await latestCheckpoint(modelMetadir(runDir.value, m.name))) !== undefined) kept.push(m.name);
    say(`interrupted; ${kept.length > 0 ? `checkpoints kept for ${kept.join(', ')}` : `no model had reached its first checkpoint (every ${formatCheckpointInterval(o.checkpointSeconds)})`}`);
    say(`resume with: iterpin check --resume ${runDir.value}`);
  }
  const report: CheckReport = {
    runner: o.runner,
    workers: o.workers,
    jobs,
    tlc: { jar: jar.path, sha256: jar.sha256, pinned: jar.pinned, ...(tlcVersion !== undefined ? { version: tlcVersion } : {}) },
    runDir: runDir.value,
    models: results,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    writeErrors,
    warnings,
  };
  const saved = await writeFileAtomic(join(runDir.value, 'report.json'), renderCheckJson(report));
  if (!saved.ok) writeErrors.push(saved.error.message);
  if (checkpointing && !interrupted) await dropResumeRecord(runDir.value);
  // out/latest only ever names a run whose report.json is there; otherwise it keeps naming the previous one.
  if (saved.ok) {
    const latest = await pointLatest(o.outDir, runDir.value);
    if (!latest.ok) warnings.push(latest.error.message);
  }
  io.stdout.write(o.json ? renderCheckJson(report) : renderCheckText(report, { cwd: io.cwd }));
  return interrupted ? EXIT.interrupted : checkExitCode(report);
}

/** The run's action counts per action of Next, the actions read from the model's source (else TLC's names). */
async function coverageOf(m: ManifestModel, entries: NonNullable<TlcRunResult['coverage']>, specDir: string): Promise<ModelCoverage> {
  const next = await readNextList(specDir, m.module, m.cfg);
  return modelCoverage(m, actionCoverage(entries, next.ok ? next.value : undefined), next.ok ? undefined : next.error);
}

/** The action counts of a counted run (counter.ts), per action of Next (read from the model's source before the run). */
function coverageFromCounts(m: ManifestModel, counts: TlcRunResult['actionCounts'], next: NextList): Result<ModelCoverage, string> {
  if (counts === undefined) return err(`the action counter printed no counts (is tlc-ext's ${COUNTER_CLASS} class on TLC's classpath?)`);
  const actions = countedCoverage(counts, next);
  return actions.ok ? ok({ ...modelCoverage(m, actions.value), source: 'counter' as const }) : actions;
}

/** The action counts of a model run without -coverage, from TLC's dump of its state graph (dump-coverage.ts). */
async function coverageFromDump(
  m: ManifestModel,
  runner: TlcRunner,
  run: TlcRunOptions & { readonly specDir: string },
): Promise<Result<ModelCoverage, string>> {
  const next = await readNextList(run.specDir, m.module, m.cfg);
  if (!next.ok) return err(`Next's actions cannot be read: ${next.error}`);
  const { metadir: _metadir, extraArgs: _extra, coverage: _coverage, ...rest } = run;
  const counted = await dumpCoverage(runner, rest, next.value);
  return counted.ok ? ok({ ...modelCoverage(m, counted.value.actions), source: 'dump' as const }) : counted;
}

/** Writes a run's counterexample as `<model>.itf.json`; nothing for a success or a killed run. */
async function writeCounterexample(
  runDir: string,
  m: ManifestModel,
  r: TlcRunResult,
  jarSha256: string,
  specDir: string,
  sampled?: SampledRun,
): Promise<{ ok: true; path: string } | { ok: false; message: string } | undefined> {
  if (r.trace.length === 0 || r.outcome === 'timeout' || r.outcome === 'error') return undefined;
  const path = join(runDir, `${m.name}.itf.json`);
  const invariants = await readCfgInvariants(join(specDir, m.cfg));
  const trace = traceFromRun(r, {
    source: 'iterpin check',
    spec: m.spec,
    model: m.name,
    variant: m.variant,
    jarSha256,
    ...(invariants !== undefined ? { invariants } : {}),
  });
  // A trace found by sampling says so, with the batch's seed and depth that reproduce it; so does a trace rebuilt
  // after a distributed run.
  const seed = sampled?.seeds[sampled.seeds.length - 1];
  const sampledMeta = sampled === undefined ? {} : { sampled: { depth: sampled.depth, ...(seed !== undefined ? { seed } : {}) } };
  const text = writeItf({ ...trace, meta: { ...trace.meta, ...sampledMeta, ...distributedMeta(r) } });
  const written = await writeFileAtomic(path, text);
  return written.ok ? { ok: true, path } : { ok: false, message: written.error.message };
}

/** The names a cfg lists under INVARIANT(S); undefined when the cfg cannot be read. */
export async function readCfgInvariants(cfgPath: string): Promise<string[] | undefined> {
  const text = await readFile(cfgPath, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : cfgInvariants(parseCfg(text));
}

export const command: Command = {
  name: 'check',
  summary: 'model-check the models of spec/manifest.json with TLC',
  help: HELP,
  run,
};
