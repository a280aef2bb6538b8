// Result files of `iterpin check`: atomic writes, one fresh directory per run, an atomic `latest` pointer.
import { describe, it, expect } from 'vitest';
import { mkdtemp, readdir, readFile, readlink, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunDir, pointLatest, runDirName, writeFileAtomic } from '../../src/shared/output.js';

const temp = (): Promise<string> => mkdtemp(join(tmpdir(), 'iterpin-out-'));

describe('writeFileAtomic', () => {
  it('writes the whole content and leaves no temporary file', async () => {
    const dir = await temp();
    const path = join(dir, 'MCFoo.itf.json');
    expect(await writeFileAtomic(path, '{"a":1}\n')).toEqual({ ok: true, value: undefined });
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n');
    expect(await readdir(dir)).toEqual(['MCFoo.itf.json']);
  });

  it('replaces an existing file in one step', async () => {
    const dir = await temp();
    const path = join(dir, 'f');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
  });

  it('fails as a value, leaving nothing behind, when the directory is not writable', async () => {
    if (process.getuid?.() === 0) {
      // root ignores permission bits; a missing directory makes the same point.
      const r = await writeFileAtomic('/nonexistent-dir/x/f', 'data');
      expect(r.ok).toBe(false);
      return;
    }
    const dir = await temp();
    await chmod(dir, 0o500);
    const r = await writeFileAtomic(join(dir, 'f'), 'data');
    expect(r.ok).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('createRunDir', () => {
  it('names the directory check-<UTC time>-<pid>', () => {
    expect(runDirName('check', new Date('2026-11-25T16:46:05.123Z'), 4242)).toBe('check-20261125T164605Z-4242');
  });

  it('never reuses a directory: the same time and pid get a suffix', async () => {
    const out = await temp();
    const now = new Date('2026-01-02T03:04:05Z');
    const a = await createRunDir(out, 'check', now, 7);
    const b = await createRunDir(out, 'check', now, 7);
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) {
      expect(a.value).toBe(join(out, 'check-20260102T030405Z-7'));
      expect(b.value).toBe(join(out, 'check-20260102T030405Z-7-1'));
    }
  });
});

describe('pointLatest', () => {
  it('points latest at the newest run and replaces an older pointer', async () => {
    const out = await temp();
    const first = await createRunDir(out, 'check', new Date('2026-01-01T00:00:00Z'), 1);
    const second = await createRunDir(out, 'check', new Date('2026-01-01T00:00:01Z'), 1);
    if (!first.ok || !second.ok) throw new Error('run dirs');
    expect((await pointLatest(out, first.value)).ok).toBe(true);
    expect(await readlink(join(out, 'latest'))).toBe('check-20260101T000000Z-1');
    expect((await pointLatest(out, second.value)).ok).toBe(true);
    expect(await readlink(join(out, 'latest'))).toBe('check-20260101T000001Z-1');
    expect((await readdir(out)).sort()).toEqual(['check-20260101T000000Z-1', 'check-20260101T000001Z-1', 'latest']);
  });
});
