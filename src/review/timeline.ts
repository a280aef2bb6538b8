// The page-lifetime timeline of a counterexample: a row per page (per segment for IovIter), a column per step,
// each cell what the binding's timeline view reads from that state (owner, refcount, pins, holders, free), with
// reuse after a free marked. Pure data, built from the trace's states and the replay transcripts; html.ts draws it.

import type { Binding, SequenceMessage, TimelineCell } from '../trace/binding.js';
import { readAction } from '../trace/replay.js';
import type { AgainstReport, AgainstSide } from '../trace/against.js';
import type { ReplayReport } from '../trace/report.js';
import type { Trace } from '../tla/trace.js';
import type { TlaValue } from '../tla/value.js';
import { printTla } from '../tla/print.js';

export interface TimelineStep {
  readonly index: number;
  readonly action: string;
  readonly name: string;
  readonly args: Readonly<Record<string, string>>;
  readonly narration: readonly string[];
  readonly violated: readonly string[];
  readonly refused?: string;
  /** The action as an arrow between the spec's participants (the binding's `message` hook). */
  readonly message?: SequenceMessage;
}

export interface LaneCell extends TimelineCell {
  /** In use, then freed, in earlier states of this lane, and in use again now. */
  readonly reallocated?: boolean;
}

export interface TimelineLane {
  readonly variant: string;
  /** "the trace's variant" or "the same actions on …". */
  readonly role: string;
  readonly steps: readonly TimelineStep[];
  /** One row per page; `cells[k]` is the page after step k (absent when the lane stopped before it). */
  readonly rows: readonly { readonly key: string; readonly cells: readonly (LaneCell | null)[] }[];
  /** The step where the lane's invariant of interest is first violated, with the failing part. */
  readonly violation?: { readonly step: number; readonly invariant: string; readonly detail: string };
}

export interface Timeline {
  readonly id: string;
  /** The spec's participants for sequence diagrams, in order. */
  readonly participants: readonly string[];
  readonly title: string;
  readonly spec: string;
  readonly model?: string;
  readonly invariant?: string;
  readonly summary?: string;
  readonly lanes: readonly TimelineLane[];
}

/** Each trace step's action as a sequence-diagram arrow, when the binding draws them. */
function messages(trace: Trace, binding: Binding<unknown>): (SequenceMessage | undefined)[] {
  return trace.states.map((st) => {
    const a = readAction(st.values.get('action'));
    return a.ok ? binding.message?.(a.value) : undefined;
  });
}

const withMessage = (s: TimelineStep, m: SequenceMessage | undefined): TimelineStep => (m !== undefined ? { ...s, message: m } : s);

/** Rows of a state without a timeline view: one per variable, its value printed. */
function fallbackRows(vars: ReadonlyMap<string, TlaValue>): { key: string; cell: TimelineCell }[] {
  return [...vars]
    .filter(([name]) => name !== 'action')
    .map(([name, v]) => {
      const s = printTla(v);
      return { key: name, cell: { detail: s.length > 160 ? `${s.slice(0, 157)}...` : s } };
    });
}

function lane(
  binding: Binding<unknown>,
  variant: string,
  role: string,
  states: readonly ReadonlyMap<string, TlaValue>[],
  steps: readonly TimelineStep[],
  invariant: string | undefined,
  reasons: (step: number) => readonly { invariant: string; detail: string }[] | undefined,
): TimelineLane {
  const perState = states.map((vars) => binding.timeline?.(vars) ?? fallbackRows(vars));
  const keys: string[] = [];
  for (const rows of perState) for (const r of rows) if (!keys.includes(r.key)) keys.push(r.key);
  const rows = keys.map((key) => {
    // Reallocated: in use, then freed, then in use again (a first allocation from the free list is not).
    let used = false;
    let freedAfterUse = false;
    const cells = steps.map((_s, k): LaneCell | null => {
      const cell = perState[k]?.find((r) => r.key === key)?.cell;
      if (cell === undefined) return null;
      const free = cell.free === true;
      const reallocated = !free && freedAfterUse;
      if (free && used) freedAfterUse = true;
      if (!free) used = true;
      return reallocated ? { ...cell, reallocated } : cell;
    });
    return { key, cells };
  });
  const at = steps.find((s) => (invariant !== undefined ? s.violated.includes(invariant) : s.violated.length > 0));
  const inv = invariant !== undefined && at !== undefined ? invariant : at?.violated[0];
  const detail = at !== undefined && inv !== undefined ? reasons(at.index)?.find((r) => r.invariant === inv)?.detail : undefined;
  return {
    variant,
    role,
    steps,
    rows,
    ...(at !== undefined && inv !== undefined
      ? { violation: { step: at.index, invariant: inv, detail: detail ?? `the implementation's checker flags ${inv} here` } }
      : {}),
  };
}

const argsOf = (action: string): Record<string, string> => {
  const m = /^[^(]*\((.*)\)$/.exec(action);
  const out: Record<string, string> = {};
  if (m === null || m[1] === undefined || m[1] === '') return out;
  // Top-level `k=v` pairs; values may hold commas inside brackets.
  let depth = 0;
  let start = 0;
  const parts: string[] = [];
  const s = m[1];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '[' || c === '<' || c === '{' || c === '(') depth++;
    else if (c === ']' || c === '>' || c === '}' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq > 0) out[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  return out;
};

/** The timeline of one replay (the trace on the variant the report ran as). */
export function replayTimeline(trace: Trace, binding: Binding<unknown>, report: ReplayReport, id: string): Timeline {
  const arrows = messages(trace, binding);
  const steps: TimelineStep[] = report.steps.map((s) =>
    withMessage(
      { index: s.index, action: s.action, name: s.action.replace(/\(.*$/, ''), args: argsOf(s.action), narration: s.narration, violated: s.violated },
      arrows[s.index],
    ),
  );
  if (report.verdict === 'not-enabled' && steps.length > 0) {
    const last = steps[steps.length - 1]!;
    steps[steps.length - 1] = { ...last, refused: report.reason };
  }
  const invariant = trace.meta.invariant;
  const variant = report.variant ?? trace.meta.variant ?? binding.finalVariant;
  const states = trace.states.slice(0, steps.length).map((s) => s.values);
  return {
    id,
    title: `${variant}${invariant !== undefined ? ` violates ${invariant}` : ''}${trace.meta.model !== undefined ? ` (${trace.meta.model})` : ''}`,
    spec: binding.spec,
    participants: binding.participants ?? [],
    ...(trace.meta.model !== undefined ? { model: trace.meta.model } : {}),
    ...(invariant !== undefined ? { invariant } : {}),
    lanes: [lane(binding, variant, 'the trace', states, steps, invariant, (k) => report.steps[k]?.reasons)],
  };
}

function sideSteps(
  r: Extract<AgainstReport, { steps: unknown }>,
  arrows: readonly (SequenceMessage | undefined)[],
  side: (s: (typeof r.steps)[number]) => AgainstSide | undefined,
): TimelineStep[] {
  const out: TimelineStep[] = [];
  for (const s of r.steps) {
    const x = side(s);
    if (x === undefined) break;
    out.push(
      withMessage(
        {
          index: s.index,
          action: s.action,
          name: s.name,
          args: s.args,
          narration: x.narration,
          violated: x.violated,
          ...(x.refused !== undefined ? { refused: x.refused } : {}),
        },
        arrows[s.index],
      ),
    );
    if (x.refused !== undefined) break;
  }
  return out;
}

/** The two lanes of `replay --against`: the trace's variant above, the other variant below. */
export function againstTimeline(
  trace: Trace,
  binding: Binding<unknown>,
  report: AgainstReport,
  otherStates: readonly ReadonlyMap<string, TlaValue>[],
  id: string,
): Timeline | undefined {
  if (report.verdict === 'bad-trace') return undefined;
  const invariant = trace.meta.invariant;
  const arrows = messages(trace, binding);
  const own = sideSteps(report, arrows, (s) => s.own);
  const other = sideSteps(report, arrows, (s) => s.other);
  // A refused step has no state of its own: the lane shows the states up to the one before it.
  const otherWithStates = other.filter((s) => s.refused === undefined);
  const reasonsOf = (pick: 'own' | 'other') => (k: number) => report.steps[k]?.[pick]?.reasons;
  return {
    id,
    title: `${report.variant}${invariant !== undefined ? ` violates ${invariant}` : ''}; the same actions on ${report.against}`,
    spec: binding.spec,
    participants: binding.participants ?? [],
    ...(trace.meta.model !== undefined ? { model: trace.meta.model } : {}),
    ...(invariant !== undefined ? { invariant } : {}),
    summary: report.summary,
    lanes: [
      lane(binding, report.variant, 'the trace', trace.states.slice(0, own.length).map((s) => s.values), own, invariant, reasonsOf('own')),
      {
        ...lane(binding, report.against, `the same actions on ${report.against}`, otherStates, otherWithStates, invariant, reasonsOf('other')),
        steps: other,
      },
    ],
  };
}
