// `iterpin review --base HEAD~1` for real, kept small: a temporary git clone of this checkout whose IovIter
// binding knows two variants in HEAD~1 and adds a third in HEAD. The base revision is archived, compiled and
// reviewed by its own code; the working tree reuses the base's cached TLC results and checks only the new
// variant's models; the diff names exactly the new variant's row. Five TLC runs and one compile of the base.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReviewDiff } from '../../src/review/diff.js';
import { jarCacheDir } from '../../src/tlc/jar.js';

const root = join(import.meta.dirname, '..', '..');
const BINDING = 'trace/bindings/iov_iter';
const ALL = 'variants: IOV_ITER_VARIANTS,';
const variants = (list: readonly string[]): string =>
  `variants: IOV_ITER_VARIANTS.filter((v) => [${list.map((v) => `'${v}'`).join(', ')}].includes(v)),`;

/** Replaces the binding's variant list in one file, failing loudly when the line is not there. */
function setVariants(file: string, list: readonly string[]): void {
  const text = readFileSync(file, 'utf8');
  const line = /variants: IOV_ITER_VARIANTS(\.filter\([^\n]*\))?,/;
  expect(text, `${file} has no variant list to edit`).toMatch(line);
  writeFileSync(file, text.replace(line, variants(list)));
}

describe('iterpin review --base (real TLC, small)', () => {
  it('a commit that adds a variant: exactly that row is new, and the unchanged models come from the cache', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'iterpin-base-test-'));
    const clone = join(tmp, 'clone');
    for (const p of ['spec', 'src', 'bin', 'package.json', 'tsconfig.json', 'tsconfig.build.json', '.gitignore']) {
      cpSync(join(root, p), join(clone, p), { recursive: true });
    }
    expect(readFileSync(join(clone, 'src', `${BINDING}.ts`), 'utf8')).toContain(ALL);
    const git = (...args: string[]): string =>
      execFileSync('git', ['-C', clone, ...args], {
        encoding: 'utf8',
        env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
      });
    git('init', '-q');
    setVariants(join(clone, 'src', `${BINDING}.ts`), ['v6.6', 'bug-kvec-offset']);
    git('add', '-A');
    git('commit', '-qm', 'IovIter reviewed on two variants');
    const head = ['v6.6', 'bug-kvec-offset', 'bug-no-skip-empty'];
    setVariants(join(clone, 'src', `${BINDING}.ts`), head);
    git('commit', '-qam', 'IovIter: the bug-no-skip-empty variant');
    // The working tree runs compiled: this checkout's dist/ with the same one-line edit (one compile saved).
    cpSync(join(root, 'dist'), join(clone, 'dist'), { recursive: true });
    setVariants(join(clone, 'dist', `${BINDING}.js`), head);
    symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'), 'dir');

    const cache = join(tmp, 'cache');
    const out = join(tmp, 'out');
    const r = await promisify(execFile)(
      process.execPath,
      [join(clone, 'bin', 'iterpin.js'), 'review', '--base', 'HEAD~1', '--spec', 'IovIter', '--json', '--jobs', '2', '--cache-dir', cache, '--out', out],
      { cwd: clone, encoding: 'utf8', env: { ...process.env, ITERPIN_TLC_CACHE: jarCacheDir(root) }, timeout: 900_000, maxBuffer: 64 << 20 },
    ).catch((e: { stdout?: string; stderr?: string; code?: number }) => ({ stdout: e.stdout ?? '', stderr: `exit ${e.code}: ${e.stderr ?? ''}` }));
    expect(r.stderr).toBe('');
    const diff = JSON.parse(r.stdout) as ReviewDiff;
    expect(diff.base).toMatch(/^HEAD~1 \([0-9a-f]{12}\)$/);
    expect(diff.ok).toBe(true);
    expect(diff.specs.map((s) => [s.spec, s.kind, s.invariantsAdded, s.invariantsRemoved])).toEqual([['IovIter', 'changed', [], []]]);
    const rows = diff.specs[0]!.rows;
    expect(rows.map((x) => [x.variant, x.kind])).toEqual([['bug-no-skip-empty', 'added']]);
    const added = rows[0]!.row;
    expect(added.agrees).toBe(true);
    expect(added.cells.filter((c) => c.status === 'violated').map((c) => c.invariant)).toEqual(['NoStallInv', 'ExtractPagesExactInv']);
    // The base filled the cache (v6.6: one run; bug-kvec-offset: three, two violations and the run that passes);
    // the working tree ran TLC only for the new variant (three runs), so its run directory holds those logs and no
    // others.
    expect(readdirSync(cache).filter((f) => f.endsWith('.json'))).toHaveLength(7);
    const [runDir] = readdirSync(out).filter((d) => d.startsWith('review-'));
    const logs = readdirSync(join(out, runDir!)).filter((f) => f.endsWith('.log')).sort();
    expect(logs).toEqual(['IovIter-bug_no_skip_empty-0.log', 'IovIter-bug_no_skip_empty-1.log', 'IovIter-bug_no_skip_empty-2.log']);
  }, 900_000);
});
