// The actions of a model's next-state relation, read from the spec's source: which operator is Next (the cfg's
// NEXT, or the `[][N]_v` inside its SPECIFICATION), and the flat `\/` list of its disjuncts, each named after
// the operator it applies (STYLE.md: one `\E …: Action(…)` per line). TLC's coverage report leaves out an action
// that has no sub-action at all (an `\E` over an empty set), so this list is what "every action fired" is judged
// against. Only the module TLC starts on and the modules it EXTENDS from the same directory are read.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok, type Result } from '../shared/result.js';
import { parseCfg } from './cfg.js';
import type { NextAction, NextList } from './tool-coverage.js';

/** The text with `\* …` and `(* … *)` comments blanked out (newlines kept), so positions stay TLC's. */
export function blankComments(text: string): string {
  const out = text.split('');
  let i = 0;
  let depth = 0;
  while (i < text.length) {
    const c = text[i];
    const n = text[i + 1];
    if (depth > 0) {
      if (c === '*' && n === ')') {
        depth--;
        out[i] = ' ';
        out[i + 1] = ' ';
        i += 2;
      } else if (c === '(' && n === '*') {
        depth++;
        out[i] = ' ';
        out[i + 1] = ' ';
        i += 2;
      } else {
        if (c !== '\n') out[i] = ' ';
        i++;
      }
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      i = j + 1;
    } else if (c === '\\' && n === '*') {
      while (i < text.length && text[i] !== '\n') out[i++] = ' ';
    } else if (c === '(' && n === '*') {
      depth = 1;
      out[i] = ' ';
      out[i + 1] = ' ';
      i += 2;
    } else {
      i++;
    }
  }
  return out.join('');
}

interface Definition {
  readonly name: string;
  readonly module: string;
  /** 1-based line and column where the body (after `==`) starts. */
  readonly line: number;
  readonly col: number;
  /** The body's lines, comments blanked; the first starts at `col`. */
  readonly lines: readonly string[];
}

interface Module {
  readonly name: string;
  readonly extends: readonly string[];
  readonly defs: ReadonlyMap<string, Definition>;
  /** The variables its VARIABLE(S) declarations name. */
  readonly variables: readonly string[];
}

const IDENT = '[A-Za-z_][A-Za-z0-9_]*';

/** The module's top-level definitions (`Name ==` or `Name(params) ==` at the start of a line) and EXTENDS. */
export function readModule(name: string, text: string): Module {
  const lines = blankComments(text).split('\n');
  const defs = new Map<string, Definition>();
  const ext: string[] = [];
  const variables: string[] = [];
  const head = new RegExp(`^(${IDENT})\\s*(?:\\([^)]*\\))?\\s*==`);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const e = /^EXTENDS\s+(.*)$/.exec(line);
    if (e !== null) ext.push(...(e[1] as string).split(',').map((s) => s.trim()).filter((s) => s !== ''));
    const v = /^VARIABLES?\b(.*)$/.exec(line);
    if (v !== null) {
      const decl = [v[1] as string];
      // the declaration runs on over indented (and blanked comment) lines, to the next line that starts in column 1
      for (let j = i + 1; j < lines.length && !/^\S/.test(lines[j] as string); j++) decl.push(lines[j] as string);
      variables.push(...decl.join(' ').split(',').map((x) => x.trim()).filter((x) => new RegExp(`^${IDENT}$`).test(x)));
    }
    const m = head.exec(line);
    if (m === null) continue;
    const body = [line.slice(m[0].length)];
    let j = i + 1;
    // The body runs to the next line that starts in column 1 (another definition, a rule, the module's end).
    while (j < lines.length && !/^\S/.test(lines[j] as string)) body.push(lines[j++] as string);
    while (body.length > 1 && (body[body.length - 1] as string).trim() === '') body.pop();
    defs.set(m[1] as string, { name: m[1] as string, module: name, line: i + 1, col: m[0].length + 1, lines: body });
  }
  return { name, extends: ext, defs, variables };
}

/** Position of the first `:` at bracket depth 0 from `from`, not part of `:>`, `::` or `:=`. */
function binderColon(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === '<' && s[i + 1] === '<') (depth++, i++);
    else if (c === '>' && s[i + 1] === '>') (depth--, i++);
    else if (c === ':' && depth === 0 && s[i + 1] !== '>' && s[i + 1] !== ':' && s[i + 1] !== '=' && s[i - 1] !== ':') return i;
  }
  return -1;
}

/** The operator a disjunct applies, after any `\E … :` binders: `Op`, `Op(args)` or `Inst!Op(args)`. */
export function appliedOperator(disjunct: string): string | undefined {
  let s = disjunct.trim();
  for (;;) {
    const q = /^\\E\s/.exec(s);
    if (q === null) break;
    const colon = binderColon(s, 2);
    if (colon < 0) return undefined;
    s = s.slice(colon + 1).trim();
  }
  const m = new RegExp(`^(${IDENT}(?:!${IDENT})*)\\s*(\\(([\\s\\S]*)\\))?$`).exec(s);
  if (m === null) return undefined;
  const args = m[3];
  if (args !== undefined) {
    // The parentheses must be one balanced group: `A(x) /\ B(y)` is not one application.
    let depth = 0;
    for (const c of args) {
      if (c === '(') depth++;
      else if (c === ')' && --depth < 0) return undefined;
    }
    if (depth !== 0) return undefined;
  }
  return m[1];
}

/** Splits a definition body into its top-level `\/` disjuncts (all at the first one's column), with positions. */
export function disjuncts(def: Definition): NextAction[] {
  const starts: { line: number; col: number }[] = [];
  let column: number | undefined;
  def.lines.forEach((text, k) => {
    const offset = k === 0 ? def.col - 1 : 0;
    const m = /^(\s*)\\\//.exec(text);
    if (m === null) return;
    const col = offset + (m[1] as string).length + 1;
    if (column === undefined) column = col;
    if (col === column) starts.push({ line: def.line + k, col });
  });
  const textAt = (fromLine: number, fromCol: number, toLine: number): { text: string; endLine: number; endCol: number } => {
    const parts: string[] = [];
    let endLine = fromLine;
    let endCol = fromCol;
    for (let l = fromLine; l <= toLine; l++) {
      const k = l - def.line;
      const raw = def.lines[k] ?? '';
      const offset = k === 0 ? def.col - 1 : 0;
      const from = l === fromLine ? fromCol - 1 - offset : 0;
      const piece = raw.slice(Math.max(0, from));
      parts.push(piece);
      if (piece.trim() !== '') {
        endLine = l;
        endCol = offset + raw.trimEnd().length;
      }
    }
    return { text: parts.join('\n'), endLine, endCol };
  };
  const lastLine = def.line + def.lines.length - 1;
  if (starts.length === 0) {
    const first = def.lines[0] ?? '';
    const lead = first.length - first.trimStart().length;
    const t = textAt(def.line, def.col + lead, lastLine);
    return [{ name: appliedOperator(t.text) ?? `${def.name}@${def.line}:${def.col + lead}`, line: def.line, col: def.col + lead, endLine: t.endLine, endCol: t.endCol }];
  }
  return starts.map((s, k) => {
    const next = starts[k + 1];
    const t = textAt(s.line, s.col + 2, next === undefined ? lastLine : next.line - 1);
    const body = t.text.replace(/^\s*/, '');
    const lead = t.text.length - body.length;
    // The disjunct starts after `\/` and its spaces (TLC's place for it), on the same line.
    const col = s.col + 2 + lead;
    return { name: appliedOperator(body) ?? `${def.name}@${s.line}:${col}`, line: s.line, col, endLine: t.endLine, endCol: t.endCol };
  });
}

/** The parts of `A \/ B \/ …` split at `\/` outside brackets (a leading `\/` ignored); one part if there is none. */
export function topLevelDisjuncts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === '<' && text[i + 1] === '<') (depth++, i++);
    else if (c === '>' && text[i + 1] === '>') (depth--, i++);
    else if (c === '\\' && text[i + 1] === '/' && depth === 0) {
      parts.push(text.slice(from, i));
      from = i + 2;
      i++;
    }
  }
  parts.push(text.slice(from));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/**
 * TLC splits an action whose body is a disjunction into its disjuncts, and names a disjunct that applies an
 * operator after that operator (SpliceRead's `TaskStep == SpliceStart \/ DioStart \/ …` is reported as
 * SpliceStart, DioStart, …). So an action of Next whose whole body is such a disjunction of operators counts as
 * those operators (recursively), each at the Next disjunct's place.
 */
function expandAction(a: NextAction, find: (n: string) => Definition | undefined, depth = 0): NextAction[] {
  const def = a.name.includes('@') || a.name.includes('!') ? undefined : find(a.name);
  if (def === undefined || depth > 4) return [a];
  const parts = topLevelDisjuncts(def.lines.join('\n'));
  if (parts.length < 2) return [a];
  const names = parts.map(appliedOperator);
  if (names.some((n) => n === undefined || find(n) === undefined)) return [a];
  return names.flatMap((n) => expandAction({ ...a, name: n as string }, find, depth + 1));
}

/** The operator a SPECIFICATION formula steps with: the N of `[][N]_v`, following named formulas (LiveSpec == Spec /\ …). */
function stepOperator(name: string, find: (n: string) => Definition | undefined, depth = 0): string | undefined {
  const def = find(name);
  if (def === undefined || depth > 5) return undefined;
  const body = def.lines.join('\n');
  const box = new RegExp(`\\[\\]\\s*\\[\\s*(${IDENT})\\s*\\]_`).exec(body);
  if (box !== null) return box[1];
  for (const m of body.matchAll(new RegExp(`(?<![A-Za-z0-9_!])(${IDENT})(?![A-Za-z0-9_!(])`, 'g'))) {
    const inner = m[1] as string;
    if (inner !== name && find(inner) !== undefined) {
      const found = stepOperator(inner, find, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Reads the model's next-state operator and its disjuncts from the sources in `specDir`. An Err names what could
 * not be found; callers then fall back to the names TLC prints.
 */
export async function readNextList(specDir: string, module: string, cfg: string): Promise<Result<NextList, string>> {
  const cfgText = await readFile(join(specDir, cfg), 'utf8').catch(() => undefined);
  if (cfgText === undefined) return err(`${cfg}: cannot be read`);
  const modules: Module[] = [];
  const queue = [module.replace(/\.tla$/, '')];
  while (queue.length > 0 && modules.length < 20) {
    const name = queue.shift() as string;
    if (modules.some((m) => m.name === name)) continue;
    const text = await readFile(join(specDir, `${name}.tla`), 'utf8').catch(() => undefined);
    if (text === undefined) continue; // a standard module (Naturals, …) or one TLC finds elsewhere
    const m = readModule(name, text);
    modules.push(m);
    queue.push(...m.extends);
  }
  if (modules.length === 0) return err(`${module}: cannot be read`);
  // The root module's definitions override those of the modules it extends.
  const find = (n: string): Definition | undefined => {
    for (const m of modules) {
      const d = m.defs.get(n);
      if (d !== undefined) return d;
    }
    return undefined;
  };
  const sections = parseCfg(cfgText);
  const nextSection = sections.find((s) => s.keyword === 'NEXT')?.body.split(/\s+/)[0];
  const specSection = sections.find((s) => s.keyword === 'SPECIFICATION')?.body.split(/\s+/)[0];
  const operator = nextSection ?? (specSection !== undefined ? stepOperator(specSection, find) : undefined);
  if (operator === undefined) return err(`${cfg}: names no NEXT, and no [][Next]_vars was found in its SPECIFICATION`);
  const def = find(operator);
  if (def === undefined) return err(`the next-state operator ${operator} is not defined in ${modules.map((m) => `${m.name}.tla`).join(', ')}`);
  const actions = disjuncts(def).flatMap((a) => expandAction(a, find));
  const recordsActions = find('vars') !== undefined && modules.some((m) => m.variables.includes('action'));
  return ok({ operator, module: def.module, actions, stuttering: stutteringActions(actions, find), recordsActions });
}

/** The actions whose body leaves every variable as it is (`UNCHANGED vars`) and so never records an `action'`. */
function stutteringActions(actions: readonly NextAction[], find: (n: string) => Definition | undefined): string[] {
  const names = [...new Set(actions.map((a) => a.name))];
  return names.filter((n) => {
    const body = find(n)?.lines.join('\n');
    return body !== undefined && /\bUNCHANGED\s+vars\b/.test(body) && !/\baction\s*'/.test(body);
  });
}
