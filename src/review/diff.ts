// `review --base REV`: what changed between the review of a git revision and the review of the working tree —
// specs, variants and invariants added or removed, verdicts that flipped, counterexample lengths and distinct-state
// counts that moved, replays whose outcome changed. Pure data and its renderers.

import type { ReviewCell, ReviewReport, ReviewRow, ReviewSpec } from './matrix.js';

export interface CellChange {
  readonly invariant: string;
  /** `status`, `length`, `distinct`, `replay on own variant`, `replay on final design`, `same actions on final design`. */
  readonly what: string;
  readonly before: string;
  readonly after: string;
}

export interface RowChange {
  readonly variant: string;
  readonly kind: 'added' | 'removed' | 'changed';
  /** The row now (added, changed) or before (removed). */
  readonly row: ReviewRow;
  readonly changes: readonly CellChange[];
}

export interface SpecChange {
  readonly spec: string;
  readonly kind: 'added' | 'removed' | 'changed';
  readonly invariantsAdded: readonly string[];
  readonly invariantsRemoved: readonly string[];
  readonly rows: readonly RowChange[];
  /** The spec as reviewed now (absent when removed). */
  readonly head?: ReviewSpec;
}

export interface ReviewDiff {
  readonly base: string;
  readonly specs: readonly SpecChange[];
  /** Nothing changed that the manifest does not expect: every added or changed row agrees with it. */
  readonly ok: boolean;
  readonly seconds: number;
}

const cellStatus = (c: ReviewCell | undefined): string => (c === undefined ? '—' : c.status === 'violated' ? `violated (${c.length ?? '?'} states)` : c.status);

function cellChanges(before: ReviewCell, after: ReviewCell): CellChange[] {
  const out: CellChange[] = [];
  const add = (what: string, a: unknown, b: unknown): void => {
    const x = a === undefined ? '—' : String(a);
    const y = b === undefined ? '—' : String(b);
    if (x !== y) out.push({ invariant: after.invariant, what, before: x, after: y });
  };
  if (before.status !== after.status) {
    out.push({ invariant: after.invariant, what: 'verdict', before: cellStatus(before), after: cellStatus(after) });
    return out;
  }
  add('counterexample length', before.length, after.length);
  add('distinct states', before.distinct, after.distinct);
  add('replay on its own variant', before.replayOwn, after.replayOwn);
  add('replay on the final design', before.replayFinal, after.replayFinal);
  add('the same actions on the final design', before.onFinal?.verdict, after.onFinal?.verdict);
  return out;
}

function diffSpec(before: ReviewSpec | undefined, after: ReviewSpec | undefined): SpecChange | undefined {
  const spec = (after ?? before)!.spec;
  if (before === undefined || after === undefined) {
    const s = (after ?? before)!;
    const kind = after === undefined ? 'removed' : 'added';
    return {
      spec,
      kind,
      invariantsAdded: after !== undefined ? s.invariants : [],
      invariantsRemoved: after === undefined ? s.invariants : [],
      rows: s.rows.map((row) => ({ variant: row.variant, kind, row, changes: [] })),
      ...(after !== undefined ? { head: after } : {}),
    };
  }
  const invariantsAdded = after.invariants.filter((i) => !before.invariants.includes(i));
  const invariantsRemoved = before.invariants.filter((i) => !after.invariants.includes(i));
  const rows: RowChange[] = [];
  for (const row of after.rows) {
    const old = before.rows.find((r) => r.variant === row.variant);
    if (old === undefined) {
      rows.push({ variant: row.variant, kind: 'added', row, changes: [] });
      continue;
    }
    const changes: CellChange[] = [];
    for (const cell of row.cells) {
      const was = old.cells.find((c) => c.invariant === cell.invariant);
      if (was !== undefined) changes.push(...cellChanges(was, cell));
    }
    // A revision before rows named their model says nothing about it.
    if (old.model !== undefined && row.model !== undefined && old.model !== row.model) changes.push({ invariant: '', what: 'model', before: old.model, after: row.model });
    if (old.agrees !== row.agrees) changes.push({ invariant: '', what: 'manifest', before: old.agrees ? 'agrees' : 'disagrees', after: row.agrees ? 'agrees' : 'disagrees' });
    if (changes.length > 0) rows.push({ variant: row.variant, kind: 'changed', row, changes });
  }
  for (const row of before.rows) {
    if (!after.rows.some((r) => r.variant === row.variant)) rows.push({ variant: row.variant, kind: 'removed', row, changes: [] });
  }
  if (invariantsAdded.length === 0 && invariantsRemoved.length === 0 && rows.length === 0) return undefined;
  return { spec, kind: 'changed', invariantsAdded, invariantsRemoved, rows, head: after };
}

export function diffReviews(base: string, before: ReviewReport, after: ReviewReport, seconds: number): ReviewDiff {
  const names = [...new Set([...before.specs.map((s) => s.spec), ...after.specs.map((s) => s.spec)])];
  const specs = names.flatMap((n) => {
    const d = diffSpec(before.specs.find((s) => s.spec === n), after.specs.find((s) => s.spec === n));
    return d === undefined ? [] : [d];
  });
  const ok = specs.every((s) => s.rows.every((r) => r.kind === 'removed' || r.row.agrees));
  return { base, specs, ok, seconds };
}

const cellText = (c: ReviewCell): string => (c.status === 'holds' ? '✓' : c.status === 'violated' ? `✗ ${c.length ?? '?'}` : c.status);

function rowLine(r: RowChange): string {
  const cells = r.row.cells.map((c) => `${c.invariant} ${cellText(c)}`).join(', ');
  const agree = r.row.agrees ? 'agrees with the manifest' : `DISAGREES with the manifest (${r.row.disagreements.join('; ')})`;
  switch (r.kind) {
    case 'added':
      return `+ ${r.variant}: ${cells}; ${agree}`;
    case 'removed':
      return `- ${r.variant}: ${cells}`;
    case 'changed':
      return `~ ${r.variant}: ${r.changes.map((c) => `${c.invariant !== '' ? `${c.invariant} ` : ''}${c.what} ${c.before} → ${c.after}`).join('; ')}; ${agree}`;
    default: {
      const never: never = r.kind;
      return never;
    }
  }
}

export function renderDiffText(d: ReviewDiff): string {
  const out = [`review against ${d.base}:`];
  if (d.specs.length === 0) out.push('  nothing changed');
  for (const s of d.specs) {
    out.push(`${s.kind === 'changed' ? '' : s.kind === 'added' ? '+ ' : '- '}${s.spec}${s.kind === 'changed' ? '' : ` (spec ${s.kind})`}`);
    for (const i of s.invariantsAdded) out.push(`  + invariant ${i}`);
    for (const i of s.invariantsRemoved) out.push(`  - invariant ${i}`);
    for (const r of s.rows) out.push(`  ${rowLine(r)}`);
  }
  out.push(d.ok ? 'every added or changed row agrees with the manifest' : 'some added or changed row DISAGREES with the manifest');
  return `${out.join('\n')}\n`;
}

export function renderDiffMarkdown(d: ReviewDiff): string {
  const out = [`### Review against \`${d.base}\``, ''];
  if (d.specs.length === 0) out.push('Nothing changed.', '');
  for (const s of d.specs) {
    out.push(`#### ${s.spec}${s.kind === 'changed' ? '' : ` (spec ${s.kind})`}`, '');
    for (const i of s.invariantsAdded) out.push(`- invariant \`${i}\` added`);
    for (const i of s.invariantsRemoved) out.push(`- invariant \`${i}\` removed`);
    if (s.invariantsAdded.length + s.invariantsRemoved.length > 0) out.push('');
    const shown = s.rows.filter((r) => r.kind !== 'removed');
    if (shown.length > 0 && s.head !== undefined) {
      const invs = s.head.invariants;
      out.push(`| | variant | ${invs.map((i) => `\`${i}\``).join(' | ')} | manifest |`, `|---|---|${invs.map(() => ':-:').join('|')}|---|`);
      for (const r of shown) {
        const cells = invs.map((i) => {
          const c = r.row.cells.find((x) => x.invariant === i);
          const changed = r.changes.some((x) => x.invariant === i);
          const t = c === undefined ? '—' : cellText(c);
          return changed ? `**${t}**` : t;
        });
        out.push(`| ${r.kind === 'added' ? 'new' : 'changed'} | \`${r.variant}\` | ${cells.join(' | ')} | ${r.row.agrees ? 'agrees' : '**disagrees**'} |`);
      }
      out.push('');
    }
    for (const r of s.rows.filter((x) => x.kind === 'changed')) {
      for (const c of r.changes) out.push(`- \`${r.variant}\`${c.invariant !== '' ? ` \`${c.invariant}\`` : ''}: ${c.what} ${c.before} → ${c.after}`);
    }
    for (const r of s.rows.filter((x) => x.kind === 'removed')) out.push(`- variant \`${r.variant}\` removed`);
    out.push('');
  }
  out.push(d.ok ? 'Every added or changed row agrees with the manifest.' : '**Some added or changed row disagrees with the manifest.**');
  return `${out.join('\n')}\n`;
}
