// `iterpin`: dispatches to the subcommands. Each subcommand lives in its own module under src/cli/.

import type { Command, Io } from './command.js';
import { EXIT } from './command.js';

/** Subcommands, loaded on demand so that `iterpin extract` does not pay for the TLC runner. */
const COMMANDS: Readonly<Record<string, { summary: string; load: () => Promise<Command> }>> = {
  check: { summary: 'model-check the models of spec/manifest.json with TLC', load: async () => (await import('./check.js')).command },
  replay: { summary: 'replay a trace on the reference implementation', load: async () => (await import('./replay.js')).command },
  review: { summary: 'print the variant × invariant matrix of every spec', load: async () => (await import('./review.js')).command },
  mutate: { summary: 'mutation testing: how many small changes of a spec its models catch', load: async () => (await import('./mutate.js')).command },
  extract: { summary: 'run the reference iov_iter_extract_pages() on a JSON vector', load: async () => (await import('./extract.js')).command },
  explore: { summary: 'explore the reference implementation exhaustively under a model', load: async () => (await import('./conform.js')).exploreCommand },
  conform: { summary: "compare the implementation's reachable states and transitions with TLC's", load: async () => (await import('./conform.js')).command },
  validate: { summary: "check runs of the implementation beyond the models' bounds against the spec with TLC", load: async () => (await import('./validate.js')).command },
  setup: { summary: 'fetch and verify the pinned TLC jar', load: async () => (await import('./setup.js')).command },
  worker: { summary: 'join a distributed TLC run (check --runner distributed) from this machine', load: async () => (await import('./worker.js')).command },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: iterpin <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    "Run 'iterpin <command> --help' for a command's options.",
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io?: Partial<Io>): Promise<number> {
  const full: Io = {
    stdout: io?.stdout ?? process.stdout,
    stderr: io?.stderr ?? process.stderr,
    stdin: io?.stdin ?? process.stdin,
    cwd: io?.cwd ?? process.cwd(),
    env: io?.env ?? process.env,
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    full.stdout.write(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const entry = COMMANDS[name];
  if (entry === undefined) {
    full.stderr.write(`iterpin: unknown command '${name}'\n\n${usage()}`);
    return EXIT.usage;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    full.stdout.write(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, full);
  } catch (e) {
    // Bad input is reported as values by every command; reaching here is a bug in iterpin.
    const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
    full.stderr.write(`iterpin ${name}: internal error (please report): ${detail}\n`);
    return EXIT.internal;
  }
}
