// `replay --against`: a counterexample's actions run on another variant, side by side. The checked-in TLC
// counterexamples are the fixtures: the final designs part from the bug in kernel terms, refuse what they cannot
// do, and keep the invariant; a variant run against itself matches state for state.
import { describe, expect, it } from 'vitest';
import { binding as pageLifetime } from '../../src/trace/bindings/page_lifetime.js';
import { binding as spliceRead } from '../../src/trace/bindings/splice_read.js';
import { binding as iovIter } from '../../src/trace/bindings/iov_iter.js';
import { replayAgainst, type AgainstReport } from '../../src/trace/against.js';
import { renderAgainstText } from '../../src/trace/render_against.js';
import { readTraceFixture } from '../tlc-harness.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseItfText } from '../../src/tla/itf.js';
import { runCli } from '../cli-harness.js';

type Ran = Exclude<AgainstReport, { verdict: 'bad-trace' }>;
const ran = (r: AgainstReport): Ran => {
  if (r.verdict === 'bad-trace') throw new Error(r.reason);
  return r;
};

describe('replay --against', () => {
  it('bug-dio-reffed on v6.5: the designs part at the first GetPages (put_page against unpin_user_page), the invariant holds on v6.5', async () => {
    const trace = await readTraceFixture('MCPageLifetimeBugDioReffed');
    const { report, otherStates } = replayAgainst(trace, pageLifetime, 'v6.5');
    const r = ran(report);
    const last = trace.states.length - 1;
    expect(r.verdict).toBe('parts');
    expect(r.ownVerdict).toBe('reproduced');
    expect(r.parting?.step).toBe(1);
    expect(r.parting?.own.join('\n')).toMatch(/flags \[BIO_PAGE_REFFED\][\s\S]*put_page\(page 3\)/);
    expect(r.parting?.other.join('\n')).toMatch(/flags \[BIO_PAGE_PINNED\][\s\S]*unpin_user_page\(page 3\)/);
    expect(r.parting?.differences.map((d) => d.description)).toContain("page 3's refcount");
    expect(r.end).toMatchObject({ invariant: trace.meta.invariant, through: last, holdsAtEnd: true });
    expect(r.end.violatedAt).toBeUndefined();
    expect(otherStates).toHaveLength(trace.states.length);
    expect(r.summary).toContain(`${trace.meta.invariant} holds on v6.5 through step ${last}`);
  });

  it('the NoLeakInv round of bug-dio-reffed (a counterexample iterpin review found): the completion releases with put_page on the bug, unpin_user_page on v6.5', async () => {
    const parsed = parseItfText(await readFile(join(import.meta.dirname, '..', 'fixtures', 'review', 'PageLifetimeBugDioReffedNoLeak.itf.json'), 'utf8'));
    if (!parsed.ok) throw new Error(parsed.error.message);
    const trace = parsed.value;
    expect(trace.meta.invariant).toBe('NoLeakInv');
    const r = ran(replayAgainst(trace, pageLifetime, 'v6.5').report);
    expect(r.ownVerdict).toBe('reproduced');
    const complete = r.steps.find((s) => s.name === 'Complete')!;
    expect(complete.own?.narration.join('\n')).toMatch(/bio_release_pages\(bio 1, mark dirty\): flags \[BIO_PAGE_REFFED\][\s\S]*put_page\(page 5\): refcount 1025 → 1024/);
    expect(complete.other?.narration.join('\n')).toMatch(/bio_release_pages\(bio 1, mark dirty\): flags \[BIO_PAGE_PINNED\][\s\S]*unpin_user_page\(page 5\): refcount 1025 → 1/);
    expect(complete.own?.violated).toContain('NoLeakInv');
    expect(complete.other?.violated).toEqual([]);
    expect(r.end).toMatchObject({ invariant: 'NoLeakInv', through: trace.states.length - 1, holdsAtEnd: true });
    expect(renderAgainstText(r)).toMatch(/put_page\(page 5\): refcount 1025 → 1024 +\| unpin_user_page\(page 5\): refcount 1025 → 1/);
  });

  it('the syzbot corruption on copy-splice-read: the final design refuses to hand a page it holds to another allocator', async () => {
    const trace = await readTraceFixture('MCSpliceReadPipeExtractNoRefCorruption');
    const r = ran(replayAgainst(trace, spliceRead, 'copy-splice-read').report);
    expect(r.verdict).toBe('refused');
    expect(r.refusal).toMatchObject({ step: 9, action: 'OtherAlloc(page=2)' });
    expect(r.refusal?.reason).toMatch(/page 2 is not free/);
    expect(r.parting?.other.join('\n')).toMatch(/copy_splice_read/);
    expect(r.end.violatedAt).toBeUndefined();
    expect(r.steps[10]?.other).toBeUndefined();
    const text = renderAgainstText(r);
    expect(text).toMatch(/REFUSES: page 2 is not free/);
    expect(text).toMatch(/NoCorruptionInv holds on copy-splice-read in every state it reached \(through step 8\)/);
  });

  it('a variant against itself matches every state and keeps the violation', async () => {
    const trace = await readTraceFixture('MCIovIterBugNoSkipEmpty');
    const r = ran(replayAgainst(trace, iovIter, 'bug-no-skip-empty').report);
    expect(r.verdict).toBe('same');
    expect(r.parting).toBeUndefined();
    expect(r.end).toMatchObject({ invariant: 'NoStallInv', violatedAt: 1, holdsAtEnd: false });
  });

  it('the command: side-by-side text, JSON, and clear errors for an unknown variant', async () => {
    const file = 'test/fixtures/traces/MCPageLifetimeBugSamePageMerge.itf.json';
    const text = await runCli(['replay', file, '--against', 'v6.5']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/the actions of bug-same-page-merge on v6\.5/);
    expect(text.stdout).toMatch(/first difference at step 1 GetPages/);
    const json = await runCli(['replay', file, '--against', 'v6.5', '--json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as Ran;
    expect(parsed.verdict).toBe('parts');
    expect(parsed.end.invariant).toBe((await readTraceFixture('MCPageLifetimeBugSamePageMerge')).meta.invariant);
    const bad = await runCli(['replay', file, '--against', 'v9.9']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/unknown variant 'v9\.9' for PageLifetime/);
    expect(bad.stdout).toBe('');
  });
});
