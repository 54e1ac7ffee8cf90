// The stores family's Fastify throughput (bench/store-server.mjs, a fresh process per
// run): (a) the in-memory store, no quota; (c) the PostgreSQL store, no quota; (b) the
// PostgreSQL store + a Redis quotaLimiter that never refuses (exact counting); (d) the same
// with leased counts (`batch`). Valid credentials (a key bound to its App ID). Besides the
// rate: mean latency, the server's CPU per request (/proc), Redis's CPU per request (INFO).
import path from 'node:path';
import { BENCH, log } from './config.js';
import type { Loose } from './generated.js';
import { load, pinned, startServer, stopServer } from './servers.js';
import { halfRange, median, processCpuSeconds } from './timing.js';

/** The `batch` of the leased-quota server (d). */
export const QUOTA_BATCH = 64;
export const VARIANTS = [
  ['memory', 'memory'],
  ['postgres', 'postgres'],
  ['quota', 'postgres-quota'],
  ['batch', 'postgres-quota-batch'],
] as const;
export type VariantKey = (typeof VARIANTS)[number][0];

export interface ServerConfig {
  dir: string;
  record: Loose;
  key: string;
  schema: string;
  redisPrefix: string;
  pg: object;
  redis: object;
}
/** The environment bench/store-server.mjs reads its schema, prefix and key record from. */
export const serverEnv = (c: ServerConfig, extra: object = {}): NodeJS.ProcessEnv => ({ ...process.env, BENCH_STORES: JSON.stringify({ record: c.record, pg: c.pg, schema: c.schema, redis: c.redis, redisPrefix: c.redisPrefix, batch: QUOTA_BATCH, ...extra }) });

export interface VariantFigures {
  rate: number;
  spread: number;
  /** Median of each round's rate ÷ (a)'s rate in the same round. */
  ratio: number;
  serverCpuUs: number | undefined;
  latencyMs: number;
  redisCpuUs: number | undefined;
}
export type StoresThroughput = Record<VariantKey, VariantFigures> & { pinned: boolean; quotaBatch: number };

/** Redis's own CPU seconds so far (INFO cpu: used_cpu_user + used_cpu_sys). */
async function redisCpuSeconds(redis: Loose): Promise<number> {
  const info: string = await redis.info('cpu');
  const get = (name: string) => Number(info.match(new RegExp(`^${name}:([0-9.]+)`, 'm'))?.[1] ?? NaN);
  return get('used_cpu_user') + get('used_cpu_sys');
}

/** PostgreSQL backends' CPU seconds are not read: on a cache hit the request path sends no query. */
export async function throughput(o: ServerConfig & { Redis: Loose; seconds: number; rounds: number }): Promise<StoresThroughput> {
  const env = serverEnv(o);
  const headers = { 'x-api-key': o.key, 'x-app-id': 'app-1' };
  const redis = new o.Redis({ ...o.redis, enableOfflineQueue: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  const empty = () => Object.fromEntries(VARIANTS.map(([k]) => [k, [] as number[]])) as Record<VariantKey, number[]>;
  const [rate, serverCpu, latency, redisCpu] = [empty(), empty(), empty(), empty()];
  try {
    for (let round = 0; round < o.rounds; round++) {
      // Every other round in reverse order, so no server always runs first after a restart.
      for (const [k, variant] of round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
        log(`stores: fastify ${variant}, round ${round + 1}/${o.rounds} (${o.seconds} s)`);
        const { child, port } = await startServer(path.join(BENCH, 'store-server.mjs'), [variant, o.dir], env);
        try {
          load(port, headers, 1); // warm-up (JIT, the first lookup, connections), discarded
          const withRedis = k === 'quota' || k === 'batch';
          const s0 = processCpuSeconds(child.pid);
          const r0 = withRedis ? await redisCpuSeconds(redis) : undefined;
          const res = load(port, headers, o.seconds);
          const s1 = processCpuSeconds(child.pid);
          const r1 = withRedis ? await redisCpuSeconds(redis) : undefined;
          if (res.non2xx || res.errors || res.timeouts) throw new Error(`fastify ${variant}: ${res.non2xx} non-2xx answers, ${res.errors} errors, ${res.timeouts} timeouts (expected 200s only)`);
          rate[k].push(res.requests.average);
          latency[k].push(res.latency.average);
          if (s0 !== undefined && s1 !== undefined) serverCpu[k].push(((s1 - s0) / res.requests.total) * 1e6);
          if (r0 !== undefined && r1 !== undefined) redisCpu[k].push(((r1 - r0) / res.requests.total) * 1e6);
        } finally {
          await stopServer(child);
        }
      }
    }
  } finally {
    redis.disconnect();
  }
  const orUndefined = (xs: number[]) => (xs.length ? median(xs) : undefined);
  const out = { pinned, quotaBatch: QUOTA_BATCH } as StoresThroughput;
  for (const [k] of VARIANTS) {
    out[k] = {
      rate: median(rate[k]),
      spread: halfRange(rate[k]),
      // Each round's rate against (a)'s in the same round, then the median of those: a
      // machine that slows down for a while slows both sides of a ratio.
      ratio: median(rate[k].map((x, i) => x / rate.memory[i]!)),
      serverCpuUs: orUndefined(serverCpu[k]),
      latencyMs: median(latency[k]),
      redisCpuUs: orUndefined(redisCpu[k]),
    };
  }
  return out;
}
