// `introspectionVerifier` (templates/runtime/runtime-introspection.ts) against a local
// RFC 7662 endpoint on loopback (test/helpers/introspection-server.ts), with real
// `fetch` and an injected clock for the cache: what is sent (form, client
// authentication), what counts as active, how long answers are reused (never past
// `exp`), one request for concurrent lookups, a bounded cache, and an endpoint that
// cannot answer as an `UnavailableError` (503) with no secret or token in any message.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { introspectionVerifier, type IntrospectionOptions } from '../../templates/runtime/runtime-introspection.js';
import { tokenDigest } from '../../templates/runtime/runtime-token-cache.js';
import { isUnavailable, type VerifyContext } from '../../templates/runtime/runtime-types.js';
import { startIntrospection, type IntrospectionServer } from '../helpers/introspection-server.js';

const CLIENT = { clientId: 'rs:api', clientSecret: 's3cr3t/+=&%é-Wq9' };
const SERVICE_BEARER = 'svc-bearer-Yt6Lm';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let server: IntrospectionServer;
let clock = 0;
let errors: Error[] = [];
const seconds = (): number => Math.floor(clock / 1000);

beforeAll(async () => {
  server = await startIntrospection({ client: CLIENT, bearer: SERVICE_BEARER });
});
afterAll(() => server.close());
beforeEach(() => {
  clock = Date.UTC(2026, 0, 1);
  errors = [];
  server.mode = 'ok';
  server.delayMs = 0;
  server.tokens.clear();
  server.requests.length = 0;
});

let seq = 0;
/** A new opaque token the endpoint calls active (with these claims), valid for an hour unless `exp` says otherwise. */
function activeToken(claims: Record<string, unknown> = {}): string {
  const token = `opaque-${++seq}-Hx2Pq`;
  server.tokens.set(token, { active: true, sub: 'user-9Fm', client_id: 'app-1', scope: 'things:read things:write', exp: seconds() + 3600, ...claims });
  return token;
}

function verifier(extra: Partial<IntrospectionOptions> = {}) {
  return introspectionVerifier({ endpoint: server.endpoint, ...CLIENT, audience: null, now: () => clock, backoff: { initialMs: 1000, maxMs: 4000 }, onError: (e) => errors.push(e), ...extra } as IntrospectionOptions);
}

function context(): VerifyContext & { readonly reasons: string[] } {
  const reasons: string[] = [];
  return { operationId: 'createThing', scheme: 'OAuth2', scopes: [], request: { headers: {} }, reasons, deny: (reason: string) => void reasons.push(reason) };
}
async function check(verify: ReturnType<typeof verifier>, token: string): Promise<[unknown, string[]]> {
  const ctx = context();
  return [await verify(token, ctx), ctx.reasons];
}

describe('what is sent', () => {
  it('POST token and token_type_hint, form-encoded; HTTP Basic by default, id and secret form-encoded first (RFC 6749 §2.3.1)', async () => {
    const token = activeToken();
    expect(await verifier().call(null, token)).not.toBeNull();
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', contentType: 'application/x-www-form-urlencoded', form: { token, token_type_hint: 'access_token' } });
    const formEncode = (s: string) => new URLSearchParams({ x: s }).toString().slice(2);
    expect(request?.authorization).toBe(`Basic ${Buffer.from(`${formEncode(CLIENT.clientId)}:${formEncode(CLIENT.clientSecret)}`).toString('base64')}`);
  });

  it('clientAuth body: client_id and client_secret in the form, no Authorization header', async () => {
    const token = activeToken();
    expect(await verifier({ clientAuth: 'body' }).call(null, token)).not.toBeNull();
    expect(server.requests[0]?.authorization).toBeUndefined();
    expect(server.requests[0]?.form).toEqual({ token, token_type_hint: 'access_token', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret });
  });

  it('bearerToken: a string, or a provider asked per request whose invalidate() hears of a 401', async () => {
    const token = activeToken();
    const asString = introspectionVerifier({ endpoint: server.endpoint, bearerToken: SERVICE_BEARER, audience: null, now: () => clock });
    expect(await asString(token)).not.toBeNull();
    expect(server.requests[0]?.authorization).toBe(`Bearer ${SERVICE_BEARER}`);
    const invalidated: string[] = [];
    const provider = Object.assign(async () => 'stale-service-token', { invalidate: (t: string) => void invalidated.push(t) });
    const viaProvider = introspectionVerifier({ endpoint: server.endpoint, bearerToken: provider, audience: null, now: () => clock, onError: (e) => errors.push(e) });
    await expect(viaProvider(activeToken())).rejects.toSatisfy(isUnavailable);
    expect(invalidated).toEqual(['stale-service-token']);
    expect(errors[0]).toMatchObject({ endpoint: 'introspection', problem: 'status', status: 401 });
  });

  it("wrong client credentials (401 from the endpoint): unavailable, reported without the secret or the token", async () => {
    const token = activeToken();
    const verify = verifier({ clientSecret: 'wrong-secret-Ab1' } as Partial<IntrospectionOptions>);
    const error = await verify(token).catch((e: unknown) => e);
    expect(isUnavailable(error)).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ problem: 'status', status: 401 });
    for (const text of [String(error), errors[0]?.message ?? '', JSON.stringify(errors[0])]) {
      for (const secret of ['wrong-secret-Ab1', CLIENT.clientSecret, token, 'user-9Fm']) expect(text).not.toContain(secret);
    }
  });
});

describe('what the answer means', () => {
  it('active: the principal, scopes from `scope`, every claim, frozen', async () => {
    const principal = await verifier().call(null, activeToken({ tenant: { id: 't1' } }));
    expect(principal).toEqual({ subject: 'user-9Fm', scopes: ['things:read', 'things:write'], claims: expect.objectContaining({ active: true, client_id: 'app-1', tenant: { id: 't1' } }) });
    expect(Object.isFrozen((principal?.claims as { tenant: object }).tenant)).toBe(true);
  });

  it.each([
    ['unknown to the endpoint (active false)', () => 'never-issued-Zr4', 'token-inactive'],
    ['active as the string "true"', () => activeToken({ active: 'true' }), 'token-inactive'],
    ['active 1', () => activeToken({ active: 1 }), 'token-inactive'],
    ['expired exp, though the endpoint says active', () => activeToken({ exp: seconds() - 10 }), 'token-expired'],
    ['nbf in the future', () => activeToken({ nbf: seconds() + 60 }), 'token-nbf'],
    ['exp not a number', () => activeToken({ exp: 'tomorrow' }), 'token-claims'],
    ['a refresh token the endpoint reports active (token_type refresh_token)', () => activeToken({ token_type: 'refresh_token' }), 'token-type'],
    ['longer than 8192 characters (refused before the endpoint is asked)', () => 'x'.repeat(8193), 'token-malformed'],
  ])('%s: null', async (_name, make, reason) => {
    expect(await check(verifier(), make())).toEqual([null, [reason]]);
  });

  it('audience and issuer, when configured', async () => {
    const verify = verifier({ audience: ['https://api.tokens.test'], issuer: 'https://issuer.test' });
    expect(await verify(activeToken({ aud: ['https://other.test', 'https://api.tokens.test'], iss: 'https://issuer.test' }))).not.toBeNull();
    expect(await check(verify, activeToken({ aud: 'https://other.test', iss: 'https://issuer.test' }))).toEqual([null, ['token-aud']]);
    expect(await check(verify, activeToken({ iss: 'https://issuer.test' }))).toEqual([null, ['token-aud']]);
    expect(await check(verify, activeToken({ aud: 'https://api.tokens.test', iss: 'https://evil.test' }))).toEqual([null, ['token-iss']]);
  });
});

describe('the cache', () => {
  it('a second verification within cacheMaxSeconds makes no request; after it, the endpoint is asked again (revocation shows)', async () => {
    const verify = verifier({ cacheMaxSeconds: 30 });
    const token = activeToken();
    expect(await verify(token)).not.toBeNull();
    clock += 29_000;
    expect(await verify(token)).not.toBeNull();
    expect(server.requests).toHaveLength(1);
    server.tokens.set(token, { active: false });
    clock += 2000;
    expect(await check(verify, token)).toEqual([null, ['token-inactive']]);
    expect(server.requests).toHaveLength(2);
  });

  it('never past exp: a token expiring in 2 s is reused for 2 s, then asked again and refused', async () => {
    const verify = verifier({ cacheMaxSeconds: 60 });
    const token = activeToken({ exp: seconds() + 2 });
    expect(await verify(token)).not.toBeNull();
    clock += 1900;
    expect(await verify(token)).not.toBeNull();
    expect(server.requests).toHaveLength(1);
    clock += 200;
    expect(await check(verify, token)).toEqual([null, ['token-expired']]);
    expect(server.requests).toHaveLength(2);
  });

  it('an inactive answer is reused for negativeCacheSeconds only', async () => {
    const verify = verifier({ negativeCacheSeconds: 5 });
    expect(await verify('never-issued-Kp0')).toBeNull();
    clock += 4000;
    expect(await verify('never-issued-Kp0')).toBeNull();
    expect(server.requests).toHaveLength(1);
    clock += 2000;
    expect(await verify('never-issued-Kp0')).toBeNull();
    expect(server.requests).toHaveLength(2);
  });

  it('cacheMaxSeconds 0: every verification asks', async () => {
    const verify = verifier({ cacheMaxSeconds: 0 });
    const token = activeToken();
    await verify(token);
    await verify(token);
    expect(server.requests).toHaveLength(2);
  });

  it('concurrent verifications of one token share one request', async () => {
    server.delayMs = 100;
    const verify = verifier();
    const token = activeToken();
    const answers = await Promise.all(Array.from({ length: 20 }, () => verify(token)));
    expect(answers.every((a) => a?.subject === 'user-9Fm')).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('bounded: with cacheMaxEntries 3, the least recently used answer is dropped first', async () => {
    const verify = verifier({ cacheMaxEntries: 3 });
    const [a, b, c, d] = [activeToken(), activeToken(), activeToken(), activeToken()];
    for (const t of [a, b, c]) await verify(t as string);
    await verify(a as string); // a is now the most recently used
    await verify(d as string); // drops b
    expect(server.requests).toHaveLength(4);
    await verify(a as string);
    await verify(c as string);
    expect(server.requests).toHaveLength(4);
    await verify(b as string);
    expect(server.requests).toHaveLength(5);
  });

  it('is keyed by a SHA-256 of the token, not the token', async () => {
    expect(await tokenDigest('abc')).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
  });
});

describe('the endpoint cannot answer: UnavailableError (503), never null, never a pass', () => {
  it.each([
    ['answers 503', 'status', 'status'],
    ['resets the connection', 'reset', 'unreachable'],
    ['does not answer within timeoutMs', 'hang', 'timeout'],
  ] as const)('%s; no request during the backoff; then it recovers', async (_name, mode, problem) => {
    server.mode = mode;
    const verify = verifier({ timeoutMs: 200 });
    const token = activeToken();
    const error = await verify(token).catch((e: unknown) => e);
    expect(isUnavailable(error)).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ endpoint: 'introspection', problem });
    for (const text of [String(error), errors[0]?.message ?? '']) for (const secret of [token, CLIENT.clientSecret]) expect(text).not.toContain(secret);
    await expect(verify(activeToken())).rejects.toSatisfy(isUnavailable);
    expect(server.requests).toHaveLength(1);
    server.mode = 'ok';
    clock += 1000;
    expect(await verify(token)).not.toBeNull();
    expect(server.requests).toHaveLength(2);
  });

  it("a 4xx about one token (400, 413) refuses that token only: other tokens are still asked, no backoff (review finding)", async () => {
    const bad = activeToken();
    const good = activeToken();
    const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> =>
      String(init?.body ?? '').includes(encodeURIComponent(bad)) ? new Response('{"error":"invalid_request"}', { status: 400 }) : fetch(input, init);
    const verify = verifier({ fetch: fetchImpl });
    expect(await check(verify, bad)).toEqual([null, ['token-refused']]);
    expect(await verify(good)).not.toBeNull();
    expect(errors).toHaveLength(0);
  });

  it('a bearer provider that never answers is cut at timeoutMs: unavailable, not a hang (review finding)', async () => {
    const verify = introspectionVerifier({ endpoint: server.endpoint, bearerToken: () => new Promise<string>(() => undefined), audience: null, timeoutMs: 200, onError: (e) => errors.push(e) });
    const started = performance.now();
    await expect(verify(activeToken())).rejects.toSatisfy(isUnavailable);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('a failed lookup is not cached: concurrent callers share its failure, the next caller asks again', async () => {
    server.mode = 'status';
    server.delayMs = 50;
    const verify = verifier({ backoff: { initialMs: 0 } });
    const token = activeToken();
    const answers = await Promise.allSettled(Array.from({ length: 5 }, () => verify(token)));
    expect(answers.every((a) => a.status === 'rejected' && isUnavailable(a.reason))).toBe(true);
    expect(server.requests).toHaveLength(1);
    server.mode = 'ok';
    expect(await verify(token)).not.toBeNull();
    expect(server.requests).toHaveLength(2);
  });

  it('a reply that is not JSON is unavailable', async () => {
    const verify = verifier({ fetch: async () => new Response('<html>oops</html>', { status: 200 }) });
    await expect(verify(activeToken())).rejects.toSatisfy(isUnavailable);
    expect(errors[0]).toMatchObject({ problem: 'invalid-response' });
  });
});

describe('options', () => {
  it('the audience must be given, or null to check none deliberately', () => {
    expect(() => introspectionVerifier({ endpoint: server.endpoint, ...CLIENT } as unknown as IntrospectionOptions)).toThrow(/give audience/);
  });

  it.each([
    ['plain http off loopback', { endpoint: 'http://auth.example/introspect' }, /https/],
    ['no client credentials', { clientId: undefined, clientSecret: undefined }, /clientId and clientSecret, or bearerToken/],
    ['both kinds of client authentication', { bearerToken: 'x' }, /not both/],
    ['an empty audience list', { audience: [] }, /audience/],
  ])('%s: refused when the verifier is made', (_name, change, message) => {
    expect(() => introspectionVerifier({ endpoint: server.endpoint, ...CLIENT, audience: null, ...change } as unknown as IntrospectionOptions)).toThrow(message);
  });
});

// Keep the timers of the `hang` case from holding the worker.
afterAll(() => sleep(0));
