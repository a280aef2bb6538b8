// `iterpin explore` and `iterpin conform`: exhaustive exploration of the reference implementation under a model's
// constants, and its comparison with TLC's state graph of the same model (src/conform/).

import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command, Io } from './command.js';
import { EXIT } from './command.js';
import { selectModels } from './check.js';
import { prepareTlc } from './tlc-env.js';
import { formatManifestError, loadManifest } from '../manifest/load.js';
import type { ManifestModel } from '../manifest/manifest.js';
import { createRunDir, writeFileAtomic } from '../shared/output.js';
import { projectRoot } from '../tlc/jar.js';
import { DEFAULT_HEAP, validateHeap } from '../tlc/args.js';
import { conformModel, exploreModel, type ConformError, type ConformReport, type ModelJob } from '../conform/conform.js';
import { renderConformText, renderExploreText, conformJson, conformVerdictLine, exploreJson, renderCoverage } from '../conform/render.js';
import { exploreSummary, type ExploreSummary } from '../conform/explore.js';

const DEFAULT_TIMEOUT_SECONDS = 600;

const COMMON = `  --timeout SECONDS  time limit of each TLC run (default ${DEFAULT_TIMEOUT_SECONDS})
  --heap SIZE        JVM heap of each TLC run (default ${DEFAULT_HEAP})
  --out DIR          parent of the run directory (default: out/ in the project)
  --manifest FILE    another manifest (its directory holds the specs)
  --json             print the report as JSON
  --quiet            no progress lines on stderr`;

const EXPLORE_HELP = `usage: iterpin explore --model NAME [options]

Explores the reference implementation exhaustively under a model's constants: breadth-first from the
spec's initial states, every action of the spec's binding with every argument the constants allow (an
action the implementation refuses is not enabled), every state abstracted to the spec's variables and
de-duplicated on the model's VIEW. TLC evaluates the constants (the model's cfg and MC module); its log
goes into a new directory out/explore-<time>-<pid>/. Reports distinct states, transitions, depth, each
action's counts with the argument values and classes it exercised, the invariants the implementation's
own checker flags, and the time.

options:
  --model NAME       the model (repeatable, or comma-separated)
${COMMON}

exit codes:
  0   explored   64 wrong usage (e.g. an unknown model)   65 the model cannot be explored
  71  TLC could not evaluate the constants   73 the run directory cannot be written
  77/78 the TLC jar or java is missing or wrong
`;

const CONFORM_HELP = `usage: iterpin conform (--model NAME | --spec SPEC | --all) [options]

Compares the reference implementation with the spec, exhaustively, on each model: the explorer's
reachable states (see 'iterpin explore') against TLC's state graph of the same model (its cfg without
invariants or VIEW, dumped with -dump dot and read with the project's value parser). The state sets must
be equal, and every state's transitions too (action name, arguments and successor). On a difference it
prints the first one on a shortest path (a state the spec reaches and the implementation does not, or
the other way round, with the action leading to it) and writes that path as an ITF trace that
'iterpin replay' accepts. Results go into a new directory out/conform-<time>-<pid>/. Each model's
verdict line (states, transitions, explorer and TLC seconds) goes to stderr as the model finishes, with
--json too (the JSON report goes to stdout at the end); --quiet leaves the progress and verdict lines out.

options:
  --model NAME       the model (repeatable, or comma-separated)
  --spec SPEC        every default model of the spec
  --all              every default model of the manifest (with --include-scale: the scale ones too)
  --include-scale    also the large models marked "scale"
  --keep-dump        keep TLC's DOT dump in the run directory
${COMMON}

Models of a spec without a reference implementation are listed as skipped (every spec has one today).

exit codes:
  0   every model conforms   1 some model differs (the first difference and its trace are shown)
  64  wrong usage   65 a model cannot be explored   71 TLC could not dump a model
  73  the run directory cannot be written   77/78 the TLC jar or java is missing or wrong
`;

interface Options {
  readonly models: readonly string[];
  readonly spec?: string;
  readonly all: boolean;
  readonly includeScale: boolean;
  readonly keepDump: boolean;
  readonly timeoutSeconds: number;
  readonly heap: string;
  readonly outDir: string;
  readonly manifest: string;
  readonly json: boolean;
  readonly quiet: boolean;
}

function parse(argv: readonly string[], io: Io, conform: boolean): { ok: true; value: Options } | { ok: false; message: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        model: { type: 'string', multiple: true },
        ...(conform
          ? {
              spec: { type: 'string' },
              all: { type: 'boolean', default: false },
              'include-scale': { type: 'boolean', default: false },
              'keep-dump': { type: 'boolean', default: false },
            }
          : {}),
        timeout: { type: 'string' },
        heap: { type: 'string', default: DEFAULT_HEAP },
        out: { type: 'string' },
        manifest: { type: 'string' },
        json: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
  const v = values as Record<string, string | boolean | string[] | undefined>;
  const models = ((v['model'] as string[] | undefined) ?? []).flatMap((m) => m.split(',')).map((m) => m.trim()).filter((m) => m !== '');
  const spec = v['spec'] as string | undefined;
  const all = v['all'] === true;
  const chosen = [models.length > 0, spec !== undefined, all].filter(Boolean).length;
  if (!conform && models.length === 0) return { ok: false, message: 'name a model with --model; see --help' };
  if (conform && chosen !== 1) return { ok: false, message: 'give exactly one of --model, --spec and --all; see --help' };
  const timeoutText = v['timeout'] as string | undefined;
  const timeout = timeoutText === undefined ? DEFAULT_TIMEOUT_SECONDS : Number(timeoutText);
  if (timeoutText !== undefined && (!/^[0-9]+$/.test(timeoutText) || timeout < 1)) return { ok: false, message: `--timeout must be a positive integer, got '${timeoutText}'` };
  const heap = validateHeap(v['heap'] as string);
  if (!heap.ok) return { ok: false, message: `--heap: ${heap.error.message}` };
  const root = projectRoot();
  const out = v['out'] as string | undefined;
  const manifest = v['manifest'] as string | undefined;
  return {
    ok: true,
    value: {
      models,
      ...(spec !== undefined ? { spec } : {}),
      all,
      includeScale: v['include-scale'] === true,
      keepDump: v['keep-dump'] === true,
      timeoutSeconds: timeout,
      heap: heap.value,
      outDir: out !== undefined ? resolve(io.cwd, out) : join(root, 'out'),
      manifest: manifest !== undefined ? resolve(io.cwd, manifest) : join(root, 'spec', 'manifest.json'),
      json: v['json'] === true,
      quiet: v['quiet'] === true,
    },
  };
}

const ERROR_EXIT: Readonly<Record<ConformError['kind'], number>> = {
  'no-implementation': EXIT.ok,
  'not-explorable': EXIT.mismatch,
  tlc: EXIT.tlcError,
  model: EXIT.badInput,
  io: EXIT.cantCreate,
};

/** What both commands do before running anything: options, manifest, models, TLC, run directory. */
async function prepare(
  name: 'explore' | 'conform',
  argv: readonly string[],
  io: Io,
): Promise<{ ok: true; o: Options; models: ManifestModel[]; job: ModelJob } | { ok: false; exit: number }> {
  const say = (line: string): void => void io.stderr.write(`iterpin ${name}: ${line}\n`);
  const parsed = parse(argv, io, name === 'conform');
  if (!parsed.ok) {
    say(parsed.message);
    return { ok: false, exit: EXIT.usage };
  }
  const o = parsed.value;
  const manifest = await loadManifest(o.manifest, { checkFiles: true });
  if (!manifest.ok) {
    say(formatManifestError(manifest.error));
    return { ok: false, exit: manifest.error.kind === 'unreadable' ? EXIT.noInput : EXIT.badInput };
  }
  const selected = selectModels(manifest.value.models, { models: o.models, ...(o.spec !== undefined ? { spec: o.spec } : {}), includeScale: o.includeScale });
  if (!selected.ok) {
    say(selected.message);
    return { ok: false, exit: EXIT.usage };
  }
  const tlc = await prepareTlc('host', io, say);
  if (!tlc.ok) {
    say(tlc.message);
    return { ok: false, exit: tlc.exit };
  }
  const runDir = await createRunDir(o.outDir, name);
  if (!runDir.ok) {
    say(runDir.error.message);
    return { ok: false, exit: EXIT.cantCreate };
  }
  const job: ModelJob = {
    runner: tlc.runner,
    jar: tlc.jar.path,
    specDir: join(o.manifest, '..'),
    heap: o.heap,
    timeoutMs: o.timeoutSeconds * 1000,
    runDir: runDir.value,
    keepDump: o.keepDump,
    ...(o.quiet ? {} : { note: say }),
  };
  return { ok: true, o, models: selected.value, job };
}

async function runExplore(argv: readonly string[], io: Io): Promise<number> {
  const p = await prepare('explore', argv, io);
  if (!p.ok) return p.exit;
  const results: ExploreSummary[] = [];
  let exit: number = EXIT.ok;
  for (const model of p.models) {
    const r = await exploreModel(model, p.job);
    if (!r.ok) {
      io.stderr.write(`iterpin explore: ${r.error.message}\n`);
      exit = Math.max(exit, r.error.kind === 'no-implementation' ? EXIT.badInput : ERROR_EXIT[r.error.kind]);
      continue;
    }
    results.push(exploreSummary(r.value.result));
    if (!p.o.json) io.stdout.write(renderExploreText(model.name, r.value.result));
  }
  if (p.o.json) io.stdout.write(`${JSON.stringify(results.map((r, k) => exploreJson(p.models[k]?.name ?? '', r)), null, 2)}\n`);
  return exit;
}

async function runConform(argv: readonly string[], io: Io): Promise<number> {
  const p = await prepare('conform', argv, io);
  if (!p.ok) return p.exit;
  const reports: ConformReport[] = [];
  const problems: { model: string; kind: ConformError['kind']; message: string }[] = [];
  let exit: number = EXIT.ok;
  const started = performance.now();
  const soFar = (): string => `${((performance.now() - started) / 1000).toFixed(0)} s so far`;
  // One verdict line per model on stderr as it finishes (with --json too: the report comes out whole at the end).
  const verdict = (k: number, line: string): void => {
    if (!p.o.quiet) io.stderr.write(`iterpin conform: [${k + 1}/${p.models.length}] ${line} (${soFar()})\n`);
  };
  for (const [k, model] of p.models.entries()) {
    if (p.models.length > 1) p.job.note?.(`model ${k + 1} of ${p.models.length}: ${model.name} (${soFar()})`);
    const r = await conformModel(model, p.job);
    if (!r.ok) {
      problems.push({ model: model.name, ...r.error });
      const what = `${r.error.kind === 'no-implementation' ? 'skipped' : 'ERROR'}: ${r.error.message}`;
      verdict(k, `${model.name} ${what}`);
      if (!p.o.json) io.stdout.write(`${model.name.padEnd(40)} ${what}\n`);
      exit = Math.max(exit, ERROR_EXIT[r.error.kind]);
      continue;
    }
    reports.push(r.value);
    verdict(k, conformVerdictLine(r.value));
    if (r.value.verdict !== 'conforms') exit = Math.max(exit, EXIT.mismatch);
    if (!p.o.json) io.stdout.write(renderConformText(r.value));
  }
  const seconds = (performance.now() - started) / 1000;
  const json = { runDir: p.job.runDir, seconds, models: reports.map(conformJson), problems };
  const saved = await writeFileAtomic(join(p.job.runDir, 'report.json'), `${JSON.stringify(json, null, 2)}\n`);
  if (!saved.ok) {
    io.stderr.write(`iterpin conform: ${saved.error.message}\n`);
    return EXIT.cantCreate;
  }
  if (p.o.json) io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else {
    io.stdout.write(renderCoverage(reports.map((r) => r.explorer)));
    const n = reports.filter((r) => r.verdict === 'conforms').length;
    io.stdout.write(`\n${n} of ${reports.length} model(s) conform; ${problems.length} not compared; ${seconds.toFixed(1)} s; results in ${p.job.runDir}\n`);
  }
  return exit;
}

export const exploreCommand: Command = {
  name: 'explore',
  summary: 'explore the reference implementation exhaustively under a model',
  help: EXPLORE_HELP,
  run: runExplore,
};

export const command: Command = {
  name: 'conform',
  summary: "compare the implementation's reachable states and transitions with TLC's",
  help: CONFORM_HELP,
  run: runConform,
};
