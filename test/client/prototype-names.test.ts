// Header, query and cookie names that are Object.prototype keys (`__proto__`,
// `constructor`, `toString`) are ordinary names: authFor returns them as own,
// enumerable entries of ordinary-looking records, and applying them (Headers, URL,
// Cookie merge, withAuth, openapi-fetch, axios) sends them.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import createClient from 'openapi-fetch';
import axios from 'axios';
import { startServer, type Seen, type TestServer } from './helpers.js';
import type { SecurityTables } from '../../templates/runtime/runtime-tables.js';
import { applyAuth, createClientAuth, mergeCookieHeader, resolveAuth, type AuthParts } from '../../templates/runtime/runtime-client.js';
import { authMiddleware } from '../../templates/runtime/openapi-fetch.js';
import { authInterceptor } from '../../templates/runtime/axios.js';

const none: readonly string[] = [];
const tables = {
  schemes: {
    ProtoHeader: { kind: 'apiKey', in: 'header', name: '__proto__' },
    CtorHeader: { kind: 'apiKey', in: 'header', name: 'constructor' },
    ProtoQuery: { kind: 'apiKey', in: 'query', name: '__proto__' },
    ToStringQuery: { kind: 'apiKey', in: 'query', name: 'toString' },
    ProtoCookie: { kind: 'apiKey', in: 'cookie', name: '__proto__' },
    CtorCookie: { kind: 'apiKey', in: 'cookie', name: 'constructor' },
  },
  operations: {
    all: {
      method: 'get',
      path: '/all',
      auth: {
        kind: 'required',
        anyOf: [[
          { scheme: 'ProtoHeader', scopes: none },
          { scheme: 'CtorHeader', scopes: none },
          { scheme: 'ProtoQuery', scopes: none },
          { scheme: 'ToStringQuery', scopes: none },
          { scheme: 'ProtoCookie', scopes: none },
          { scheme: 'CtorCookie', scopes: none },
        ]],
        at: [0],
      },
    },
    cookieOnly: { method: 'get', path: '/cookie', auth: { kind: 'required', anyOf: [[{ scheme: 'ProtoCookie', scopes: none }]], at: [0] } },
  },
  basePath: '/v1',
} as const satisfies SecurityTables;

const credentials = { ProtoHeader: 'h-proto', CtorHeader: 'h-ctor', ProtoQuery: 'q-proto', ToStringQuery: 'q-tostring', ProtoCookie: 'c-proto', CtorCookie: 'c-ctor' };
const auth = createClientAuth<typeof tables>(tables, {}, {});

const pairs = (headers: Headers) => {
  const out: [string, string][] = [];
  headers.forEach((value, name) => out.push([name, value]));
  return out.sort(([a], [b]) => (a < b ? -1 : 1));
};
const entries = (record: Record<string, string>) => Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1));

let api: TestServer;
beforeAll(async () => {
  api = await startServer((_req, res) => res.end('{}'));
});
afterAll(() => api.close());
beforeEach(() => {
  api.seen.length = 0;
});

/** Lower-cased header name -> values, from the raw pairs. */
function rawHeaders(raw: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    out.set(name, [...(out.get(name) ?? []), raw[i + 1] as string]);
  }
  return out;
}

// Node 20's fetch (undici 6) turns its header list into a plain object by assignment
// before writing the request, so a header literally named `__proto__` never reaches the
// wire whatever the caller does; for fetch-based paths that header is checked on the
// Request handed to fetch, everything else on the wire.
function expectAllSent(seen: Seen | undefined, protoHeaderOnWire = true): void {
  const query = new URL(seen?.url ?? '', api.origin).searchParams;
  const headers = rawHeaders(seen?.rawHeaders ?? []);
  expect(query.getAll('__proto__')).toEqual(['q-proto']);
  expect(query.getAll('toString')).toEqual(['q-tostring']);
  if (protoHeaderOnWire) expect(headers.get('__proto__')).toEqual(['h-proto']);
  expect(headers.get('constructor')).toEqual(['h-ctor']);
  expect(headers.get('cookie')).toEqual(['theme=dark; __proto__=c-proto; constructor=c-ctor']);
}

describe('names that are Object.prototype keys', () => {
  it('authFor returns them as own enumerable entries, and no prototype is touched', async () => {
    const parts = await resolveAuth(tables, 'all', credentials);
    expect(parts.alternative).toBe(0);
    expect(entries(parts.headers)).toEqual([['__proto__', 'h-proto'], ['constructor', 'h-ctor']]);
    expect(entries(parts.query)).toEqual([['__proto__', 'q-proto'], ['toString', 'q-tostring']]);
    expect(entries(parts.cookies)).toEqual([['__proto__', 'c-proto'], ['constructor', 'c-ctor']]);
    for (const record of [parts.headers, parts.query, parts.cookies]) {
      expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
      expect(Object.prototype.hasOwnProperty.call(record, '__proto__')).toBe(true);
    }
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it('the cookie-only alternative is not "satisfied" with nothing to send', async () => {
    const parts = await resolveAuth(tables, 'cookieOnly', { ProtoCookie: 'c-proto' });
    expect(parts).toEqual<AuthParts>({ alternative: 0, headers: {}, query: {}, cookies: JSON.parse('{"__proto__":"c-proto"}') as Record<string, string> });
    expect(Object.keys(parts.cookies)).toEqual(['__proto__']);
  });

  it('the records work with spreading, Headers and URLSearchParams', async () => {
    const parts = await resolveAuth(tables, 'all', credentials);
    const spread = { ...parts.headers };
    expect(Object.keys(spread).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(spread)).toBe(Object.prototype);
    expect(pairs(new Headers(parts.headers))).toEqual([['__proto__', 'h-proto'], ['constructor', 'h-ctor']]);
    expect(new URLSearchParams(parts.query).toString()).toMatch(/^(__proto__=q-proto&toString=q-tostring|toString=q-tostring&__proto__=q-proto)$/);
  });

  it('mergeCookieHeader and applyAuth put them on the request', async () => {
    const parts = await resolveAuth(tables, 'all', credentials);
    expect(mergeCookieHeader('__proto__=old; theme=dark', parts.cookies)).toBe('theme=dark; __proto__=c-proto; constructor=c-ctor');
    const request = applyAuth(new Request(`${api.origin}/v1/all`, { headers: { cookie: 'theme=dark' } }), parts);
    expect(request.headers.get('__proto__')).toBe('h-proto');
    expect(request.headers.get('constructor')).toBe('h-ctor');
    expect(request.headers.get('cookie')).toBe('theme=dark; __proto__=c-proto; constructor=c-ctor');
    expect(new URL(request.url).searchParams.get('__proto__')).toBe('q-proto');
  });

  it('withAuth sends them over the wire', async () => {
    const handed: Request[] = [];
    const recording = (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      handed.push(request.clone());
      return fetch(request);
    };
    const authed = auth.withAuth(recording, credentials, { baseUrl: `${api.origin}/v1` });
    await authed(`${api.origin}/v1/all`, { headers: { cookie: 'theme=dark' } });
    expect(api.seen).toHaveLength(1);
    expectAllSent(api.seen[0], false);
    expect(handed[0]?.headers.get('__proto__')).toBe('h-proto');
  });

  it('the openapi-fetch middleware sends them', async () => {
    interface paths { '/all': { get: { parameters: Record<string, never>; responses: { 200: { content: { 'application/json': unknown } } } } } }
    const handed: Request[] = [];
    const recording = (request: Request) => {
      handed.push(request.clone());
      return fetch(request);
    };
    const client = createClient<paths>({ baseUrl: `${api.origin}/v1`, fetch: recording });
    client.use(authMiddleware(auth, credentials, { baseUrl: `${api.origin}/v1` }));
    await client.GET('/all', { headers: { cookie: 'theme=dark' } });
    expect(api.seen).toHaveLength(1);
    expectAllSent(api.seen[0], false);
    expect(handed[0]?.headers.get('__proto__')).toBe('h-proto');
  });

  it('the axios interceptor sends them (AxiosHeaders and params objects included)', async () => {
    const http = axios.create({ baseURL: `${api.origin}/v1` });
    http.interceptors.request.use(authInterceptor(auth, credentials, { baseUrl: `${api.origin}/v1` }));
    await http.get('/all', { headers: { cookie: 'theme=dark' }, params: { page: 2 } });
    await http.get('/all', { headers: { cookie: 'theme=dark' }, params: new URLSearchParams({ page: '2' }) });
    expect(api.seen).toHaveLength(2);
    for (const seen of api.seen) {
      expectAllSent(seen);
      expect(new URL(seen.url, api.origin).searchParams.get('page')).toBe('2');
    }
  });
});
