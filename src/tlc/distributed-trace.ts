// After a distributed TLC run reports a violation: what the server does not say, worked out with local TLC runs.
// TLC 2.18's TLCServer prints only the last two states of the behaviour (the first labelled as an initial state),
// does not name the invariant and exits 0. Two local runs on a private copy of the spec directory fill the gap:
//
// * a one-state check: a module that extends the model with `Init` = the violating state and a stuttering `Next`,
//   checked against the cfg's INVARIANTS in their order. TLC's workers check a new state's invariants in that same
//   order and stop at the first that fails, so the invariant this run names is the one the cluster found.
// * the trace: the model again with `CONSTRAINT TLCGet("level") <= d`, d bounding the violation's depth (the
//   server's last reported level + 1). Breadth-first, one worker, it stops at the first violation of any invariant
//   within d steps — the violation a local run reports — and prints the complete behaviour from an initial state.

import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCfg, type CfgSection } from './cfg.js';
import { printTla } from '../tla/print.js';
import type { TraceState } from '../tla/trace.js';
import type { TlcRunner, TlcRunOptions, TlcRunResult } from './run.js';

/** The module name of the generated wrappers; a spec's own modules never start with this. */
const PREFIX = 'IterpinDist';

/** The cfg's sections without the ones named (e.g. to replace the behaviour spec). */
function renderCfg(sections: readonly CfgSection[], drop: readonly string[], add: readonly string[]): string {
  const lines = ['\\* Derived by iterpin check --runner distributed.'];
  for (const s of sections) {
    if (drop.includes(s.keyword)) continue;
    lines.push(s.body === '' ? s.keyword : `${s.keyword}\n    ${s.body.split(/\n\s*/).join('\n    ')}`);
  }
  return `${[...lines, ...add].join('\n')}\n`;
}

/** A private copy of the spec directory's modules, removed after `use`. */
async function withSpecCopy<T>(specDir: string, use: (dir: string) => Promise<T>): Promise<T> {
  const work = await mkdtemp(join(tmpdir(), 'iterpin-dist-'));
  try {
    for (const f of await readdir(specDir)) if (f.endsWith('.tla')) await copyFile(join(specDir, f), join(work, f));
    return await use(work);
  } finally {
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
}

const moduleName = (file: string): string => file.replace(/\.tla$/, '');

export type Rebuild = { ok: true; run: TlcRunResult } | { ok: false; message: string };

/**
 * Names the first of the cfg's invariants that `state` violates, by a one-state TLC run. `opts` are the model's
 * run options (spec dir, module, cfg, jar, heap, time limit); the log goes next to theirs.
 */
export async function invariantOfState(runner: TlcRunner, opts: TlcRunOptions, state: TraceState): Promise<Rebuild> {
  const cfgText = await readFile(join(opts.specDir, opts.cfg), 'utf8').catch(() => undefined);
  if (cfgText === undefined) return { ok: false, message: `${opts.cfg} cannot be read` };
  const vars = [...state.values.keys()];
  const conj = [...state.values.entries()].map(([v, value]) => `    /\\ ${v} = ${printTla(value)}`);
  const name = `${PREFIX}State`;
  const module = [
    `---- MODULE ${name} ----`,
    `EXTENDS ${moduleName(opts.module)}, TLC`,
    `${PREFIX}Init ==`,
    ...conj,
    `${PREFIX}Next == UNCHANGED <<${vars.join(', ')}>>`,
    '====',
    '',
  ].join('\n');
  const sections = parseCfg(cfgText);
  const behaviour = ['SPECIFICATION', 'INIT', 'NEXT', 'PROPERTY', 'PROPERTIES', 'VIEW', 'CONSTRAINT', 'CONSTRAINTS', 'ACTION_CONSTRAINT', 'ACTION_CONSTRAINTS', 'SYMMETRY', 'CHECK_DEADLOCK'];
  const cfg = renderCfg(sections, behaviour, [`INIT ${PREFIX}Init`, `NEXT ${PREFIX}Next`, 'CHECK_DEADLOCK FALSE']);
  return withSpecCopy(opts.specDir, async (dir) => {
    await writeFile(join(dir, `${name}.tla`), module);
    await writeFile(join(dir, `${name}.cfg`), cfg);
    const run = await runner({ ...opts, specDir: dir, module: `${name}.tla`, cfg: `${name}.cfg`, workers: 1, coverage: false, logFile: opts.logFile.replace(/\.log$/, '.state.log') });
    if (!run.ok) return { ok: false, message: run.error.message };
    return { ok: true, run: run.value };
  });
}

/**
 * Re-runs the model locally (one worker, breadth-first) bounded to `depth` levels, to get the complete behaviour
 * of the first violation within that depth. The log goes next to the model's (`<model>.rebuild.log`).
 */
export async function rebuildTrace(runner: TlcRunner, opts: TlcRunOptions, depth: number): Promise<Rebuild> {
  const cfgText = await readFile(join(opts.specDir, opts.cfg), 'utf8').catch(() => undefined);
  if (cfgText === undefined) return { ok: false, message: `${opts.cfg} cannot be read` };
  const name = `${PREFIX}Bound`;
  const module = [
    `---- MODULE ${name} ----`,
    `EXTENDS ${moduleName(opts.module)}, TLC`,
    `${PREFIX}LevelBound == TLCGet("level") <= ${depth}`,
    '====',
    '',
  ].join('\n');
  // Temporal properties are left out: the re-run is after the violation of an invariant.
  const cfg = renderCfg(parseCfg(cfgText), ['PROPERTY', 'PROPERTIES'], [`CONSTRAINT ${PREFIX}LevelBound`]);
  return withSpecCopy(opts.specDir, async (dir) => {
    await writeFile(join(dir, `${name}.tla`), module);
    await writeFile(join(dir, `${name}.cfg`), cfg);
    const run = await runner({ ...opts, specDir: dir, module: `${name}.tla`, cfg: `${name}.cfg`, workers: 1, coverage: false, logFile: opts.logFile.replace(/\.log$/, '.rebuild.log') });
    if (!run.ok) return { ok: false, message: run.error.message };
    return { ok: true, run: run.value };
  });
}
