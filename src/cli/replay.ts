// `iterpin replay <trace>`: run the reference implementation along a trace and report the verdict.

import { parseArgs } from 'node:util';
import type { Command, Io } from './command.js';
import { EXIT } from './command.js';
import { loadTrace } from '../tlc/trace-file.js';
import { bindingForVars, loadBinding, SPECS } from '../trace/bindings/index.js';
import { replay } from '../trace/replay.js';
import { replayAgainst } from '../trace/against.js';
import { againstExitCode, renderAgainstJson, renderAgainstText } from '../trace/render_against.js';
import { renderReplayJson, renderReplayText, replayExitCode, verdictLine } from '../trace/render.js';
import { againstTimeline, replayTimeline, type Timeline } from '../review/timeline.js';
import { renderHtml } from '../review/html.js';
import { replayMarkdown } from '../review/mermaid.js';
import { writeFileAtomic } from '../shared/output.js';
import { basename, resolve } from 'node:path';
import type { ReplayReport, ReplayVerdict } from '../trace/report.js';

const VERDICTS: readonly ReplayVerdict[] = ['reproduced', 'conforms', 'diverged', 'not-enabled', 'unconfirmed', 'bad-trace'];

const HELP = `usage: iterpin replay <trace.itf.json | tlc-output.log | -> [options]

Runs the TypeScript reference implementation along a trace (an ITF file, e.g. one written by
'iterpin check', or TLC's raw -tool output) and compares every state through the spec's
abstraction function.

options:
  --variant V      run the implementation as variant V (default: the trace's own variant from its
                   #meta; TLC's raw output records none, so it replays as the spec's final design)
  --spec S         the trace's spec when its #meta does not say (${SPECS.join(', ')})
  --expect VERDICT exit 0 iff the verdict is VERDICT (${VERDICTS.join(', ')})
  --json           print the report as JSON
  --brief          print only the verdict, not the step-by-step transcript
  --html FILE      also write a self-contained HTML page: the page-lifetime timeline (a row per page,
                   a column per step; click a step for its action and narration), both variants with
                   --against
  --markdown       print Markdown for a pull-request comment, with a Mermaid sequence diagram
  --against V      replay the trace's actions (not its states) on variant V as well, side by side with
                   the trace's own variant: where their states first differ, in kernel terms on both
                   sides; where V refuses an action and why; whether the trace's invariant holds on V

verdicts and exit codes:
  reproduced   0  every state matched and the implementation flags the trace's invariant at its last step;
                  for a liveness counterexample (a lasso: #meta.loopIndex, or ITF's loop), every state
                  matched and the spec's binding confirms the lasso: it takes the step that closes the
                  loop back to the recorded state (or, for stuttering, shows that stopping there is fair)
                  and that repeating the cycle forever violates the property
  conforms     0  every state matched and no invariant was expected or flagged
  diverged     2  a state differs (the variable and path are named) or the violation does not match
  not-enabled  3  the implementation refuses a step's action (the reason is given)
  unconfirmed  5  a lasso's states all matched, but the binding cannot confirm its loop (the reason is given)
  bad-trace   65  the file is not a valid trace for the spec
  (with --expect: 0 when the verdict is the expected one, 1 otherwise, 65 for a bad trace)
  (with --against: 0 when the trace replays on its own variant, 1 when it does not, 65 for a bad trace)
  66 when the file cannot be read, 64 for wrong usage.
`;

async function run(argv: readonly string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        variant: { type: 'string' },
        spec: { type: 'string' },
        expect: { type: 'string' },
        json: { type: 'boolean', default: false },
        brief: { type: 'boolean', default: false },
        against: { type: 'string' },
        html: { type: 'string' },
        markdown: { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    io.stderr.write(`iterpin replay: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    io.stderr.write('iterpin replay: expected exactly one trace file (or - for stdin); see --help\n');
    return EXIT.usage;
  }
  const expect = values.expect as ReplayVerdict | undefined;
  if (expect !== undefined && !VERDICTS.includes(expect)) {
    io.stderr.write(`iterpin replay: --expect must be one of ${VERDICTS.join(', ')}\n`);
    return EXIT.usage;
  }
  if (values.markdown && values.json) {
    io.stderr.write('iterpin replay: --markdown and --json exclude each other\n');
    return EXIT.usage;
  }
  const file = positionals[0] as string;
  const html = values.html !== undefined ? resolve(io.cwd, values.html) : undefined;
  /** Writes the HTML page (atomically); false after saying why it could not. */
  const writeHtml = async (timeline: Timeline | undefined, title: string): Promise<boolean> => {
    if (html === undefined) return true;
    const written = await writeFileAtomic(html, renderHtml(title, timeline !== undefined ? [timeline] : []));
    if (!written.ok) io.stderr.write(`iterpin replay: ${written.error.message}\n`);
    return written.ok;
  };
  const emit = (report: ReplayReport): number => {
    io.stdout.write(
      values.json
        ? renderReplayJson(report)
        : values.markdown
          ? replayMarkdown(file, [verdictLine(report)], undefined)
          : renderReplayText(report, { transcript: !values.brief }),
    );
    return replayExitCode(report, expect);
  };
  const loaded = await loadTrace(file, io.stdin);
  if (!loaded.ok) {
    if (loaded.error.kind === 'unreadable') {
      io.stderr.write(`iterpin replay: ${loaded.error.message}\n`);
      return EXIT.noInput;
    }
    return emit({ verdict: 'bad-trace', reason: loaded.error.message, file, states: 0, steps: [] });
  }
  const trace = loaded.value;
  const specName = values.spec ?? trace.meta.spec;
  const binding = specName !== undefined ? await loadBinding(specName) : await bindingForVars(trace.vars);
  if (binding === undefined) {
    const reason =
      specName !== undefined
        ? `unknown spec '${specName}' (known: ${SPECS.join(', ')})`
        : `the trace names no spec and its variables (${trace.vars.join(', ')}) match none of ${SPECS.join(', ')}`;
    return emit({ verdict: 'bad-trace', reason, file, states: trace.states.length, steps: [] });
  }
  if (values.variant !== undefined && !binding.variants.includes(values.variant)) {
    io.stderr.write(`iterpin replay: unknown variant '${values.variant}' for ${binding.spec} (known: ${binding.variants.join(', ')})\n`);
    return EXIT.usage;
  }
  if (values.against !== undefined) {
    if (!binding.variants.includes(values.against)) {
      io.stderr.write(`iterpin replay: unknown variant '${values.against}' for ${binding.spec} (known: ${binding.variants.join(', ')})\n`);
      return EXIT.usage;
    }
    if (values.variant !== undefined || expect !== undefined) {
      io.stderr.write('iterpin replay: --against runs the trace on its own variant and on the other; it takes no --variant or --expect\n');
      return EXIT.usage;
    }
    const { report, otherStates } = replayAgainst(trace, binding, values.against, { file });
    const timeline = againstTimeline(trace, binding, report, otherStates, 'replay');
    if (!(await writeHtml(timeline, `iterpin replay ${basename(file)} --against ${values.against}`))) return EXIT.cantCreate;
    io.stdout.write(
      values.json
        ? renderAgainstJson(report)
        : values.markdown
          ? replayMarkdown(file, report.verdict === 'bad-trace' ? [`bad-trace: ${report.reason}`] : [report.ownVerdictLine, `${report.verdict}: ${report.summary}`], timeline)
          : renderAgainstText(report),
    );
    return againstExitCode(report);
  }
  const pictured = html !== undefined || values.markdown;
  const report = replay(trace, binding, {
    file,
    ...(values.variant !== undefined ? { variant: values.variant } : {}),
    quiet: values.brief && !values.json && !pictured,
  });
  const timeline = report.verdict === 'bad-trace' ? undefined : replayTimeline(trace, binding, report, 'replay');
  if (!(await writeHtml(timeline, `iterpin replay ${basename(file)}`))) return EXIT.cantCreate;
  if (values.markdown && !values.json) {
    io.stdout.write(replayMarkdown(file, [verdictLine(report)], timeline));
    return replayExitCode(report, expect);
  }
  return emit(report);
}

export const command: Command = {
  name: 'replay',
  summary: 'replay a trace on the reference implementation',
  help: HELP,
  run,
};
