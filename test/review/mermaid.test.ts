// Mermaid sequence diagrams in `replay --markdown` and `review --markdown`, checked against fixture text made
// from checked-in TLC counterexamples (ITERPIN_UPDATE_FIXTURES=1 rewrites the fixtures).
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../cli-harness.js';
import { readTraceFixture } from '../tlc-harness.js';
import { binding as spliceRead } from '../../src/trace/bindings/splice_read.js';
import { replayAgainst } from '../../src/trace/against.js';
import { againstTimeline } from '../../src/review/timeline.js';
import { mermaidText, reviewDiagram } from '../../src/review/mermaid.js';

const root = join(import.meta.dirname, '..', '..');
const update = process.env['ITERPIN_UPDATE_FIXTURES'] === '1';

function fixture(name: string, text: string): string {
  const file = join(root, 'test', 'fixtures', 'mermaid', name);
  if (update) writeFileSync(file, text);
  return readFileSync(file, 'utf8');
}

/** The diagram blocks of a Markdown text. */
const diagrams = (md: string): string[] => [...md.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('Mermaid sequence diagrams', () => {
  it('replay --against --markdown: both variants, an arrow per step, the failure and each variant\'s own kernel calls as notes', async () => {
    const fixtureTrace = 'MCSpliceReadPipeExtractNoRef';
    const trace = await readTraceFixture(fixtureTrace);
    const r = await runCli(['replay', `test/fixtures/traces/${fixtureTrace}.itf.json`, '--against', 'copy-splice-read', '--markdown'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(fixture(`${fixtureTrace}-against-copy-splice-read.md`, r.stdout));
    const [own, fix] = diagrams(r.stdout);
    for (const d of [own!, fix!]) {
      const lines = d.trim().split('\n');
      expect(lines[0]).toBe('sequenceDiagram');
      expect(lines.filter((l) => /^ {2}participant /.test(l)).map((l) => l.split(' as ')[1])).toEqual(['task', 'pipe', 'bio', 'truncate']);
      expect(lines.filter((l) => /->>|-x/.test(l))).toHaveLength(trace.states.length);
      for (const l of lines) expect(l).not.toMatch(/[;#]/);
    }
    expect(own).toMatch(/task->>pipe: 8 iov_iter_revert 6144 bytes\n {2}Note over task,pipe: NoUseAfterFreeInv fails: bio 2 targets page 2, which is free/);
    expect(own).toMatch(/Note over task: pipe-extract-no-ref: .*put_page\(page 2\): refcount 1 → 0/);
    expect(fix).toMatch(/Note over task: copy-splice-read: iov_iter_revert\(ITER_BVEC, 6144\)/);
    expect(fix).not.toMatch(/fails:/);
  });

  it('the review diagram of the syzbot corruption: pipe, bio, allocator and completion, the refusal of the final design as a note', async () => {
    const trace = await readTraceFixture('MCSpliceReadPipeExtractNoRefCorruption');
    const { report, otherStates } = replayAgainst(trace, spliceRead, 'copy-splice-read');
    const t = againstTimeline(trace, spliceRead, report, otherStates, 'x')!;
    const text = reviewDiagram(t);
    expect(text).toBe(fixture('MCSpliceReadPipeExtractNoRefCorruption-review.md', text));
    const d = diagrams(`${text}\n`)[0]!;
    for (const p of ['task', 'pipe', 'bio', 'completion', 'allocator']) expect(d).toMatch(new RegExp(`participant ${p} as ${p}\\n`));
    expect(d.split('\n').filter((l) => l.includes('->>'))).toHaveLength(trace.states.length);
    expect(d).toMatch(/allocator->>allocator: 9 alloc_page\(\) hands page 2 to another user\n {2}Note over allocator: copy-splice-read refuses this: page 2 is not free/);
    expect(d).toMatch(/Note over completion,bio: NoCorruptionInv fails: /);
  });

  it('message text never carries Mermaid syntax', () => {
    expect(mermaidText('a; b # c %% d <<1>>\nnext')).toBe('a, b no. c % d ‹‹1›› next');
  });
});
