// The equivalence list (spec/mutants-equivalent.json): survivors the project has judged equivalent to the
// original spec (no change in behaviour any model can observe), each with its reason. They leave the score's
// denominator and are reported apart. An entry whose mutant is no longer generated is stale: the judgement was
// about code that has changed, so it is an error until someone judges the new code.

import { readFile } from 'node:fs/promises';

export interface EquivalentEntry {
  readonly spec: string;
  readonly id: string;
  /** The change, as `iterpin mutate` prints it (for readers of the file; the id is what matches). */
  readonly change?: string;
  readonly reason: string;
}

export interface EquivalenceList {
  readonly file: string;
  readonly entries: readonly EquivalentEntry[];
}

export type EquivalenceResult = { ok: true; value: EquivalenceList } | { ok: false; message: string };

export const EQUIVALENCE_FILE = 'mutants-equivalent.json';

export function parseEquivalenceList(text: string, file: string): EquivalenceResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `${file}: not JSON (${(e as Error).message})` };
  }
  const top = doc as { version?: unknown; equivalent?: unknown };
  if (typeof doc !== 'object' || doc === null || top.version !== 1 || !Array.isArray(top.equivalent)) {
    return { ok: false, message: `${file}: expected {"version": 1, "equivalent": [ … ]}` };
  }
  const entries: EquivalentEntry[] = [];
  const seen = new Set<string>();
  for (const [k, raw] of top.equivalent.entries()) {
    const e = raw as Partial<Record<keyof EquivalentEntry, unknown>>;
    const where = `${file}: equivalent[${k}]`;
    if (typeof raw !== 'object' || raw === null) return { ok: false, message: `${where} is not an object` };
    for (const f of ['spec', 'id', 'reason'] as const) {
      if (typeof e[f] !== 'string' || (e[f] as string).trim() === '') return { ok: false, message: `${where}: "${f}" must be a non-empty string` };
    }
    if (e.change !== undefined && typeof e.change !== 'string') return { ok: false, message: `${where}: "change" must be a string` };
    const key = `${e.spec as string}\u0000${e.id as string}`;
    if (seen.has(key)) return { ok: false, message: `${where}: ${e.spec as string} ${e.id as string} is listed twice` };
    seen.add(key);
    entries.push({ spec: e.spec as string, id: e.id as string, reason: e.reason as string, ...(typeof e.change === 'string' ? { change: e.change } : {}) });
  }
  return { ok: true, value: { file, entries } };
}

/** Reads the list; a missing file is an empty list. */
export async function loadEquivalenceList(file: string): Promise<EquivalenceResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, value: { file, entries: [] } };
    return { ok: false, message: `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  return parseEquivalenceList(text, file);
}

/** Entries for `spec` whose mutant the generator no longer makes. */
export function staleEntries(list: EquivalenceList, spec: string, generated: ReadonlySet<string>): EquivalentEntry[] {
  return list.entries.filter((e) => e.spec === spec && !generated.has(e.id));
}
