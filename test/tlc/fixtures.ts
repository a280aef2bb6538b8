// Shared helpers for the TLC tests: temp directories, the real verified jar, fake `mvn` programs on PATH.
import { chmod, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/tlc/jar.js';
import { ensureJar } from '../../src/tlc/setup.js';
import { findExecutable } from '../../src/tlc/process.js';

export const tempDir = (prefix = 'iterpin-test-'): Promise<string> => mkdtemp(join(tmpdir(), prefix));

/** The real pinned jar (fetched with Maven if the project has none yet); fails the test if unavailable. */
export async function realJar(): Promise<string> {
  const jar = await ensureJar({ root: projectRoot(), env: { ...process.env, TLA2TOOLS_JAR: '' }, replaceBad: false });
  if (!jar.ok) throw new Error(`the pinned TLC jar is not available: ${jar.error.message}`);
  return jar.value.path;
}

/**
 * A bin directory with `java` (a link to the real one, unless withJava is false) and, if given, an `mvn`
 * shell script whose body receives Maven's arguments; `$OUT` is the -DoutputDirectory value.
 */
export async function fakeBin(o: { withJava?: boolean; mvnBody?: string }): Promise<string> {
  const bin = await tempDir('iterpin-bin-');
  if (o.withJava !== false) {
    const java = findExecutable('java');
    if (java === undefined) throw new Error('these tests need java on PATH');
    await symlink(java, join(bin, 'java'));
  }
  if (o.mvnBody !== undefined) {
    const script = [
      '#!/bin/sh',
      'OUT=',
      'for a in "$@"; do case "$a" in -DoutputDirectory=*) OUT="${a#-DoutputDirectory=}";; esac; done',
      o.mvnBody,
      '',
    ].join('\n');
    await writeFile(join(bin, 'mvn'), script);
    await chmod(join(bin, 'mvn'), 0o755);
  }
  return bin;
}

export async function writeFakeJar(dir: string, name: string, content = 'PK\u0003\u0004 not really tla2tools'): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}
