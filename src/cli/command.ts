// The shape every `iterpin` subcommand module exports, and the exit codes scripts can rely on.

export interface Command {
  readonly name: string;
  /** One line for `iterpin --help`. */
  readonly summary: string;
  /** Full text for `iterpin <name> --help`. */
  readonly help: string;
  /** Runs the command; resolves to the process exit code. Never throws for bad input. */
  run(argv: readonly string[], io: Io): Promise<number>;
}

export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export { EXIT } from '../shared/exit.js';
