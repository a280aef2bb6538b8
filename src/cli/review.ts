// `iterpin review`: the variant × invariant matrix of every spec, each violation replayed on its own variant and
// on the final design; as a terminal table, Markdown for a code review, or JSON.

import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command, Io } from './command.js';
import { EXIT } from './command.js';
import { formatManifestError, loadManifest } from '../manifest/load.js';
import { projectRoot } from '../tlc/jar.js';
import { DEFAULT_HEAP, validateHeap } from '../tlc/args.js';
import { createRunDir, pointLatest, writeFileAtomic } from '../shared/output.js';
import { prepareTlc } from './tlc-env.js';
import { runReview, unknownVariants } from '../review/run.js';
import { renderReviewJson, renderReviewMarkdown, renderReviewText } from '../review/render.js';
import { reviewTimelines } from '../review/pages.js';
import { resolveRevision, reviewAtRevision } from '../review/base.js';
import { diffReviews, renderDiffMarkdown, renderDiffText } from '../review/diff.js';
import type { ReviewReport } from '../review/matrix.js';
import { renderHtml } from '../review/html.js';

const HELP = `usage: iterpin review [options]

For every spec of spec/manifest.json, runs TLC on the final-design model once per variant the
reference implementation knows, and reports the matrix variant × invariant: holds, or violated
with the length of the counterexample. Every counterexample is replayed on the reference
implementation as its own variant (it must be reproduced) and as the final design (it must not).
Each row is compared with the manifest's expectations for that variant.

TLC logs and counterexamples go to a new directory out/review-<time>-<pid>/ (out/latest-review
points at it).

options:
  --markdown         print the matrix as Markdown, ready to paste into a code review, with a Mermaid
                     sequence diagram per counterexample
  --html FILE        also write a self-contained HTML page: the matrix and, per counterexample, the
                     page-lifetime timeline on its own variant and on the final design
  --json             print the report as JSON
  --spec NAME        only this spec (repeatable)
  --variant NAME     only the row of this variant (repeatable; not with --base)
  --runner R         host (default) or container
  --jobs N           TLC runs at the same time (default: the number of cores)
  --timeout SECONDS  time limit per TLC run (default 300)
  --heap SIZE        JVM heap per TLC run (default ${DEFAULT_HEAP})
  --out DIR          parent of the run directory (default: out/ in the project)
  --manifest FILE    another manifest (its directory holds the specs)
  --base REV         review git revision REV too (its spec/ and src/, compiled in a temporary
                     directory) and print only what changed against the working tree: specs,
                     variants and invariants added or removed, verdicts that flipped, counterexample
                     lengths and distinct-state counts that moved, replays whose outcome changed
  --cache-dir DIR    where TLC results are cached by the content that decides them (the model's
                     modules, the cfg, the jar); default .cache/review/ in the project
  --no-cache         run every model with TLC, and keep nothing

exit codes:
  0   every row agrees with the manifest and every replay verdict is the expected one
      (with --base: every added or changed row agrees with the manifest)
  ${EXIT.mismatch}   some row disagrees (with --base: some added or changed row)
  ${EXIT.usage}  wrong usage (a --variant no reviewed spec has among them)
  ${EXIT.badInput}  the manifest is invalid, or a spec has no passing final-design model
  ${EXIT.cantCreate}  the output directory cannot be written
  ${EXIT.untrustedJar}  the cached TLC jar's SHA-256 is not the pinned one
  ${EXIT.environment}  java, mvn, the jar or the container engine is missing
`;

async function run(argv: readonly string[], io: Io): Promise<number> {
  const say = (line: string): void => void io.stderr.write(`iterpin review: ${line}\n`);
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        markdown: { type: 'boolean', default: false },
        html: { type: 'string' },
        json: { type: 'boolean', default: false },
        spec: { type: 'string', multiple: true },
        variant: { type: 'string', multiple: true },
        runner: { type: 'string', default: 'host' },
        jobs: { type: 'string' },
        timeout: { type: 'string', default: '300' },
        heap: { type: 'string', default: DEFAULT_HEAP },
        out: { type: 'string' },
        manifest: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        base: { type: 'string' },
        'cache-dir': { type: 'string' },
        'no-cache': { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    say((e as Error).message);
    return EXIT.usage;
  }
  if (values.markdown && values.json) {
    say('--markdown and --json exclude each other');
    return EXIT.usage;
  }
  if (values['no-cache'] && values['cache-dir'] !== undefined) {
    say('--no-cache and --cache-dir exclude each other');
    return EXIT.usage;
  }
  if (values.base !== undefined && values.variant !== undefined) {
    say('--variant picks rows of one review; leave out --base');
    return EXIT.usage;
  }
  if (values.base !== undefined && values.html !== undefined) {
    say('--html draws one review; leave out --base');
    return EXIT.usage;
  }
  const runner = values.runner;
  if (runner !== 'host' && runner !== 'container') {
    say(`--runner must be host or container, got '${runner}'`);
    return EXIT.usage;
  }
  const jobs = values.jobs === undefined ? availableParallelism() : Number(values.jobs);
  const timeout = Number(values.timeout);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) {
    say(`--jobs must be an integer from 1 to 64, got '${values.jobs}'`);
    return EXIT.usage;
  }
  if (!Number.isInteger(timeout) || timeout < 1) {
    say(`--timeout must be a positive integer, got '${values.timeout}'`);
    return EXIT.usage;
  }
  const heap = validateHeap(values.heap);
  if (!heap.ok) {
    say(`--heap: ${heap.error.message}`);
    return EXIT.usage;
  }
  const root = projectRoot();
  if (values.base !== undefined) {
    // A revision that names nothing is found before any TLC work or run directory.
    const rev = await resolveRevision(root, values.base, io.env);
    if (!rev.ok) {
      say(`--base ${values.base}: ${rev.error}`);
      return EXIT.badInput;
    }
  }
  const manifestPath = values.manifest !== undefined ? resolve(io.cwd, values.manifest) : join(root, 'spec', 'manifest.json');
  const manifest = await loadManifest(manifestPath, { checkFiles: true });
  if (!manifest.ok) {
    say(formatManifestError(manifest.error));
    return manifest.error.kind === 'unreadable' ? EXIT.noInput : EXIT.badInput;
  }
  const unknown = await unknownVariants(manifest.value, values.spec, values.variant);
  if (unknown !== undefined) {
    say(unknown.message);
    return EXIT.usage;
  }
  const tlc = await prepareTlc(runner, io, say);
  if (!tlc.ok) {
    say(tlc.message);
    return tlc.exit;
  }
  const outDir = values.out !== undefined ? resolve(io.cwd, values.out) : join(root, 'out');
  const runDir = await createRunDir(outDir, 'review');
  if (!runDir.ok) {
    say(runDir.error.message);
    return EXIT.cantCreate;
  }
  const progress = io.stderr.isTTY === true || values.verbose;
  const cacheDir = values['no-cache'] ? undefined : values['cache-dir'] !== undefined ? resolve(io.cwd, values['cache-dir']) : join(root, '.cache', 'review');
  let base: { commit: string; report: ReviewReport } | undefined;
  const started = process.hrtime.bigint();
  if (values.base !== undefined) {
    const b = await reviewAtRevision({
      root,
      rev: values.base,
      ...(values.spec !== undefined ? { specs: values.spec } : {}),
      runner,
      jobs,
      timeoutSeconds: timeout,
      heap: heap.value,
      ...(cacheDir !== undefined ? { cacheDir } : {}),
      env: io.env,
      ...(progress ? { say } : {}),
    });
    if (!b.ok) {
      say(`--base ${values.base}: ${b.error}`);
      return EXIT.badInput;
    }
    base = b.value;
  }
  const report = await runReview({
    ...(cacheDir !== undefined ? { cacheDir } : {}),
    manifest: manifest.value,
    specDir: dirname(manifestPath),
    ...(values.spec !== undefined ? { specs: values.spec } : {}),
    ...(values.variant !== undefined ? { variants: values.variant } : {}),
    runner: tlc.runner,
    jar: tlc.jar,
    runDir: runDir.value,
    outDir,
    jobs,
    heap: heap.value,
    timeoutMs: timeout * 1000,
    env: io.env,
    ...(progress ? { onRun: (line: string) => say(line) } : {}),
  });
  if (!('specs' in report)) {
    say(report.message);
    return EXIT.badInput;
  }
  // out/latest-review moves only to a run whose review.json was written in full.
  const saved = await writeFileAtomic(join(runDir.value, 'review.json'), renderReviewJson(report));
  if (!saved.ok) say(saved.error.message);
  else {
    const latest = await pointLatest(outDir, runDir.value, 'latest-review');
    if (!latest.ok) say(latest.error.message);
  }
  if (base !== undefined) {
    const d = diffReviews(`${values.base} (${base.commit.slice(0, 12)})`, base.report, report, Number(process.hrtime.bigint() - started) / 1e9);
    io.stdout.write(values.json ? `${JSON.stringify(d, null, 2)}\n` : values.markdown ? renderDiffMarkdown(d) : renderDiffText(d));
    return d.ok ? EXIT.ok : EXIT.mismatch;
  }
  const timelines = values.markdown || values.html !== undefined ? await reviewTimelines(report, io.stdin) : undefined;
  if (values.html !== undefined && timelines !== undefined) {
    const written = await writeFileAtomic(resolve(io.cwd, values.html), renderHtml('iterpin review', [...timelines.values()], report));
    if (!written.ok) {
      say(written.error.message);
      return EXIT.cantCreate;
    }
  }
  io.stdout.write(values.json ? renderReviewJson(report) : values.markdown ? renderReviewMarkdown(report, timelines) : renderReviewText(report));
  return report.ok ? EXIT.ok : EXIT.mismatch;
}

export const command: Command = {
  name: 'review',
  summary: 'print the variant × invariant matrix of every spec',
  help: HELP,
  run,
};
