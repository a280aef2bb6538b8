// A class-data-sharing (CDS) archive of TLC's classes, so that each of the many short TLC runs of a check maps
// the classes it loads instead of parsing and verifying them again: about a sixth of the CPU of a run of a few
// hundred states. The first host run of a JVM/jar pair writes the archive (-XX:ArchiveClassesAtExit) to a
// private file that is renamed into place only after the JVM has exited, so no run ever maps a half-written
// archive; later runs map it (-XX:SharedArchiveFile, -Xshare:auto: a JVM that cannot use it runs without it).
// The archive changes only the JVM's start-up, never what TLC computes.

import { createHash } from 'node:crypto';
import { mkdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The environment variable that turns the archive off (`ITERPIN_CLASS_ARCHIVE=off`). */
export const CLASS_ARCHIVE_ENV = 'ITERPIN_CLASS_ARCHIVE';

export interface ClassArchivePlan {
  /** The file the JVM maps (`use`) or writes (`create`). */
  readonly path: string;
  readonly mode: 'use' | 'create';
  /** After the run: moves a written archive into place (or removes a failed one). Never throws. */
  readonly settle: (runSucceeded: boolean) => Promise<void>;
}

/** Archives being written by this process, by final path: one writer per JVM/jar pair at a time. */
const writing = new Set<string>();

/**
 * The archive for this java program and jar, or undefined when there is none to use or write (turned off, the
 * jar's directory not writable, or another run of this process is writing it right now).
 */
export async function planClassArchive(java: string, jar: string, env: NodeJS.ProcessEnv): Promise<ClassArchivePlan | undefined> {
  if (env[CLASS_ARCHIVE_ENV] === 'off') return undefined;
  const key = await archiveKey(java, jar);
  if (key === undefined) return undefined;
  const dir = join(dirname(jar), 'cds');
  const final = join(dir, `${basename(jar, '.jar')}-${key}.jsa`);
  const existing = await stat(final).catch(() => undefined);
  if (existing?.isFile() === true && existing.size > 0) return { path: final, mode: 'use', settle: async () => undefined };
  if (writing.has(final)) return undefined;
  try {
    await mkdir(dir, { recursive: true });
  } catch {
    return undefined;
  }
  writing.add(final);
  const scratch = `${final}.${process.pid}.${Date.now()}.tmp`;
  return {
    path: scratch,
    mode: 'create',
    settle: async (runSucceeded) => {
      try {
        const made = await stat(scratch).catch(() => undefined);
        if (runSucceeded && made?.isFile() === true && made.size > 0) await rename(scratch, final);
        else await rm(scratch, { force: true });
      } catch {
        await rm(scratch, { force: true }).catch(() => undefined);
      } finally {
        writing.delete(final);
      }
    },
  };
}

/** Names the JVM and jar: an archive is only valid for the JVM build and the class path it was written with. */
async function archiveKey(java: string, jar: string): Promise<string | undefined> {
  try {
    const javaReal = await realpath(java);
    const [j, t] = await Promise.all([stat(javaReal), stat(jar)]);
    return createHash('sha256')
      .update([javaReal, j.size, j.mtimeMs, jar, await realpath(jar), t.size, t.mtimeMs].join('\n'))
      .digest('hex')
      .slice(0, 16);
  } catch {
    return undefined;
  }
}
