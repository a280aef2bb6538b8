// Running the `iterpin` command in-process for tests: captured stdout/stderr, a given stdin, env and cwd.
import { PassThrough, Writable } from 'node:stream';
import { main } from '../src/cli/main.js';

/** A writable stream that keeps what was written. */
export function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(c, _e, cb) {
        chunks.push(String(c));
        cb();
      },
    }),
    text: () => chunks.join(''),
  };
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly stdinText?: string;
}

export async function runCli(argv: readonly string[], o: CliOptions = {}): Promise<CliRun> {
  const out = capture();
  const err = capture();
  const stdin = new PassThrough();
  stdin.end(o.stdinText ?? '');
  const code = await main(argv, {
    stdout: out.stream,
    stderr: err.stream,
    stdin,
    cwd: o.cwd ?? process.cwd(),
    env: o.env ?? process.env,
  });
  return { code, stdout: out.text(), stderr: err.text() };
}
