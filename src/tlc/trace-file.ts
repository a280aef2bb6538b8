// Loading a trace file for replay: an ITF file (ours or another tool's) or a raw TLC `-tool` output log.
// Every problem comes back as a message naming the file; nothing here throws for bad input.

import { readFile, stat } from 'node:fs/promises';
import type { Trace } from '../tla/trace.js';
import { parseItfText } from '../tla/itf.js';
import { parseToolOutput } from './toolstream.js';
import { lassoMeta } from './counterexample.js';
import { err, ok, type Result } from '../shared/result.js';

/** Traces larger than this are refused rather than read into memory. */
export const MAX_TRACE_BYTES = 256 * 1024 * 1024;

export type LoadError = { readonly kind: 'unreadable' | 'bad-trace'; readonly message: string };

async function readSource(file: string, stdin: NodeJS.ReadableStream): Promise<Result<string, LoadError>> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stdin) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      size += b.length;
      if (size > MAX_TRACE_BYTES) return err({ kind: 'bad-trace', message: `stdin: larger than ${MAX_TRACE_BYTES} bytes` });
      chunks.push(b);
    }
    return decodeText('stdin', Buffer.concat(chunks));
  }
  try {
    const info = await stat(file);
    if (!info.isFile()) return err({ kind: 'unreadable', message: `${file}: not a regular file` });
    if (info.size > MAX_TRACE_BYTES) {
      return err({ kind: 'bad-trace', message: `${file}: ${info.size} bytes is larger than the ${MAX_TRACE_BYTES}-byte limit for a trace` });
    }
    return decodeText(file, await readFile(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
    return err({ kind: 'unreadable', message: `${file}: ${reason}` });
  }
}

function decodeText(name: string, bytes: Buffer): Result<string, LoadError> {
  if (bytes.length === 0) return err({ kind: 'bad-trace', message: `${name}: the file is empty` });
  if (bytes.includes(0)) return err({ kind: 'bad-trace', message: `${name}: binary data, not a trace (ITF JSON or TLC -tool output)` });
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return ok(text);
}

/** Reads and decodes a trace file ('-' = stdin). */
export async function loadTrace(file: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<Result<Trace, LoadError>> {
  const text = await readSource(file, stdin);
  if (!text.ok) return text;
  return parseTraceText(file === '-' ? 'stdin' : file, text.value);
}

export function parseTraceText(name: string, text: string): Result<Trace, LoadError> {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('@!@!@STARTMSG') || (!trimmed.startsWith('{') && text.includes('@!@!@STARTMSG'))) {
    const parsed = parseToolOutput(text);
    if (!parsed.ok) return err({ kind: 'bad-trace', message: `${name}: ${describe(parsed.error)}` });
    const out = parsed.value;
    // Without TLC's final message (2186) the output was cut or TLC was killed: a counterexample in it may be short.
    if (!out.finished) {
      return err({ kind: 'bad-trace', message: `${name}: TLC output ends before TLC's final message (cut off, or TLC was killed); its trace may be incomplete` });
    }
    if (out.trace.length === 0) return err({ kind: 'bad-trace', message: `${name}: TLC output without a counterexample trace` });
    const modules = out.trace.map((s) => s.header?.module).filter((m): m is string => m !== undefined);
    const module = modules[0];
    const vars = [...(out.trace[0]?.values.keys() ?? [])];
    const meta = {
      format: 'TLC -tool output',
      ...(module !== undefined ? { spec: module.replace(/^MC/, '') } : {}),
      ...(out.invariant !== undefined ? { invariant: out.invariant } : {}),
      ...(out.outcome === 'liveness' ? { violation: 'liveness', ...lassoMeta({ trace: out.trace, ...(out.loop !== undefined ? { loop: out.loop } : {}) }) } : {}),
      ...(out.version !== undefined ? { tlcVersion: out.version } : {}),
    };
    return ok({ meta, vars, states: out.trace });
  }
  const parsed = parseItfText(text);
  if (!parsed.ok) return err({ kind: 'bad-trace', message: `${name}: ${describe(parsed.error)}` });
  return ok(parsed.value);
}

function describe(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error !== null && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}
