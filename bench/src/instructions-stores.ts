// Instructions per request of the stores family's Fastify servers under callgrind: (a)
// the in-memory store, (c) the PostgreSQL store, (d) the PostgreSQL store + Redis quota
// with `batch` (the RateLimit fields on 429s only, the default), and (d') the same with
// `headers: 'always'` (the fields on every success too), which tells the counting's cost
// from the two response fields'.
// bench/store-server.mjs runs under callgrind (the quota's Redis timeout raised: the
// server runs ~50× slower there) (instructions.ts) with BENCH_MARKER=1: on SIGUSR2 it
// calls `os.hostname()` (the dump marker) and prints "mark". A keep-alive client sends
// the requests over ONE connection, one after another, so every request is the same
// sequence of calls (with ten, how many requests each event-loop turn handled varied
// with timing, and pairs of the same server differed by up to 200%): a warm-up with
// callgrind's instrumentation off (turned on with `callgrind_control` after it),
// settling segments (discarded), then N1 and N2 requests in four pairs, a marker after
// each; per request = (min Ir(N2) − min Ir(N1)) ÷ (N2 − N1) (instructions.ts
// `perRequestOfServer`: a one-off cost lands in some segments, never subtracts). The servers run at the same time:
// instruction counts do not depend on the machine's load.
import { execFile, spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { BENCH, WORK, log } from './config.js';
import { CALLGRIND_CONTROL, callgrindCommand, clearDumps, dumpTotals, perRequestOfServer, STORES_N, STORES_SEGMENTS, valgrindMissing, type PerCall } from './instructions.js';
import { serverEnv, type ServerConfig } from './stores-throughput.js';

/** Segments of N2 requests discarded after instrumentation is turned on. */
const SETTLING = 3;
/** One connection: each request is then the same sequence of calls in the server. */
const STORES_CONNECTIONS = 1;

export const COUNTED = [
  ['memory', 'memory'],
  ['postgres', 'postgres'],
  ['batch', 'postgres-quota-batch'],
  ['always', 'postgres-quota-batch-always'],
] as const;
/** A server's instructions per request, and how many of its segments were disturbed. */
export type ServerCount = PerCall & { disturbed: number };
export interface StoreInstructions {
  skipped?: string;
  error?: string;
  perRequest?: Partial<Record<(typeof COUNTED)[number][0], ServerCount>>;
  n?: typeof STORES_N;
}

/** `n` GET /v1/pets over `connections` keep-alive connections; every answer must be a 200. */
async function send(port: number, headers: Record<string, string>, n: number, agent: http.Agent, connections: number): Promise<void> {
  let left = n;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/v1/pets', headers, agent }, (res) => {
        res.resume();
        res.once('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      req.once('error', reject);
    });
  const worker = async () => {
    while (left > 0) {
      left--;
      await one();
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
}

/** `callgrind_control -i on <pid>`: turns instrumentation on in the running server. */
function instrumentOn(pid: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(CALLGRIND_CONTROL, ['-i', 'on', String(pid)], { timeout: 120_000 }, (error, stdout, stderr) => (error ? reject(new Error(`callgrind_control -i on ${pid}: ${error.message} ${stderr}`.trim())) : resolve()));
  });
}

async function countOne(variant: string, c: ServerConfig): Promise<ServerCount> {
  const n = STORES_N;
  const connections = STORES_CONNECTIONS;
  const out = path.join(WORK, 'callgrind', `store-${variant}.out`);
  clearDumps(out);
  // Instrumentation off from the start: the warm-up runs at valgrind's plain speed.
  const [cmd, argv] = callgrindCommand(out, [path.join(BENCH, 'store-server.mjs'), variant, c.dir], false);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...serverEnv(c, { timeoutMs: 120_000, counted: true }), BENCH_MARKER: '1' } });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buffer = '';
  child.stdout.on('data', (d) => {
    buffer += d;
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      lines.push(buffer.slice(0, i).trim());
      buffer = buffer.slice(i + 1);
      waiters.splice(0).forEach((w) => w());
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const nextLine = async (): Promise<string> => {
    while (lines.length === 0) {
      const more = new Promise<void>((resolve) => waiters.push(resolve));
      if ((await Promise.race([more.then(() => 'line'), exited.then(() => 'exit')])) === 'exit' && lines.length === 0) throw new Error(`store-server ${variant} under callgrind exited before answering`);
    }
    return lines.shift()!;
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  try {
    const port = Number(await nextLine());
    const headers = { 'x-api-key': c.key, 'x-app-id': 'app-1' };
    const mark = async () => {
      child.kill('SIGUSR2');
      if ((await nextLine()) !== 'mark') throw new Error(`store-server ${variant}: expected "mark"`);
    };
    // The warm-up, uninstrumented; then instrumentation on, which callgrind only takes up
    // while the server runs, so requests keep it busy until `callgrind_control` returns;
    // then settling segments (discarded: after the switch the next ~4000 requests still
    // ran up to 20% dearer, callgrind instrumenting every code block again among it), then
    // the pairs.
    const t0 = Date.now();
    await send(port, headers, n.warm, agent, connections);
    const t1 = Date.now();
    let switched = false;
    const busy = (async () => {
      while (!switched) await send(port, headers, 10, agent, connections);
    })();
    try {
      await instrumentOn(child.pid!);
    } finally {
      switched = true;
      await busy;
    }
    for (const calls of [...Array<number>(SETTLING).fill(n.settle), ...STORES_SEGMENTS.map((s) => (s.startsWith('n1') ? n.n1 : n.n2))]) {
      await send(port, headers, calls, agent, connections);
      await mark();
    }
    log(`instructions: ${variant}: warm-up ${((t1 - t0) / 1000).toFixed(0)} s, counted segments ${((Date.now() - t1) / 1000).toFixed(0)} s`);
  } finally {
    agent.destroy();
    child.kill('SIGTERM');
  }
  const code = await exited;
  if (code !== 0) throw new Error(`store-server ${variant} under callgrind exited ${code}`);
  // The last numbered dumps: N1, N2, … (the final dump, at exit, is the shutdown).
  return perRequestOfServer(dumpTotals(out).slice(-STORES_SEGMENTS.length), n);
}

export async function countStores(c: ServerConfig): Promise<StoreInstructions> {
  const missing = valgrindMissing();
  if (missing) return { skipped: missing };
  log(`instructions: the stores servers under callgrind (${COUNTED.map(([, v]) => v).join(', ')}, at the same time)`);
  // Every server is waited for, failed or not, before the schema they read is dropped.
  const settled = await Promise.allSettled(COUNTED.map(([, variant]) => countOne(variant, c)));
  const failed = settled.flatMap((r, i) => (r.status === 'rejected' ? [`${COUNTED[i]![1]}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []));
  if (failed.length > 0) {
    log(`instructions: stores failed: ${failed.join('; ')}`);
    return { error: failed.join('; ') };
  }
  return { perRequest: Object.fromEntries(COUNTED.map(([k], i) => [k, (settled[i] as PromiseFulfilledResult<ServerCount>).value])), n: STORES_N };
}
