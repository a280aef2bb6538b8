// `npm run distributed`: every default-tier model of the manifest on the distributed runner (a TLC server and two
// local workers on a free port) must give the local result — outcome, invariant or property, distinct states, and
// depth wherever check compares it — and every trace rebuilt after a distributed violation must replay
// `reproduced`. Long (every model on a cluster); kept out of `npm test`, which runs a slice
// (test/integration/distributed.test.ts). Progress goes to stderr.
import { describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/command.js';
import { runCli } from '../cli-harness.js';
import { freePort } from '../tlc-harness.js';

const env = { ...process.env, TLA2TOOLS_JAR: '' };

interface Row {
  name: string;
  status: string;
  differences: string[];
  got?: { outcome: string; invariant?: string };
  itf?: string;
  distributed?: { rebuilt?: unknown };
}

describe('the default tier on the distributed runner', () => {
  it('matches the manifest (the local results) and every rebuilt trace replays reproduced', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iterpin-dist-tier-'));
    const port = await freePort();
    const r = await runCli(['check', '--runner', 'distributed', '--workers', '2', '--port', String(port), '--out', dir, '--json', '--timeout', '1800'], { env });
    const report = JSON.parse(r.stdout) as { models: Row[]; seconds: number };
    for (const m of report.models) process.stderr.write(`${m.name}: ${m.status}${m.differences.length > 0 ? ` (${m.differences.join('; ')})` : ''}\n`);
    process.stderr.write(`${report.models.length} models in ${report.seconds.toFixed(0)} s\n`);
    expect(report.models.filter((m) => m.status !== 'match').map((m) => `${m.name}: ${m.status} ${m.differences.join('; ')}`)).toEqual([]);
    expect(r.code).toBe(EXIT.ok);
    for (const m of report.models) {
      if (m.itf === undefined) continue;
      const replay = await runCli(['replay', m.itf, '--brief'], { env });
      process.stderr.write(`replay ${m.name}: ${replay.stdout.trim().split('\n').at(-1) ?? ''}\n`);
      expect(replay.stdout).toMatch(/^reproduced: /m);
      if (m.got?.outcome === 'safety') expect(m.distributed?.rebuilt).toBeDefined();
    }
  });
});
