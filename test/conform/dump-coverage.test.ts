// Counting actions from TLC's state-graph dump: TLC's label when it names an action of Next, else the reached
// state's `action` record; a transition attributable to no action of Next is an error, not a silent count.
import { describe, expect, it } from 'vitest';
import { cfgWithoutView, countDump } from '../../src/conform/dump-coverage.js';
import type { NextList } from '../../src/tlc/tool-coverage.js';

const next: NextList = {
  operator: 'Next',
  module: 'S',
  actions: ['Call', 'UserRound', 'Terminating'].map((name, k) => ({ name, line: 10 + k, col: 8, endLine: 10 + k, endCol: 40 })),
};
const state = (id: number, action: string, x: number) => `${id} [label="/\\\\ action = [name |-> \\"${action}\\"]\\n/\\\\ x = ${x}"${id === 1 ? ',style = filled' : ''}];`;
const dot = (edges: string[]) =>
  ['strict digraph DiskGraph {', 'nodesep=0.35;', 'subgraph cluster_graph {', 'color="white";', state(1, 'Init', 0), state(2, 'Call', 1), state(3, 'UserRound', 2), ...edges, '}', '}'].join('\n');

describe('action counts from the state-graph dump', () => {
  it('counts each transition once: by TLC label for split actions, by the reached action record for an unsplit disjunct', () => {
    const text = dot([
      '1 -> 2 [label="Next",color="black",fontcolor="black"];',
      '2 -> 3 [label="UserRound",color="black",fontcolor="black"];',
      '3 -> 3 [label="Terminating",color="black",fontcolor="black"];',
      '1 -> 3 [label="UserRound",color="black",fontcolor="black"];',
    ]);
    const r = countDump(text, 'g.dot', next);
    expect(r.ok && r.value).toEqual([
      { name: 'Call', generated: 1, distinct: 1 },
      { name: 'UserRound', generated: 2, distinct: 1 },
      { name: 'Terminating', generated: 1, distinct: 1 },
    ]);
  });

  it('an action that never fires counts 0; a transition no action of Next explains is an error', () => {
    const none = countDump(dot(['1 -> 2 [label="Next",color="black",fontcolor="black"];']), 'g.dot', next);
    expect(none.ok && none.value.map((a) => a.generated)).toEqual([1, 0, 0]);
    const odd = countDump(dot(['2 -> 1 [label="Next",color="black",fontcolor="black"];']), 'g.dot', next);
    expect(odd.ok).toBe(false);
    expect(!odd.ok && odd.error).toMatch(/labelled 'Next' and reaches no action record of Next \(Call, UserRound, Terminating\)/);
  });

  it('the dump cfg is the model cfg without its VIEW', () => {
    const cfg = cfgWithoutView('CONSTANTS\n    A <- B\nSPECIFICATION Spec\nINVARIANTS\n    TypeOK\nVIEW View\n');
    expect(cfg).toMatch(/^SPECIFICATION\s+Spec$/m);
    expect(cfg).toContain('TypeOK');
    expect(cfg).not.toContain('VIEW');
  });
});
