// Issue 15: a vendor's spec or a server must not steer the user's secrets. Real
// node:http servers on 127.0.0.1, the platform fetch, openapi-fetch and axios.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import createClient from 'openapi-fetch';
import axios from 'axios';
import { startServer, type TestServer } from './helpers.js';
import { generatedClient, type ClientModule, type Credentials, type GeneratedClient } from './generated.js';
import { clientCredentialsToken, OAuthTokenError } from '../../templates/runtime/runtime-client.js';

interface paths {
  '/pets/{petId}': { get: { parameters: { path: { petId: string } }; responses: { 200: { content: { 'application/json': unknown } } } } };
}

let api: TestServer;
let other: TestServer;
let clientAuth: ClientModule['clientAuth'];
let withAuth: ClientModule['withAuth'];
let authMiddleware: GeneratedClient['openapiFetch']['authMiddleware'];
let authInterceptor: GeneratedClient['axios']['authInterceptor'];
let ForeignOriginError: ClientModule['ForeignOriginError'];
let UnknownOperationError: ClientModule['UnknownOperationError'];

beforeAll(async () => {
  const generated = await generatedClient('client-hardening');
  ({ clientAuth, withAuth, ForeignOriginError, UnknownOperationError } = generated.client);
  ({ authMiddleware } = generated.openapiFetch);
  ({ authInterceptor } = generated.axios);
  other = await startServer((req, res) => res.end(`other:${req.url}`));
  api = await startServer((req, res) => {
    const path = req.url.split('?')[0];
    const to = (location: string) => {
      res.writeHead(302, { Location: location });
      res.end();
    };
    if (path === '/v1/pets/userinfo') return to(`http://u:p@${new URL(api.origin).host}/v1/disjoint`);
    if (path === '/v1/pets/away') return to(`${other.origin}/landing`);
    if (path === '/v1/pets/data') return to('data:text/plain,hello');
    if (path === '/v1/pets/to-mine') return to('/v1/pets/mine');
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify({ url: req.url }));
  });
}, 60_000);
afterAll(async () => {
  await api.close();
  await other.close();
});
beforeEach(() => {
  api.seen.length = 0;
  other.seen.length = 0;
});

const credentials: Credentials = { HeaderKey: 'key-123', QueryKey: 'QUERY-SECRET', CookieKey: 'c-789', BearerAuth: 'jwt-abc' };
const SECRETS = /key-123|QUERY-SECRET|c-789|jwt-abc/;

describe('withAuth (issue 15)', () => {
  const authed = () => withAuth(fetch, credentials, { baseUrl: `${api.origin}/v1` });

  it('a redirect to a user-info URL on the same host is refused without a credential in the error', async () => {
    // disjoint's first alternative is BasicAuth + QueryKey: the hop would carry ?api_key=QUERY-SECRET.
    const f = withAuth(fetch, { ...credentials, BasicAuth: { username: 'user', password: 'pw-secret' } }, { baseUrl: `${api.origin}/v1` });
    const error = (await f('/v1/pets/userinfo').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(TypeError);
    expect(`${error.message}\n${error.stack}\n${String(error.cause)}`).not.toMatch(/QUERY-SECRET|pw-secret|key-123/);
    expect(api.seen).toHaveLength(1);
  });

  it('a platform error quoting the URL is rebuilt with the query key redacted and no cause', async () => {
    const failing = (input: RequestInfo | URL) => Promise.reject(new TypeError(`cannot fetch ${input instanceof Request ? input.url : String(input)}`, { cause: new Error(String(input)) }));
    const g = withAuth(failing, credentials, { baseUrl: `${api.origin}/v1` });
    const e2 = (await g('/v1/pets', { method: 'POST', body: '{}' }).catch((e: unknown) => e)) as Error;
    expect(e2).toBeInstanceOf(TypeError);
    expect(e2.message).toContain('api_key=[redacted]');
    expect(e2.message).not.toMatch(SECRETS);
    expect(e2.cause).toBeUndefined();
  });

  it("redirect: 'native' with credentials and redirect mode follow is refused before sending", async () => {
    const f = withAuth(fetch, credentials, { baseUrl: `${api.origin}/v1`, redirect: 'native' });
    await expect(f('/v1/pets/away')).rejects.toThrow(/native/);
    expect(api.seen).toEqual([]);
    expect(other.seen).toEqual([]);
    const manual = await f('/v1/pets/away', { redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(other.seen).toEqual([]);
  });

  it('a redirect to a data: URL is refused, not returned as a 200', async () => {
    await expect(authed()('/v1/pets/data')).rejects.toThrow(/data:/);
  });

  it('a same-origin redirect to another operation carries that operation’s credentials only', async () => {
    const res = await authed()('/v1/pets/to-mine');
    expect(res.status).toBe(200);
    expect(api.seen.map((s) => [s.url, s.headers['x-api-key'], s.headers['authorization']])).toEqual([
      ['/v1/pets/to-mine', 'key-123', undefined],
      ['/v1/pets/mine', undefined, 'Bearer jwt-abc'],
    ]);
  });

  it('a dot-segment path is matched after URL normalisation', async () => {
    await expect(authed()('/v1/pets/..', { method: 'GET' })).rejects.toBeInstanceOf(UnknownOperationError);
    await authed()('/v1/pets/x/../mine');
    expect(api.seen.map((s) => [s.url, s.headers['x-api-key'], s.headers['authorization']])).toEqual([['/v1/pets/mine', undefined, 'Bearer jwt-abc']]);
  });
});

describe('openapi-fetch authMiddleware (issue 15)', () => {
  it("without the baseUrl option it pins the spec's absolute server URL (a per-call baseUrl gets nothing)", async () => {
    // The spec says https://api.example.com/v1: this server is not it, so even its own origin is refused.
    const client = createClient<paths>({ baseUrl: `${api.origin}/v1` });
    client.use(authMiddleware(clientAuth, credentials));
    await expect(client.GET('/pets/{petId}', { params: { path: { petId: '1' } } })).rejects.toBeInstanceOf(ForeignOriginError);
    await expect(client.GET('/pets/{petId}', { params: { path: { petId: '1' } }, baseUrl: `${other.origin}/v1` })).rejects.toBeInstanceOf(ForeignOriginError);
    // Tables whose server URL is this server: the pinned origin is used, a per-call one still refused.
    const here = { ...clientAuth, tables: { ...clientAuth.tables, serverUrl: `${api.origin}/v1` } };
    const pinned = createClient<paths>({ baseUrl: `${api.origin}/v1` });
    pinned.use(authMiddleware(here, credentials));
    await pinned.GET('/pets/{petId}', { params: { path: { petId: '1' } } });
    await expect(pinned.GET('/pets/{petId}', { params: { path: { petId: '1' } }, baseUrl: `${other.origin}/v1` })).rejects.toBeInstanceOf(ForeignOriginError);
    expect(api.seen.map((s) => [s.url, s.headers['x-api-key']])).toEqual([['/v1/pets/1', 'key-123']]);
    expect(other.seen).toEqual([]);
  });

  it('with neither the option nor an absolute server URL in the spec it refuses to be made', () => {
    const relative = { ...clientAuth, tables: { ...clientAuth.tables, serverUrl: null } };
    expect(() => authMiddleware(relative, credentials)).toThrow(/baseUrl/);
  });

  it('a per-call baseUrl on another origin gets nothing', async () => {
    const client = createClient<paths>({ baseUrl: `${api.origin}/v1` });
    client.use(authMiddleware(clientAuth, credentials, { baseUrl: `${api.origin}/v1` }));
    await expect(client.GET('/pets/{petId}', { params: { path: { petId: '1' } }, baseUrl: `${other.origin}/v1` })).rejects.toBeInstanceOf(ForeignOriginError);
    expect(other.seen).toEqual([]);
  });

  it('a path parameter that changes the operation is refused before sending', async () => {
    const client = createClient<paths>({ baseUrl: `${api.origin}/v1` });
    client.use(authMiddleware(clientAuth, credentials, { baseUrl: `${api.origin}/v1` }));
    await expect(client.GET('/pets/{petId}', { params: { path: { petId: '..' } } })).rejects.toBeInstanceOf(UnknownOperationError);
    await expect(client.GET('/pets/{petId}', { params: { path: { petId: 'mine' } } })).rejects.toBeInstanceOf(UnknownOperationError);
    await client.GET('/pets/{petId}', { params: { path: { petId: 'a/../..' } } }); // '/' is encoded: one segment
    expect(api.seen.map((s) => s.url)).toEqual(['/v1/pets/a%2F..%2F..']);
  });
});

describe('axios authInterceptor (issue 15)', () => {
  const make = () => {
    const instance = axios.create({ baseURL: `${api.origin}/v1` });
    instance.interceptors.request.use(authInterceptor(clientAuth, credentials, { baseUrl: `${api.origin}/v1` }));
    return instance;
  };

  it('a same-origin redirect to another operation does not keep the first operation’s key', async () => {
    await make().get('/pets/to-mine', { validateStatus: () => true });
    expect(api.seen.map((s) => [s.url, s.headers['x-api-key']])).toEqual([
      ['/v1/pets/to-mine', 'key-123'],
      ['/v1/pets/mine', undefined],
    ]);
  });

  it('a custom transport with credentials is refused before sending', async () => {
    const { default: http } = await import('node:http');
    await expect(make().get('/pets/away', { transport: http })).rejects.toThrow(/transport/);
    expect(api.seen).toEqual([]);
    expect(other.seen).toEqual([]);
  });

  it('a redirect to a data: URL is not followed', async () => {
    await expect(make().get('/pets/data')).rejects.toThrow();
  });

  it("pins the trusted origin when made: a per-call baseURL gets nothing, and without the option the spec's server URL is the anchor", async () => {
    await expect(make().get('/pets/1', { baseURL: `${other.origin}/v1` })).rejects.toBeInstanceOf(ForeignOriginError);
    // Spec server https://api.example.com/v1: the instance's own baseURL does not widen it.
    const bySpec = axios.create({ baseURL: `${api.origin}/v1` });
    bySpec.interceptors.request.use(authInterceptor(clientAuth, credentials));
    await expect(bySpec.get('/pets/1')).rejects.toBeInstanceOf(ForeignOriginError);
    const relative = axios.create({ baseURL: `${api.origin}/v1` });
    relative.interceptors.request.use(authInterceptor({ ...clientAuth, tables: { ...clientAuth.tables, serverUrl: null } }, credentials));
    await expect(relative.get('/pets/1')).rejects.toThrow(/baseUrl/);
    expect(api.seen).toEqual([]);
    expect(other.seen).toEqual([]);
  });

  it("with axios's fetch adapter a cross-origin redirect is returned, not followed", async () => {
    const error = (await make().get('/pets/away', { adapter: 'fetch' }).catch((e: unknown) => e)) as { response?: { status: number } };
    expect(error.response?.status).toBe(302);
    expect(api.seen.map((s) => s.headers['x-api-key'])).toEqual(['key-123']);
    expect(other.seen).toEqual([]);
  });

  it('XMLHttpRequest and custom adapters, whose redirects no script controls, are refused with credentials', async () => {
    const g = globalThis as { XMLHttpRequest?: unknown };
    g.XMLHttpRequest = class {};
    try {
      await expect(make().get('/pets/away', { adapter: ['xhr', 'http'] })).rejects.toThrow(/XMLHttpRequest/);
    } finally {
      delete g.XMLHttpRequest;
    }
    await expect(make().get('/pets/away', { adapter: () => Promise.reject(new Error('reached')) })).rejects.toThrow(/custom axios adapter/);
    expect(api.seen).toEqual([]);
    expect(other.seen).toEqual([]);
  });
});

describe('clientCredentialsToken (issue 15)', () => {
  let token: TestServer;
  beforeAll(async () => {
    token = await startServer((req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_client', error_description: `bad ${req.body} / ${req.headers['authorization'] ?? ''}` }));
    });
  });
  afterAll(() => token.close());

  it.each(['http://127.evil.example/token', 'http://127.0.0.1.nip.io/token', 'http://localhost.evil.example/token', 'http://0x7f.evil/token'])(
    'refuses plain http to %s',
    (tokenUrl) => {
      expect(() => clientCredentialsToken({ tokenUrl, clientId: 'id', clientSecret: 's' })).toThrow(/https/);
    },
  );

  it.each(['http://127.0.0.1:1/t', 'http://127.1.2.3/t', 'http://localhost/t', 'http://[::1]/t'])('accepts loopback %s', (tokenUrl) => {
    expect(() => clientCredentialsToken({ tokenUrl, clientId: 'id', clientSecret: 's' })).not.toThrow();
  });

  it.each(['body', 'basic'] as const)('redacts the secret echoed in every encoding (clientAuth %s)', async (clientAuth) => {
    const secret = 'S3CR3T+/ &x';
    const error = (await clientCredentialsToken({ tokenUrl: `${token.origin}/token`, clientId: 'id', clientSecret: secret, clientAuth })().catch((e: unknown) => e)) as OAuthTokenError;
    expect(error).toBeInstanceOf(OAuthTokenError);
    const text = `${error.message} ${error.errorDescription}`;
    for (const form of [secret, encodeURIComponent(secret), 'S3CR3T%2B%2F+%26x', Buffer.from(`id:${secret}`).toString('base64'), Buffer.from('id:S3CR3T%2B%2F+%26x').toString('base64')]) {
      expect(text).not.toContain(form);
    }
    expect(text).toContain('[redacted]');
  });
});
