// `iterpin extract --vector`: vectors built from the kunit ranges against an independent per-element oracle,
// the output shape of DESIGN.md "Vectors", and input validation (messages name the field; exit codes).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../cli-harness.js';
import { EXIT } from '../../src/cli/command.js';

type Run = CliRun;

async function extract(vector: unknown, args: readonly string[] = []): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'iterpin-extract-'));
  const file = join(dir, 'vector.json');
  writeFileSync(file, typeof vector === 'string' ? vector : JSON.stringify(vector));
  return runCli(['extract', '--vector', file, ...args]);
}

interface Call {
  ret: number;
  offset0: number | null;
  pages: number[];
  count: number;
  nrSegs: number;
  iovOffset: number;
}

const PS = 4096;
const KVEC_RANGES: readonly (readonly [number, number])[] = [
  [0x00002, 0x00002], [0x00027, 0x03000], [0x05193, 0x18794], [0x20000, 0x20000],
  [0x20000, 0x24000], [0x24000, 0x27001], [0x29000, 0xffffb], [0xffffd, 0xffffe],
];

/**
 * What v6.6 returns call by call for a kernel-backed element list, derived from the contract rather than the
 * code: each call takes the next non-empty element's bytes from where the last call stopped, at most maxsize
 * bytes and at most maxpages pages, pages being the consecutive pages under the element's run of bytes.
 */
function oracle(
  elems: readonly { firstByte: number; len: number; pageBase: number }[],
  maxsize: number,
  maxpages: number,
): { ret: number; offset0: number; pages: number[] }[] {
  const out: { ret: number; offset0: number; pages: number[] }[] = [];
  for (const e of elems) {
    let done = 0;
    while (done < e.len) {
      const at = e.firstByte + done;
      const offset0 = at % PS;
      const want = Math.min(maxsize, e.len - done);
      const ret = Math.min(want, maxpages * PS - offset0);
      const n = Math.ceil((offset0 + ret) / PS);
      out.push({ ret, offset0, pages: Array.from({ length: n }, (_, k) => e.pageBase + Math.floor(at / PS) + k) });
      done += ret;
    }
  }
  return out;
}

function callsOf(run: Run): Call[] {
  expect(run.code).toBe(EXIT.ok);
  const parsed = JSON.parse(run.stdout) as { calls: Call[]; final: unknown };
  return parsed.calls;
}

describe('iterpin extract on vectors built from the kunit ranges', () => {
  for (const [maxsize, maxpages] of [[100 * 1024, 8], [5000, 3], [4096, 1], [300, 8]] as const) {
    it(`KVEC, maxsize ${maxsize}, maxpages ${maxpages}: call by call as the contract derives it, then a 0`, async () => {
      const segments = KVEC_RANGES.map(([from, to]) => ({ addr: from, len: to - from }));
      const calls = callsOf(await extract({ iter: { type: 'KVEC', direction: 'DEST', segments }, maxsize, maxpages }));
      const want = oracle(KVEC_RANGES.map(([from, to]) => ({ firstByte: from, len: to - from, pageBase: 0 })), maxsize, maxpages);
      expect(calls.slice(0, -1).map(({ ret, offset0, pages }) => ({ ret, offset0, pages }))).toEqual(want);
      expect(calls.at(-1)).toEqual({ ret: 0, offset0: null, pages: [], count: 0, nrSegs: 0, iovOffset: 0 });
      expect(calls.slice(0, -1).reduce((s, c) => s + c.ret, 0)).toBe(0xf45d7);
    });
  }

  it('BVEC (5 bvecs, pages 3..6 merged): one bvec per call, multi-page bvec listed as consecutive pages', async () => {
    const segments = [
      { page: 0, offset: 2, len: 0 }, { page: 1, offset: 0x27, len: 0x86c }, { page: 2, offset: 0x193, len: 0x601 },
      { page: 3, offset: 0, len: 0x3ffb }, { page: 6, offset: 0xffd, len: 1 },
    ];
    const calls = callsOf(await extract({ iter: { type: 'BVEC', direction: 'DEST', segments }, maxsize: 102400, maxpages: 8 }));
    const want = oracle(segments.map((s) => ({ firstByte: s.offset, len: s.len, pageBase: s.page })), 102400, 8);
    expect(calls.slice(0, -1).map(({ ret, offset0, pages }) => ({ ret, offset0, pages }))).toEqual(want);
    expect(want.map((c) => c.pages)).toEqual([[1], [2], [3, 4, 5, 6], [6]]);
  });

  it('BVEC with the v6.12 walker: the 8 single-page bvecs of a scattered buffer come back one page list per run of whole pages', async () => {
    const segments = [
      { page: 100, offset: 2, len: 0 }, { page: 102, offset: 0x27, len: 0x86c }, { page: 104, offset: 0x193, len: 0x601 },
      { page: 106, offset: 0, len: 0x1000 }, { page: 108, offset: 0, len: 0x1000 }, { page: 110, offset: 0, len: 0x1000 },
      { page: 112, offset: 0, len: 0xffb }, { page: 112, offset: 0xffd, len: 1 },
    ];
    const calls = callsOf(await extract({ variant: 'v6.12', iter: { type: 'BVEC', direction: 'DEST', segments }, maxsize: 102400, maxpages: 8 }));
    expect(calls.map((c) => [c.ret, c.offset0, c.pages])).toEqual([
      [0x86c, 0x27, [102]],
      [0x601, 0x193, [104]],
      [0x3ffb, 0, [106, 108, 110, 112]],
      [1, 0xffd, [112]],
      [0, null, []],
    ]);
  });

  it('XARRAY per kvec range: the pages under the range, iov_offset ending at the range size', async () => {
    for (const [from, to] of KVEC_RANGES) {
      const run = await extract({ iter: { type: 'XARRAY', direction: 'SOURCE', start: from, count: to - from }, maxsize: 102400, maxpages: 8 });
      const out = JSON.parse(run.stdout) as { calls: Call[]; final: { iovOffset: number; count: number } };
      const want = oracle([{ firstByte: from, len: to - from, pageBase: 0 }], 102400, 8);
      expect(out.calls.slice(0, -1).map(({ ret, offset0, pages }) => ({ ret, offset0, pages }))).toEqual(want);
      expect(out.final).toEqual({ count: 0, nrSegs: 0, iovOffset: to - from });
    }
  });

  it('bug-clobber-maxsize: the first call returns 0 and the iterator has lost its elements', async () => {
    const segments = KVEC_RANGES.map(([from, to]) => ({ addr: from, len: to - from }));
    const calls = callsOf(await extract({ variant: 'bug-clobber-maxsize', iter: { type: 'KVEC', direction: 'DEST', segments }, maxsize: 102400, maxpages: 8 }));
    expect(calls).toEqual([{ ret: 0, offset0: null, pages: [], count: 0xf45d7, nrSegs: 0, iovOffset: 0 }]);
  });
});

describe('iterpin extract: user-backed iterators, errors, repeat', () => {
  it('UBUF pins and stops on a failed pin with {"error": "EFAULT"}', async () => {
    const run = await extract({ iter: { type: 'UBUF', direction: 'DEST', segments: [{ addr: 4000, len: 9000 }] }, maxsize: 9000, maxpages: 8, pinFailAfter: 1 });
    expect(callsOf(run)).toEqual([{ ret: 96, offset0: 4000, pages: [0], count: 8904, nrSegs: 1, iovOffset: 96 }, { error: 'EFAULT' }]);
    expect(JSON.parse(run.stdout).final).toEqual({ count: 8904, nrSegs: 1, iovOffset: 96 });
  });

  it('DISCARD is {"error": "EFAULT"}; maxpages 0 is {"error": "ENOMEM"}', async () => {
    expect(callsOf(await extract({ iter: { type: 'DISCARD', direction: 'DEST', count: 5 }, maxsize: 5, maxpages: 1 }))).toEqual([{ error: 'EFAULT' }]);
    const kv = { type: 'KVEC', direction: 'DEST', segments: [{ addr: 1, len: 5 }] };
    expect(callsOf(await extract({ iter: kv, maxsize: 5, maxpages: 0 }))).toEqual([{ error: 'ENOMEM' }]);
  });

  it('"repeat": "once" makes exactly one call; a small page size is honoured', async () => {
    const v = { pageSize: 4, iter: { type: 'IOVEC', direction: 'SOURCE', segments: [{ addr: 0, len: 0 }, { addr: 6, len: 9 }] }, maxsize: 32, maxpages: 2, repeat: 'once' };
    const run = await extract(v);
    expect(JSON.parse(run.stdout)).toEqual({
      calls: [{ ret: 6, offset0: 2, pages: [1, 2], count: 3, nrSegs: 1, iovOffset: 6 }],
      final: { count: 3, nrSegs: 1, iovOffset: 6 },
    });
  });

  it('reads the vector from stdin with -', async () => {
    const v = { iter: { type: 'XARRAY', direction: 'DEST', start: 10, count: 4 }, maxsize: 10, maxpages: 8 };
    const run = await runCli(['extract', '--vector', '-'], { stdinText: JSON.stringify(v) });
    expect(callsOf(run)[0]).toEqual({ ret: 4, offset0: 10, pages: [0], count: 0, nrSegs: 0, iovOffset: 4 });
  });
});

describe('iterpin extract: bad input', () => {
  const base = { iter: { type: 'KVEC', direction: 'DEST', segments: [{ addr: 0, len: 3 }] }, maxsize: 3, maxpages: 1 };
  const cases: [string, unknown, RegExp][] = [
    ['not JSON', '{"iter": ', /not JSON/],
    ['not an object', [1, 2], /expected a JSON object/],
    ['a missing maxsize', { ...base, maxsize: undefined }, /maxsize: expected a non-negative integer, got nothing/],
    ['a negative length', { ...base, iter: { ...base.iter, segments: [{ addr: 0, len: -3 }] } }, /iter\.segments\[0\]\.len: expected a non-negative integer, got -3/],
    ['a fractional address', { ...base, iter: { ...base.iter, segments: [{ addr: 0.5, len: 3 }] } }, /iter\.segments\[0\]\.addr/],
    ['an unknown type', { ...base, iter: { ...base.iter, type: 'PIPE' } }, /iter\.type: expected one of UBUF, IOVEC, KVEC, BVEC, FOLIOQ, XARRAY, DISCARD, got "PIPE"/],
    ['an unknown variant', { ...base, variant: 'v9' }, /variant: expected one of v6\.6/],
    ['a bad direction', { ...base, iter: { ...base.iter, direction: 'READ' } }, /iter\.direction/],
    ['a bvec field on a kvec', { ...base, iter: { ...base.iter, segments: [{ addr: 0, len: 3, page: 1 }] } }, /iter\.segments\[0\]\.page: unknown field/],
    ['an unknown top-level field', { ...base, maxSize: 3 }, /maxSize: unknown field/],
    ['a page size that is not a power of two', { ...base, pageSize: 3000 }, /pageSize: expected a power of two/],
    ['two UBUF segments', { ...base, iter: { type: 'UBUF', direction: 'DEST', segments: [{ addr: 0, len: 1 }, { addr: 5, len: 1 }] } }, /exactly one segment, got 2/],
    ['a count beyond the segments', { ...base, iter: { ...base.iter, count: 4 } }, /iter\.count: 4 is more than the segments hold \(3\)/],
    ['a SOURCE discard', { ...base, iter: { type: 'DISCARD', direction: 'SOURCE', count: 1 } }, /DISCARD iterator must be "DEST"/],
    ['a bad repeat', { ...base, repeat: 'forever' }, /repeat: expected "until-zero" or "once"/],
  ];
  for (const [what, vector, message] of cases) {
    it(`rejects ${what} with exit ${EXIT.badInput} and a message naming the problem`, async () => {
      const run = await extract(vector);
      expect(run.code).toBe(EXIT.badInput);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
    });
  }

  it('usage errors exit 64; an unreadable file exits 66; --help exits 0', async () => {
    expect((await runCli(['extract'])).code).toBe(EXIT.usage);
    expect((await runCli(['extract', '--vector', 'a', 'b'])).code).toBe(EXIT.usage);
    expect((await runCli(['extract', '--bogus'])).code).toBe(EXIT.usage);
    const missing = await runCli(['extract', '--vector', '/nonexistent/vector.json']);
    expect(missing.code).toBe(EXIT.noInput);
    expect(missing.stderr).toMatch(/\/nonexistent\/vector\.json: cannot read/);
    const help = await runCli(['extract', '--help']);
    expect(help.code).toBe(EXIT.ok);
    expect(help.stdout).toMatch(/usage: iterpin extract --vector FILE\|-/);
  });

  it('gives up with an error rather than printing forever', async () => {
    const run = await extract({ iter: { type: 'XARRAY', direction: 'DEST', start: 0, count: 200_001 }, maxsize: 1, maxpages: 1 });
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stderr).toMatch(/did not return 0 within 100000 calls/);
  });
});
