// Fuzzing the whole replay path — trace text → parseTraceText → binding → replay → rendering — with mutated
// checked-in counterexamples (as ITF and as TLC -tool output) and random text: a typed error or a verdict, never
// an exception; and an ITF value with an unknown '#' tag anywhere in a state is refused with the tag and its path.

import { readdirSync, readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTraceText } from '../../src/tlc/trace-file.js';
import { loadBinding, SPECS } from '../../src/trace/bindings/index.js';
import type { Binding } from '../../src/trace/binding.js';
import { replay } from '../../src/trace/replay.js';
import { renderReplayJson, renderReplayText, replayExitCode } from '../../src/trace/render.js';
import type { ReplayReport } from '../../src/trace/report.js';
import type { Trace } from '../../src/tla/trace.js';
import { encodeItfValue, parseItfText } from '../../src/tla/itf.js';
import { tlaEqual } from '../../src/tla/equal.js';
import { main } from '../../src/cli/main.js';
import { EXIT } from '../../src/cli/command.js';
import { tlaValueArb } from '../tla/arbitraries.js';
import { textEdits, toolOutputOf } from '../text-tools.js';

const TRACES = fileURLToPath(new URL('../fixtures/traces/', import.meta.url));
const FIXTURES = readdirSync(TRACES)
  .filter((f) => f.endsWith('.itf.json'))
  .sort()
  .map((f) => ({ name: f, text: readFileSync(`${TRACES}${f}`, 'utf8') }));
const KNOWN_TAGS = new Set(['#bigint', '#set', '#tup', '#map', '#unserializable', '#meta']);
const VERDICTS = new Set(['reproduced', 'conforms', 'diverged', 'not-enabled', 'unconfirmed', 'bad-trace']);
const NAME = 'fuzz-input';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = readonly (string | number)[];

const bindings = new Map<string, Binding<unknown>>();
let allVariants: string[] = [];

beforeAll(async () => {
  for (const spec of SPECS) {
    const b = await loadBinding(spec);
    if (b !== undefined) bindings.set(spec, b);
  }
  allVariants = [...new Set([...bindings.values()].flatMap((b) => b.variants))];
});

/** The binding `iterpin replay` would pick: #meta.spec, else the spec whose variables are exactly the trace's. */
function bindingFor(trace: Trace): Binding<unknown> | undefined {
  if (trace.meta.spec !== undefined) return bindings.get(trace.meta.spec);
  const have = new Set(trace.vars);
  return [...bindings.values()].find((b) => b.vars.length === have.size && b.vars.every((v) => have.has(v)));
}

/**
 * The law: loading gives a bad-trace error naming the input, or a trace; a trace with a binding replays to one of
 * the five verdicts, whose report renders as text and JSON and maps to an exit code. Any exception fails.
 */
function wholePath(text: string, variant: string | undefined): 'load-error' | 'no-binding' | ReplayReport['verdict'] {
  const loaded = parseTraceText(NAME, text);
  if (!loaded.ok) {
    expect(loaded.error.kind).toBe('bad-trace');
    expect(loaded.error.message.startsWith(`${NAME}: `)).toBe(true);
    expect(loaded.error.message.length).toBeGreaterThan(NAME.length + 2);
    return 'load-error';
  }
  const binding = bindingFor(loaded.value);
  if (binding === undefined) return 'no-binding';
  const report = replay(loaded.value, binding, { file: NAME, ...(variant !== undefined ? { variant } : {}) });
  expect(VERDICTS.has(report.verdict)).toBe(true);
  if (report.verdict === 'bad-trace' || report.verdict === 'not-enabled') expect(report.reason.length).toBeGreaterThan(0);
  if (report.verdict !== 'bad-trace' && report.verdict !== 'conforms') {
    expect(report.step).toBeGreaterThanOrEqual(0);
    expect(report.step).toBeLessThan(loaded.value.states.length);
  }
  expect(renderReplayText(report, { transcript: true }).length).toBeGreaterThan(0);
  expect(() => JSON.parse(renderReplayJson(report)) as unknown).not.toThrow();
  expect([EXIT.ok, EXIT.mismatch, EXIT.diverged, EXIT.notEnabled, EXIT.unconfirmed, EXIT.badInput]).toContain(replayExitCode(report, undefined));
  return report.verdict;
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs

/** Every path to a part of the JSON document, #meta and tag bodies included (for structural edits). */
function paths(j: Json, at: Path = []): Path[] {
  const out: Path[] = at.length > 0 ? [at] : [];
  if (Array.isArray(j)) j.forEach((e, i) => out.push(...paths(e, [...at, i])));
  else if (j !== null && typeof j === 'object') for (const k of Object.keys(j)) out.push(...paths(j[k] as Json, [...at, k]));
  return out;
}

/** Strings of every fixture (action names, variants, spec names, kinds), for plausible substitutions. */
function strings(j: Json, out: Set<string>): Set<string> {
  if (typeof j === 'string') out.add(j);
  else if (Array.isArray(j)) j.forEach((e) => strings(e, out));
  else if (j !== null && typeof j === 'object') for (const [k, v] of Object.entries(j)) (out.add(k), strings(v as Json, out));
  return out;
}

/** The paths of the ITF values of a trace's states: variables, and the parts of each value that are values. */
function valuePaths(doc: Json): Path[] {
  const out: Path[] = [];
  const value = (j: Json, at: Path): void => {
    out.push(at);
    if (Array.isArray(j)) j.forEach((e, i) => value(e, [...at, i]));
    else if (j !== null && typeof j === 'object') {
      const tag = Object.keys(j).find((k) => k.startsWith('#'));
      const body = tag === undefined ? undefined : j[tag];
      if (tag === undefined) for (const [k, e] of Object.entries(j)) value(e, [...at, k]);
      else if ((tag === '#set' || tag === '#tup') && Array.isArray(body)) body.forEach((e, i) => value(e, [...at, tag, i]));
      else if (tag === '#map' && Array.isArray(body)) {
        body.forEach((pair, i) => {
          if (Array.isArray(pair)) pair.forEach((e, k) => value(e, [...at, tag, i, k]));
        });
      }
    }
  };
  const states = (doc as { states?: Json }).states;
  if (Array.isArray(states)) {
    states.forEach((s, i) => {
      if (s !== null && typeof s === 'object' && !Array.isArray(s)) for (const [k, e] of Object.entries(s)) if (k !== '#meta') value(e, ['states', i, k]);
    });
  }
  return out;
}

const PARSED = FIXTURES.map((f) => JSON.parse(f.text) as Json);
const VALUE_PATHS = PARSED.map(valuePaths);
const POOL = [...PARSED.reduce((s, j) => strings(j, s), new Set<string>())];

type Edit =
  | { op: 'replace'; with: Json }
  | { op: 'delete' }
  | { op: 'duplicate' }
  | { op: 'tag'; tag: string }
  | { op: 'nudge'; by: number };

const unknownTag = fc.string({ maxLength: 6 }).map((s) => `#${s}`).filter((t) => !KNOWN_TAGS.has(t));

/** Edits that keep the document a valid ITF trace are weighted up, so most cases reach the binding and replay. */
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((j) => ({ op: 'replace' as const, with: j as Json })) },
  { weight: 3, arbitrary: tlaValueArb({ depth: 2, maxLength: 3 }).map((v) => ({ op: 'replace' as const, with: encodeItfValue(v) as Json })) },
  { weight: 3, arbitrary: fc.constantFrom(...POOL).map((s) => ({ op: 'replace' as const, with: s })) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom<Json>([], {}, { '#set': [] }, { '#map': [] }, { '#bigint': '99999999999999999999' }, -1, 0, 2147483648, null, '')
      .map((j) => ({ op: 'replace' as const, with: j })),
  },
  { weight: 2, arbitrary: fc.constant({ op: 'delete' as const }) },
  { weight: 2, arbitrary: fc.constant({ op: 'duplicate' as const }) },
  { weight: 1, arbitrary: unknownTag.map((tag) => ({ op: 'tag' as const, tag })) },
  { weight: 6, arbitrary: fc.integer({ min: -3, max: 3 }).map((by) => ({ op: 'nudge' as const, by })) },
);

/** Applies an edit at `path` of a copy of `doc`. */
function applyEdit(doc: Json, path: Path, e: Edit): Json {
  const root = structuredClone(doc);
  if (path.length === 0) return root;
  let parent: Json = root;
  for (const k of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[k] as Json;
  const key = path[path.length - 1] as string | number;
  const list = Array.isArray(parent) ? parent : undefined;
  const container = parent as unknown as Record<string | number, Json>;
  const old = container[key] as Json;
  switch (e.op) {
    case 'replace':
      container[key] = e.with;
      break;
    case 'delete':
      if (list !== undefined) list.splice(key as number, 1);
      else delete container[key];
      break;
    case 'duplicate':
      if (list !== undefined) list.splice(key as number, 0, structuredClone(old));
      else container[`${String(key)}_copy`] = structuredClone(old);
      break;
    case 'tag':
      container[key] = { [e.tag]: old };
      break;
    case 'nudge':
      container[key] = typeof old === 'number' ? old + e.by : old;
      break;
  }
  return root;
}

/** 1–4 structural edits of a checked-in counterexample, anywhere (the trace's #meta included). */
const structurallyMutated = fc
  .integer({ min: 0, max: FIXTURES.length - 1 })
  .chain((f) => fc.tuple(fc.constant(f), fc.array(fc.tuple(fc.nat(), editArb), { minLength: 1, maxLength: 4 })))
  .map(([f, edits]) => {
    let doc = PARSED[f] as Json;
    for (const [at, e] of edits) {
      const ps = paths(doc);
      if (ps.length === 0) break;
      doc = applyEdit(doc, ps[at % ps.length] as Path, e);
    }
    return JSON.stringify(doc);
  });

const TEXT_FRAGMENTS = ['{', '}', '[', ']', ',', ':', '"', '"#set"', '"#map"', '{"#bigint":"1"}', '"#unknown"', 'null', '-', '0', '1e99', '\\', '\u0000', '\uFFFD', '@!@!@STARTMSG 2217:4 @!@!@\n', '@!@!@ENDMSG 2217 @!@!@\n', '/\\ ', ' = ', '<<', '>>', '|->', '\n'];

const TRACE_OBJECTS = FIXTURES.map((f) => {
  const t = parseItfText(f.text);
  if (!t.ok) throw new Error(`${f.name}: ${t.error.message}`);
  return t.value;
});
const TOOL_OUTPUTS = TRACE_OBJECTS.map(toolOutputOf);

/** A structurally mutated counterexample printed as TLC output, when the mutation still decodes as a trace. */
const mutatedToolOutput = structurallyMutated.map((text) => {
  const t = parseItfText(text);
  return t.ok ? toolOutputOf(t.value) : text;
});

const randomText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.array(fc.constantFrom(...TEXT_FRAGMENTS), { maxLength: 40 }).map((xs) => xs.join('')),
  fc.array(fc.constantFrom(...TEXT_FRAGMENTS), { maxLength: 40 }).map((xs) => `@!@!@STARTMSG 2262:0 @!@!@\n${xs.join('')}`),
);

/** No --variant (the trace's own), one of any spec's variants, or an unknown one. */
const variantArb = (): fc.Arbitrary<string | undefined> => fc.option(fc.constantFrom(...allVariants, 'nope'), { nil: undefined });

// ---------------------------------------------------------------------------------------------------------------

describe('fuzz: the whole replay path', () => {
  it('the synthesized TLC outputs read back as the checked-in traces (so mutating them exercises real shapes)', () => {
    expect(FIXTURES.length).toBeGreaterThan(0);
    TOOL_OUTPUTS.forEach((text, i) => {
      const back = parseTraceText(NAME, text);
      if (!back.ok) throw new Error(`${FIXTURES[i]?.name}: ${back.error.message}`);
      const want = TRACE_OBJECTS[i] as Trace;
      expect(back.value.states.length).toBe(want.states.length);
      back.value.states.forEach((s, k) => {
        for (const v of want.vars) expect(tlaEqual(s.values.get(v)!, want.states[k]!.values.get(v)!)).toBe(true);
      });
    });
  });

  it('law: mutated ITF and TLC-output counterexamples and random text give a typed error or a verdict, never a throw (10 000 cases)', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 4, arbitrary: structurallyMutated },
          { weight: 2, arbitrary: mutatedToolOutput },
          { weight: 1, arbitrary: textEdits(FIXTURES.map((f) => f.text), TEXT_FRAGMENTS, 30) },
          { weight: 2, arbitrary: textEdits(TOOL_OUTPUTS, TEXT_FRAGMENTS, 30) },
          { weight: 1, arbitrary: randomText },
        ),
        variantArb(),
        (text, variant) => {
          const outcome = wholePath(text, variant);
          seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
        },
      ),
      { numRuns: 10_000 },
    );
    // The cases reach past the parser: over a tenth end in a replay verdict, and the parser refuses some.
    const replayed = [...VERDICTS].reduce((n, v) => n + (seen.get(v) ?? 0), 0);
    expect(replayed).toBeGreaterThan(1_000);
    expect(seen.get('load-error') ?? 0).toBeGreaterThan(1_000);
    expect(seen.get('diverged') ?? 0).toBeGreaterThan(0);
  });

  it('law: an unknown "#" tag on any value of any state is refused, naming the tag and the JSON path', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: FIXTURES.length - 1 }), fc.nat(), unknownTag, (f, at, tag) => {
        const ps = VALUE_PATHS[f] as Path[];
        const path = ps[at % ps.length] as Path;
        const text = JSON.stringify(applyEdit(PARSED[f] as Json, path, { op: 'tag', tag }));
        const r = parseTraceText(NAME, text);
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.error.kind).toBe('bad-trace');
        expect(r.error.message).toContain('unknown ITF tag');
        expect(r.error.message).toContain(JSON.stringify(tag));
        expect(r.error.message).toContain(`$.states[${path[1] as number}]`);
      }),
      { numRuns: 2_000 },
    );
  });

  it('law: `iterpin replay -` on mutated traces exits with a documented code and never reports an internal error', async () => {
    const sink = (): { stream: Writable; text: () => string } => {
      const chunks: string[] = [];
      return { stream: new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }), text: () => chunks.join('') };
    };
    await fc.assert(
      fc.asyncProperty(fc.oneof(structurallyMutated, textEdits(TOOL_OUTPUTS, TEXT_FRAGMENTS, 30)), async (text) => {
        const out = sink();
        const errs = sink();
        const code = await main(['replay', '-', '--brief'], { stdin: Readable.from([Buffer.from(text)]), stdout: out.stream, stderr: errs.stream, cwd: process.cwd(), env: process.env });
        expect([EXIT.ok, EXIT.diverged, EXIT.notEnabled, EXIT.unconfirmed, EXIT.badInput]).toContain(code);
        expect(errs.text()).not.toMatch(/internal error|\n\s+at /);
        expect(out.text()).toMatch(/^replay -/);
      }),
      { numRuns: 400 },
    );
  });
});
