// `iterpin mutate`: mutation testing of the specs. Generates small kernel-bug-shaped changes of a spec's actions,
// drops those SANY rejects, model-checks the rest on the spec's passing models and reports which were killed.

import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command, Io } from './command.js';
import { EXIT } from './command.js';
import { formatManifestError, loadManifest } from '../manifest/load.js';
import { projectRoot } from '../tlc/jar.js';
import { DEFAULT_HEAP, validateHeap } from '../tlc/args.js';
import { createRunDir, writeFileAtomic } from '../shared/output.js';
import { prepareTlc } from './tlc-env.js';
import { EQUIVALENCE_FILE, loadEquivalenceList, staleEntries } from '../mutate/equivalent.js';
import { finalModels, runMutate, sampleMutants, shardOf, specMutants } from '../mutate/run.js';
import { renderMutateJson, renderMutateText } from '../mutate/render.js';

const HELP = `usage: iterpin mutate [options]

Mutation testing of the specs: generates mutants of a spec's actions, one small change each
(drop a conjunct, x' = e becomes x' = x, an integer literal off by one, < and <=, > and >=,
= and #, \\in and \\notin swapped, the branches of an IF swapped, a flag or primitive string
swapped for a sibling, TRUE and FALSE, \\cup and \\), drops those SANY rejects (counted as
invalid), and model-checks each of the others on the spec's passing models in a temporary
copy of spec/. A mutant is killed when some model no longer passes, and reported with the
model and the invariant. A mutant that passes every model is then compared with the original
by state graph (TLC's -dump, host runner): if on every model it reaches no state, initial state
or transition the original does not, and on some model fewer states, it only removes behaviours
(a narrowed fault injection or input), which iterpin check's distinct-state count reports: it is
killed as "narrowed". Any other survivor is reported with its place and the changed lines.

Survivors judged equivalent to the original (no behaviour any model can see changes) are listed
with a reason in spec/${EQUIVALENCE_FILE}; they are left out of the score.
score = killed / (killed + survived + timed out).

options:
  --spec NAME        mutate this spec (repeatable; default: every spec with a passing model)
  --model NAME       run mutants only on this passing model (repeatable, or comma-separated)
  --include-scale    also run mutants on the passing models marked "scale" (the deep models whose
                     manifest entry gives a "mutate" reason run without it)
  --limit N          only the first N mutants of each spec, in source order
  --sample N         N mutants of each spec chosen at random ...
  --seed S           ... by seed S (default 1)
  --mutant ID        only this mutant (repeatable; as printed, e.g. Produce:drop-conjunct:a1b2bd12)
  --shard I/N        only slice I of N of the selection (every N-th mutant from the I-th), so a
                     long run can be split over sessions or machines
  --results FILE     the results journal: each mutant's verdict is appended as soon as it is
                     judged (default: results.jsonl in the run directory); a mutant FILE already
                     holds a verdict for, on the same spec files and models, is not run again
                     (timed-out ones are), so an interrupted run resumes where it stopped
  --report-only      with --results: report the verdicts FILE holds, running no TLC (the
                     figures of an interrupted run)
  --list             print the mutants (id, place, change) instead of running them
  --jobs N           mutants checked at the same time (default: the number of cores)
  --timeout SECONDS  time limit per TLC run (default: ten times the model's time on the
                     original spec, at least 60 s)
  --heap SIZE        JVM heap per TLC run (default ${DEFAULT_HEAP})
  --runner R         host (default) or container
  --equivalent FILE  the equivalence list (default: spec/${EQUIVALENCE_FILE})
  --manifest FILE    another manifest (its directory holds the specs)
  --out DIR          parent of the run directory for report.json (default: out/)
  --invariants-only  judge by the invariants and properties alone: no state-graph comparison
                     (the container runner never compares)
  --json             print the report as JSON
  --quiet            no progress lines on stderr

exit codes:
  0   every mutant that ran was killed or is on the equivalence list
  ${EXIT.mismatch}   a survivor is not on the list, or a listed mutant is killed, or a list entry is stale
  ${EXIT.usage}  wrong usage, e.g. an unknown spec, model or mutant
  ${EXIT.badInput}  the manifest, equivalence list or results journal is invalid, or a spec can't be mutated
  ${EXIT.tlcError}  a passing model does not pass on the original spec
  ${EXIT.cantCreate}  the output directory or the results journal cannot be written
  ${EXIT.timeout}  some mutant timed out (and nothing else failed)
  ${EXIT.untrustedJar}  the cached TLC jar's SHA-256 is not the pinned one
  ${EXIT.environment}  java, the jar or the container engine is missing
`;

function count(name: string, text: string | undefined, min: number): number | string | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return /^[0-9]+$/.test(text) && Number.isSafeInteger(n) && n >= min ? n : `--${name} must be an integer ≥ ${min}, got '${text}'`;
}

async function run(argv: readonly string[], io: Io): Promise<number> {
  const say = (line: string): void => void io.stderr.write(`iterpin mutate: ${line}\n`);
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        spec: { type: 'string', multiple: true },
        model: { type: 'string', multiple: true },
        'include-scale': { type: 'boolean', default: false },
        limit: { type: 'string' },
        sample: { type: 'string' },
        seed: { type: 'string' },
        mutant: { type: 'string', multiple: true },
        shard: { type: 'string' },
        results: { type: 'string' },
        'report-only': { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
        jobs: { type: 'string' },
        timeout: { type: 'string' },
        heap: { type: 'string', default: DEFAULT_HEAP },
        runner: { type: 'string', default: 'host' },
        equivalent: { type: 'string' },
        manifest: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        'invariants-only': { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    say((e as Error).message);
    return EXIT.usage;
  }
  const numbers = {
    limit: count('limit', values.limit, 1),
    sample: count('sample', values.sample, 1),
    seed: count('seed', values.seed, 0),
    jobs: count('jobs', values.jobs, 1),
    timeout: count('timeout', values.timeout, 1),
  };
  for (const v of Object.values(numbers)) {
    if (typeof v === 'string') {
      say(v);
      return EXIT.usage;
    }
  }
  const n = numbers as { [K in keyof typeof numbers]: number | undefined };
  if (n.limit !== undefined && n.sample !== undefined) {
    say('--limit and --sample exclude each other');
    return EXIT.usage;
  }
  if (n.seed !== undefined && n.sample === undefined) {
    say('--seed goes with --sample');
    return EXIT.usage;
  }
  if (values['report-only'] && values.results === undefined) {
    say('--report-only needs --results FILE');
    return EXIT.usage;
  }
  let shard: { index: number; count: number } | undefined;
  if (values.shard !== undefined) {
    const m = /^([0-9]+)\/([0-9]+)$/.exec(values.shard);
    const index = Number(m?.[1]);
    const count = Number(m?.[2]);
    if (m === null || !(count >= 1 && index >= 1 && index <= count && count <= 10_000)) {
      say(`--shard must be I/N with 1 ≤ I ≤ N, got '${values.shard}'`);
      return EXIT.usage;
    }
    shard = { index, count };
  }
  const runner = values.runner;
  if (runner !== 'host' && runner !== 'container') {
    say(`--runner must be host or container, got '${runner}'`);
    return EXIT.usage;
  }
  const heap = validateHeap(values.heap);
  if (!heap.ok) {
    say(`--heap: ${heap.error.message}`);
    return EXIT.usage;
  }
  const root = projectRoot();
  const manifestPath = values.manifest !== undefined ? resolve(io.cwd, values.manifest) : join(root, 'spec', 'manifest.json');
  const manifest = await loadManifest(manifestPath, { checkFiles: true });
  if (!manifest.ok) {
    say(formatManifestError(manifest.error));
    return manifest.error.kind === 'unreadable' ? EXIT.noInput : EXIT.badInput;
  }
  const specDir = dirname(manifestPath);
  const allSpecs = [...new Set(manifest.value.models.map((m) => m.spec))];
  const passing = allSpecs.filter((s) => finalModels(manifest.value, s, values['include-scale']).length > 0);
  const specs = values.spec ?? passing;
  const unknownSpec = specs.filter((s) => !allSpecs.includes(s));
  if (unknownSpec.length > 0) {
    say(`unknown spec ${unknownSpec.map((s) => `'${s}'`).join(', ')}; the manifest has: ${allSpecs.join(', ')}`);
    return EXIT.usage;
  }
  const models = (values.model ?? []).flatMap((m) => m.split(',')).map((m) => m.trim()).filter((m) => m !== '');
  const usable = new Set(specs.flatMap((s) => finalModels(manifest.value, s, true).map((m) => m.name)));
  const badModels = models.filter((m) => !usable.has(m));
  if (badModels.length > 0) {
    say(`not a passing model of ${specs.join(', ')}: ${badModels.join(', ')}; valid: ${[...usable].join(', ')}`);
    return EXIT.usage;
  }
  const eqPath = values.equivalent !== undefined ? resolve(io.cwd, values.equivalent) : join(specDir, EQUIVALENCE_FILE);
  const equivalents = await loadEquivalenceList(eqPath);
  if (!equivalents.ok) {
    say(equivalents.message);
    return EXIT.badInput;
  }

  if (values.list) return listMutants(io, say, manifest.value, specDir, specs, models, values['include-scale'], { ...n, shard }, values.json, equivalents.value);

  const tlc = await prepareTlc(runner, io, say);
  if (!tlc.ok) {
    say(tlc.message);
    return tlc.exit;
  }
  const outDir = values.out !== undefined ? resolve(io.cwd, values.out) : join(root, 'out');
  const runDir = await createRunDir(outDir, 'mutate');
  if (!runDir.ok) {
    say(runDir.error.message);
    return EXIT.cantCreate;
  }
  const report = await runMutate({
    manifest: manifest.value,
    specDir,
    specs,
    ...(models.length > 0 ? { models } : {}),
    includeScale: values['include-scale'],
    runner: tlc.runner,
    jar: tlc.jar,
    jobs: n.jobs ?? availableParallelism(),
    heap: heap.value,
    ...(n.timeout !== undefined ? { timeoutMs: n.timeout * 1000 } : {}),
    ...(n.limit !== undefined ? { limit: n.limit } : {}),
    ...(n.sample !== undefined ? { sample: { count: n.sample, seed: n.seed ?? 1 } } : {}),
    ...(values.mutant !== undefined ? { mutantIds: values.mutant } : {}),
    ...(shard !== undefined ? { shard } : {}),
    results: values.results !== undefined ? resolve(io.cwd, values.results) : join(runDir.value, 'results.jsonl'),
    reportOnly: values['report-only'],
    equivalents: equivalents.value,
    narrowing: runner === 'host' && !values['invariants-only'],
    env: io.env,
    ...(values.quiet ? {} : { onProgress: say }),
  });
  if ('kind' in report) {
    say(report.message);
    const exits = { usage: EXIT.usage, tlc: EXIT.tlcError, environment: EXIT.environment, output: EXIT.cantCreate, input: EXIT.badInput } as const;
    return exits[report.kind];
  }
  const saved = await writeFileAtomic(join(runDir.value, 'report.json'), renderMutateJson(report));
  if (!saved.ok) say(saved.error.message);
  io.stdout.write(values.json ? renderMutateJson(report) : renderMutateText(report));
  const all = report.specs.flatMap((s) => s.mutants);
  if (report.specs.some((s) => s.problems.length > 0) || all.some((m) => m.status === 'survived')) return EXIT.mismatch;
  if (all.some((m) => m.status === 'timeout')) return EXIT.timeout;
  return EXIT.ok;
}

/** --list: the mutants each spec gets, with the selection applied, without running anything. */
async function listMutants(
  io: Io,
  say: (line: string) => void,
  manifest: Parameters<typeof finalModels>[0],
  specDir: string,
  specs: readonly string[],
  only: readonly string[],
  includeScale: boolean,
  n: { limit?: number | undefined; sample?: number | undefined; seed?: number | undefined; shard?: { index: number; count: number } | undefined },
  json: boolean,
  equivalents: Parameters<typeof staleEntries>[0],
): Promise<number> {
  const out: { spec: string; generated: number; mutants: { id: string; operator: string; definition: string; line: number; col: number; before: string; after: string }[]; stale: string[] }[] = [];
  for (const spec of specs) {
    const g = await specMutants({ manifest, specDir, includeScale, models: only }, spec);
    if ('kind' in g) {
      say(g.message);
      return g.kind === 'usage' ? EXIT.usage : EXIT.badInput;
    }
    const picked = n.limit !== undefined ? g.all.slice(0, n.limit) : n.sample !== undefined ? sampleMutants(g.all, n.sample, n.seed ?? 1) : g.all;
    const chosen = n.shard === undefined ? picked : shardOf(picked, n.shard);
    out.push({
      spec,
      generated: g.all.length,
      mutants: chosen.map(({ id, operator, definition, line, col, before, after }) => ({ id, operator, definition, line, col, before, after })),
      stale: staleEntries(equivalents, spec, new Set(g.all.map((m) => m.id))).map((e) => e.id),
    });
  }
  if (json) io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  else {
    for (const s of out) {
      io.stdout.write(`${s.spec}: ${s.generated} mutants${s.mutants.length < s.generated ? ` (${s.mutants.length} selected)` : ''}\n`);
      for (const m of s.mutants) io.stdout.write(`  ${m.id}  line ${m.line}:${m.col}  ${m.before}  →  ${m.after}\n`);
      for (const id of s.stale) io.stdout.write(`  stale equivalence entry: ${id}\n`);
    }
  }
  return out.some((s) => s.stale.length > 0) ? EXIT.mismatch : EXIT.ok;
}

export const command: Command = {
  name: 'mutate',
  summary: 'mutation testing: how many small changes of a spec its models catch',
  help: HELP,
  run,
};
