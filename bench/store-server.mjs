// A loopback Fastify server for the "Beyond one process" part of `npm run bench`
// (bench/src/stores.ts), in its own process like bench/server.mjs. argv: variant, folder
// of the generated petstore output with `keys: 'postgres'`, `quotas`, `usage`
// (transpiled to .js by bench/src/generated.ts). env BENCH_STORES: JSON { record, pg, schema,
// redis, redisPrefix, batch, timeoutMs?, counted? } (the bench's PostgreSQL schema and Redis key prefix). Prints the port.
//   memory:          apiKeyVerifier over createMemoryKeyStore([record]), no quota.
//   memory-pg:       the same, in a process that has also done the PostgreSQL store's
//                    start-up (a pool query, a LISTEN connection) and never uses it per
//                    request: node's own JIT state after pg's start-up (process.nextTick
//                    slower, measured) is then the same as the store servers'.
//   postgres:        apiKeyVerifier over createPostgresKeyStore (LISTEN on its own
//                    connection, default cache TTL), no quota.
//   postgres-quota:  the same, plus quotaLimiter over an ioredis client
//                    (`enableOfflineQueue: false`) as the guard's `limit` hook.
//   postgres-quota-batch: the same with `batch: config.batch` (leased counts).
//   postgres-quota-batch-always: the same with `headers: 'always'` (the RateLimit
//                    fields on every success too; the instruction count only).
// Every variant wires the guard as the README does: `ApiKey: keys.verify, AppId:
// keys.appId, 'ApiKey + AppId': keys.bind`, and `app.addHook('onRequest', authHook(guard))`.
// env BENCH_MARKER=1 (the instruction count, run under callgrind by bench/src/instructions-stores.ts):
// on SIGUSR2 call `os.hostname()`, callgrind's dump marker, then print "mark".
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [variant, outDir] = process.argv.slice(2);
const config = JSON.parse(process.env.BENCH_STORES ?? '{}');
const BENCH = path.dirname(fileURLToPath(import.meta.url));
const repoRequire = createRequire(path.join(BENCH, '../package.json'));
const load = (file) => import(pathToFileURL(path.join(outDir, file)).href);
const importRepo = async (name) => import(pathToFileURL(repoRequire.resolve(name)).href);

const [{ createGuard }, { authHook }, { apiKeyVerifier }, { createMemoryKeyStore }, { createPostgresKeyStore }, { quotaLimiter }] = await Promise.all(
  ['guard.js', 'fastify.js', 'runtime-key-verifier.js', 'runtime-key-store.js', 'runtime-key-store-postgres.js', 'runtime-quota.js'].map(load),
);

const closers = [];
let store;
if (variant === 'memory' || variant === 'memory-pg') {
  store = createMemoryKeyStore([config.record]);
  if (variant === 'memory-pg') {
    const { default: pg } = await importRepo('pg');
    const pool = new pg.Pool({ ...config.pg, max: 10 });
    await pool.query('SELECT 1');
    const listen = new pg.Client(config.pg);
    await listen.connect();
    await listen.query('LISTEN bench_idle');
    closers.push(() => listen.end(), () => pool.end());
  }
} else if (variant.startsWith('postgres')) {
  const { default: pg } = await importRepo('pg');
  // config.counted (the instruction count, under callgrind): nothing periodic during the
  // count. The cache's refresh query (every cacheTtlMs, 30 s by default), the LISTEN
  // heartbeat (30 s) and the pool closing idle connections (10 s) each cost a request
  // nothing measurable at real rates, but at callgrind's pace one such event falls
  // into a counted segment and moves its figure by several percent.
  const pool = new pg.Pool({ ...config.pg, max: 10, ...(config.counted ? { idleTimeoutMillis: 0 } : {}) });
  const steady = config.counted ? { cacheTtlMs: 3_600_000, heartbeatMs: 0 } : {};
  // config.timeoutMs (the instruction count, under callgrind): the lookups' 2 s default is too short there.
  const slow = config.timeoutMs ? { timeoutMs: config.timeoutMs, probeTimeoutMs: config.timeoutMs } : {};
  const pgStore = createPostgresKeyStore({ pool, schema: config.schema, listen: () => new pg.Client(config.pg), ...steady, ...slow, onEvent: (e) => e.level === 'warn' && console.error(`[store-server] ${e.message}`) });
  if ((await pgStore.ready) !== 'listening') throw new Error(`postgres key store is ${pgStore.mode}, not listening`);
  closers.push(() => pgStore.close(), () => pool.end());
  store = pgStore;
} else {
  throw new Error(`unknown variant ${variant}`);
}
const keys = apiKeyVerifier(store);
let limit;
if (variant.startsWith('postgres-quota')) {
  const { Redis } = await importRepo('ioredis');
  const redis = new Redis({ ...config.redis, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await new Promise((resolve, reject) => {
    redis.once('ready', resolve);
    redis.once('error', reject);
  });
  closers.push(() => redis.quit());
  // config.timeoutMs: set by the instruction count, whose server runs ~50× slower under callgrind than the 500 ms default allows.
  limit = quotaLimiter({ redis, keyPrefix: config.redisPrefix, ...(variant.startsWith('postgres-quota-batch') ? { batch: config.batch } : {}), ...(variant === 'postgres-quota-batch-always' ? { headers: 'always' } : {}), ...(config.timeoutMs ? { timeoutMs: config.timeoutMs } : {}), onError: (e) => console.error(`[store-server] quota store: ${e?.message ?? e}`) }).limit;
}
const reject = () => null;
const guard = createGuard(
  { ApiKey: keys.verify, AppId: keys.appId, 'ApiKey + AppId': keys.bind, Bearer: reject, Basic: reject, OAuth2: reject, QueryKey: reject, SessionCookie: reject },
  limit === undefined ? {} : { limit },
);

const { default: Fastify } = await importRepo('fastify');
const app = Fastify();
app.addHook('onRequest', authHook(guard));
const body = { pets: [] };
app.get('/v1/pets', async () => body);
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(app.server.address().port);

if (process.env.BENCH_MARKER === '1') {
  process.on('SIGUSR2', () => {
    globalThis.gc?.({ type: 'minor' }); // run with --expose-gc and large semi-spaces: each segment starts from the same young generation
    os.hostname();
    process.stdout.write('mark\n');
  });
}

// Stopped with SIGTERM by the bench: close the connections rather than drop them.
process.once('SIGTERM', () => {
  setTimeout(() => process.exit(0), 2000).unref();
  app
    .close()
    .then(() => Promise.allSettled(closers.map((c) => c())))
    .finally(() => process.exit(0));
});
