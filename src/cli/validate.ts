// `iterpin validate`: trace validation from the reference implementation into the spec (src/conform/validate.ts).

import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command, Io } from './command.js';
import { EXIT } from './command.js';
import { prepareTlc } from './tlc-env.js';
import { createRunDir, writeFileAtomic } from '../shared/output.js';
import { projectRoot } from '../tlc/jar.js';
import { DEFAULT_HEAP, validateHeap } from '../tlc/args.js';
import { printTla } from '../tla/print.js';
import { tlaRecord } from '../tla/value.js';
import { loadBinding } from '../trace/bindings/index.js';
import type { ExplorableBinding } from '../trace/binding.js';
import { PROFILES } from '../conform/profiles.js';
import { validate, type ValidateReport } from '../conform/validate.js';
import { formatActionValue } from '../conform/compare.js';

const HELP = `usage: iterpin validate --spec SPEC [--runs N] [--seed X] [options]

Trace validation from the reference implementation into the spec. fast-check generates N runs of the
implementation from inputs beyond the models' constants (4096-byte pages, eight pages and more, longer
element lists, deeper pipes); each run takes the steps of the spec's binding the implementation accepts
and is recorded as a trace of abstract states and action records. TLC checks the traces in batches
against the spec: a generated module lets the spec's Next take every recorded step to the recorded
next state. The first step the spec cannot take is reported on a run fast-check has shrunk, with the
seed that reproduces it, and that run is written as an ITF trace. Results go into a new directory
out/validate-<time>-<pid>/.

options:
  --spec SPEC        ${Object.keys(PROFILES).join(', ')}
  --runs N           runs to generate (default 100)
  --seed X           fast-check's seed (default: the clock; printed)
  --variant V        the design the implementation runs (default: the spec's final design)
  --batch N          runs per TLC run (default 250; ${Object.entries(PROFILES).filter(([, p]) => p.batch !== undefined).map(([s, p]) => `${s} ${p.batch}`).join(', ')})
  --timeout SECONDS  time limit of each TLC run (default 600)
  --heap SIZE        JVM heap of each TLC run (default ${DEFAULT_HEAP})
  --out DIR          parent of the run directory (default: out/ in the project)
  --json             print the report as JSON
  --quiet            no progress lines on stderr

exit codes:
  0   the spec takes every step of every run   1 a run the spec cannot follow (shown, shrunk)
  64  wrong usage (e.g. an unknown spec or variant)   65 the implementation cannot run the inputs
  71  TLC rejected the trace-validation module or could not run   73 the run directory cannot be written
  77/78 the TLC jar or java is missing or wrong
`;

const posInt = (t: string | undefined, name: string, dflt: number): number | string => {
  if (t === undefined) return dflt;
  return /^[0-9]+$/.test(t) && Number(t) >= 1 ? Number(t) : `${name} must be a positive integer, got '${t}'`;
};

function classesJson(r: ValidateReport<unknown>): Record<string, Record<string, number>> {
  return Object.fromEntries([...r.classes].map(([a, m]) => [a, Object.fromEntries(m)]));
}

async function run(argv: readonly string[], io: Io): Promise<number> {
  const say = (line: string): void => void io.stderr.write(`iterpin validate: ${line}\n`);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        spec: { type: 'string' },
        runs: { type: 'string' },
        seed: { type: 'string' },
        variant: { type: 'string' },
        batch: { type: 'string' },
        timeout: { type: 'string' },
        heap: { type: 'string', default: DEFAULT_HEAP },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
      },
    }) as { values: Record<string, string | boolean | undefined> });
  } catch (e) {
    say((e as Error).message);
    return EXIT.usage;
  }
  const spec = values['spec'] as string | undefined;
  if (spec === undefined) {
    say('name a spec with --spec; see --help');
    return EXIT.usage;
  }
  const profile = PROFILES[spec];
  if (profile === undefined) {
    say(`no validation profile for spec '${spec}' (known: ${Object.keys(PROFILES).join(', ')})`);
    return EXIT.usage;
  }
  const runs = posInt(values['runs'] as string | undefined, '--runs', 100);
  // Without --batch, the spec's profile decides (PageLifetime: 20 runs per TLC run), else 250.
  const batch = posInt(values['batch'] as string | undefined, '--batch', profile.batch ?? 250);
  const timeout = posInt(values['timeout'] as string | undefined, '--timeout', 600);
  const seedText = values['seed'] as string | undefined;
  const seed = seedText === undefined ? Date.now() % 2 ** 31 : /^-?[0-9]+$/.test(seedText) ? Number(seedText) : `--seed must be an integer, got '${seedText}'`;
  for (const v of [runs, batch, timeout, seed]) {
    if (typeof v === 'string') {
      say(v);
      return EXIT.usage;
    }
  }
  const heap = validateHeap(values['heap'] as string);
  if (!heap.ok) {
    say(`--heap: ${heap.error.message}`);
    return EXIT.usage;
  }
  const binding = (await loadBinding(spec)) as ExplorableBinding<unknown> | undefined;
  if (binding?.explore === undefined) {
    say(`the ${spec} binding cannot take generated steps (it has no exploration facet)`);
    return EXIT.usage;
  }
  const variant = (values['variant'] as string | undefined) ?? binding.finalVariant;
  if (!binding.variants.includes(variant)) {
    say(`unknown variant '${variant}' of ${spec} (known: ${binding.variants.join(', ')})`);
    return EXIT.usage;
  }
  const tlc = await prepareTlc('host', io, say);
  if (!tlc.ok) {
    say(tlc.message);
    return tlc.exit;
  }
  const root = projectRoot();
  const out = values['out'] as string | undefined;
  const runDir = await createRunDir(out !== undefined ? resolve(io.cwd, out) : join(root, 'out'), 'validate');
  if (!runDir.ok) {
    say(runDir.error.message);
    return EXIT.cantCreate;
  }
  const r = await validate({
    binding,
    profile,
    variant,
    runs: runs as number,
    seed: seed as number,
    batch: batch as number,
    job: { runner: tlc.runner, jar: tlc.jar.path, specDir: join(root, 'spec'), heap: heap.value, timeoutMs: (timeout as number) * 1000 },
    runDir: runDir.value,
    ...(values['quiet'] === true ? {} : { note: say }),
  });
  if (!r.ok) {
    say(r.error);
    return /: cannot write \(/.test(r.error) ? EXIT.cantCreate : /TLC|trace-validation module/.test(r.error) ? EXIT.tlcError : EXIT.badInput;
  }
  const v = r.value;
  const s = v.stuck;
  const json = {
    spec: v.spec,
    variant: v.variant,
    seed: v.seed,
    runs: v.runs,
    steps: v.steps,
    tlcRuns: v.tlcRuns,
    seconds: v.seconds,
    walkSeconds: v.walkSeconds,
    tracesPerSecond: v.runs / v.seconds,
    verdict: v.verdict,
    classes: classesJson(v),
    ...(s !== undefined
      ? {
          stuck: {
            run: s.index,
            step: s.step,
            action: formatActionValue(s.states[s.step]!.get('action')!),
            shrunkSteps: s.states.length - 1,
            shrinkRounds: s.shrinkRounds,
            traceFile: s.traceFile,
          },
        }
      : {}),
    runDir: runDir.value,
  };
  const saved = await writeFileAtomic(join(runDir.value, 'report.json'), `${JSON.stringify(json, null, 2)}\n`);
  if (!saved.ok) {
    say(saved.error.message);
    return EXIT.cantCreate;
  }
  if (values['json'] === true) io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else {
    const lines = [
      `${v.spec} (${v.variant}), seed ${v.seed}: ${v.runs} runs, ${v.steps} steps, ${v.tlcRuns} TLC run(s), ${v.seconds.toFixed(1)} s (${(v.runs / v.seconds).toFixed(1)} traces/s)`,
    ];
    if (s === undefined) lines.push('  the spec takes every step of every run');
    else {
      const show = (m: ReadonlyMap<string, unknown>): string => printTla(tlaRecord([...(m as ReadonlyMap<string, never>)].filter(([k]) => k !== 'action')));
      lines.push(
        `  run ${s.index} cannot be followed: shrunk to ${s.states.length - 1} step(s) in ${s.shrinkRounds} round(s), the spec cannot take step ${s.step}, ${formatActionValue(s.states[s.step]!.get('action')!)}`,
        `    from: ${show(s.states[s.step - 1]!)}`,
        `    to:   ${show(s.states[s.step]!)}`,
        `  reproduce: iterpin validate --spec ${v.spec} --variant ${v.variant} --runs ${v.runs} --seed ${v.seed}`,
        `  the run: ${s.traceFile}`,
      );
    }
    lines.push('  steps per action (classes):');
    for (const [a, m] of v.classes) {
      const { '(taken)': n, ...rest } = Object.fromEntries(m);
      lines.push(`    ${a.padEnd(14)} ${String(n ?? 0).padStart(6)}  ${Object.entries(rest).sort((x, y) => y[1] - x[1]).map(([k, c]) => `${k} ${c}`).join(', ')}`);
    }
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  return s === undefined ? EXIT.ok : EXIT.mismatch;
}

export const command: Command = {
  name: 'validate',
  summary: 'check runs of the implementation beyond the models\' bounds against the spec with TLC',
  help: HELP,
  run,
};
