// What the explorer and the conformance check need to know about one manifest model, and the two TLC runs that
// tell them: the model's constants as TLC evaluates them (printed and read back with the value parser), and
// TLC's dump of the model's complete state graph. Both runs work on a scratch copy of the spec directory, so the
// generated module and cfg never land in spec/.

import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManifestModel } from '../manifest/manifest.js';
import { err, ok, type Result } from '../shared/result.js';
import { parseTla } from '../tla/parse.js';
import type { TlaValue } from '../tla/value.js';
import { cfgInvariants, parseCfg, stripCfgComments, type CfgSection } from '../tlc/cfg.js';
import type { TlcRunner, TlcRunResult } from '../tlc/run.js';

/** The parts of a model's cfg and MC module the explorer depends on. */
export interface ModelShape {
  readonly model: ManifestModel;
  readonly sections: readonly CfgSection[];
  /** The constants the cfg sets, in order. */
  readonly constantNames: readonly string[];
  /** The variables the model's VIEW keeps, or undefined when it has no VIEW (then: every variable). */
  readonly viewVars?: readonly string[];
  /** The cfg's CONSTRAINT operators. */
  readonly constraints: readonly string[];
  /** The invariants the cfg checks (recorded in written traces). */
  readonly invariants: readonly string[];
}

const KEYWORD_ONLY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The tuple a VIEW operator defines (`View == <<a, b>>` gives "a, b"), looked up in the model's module and then in
 * the modules of the spec directory it extends, depth first (MCIovIterGen takes MCIovIter's View).
 */
async function viewDefinition(specDir: string, module: string, text: string, view: string, seen = new Set<string>()): Promise<string | undefined> {
  seen.add(module);
  const body = stripCfgComments(text);
  const def = new RegExp(`(?:^|\\n)${view}\\s*==\\s*<<([^>]*)>>`).exec(body);
  if (def !== null) return def[1];
  const extended = /(?:^|\n)\s*EXTENDS\s+([A-Za-z0-9_,\s]+?)\s*(?:\n|$)/.exec(body)?.[1]?.split(',').map((m) => m.trim()).filter((m) => m !== '').map((m) => `${m}.tla`) ?? [];
  for (const m of extended) {
    if (seen.has(m)) continue;
    let t: string;
    try {
      t = await readFile(join(specDir, m), 'utf8');
    } catch {
      continue; // a standard module (Naturals, TLC, ...): not in the spec directory
    }
    const found = await viewDefinition(specDir, m, t, view, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Reads the model's cfg and the VIEW definition of its module. Err = a one-line reason naming the file. */
export async function readModelShape(specDir: string, model: ManifestModel): Promise<Result<ModelShape, string>> {
  const cfgPath = join(specDir, model.cfg);
  let cfgText: string;
  let moduleText: string;
  try {
    cfgText = await readFile(cfgPath, 'utf8');
  } catch (e) {
    return err(`${cfgPath}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    moduleText = await readFile(join(specDir, model.module), 'utf8');
  } catch (e) {
    return err(`${join(specDir, model.module)}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const sections = parseCfg(cfgText);
  const constantNames: string[] = [];
  for (const s of sections) {
    if (s.keyword !== 'CONSTANT' && s.keyword !== 'CONSTANTS') continue;
    for (const m of s.body.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:<-|=)/g)) constantNames.push(m[1] as string);
  }
  const names = (keywords: readonly string[]): string[] =>
    sections.filter((s) => keywords.includes(s.keyword)).flatMap((s) => s.body.split(/\s+/).filter((t) => t !== ''));
  const views = names(['VIEW']);
  let viewVars: string[] | undefined;
  if (views.length > 0) {
    const view = views[0] as string;
    if (!KEYWORD_ONLY.test(view)) return err(`${cfgPath}: VIEW ${view} is not an operator name`);
    const def = await viewDefinition(specDir, model.module, moduleText, view);
    const vars = def?.split(',').map((v) => v.trim());
    if (vars === undefined || vars.some((v) => !KEYWORD_ONLY.test(v))) {
      return err(`${join(specDir, model.module)}: VIEW ${view} is not a tuple of variables (the explorer de-duplicates on such views only)`);
    }
    viewVars = vars;
  }
  return ok({
    model,
    sections,
    constantNames,
    ...(viewVars !== undefined ? { viewVars } : {}),
    constraints: names(['CONSTRAINT', 'CONSTRAINTS']),
    invariants: cfgInvariants(sections),
  });
}

/** The cfg's CONSTANTS sections as text, for the generated cfgs. */
function constantsText(shape: ModelShape): string {
  return shape.sections
    .filter((s) => s.keyword === 'CONSTANT' || s.keyword === 'CONSTANTS')
    .map((s) => `CONSTANTS\n    ${s.body.split(/\n\s*/).join('\n    ')}`)
    .join('\n');
}

export interface TlcJob {
  readonly runner: TlcRunner;
  readonly jar: string;
  readonly specDir: string;
  /** Where the run's TLC log goes (a fresh file). */
  readonly logFile: string;
  readonly heap: string;
  readonly timeoutMs: number;
  readonly onProgress?: (distinct: number, generated: number) => void;
}

/** A scratch copy of the spec directory's modules, removed by `done`. */
export async function scratchSpecDir(specDir: string): Promise<Result<{ dir: string; done: () => Promise<void> }, string>> {
  let dir: string;
  try {
    dir = await mkdtemp(join(tmpdir(), 'iterpin-conform-'));
    for (const f of await readdir(specDir)) if (f.endsWith('.tla')) await copyFile(join(specDir, f), join(dir, f));
  } catch (e) {
    return err(`cannot copy ${specDir} to a scratch directory (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return ok({ dir, done: () => rm(dir, { recursive: true, force: true }).catch(() => undefined) });
}

export function problemText(r: TlcRunResult): string {
  const p = r.problems[0];
  if (p === undefined) return `TLC ended with ${r.outcome} (exit ${r.exitCode ?? r.exitSignal}); see ${r.logFile}`;
  const where = p.file !== undefined ? ` (${p.file}${p.line !== undefined ? `:${p.line}` : ''})` : '';
  return `${p.message}${where}${p.message.includes(r.logFile) ? '' : `; see ${r.logFile}`}`;
}

const CONST_MARK = '"iterpin-constant"';

/**
 * The model's constants as TLC evaluates them: a generated module extending the model's prints each one from an
 * ASSUME, and the printed values are read with the project's value parser.
 */
export async function evaluateConstants(shape: ShapeJob): Promise<Result<Map<string, TlaValue>, string>> {
  const { shape: s, job } = shape;
  const scratch = await scratchSpecDir(job.specDir);
  if (!scratch.ok) return scratch;
  try {
    const base = s.model.module.replace(/\.tla$/, '');
    const lines = [
      '---- MODULE IterpinConstants ----',
      `EXTENDS ${base}, TLC`,
      ...s.constantNames.map((c) => `ASSUME PrintT(<<${CONST_MARK}, "${c}", ${c}>>)`),
      // Neither evaluates anything: FALSE comes first. They only make the cfg a complete model.
      'IterpinNoInit == FALSE /\\ Init',
      "IterpinNoNext == FALSE /\\ Next",
      '====',
      '',
    ];
    await writeFile(join(scratch.value.dir, 'IterpinConstants.tla'), lines.join('\n'));
    await writeFile(join(scratch.value.dir, 'IterpinConstants.cfg'), `${constantsText(s)}\nINIT IterpinNoInit\nNEXT IterpinNoNext\n`);
    const run = await job.runner({
      jar: job.jar,
      specDir: scratch.value.dir,
      module: 'IterpinConstants.tla',
      cfg: 'IterpinConstants.cfg',
      workers: 1,
      heap: job.heap,
      timeoutMs: job.timeoutMs,
      logFile: job.logFile,
    });
    if (!run.ok) return err(run.error.message);
    if (run.value.outcome !== 'success') return err(`TLC could not evaluate the constants of ${s.model.name}: ${problemText(run.value)}`);
    const log = await readFile(job.logFile, 'utf8');
    const out = new Map<string, TlaValue>();
    // PrintT's output is unframed; each value runs until the next framed message or the next printed constant.
    const unframed = log.split(/@!@!@STARTMSG[^\n]*\n[\s\S]*?@!@!@ENDMSG[^\n]*\n?/).join('\n');
    const chunks = unframed.split(new RegExp(`<<\\s*${CONST_MARK},`)).slice(1);
    for (const chunk of chunks) {
      const text = `<<${CONST_MARK}, ${chunk.trim()}`;
      const v = parseTla(text);
      if (!v.ok || v.value.kind !== 'seq' || v.value.elems.length !== 3) {
        return err(`TLC printed a constant of ${s.model.name} that cannot be read: ${v.ok ? 'not a triple' : v.error.message}`);
      }
      const [, name, value] = v.value.elems;
      if (name?.kind !== 'str' || value === undefined) return err(`TLC printed a constant of ${s.model.name} without its name`);
      out.set(name.value, value);
    }
    const missing = s.constantNames.filter((c) => !out.has(c));
    if (missing.length > 0) return err(`TLC did not print the constant(s) ${missing.join(', ')} of ${s.model.name}; see ${job.logFile}`);
    return ok(out);
  } catch (e) {
    return err(`cannot write the constants module (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  } finally {
    await scratch.value.done();
  }
}

export interface ShapeJob {
  readonly shape: ModelShape;
  readonly job: TlcJob;
}

export interface DumpRun {
  readonly dotFile: string;
  readonly tlc: TlcRunResult;
}

/**
 * TLC's complete state graph of the model, dumped as DOT: the model's cfg without its invariants (a bug variant's
 * space is explored to the end, not to its first violation), without its VIEW (every state carries the `action`
 * record that reached it, so each transition's arguments are in the dump) and without deadlock checking.
 */
export async function dumpStateGraph(sj: ShapeJob, dotFile: string): Promise<Result<DumpRun, string>> {
  const { shape: s, job } = sj;
  const scratch = await scratchSpecDir(job.specDir);
  if (!scratch.ok) return scratch;
  try {
    const kept = s.sections.filter((x) => !['INVARIANT', 'INVARIANTS', 'VIEW', 'PROPERTY', 'PROPERTIES', 'CHECK_DEADLOCK'].includes(x.keyword));
    const cfg = kept.map((x) => (x.body === '' ? x.keyword : `${x.keyword}\n    ${x.body.split(/\n\s*/).join('\n    ')}`)).join('\n');
    await writeFile(join(scratch.value.dir, 'IterpinDump.cfg'), `\\* ${s.model.cfg} for its state-graph dump.\n${cfg}\n`);
    const run = await job.runner({
      jar: job.jar,
      specDir: scratch.value.dir,
      module: s.model.module,
      cfg: 'IterpinDump.cfg',
      workers: 1,
      heap: job.heap,
      timeoutMs: job.timeoutMs,
      logFile: job.logFile,
      extraArgs: ['-deadlock', '-dump', 'dot,actionlabels', dotFile],
      ...(job.onProgress !== undefined ? { onProgress: (p) => job.onProgress?.(p.distinct, p.generated) } : {}),
    });
    if (!run.ok) return err(run.error.message);
    if (run.value.outcome === 'timeout') return err(`TLC's dump of ${s.model.name} ran past its time limit; see ${job.logFile}`);
    if (run.value.outcome !== 'success') return err(`TLC could not dump the state graph of ${s.model.name}: ${problemText(run.value)}`);
    return ok({ dotFile, tlc: run.value });
  } catch (e) {
    return err(`cannot write the dump cfg (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  } finally {
    await scratch.value.done();
  }
}
