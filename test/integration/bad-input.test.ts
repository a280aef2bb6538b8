// Bad input and faults, one row each (issue 6 item 4, DESIGN.md "Quality bars"): every row asserts its exit code,
// one clear message naming the file and the problem, no stack trace, and that nothing under the out directory was
// half-written or overwritten. Real TLC runs on tiny temp models; needs java and the pinned jar (`iterpin setup`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, statfs, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { EXIT } from '../../src/cli/command.js';
import { CACHE_ENV, cachedJarPath, JAR_ENV, PINNED_JAR_NAME, projectRoot } from '../../src/tlc/jar.js';
import { ensureJar } from '../../src/tlc/setup.js';
import { findExecutable } from '../../src/tlc/process.js';
import { ENGINE_ENV } from '../../src/tlc/container.js';
import { MAX_TRACE_BYTES } from '../../src/tlc/trace-file.js';
import { parseItfText } from '../../src/tla/itf.js';

const ROOT = projectRoot();
const FIXTURE = join(ROOT, 'test', 'fixtures', 'traces', 'MCIovIterBugKvecOffset.itf.json');

// ---------------------------------------------------------------------------------------------------------------
// The workspace: tiny models in a temp manifest dir, trace files to feed replay, PATHs without java/mvn/engines.

let work: string; // everything of this file lives under it
let specDir: string; // the temp manifest's directory
let manifest: string;
let out: string; // the shared --out directory every check row writes into
let traces: string; // input files for replay and extract
let noBin: string; // an empty directory: a PATH with nothing on it
let javaOnly: string; // a PATH with java and nothing else (no mvn, docker, podman)
let emptyCache: string; // ITERPIN_TLC_CACHE without a jar
let fakeCache: string; // ITERPIN_TLC_CACHE holding a "jar" with the wrong hash
let earlierRun: string; // the run dir of a good check made before the rows

const TINY = [
  '---- MODULE MCTiny ----',
  'EXTENDS Naturals',
  'VARIABLES x, action',
  'Init == x = 0 /\\ action = [name |-> "Init"]',
  'Inc == x < 5 /\\ x\' = x + 1 /\\ action\' = [name |-> "Inc"]',
  'Done == x = 5 /\\ UNCHANGED <<x, action>>',
  'Spec == Init /\\ [][Inc \\/ Done]_<<x, action>>',
  'Small == x < 3',
  '====',
].join('\n');

/** SANY rejects it: `y` is not declared. */
const SANY_BAD = ['---- MODULE MCSany ----', 'EXTENDS Naturals', 'VARIABLE x', 'Init == x = y', "Spec == Init /\\ [][x' = x]_x", '===='].join('\n');

/** Runs for minutes with one worker: a counter to 10^8, each value a new state. */
const LONG = ['---- MODULE MCLong ----', 'EXTENDS Naturals', 'VARIABLE n', 'Init == n = 0', "Next == n < 100000000 /\\ n' = n + 1", 'Spec == Init /\\ [][Next]_n', '===='].join('\n');

const entry = (name: string, module: string, expect: object, distinct: number, depth: number): object => ({
  name, spec: 'Tiny', module, cfg: `${name}.cfg`, variant: 'v', expect, distinct, depth, purpose: 'a bad-input row',
});

/** The environment of a row: the pinned jar from the project cache, the real PATH, no container override. */
function baseEnv(over: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, [JAR_ENV]: '', [CACHE_ENV]: '' };
  delete env[ENGINE_ENV];
  return { ...env, ...over };
}

beforeAll(async () => {
  const jar = await ensureJar({ root: ROOT, env: baseEnv(), replaceBad: false });
  if (!jar.ok) throw new Error(`the pinned TLC jar is not available: ${jar.error.message}`);
  const java = findExecutable('java', process.env);
  if (java === undefined) throw new Error('java is not on PATH');

  work = await mkdtemp(join(tmpdir(), 'iterpin-bad-input-'));
  specDir = join(work, 'spec');
  out = join(work, 'out');
  traces = join(work, 'traces');
  noBin = join(work, 'bin-empty');
  javaOnly = join(work, 'bin-java');
  emptyCache = join(work, 'cache-empty');
  fakeCache = join(work, 'cache-fake');
  for (const d of [specDir, out, traces, noBin, javaOnly, emptyCache, fakeCache]) await mkdir(d, { recursive: true });
  await symlink(java, join(javaOnly, 'java'));
  await writeFile(join(fakeCache, PINNED_JAR_NAME), 'PK\u0003\u0004 not the pinned tla2tools jar\n');

  await writeFile(join(specDir, 'MCTiny.tla'), TINY);
  await writeFile(join(specDir, 'MCTinyBug.cfg'), 'SPECIFICATION Spec\nINVARIANT Small\n');
  await writeFile(join(specDir, 'MCTinyUndefinedInv.cfg'), 'SPECIFICATION Spec\nINVARIANT NoSuchInv\n');
  await writeFile(join(specDir, 'MCTinyCfgSyntax.cfg'), 'SPECIFICATION Spec\nINVARIANT Small\nVIEW\n');
  await writeFile(join(specDir, 'MCSany.tla'), SANY_BAD);
  await writeFile(join(specDir, 'MCSany.cfg'), 'SPECIFICATION Spec\n');
  await writeFile(join(specDir, 'MCLong.tla'), LONG);
  await writeFile(join(specDir, 'MCLong.cfg'), 'SPECIFICATION Spec\n');
  manifest = join(specDir, 'manifest.json');
  const models = [
    entry('MCTinyBug', 'MCTiny.tla', { result: 'safety', invariant: 'Small' }, 4, 4),
    entry('MCTinyUndefinedInv', 'MCTiny.tla', { result: 'success' }, 6, 6),
    entry('MCTinyCfgSyntax', 'MCTiny.tla', { result: 'success' }, 6, 6),
    entry('MCSany', 'MCSany.tla', { result: 'success' }, 1, 1),
    entry('MCLong', 'MCLong.tla', { result: 'success' }, 1, 1),
  ];
  await writeFile(manifest, `${JSON.stringify({ version: 1, models }, null, 2)}\n`);

  // An earlier good run whose results every row must leave alone.
  const first = await cli(['check', '--manifest', manifest, '--model', 'MCTinyBug', '--heap', '256m', '--out', out]);
  if (first.code !== EXIT.ok) throw new Error(`the earlier run failed (${first.code}): ${first.stdout}${first.stderr}`);
  earlierRun = join(out, await readlink(join(out, 'latest')));
  expect((await readdir(earlierRun)).sort()).toEqual(['MCTinyBug.itf.json', 'MCTinyBug.log', 'report.json']);

  await writeTraceInputs(join(earlierRun, 'MCTinyBug.log'));
}, 120_000);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** Input files for the replay and extract rows, all made before any row runs (so snapshots see only outputs). */
async function writeTraceInputs(tlcLog: string): Promise<void> {
  const good = readFileSync(FIXTURE, 'utf8');
  const doc = JSON.parse(good) as { '#meta': Record<string, unknown>; vars: string[]; states: Record<string, unknown>[] };
  const put = (name: string, data: string | Buffer): Promise<void> => writeFile(join(traces, name), data);
  const edit = (f: (d: typeof doc) => void): string => {
    const d = structuredClone(doc);
    f(d);
    return JSON.stringify(d, null, 1);
  };
  const step1 = (d: typeof doc): Record<string, unknown> => (d.states[1] as { action: Record<string, unknown> }).action;

  await put('good.itf.json', good);
  await put('malformed.itf.json', good.replace(/"vars":\s*\[/, '"vars": [,'));
  await put('truncated.itf.json', good.slice(0, Math.floor(good.length * 0.6)));
  await put('empty.itf.json', '');
  await put('binary.itf.json', Buffer.concat([Buffer.from(good.slice(0, 200)), Buffer.from([0, 0, 0x89, 0x50, 0x4e, 0x47, 0]), Buffer.from(good.slice(200))]));
  // Sparse: one byte over the limit without writing it.
  execFileSync('truncate', ['-s', String(MAX_TRACE_BYTES + 1), join(traces, 'huge.itf.json')]);
  await put('unknown-tag.itf.json', edit((d) => ((d.states[1] as Record<string, unknown>)['iter'] = { '#frob': [1, 2] })));
  await put('other-spec.itf.json', edit((d) => (d['#meta']['spec'] = 'PageLifetime')));
  await put('meta-variant.itf.json', edit((d) => (d['#meta']['variant'] = 'v9')));
  await put('unknown-action.itf.json', edit((d) => (step1(d)['name'] = 'Frobnicate')));
  await put('unknown-arg.itf.json', edit((d) => (step1(d)['colour'] = 3)));
  await put('missing-arg.itf.json', edit((d) => delete step1(d)['maxsize']));
  await put('missing-var.itf.json', edit((d) => delete (d.states[1] as Record<string, unknown>)['iter']));
  // Real TLC output (the earlier run's log), cut inside a message and exactly after a complete trace state.
  const log = await readFile(tlcLog, 'utf8');
  const lastState = log.lastIndexOf('@!@!@ENDMSG 2217 @!@!@\n') + '@!@!@ENDMSG 2217 @!@!@\n'.length;
  await put('cut-mid-message.log', log.slice(0, log.indexOf('@!@!@STARTMSG 2217') + 60));
  await put('cut-after-state.log', log.slice(0, lastState));
  await copyFile(join(ROOT, 'test', 'fixtures', 'tlc', 'sany-parse-error.out'), join(traces, 'sany-error.log'));
  await put('vector-missing-len.json', JSON.stringify({ iter: { type: 'KVEC', direction: 'DEST', segments: [{ addr: 1 }] }, maxsize: 4, maxpages: 1 }));
  await put('vector-not-json.json', '{"iter": {"type": "KVEC",');
  await put('vector-binary.json', Buffer.from([0x7b, 0, 0, 0x7d]));
}

// ---------------------------------------------------------------------------------------------------------------
// Running the CLI, and what a run left under out/.

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return { stream: new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }), text: () => chunks.join('') };
}

async function cli(argv: string[], env: NodeJS.ProcessEnv = baseEnv()): Promise<Outcome> {
  const o = capture();
  const e = capture();
  const code = await main(argv, { stdout: o.stream, stderr: e.stream, env, cwd: work });
  return { code, stdout: o.text(), stderr: e.text() };
}

/** `node bin/iterpin.js …` as its own process (needs `npm run build`). */
function cliProcess(argv: string[], env: NodeJS.ProcessEnv = baseEnv()): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'iterpin.js'), ...argv], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Every entry under `dir`: files by content hash, symlinks by target, directories as such. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const name of (await readdir(d)).sort()) {
      const path = join(d, name);
      const key = rel === '' ? name : `${rel}/${name}`;
      const info = await lstat(path);
      if (info.isSymbolicLink()) seen.set(key, `link:${await readlink(path)}`);
      else if (info.isDirectory()) {
        seen.set(key, 'dir');
        await walk(path, key);
      } else seen.set(key, `file:${createHash('sha256').update(await readFile(path)).digest('hex')}`);
    }
  };
  await walk(dir, '');
  return seen;
}

/**
 * Nothing earlier was changed or lost (only `latest` may move, and it must name a complete run), nothing new is a
 * temporary or partial file, every new counterexample decodes and every new report parses. Returns the new run dirs.
 */
async function checkOutDir(before: Map<string, string>, dir = out): Promise<string[]> {
  const after = await snapshot(dir);
  for (const [key, what] of before) {
    if (key === 'latest') continue;
    expect(after.get(key), `${key} was changed or removed`).toBe(what);
  }
  const latest = after.get('latest');
  expect(latest, 'out/latest is gone').toMatch(/^link:check-/);
  const latestDir = (latest as string).slice('link:'.length);
  expect(after.get(`${latestDir}/report.json`), 'out/latest names a run without report.json').toMatch(/^file:/);
  const created = [...after.keys()].filter((k) => !before.has(k));
  for (const key of created) {
    const name = key.split('/').at(-1) as string;
    expect(name, `${key} is a temporary file`).not.toMatch(/\.tmp$|^\./);
    if (name.endsWith('.itf.json')) expect(parseItfText(await readFile(join(dir, key), 'utf8')).ok, `${key} is not a complete ITF trace`).toBe(true);
    if (name === 'report.json') expect(JSON.parse(await readFile(join(dir, key), 'utf8')) as unknown).toHaveProperty('models');
  }
  return created.filter((k) => !k.includes('/') && after.get(k) === 'dir');
}

// ---------------------------------------------------------------------------------------------------------------
// The table

interface Row {
  readonly name: string;
  readonly run: () => Promise<Outcome>;
  readonly exit: number;
  /** Where the message is and what it says: the file (or program) and the problem. */
  readonly stream: 'stdout' | 'stderr';
  readonly message: () => RegExp;
  /** stderr is exactly that one line. */
  readonly oneLine?: boolean;
  /** Run dirs the row creates under out/ (default 0); with files, exactly these files in the new one. */
  readonly newRuns?: number;
  readonly files?: readonly string[];
  /** Extra assertions after the common ones. */
  readonly also?: (o: Outcome, newRuns: string[]) => Promise<void> | void;
}

const t = (name: string): string => join(traces, name);
const re = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const check = (args: string[], env?: NodeJS.ProcessEnv): Promise<Outcome> =>
  cli(['check', '--manifest', manifest, '--heap', '256m', '--out', out, ...args], env);
const replayOf = (file: string, ...args: string[]): Promise<Outcome> => cli(['replay', t(file), '--brief', ...args]);
const badTrace = (file: string, problem: string): RegExp => new RegExp(`^bad-trace: ${re(t(file))}: ${problem}`, 'm');

const REPLAY_ROWS: Row[] = [
  { name: 'replay: malformed JSON', run: () => replayOf('malformed.itf.json'), exit: EXIT.badInput, stream: 'stdout', message: () => badTrace('malformed.itf.json', 'line \\d+, col \\d+: not valid JSON: ') },
  { name: 'replay: truncated ITF', run: () => replayOf('truncated.itf.json'), exit: EXIT.badInput, stream: 'stdout', message: () => badTrace('truncated.itf.json', 'line \\d+, col \\d+: not valid JSON: ') },
  { name: 'replay: TLC output cut inside a message', run: () => replayOf('cut-mid-message.log'), exit: EXIT.badInput, stream: 'stdout', message: () => badTrace('cut-mid-message.log', 'line \\d+: message is not terminated') },
  { name: 'replay: TLC output cut right after a complete trace state', run: () => replayOf('cut-after-state.log'), exit: EXIT.badInput, stream: 'stdout', message: () => badTrace('cut-after-state.log', "TLC output ends before TLC's final message") },
  { name: 'replay: empty file', run: () => replayOf('empty.itf.json'), exit: EXIT.badInput, stream: 'stdout', message: () => badTrace('empty.itf.json', 'the file is empty') },
  { name: 'replay: binary file (NUL bytes)', run: () => replayOf('binary.itf.json'), exit: EXIT.badInput, stream: 'stdout', message: () => badTrace('binary.itf.json', 'binary data, not a trace') },
  { name: 'replay: huge file (sparse, one byte over the limit)', run: () => replayOf('huge.itf.json'), exit: EXIT.badInput, stream: 'stdout', message: () => badTrace('huge.itf.json', `${MAX_TRACE_BYTES + 1} bytes is larger than the ${MAX_TRACE_BYTES}-byte limit`) },
  { name: 'replay: no such file', run: () => replayOf('absent.itf.json'), exit: EXIT.noInput, stream: 'stderr', oneLine: true, message: () => new RegExp(`^iterpin replay: ${re(t('absent.itf.json'))}: no such file$`, 'm') },
  { name: 'replay: a directory', run: () => cli(['replay', traces]), exit: EXIT.noInput, stream: 'stderr', oneLine: true, message: () => new RegExp(`^iterpin replay: ${re(traces)}: not a regular file$`, 'm') },
  { name: "replay: ITF with an unknown '#' tag", run: () => replayOf('unknown-tag.itf.json'), exit: EXIT.badInput, stream: 'stdout', message: () => badTrace('unknown-tag.itf.json', re('$.states[1].iter["#frob"]: unknown ITF tag: "#frob"')) },
  { name: 'replay: a state lacks a variable', run: () => replayOf('missing-var.itf.json'), exit: EXIT.badInput, stream: 'stdout', message: () => badTrace('missing-var.itf.json', re('$.states[1].iter: state lacks a variable')) },
  {
    name: "replay: #meta says PageLifetime but the variables are IovIter's",
    run: () => replayOf('other-spec.itf.json'),
    exit: EXIT.badInput,
    stream: 'stdout',
    message: () => /^bad-trace: the trace's variables are not those of PageLifetime \(missing .*; unknown .*layout/m,
    also: (o) => expect(o.stdout).toContain(`replay ${t('other-spec.itf.json')} — PageLifetime`),
  },
  { name: 'replay: --spec forces the wrong spec', run: () => replayOf('good.itf.json', '--spec', 'PageLifetime'), exit: EXIT.badInput, stream: 'stdout', message: () => /^bad-trace: the trace is for spec IovIter, not PageLifetime$/m },
  { name: 'replay: --spec names no spec', run: () => replayOf('good.itf.json', '--spec', 'Nope'), exit: EXIT.badInput, stream: 'stdout', message: () => /^bad-trace: unknown spec 'Nope' \(known: IovIter, PageLifetime, SpliceRead, IterToSg, Pipeline\)$/m },
  { name: 'replay: unknown --variant', run: () => replayOf('good.itf.json', '--variant', 'v9'), exit: EXIT.usage, stream: 'stderr', oneLine: true, message: () => /^iterpin replay: unknown variant 'v9' for IovIter \(known: v6\.6, .*\)$/m },
  { name: "replay: unknown variant in the trace's #meta", run: () => replayOf('meta-variant.itf.json'), exit: EXIT.badInput, stream: 'stdout', message: () => /^bad-trace: unknown variant 'v9' for IovIter \(known: v6\.6, .*\)$/m },
  { name: 'replay: unknown action name', run: () => replayOf('unknown-action.itf.json'), exit: EXIT.badInput, stream: 'stdout', message: () => /^bad-trace: state 1: unknown action 'Frobnicate' for IovIter$/m },
  { name: 'replay: unknown action argument', run: () => replayOf('unknown-arg.itf.json'), exit: EXIT.badInput, stream: 'stdout', message: () => /^bad-trace: state 1: action Extract has unknown argument colour \(expected: .*maxsize.*\)$/m },
  { name: 'replay: missing action argument', run: () => replayOf('missing-arg.itf.json'), exit: EXIT.badInput, stream: 'stdout', message: () => /^bad-trace: state 1: action Extract has missing argument maxsize \(expected: .*\)$/m },
  { name: 'replay: TLC output of a run SANY stopped (no trace)', run: () => replayOf('sany-error.log'), exit: EXIT.badInput, stream: 'stdout', message: () => badTrace('sany-error.log', 'TLC output without a counterexample trace') },
  { name: 'replay: --against names no variant', run: () => cli(['replay', t('good.itf.json'), '--against', 'v9.9']), exit: EXIT.usage, stream: 'stderr', oneLine: true, message: () => /^iterpin replay: unknown variant 'v9\.9' for IovIter \(known: .*\)$/m },
  { name: 'replay: --html into a directory that does not exist', run: () => cli(['replay', t('good.itf.json'), '--html', t('no-such-dir/x.html')]), exit: EXIT.cantCreate, stream: 'stderr', oneLine: true, message: () => new RegExp(`^iterpin replay: ${re(t('no-such-dir/x.html'))}: cannot write \\(ENOENT\\)$`, 'm') },
  { name: 'review: --variant no reviewed spec has', run: () => cli(['review', '--spec', 'IovIter', '--variant', 'v9.9']), exit: EXIT.usage, stream: 'stderr', oneLine: true, message: () => /^iterpin review: no reviewed spec has variant 'v9\.9'$/m },
  { name: 'review: --variant with --base', run: () => cli(['review', '--base', 'HEAD', '--variant', 'v6.6']), exit: EXIT.usage, stream: 'stderr', oneLine: true, message: () => /^iterpin review: --variant picks rows of one review; leave out --base$/m },
  { name: 'review: --base names no commit', run: () => cli(['review', '--base', 'no-such-rev', '--spec', 'IovIter']), exit: EXIT.badInput, stream: 'stderr', oneLine: true, message: () => /^iterpin review: --base no-such-rev: 'no-such-rev' names no commit in /m },
];

const EXTRACT_ROWS: Row[] = [
  { name: 'extract: vector lacking a field', run: () => cli(['extract', '--vector', t('vector-missing-len.json')]), exit: EXIT.badInput, stream: 'stderr', oneLine: true, message: () => new RegExp(`^iterpin extract: ${re(t('vector-missing-len.json'))}: iter\\.segments\\[0\\]\\.len: expected a non-negative integer`, 'm') },
  { name: 'extract: vector that is not JSON', run: () => cli(['extract', '--vector', t('vector-not-json.json')]), exit: EXIT.badInput, stream: 'stderr', oneLine: true, message: () => new RegExp(`^iterpin extract: ${re(t('vector-not-json.json'))}: not JSON`, 'm') },
  { name: 'extract: binary vector', run: () => cli(['extract', '--vector', t('vector-binary.json')]), exit: EXIT.badInput, stream: 'stderr', oneLine: true, message: () => new RegExp(`^iterpin extract: ${re(t('vector-binary.json'))}: not JSON`, 'm') },
];

const noItf = (files: readonly string[]) => async (_o: Outcome, runs: string[]): Promise<void> => {
  expect((await readdir(join(out, runs[0] as string))).sort()).toEqual([...files].sort());
};

const CHECK_ROWS: Row[] = [
  {
    name: 'check: a cfg naming an undefined invariant',
    run: () => check(['--model', 'MCTinyUndefinedInv']),
    exit: EXIT.tlcError,
    stream: 'stdout',
    message: () => /^✗ MCTinyUndefinedInv: TLC error: \S*MCTinyUndefinedInv\.cfg: The invariant NoSuchInv specified in the configuration file is not defined/m,
    newRuns: 1,
    files: ['MCTinyUndefinedInv.log', 'report.json'],
  },
  {
    name: 'check: a cfg TLC cannot parse',
    run: () => check(['--model', 'MCTinyCfgSyntax']),
    exit: EXIT.tlcError,
    stream: 'stdout',
    message: () => /^✗ MCTinyCfgSyntax: TLC error: \S*MCTinyCfgSyntax\.cfg:\d+: .*The keyword VIEW was not followed by an identifier/m,
    newRuns: 1,
    files: ['MCTinyCfgSyntax.log', 'report.json'],
  },
  {
    name: 'check: a spec SANY rejects',
    run: () => check(['--model', 'MCSany']),
    exit: EXIT.tlcError,
    stream: 'stdout',
    message: () => /^✗ MCSany: TLC error: \S*MCSany\.tla:4:\d+: Unknown operator: `y'/m,
    newRuns: 1,
    files: ['MCSany.log', 'report.json'],
  },
  {
    name: 'check: a manifest that is not JSON',
    run: () => cli(['check', '--manifest', t('truncated.itf.json'), '--out', out]),
    exit: EXIT.badInput,
    stream: 'stderr',
    oneLine: true,
    message: () => new RegExp(re(t('truncated.itf.json'))),
  },
  {
    name: 'check: missing java (PATH without it)',
    run: () => check(['--model', 'MCTinyBug'], baseEnv({ PATH: noBin })),
    exit: EXIT.environment,
    stream: 'stderr',
    oneLine: true,
    message: () => /^iterpin check: java not found on PATH; install a Java 11\+ runtime/m,
  },
  {
    name: 'check: missing jar and missing Maven',
    run: () => check(['--model', 'MCTinyBug'], baseEnv({ PATH: javaOnly, [CACHE_ENV]: emptyCache })),
    exit: EXIT.environment,
    stream: 'stderr',
    oneLine: true,
    message: () => /^iterpin check: mvn \(Apache Maven\) not found on PATH; install it .* or set TLA2TOOLS_JAR/m,
    also: async () => expect(await readdir(emptyCache)).toEqual([]),
  },
  {
    name: 'check: TLA2TOOLS_JAR names no file',
    run: () => check(['--model', 'MCTinyBug'], baseEnv({ [JAR_ENV]: join(work, 'absent.jar') })),
    exit: EXIT.environment,
    stream: 'stderr',
    oneLine: true,
    message: () => new RegExp(`^iterpin check: TLA2TOOLS_JAR=${re(join(work, 'absent.jar'))}: no such file$`, 'm'),
  },
  {
    name: 'check: a cached jar with the wrong hash',
    run: () => check(['--model', 'MCTinyBug'], baseEnv({ [CACHE_ENV]: fakeCache })),
    exit: EXIT.untrustedJar,
    stream: 'stderr',
    oneLine: true,
    message: () => new RegExp(`^iterpin check: ${re(join(fakeCache, PINNED_JAR_NAME))}: sha256 [0-9a-f]{64} differs from the pinned [0-9a-f]{64}; refusing to run it`, 'm'),
    // check never moves or deletes the jar it refuses.
    also: async () => expect(await readFile(join(fakeCache, PINNED_JAR_NAME), 'utf8')).toContain('not the pinned'),
  },
  {
    name: 'check --runner container: ITERPIN_CONTAINER_ENGINE=podman, not on PATH',
    run: () => check(['--model', 'MCTinyBug', '--runner', 'container'], baseEnv({ PATH: javaOnly, [ENGINE_ENV]: 'podman' })),
    exit: EXIT.environment,
    stream: 'stderr',
    oneLine: true,
    message: () => /^iterpin check: ITERPIN_CONTAINER_ENGINE=podman, but podman is not on PATH$/m,
  },
  {
    name: 'check --runner container: ITERPIN_CONTAINER_ENGINE names a program that does not exist',
    run: () => check(['--model', 'MCTinyBug', '--runner', 'container'], baseEnv({ [ENGINE_ENV]: '/nonexistent/docker' })),
    exit: EXIT.environment,
    stream: 'stderr',
    oneLine: true,
    message: () => /^iterpin check: ITERPIN_CONTAINER_ENGINE=\/nonexistent\/docker: must be 'docker' or 'podman'$/m,
  },
  {
    name: 'check --runner container: neither docker nor podman on PATH',
    run: () => check(['--model', 'MCTinyBug', '--runner', 'container'], baseEnv({ PATH: javaOnly })),
    exit: EXIT.environment,
    stream: 'stderr',
    oneLine: true,
    message: () => /^iterpin check: no container engine: docker is not installed and podman is not installed; install podman/m,
  },
  {
    name: 'check: TLC past its --timeout',
    run: () => check(['--model', 'MCLong', '--timeout', '1']),
    exit: EXIT.timeout,
    stream: 'stdout',
    message: () => /^✗ MCLong: killed after its time limit \(\d+\.\d s\)$/m,
    newRuns: 1,
    files: ['MCLong.log', 'report.json'],
  },
  {
    name: 'check: --out under a regular file',
    run: () => check(['--model', 'MCTinyBug', '--out', join(t('good.itf.json'), 'out')]),
    exit: EXIT.cantCreate,
    stream: 'stderr',
    oneLine: true,
    message: () => new RegExp(`^iterpin check: ${re(join(t('good.itf.json'), 'out'))}: cannot create \\(ENOTDIR\\)$`, 'm'),
  },
  {
    name: 'check: --out is a regular file',
    run: () => check(['--model', 'MCTinyBug', '--out', t('good.itf.json')]),
    exit: EXIT.cantCreate,
    stream: 'stderr',
    oneLine: true,
    message: () => new RegExp(`^iterpin check: ${re(t('good.itf.json'))}: cannot create \\(EEXIST\\)$`, 'm'),
    also: () => expect(readFileSync(t('good.itf.json'), 'utf8')).toBe(readFileSync(FIXTURE, 'utf8')),
  },
];

function noStackTrace(o: Outcome): void {
  const all = `${o.stdout}\n${o.stderr}`;
  expect(all).not.toMatch(/internal error|^\s+at .+:\d+:\d+\)?$|Error: .*\n\s+at /m);
}

async function runRow(row: Row): Promise<void> {
  const before = await snapshot(out);
  const o = await row.run();
  const where = row.stream === 'stdout' ? o.stdout : o.stderr;
  expect(o.code, `exit code; stdout: ${o.stdout}\nstderr: ${o.stderr}`).toBe(row.exit);
  expect(where).toMatch(row.message());
  if (row.oneLine === true) expect(o.stderr.trimEnd().split('\n')).toHaveLength(1);
  noStackTrace(o);
  const runs = await checkOutDir(before);
  expect(runs, 'new run directories').toHaveLength(row.newRuns ?? 0);
  if (row.files !== undefined) await noItf(row.files)(o, runs);
  await row.also?.(o, runs);
}

describe('bad input: replay', () => {
  for (const row of REPLAY_ROWS) it(`${row.name} → exit ${row.exit}`, () => runRow(row));
});

describe('bad input: extract', () => {
  for (const row of EXTRACT_ROWS) it(`${row.name} → exit ${row.exit}`, () => runRow(row));
});

describe('faults: check and setup', () => {
  for (const row of CHECK_ROWS) it(`${row.name} → exit ${row.exit}`, () => runRow(row));

  it(`check: TLC killed mid-run (SIGKILL to the java child) → exit ${EXIT.tlcError}, no ITF`, async () => {
    const before = await snapshot(out);
    const running = check(['--model', 'MCLong']);
    const pid = await waitForTlc('MCLong.cfg', before);
    process.kill(pid, 'SIGKILL');
    const o = await running;
    expect(o.code).toBe(EXIT.tlcError);
    expect(o.stdout).toMatch(/^✗ MCLong: TLC error: TLC was killed by signal SIGKILL$/m);
    noStackTrace(o);
    const runs = await checkOutDir(before);
    expect(runs).toHaveLength(1);
    await noItf(['MCLong.log', 'report.json'])(o, runs);
    const report = JSON.parse(await readFile(join(out, runs[0] as string, 'report.json'), 'utf8')) as { models: { status: string }[] };
    expect(report.models.map((m) => m.status)).toEqual(['tlc-error']);
  });

  it(`check: an out/ on a read-only mount, holding earlier results → exit ${EXIT.cantCreate}, earlier results intact`, async () => {
    const undo = makeReadOnly(out);
    try {
      await runRow({
        name: 'read-only out',
        run: () => check(['--model', 'MCTinyBug']),
        exit: EXIT.cantCreate,
        stream: 'stderr',
        oneLine: true,
        message: () => new RegExp(`^iterpin check: ${re(out)}/check-[^:]+: cannot create \\((EROFS|EACCES)\\)$`, 'm'),
      });
    } finally {
      undo();
    }
  });

  // A full disk needs a filesystem of its own: a small tmpfs, which only root can mount.
  it.runIf(process.getuid?.() === 0)(`check: out/ on a full disk → exit ${EXIT.cantCreate}, report.json named as not written, latest unmoved`, async () => {
    const full = join(work, 'out-full');
    await mkdir(full);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full]);
    try {
      // An earlier run on it, then a filler that leaves three pages: room for the resume record, the new log and
      // ITF, not the report.
      await copyDir(earlierRun, join(full, basename(earlierRun)));
      await symlink(basename(earlierRun), join(full, 'latest'));
      const fs = await statfs(full);
      await writeFile(join(full, 'filler'), Buffer.alloc(Math.max(0, (fs.bavail - 3) * fs.bsize)));
      const before = await snapshot(full);
      const o = await check(['--model', 'MCTinyBug', '--out', full]);
      expect(o.code, o.stdout + o.stderr).toBe(EXIT.cantCreate);
      const runDir = resolve(work, /^results: (\S+)$/m.exec(o.stdout)?.[1] ?? '(no results line)');
      expect(o.stdout).toMatch(new RegExp(`^✗ not written: ${re(join(runDir, 'report.json'))}: cannot write \\(ENOSPC\\)$`, 'm'));
      noStackTrace(o);
      const runs = await checkOutDir(before, full);
      expect(runs).toEqual([basename(runDir)]);
      expect(await readlink(join(full, 'latest'))).toBe(basename(earlierRun));
      // What fitted is complete (checkOutDir decoded the ITF); what did not fit is absent, not partial.
      expect((await readdir(runDir)).sort()).toEqual(['MCTinyBug.itf.json', 'MCTinyBug.log']);
    } finally {
      execFileSync('umount', [full]);
    }
  });

  it(`two check runs at once into the same --out → both exit 0, distinct complete run dirs, latest names one`, async () => {
    if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
    const before = await snapshot(out);
    const args = ['check', '--manifest', manifest, '--model', 'MCTinyBug', '--heap', '256m', '--out', out, '--json'];
    const [a, b] = await Promise.all([cliProcess(args), cliProcess(args)]);
    for (const o of [a, b]) {
      expect(o.code, o.stderr).toBe(EXIT.ok);
      noStackTrace(o);
    }
    const dirs = [a, b].map((o) => (JSON.parse(o.stdout) as { runDir: string }).runDir);
    expect(new Set(dirs).size).toBe(2);
    const runs = await checkOutDir(before);
    expect(runs.map((r) => join(out, r)).sort()).toEqual([...dirs].sort());
    for (const d of dirs) expect((await readdir(d)).sort()).toEqual(['MCTinyBug.itf.json', 'MCTinyBug.log', 'report.json']);
    expect(dirs).toContain(join(out, await readlink(join(out, 'latest'))));
  });

  it(`setup: a cached jar with the wrong hash and no Maven → exit ${EXIT.environment}, the bad jar kept aside, not in place`, async () => {
    const cache = await mkdtemp(join(work, 'cache-setup-'));
    const fake = join(cache, PINNED_JAR_NAME);
    await writeFile(fake, 'not a jar at all\n');
    const o = await cli(['setup'], baseEnv({ PATH: javaOnly, [CACHE_ENV]: cache }));
    expect(o.code).toBe(EXIT.environment);
    expect(o.stderr).toMatch(new RegExp(`^iterpin setup: moved ${re(fake)} \\(sha256 [0-9a-f]{64}, not the pinned hash\\) to ${re(cache)}/rejected/\\S+\\.jar$`, 'm'));
    expect(o.stderr).toMatch(/^iterpin setup: mvn \(Apache Maven\) not found on PATH/m);
    noStackTrace(o);
    expect(existsSync(cachedJarPath(ROOT, { [CACHE_ENV]: cache }))).toBe(false);
    const rejected = await readdir(join(cache, 'rejected'));
    expect(rejected).toHaveLength(1);
    expect(await readFile(join(cache, 'rejected', rejected[0] as string), 'utf8')).toBe('not a jar at all\n');
    expect((await readdir(cache)).sort()).toEqual(['rejected']);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Helpers for the fault rows

/** The pid of the java child of this process running TLC on `cfg`, once TLC is past its initial states. */
async function waitForTlc(cfg: string, before: Map<string, string>): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const pid = childJava(cfg);
    if (pid !== undefined) {
      const run = [...(await snapshot(out)).keys()].find((k) => !before.has(k) && !k.includes('/') && k.startsWith('check-'));
      const log = run === undefined ? '' : await readFile(join(out, run, 'MCLong.log'), 'utf8').catch(() => '');
      // 2190: "Finished computing initial states": TLC is exploring, mid-run.
      if (log.includes('@!@!@ENDMSG 2190 @!@!@')) return pid;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no TLC process for ${cfg} got going within 30 s`);
}

/** Walks /proc for a child of this process whose command line is `java … tlc2.TLC … -config <cfg> …`. */
function childJava(cfg: string): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (argv.includes('tlc2.TLC') && argv.includes(cfg)) return Number(d);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

async function copyDir(from: string, to: string): Promise<void> {
  await mkdir(to);
  for (const f of await readdir(from)) await copyFile(join(from, f), join(to, f));
}

/**
 * Makes `dir` read-only for the rest of the row and returns the undo: a read-only bind mount of it over itself
 * (root ignores permission bits, so chmod would not do), or chmod 0555 when not running as root.
 */
function makeReadOnly(dir: string): () => void {
  if (process.getuid?.() !== 0) {
    execFileSync('chmod', ['0555', dir]);
    return () => execFileSync('chmod', ['0755', dir]);
  }
  execFileSync('mount', ['--bind', dir, dir]);
  try {
    execFileSync('mount', ['-o', 'remount,bind,ro', dir]);
  } catch (e) {
    execFileSync('umount', [dir]);
    throw e;
  }
  return () => execFileSync('umount', [dir]);
}

// The huge-file row is only honest if the input really is over the limit; and it must not fill the disk.
describe('the inputs themselves', () => {
  it('the huge trace is over the limit yet takes (almost) no disk', async () => {
    const info = await stat(t('huge.itf.json'));
    expect(info.size).toBe(MAX_TRACE_BYTES + 1);
    expect(info.blocks * 512).toBeLessThan(1024 * 1024);
  });
});
