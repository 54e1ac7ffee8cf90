// `usageRecorder` (templates/runtime/runtime-usage.ts) against the real PostgreSQL, in
// this file's own schema (dropped afterwards), with the table created here from the
// migration's DDL. Only setInterval is faked, so the flush timer is driven by the test
// while pg keeps its real timers; the request clock is injected.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { usageRecorder, type UsagePool, type UsageRecorder, type UsageRecorderOptions } from '../../templates/runtime/runtime-usage.js';
import { combineLimits } from '../../templates/runtime/runtime-limits.js';
import { quotaLimiter } from '../../templates/runtime/runtime-quota.js';
import type { AuthSuccess } from '../../templates/runtime/runtime-types.js';
import type { AuthRequest } from '../../templates/runtime/runtime-request.js';
import { testDatabase, type TestDatabase } from '../helpers/services.js';

const DDL = `CREATE TABLE api_key_usage (
  key_id text,
  operation_id text,
  window_start timestamptz,
  requests bigint NOT NULL,
  PRIMARY KEY (key_id, operation_id, window_start)
)`;
/** The billing query of the report: requests per key per calendar month (UTC). */
const BILLING = `SELECT key_id, to_char(date_trunc('month', window_start AT TIME ZONE 'UTC'), 'YYYY-MM') AS month, sum(requests)::bigint AS requests
  FROM api_key_usage
  GROUP BY key_id, month
  ORDER BY month, key_id`;

const REQUEST = {} as AuthRequest;
const HOUR = 3_600_000;
const T0 = Date.parse('2030-01-31T22:30:00Z');
const allowed = (keyId: string | undefined, operationId = 'listPets'): AuthSuccess =>
  ({ ok: true, operationId, alternative: 0, anonymous: false, principals: keyId === undefined ? { Bearer: { sub: 'u' } } : { ApiKey: { clientId: 'c', keyId } } }) as AuthSuccess;

let db: TestDatabase;
beforeAll(async () => {
  db = await testDatabase('usage');
  await db.pool.query(DDL);
});
afterAll(() => db.close());

/** The pool, counting statements; `fail` makes the next ones throw as a broken connection would. */
function countingPool(): UsagePool & { statements: string[]; fail: number } {
  const pool = {
    statements: [] as string[],
    fail: 0,
    query(text: string, values: unknown[]) {
      pool.statements.push(text);
      if (pool.fail > 0) {
        pool.fail--;
        return Promise.reject(new Error('connection terminated unexpectedly'));
      }
      return db.pool.query(text, values);
    },
  };
  return pool;
}
const rows = async (): Promise<{ key_id: string; operation_id: string; window_start: string; requests: string }[]> =>
  (await db.pool.query(`SELECT key_id, operation_id, to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') AS window_start, requests::text FROM api_key_usage ORDER BY 1, 2, 3`)).rows;

let clock = T0;
const open: UsageRecorder[] = [];
const recorder = (pool: UsagePool, extra: Partial<UsageRecorderOptions> = {}): UsageRecorder => {
  const r = usageRecorder({ pool, flushIntervalMs: 60_000, now: () => clock, ...extra });
  open.push(r);
  return r;
};
beforeEach(async () => {
  clock = T0;
  await db.pool.query('TRUNCATE api_key_usage');
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(open.splice(0).map((r) => r.close().catch(() => undefined)));
});

describe('usageRecorder', () => {
  it('always answers ok, and counts per key, operation and hourly window (UTC), not what has no key', async () => {
    const pool = countingPool();
    const usage = recorder(pool);
    for (let i = 0; i < 3; i++) expect(usage.limit(allowed('k1'), REQUEST)).toEqual({ ok: true });
    usage.limit(allowed('k1', 'createPet'), REQUEST);
    usage.limit(allowed('k2'), REQUEST);
    usage.limit(allowed(undefined), REQUEST);
    clock = T0 + HOUR; // 23:30: the next window
    usage.limit(allowed('k1'), REQUEST);
    await usage.flush();
    expect(pool.statements).toHaveLength(1);
    expect(await rows()).toEqual([
      { key_id: 'k1', operation_id: 'createPet', window_start: '2030-01-31T22:00', requests: '1' },
      { key_id: 'k1', operation_id: 'listPets', window_start: '2030-01-31T22:00', requests: '3' },
      { key_id: 'k1', operation_id: 'listPets', window_start: '2030-01-31T23:00', requests: '1' },
      { key_id: 'k2', operation_id: 'listPets', window_start: '2030-01-31T22:00', requests: '1' },
    ]);
  });

  it('flushes at most once per interval, in ONE statement, and not at all with nothing to write', async () => {
    const pool = countingPool();
    const usage = recorder(pool);
    for (let i = 0; i < 50; i++) usage.limit(allowed(`k${i % 10}`, `op${i % 5}`), REQUEST);
    vi.advanceTimersByTime(59_999);
    expect(pool.statements).toHaveLength(0);
    vi.advanceTimersByTime(1);
    await vi.waitFor(() => expect(pool.statements).toHaveLength(1));
    await vi.waitFor(async () => expect(await rows()).toHaveLength(10));
    expect(pool.statements[0]).toMatch(/^INSERT INTO api_key_usage AS u .* unnest\(\$1::text\[\], \$2::text\[\], \$3::timestamptz\[\], \$4::bigint\[\]\) ON CONFLICT \(key_id, operation_id, window_start\) DO UPDATE SET requests = u\.requests \+ EXCLUDED\.requests$/);
    vi.advanceTimersByTime(60_000 * 3);
    expect(pool.statements).toHaveLength(1);
    usage.limit(allowed('k0', 'op0'), REQUEST);
    vi.advanceTimersByTime(60_000);
    await vi.waitFor(() => expect(pool.statements).toHaveLength(2));
    await vi.waitFor(async () => expect((await rows()).find((r) => r.key_id === 'k0')?.requests).toBe('6'));
  });

  it('two recorders (two replicas) add into the same row', async () => {
    const a = recorder(countingPool());
    const b = recorder(countingPool());
    for (let i = 0; i < 3; i++) a.limit(allowed('shared'), REQUEST);
    for (let i = 0; i < 4; i++) b.limit(allowed('shared'), REQUEST);
    await Promise.all([a.flush(), b.flush()]);
    a.limit(allowed('shared'), REQUEST);
    await a.flush();
    expect(await rows()).toEqual([{ key_id: 'shared', operation_id: 'listPets', window_start: '2030-01-31T22:00', requests: '8' }]);
  });

  it('close() flushes and stops the timer', async () => {
    const pool = countingPool();
    const usage = recorder(pool);
    usage.limit(allowed('k'), REQUEST);
    await usage.close();
    expect(await rows()).toHaveLength(1);
    usage.limit(allowed('k'), REQUEST);
    vi.advanceTimersByTime(600_000);
    expect(pool.statements).toHaveLength(1);
    expect(usage.close()).toBe(usage.close());
  });

  it('a failed flush keeps its counts: the next one writes them with what came since', async () => {
    const pool = countingPool();
    const errors: unknown[] = [];
    const usage = recorder(pool, { onError: (e) => errors.push(e) });
    usage.limit(allowed('k'), REQUEST);
    usage.limit(allowed('k'), REQUEST);
    pool.fail = 1;
    await expect(usage.flush()).rejects.toThrow('connection terminated unexpectedly');
    expect(errors).toEqual([]);
    usage.limit(allowed('k'), REQUEST);
    // The timer's flush fails too: its error goes to onError.
    pool.fail = 1;
    vi.advanceTimersByTime(60_000);
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(await rows()).toEqual([]);
    vi.advanceTimersByTime(60_000);
    await vi.waitFor(async () => expect(await rows()).toEqual([{ key_id: 'k', operation_id: 'listPets', window_start: '2030-01-31T22:00', requests: '3' }]));
    expect(pool.statements).toHaveLength(3);
  });

  it('while flushes fail, keeps at most maxWindows windows: the oldest are dropped and reported', async () => {
    const pool = countingPool();
    const errors: Error[] = [];
    const usage = recorder(pool, { maxWindows: 2, onError: (e) => errors.push(e as Error) });
    pool.fail = 3;
    for (let w = 0; w < 3; w++) {
      clock = T0 + w * HOUR;
      usage.limit(allowed('k'), REQUEST);
      usage.limit(allowed('k'), REQUEST);
      await expect(usage.flush()).rejects.toThrow();
    }
    expect(errors.map((e) => e.message)).toEqual(['usageRecorder: dropped 2 requests counted in 1 window(s) ending by 2030-01-31T23:00:00.000Z: the usage table could not be written in time']);
    // Counting alone (no flush) is bounded too.
    clock = T0 + 3 * HOUR;
    usage.limit(allowed('k'), REQUEST);
    expect(errors).toHaveLength(2);
    await usage.flush();
    expect((await rows()).map((r) => [r.window_start, r.requests])).toEqual([
      ['2030-02-01T00:00', '2'],
      ['2030-02-01T01:00', '1'],
    ]);
  });

  it('a flush under way is not queued behind by the timer; flush() waits for it and then writes the rest', async () => {
    let release: () => void = () => undefined;
    const slow: UsagePool & { statements: number } = {
      statements: 0,
      async query(text, values) {
        slow.statements++;
        if (slow.statements === 1) await new Promise<void>((resolve) => (release = resolve));
        return db.pool.query(text, values);
      },
    };
    const usage = recorder(slow);
    usage.limit(allowed('k'), REQUEST);
    const first = usage.flush();
    await vi.waitFor(() => expect(slow.statements).toBe(1));
    usage.limit(allowed('k'), REQUEST);
    vi.advanceTimersByTime(60_000 * 5);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(slow.statements).toBe(1);
    const second = usage.flush();
    release();
    await Promise.all([first, second]);
    expect(slow.statements).toBe(2);
    expect((await rows())[0]?.requests).toBe('2');
  });

  it('placed after a quota in combineLimits, counts only the requests let through', async () => {
    const usage = recorder(countingPool());
    const quota = quotaLimiter({ policyOf: () => ({ limit: 2, windowSeconds: 60 }) });
    const limit = combineLimits(quota.limit, usage.limit);
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push(await limit(allowed(`q${T0}`), REQUEST));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(2);
    await usage.flush();
    expect((await rows())[0]?.requests).toBe('2');
  });

  it('the billing query: requests per key per month', async () => {
    const usage = recorder(countingPool());
    usage.limit(allowed('k1'), REQUEST); // 2030-01-31 22:00
    clock = T0 + HOUR; // 23:00, still January
    usage.limit(allowed('k1', 'createPet'), REQUEST);
    clock = T0 + 2 * HOUR; // 2030-02-01 00:30
    usage.limit(allowed('k1'), REQUEST);
    usage.limit(allowed('k2'), REQUEST);
    await usage.flush();
    expect((await db.pool.query(BILLING)).rows).toEqual([
      { key_id: 'k1', month: '2030-01', requests: '2' },
      { key_id: 'k1', month: '2030-02', requests: '1' },
      { key_id: 'k2', month: '2030-02', requests: '1' },
    ]);
  });

  it('a schema-qualified table works; a table name that is not a plain name is refused', async () => {
    const usage = recorder(countingPool(), { table: `${db.schema}.api_key_usage` });
    usage.limit(allowed('k'), REQUEST);
    await usage.flush();
    expect(await rows()).toHaveLength(1);
    for (const table of ['api_key_usage; DROP TABLE x', 'a.b.c', '"quoted"', '']) expect(() => usageRecorder({ pool: countingPool(), table })).toThrow(/plain name/);
    expect(() => usageRecorder({ pool: {} as UsagePool })).toThrow(/pool/);
    expect(() => usageRecorder({ pool: countingPool(), windowSeconds: 0.5 })).toThrow(/windowSeconds/);
  });

  it('a pg Pool is a UsagePool as it is', () => {
    const pool: UsagePool = db.pool;
    expect(typeof pool.query).toBe('function');
  });
});
