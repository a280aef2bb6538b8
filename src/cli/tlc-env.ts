// What `check` and `review` both need before running TLC: the verified jar and a runner (host JVM or container),
// or the exit code and one-line message that explain why not.

import type { Io } from './command.js';
import { EXIT } from './command.js';
import { projectRoot } from '../tlc/jar.js';
import { ensureJar, type JarReady, type SetupErrorKind } from '../tlc/setup.js';
import { JAVA_MISSING, runTlcOnHost } from '../tlc/host.js';
import { findExecutable } from '../tlc/process.js';
import type { RunnerError, TlcRunner } from '../tlc/run.js';

export type RunnerName = 'host' | 'container';

export const JAR_EXIT: Readonly<Record<SetupErrorKind, number>> = {
  'java-missing': EXIT.environment,
  'mvn-missing': EXIT.environment,
  'download-failed': EXIT.environment,
  'jar-missing': EXIT.environment,
  'jar-unreadable': EXIT.environment,
  'tlc-failed': EXIT.environment,
  'hash-mismatch': EXIT.untrustedJar,
  io: EXIT.cantCreate,
};

/**
 * The container runner, loaded only when asked for; its notes (image builds) go to `note`. An absent engine is
 * reported here, before a run directory is made, as a missing java is.
 */
async function containerRunner(env: NodeJS.ProcessEnv, note: (line: string) => void): Promise<TlcRunner | RunnerError> {
  try {
    const { findEngine, runTlcInContainer } = await import('../tlc/container.js');
    const engine = await findEngine(env);
    if (!engine.ok) return engine.error;
    return (opts) => runTlcInContainer({ ...opts, onNote: note });
  } catch (e) {
    return { kind: 'engine-missing', message: `the container runner cannot be loaded: ${(e as Error).message}` };
  }
}

export type PreparedTlc = { ok: true; jar: JarReady; runner: TlcRunner } | { ok: false; exit: number; message: string };

/** Fetches/verifies the jar (fetching it when absent) and picks the runner. */
export async function prepareTlc(runner: RunnerName, io: Io, say: (line: string) => void): Promise<PreparedTlc> {
  const jar = await ensureJar({ root: projectRoot(), env: io.env, replaceBad: false, note: say });
  if (!jar.ok) return { ok: false, exit: JAR_EXIT[jar.error.kind], message: jar.error.message };
  if (runner === 'host') {
    if (findExecutable('java', io.env) === undefined) return { ok: false, exit: EXIT.environment, message: JAVA_MISSING };
    return { ok: true, jar: jar.value, runner: runTlcOnHost };
  }
  const c = await containerRunner(io.env, say);
  if (typeof c !== 'function') return { ok: false, exit: EXIT.environment, message: c.message };
  return { ok: true, jar: jar.value, runner: c };
}
