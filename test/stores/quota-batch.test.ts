// `quotaLimiter({ redis, batch })`: leased counts (templates/runtime/runtime-quota-tally.ts)
// against the real Redis, several limiters standing for several replicas. What must
// hold: the replicas together never allow more than the limit in a window, and when
// every replica keeps receiving requests they allow exactly the limit; a used-up window
// is refused locally until it ends, then counting starts again; a per-operation refusal
// gives its count back; Redis unreachable fails closed. The HTTP path across two
// replicas is the `batch` part of test/stores/quota-replicas.test.ts.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { quotaLimiter, type QuotaLimiter } from '../../templates/runtime/runtime-quota.js';
import { isUnavailable, type AuthSuccess, type LimitOutcome } from '../../templates/runtime/runtime-types.js';
import type { QuotaPolicy } from '../../templates/runtime/runtime-key-record.js';
import type { AuthRequest } from '../../templates/runtime/runtime-request.js';
import { testRedis, type TestRedis } from '../helpers/services.js';

const REQUEST = {} as AuthRequest;
let redis: TestRedis;
const clients: Redis[] = [];
beforeAll(async () => {
  redis = await testRedis('quota_batch');
  for (let i = 0; i < 3; i++) clients.push(await redis.connect());
});
afterAll(async () => {
  await redis?.close();
});

let keySeq = 0;
const freshKey = (): string => `batch${++keySeq}x${Date.now().toString(36)}`;
function allowed(keyId: string, quota: QuotaPolicy, operationId = 'listPets'): AuthSuccess {
  return { ok: true, operationId, alternative: 0, anonymous: false, principals: { ApiKey: Object.freeze({ clientId: 'c', keyId, quota }) } } as unknown as AuthSuccess;
}
/** One limiter per replica, each on its own Redis connection. */
const replicas = (batch: number): QuotaLimiter[] => clients.map((client) => quotaLimiter({ redis: client, keyPrefix: `${redis.prefix}quota`, batch }));
const counter = async (key: string): Promise<number> => Number(await redis.client.get(`${redis.prefix}quota:${key}`));

/** A small deterministic generator, so a failing interleaving can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

describe('leased quota counts across replicas', () => {
  it('random interleavings (concurrent bursts, several limits and batch sizes): never over the limit, exactly the limit while every replica keeps asking', async () => {
    for (const [seed, limit, batch] of [[1, 37, 8], [2, 100, 16], [3, 5, 64], [4, 250, 32], [5, 1, 4], [6, 300, 4], [7, 700, 8]] as const) {
      const rand = random(seed);
      const limiters = replicas(batch);
      const decision = allowed(freshKey(), { limit, windowSeconds: 3600 });
      let allowedCount = 0;
      const outcomes: LimitOutcome[] = [];
      // Bursts of concurrent calls on random replicas, well past the limit ...
      for (let round = 0; round < 40; round++) {
        const burst = 1 + Math.floor(rand() * 12);
        const results = await Promise.all(Array.from({ length: burst }, () => (limiters[Math.floor(rand() * limiters.length)] as QuotaLimiter).limit(decision, REQUEST)));
        outcomes.push(...results);
      }
      // ... then every replica asked until each has refused twice: nothing a replica holds is left unused.
      for (const l of limiters) for (let refused = 0; refused < 2; ) if (!(await l.limit(decision, REQUEST)).ok) refused++; else outcomes.push({ ok: true });
      allowedCount = outcomes.filter((o) => o.ok).length;
      expect(allowedCount, `seed ${seed}, limit ${limit}, batch ${batch}`).toBe(limit);
    }
  });

  it('a lease asked on a stale view is cut to what was left: the replicas together get exactly the limit, never more', async () => {
    const [a, b] = replicas(16) as [QuotaLimiter, QuotaLimiter];
    const decision = allowed(freshKey(), { limit: 64, windowSeconds: 3600 });
    const take = async (l: QuotaLimiter, most: number): Promise<number> => {
      let n = 0;
      while (n < most && (await l.limit(decision, REQUEST)).ok) n++;
      return n;
    };
    // A leases 64 / 8 = 8 counts and uses one; B then takes 50 (its leases shrink as the
    // window empties, and it may hold a few more). A's next lease is sized on its old
    // view (56 left), more than the window has: it must get only what was left.
    const total = (await take(a, 1)) + (await take(b, 50)) + (await take(a, Infinity)) + (await take(b, Infinity));
    expect(total).toBe(64);
  });

  it('a replica that stops asking keeps what it leased: the others get fewer, never more', async () => {
    const [a, b] = replicas(16) as [QuotaLimiter, QuotaLimiter];
    const decision = allowed(freshKey(), { limit: 64, windowSeconds: 3600 });
    expect((await a.limit(decision, REQUEST)).ok).toBe(true);
    let fromB = 0;
    while ((await b.limit(decision, REQUEST)).ok) fromB++;
    // A holds at most 8 - 1 counts.
    expect(fromB).toBeGreaterThanOrEqual(64 - 8);
    expect(fromB).toBeLessThanOrEqual(63);
  });

  it('with plenty left, the next lease is asked for ahead (a quarter of the lease left), and the held counts are kept', async () => {
    const [a] = replicas(16) as [QuotaLimiter];
    const key = freshKey();
    const decision = allowed(key, { limit: 10_000, windowSeconds: 3600 });
    for (let i = 0; i < 11; i++) expect((await a.limit(decision, REQUEST)).ok).toBe(true);
    expect(await counter(key)).toBe(16);
    // The 12th leaves 4 of 16: a second lease goes out without the request waiting on it.
    expect((await a.limit(decision, REQUEST)).ok).toBe(true);
    await vi.waitFor(async () => expect(await counter(key)).toBe(32));
    // 4 held + 16 leased: 20 more without another lease before the quarter mark (16 + 4 - 4 = 16 more).
    for (let i = 0; i < 15; i++) expect((await a.limit(decision, REQUEST)).ok).toBe(true);
    expect(await counter(key)).toBe(32);
  });

  it('a used-up window is refused without asking Redis, with the RateLimit fields; when it ends, counting starts again', async () => {
    const [a] = replicas(4) as [QuotaLimiter];
    const key = freshKey();
    const decision = allowed(key, { limit: 3, windowSeconds: 1 });
    const first = [];
    for (let i = 0; i < 4; i++) first.push(await a.limit(decision, REQUEST));
    expect(first.map((o) => o.ok)).toEqual([true, true, true, false]);
    expect(first[3]).toMatchObject({ ok: false, detail: 'quota', retryAfter: 1 });
    expect(first[3]?.headers?.['ratelimit']).toBe('"default";r=0;t=1');
    const counted = await counter(key);
    for (let i = 0; i < 20; i++) expect((await a.limit(decision, REQUEST)).ok).toBe(false);
    expect(await counter(key)).toBe(counted);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await a.limit(decision, REQUEST)).ok).toBe(true);
  });

  it('per operation: a key-wide refusal gives the operation count back to the lease', async () => {
    const [a] = replicas(8) as [QuotaLimiter];
    const quota = { limit: 2, windowSeconds: 60, operations: { createPet: { limit: 3, windowSeconds: 60 } } };
    const key = freshKey();
    const ops = [];
    for (let i = 0; i < 3; i++) ops.push(await a.limit(allowed(key, quota, 'createPet'), REQUEST));
    expect(ops.map((o) => o.ok)).toEqual([true, true, false]);
    expect(ops[2]).toMatchObject({ detail: 'quota' });
    // The key-wide count refused the third, so this replica's createPet lease has one
    // count back (a lease's give-back stays local; Redis still says 3). A key-wide limit
    // with room shows it: one more createPet, then the operation's own refusal.
    const wider = { ...quota, limit: 10 };
    expect((await a.limit(allowed(key, wider, 'createPet'), REQUEST)).ok).toBe(true);
    expect(await a.limit(allowed(key, wider, 'createPet'), REQUEST)).toMatchObject({ ok: false, detail: 'operation-quota' });
  });

  it('Redis unreachable: a request that needs a lease fails closed at once; batch is checked', async () => {
    const down = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => 50 });
    down.on('error', () => undefined);
    void down.connect().catch(() => undefined);
    try {
      const closed = quotaLimiter({ redis: down, batch: 16, timeoutMs: 5_000 });
      const started = performance.now();
      const error = await Promise.resolve(closed.limit(allowed(freshKey(), { limit: 5, windowSeconds: 60 }), REQUEST)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(performance.now() - started).toBeLessThan(200);
      expect(isUnavailable(error)).toBe(true);
    } finally {
      down.disconnect();
    }
    for (const batch of [0, 1.5, -1, Number.NaN]) expect(() => quotaLimiter({ redis: clients[0] as Redis, batch })).toThrow(/batch must be a whole number/);
  });
});
