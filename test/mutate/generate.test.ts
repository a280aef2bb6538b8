// The mutant generator on the real specs and on small modules: every spec parses, every mutant is one change
// that still parses, design selection, other variants' code and the replay record are left alone, ids are stable.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEdits, generateMutants, type Mutant } from '../../src/mutate/generate.js';
import { kids, parseTla } from '../../src/mutate/syntax.js';
import { lineDiff, sampleMutants, specMutants } from '../../src/mutate/run.js';
import { parseManifest } from '../../src/manifest/load.js';
import { parseEquivalenceList, staleEntries } from '../../src/mutate/equivalent.js';
import { sanyVerdict, splitSanyOutput } from '../../src/mutate/sany.js';

const specDir = join(import.meta.dirname, '..', '..', 'spec');
const read = (f: string): string => readFileSync(join(specDir, f), 'utf8');

const FINAL: Record<string, string[]> = {
  Pipeline: ['bounded'],
  IovIter: ['v6.6', 'v6.12'],
  PageLifetime: ['v6.5'],
  SpliceRead: ['copy-splice-read', 'pipe-get-pages'],
};

async function mutantsOf(spec: string): Promise<readonly Mutant[]> {
  const r = await generateMutants({ spec, text: read(`${spec}.tla`), finalVariants: FINAL[spec]!, roots: ['Spec'] });
  if (!r.ok) throw new Error(r.message);
  return r.mutants;
}

describe('the TLA+ grammar', () => {
  it('parses every module in spec/ without a syntax error', async () => {
    const files = readdirSync(specDir).filter((f) => f.endsWith('.tla'));
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const f of files) expect({ f, error: (await parseTla(read(f))).error }).toEqual({ f, error: undefined });
  });

  it('reports where a module stops parsing', async () => {
    const s = await parseTla('---- MODULE M ----\nFoo == /\\ (1 +\n====\n');
    expect(s.error?.line).toBeGreaterThanOrEqual(2);
  });
});

describe('generateMutants on the Pipeline self-test spec', () => {
  it('makes one mutant per site of each operator, in the actions only', async () => {
    const ms = await mutantsOf('Pipeline');
    const by = (op: string) => ms.filter((m) => m.operator === op).map((m) => `${m.definition}: ${m.before} → ${m.after}`);
    expect(by('skip-update')).toContain("Produce: queue' = Append(queue, i) → queue' = queue");
    expect(by('comparison')).toContain('HasRoom: Len(queue) < Capacity → Len(queue) <= Capacity');
    expect(by('drop-conjunct')).toContain('Produce: HasRoom → TRUE');
    expect(by('set-op')).toEqual(['Produce: pending \\ {i} → pending \\cup {i}']);
    // Invariants (QueueBoundInv, FifoInv, …) and TypeOK are never mutated; neither is the replay record.
    expect(new Set(ms.map((m) => m.definition))).toEqual(new Set(['HasRoom', 'Produce', 'Consume', 'Terminating']));
    expect(ms.some((m) => /action/.test(m.before))).toBe(false);
    // Only the final design's branch of HasRoom (IF Variant = "bounded") is mutated; the bug branch's <= is not.
    expect(ms.some((m) => m.before.includes('<= Capacity'))).toBe(false);
  });

  it('gives ids that survive edits elsewhere in the spec', async () => {
    const ms = await mutantsOf('Pipeline');
    const text = read('Pipeline.tla').replace('Range(s) ==', '\\* a comment that moves every line below\n\nRange(s) ==');
    const again = await generateMutants({ spec: 'Pipeline', text, finalVariants: ['bounded'], roots: ['Spec'] });
    expect(again.ok && again.mutants.map((m) => m.id)).toEqual(ms.map((m) => m.id));
    expect(again.ok && again.mutants[0]!.line).toBe(ms[0]!.line + 2);
  });
});

describe.each(['IovIter', 'PageLifetime', 'SpliceRead'])('generateMutants on %s', (spec) => {
  it('makes many mutants with unique ids, each a change that still parses', async () => {
    const ms = await mutantsOf(spec);
    expect(ms.length).toBeGreaterThan(100);
    expect(new Set(ms.map((m) => m.id)).size).toBe(ms.length);
    const original = read(`${spec}.tla`);
    for (const m of ms) expect(m.text).not.toBe(original);
    // Reparsed: every mutant that re-indented a list or changed the line count, and a sample of the others.
    const reshaped = ms.filter((m) => lineDiff(original, m.text).length !== 2);
    const others = sampleMutants(ms.filter((m) => !reshaped.includes(m)), 30, 7);
    expect(reshaped.length).toBeGreaterThan(0);
    for (const m of [...reshaped, ...others]) {
      const parsed = await parseTla(m.text);
      expect({ id: m.id, error: parsed.error }).toEqual({ id: m.id, error: undefined });
      await new Promise((r) => setImmediate(r));
    }
  });

  it("leaves Next's quantifier domains alone (the environment's choice of arguments, not kernel code)", async () => {
    const ms = await mutantsOf(spec);
    expect(ms.filter((m) => m.definition === 'Next' && /\\in \{[^}]*\} :/.test(m.before))).toEqual([]);
  });

  it('leaves the design selection alone: no mutant changes a test of Variant', async () => {
    const ms = await mutantsOf(spec);
    for (const m of ms) {
      const changed = lineDiff(read(`${spec}.tla`), m.text).filter((l) => l.startsWith('+'));
      const before = lineDiff(read(`${spec}.tla`), m.text).filter((l) => l.startsWith('-'));
      // Where a line mentions Variant, the mutant must keep every Variant comparison on it as it was.
      const tests = (ls: string[]) => ls.flatMap((l) => l.match(/Variant\s*(=|#|\/=|\\in|\\notin)\s*("[^"]*"|\{[^}]*\})/g) ?? []);
      expect({ id: m.id, tests: tests(changed) }).toEqual({ id: m.id, tests: tests(before) });
    }
  });
});

describe('variant-dead code', () => {
  it('PageLifetime: the legacy-only CASE arm of GetPages and the legacy branches of Taken are not mutated', async () => {
    const ms = await mutantsOf('PageLifetime');
    expect(ms.some((m) => m.before.includes('t = "KVEC" /\\ Variant = "legacy"'))).toBe(false);
    const taken = ms.filter((m) => m.definition === 'Taken' && m.operator === 'flag-swap').map((m) => m.after);
    // the final design's "pin" (user pages) may become "ref" or "none"; the legacy "ref" is never touched
    expect(taken).toContain('IF Variant = "legacy" THEN "ref" ELSE "ref"');
    expect(taken.every((a) => a.startsWith('IF Variant = "legacy" THEN "ref"') || !a.includes('Variant'))).toBe(true);
  });

  it('a branch only a bug variant runs is mutated once that variant is among the final ones', async () => {
    const text = read('Pipeline.tla');
    const r = await generateMutants({ spec: 'Pipeline', text, finalVariants: ['bounded', 'bug-overfill'], roots: ['Spec'] });
    expect(r.ok && r.mutants.some((m) => m.before === 'Len(queue) <= Capacity')).toBe(true);
  });
});

describe('applyEdits', () => {
  it('keeps a bulleted list aligned when an edit before it on its first line changes that line length', async () => {
    const text = ['---- MODULE M ----', 'VARIABLE x', 'A == IF x < 1 THEN /\\ x > 0', '                   /\\ x < 9', '     ELSE x = 2', '===='].join('\n');
    const s = await parseTla(text);
    const at = text.indexOf('x < 1');
    const out = applyEdits(text, s.root, [
      { start: at, end: at, text: '~(' },
      { start: at + 5, end: at + 5, text: ')' },
    ]);
    expect(out.split('\n').slice(2, 4)).toEqual(['A == IF ~(x < 1) THEN /\\ x > 0', '                      /\\ x < 9']);
    const reparsed = await parseTla(out);
    const list = kids(kids(reparsed.root)[0]!).find((c) => c.type === 'operator_definition');
    expect(list?.text).toContain('/\\ x < 9');
    expect(reparsed.error).toBeUndefined();
  });
});

describe('selection, diff and the equivalence list', () => {
  it('samples the same mutants for the same seed, in source order', () => {
    const all = Array.from({ length: 50 }, (_, k) => k);
    const a = sampleMutants(all, 7, 42);
    expect(sampleMutants(all, 7, 42)).toEqual(a);
    expect(a).toEqual([...a].sort((x, y) => x - y));
    expect(sampleMutants(all, 7, 43)).not.toEqual(a);
  });

  it('numbers the changed lines', () => {
    expect(lineDiff('a\nb\nc\n', 'a\nB\nc\n')).toEqual(['-2 | b', '+2 | B']);
  });

  it('reads a valid list and rejects a malformed one with the place named', () => {
    const ok = parseEquivalenceList(JSON.stringify({ version: 1, equivalent: [{ spec: 'S', id: 'A:x:1', reason: 'r' }] }), 'f.json');
    expect(ok.ok && staleEntries(ok.value, 'S', new Set(['A:x:2'])).map((e) => e.id)).toEqual(['A:x:1']);
    expect(ok.ok && staleEntries(ok.value, 'S', new Set(['A:x:1']))).toEqual([]);
    const bad = parseEquivalenceList(JSON.stringify({ version: 1, equivalent: [{ spec: 'S', id: 'A:x:1', reason: '' }] }), 'f.json');
    expect(bad).toEqual({ ok: false, message: 'f.json: equivalent[0]: "reason" must be a non-empty string' });
    expect(parseEquivalenceList('{', 'f.json').ok).toBe(false);
  });

  it("the project's list is valid and none of its entries is stale", async () => {
    const list = parseEquivalenceList(read('mutants-equivalent.json'), 'spec/mutants-equivalent.json');
    if (!list.ok) throw new Error(list.message);
    const manifest = parseManifest(read('manifest.json'), 'spec/manifest.json');
    if (!manifest.ok) throw new Error('spec/manifest.json is invalid');
    for (const spec of new Set(list.value.entries.map((e) => e.spec))) {
      const got = await specMutants({ manifest: manifest.value, specDir, includeScale: false }, spec);
      if ('kind' in got) throw new Error(got.message);
      const ids = new Set(got.all.map((m) => m.id));
      expect(staleEntries(list.value, spec, ids)).toEqual([]);
    }
  });
});

describe("SANY's batch output", () => {
  const out = [
    '',
    '****** SANY2 Version 2.1 created 24 February 2014',
    '',
    'Parsing file /tmp/x/P_m0.tla',
    'Semantic processing of module P_m0',
    '',
    '****** SANY2 Version 2.1 created 24 February 2014',
    '',
    'Parsing file /tmp/x/P_m1.tla',
    'Semantic processing of module P_m1',
    'Semantic errors:',
    '',
    '*** Errors: 1',
    '',
    'line 51, col 15 to line 51, col 15 of module P_m1',
    '',
    "Unknown operator: `x'.",
  ].join('\n');

  it('does not count SANY crashing as the module being wrong', () => {
    const crash = 'Parsing file /tmp/x/P_m4.tla\nFatal errors while parsing TLA+ spec in file P_m4.tla\n\njava.lang.NullPointerException: Cannot invoke "String.length()"';
    expect(sanyVerdict(crash)).toBeUndefined();
  });

  it('splits by module and finds the error of each', () => {
    const parts = splitSanyOutput(out);
    expect([...parts.keys()]).toEqual(['P_m0', 'P_m1']);
    expect(sanyVerdict(parts.get('P_m0')!)).toBeUndefined();
    expect(sanyVerdict(parts.get('P_m1')!)).toBe("*** Errors: 1 line 51, col 15 to line 51, col 15 of module P_m1 Unknown operator: `x'.");
  });
});
