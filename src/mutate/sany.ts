// Validating mutants with SANY, TLA+'s own parser and semantic checker, before TLC runs them. One JVM checks a
// batch: each mutant is written beside the specs under its own module name (`<Spec>_m<k>.tla`), and SANY, given
// every file on one command line, reports on each in turn.

import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../tlc/process.js';
import { jvmArgs } from '../tlc/args.js';
import { renameModule } from './generate.js';

/** How many modules one SANY process checks. */
const BATCH = 60;

export interface SanyInput {
  readonly key: string;
  readonly text: string;
}

export interface SanyOptions {
  readonly java: string;
  readonly jar: string;
  /** The directory holding the spec and the modules it extends. */
  readonly specDir: string;
  /** The module name the mutants replace. */
  readonly spec: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
}

/**
 * Per key: undefined when SANY accepts the module (or could not say: TLC parses it again and decides), else
 * SANY's first complaint on one line.
 */
export type SanyVerdicts = Map<string, string | undefined>;

const ERROR_MARK = /\*\*\* Errors:|Fatal errors|\*\*\*Parse Error\*\*\*|Lexical error|Encountered "/;

/** The verdict for one module from SANY's report on it (the text between two banners). */
export function sanyVerdict(section: string): string | undefined {
  // SANY itself failing (a Java exception) says nothing about the module.
  if (/\bjava\.[a-z.]+\.[A-Za-z]*(Exception|Error)\b/.test(section)) return undefined;
  const lines = section.split('\n');
  const mark = lines.findIndex((l) => ERROR_MARK.test(l));
  if (mark >= 0) {
    const detail = lines.slice(mark + 1).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('***'));
    return [lines[mark]?.trim(), ...detail.slice(0, 3)].join(' ').replace(/\s+/g, ' ').slice(0, 300);
  }
  return undefined;
}

/** Splits the output of one SANY run over several files into each file's part, by the module it names. */
export function splitSanyOutput(out: string): Map<string, string> {
  const parts = new Map<string, string>();
  const sections = out.split(/^\*+ SANY2 Version.*$/m).slice(1);
  for (const s of sections) {
    const m = /^Parsing file (.*)$/m.exec(s);
    const file = m?.[1]?.trim().split(/[\\/]/).pop();
    if (file !== undefined) parts.set(file.replace(/\.tla$/, ''), s);
  }
  return parts;
}

export async function sanyCheck(o: SanyOptions, inputs: readonly SanyInput[]): Promise<{ ok: true; verdicts: SanyVerdicts } | { ok: false; message: string }> {
  const verdicts: SanyVerdicts = new Map();
  if (inputs.length === 0) return { ok: true, verdicts };
  const work = await mkdtemp(join(tmpdir(), 'iterpin-sany-'));
  try {
    for (const f of await readdir(o.specDir)) if (f.endsWith('.tla')) await copyFile(join(o.specDir, f), join(work, f));
    // SANY unpacks the standard modules into java.io.tmpdir and deletes them on exit: a private one per run, so
    // concurrent runs do not pull them from under each other (as the TLC runners do).
    await mkdir(join(work, 'tmp'));
    const jvm = jvmArgs({ heap: '512m', tmpdir: join(work, 'tmp') });
    if (!jvm.ok) return { ok: false, message: jvm.error.message };
    for (let from = 0; from < inputs.length; from += BATCH) {
      const batch = inputs.slice(from, from + BATCH);
      const names = batch.map((_, k) => `${o.spec}_m${from + k}`);
      for (const [k, input] of batch.entries()) {
        await writeFile(join(work, `${names[k]}.tla`), renameModule(input.text, o.spec, names[k] as string));
      }
      const run = await runCommand(o.java, [...jvm.value, '-cp', o.jar, 'tla2sany.SANY', ...names.map((n) => `${n}.tla`)], {
        cwd: work,
        ...(o.env !== undefined ? { env: o.env } : {}),
        timeoutMs: o.timeoutMs,
      });
      if (run.kind === 'spawn-failed') return { ok: false, message: `SANY could not start: ${run.message}` };
      if (run.kind === 'timeout') return { ok: false, message: `SANY ran past ${Math.round(o.timeoutMs / 1000)} s` };
      const parts = splitSanyOutput(run.stdout);
      for (const [k, input] of batch.entries()) {
        const name = names[k] as string;
        const section = parts.get(name);
        // A module SANY printed nothing for (it stopped early) stays unjudged: TLC's parse decides.
        verdicts.set(input.key, section === undefined ? undefined : sanyVerdict(section));
      }
    }
    return { ok: true, verdicts };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
