// Live progress of `iterpin check`: the terminal status line and the plain lines for logs.
import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import { describeProgress, PlainProgress, TtyProgress } from '../../src/cli/progress.js';

function sink(): { stream: Writable & { columns?: number }; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(c, _e, cb) {
      chunks.push(String(c));
      cb();
    },
  }) as Writable & { columns?: number };
  return { stream, text: () => chunks.join('') };
}

describe('progress', () => {
  it('describes a 2200 report with thousands separators', () => {
    expect(describeProgress('MCFoo', { generated: 1234567, distinct: 4567, queue: 89, perMinute: 50000 })).toBe(
      'MCFoo 1,234,567 gen 4,567 dist 89 queue 50,000/min',
    );
  });

  it('the terminal line shows every running model with its counts and elapsed time, and is cleared at the end', () => {
    let t = 0;
    const out = sink();
    const tty = new TtyProgress(out.stream, () => t);
    tty.start('MCA');
    tty.start('MCB');
    t = 3_500;
    tty.progress('MCA', { generated: 10, distinct: 9, queue: 1 });
    expect(tty.line()).toBe('MCA 10 gen 9 dist 1 queue 3 s | MCB 3 s');
    tty.done('MCA', 'MCA: success in 3.5 s ✓');
    expect(tty.line()).toBe('MCB 3 s');
    tty.done('MCB', 'MCB: success in 3.6 s ✓');
    tty.close();
    expect(out.text()).toContain('\r\x1b[2KMCA: success in 3.5 s ✓\n');
    expect(out.text().endsWith('MCB: success in 3.6 s ✓\n')).toBe(true);
  });

  it('plain progress writes one line per event', () => {
    const out = sink();
    const p = new PlainProgress(out.stream);
    p.start('MCA');
    p.progress('MCA', { generated: 1, distinct: 1, queue: 0 });
    p.done('MCA', 'MCA: success');
    expect(out.text()).toBe('MCA: started\nMCA 1 gen 1 dist 0 queue\nMCA: success\n');
  });
});
