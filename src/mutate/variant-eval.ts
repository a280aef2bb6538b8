// Which parts of a spec the final design runs. A spec selects its designs with `CONSTANT Variant`: flags such as
// `SkipEmpty == Variant # "bug-no-skip-empty"`, `IF Variant = "legacy" THEN … ELSE …`, a guard
// `/\ Variant = "bug-…"`. An expression built only from Variant, string literals, sets of them, the boolean
// connectives and such flags has one value per variant; this module computes it, so the mutator can leave alone
// both the design selection itself and the code only the other variants run.

import { field, kids, type Node } from './syntax.js';

export type VariantValue = string | boolean | ReadonlySet<string>;

/** The zero-argument definitions of the module, by name (the flags are among them). */
export type Definitions = ReadonlyMap<string, Node>;

const BOOLEAN_OPS = new Set(['eq', 'neq', 'in', 'notin', 'land', 'lor', 'implies', 'iff']);

function sameValue(a: VariantValue, b: VariantValue): boolean {
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** Evaluates variant-only expressions. One instance per module; results are memoised per node and variant. */
export class VariantEvaluator {
  private readonly memo = new Map<string, VariantValue | undefined>();
  private readonly busy = new Set<string>();

  constructor(private readonly defs: Definitions) {}

  /** The value of `n` when Variant is `variant`, or undefined when `n` depends on anything else. */
  value(n: Node, variant: string): VariantValue | undefined {
    const key = `${n.id}\u0000${variant}`;
    if (this.memo.has(key)) return this.memo.get(key);
    if (this.busy.has(key)) return undefined;
    this.busy.add(key);
    const v = this.compute(n, variant);
    this.busy.delete(key);
    this.memo.set(key, v);
    return v;
  }

  /**
   * True when `n` is a design test: a condition on `Variant` (directly or through a flag such as SkipEmpty)
   * whose truth the variant alone fixes, for every variant asked about.
   */
  isDesignTest(n: Node, variants: readonly string[]): boolean {
    return variants.length > 0 && variants.every((v) => typeof this.value(n, v) === 'boolean') && this.mentionsVariant(n);
  }

  private readonly mentions = new Map<number, boolean>();

  private mentionsVariant(n: Node): boolean {
    const known = this.mentions.get(n.id);
    if (known !== undefined) return known;
    this.mentions.set(n.id, false); // a recursive definition does not mention Variant through itself
    let found = false;
    if (n.type === 'identifier_ref') {
      const body = this.defs.get(n.text);
      found = n.text === 'Variant' || (body !== undefined && this.mentionsVariant(body));
    } else {
      for (const c of n.namedChildren) if (c !== null && this.mentionsVariant(c)) found = true;
    }
    this.mentions.set(n.id, found);
    return found;
  }

  private compute(n: Node, variant: string): VariantValue | undefined {
    switch (n.type) {
      case 'parentheses': {
        const inner = kids(n)[0];
        return inner === undefined ? undefined : this.value(inner, variant);
      }
      case 'identifier_ref': {
        if (n.text === 'Variant') return variant;
        const def = this.defs.get(n.text);
        const body = def === undefined ? undefined : field(def, 'definition');
        return body === undefined ? undefined : this.value(body, variant);
      }
      case 'string':
        return n.text.slice(1, -1);
      case 'boolean':
        return n.text === 'TRUE';
      case 'finite_set_literal': {
        const items = kids(n).map((c) => this.value(c, variant));
        return items.every((x): x is string => typeof x === 'string') ? new Set(items) : undefined;
      }
      case 'bound_prefix_op': {
        const sym = field(n, 'symbol');
        const rhs = field(n, 'rhs');
        if (sym?.type !== 'lnot' || rhs === undefined) return undefined;
        const r = this.value(rhs, variant);
        return typeof r === 'boolean' ? !r : undefined;
      }
      case 'bound_infix_op':
        return this.infix(n, variant);
      case 'conj_list':
      case 'disj_list': {
        const items = kids(n).map((item) => {
          const e = junctionExpr(item);
          return e === undefined ? undefined : this.value(e, variant);
        });
        // One conjunct fixed FALSE (one disjunct fixed TRUE) decides the list, whatever the others are.
        const decisive = n.type !== 'conj_list';
        if (items.includes(decisive)) return decisive;
        return items.every((x) => typeof x === 'boolean') ? !decisive : undefined;
      }
      case 'if_then_else': {
        const c = field(n, 'if');
        const cv = c === undefined ? undefined : this.value(c, variant);
        if (typeof cv !== 'boolean') return undefined;
        const branch = field(n, cv ? 'then' : 'else');
        return branch === undefined ? undefined : this.value(branch, variant);
      }
      case 'case': {
        for (const arm of kids(n)) {
          if (arm.type === 'other_arm') {
            const body = kids(arm).at(-1);
            return body === undefined ? undefined : this.value(body, variant);
          }
          if (arm.type !== 'case_arm') continue;
          const [guard, , body] = armParts(arm);
          const g = guard === undefined ? undefined : this.value(guard, variant);
          if (typeof g !== 'boolean') return undefined;
          if (g) return body === undefined ? undefined : this.value(body, variant);
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private infix(n: Node, variant: string): VariantValue | undefined {
    const sym = field(n, 'symbol')?.type;
    const lhs = field(n, 'lhs');
    const rhs = field(n, 'rhs');
    if (sym === undefined || !BOOLEAN_OPS.has(sym) || lhs === undefined || rhs === undefined) return undefined;
    const a = this.value(lhs, variant);
    const b = this.value(rhs, variant);
    if (sym === 'land' && (a === false || b === false)) return false;
    if (sym === 'lor' && (a === true || b === true)) return true;
    if (sym === 'implies' && (a === false || b === true)) return true;
    if (a === undefined || b === undefined) return undefined;
    switch (sym) {
      case 'eq':
        return sameValue(a, b);
      case 'neq':
        return !sameValue(a, b);
      case 'in':
      case 'notin':
        if (typeof a !== 'string' || typeof b !== 'object') return undefined;
        return b.has(a) === (sym === 'in');
      default:
        if (typeof a !== 'boolean' || typeof b !== 'boolean') return undefined;
        return sym === 'land' ? a && b : sym === 'lor' ? a || b : sym === 'implies' ? !a || b : a === b;
    }
  }
}

/** The expression of a conj_item/disj_item (after its bullet). */
export function junctionExpr(item: Node): Node | undefined {
  return kids(item).filter((c) => c.type !== 'bullet_conj' && c.type !== 'bullet_disj').at(-1);
}

/** A case_arm's guard, arrow and result. */
export function armParts(arm: Node): [Node | undefined, Node | undefined, Node | undefined] {
  const parts = kids(arm);
  const arrow = parts.findIndex((c) => c.type === 'case_arrow');
  return [parts[arrow - 1], parts[arrow], parts[arrow + 1]];
}
