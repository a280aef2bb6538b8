// The one-way layering of src/: which room may import which, and the import graph the rule is checked on.
// A file may import from its own room and from rooms on a lower floor, never from a room on its own floor or
// above; and no set of files may import one another in a circle.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Floors, lowest first. Rooms on one floor are independent of each other. */
export const FLOORS: readonly (readonly string[])[] = [
  ['shared'],
  ['tla', 'kernel', 'manifest'],
  ['tlc', 'trace'],
  ['review', 'mutate', 'conform'],
  ['cli'],
];

export interface Edge {
  readonly from: string;
  readonly to: string;
}

export function roomOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? parts[1]! : '(top)';
}

export function floorOf(room: string): number {
  return FLOORS.findIndex((f) => f.includes(room));
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every relative import between .ts files under `srcDir`, as repository-relative paths (`src/...`). */
export function importGraph(rootDir: string, srcDir = 'src'): Edge[] {
  const edges: Edge[] = [];
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) => {
      const p = join(d, f);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
    });
  for (const abs of walk(join(rootDir, srcDir))) {
    const text = readFileSync(abs, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (spec === undefined || !spec.startsWith('.')) continue;
      const target = resolve(dirname(abs), spec).replace(/\.js$/, '.ts');
      edges.push({ from: relative(rootDir, abs), to: relative(rootDir, target) });
    }
  }
  return edges;
}

/** Imports that break the floor rule, each with a one-line reason. */
export function floorViolations(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const a = roomOf(e.from);
    const b = roomOf(e.to);
    if (a === b) continue;
    const fa = floorOf(a);
    const fb = floorOf(b);
    if (fa < 0) out.push(`${e.from}: room '${a}' is on no floor`);
    else if (fb < 0) out.push(`${e.from} imports ${e.to}: room '${b}' is on no floor`);
    else if (fb >= fa) out.push(`${e.from} imports ${e.to}: '${b}' is ${fb === fa ? 'on the same floor as' : 'above'} '${a}'`);
  }
  return out;
}

/** The import circles (strongly connected components of more than one file, or a file importing itself). */
export function importCircles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    if (!next.has(e.to)) next.set(e.to, []);
  }
  // Tarjan's algorithm, iterative enough for a source tree.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (next.get(v) ?? []).includes(v)) circles.push(comp.sort());
    }
  };
  for (const v of next.keys()) if (!idx.has(v)) visit(v);
  return circles;
}
