// Differential test of spec and implementation: TLC's simulator draws random behaviours of MCIovIter (every
// layout, every variant) and the reference implementation replays each one. Walks stopped by a length canary
// must conform state by state; walks stopped by a real violation must be reproduced, same invariant, same step.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/tlc/jar.js';
import { ensureJar } from '../../src/tlc/setup.js';
import { parseToolOutput } from '../../src/tlc/toolstream.js';
import type { Trace, TraceState } from '../../src/tla/trace.js';
import { replay } from '../../src/trace/replay.js';
import { binding } from '../../src/trace/bindings/iov_iter.js';
import { IOV_ITER_VARIANTS } from '../../src/kernel/lib/iov_iter_extract.js';
import { iovIterCfg } from '../tlc-harness.js';

const SPEC = join(projectRoot(), 'spec');
const WALKS = 40;
const LENGTH = 25;

let jar: string;
let dir: string;

beforeAll(async () => {
  const r = await ensureJar({ root: projectRoot(), env: { ...process.env, TLA2TOOLS_JAR: '' }, replaceBad: false });
  if (!r.ok) throw new Error(`the pinned TLC jar is not available: ${r.error.message}`);
  jar = r.value.path;
  dir = mkdtempSync(join(tmpdir(), 'iterpin-walk-'));
  for (const f of ['IovIter.tla', 'MCIovIter.tla']) copyFileSync(join(SPEC, f), join(dir, f));
  writeFileSync(
    join(dir, 'MCIovIterWalk.tla'),
    [
      '---- MODULE MCIovIterWalk ----',
      'EXTENDS MCIovIter, TLC',
      '\\* False once a behaviour is LENGTH states long: makes the simulator print it.',
      `Canary == TLCGet("level") < ${LENGTH}`,
      '====',
      '',
    ].join('\n'),
  );
});

/** The simulator's walks for one variant: each with the invariant that stopped it. */
function walks(variant: string): { invariant: string; states: TraceState[] }[] {
  const def = `Walk${variant.replace(/[^A-Za-z0-9]/g, '')}`;
  const cfg = join(dir, `${def}.cfg`);
  writeFileSync(
    cfg,
    iovIterCfg(variant, 'MCAllocs', [
      'TypeOK', 'ExtractContractInv', 'ExtractCoversStreamInv', 'NoStallInv', 'RevertRestoresInv', 'PositionConsistentInv',
      'ExtractPagesExactInv', 'PageArrayBoundInv', 'AllocFailCleanInv', 'AdvanceRevertInverseInv', 'Canary',
    ]),
  );
  const run = spawnSync(
    'java',
    ['-Xmx512m', '-XX:+UseParallelGC', '-cp', jar, 'tlc2.TLC', '-tool', '-simulate', `num=${WALKS}`, '-continue',
      '-depth', String(LENGTH + 5), '-seed', '20230207', '-workers', '1', '-config', cfg,
      '-metadir', mkdtempSync(join(tmpdir(), 'iterpin-walk-meta-')), 'MCIovIterWalk.tla'],
    { cwd: dir, encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
  );
  const out = parseToolOutput(run.stdout);
  if (!out.ok) throw new Error(`unparsable TLC output: ${out.error.message}`);
  const groups: { invariant: string; states: TraceState[] }[] = [];
  for (const e of out.value.events) {
    if (e.type === 'invariant-violated') groups.push({ invariant: e.invariant, states: [] });
    if (e.type === 'state') groups.at(-1)?.states.push(e.state);
    if (e.type === 'error') throw new Error(`TLC error: ${JSON.stringify(e.error)}`);
  }
  return groups;
}

function asTrace(variant: string, w: { invariant: string; states: TraceState[] }): Trace {
  const first = w.states[0];
  return {
    meta: { spec: 'IovIter', variant, ...(w.invariant === 'Canary' ? {} : { invariant: w.invariant }) },
    vars: first === undefined ? [] : [...first.values.keys()],
    states: w.states,
  };
}

describe.each(IOV_ITER_VARIANTS)('random TLC behaviours of MCIovIter as %s, replayed', (variant) => {
  it(`${WALKS} walks: canary-stopped ones conform, violating ones reproduce at the same step`, () => {
    const ws = walks(variant);
    expect(ws.length).toBe(WALKS);
    let violations = 0;
    for (const w of ws) {
      const report = replay(asTrace(variant, w), binding);
      const where = `${w.invariant} walk of ${w.states.length} states: ${JSON.stringify({ ...report, steps: report.steps.slice(-2) })}`;
      if (w.invariant === 'Canary') {
        expect(report.verdict, where).toBe('conforms');
      } else {
        violations++;
        expect(report.verdict, where).toBe('reproduced');
      }
    }
    // The final designs never stop on a real invariant; every bug variant does on some walk.
    if (variant === 'v6.6' || variant === 'v6.12') expect(violations).toBe(0);
    else expect(violations).toBeGreaterThan(0);
  });
});
