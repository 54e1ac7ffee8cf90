// The guard's 503 and 429 (runtime-deny.ts, runtime-evaluate.ts): a verifier, binding
// check or `limit` hook that throws an `UnavailableError` resolves a 503 with
// `Retry-After` and a generic problem (never the error's message, never a pass, never
// a 500); any other throw stays a `VerifierError`. `limit` runs once per request after
// a success with credentials only; its refusal is a 429 with its headers, its headers
// on a success land on the decision. Decision events carry the statuses and reasons.
import { describe, expect, it } from 'vitest';
import {
  createGuardFromTables,
  independent,
  isUnavailable,
  RATE_LIMITED_DETAIL,
  UNAVAILABLE_DETAIL,
  UnavailableError,
  VerifierError,
  type AuthFailure,
  type AuthResult,
  type AuthSuccess,
  type DecisionEvent,
  type GuardOptions,
  type LimitOutcome,
} from '../../templates/runtime/runtime-server.js';

const u = (scheme: string, scopes: readonly string[] = []) => ({ scheme, scopes });
const tables = {
  schemes: {
    ApiKey: { kind: 'apiKey', in: 'header', name: 'X-API-Key' },
    AppId: { kind: 'apiKey', in: 'header', name: 'X-App-Id' },
    Bearer: { kind: 'http', scheme: 'bearer' },
  },
  operations: {
    key: { method: 'get', path: '/key', auth: { kind: 'required', anyOf: [[u('ApiKey')]], at: [0] } },
    // The pair first, Bearer as the second alternative.
    pairOrBearer: { method: 'get', path: '/pair', auth: { kind: 'required', anyOf: [[u('ApiKey'), u('AppId')], [u('Bearer')]], at: [0, 1] } },
    scoped: { method: 'get', path: '/scoped', auth: { kind: 'required', anyOf: [[u('Bearer', ['admin'])]], at: [0] } },
    optional: { method: 'get', path: '/optional', auth: { kind: 'optional', anyOf: [[u('ApiKey')]], at: [0], anonymousAt: 1 } },
    health: { method: 'get', path: '/health', auth: { kind: 'public' } },
    locked: { method: 'get', path: '/locked', auth: { kind: 'required', anyOf: [], at: [] } },
  },
  basePath: '',
} as const;

/** What a driver error message could carry: it must never reach a body. */
const SECRET_MESSAGE = 'connect ECONNREFUSED postgres://admin:hunter2@db:5432';
const down = (retryAfter?: number) => new UnavailableError(SECRET_MESSAGE, retryAfter);

type Mode = 'ok' | 'down-sync' | 'down-async' | 'boom-sync' | 'boom-async';
/** A verifier or check in a given mode; `value` is what it answers when ok. */
function behave<T>(mode: Mode, value: T): T | Promise<T> {
  if (mode === 'down-sync') throw down(4.2);
  if (mode === 'down-async') return Promise.reject(down(4.2));
  if (mode === 'boom-sync') throw new Error(SECRET_MESSAGE);
  if (mode === 'boom-async') return Promise.reject(new Error(SECRET_MESSAGE));
  return value;
}

interface Modes {
  apiKey?: Mode;
  appId?: Mode;
  bearer?: Mode;
  binding?: Mode;
}

function setup(modes: Modes = {}, options: GuardOptions = {}) {
  const events: DecisionEvent[] = [];
  const calls: { decision: AuthSuccess; path: string | undefined }[] = [];
  const guard = createGuardFromTables(
    tables,
    {
      ApiKey: (k: string, ctx: { deny?(reason: string): void }) => {
        if (k === 'expired') ctx.deny?.('key-expired');
        return behave(modes.apiKey ?? 'ok', k === 'good' ? { client: 'c1' } : null);
      },
      AppId: (id: string) => behave(modes.appId ?? 'ok', id === 'app-1' ? { client: 'c1' } : null),
      Bearer: (t: string) => behave(modes.bearer ?? 'ok', t === 'admin' ? { scopes: ['admin'] } : t === 'user' ? { scopes: [] } : null),
      'ApiKey + AppId': (p: { ApiKey: { client: string }; AppId: { client: string } }) => behave(modes.binding ?? 'ok', p.ApiKey.client === p.AppId.client),
    },
    { onDecision: (event) => events.push(event), ...options },
  );
  return { guard, events, calls };
}

const req = (headers: Record<string, string>, path?: string) => ({ method: 'get', headers, ...(path !== undefined ? { path } : {}) });
const KEY = { 'x-api-key': 'good' };
const PAIR = { 'x-api-key': 'good', 'x-app-id': 'app-1' };

function expectFailure(result: AuthResult, status: 429 | 503): AuthFailure {
  expect(result.ok).toBe(false);
  const failure = result as AuthFailure;
  expect(failure.status).toBe(status);
  expect(failure.headers['content-type']).toBe('application/problem+json');
  expect(failure.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
  expect(failure.body).toMatchObject({ type: 'about:blank', status, title: status === 503 ? 'Service Unavailable' : 'Too Many Requests', detail: status === 503 ? UNAVAILABLE_DETAIL : RATE_LIMITED_DETAIL });
  const text = JSON.stringify(failure);
  for (const secret of ['hunter2', 'ECONNREFUSED', 'good', 'app-1', 'admin']) expect(text).not.toContain(secret);
  return failure;
}

describe('an UnavailableError from a verifier or binding check: 503, resolved', () => {
  it.each([
    ['a sync verifier', { apiKey: 'down-sync' }, 'key', KEY],
    ['an async verifier', { apiKey: 'down-async' }, 'key', KEY],
    ['the second member of an AND group (sync)', { appId: 'down-sync' }, 'pairOrBearer', PAIR],
    ['the second member of an AND group (async)', { appId: 'down-async' }, 'pairOrBearer', PAIR],
    ['a sync binding check', { binding: 'down-sync' }, 'pairOrBearer', PAIR],
    ['an async binding check', { binding: 'down-async' }, 'pairOrBearer', PAIR],
    ['a verifier of the second alternative', { bearer: 'down-async' }, 'pairOrBearer', { authorization: 'Bearer admin' }],
  ] as const)('%s', async (_name, modes, op, headers) => {
    const { guard, events } = setup(modes);
    const failure = expectFailure(await guard.authorize(op, req(headers)), 503);
    // 4.2 seconds round up: a client never comes back too early.
    expect(failure.headers['retry-after']).toBe('5');
    expect(failure.headers['www-authenticate']).toBeUndefined();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ operationId: op, outcome: 'deny', status: 503, reason: 'unavailable', alternative: -1 });
    expect(JSON.stringify(events[0])).not.toContain('hunter2');
  });

  it('ends the decision there: no later alternative, no anonymous fallback', async () => {
    // The pair's store is down; the Bearer alternative would pass, but is not tried.
    let bearerRan = false;
    const guard = createGuardFromTables(tables, {
      ApiKey: () => Promise.reject(down()),
      AppId: () => ({ client: 'c1' }),
      Bearer: () => ((bearerRan = true), { scopes: [] }),
      'ApiKey + AppId': independent,
    });
    expectFailure(await guard.authorize('pairOrBearer', req({ ...PAIR, authorization: 'Bearer user' })), 503);
    expect(bearerRan).toBe(false);
    const lenient = createGuardFromTables(tables, { ApiKey: () => { throw down(); }, AppId: () => null, Bearer: () => null, 'ApiKey + AppId': independent }, { anonymousOnInvalid: true });
    expectFailure(await lenient.authorize('optional', req(KEY)), 503);
  });

  it('recognises the brand of any generated copy, and keeps Retry-After an integer of at least 1', async () => {
    const brand = Symbol.for('openapi-security-codegen.unavailable');
    const cases: [unknown, string][] = [[0, '1'], [-3, '1'], [Number.NaN, '1'], [Number.POSITIVE_INFINITY, '1'], ['7', '1'], [undefined, '1'], [2.0001, '3'], [1e30, '2147483647'], [120, '120']];
    for (const [retryAfter, header] of cases) {
      const foreign = { [brand]: true, retryAfter, message: SECRET_MESSAGE };
      expect(isUnavailable(foreign)).toBe(true);
      const guard = createGuardFromTables(tables, { ApiKey: () => { throw foreign; }, AppId: () => null, Bearer: () => null, 'ApiKey + AppId': independent });
      expect(expectFailure(await guard.authorize('key', req(KEY)), 503).headers['retry-after'], String(retryAfter)).toBe(header);
    }
  });

  it.each([
    ['a sync verifier', { apiKey: 'boom-sync' }, 'key', KEY, 'ApiKey', false],
    ['an async verifier', { apiKey: 'boom-async' }, 'key', KEY, 'ApiKey', false],
    ['a sync binding check', { binding: 'boom-sync' }, 'pairOrBearer', PAIR, 'ApiKey + AppId', true],
    ['an async binding check', { binding: 'boom-async' }, 'pairOrBearer', PAIR, 'ApiKey + AppId', true],
  ] as const)('any other throw from %s stays a VerifierError (500)', async (_name, modes, op, headers, scheme, binding) => {
    const { guard, events } = setup(modes);
    const error = await guard.authorize(op, req(headers)).then(() => expect.unreachable(), (e: unknown) => e);
    expect(error).toBeInstanceOf(VerifierError);
    expect(error).toMatchObject({ scheme, binding, operationId: op });
    expect(events[0]).toMatchObject({ outcome: 'error', status: 500, reason: 'error' });
  });
});

describe('limit', () => {
  function limited(answer: (decision: AuthSuccess) => LimitOutcome | PromiseLike<LimitOutcome>, options: GuardOptions = {}, modes: Modes = {}) {
    const made = setup(modes, {
      ...options,
      limit: (decision, request) => {
        made.calls.push({ decision, path: request.path });
        return answer(decision);
      },
    });
    return made;
  }
  const refuse: LimitOutcome = { ok: false, retryAfter: 30, detail: 'quota', headers: { 'RateLimit-Policy': '"burst";q=100;w=60', RateLimit: '"burst";r=0;t=30', 'Retry-After': '9999', 'Content-Type': 'text/html' } };

  it('a refusal is a 429 with Retry-After and its headers (the guard keeps content-type and retry-after)', async () => {
    const { guard, events, calls } = limited(() => refuse);
    const failure = expectFailure(await guard.authorize('key', req(KEY)), 429);
    expect(failure.headers).toEqual({ 'ratelimit-policy': '"burst";q=100;w=60', ratelimit: '"burst";r=0;t=30', 'retry-after': '30', 'content-type': 'application/problem+json' });
    expect(failure.body).not.toHaveProperty('detail', 'quota');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.decision).toMatchObject({ ok: true, operationId: 'key', anonymous: false, principals: { ApiKey: { client: 'c1' } } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ operationId: 'key', outcome: 'deny', status: 429, reason: 'rate-limited', detail: 'quota', schemes: ['ApiKey'] });
  });

  it('an async refusal works alike; its detail replaces a verifier reason from another alternative', async () => {
    // The pair's key is refused with a reason, the Bearer alternative passes, then the quota refuses.
    const { guard, events } = limited(async () => ({ ok: false, retryAfter: 1 }));
    expectFailure(await guard.authorize('pairOrBearer', req({ 'x-api-key': 'expired', 'x-app-id': 'app-1', authorization: 'Bearer user' })), 429);
    expect(events[0]).toMatchObject({ status: 429, reason: 'rate-limited' });
    expect(events[0]).not.toHaveProperty('detail');
  });

  it('a success with headers carries them, frozen, and is still issued by the guard', async () => {
    const { guard, events } = limited(() => ({ ok: true, headers: { RateLimit: '"burst";r=99;t=60' } }));
    const result = await guard.authorize('key', req(KEY));
    expect(result).toMatchObject({ ok: true, operationId: 'key', alternative: 0, anonymous: false, headers: { ratelimit: '"burst";r=99;t=60' }, principals: { ApiKey: { client: 'c1' } } });
    expect(Object.isFrozen((result as AuthSuccess).headers)).toBe(true);
    expect(guard.issued(result)).toBe(true);
    expect(events[0]).toMatchObject({ outcome: 'allow', status: 200 });
  });

  it('drops the framing and hop-by-hop fields a hook answers: they are the server\'s (review finding: a content-length split the response)', async () => {
    const framing = { 'Content-Length': '0', 'Transfer-Encoding': 'chunked', Connection: 'close', 'Keep-Alive': 'timeout=5', TE: 'trailers', Trailer: 'x', Upgrade: 'h2c', 'Proxy-Connection': 'close' };
    const { guard } = limited(() => ({ ok: true, headers: { ...framing, RateLimit: '"burst";r=99;t=60' } }));
    expect((await guard.authorize('key', req(KEY))) as AuthSuccess).toMatchObject({ ok: true, headers: { ratelimit: '"burst";r=99;t=60' } });
    expect(Object.keys(((await guard.authorize('key', req(KEY))) as AuthSuccess).headers ?? {})).toEqual(['ratelimit']);
    const refused = limited(() => ({ ok: false, retryAfter: 1, headers: framing }));
    expect(Object.keys(expectFailure(await refused.guard.authorize('key', req(KEY)), 429).headers).sort()).toEqual(['content-type', 'retry-after']);
  });

  it('reads the hook\'s ok once: a getter that changes its answer cannot pass as a refusal and then allow', async () => {
    let reads = 0;
    const { guard } = limited(() => ({ get ok() { return reads++ === 0 ? false : true; }, retryAfter: 1 }) as unknown as LimitOutcome);
    expectFailure(await guard.authorize('key', req(KEY)), 429);
    expect(reads).toBe(1);
  });

  it('keeps a header named __proto__ as a header, never a prototype', async () => {
    const headers = JSON.parse('{"__proto__": "p", "RateLimit": "r=1"}') as Record<string, string>;
    const { guard } = limited(() => ({ ok: true, headers }));
    const result = (await guard.authorize('key', req(KEY))) as AuthSuccess;
    expect(Object.getPrototypeOf(result.headers)).toBe(Object.prototype);
    expect(Object.entries(result.headers ?? {})).toEqual([['__proto__', 'p'], ['ratelimit', 'r=1']]);
  });

  it('a success without headers is the decision itself; a guard without limit adds no field', async () => {
    const { guard } = limited(() => ({ ok: true }));
    const result = await guard.authorize('key', req(KEY));
    expect(result.ok).toBe(true);
    expect('headers' in result).toBe(false);
    const plain = await setup().guard.authorize('key', req(KEY));
    expect(Object.keys(plain).sort()).toEqual(['alternative', 'anonymous', 'ok', 'operationId', 'principals']);
  });

  it.each([
    ['401 (missing)', 'key', {}, 401],
    ['401 (rejected)', 'key', { 'x-api-key': 'bad' }, 401],
    ['403 (scope)', 'scoped', { authorization: 'Bearer user' }, 403],
    ['403 (refused operation)', 'locked', KEY, 403],
  ] as const)('is not asked on a %s', async (_name, op, headers, status) => {
    const { guard, calls } = limited(() => refuse);
    const result = await guard.authorize(op, req(headers));
    expect(result.ok === false && result.status).toBe(status);
    expect(calls).toHaveLength(0);
  });

  it('is not asked for an anonymous success or a public operation, observed or not', async () => {
    for (const observe of [true, false]) {
      const calls: unknown[] = [];
      const guard = createGuardFromTables(
        tables,
        { ApiKey: () => ({}), AppId: () => ({}), Bearer: () => ({}), 'ApiKey + AppId': independent },
        { limit: () => (calls.push(1), refuse), ...(observe ? { onDecision: () => undefined } : {}) },
      );
      expect((await guard.authorize('optional', req({}))).ok).toBe(true);
      expect((await guard.authorize('health', req(KEY))).ok).toBe(true);
      expect((await guard.authorizeAll(['health', 'optional'], req({}))).ok).toBe(true);
      expect(calls).toHaveLength(0);
      // The same guard does ask for a success with credentials.
      expect((await guard.authorize('key', req(KEY))).ok).toBe(false);
      expect(calls).toHaveLength(1);
    }
  });

  it('authorizeAll with a public operation first: the keyed decision is the answer, and it is counted (review finding)', async () => {
    for (const observe of [true, false]) {
      const calls: string[] = [];
      const guard = createGuardFromTables(
        tables,
        { ApiKey: () => ({ keyId: 'k' }), AppId: () => ({}), Bearer: () => ({}), 'ApiKey + AppId': independent },
        { limit: (decision) => (calls.push(decision.operationId), refuse), ...(observe ? { onDecision: () => undefined } : {}) },
      );
      const result = await guard.authorizeAll(['health', 'key'], req(KEY));
      expect(result.ok === false && result.status).toBe(429);
      expect(calls).toEqual(['key']);
    }
  });

  it('with async verifiers and no onDecision (the awaited path): runs on the decision after the last await, never on a refusal or a 503', async () => {
    const calls: string[] = [];
    let verdict: LimitOutcome = { ok: true, headers: { RateLimit: 'r=1' } };
    let key: () => Promise<unknown> = async () => ({ keyId: 'k' });
    const guard = createGuardFromTables(
      tables,
      { ApiKey: () => key(), AppId: async () => ({}), Bearer: async () => null, 'ApiKey + AppId': independent },
      { limit: (decision) => (calls.push(decision.operationId), verdict) },
    );
    expect(await guard.authorize('key', req(KEY))).toMatchObject({ ok: true, operationId: 'key', headers: { ratelimit: 'r=1' }, principals: { ApiKey: { keyId: 'k' } } });
    verdict = { ok: false, retryAfter: 7 };
    expect(expectFailure(await guard.authorize('key', req(KEY)), 429).headers['retry-after']).toBe('7');
    expect(calls).toEqual(['key', 'key']);
    key = async () => null;
    const refused = await guard.authorize('key', req(KEY));
    expect(refused.ok === false && refused.status).toBe(401);
    key = () => Promise.reject(down(4));
    expect(expectFailure(await guard.authorize('key', req(KEY)), 503).headers['retry-after']).toBe('4');
    key = () => Promise.reject(new Error(SECRET_MESSAGE));
    await expect(guard.authorize('key', req(KEY))).rejects.toBeInstanceOf(VerifierError);
    expect(calls).toEqual(['key', 'key']);
  });

  it('runs once for authorizeAll, on the first operation decision', async () => {
    const { guard, calls, events } = limited(() => ({ ok: true, headers: { RateLimit: 'r=1' } }));
    const result = await guard.authorizeAll(['pairOrBearer', 'key'], req({ ...PAIR }, '/pair'));
    expect(result).toMatchObject({ ok: true, operationId: 'pairOrBearer', headers: { ratelimit: 'r=1' } });
    expect(calls.map((c) => c.decision.operationId)).toEqual(['pairOrBearer']);
    expect(calls[0]?.path).toBe('/pair');
    expect(events[0]).toMatchObject({ operationIds: ['pairOrBearer', 'key'], outcome: 'allow' });
  });

  it.each([
    ['sync', () => { throw down(12); }],
    ['async', () => Promise.reject(down(12))],
  ] as const)('an UnavailableError from it (%s) is a 503', async (_name, hook) => {
    const { guard, events } = limited(hook as () => LimitOutcome);
    const failure = expectFailure(await guard.authorize('key', req(KEY)), 503);
    expect(failure.headers['retry-after']).toBe('12');
    expect(events[0]).toMatchObject({ outcome: 'deny', status: 503, reason: 'unavailable' });
    expect(events[0]).not.toHaveProperty('detail');
  });

  const badHooks: [string, () => unknown][] = [
    ['a sync throw', () => { throw new Error(SECRET_MESSAGE); }],
    ['a rejection', () => Promise.reject(new Error(SECRET_MESSAGE))],
    ['no outcome', () => undefined],
    ['an outcome without ok', () => ({ retryAfter: 1 })],
    ['a header value with CR LF', () => ({ ok: true, headers: { RateLimit: 'r=1\r\nSet-Cookie: x=1' } })],
    ['an invalid header name', () => ({ ok: false, retryAfter: 1, headers: { 'Rate Limit': 'r=1' } })],
    ['a header that is not a string', () => ({ ok: true, headers: { RateLimit: 1 } })],
  ];
  it.each(badHooks)('%s from it is a VerifierError with scheme limit (500)', async (_name, hook) => {
    for (const observe of [true, false]) {
      const guard = createGuardFromTables(
        tables,
        { ApiKey: () => ({}), AppId: () => ({}), Bearer: () => ({}), 'ApiKey + AppId': independent },
        { limit: hook as unknown as () => LimitOutcome, ...(observe ? { onDecision: () => undefined } : {}) },
      );
      const error = await guard.authorize('key', req(KEY)).then(() => expect.unreachable(), (e: unknown) => e);
      expect(error).toBeInstanceOf(VerifierError);
      expect(error).toMatchObject({ scheme: 'limit', operationId: 'key', binding: false });
    }
    const { guard, events } = limited(hook as unknown as () => LimitOutcome);
    await expect(guard.authorize('key', req(KEY))).rejects.toBeInstanceOf(VerifierError);
    expect(events[0]).toMatchObject({ outcome: 'error', status: 500, reason: 'error' });
  });
});

describe('problem reshapes 429 and 503 too', () => {
  it('sees the status, and its body is the one answered', async () => {
    const seen: number[] = [];
    const problem: GuardOptions['problem'] = (body, context) => (seen.push(context.status), { ...body, type: `https://errors.example/${context.status}`, instance: context.operationId });
    const unavailable = setup({ apiKey: 'down-async' }, { problem });
    expect((await unavailable.guard.authorize('key', req(KEY))) as AuthFailure).toMatchObject({ status: 503, headers: { 'retry-after': '5' }, body: { type: 'https://errors.example/503', instance: 'key', title: 'Service Unavailable' } });
    const refused = setup({}, { problem, limit: () => ({ ok: false, retryAfter: 2 }) });
    expect((await refused.guard.authorize('key', req(KEY))) as AuthFailure).toMatchObject({ status: 429, headers: { 'retry-after': '2' }, body: { type: 'https://errors.example/429', status: 429 } });
    expect(seen).toEqual([503, 429]);
  });
});
