// `iterpin worker`: join a distributed TLC run (`iterpin check --runner distributed`) from this machine.

import { parseArgs } from 'node:util';
import type { Command, Io } from './command.js';
import { EXIT } from './command.js';
import { DEFAULT_HEAP, validateHeap } from '../tlc/args.js';
import { DEFAULT_DISTRIBUTED_PORT } from '../tlc/distributed.js';
import { MAX_FAILED_IN_A_ROW, workerLoop } from '../tlc/distributed-worker.js';
import type { PreparedContainer } from '../tlc/container.js';
import { JAVA_MISSING } from '../tlc/host.js';
import { JAR_ENV, projectRoot } from '../tlc/jar.js';
import { findExecutable } from '../tlc/process.js';
import { ensureJar } from '../tlc/setup.js';
import { JAR_EXIT } from './tlc-env.js';

const DEFAULT_WAIT_SECONDS = 120;

const HELP = `usage: iterpin worker --server HOST [options]

Joins the distributed TLC runs of 'iterpin check --runner distributed' on HOST from this machine: waits
for the server's port, runs TLC's own worker (tlc2.tool.distributed.TLCWorker) with the verified TLC
jar until the server's model is done, then waits for the next model's server. The worker fetches the
spec from the server; nothing but the jar is needed here. The server prints the exact command to run,
with its jar's SHA-256: a worker whose jar has another hash refuses to join.

Both machines must reach each other: the server on --port and on the ports RMI picks for its objects,
the worker on the ports RMI picks for the worker (open the firewall between them, or use one network).

options:
  --server HOST      the machine running 'iterpin check --runner distributed' (required)
  --port P           the server's port (default ${DEFAULT_DISTRIBUTED_PORT})
  --jar-sha256 H     the server's jar hash; refuse to join with another jar
  --no-jar-check     join without comparing jar hashes (not recommended)
  --threads N        worker threads (default: the number of cores)
  --heap SIZE        JVM heap (default ${DEFAULT_HEAP})
  --listen ADDR      the address the server reaches this worker at (default: this machine's name)
  --wait SECONDS     stop after this long without a server to join (default ${DEFAULT_WAIT_SECONDS})
  --once             join one model's run, then stop
  --container        run TLC's worker in a container of the runner image (docker/Dockerfile, built from
                     the verified jar as for 'check --runner container'; host network, for RMI)
  --json             print a summary as JSON at the end
  --verbose          print TLC's worker output

${JAR_ENV}=/path/to/tla2tools.jar runs another jar (it must have the server's hash).

exit codes:
  0   joined at least one run, then no server came within --wait (or --once)
  ${EXIT.usage}  wrong usage
  ${EXIT.tlcError}  no run could be joined: the worker failed ${MAX_FAILED_IN_A_ROW} times in a row
  ${EXIT.untrustedJar}  this machine's jar does not have the server's hash (or the cached jar is not the pinned one)
  ${EXIT.environment}  java or the jar is missing, or no server answered at HOST:PORT within --wait
`;

async function run(argv: readonly string[], io: Io): Promise<number> {
  const say = (line: string): void => void io.stderr.write(`iterpin worker: ${line}\n`);
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        server: { type: 'string' },
        port: { type: 'string' },
        'jar-sha256': { type: 'string' },
        'no-jar-check': { type: 'boolean', default: false },
        threads: { type: 'string' },
        heap: { type: 'string', default: DEFAULT_HEAP },
        listen: { type: 'string' },
        wait: { type: 'string' },
        once: { type: 'boolean', default: false },
        container: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    say((e as Error).message);
    return EXIT.usage;
  }
  const int = (name: string, text: string | undefined, min: number, max: number, dflt: number): number | string => {
    if (text === undefined) return dflt;
    const n = Number(text);
    return /^[0-9]+$/.test(text) && n >= min && n <= max ? n : `--${name} must be an integer from ${min} to ${max}, got '${text}'`;
  };
  if (values.server === undefined || !/^[A-Za-z0-9.:_-]+$/.test(values.server)) {
    say(values.server === undefined ? '--server HOST is required' : `--server must be a host name or address, got '${values.server}'`);
    return EXIT.usage;
  }
  const port = int('port', values.port, 1, 65535, DEFAULT_DISTRIBUTED_PORT);
  const threads = int('threads', values.threads, 1, 1024, 0);
  const wait = int('wait', values.wait, 1, 7 * 86400, DEFAULT_WAIT_SECONDS);
  for (const v of [port, threads, wait]) {
    if (typeof v === 'string') {
      say(v);
      return EXIT.usage;
    }
  }
  const heap = validateHeap(values.heap);
  if (!heap.ok) {
    say(`--heap: ${heap.error.message}`);
    return EXIT.usage;
  }
  const expected = values['jar-sha256']?.toLowerCase();
  if (expected !== undefined && !/^[0-9a-f]{64}$/.test(expected)) {
    say(`--jar-sha256 must be 64 hex digits, got '${values['jar-sha256']}'`);
    return EXIT.usage;
  }
  if (expected === undefined && !values['no-jar-check']) {
    say("--jar-sha256 H is required (the server prints it), or --no-jar-check to join without comparing jars");
    return EXIT.usage;
  }
  if (values.listen !== undefined && !/^[A-Za-z0-9.:_-]+$/.test(values.listen)) {
    say(`--listen must be a host name or address, got '${values.listen}'`);
    return EXIT.usage;
  }

  const java = values.container ? 'java' : findExecutable('java', io.env);
  if (java === undefined) {
    say(JAVA_MISSING);
    return EXIT.environment;
  }
  const jar = await ensureJar({ root: projectRoot(), env: io.env, replaceBad: false, note: say });
  if (!jar.ok) {
    say(jar.error.message);
    return JAR_EXIT[jar.error.kind];
  }
  if (expected !== undefined && jar.value.sha256 !== expected) {
    say(`${jar.value.path}: sha256 ${jar.value.sha256} is not the server's ${expected}; a worker must run the server's TLC jar (refusing to join)`);
    return EXIT.untrustedJar;
  }
  let container: PreparedContainer | undefined;
  if (values.container) {
    // The runner image carries the same verified jar (built from it), so the hash compared above is the image's.
    const prepared = await import('../tlc/container.js').then((m) => m.prepareContainer({ jar: jar.value.path, env: io.env, onNote: say }));
    if (!prepared.ok) {
      say(prepared.error.message);
      return EXIT.environment;
    }
    container = prepared.value;
  }
  const server = values.server;
  say(`joining TLC runs at ${server}:${port} with ${jar.value.path} (sha256 ${jar.value.sha256})${container !== undefined ? ` in ${container.image}` : ''}`);
  const result = await workerLoop({
    java,
    jar: jar.value.path,
    heap: heap.value,
    server,
    port: port as number,
    ...((threads as number) > 0 ? { threads: threads as number } : {}),
    ...(values.listen !== undefined ? { listen: values.listen } : {}),
    waitMs: (wait as number) * 1000,
    ...(container !== undefined ? { container } : {}),
    once: values.once,
    env: io.env,
    onLine: (line) => {
      if (values.verbose) io.stderr.write(`${line}\n`);
    },
  });
  const summary = { server, port, jarSha256: jar.value.sha256, runs: result.runs, failed: result.failed, idle: result.idle };
  if (values.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  if (result.runs === 0 && result.idle && result.failed === 0) {
    say(`no TLC server answered at ${server}:${port} within ${wait as number} s`);
    return EXIT.environment;
  }
  if (result.runs === 0) {
    say(`could not join a run at ${server}:${port}: the TLC worker failed ${result.failed} time${result.failed === 1 ? '' : 's'} (run with --verbose to see its output)`);
    return EXIT.tlcError;
  }
  if (!values.json) io.stdout.write(`joined ${result.runs} run${result.runs === 1 ? '' : 's'} at ${server}:${port}${result.failed > 0 ? ` (${result.failed} failed)` : ''}\n`);
  return EXIT.ok;
}

export const command: Command = {
  name: 'worker',
  summary: 'join a distributed TLC run (check --runner distributed) from this machine',
  help: HELP,
  run,
};
