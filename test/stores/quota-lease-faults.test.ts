// Leased quota counts (`quotaLimiter({ batch })`) when Redis answers late, windows roll
// over under held counts, and bursts queue for a lease: the findings of an independent
// attack on runtime-quota-tally.ts, kept as regressions. A Redis answer is delayed by a
// Proxy around the ioredis client that holds rate-limiter-flexible's script call
// (`rlflxIncr`) before or after it runs, so the count lands in Redis on time and only the
// answer is late, as with a slow network or a busy event loop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { quotaLimiter, type QuotaLimiter } from '../../templates/runtime/runtime-quota.js';
import type { AuthSuccess } from '../../templates/runtime/runtime-types.js';
import type { QuotaPolicy } from '../../templates/runtime/runtime-key-record.js';
import type { AuthRequest } from '../../templates/runtime/runtime-request.js';
import { testRedis, type TestRedis } from '../helpers/services.js';

const REQUEST = {} as AuthRequest;
let redis: TestRedis;
let prefix: string;
beforeAll(async () => {
  redis = await testRedis('quota_lease_faults');
  prefix = `${redis.prefix}quota`;
});
afterAll(async () => {
  await redis?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
let keySeq = 0;
const freshKey = (): string => `lease${++keySeq}x${Date.now().toString(36)}`;
function allowed(keyId: string, quota: QuotaPolicy, operationId = 'listPets'): AuthSuccess {
  return { ok: true, operationId, alternative: 0, anonymous: false, principals: { ApiKey: Object.freeze({ clientId: 'c', keyId, quota }) } } as unknown as AuthSuccess;
}

interface Tap {
  /** Script calls seen. */
  calls: number;
  /** Delay of one call, by its Redis key: before it is sent, or after its answer came. */
  delay?: ((redisKey: string) => { before?: number; after?: number } | undefined) | undefined;
}
/** A client of its own whose quota script calls are counted and can be delayed. */
async function tapped(tap: Tap): Promise<Redis> {
  const target = await redis.connect();
  return new Proxy(target, {
    get(t, prop) {
      if (prop === 'rlflxIncr') {
        const real = Reflect.get(t, prop, t) as (args: string[]) => Promise<unknown>;
        return async (args: string[]) => {
          tap.calls++;
          const d = tap.delay?.(args[0] as string);
          if (d?.before) await sleep(d.before);
          const answer = await real.call(t, args);
          if (d?.after) await sleep(d.after);
          return answer;
        };
      }
      const value = Reflect.get(t, prop, t) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  }) as Redis;
}
/** Asks `limiter` until it has refused twice; returns how many it allowed. */
async function drain(limiter: QuotaLimiter, decision: AuthSuccess): Promise<number> {
  let ok = 0;
  for (let refused = 0; refused < 2; ) if ((await limiter.limit(decision, REQUEST)).ok) ok++;
  else refused++;
  return ok;
}

describe('leased counts under late answers and window rollover', () => {
  it('a lease whose answer came late ends when Redis said, counted from the send: no old-window count is spent in the new window', async () => {
    const tap: Tap = { calls: 0 };
    let slow = true;
    // Only A's first lease answer is late (300 ms, under timeoutMs).
    tap.delay = () => (slow ? ((slow = false), { after: 300 }) : undefined);
    const a = quotaLimiter({ redis: await tapped(tap), keyPrefix: prefix, batch: 16, timeoutMs: 2000 });
    const b = quotaLimiter({ redis: await redis.connect(), keyPrefix: prefix, batch: 16 });
    const key = freshKey();
    const limit = 1000;
    const decision = allowed(key, { limit, windowSeconds: 2 });
    const counterKey = `${prefix}:${key}`;
    // Window 1: A leases 16 (its answer 300 ms late) and uses 11, holding 5.
    for (let i = 0; i < 11; i++) expect((await a.limit(decision, REQUEST)).ok).toBe(true);
    // Redis ends window 1.
    while ((await redis.client.exists(counterKey)) === 1) await sleep(5);
    // Window 2: A's old lease must be over; then both replicas use the window up.
    let inWindow2 = 0;
    if ((await a.limit(decision, REQUEST)).ok) inWindow2++;
    await sleep(20);
    for (const l of [a, b, a, b]) inWindow2 += await drain(l, decision);
    expect(await redis.client.pttl(counterKey), 'still inside window 2').toBeGreaterThan(0);
    expect(inWindow2).toBeLessThanOrEqual(limit);
  });

  for (const batch of [8, 1]) {
    it(`batch ${batch}: a count given back after its window rolled over does not land in the next window`, async () => {
      const tap: Tap = { calls: 0 };
      // The key-wide counter answers slowly (1.3 s); the operation's counter (`…:createPet`) at once.
      tap.delay = (redisKey) => (redisKey.endsWith(':createPet') ? undefined : { after: 1300 });
      const a = quotaLimiter({ redis: await tapped(tap), keyPrefix: prefix, batch, timeoutMs: 5000 });
      const b = quotaLimiter({ redis: await redis.connect(), keyPrefix: prefix, batch });
      const key = freshKey();
      const op = { createPet: { limit: 4, windowSeconds: 1 } };
      const tight = { limit: 3, windowSeconds: 60, operations: op };
      // B uses the key-wide quota up on another operation.
      for (let i = 0; i < 3; i++) expect((await b.limit(allowed(key, tight, 'listPets'), REQUEST)).ok).toBe(true);
      // R1 on A: an operation count from window 1, then the slow key-wide refusal.
      const r1 = Promise.resolve(a.limit(allowed(key, tight, 'createPet'), REQUEST));
      const opKey = `${prefix}:${key}:createPet`;
      while ((await redis.client.exists(opKey)) === 1) await sleep(5);
      // R2 on A: an operation count from window 2, then the same slow refusal.
      const r2 = Promise.resolve(a.limit(allowed(key, tight, 'createPet'), REQUEST));
      expect((await r1).ok).toBe(false);
      expect((await r2).ok).toBe(false);
      tap.delay = undefined;
      await sleep(20); // a reward runs off the request's path
      // What the operation allows in window 2, with a key-wide quota that has room.
      const roomy = { limit: 1000, windowSeconds: 60, operations: op };
      let inWindow2 = 0;
      for (const l of [a, b, a, b]) inWindow2 += await drain(l, allowed(key, roomy, 'createPet'));
      expect(await redis.client.pttl(opKey), 'still inside the operation window 2').toBeGreaterThan(0);
      expect(inWindow2).toBeLessThanOrEqual(4);
    });
  }

  it('a burst waiting for leases is answered within timeoutMs (allowed or 503), leases sized to the waiters', async () => {
    const tap: Tap = { calls: 0, delay: () => ({ after: 3 }) };
    const timeoutMs = 500;
    const q = quotaLimiter({ redis: await tapped(tap), keyPrefix: prefix, batch: 2, timeoutMs });
    await q.limit(allowed(freshKey(), { limit: 1_000_000, windowSeconds: 3600 }), REQUEST); // script loaded
    tap.calls = 0;
    const decision = allowed(freshKey(), { limit: 1_000_000, windowSeconds: 3600 });
    const started = performance.now();
    const latest: number[] = [];
    const outcomes = await Promise.all(
      Array.from({ length: 4000 }, () =>
        Promise.resolve(q.limit(decision, REQUEST)).then(
          (o) => (latest.push(performance.now() - started), o.ok),
          () => (latest.push(performance.now() - started), 'unavailable'),
        ),
      ),
    );
    // A deadline check, not a speed figure: before the fix the last waiter waited 12 s.
    expect(Math.max(...latest)).toBeLessThan(timeoutMs + 1500);
    expect(outcomes.filter((o) => o === true).length).toBeGreaterThan(0);
    expect(outcomes.every((o) => o === true || o === 'unavailable')).toBe(true);
    // Sized to the waiters: far fewer Redis calls than 4000 / batch.
    expect(tap.calls).toBeLessThan(100);
  });
});

describe('limits of the options and of ids', () => {
  it('a key id or operation id with a lone surrogate is counted like any other (no URIError), and kept apart from its escaped spelling', async () => {
    const q = quotaLimiter({ redis: redis.client, keyPrefix: prefix, batch: 8 });
    const odd = `\ud800${freshKey()}`;
    expect((await q.limit(allowed(odd, { limit: 1, windowSeconds: 60 }), REQUEST)).ok).toBe(true);
    expect((await q.limit(allowed(odd, { limit: 1, windowSeconds: 60 }), REQUEST)).ok).toBe(false);
    // `%uD800…` written out is another key.
    expect((await q.limit(allowed(`%uD800${odd.slice(1)}`, { limit: 1, windowSeconds: 60 }), REQUEST)).ok).toBe(true);
    const opQuota = { limit: 5, windowSeconds: 60, operations: { 'op\udc00': { limit: 1, windowSeconds: 60 } } };
    const key = freshKey();
    expect((await q.limit(allowed(key, opQuota, 'op\udc00'), REQUEST)).ok).toBe(true);
    expect(await q.limit(allowed(key, opQuota, 'op\udc00'), REQUEST)).toMatchObject({ ok: false, detail: 'operation-quota' });
  });

  it('timeoutMs longer than a timer can hold is refused (it would fire at once)', () => {
    expect(() => quotaLimiter({ redis: redis.client, timeoutMs: 3_000_000_000 })).toThrow(/timeoutMs/);
    expect(() => quotaLimiter({ redis: redis.client, timeoutMs: 2 ** 31 - 1 })).not.toThrow();
  });

  it('without redis, a window longer than a timer can hold is refused (fails closed), not silently unenforced', async () => {
    const q = quotaLimiter();
    await expect(Promise.resolve(q.limit(allowed(freshKey(), { limit: 3, windowSeconds: 30 * 86_400 }), REQUEST))).rejects.toThrow(/give quotaLimiter a redis client/);
    const day = allowed(freshKey(), { limit: 3, windowSeconds: 86_400 });
    let ok = 0;
    for (let i = 0; i < 6; i++) if ((await q.limit(day, REQUEST)).ok) ok++;
    expect(ok).toBe(3);
  });
});
