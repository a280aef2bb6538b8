// The review's diff against a base revision and the content keys of its result cache.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffReviews, renderDiffMarkdown, renderDiffText } from '../../src/review/diff.js';
import type { ReviewCell, ReviewReport, ReviewRow } from '../../src/review/matrix.js';
import { moduleClosure, readCached, runKey, writeCached } from '../../src/review/cache.js';

const holds = (invariant: string, distinct = 10): ReviewCell => ({ invariant, status: 'holds', distinct });
const violated = (invariant: string, length: number): ReviewCell => ({ invariant, status: 'violated', length, replayOwn: 'reproduced', replayFinal: 'diverged' });
const row = (variant: string, cells: ReviewCell[], agrees = true): ReviewRow => ({
  variant,
  final: variant === 'v1',
  cells,
  expects: [],
  agrees,
  disagreements: agrees ? [] : ['M expects success, but Inv is violated'],
});
const report = (invariants: string[], rows: ReviewRow[]): ReviewReport => ({ seconds: 1, ok: true, specs: [{ spec: 'S', finalVariant: 'v1', invariants, rows }] });

describe('review --base diff', () => {
  const before = report(['TypeOK', 'Inv'], [row('v1', [holds('TypeOK'), holds('Inv')]), row('bug-a', [holds('TypeOK'), violated('Inv', 4)]), row('gone', [holds('TypeOK'), holds('Inv')])]);

  it('nothing changed: no spec listed, exit-worthy ok', () => {
    const d = diffReviews('HEAD~1', before, before, 1);
    expect(d.specs).toEqual([]);
    expect(d.ok).toBe(true);
    expect(renderDiffText(d)).toContain('nothing changed');
  });

  it('names added and removed variants and invariants, flipped verdicts and moved counts', () => {
    const after = report(
      ['TypeOK', 'Inv', 'NewInv'],
      [
        row('v1', [holds('TypeOK', 12), holds('Inv', 12), holds('NewInv', 12)]),
        row('bug-a', [holds('TypeOK'), violated('Inv', 6), holds('NewInv')]),
        row('bug-b', [holds('TypeOK'), violated('Inv', 3), holds('NewInv')]),
      ],
    );
    const d = diffReviews('HEAD~1', before, after, 1);
    const [s] = d.specs;
    expect(s?.invariantsAdded).toEqual(['NewInv']);
    expect(s?.rows.map((r) => [r.variant, r.kind])).toEqual([['v1', 'changed'], ['bug-a', 'changed'], ['bug-b', 'added'], ['gone', 'removed']]);
    expect(s?.rows[0]?.changes.map((c) => `${c.invariant} ${c.what} ${c.before}→${c.after}`)).toEqual(['TypeOK distinct states 10→12', 'Inv distinct states 10→12']);
    expect(s?.rows[1]?.changes.map((c) => `${c.what} ${c.before}→${c.after}`)).toEqual(['counterexample length 4→6']);
    expect(d.ok).toBe(true);
    const md = renderDiffMarkdown(d);
    expect(md).toContain('| new | `bug-b` | ✓ | ✗ 3 | ✓ | agrees |');
    expect(md).toContain('- invariant `NewInv` added');
    expect(md).toContain('- variant `gone` removed');
    expect(md).not.toContain('`bug-a` | ✓ | ✗ 6 | ✓ | agrees |\n| new');
  });

  it('a changed row that disagrees with the manifest makes the diff fail; a verdict flip is named', () => {
    const after = report(['TypeOK', 'Inv'], [row('v1', [holds('TypeOK'), violated('Inv', 2)], false), before.specs[0]!.rows[1]!, before.specs[0]!.rows[2]!]);
    const d = diffReviews('main', before, after, 1);
    expect(d.ok).toBe(false);
    expect(d.specs[0]?.rows[0]?.changes[0]).toMatchObject({ invariant: 'Inv', what: 'verdict', before: 'holds', after: 'violated (2 states)' });
    expect(renderDiffText(d)).toMatch(/~ v1: Inv verdict holds → violated \(2 states\); manifest agrees → disagrees; DISAGREES/);
  });

  it('a row that moved to another final-design model says so; a base revision that named no model says nothing', () => {
    const on = (r: ReviewRow, model?: string): ReviewRow => ({ ...r, ...(model !== undefined ? { model } : {}) });
    const [v1, bugA, gone] = before.specs[0]!.rows;
    const moved = report(['TypeOK', 'Inv'], [on(v1!, 'MC'), on(bugA!, 'MCFail'), on(gone!, 'MC')]);
    const d = diffReviews('HEAD~1', report(['TypeOK', 'Inv'], [on(v1!, 'MC'), on(bugA!, 'MC'), on(gone!, 'MC')]), moved, 1);
    expect(d.specs[0]?.rows.map((r) => [r.variant, r.changes.map((c) => `${c.what} ${c.before}→${c.after}`)])).toEqual([['bug-a', ['model MC→MCFail']]]);
    expect(diffReviews('HEAD~1', before, moved, 1).specs).toEqual([]);
  });
});

describe('review result cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iterpin-cache-test-'));
  writeFileSync(join(dir, 'MC.tla'), '---- MODULE MC ----\nEXTENDS Spec, TLC\n====\n');
  writeFileSync(join(dir, 'Spec.tla'), '---- MODULE Spec ----\nEXTENDS Naturals\nHelp == INSTANCE Helper\n====\n');
  writeFileSync(join(dir, 'Helper.tla'), '---- MODULE Helper ----\n====\n');
  writeFileSync(join(dir, 'Other.tla'), '---- MODULE Other ----\n====\n');

  it('the key covers the module closure, the cfg and the jar, and nothing else', async () => {
    expect((await moduleClosure(dir, 'MC')).map((m) => m.name)).toEqual(['Helper', 'MC', 'Spec']);
    const k = await runKey(dir, 'MC', 'INIT Init\n', 'jar1');
    expect(await runKey(dir, 'MC', 'INIT Init\n', 'jar1')).toBe(k);
    expect(await runKey(dir, 'MC', 'INIT Init2\n', 'jar1')).not.toBe(k);
    expect(await runKey(dir, 'MC', 'INIT Init\n', 'jar2')).not.toBe(k);
    writeFileSync(join(dir, 'Other.tla'), '---- MODULE Other ----\nX == 1\n====\n');
    expect(await runKey(dir, 'MC', 'INIT Init\n', 'jar1')).toBe(k);
    writeFileSync(join(dir, 'Helper.tla'), '---- MODULE Helper ----\nY == 2\n====\n');
    expect(await runKey(dir, 'MC', 'INIT Init\n', 'jar1')).not.toBe(k);
  });

  it('the module may be named by its file, as the manifest names it: the closure and the key are the same', async () => {
    expect((await moduleClosure(dir, 'MC.tla')).map((m) => m.name)).toEqual(['Helper', 'MC', 'Spec']);
    const k = await runKey(dir, 'MC.tla', 'INIT Init\n', 'jar1');
    writeFileSync(join(dir, 'Spec.tla'), '---- MODULE Spec ----\nEXTENDS Naturals\nHelp == INSTANCE Helper\nZ == 3\n====\n');
    expect(await runKey(dir, 'MC.tla', 'INIT Init\n', 'jar1')).not.toBe(k);
  });

  it('stores and reads back a run; a damaged entry is a miss', async () => {
    const cache = join(dir, 'cache');
    await writeCached(cache, 'abc', { outcome: 'success', distinct: 7, seconds: 1.5 });
    expect(await readCached(cache, 'abc')).toMatchObject({ outcome: 'success', distinct: 7 });
    writeFileSync(join(cache, 'bad.json'), '{"outcome":');
    expect(await readCached(cache, 'bad')).toBeUndefined();
    expect(await readCached(cache, 'absent')).toBeUndefined();
  });
});
