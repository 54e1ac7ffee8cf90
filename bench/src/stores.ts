// Family 5: "beyond one process" (issue 17): the generated key stores and quota limiter
// against real PostgreSQL and Redis, side by side in the same run.
//  1. Verifier cost: `apiKeyVerifier(store).verify` per call for the in-memory store, the
//     PostgreSQL store on a cache hit, and on a miss (`cacheTtlMs: 0`), CPU and wall.
//  2. Fastify loopback throughput with the stores (stores-throughput.ts).
//  3. Instruction counts per request of the same servers under callgrind (instructions-stores.ts; full runs only).
//  4. Revocation propagation between two stores (stores-propagation.ts).
// PostgreSQL (127.0.0.1:5432, user postgres, database test) and Redis (127.0.0.1:6379) are
// started with scripts/services.sh when down; the bench works in its own schema
// `bench_<random>` and under its own Redis key prefix and drops both at the end. When either
// cannot be reached the family is skipped and the report says why.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { INSTRUCTIONS, QUICK, REPO, SAMPLE_SECONDS, STORES_HTTP_ROUNDS, STORES_HTTP_SECONDS, STORES_PAIRED_ROUNDS, log, repoRequire } from './config.js';
import { generatedStores, importFile, type Loose } from './generated.js';
import { countStores, type StoreInstructions } from './instructions-stores.js';
import { propagation, type Propagation } from './stores-propagation.js';
import { pairedThroughput, pairsFrom, type PairedFigures } from './stores-paired.js';
import { throughput, type StoresThroughput } from './stores-throughput.js';
import { rounds, type Timed } from './timing.js';

export const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
export const REDIS = { host: '127.0.0.1', port: 6379 };

export interface StoresResult {
  skipped?: string;
  cost?: Timed<'memory' | 'hit' | 'miss' | 'quota' | 'select1' | 'ping'>;
  costError?: string;
  http?: StoresThroughput;
  httpError?: string;
  /** Store servers each run at the same time as an in-memory one, on one core (stores-paired.ts). */
  paired?: PairedFigures[];
  pairedError?: string;
  instructions?: StoreInstructions;
  propagation?: Propagation;
  propagationError?: string;
}

const importRepo = (name: string): Promise<Loose> => importFile(repoRequire.resolve(name));
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Never throws: a failure or an unreachable server becomes `skipped` or the `…Error` of its part. */
export async function measureStores(): Promise<StoresResult> {
  const result: StoresResult = {};
  log('stores: scripts/services.sh');
  const services = spawnSync('bash', [path.join(REPO, 'scripts/services.sh')], { cwd: REPO, encoding: 'utf8', timeout: 180_000 });
  const servicesNote = services.status === 0 ? undefined : `scripts/services.sh failed (${services.error?.message ?? `exit ${services.status}`}: ${String(services.stderr ?? '').trim().split('\n').pop()})`;
  const { default: pg } = await importRepo('pg');
  const { Redis } = await importRepo('ioredis');
  const unreachable: string[] = [];
  {
    const client = new pg.Client({ ...PG, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      await client.query('select 1');
    } catch (error) {
      unreachable.push(`PostgreSQL at ${PG.host}:${PG.port} (user ${PG.user}, database ${PG.database}): ${message(error)}`);
    } finally {
      await client.end().catch(() => {});
    }
    const redis = new Redis({ ...REDIS, lazyConnect: true, enableOfflineQueue: false, connectTimeout: 5000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => {});
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      unreachable.push(`Redis at ${REDIS.host}:${REDIS.port}: ${message(error)}`);
    } finally {
      redis.disconnect();
    }
  }
  if (unreachable.length > 0) {
    result.skipped = `not reachable: ${unreachable.join('; ')}${servicesNote ? `; ${servicesNote}` : ''}`;
    log(`stores: skipped: ${result.skipped}`);
    return result;
  }

  const suffix = randomBytes(6).toString('hex');
  const schema = `bench_${suffix}`;
  const redisPrefix = `bench_${suffix}`;
  const admin = new pg.Pool({ ...PG, max: 4 });
  const closers: Array<() => unknown> = [];
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
    {
      const c = await admin.connect();
      try {
        await c.query(`BEGIN; SET LOCAL search_path TO "${schema}";\n${readFileSync(path.join(REPO, 'templates/sql/postgres-keys.sql'), 'utf8')}\nCOMMIT;`);
      } finally {
        c.release();
      }
    }
    const dir = await generatedStores();
    const load = (f: string) => importFile(path.join(dir, f));
    const [{ apiKeyVerifier }, { createMemoryKeyStore, issueApiKey }, { createPostgresKeyStore }, { quotaLimiter }] = await Promise.all(['runtime-key-verifier.js', 'runtime-key-store.js', 'runtime-key-store-postgres.js', 'runtime-quota.js'].map(load));
    const quiet = () => {};
    const adminStore = createPostgresKeyStore({ pool: admin, schema, listen: false, cacheTtlMs: 0, onEvent: quiet });
    closers.push(() => adminStore.close());
    const owner = { clientId: 'bench', scopes: ['pets:read', 'pets:write'] };
    // A quota no run can reach: the limiter counts every request and never refuses.
    const newKey = () => issueApiKey(adminStore, { prefix: 'bench', owner, apps: ['app-1'], quota: { limit: 1_000_000_000, windowSeconds: 3600 } });
    const { key, record } = await newKey();
    const context = { operationId: 'listPets', scheme: 'ApiKey', scopes: [], request: { headers: {} } };
    const listen = () => new pg.Client(PG);
    const server = { dir, record, key, schema, redisPrefix };

    // 1. Verifier cost.
    try {
      log('stores: verifier cost (in-memory / PostgreSQL hit / PostgreSQL miss)');
      const memory = apiKeyVerifier(createMemoryKeyStore([record]));
      const hitPool = new pg.Pool({ ...PG, max: 2 });
      const missPool = new pg.Pool({ ...PG, max: 2 });
      closers.push(() => hitPool.end(), () => missPool.end());
      // Hit: a TTL longer than the whole part, so every timed call is served from the cache.
      const hitStore = createPostgresKeyStore({ pool: hitPool, schema, listen, cacheTtlMs: 600_000, onEvent: quiet });
      // Miss: no cache (`cacheTtlMs: 0`), so every call is one `SELECT ... WHERE id = $1`.
      const missStore = createPostgresKeyStore({ pool: missPool, schema, listen: false, cacheTtlMs: 0, onEvent: quiet });
      closers.push(() => hitStore.close(), () => missStore.close());
      if ((await hitStore.ready) !== 'listening') throw new Error(`the cache-hit store is ${hitStore.mode}, not listening`);
      const hit = apiKeyVerifier(hitStore);
      const miss = apiKeyVerifier(missStore);
      for (const [name, v] of [['in-memory', memory], ['hit', hit], ['miss', miss]] as const) {
        if ((await v.verify(key, context))?.keyId !== record.id) throw new Error(`bench set-up is wrong: ${name} verifier refuses the key`);
      }
      // For reference: the quota hook alone, as the guard calls it after a passing decision.
      const redis = new Redis({ ...REDIS, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      closers.push(() => redis.quit());
      await new Promise((resolve, reject) => (redis.once('ready', resolve), redis.once('error', reject)));
      const quota = quotaLimiter({ redis, keyPrefix: `${redisPrefix}_inprocess` });
      const decision = { ok: true, operationId: 'listPets', alternative: 0, anonymous: false, principals: { ApiKey: await memory.verify(key, context), AppId: { appId: 'app-1' } } };
      if ((await quota.limit(decision)).ok !== true) throw new Error('bench set-up is wrong: the quota refuses');
      // Batches of 50 awaited calls, 300 ms of warm-up each (the JIT, the pools' connections, the cache).
      result.cost = await rounds(
        {
          memory: () => memory.verify(key, context),
          hit: () => hit.verify(key, context),
          miss: () => miss.verify(key, context),
          quota: () => quota.limit(decision),
          // The floors of a round trip, for the miss and the quota: the bare client calls.
          select1: () => missPool.query('SELECT 1'),
          ping: () => redis.ping(),
        },
        { seconds: SAMPLE_SECONDS, batch: 50, warmup: { ms: 300 } },
      );
    } catch (error) {
      result.costError = message(error);
      log(`stores: verifier cost failed: ${result.costError}`);
    }

    // 2. Fastify throughput; 3. the same servers' instructions per request, under callgrind:
    // after the throughput in a full run, alongside it in a smoke run (see run.ts).
    // A smoke run does not count them (minutes under callgrind): see instructions.ts.
    if (STORES_HTTP_SECONDS > 0) {
      try {
        result.http = await throughput({ ...server, pg: PG, redis: REDIS, Redis, seconds: STORES_HTTP_SECONDS, rounds: STORES_HTTP_ROUNDS });
      } catch (error) {
        result.httpError = message(error);
        log(`stores: throughput failed: ${result.httpError}`);
      }
      try {
        const paired: PairedFigures[] = [];
        for (const pair of pairsFrom(process.env.BENCH_STORES_PAIRS)) paired.push(await pairedThroughput({ ...server, pg: PG, redis: REDIS, pair, seconds: STORES_HTTP_SECONDS, rounds: STORES_PAIRED_ROUNDS }));
        result.paired = paired;
      } catch (error) {
        result.pairedError = message(error);
        log(`stores: side-by-side throughput failed: ${result.pairedError}`);
      }
    }

    if (INSTRUCTIONS && !QUICK) result.instructions = await countStores({ ...server, pg: PG, redis: REDIS });
    else if (INSTRUCTIONS) result.instructions = { skipped: 'not counted in a smoke run (BENCH_QUICK=1): the servers take minutes under callgrind' };

    // 4. Revocation propagation.
    try {
      result.propagation = await propagation({ pg, PG, schema, admin, apiKeyVerifier, createPostgresKeyStore, newKey, context, closers, quiet });
    } catch (error) {
      result.propagationError = message(error);
      log(`stores: propagation failed: ${result.propagationError}`);
    }
  } catch (error) {
    result.skipped = `set-up failed: ${message(error)}`;
    log(`stores: skipped: ${result.skipped}`);
  } finally {
    // Leave nothing behind: the connections, the schema, the Redis keys under the prefix.
    for (const close of closers.reverse()) await Promise.resolve().then(close).catch(() => {});
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch((e: unknown) => log(`stores: could not drop schema ${schema}: ${message(e)}`));
    await admin.end().catch(() => {});
    const redis = new Redis({ ...REDIS, enableOfflineQueue: true, maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    try {
      let cursor = '0';
      let deleted = 0;
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
        cursor = next;
        if (found.length > 0) deleted += await redis.del(...found);
      } while (cursor !== '0');
      if (deleted > 0) log(`stores: deleted ${deleted} Redis key(s) under ${redisPrefix}`);
    } catch (e) {
      log(`stores: could not delete Redis keys ${redisPrefix}*: ${message(e)}`);
    } finally {
      redis.disconnect();
    }
  }
  return result;
}
