// The counterexamples of a review as timelines (for `review --html` and the diagrams of `review --markdown`):
// each violation's ITF file is read back and replayed on its own variant and, side by side, on the final design.

import type { ReviewReport } from './matrix.js';
import { anchor } from './html.js';
import { againstTimeline, replayTimeline, type Timeline } from './timeline.js';
import { loadBinding } from '../trace/bindings/index.js';
import { replayAgainst } from '../trace/against.js';
import { replay } from '../trace/replay.js';
import { loadTrace } from '../tlc/trace-file.js';

/** Key of a counterexample in the map reviewTimelines returns. */
export const cellKey = (spec: string, variant: string, invariant: string): string => anchor(spec, variant, invariant);

export async function reviewTimelines(report: ReviewReport, stdin: NodeJS.ReadableStream): Promise<Map<string, Timeline>> {
  const out = new Map<string, Timeline>();
  for (const spec of report.specs) {
    const binding = await loadBinding(spec.spec);
    if (binding === undefined) continue;
    for (const row of spec.rows) {
      for (const cell of row.cells) {
        if (cell.status !== 'violated' || cell.trace === undefined) continue;
        const loaded = await loadTrace(cell.trace, stdin);
        if (!loaded.ok) continue;
        const id = cellKey(spec.spec, row.variant, cell.invariant);
        const timeline = row.final
          ? replayTimeline(loaded.value, binding, replay(loaded.value, binding, { variant: row.variant }), id)
          : (() => {
              const { report: r, otherStates } = replayAgainst(loaded.value, binding, spec.finalVariant);
              return againstTimeline(loaded.value, binding, r, otherStates, id);
            })();
        if (timeline !== undefined) out.set(id, timeline);
      }
    }
  }
  return out;
}
