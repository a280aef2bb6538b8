// `iterpin check --runner distributed`: the options, the runner and the notes that distributed TLC adds to a check.

import { DEFAULT_DISTRIBUTED_PORT, DEFAULT_JOIN_TIMEOUT_MS, isDistributedResult, runTlcDistributed, type DistributedInfo } from '../tlc/distributed.js';
import type { TlcRunner, TlcRunResult } from '../tlc/run.js';

export const DISTRIBUTED_HELP = `distributed runner (TLC's own distributed mode, tlc2.tool.distributed.TLCServer):
  --runner distributed  one TLC server per model and --workers N local TLCWorker processes
                     (default 2); models run one after another; other machines join with
                     'iterpin worker --server HOST --port P --jar-sha256 H' (the command is printed)
  --listen ADDR      the address other machines reach this server at (default: this machine's name)
  --port P           the server's RMI registry port (default ${DEFAULT_DISTRIBUTED_PORT})
  --join-timeout S   fail when no worker has joined S seconds after the server is ready
                     (default ${DEFAULT_JOIN_TIMEOUT_MS / 1000})
  --container        run the server and the local workers in containers of the runner image
                     (docker/Dockerfile, as --runner container; host network, for RMI), and the
                     local re-runs in the container runner; other machines join with
                     'iterpin worker --container …'
  The server does not name a violated invariant and prints only the last two states: the invariant
  is named by checking that state alone, and the trace is rebuilt by a local run bounded to the
  violation's depth (marked "reconstructed" in the text, the JSON and the trace's #meta). Temporal
  properties are not checked by distributed TLC: a model that has PROPERTIES is also run locally.
`;

export interface DistributedCheckOptions {
  readonly localWorkers: number;
  readonly port: number;
  readonly listen?: string;
  readonly joinTimeoutMs: number;
  readonly container: boolean;
}

/** Parses --port and --join-timeout; a message for bad values. */
export function parseDistributedOptions(values: { port?: string; listen?: string; 'join-timeout'?: string; container?: boolean }, workers: number | undefined): DistributedCheckOptions | string {
  const port = values.port === undefined ? DEFAULT_DISTRIBUTED_PORT : Number(values.port);
  if (values.port !== undefined && !(/^[0-9]+$/.test(values.port) && port >= 1 && port <= 65535)) return `--port must be an integer from 1 to 65535, got '${values.port}'`;
  const join = values['join-timeout'] === undefined ? DEFAULT_JOIN_TIMEOUT_MS / 1000 : Number(values['join-timeout']);
  if (values['join-timeout'] !== undefined && !(/^[0-9]+$/.test(values['join-timeout']) && join >= 1 && join <= 86400)) {
    return `--join-timeout must be an integer from 1 to 86400 (seconds), got '${values['join-timeout']}'`;
  }
  if (values.listen !== undefined && !/^[A-Za-z0-9.:_-]+$/.test(values.listen)) return `--listen must be a host name or address, got '${values.listen}'`;
  return { localWorkers: workers ?? 2, port, joinTimeoutMs: join * 1000, container: values.container === true, ...(values.listen !== undefined ? { listen: values.listen } : {}) };
}

/** Options only the distributed runner takes: a usage error when given with another runner. */
export function distributedOnly(values: { port?: string; listen?: string; 'join-timeout'?: string; container?: boolean }): string | undefined {
  const given = (['port', 'listen', 'join-timeout', 'container'] as const).filter((k) => values[k] !== undefined && values[k] !== false);
  return given.length > 0 ? `--${given[0]} is an option of --runner distributed` : undefined;
}

export function distributedRunner(o: DistributedCheckOptions, note: (line: string) => void): TlcRunner {
  return (opts) => runTlcDistributed({ ...opts, ...o, onNote: note });
}

/** The line that tells other machines how to join. */
export function joinHint(o: DistributedCheckOptions, sha256: string, host: string): string {
  return `distributed: server port ${o.port}; ${o.localWorkers} local worker${o.localWorkers === 1 ? '' : 's'}; other machines join with: iterpin worker${o.container ? ' --container' : ''} --server ${o.listen ?? host} --port ${o.port} --jar-sha256 ${sha256}`;
}

/** What a distributed run adds to the report: its info, and notes for the text. */
export function distributedPart(r: TlcRunResult): { distributed?: DistributedInfo } {
  return isDistributedResult(r) ? { distributed: r.distributed } : {};
}

export function distributedNotes(model: string, r: TlcRunResult): string[] {
  if (!isDistributedResult(r)) return [];
  const d = r.distributed;
  const notes: string[] = [];
  if (d.rebuilt !== undefined) notes.push(`${model}: violation found by distributed TLC; ${d.rebuilt.note} (reconstructed)`);
  if (d.propertiesCheckedLocally !== undefined) {
    notes.push(`${model}: distributed TLC does not check temporal properties; ${d.propertiesCheckedLocally.join(', ')} checked by a local run`);
  }
  if (d.lost > 0) notes.push(`${model}: ${d.lost} worker${d.lost === 1 ? '' : 's'} lost during the run`);
  return notes;
}

/** #meta fields of a trace rebuilt after a distributed run. */
export function distributedMeta(r: TlcRunResult): Record<string, unknown> {
  if (!isDistributedResult(r) || r.distributed.rebuilt === undefined) return {};
  const b = r.distributed.rebuilt;
  return {
    reconstructed: true,
    reconstruction: `local TLC run bounded to depth ${b.depthBound} after distributed TLC reported a violation`,
    ...(b.lastStateInvariant !== undefined ? { distributedInvariant: b.lastStateInvariant } : {}),
  };
}
