// The review of a git revision (`review --base REV`): the revision's spec/, src/ and build files are taken out
// with `git archive` into a temporary directory, compiled there with the working tree's TypeScript, and that
// revision's own `iterpin review --json` runs on them — its specs on its implementation — sharing the TLC jar
// and, when the revision knows it, the result cache, so models that did not change are not checked twice.

import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReviewReport } from './matrix.js';
import { runCommand } from '../tlc/process.js';
import { CACHE_ENV, jarCacheDir } from '../tlc/jar.js';
import { err, ok, type Result } from '../shared/result.js';

export interface BaseOptions {
  /** The working tree (a git checkout). */
  readonly root: string;
  readonly rev: string;
  readonly specs?: readonly string[];
  readonly runner: string;
  readonly jobs: number;
  readonly timeoutSeconds: number;
  readonly heap: string;
  readonly cacheDir?: string;
  readonly env: NodeJS.ProcessEnv;
  /** Progress lines (what is being done to the revision). */
  readonly say?: (line: string) => void;
}

/** What `git archive` takes from the revision: whatever of these it has. */
const TAKEN = ['spec', 'src', 'bin', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];
const LONG = 60 * 60 * 1000;

async function git(root: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Result<string, string>> {
  const r = await runCommand('git', ['-C', root, ...args], { env, timeoutMs: 120_000 });
  if (r.kind === 'spawn-failed') return err(`git cannot run (${r.code})`);
  if (r.kind === 'timeout') return err(`git ${args[0] ?? ''} timed out`);
  if (r.code !== 0) return err(r.stderr.trim().split('\n')[0] ?? `git ${args[0] ?? ''} failed`);
  return ok(r.stdout);
}

/** The full commit id REV names in the working tree's repository. */
export async function resolveRevision(root: string, rev: string, env: NodeJS.ProcessEnv): Promise<Result<string, string>> {
  if (rev.startsWith('-')) return err(`'${rev}' is not a revision`);
  const r = await git(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], env);
  if (!r.ok || r.value.trim() === '') return err(`'${rev}' names no commit in ${root}`);
  return ok(r.value.trim());
}

export async function reviewAtRevision(o: BaseOptions): Promise<Result<{ commit: string; report: ReviewReport }, string>> {
  const commit = await resolveRevision(o.root, o.rev, o.env);
  if (!commit.ok) return commit;
  const tmp = await mkdtemp(join(tmpdir(), 'iterpin-base-'));
  try {
    const tree = join(tmp, 'tree');
    await mkdir(tree);
    const listed = await git(o.root, ['ls-tree', '--name-only', commit.value], o.env);
    if (!listed.ok) return listed;
    const have = new Set(listed.value.split('\n'));
    const paths = TAKEN.filter((p) => have.has(p));
    if (!have.has('spec') || !have.has('src')) return err(`${o.rev} (${commit.value.slice(0, 12)}) has no spec/ and src/ to review`);
    o.say?.(`${o.rev}: taking ${paths.join(', ')} of ${commit.value.slice(0, 12)}`);
    const tar = join(tmp, 'base.tar');
    const archived = await git(o.root, ['archive', '--format=tar', '-o', tar, commit.value, '--', ...paths], o.env);
    if (!archived.ok) return archived;
    const untar = await runCommand('tar', ['-xf', tar, '-C', tree], { env: o.env, timeoutMs: 120_000 });
    if (untar.kind !== 'exited' || untar.code !== 0) return err(`cannot unpack ${o.rev}'s files (${untar.kind === 'exited' ? untar.stderr.trim() : untar.kind})`);
    await symlink(join(o.root, 'node_modules'), join(tree, 'node_modules'), 'dir');
    o.say?.(`${o.rev}: compiling its src/`);
    const tsc = join(o.root, 'node_modules', 'typescript', 'bin', 'tsc');
    const built = await runCommand(process.execPath, [tsc, '-p', join(tree, 'tsconfig.build.json')], { cwd: tree, env: o.env, timeoutMs: 600_000 });
    if (built.kind !== 'exited' || built.code !== 0) {
      const why = built.kind === 'exited' ? (built.stdout + built.stderr).trim().split('\n').slice(0, 3).join(' / ') : built.kind;
      return err(`${o.rev}'s src/ does not compile: ${why}`);
    }
    const cli = join(tree, 'bin', 'iterpin.js');
    const env = { ...o.env, [CACHE_ENV]: jarCacheDir(o.root, o.env) };
    const help = await runCommand(process.execPath, [cli, 'review', '--help'], { cwd: tree, env, timeoutMs: 60_000 });
    const knowsCache = help.kind === 'exited' && help.stdout.includes('--cache-dir');
    const args = [
      cli,
      'review',
      '--json',
      '--out',
      join(tmp, 'out'),
      '--runner',
      o.runner,
      '--jobs',
      String(o.jobs),
      '--timeout',
      String(o.timeoutSeconds),
      '--heap',
      o.heap,
      ...(o.specs ?? []).flatMap((s) => ['--spec', s]),
      ...(knowsCache ? (o.cacheDir !== undefined ? ['--cache-dir', o.cacheDir] : ['--no-cache']) : []),
    ];
    o.say?.(`${o.rev}: iterpin review${knowsCache ? '' : ' (this revision has no result cache)'}`);
    const run = await runCommand(process.execPath, args, { cwd: tree, env, timeoutMs: LONG });
    if (run.kind !== 'exited') return err(`${o.rev}'s review ${run.kind === 'timeout' ? 'timed out' : `did not start (${run.code})`}`);
    if (run.code !== 0 && run.code !== 1) {
      return err(`${o.rev}'s review failed (exit ${run.code ?? run.signal}): ${run.stderr.trim().split('\n').slice(-2).join(' / ')}`);
    }
    try {
      const report = JSON.parse(run.stdout) as ReviewReport;
      if (!Array.isArray(report.specs)) return err(`${o.rev}'s review printed no matrix`);
      return ok({ commit: commit.value, report });
    } catch {
      return err(`${o.rev}'s review printed no JSON: ${run.stdout.slice(0, 120)}`);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
