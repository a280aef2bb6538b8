// TLC's -coverage report and the actions of Next: real TLC 2.18 outputs (test/fixtures/tlc/coverage-*.out, their
// specs in test/fixtures/tlc/coverage/) read into per-action counts, and Next's disjuncts read from the sources
// of the project's own specs.

import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseToolOutput, type TlcOutput } from '../../src/tlc/toolstream.js';
import { actionCoverage, parseCoverageEntry } from '../../src/tlc/tool-coverage.js';
import { appliedOperator, blankComments, readNextList } from '../../src/tlc/next-actions.js';
import { projectRoot } from '../../src/tlc/jar.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/tlc/', import.meta.url));
const SPECS = join(FIXTURES, 'coverage');
const SPEC = join(projectRoot(), 'spec');

function output(name: string): TlcOutput {
  const r = parseToolOutput(readFileSync(`${FIXTURES}${name}.out`, 'utf8'));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function next(dir: string, module: string, cfg: string) {
  const r = await readNextList(dir, module, cfg);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('the coverage report in TLC -tool output', () => {
  it('reads each 2772/2773 line: name, definition, sub-range, distinct:generated', () => {
    expect(parseCoverageEntry('<Produce line 51, col 1 to line 51, col 10 of module Pipeline>: 64:124', false)).toEqual({
      name: 'Produce',
      definition: { module: 'Pipeline', line: 51, col: 1, endLine: 51, endCol: 10 },
      distinct: 64,
      generated: 124,
      init: false,
    });
    expect(parseCoverageEntry('<Next line 301, col 1 to line 301, col 4 of module IterToSg (302 8 302 67)>: 634:4160', false)).toMatchObject({
      name: 'Next',
      disjunct: { line: 302, col: 8, endLine: 302, endCol: 67 },
      generated: 4160,
    });
    expect(parseCoverageEntry('<I!Bump line 4, col 1 to line 4, col 1 of module Cov>: 15:15', false)).toMatchObject({ name: 'I!Bump' });
    expect(parseCoverageEntry('<TypeOK line 32, col 1 to line 32, col 6 of module Pipeline>', false)).toBeUndefined();
  });

  it('keeps the run’s last report, Init’s parts marked', () => {
    const out = output('coverage-pipeline');
    expect(out.coverage?.map((e) => [e.name, e.distinct, e.generated, e.init])).toEqual([
      ['Init', 1, 1, true],
      ['Produce', 64, 124, false],
      ['Consume', 124, 124, false],
      ['Terminating', 0, 24, false],
    ]);
    expect(output('success').coverage).toBeUndefined();
  });

  it('per action of Next: an unsplit disjunct credited to its place, an INSTANCEd action by its qualified name, an action over an empty set at 0', async () => {
    const out = output('coverage-instance');
    const list = await next(SPECS, 'Cov.tla', 'Cov.cfg');
    expect(list.operator).toBe('Next');
    expect(list.actions.map((a) => a.name)).toEqual(['Inc', 'Set', 'Never', 'I!Bump']);
    expect(actionCoverage(out.coverage ?? [], list)).toEqual([
      { name: 'Inc', generated: 6, distinct: 1 },
      { name: 'Set', generated: 140, distinct: 11 },
      { name: 'Never', generated: 0, distinct: 0 },
      { name: 'I!Bump', generated: 15, distinct: 15 },
    ]);
    // Without the source, the names are TLC's and the never-reported action is missing.
    expect(actionCoverage(out.coverage ?? [], undefined).map((a) => a.name)).toEqual(['I!Bump', 'Inc', 'Next@10:8']);
  });

  it('an action TLC splits into sub-actions is summed under its name; an inline disjunct is named by its place', async () => {
    const list = await next(SPECS, 'Cov2.tla', 'Cov2.cfg');
    expect(list.actions.map((a) => a.name)).toEqual(['Split', 'Two', 'Next@11:8']);
    expect(actionCoverage(output('coverage-split').coverage ?? [], list)).toEqual([
      { name: 'Split', generated: 12, distinct: 7 },
      { name: 'Two', generated: 18, distinct: 1 },
      { name: 'Next@11:8', generated: 1, distinct: 0 },
    ]);
  });
});

describe("Next's actions from the source", () => {
  it('reads the operator a disjunct applies after its binders, or nothing for other shapes', () => {
    expect(appliedOperator('\\E i \\in Items : Produce(i)')).toBe('Produce');
    expect(appliedOperator('\\E d \\in Dios : \\E k \\in DOMAIN bios[d] : Submit(d, k)')).toBe('Submit');
    expect(appliedOperator('\\E m \\in {x \\in S : x > 0}, s \\in T : Call(m, s)')).toBe('Call');
    expect(appliedOperator('IV!Extract(1, 2)')).toBe('IV!Extract');
    expect(appliedOperator('Terminating')).toBe('Terminating');
    expect(appliedOperator('A(x) /\\ B(y)')).toBeUndefined();
    expect(appliedOperator('x = 2 /\\ UNCHANGED x')).toBeUndefined();
  });

  it('blanks comments but keeps positions and strings', () => {
    const text = 'A == 1 \\* one\n(* two\n lines *) B == "\\* not a comment"';
    const blank = blankComments(text);
    expect(blank.length).toBe(text.length);
    expect(blank.split('\n').map((l) => l.trimEnd())).toEqual(['A == 1', '', '          B == "\\* not a comment"']);
  });

  it("lists the project's specs' Next as their bindings map them", async () => {
    expect((await next(SPEC, 'MCPipeline.tla', 'MCPipeline.cfg')).actions.map((a) => a.name)).toEqual(['Produce', 'Consume', 'Terminating']);
    const sg = await next(SPEC, 'MCIterToSg.tla', 'MCIterToSg.cfg');
    expect(sg).toMatchObject({ operator: 'Next', module: 'IterToSg' });
    expect(sg.actions.map((a) => a.name)).toEqual(['Call', 'UserRound', 'Terminating']);
    // TLC names Call's disjunct by its place (its \E ranges over a set that depends on iter): the place is Call's.
    const out = readFileSync(join(SPEC, 'IterToSg.tla'), 'utf8').split('\n');
    const call = sg.actions[0];
    expect(call && out[call.line - 1]?.slice(call.col - 1, call.endCol)).toBe('\\E m \\in Sizes \\cup {iter.count}, s \\in SgMaxes : Call(m, s)');
  });

  it('an action of Next that is a disjunction of operators counts as those operators, as TLC splits and names it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iterpin-next-'));
    await writeFile(join(dir, 'M.tla'), [
      '---- MODULE M ----',
      'VARIABLE x',
      'A == x\' = 1',
      'B(n) == x\' = n',
      'C == x\' = 3',
      'Step == A \\/ \\E n \\in {2} : B(n)',
      'Inline == \\/ x = 0 /\\ x\' = 1',
      '          \\/ x = 1 /\\ x\' = 0',
      'Next ==',
      '    \\/ Step',
      '    \\/ C',
      '    \\/ Inline',
      'Spec == x = 0 /\\ [][Next]_x',
      '====',
    ].join('\n'));
    await writeFile(join(dir, 'M.cfg'), 'SPECIFICATION Spec\n');
    expect((await next(dir, 'M.tla', 'M.cfg')).actions.map((a) => a.name)).toEqual(['A', 'B', 'C', 'Inline']);
  });

  it('says what it cannot find', async () => {
    const r = await readNextList(SPECS, 'Cov.tla', 'NoSuch.cfg');
    expect(r).toEqual({ ok: false, error: 'NoSuch.cfg: cannot be read' });
  });
});
