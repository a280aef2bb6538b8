// The estimate of what is left of a breadth-first run, from the growth of its levels (TLC's progress reports).
import { describe, expect, it } from 'vitest';
import { describeEstimate, LevelEstimator } from '../../src/cli/progress-estimate.js';
import { JsonProgress, TtyProgress } from '../../src/cli/progress.js';
import { Writable } from 'node:stream';

const report = (depth: number, distinct: number) => ({ generated: distinct * 3, distinct, queue: 10, depth });

describe('LevelEstimator', () => {
  it('levels shrinking by half: the levels left until fewer than one new state, and the time at the last rate', () => {
    const e = new LevelEstimator();
    // 1024 new states at level 10→11, 512 at 11→12: q = 0.5, 512 per level now; 60 s per level.
    e.add(0, report(10, 10_000));
    e.add(60, report(11, 11_024));
    e.add(120, report(12, 11_536));
    const est = e.estimate();
    expect(est.distinctPerMinute).toBe(512);
    expect(est.remainingLevels).toBe(9); // 512·0.5^9 = 1
    expect(est.remainingSeconds).toBe(60); // 512·0.5/(1-0.5) = 512 states at 512/min
    expect(describeEstimate(est)).toBe('~9 more levels, ~60 s left');
  });

  it('no estimate while the levels still grow, or before three levels are seen', () => {
    const e = new LevelEstimator();
    expect(e.estimate()).toEqual({});
    e.add(0, report(1, 10));
    e.add(60, report(2, 110));
    expect(describeEstimate(e.estimate())).toBe('estimating after one more level');
    e.add(120, report(3, 1_110));
    expect(describeEstimate(e.estimate())).toBe('levels still growing (×10.00 a level)');
  });

  it('a report at the same level replaces that level\'s counts', () => {
    const e = new LevelEstimator();
    e.add(0, report(4, 100));
    e.add(30, report(4, 150));
    e.add(60, report(5, 250));
    e.add(90, report(6, 300));
    expect(e.estimate().remainingLevels).toBe(Math.ceil(Math.log(50) / -Math.log(0.5)));
  });
});

describe('progress sinks with the estimate', () => {
  const sink = () => {
    const chunks: string[] = [];
    return { stream: new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } }), text: () => chunks.join('') };
  };

  it('the terminal line shows the level, the rate and what is left', () => {
    let t = 0;
    const out = sink();
    const tty = new TtyProgress(out.stream, () => t);
    tty.start('MCA');
    for (const [s, lvl, d] of [[60, 10, 10_000], [120, 11, 11_024], [180, 12, 11_536]] as const) {
      t = s * 1000;
      tty.progress('MCA', { ...report(lvl, d), perMinute: 1536 });
    }
    expect(tty.line()).toBe('MCA 34,608 gen 11,536 dist 10 queue 1,536/min level 12 180 s (~9 more levels, ~60 s left)');
    tty.close();
  });

  it('--json --verbose streams one JSON event per line', () => {
    let t = 0;
    const out = sink();
    const j = new JsonProgress(out.stream, () => t);
    j.start('MCA');
    t = 5000;
    j.progress('MCA', report(3, 40));
    j.done('MCA', 'MCA: success');
    const events = out.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e['event'])).toEqual(['start', 'progress', 'done']);
    expect(events[1]).toMatchObject({ model: 'MCA', seconds: 5, level: 3, distinct: 40, queue: 10, estimate: { note: 'estimating after two more levels' } });
  });
});
