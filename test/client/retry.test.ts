// The retry policy (templates/runtime/runtime-retry.ts) as tables: WWW-Authenticate
// parsing (RFC 9110 §11.6.1, RFC 6750 §3), Retry-After in both forms (RFC 9110 §10.2.3,
// HTTP-date §5.6.7), which bodies can be replayed, and the decision itself. The
// integrations that use it run against real servers in retry-integrations.test.ts.

import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  fetchCallReplayable,
  FIRST_ATTEMPT,
  invalidateRefused,
  isReplayableBody,
  nextRetry,
  parseChallenges,
  refusedAsInvalidToken,
  retryAfterMs,
  retryPolicy,
  sleep,
  type RetryStep,
} from '../../templates/runtime/runtime-retry.js';
import type { AttachedCredential, TokenProvider } from '../../templates/runtime/runtime-credentials.js';

describe('parseChallenges (RFC 9110 §11.6.1)', () => {
  it('reads the RFC example: params with token and quoted values, escapes, and a second challenge after a comma', () => {
    expect(parseChallenges('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"')).toEqual([
      { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      { scheme: 'basic', params: { realm: 'simple' } },
    ]);
  });
  it.each([
    ['token68', 'Basic YWxhZGRpbjpvcGVuc2VzYW1l', [{ scheme: 'basic', token68: 'YWxhZGRpbjpvcGVuc2VzYW1l', params: {} }]],
    ['token68 with padding, then another challenge', 'Negotiate a87421000492aa874209af8bc028==, Bearer', [
      { scheme: 'negotiate', token68: 'a87421000492aa874209af8bc028==', params: {} },
      { scheme: 'bearer', params: {} },
    ]],
    ['a bare scheme, then one with params', 'Bearer, Basic realm="x"', [{ scheme: 'bearer', params: {} }, { scheme: 'basic', params: { realm: 'x' } }]],
    ['BWS around "=", names lower-cased, the first of a repeated name kept', 'Bearer ERROR = "invalid_token", error=other', [{ scheme: 'bearer', params: { error: 'invalid_token' } }]],
    ['empty list elements', ' , ,Bearer realm="a",, ', [{ scheme: 'bearer', params: { realm: 'a' } }]],
    ['a comma inside a quoted value is not a separator', 'Bearer realm="a, b=c"', [{ scheme: 'bearer', params: { realm: 'a, b=c' } }]],
    ['unterminated quoted string: that challenge is dropped, those before kept', 'Basic realm="x", Bearer error="invalid_token', [{ scheme: 'basic', params: { realm: 'x' } }]],
    ['two params without a comma are malformed', 'Bearer error="invalid_token" realm="x"', []],
    ['a scheme glued to a quote is malformed', 'Bearer"x"', []],
    ['`name=` with no value reads as a token68 (its grammar allows trailing "="), what follows is malformed', 'Bearer error=, realm="x"', [{ scheme: 'bearer', token68: 'error=', params: {} }]],
  ])('%s', (_name, field, want) => {
    expect(parseChallenges(field).map((c) => ({ ...c, params: { ...c.params } }))).toEqual(want);
  });
  it('__proto__ is an ordinary parameter name (params have no prototype)', () => {
    const [challenge] = parseChallenges('Bearer __proto__="x", error="invalid_token"');
    expect(Object.getPrototypeOf(challenge?.params)).toBeNull();
    expect(Object.entries(challenge?.params ?? {})).toEqual([['__proto__', 'x'], ['error', 'invalid_token']]);
  });
});

describe('refusedAsInvalidToken (RFC 6750 §3.1)', () => {
  it.each([
    ['Bearer error="invalid_token"', true],
    ['bearer error=invalid_token', true],
    ['BEARER Realm="api", ERROR="invalid_token", error_description="expired"', true],
    ['Basic realm="x", Bearer realm="api", error="invalid_token"', true],
    ['DPoP algs="ES256", error="invalid_token"', true],
    ['Bearer error="invalid_token", ', true],
    ['Bearer error = "invalid_token"', true],
    ['Bearer realm="a, error=\\"invalid_token\\""', false],
    ['Bearer error_description="error=\\"invalid_token\\""', false],
    ['Bearer error="insufficient_scope"', false],
    ['Bearer error="invalid_tokens"', false],
    ['Bearer error="Invalid_Token"', false],
    ['Basic error="invalid_token"', false],
    ['ApiKey error="invalid_token"', false],
    ['Bearer error="invalid_token', false],
    ['Bearer realm="api"', false],
    ['', false],
    [null, false],
  ])('%j -> %s', (field, want) => {
    expect(refusedAsInvalidToken(field)).toBe(want);
  });
});

describe('retryAfterMs (RFC 9110 §10.2.3)', () => {
  const now = Date.UTC(1994, 10, 6, 8, 49, 30); // Sun, 06 Nov 1994 08:49:30 GMT
  it.each([
    ['1', 1000],
    [' 120 ', 120_000],
    ['0', 0],
    ['Sun, 06 Nov 1994 08:49:37 GMT', 7000],
    ['Sunday, 06-Nov-94 08:49:37 GMT', 7000],
    ['Sun Nov  6 08:49:37 1994', 7000],
    ['Sun, 06 Nov 1994 08:00:00 GMT', 0],
    ['-1', undefined],
    ['1.5', undefined],
    ['1, 2', undefined],
    ['', undefined],
    ['soon', undefined],
    ['1994-11-06T08:49:37Z', undefined],
    ['Sun, 31 Feb 1994 08:49:37 GMT', undefined],
    ['Sun, 06 Nov 1994 08:49:37 UTC', undefined],
    ['Sun, 06 Nov 1994 24:49:37 GMT', undefined],
    ['Sun, 06 Foo 1994 08:49:37 GMT', undefined],
    [null, undefined],
  ])('%j -> %s', (field, want) => {
    expect(retryAfterMs(field, now)).toBe(want);
  });
  it('reads a two-digit rfc850 year as the most recent past year with those digits when it would be over 50 years ahead', () => {
    const in2026 = Date.UTC(2026, 0, 1);
    expect(retryAfterMs('Tuesday, 01-Jan-30 00:00:10 GMT', in2026)).toBe(Date.UTC(2030, 0, 1, 0, 0, 10) - in2026);
    expect(retryAfterMs('Friday, 01-Jan-99 00:00:10 GMT', in2026)).toBe(0); // 1999, not 2099
  });
});

describe('which bodies can be replayed', () => {
  it.each([
    ['none', undefined, true],
    ['null', null, true],
    ['string', 'x', true],
    ['ArrayBuffer', new ArrayBuffer(2), true],
    ['Uint8Array', new Uint8Array([1]), true],
    ['DataView', new DataView(new ArrayBuffer(1)), true],
    ['Blob', new Blob(['x']), true],
    ['URLSearchParams', new URLSearchParams('a=1'), true],
    ['FormData', new FormData(), true],
    ['ReadableStream', new ReadableStream(), false],
    ['Node Readable', Readable.from(['x']), false],
    ['async iterable', (async function* () { yield 'x'; })(), false],
    ['plain object (not a fetch body)', { a: 1 }, false],
  ])('%s -> %s', (_name, body, want) => {
    expect(isReplayableBody(body)).toBe(want);
  });
  it('a fetch call: init.body decides; a Request with a body is not replayable (its source type is unknown)', () => {
    const url = 'http://127.0.0.1/x';
    expect(fetchCallReplayable(url, undefined)).toBe(true);
    expect(fetchCallReplayable(new URL(url), { method: 'POST', body: 'x' })).toBe(true);
    expect(fetchCallReplayable(url, { method: 'POST', body: new ReadableStream() })).toBe(false);
    expect(fetchCallReplayable(new Request(url), undefined)).toBe(true);
    expect(fetchCallReplayable(new Request(url, { method: 'POST', body: 'x' }), undefined)).toBe(false);
    expect(fetchCallReplayable(new Request(url, { method: 'POST', body: 'x' }), { body: 'y' })).toBe(true);
  });
});

describe('nextRetry', () => {
  const provider = Object.assign(async () => 'tok', { invalidate: () => undefined }) as TokenProvider;
  const plainFunction = () => 'fn';
  const from = (source: AttachedCredential['source']): AttachedCredential[] => [{ scheme: 'S', value: 'v', source }];
  const answer = (status: number, headers: Record<string, string> = {}) => ({ status, header: (name: string) => headers[name] ?? null });
  const INVALID = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };
  const on = retryPolicy({ attempts: 2, maxDelayMs: 5000 });
  const reauthenticate: RetryStep = { kind: 'reauthenticate' };

  it.each([
    ['401 with a provider credential, any challenge', on, answer(401), from(provider), reauthenticate],
    ['401 with a provider, reauthenticate off', retryPolicy({ reauthenticate: false }), answer(401), from(provider), undefined],
    ['401 invalid_token with a plain function', on, answer(401, INVALID), from(plainFunction), reauthenticate],
    ['401 without invalid_token, plain function', on, answer(401, { 'WWW-Authenticate': 'Bearer realm="x"' }), from(plainFunction), undefined],
    ['401 invalid_token, a static value', on, answer(401, INVALID), from(undefined), undefined],
    ['401 invalid_token, nothing attached (anonymous)', on, answer(401, INVALID), [], undefined],
    ['401 from a hop that carried no credentials', on, answer(401, INVALID), undefined, undefined],
    ['403 with a provider and invalid_token', on, answer(403, INVALID), from(provider), undefined],
    ['429 Retry-After 1', on, answer(429, { 'Retry-After': '1' }), undefined, { kind: 'wait', ms: 1000 }],
    ['503 Retry-After 0', on, answer(503, { 'Retry-After': '0' }), undefined, { kind: 'wait', ms: 0 }],
    ['429 by default (attempts 0)', retryPolicy(), answer(429, { 'Retry-After': '1' }), undefined, undefined],
    ['429 longer than maxDelayMs', on, answer(429, { 'Retry-After': '6' }), undefined, undefined],
    ['429 without Retry-After', on, answer(429), undefined, undefined],
    ['500 with Retry-After', on, answer(500, { 'Retry-After': '1' }), undefined, undefined],
  ])('%s', (_name, policy, response, credentials, want) => {
    expect(nextRetry(policy, FIRST_ATTEMPT, response, credentials, 0)).toEqual(want);
  });

  it('a second 401 and a spent wait budget are returned', () => {
    expect(nextRetry(on, { reauthenticated: true, waits: 0 }, answer(401), from(provider))).toBeUndefined();
    expect(nextRetry(on, { reauthenticated: false, waits: 2 }, answer(429, { 'Retry-After': '1' }), undefined)).toBeUndefined();
  });

  it('defaults: reauthenticate on, no waits, 10 s bound; bad bounds are refused', () => {
    expect(retryPolicy()).toEqual({ reauthenticate: true, attempts: 0, maxDelayMs: 10_000 });
    expect(() => retryPolicy({ attempts: -1 })).toThrow(TypeError);
    expect(() => retryPolicy({ attempts: 1.5 })).toThrow(TypeError);
    expect(() => retryPolicy({ maxDelayMs: Number.NaN })).toThrow(TypeError);
  });

  it('invalidateRefused tells only providers, with the refused value', () => {
    const told: string[] = [];
    const p = Object.assign(async () => 'tok', { invalidate: (token: string) => void told.push(token) }) as TokenProvider;
    invalidateRefused([{ scheme: 'A', value: 'tok-1', source: p }, { scheme: 'B', value: 'k', source: plainFunction }, { scheme: 'C', value: 'k', source: undefined }]);
    expect(told).toEqual(['tok-1']);
  });
});

describe('sleep', () => {
  it('waits, and rejects with the reason as soon as the signal aborts', async () => {
    const started = Date.now();
    await sleep(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 20);
    const t0 = Date.now();
    await expect(sleep(5000, controller.signal)).rejects.toThrow('stop');
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(sleep(10, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });
});
