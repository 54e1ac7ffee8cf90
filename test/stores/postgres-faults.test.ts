// The PostgreSQL key store when the network under it fails: its pool and its LISTEN
// connection go through a loopback TCP proxy (test/helpers/tcp-proxy.ts) that the test
// cuts (connections destroyed, new ones refused) or stalls (nothing forwarded). Then a
// lookup of a key it has not cached throws UnavailableError within timeoutMs and never
// resolves a record; a key it had cached is refused (stale window 0: the lost LISTEN
// connection made it forget) or served only within the stale window. Restored, lookups
// succeed again on the same store, the LISTEN connection is re-established, and a
// revocation by SQL reaches it again.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyVerifier } from '../../templates/runtime/runtime-key-verifier.js';
import { issueApiKey } from '../../templates/runtime/runtime-key-store.js';
import { isUnavailable } from '../../templates/runtime/runtime-types.js';
import { createPostgresKeyStore, type PostgresKeyStore, type PostgresKeyStoreOptions } from '../../templates/runtime/runtime-key-store-postgres.js';
import { events, keysDatabase, waitFor, type Events } from '../helpers/postgres-keys.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { uniqueName, type TestDatabase } from '../helpers/services.js';

const TIMEOUT_MS = 300;
/** What "within timeoutMs" may take on a loaded machine: the deadline plus scheduling. */
const SLACK_MS = 250;

let db: TestDatabase;
let proxy: TcpProxy;
const appName = uniqueName('faults');
beforeAll(async () => {
  db = await keysDatabase('keystore_faults');
  proxy = await startTcpProxy();
});
afterAll(async () => {
  await proxy?.close();
  await db?.close();
});

interface Setup {
  readonly store: PostgresKeyStore;
  readonly events: Events;
  readonly verify: (key: string) => Promise<unknown>;
  clock: number;
}
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  proxy.restore();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A store whose pool and LISTEN connection both go through the proxy. */
function through(options: Partial<PostgresKeyStoreOptions> = {}): Setup {
  const config: pg.ClientConfig = { connectionString: `postgres://postgres@127.0.0.1:${proxy.port}/test`, options: `-c search_path=${db.schema}`, application_name: appName, connectionTimeoutMillis: 1000 };
  const pool = new pg.Pool({ ...config, max: 4 });
  pool.on('error', () => undefined); // an idle connection cut by the proxy
  const seen = events();
  const setup: Setup = {
    clock: Date.now(),
    events: seen,
    verify: async () => undefined,
    store: undefined as never,
  };
  const store = createPostgresKeyStore({
    pool,
    listen: () => new pg.Client(config),
    timeoutMs: TIMEOUT_MS,
    cacheTtlMs: 60_000,
    reconnectMaxMs: 500,
    probeTimeoutMs: 1000,
    now: () => setup.clock,
    onEvent: seen.onEvent,
    ...options,
  });
  const keys = apiKeyVerifier(store, { lastUsedInterval: 0 });
  Object.assign(setup, {
    store,
    verify: (key: string) => keys.verify(key, { operationId: 'listPets', scheme: 'ApiKey', scopes: [], request: { headers: {} } } as never),
  });
  cleanups.push(() => pool.end(), () => store.close());
  return setup;
}

/** Runs `work`, expecting an UnavailableError within timeoutMs (plus slack); never a value. */
async function unavailable(work: () => Promise<unknown>, what: string): Promise<number> {
  const start = performance.now();
  let outcome: unknown;
  try {
    outcome = { resolved: await work() };
  } catch (error) {
    outcome = error;
  }
  const took = performance.now() - start;
  expect(isUnavailable(outcome), `${what}: ${JSON.stringify(outcome)}`).toBe(true);
  expect(took, `${what} took ${took.toFixed(0)} ms`).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  return took;
}

const admin = () => createPostgresKeyStore({ pool: db.pool, listen: false, onEvent: () => undefined });
const issue = async (clientId: string) => issueApiKey(admin(), { prefix: 'acme_live', owner: { clientId } });

/**
 * Waits until the store has received the notifications of every key written so far.
 * A key's own insert sends a NOTIFY that drops the key from the cache when it arrives;
 * on a loaded machine it can arrive after the test cached the key, which then is not
 * cached when the test cuts the network. Notifications arrive in commit order, so once
 * a later change (revoking a key of its own) has reached the store, all earlier ones have.
 */
async function notificationsCaughtUp(s: Setup): Promise<void> {
  const barrier = await issue('barrier');
  expect(await s.verify(barrier.key)).not.toBeNull();
  await db.pool.query('UPDATE api_keys SET revoked = true WHERE id = $1', [barrier.record.id]);
  await waitFor(async () => (await s.verify(barrier.key)) === null, 5000, 'the barrier key revoked');
}

describe('cut: connections destroyed, new ones refused', () => {
  it('an uncached key: UnavailableError within timeoutMs, never a record; a cached key: refused (stale window 0); restored: the same store works and listens again', async () => {
    const s = through();
    expect(await s.store.ready).toBe('listening');
    const cached = await issue('cached');
    const uncached = await issue('uncached');
    expect(await s.verify(cached.key)).toMatchObject({ keyId: cached.record.id });

    const lost = s.events.next('listen-lost');
    proxy.cut();
    await lost;
    const tookUncached = await unavailable(() => s.verify(uncached.key), 'verify of an uncached key');
    // The LISTEN connection was lost: the cache is forgotten, and with no stale window a cached key is refused too.
    const tookCached = await unavailable(() => s.verify(cached.key), 'verify of a cached key');
    await unavailable(() => s.store.get('never-issued'), 'get of an unknown id');
    console.log(`[postgres-faults] cut: uncached key refused (503) after ${tookUncached.toFixed(1)} ms, cached key after ${tookCached.toFixed(1)} ms`);

    const back = s.events.next('reconnected', 15_000);
    proxy.restore();
    await waitFor(async () => (await s.store.get(cached.record.id).catch(() => undefined)) !== undefined, 5000, 'lookups succeed again');
    expect(await s.verify(uncached.key)).toMatchObject({ keyId: uncached.record.id });
    await back;
    expect(s.store.mode).toBe('listening');
    // Listening again: a revocation by SQL (not through the proxy) reaches the store.
    expect(await s.verify(cached.key)).not.toBeNull();
    await db.pool.query('UPDATE api_keys SET revoked = true WHERE id = $1', [cached.record.id]);
    const took = await waitFor(async () => (await s.verify(cached.key)) === null, 5000, 'the revocation after the reconnect');
    console.log(`[postgres-faults] after restore: revocation by SQL refused after ${took.toFixed(1)} ms`);
  });

  it('stale window > 0: a cached key is served while the database is cut, only until TTL + window; a miss or an uncached key never', async () => {
    const s = through({ cacheTtlMs: 1000, staleWindowMs: 2000 });
    expect(await s.store.ready).toBe('listening');
    const known = await issue('stale-known');
    const other = await issue('stale-other');
    await notificationsCaughtUp(s);
    expect(await s.verify(known.key)).not.toBeNull();
    expect(await s.store.get('stale-miss')).toBeUndefined();

    const lost = s.events.next('listen-lost');
    proxy.cut();
    await lost;
    expect(await s.verify(known.key), 'within TTL, forgotten as fresh but kept as stale').toMatchObject({ keyId: known.record.id });
    s.clock += 2999;
    expect(await s.verify(known.key), 'TTL + window - 1 ms').toMatchObject({ keyId: known.record.id });
    await unavailable(() => s.store.get('stale-miss'), 'a cached miss');
    await unavailable(() => s.verify(other.key), 'an uncached key');
    s.clock += 1;
    await unavailable(() => s.verify(known.key), 'past TTL + window');
  });
});

describe('a database unreachable at start', () => {
  it('ready resolves reconnecting (said as a warning); once reachable the store listens, with no restart', async () => {
    proxy.cut();
    const s = through();
    expect(await s.store.ready).toBe('reconnecting');
    expect(s.events.list[0]).toMatchObject({ type: 'listen-failed', level: 'warn', message: expect.stringMatching(/revocations take up to 60000 ms/) });
    await unavailable(() => s.store.get('x'), 'get before the database is reachable');
    const back = s.events.next('reconnected', 15_000, 0);
    proxy.restore();
    await back;
    expect(s.store.mode).toBe('listening');
    expect(await s.store.get('x')).toBeUndefined();
  });
});

describe('stall: connections open, nothing forwarded (only a timer notices)', () => {
  it('an uncached key throws UnavailableError on time, not a hang; restored, the store answers again without being recreated', async () => {
    const s = through();
    expect(await s.store.ready).toBe('listening');
    const key = await issue('stalled');
    await s.store.get('warm-up'); // a pooled connection exists
    proxy.stall();
    const took = await unavailable(() => s.verify(key.key), 'verify while stalled');
    const took2 = await unavailable(() => s.store.get('another'), 'get while stalled');
    console.log(`[postgres-faults] stall: lookups gave up after ${took.toFixed(1)} ms and ${took2.toFixed(1)} ms (timeoutMs ${TIMEOUT_MS})`);
    proxy.restore();
    await waitFor(async () => (await s.verify(key.key).catch(() => null)) !== null, 5000, 'answers after the stall');
    expect(s.store.mode).toBe('listening');
  });

  it('a LISTEN connection that goes silent (the pool still fine) is caught by the heartbeat and reconnected; later changes reach the store', async () => {
    // The LISTEN connection through a proxy of its own, so only it goes silent.
    const listenProxy = await startTcpProxy();
    cleanups.push(() => listenProxy.close());
    const config = { connectionString: `postgres://postgres@127.0.0.1:${listenProxy.port}/test`, options: `-c search_path=${db.schema}`, application_name: appName };
    const s = through({ heartbeatMs: 200, probeTimeoutMs: 300, listen: () => new pg.Client(config) });
    expect(await s.store.ready).toBe('listening');
    const key = await issue('silent');
    expect(await s.verify(key.key)).not.toBeNull();
    const lost = s.events.next('listen-lost');
    listenProxy.stall();
    expect((await lost).message).toMatch(/heartbeat probe did not arrive within 300 ms/);
    const back = s.events.next('reconnected', 15_000);
    listenProxy.restore();
    await back;
    expect(s.store.mode).toBe('listening');
    await db.pool.query('UPDATE api_keys SET revoked = true WHERE id = $1', [key.record.id]);
    await waitFor(async () => (await s.verify(key.key)) === null, 5000, 'the revocation after the heartbeat reconnect');
  });

  it('close() returns even while the network is stalled', async () => {
    const s = through();
    expect(await s.store.ready).toBe('listening');
    proxy.stall();
    const start = performance.now();
    await s.store.close();
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
