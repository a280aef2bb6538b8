// Small readers of TLA+ values for the reviewer views of the bindings (timelines, path descriptions): lenient,
// because a view never decides a verdict — a value of an unexpected shape just shows less.

import type { StepAction } from '../binding.js';
import type { TlaValue } from '../../tla/value.js';

export function num(v: TlaValue | undefined): number | undefined {
  return v?.kind === 'int' ? Number(v.value) : undefined;
}

export function str(v: TlaValue | undefined): string | undefined {
  return v?.kind === 'str' ? v.value : v?.kind === 'modelValue' ? v.name : undefined;
}

export function get(v: TlaValue | undefined, name: string): TlaValue | undefined {
  return v?.kind === 'record' ? v.fields.find(([f]) => f === name)?.[1] : undefined;
}

/** A function's or sequence's (key, value) pairs; a sequence is keyed 1..n. */
export function entries(v: TlaValue | undefined): (readonly [number | string, TlaValue])[] {
  if (v?.kind === 'seq') return v.elems.map((e, i) => [i + 1, e] as const);
  if (v?.kind === 'fn') return v.entries.map(([k, x]) => [num(k) ?? str(k) ?? '?', x] as const);
  return [];
}

/** The elements of a set or sequence. */
export function elems(v: TlaValue | undefined): readonly TlaValue[] {
  return v?.kind === 'set' || v?.kind === 'seq' ? v.elems : [];
}

export function ints(v: TlaValue | undefined): number[] {
  return elems(v).flatMap((e) => (e.kind === 'int' ? [Number(e.value)] : []));
}

/** `ref[3]` → ['ref', 3]; `bios[1][2].flags` → ['bios', 1, 2, 'flags']. */
export function pathParts(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([A-Za-z_][A-Za-z0-9_]*)|\[(-?\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\(([^)]*)\)/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[3] ?? m[4] ?? '');
  }
  return out;
}

/** An action's argument as text (`?` when absent or not a number or string), for diagram labels. */
export function actionArg(a: StepAction, name: string): string {
  const v = a.args.get(name);
  return v === undefined ? '?' : String(num(v) ?? str(v) ?? '?');
}
