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
  it('replay --against --markdown: both variants, an arrow per step, the failure and the final design\'s kernel calls as notes', async () => {
    const r = await runCli(['replay', 'test/fixtures/traces/MCPageLifetimeBugDioReffed.itf.json', '--against', 'v6.5', '--markdown'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(fixture('MCPageLifetimeBugDioReffed-against-v6.5.md', r.stdout));
    const [own, fix] = diagrams(r.stdout);
    for (const d of [own!, fix!]) {
      const lines = d.trim().split('\n');
      expect(lines[0]).toBe('sequenceDiagram');
      expect(lines.filter((l) => /^ {2}participant /.test(l)).map((l) => l.split(' as ')[1])).toEqual(['task', 'bio', 'device', 'completion']);
      expect(lines.filter((l) => /->>|-x/.test(l))).toHaveLength(5);
      for (const l of lines) expect(l).not.toMatch(/[;#]/);
    }
    expect(own).toMatch(/completion->>bio: 4 bio_endio, bio_release_pages \(DIO 1, bio 1\)\n {2}Note over completion,bio: NoLeakInv fails: no bio is live, yet page 3 has refcount 2047/);
    expect(own).toMatch(/Note over task: bug-dio-reffed: .*put_page\(page 3\)/);
    expect(fix).toMatch(/Note over completion: v6\.5: .*unpin_user_page\(page 3\)/);
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
