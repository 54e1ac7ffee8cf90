// `quotaLimiter` (templates/runtime/runtime-quota.ts) and `combineLimits`
// (runtime-limits.ts) as units: in memory and against the real Redis (this file's own
// key prefix, deleted afterwards). Decisions are written by hand as the guard makes
// them; the HTTP path across replicas is test/stores/quota-replicas.test.ts, Redis
// faults test/stores/quota-faults.test.ts. rate-limiter-flexible's classes are wrapped
// only to count how many limiters get made.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { quotaLimiter, type QuotaLimiterOptions } from '../../templates/runtime/runtime-quota.js';
import { combineLimits, keyIdOf, type LimitHook } from '../../templates/runtime/runtime-limits.js';
import { isUnavailable, type AuthSuccess, type LimitOutcome } from '../../templates/runtime/runtime-types.js';
import type { QuotaPolicy } from '../../templates/runtime/runtime-key-record.js';
import type { AuthRequest } from '../../templates/runtime/runtime-request.js';
import { REDIS_URL, testRedis, type TestRedis } from '../helpers/services.js';

const made = vi.hoisted(() => [] as { kind: 'memory' | 'redis'; points: number; duration: number }[]);
vi.mock('rate-limiter-flexible', async (importOriginal) => {
  const real = await importOriginal<typeof import('rate-limiter-flexible')>();
  type MemoryOptions = ConstructorParameters<typeof real.RateLimiterMemory>[0];
  type RedisOptions = ConstructorParameters<typeof real.RateLimiterRedis>[0];
  class RateLimiterMemory extends real.RateLimiterMemory {
    constructor(options: MemoryOptions) {
      super(options);
      made.push({ kind: 'memory', points: options.points, duration: options.duration });
    }
  }
  class RateLimiterRedis extends real.RateLimiterRedis {
    constructor(options: RedisOptions) {
      super(options);
      made.push({ kind: 'redis', points: options.points, duration: options.duration });
    }
  }
  return { ...real, RateLimiterMemory, RateLimiterRedis };
});

const REQUEST = { method: 'GET', path: '/v1/pets', headers: {} } as unknown as AuthRequest;
let keySeq = 0;
/** A fresh key id per test, so counters never carry over between tests (or runs). */
const freshKey = (): string => `key${++keySeq}x${Date.now().toString(36)}`;
/** The decision the guard passes for a request allowed with an API key principal. */
function allowed(keyId: string, quota: QuotaPolicy | undefined, operationId = 'listPets'): AuthSuccess {
  const principal = { clientId: 'c', keyId, scopes: [], apps: [], ...(quota === undefined ? {} : { quota }) };
  return { ok: true, operationId, alternative: 0, anonymous: false, principals: { ApiKey: Object.freeze(principal) } } as AuthSuccess;
}
const run = async (hook: LimitHook, decision: AuthSuccess, times: number): Promise<LimitOutcome[]> => {
  const out: LimitOutcome[] = [];
  for (let i = 0; i < times; i++) out.push(await hook(decision, REQUEST));
  return out;
};
const oks = (outcomes: readonly LimitOutcome[]): number => outcomes.filter((o) => o.ok).length;
/** `t` must be within the window (a second may pass while a test runs). */
const reset = (header: string | undefined): number => Number(/;t=(\d+)/.exec(header ?? '')?.[1]);

describe('quotaLimiter in memory (no redis)', () => {
  it('lets `limit` requests through per window, then answers 429 with the RateLimit fields and Retry-After', async () => {
    const { limit } = quotaLimiter({ headers: 'always' });
    const key = freshKey();
    const outcomes = await run(limit, allowed(key, { limit: 3, windowSeconds: 60 }), 5);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false, false]);
    expect(outcomes[0]).toEqual({ ok: true, headers: { 'ratelimit-policy': '"default";q=3;w=60', ratelimit: expect.stringMatching(/^"default";r=2;t=(59|60)$/) } });
    expect(outcomes[2]?.headers?.ratelimit).toMatch(/^"default";r=0;t=/);
    const refused = outcomes[3] as Extract<LimitOutcome, { ok: false }>;
    expect(refused.detail).toBe('quota');
    expect(refused.retryAfter).toBeGreaterThanOrEqual(59);
    expect(refused.retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers).toEqual({ 'ratelimit-policy': '"default";q=3;w=60', ratelimit: `"default";r=0;t=${refused.retryAfter}`, 'retry-after': String(refused.retryAfter) });
  });

  it('counts each key on its own', async () => {
    const { limit } = quotaLimiter();
    const quota = { limit: 2, windowSeconds: 60 };
    const [a, b] = [freshKey(), freshKey()];
    expect(oks(await run(limit, allowed(a, quota), 3))).toBe(2);
    expect(oks(await run(limit, allowed(b, quota), 3))).toBe(2);
  });

  it('a window ends: counting starts again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { limit } = quotaLimiter();
      const decision = allowed(freshKey(), { limit: 1, windowSeconds: 2 });
      expect(oks(await run(limit, decision, 2))).toBe(1);
      vi.advanceTimersByTime(2_001);
      expect(oks(await run(limit, decision, 2))).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('makes one limiter per distinct policy (limit + window) and reuses it', async () => {
    made.length = 0;
    const { limit } = quotaLimiter();
    const p = { limit: 10, windowSeconds: 60 };
    await run(limit, allowed(freshKey(), p), 2);
    await run(limit, allowed(freshKey(), { ...p }), 2);
    await run(limit, allowed(freshKey(), { limit: 10, windowSeconds: 3600 }), 1);
    await run(limit, allowed(freshKey(), { limit: 5, windowSeconds: 60, operations: { listPets: { limit: 10, windowSeconds: 60 } } }), 1);
    expect(made).toEqual([
      { kind: 'memory', points: 10, duration: 60 },
      { kind: 'memory', points: 10, duration: 3600 },
      { kind: 'memory', points: 5, duration: 60 },
    ]);
  });

  it('a principal without a quota, or no API key principal, is not counted: ok, no headers', async () => {
    made.length = 0;
    const { limit } = quotaLimiter();
    expect(await run(limit, allowed(freshKey(), undefined), 3)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    const bearer = { ok: true, operationId: 'listPets', alternative: 1, anonymous: false, principals: { Bearer: { sub: 'u1' } } } as AuthSuccess;
    expect(await limit(bearer, REQUEST)).toEqual({ ok: true });
    expect(made).toEqual([]);
  });

  it("by default (headers: 'on-limit') successes are bare and a 429 still carries the fields; 'always' puts them on successes too", async () => {
    for (const limit of [quotaLimiter().limit, quotaLimiter({ headers: 'on-limit' }).limit]) {
      const [first, second] = await run(limit, allowed(freshKey(), { limit: 1, windowSeconds: 60 }), 2);
      expect(first).toEqual({ ok: true });
      expect(second).toMatchObject({ ok: false, headers: { 'ratelimit-policy': '"default";q=1;w=60', ratelimit: expect.stringMatching(/^"default";r=0;t=\d+$/), 'retry-after': expect.any(String) } });
    }
    const [first] = await run(quotaLimiter({ headers: 'always' }).limit, allowed(freshKey(), { limit: 1, windowSeconds: 60 }), 1);
    expect(first).toEqual({ ok: true, headers: { 'ratelimit-policy': '"default";q=1;w=60', ratelimit: expect.stringMatching(/^"default";r=0;t=(59|60)$/) } });
  });

  it('a limit of 0 refuses every request', async () => {
    const { limit } = quotaLimiter();
    expect(oks(await run(limit, allowed(freshKey(), { limit: 0, windowSeconds: 60 }), 2))).toBe(0);
  });

  it('a per-operation quota applies in addition to the key-wide one, under its own name', async () => {
    const { limit } = quotaLimiter({ headers: 'always' });
    const key = freshKey();
    const quota = { limit: 5, windowSeconds: 60, operations: { createPet: { limit: 2, windowSeconds: 10 } } };
    const create = await run(limit, allowed(key, quota, 'createPet'), 3);
    expect(create.map((o) => o.ok)).toEqual([true, true, false]);
    expect(create[0]?.headers).toEqual({
      'ratelimit-policy': '"op:createPet";q=2;w=10, "default";q=5;w=60',
      ratelimit: expect.stringMatching(/^"op:createPet";r=1;t=(9|10), "default";r=4;t=(59|60)$/),
    });
    const refused = create[2] as Extract<LimitOutcome, { ok: false }>;
    expect(refused.detail).toBe('operation-quota');
    // Refused by the operation's quota: the key-wide count was not taken, and is not reported.
    expect(refused.headers?.ratelimit).toMatch(/^"op:createPet";r=0;t=(9|10)$/);
    expect(refused.retryAfter).toBe(reset(refused.headers?.ratelimit));
    // listPets has no quota of its own: only the key-wide one, 2 of 5 used so far.
    const list = await run(limit, allowed(key, quota, 'listPets'), 4);
    expect(list.map((o) => o.ok)).toEqual([true, true, true, false]);
    expect(list[0]?.headers).toEqual({ 'ratelimit-policy': '"default";q=5;w=60', ratelimit: expect.stringMatching(/^"default";r=2;t=/) });
    expect((list[3] as Extract<LimitOutcome, { ok: false }>).detail).toBe('quota');
  });

  it('operation ids are looked up as own keys only (`constructor`, `__proto__`)', async () => {
    const { limit } = quotaLimiter({ headers: 'always' });
    const key = freshKey();
    const operations = JSON.parse('{"__proto__": {"limit": 1, "windowSeconds": 60}}') as NonNullable<QuotaPolicy['operations']>;
    const quota = { limit: 10, windowSeconds: 60, operations };
    expect((await limit(allowed(key, quota, 'constructor'), REQUEST)).headers?.['ratelimit-policy']).toBe('"default";q=10;w=60');
    const proto = await run(limit, allowed(key, quota, '__proto__'), 2);
    expect(proto[0]?.headers?.['ratelimit-policy']).toBe('"op:__proto__";q=1;w=60, "default";q=10;w=60');
    expect(proto[1]).toMatchObject({ ok: false, detail: 'operation-quota' });
  });

  it('an operation id that is not printable ASCII gets a valid policy name', async () => {
    const { limit } = quotaLimiter({ headers: 'always' });
    const quota = { limit: 10, windowSeconds: 60, operations: { 'list "caf\u00e9"': { limit: 1, windowSeconds: 60 } } };
    const outcome = await limit(allowed(freshKey(), quota, 'list "caf\u00e9"'), REQUEST);
    expect(outcome.headers?.['ratelimit-policy']).toBe('"op:list \\"caf%C3%A9\\"";q=1;w=60, "default";q=10;w=60');
  });

  it('a malformed policy is a TypeError (the guard answers 500), naming the field', async () => {
    const { limit } = quotaLimiter();
    await expect(limit(allowed(freshKey(), { limit: -1, windowSeconds: 60 }), REQUEST)).rejects.toThrow(/quota\.limit/);
    await expect(limit(allowed(freshKey(), { limit: 1, windowSeconds: 0 }), REQUEST)).rejects.toThrow(/quota\.windowSeconds/);
    await expect(limit(allowed(freshKey(), { limit: 1, windowSeconds: 1, operations: { x: { limit: 1.5, windowSeconds: 1 } } }), REQUEST)).rejects.toThrow(/operations\["x"\]\.limit/);
  });

  it('reads the policy once per object: changing it afterwards changes nothing', async () => {
    const { limit } = quotaLimiter();
    const quota = { limit: 1, windowSeconds: 60 };
    const decision = allowed(freshKey(), quota);
    expect((await limit(decision, REQUEST)).ok).toBe(true);
    quota.limit = 100;
    expect((await limit(decision, REQUEST)).ok).toBe(false);
  });

  it('policyOf and keyOf replace the defaults', async () => {
    const { limit } = quotaLimiter({ policyOf: () => ({ limit: 1, windowSeconds: 60 }), keyOf: (d) => `tenant:${d.operationId}` });
    const bearer = { ok: true, operationId: `op${freshKey()}`, alternative: 0, anonymous: false, principals: { Bearer: {} } } as AuthSuccess;
    expect(oks(await run(limit, bearer, 2))).toBe(1);
  });

  it('checks its options', () => {
    expect(() => quotaLimiter({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(keyIdOf(allowed('abc', undefined))).toBe('abc');
  });
});

describe('quotaLimiter with Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await testRedis('quota_unit');
  });
  afterAll(() => redis.close());
  const options = (extra: Partial<QuotaLimiterOptions> = {}): QuotaLimiterOptions => ({ redis: redis.client, keyPrefix: `${redis.prefix}quota`, ...extra });
  const counter = async (key: string): Promise<number | null> => {
    const value = await redis.client.get(`${redis.prefix}quota:${key}`);
    return value === null ? null : Number(value);
  };

  it('refuses a client with an offline queue (a queued command would hang requests while Redis is down)', () => {
    const queued = new Redis(REDIS_URL, { lazyConnect: true });
    try {
      expect(() => quotaLimiter({ redis: queued })).toThrow(/enableOfflineQueue: false/);
      expect(() => quotaLimiter({ redis: { isOpen: true, options: {} } })).toThrow(/disableOfflineQueue: true/);
      expect(() => quotaLimiter({ redis: { isOpen: true } })).toThrow(/disableOfflineQueue: true/);
      expect(() => quotaLimiter({ redis: {} as never })).toThrow(/ioredis or node-redis/);
      expect(() => quotaLimiter({ redis: { isOpen: false, options: { disableOfflineQueue: true } } })).not.toThrow();
      expect(() => quotaLimiter(options())).not.toThrow();
    } finally {
      queued.disconnect();
    }
  });

  it('counts in Redis under <keyPrefix>:<key id>, with the window as the expiry', async () => {
    made.length = 0;
    const { limit } = quotaLimiter({ ...options(), headers: 'always' });
    const key = freshKey();
    const outcomes = await run(limit, allowed(key, { limit: 3, windowSeconds: 60 }), 4);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false]);
    expect(outcomes[1]?.headers?.ratelimit).toMatch(/^"default";r=1;t=(59|60)$/);
    expect(await counter(key)).toBe(4);
    const ttl = await redis.client.ttl(`${redis.prefix}quota:${key}`);
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(made).toEqual([{ kind: 'redis', points: 3, duration: 60 }]);
  });

  it('two limiters (two replicas) on one Redis share the count', async () => {
    const a = quotaLimiter(options());
    const b = quotaLimiter(options());
    const decision = allowed(freshKey(), { limit: 4, windowSeconds: 60 });
    const outcomes = await Promise.all([run(a.limit, decision, 3), run(b.limit, decision, 3)]);
    expect(oks(outcomes.flat())).toBe(4);
  });

  it('a principal without a quota writes nothing to Redis', async () => {
    const { limit } = quotaLimiter(options());
    const key = freshKey();
    expect(await run(limit, allowed(key, undefined), 2)).toEqual([{ ok: true }, { ok: true }]);
    expect(await redis.client.keys(`${redis.prefix}quota:${key}*`)).toEqual([]);
  });

  it('per-operation: refused by the operation, the key-wide count is untouched; refused key-wide, the operation count is given back', async () => {
    const { limit } = quotaLimiter(options());
    const key = freshKey();
    const quota = { limit: 3, windowSeconds: 60, operations: { createPet: { limit: 2, windowSeconds: 60 } } };
    expect((await run(limit, allowed(key, quota, 'createPet'), 3)).map((o) => o.ok)).toEqual([true, true, false]);
    expect(await counter(`${key}:createPet`)).toBe(3);
    expect(await counter(key)).toBe(2);
    // One more key-wide request (listPets) fills the key's quota of 3.
    expect((await limit(allowed(key, quota, 'listPets'), REQUEST)).ok).toBe(true);
    // A quota with room for createPet: its count passes, the key-wide count refuses, and
    // the operation count is given back (the reward runs off the request's path).
    const roomy = { ...quota, operations: { createPet: { limit: 10, windowSeconds: 60 } } };
    const refused = await limit(allowed(key, roomy, 'createPet'), REQUEST);
    expect(refused).toMatchObject({ ok: false, detail: 'quota' });
    expect(refused.headers?.ratelimit).toMatch(/^"op:createPet";r=7;t=\d+, "default";r=0;t=\d+$/);
    await vi.waitFor(async () => expect(await counter(`${key}:createPet`)).toBe(3));
    // 2 createPet + 1 listPets + the refused one (a refusal still counts against its own policy).
    expect(await counter(key)).toBe(4);
  });

  it('Redis unreachable: fails closed with an UnavailableError at once (the client queues nothing); fail-open lets the request through', async () => {
    const down = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => 50 });
    down.on('error', () => undefined);
    void down.connect().catch(() => undefined);
    const errors: unknown[] = [];
    try {
      const closed = quotaLimiter({ redis: down, keyPrefix: `${redis.prefix}quota`, onError: (e) => errors.push(e), timeoutMs: 5_000 });
      const decision = allowed(freshKey(), { limit: 5, windowSeconds: 60 });
      const started = performance.now();
      const error = await Promise.resolve(closed.limit(decision, REQUEST)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(performance.now() - started).toBeLessThan(200);
      expect(isUnavailable(error)).toBe(true);
      expect(error).toMatchObject({ name: 'UnavailableError', retryAfter: 1, message: 'quota store unavailable' });
      expect(errors).toHaveLength(1);
      const open = quotaLimiter({ redis: down, onStoreError: 'fail-open' });
      expect(await open.limit(decision, REQUEST)).toEqual({ ok: true });
    } finally {
      down.disconnect();
    }
  });
});

describe('combineLimits', () => {
  const fixed = (outcome: LimitOutcome, calls: string[], name: string): LimitHook => () => (calls.push(name), outcome);

  it('runs hooks in order, merges their headers, and answers ok when all are ok', async () => {
    const calls: string[] = [];
    const hook = combineLimits(
      fixed({ ok: true, headers: { RateLimit: '"a";r=1', 'X-One': '1' } }, calls, 'a'),
      fixed({ ok: true }, calls, 'b'),
      fixed({ ok: true, headers: { ratelimit: '"c";r=2', 'ratelimit-policy': '"c";q=3', 'x-one': 'replaced' } }, calls, 'c'),
    );
    expect(await hook(allowed('k', undefined), REQUEST)).toEqual({ ok: true, headers: { ratelimit: '"a";r=1, "c";r=2', 'ratelimit-policy': '"c";q=3', 'x-one': 'replaced' } });
    expect(calls).toEqual(['a', 'b', 'c']);
    expect(await combineLimits(fixed({ ok: true }, [], 'x'))(allowed('k', undefined), REQUEST)).toEqual({ ok: true });
  });

  it('stops at the first refusal, keeping the headers so far and the refusal\'s own', async () => {
    const calls: string[] = [];
    const hook = combineLimits(
      fixed({ ok: true, headers: { 'x-before': 'yes' } }, calls, 'a'),
      fixed({ ok: false, retryAfter: 7, headers: { 'retry-after': '7' }, detail: 'quota' }, calls, 'b'),
      fixed({ ok: true }, calls, 'c'),
    );
    expect(await hook(allowed('k', undefined), REQUEST)).toEqual({ ok: false, retryAfter: 7, headers: { 'x-before': 'yes', 'retry-after': '7' }, detail: 'quota' });
    expect(calls).toEqual(['a', 'b']);
  });

  it('a throw stops the chain and reaches the caller as is', async () => {
    const calls: string[] = [];
    const boom = new Error('boom');
    const hook = combineLimits(() => Promise.reject(boom), fixed({ ok: true }, calls, 'after'));
    await expect(hook(allowed('k', undefined), REQUEST)).rejects.toBe(boom);
    expect(calls).toEqual([]);
  });

  it('quota then counting: the counter sees only requests the quota let through', async () => {
    const { limit } = quotaLimiter();
    let counted = 0;
    const count: LimitHook = () => (counted++, { ok: true });
    const hook = combineLimits(limit, count);
    expect(oks(await run(hook, allowed(freshKey(), { limit: 2, windowSeconds: 60 }), 5))).toBe(2);
    expect(counted).toBe(2);
  });

  it('refuses an argument that is not a hook', () => {
    expect(() => combineLimits(undefined as unknown as LimitHook)).toThrow(TypeError);
  });
});

beforeEach(() => {
  vi.useRealTimers();
});
