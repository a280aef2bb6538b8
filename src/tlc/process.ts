// Small process helpers for the TLC tooling: find a program on PATH without running it, and run a short
// command (mvn, `java … -version`) with captured output and a time limit. Always argv arrays, never a shell.

import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** The absolute path of `name` on env.PATH, or undefined when no executable file of that name is there. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = isAbsolute(name) ? [name] : (env.PATH ?? '').split(delimiter).filter((d) => d !== '').map((d) => join(d, name));
  for (const file of candidates) {
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not there or not executable: try the next directory.
    }
  }
  return undefined;
}

export type CommandOutcome =
  | { readonly kind: 'exited'; readonly code: number | null; readonly signal: string | null; readonly stdout: string; readonly stderr: string }
  | { readonly kind: 'spawn-failed'; readonly code: string; readonly message: string }
  | { readonly kind: 'timeout'; readonly stdout: string; readonly stderr: string };

/** Runs `program args…` to completion, capturing stdout and stderr; kills it after timeoutMs. */
export function runCommand(
  program: string,
  args: readonly string[],
  opts: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs: number },
): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (o: CommandOutcome): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(o);
      }
    };
    const child = spawn(program, [...args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => errOut.push(b));
    const timer = setTimeout(() => {
      killGroup(child.pid);
      finish({ kind: 'timeout', stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8') });
    }, opts.timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => finish({ kind: 'spawn-failed', code: e.code ?? 'error', message: e.message }));
    child.on('close', (code, signal) =>
      finish({
        kind: 'exited',
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(errOut).toString('utf8'),
      }),
    );
  });
}

/** Kills a detached child's whole process group (the JVM and anything it started); a no-op once it is gone. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
  } catch {
    // ESRCH: the group has already exited.
  }
}
