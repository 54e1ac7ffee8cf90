// `quotaLimiter` when Redis fails under it: a loopback TCP proxy (test/helpers/tcp-proxy.ts)
// sits between the ioredis client (no offline queue, as quotaLimiter requires) and the
// real Redis. Cut mid-run (connections reset, new ones refused) → every call ends within
// 2 s and, once the cut is seen, `limit` throws an UnavailableError at once; stalled (a
// black hole) → it throws after `timeoutMs`, never hangs; `fail-open` lets requests
// through; restored → counting resumes in the same Redis counter. Through the
// generated guard the UnavailableError is a 503 with Retry-After.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { REDIS_URL, testRedis, type TestRedis } from '../helpers/services.js';
import { generateFixture, importGenerated } from '../helpers/generated.js';
import { listen, type Running } from '../e2e/support.js';
import { quotaLimiter, type QuotaLimiter } from '../../templates/runtime/runtime-quota.js';
import { isUnavailable, type AuthSuccess, type LimitOutcome } from '../../templates/runtime/runtime-types.js';
import type { AuthRequest } from '../../templates/runtime/runtime-request.js';
import type { Guard, GuardOptions } from '../../templates/runtime/runtime-server.js';
import type { Verifiers as GeneratedVerifiers } from '../../generated/guard.js';

const REQUEST = {} as AuthRequest;
const TIMEOUT_MS = 300;
/** A call is a hang past this. */
const FAST_MS = 2_000;

let redis: TestRedis;
let proxy: TcpProxy;
let client: Redis;
const storeErrors: unknown[] = [];
let closed: QuotaLimiter;
let open: QuotaLimiter;

beforeAll(async () => {
  redis = await testRedis('quota_faults');
  const target = new URL(REDIS_URL);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
  // Reconnect quickly once the proxy forwards again.
  client = new Redis(proxy.port, '127.0.0.1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => 50 });
  client.on('error', () => undefined);
  await client.connect();
  // `headers: 'always'`: the tests read the counts off the successes' RateLimit field.
  const base = { redis: client, keyPrefix: `${redis.prefix}quota`, timeoutMs: TIMEOUT_MS, headers: 'always' as const, onError: (e: unknown) => storeErrors.push(e) };
  closed = quotaLimiter(base);
  open = quotaLimiter({ ...base, onStoreError: 'fail-open' });
});
afterAll(async () => {
  client?.disconnect();
  await proxy?.close();
  await redis?.close();
});

let keySeq = 0;
const decisionFor = (keyId: string): AuthSuccess =>
  ({ ok: true, operationId: 'listPets', alternative: 0, anonymous: false, principals: { ApiKey: { clientId: 'c', keyId, quota: { limit: 1000, windowSeconds: 3600 } } } }) as AuthSuccess;
const freshKey = (): string => `fault${++keySeq}x${Date.now().toString(36)}`;
const counter = async (keyId: string): Promise<number> => Number(await redis.client.get(`${redis.prefix}quota:${keyId}`));

interface Call {
  readonly startedAt: number;
  readonly ms: number;
  readonly outcome?: LimitOutcome;
  readonly error?: unknown;
}
async function timed(limiter: QuotaLimiter, decision: AuthSuccess): Promise<Call> {
  const startedAt = performance.now();
  try {
    const outcome = await limiter.limit(decision, REQUEST);
    return { startedAt, ms: performance.now() - startedAt, outcome };
  } catch (error) {
    return { startedAt, ms: performance.now() - startedAt, error };
  }
}
const ready = (): Promise<void> => vi.waitFor(() => expect(client.status).toBe('ready'), { timeout: 5_000, interval: 20 });

describe('quotaLimiter when Redis fails', () => {
  it('cut mid-run: no call hangs, later ones throw UnavailableError at once; fail-open passes; restored, counting resumes', async () => {
    await ready();
    const key = freshKey();
    const decision = decisionFor(key);
    const calls: Call[] = [];
    let cutAt = Number.POSITIVE_INFINITY;
    try {
      // 10 concurrent callers; the proxy is cut once 30 calls have ended, and they go on for 60 more.
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          while (calls.length < 90) {
            calls.push(await timed(closed, decision));
            if (calls.length === 30 && cutAt === Number.POSITIVE_INFINITY) {
              cutAt = performance.now();
              proxy.cut();
            }
          }
        }),
      );
      for (const call of calls) expect(call.ms, 'a call hung').toBeLessThan(FAST_MS);
      const before = calls.filter((c) => c.startedAt + c.ms < cutAt);
      // Started after the cut: refused at once (the client queues nothing).
      const after = calls.filter((c) => c.startedAt > cutAt);
      expect(before.length).toBeGreaterThanOrEqual(30);
      expect(before.every((c) => c.outcome?.ok === true)).toBe(true);
      expect(after.length).toBeGreaterThanOrEqual(50);
      for (const call of after) {
        expect(isUnavailable(call.error), String(call.error)).toBe(true);
        expect(call.ms).toBeLessThan(100);
      }
      // Calls in flight at the cut: an answer or an UnavailableError, never anything else.
      for (const call of calls) expect(call.outcome !== undefined || isUnavailable(call.error)).toBe(true);
      expect(storeErrors.length).toBeGreaterThan(0);
      const error = after[0]?.error as Error & { retryAfter: number };
      expect(error).toMatchObject({ name: 'UnavailableError', message: 'quota store unavailable', retryAfter: 1 });
      expect(String(error.cause)).not.toContain(key);

      // fail-open: the request passes, uncounted, at once.
      const passed = await timed(open, decision);
      expect(passed.outcome).toEqual({ ok: true });
      expect(passed.ms).toBeLessThan(100);
    } finally {
      proxy.restore();
    }
    // Restored: the same counter goes on from where it was.
    await ready();
    const counted = await counter(key);
    expect(counted).toBeGreaterThanOrEqual(30);
    const resumed = await timed(closed, decision);
    expect(resumed.outcome).toMatchObject({ ok: true, headers: { ratelimit: expect.stringMatching(new RegExp(`^"default";r=${1000 - counted - 1};t=\\d+$`)) } });
    expect(await counter(key)).toBe(counted + 1);
  });

  it('stalled (answers never come): UnavailableError after timeoutMs, not a hang; fail-open passes; restored, counting resumes', async () => {
    await ready();
    const key = freshKey();
    const decision = decisionFor(key);
    expect((await timed(closed, decision)).outcome?.ok).toBe(true);
    proxy.stall();
    try {
      const calls = await Promise.all(Array.from({ length: 5 }, () => timed(closed, decision)));
      for (const call of calls) {
        expect(isUnavailable(call.error), String(call.error)).toBe(true);
        expect(call.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
        expect(call.ms).toBeLessThan(FAST_MS);
      }
      expect(String((calls[0]?.error as Error).cause)).toMatch(/did not answer within 300 ms/);
      const passed = await timed(open, decision);
      expect(passed.outcome).toEqual({ ok: true });
      expect(passed.ms).toBeLessThan(FAST_MS);
    } finally {
      proxy.restore();
    }
    // The stalled commands reach Redis late (counted though their requests got 503 or passed
    // uncounted at the time); then counting goes on.
    await vi.waitFor(async () => expect(await counter(key)).toBe(7));
    const resumed = await timed(closed, decision);
    expect(resumed.outcome?.ok).toBe(true);
    expect(await counter(key)).toBe(8);
  });
});

describe('through the generated guard', () => {
  let server: Running;
  let key = '';
  beforeAll(async () => {
    const dir = await generateFixture('specs/petstore.yaml', 'stores-quota-faults');
    const guardModule = await importGenerated<{ createGuard(verifiers: object, options?: GuardOptions): Guard<string, unknown> }>(dir, 'guard.ts');
    const store = await importGenerated<typeof import('../../templates/runtime/runtime-key-store.js')>(dir, 'runtime-key-store.ts');
    const verifierModule = await importGenerated<typeof import('../../templates/runtime/runtime-key-verifier.js')>(dir, 'runtime-key-verifier.ts');
    const node = await importGenerated<typeof import('../../templates/runtime/node.js')>(dir, 'node.ts');
    const keys = store.createMemoryKeyStore();
    key = (await store.issueApiKey(keys, { prefix: 'pet_test', owner: { clientId: 'c' }, apps: ['app-a'], quota: { limit: 100, windowSeconds: 3600 } })).key;
    const verifier = verifierModule.apiKeyVerifier(keys);
    const nobody = (): null => null;
    const verifiers = { ApiKey: verifier.verify, AppId: verifier.appId, 'ApiKey + AppId': verifier.bind, Bearer: nobody, Basic: nobody, OAuth2: nobody, QueryKey: nobody, SessionCookie: nobody } satisfies GeneratedVerifiers;
    const guard = guardModule.createGuard(verifiers, { limit: closed.limit });
    const authenticate = node.nodeAuth(guard);
    server = await listen(
      http.createServer(async (req, res) => {
        if ((await authenticate(req, res)) === undefined) return;
        res.writeHead(200).end('ok');
      }),
    );
  });
  afterAll(() => server?.close());
  const get = (): Promise<Response> => fetch(`${server.origin}/v1/pets`, { headers: { 'x-api-key': key, 'x-app-id': 'app-a' } });

  it('Redis cut: 503 with Retry-After at once; restored: 200 with the RateLimit fields', async () => {
    await ready();
    expect((await get()).status).toBe(200);
    proxy.cut();
    try {
      await vi.waitFor(() => expect(client.status).not.toBe('ready'));
      const started = performance.now();
      const res = await get();
      expect(performance.now() - started).toBeLessThan(FAST_MS);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('ratelimit')).toBeNull();
      expect(await res.json()).toMatchObject({ status: 503 });
    } finally {
      proxy.restore();
    }
    await ready();
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit')).toMatch(/^"default";r=98;t=\d+$/);
  });
});
