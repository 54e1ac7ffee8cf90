// The issue's acceptance test: two replicas (two node:http servers on loopback in this
// process, each with its own guard from generated code, its own key store holding the
// same records, and its OWN ioredis client, so the count is shared only through Redis)
// × 20 concurrent clients sending 500 requests with one key whose quota is 100 per
// window → exactly 100 answered 200 across both, the other 400 answered 429 with the
// RateLimit fields and Retry-After. And requests refused with 401 consume nothing.
// The same two replicas with `batch: 16` (leased counts): still exactly 100, and once
// the window is used up the 429s cost Redis nothing.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { generateFixture, importGenerated } from '../helpers/generated.js';
import { testRedis, type TestRedis } from '../helpers/services.js';
import { listen, type Running } from '../e2e/support.js';
import { quotaLimiter } from '../../templates/runtime/runtime-quota.js';
import type { DecisionEvent, Guard, GuardOptions } from '../../templates/runtime/runtime-server.js';
import type { KeyRecord } from '../../templates/runtime/runtime-key-record.js';
import type { Verifiers as GeneratedVerifiers } from '../../generated/guard.js';

interface Runtime {
  guard: { createGuard(verifiers: object, options?: GuardOptions): Guard<string, unknown> };
  store: typeof import('../../templates/runtime/runtime-key-store.js');
  verifier: typeof import('../../templates/runtime/runtime-key-verifier.js');
  apiKeys: typeof import('../../templates/runtime/runtime-api-keys.js');
  node: typeof import('../../templates/runtime/node.js');
}

const WINDOW = 3600; // long enough that no window ends during the test
const QUOTA = 100;
const TOTAL = 500;
const CLIENTS = 20;

let rt: Runtime;
let redis: TestRedis;
const replicas: { server: Running; events: DecisionEvent[] }[] = [];
const batched: { server: Running; events: DecisionEvent[] }[] = [];
const BATCH = 16;
const records: KeyRecord[] = [];
const keys: Record<'busy' | 'probe' | 'batched', string> = { busy: '', probe: '', batched: '' };

/** One replica: its own key store (the same records), verifier, guard, ioredis client and server. */
async function replica(client: Redis, batch?: number): Promise<{ server: Running; events: DecisionEvent[] }> {
  const store = rt.store.createMemoryKeyStore(records);
  const verifier = rt.verifier.apiKeyVerifier(store);
  const nobody = (): null => null;
  const verifiers = {
    ApiKey: verifier.verify,
    AppId: verifier.appId,
    'ApiKey + AppId': verifier.bind,
    Bearer: nobody,
    Basic: nobody,
    OAuth2: nobody,
    QueryKey: nobody,
    SessionCookie: nobody,
  } satisfies GeneratedVerifiers;
  const events: DecisionEvent[] = [];
  // `headers: 'always'`: every 200 carries the count it was given, which the tests check.
  const quota = quotaLimiter({ redis: client, keyPrefix: `${redis.prefix}quota`, headers: 'always', ...(batch === undefined ? {} : { batch }) });
  const guard = rt.guard.createGuard(verifiers, { limit: quota.limit, onDecision: (event) => events.push(event) });
  const authenticate = rt.node.nodeAuth(guard);
  const server = http.createServer(async (req, res) => {
    const auth = await authenticate(req, res);
    if (auth === undefined) return;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"pets":[]}');
  });
  return { server: await listen(server), events };
}

beforeAll(async () => {
  const dir = await generateFixture('specs/petstore.yaml', 'stores-quota-replicas');
  rt = {
    guard: await importGenerated(dir, 'guard.ts'),
    store: await importGenerated(dir, 'runtime-key-store.ts'),
    verifier: await importGenerated(dir, 'runtime-key-verifier.ts'),
    apiKeys: await importGenerated(dir, 'runtime-api-keys.ts'),
    node: await importGenerated(dir, 'node.ts'),
  };
  // Keys are issued once (as into the shared PostgreSQL store) and each replica loads the records.
  const issuer = rt.store.createMemoryKeyStore();
  for (const [name, limit] of [['busy', QUOTA], ['probe', 5], ['batched', QUOTA]] as const) {
    const issued = await rt.store.issueApiKey(issuer, { prefix: 'pet_test', owner: { clientId: name }, apps: ['app-a'], quota: { limit, windowSeconds: WINDOW } });
    keys[name] = issued.key;
    records.push(issued.record);
  }
  redis = await testRedis('quota_replicas');
  replicas.push(await replica(redis.client), await replica(await redis.connect()));
  batched.push(await replica(await redis.connect(), BATCH), await replica(await redis.connect(), BATCH));
});
afterAll(async () => {
  await Promise.all([...replicas, ...batched].map((r) => r.server.close()));
  await redis?.close();
});

interface Answer {
  readonly replica: number;
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}
async function get(n: number, key: string, app = 'app-a', pair = replicas): Promise<Answer> {
  const replica = n % 2;
  const res = await fetch(`${(pair[replica] as { server: Running }).server.origin}/v1/pets`, { headers: { 'x-api-key': key, 'x-app-id': app } });
  return { replica, status: res.status, headers: res.headers, body: await res.text() };
}
const counter = async (keyId: string): Promise<number | null> => {
  const value = await redis.client.get(`${redis.prefix}quota:${keyId}`);
  return value === null ? null : Number(value);
};
const idOf = (name: keyof typeof keys): string => (records.find((r) => r.owner.clientId === name) as KeyRecord).id;

describe('quotas across two replicas, counted in Redis', () => {
  it(`2 replicas × ${CLIENTS} concurrent clients, ${TOTAL} requests, quota ${QUOTA}: exactly ${QUOTA} answered 200, the rest 429 with correct headers`, async () => {
    let next = 0;
    const answers: Answer[] = [];
    // Each client sends its next request as soon as it has an answer, alternating replicas.
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < TOTAL) answers.push(await get(next++, keys.busy));
      }),
    );
    expect(answers).toHaveLength(TOTAL);
    const ok = answers.filter((a) => a.status === 200);
    const limited = answers.filter((a) => a.status === 429);
    expect(ok).toHaveLength(QUOTA);
    expect(limited).toHaveLength(TOTAL - QUOTA);
    // Both replicas served and refused: the count was shared, not per process.
    for (const r of [0, 1]) {
      expect(ok.some((a) => a.replica === r)).toBe(true);
      expect(limited.some((a) => a.replica === r)).toBe(true);
    }
    // Every 200 advertises the policy and what is left: each remaining count 0..99 exactly once.
    const remaining = ok.map((a) => {
      expect(a.headers.get('ratelimit-policy')).toBe(`"default";q=${QUOTA};w=${WINDOW}`);
      const m = /^"default";r=(\d+);t=(\d+)$/.exec(a.headers.get('ratelimit') ?? '');
      expect(m, a.headers.get('ratelimit') ?? 'no RateLimit field').not.toBeNull();
      expect(Number(m?.[2])).toBeLessThanOrEqual(WINDOW);
      expect(a.headers.get('retry-after')).toBeNull();
      return Number(m?.[1]);
    });
    expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: QUOTA }, (_, i) => i));
    for (const a of limited) {
      const retryAfter = Number(a.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter) && retryAfter > WINDOW - 60 && retryAfter <= WINDOW, `retry-after ${a.headers.get('retry-after')}`).toBe(true);
      expect(a.headers.get('ratelimit-policy')).toBe(`"default";q=${QUOTA};w=${WINDOW}`);
      expect(a.headers.get('ratelimit')).toBe(`"default";r=0;t=${retryAfter}`);
      expect(a.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(a.body)).toMatchObject({ status: 429 });
      expect(a.body.includes(keys.busy)).toBe(false);
    }
    // Each request the guard allowed with the key was counted once, in the one Redis counter.
    expect(await counter(idOf('busy'))).toBe(TOTAL);
    const events = replicas.flatMap((r) => r.events).filter((e) => e.keyId === idOf('busy'));
    expect(events.filter((e) => e.status === 429).every((e) => e.reason === 'rate-limited' && e.detail === 'quota')).toBe(true);
    expect(events.filter((e) => e.outcome === 'allow')).toHaveLength(QUOTA);
  });

  it('requests refused with 401 (a bad secret for the key id, the wrong App ID) consume nothing', async () => {
    const id = idOf('probe');
    const good = keys.probe;
    const secretLength = rt.apiKeys.API_KEY_SECRET_LENGTH;
    const secret = 'S'.repeat(secretLength);
    const forged = `pet_test_${id}_${secret}${rt.apiKeys.apiKeyChecksum(`${id}_${secret}`)}`;
    for (let n = 0; n < 10; n++) {
      expect((await get(n, forged)).status).toBe(401);
      expect((await get(n, good, 'app-b')).status).toBe(401);
    }
    expect(await counter(id)).toBeNull();
    const answers: Answer[] = [];
    for (let n = 0; n < 6; n++) answers.push(await get(n, good));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(answers[0]?.headers.get('ratelimit')).toMatch(/^"default";r=4;t=\d+$/);
    expect(await counter(id)).toBe(6);
  });
});

describe(`the same with leased counts (batch: ${BATCH})`, () => {
  it(`2 replicas × ${CLIENTS} concurrent clients, ${TOTAL} requests, quota ${QUOTA}: exactly ${QUOTA} answered 200, and the 429s past the end cost Redis nothing`, async () => {
    let next = 0;
    const answers: Answer[] = [];
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < TOTAL) answers.push(await get(next++, keys.batched, 'app-a', batched));
      }),
    );
    const ok = answers.filter((a) => a.status === 200);
    const limited = answers.filter((a) => a.status === 429);
    expect(ok).toHaveLength(QUOTA);
    expect(limited).toHaveLength(TOTAL - QUOTA);
    for (const r of [0, 1]) {
      expect(ok.some((a) => a.replica === r)).toBe(true);
      expect(limited.some((a) => a.replica === r)).toBe(true);
    }
    // Remaining is each replica's view (the shared count plus what it holds): a count in range.
    for (const a of ok) {
      expect(a.headers.get('ratelimit-policy')).toBe(`"default";q=${QUOTA};w=${WINDOW}`);
      const m = /^"default";r=(\d+);t=(\d+)$/.exec(a.headers.get('ratelimit') ?? '');
      expect(m, a.headers.get('ratelimit') ?? 'no RateLimit field').not.toBeNull();
      expect(Number(m?.[1])).toBeLessThan(QUOTA);
    }
    for (const a of limited) {
      const retryAfter = Number(a.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter) && retryAfter > WINDOW - 60 && retryAfter <= WINDOW, `retry-after ${a.headers.get('retry-after')}`).toBe(true);
      expect(a.headers.get('ratelimit')).toBe(`"default";r=0;t=${retryAfter}`);
      expect(JSON.parse(a.body)).toMatchObject({ status: 429 });
    }
    // Redis was asked in leases: the count holds what was leased (at most one lease per
    // replica past the quota), not one INCR per request as in exact mode (500).
    const counted = (await counter(idOf('batched'))) ?? 0;
    expect(counted).toBeGreaterThanOrEqual(QUOTA);
    expect(counted).toBeLessThanOrEqual(QUOTA + 2 * BATCH);
    const events = batched.flatMap((r) => r.events).filter((e) => e.keyId === idOf('batched'));
    expect(events.filter((e) => e.outcome === 'allow')).toHaveLength(QUOTA);
  });
});
