// Truth tables for authFor: which alternative is chosen and exactly what is attached,
// for each credential combination over the tables generated from client-spec.yaml.

import { beforeAll, describe, expect, it, vi } from 'vitest';
import { generatedClient, type ClientModule, type Credentials, type SecurityModule } from './generated.js';
import { applyAuth, encodeBasic, mergeCookieHeader, resolveAuth } from '../../templates/runtime/runtime-client.js';

// The generated client (client-spec.yaml); its errors are the generated runtime's classes.
let authFor: ClientModule['authFor'];
let tables: SecurityModule['tables'];
let MissingCredentialsError: ClientModule['MissingCredentialsError'];
let InvalidCredentialsError: ClientModule['InvalidCredentialsError'];
beforeAll(async () => {
  const generated = await generatedClient('client-auth-for');
  ({ authFor, MissingCredentialsError, InvalidCredentialsError } = generated.client);
  ({ tables } = generated.security);
}, 60_000);

const basic = { username: 'alice', password: 'pw' };
const basicHeader = `Basic ${Buffer.from('alice:pw').toString('base64')}`;

type Want = { alternative: number; headers?: Record<string, string>; query?: Record<string, string>; cookies?: Record<string, string> };
type Row = [name: string, operation: string, credentials: Credentials, want: Want | 'missing'];

const rows: Row[] = [
  // disjoint: [{BasicAuth, QueryKey}, {CookieKey, HeaderKey}]
  ['disjoint: all four -> first', 'disjoint', { BasicAuth: basic, QueryKey: 'q', CookieKey: 'c', HeaderKey: 'h' }, { alternative: 0, headers: { Authorization: basicHeader }, query: { api_key: 'q' } }],
  ['disjoint: second only', 'disjoint', { CookieKey: 'c', HeaderKey: 'h' }, { alternative: 1, headers: { 'X-API-Key': 'h' }, cookies: { session: 'c' } }],
  ['disjoint: half of each -> missing', 'disjoint', { BasicAuth: basic, HeaderKey: 'h' }, 'missing'],
  ['disjoint: first half + second full -> second', 'disjoint', { BasicAuth: basic, CookieKey: 'c', HeaderKey: 'h' }, { alternative: 1, headers: { 'X-API-Key': 'h' }, cookies: { session: 'c' } }],
  ['disjoint: nothing', 'disjoint', {}, 'missing'],
  // intersect: [{BasicAuth, HeaderKey}, {BearerAuth, HeaderKey}]
  ['intersect: basic+key', 'intersect', { BasicAuth: basic, HeaderKey: 'h' }, { alternative: 0, headers: { Authorization: basicHeader, 'X-API-Key': 'h' } }],
  ['intersect: bearer+key', 'intersect', { BearerAuth: 'jwt', HeaderKey: 'h' }, { alternative: 1, headers: { Authorization: 'Bearer jwt', 'X-API-Key': 'h' } }],
  ['intersect: both -> first in spec order', 'intersect', { BearerAuth: 'jwt', BasicAuth: basic, HeaderKey: 'h' }, { alternative: 0, headers: { Authorization: basicHeader, 'X-API-Key': 'h' } }],
  ['intersect: key alone', 'intersect', { HeaderKey: 'h' }, 'missing'],
  ['intersect: bearer alone', 'intersect', { BearerAuth: 'jwt' }, 'missing'],
  // one scheme, different scopes in two alternatives: [{OAuth admin, HeaderKey}, {OAuth read}]
  ['scoped: token+key -> first', 'scoped', { OAuth: 'tok', HeaderKey: 'h' }, { alternative: 0, headers: { Authorization: 'Bearer tok', 'X-API-Key': 'h' } }],
  ['scoped: token -> second', 'scoped', { OAuth: 'tok' }, { alternative: 1, headers: { Authorization: 'Bearer tok' } }],
  // optional: [{HeaderKey}, {}] (anonymous is the `{}` at index 1); public: [] (-1)
  ['optional: key -> identified', 'optional', { HeaderKey: 'h' }, { alternative: 0, headers: { 'X-API-Key': 'h' } }],
  ['optional: nothing -> anonymous', 'optional', {}, { alternative: 1 }],
  ['optional: unrelated credential -> anonymous', 'optional', { BearerAuth: 'jwt' }, { alternative: 1 }],
  ['public: credentials ignored', 'health', { HeaderKey: 'h', BearerAuth: 'jwt' }, { alternative: -1 }],
  // unused schemes ignored
  ['unused credentials are not attached', 'bearer', { BearerAuth: 'jwt', HeaderKey: 'h', QueryKey: 'q', CookieKey: 'c' }, { alternative: 0, headers: { Authorization: 'Bearer jwt' } }],
  // bearer prefix normalisation
  ['bearer: bare', 'bearer', { BearerAuth: 'abc' }, { alternative: 0, headers: { Authorization: 'Bearer abc' } }],
  ['bearer: already prefixed', 'bearer', { BearerAuth: 'Bearer abc' }, { alternative: 0, headers: { Authorization: 'Bearer abc' } }],
  ['bearer: prefix in other case', 'bearer', { BearerAuth: 'bEaReR abc' }, { alternative: 0, headers: { Authorization: 'Bearer abc' } }],
  ['oidc: Bearer', 'oidc', { Oidc: 'BEARER id' }, { alternative: 0, headers: { Authorization: 'Bearer id' } }],
  ['oauth2: Bearer', 'scoped', { OAuth: 'bearer t' }, { alternative: 1, headers: { Authorization: 'Bearer t' } }],
  // other http schemes and raw Authorization api keys
  ['digest: capitalised', 'digest', { DigestAuth: 'username="a", response="x"' }, { alternative: 0, headers: { Authorization: 'Digest username="a", response="x"' } }],
  ['unknown http scheme: kept as in tables', 'custom', { CustomAuth: 'raw' }, { alternative: 0, headers: { Authorization: 'x-custom raw' } }],
  ['apiKey named Authorization: raw value', 'raw', { RawAuth: 'token-123' }, { alternative: 0, headers: { Authorization: 'token-123' } }],
  // mutual TLS: a marker, nothing attached
  ['mtls: configured + key', 'mtls', { Mtls: true, HeaderKey: 'h' }, { alternative: 0, headers: { 'X-API-Key': 'h' } }],
  ['mtls: object marker', 'mtls', { Mtls: { configured: true }, HeaderKey: 'h' }, { alternative: 0, headers: { 'X-API-Key': 'h' } }],
  ['mtls: not configured', 'mtls', { HeaderKey: 'h' }, 'missing'],
  // providers and empty values
  ['empty string = not available', 'optional', { HeaderKey: '' }, { alternative: 1 }],
  ['sync provider', 'bearer', { BearerAuth: () => 'sync' }, { alternative: 0, headers: { Authorization: 'Bearer sync' } }],
  ['async provider', 'bearer', { BearerAuth: async () => 'async' }, { alternative: 0, headers: { Authorization: 'Bearer async' } }],
  ['provider returning undefined', 'intersect', { BasicAuth: () => undefined, BearerAuth: async () => 'jwt', HeaderKey: 'h' }, { alternative: 1, headers: { Authorization: 'Bearer jwt', 'X-API-Key': 'h' } }],
  ['provider returning empty', 'optional', { HeaderKey: async () => '' }, { alternative: 1 }],
  ['explicit undefined property', 'bearer', { BearerAuth: undefined }, 'missing'],
];

describe('authFor truth table', () => {
  it.each(rows)('%s', async (_name, operation, credentials, want) => {
    if (want === 'missing') {
      await expect(authFor(operation, credentials)).rejects.toBeInstanceOf(MissingCredentialsError);
      return;
    }
    await expect(authFor(operation, credentials)).resolves.toEqual({
      alternative: want.alternative,
      headers: want.headers ?? {},
      query: want.query ?? {},
      cookies: want.cookies ?? {},
    });
  });
});

describe('authFor details', () => {
  it('Basic encodes UTF-8 (RFC 7617 §2.1), including characters outside Latin-1', async () => {
    const parts = await authFor('intersect', { BasicAuth: { username: 'ülrich', password: 'pässwörd✓' }, HeaderKey: 'h' });
    expect(parts.headers['Authorization']).toBe(`Basic ${Buffer.from('ülrich:pässwörd✓', 'utf8').toString('base64')}`);
    expect(encodeBasic('ülrich', 'pässwörd✓')).toBe('w7xscmljaDpww6Rzc3fDtnJk4pyT');
  });

  it('tells a provider the operation, scheme and scopes of the alternative being tried; once per distinct scopes per call', async () => {
    // `scoped`: [{ OAuth: [admin], HeaderKey: [] }, { OAuth: [read] }]
    const token = vi.fn(async (context: { operationId: string; scheme: string; scopes: readonly string[] }) => `tok-${context.scopes.join(',')}`);
    const key = vi.fn(() => undefined);
    const parts = await authFor('scoped', { OAuth: token, HeaderKey: key });
    expect(parts.alternative).toBe(1);
    expect(parts.headers).toEqual({ Authorization: 'Bearer tok-read' });
    expect(token.mock.calls.map(([c]) => c)).toEqual([
      { operationId: 'scoped', scheme: 'OAuth', scopes: ['admin'] },
      { operationId: 'scoped', scheme: 'OAuth', scopes: ['read'] },
    ]);
    expect(key).toHaveBeenCalledTimes(1);
    // The same scheme and scopes twice in one call: asked once.
    const again = vi.fn(async () => 'tok');
    await authFor('scoped', { OAuth: again, HeaderKey: 'h' });
    expect(again).toHaveBeenCalledTimes(1);
  });

  it('the parts say which credentials were attached and from which function, without exposing them to spreading or JSON', async () => {
    const token = vi.fn(async () => 'tok-9');
    const parts = await authFor('scoped', { OAuth: token, HeaderKey: 'h' });
    expect(parts.credentials?.map((c) => ({ scheme: c.scheme, value: c.value, fromFunction: c.source === token }))).toEqual([
      { scheme: 'OAuth', value: 'tok-9', fromFunction: true },
      { scheme: 'HeaderKey', value: 'h', fromFunction: false },
    ]);
    expect(Object.keys(parts)).toEqual(['alternative', 'headers', 'query', 'cookies']);
    expect(JSON.stringify(parts)).not.toContain('"credentials"');
  });

  it('does not ask providers of schemes the operation does not use', async () => {
    const unused = vi.fn(() => 'x');
    await authFor('bearer', { BearerAuth: 'jwt', HeaderKey: unused });
    expect(unused).not.toHaveBeenCalled();
  });

  it('MissingCredentialsError names schemes and locations, never a value', async () => {
    const error = await authFor('disjoint', { BasicAuth: { username: 'alice-user', password: 's3cr3t-pw' }, HeaderKey: 'k3y-value' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingCredentialsError);
    const missing = error as InstanceType<ClientModule['MissingCredentialsError']>;
    expect(missing.operationId).toBe('disjoint');
    expect(missing.alternatives).toEqual([['BasicAuth', 'QueryKey'], ['CookieKey', 'HeaderKey']]);
    for (const name of ['BasicAuth', 'QueryKey', 'CookieKey', 'HeaderKey', 'api_key', 'session', 'X-API-Key', 'disjoint']) {
      expect(missing.message).toContain(name);
    }
    for (const secret of ['alice-user', 's3cr3t-pw', 'k3y-value', Buffer.from('alice-user:s3cr3t-pw').toString('base64')]) {
      expect(missing.message).not.toContain(secret);
    }
    expect(missing.message).toMatchInlineSnapshot(
      `"Missing credentials for operation "disjoint": provide one of: [0] BasicAuth (Authorization header, Basic) + QueryKey (query parameter "api_key"); [1] CookieKey (cookie "session") + HeaderKey (header "X-API-Key")"`,
    );
  });

  it('refuses header values that would split the header, without quoting them', async () => {
    const error = await authFor('optional', { HeaderKey: 'abc\r\nX-Evil: 1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect((error as Error).message).not.toContain('abc');
    await expect(authFor('cookie', { CookieKey: 'a; admin=1' })).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  it('unknown operation id and own-property lookups', async () => {
    await expect(resolveAuth(tables, 'toString', {})).rejects.toThrow(/Unknown operation "toString"/);
    await expect(resolveAuth(tables, '__proto__', {})).rejects.toThrow(/Unknown operation/);
    // A credentials object's prototype is not a credential source.
    const inherited = Object.create({ HeaderKey: 'from-proto' }) as object;
    await expect(resolveAuth(tables, 'optional', inherited)).resolves.toMatchObject({ alternative: 1 });
  });
});

describe('applying parts', () => {
  it('merges cookies into an existing Cookie header, replacing only the same name', () => {
    expect(mergeCookieHeader('theme=dark; session=old; lang=en', { session: 'new' })).toBe('theme=dark; lang=en; session=new');
    expect(mergeCookieHeader(null, { session: 'new' })).toBe('session=new');
    expect(mergeCookieHeader('a=1', {})).toBe('a=1');
  });

  it('applyAuth: headers set, query URL-encoded and replacing a same-named param, cookie merged', async () => {
    const parts = await authFor('away', { HeaderKey: 'h', QueryKey: 'a b&c=d/é', CookieKey: 'c' });
    const request = new Request('https://api.example.com/v1/away?x=1&api_key=old', { headers: { Cookie: 'theme=dark' } });
    const applied = applyAuth(request, parts);
    const url = new URL(applied.url);
    expect(url.search).toBe('?x=1&api_key=a+b%26c%3Dd%2F%C3%A9');
    expect(url.searchParams.getAll('api_key')).toEqual(['a b&c=d/é']);
    expect(applied.headers.get('x-api-key')).toBe('h');
    expect(applied.headers.get('cookie')).toBe('theme=dark; session=c');
  });

  it('applyAuth keeps method and body', async () => {
    const request = new Request('https://api.example.com/v1/pets', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    const applied = applyAuth(request, { headers: { 'X-API-Key': 'h' }, query: { api_key: 'q' }, cookies: {} });
    expect(applied.method).toBe('POST');
    expect(await applied.text()).toBe('{"a":1}');
    expect(applied.headers.get('content-type')).toBe('application/json');
  });
});
