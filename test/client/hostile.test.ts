// The client generated from specs/hostile/injection.json: for every operation, what
// authFor returns (scheme names `__proto__`, `constructor`, `toString`, a cookie named
// `__proto__`, a query name full of quotes) and what withAuth really sends to a
// loopback server.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type Seen, type TestServer } from './helpers.js';
import { generateFixture, importGenerated } from '../helpers/generated.js';
import type { AuthParts, FetchLike, WithAuthOptions } from '../../templates/runtime/runtime-client.js';

type Credentials = Readonly<Record<string, unknown>>;
interface ClientModule {
  authFor(operationId: string, credentials: Credentials): Promise<AuthParts>;
  withAuth(fetchImpl: FetchLike, credentials: Credentials, options: WithAuthOptions): FetchLike;
  readonly MissingCredentialsError: new (...args: never[]) => Error;
}

const SCHEME_X = 'x"\';`${globalThis.__pwned = 1}`\n\u2028 */';
const QUERY_NAME = 'k"ey\'</script>\u2028${globalThis.__pwned = 1}';
const OP_ROOT = "'; globalThis.__pwned = 1; '";
const OP_DELETE = '*/ globalThis.__pwned = 1 /*\n\u2028';
const BASE_PATH = "/v1'\"`${x}";

// Computed keys define own properties: `__proto__` here is a scheme name, not the prototype.
const all: Credentials = {
  ['__proto__']: 'proto-key',
  [SCHEME_X]: 'app-id',
  constructor: 'q&"key',
  hasOwnProperty: 'tok',
  'a.b-c_d': { username: 'u', password: 'p:w' },
  toString: 'cookie-val',
  'OAuth (legacy)': 'oauth',
};
const only = (...names: string[]): Credentials => Object.fromEntries(names.map((n) => [n, all[n]]));
const basic = `Basic ${Buffer.from('u:p:w').toString('base64')}`;

/** Own entries, sorted, so a record that lost a key to its prototype shows it. */
const own = (record: Record<string, string>) => Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1));

interface Row {
  readonly name: string;
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly credentials: Credentials;
  readonly alternative: number;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly cookies?: Record<string, string>;
}

const rows: Row[] = [
  { name: 'root AND of `__proto__` + odd name', operation: OP_ROOT, method: 'GET', path: '/pets', credentials: all, alternative: 0, headers: { "X-Proto'Key`$": 'proto-key', 'X-App-Id': 'app-id' } },
  { name: '`constructor`: OAuth first', operation: 'constructor', method: 'POST', path: '/pets', credentials: all, alternative: 0, headers: { Authorization: 'Bearer oauth' } },
  { name: '`constructor`: Basic second', operation: 'constructor', method: 'POST', path: '/pets', credentials: only('a.b-c_d'), alternative: 1, headers: { Authorization: basic } },
  { name: '`toString`: query scheme `constructor`', operation: 'toString', method: 'GET', path: '/pets/7', credentials: all, alternative: 0, query: { [QUERY_NAME]: 'q&"key' } },
  { name: '`toString`: bearer scheme `hasOwnProperty`', operation: 'toString', method: 'GET', path: '/pets/7', credentials: only('hasOwnProperty'), alternative: 1, headers: { Authorization: 'Bearer tok' } },
  { name: 'delete: cookie `__proto__` of scheme `toString`', operation: OP_DELETE, method: 'DELETE', path: '/pets/7', credentials: all, alternative: 0, cookies: JSON.parse('{"__proto__":"cookie-val"}') as Record<string, string> },
  // `__proto__` is written `[{}, { 'OAuth (legacy)': [constructor] }]`: anonymous is 0, OAuth 1.
  { name: '`__proto__` operation: OAuth, identified', operation: '__proto__', method: 'GET', path: '/`$abc`/7', credentials: all, alternative: 1, headers: { Authorization: 'Bearer oauth' } },
  { name: '`__proto__` operation: anonymous', operation: '__proto__', method: 'GET', path: '/`$abc`/7', credentials: only('toString'), alternative: 0 },
  { name: '`hasOwnProperty`: public', operation: 'hasOwnProperty', method: 'GET', path: '/public', credentials: all, alternative: -1 },
];

let client: ClientModule;
let api: TestServer;

beforeAll(async () => {
  const dir = await generateFixture('specs/hostile/injection.json', 'client-hostile');
  client = await importGenerated<ClientModule>(dir, 'client.ts');
  api = await startServer((_req, res) => res.end('ok'));
}, 60_000);
afterAll(() => api.close());
beforeEach(() => {
  api.seen.length = 0;
});

function rawHeaders(seen: Seen | undefined): Map<string, string> {
  const raw = seen?.rawHeaders ?? [];
  const out = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) out.set((raw[i] as string).toLowerCase(), raw[i + 1] as string);
  return out;
}

describe('hostile spec client', () => {
  it.each(rows)('authFor $name', async (row) => {
    const parts = await client.authFor(row.operation, row.credentials);
    expect(parts.alternative).toBe(row.alternative);
    expect(own(parts.headers)).toEqual(own(row.headers ?? {}));
    expect(own(parts.query)).toEqual(own(row.query ?? {}));
    expect(own(parts.cookies)).toEqual(own(row.cookies ?? {}));
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it.each(rows)('withAuth sends $name', async (row) => {
    const authed = client.withAuth(fetch, row.credentials, { baseUrl: `${api.origin}${BASE_PATH}` });
    const response = await authed(`${api.origin}${BASE_PATH}${row.path}`, { method: row.method, headers: { cookie: 'theme=dark' } });
    expect(response.status).toBe(200);
    expect(api.seen).toHaveLength(1);
    const seen = api.seen[0];
    expect(seen?.method).toBe(row.method);
    const headers = rawHeaders(seen);
    for (const [name, value] of Object.entries(row.headers ?? {})) expect(headers.get(name.toLowerCase())).toBe(value);
    if (row.headers?.['Authorization'] === undefined) expect(headers.has('authorization')).toBe(false);
    const cookies = Object.entries(row.cookies ?? {}).map(([n, v]) => `; ${n}=${v}`).join('');
    expect(headers.get('cookie')).toBe(`theme=dark${cookies}`);
    const query = new URL(seen?.url ?? '', api.origin).searchParams;
    expect([...query.keys()]).toEqual(Object.keys(row.query ?? {}));
    for (const [name, value] of Object.entries(row.query ?? {})) expect(query.get(name)).toBe(value);
  });

  it('the cookie-only operation without its cookie is refused before anything is sent', async () => {
    await expect(client.authFor(OP_DELETE, only('__proto__'))).rejects.toBeInstanceOf(client.MissingCredentialsError);
    const authed = client.withAuth(fetch, only('__proto__'), { baseUrl: `${api.origin}${BASE_PATH}` });
    await expect(authed(`${api.origin}${BASE_PATH}/pets/7`, { method: 'DELETE' })).rejects.toBeInstanceOf(client.MissingCredentialsError);
    expect(api.seen).toHaveLength(0);
  });
});
