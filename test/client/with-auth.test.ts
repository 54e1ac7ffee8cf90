// withAuth against real node:http servers on 127.0.0.1 with the platform fetch:
// credentials attached per operation, refusals that send nothing, and redirects that
// never carry a key to another origin.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers.js';
import { generatedClient, type ClientModule, type Credentials } from './generated.js';

let api: TestServer;
let other: TestServer;
let withAuth: ClientModule['withAuth'];
let ForeignOriginError: ClientModule['ForeignOriginError'];
let MissingCredentialsError: ClientModule['MissingCredentialsError'];
let UnknownOperationError: ClientModule['UnknownOperationError'];

beforeAll(async () => {
  ({ withAuth, ForeignOriginError, MissingCredentialsError, UnknownOperationError } = (await generatedClient('client-with-auth')).client);
  other = await startServer((req, res) => res.end(`other:${req.url}`));
  api = await startServer((req, res) => {
    const path = req.url.split('?')[0];
    if (path === '/v1/away') {
      // Echoes the query string into an absolute cross-origin Location, as a careless server might.
      res.writeHead(302, { Location: `${other.origin}/landing${req.url.slice(path?.length ?? 0)}` });
      res.end();
    } else if (path === '/v1/old-pets') {
      res.writeHead(301, { Location: '/v1/pets/mine' });
      res.end();
    } else if (path === '/v1/moved' && req.method === 'POST') {
      res.writeHead(307, { Location: '/v1/pets' });
      res.end();
    } else {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, url: req.url }));
    }
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

const credentials: Credentials = { HeaderKey: 'key-123', QueryKey: 'q-456', CookieKey: 'c-789', BearerAuth: 'jwt-abc' };
const authed = () => withAuth(fetch, credentials, { baseUrl: `${api.origin}/v1` });

describe('withAuth', () => {
  it('attaches the credentials of the matched operation (relative and absolute URLs)', async () => {
    const f = authed();
    const res = await f('/v1/pets/42?x=1');
    expect(res.status).toBe(200);
    await f(`${api.origin}/v1/pets/mine`);
    await f(new URL(`${api.origin}/v1/pets`), { method: 'POST', body: '{"name":"rex"}', headers: { 'content-type': 'application/json' } });
    expect(api.seen.map((s) => [s.method, s.url, s.headers['x-api-key'], s.headers['authorization']])).toEqual([
      ['GET', '/v1/pets/42?x=1', 'key-123', undefined],
      ['GET', '/v1/pets/mine', undefined, 'Bearer jwt-abc'], // static segment beats {petId}
      ['POST', '/v1/pets?api_key=q-456', 'key-123', undefined],
    ]);
    expect(api.seen[2]?.body).toBe('{"name":"rex"}');
  });

  it('accepts a Request as input and keeps its headers, merging the cookie', async () => {
    const f = authed();
    await f(new Request(`${api.origin}/v1/away`, { headers: { cookie: 'theme=dark', 'x-trace': 't1' }, redirect: 'manual' }));
    const seen = api.seen[0];
    expect(seen?.headers['cookie']).toBe('theme=dark; session=c-789');
    expect(seen?.headers['x-trace']).toBe('t1');
    expect(seen?.url).toBe('/v1/away?api_key=q-456');
  });

  it('refuses a request with missing credentials before anything is sent', async () => {
    const f = withAuth(fetch, { QueryKey: 'q' }, { baseUrl: `${api.origin}/v1` });
    await expect(f('/v1/pets/1')).rejects.toBeInstanceOf(MissingCredentialsError);
    expect(api.seen).toEqual([]);
  });

  it('refuses a cross-origin URL (nothing reaches the other server)', async () => {
    const f = authed();
    await expect(f(`${other.origin}/v1/pets/1`)).rejects.toBeInstanceOf(ForeignOriginError);
    await expect(f(`${other.origin}/v1/health`)).rejects.toBeInstanceOf(ForeignOriginError);
    await expect(f(`//${new URL(other.origin).host}/v1/pets/1`)).rejects.toBeInstanceOf(ForeignOriginError);
    expect(other.seen).toEqual([]);
    expect(api.seen).toEqual([]);
  });

  it('allowedHosts admits another origin', async () => {
    const f = withAuth(fetch, credentials, { baseUrl: `${api.origin}/v1`, allowedHosts: [other.origin] });
    await f(`${other.origin}/v1/pets/7`);
    expect(other.seen[0]?.headers['x-api-key']).toBe('key-123');
  });

  it('a redirect to another origin is followed without any credential', async () => {
    const f = authed();
    const res = await f('/v1/away');
    expect(await res.text()).toBe('other:/landing');
    expect(api.seen[0]?.headers['x-api-key']).toBe('key-123');
    expect(api.seen[0]?.url).toBe('/v1/away?api_key=q-456');
    const landed = other.seen[0];
    expect(landed?.url).toBe('/landing');
    expect(landed?.headers['x-api-key']).toBeUndefined();
    expect(landed?.headers['cookie']).toBeUndefined();
    expect(landed?.headers['authorization']).toBeUndefined();
    expect(JSON.stringify(other.seen)).not.toMatch(/key-123|q-456|c-789|jwt-abc/);
  });

  it('a same-origin redirect re-attaches the credentials of the new operation', async () => {
    const f = authed();
    const res = await f('/v1/old-pets');
    expect(await res.json()).toEqual({ method: 'GET', url: '/v1/pets/mine' });
    expect(api.seen.map((s) => [s.url, s.headers['x-api-key'], s.headers['authorization']])).toEqual([
      ['/v1/old-pets', 'key-123', undefined],
      ['/v1/pets/mine', undefined, 'Bearer jwt-abc'],
    ]);
  });

  it('a 307 replays method and body', async () => {
    const f = authed();
    const res = await f('/v1/moved', { method: 'POST', body: 'payload' });
    expect(await res.json()).toEqual({ method: 'POST', url: '/v1/pets?api_key=q-456' });
    expect(api.seen.map((s) => [s.method, s.body])).toEqual([
      ['POST', 'payload'],
      ['POST', 'payload'],
    ]);
  });

  it("redirect: 'manual' from the caller is honoured", async () => {
    const f = authed();
    const res = await f('/v1/away', { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(other.seen).toEqual([]);
  });

  it('an unknown operation is an error naming method and path; passthrough sends it bare', async () => {
    await expect(authed()('/v1/nope', { method: 'DELETE' })).rejects.toThrow(new UnknownOperationError('No operation in the spec matches DELETE /v1/nope'));
    expect(api.seen).toEqual([]);
    const pass = withAuth(fetch, credentials, { baseUrl: `${api.origin}/v1`, unknownOperation: 'passthrough' });
    await pass('/v1/nope');
    expect(api.seen[0]?.headers['x-api-key']).toBeUndefined();
    expect(api.seen[0]?.url).toBe('/v1/nope');
  });

  it('paths outside the base path are unknown, public operations get nothing', async () => {
    await expect(authed()('/v2/pets/1')).rejects.toBeInstanceOf(UnknownOperationError);
    await authed()('/v1/health');
    expect(api.seen[0]?.headers['x-api-key']).toBeUndefined();
    expect(api.seen[0]?.headers['authorization']).toBeUndefined();
  });
});
