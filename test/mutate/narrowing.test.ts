// The strict-subset criterion's graph reading and comparison, on small hand-written `-dump dot` files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareShapes, fairNames, narrowing, readGraphShape } from '../../src/mutate/narrowing.js';

const dir = mkdtempSync(join(tmpdir(), 'iterpin-narrowing-'));

/** A dot file in TLC's layout: nodes by fingerprint (initial ones filled), edges with action labels. */
function dot(name: string, nodes: readonly [string, boolean][], edges: readonly [string, string, string][]): string {
  const file = join(dir, `${name}.dot`);
  const lines = [
    'strict digraph DiskGraph {',
    'nodesep=0.35;',
    'subgraph cluster_graph {',
    'color="white";',
    ...nodes.map(([id, init]) => `${id} [label="/\\\\ x = ${id}"${init ? ',style = filled' : ''}]`),
    ...edges.map(([a, b, l]) => `${a} -> ${b} [label="${l}",color="black",fontcolor="black"];`),
    '}',
    '}',
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('the strict-subset criterion', () => {
  it('reads states, initial states and transitions, leaving self-loops out', async () => {
    const g = await readGraphShape(dot('g', [['1', true], ['-2', false]], [['1', '-2', 'Step'], ['-2', '-2', 'Done']]));
    expect([...g.states]).toEqual(['1', '-2']);
    expect([...g.initial]).toEqual(['1']);
    expect([...g.edges]).toEqual(['1>-2>Step']);
  });

  it('keeps the self-loops of the actions a fairness condition reaches, through the operators it names', async () => {
    const spec = ['Task == Extract \\/ Finish', 'Extract == x\' = x + 1', 'Other == y\' = y', 'Live == Spec /\\ WF_vars(Task) /\\ SF_vars(\\E b \\in 1..2 : Done(b))', ''].join('\n');
    const fair = fairNames(spec);
    expect([...fair]).toEqual(expect.arrayContaining(['Task', 'Extract', 'Finish', 'Done']));
    expect(fair.has('Other')).toBe(false);
    const g = await readGraphShape(dot('loops', [['1', true]], [['1', '1', 'Extract'], ['1', '1', 'Other']]), fair);
    expect([...g.edges]).toEqual(['1>1>Extract']);
  });

  it('a mutant that only turns steps into stutters and reaches fewer states is a narrowing', async () => {
    const original = await readGraphShape(dot('o', [['1', true], ['2', false], ['3', false]], [['1', '2', 'Step'], ['2', '3', 'Trunc']]));
    const mutant = await readGraphShape(dot('m', [['1', true], ['2', false]], [['1', '2', 'Step'], ['2', '2', 'Trunc']]));
    const cmp = compareShapes(mutant, original);
    expect(cmp).toMatchObject({ kind: 'subgraph', states: 2, originalStates: 3 });
    expect(narrowing([{ model: 'M', cmp }])?.message).toMatch(/^reaches 2 of the original's 3 distinct states/);
  });

  it('a new transition, initial state or state is not a narrowing, nor is a subgraph with as many states', async () => {
    const original = await readGraphShape(dot('o2', [['1', true], ['2', false], ['3', false]], [['1', '2', 'Step'], ['2', '3', 'Step']]));
    const jump = await readGraphShape(dot('j', [['1', true], ['3', false]], [['1', '3', 'Step']]));
    expect(compareShapes(jump, original)).toEqual({ kind: 'adds', what: 'a transition' });
    const start = await readGraphShape(dot('s', [['2', true], ['3', false]], [['2', '3', 'Step']]));
    expect(compareShapes(start, original)).toEqual({ kind: 'adds', what: 'an initial state' });
    const other = await readGraphShape(dot('x', [['1', true], ['4', false]], [['1', '4', 'Step']]));
    expect(compareShapes(other, original)).toEqual({ kind: 'adds', what: 'a state' });
    const same = compareShapes(original, original);
    expect(narrowing([{ model: 'M', cmp: same }])).toBeUndefined();
    // Every model must be a subgraph: one that adds something keeps the mutant a survivor.
    const fewer = compareShapes(await readGraphShape(dot('f', [['1', true]], [])), original);
    expect(narrowing([{ model: 'A', cmp: fewer }, { model: 'B', cmp: { kind: 'adds', what: 'a state' } }])).toBeUndefined();
    expect(narrowing([{ model: 'A', cmp: same }, { model: 'B', cmp: fewer }])?.message).toMatch(/^reaches 1 of the original's 3/);
  });
});
