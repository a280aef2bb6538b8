// Mutants of a spec's behaviour: one small, kernel-bug-shaped change each, found on the TLA+ syntax tree (never by
// line number, so the generator follows the specs as they change).
//
//   drop-conjunct  a guard or check forgotten: one conjunct without primes becomes TRUE
//   skip-update    a step not done: `x' = e` becomes `x' = x`
//   int-literal    an off-by-one: an integer literal n becomes n + 1 or n - 1
//   comparison     a boundary off by one or inverted: < and <=, > and >=, = and #, \in and \notin swap
//   if-swap        the branches of an IF swap (its condition is negated)
//   flag-swap      the wrong flag or primitive: a string literal becomes another string of a set it is listed in
//   boolean-flip   TRUE and FALSE swap
//   set-op         an element added instead of removed, or the other way: \cup and \ swap
//
// Next's quantifier domains (which action runs with which arguments) are the environment, not kernel code, and
// are not mutated either.
// Only definitions the behaviour uses (reachable from the model's SPECIFICATION, or Init and Next) are mutated,
// never the invariants. Left alone as well: the design selection (expressions fixed by `Variant` alone, see
// variant-eval.ts), code only other variants run, and the `action` record every action writes for replay.

import { createHash } from 'node:crypto';
import { field, kids, parseTla, type Node } from './syntax.js';
import { armParts, junctionExpr, VariantEvaluator } from './variant-eval.js';

export const OPERATORS = [
  'drop-conjunct',
  'skip-update',
  'int-literal',
  'comparison',
  'if-swap',
  'flag-swap',
  'boolean-flip',
  'set-op',
] as const;
export type MutationOperator = (typeof OPERATORS)[number];

/** The auxiliary variable every action writes for replay (DESIGN.md "Action parameters"); not behaviour. */
export const AUX_VARIABLES: readonly string[] = ['action'];

export interface Mutant {
  /** Stable across edits elsewhere in the spec: the definition, the operator and a hash of the change. */
  readonly id: string;
  readonly spec: string;
  readonly operator: MutationOperator;
  /** The top-level definition (action or helper) the change sits in. */
  readonly definition: string;
  /** 1-based position of the change in the spec file. */
  readonly line: number;
  readonly col: number;
  /** The changed expression before and after, on one line each. */
  readonly before: string;
  readonly after: string;
  /** The whole mutated module. */
  readonly text: string;
}

export interface GenerateOptions {
  /** The spec's module name (the file is `<spec>.tla`). */
  readonly spec: string;
  readonly text: string;
  /** The variants of the models the mutants are checked on: code none of them runs is not mutated. */
  readonly finalVariants: readonly string[];
  /** Definitions the behaviour starts from: the models' SPECIFICATION (or INIT and NEXT) names. */
  readonly roots: readonly string[];
  /** The initial predicate's name (default Init): there `v = e` assigns v. */
  readonly init?: string;
  /** The next-state relation's name (default Next): its quantifier domains are the environment's choices. */
  readonly next?: string;
}

export type GenerateResult =
  | { readonly ok: true; readonly mutants: readonly Mutant[]; readonly definitions: readonly string[] }
  | { readonly ok: false; readonly message: string };

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

interface Site {
  readonly operator: MutationOperator;
  readonly definition: string;
  /** Where the change is reported. */
  readonly at: Node;
  /** The expression shown before/after (the edit applied inside it). */
  readonly context: Node;
  readonly edits: readonly Edit[];
}

const COMPARISON: Readonly<Record<string, string>> = {
  lt: '<=',
  leq: '<',
  gt: '>=',
  geq: '>',
  eq: '#',
  neq: '=',
  in: '\\notin',
  notin: '\\in',
};

const SET_OP: Readonly<Record<string, string>> = { cup: '\\', setminus: '\\cup' };

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

function descendants(n: Node, visit: (d: Node) => void): void {
  visit(n);
  for (const c of n.namedChildren) if (c !== null) descendants(c, visit);
}

/** Top-level definitions of the module (LOCAL ones included), by name. */
function topDefinitions(module: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const c of kids(module)) {
    const d = c.type === 'local_definition' ? kids(c)[0] : c;
    if (d === undefined || (d.type !== 'operator_definition' && d.type !== 'function_definition')) continue;
    const name = field(d, 'name')?.text;
    if (name !== undefined) out.set(name, d);
  }
  return out;
}

function bodyOf(def: Node): Node | undefined {
  return field(def, 'definition');
}

function referencedNames(n: Node): Set<string> {
  const out = new Set<string>();
  descendants(n, (d) => {
    if (d.type === 'identifier_ref') out.add(d.text);
  });
  return out;
}

/** Definitions reachable from the roots through references (over-approximate: shadowing is ignored). */
function reachable(defs: ReadonlyMap<string, Node>, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = roots.filter((r) => defs.has(r));
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const def = defs.get(name);
    if (def === undefined) continue;
    for (const r of referencedNames(def)) if (defs.has(r) && !seen.has(r)) stack.push(r);
  }
  return seen;
}

const isPrime = (d: Node): boolean => d.type === 'bound_postfix_op' && field(d, 'symbol')?.type === 'prime';
const isUnchanged = (d: Node): boolean => d.type === 'bound_prefix_op' && field(d, 'symbol')?.type === 'unchanged';

/** Definitions that are actions: they mention primed variables or UNCHANGED, directly or through another action. */
function actionDefinitions(defs: ReadonlyMap<string, Node>): Set<string> {
  const direct = new Set<string>();
  const refs = new Map<string, Set<string>>();
  for (const [name, def] of defs) {
    let primed = false;
    descendants(def, (d) => {
      if (isPrime(d) || isUnchanged(d)) primed = true;
    });
    if (primed) direct.add(name);
    refs.set(name, referencedNames(def));
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const [name, r] of refs) {
      if (!direct.has(name) && [...r].some((x) => direct.has(x))) {
        direct.add(name);
        grew = true;
      }
    }
  }
  return direct;
}

/** The variable a primed update `v' = e` / `v' \in S` assigns, if `n` is one. */
function primedTarget(n: Node): string | undefined {
  if (n.type !== 'bound_infix_op') return undefined;
  const lhs = field(n, 'lhs');
  if (lhs === undefined || !isPrime(lhs)) return undefined;
  const v = field(lhs, 'lhs');
  return v?.type === 'identifier_ref' ? v.text : undefined;
}

/**
 * Strings that stand in for one another: for each string, the other members of the smallest set literal of
 * strings it is listed in (e.g. {"PINNED", "REFFED"}, or UserTypes before Types). Sets holding a variant name
 * select designs rather than describe one and are left out.
 */
function stringFamilies(module: Node, variantNames: ReadonlySet<string>): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  descendants(module, (d) => {
    if (d.type !== 'finite_set_literal') return;
    const items = kids(d);
    if (items.length < 2 || !items.every((c) => c.type === 'string')) return;
    const names = [...new Set(items.map((c) => c.text.slice(1, -1)))];
    if (names.length < 2 || names.some((s) => variantNames.has(s))) return;
    for (const s of names) {
      const known = out.get(s);
      if (known === undefined || known.length > names.length - 1) out.set(s, names.filter((t) => t !== s));
    }
  });
  return out;
}

/** The strings a spec compares `Variant` with, and those in a set with them (e.g. `Variants == {…}`). */
function variantStrings(module: Node, known: readonly string[]): Set<string> {
  const out = new Set(known);
  descendants(module, (d) => {
    if (d.type !== 'bound_infix_op') return;
    const lhs = field(d, 'lhs');
    const rhs = field(d, 'rhs');
    if (lhs?.text !== 'Variant' || rhs === undefined) return;
    descendants(rhs, (s) => {
      if (s.type === 'string') out.add(s.text.slice(1, -1));
    });
  });
  return out;
}

/** The conjuncts of a chain `a /\ b /\ c` (tree-sitter nests it to the left). */
function landLeaves(n: Node): Node[] {
  if (n.type === 'bound_infix_op' && field(n, 'symbol')?.type === 'land') {
    const l = field(n, 'lhs');
    const r = field(n, 'rhs');
    return [...(l === undefined ? [] : landLeaves(l)), ...(r === undefined ? [] : landLeaves(r))];
  }
  return [n];
}

class SiteFinder {
  readonly sites: Site[] = [];
  private readonly families: Map<string, readonly string[]>;
  private readonly variantNames: Set<string>;

  constructor(
    module: Node,
    private readonly evaluator: VariantEvaluator,
    private readonly actions: ReadonlySet<string>,
    finalVariants: readonly string[],
    private readonly variables: ReadonlySet<string>,
    private readonly inits: ReadonlySet<string>,
    private readonly dispatchers: ReadonlySet<string>,
  ) {
    this.variantNames = variantStrings(module, finalVariants);
    this.families = stringFamilies(module, this.variantNames);
  }

  /** True when `n` contains a primed variable, UNCHANGED, a call of an action, or assigns a variable in Init. */
  private acts(n: Node, def: string): boolean {
    let found = false;
    descendants(n, (d) => {
      if (isPrime(d) || isUnchanged(d) || (d.type === 'identifier_ref' && this.actions.has(d.text))) found = true;
      else if (this.initTarget(d, def) !== undefined) found = true;
    });
    return found;
  }

  private add(operator: MutationOperator, def: string, at: Node, context: Node, edits: Edit[]): void {
    this.sites.push({ operator, definition: def, at, context, edits });
  }

  private replace(operator: MutationOperator, def: string, node: Node, text: string, context?: Node): void {
    this.add(operator, def, node, context ?? node, [{ start: node.startIndex, end: node.endIndex, text }]);
  }

  /** The variants under which `n` is a constant FALSE (or TRUE), among `live`. */
  private fixed(n: Node, live: readonly string[], value: boolean): Set<string> {
    return new Set(live.filter((v) => this.evaluator.value(n, v) === value));
  }

  /** In the initial predicate, `v = e` and `v \in S` for a variable v assign it rather than compare. */
  private initTarget(n: Node, def: string): string | undefined {
    if (!this.inits.has(def) || n.type !== 'bound_infix_op') return undefined;
    const sym = field(n, 'symbol')?.type;
    const lhs = field(n, 'lhs');
    if ((sym !== 'eq' && sym !== 'in') || lhs?.type !== 'identifier_ref' || !this.variables.has(lhs.text)) return undefined;
    return lhs.text;
  }

  walk(n: Node, live: readonly string[], def: string): void {
    if (live.length === 0) return;
    if (this.evaluator.isDesignTest(n, live)) return;
    const assigned = this.initTarget(n, def);
    if (assigned !== undefined) {
      if (!AUX_VARIABLES.includes(assigned)) this.descend(n, live, def);
      return;
    }
    const target = primedTarget(n);
    if (target !== undefined && AUX_VARIABLES.includes(target)) return;
    this.emit(n, def, target, live);
    this.descend(n, live, def);
  }

  private emit(n: Node, def: string, target: string | undefined, live: readonly string[]): void {
    const parentText = n.parent?.text ?? '';
    const ctx = n.parent !== null && !parentText.includes('\n') && parentText.length <= 120 ? n.parent : n;
    switch (n.type) {
      case 'conj_list': {
        const items = kids(n).filter((c) => c.type === 'conj_item');
        if (items.length < 2) break;
        for (const item of items) {
          const e = junctionExpr(item);
          if (e !== undefined && e.text !== 'TRUE' && !this.acts(e, def) && !this.evaluator.isDesignTest(e, live)) {
            this.replace('drop-conjunct', def, e, 'TRUE', e);
          }
        }
        break;
      }
      case 'bound_infix_op': {
        const sym = field(n, 'symbol');
        if (sym === undefined) break;
        if (sym.type === 'land' && n.parent !== null && !(n.parent.type === 'bound_infix_op' && field(n.parent, 'symbol')?.type === 'land')) {
          for (const leaf of landLeaves(n)) {
            if (leaf.text !== 'TRUE' && !this.acts(leaf, def) && !this.evaluator.isDesignTest(leaf, live)) this.replace('drop-conjunct', def, leaf, 'TRUE', n.text.includes('\n') ? leaf : n);
          }
        }
        if (target !== undefined) {
          const rhs = field(n, 'rhs');
          if (sym.type === 'eq' && rhs !== undefined && oneLine(rhs.text) !== target) this.replace('skip-update', def, rhs, target, n.text.includes('\n') ? rhs : n);
          break; // an assignment, not a comparison
        }
        const flipped = COMPARISON[sym.type];
        if (flipped !== undefined) this.replace('comparison', def, sym, flipped, n.text.includes('\n') ? sym : n);
        const setOp = SET_OP[sym.type];
        if (setOp !== undefined) this.replace('set-op', def, sym, setOp, n.text.includes('\n') ? sym : n);
        break;
      }
      case 'nat_number': {
        const v = BigInt(n.text);
        this.replace('int-literal', def, n, String(v + 1n), ctx);
        if (v > 0n) this.replace('int-literal', def, n, String(v - 1n), ctx);
        break;
      }
      case 'if_then_else': {
        const c = field(n, 'if');
        if (c === undefined || this.evaluator.isDesignTest(c, live)) break;
        const shown = c.text.includes('\n') ? c : n.text.includes('\n') ? c : n;
        this.add('if-swap', def, c, shown, [
          { start: c.startIndex, end: c.startIndex, text: '~(' },
          { start: c.endIndex, end: c.endIndex, text: ')' },
        ]);
        break;
      }
      case 'string': {
        const s = n.text.slice(1, -1);
        if (this.variantNames.has(s)) break;
        // In a set literal, a member that is already there would only shrink the set.
        const siblings = n.parent?.type === 'finite_set_literal' ? new Set(kids(n.parent).map((c) => c.text.slice(1, -1))) : new Set<string>();
        for (const t of this.families.get(s) ?? []) if (!siblings.has(t)) this.replace('flag-swap', def, n, JSON.stringify(t), ctx);
        break;
      }
      case 'boolean':
        this.replace('boolean-flip', def, n, n.text === 'TRUE' ? 'FALSE' : 'TRUE', ctx);
        break;
      default:
        break;
    }
  }

  /** Walks the children, narrowing the live variants where a branch or conjunct is fixed by Variant. */
  private descend(n: Node, live: readonly string[], def: string): void {
    const sym = n.type === 'bound_infix_op' ? field(n, 'symbol')?.type : undefined;
    if (n.type === 'if_then_else') {
      const c = field(n, 'if');
      const t = field(n, 'then');
      const e = field(n, 'else');
      if (c !== undefined) {
        const isFalse = this.fixed(c, live, false);
        const isTrue = this.fixed(c, live, true);
        this.walk(c, live, def);
        if (t !== undefined) this.walk(t, live.filter((v) => !isFalse.has(v)), def);
        if (e !== undefined) this.walk(e, live.filter((v) => !isTrue.has(v)), def);
        return;
      }
    }
    if (n.type === 'case') {
      let reached = [...live];
      for (const arm of kids(n)) {
        if (arm.type === 'other_arm') {
          const body = kids(arm).at(-1);
          if (body !== undefined) this.walk(body, reached, def);
          continue;
        }
        if (arm.type !== 'case_arm') continue;
        const [guard, , body] = armParts(arm);
        if (guard === undefined) continue;
        const isFalse = this.fixed(guard, reached, false);
        const isTrue = this.fixed(guard, reached, true);
        this.walk(guard, reached, def);
        if (body !== undefined) this.walk(body, reached.filter((v) => !isFalse.has(v)), def);
        reached = reached.filter((v) => !isTrue.has(v));
      }
      return;
    }
    if (n.type === 'conj_list' || n.type === 'disj_list' || sym === 'land' || sym === 'lor') {
      // A conjunct fixed FALSE under a variant makes the rest dead there; likewise a disjunct fixed TRUE.
      const conj = n.type === 'conj_list' || sym === 'land';
      const parts = n.type === 'conj_list' || n.type === 'disj_list' ? kids(n).map(junctionExpr) : [field(n, 'lhs'), field(n, 'rhs')];
      const dead = new Set<string>();
      for (const p of parts) if (p !== undefined) for (const v of this.fixed(p, live, !conj)) dead.add(v);
      const rest = live.filter((v) => !dead.has(v));
      for (const p of parts) if (p !== undefined) this.walk(p, rest, def);
      return;
    }
    if (sym === 'implies') {
      const l = field(n, 'lhs');
      const r = field(n, 'rhs');
      if (l !== undefined) this.walk(l, live, def);
      if (l !== undefined && r !== undefined) {
        const isFalse = this.fixed(l, live, false);
        this.walk(r, live.filter((v) => !isFalse.has(v)), def);
      }
      return;
    }
    // Next's quantifier domains say which action runs with which arguments: the environment's choice, not
    // kernel code. Narrowing one can only remove behaviours, which no safety invariant can notice.
    const domain = n.type === 'quantifier_bound' && this.dispatchers.has(def) ? field(n, 'set') : undefined;
    for (const c of kids(n)) if (domain === undefined || c.id !== domain.id) this.walk(c, live, def);
  }
}

const junctionCache = new WeakMap<Node, Node[]>();

/** Junction lists (bulleted /\ or \/ lists) whose first bullet sits on `row` at or after `index`. */
function listsStartingAfter(root: Node, row: number, index: number): Node[] {
  let all = junctionCache.get(root);
  if (all === undefined) {
    const found: Node[] = [];
    descendants(root, (d) => {
      if (d.type === 'conj_list' || d.type === 'disj_list') found.push(d);
    });
    all = found;
    junctionCache.set(root, all);
  }
  return all.filter((d) => d.startPosition.row === row && d.startIndex >= index);
}

/**
 * Applies edits (last first) to the text. A junction list is aligned by column, so when an edit moves the rest
 * of its line, every later line of a list that starts on that line after the edit moves by the same amount.
 */
export function applyEdits(text: string, root: Node, edits: readonly Edit[]): string {
  let out = text;
  const ordered = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  const lineStart = (s: string, index: number): number => s.lastIndexOf('\n', index - 1) + 1;
  for (const e of ordered) {
    const oldCol = e.end - lineStart(text, e.end);
    const startCol = e.start - lineStart(text, e.start);
    const lastLine = e.text.includes('\n') ? e.text.slice(e.text.lastIndexOf('\n') + 1).length : startCol + e.text.length;
    const shift = lastLine - oldCol;
    const endRow = text.slice(0, e.end).split('\n').length - 1;
    const rows = new Set<number>();
    if (shift !== 0) {
      for (const l of listsStartingAfter(root, endRow, e.end)) {
        for (let r = endRow + 1; r <= l.endPosition.row; r++) rows.add(r);
      }
    }
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
    if (rows.size > 0) {
      // Rows are counted in the original text; edits before this one (later in the text) kept the row count
      // of the lines before them, and these rows come after this edit, so the count is adjusted by its newlines.
      const delta = (e.text.match(/\n/g)?.length ?? 0) - (text.slice(e.start, e.end).match(/\n/g)?.length ?? 0);
      const lines = out.split('\n');
      for (const r of rows) {
        const k = r + delta;
        const line = lines[k];
        if (line === undefined) continue;
        lines[k] = shift > 0 ? ' '.repeat(shift) + line : line.replace(new RegExp(`^ {0,${-shift}}`), '');
      }
      out = lines.join('\n');
    }
  }
  return out;
}

const shortHash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 8);

/** Renames the module in its header, so a mutant can sit beside the original (for a batch SANY check). */
export function renameModule(text: string, from: string, to: string): string {
  return text.replace(new RegExp(`(-{4,}\\s*MODULE\\s+)${from}(?![A-Za-z0-9_])`), `$1${to}`);
}

/** Every mutant of the spec, in source order. */
export async function generateMutants(o: GenerateOptions): Promise<GenerateResult> {
  const syntax = await parseTla(o.text);
  if (syntax.error !== undefined) {
    return { ok: false, message: `${o.spec}.tla: syntax error at line ${syntax.error.line}, column ${syntax.error.col} (tree-sitter)` };
  }
  const module = kids(syntax.root).find((c) => c.type === 'module');
  if (module === undefined) return { ok: false, message: `${o.spec}.tla: no MODULE found` };
  const defs = topDefinitions(module);
  const missing = o.roots.filter((r) => !defs.has(r));
  const roots = missing.length === o.roots.length ? ['Init', 'Next'].filter((r) => defs.has(r)) : o.roots.filter((r) => defs.has(r));
  if (roots.length === 0) return { ok: false, message: `${o.spec}.tla: defines none of ${[...o.roots, 'Init', 'Next'].join(', ')}` };
  const used = reachable(defs, roots);
  // The temporal formula itself (Init /\ [][Next]_vars /\ fairness) is the frame, not behaviour.
  const specFormulas = new Set(o.roots.filter((r) => r !== (o.init ?? 'Init') && r !== (o.next ?? 'Next')));
  // So is every other temporal formula the behaviour uses (a Spec that a LiveSpec adds fairness to).
  for (const name of used) {
    const def = defs.get(name);
    let temporal = false;
    if (def !== undefined) {
      descendants(def, (d) => {
        if (d.type === 'step_expr_or_stutter' || d.type === 'fairness' || (d.type === 'bound_prefix_op' && field(d, 'symbol')?.type === 'always')) temporal = true;
      });
    }
    if (temporal) specFormulas.add(name);
  }
  const zeroArity = new Map([...defs].filter(([, d]) => d.type === 'operator_definition' && field(d, 'parameter') === undefined));
  const evaluator = new VariantEvaluator(zeroArity);
  const variables = new Set(
    kids(module)
      .filter((c) => c.type === 'variable_declaration')
      .flatMap((c) => kids(c).filter((v) => v.type === 'identifier').map((v) => v.text)),
  );
  const inits = new Set([o.init ?? 'Init']);
  const finder = new SiteFinder(module, evaluator, actionDefinitions(defs), o.finalVariants, variables, inits, new Set([o.next ?? 'Next']));
  const mutated: string[] = [];
  for (const [name, def] of defs) {
    if (!used.has(name) || specFormulas.has(name)) continue;
    const body = bodyOf(def);
    if (body === undefined) continue;
    mutated.push(name);
    finder.walk(body, o.finalVariants, name);
  }
  const seen = new Map<string, number>();
  const mutants: Mutant[] = [];
  const sites = [...finder.sites].sort((a, b) => a.at.startIndex - b.at.startIndex || a.edits[0]!.start - b.edits[0]!.start);
  for (const s of sites) {
    const text = applyEdits(o.text, syntax.root, s.edits);
    const ctxStart = s.context.startIndex;
    const ctxEnd = s.context.endIndex;
    const inside = s.edits.every((e) => e.start >= ctxStart && e.end <= ctxEnd);
    const before = oneLine(s.context.text);
    const after = inside
      ? oneLine([...s.edits].sort((a, b) => b.start - a.start).reduce((t, e) => t.slice(0, e.start - ctxStart) + e.text + t.slice(e.end - ctxStart), s.context.text))
      : oneLine(s.edits.map((e) => e.text).join(' … '));
    const key = `${s.definition}\u0000${s.operator}\u0000${before}\u0000${after}`;
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    mutants.push({
      id: `${s.definition}:${s.operator}:${shortHash(`${key}\u0000${occurrence}`)}`,
      spec: o.spec,
      operator: s.operator,
      definition: s.definition,
      line: s.at.startPosition.row + 1,
      col: s.at.startPosition.column + 1,
      before,
      after,
      text,
    });
  }
  return { ok: true, mutants, definitions: mutated };
}
