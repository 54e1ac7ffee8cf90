// Two replicas in one process (two pools, two LISTEN connections, one apiKeyVerifier
// each) sharing one PostgreSQL table: a revocation written by plain SQL on one side is
// refused on the other long before its cache would expire (the TTL here is 10 minutes,
// so only a notification can explain it; the time is printed); a rotation is seen on
// both; killing the LISTEN backends makes each replica forget its cache at once,
// reconnect and hear later changes again. Plus: changes in another schema of the same
// database (same channel) flush nothing here, a recorded use notifies nobody, and a
// LISTEN that never delivers (PgBouncer in transaction mode) falls back to the TTL and
// says so.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyVerifier } from '../../templates/runtime/runtime-key-verifier.js';
import { issueApiKey, rotateApiKey } from '../../templates/runtime/runtime-key-store.js';
import { createPostgresKeyStore, KEYS_CHANNEL, type ListenClient, type PostgresKeyStore } from '../../templates/runtime/runtime-key-store-postgres.js';
import { countingPool, events, keysDatabase, waitFor, type CountingPool, type Events } from '../helpers/postgres-keys.js';
import { uniqueName, type TestDatabase } from '../helpers/services.js';

const TEN_MINUTES = 600_000;
const DEADLINE_MS = 5000;

let db: TestDatabase;
/** This file's LISTEN connections carry it, so terminating them touches no other test's. */
const appName = uniqueName('replicas');
interface Replica {
  readonly name: string;
  readonly pool: pg.Pool;
  readonly counting: CountingPool;
  readonly store: PostgresKeyStore;
  readonly events: Events;
  readonly verify: (key: string) => Promise<{ keyId: string } | null>;
  readonly denied: string[];
}
const replicas: Replica[] = [];
const opened: { end(): Promise<unknown> }[] = [];

function replica(name: string, extra: { listen?: () => ListenClient; probeTimeoutMs?: number } = {}): Replica {
  const pool = new pg.Pool({ ...db.clientConfig, max: 4 });
  pool.on('error', () => undefined);
  opened.push(pool);
  const counting = countingPool(pool);
  const seen = events();
  const store = createPostgresKeyStore({
    pool: counting,
    listen: extra.listen ?? (() => new pg.Client({ ...db.clientConfig, application_name: appName })),
    cacheTtlMs: TEN_MINUTES,
    reconnectMaxMs: 1000,
    onEvent: seen.onEvent,
    ...(extra.probeTimeoutMs === undefined ? {} : { probeTimeoutMs: extra.probeTimeoutMs }),
  });
  const keys = apiKeyVerifier(store, { lastUsedInterval: 0 });
  const denied: string[] = [];
  const verify = (key: string) =>
    keys.verify(key, { operationId: 'listPets', scheme: 'ApiKey', scopes: [], request: { headers: {} }, deny: (reason: string) => denied.push(reason) } as never) as Promise<{ keyId: string } | null>;
  const r = { name, pool, counting, store, events: seen, verify, denied };
  replicas.push(r);
  return r;
}

let a: Replica;
let b: Replica;
beforeAll(async () => {
  db = await keysDatabase('keystore_replicas');
  a = replica('a');
  b = replica('b');
  expect(await a.store.ready).toBe('listening');
  expect(await b.store.ready).toBe('listening');
});
afterAll(async () => {
  for (const r of replicas) await r.store.close();
  for (const p of opened) await p.end().catch(() => undefined);
  await db?.close();
});

const issue = async (clientId: string) => issueApiKey(a.store, { prefix: 'acme_live', owner: { clientId } });
/**
 * Until `replica` answers `key` from its cache (a lookup racing the notification of the
 * key's own insert is rightly not cached: its answer may predate the change).
 */
const cachedOn = (replica: Replica, key: string) =>
  waitFor(
    async () => {
      const before = replica.counting.lookups();
      expect(await replica.verify(key)).not.toBeNull();
      return replica.counting.lookups() === before;
    },
    DEADLINE_MS,
    `${replica.name} caches the key`,
  );
/** Until `replica` refuses `key`; returns how long it took (ms). */
const refusedBy = (replica: Replica, key: string, what: string) => waitFor(async () => (await replica.verify(key)) === null, DEADLINE_MS, `${replica.name} refuses ${what}`);

describe('two replicas sharing the table', () => {
  it('a revocation by plain SQL on one side is refused by the other within the deadline (not its 10-minute TTL)', async () => {
    const { key, record } = await issue('revoked-by-sql');
    expect(await a.verify(key)).toMatchObject({ keyId: record.id });
    expect(await b.verify(key)).toMatchObject({ keyId: record.id });
    await Promise.all([cachedOn(a, key), cachedOn(b, key)]);

    const start = performance.now();
    await db.pool.query('UPDATE api_keys SET revoked = true, revoked_at = now() WHERE id = $1', [record.id]);
    const [onA, onB] = await Promise.all([refusedBy(a, key, 'the revoked key'), refusedBy(b, key, 'the revoked key')]);
    const total = performance.now() - start;
    console.log(`[postgres-replicas] revocation by SQL refused on replica a after ${onA.toFixed(1)} ms, on replica b after ${onB.toFixed(1)} ms (${total.toFixed(1)} ms from the UPDATE)`);
    expect(b.denied.at(-1)).toBe('key-revoked');
  });

  it('a rotation (replaced_by + grace_until) is seen on both; the old key stops at the end of its grace, the new one works', async () => {
    const { key: oldKey, record: old } = await issue('rotated');
    expect(await a.verify(oldKey)).not.toBeNull();
    expect(await b.verify(oldKey)).not.toBeNull();
    const { key: newKey, record: next } = await rotateApiKey(a.store, old.id, { graceMs: 60_000 });
    await waitFor(async () => (await b.store.get(old.id))?.replacedBy === next.id, DEADLINE_MS, 'b sees the rotation');
    for (const r of [a, b]) {
      expect(await r.verify(oldKey), `${r.name}: old key within grace`).not.toBeNull();
      expect(await r.verify(newKey), `${r.name}: new key`).toMatchObject({ keyId: next.id });
    }
    await db.pool.query("UPDATE api_keys SET grace_until = now() - interval '1 second' WHERE id = $1", [old.id]);
    const took = await refusedBy(b, oldKey, 'the rotated-out key');
    await refusedBy(a, oldKey, 'the rotated-out key');
    console.log(`[postgres-replicas] end of grace by SQL refused on replica b after ${took.toFixed(1)} ms`);
    expect(b.denied.at(-1)).toBe('key-rotated');
    expect(await b.verify(newKey)).not.toBeNull();
  });

  it('a recorded use (touch) notifies nobody; a real change does', async () => {
    const { record } = await issue('touched');
    const raw = new pg.Client(db.clientConfig);
    await raw.connect();
    const payloads: string[] = [];
    raw.on('notification', (n) => payloads.push(n.payload ?? ''));
    await raw.query(`LISTEN ${KEYS_CHANNEL}`);
    await a.store.touch(record.id, new Date());
    await db.pool.query('UPDATE api_keys SET prefix = prefix WHERE id = $1', [record.id]); // changes nothing either
    await db.pool.query("UPDATE api_keys SET operations = '{listPets}' WHERE id = $1", [record.id]);
    await waitFor(() => payloads.some((p) => p.includes(record.id)), DEADLINE_MS, 'the change is announced');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const mine = payloads.filter((p) => p.includes(record.id));
    expect(mine.map((p) => JSON.parse(p))).toEqual([{ schema: db.schema, table: 'api_keys', id: record.id }]);
    await raw.end();
  });

  it('changes to the same id in another schema of the database (same channel) flush nothing here', async () => {
    const other = await keysDatabase('keystore_other');
    try {
      const { key, record } = await issue('other-schema');
      await cachedOn(b, key);
      await other.pool.query("INSERT INTO api_keys (id, hash, owner, revoked) VALUES ($1, $2, '{\"clientId\":\"x\"}', true)", [record.id, record.hash]);
      await other.pool.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [record.id]);
      // A change here after those: once it is heard, theirs (sent before) were heard too.
      const { record: marker } = await issue('marker');
      await b.store.get(marker.id);
      await db.pool.query('UPDATE api_keys SET revoked = true WHERE id = $1', [marker.id]);
      await waitFor(async () => (await b.store.get(marker.id))?.revoked === true, DEADLINE_MS, 'b hears its own schema');
      const before = b.counting.lookups();
      expect(await b.verify(key)).not.toBeNull();
      expect(b.counting.lookups(), 'still cached').toBe(before);
    } finally {
      await other.close();
    }
  });

  it('killing the LISTEN backends: the cache is forgotten at once, the replicas reconnect, and later changes propagate again', async () => {
    const { key, record } = await issue('after-reconnect');
    await Promise.all([cachedOn(a, key), cachedOn(b, key)]);
    const lost = [a.events.next('listen-lost'), b.events.next('listen-lost')];
    const back = [a.events.next('reconnected', 15_000), b.events.next('reconnected', 15_000)];
    const killed = await db.pool.query("SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1 AND query ILIKE 'LISTEN%'", [appName]);
    expect(killed.rows).toEqual([{ ok: true }, { ok: true }]);
    await Promise.all(lost);
    // The gap: a cached key is asked for again (changes may have been missed).
    const before = b.counting.lookups();
    expect(await b.verify(key)).not.toBeNull();
    expect(b.counting.lookups()).toBe(before + 1);
    await Promise.all(back);
    expect([a.store.mode, b.store.mode]).toEqual(['listening', 'listening']);
    const listeners = await db.pool.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND query ILIKE 'LISTEN%'", [appName]);
    expect(listeners.rows[0].n).toBe(2);

    await Promise.all([cachedOn(a, key), cachedOn(b, key)]);
    const start = performance.now();
    await db.pool.query('UPDATE api_keys SET revoked = true WHERE id = $1', [record.id]);
    await Promise.all([refusedBy(a, key, 'the key revoked after the reconnect'), refusedBy(b, key, 'the key revoked after the reconnect')]);
    console.log(`[postgres-replicas] after reconnecting: revocation by SQL refused on both replicas after ${(performance.now() - start).toFixed(1)} ms`);
  });

  it('a DELETE propagates too', async () => {
    const { key, record } = await issue('deleted');
    expect(await b.verify(key)).not.toBeNull();
    await db.pool.query('DELETE FROM api_keys WHERE id = $1', [record.id]);
    await refusedBy(b, key, 'the deleted key');
    expect(b.denied.at(-1)).toBe('key-unknown');
  });

  it('a TRUNCATE propagates too (a statement trigger: every cached key of the table is forgotten; review finding)', async () => {
    const { key } = await issue('truncated');
    expect(await b.verify(key)).not.toBeNull();
    await db.pool.query('TRUNCATE api_keys');
    await refusedBy(b, key, 'the truncated key');
  });
});

describe('a slow reconnect', () => {
  it('a probe that is late on a reconnect is retried, never a reason to stop listening (review finding)', async () => {
    const app = uniqueName('slowprobe');
    let made = 0;
    // The second connection (the first reconnect) delivers notifications 1.5 s late.
    const listen = () => {
      const client = new pg.Client({ ...db.clientConfig, application_name: app });
      const slow = ++made === 2;
      if (slow) {
        const on = client.on.bind(client);
        (client as unknown as { on: (e: string, f: (...a: unknown[]) => void) => unknown }).on = (event: string, f: (...a: unknown[]) => void) =>
          on(event as never, (event === 'notification' ? (...args: unknown[]) => void setTimeout(() => f(...args), 1500) : f) as never);
      }
      return client as unknown as ListenClient;
    };
    const c = replica('slow', { listen, probeTimeoutMs: 500 });
    expect(await c.store.ready).toBe('listening');
    const back = c.events.next('reconnected', 15_000);
    await db.pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND query ILIKE 'LISTEN%'", [app]);
    await back;
    expect(c.store.mode).toBe('listening');
    expect(c.events.list.map((e) => e.type)).toContain('listen-failed');
    expect(c.events.list.map((e) => e.type)).not.toContain('ttl-only');
    // and it still hears changes
    const { key, record } = await issue('after-slow-reconnect');
    await cachedOn(c, key);
    await db.pool.query('UPDATE api_keys SET revoked = true WHERE id = $1', [record.id]);
    await refusedBy(c, key, 'the key revoked after a slow reconnect');
  }, 30_000);
});

describe('a LISTEN that never delivers (PgBouncer in transaction mode)', () => {
  it('falls back to the TTL and says so; ready resolves ttl-only', async () => {
    // A real connection whose notifications are swallowed, as PgBouncer's are.
    const deaf = (): ListenClient => {
      const client = new pg.Client({ ...db.clientConfig, application_name: `${appName}_deaf` });
      return {
        connect: () => client.connect(),
        query: (text: string) => client.query(text),
        on: ((event: string, listener: () => void) => (event === 'notification' ? client : client.on(event as 'end', listener))) as ListenClient['on'],
        removeListener: () => client,
        end: () => client.end(),
      };
    };
    const start = performance.now();
    const c = replica('deaf', { listen: deaf, probeTimeoutMs: 300 });
    expect(await c.store.ready).toBe('ttl-only');
    expect(performance.now() - start).toBeLessThan(3000);
    expect(c.store.mode).toBe('ttl-only');
    expect(c.events.list.map((e) => [e.type, e.level])).toEqual([['ttl-only', 'warn']]);
    expect(c.events.list[0]?.message).toMatch(/PgBouncer.*revocations take up to 600000 ms \(cacheTtlMs\) to reach this replica/);
    // It gave the connection up.
    await waitFor(async () => (await db.pool.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [`${appName}_deaf`])).rows[0].n === 0, DEADLINE_MS, 'the deaf connection ends');
  });
});
