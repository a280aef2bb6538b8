// The container form of the distributed runner with a real engine: `iterpin check --runner distributed --container`
// runs TLCServer and one TLCWorker in containers of the runner image (seen with `ps` while the model runs), the
// temporal property in the container runner, and gets the local verdict; no container is left behind.
// Skipped only off CI on a machine with no container engine; on CI (CI=true) a missing engine fails.
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/command.js';
import { findEngine } from '../../src/tlc/container.js';
import { runCommand } from '../../src/tlc/process.js';
import { runCli } from '../cli-harness.js';
import { freePort } from '../tlc-harness.js';

const onCi = (process.env.CI ?? '') !== '' && process.env.CI !== 'false' && process.env.CI !== '0';
const found = await findEngine();
const env = { ...process.env, TLA2TOOLS_JAR: '' };

/** Names of the containers this test process started that exist now. */
async function ours(program: string): Promise<string[]> {
  const r = await runCommand(program, ['ps', '--all', '--format', '{{.Names}}'], { timeoutMs: 30_000 });
  if (r.kind !== 'exited' || r.code !== 0) throw new Error('ps failed');
  return r.stdout.split('\n').filter((n) => n.startsWith('iterpin-') && n.includes(`-${process.pid}-`));
}

interface Row {
  status: string;
  got: { outcome: string; property?: string };
  log: string;
  distributed?: { joined: number; propertiesCheckedLocally?: string[] };
}

describe.skipIf(!found.ok && !onCi)('check --runner distributed --container', () => {
  it('MCPipelineConsumerStops: server and worker in containers, the liveness violation found as locally', async () => {
    if (!found.ok) throw new Error(`no container engine, and CI requires one: ${found.error.message}`);
    const program = found.value.program;
    const dir = await mkdtemp(join(tmpdir(), 'iterpin-dist-ctr-'));
    const port = await freePort();
    const seen = new Set<string>();
    let running = true;
    const watch = (async () => {
      while (running) {
        for (const n of await ours(program).catch(() => [])) seen.add(n.replace(/-\d+-[0-9a-f]+$/, ''));
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    const argv = ['check', '--runner', 'distributed', '--container', '--workers', '1', '--port', String(port), '--model', 'MCPipelineConsumerStops', '--out', dir, '--json'];
    const r = await runCli(argv, { env }).finally(() => (running = false));
    await watch;
    expect(r.stderr).toContain('other machines join with: iterpin worker --container --server');
    expect(r.code).toBe(EXIT.ok);
    const row = (JSON.parse(r.stdout) as { models: Row[] }).models[0] as Row;
    expect(row.status).toBe('match');
    expect(row.got).toMatchObject({ outcome: 'liveness', property: 'QueueDrainsProp' });
    expect(row.distributed?.joined).toBeGreaterThanOrEqual(1);
    expect(row.distributed?.propertiesCheckedLocally).toEqual(['QueueDrainsProp']);
    // The server and the worker really ran as containers, and the worker's TLC said so in its log.
    expect([...seen].sort()).toEqual(expect.arrayContaining(['iterpin-tlcserver', 'iterpin-tlcworker1']));
    const workerLog = await readFile(row.log.replace(/\.log$/, '.worker1.log'), 'utf8');
    expect(workerLog).toMatch(/TLC worker with 1 threads ready/);
    expect(await ours(program)).toEqual([]);
  }, 600_000);
});
