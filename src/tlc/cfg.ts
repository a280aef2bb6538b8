// Reading and rewriting TLC model configuration (.cfg) files: check reads which invariants a model checks;
// review derives one cfg per variant and invariant set from a spec's final-design model.

const KEYWORDS = [
  'CONSTANTS', 'CONSTANT', 'INIT', 'NEXT', 'SPECIFICATION', 'INVARIANTS', 'INVARIANT', 'PROPERTIES', 'PROPERTY',
  'VIEW', 'CONSTRAINTS', 'CONSTRAINT', 'ACTION_CONSTRAINTS', 'ACTION_CONSTRAINT', 'SYMMETRY', 'CHECK_DEADLOCK',
  'ALIAS', 'POSTCONDITION',
] as const;

export interface CfgSection {
  readonly keyword: string;
  /** Everything between the keyword and the next one, comments removed. */
  readonly body: string;
}

/** Removes `\* …` line comments and `(* … *)` block comments, leaving strings alone. */
export function stripCfgComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      const stop = end === -1 ? text.length : end + 1;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === '\\' && text[i + 1] === '*') {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl;
    } else if (c === '(' && text[i + 1] === '*') {
      const end = text.indexOf('*)', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export function parseCfg(text: string): CfgSection[] {
  const clean = stripCfgComments(text);
  const re = new RegExp(`(?<![A-Za-z0-9_])(${KEYWORDS.join('|')})(?![A-Za-z0-9_])`, 'g');
  const marks = [...clean.matchAll(re)];
  return marks.map((m, k) => {
    const start = (m.index ?? 0) + m[0].length;
    const end = marks[k + 1]?.index ?? clean.length;
    return { keyword: m[0], body: clean.slice(start, end).trim() };
  });
}

/** The invariant names the cfg checks, in order. */
export function cfgInvariants(sections: readonly CfgSection[]): string[] {
  return sections
    .filter((s) => s.keyword === 'INVARIANT' || s.keyword === 'INVARIANTS')
    .flatMap((s) => s.body.split(/\s+/).filter((t) => t !== ''));
}

/** The temporal property names the cfg checks (PROPERTY/PROPERTIES), in order. */
export function cfgProperties(sections: readonly CfgSection[]): string[] {
  return sections
    .filter((s) => s.keyword === 'PROPERTY' || s.keyword === 'PROPERTIES')
    .flatMap((s) => s.body.split(/\s+/).filter((t) => t !== ''));
}

/** One section written back as cfg text: the keyword, and its body indented on the lines below. */
export function cfgSectionText(s: CfgSection): string {
  return s.body === '' ? s.keyword : `${s.keyword}\n    ${s.body.split(/\n\s*/).join('\n    ')}`;
}

/** A copy of the cfg that checks only the temporal property `property` (every other section kept as it was). */
export function cfgWithOnlyProperty(sections: readonly CfgSection[], property: string): string {
  const lines: string[] = [`\\* Derived by iterpin check: only ${property} of the model's PROPERTIES.`];
  for (const s of sections) {
    if (s.keyword === 'PROPERTY' || s.keyword === 'PROPERTIES') continue;
    lines.push(cfgSectionText(s));
  }
  lines.push(`PROPERTIES\n    ${property}`);
  return `${lines.join('\n')}\n`;
}

/** The value the cfg gives `Variant`: a string literal, or the name of an operator (e.g. VariantV66). */
export function cfgVariantBinding(sections: readonly CfgSection[]): string | undefined {
  for (const s of sections) {
    if (s.keyword !== 'CONSTANT' && s.keyword !== 'CONSTANTS') continue;
    const m = /(?<![A-Za-z0-9_])Variant\s*(?:<-|=)\s*("[^"]*"|[A-Za-z0-9_]+)/.exec(s.body);
    if (m?.[1] !== undefined) return m[1];
  }
  return undefined;
}

/**
 * A copy of the cfg with `Variant` set to the given string and exactly the given invariants checked.
 * Every other section is kept as it was.
 */
export function rewriteCfg(sections: readonly CfgSection[], variant: string, invariants: readonly string[]): string {
  const lines: string[] = ['\\* Derived by iterpin review.'];
  for (const s of sections) {
    if (s.keyword === 'INVARIANT' || s.keyword === 'INVARIANTS') continue;
    let body = s.body;
    if (s.keyword === 'CONSTANT' || s.keyword === 'CONSTANTS') {
      body = body.replace(/(?<![A-Za-z0-9_])Variant\s*(?:<-|=)\s*("[^"]*"|[A-Za-z0-9_]+)/, `Variant = ${JSON.stringify(variant)}`);
    }
    lines.push(body === '' ? s.keyword : `${s.keyword}\n    ${body.split(/\n\s*/).join('\n    ')}`);
  }
  if (invariants.length > 0) lines.push(`INVARIANTS\n    ${invariants.join('\n    ')}`);
  return `${lines.join('\n')}\n`;
}

/** The cfg without its Variant binding and invariants: two models with the same shape differ only in those. */
export function cfgShape(sections: readonly CfgSection[]): string {
  return sections
    .filter((s) => s.keyword !== 'INVARIANT' && s.keyword !== 'INVARIANTS')
    .map((s) => {
      const body =
        s.keyword === 'CONSTANT' || s.keyword === 'CONSTANTS'
          ? s.body.replace(/(?<![A-Za-z0-9_])Variant\s*(?:<-|=)\s*("[^"]*"|[A-Za-z0-9_]+)/, '')
          : s.body;
      return `${s.keyword} ${body.split(/\s+/).filter((t) => t !== '').join(' ')}`;
    })
    .join('\n');
}
