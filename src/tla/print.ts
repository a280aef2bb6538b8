// Prints TLA+ values in TLC's own output syntax, normalised the way TLC normalises them: a function on 1..n
// prints as a sequence, a function on identifier strings as a record, an empty function as <<>>.
// `printTla` gives one line; `printTlaPretty` breaks long values over lines in the shape TLC uses in traces.

import type { TlaValue } from './value.js';

/** The escapes TLC writes inside string literals (confirmed with TLC 2.18: \" \\ \n \t \r \f). */
export function quoteTlaString(s: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c === 34) esc = '\\"';
    else if (c === 92) esc = '\\\\';
    else if (c === 10) esc = '\\n';
    else if (c === 9) esc = '\\t';
    else if (c === 13) esc = '\\r';
    else if (c === 12) esc = '\\f';
    if (esc !== undefined) {
      out += s.slice(from, i) + esc;
      from = i + 1;
    }
  }
  return out + s.slice(from) + '"';
}

/** A TLA+ identifier: letters, digits and `_`, with at least one letter. */
export function isTlaIdentifier(s: string): boolean {
  if (s.length === 0) return false;
  let letter = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const isLetter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (isLetter) letter = true;
    else if (!(c === 95 || (c >= 48 && c <= 57))) return false;
  }
  return letter;
}

type Entries = readonly (readonly [TlaValue, TlaValue])[];

/** The form TLC chooses for a function-like value (seq, record, fn). */
type FnShape =
  | { readonly form: 'seq'; readonly elems: readonly TlaValue[] }
  | { readonly form: 'record'; readonly fields: readonly (readonly [string, TlaValue])[] }
  | { readonly form: 'fn'; readonly entries: Entries };

/** Domain exactly 1..n (distinct keys): the elements in key order; else undefined. */
function asSequence(entries: Entries): TlaValue[] | undefined {
  const n = entries.length;
  const elems: (TlaValue | undefined)[] = new Array<TlaValue | undefined>(n).fill(undefined);
  for (const [k, v] of entries) {
    if (k.kind !== 'int' || k.value < 1n || k.value > BigInt(n)) return undefined;
    const i = Number(k.value) - 1;
    if (elems[i] !== undefined) return undefined;
    elems[i] = v;
  }
  return elems as TlaValue[];
}

function asRecord(entries: Entries): (readonly [string, TlaValue])[] | undefined {
  const seen = new Set<string>();
  const fields: (readonly [string, TlaValue])[] = [];
  for (const [k, v] of entries) {
    if (k.kind !== 'str' || !isTlaIdentifier(k.value) || seen.has(k.value)) return undefined;
    seen.add(k.value);
    fields.push([k.value, v]);
  }
  return fields;
}

function fnShape(v: TlaValue & { kind: 'seq' | 'record' | 'fn' }): FnShape {
  switch (v.kind) {
    case 'seq':
      return { form: 'seq', elems: v.elems };
    case 'record': {
      if (v.fields.length === 0) return { form: 'seq', elems: [] };
      const seen = new Set<string>();
      const plain = v.fields.every(([name]) => {
        const fresh = isTlaIdentifier(name) && !seen.has(name);
        seen.add(name);
        return fresh;
      });
      if (plain) return { form: 'record', fields: v.fields };
      return { form: 'fn', entries: v.fields.map(([name, val]) => [{ kind: 'str', value: name }, val] as const) };
    }
    case 'fn': {
      const seq = asSequence(v.entries);
      if (seq !== undefined) return { form: 'seq', elems: seq };
      const rec = asRecord(v.entries);
      if (rec !== undefined) return { form: 'record', fields: rec };
      return { form: 'fn', entries: v.entries };
    }
  }
}

function printInto(v: TlaValue, out: string[]): void {
  switch (v.kind) {
    case 'bool':
      out.push(v.value ? 'TRUE' : 'FALSE');
      return;
    case 'int':
      out.push(v.value.toString());
      return;
    case 'str':
      out.push(quoteTlaString(v.value));
      return;
    case 'modelValue':
      out.push(v.name);
      return;
    case 'set':
      out.push('{');
      v.elems.forEach((e, i) => {
        if (i > 0) out.push(', ');
        printInto(e, out);
      });
      out.push('}');
      return;
    case 'seq':
    case 'record':
    case 'fn': {
      const shape = fnShape(v);
      switch (shape.form) {
        case 'seq':
          out.push('<<');
          shape.elems.forEach((e, i) => {
            if (i > 0) out.push(', ');
            printInto(e, out);
          });
          out.push('>>');
          return;
        case 'record':
          out.push('[');
          shape.fields.forEach(([name, e], i) => {
            out.push(i > 0 ? ', ' : '', name, ' |-> ');
            printInto(e, out);
          });
          out.push(']');
          return;
        case 'fn':
          out.push('(');
          shape.entries.forEach(([k, e], i) => {
            if (i > 0) out.push(' @@ ');
            printInto(k, out);
            out.push(' :> ');
            printInto(e, out);
          });
          out.push(')');
          return;
      }
    }
    default: {
      const unhandled: never = v;
      return unhandled;
    }
  }
}

/** One-line TLC syntax, e.g. `[a |-> 1, b |-> {"x"}]`. */
export function printTla(v: TlaValue): string {
  const out: string[] = [];
  printInto(v, out);
  return out.join('');
}

/**
 * Multi-line TLC syntax for long values, in the shape TLC's -tool traces use: a value that does not fit in
 * `width` columns opens with `<< `, `{ `, `[ ` or `( `, puts one element per line aligned under the first, and
 * closes with ` >>`, ` }`, ` ]`, ` )`; a record field or `:>` entry whose value does not fit goes on the next
 * line, four columns further in. It reproduces TLC 2.18's layout byte for byte on every multi-line value in
 * test/fixtures/tlc; TLC's exact rules are not documented, so other values may break differently.
 */
export function printTlaPretty(v: TlaValue, width = 80): string {
  const flat = new Map<TlaValue, string>();
  const flatOf = (x: TlaValue): string => {
    let s = flat.get(x);
    if (s === undefined) {
      s = printTla(x);
      flat.set(x, s);
    }
    return s;
  };
  const pad = (n: number): string => ' '.repeat(n);

  // Renders x starting at column `col`; `tail` is the width of text that must follow on the last line.
  const render = (x: TlaValue, col: number, tail: number): string => {
    const f = flatOf(x);
    if (col + f.length + tail <= width || x.kind === 'bool' || x.kind === 'int' || x.kind === 'str' || x.kind === 'modelValue') {
      return f;
    }
    const list = (open: string, close: string, items: readonly TlaValue[]): string => {
      if (items.length === 0) return f;
      const inner = col + open.length;
      const parts = items.map((e, i) => render(e, inner, i === items.length - 1 ? close.length + tail : 1));
      return open + parts.join(',\n' + pad(inner)) + close;
    };
    if (x.kind === 'set') return list('{ ', ' }', x.elems);
    const shape = fnShape(x);
    switch (shape.form) {
      case 'seq':
        return list('<< ', ' >>', shape.elems);
      case 'record': {
        const inner = col + 2;
        const parts = shape.fields.map(([name, e], i) => {
          const after = i === shape.fields.length - 1 ? 2 + tail : 1;
          const head = name + ' |-> ';
          const sameLine = render(e, inner + head.length, after);
          if (!sameLine.includes('\n') || inner + head.length + flatOf(e).length + after <= width) return head + sameLine;
          return name + ' |->\n' + pad(inner + 4) + render(e, inner + 4, after);
        });
        return '[ ' + parts.join(',\n' + pad(inner)) + ' ]';
      }
      case 'fn': {
        const inner = col + 2;
        const parts = shape.entries.map(([k, e], i) => {
          const after = i === shape.entries.length - 1 ? 2 + tail : 3;
          const key = render(k, inner, 4);
          const keyEnd = key.includes('\n') ? key.length - key.lastIndexOf('\n') - 1 : inner + key.length;
          const sameLine = render(e, keyEnd + 4, after);
          if (!sameLine.includes('\n')) return key + ' :> ' + sameLine;
          return key + ' :>\n' + pad(inner + 4) + render(e, inner + 4, after);
        });
        return '( ' + parts.join(' @@\n' + pad(inner)) + ' )';
      }
    }
  };
  return render(v, 0, 0);
}
