// Mermaid sequence diagrams of counterexamples, for Markdown that GitHub renders in a pull-request comment: the
// spec's participants (task, bio, pipe, allocator, completion, …), one arrow per step, a note where the
// invariant fails or the variant refuses an action.

import type { Timeline, TimelineLane } from './timeline.js';

/** Text Mermaid keeps as it is inside a message or note: no statement separators, comments or entity codes. */
export function mermaidText(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/;/g, ',')
    .replace(/#/g, 'no. ')
    .replace(/%%/g, '%')
    .replace(/[<>]/g, (c) => (c === '<' ? '‹' : '›'))
    .replace(/\s+/g, ' ')
    .trim();
}

const ID = (name: string): string => name.replace(/[^A-Za-z0-9_]/g, '_');

/** One lane as a sequence diagram (without the Markdown fence). */
export function mermaidLane(participants: readonly string[], lane: TimelineLane, notes: readonly { step: number; text: string }[] = []): string {
  const used: string[] = [];
  const use = (p: string): void => void (used.includes(p) ? undefined : used.push(p));
  const arrows = lane.steps.map((s) => s.message ?? { from: participants[0] ?? 'task', to: participants[0] ?? 'task', label: s.action });
  for (const a of arrows) {
    use(a.from);
    use(a.to);
  }
  const ordered = [...participants.filter((p) => used.includes(p)), ...used.filter((p) => !participants.includes(p))];
  const out = ['sequenceDiagram', ...ordered.map((p) => `  participant ${ID(p)} as ${mermaidText(p)}`)];
  lane.steps.forEach((s, k) => {
    const a = arrows[k]!;
    const refused = s.refused !== undefined;
    out.push(`  ${ID(a.from)}${refused ? '-x' : '->>'}${ID(a.to)}: ${s.index} ${mermaidText(a.label)}${refused ? ' (refused)' : ''}`);
    if (refused) out.push(`  Note over ${ID(a.from)}: ${mermaidText(`${lane.variant} refuses: ${s.refused ?? ''}`)}`);
    if (lane.violation?.step === s.index) {
      const where = a.from === a.to ? ID(a.from) : `${ID(a.from)},${ID(a.to)}`;
      out.push(`  Note over ${where}: ${mermaidText(`${lane.violation.invariant} fails: ${lane.violation.detail}`)}`);
    }
    for (const n of notes) if (n.step === s.index) out.push(`  Note over ${ID(a.from)}: ${mermaidText(n.text)}`);
  });
  return out.join('\n');
}

/** Where lanes run the same actions, a note on each step with what only this lane's kernel code did there. */
function partingNotes(lane: TimelineLane, lanes: readonly TimelineLane[]): { step: number; text: string }[] {
  const other = lanes.find((l) => l !== lane);
  if (other === undefined) return [];
  const notes: { step: number; text: string }[] = [];
  for (const s of lane.steps) {
    const o = other.steps.find((x) => x.index === s.index);
    if (o === undefined || s.refused !== undefined) continue;
    // A line that differs only by naming the variant is the same kernel behaviour.
    const plain = (l: string): string => l.trim().split(lane.variant).join('•').split(other.variant).join('•');
    const theirs = new Set(o.narration.map(plain));
    const only = s.narration.map((l) => l.trim()).filter((l) => !theirs.has(plain(l)) && !l.endsWith(':'));
    if (only.length > 0) notes.push({ step: s.index, text: `${lane.variant}: ${only.slice(0, 2).join(' / ')}${only.length > 2 ? ' …' : ''}` });
  }
  return notes;
}

/** Markdown: one fenced `mermaid` block per lane of the timeline, each under a line naming the variant. */
export function mermaidMarkdown(t: Timeline): string {
  const out: string[] = [];
  for (const lane of t.lanes) {
    out.push(`${lane.variant} (${lane.role}):`, '', '```mermaid', mermaidLane(t.participants, lane, partingNotes(lane, t.lanes)), '```', '');
  }
  return out.join('\n');
}

/** `replay --markdown`: the verdict lines and the counterexample's sequence diagram(s). */
export function replayMarkdown(file: string, lines: readonly string[], t: Timeline | undefined): string {
  const out = [`### Replay of \`${file}\``, ''];
  for (const l of lines) out.push(`- ${l}`);
  out.push('');
  if (t !== undefined) out.push(mermaidMarkdown(t));
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * The review's diagram of a counterexample: its own variant's steps, the invariant's failure, and, where the
 * final design runs the same actions differently, a note with what the final design's kernel code did instead.
 */
export function reviewDiagram(t: Timeline): string {
  const [own, other] = t.lanes;
  if (own === undefined) return '';
  const notes = other !== undefined ? partingNotes(other, t.lanes) : [];
  const refusal = other?.steps.find((s) => s.refused !== undefined);
  if (refusal !== undefined) notes.push({ step: refusal.index, text: `${other!.variant} refuses this: ${refusal.refused ?? ''}` });
  return ['```mermaid', mermaidLane(t.participants, own, notes), '```'].join('\n');
}
