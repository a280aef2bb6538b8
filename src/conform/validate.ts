// `iterpin validate`: trace validation from the implementation into the spec. fast-check generates runs of the
// reference implementation from inputs beyond the models' constants (a spec's validation profile); each run is
// walked through the spec's binding (its exploration facet names the candidate steps, the implementation takes
// or refuses them) and recorded as a trace of abstract states and action records. TLC then checks a batch of
// traces against the spec in one run: a generated module takes each trace's first state and lets the spec's
// `Next` take every recorded step to the recorded next state; a state where it cannot is a deadlock of that
// module, and its trace number and step say which run the spec cannot follow. A failing run is shrunk with
// fast-check's shrinker, a batch of shrink candidates per TLC run.

import fc from 'fast-check';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../shared/output.js';
import { err, ok, type Result } from '../shared/result.js';
import { writeItf } from '../tla/itf.js';
import type { Trace } from '../tla/trace.js';
import { printTla } from '../tla/print.js';
import { tlaKey } from '../tla/key.js';
import { tlaSet, type TlaValue } from '../tla/value.js';
import type { Constants, ExplorableBinding, StepAction } from '../trace/binding.js';
import { actionValue, INIT_ACTION } from './graph.js';
import { problemText, scratchSpecDir, type TlcJob } from './model.js';

/** How a spec's runs are generated: the constants a run starts from, beyond the models' bounds. */
export interface ValidationProfile<P> {
  readonly spec: string;
  readonly params: fc.Arbitrary<P>;
  /** The run's constants as the spec declares them (`Variant` included). */
  constants(p: P, variant: string): Constants;
  /** The most steps of a run. */
  readonly maxSteps: number;
  /** Runs per TLC run, when fewer than the default suit the spec (its `Next` over many layouts at once is costly). */
  readonly batch?: number;
}

export interface Run<P> {
  readonly params: P;
  /** choices[0] picks the initial state; each further one the candidate tried first at that step. */
  readonly choices: readonly number[];
}

export function runArbitrary<P>(profile: ValidationProfile<P>, maxSteps = profile.maxSteps): fc.Arbitrary<Run<P>> {
  return fc.record({ params: profile.params, choices: fc.array(fc.nat({ max: 1 << 20 }), { minLength: 1, maxLength: maxSteps + 1, size: 'medium' }) });
}

/** One recorded run: every state's variables, `action` included. */
export interface Walked {
  readonly constants: Constants;
  readonly states: readonly ReadonlyMap<string, TlaValue>[];
  /** Per action: steps taken and the argument classes they exercised. */
  readonly classes: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

/**
 * Runs the implementation along a run's choices: at each step the candidates of the binding's exploration facet
 * are tried from the chosen one on until the implementation takes one (stuttering steps are not recorded); the
 * run ends when it takes none or the choices run out.
 */
export function walk<S, P>(b: ExplorableBinding<S>, profile: ValidationProfile<P>, run: Run<P>, variant: string): Result<Walked, string> {
  const x = b.explore;
  const c = profile.constants(run.params, variant);
  const firsts = x.initialStates(c);
  if (!firsts.ok) return err(`the run's initial states: ${firsts.error}`);
  if (firsts.value.length === 0) return err("the run's constants give no initial state");
  const start = firsts.value[(run.choices[0] ?? 0) % firsts.value.length]!;
  const init = b.init(start, variant);
  if (!init.ok) return err(`the implementation cannot start the run: ${init.error}`);
  const withAction = (s: S, a: TlaValue): Map<string, TlaValue> => new Map([...b.abstract(s), ['action', a]]);
  const states: Map<string, TlaValue>[] = [withAction(init.value.state, start.get('action') ?? INIT_ACTION)];
  const classes = new Map<string, Map<string, number>>();
  let cur = init.value.state;
  // States are only ever copied, never stepped themselves. A state that cannot be copied (a running call) is built
  // again from the latest one that could be (`anchor`; undefined: the start) along the steps since (`path`).
  let anchor: S | undefined;
  let path: StepAction[] = [];
  const copy = (): S => {
    const c = x.clone?.(cur);
    if (c !== undefined) return c;
    let s: S;
    if (anchor !== undefined) s = x.clone!(anchor)!;
    else {
      const again = b.init(start, variant);
      if (!again.ok) throw new Error(`the implementation no longer starts the run: ${again.error}`);
      s = again.value.state;
    }
    for (const a of path) {
      const r = b.step(s, a);
      if (!r.ok) throw new Error(`the implementation refuses ${a.name} on a path it took before: ${r.error}`);
      s = r.value.state;
    }
    return s;
  };
  const keep = x.refusalKeepsState;
  const keeps = (a: StepAction): boolean => (typeof keep === 'function' ? keep(a) : keep === true);
  for (let k = 1; k < run.choices.length; k++) {
    const cands = x.candidates(cur, c).filter((a) => a.name !== x.stuttering);
    if (cands.length === 0) break;
    // The choice names an action first (so an action with many argument tuples does not crowd out the others),
    // then the argument tuple tried first; the rest follow in turn.
    const choice = run.choices[k] ?? 0;
    const names = [...new Set(cands.map((a) => a.name))];
    const name = names[choice % names.length]!;
    const own = cands.filter((a) => a.name === name);
    const first = Math.floor(choice / names.length) % own.length;
    const order = [...own.slice(first), ...own.slice(0, first), ...cands.filter((a) => a.name !== name)];
    let taken = false;
    let spare: S | undefined = x.clone?.(cur);
    const copyable = spare !== undefined;
    for (let j = 0; j < order.length && !taken; j++) {
      const cand = order[j]!;
      const s = spare ?? copy();
      spare = undefined;
      const r = b.step(s, cand);
      if (!r.ok) {
        if (keeps(cand)) spare = s;
        continue;
      }
      const rec = x.recorded !== undefined ? x.recorded(cand, cur, r.value.state) : cand;
      const counts = classes.get(rec.name) ?? new Map<string, number>();
      classes.set(rec.name, counts);
      counts.set('(taken)', (counts.get('(taken)') ?? 0) + 1);
      for (const cl of x.classify?.(rec, cur, r.value.state) ?? []) counts.set(cl, (counts.get(cl) ?? 0) + 1);
      states.push(withAction(r.value.state, actionValue(rec)));
      if (copyable) {
        anchor = cur;
        path = [cand];
      } else path.push(cand);
      cur = r.value.state;
      taken = true;
    }
    if (!taken) break;
  }
  return ok({ constants: c, states, classes });
}

/** The constants of a batch: set-valued ones united over the runs, the others equal in every run. */
export function batchConstants(runs: readonly Walked[]): Result<Map<string, TlaValue>, string> {
  const out = new Map<string, TlaValue>();
  for (const r of runs) {
    for (const [name, v] of r.constants) {
      const have = out.get(name);
      if (have === undefined) out.set(name, v);
      else if (v.kind === 'set' && have.kind === 'set') {
        const seen = new Map(have.elems.map((e) => [tlaKey(e), e] as const));
        for (const e of v.elems) seen.set(tlaKey(e), e);
        out.set(name, tlaSet([...seen.values()]));
      } else if (tlaKey(v) !== tlaKey(have)) return err(`the runs disagree on the constant ${name}: ${printTla(have)} and ${printTla(v)}`);
    }
  }
  return ok(out);
}

const T = 'iterpinT';
const I = 'iterpinI';

/** The trace-validation module and its cfg for a batch of recorded runs. */
export function validationModule(spec: string, vars: readonly string[], runs: readonly Walked[], constants: ReadonlyMap<string, TlaValue>): { tla: string; cfg: string } {
  const rec = (s: ReadonlyMap<string, TlaValue>): string => `[${vars.map((v) => `${v} |-> ${printTla(s.get(v)!)}`).join(', ')}]`;
  const traces = runs.map((r) => `    <<${r.states.map(rec).join(',\n      ')}>>`).join(',\n');
  const assign = (i: string): string => vars.map((v) => `/\\ ${v}${i === 'next' ? "'" : ''} = IterpinTraces[${T}][${i === 'next' ? `${I} + 1` : I}].${v}`).join('\n    ');
  const tla = [
    '---- MODULE IterpinValidate ----',
    `EXTENDS ${spec}, TLC, Naturals, Sequences`,
    ...[...constants].map(([name, v]) => `IterpinConst${name} == ${printTla(v)}`),
    'IterpinTraces == <<',
    traces,
    '  >>',
    `VARIABLES ${T}, ${I}`,
    `IterpinInit ==`,
    `    /\\ ${T} \\in 1..Len(IterpinTraces)`,
    `    /\\ ${I} = 1`,
    `    ${assign('now')}`,
    // The recorded next state first, so the spec's Next checks it rather than choosing one.
    `IterpinStep ==`,
    `    /\\ ${I} < Len(IterpinTraces[${T}])`,
    `    ${assign('next')}`,
    `    /\\ ${I}' = ${I} + 1`,
    `    /\\ UNCHANGED ${T}`,
    `    /\\ Next`,
    // A trace that ended stutters: only a step the spec cannot take leaves a state without successor.
    `IterpinEnded == ${I} = Len(IterpinTraces[${T}]) /\\ UNCHANGED <<${[T, I, ...vars].join(', ')}>>`,
    `IterpinNext == IterpinStep \\/ IterpinEnded`,
    '====',
    '',
  ].join('\n');
  const cfg = ['CONSTANTS', ...[...constants.keys()].map((n) => `    ${n} <- IterpinConst${n}`), 'INIT IterpinInit', 'NEXT IterpinNext', ''].join('\n');
  return { tla, cfg };
}

/** TLC's verdict on a batch: every run followed, or the first (trace, step) the spec cannot take. */
export type BatchVerdict = { readonly kind: 'followed'; readonly seconds: number } | { readonly kind: 'stuck'; readonly trace: number; readonly step: number; readonly seconds: number };

export async function checkBatch(spec: string, vars: readonly string[], runs: readonly Walked[], job: TlcJob): Promise<Result<BatchVerdict, string>> {
  const consts = batchConstants(runs);
  if (!consts.ok) return consts;
  const scratch = await scratchSpecDir(job.specDir);
  if (!scratch.ok) return scratch;
  try {
    const m = validationModule(spec, vars, runs, consts.value);
    try {
      await writeFile(join(scratch.value.dir, 'IterpinValidate.tla'), m.tla);
      await writeFile(join(scratch.value.dir, 'IterpinValidate.cfg'), m.cfg);
    } catch (e) {
      return err(`cannot write the trace-validation module (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    const run = await job.runner({
      jar: job.jar,
      specDir: scratch.value.dir,
      module: 'IterpinValidate.tla',
      cfg: 'IterpinValidate.cfg',
      workers: 1,
      heap: job.heap,
      timeoutMs: job.timeoutMs,
      logFile: job.logFile,
    });
    if (!run.ok) return err(run.error.message);
    const r = run.value;
    if (r.outcome === 'success') return ok({ kind: 'followed', seconds: r.seconds });
    if (r.outcome === 'deadlock') {
      const last = r.trace[r.trace.length - 1]?.values;
      const t = last?.get(T);
      const i = last?.get(I);
      if (t?.kind === 'int' && i?.kind === 'int') return ok({ kind: 'stuck', trace: Number(t.value) - 1, step: Number(i.value), seconds: r.seconds });
      return err(`TLC stopped in the trace-validation module without saying where; see ${r.logFile}`);
    }
    return err(`TLC rejected the trace-validation module: ${problemText(r)}`);
  } finally {
    await scratch.value.done();
  }
}

export interface ValidateOptions<S, P> {
  readonly binding: ExplorableBinding<S>;
  readonly profile: ValidationProfile<P>;
  readonly variant: string;
  readonly runs: number;
  readonly seed: number;
  /** Runs per TLC run (default 250). */
  readonly batch?: number;
  /** Shrink rounds (default 8), each one TLC run over up to `shrinkWidth` candidates (default 48). */
  readonly shrinkRounds?: number;
  readonly shrinkWidth?: number;
  readonly job: Omit<TlcJob, 'logFile'>;
  readonly runDir: string;
  readonly note?: (line: string) => void;
}

export interface StuckRun<P> {
  /** The generated run's index (0-based) under the seed. */
  readonly index: number;
  readonly run: Run<P>;
  /** The shrunk run and its recorded states. */
  readonly shrunk: Run<P>;
  readonly states: readonly ReadonlyMap<string, TlaValue>[];
  /** The step (1-based) the spec cannot take: from states[step - 1] to states[step]. */
  readonly step: number;
  readonly shrinkRounds: number;
  readonly traceFile: string;
}

export interface ValidateReport<P> {
  readonly spec: string;
  readonly variant: string;
  readonly seed: number;
  readonly runs: number;
  /** Steps recorded over all runs. */
  readonly steps: number;
  readonly tlcRuns: number;
  readonly seconds: number;
  /** Seconds generating and walking the runs (the implementation's share). */
  readonly walkSeconds: number;
  readonly verdict: 'followed' | 'stuck';
  readonly stuck?: StuckRun<P>;
  /** Per action: steps taken and the classes they exercised, over every run. */
  readonly classes: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

function mergeClasses(into: Map<string, Map<string, number>>, from: ReadonlyMap<string, ReadonlyMap<string, number>>): void {
  for (const [a, m] of from) {
    const t = into.get(a) ?? new Map<string, number>();
    into.set(a, t);
    for (const [k, n] of m) t.set(k, (t.get(k) ?? 0) + n);
  }
}

export async function validate<S, P>(o: ValidateOptions<S, P>): Promise<Result<ValidateReport<P>, string>> {
  const started = performance.now();
  const { binding, profile, variant } = o;
  const arb = runArbitrary(profile);
  const values = fc.sample(arb, { seed: o.seed, numRuns: o.runs });
  const walkOne = (r: Run<P>): Result<Walked, string> => {
    try {
      return walk(binding, profile, r, variant);
    } catch (e) {
      return err((e as Error).message);
    }
  };
  const walked: Walked[] = [];
  const classes = new Map<string, Map<string, number>>();
  for (const [k, v] of values.entries()) {
    const w = walkOne(v);
    if (!w.ok) return err(`run ${k} of seed ${o.seed}: ${w.error}`);
    walked.push(w.value);
    mergeClasses(classes, w.value.classes);
  }
  const walkSeconds = (performance.now() - started) / 1000;
  const steps = walked.reduce((n, w) => n + w.states.length - 1, 0);
  o.note?.(`${o.runs} runs, ${steps} steps recorded in ${walkSeconds.toFixed(1)} s; TLC checks them`);
  let tlcRuns = 0;
  const check = async (batch: readonly Walked[], what: string): Promise<Result<BatchVerdict, string>> => {
    tlcRuns++;
    return checkBatch(binding.spec, binding.vars, batch, { ...o.job, logFile: join(o.runDir, `${what}.log`) });
  };
  const size = o.batch ?? profile.batch ?? 250;
  let failing: { index: number; step: number } | undefined;
  for (let from = 0; from < walked.length && failing === undefined; from += size) {
    const v = await check(walked.slice(from, from + size), `batch-${from / size + 1}`);
    if (!v.ok) return v;
    if (v.value.kind === 'stuck') failing = { index: from + v.value.trace, step: v.value.step };
  }
  const base = { spec: binding.spec, variant, seed: o.seed, runs: o.runs, steps, tlcRuns, walkSeconds, classes };
  if (failing === undefined) return ok({ ...base, tlcRuns, verdict: 'followed', seconds: (performance.now() - started) / 1000 });

  // Shrinking: the steps after the one the spec cannot take do not matter; then fast-check's shrinker proposes
  // smaller runs, a batch of them per TLC run, and the first round without a failing one ends it.
  o.note?.(`run ${failing.index} cannot be followed at step ${failing.step}; shrinking`);
  const truncate = (r: Run<P>, step: number): Run<P> => ({ params: r.params, choices: r.choices.slice(0, step + 1) });
  let cur = truncate(values[failing.index]!, failing.step);
  let curStep = failing.step;
  let rounds = 0;
  for (; rounds < (o.shrinkRounds ?? 8); rounds++) {
    const cands: Run<P>[] = [];
    const runsOf: Walked[] = [];
    for (const c of arb.shrink(cur, undefined)) {
      if (cands.length >= (o.shrinkWidth ?? 48)) break;
      const w = walkOne(c.value);
      if (!w.ok || w.value.states.length < 2) continue;
      cands.push(c.value);
      runsOf.push(w.value);
    }
    if (cands.length === 0) break;
    const v = await check(runsOf, `shrink-${rounds + 1}`);
    if (!v.ok) return v;
    if (v.value.kind !== 'stuck') break;
    cur = truncate(cands[v.value.trace]!, v.value.step);
    curStep = v.value.step;
  }
  const final = walkOne(cur);
  if (!final.ok) return final;
  const traceFile = join(o.runDir, `${binding.spec}.validate-${o.seed}-${failing.index}.itf.json`);
  const trace: Trace = {
    meta: {
      format: 'ITF',
      source: 'iterpin validate',
      spec: binding.spec,
      variant,
      description: `a run of the implementation (seed ${o.seed}, run ${failing.index}, shrunk) whose step ${curStep} the spec cannot take`,
    },
    vars: [...binding.vars],
    states: final.value.states.map((values, index) => ({ index, values })),
  };
  const w = await writeFileAtomic(traceFile, writeItf(trace));
  if (!w.ok) return err(w.error.message);
  return ok({
    ...base,
    tlcRuns,
    verdict: 'stuck',
    seconds: (performance.now() - started) / 1000,
    stuck: { index: failing.index, run: values[failing.index]!, shrunk: cur, states: final.value.states, step: curStep, shrinkRounds: rounds, traceFile },
  });
}
