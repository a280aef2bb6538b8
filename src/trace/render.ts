// Renderers for replay reports (text transcript, JSON) and the exit code: pure functions of the report.

import type { ReplayReport, ReplayVerdict } from './report.js';
import { printTla } from '../tla/print.js';
import { EXIT } from '../shared/exit.js';

export const VERDICT_EXIT: Readonly<Record<ReplayVerdict, number>> = {
  reproduced: EXIT.ok,
  conforms: EXIT.ok,
  diverged: EXIT.diverged,
  'not-enabled': EXIT.notEnabled,
  unconfirmed: EXIT.unconfirmed,
  'bad-trace': EXIT.badInput,
};

export function replayExitCode(report: ReplayReport, expect?: ReplayVerdict): number {
  if (expect !== undefined) return report.verdict === expect ? EXIT.ok : report.verdict === 'bad-trace' ? EXIT.badInput : EXIT.mismatch;
  return VERDICT_EXIT[report.verdict];
}

/** One line: `reproduced NoStallInv at step 3` etc. */
export function verdictLine(report: ReplayReport): string {
  switch (report.verdict) {
    case 'reproduced':
      if (report.lasso !== undefined) {
        const l = report.lasso;
        const loop = l.kind === 'stuttering' ? `stutters forever at step ${l.loopIndex}` : `loops back from step ${report.step} to step ${l.loopIndex}`;
        return `reproduced: ${report.invariant} violated by a lasso that ${loop}, as in the trace; the implementation confirms the loop`;
      }
      return `reproduced: ${report.invariant} violated at step ${report.step}, as in the trace`;
    case 'unconfirmed':
      return `unconfirmed: all ${report.states} states matched, but the lasso is not confirmed: ${report.reason}`;
    case 'conforms':
      return `conforms: all ${report.states} states matched, no invariant violated`;
    case 'diverged':
      return `diverged at step ${report.step} (${report.action})${report.note !== undefined ? `: ${report.note}` : ''}`;
    case 'not-enabled':
      return `not-enabled at step ${report.step} (${report.action}): ${report.reason}`;
    case 'bad-trace':
      return `bad-trace: ${report.reason}`;
    default: {
      const never: never = report;
      return never;
    }
  }
}

export function renderReplayText(report: ReplayReport, options: { transcript?: boolean } = {}): string {
  const out: string[] = [];
  const head = [report.spec, report.model, report.variant !== undefined ? `as ${report.variant}` : undefined]
    .filter((s) => s !== undefined)
    .join(' ');
  out.push(`replay ${report.file ?? 'trace'}${head !== '' ? ` — ${head}` : ''}`);
  if (report.traceVariant !== undefined && report.traceVariant !== report.variant) {
    out.push(`  (trace produced on ${report.traceVariant})`);
  }
  if (options.transcript !== false) {
    for (const step of report.steps) {
      out.push(`  ${String(step.index).padStart(3)}  ${step.action}`);
      for (const line of step.narration) out.push(`         ${line}`);
      if (step.violated.length > 0) out.push(`         ! violates ${step.violated.join(', ')}`);
    }
  }
  if (report.verdict === 'reproduced' && report.lasso !== undefined && options.transcript !== false) {
    for (const line of report.lasso.narration) out.push(`  loop ${line}`);
  }
  if (report.verdict === 'diverged') {
    for (const d of report.differences.slice(0, 20)) {
      const want = d.expected !== undefined ? printTla(d.expected) : '(absent)';
      const got = d.actual !== undefined ? printTla(d.actual) : '(absent)';
      out.push(`    ${d.path}: trace has ${want}, implementation has ${got}${d.note !== undefined ? ` (${d.note})` : ''}`);
    }
    if (report.differences.length > 20) out.push(`    … ${report.differences.length - 20} more differences`);
  }
  out.push(verdictLine(report));
  return `${out.join('\n')}\n`;
}

/** JSON form: TLA+ values in the report are printed in TLC syntax. */
export function renderReplayJson(report: ReplayReport): string {
  return reportJson(report);
}

/** Any report as JSON, TLA+ values inside it printed in TLC syntax and big integers as strings. */
export function reportJson(report: unknown): string {
  return `${JSON.stringify(report, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v !== null && typeof v === 'object' && 'kind' in v && typeof (v as { kind: unknown }).kind === 'string') {
      const kind = (v as { kind: string }).kind;
      if (['bool', 'int', 'str', 'modelValue', 'set', 'seq', 'record', 'fn'].includes(kind)) {
        return printTla(v as Parameters<typeof printTla>[0]);
      }
    }
    return v;
  }, 2)}\n`;
}
