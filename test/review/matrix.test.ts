// The review matrix's agreement rule and its renderers.
import { describe, it, expect } from 'vitest';
import { disagreements, type ReviewCell, type ReviewReport } from '../../src/review/matrix.js';
import { renderReviewMarkdown, renderReviewText } from '../../src/review/render.js';

const holds = (invariant: string): ReviewCell => ({ invariant, status: 'holds' });
const violated = (invariant: string, own: ReviewCell['replayOwn'], onFinal: ReviewCell['replayFinal']): ReviewCell => ({
  invariant,
  status: 'violated',
  length: 3,
  replayOwn: own,
  replayFinal: onFinal,
  replayFinalStep: 1,
});

describe('review agreement', () => {
  it('a bug row agrees when the expected invariant is violated, reproduced on its variant and not on the final design', () => {
    const cells = [holds('TypeOK'), violated('NoStallInv', 'reproduced', 'diverged')];
    expect(disagreements(cells, false, [{ model: 'M', expect: { result: 'safety', invariant: 'NoStallInv' } }])).toEqual([]);
  });

  it('flags an expected violation that holds, a replay that is not reproduced, and one reproduced on the final design', () => {
    const expectNoStall = [{ model: 'M', expect: { result: 'safety' as const, invariant: 'NoStallInv' } }];
    expect(disagreements([holds('NoStallInv')], false, expectNoStall)).toEqual(['M expects NoStallInv violated, but it holds']);
    expect(disagreements([violated('NoStallInv', 'diverged', 'diverged')], false, expectNoStall)[0]).toMatch(/replays as diverged on its own variant/);
    expect(disagreements([violated('NoStallInv', 'reproduced', 'reproduced')], false, expectNoStall)[0]).toMatch(/reproduced on the final design too/);
  });

  it('the final design must violate nothing, and a success expectation must hold everywhere', () => {
    const out = disagreements([violated('NoLeakInv', 'reproduced', undefined)], true, [{ model: 'M', expect: { result: 'success' } }]);
    expect(out).toContain('M expects success, but NoLeakInv is violated');
    expect(out).toContain('the final design violates NoLeakInv');
  });

  it('a counterexample whose actions still break the invariant on the final design is a disagreement', () => {
    const cell: ReviewCell = { ...violated('NoStallInv', 'reproduced', 'diverged'), onFinal: { verdict: 'parts', summary: '…', invariantHolds: false } };
    expect(disagreements([cell], false, [])).toEqual(["NoStallInv: the counterexample's actions violate it on the final design too"]);
  });

  it('TLC errors and time-outs are disagreements', () => {
    expect(disagreements([{ invariant: 'TypeOK', status: 'timeout' }], false, [])).toEqual(['TypeOK: TLC timeout']);
  });
});

describe('review renderers', () => {
  const report: ReviewReport = {
    seconds: 1.5,
    ok: true,
    specs: [
      {
        spec: 'IovIter',
        finalVariant: 'v6.6',
        invariants: ['TypeOK', 'NoStallInv'],
        rows: [
          { variant: 'v6.6', final: true, cells: [holds('TypeOK'), holds('NoStallInv')], expects: [], agrees: true, disagreements: [] },
          {
            variant: 'bug-clobber-maxsize',
            final: false,
            cells: [
              holds('TypeOK'),
              {
                ...violated('NoStallInv', 'reproduced', 'diverged'),
                onFinal: { verdict: 'parts', summary: 'the same actions part at step 1 Extract(…): ret 0 vs ret 1; NoStallInv holds on v6.6 through step 1', invariantHolds: true },
              },
            ],
            expects: [],
            agrees: true,
            disagreements: [],
          },
        ],
      },
    ],
  };

  it('Markdown has one table row per variant and one line per counterexample', () => {
    const md = renderReviewMarkdown(report);
    expect(md).toContain('| variant | `TypeOK` | `NoStallInv` | manifest |');
    expect(md).toContain('| **`v6.6`** | ✓ | ✓ | agrees |');
    expect(md).toContain('| `bug-clobber-maxsize` | ✓ | ✗ 3 | agrees |');
    expect(md).toContain(
      '- `bug-clobber-maxsize` violates `NoStallInv` in 3 states — own variant: reproduced; the same actions on v6.6: the same actions part at step 1 Extract(…): ret 0 vs ret 1; NoStallInv holds on v6.6 through step 1',
    );
    expect(md).not.toMatch(/diverged at step/);
  });

  it("a row run on another final-design model than the spec's first names that model in the headline and its counterexample lines", () => {
    const spec = report.specs[0]!;
    const moved: ReviewReport = {
      ...report,
      specs: [{ ...spec, model: 'MCIovIter', rows: [{ ...spec.rows[0]!, model: 'MCIovIter' }, { ...spec.rows[1]!, model: 'MCIovIterFail' }] }],
    };
    const text = renderReviewText(moved);
    expect(text).toContain("IovIter (final design: v6.6 on MCIovIter; bug-clobber-maxsize on MCIovIterFail (the final design's model of the configuration its own model has))");
    expect(text).toMatch(/^ {2}bug-clobber-maxsize ✗ NoStallInv \(3 states, on MCIovIterFail\): own variant: reproduced/m);
    const md = renderReviewMarkdown(moved);
    expect(md).toContain("Final design: `v6.6` on `MCIovIter`; `bug-clobber-maxsize` on `MCIovIterFail` (the final design's model of the configuration its own model has).");
    expect(md).toContain('- `bug-clobber-maxsize` violates `NoStallInv` in 3 states (on `MCIovIterFail`) — own variant');
    // A row on the spec's first model is not singled out.
    expect(renderReviewText({ ...report, specs: [{ ...spec, model: 'MCIovIter' }] })).toContain('IovIter (final design: v6.6 on MCIovIter)\n');
  });

  it('the terminal table aligns its columns', () => {
    const lines = renderReviewText(report).split('\n');
    const header = lines.find((l) => l.includes('variant'))!;
    const row = lines.find((l) => l.includes('bug-clobber-maxsize') && l.includes('agrees'))!;
    expect(row.indexOf('agrees')).toBe(header.indexOf('manifest'));
  });
});
