// Renderers for a cross-variant replay (`replay --against`): a side-by-side terminal transcript and JSON.

import type { AgainstReport, AgainstSide } from './against.js';
import { printTla } from '../tla/print.js';
import { reportJson } from './render.js';
import { EXIT } from '../shared/exit.js';

const WIDTH = 62;

function clip(s: string, n: number): string {
  return [...s].length <= n ? s + ' '.repeat(n - [...s].length) : `${[...s].slice(0, n - 1).join('')}…`;
}

/** Lines both sides narrate once (`=`), the others in two columns. */
function sideBySide(own: AgainstSide | undefined, other: AgainstSide | undefined): string[] {
  const out: string[] = [];
  const a = own?.narration ?? [];
  const b = other?.refused !== undefined ? [`REFUSES: ${other.refused}`] : other?.narration ?? ['(not run)'];
  const same = a.length === b.length && a.every((l, i) => l === b[i]);
  if (same) return a.map((l) => `        = ${l.trim()}`);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    out.push(`        ${clip(a[i]?.trim() ?? '', WIDTH)} | ${b[i]?.trim() ?? ''}`);
  }
  return out;
}

export function renderAgainstText(r: AgainstReport): string {
  if (r.verdict === 'bad-trace') return `replay ${r.file ?? 'trace'} --against ${r.against}\nbad-trace: ${r.reason}\n`;
  const out: string[] = [];
  out.push(`replay ${r.file ?? 'trace'} — ${r.spec}${r.model !== undefined ? ` ${r.model}` : ''}: the actions of ${r.variant} on ${r.against}`);
  out.push(`  on ${r.variant} (the trace's own variant): ${r.ownVerdictLine}`);
  out.push(`        ${clip(r.variant, WIDTH)} | ${r.against}`);
  for (const s of r.steps) {
    const marks = [
      s.differences.length > 0 ? `states differ: ${[...new Set(s.differences.map((d) => d.description))].slice(0, 3).join(', ')}` : '',
      s.own?.violated.length ? `${r.variant} violates ${s.own.violated.join(', ')}` : '',
      s.other?.violated.length ? `${r.against} violates ${s.other.violated.join(', ')}` : '',
    ].filter((m) => m !== '');
    out.push(`  ${String(s.index).padStart(3)}  ${s.action}${marks.length > 0 ? `   [${marks.join('; ')}]` : ''}`);
    out.push(...sideBySide(s.own, s.other));
  }
  if (r.parting !== undefined) {
    const p = r.parting;
    out.push(`first difference at step ${p.step} ${p.action}:`);
    if (p.own.length > 0 || p.other.length > 0) {
      out.push(`  ${r.variant}: ${p.own.map((l) => l.trim()).join(' / ') || '(nothing else)'}`);
      out.push(`  ${r.against}: ${p.other.map((l) => l.trim()).join(' / ') || '(nothing else)'}`);
    }
    for (const d of p.differences.slice(0, 8)) {
      out.push(`  ${d.description} (${d.path}): ${r.variant} ${d.expected !== undefined ? printTla(d.expected) : '(absent)'}, ${r.against} ${d.actual !== undefined ? printTla(d.actual) : '(absent)'}`);
    }
    if (p.differences.length > 8) out.push(`  … ${p.differences.length - 8} more differences`);
  }
  if (r.refusal !== undefined) out.push(`${r.against} refuses step ${r.refusal.step} ${r.refusal.action}: ${r.refusal.reason}`);
  const e = r.end;
  if (e.invariant !== undefined) {
    out.push(
      e.violatedAt === undefined
        ? `${e.invariant} holds on ${r.against} in every state it reached (through step ${e.through})`
        : `${e.invariant} is violated on ${r.against} too, first at step ${e.violatedAt}${e.holdsAtEnd ? ', but holds again at the end' : ''}`,
    );
  }
  out.push(`${r.verdict}: ${r.summary}`);
  return `${out.join('\n')}\n`;
}

export function renderAgainstJson(r: AgainstReport): string {
  return reportJson(r);
}

/** 0 when the trace's own variant reproduces it and the other variant ran; 65 for a bad trace. */
export function againstExitCode(r: AgainstReport): number {
  if (r.verdict === 'bad-trace') return EXIT.badInput;
  return r.ownVerdict === 'reproduced' || r.ownVerdict === 'conforms' ? EXIT.ok : EXIT.mismatch;
}
