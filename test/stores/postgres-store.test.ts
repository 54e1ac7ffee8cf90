// The PostgreSQL key store (runtime-key-store-postgres.ts) against a real PostgreSQL,
// one replica, no LISTEN (propagation is postgres-replicas.test.ts): the migration,
// records written and read back field by field, the cache (a hit sends no query,
// misses are cached too, TTL, the LRU bound, one query for concurrent lookups), ids
// that look like SQL, the deadline (a slow database is an `UnavailableError`, its late
// answer dropped), what a failing database may still serve (a known key within the
// stale window, never a miss), and that no error or event ever shows a hash.
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiKeyVerifier } from '../../templates/runtime/runtime-key-verifier.js';
import { issueApiKey, revokeApiKey, rotateApiKey } from '../../templates/runtime/runtime-key-store.js';
import { checkKeyRecord, type KeyRecord } from '../../templates/runtime/runtime-key-record.js';
import { isUnavailable } from '../../templates/runtime/runtime-types.js';
import { createPostgresKeyStore, type PostgresKeyStoreOptions } from '../../templates/runtime/runtime-key-store-postgres.js';
import { connectionError, countingPool, events, keysDatabase, migrateKeys, type CountingPool } from '../helpers/postgres-keys.js';
import { DATABASE_URL, type TestDatabase } from '../helpers/services.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await keysDatabase('keystore_unit');
});
afterAll(() => db?.close());

const T0 = Date.parse('2030-01-01T00:00:00Z');
const HASH = 'ab'.repeat(32);
let clock = T0;
let pool: CountingPool;
beforeEach(async () => {
  clock = T0;
  pool = countingPool(db.pool);
  await db.pool.query('DELETE FROM api_keys');
});
/** A store on the counting pool, no LISTEN, on the test clock; events kept. */
function store(options: Partial<PostgresKeyStoreOptions> = {}) {
  const seen = events();
  const s = createPostgresKeyStore({ pool, listen: false, now: () => clock, onEvent: seen.onEvent, ...options });
  return Object.assign(s, { events: seen.list });
}
const record = (id: string, extra: Partial<KeyRecord> = {}): KeyRecord => ({ id, hash: HASH, owner: { clientId: `client-${id}` }, ...extra });
/** The rejection of `promise` (fails when it resolves). */
const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
};
const noHash = (text: string, hash = HASH): void => expect(text.toLowerCase()).not.toContain(hash.toLowerCase());

describe('the migration', () => {
  it('runs again on the same schema without losing rows, and creates the usage table with its comment', async () => {
    await db.pool.query("INSERT INTO api_keys (id, hash, owner) VALUES ('kept', $1, '{\"clientId\":\"c\"}')", [HASH]);
    await migrateKeys(db.pool);
    await migrateKeys(db.pool);
    expect((await db.pool.query('SELECT id FROM api_keys')).rows).toEqual([{ id: 'kept' }]);
    const usage = await db.pool.query("SELECT obj_description(to_regclass('api_key_usage'), 'pg_class') AS comment");
    expect(usage.rows[0].comment).toMatch(/billing/);
    const columns = await db.pool.query("SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'api_key_usage' ORDER BY ordinal_position", [db.schema]);
    expect(columns.rows.map((r) => r.column_name)).toEqual(['key_id', 'operation_id', 'window_start', 'requests']);
  });

  it('refuses a hash that is not 64 lower-case hex digits, and an owner without clientId', async () => {
    await expect(db.pool.query("INSERT INTO api_keys (id, hash, owner) VALUES ('x', 'nothex', '{\"clientId\":\"c\"}')")).rejects.toThrow(/check constraint/);
    await expect(db.pool.query("INSERT INTO api_keys (id, hash, owner) VALUES ('x', $1, '{}')", [HASH])).rejects.toThrow(/check constraint/);
  });
});

describe('records', () => {
  it('put then get: every field back, times as Date, NULL absent, empty arrays kept, quota as written', async () => {
    const s = store();
    const full = record('full', {
      prefix: 'acme_live',
      hash: HASH.toUpperCase(),
      owner: { clientId: 'acme', scopes: ['pets:read'], tier: 'gold' },
      apps: ['web', 'ios'],
      ipRanges: [],
      origins: ['https://shop.example'],
      operations: ['listPets'],
      notBefore: '2029-01-01T00:00:00.000Z',
      expiresAt: T0 + 86_400_000,
      revoked: true,
      revokedAt: new Date(T0),
      replacedBy: 'next',
      graceUntil: T0 + 1000,
      createdAt: T0 - 1000,
      lastUsedAt: T0 - 500,
      quota: { limit: 100, windowSeconds: 60, operations: { listPets: { limit: 10, windowSeconds: 60 } } },
    });
    await s.put(full);
    await s.put(record('bare'));
    const got = await s.get('full');
    expect(got).toEqual({
      ...full,
      hash: HASH,
      notBefore: new Date('2029-01-01T00:00:00.000Z'),
      expiresAt: new Date(T0 + 86_400_000),
      revokedAt: new Date(T0),
      graceUntil: new Date(T0 + 1000),
      createdAt: new Date(T0 - 1000),
      lastUsedAt: new Date(T0 - 500),
    });
    // An empty list restricts to nothing; it must not come back as "no restriction".
    expect(got?.ipRanges).toEqual([]);
    expect(Object.isFrozen(got)).toBe(true);
    expect(await s.get('bare')).toEqual(record('bare'));
    expect(Object.keys((await s.get('bare')) as object).sort()).toEqual(['hash', 'id', 'owner']);
    expect((await s.list()).map((r) => r.id)).toEqual(['bare', 'full']);
    await s.close();
  });

  it('put replaces a record by id; issue, rotate and revoke work on it', async () => {
    const s = store();
    const { record: issued } = await issueApiKey(s, { prefix: 'acme_live', owner: { clientId: 'acme' }, quota: { limit: 5, windowSeconds: 1 } }, T0);
    const { record: next, previous } = await rotateApiKey(s, issued.id, { graceMs: 60_000, now: T0 });
    expect(next.quota).toEqual({ limit: 5, windowSeconds: 1 });
    expect(await s.get(issued.id)).toMatchObject({ replacedBy: next.id, graceUntil: new Date(previous.graceUntil as string) });
    await revokeApiKey(s, next.id, T0);
    expect(await s.get(next.id)).toMatchObject({ revoked: true, revokedAt: new Date(T0) });
    expect((await db.pool.query('SELECT count(*)::int AS n FROM api_keys')).rows[0].n).toBe(2);
    await s.close();
  });

  it('touch records a use (never moving it back), and a touch of an unknown id is no error', async () => {
    const s = store();
    await s.put(record('t'));
    await s.touch('t', new Date(T0));
    await s.touch('t', new Date(T0 - 10_000));
    await s.touch('nobody', new Date(T0));
    expect((await db.pool.query("SELECT last_used_at FROM api_keys WHERE id = 't'")).rows[0].last_used_at).toEqual(new Date(T0));
    await s.close();
  });

  it('put refuses a malformed record before any query, without printing its hash', async () => {
    const s = store();
    const bad = 'zz'.repeat(32);
    const error = await rejection(s.put(record('bad', { hash: bad })));
    expect(error).toBeInstanceOf(TypeError);
    noHash(error.message, bad);
    expect(() => checkKeyRecord(record('q', { quota: { limit: -1, windowSeconds: 60 } }))).toThrow(/quota.limit/);
    expect(() => checkKeyRecord(record('q', { quota: { limit: 1, windowSeconds: 60, operations: { a: { limit: 1, windowSeconds: 0 } } } }))).toThrow(/operations\["a"\].windowSeconds/);
    await expect(s.put(record('q', { quota: { limit: 1 } as never }))).rejects.toThrow(/windowSeconds/);
    expect(pool.queries).toEqual([]);
    await s.close();
  });

  it('a write the database refuses is an error with the driver message only: no row, no hash, no cause carrying them', async () => {
    const s = store();
    await db.pool.query("ALTER TABLE api_keys ADD CONSTRAINT test_refused CHECK (id <> 'refused')");
    try {
      const error = await rejection(s.put(record('refused')));
      expect(error.message).toMatch(/writing key "refused" failed: .*violates check constraint "test_refused"/);
      noHash(JSON.stringify({ ...error, message: error.message, stack: error.stack }));
      expect(error.cause).toBeUndefined();
    } finally {
      await db.pool.query('ALTER TABLE api_keys DROP CONSTRAINT test_refused');
    }
    await s.close();
  });

  it('a row written by SQL that cannot be enforced is an error naming the field, never a record, never the hash', async () => {
    const s = store();
    await db.pool.query("INSERT INTO api_keys (id, hash, owner, ip_ranges) VALUES ('odd', $1, '{\"clientId\":\"c\"}', '{not-a-range}')", [HASH]);
    const error = await rejection(s.get('odd'));
    expect(error.message).toMatch(/key record "odd": IP range "not-a-range"/);
    noHash(error.message);
    await s.close();
  });

  it('revoked read as anything but a boolean (a custom type parser) is refused, not taken as "not revoked"', async () => {
    const s = createPostgresKeyStore({ pool: { query: async () => ({ rows: [{ id: 'r', hash: HASH, owner: { clientId: 'c' }, revoked: 't' }] }) }, listen: false, onEvent: () => undefined });
    await expect(s.get('r')).rejects.toThrow(/revoked must be a boolean/);
  });

  it('ids that look like SQL are just unknown keys (one parameterised query), and the table survives', async () => {
    const s = store();
    await s.put(record('real'));
    for (const id of ["x' OR '1'='1", "' OR 1=1 --", '$1; drop table api_keys', 'real"; DROP TABLE api_keys; --', 'real\u0000']) {
      expect(await s.get(id), id).toBeUndefined();
    }
    const weird = "o'brien\"; drop table api_keys; --";
    await s.put(record(weird));
    expect((await s.get(weird))?.id).toBe(weird);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM api_keys')).rows[0].n).toBe(2);
    await s.close();
  });

  it('table and schema are quoted identifiers, and checked', () => {
    for (const table of ['a"b', 'x; drop', '', '1abc', 'a'.repeat(64)]) expect(() => store({ table }), table).toThrow(TypeError);
    expect(() => store({ schema: 'a b' })).toThrow(TypeError);
    expect(() => store({ timeoutMs: 0 })).toThrow(/timeoutMs/);
  });

  it('an explicit schema reaches the table whatever the pool search_path', async () => {
    const plain = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    const s = store({ schema: db.schema, pool: plain });
    await s.put(record('schema'));
    expect((await s.get('schema'))?.id).toBe('schema');
    expect((await db.pool.query("SELECT id FROM api_keys WHERE id = 'schema'")).rowCount).toBe(1);
    await s.close();
    await plain.end();
  });
});

describe('revocation and rotation are final (review finding: a cached record un-revoked a key)', () => {
  it('rotating a key revoked by SQL while it sat in the cache fails, and the row stays revoked', async () => {
    const s = store({ cacheTtlMs: 600_000 });
    const { key, record: issued } = await issueApiKey(s, { prefix: 'acme_live', owner: { clientId: 'shop' } }, T0);
    const verify = apiKeyVerifier(s, { prefix: 'acme_live', now: () => clock, lastUsedInterval: 0 }).verify;
    const ctx = { operationId: 'op', scheme: 'ApiKey', scopes: [], request: { headers: {} } };
    expect(await verify(key, ctx)).not.toBeNull(); // cached now
    await db.pool.query('UPDATE api_keys SET revoked = true, revoked_at = now() WHERE id = $1', [issued.id]);
    await expect(rotateApiKey(s, issued.id, { graceMs: 86_400_000, now: T0 })).rejects.toThrow(/is revoked/);
    const row = (await db.pool.query('SELECT revoked, replaced_by FROM api_keys WHERE id = $1', [issued.id])).rows[0] as { revoked: boolean; replaced_by: string | null };
    expect(row).toEqual({ revoked: true, replaced_by: null });
    await s.close();
  });

  it('a put of a stale record keeps the revocation, the rotation deadline and the last use', async () => {
    const s = store();
    const stale = record('k1', { createdAt: new Date(T0).toISOString() });
    await s.put(stale);
    await db.pool.query("UPDATE api_keys SET revoked = true, revoked_at = '2030-01-02Z', replaced_by = 'k2', grace_until = '2030-01-03Z', last_used_at = '2030-01-04Z' WHERE id = 'k1'");
    await s.put({ ...stale, apps: ['web'], replacedBy: 'k9', graceUntil: '2031-01-01Z', lastUsedAt: '2030-01-01Z' });
    const row = (await db.pool.query('SELECT revoked, revoked_at, replaced_by, grace_until, last_used_at, apps FROM api_keys WHERE id = $1', ['k1'])).rows[0] as Record<string, unknown>;
    expect(row).toEqual({ revoked: true, revoked_at: new Date('2030-01-02Z'), replaced_by: 'k2', grace_until: new Date('2030-01-03Z'), last_used_at: new Date('2030-01-04Z'), apps: ['web'] });
    await s.close();
  });
});

describe('the cache', () => {
  it('a hit sends no query; a miss is cached too; both expire after cacheTtlMs', async () => {
    const s = store({ cacheTtlMs: 1000 });
    await db.pool.query("INSERT INTO api_keys (id, hash, owner) VALUES ('c1', $1, '{\"clientId\":\"c\"}')", [HASH]);
    expect((await s.get('c1'))?.id).toBe('c1');
    expect(await s.get('none')).toBeUndefined();
    expect(pool.lookups()).toBe(2);
    clock += 999;
    expect((await s.get('c1'))?.id).toBe('c1');
    expect(await s.get('none')).toBeUndefined();
    expect(pool.lookups()).toBe(2);
    clock += 1;
    await s.get('c1');
    await s.get('none');
    expect(pool.lookups()).toBe(4);
    await s.close();
  });

  it('a put forgets the cached answer on this replica at once (a cached miss too)', async () => {
    const s = store();
    expect(await s.get('later')).toBeUndefined();
    await s.put(record('later'));
    expect((await s.get('later'))?.id).toBe('later');
    await s.put(record('later', { revoked: true }));
    expect((await s.get('later'))?.revoked).toBe(true);
    await s.close();
  });

  it('holds at most cacheMax ids, forgetting the least recently used', async () => {
    const s = store({ cacheMax: 2 });
    await s.get('a');
    await s.get('b');
    await s.get('a'); // hit: a is now the most recent
    await s.get('c'); // evicts b
    expect(pool.lookups()).toBe(3);
    await s.get('a');
    await s.get('c');
    expect(pool.lookups()).toBe(3);
    await s.get('b');
    expect(pool.lookups()).toBe(4);
    await s.close();
  });

  it('concurrent lookups of one id share one query', async () => {
    const s = store();
    pool.delayMs = 50;
    const answers = await Promise.all(Array.from({ length: 20 }, () => s.get('same')));
    expect(answers.every((a) => a === undefined)).toBe(true);
    expect(pool.lookups()).toBe(1);
    await s.close();
  });

  it('cacheTtlMs 0: every lookup asks the database', async () => {
    const s = store({ cacheTtlMs: 0 });
    await s.get('z');
    await s.get('z');
    expect(pool.lookups()).toBe(2);
    await s.close();
  });

  it('with apiKeyVerifier: a revoked key is refused on the next request; a verified key costs no query', async () => {
    const s = store();
    const { key, record: issued } = await issueApiKey(s, { prefix: 'acme_live', owner: { clientId: 'acme' } }, T0);
    const keys = apiKeyVerifier(s, { now: () => clock, lastUsedInterval: 0 });
    const ctx = { operationId: 'listPets', scheme: 'ApiKey', scopes: [], request: { headers: {} } } as never;
    expect(await keys.verify(key, ctx)).toMatchObject({ keyId: issued.id, clientId: 'acme' });
    const before = pool.lookups();
    expect(await keys.verify(key, ctx)).not.toBeNull();
    expect(pool.lookups()).toBe(before);
    await revokeApiKey(s, issued.id, T0);
    expect(await keys.verify(key, ctx)).toBeNull();
    await s.close();
  });
});

describe('a database that fails or is slow', () => {
  it('a lookup slower than timeoutMs throws UnavailableError on time; its late answer is not cached', async () => {
    const s = store({ timeoutMs: 100, retryAfter: 3 });
    pool.delayMs = 400;
    const start = performance.now();
    const error = await rejection(s.get('slow'));
    const took = performance.now() - start;
    expect(isUnavailable(error)).toBe(true);
    expect((error as Error & { retryAfter: number }).retryAfter).toBe(3);
    expect(took).toBeGreaterThanOrEqual(95);
    expect(took).toBeLessThan(350);
    await new Promise((resolve) => setTimeout(resolve, 450)); // the late answer arrives, and is dropped
    pool.delayMs = 0;
    await s.get('slow');
    expect(pool.lookups()).toBe(2);
    await s.close();
  });

  it('a dropped connection is UnavailableError; a missing table is a plain error (a mistake, not an outage)', async () => {
    const s = store();
    pool.failWith = connectionError();
    expect(isUnavailable(await rejection(s.get('x')))).toBe(true);
    pool.failWith = undefined;
    const missing = store({ table: 'no_such_table' });
    const error = await rejection(missing.get('x'));
    expect(isUnavailable(error)).toBe(false);
    expect(error.message).toMatch(/does not exist/);
    await s.close();
    await missing.close();
  });

  it('stale window 0 (default): past its TTL a known key is refused while the database fails', async () => {
    const s = store({ cacheTtlMs: 1000 });
    await s.put(record('known'));
    expect(await s.get('known')).toBeDefined();
    clock += 1000;
    pool.failWith = connectionError();
    expect(isUnavailable(await rejection(s.get('known')))).toBe(true);
    await s.close();
  });

  it('stale window: a known key is served that long past its TTL while the database fails; never a miss, never an uncached key', async () => {
    const s = store({ cacheTtlMs: 1000, staleWindowMs: 5000 });
    await s.put(record('known'));
    expect(await s.get('known')).toBeDefined();
    expect(await s.get('unknown')).toBeUndefined();
    pool.failWith = connectionError();
    clock += 1000;
    expect((await s.get('known'))?.id).toBe('known');
    clock += 4999;
    expect((await s.get('known'))?.id).toBe('known');
    // A cached miss past its TTL, and a key never seen: the database must answer.
    expect(isUnavailable(await rejection(s.get('unknown')))).toBe(true);
    expect(isUnavailable(await rejection(s.get('never-seen')))).toBe(true);
    clock += 1;
    expect(isUnavailable(await rejection(s.get('known')))).toBe(true);
    // Back: fresh answers again, nothing to recreate.
    pool.failWith = undefined;
    expect((await s.get('known'))?.id).toBe('known');
    await s.close();
  });

  it('a closed store answers UnavailableError', async () => {
    const s = store();
    await s.close();
    expect(isUnavailable(await rejection(s.get('x')))).toBe(true);
  });
});

describe('without LISTEN', () => {
  it('`listen: false` and no `listen` say at start that revocations wait for the TTL; ready is ttl-only', async () => {
    const off = store({ listen: false, cacheTtlMs: 5000 });
    expect(await off.ready).toBe('ttl-only');
    expect(off.mode).toBe('ttl-only');
    expect(off.events).toEqual([expect.objectContaining({ type: 'ttl-only', level: 'warn', message: expect.stringMatching(/listen: false.*revocations take up to 5000 ms/) })]);
    const seen = events();
    const absent = createPostgresKeyStore({ pool, onEvent: seen.onEvent });
    expect(seen.list[0]?.message).toMatch(/no `listen` connection factory/);
    await off.close();
    await absent.close();
  });
});
