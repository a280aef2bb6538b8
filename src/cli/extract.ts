// `iterpin extract --vector FILE|-`: run the reference iov_iter_extract_pages() on a JSON vector and print what
// each call returned (DESIGN.md "Vectors").

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Command, Io } from './command.js';
import { EXIT } from './command.js';
import { formatVectorOutput, isObj, MAX_CALLS, parseVector, runVector } from '../kernel/lib/vector.js';
import { IOV_ITER_VARIANTS } from '../kernel/lib/iov_iter_extract.js';
import { formatSgVectorOutput, parseSgVector, runSgVector } from '../kernel/lib/sg_vector.js';
import { SG_VARIANTS } from '../kernel/lib/scatterlist.js';

const HELP = `usage: iterpin extract --vector FILE|-

Runs the reference iov_iter_extract_pages() (or, with "op": "iter_to_sg", extract_iter_to_sg()) on
the iterator a JSON vector describes and prints, as JSON, what each call returned.

vector:
  {
    "pageSize": 4096,                 optional, a power of two (default 4096)
    "variant": "v6.6",                optional: ${IOV_ITER_VARIANTS.join(', ')}
    "iter": {
      "type": "KVEC",                 UBUF, IOVEC, KVEC, BVEC, XARRAY or DISCARD
      "direction": "DEST",            DEST (data goes into the iterator's memory) or SOURCE
      "segments": [ {"addr": 2, "len": 0}, {"addr": 39, "len": 12249} ]
    },
    "maxsize": 102400,
    "maxpages": 8,
    "repeat": "until-zero",           optional: "until-zero" (default) or "once"
    "flags": 0,                       optional extraction flags (1 = ITER_ALLOW_P2PDMA)
    "pinFailAfter": 3                 optional: pin_user_pages_fast() fails after this many pages
  }
  UBUF/IOVEC/KVEC segments are {addr, len} in one virtually contiguous buffer whose virtual page k
  is page id k (UBUF: exactly one segment). BVEC segments are {page, offset, len}; a bvec longer
  than the rest of its page covers the following page ids. IOVEC/KVEC/BVEC accept "count" (at most
  the segments' total, which is the default). XARRAY is {"type": "XARRAY", "direction", "start",
  "count", "holes": [indices]} with index k holding page id k. DISCARD is {"type", "direction":
  "DEST", "count"}. "nofault": true (UBUF/IOVEC/KVEC/BVEC/XARRAY) sets the iterator's nofault flag.

output:
  {"calls": [{"ret", "offset0", "pages", "count", "nrSegs", "iovOffset"}, ...], "final": {...}}
  One entry per call: ret in bytes, offset0 (null when the call did not write it), the page ids the
  call wrote, and the iterator's count/nr_segs/iov_offset after it. A call that fails is
  {"error": "EFAULT"} or {"error": "ENOMEM"}. Calls stop after the first that returns 0 or fails,
  after one call with "repeat": "once", or with an error after ${MAX_CALLS} calls.

scatterlist vector ("op": "iter_to_sg"; the same "pageSize" and "iter", no DISCARD):
  {
    "op": "iter_to_sg",
    "variant": "v7.0.7",              optional: ${SG_VARIANTS.join(', ')}
    "iter": { ... },
    "preexisting": [ {"page": 900, "offset": 0, "len": 4096} ],   optional entries already in the table
    "tableSize": 512,                 optional (default: the pre-existing entries plus the largest sgMax)
    "ptrsPerEntry": 4,                optional pointer-sized words per struct scatterlist (x86-64: 4)
    "calls": [ {"maxsize": 8192, "sgMax": 1}, {"maxsize": 4096} ],   or one call: "maxsize", "sgMax"
    "pinFailAfter": 3                 optional, as above
  }
  A call's sgMax defaults to the unused entries; it may not exceed them, nor maxsize the iterator's
  count. Each call is made as af_alg_sendmsg() makes it (orig_nents = nents first).

scatterlist output:
  {"calls": [{"ret", "sgMax", "nents", "added": [{"page", "offset", "len"}], "count", "violated"}],
   "table": [every entry], "pins": {"page": pins held}, "final": {"count"}}
  "violated" lists the IterToSg invariants the implementation's checker finds broken after the call;
  a call whose loop does not progress is stopped after sgMax + 1 rounds and reported as
  {"error", "rounds", "violated"}; later calls are not made.

exit codes: 0 ok, 64 wrong usage, 65 invalid vector (the message names the field), 66 unreadable file.
`;

async function readInput(file: string, io: Io): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  try {
    if (file !== '-') return { ok: true, text: await readFile(file, 'utf8') };
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, message: `${file}: cannot read (${code ?? (e as Error).message})` };
  }
}

async function run(argv: readonly string[], io: Io): Promise<number> {
  let vector: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { vector: { type: 'string' } },
    });
    if (positionals.length > 0) {
      io.stderr.write(`iterpin extract: unexpected argument '${positionals[0]}'; see --help\n`);
      return EXIT.usage;
    }
    vector = values.vector;
  } catch (e) {
    io.stderr.write(`iterpin extract: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  if (vector === undefined) {
    io.stderr.write('iterpin extract: --vector FILE (or - for stdin) is required; see --help\n');
    return EXIT.usage;
  }
  const name = vector === '-' ? '<stdin>' : vector;
  const input = await readInput(vector, io);
  if (!input.ok) {
    io.stderr.write(`iterpin extract: ${input.message}\n`);
    return EXIT.noInput;
  }
  let json: unknown;
  try {
    json = JSON.parse(input.text);
  } catch (e) {
    io.stderr.write(`iterpin extract: ${name}: not JSON (${(e as Error).message})\n`);
    return EXIT.badInput;
  }
  if (isObj(json) && json['op'] !== undefined) {
    if (json['op'] === 'iter_to_sg') {
      const sg = parseSgVector(json);
      const out = sg.ok ? runSgVector(sg.value) : sg;
      if (!out.ok) {
        io.stderr.write(`iterpin extract: ${name}: ${out.error}\n`);
        return EXIT.badInput;
      }
      io.stdout.write(formatSgVectorOutput(out.value));
      return EXIT.ok;
    }
    if (json['op'] !== 'extract_pages') {
      io.stderr.write(`iterpin extract: ${name}: op: expected "extract_pages" (the default) or "iter_to_sg", got ${JSON.stringify(json['op'])}\n`);
      return EXIT.badInput;
    }
    delete json['op'];
  }
  const parsed = parseVector(json);
  if (!parsed.ok) {
    io.stderr.write(`iterpin extract: ${name}: ${parsed.error}\n`);
    return EXIT.badInput;
  }
  const out = runVector(parsed.value);
  if (!out.ok) {
    io.stderr.write(`iterpin extract: ${name}: ${out.error}\n`);
    return EXIT.badInput;
  }
  io.stdout.write(formatVectorOutput(out.value));
  return EXIT.ok;
}

export const command: Command = {
  name: 'extract',
  summary: 'run the reference iov_iter_extract_pages() or extract_iter_to_sg() on a JSON vector',
  help: HELP,
  run,
};
