// How often each action of Next fired, read from TLC's dump of the state graph instead of its `-coverage` report,
// for models whose coverage set-up TLC cannot finish (a model's manifest entry says why under `noCoverage`).
// TLC runs the model's cfg without its VIEW, so every state keeps the `action` record of the step that reached it,
// with `-dump dot,actionlabels`. Each transition of the dump (to a new or an already-seen state) counts once, for:
// the action TLC's edge label names, when it is an action of Next; otherwise (TLC labels a disjunct it did not
// split, such as an `\E` over a set that depends on the state, after the next-state operator) the action the
// reached state's `action` record names. Every action of these specs sets `action` except the stuttering ones
// (`Terminating`), and TLC labels those with their own name. The counts are TLC's: the implementation plays no part.

import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok, type Result } from '../shared/result.js';
import { cfgSectionText, parseCfg } from '../tlc/cfg.js';
import type { TlcRunner, TlcRunOptions } from '../tlc/run.js';
import type { ActionCoverage, NextList } from '../tlc/tool-coverage.js';
import { parseDot } from './dot.js';
import { problemText, scratchSpecDir } from './model.js';

export interface DumpCoverage {
  /** Each action of Next, in Next's order: transitions taken, and distinct states they reach. */
  readonly actions: readonly ActionCoverage[];
  /** The dump run searched the whole space (no violation stopped it). */
  readonly complete: boolean;
  readonly seconds: number;
}

/** The cfg without its VIEW, so that TLC's states carry the `action` record. */
export function cfgWithoutView(text: string): string {
  return `${parseCfg(text)
    .filter((s) => s.keyword !== 'VIEW')
    .map(cfgSectionText)
    .join('\n')}\n`;
}

/** The action name a TLA+ `action` record holds, if it is one. */
function recordName(v: unknown): string | undefined {
  const r = v as { kind?: string; fields?: readonly (readonly [string, { kind: string; value?: unknown }])[] } | undefined;
  if (r?.kind !== 'record') return undefined;
  const f = r.fields?.find(([k]) => k === 'name')?.[1];
  return f?.kind === 'str' && typeof f.value === 'string' ? f.value : undefined;
}

/** Counts the dump's transitions per action of `next` (see the module comment). */
export function countDump(dotText: string, file: string, next: NextList): Result<ActionCoverage[], string> {
  const dot = parseDot(dotText, file);
  if (!dot.ok) return dot;
  const names = [...new Set(next.actions.map((a) => a.name))];
  const generated = new Map<string, number>(names.map((n) => [n, 0]));
  const reached = new Map<string, Set<string>>(names.map((n) => [n, new Set()]));
  for (const [, to, label] of dot.value.edges) {
    const name = generated.has(label) ? label : recordName(dot.value.states.get(to)?.get('action'));
    if (name === undefined || !generated.has(name)) {
      return err(`${file}: a transition to state ${to} is labelled '${label}' and reaches no action record of ${next.operator} (${names.join(', ')})`);
    }
    generated.set(name, (generated.get(name) ?? 0) + 1);
    reached.get(name)?.add(to);
  }
  return ok(names.map((name) => ({ name, generated: generated.get(name) ?? 0, distinct: reached.get(name)?.size ?? 0 })));
}

/** Runs TLC on the model without its VIEW, dumping the state graph, and counts the actions. */
export async function dumpCoverage(
  runner: TlcRunner,
  run: Omit<TlcRunOptions, 'specDir' | 'cfg' | 'extraArgs' | 'coverage' | 'metadir'> & { readonly specDir: string; readonly cfg: string },
  next: NextList,
): Promise<Result<DumpCoverage, string>> {
  const scratch = await scratchSpecDir(run.specDir);
  if (!scratch.ok) return scratch;
  const dotFile = join(scratch.value.dir, 'IterpinCoverage.dot');
  try {
    await writeFile(join(scratch.value.dir, 'IterpinCoverage.cfg'), `\\* ${run.cfg} without its VIEW, for the action counts.\n${cfgWithoutView(await readFile(join(run.specDir, run.cfg), 'utf8'))}`);
    const r = await runner({ ...run, specDir: scratch.value.dir, cfg: 'IterpinCoverage.cfg', extraArgs: ['-dump', 'dot,actionlabels', dotFile] });
    if (!r.ok) return err(r.error.message);
    const o = r.value.outcome;
    if (o === 'timeout' || o === 'error') return err(`TLC's state-graph dump for the action counts did not finish: ${problemText(r.value)}`);
    const counted = countDump(await readFile(dotFile, 'utf8'), dotFile, next);
    return counted.ok ? ok({ actions: counted.value, complete: o === 'success', seconds: r.value.seconds }) : counted;
  } catch (e) {
    return err(`TLC's state-graph dump for the action counts: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  } finally {
    await rm(dotFile, { force: true }).catch(() => undefined);
    await scratch.value.done();
  }
}
