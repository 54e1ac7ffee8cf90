import { describe, expect, it, vi } from 'vitest';
import {
  createGuardFromTables,
  GuardError,
  guardError,
  independent,
  NONE_SENT,
  NOT_ACCEPTED,
  OTHERS_SENT,
  problemResponseParts,
  VerifierError,
  type AuthRequest,
  type AuthResult,
  type GuardOptions,
} from '../../templates/runtime/runtime-server.js';

const schemes = {
  ApiKey: { kind: 'apiKey', in: 'header', name: 'X-API-Key' },
  AppId: { kind: 'apiKey', in: 'header', name: 'X-App-Id' },
  QueryKey: { kind: 'apiKey', in: 'query', name: 'api_key' },
  CookieKey: { kind: 'apiKey', in: 'cookie', name: 'session' },
  RawAuth: { kind: 'apiKey', in: 'header', name: 'Authorization' },
  Bearer: { kind: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
  Basic: { kind: 'http', scheme: 'basic' },
  Digest: { kind: 'http', scheme: 'digest' },
  Custom: { kind: 'http', scheme: 'x-token' },
  OAuth: { kind: 'oauth2', flows: [{ flow: 'clientCredentials', tokenUrl: '/token', scopes: ['read', 'write', 'admin'] }] },
  Oidc: { kind: 'openIdConnect', url: 'https://example.com/.well-known/openid-configuration' },
  Mtls: { kind: 'mutualTLS' },
} as const;

const u = (scheme: string, scopes: readonly string[] = []) => ({ scheme, scopes });
// Tables as the generator writes them: `at` the index as written; an optional
// operation's `{}` written last.
const op = (anyOf: { scheme: string; scopes: readonly string[] }[][], kind: 'required' | 'optional' = 'required') => ({
  method: 'get',
  path: '/x',
  auth:
    kind === 'required'
      ? { kind, anyOf, at: anyOf.map((_, i) => i) }
      : { kind, anyOf, at: anyOf.map((_, i) => i), anonymousAt: anyOf.length },
});

const operations = {
  public: { method: 'get', path: '/public', auth: { kind: 'public' } },
  apiKey: op([[u('ApiKey')]]),
  pair: op([[u('ApiKey'), u('AppId')]]),
  pairOrBearer: op([[u('ApiKey'), u('AppId')], [u('Bearer')]]),
  bearerOrKey: op([[u('Bearer')], [u('ApiKey')]]),
  sharedScheme: op([[u('OAuth', ['admin'])], [u('OAuth', ['read'])]]),
  scoped: op([[u('OAuth', ['read', 'write'])]]),
  scopedThenKey: op([[u('OAuth', ['admin'])], [u('ApiKey')]]),
  optional: op([[u('ApiKey')]], 'optional'),
  optionalPair: op([[u('ApiKey'), u('AppId')]], 'optional'),
  query: op([[u('QueryKey')]]),
  cookie: op([[u('CookieKey')]]),
  basic: op([[u('Basic')]]),
  digest: op([[u('Digest')]]),
  custom: op([[u('Custom')]]),
  oidc: op([[u('Oidc', ['profile'])]]),
  mtls: op([[u('Mtls')]]),
  mtlsOrKey: op([[u('Mtls')], [u('ApiKey')]]),
  rawOrBearer: op([[u('RawAuth')], [u('Bearer')]]),
  bearerOrBasic: op([[u('Bearer')], [u('Basic')]]),
  everything: op([[u('Basic')], [u('Bearer')], [u('OAuth')], [u('Digest')], [u('ApiKey')], [u('QueryKey')], [u('CookieKey')], [u('Mtls')]]),
} as const;

const tables = { schemes, operations, basePath: '/v1' } as const;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

const appOwner: Record<string, string> = { a: 'k', b: 'another-client' };

function setup(options?: GuardOptions) {
  const calls: Record<string, unknown[]> = {};
  const record = (name: string, credential: unknown) => {
    (calls[name] ??= []).push(credential);
  };
  const token = (name: string) => (t: string) => {
    record(name, t);
    if (t === 'admin-token') return { sub: 'admin', scopes: ['read', 'write', 'admin', 'profile'] };
    if (t === 'read-token') return { sub: 'reader', scopes: ['read'] };
    if (t === 'good') return { sub: name };
    return null;
  };
  const verifiers = {
    ApiKey: (k: string) => (record('ApiKey', k), k === 'key' ? { id: 'k' } : k === 'scoped-key' ? { id: 'k', scopes: ['read'] } : undefined),
    AppId: (k: string) => (record('AppId', k), k === 'app' ? { app: 'a' } : k === 'other-app' ? { app: 'b' } : false),
    QueryKey: (k: string) => (record('QueryKey', k), k === 'qk' ? { q: true } : null),
    CookieKey: async (k: string) => (record('CookieKey', k), k === 'ck' ? { c: true } : null),
    RawAuth: (k: string) => (record('RawAuth', k), k === 'Token raw-secret' ? { raw: true } : null),
    Bearer: token('Bearer'),
    Basic: (c: { username: string; password: string }) => (record('Basic', c), c.password === 'p:w' || c.username === 'ümlaut-ユーザー' ? { user: c.username } : null),
    Digest: (c: string) => (record('Digest', c), c.startsWith('username="u"') ? { d: true } : null),
    Custom: (c: string) => (record('Custom', c), c === 'xyz' ? { x: true } : null),
    OAuth: token('OAuth'),
    Oidc: token('Oidc'),
    Mtls: (cert: { subject?: { CN?: string | readonly string[] | undefined } | undefined }) => (record('Mtls', cert), cert.subject?.CN === 'client' ? { cn: 'client' } : null),
    // The pair's binding: App ID `a` belongs to key `k`'s client, `b` to another client.
    'ApiKey + AppId': (p: { ApiKey: { id: string }; AppId: { app: string } }) => (record('ApiKey + AppId', p), appOwner[p.AppId.app] === p.ApiKey.id),
  };
  const guard = createGuardFromTables(tables, verifiers, options);
  const count = (name: string) => calls[name]?.length ?? 0;
  return { guard, calls, count };
}

const req = (headers: AuthRequest['headers'] = {}, extra: Partial<AuthRequest> = {}): AuthRequest => ({ headers, ...extra });
/** Where each scheme's credential goes, as problem bodies name it. */
const LOCATION = {
  ApiKey: { scheme: 'ApiKey', in: 'header', name: 'X-API-Key' },
  AppId: { scheme: 'AppId', in: 'header', name: 'X-App-Id' },
  Bearer: { scheme: 'Bearer', in: 'authorization', name: 'Bearer' },
  Basic: { scheme: 'Basic', in: 'authorization', name: 'Basic' },
} as const;
type Op = keyof typeof operations;
async function run(operationId: Op, request: AuthRequest, options?: GuardOptions) {
  const s = setup(options);
  const result = await s.guard.authorize(operationId, request);
  return { ...s, result };
}
function expectOk(result: AuthResult<string, unknown>, alternative: number, anonymous = false) {
  expect(result.ok).toBe(true);
  if (result.ok) {
    expect(result.alternative).toBe(alternative);
    expect(result.anonymous).toBe(anonymous);
  }
}
function expectFail(result: AuthResult<string, unknown>, status: 401 | 403) {
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.status).toBe(status);
}

describe('truth table: public and single scheme', () => {
  it('public: ok without calling anything, even with bad credentials', async () => {
    const { result, calls } = await run('public', req({ 'x-api-key': 'bad', authorization: 'Bearer nope' }));
    expect(result).toEqual({ ok: true, operationId: 'public', alternative: -1, anonymous: true, principals: {} });
    expect(calls).toEqual({});
  });
  it('absent → 401, verifier not called', async () => {
    const { result, count } = await run('apiKey', req({}));
    expectFail(result, 401);
    expect(count('ApiKey')).toBe(0);
  });
  it('present-valid → ok alternative 0 with principal', async () => {
    const { result } = await run('apiKey', req({ 'x-api-key': 'key' }));
    expect(result).toEqual({ ok: true, operationId: 'apiKey', alternative: 0, anonymous: false, principals: { ApiKey: { id: 'k' } } });
  });
  it('present-invalid → 401, verifier called once', async () => {
    const { result, count } = await run('apiKey', req({ 'x-api-key': 'wrong' }));
    expectFail(result, 401);
    expect(count('ApiKey')).toBe(1);
  });
  it('empty credential → 401 invalid without a verifier call', async () => {
    const { result, count } = await run('apiKey', req({ 'x-api-key': '' }));
    expectFail(result, 401);
    expect(count('ApiKey')).toBe(0);
    if (!result.ok) expect(result.body['invalid']).toEqual([{ scheme: 'ApiKey', in: 'header', name: 'X-API-Key' }]);
  });
});

describe('truth table: AND inside an alternative', () => {
  it('both valid and bound → ok; the binding check sees both principals', async () => {
    const { result, calls } = await run('pair', req({ 'x-api-key': 'key', 'x-app-id': 'app' }));
    expectOk(result, 0);
    if (result.ok) expect(result.principals).toEqual({ ApiKey: { id: 'k' }, AppId: { app: 'a' } });
    expect(calls['ApiKey + AppId']).toEqual([{ ApiKey: { id: 'k' }, AppId: { app: 'a' } }]);
  });
  it('both valid but not bound (the App ID is another client\'s) → 401 naming the group and both members', async () => {
    const { result, count } = await run('pair', req({ 'x-api-key': 'key', 'x-app-id': 'other-app' }));
    expectFail(result, 401);
    expect(count('ApiKey + AppId')).toBe(1);
    if (!result.ok) {
      expect(result.body['invalid']).toEqual([
        { scheme: 'ApiKey', in: 'header', name: 'X-API-Key' },
        { scheme: 'AppId', in: 'header', name: 'X-App-Id' },
      ]);
      expect(result.body['invalidGroups']).toEqual(['ApiKey + AppId']);
      expect(result.body['missing']).toBeUndefined();
    }
  });
  it('one absent → 401 and no verifier called for the alternative', async () => {
    const { result, calls } = await run('pair', req({ 'x-api-key': 'key' }));
    expectFail(result, 401);
    expect(calls).toEqual({});
    if (!result.ok) {
      expect(result.body['missing']).toEqual([{ scheme: 'AppId', in: 'header', name: 'X-App-Id' }]);
      expect(result.body['invalid']).toBeUndefined();
    }
  });
  it('first invalid → stops, second and binding not called; the body does not tell which member failed', async () => {
    const { result, count } = await run('pair', req({ 'x-api-key': 'bad', 'x-app-id': 'app' }));
    expectFail(result, 401);
    expect(count('ApiKey')).toBe(1);
    expect(count('AppId')).toBe(0);
    expect(count('ApiKey + AppId')).toBe(0);
    if (!result.ok) {
      expect(result.body['invalid']).toEqual([
        { scheme: 'ApiKey', in: 'header', name: 'X-API-Key' },
        { scheme: 'AppId', in: 'header', name: 'X-App-Id' },
      ]);
      expect(result.body['invalidGroups']).toEqual(['ApiKey + AppId']);
    }
  });
  it('second invalid → 401 after both called, binding not called', async () => {
    const { result, count } = await run('pair', req({ 'x-api-key': 'key', 'x-app-id': 'nope' }));
    expectFail(result, 401);
    expect(count('ApiKey')).toBe(1);
    expect(count('AppId')).toBe(1);
    expect(count('ApiKey + AppId')).toBe(0);
  });
  it('malformed first credential stops before any verifier', async () => {
    const { result, calls } = await run('pair', req({ 'x-api-key': ['key', 'key'], 'x-app-id': 'app' }));
    expectFail(result, 401);
    expect(calls).toEqual({});
  });
});

describe('truth table: OR across alternatives', () => {
  it('first full success in spec order wins', async () => {
    const { result, count } = await run('pairOrBearer', req({ 'x-api-key': 'key', 'x-app-id': 'app', authorization: 'Bearer good' }));
    expectOk(result, 0);
    expect(count('Bearer')).toBe(0);
  });
  it('second alternative when the first is incomplete', async () => {
    const { result, calls } = await run('pairOrBearer', req({ 'x-api-key': 'key', authorization: 'Bearer good' }));
    expectOk(result, 1);
    if (result.ok) expect(result.principals).toEqual({ Bearer: { sub: 'Bearer' } });
    expect(Object.keys(calls)).toEqual(['Bearer']);
  });
  it('second alternative when the first fails verification', async () => {
    const { result, count } = await run('pairOrBearer', req({ 'x-api-key': 'bad', 'x-app-id': 'app', authorization: 'Bearer good' }));
    expectOk(result, 1);
    expect(count('ApiKey')).toBe(1);
    expect(count('AppId')).toBe(0);
  });
  it('second alternative when the first verifies but is not bound', async () => {
    const { result, count } = await run('pairOrBearer', req({ 'x-api-key': 'key', 'x-app-id': 'other-app', authorization: 'Bearer good' }));
    expectOk(result, 1);
    if (result.ok) expect(result.principals).toEqual({ Bearer: { sub: 'Bearer' } });
    expect(count('ApiKey + AppId')).toBe(1);
  });
  it('all fail → 401', async () => {
    const { result } = await run('bearerOrKey', req({ 'x-api-key': 'bad', authorization: 'Bearer bad' }));
    expectFail(result, 401);
  });
  it('a scheme in several alternatives is verified once; scopes checked per alternative', async () => {
    const { result, count } = await run('sharedScheme', req({ authorization: 'Bearer read-token' }));
    expectOk(result, 1);
    expect(count('OAuth')).toBe(1);
  });
  it('a failing scheme in several alternatives is verified once', async () => {
    const { result, count } = await run('sharedScheme', req({ authorization: 'Bearer bad' }));
    expectFail(result, 401);
    expect(count('OAuth')).toBe(1);
  });
});

describe('truth table: scopes', () => {
  it('verified with all scopes → ok', async () => {
    expectOk((await run('scoped', req({ authorization: 'Bearer admin-token' }))).result, 0);
  });
  it('verified but scopes missing → 403', async () => {
    const { result } = await run('scoped', req({ authorization: 'Bearer read-token' }));
    expect(result).toEqual({
      ok: false,
      status: 403,
      headers: {
        'content-type': 'application/problem+json',
        'www-authenticate': 'Bearer realm="api", error="insufficient_scope", scope="read write"',
      },
      body: {
        type: 'about:blank',
        title: 'Forbidden',
        status: 403,
        detail: 'The credentials are valid but do not grant the scopes this operation requires.',
        requiredScopes: ['read', 'write'],
      },
    });
  });
  it('principal without scopes property lacks every scope', async () => {
    expectFail((await run('scoped', req({ authorization: 'Bearer good' }))).result, 403);
  });
  it('scope failure on the first alternative, success on a later one → ok', async () => {
    const { result } = await run('scopedThenKey', req({ authorization: 'Bearer read-token', 'x-api-key': 'key' }));
    expectOk(result, 1);
  });
  it('scope failure and a later invalid alternative → 403', async () => {
    const { result } = await run('scopedThenKey', req({ authorization: 'Bearer read-token', 'x-api-key': 'bad' }));
    expectFail(result, 403);
    if (!result.ok) expect(result.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="admin"');
  });
  it('scopes apply to any scheme type (OpenAPI 3.1 roles)', async () => {
    const tables2 = {
      schemes: { K: { kind: 'apiKey', in: 'header', name: 'k' } },
      operations: { o: { method: 'get', path: '/', auth: { kind: 'required', anyOf: [[{ scheme: 'K', scopes: ['admin'] }]], at: [0] } } },
      basePath: '',
    } as const;
    const g = createGuardFromTables(tables2, { K: (k: string) => ({ scopes: k === 'a' ? ['admin'] : ['user'] }) });
    expectOk(await g.authorize('o', req({ k: 'a' })), 0);
    expectFail(await g.authorize('o', req({ k: 'u' })), 403);
  });
});

describe('truth table: optional (anonymous alternative)', () => {
  // `optional` is `security: [{ ApiKey: [] }, {}]`: the anonymous success reports the
  // index of `{}` as written, 1.
  it('no credential at all → anonymous', async () => {
    const { result, calls } = await run('optional', req({}));
    expect(result).toEqual({ ok: true, operationId: 'optional', alternative: 1, anonymous: true, principals: {} });
    expect(calls).toEqual({});
  });
  it('valid credential → identified', async () => {
    const { result } = await run('optional', req({ 'x-api-key': 'key' }));
    expectOk(result, 0);
    if (result.ok) expect(result.principals).toEqual({ ApiKey: { id: 'k' } });
  });
  it('invalid credential → 401, never downgraded', async () => {
    expectFail((await run('optional', req({ 'x-api-key': 'bad' }))).result, 401);
  });
  it('duplicated credential → 401', async () => {
    expectFail((await run('optional', req({ 'x-api-key': ['key', 'key'] }))).result, 401);
  });
  it('half of an AND pair → 401 without verifier calls', async () => {
    const { result, calls } = await run('optionalPair', req({ 'x-app-id': 'app' }));
    expectFail(result, 401);
    expect(calls).toEqual({});
  });
  it('anonymousOnInvalid: invalid → anonymous', async () => {
    const { result } = await run('optional', req({ 'x-api-key': 'bad' }), { anonymousOnInvalid: true });
    expectOk(result, 1, true);
  });
  it('anonymousOnInvalid: valid still identified', async () => {
    expectOk((await run('optional', req({ 'x-api-key': 'key' }), { anonymousOnInvalid: true })).result, 0);
  });
  it('anonymousOnInvalid does not affect required operations', async () => {
    expectFail((await run('apiKey', req({ 'x-api-key': 'bad' }), { anonymousOnInvalid: true })).result, 401);
  });
  it('unrelated headers do not count as credentials', async () => {
    expectOk((await run('optional', req({ authorization: 'Bearer good', cookie: 'session=ck' }))).result, 1, true);
  });
});

describe('extraction: headers', () => {
  it('header name is case-insensitive in a record', async () => {
    expectOk((await run('apiKey', req({ 'X-Api-KEY': 'key' }))).result, 0);
  });
  it('from a Headers object, an API key with a comma is a repeated header (Headers joins lines with ", ")', async () => {
    const h = new Headers();
    h.append('X-API-Key', 'key');
    h.append('X-API-Key', 'key');
    const { result, count } = await run('apiKey', req(h));
    expectFail(result, 401);
    expect(count('ApiKey')).toBe(0);
    // A plain record carries each value as given: only an array or a second spelling is a repeat.
    expectOk((await run('apiKey', req({ 'x-api-key': 'key' }))).result, 0);
  });
  it('Headers object via get()', async () => {
    expectOk((await run('pair', req(new Headers({ 'X-API-Key': 'key', 'x-app-id': 'app' })))).result, 0);
  });
  it('array with one value is that value', async () => {
    expectOk((await run('apiKey', req({ 'x-api-key': ['key'] }))).result, 0);
  });
  it('duplicate header (array) → invalid, verifier not called', async () => {
    const { result, count } = await run('apiKey', req({ 'x-api-key': ['key', 'other'] }));
    expectFail(result, 401);
    expect(count('ApiKey')).toBe(0);
    if (!result.ok) expect(result.body['invalid']).toEqual([{ scheme: 'ApiKey', in: 'header', name: 'X-API-Key' }]);
  });
  it('same header under two spellings in a record → invalid', async () => {
    expectFail((await run('apiKey', req({ 'x-api-key': 'key', 'X-API-KEY': 'key' }))).result, 401);
  });
  it('undefined header value is absent', async () => {
    const { result } = await run('optional', req({ 'x-api-key': undefined }));
    expectOk(result, 1, true);
  });
});

describe('extraction: a value that is not a string', () => {
  it('a one-element array holding a number or an object (header, query, cookie, Authorization) is invalid: no verifier sees it, and an optional operation does not fall back to anonymous', async () => {
    const untyped = [5, { a: 1 }] as unknown as string[];
    for (const value of untyped) {
      const sent = [
        ['apiKey', req({ 'x-api-key': [value] as unknown as string })],
        ['query', req({}, { query: { api_key: [value] as unknown as string } })],
        ['cookie', req({}, { cookies: { session: [value] as unknown as string } })],
        ['bearerOrKey', req({ authorization: [value] as unknown as string })],
        ['optional', req({ 'x-api-key': [value] as unknown as string })],
      ] as const;
      for (const [operationId, request] of sent) {
        const { result, calls } = await run(operationId, request);
        expectFail(result, 401);
        expect(calls).toEqual({});
      }
    }
  });
});

describe('extraction: node rawHeaders (preferred over headers when given)', () => {
  // `headers` is what node joined or dropped; `rawHeaders` is the truth as received.
  it('names are case-insensitive', async () => {
    expectOk((await run('pair', req({}, { rawHeaders: ['X-Api-KEY', 'key', 'x-APP-id', 'app'] }))).result, 0);
  });
  it('a header line sent twice is invalid even when `headers` shows one value', async () => {
    const { result, count } = await run('apiKey', req({ 'x-api-key': 'key' }, { rawHeaders: ['X-API-Key', 'key', 'x-api-key', 'key'] }));
    expectFail(result, 401);
    expect(count('ApiKey')).toBe(0);
  });
  it('two Authorization lines are invalid (node keeps only the first in `headers`)', async () => {
    const { result, count } = await run('bearerOrBasic', req({ authorization: 'Bearer tok' }, { rawHeaders: ['Authorization', 'Bearer tok', 'Authorization', 'Bearer other'] }));
    expectFail(result, 401);
    expect(count('Bearer')).toBe(0);
  });
  it('Cookie lines are joined, not duplicates (RFC 9113 §8.2.3)', async () => {
    expectOk((await run('cookie', req({}, { rawHeaders: ['cookie', 'a=1', 'Cookie', 'session=ck'] }))).result, 0);
  });
  it('absent from rawHeaders is absent, whatever `headers` says', async () => {
    const { result } = await run('optional', req({ 'x-api-key': 'key' }, { rawHeaders: ['Host', 'x'] }));
    expectOk(result, 1, true);
  });
});

describe('extraction: query and cookie', () => {
  it('query via URLSearchParams', async () => {
    expectOk((await run('query', req({}, { query: new URLSearchParams('api_key=qk') }))).result, 0);
  });
  it('query via record', async () => {
    expectOk((await run('query', req({}, { query: { api_key: 'qk' } }))).result, 0);
  });
  it('query name is exact', async () => {
    expectFail((await run('query', req({}, { query: new URLSearchParams('API_KEY=qk') }))).result, 401);
  });
  it('repeated query parameter → invalid', async () => {
    const { result, count } = await run('query', req({}, { query: new URLSearchParams('api_key=qk&api_key=qk') }));
    expectFail(result, 401);
    expect(count('QueryKey')).toBe(0);
    if (!result.ok) expect(result.body['invalid']).toEqual([{ scheme: 'QueryKey', in: 'query', name: 'api_key' }]);
  });
  it('repeated query parameter in a record (array) → invalid', async () => {
    expectFail((await run('query', req({}, { query: { api_key: ['qk', 'qk'] } }))).result, 401);
  });
  it('cookie parsed from the Cookie header', async () => {
    expectOk((await run('cookie', req({ cookie: 'a=1; session=ck; b=2' }))).result, 0);
  });
  it('quoted cookie value', async () => {
    expectOk((await run('cookie', req({ Cookie: 'session="ck"' }))).result, 0);
  });
  it('cookie name is exact', async () => {
    expectFail((await run('cookie', req({ cookie: 'Session=ck' }))).result, 401);
  });
  it('repeated cookie name → invalid', async () => {
    const { result, count } = await run('cookie', req({ cookie: 'session=ck; session=ck' }));
    expectFail(result, 401);
    expect(count('CookieKey')).toBe(0);
  });
  it('repeated cookie across two Cookie fields → invalid', async () => {
    expectFail((await run('cookie', req({ cookie: ['session=ck', 'session=x'] }))).result, 401);
  });
  it('cookies split over two Cookie fields are joined', async () => {
    expectOk((await run('cookie', req({ cookie: ['a=1', 'session=ck'] }))).result, 0);
  });
  it('cookies record wins over the header', async () => {
    expectOk((await run('cookie', req({ cookie: 'session=bad' }, { cookies: { session: 'ck' } }))).result, 0);
    expectFail((await run('cookie', req({}, { cookies: { session: ['ck', 'ck'] } }))).result, 401);
  });
});

describe('extraction: Authorization', () => {
  it('scheme word is case-insensitive, one or more spaces', async () => {
    expectOk((await run('bearerOrKey', req({ authorization: 'bEaReR good' }))).result, 0);
    const { result, calls } = await run('bearerOrKey', req({ authorization: 'Bearer    good' }));
    expectOk(result, 0);
    expect(calls['Bearer']).toEqual(['good']);
  });
  it('Bearer token syntax (RFC 6750 b64token) enforced', async () => {
    const { result, count } = await run('bearerOrKey', req({ authorization: 'Bearer a, Bearer b' }));
    expectFail(result, 401);
    expect(count('Bearer')).toBe(0);
  });
  it('b64token at a real token\'s length: a JWT-sized token reaches the verifier; one with `=` inside or a foreign character at the end does not', async () => {
    // The syntax is checked by a regular expression (a scan was slower on tokens this long).
    const body = Array.from({ length: 800 }, (_, i) => 'AZaz09-._~+/'[i % 12]).join('');
    const sent = await run('bearerOrKey', req({ authorization: `Bearer ${body}==` }));
    expect(sent.calls['Bearer']).toEqual([`${body}==`]);
    for (const bad of [`${body.slice(0, 400)}=${body.slice(400)}`, `${body}!`, `${body}= `, `=${body}`]) {
      const { result, count } = await run('bearerOrKey', req({ authorization: `Bearer ${bad}` }));
      expectFail(result, 401);
      expect(count('Bearer')).toBe(0);
    }
  });
  it('a scheme word spelled as registered but run into its credentials (no-break space, tab) names no scheme: invalid, never "not sent"', async () => {
    for (const authorization of ['Bearer\u00a0good', 'Bearer\tgood', 'Bearer,good', 'Bearer\u00a0']) {
      const { result, count } = await run('bearerOrKey', req({ authorization }));
      expectFail(result, 401);
      expect(count('Bearer')).toBe(0);
      if (!result.ok) expect(result.body.invalid).toContainEqual(LOCATION.Bearer);
    }
  });
  it('two Authorization headers (array) → invalid', async () => {
    const { result, calls } = await run('bearerOrKey', req({ authorization: ['Bearer good', 'Bearer good'] }));
    expectFail(result, 401);
    expect(calls).toEqual({});
  });
  /** An optional operation (Bearer, or anonymous) whose verifier records every token it sees. */
  function optionalBearer() {
    const written = {
      schemes: { Bearer: schemes.Bearer },
      operations: { op: { method: 'get', path: '/x', auth: { kind: 'optional', anyOf: [[u('Bearer')]], at: [0], anonymousAt: 1 } } },
      basePath: '',
    } as const;
    const seen: string[] = [];
    const g = createGuardFromTables(written, { Bearer: (t: string) => (seen.push(t), t === 'good' ? { sub: 'u' } : null) });
    return { g, seen };
  }
  it('two Authorization lines joined by a Fetch Headers (Basic, then Bearer) are a repeat, never "another scheme": no anonymous fallback', async () => {
    // Raw-socket review finding: `Headers` makes `Basic …, Bearer …` of the two lines; read
    // as one Basic credential, the Bearer token looked unsent and `{}` let the request in.
    const { g, seen } = optionalBearer();
    const h = new Headers();
    h.append('Authorization', 'Basic YWRtaW46cHc=');
    h.append('Authorization', 'Bearer bad');
    expectFail(await g.authorize('op', req(h)), 401);
    // The same two credentials on one line, from any adapter.
    expectFail(await g.authorize('op', req({ authorization: 'Basic YWRtaW46cHc=, Bearer bad' })), 401);
    expect(seen).toEqual([]);
    // One credential of another scheme is still "not this scheme's": anonymous, as before.
    expectOk(await g.authorize('op', req({ authorization: 'Basic YWRtaW46cHc=' })), 1, true);
  });
  it('a second Authorization line of any shape joined by a Fetch Headers (empty, commas only, `a=b`, `realm="x"`) is a repeat: no anonymous fallback', async () => {
    // Raw-socket review finding: only a second line starting with a word not followed by
    // `=` was caught; after a token68 (Basic's, Bearer's) no comma may follow at all.
    const { g, seen } = optionalBearer();
    for (const second of ['a=b', '', ', ,', 'realm="x"', 'Bearer=x']) {
      const h = new Headers();
      h.append('Authorization', 'Basic Zm9v');
      h.append('Authorization', second);
      expectFail(await g.authorize('op', req(h)), 401);
    }
    expect(seen).toEqual([]);
    // After a first line of auth-params, an empty second line leaves only an empty list
    // element in the join: from a Headers that is a repeat; on one line it is allowed.
    const h = new Headers();
    h.append('Authorization', 'Digest a=b');
    h.append('Authorization', '');
    expectFail(await g.authorize('op', req(h)), 401);
    expectOk(await g.authorize('op', req({ authorization: 'Digest a=b, ' })), 1, true);
  });
  it('a comma inside one credentials (auth-params, a quoted-string) is not a second one', async () => {
    const { result, calls } = await run('digest', req({ authorization: 'Digest username="u", realm = "a, Bearer b", nc=00000001' }));
    expectOk(result, 0);
    expect(calls['Digest']).toEqual(['username="u", realm = "a, Bearer b", nc=00000001']);
    expectOk((await run('digest', req({ authorization: 'Digest username="u", , realm="r"' }))).result, 0);
  });
  it('Basic with a colon in the password', async () => {
    const { result, calls } = await run('basic', req({ authorization: 'Basic ' + b64('user:p:w') }));
    expectOk(result, 0);
    expect(calls['Basic']).toEqual([{ username: 'user', password: 'p:w' }]);
  });
  it('Basic with non-Latin-1 UTF-8', async () => {
    const { result, calls } = await run('basic', req({ authorization: 'basic ' + b64('ümlaut-ユーザー:пароль') }));
    expectOk(result, 0);
    expect(calls['Basic']).toEqual([{ username: 'ümlaut-ユーザー', password: 'пароль' }]);
  });
  it('Basic with an empty password and empty user', async () => {
    const { calls } = await run('basic', req({ authorization: 'Basic ' + b64(':') }));
    expect(calls['Basic']).toEqual([{ username: '', password: '' }]);
  });
  it.each([
    ['bad characters', 'Basic dXNlcjpw*XNz'],
    ['missing padding', 'Basic ' + b64('user:pa').replace(/=+$/, '')],
    ['extra padding', 'Basic ' + b64('user:pas') + '='],
    ['inner whitespace', 'Basic dXNl cjpwYXNz'],
    ['non-canonical trailing bits', 'Basic dXNlcjpwYR=='],
    ['no colon', 'Basic ' + b64('userpass')],
    ['invalid UTF-8', 'Basic ' + Buffer.from([0x75, 0x3a, 0xff, 0xfe]).toString('base64')],
    ['empty credentials', 'Basic'],
    ['empty credentials with space', 'Basic '],
  ])('Basic rejected before the verifier: %s', async (_name, header) => {
    const { result, count } = await run('basic', req({ authorization: header }));
    expectFail(result, 401);
    expect(count('Basic')).toBe(0);
    if (!result.ok) expect(result.body['invalid']).toEqual([{ scheme: 'Basic', in: 'authorization', name: 'Basic' }]);
  });
  it('a different scheme word leaves an http scheme ABSENT, not invalid', async () => {
    const { result } = await run('basic', req({ authorization: 'Bearer good' }));
    expectFail(result, 401);
    if (!result.ok) {
      expect(result.body['missing']).toEqual([{ scheme: 'Basic', in: 'authorization', name: 'Basic' }]);
      expect(result.headers['www-authenticate']).toBe('Basic realm="api"');
    }
  });
  it('Bearer or Basic: each picked by its word', async () => {
    expectOk((await run('bearerOrBasic', req({ authorization: 'Basic ' + b64('u:p:w') }))).result, 1);
    expectOk((await run('bearerOrBasic', req({ authorization: 'Bearer good' }))).result, 0);
  });
  it('other http schemes receive the raw credentials', async () => {
    const { result, calls } = await run('digest', req({ authorization: 'Digest username="u", realm="r"' }));
    expectOk(result, 0);
    expect(calls['Digest']).toEqual(['username="u", realm="r"']);
    const custom = await run('custom', req({ authorization: 'X-Token xyz' }));
    expectOk(custom.result, 0);
  });
  it('Authorization apiKey coexists with Bearer', async () => {
    const raw = await run('rawOrBearer', req({ authorization: 'Token raw-secret' }));
    expectOk(raw.result, 0);
    expect(raw.calls['RawAuth']).toEqual(['Token raw-secret']);
    const bearer = await run('rawOrBearer', req({ authorization: 'Bearer good' }));
    expectOk(bearer.result, 1);
    expect(bearer.calls['RawAuth']).toEqual(['Bearer good']);
    expect(bearer.calls['Bearer']).toEqual(['good']);
  });
  it('oauth2 and openIdConnect read a Bearer token', async () => {
    expectOk((await run('oidc', req({ authorization: 'Bearer admin-token' }))).result, 0);
    expectFail((await run('oidc', req({ authorization: 'Bearer read-token' }))).result, 403);
  });
});

describe('extraction: mutual TLS', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['empty object', {}],
  ])('%s certificate is absent', async (_n, cert) => {
    const { result, count } = await run('mtlsOrKey', req({}, { clientCertificate: cert }));
    expectFail(result, 401);
    expect(count('Mtls')).toBe(0);
    if (!result.ok) expect(result.body['missing']).toEqual([
      { scheme: 'Mtls', in: 'tls', name: 'client-certificate' },
      { scheme: 'ApiKey', in: 'header', name: 'X-API-Key' },
    ]);
  });
  it('present certificate is verified', async () => {
    expectOk((await run('mtls', req({}, { clientCertificate: { subject: { CN: 'client' } } }))).result, 0);
    expectFail((await run('mtls', req({}, { clientCertificate: { subject: { CN: 'other' } } }))).result, 401);
  });
  it('mTLS-only operation still sends one challenge', async () => {
    const { result } = await run('mtls', req({}));
    if (!result.ok) expect(result.headers['www-authenticate']).toBe('MutualTLS realm="api"');
  });
});

describe('challenges and problem bodies', () => {
  it('the no-credentials 401 is built once per operation, frozen, and equal to a per-request one', async () => {
    const { guard } = setup();
    const [a, b] = [await guard.authorize('pair', req({})), await guard.authorize('pair', req({ 'x-other': '1' }))];
    expect(a).toBe(b);
    expect(Object.isFrozen(a) && !a.ok && Object.isFrozen(a.headers) && Object.isFrozen(a.body) && Object.isFrozen(a.body['missing'])).toBe(true);
    // A shaped body is made per request, so the shaper still sees each request.
    const seen: unknown[] = [];
    const shaped = setup({ problem: (body, ctx) => (seen.push(ctx.request), body) }).guard;
    const r1 = req({});
    const r2 = req({});
    expect(await shaped.authorize('pair', r1)).toEqual(a);
    await shaped.authorize('pair', r2);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(r1);
    expect(seen[1]).toBe(r2);
  });
  it('401 with nothing sent: one challenge per scheme, deduplicated, spec order', async () => {
    const { result } = await run('everything', req({}));
    expect(result).toEqual({
      ok: false,
      status: 401,
      headers: {
        'content-type': 'application/problem+json',
        'www-authenticate':
          'Basic realm="api", Bearer realm="api", Digest realm="api", APIKey realm="api", in="header", name="X-API-Key", APIKey realm="api", in="query", name="api_key", APIKey realm="api", in="cookie", name="session"',
      },
      body: {
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        detail: 'This operation requires credentials and none were sent.',
        missing: [
          { scheme: 'Basic', in: 'authorization', name: 'Basic' },
          { scheme: 'Bearer', in: 'authorization', name: 'Bearer' },
          { scheme: 'OAuth', in: 'authorization', name: 'Bearer' },
          { scheme: 'Digest', in: 'authorization', name: 'Digest' },
          { scheme: 'ApiKey', in: 'header', name: 'X-API-Key' },
          { scheme: 'QueryKey', in: 'query', name: 'api_key' },
          { scheme: 'CookieKey', in: 'cookie', name: 'session' },
          { scheme: 'Mtls', in: 'tls', name: 'client-certificate' },
        ],
        // One requirement object each, as written, each lacking its one credential.
        alternatives: [
          { scheme: 'Basic', in: 'authorization', name: 'Basic' },
          { scheme: 'Bearer', in: 'authorization', name: 'Bearer' },
          { scheme: 'OAuth', in: 'authorization', name: 'Bearer' },
          { scheme: 'Digest', in: 'authorization', name: 'Digest' },
          { scheme: 'ApiKey', in: 'header', name: 'X-API-Key' },
          { scheme: 'QueryKey', in: 'query', name: 'api_key' },
          { scheme: 'CookieKey', in: 'cookie', name: 'session' },
          { scheme: 'Mtls', in: 'tls', name: 'client-certificate' },
        ].map((location, index) => ({ index, schemes: [location], missing: [location], invalid: [] })),
      },
    });
  });
  it('401 after a bad token: invalid_token on the Bearer challenge, body names no value', async () => {
    const secret = 'super-secret-token-value';
    const { result } = await run('pairOrBearer', req({ 'x-api-key': 'key-secret-value', authorization: `Bearer ${secret}` }));
    expect(result).toEqual({
      ok: false,
      status: 401,
      headers: {
        'content-type': 'application/problem+json',
        'www-authenticate': 'APIKey realm="api", in="header", name="X-API-Key", APIKey realm="api", in="header", name="X-App-Id", Bearer realm="api", error="invalid_token"',
      },
      body: {
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        detail: 'The credentials sent were not accepted for this operation.',
        missing: [{ scheme: 'AppId', in: 'header', name: 'X-App-Id' }],
        invalid: [{ scheme: 'Bearer', in: 'authorization', name: 'Bearer' }],
        // The key alone does not complete the pair (never verified, so not invalid).
        alternatives: [
          { index: 0, schemes: [LOCATION.ApiKey, LOCATION.AppId], missing: [LOCATION.AppId], invalid: [] },
          { index: 1, schemes: [LOCATION.Bearer], missing: [], invalid: [LOCATION.Bearer] },
        ],
      },
    });
    expect(JSON.stringify(result)).not.toContain('secret');
  });
  it('alternatives keep OR-of-AND: a pair that does not belong together is invalid as a whole, the bearer missing', async () => {
    const { result } = await run('pairOrBearer', req({ 'x-api-key': 'key', 'x-app-id': 'other-app' }));
    expectFail(result, 401);
    if (!result.ok) {
      expect(result.body.detail).toBe(NOT_ACCEPTED);
      expect(result.body.alternatives).toEqual([
        { index: 0, schemes: [LOCATION.ApiKey, LOCATION.AppId], missing: [], invalid: [LOCATION.ApiKey, LOCATION.AppId] },
        { index: 1, schemes: [LOCATION.Bearer], missing: [LOCATION.Bearer], invalid: [] },
      ]);
    }
  });
  it('alternatives: `index` is the index as written, `{}` counted and not listed', async () => {
    const written = {
      schemes: { ApiKey: schemes.ApiKey, Bearer: schemes.Bearer },
      operations: { op: { method: 'get', path: '/x', auth: { kind: 'optional', anyOf: [[u('Bearer')], [u('ApiKey')]], at: [0, 2], anonymousAt: 1 } } },
      basePath: '',
    } as const;
    const g = createGuardFromTables(written, { ApiKey: () => null, Bearer: () => null });
    // A rejected key is never downgraded to `{}`.
    const result = await g.authorize('op', req({ 'x-api-key': 'nope' }));
    expectFail(result, 401);
    if (!result.ok) {
      expect(result.body.detail).toBe(NOT_ACCEPTED);
      expect(result.body.alternatives).toEqual([
        { index: 0, schemes: [LOCATION.Bearer], missing: [LOCATION.Bearer], invalid: [] },
        { index: 2, schemes: [LOCATION.ApiKey], missing: [], invalid: [LOCATION.ApiKey] },
      ]);
    }
  });
  it('the shared no-credentials 401 carries the same alternatives, deeply frozen', async () => {
    const { guard } = setup();
    const result = await guard.authorize('pairOrBearer', req({}));
    expectFail(result, 401);
    if (result.ok) return;
    const alternatives = [
      { index: 0, schemes: [LOCATION.ApiKey, LOCATION.AppId], missing: [LOCATION.ApiKey, LOCATION.AppId], invalid: [] },
      { index: 1, schemes: [LOCATION.Bearer], missing: [LOCATION.Bearer], invalid: [] },
    ];
    expect(result.body).toEqual({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: NONE_SENT, missing: [LOCATION.ApiKey, LOCATION.AppId, LOCATION.Bearer], alternatives });
    const list = result.body.alternatives ?? [];
    expect(Object.isFrozen(list) && list.every((a) => Object.isFrozen(a) && Object.isFrozen(a.schemes) && Object.isFrozen(a.missing) && Object.isFrozen(a.invalid) && a.schemes.every(Object.isFrozen))).toBe(true);
    // A shaped body is built per request, and equal.
    const shaped = await setup({ problem: (body) => body }).guard.authorize('pairOrBearer', req({}));
    expect(shaped).toEqual(result);
  });
});

describe('the 401 detail: none sent, or only credentials the operation does not accept', () => {
  // `apiKey` accepts only X-API-Key; the spec also defines X-App-Id, api_key (query),
  // session (cookie), an Authorization API key and several Authorization schemes.
  it.each([
    ['a Bearer token (Bearer is defined, not accepted here)', req({ authorization: 'Bearer good' })],
    ['an Authorization scheme the spec does not define', req({ authorization: 'Negotiate abc' })],
    ['an empty Authorization header', req({ authorization: '' })],
    ['a malformed Authorization header', req({ authorization: 'Bearer,x' })],
    ['the header of another API key scheme', req({ 'X-App-Id': 'app' })],
    ['the query parameter of another API key scheme', req({}, { query: new URLSearchParams('api_key=qk') })],
    ['the cookie of another API key scheme (Cookie header)', req({ cookie: 'theme=dark; session=ck' })],
    ['the cookie of another API key scheme (parsed cookies)', req({}, { cookies: { session: 'ck' } })],
  ])('%s → "those sent are not ones it accepts"', async (_name, request) => {
    const { guard, calls } = setup();
    const result = await guard.authorize('apiKey', request);
    expectFail(result, 401);
    if (result.ok) return;
    expect(result.body).toEqual({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: OTHERS_SENT,
      missing: [LOCATION.ApiKey],
      alternatives: [{ index: 0, schemes: [LOCATION.ApiKey], missing: [LOCATION.ApiKey], invalid: [] }],
    });
    // Built once per operation, as the "none sent" answer is; nothing verified.
    expect(await guard.authorize('apiKey', request)).toBe(result);
    expect(calls).toEqual({});
    // The same words from a per-request (shaped) body.
    const shaped = await setup({ problem: (body) => body }).guard.authorize('apiKey', request);
    expect(shaped).toEqual(result);
  });
  it.each([
    ['nothing', req({})],
    ['a header, query parameter and cookie no scheme defines', req({ 'x-other': '1', cookie: 'theme=dark' }, { query: new URLSearchParams('API_KEY=x&q=1') })],
    ['a client certificate (sent once per connection, not for this request)', req({}, { clientCertificate: { subject: { CN: 'client' } } })],
  ])('%s → "none were sent"', async (_name, request) => {
    const result = await setup().guard.authorize('apiKey', request);
    expectFail(result, 401);
    if (!result.ok) expect(result.body.detail).toBe(NONE_SENT);
    const shaped = await setup({ problem: (body) => body }).guard.authorize('apiKey', request);
    expect(shaped).toEqual(result);
  });
  it("an Authorization header of a scheme the operation accepts, with another word, is another credential", async () => {
    // `basic` accepts Basic only: a Bearer token is not one of its credentials.
    const result = await setup().guard.authorize('basic', req({ authorization: 'Bearer good' }));
    expectFail(result, 401);
    if (!result.ok) expect(result.body).toMatchObject({ detail: OTHERS_SENT, missing: [LOCATION.Basic] });
  });
  it('an optional operation still falls back to anonymous when only other credentials were sent', async () => {
    expectOk((await run('optional', req({ authorization: 'Bearer good', 'x-app-id': 'app' }))).result, 1, true);
  });
  it('some of its own credentials sent → "not accepted", whatever else was sent', async () => {
    const result = await setup().guard.authorize('apiKey', req({ 'x-api-key': 'nope', authorization: 'Bearer good' }));
    expectFail(result, 401);
    if (!result.ok) expect(result.body.detail).toBe(NOT_ACCEPTED);
  });
});

describe('GuardError: what the framework adapters pass to the error path', () => {
  it('wraps a VerifierError: generic message, 500, expose false, the problem body, the names and the cause', () => {
    const cause = new VerifierError('AppId', 'listOrders', new Error('store down'));
    const wrapped = guardError(cause);
    expect(wrapped).toBeInstanceOf(GuardError);
    const e = wrapped as GuardError;
    expect(e.name).toBe('GuardError');
    expect(e.message).toBe('The credentials could not be checked.');
    expect(e.message + String(e.stack).split('\n')[0]).not.toMatch(/AppId|listOrders/);
    expect([e.status, e.statusCode, e.expose]).toEqual([500, 500, false]);
    expect(e.problem).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'The credentials could not be checked.' });
    expect([e.scheme, e.operationId, e.binding]).toEqual(['AppId', 'listOrders', false]);
    expect(e.cause).toBe(cause);
    const binding = guardError(new VerifierError('ApiKey + AppId', 'listOrders', new Error('x'), true)) as GuardError;
    expect([binding.scheme, binding.binding]).toEqual(['ApiKey + AppId', true]);
  });
  it('passes any other error through unchanged', () => {
    const other = new TypeError('unknown operation "x"');
    expect(guardError(other)).toBe(other);
    expect(guardError('a string')).toBe('a string');
  });
  it('realm is a quoted-string with escapes; controls neutralised', async () => {
    const { result } = await run('apiKey', req({}), { realm: 'my "quoted" \\ realm\r\nX: y' });
    if (!result.ok) expect(result.headers['www-authenticate']).toBe('APIKey realm="my \\"quoted\\" \\\\ realm??X: y", in="header", name="X-API-Key"');
  });
  it('problem hook reshapes the body', async () => {
    const { result } = await run('apiKey', req({}), { problem: (body, ctx) => ({ ...body, instance: `/ops/${ctx.operationId}`, detail: 'custom' }) });
    if (!result.ok) expect(result.body).toMatchObject({ instance: '/ops/apiKey', detail: 'custom', status: 401 });
  });
  it('problemResponseParts for 404 and 500', () => {
    expect(problemResponseParts(404, 'x')).toEqual({
      status: 404,
      headers: { 'content-type': 'application/problem+json' },
      body: { type: 'about:blank', title: 'Not Found', status: 404, detail: 'x' },
    });
    expect(problemResponseParts(500, 'y').body.title).toBe('Internal Server Error');
  });
});

describe('verifier context and errors', () => {
  it('context carries operation, scheme, scopes and request', async () => {
    const seen: unknown[] = [];
    const g = createGuardFromTables(tables, {

      ApiKey: () => null, AppId: () => null, QueryKey: () => null, CookieKey: () => null, RawAuth: () => null, Bearer: () => null,
      Basic: () => null, Digest: () => null, Custom: () => null, Oidc: () => null, Mtls: () => null,
      OAuth: (_t: string, ctx: unknown) => (seen.push(ctx), { scopes: ['read', 'write'] }),
      'ApiKey + AppId': independent,
    });
    const request = req({ authorization: 'Bearer x' });
    await g.authorize('scoped', request);
    expect(seen).toEqual([{ operationId: 'scoped', scheme: 'OAuth', scopes: ['read', 'write'], request }]);
  });
  it('a throwing verifier rejects with VerifierError (no credential in message)', async () => {
    const g = createGuardFromTables(tables, { ...verifiersThatThrow() });
    const err = await g.authorize('apiKey', req({ 'x-api-key': 'the-secret' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerifierError);
    expect((err as VerifierError).message).not.toContain('the-secret');
    expect((err as VerifierError).cause).toBeInstanceOf(Error);
    expect((err as VerifierError).scheme).toBe('ApiKey');
    expect((err as VerifierError).operationId).toBe('apiKey');
  });
  it('a rejecting verifier rejects with VerifierError', async () => {
    const g = createGuardFromTables(tables, { ...verifiersThatThrow() });
    await expect(g.authorize('cookie', req({ cookie: 'session=the-secret' }))).rejects.toBeInstanceOf(VerifierError);
  });
  it('a throwing verifier in a later alternative rejects even if an earlier one failed', async () => {
    const g = createGuardFromTables(tables, { ...verifiersThatThrow(), Bearer: () => null });
    await expect(g.authorize('bearerOrKey', req({ authorization: 'Bearer x', 'x-api-key': 'k' }))).rejects.toBeInstanceOf(VerifierError);
  });
  it('a throwing binding check rejects with VerifierError marked `binding`, naming the group', async () => {
    const verifiers = { ...verifiersThatThrow(), ApiKey: () => ({ id: 'k' }), AppId: () => ({ app: 'a' }), 'ApiKey + AppId': () => {
      throw new Error('db down');
    } };
    const g = createGuardFromTables(tables, verifiers);
    const err = await g.authorize('pair', req({ 'x-api-key': 'the-secret', 'x-app-id': 'app' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerifierError);
    expect((err as VerifierError).binding).toBe(true);
    expect((err as VerifierError).scheme).toBe('ApiKey + AppId');
    expect((err as VerifierError).operationId).toBe('pair');
    expect((err as VerifierError).message).not.toContain('the-secret');
  });
  it('async verifiers work and are awaited', async () => {
    expectOk((await run('cookie', req({ cookie: 'session=ck' }))).result, 0);
  });
  it('sync verifiers: authorize resolves in one microtask hop', async () => {
    const { guard } = setup();
    let resolved = false;
    void guard.authorize('apiKey', req({ 'x-api-key': 'key' })).then(() => (resolved = true));
    await Promise.resolve();
    expect(resolved).toBe(true);
  });
  it('unknown operation id rejects', async () => {
    const { guard } = setup();
    await expect(guard.authorize('nope' as never, req({}))).rejects.toBeInstanceOf(TypeError);
  });
  it('missing verifier, binding check or undefined scheme fails at creation', () => {
    expect(() => createGuardFromTables(tables, {} as never)).toThrow(/no verifier function for security scheme "ApiKey"/);
    const { 'ApiKey + AppId': _bound, ...unbound } = verifiersThatThrow();
    expect(() => createGuardFromTables(tables, unbound)).toThrow(/no binding check for AND group "ApiKey \+ AppId"/);
    // `true` is neither a function nor the marker: a group is never assumed independent.
    expect(() => createGuardFromTables(tables, { ...unbound, 'ApiKey + AppId': true })).toThrow(/no binding check for AND group/);
    const broken = { schemes: {}, operations: { o: op([[u('Nope')]]) }, basePath: '' } as const;
    expect(() => createGuardFromTables(broken, {} as never)).toThrow(/"Nope" is used but not defined/);
  });
  it('guard.match uses the tables base path, overridable', () => {
    expect(setup().guard.match('GET', '/v1/public?x=1')).toBe('public');
    expect(setup().guard.match('GET', '/public')).toBeUndefined();
    expect(setup({ basePath: '' }).guard.match('GET', '/public')).toBe('public');
  });
});

function verifiersThatThrow() {
  const boom = () => {
    throw new Error('db down');
  };
  return {
    ApiKey: boom, AppId: boom, QueryKey: boom, RawAuth: boom, Bearer: boom, Basic: boom, Digest: boom, Custom: boom, OAuth: boom, Oidc: boom, Mtls: boom,
    CookieKey: vi.fn(async () => {
      throw new Error('db down');
    }),
    'ApiKey + AppId': independent,
  };
}

describe('prototype-named schemes, headers, queries and cookies', () => {
  const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const;
  for (const name of names) {
    it(`"${name}" behaves like any other name`, async () => {
      const schemesP: Record<string, unknown> = {};
      const operationsP: Record<string, unknown> = {};
      const verifiersP: Record<string, unknown> = {};
      const define = (o: Record<string, unknown>, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
      define(schemesP, name, { kind: 'apiKey', in: 'header', name });
      define(schemesP, 'q', { kind: 'apiKey', in: 'query', name });
      define(schemesP, 'c', { kind: 'apiKey', in: 'cookie', name });
      define(operationsP, name, op([[u(name)], [u('q')], [u('c')]]));
      define(verifiersP, name, (k: string) => (k === 'h' ? { via: 'header' } : null));
      define(verifiersP, 'q', (k: string) => (k === 'q' ? { via: 'query' } : null));
      define(verifiersP, 'c', (k: string) => (k === 'c' ? { via: 'cookie' } : null));
      const g = createGuardFromTables({ schemes: schemesP as never, operations: operationsP as never, basePath: '' }, verifiersP);
      const headers = JSON.parse(`{"${name}": "h"}`) as Record<string, string>;
      const r1 = await g.authorize(name, { headers });
      expectOk(r1, 0);
      if (r1.ok) {
        expect(Object.getPrototypeOf(r1.principals)).toBe(Object.prototype);
        expect(Object.getOwnPropertyDescriptor(r1.principals, name)?.value).toEqual({ via: 'header' });
      }
      const q = JSON.parse(`{"${name}": "q"}`) as Record<string, string>;
      expectOk(await g.authorize(name, { headers: {}, query: q }), 1);
      expectOk(await g.authorize(name, { headers: {}, query: new URLSearchParams(`${name}=q`) }), 1);
      expectOk(await g.authorize(name, { headers: { cookie: `${name}=c` } }), 2);
      expectOk(await g.authorize(name, { headers: {}, cookies: JSON.parse(`{"${name}": "c"}`) as Record<string, string> }), 2);
      // Nothing sent: inherited members of Object.prototype are not credentials.
      const none = await g.authorize(name, { headers: {}, query: {}, cookies: {} });
      expectFail(none, 401);
      if (!none.ok) expect(none.body['missing']).toHaveLength(3);
      expect(({} as Record<string, unknown>)['via']).toBeUndefined();
      expect(Object.prototype.toString).toBe(Object.prototype.toString);
    });
  }
  it('a __proto__ header does not pollute or change prototypes', async () => {
    const { result } = await run('apiKey', req(JSON.parse('{"__proto__": {"x-api-key": "key"}}') as Record<string, string>));
    expectFail(result, 401);
    expect(({} as Record<string, unknown>)['x-api-key']).toBeUndefined();
  });
});

describe('an operation left without alternatives (--skip-invalid dropped them all)', () => {
  const refusedTables = {
    schemes: { Key: { kind: 'apiKey', in: 'header', name: 'X-Key' } },
    operations: {
      mine: { method: 'get', path: '/pets/mine', auth: { kind: 'required', anyOf: [], at: [] } },
      pet: { method: 'get', path: '/pets/{id}', auth: { kind: 'optional', anyOf: [[{ scheme: 'Key', scopes: [] }]], at: [1], anonymousAt: 0 } },
    },
    basePath: '',
  } as const;
  it('keeps its route and refuses every request with a fixed 403, whatever is sent', async () => {
    let calls = 0;
    const guard = createGuardFromTables(refusedTables, { Key: () => (calls++, {}) });
    expect(guard.match('GET', '/pets/mine')).toBe('mine');
    for (const headers of [{}, { 'x-key': 'k' }, { authorization: 'Bearer t' }]) {
      const r = await guard.authorize('mine', { headers });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.status).toBe(403);
        expect(r.body).toMatchObject({ status: 403, title: 'Forbidden' });
      }
    }
    expect(calls).toBe(0);
    // `pet` is written `[{}, { Key: [] }]`: anonymous is index 0, the key index 1.
    expectOk(await guard.authorize('pet', { headers: {} }), 0, true);
    expectOk(await guard.authorize('pet', { headers: { 'x-key': 'k' } }), 1);
  });
});
