// The openapi-fetch middleware and the axios interceptor against a real local server:
// same credentials as authFor, same refusals as withAuth.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import createClient from 'openapi-fetch';
import axios from 'axios';
import { startServer, type TestServer } from './helpers.js';
import { generatedClient, type ClientModule, type Credentials, type GeneratedClient } from './generated.js';

interface paths {
  '/pets/{petId}': { get: { parameters: { path: { petId: string } }; responses: { 200: { content: { 'application/json': unknown } } } } };
  '/pets': { post: { parameters: Record<string, never>; requestBody: { content: { 'application/json': { name: string } } }; responses: { 200: { content: { 'application/json': unknown } } } } };
  '/away': { get: { parameters: Record<string, never>; responses: { 200: { content: { 'application/json': unknown } } } } };
  '/nope': { get: { parameters: Record<string, never>; responses: { 200: { content: { 'application/json': unknown } } } } };
}

let api: TestServer;
let other: TestServer;
let clientAuth: ClientModule['clientAuth'];
let authMiddleware: GeneratedClient['openapiFetch']['authMiddleware'];
let authInterceptor: GeneratedClient['axios']['authInterceptor'];
let ForeignOriginError: ClientModule['ForeignOriginError'];
let MissingCredentialsError: ClientModule['MissingCredentialsError'];
let UnknownOperationError: ClientModule['UnknownOperationError'];

beforeAll(async () => {
  const generated = await generatedClient('client-adapters');
  ({ clientAuth, ForeignOriginError, MissingCredentialsError, UnknownOperationError } = generated.client);
  ({ authMiddleware } = generated.openapiFetch);
  ({ authInterceptor } = generated.axios);
  other = await startServer((_req, res) => res.end('{}'));
  api = await startServer((req, res) => {
    if (req.url.startsWith('/v1/away')) {
      res.writeHead(302, { Location: `${other.origin}/landing${req.url.slice('/v1/away'.length)}` });
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end('{}');
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

const credentials: Credentials = { HeaderKey: 'key-123', QueryKey: 'q-456', CookieKey: 'c-789' };

describe('openapi-fetch authMiddleware', () => {
  it('finds the operation by schemaPath and applies headers, query and cookies', async () => {
    const client = createClient<paths>({ baseUrl: `${api.origin}/v1` });
    client.use(authMiddleware(clientAuth, credentials, { baseUrl: `${api.origin}/v1` }));
    await client.GET('/pets/{petId}', { params: { path: { petId: '7' } } });
    await client.POST('/pets', { body: { name: 'rex' } });
    await client.GET('/away', { headers: { cookie: 'theme=dark' }, redirect: 'manual' });
    expect(api.seen.map((s) => [s.method, s.url, s.headers['x-api-key'], s.headers['cookie']])).toEqual([
      ['GET', '/v1/pets/7', 'key-123', undefined],
      ['POST', '/v1/pets?api_key=q-456', 'key-123', undefined],
      ['GET', '/v1/away?api_key=q-456', 'key-123', 'theme=dark; session=c-789'],
    ]);
    expect(api.seen[1]?.body).toBe('{"name":"rex"}');
  });

  it('refuses missing credentials and unknown operations before sending', async () => {
    const client = createClient<paths>({ baseUrl: `${api.origin}/v1` });
    client.use(authMiddleware(clientAuth, {}, { baseUrl: `${api.origin}/v1` }));
    await expect(client.GET('/pets/{petId}', { params: { path: { petId: '1' } } })).rejects.toBeInstanceOf(MissingCredentialsError);
    await expect(client.GET('/nope')).rejects.toBeInstanceOf(UnknownOperationError);
    expect(api.seen).toEqual([]);
  });

  it('with a baseUrl option, a per-call baseUrl on another origin is refused', async () => {
    const client = createClient<paths>({ baseUrl: `${api.origin}/v1` });
    client.use(authMiddleware(clientAuth, credentials, { baseUrl: `${api.origin}/v1` }));
    await expect(client.GET('/pets/{petId}', { params: { path: { petId: '1' } }, baseUrl: `${other.origin}/v1` })).rejects.toBeInstanceOf(
      ForeignOriginError,
    );
    expect(other.seen).toEqual([]);
  });

  it('for redirect safety, withAuth serves as the client fetch', async () => {
    const client = createClient<paths>({ baseUrl: `${api.origin}/v1`, fetch: clientAuth.withAuth(fetch, credentials, { baseUrl: `${api.origin}/v1` }) });
    await client.GET('/away', { parseAs: 'text' });
    expect(api.seen[0]?.headers['x-api-key']).toBe('key-123');
    expect(other.seen[0]?.url).toBe('/landing');
    expect(other.seen[0]?.headers['x-api-key']).toBeUndefined();
  });
});

describe('axios authInterceptor', () => {
  const make = () => {
    const instance = axios.create({ baseURL: `${api.origin}/v1` });
    instance.interceptors.request.use(authInterceptor(clientAuth, credentials, { baseUrl: `${api.origin}/v1` }));
    return instance;
  };

  it('applies headers, merges params and the Cookie header', async () => {
    const instance = make();
    await instance.get('/pets/7');
    await instance.post('pets', { name: 'rex' }, { params: { page: 2 } });
    await instance.get('/away', { headers: { Cookie: 'theme=dark' }, maxRedirects: 0, validateStatus: () => true });
    expect(api.seen.map((s) => [s.method, s.url, s.headers['x-api-key'], s.headers['cookie']])).toEqual([
      ['GET', '/v1/pets/7', 'key-123', undefined],
      ['POST', '/v1/pets?page=2&api_key=q-456', 'key-123', undefined],
      ['GET', '/v1/away?api_key=q-456', 'key-123', 'theme=dark; session=c-789'],
    ]);
  });

  it('refuses another origin and missing credentials before sending', async () => {
    const instance = make();
    await expect(instance.get(`${other.origin}/v1/pets/7`)).rejects.toBeInstanceOf(ForeignOriginError);
    await expect(instance.get(`//${new URL(other.origin).host}/v1/pets/7`)).rejects.toBeInstanceOf(ForeignOriginError);
    const bare = axios.create({ baseURL: `${api.origin}/v1` });
    bare.interceptors.request.use(authInterceptor(clientAuth, {}, { baseUrl: `${api.origin}/v1` }));
    await expect(bare.get('/pets/7')).rejects.toBeInstanceOf(MissingCredentialsError);
    expect(other.seen).toEqual([]);
    expect(api.seen).toEqual([]);
  });

  it('a cross-origin redirect carries neither the key header nor the query key', async () => {
    const instance = make();
    await instance.get('/away');
    expect(api.seen[0]?.headers['x-api-key']).toBe('key-123');
    expect(other.seen).toHaveLength(1);
    expect(other.seen[0]?.url).toBe('/landing');
    expect(other.seen[0]?.headers['x-api-key']).toBeUndefined();
    expect(other.seen[0]?.headers['cookie']).toBeUndefined();
  });
});
