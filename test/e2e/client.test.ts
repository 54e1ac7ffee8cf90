// End to end over loopback: the GENERATED client (withAuth around the platform fetch,
// openapi-fetch with the generated middleware, axios with the generated interceptor)
// against the GENERATED Express 5 and Fastify 5 guards, all generated from
// specs/petstore.yaml into test-output/e2e-client/. Every server records each request
// that reaches it at the node:http level, so "refused before it left" is checked on
// the wire, not inferred from an error.

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import express, { type NextFunction, type Request as ExpressRequest, type Response as ExpressResponse } from 'express';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import createClient, { type Middleware } from 'openapi-fetch';
import axios, { type AxiosRequestConfig } from 'axios';
import { generateFixture, importGenerated } from '../helpers/generated.js';
import type * as Runtime from '../../templates/runtime/runtime-client.js';
import type { Guard, GuardOptions, RequestAuth } from '../../templates/runtime/runtime-server.js';

// ---------------------------------------------------------------------------
// Types of the generated modules (they live in test-output/, outside the type-checked tree)

type OperationId =
  | 'getHealth'
  | 'listPets'
  | 'createPet'
  | 'listMyPets'
  | 'showPetById'
  | 'deletePet'
  | 'put /pets/{petId}/photo'
  | 'searchPets'
  | 'getAdminStats';

type Source<T> = Runtime.CredentialSource<T> | undefined;
interface Credentials {
  readonly ApiKey?: Source<string>;
  readonly AppId?: Source<string>;
  readonly Basic?: Source<Runtime.BasicCredentials>;
  readonly Bearer?: Source<string>;
  readonly OAuth2?: Source<string>;
  readonly QueryKey?: Source<string>;
  readonly SessionCookie?: Source<string>;
}

interface ClientModule {
  authFor(operationId: OperationId, credentials: Credentials): Promise<Runtime.AuthParts>;
  withAuth(fetchImpl: Runtime.FetchLike, credentials: Credentials, options: Runtime.WithAuthOptions): Runtime.FetchLike;
  credentialsFromEnv(env?: Runtime.EnvLike, options?: { readonly prefix?: string }): Credentials;
  readonly clientAuth: Runtime.AuthSource<Credentials>;
  readonly envNames: Readonly<Record<string, string>>;
  readonly envVariables: Readonly<Record<string, readonly string[]>>;
  readonly MissingCredentialsError: typeof Runtime.MissingCredentialsError;
  readonly ForeignOriginError: typeof Runtime.ForeignOriginError;
  /** Per spec: `tokenUrl` optional, defaulting to the OAuth2 scheme's clientCredentials flow. */
  clientCredentialsToken(
    options: Omit<Runtime.ClientCredentialsOptions, 'tokenUrl'> & { readonly tokenUrl?: string | URL; readonly scheme?: 'OAuth2'; readonly baseUrl?: string | URL },
  ): () => Promise<string>;
}

interface VerifyContext {
  readonly operationId: string;
  readonly scheme: string;
  readonly scopes: readonly string[];
}
type Verifier = (value: unknown, context: VerifyContext) => unknown;
interface GuardModule {
  createGuard(verifiers: Readonly<Record<string, Verifier>>, options?: GuardOptions): Guard;
}

type ExpressAdapter = typeof import('../../templates/runtime/express.js');
type FastifyAdapter = typeof import('../../templates/runtime/fastify.js');
type OpenapiFetchAdapter = typeof import('../../templates/runtime/openapi-fetch.js');
type AxiosAdapter = typeof import('../../templates/runtime/axios.js');

// ---------------------------------------------------------------------------
// What the servers accept

const VALID = {
  ApiKey: 'key-valid',
  AppId: 'app-valid',
  Bearer: 'bearer-valid',
  OAuth2: 'oauth-write',
  QueryKey: 'q-valid',
  SessionCookie: 'sess-valid',
  Basic: { username: 'alice', password: 'secret' },
} as const;

// Awkward values, each accepted only exactly as written.
const ODD_QUERY_KEY = 'k&y=v a+l%2Fü#?';
const ODD_BASIC = { username: 'ユーザー', password: 'pa:ss:wörd ✓ 密码 😀' } as const;

const ACCEPTED_STRINGS: Readonly<Record<string, readonly string[]>> = {
  ApiKey: [VALID.ApiKey],
  AppId: [VALID.AppId],
  Bearer: [VALID.Bearer],
  QueryKey: [VALID.QueryKey, ODD_QUERY_KEY],
  SessionCookie: [VALID.SessionCookie],
};
const ACCEPTED_BASIC = [VALID.Basic, ODD_BASIC];
/** Which App IDs each API key's client owns. */
const APPS_OF_KEY: Readonly<Record<string, readonly string[]>> = { [VALID.ApiKey]: [VALID.AppId] };

/** OAuth2 access tokens the verifier knows, with their scopes (fixed ones plus those the token endpoint issues). */
const oauthTokens = new Map<string, readonly string[]>([
  [VALID.OAuth2, ['pets:write']],
  ['oauth-read', ['pets:read']],
]);

const stringVerifier =
  (scheme: string): Verifier =>
  (value) =>
    typeof value === 'string' && (ACCEPTED_STRINGS[scheme] ?? []).includes(value) ? { value } : null;

const verifiers: Readonly<Record<string, Verifier>> = {
  ApiKey: stringVerifier('ApiKey'),
  AppId: stringVerifier('AppId'),
  Bearer: stringVerifier('Bearer'),
  QueryKey: stringVerifier('QueryKey'),
  SessionCookie: stringVerifier('SessionCookie'),
  Basic: (value) => {
    const { username, password } = value as Runtime.BasicCredentials;
    return ACCEPTED_BASIC.some((b) => b.username === username && b.password === password) ? { value: { username, password } } : null;
  },
  OAuth2: (value) => {
    const scopes = typeof value === 'string' ? oauthTokens.get(value) : undefined;
    return scopes === undefined ? null : { value, scopes: [...scopes] };
  },
  // The pair's binding check: the App ID must be one the key's client owns.
  'ApiKey + AppId': (principals) => {
    const { ApiKey, AppId } = principals as { ApiKey: { value: string }; AppId: { value: string } };
    return APPS_OF_KEY[ApiKey.value]?.includes(AppId.value) === true;
  },
};

// ---------------------------------------------------------------------------
// Servers

interface Arrival {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  body?: string;
}

interface Running {
  readonly name: string;
  readonly origin: string;
  /** `${origin}/v1`, the client's baseUrl. */
  readonly base: string;
  readonly seen: Arrival[];
  close(): Promise<void>;
}

const arrival = (req: IncomingMessage): Arrival => ({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } });

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closeNodeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.closeAllConnections();
    server.close((err) => (err ? reject(err) : resolve()));
  });
}

/** What a handler answers: which route ran and what the guard decided; or a redirect to the sink. */
interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

let sink: Running;

function answer(server: string, route: OperationId, auth: RequestAuth | undefined, url: string, headers: IncomingHttpHeaders, received: unknown): Answer {
  const parsed = new URL(url, 'http://placeholder');
  const redirect = parsed.searchParams.get('redirect');
  if (redirect !== null) {
    if (parsed.searchParams.get('to') === 'same') {
      // Same origin, same path, redirect parameters dropped.
      parsed.searchParams.delete('redirect');
      parsed.searchParams.delete('to');
      return { status: Number(redirect), headers: { location: `${parsed.pathname}${parsed.search}` }, body: '' };
    }
    // A careless server: echoes the whole query string into a cross-origin Location.
    return { status: Number(redirect), headers: { location: `${sink.origin}/landing${parsed.search}` }, body: '' };
  }
  const body = {
    server,
    route,
    operationId: auth?.operationId ?? null,
    alternative: auth?.alternative ?? null,
    anonymous: auth?.anonymous ?? null,
    principals: auth?.principals ?? null,
    url,
    cookie: headers.cookie ?? null,
    authorization: headers.authorization ?? null,
    body: typeof received === 'string' && received !== '' ? received : null,
  };
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** [method, express/fastify path under /v1, operation the route serves]; /pets/mine before /pets/:petId. */
const ROUTES: readonly (readonly ['get' | 'post' | 'put' | 'delete', string, OperationId])[] = [
  ['get', '/health', 'getHealth'],
  ['get', '/pets', 'listPets'],
  ['post', '/pets', 'createPet'],
  ['get', '/pets/mine', 'listMyPets'],
  ['get', '/pets/:petId', 'showPetById'],
  ['delete', '/pets/:petId', 'deletePet'],
  ['put', '/pets/:petId/photo', 'put /pets/{petId}/photo'],
  ['get', '/search', 'searchPets'],
  ['get', '/admin/stats', 'getAdminStats'],
];

async function startExpress(adapter: ExpressAdapter, guard: Guard): Promise<Running> {
  const app = express();
  app.use(adapter.authMiddleware(guard));
  app.use(express.text({ type: () => true }));
  const router = express.Router();
  for (const [method, path, route] of ROUTES) {
    router[method](path, (req: ExpressRequest, res: ExpressResponse) => {
      const a = answer('express', route, adapter.authOf(req, guard), req.originalUrl, req.headers, req.body);
      res.status(a.status).set(a.headers).send(a.body);
    });
  }
  app.use('/v1', router);
  app.use((err: unknown, _req: ExpressRequest, res: ExpressResponse, _next: NextFunction) => {
    res.status(500).json({ error: String(err) });
  });
  const seen: Arrival[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(arrival(req));
    app(req, res);
  });
  const origin = await listen(server);
  return { name: 'express', origin, base: `${origin}/v1`, seen, close: () => closeNodeServer(server) };
}

async function startFastify(adapter: FastifyAdapter, guard: Guard): Promise<Running> {
  const seen: Arrival[] = [];
  const app: FastifyInstance = Fastify({
    forceCloseConnections: true,
    serverFactory: (handler) =>
      createServer((req, res) => {
        seen.push(arrival(req));
        handler(req, res);
      }),
  });
  app.addHook('onRequest', adapter.authHook(guard));
  // Bodies as text, whatever the type, so handlers can echo them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  await app.register(
    async (scope) => {
      for (const [method, path, route] of ROUTES) {
        scope[method](path, async (request: FastifyRequest, reply: FastifyReply) => {
          const a = answer('fastify', route, request.auth, request.url, request.headers, request.body);
          return reply.code(a.status).headers(a.headers).send(a.body);
        });
      }
    },
    { prefix: '/v1' },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { name: 'fastify', origin, base: `${origin}/v1`, seen, close: () => app.close() };
}

async function startPlain(name: string, handler: (req: Arrival, res: ServerResponse) => void): Promise<Running> {
  const seen: Arrival[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { ...arrival(req), body: Buffer.concat(chunks).toString('utf8') };
      seen.push(entry);
      handler(entry, res);
    });
  });
  const origin = await listen(server);
  return { name, origin, base: `${origin}/v1`, seen, close: () => closeNodeServer(server) };
}

// ---------------------------------------------------------------------------
// Setup

let gen: ClientModule;
let oaf: OpenapiFetchAdapter;
let ax: AxiosAdapter;
let servers: Record<'express' | 'fastify', Running>;
let tokenEndpoint: Running;
const CLIENT_ID = 'e2e-client';
const CLIENT_SECRET = 's3cr3t:with&odd=chars';

beforeAll(async () => {
  const dir = await generateFixture('specs/petstore.yaml', 'e2e-client');
  const [client, guardModule, expressAdapter, fastifyAdapter, openapiFetch, axiosAdapter] = await Promise.all([
    importGenerated<ClientModule>(dir, 'client.ts'),
    importGenerated<GuardModule>(dir, 'guard.ts'),
    importGenerated<ExpressAdapter>(dir, 'express.ts'),
    importGenerated<FastifyAdapter>(dir, 'fastify.ts'),
    importGenerated<OpenapiFetchAdapter>(dir, 'openapi-fetch.ts'),
    importGenerated<AxiosAdapter>(dir, 'axios.ts'),
  ]);
  gen = client;
  oaf = openapiFetch;
  ax = axiosAdapter;
  sink = await startPlain('sink', (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"sink":true}');
  });
  let issued = 0;
  tokenEndpoint = await startPlain('token', (req, res) => {
    const form = new URLSearchParams(req.body);
    const expected = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${new URLSearchParams([['', CLIENT_SECRET]]).toString().slice(1)}`).toString('base64')}`;
    res.setHeader('content-type', 'application/json');
    if (req.method !== 'POST' || req.headers.authorization !== expected || form.get('grant_type') !== 'client_credentials') {
      res.statusCode = 401;
      res.end('{"error":"invalid_client"}');
      return;
    }
    const scopes = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
    const token = `issued-${++issued}-${Math.random().toString(36).slice(2)}`;
    oauthTokens.set(token, scopes);
    res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600, scope: scopes.join(' ') }));
  });
  servers = {
    express: await startExpress(expressAdapter, guardModule.createGuard(verifiers)),
    fastify: await startFastify(fastifyAdapter, guardModule.createGuard(verifiers)),
  };
});

afterAll(async () => {
  await Promise.all([servers?.express.close(), servers?.fastify.close(), sink?.close(), tokenEndpoint?.close()]);
});

beforeEach(() => {
  for (const s of [servers.express, servers.fastify, sink, tokenEndpoint]) s.seen.length = 0;
});

/** Nothing reached any server (token endpoint included unless `except`). */
function expectSilence(...except: Running[]): void {
  for (const s of [servers.express, servers.fastify, sink, tokenEndpoint]) {
    if (!except.includes(s)) expect(s.seen, `${s.name} received a request`).toEqual([]);
  }
}

// ---------------------------------------------------------------------------
// The three clients, behind one calling convention

interface OpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Spec path template (openapi-fetch's schemaPath). */
  readonly template: string;
  /** A concrete path for it. */
  readonly path: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

const OPS: Readonly<Record<OperationId, OpRequest>> = {
  getHealth: { method: 'GET', template: '/health', path: '/health' },
  listPets: { method: 'GET', template: '/pets', path: '/pets' },
  createPet: { method: 'POST', template: '/pets', path: '/pets', body: { name: 'rex' } },
  listMyPets: { method: 'GET', template: '/pets/mine', path: '/pets/mine' },
  showPetById: { method: 'GET', template: '/pets/{petId}', path: '/pets/42', params: { petId: '42' } },
  deletePet: { method: 'DELETE', template: '/pets/{petId}', path: '/pets/42', params: { petId: '42' } },
  'put /pets/{petId}/photo': { method: 'PUT', template: '/pets/{petId}/photo', path: '/pets/42/photo', params: { petId: '42' }, body: { photo: 'cat.png' } },
  searchPets: { method: 'GET', template: '/search', path: '/search' },
  getAdminStats: { method: 'GET', template: '/admin/stats', path: '/admin/stats' },
};

interface Extra {
  readonly headers?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly redirect?: RequestRedirect;
}

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

type ClientName = 'fetch' | 'openapi-fetch' | 'axios';
const CLIENTS: readonly ClientName[] = ['fetch', 'openapi-fetch', 'axios'];

function parse(value: unknown): Record<string, unknown> {
  if (typeof value !== 'string') return (value ?? {}) as Record<string, unknown>;
  try {
    return JSON.parse(value) as Record<string, unknown>;
  } catch {
    return { text: value };
  }
}

/** openapi-fetch's `request`, typed loosely (the real paths type would come from openapi-typescript). */
interface LooseOpenapiClient {
  use(...middleware: Middleware[]): void;
  request(
    method: string,
    url: string,
    init: {
      params: { path: Readonly<Record<string, string>>; query: Readonly<Record<string, string>> };
      body?: unknown;
      headers?: Readonly<Record<string, string>>;
      redirect?: RequestRedirect;
      baseUrl?: string;
      parseAs: 'text';
    },
  ): Promise<{ data?: unknown; error?: unknown; response: Response }>;
}

function openapiClient(baseUrl: string, fetchImpl?: Runtime.FetchLike): LooseOpenapiClient {
  return createClient(fetchImpl === undefined ? { baseUrl } : { baseUrl, fetch: fetchImpl }) as unknown as LooseOpenapiClient;
}

async function viaFetch(target: Running, credentials: Credentials, op: OperationId, extra: Extra = {}): Promise<Reply> {
  const o = OPS[op];
  const f = gen.withAuth(fetch, credentials, { baseUrl: target.base });
  const url = new URL(`${target.base}${o.path}`);
  for (const [k, v] of Object.entries(extra.query ?? {})) url.searchParams.set(k, v);
  const res = await f(url, {
    method: o.method,
    headers: { ...(o.body === undefined ? {} : { 'content-type': 'application/json' }), ...extra.headers },
    body: o.body === undefined ? null : JSON.stringify(o.body),
    ...(extra.redirect === undefined ? {} : { redirect: extra.redirect }),
  });
  return { status: res.status, body: parse(await res.text()) };
}

async function viaOpenapiFetch(target: Running, credentials: Credentials, op: OperationId, extra: Extra = {}, fetchImpl?: Runtime.FetchLike): Promise<Reply> {
  const o = OPS[op];
  const client = openapiClient(target.base, fetchImpl);
  if (fetchImpl === undefined) client.use(oaf.authMiddleware(gen.clientAuth, credentials, { baseUrl: target.base }));
  const r = await client.request(o.method.toLowerCase(), o.template, {
    params: { path: o.params ?? {}, query: extra.query ?? {} },
    parseAs: 'text',
    ...(o.body === undefined ? {} : { body: o.body }),
    ...(extra.headers === undefined ? {} : { headers: extra.headers }),
    ...(extra.redirect === undefined ? {} : { redirect: extra.redirect }),
  });
  return { status: r.response.status, body: parse(r.data ?? r.error) };
}

async function viaAxios(target: Running, credentials: Credentials, op: OperationId, extra: Extra = {}): Promise<Reply> {
  const o = OPS[op];
  const instance = axios.create({ baseURL: target.base, validateStatus: () => true });
  instance.interceptors.request.use(ax.authInterceptor(gen.clientAuth, credentials, { baseUrl: target.base }));
  const config: AxiosRequestConfig = {
    method: o.method,
    url: o.path,
    responseType: 'text',
    transformResponse: (data: unknown) => data,
    ...(extra.query === undefined ? {} : { params: { ...extra.query } }),
    ...(extra.headers === undefined ? {} : { headers: { ...extra.headers } }),
    ...(o.body === undefined ? {} : { data: o.body }),
    ...(extra.redirect === 'manual' ? { maxRedirects: 0 } : {}),
  };
  const r = await instance.request<string>(config);
  return { status: r.status, body: parse(r.data) };
}

function call(client: ClientName, target: Running, credentials: Credentials, op: OperationId, extra: Extra = {}): Promise<Reply> {
  if (client === 'fetch') return viaFetch(target, credentials, op, extra);
  if (client === 'openapi-fetch') return viaOpenapiFetch(target, credentials, op, extra);
  return viaAxios(target, credentials, op, extra);
}

// ---------------------------------------------------------------------------
// Tables

const P = {
  ApiKey: { value: VALID.ApiKey },
  AppId: { value: VALID.AppId },
  Bearer: { value: VALID.Bearer },
  OAuth2: { value: VALID.OAuth2, scopes: ['pets:write'] },
  QueryKey: { value: VALID.QueryKey },
  SessionCookie: { value: VALID.SessionCookie },
  Basic: { value: VALID.Basic },
} as const;

interface Case {
  readonly op: OperationId;
  /** The index in the operation's `security` as written (`{}` counted); -1: public operation. */
  readonly alternative: number;
  /** Public, or the anonymous `{}` of an optional operation. */
  readonly anonymous?: true;
  readonly credentials: Credentials;
  /** What the server's handler must see in the principals: exactly this alternative's schemes. */
  readonly principals: Readonly<Record<string, unknown>>;
}

const KEY_PAIR: Credentials = { ApiKey: VALID.ApiKey, AppId: VALID.AppId };
const KEY_PAIR_PRINCIPALS = { ApiKey: P.ApiKey, AppId: P.AppId };

/**
 * Every alternative of every operation in specs/petstore.yaml, with credentials for
 * exactly that alternative. `alternative` is the index as written: showPetById is
 * `[{}, { ApiKey, AppId }, { Bearer }]`; listPets and the photo upload inherit the root
 * `[{ ApiKey, AppId }, { Bearer }]`.
 */
const CASES: readonly Case[] = [
  { op: 'getHealth', alternative: -1, anonymous: true, credentials: {}, principals: {} },
  { op: 'listPets', alternative: 0, credentials: KEY_PAIR, principals: KEY_PAIR_PRINCIPALS },
  { op: 'listPets', alternative: 1, credentials: { Bearer: VALID.Bearer }, principals: { Bearer: P.Bearer } },
  { op: 'createPet', alternative: 0, credentials: { OAuth2: VALID.OAuth2 }, principals: { OAuth2: P.OAuth2 } },
  { op: 'createPet', alternative: 1, credentials: KEY_PAIR, principals: KEY_PAIR_PRINCIPALS },
  { op: 'listMyPets', alternative: 0, credentials: { SessionCookie: VALID.SessionCookie }, principals: { SessionCookie: P.SessionCookie } },
  { op: 'showPetById', alternative: 0, anonymous: true, credentials: {}, principals: {} },
  { op: 'showPetById', alternative: 1, credentials: KEY_PAIR, principals: KEY_PAIR_PRINCIPALS },
  { op: 'showPetById', alternative: 2, credentials: { Bearer: VALID.Bearer }, principals: { Bearer: P.Bearer } },
  { op: 'deletePet', alternative: 0, credentials: { OAuth2: VALID.OAuth2 }, principals: { OAuth2: P.OAuth2 } },
  { op: 'deletePet', alternative: 1, credentials: { Basic: VALID.Basic }, principals: { Basic: P.Basic } },
  { op: 'put /pets/{petId}/photo', alternative: 0, credentials: KEY_PAIR, principals: KEY_PAIR_PRINCIPALS },
  { op: 'put /pets/{petId}/photo', alternative: 1, credentials: { Bearer: VALID.Bearer }, principals: { Bearer: P.Bearer } },
  { op: 'searchPets', alternative: 0, credentials: { QueryKey: VALID.QueryKey }, principals: { QueryKey: P.QueryKey } },
  { op: 'getAdminStats', alternative: 0, credentials: { Basic: VALID.Basic }, principals: { Basic: P.Basic } },
];

/** Per operation, what each alternative needs (for MissingCredentialsError) and credentials that satisfy none. */
const UNSATISFIABLE: readonly { readonly op: OperationId; readonly needs: string[][]; readonly credentials: Credentials }[] = [
  { op: 'listPets', needs: [['ApiKey', 'AppId'], ['Bearer']], credentials: { ApiKey: VALID.ApiKey, OAuth2: VALID.OAuth2 } },
  { op: 'createPet', needs: [['OAuth2'], ['ApiKey', 'AppId']], credentials: { AppId: VALID.AppId, Bearer: VALID.Bearer, Basic: VALID.Basic } },
  { op: 'listMyPets', needs: [['SessionCookie']], credentials: { ...KEY_PAIR, Bearer: VALID.Bearer, QueryKey: VALID.QueryKey } },
  { op: 'deletePet', needs: [['OAuth2'], ['Basic']], credentials: { ...KEY_PAIR, Bearer: VALID.Bearer, OAuth2: '', Basic: { username: '', password: '' } } },
  { op: 'put /pets/{petId}/photo', needs: [['ApiKey', 'AppId'], ['Bearer']], credentials: { AppId: VALID.AppId, Basic: VALID.Basic, Bearer: () => undefined } },
  { op: 'searchPets', needs: [['QueryKey']], credentials: { ApiKey: VALID.ApiKey, SessionCookie: VALID.SessionCookie, QueryKey: async () => '' } },
  { op: 'getAdminStats', needs: [['Basic']], credentials: { Bearer: VALID.Bearer, OAuth2: VALID.OAuth2 } },
];

const SERVER_NAMES = ['express', 'fastify'] as const;

// ---------------------------------------------------------------------------
// Tests

describe.each(SERVER_NAMES)('generated %s server', (serverName) => {
  const target = (): Running => servers[serverName];

  describe.each(CLIENTS)('generated client via %s', (client) => {
    for (const c of CASES) {
      const label = c.anonymous ? `anonymous / public [${c.alternative}]` : `[${c.alternative}] ${Object.keys(c.principals).join(' + ')}`;
      it(`${c.op}: alternative ${label} succeeds with exactly its credentials`, async () => {
        // The client picks the same alternative the server then verifies.
        expect((await gen.authFor(c.op, c.credentials)).alternative).toBe(c.alternative);
        const reply = await call(client, target(), c.credentials, c.op);
        expect(reply.status, JSON.stringify(reply.body)).toBe(200);
        expect({
          server: reply.body['server'],
          route: reply.body['route'],
          operationId: reply.body['operationId'],
          alternative: reply.body['alternative'],
          anonymous: reply.body['anonymous'],
          principals: reply.body['principals'],
        }).toEqual({ server: serverName, route: c.op, operationId: c.op, alternative: c.alternative, anonymous: c.anonymous === true, principals: c.principals });
        expect(target().seen).toHaveLength(1);
        expectSilence(target());
      });
    }

    it('with every credential at hand, each operation gets its first alternative', async () => {
      const all: Credentials = { ...KEY_PAIR, Bearer: VALID.Bearer, OAuth2: VALID.OAuth2, Basic: VALID.Basic, QueryKey: VALID.QueryKey, SessionCookie: VALID.SessionCookie };
      const first = new Map<OperationId, Case>();
      for (const c of CASES) if (!first.has(c.op) && c.anonymous !== true) first.set(c.op, c);
      for (const [op, c] of first) {
        const reply = await call(client, target(), all, op);
        expect([op, reply.status, reply.body['alternative'], reply.body['principals']]).toEqual([op, 200, c.alternative, c.principals]);
      }
      const health = await call(client, target(), all, 'getHealth');
      expect([health.status, health.body['authorization'], health.body['cookie']]).toEqual([200, null, null]);
      expect(target().seen).toHaveLength(first.size + 1);
      // Credentials of schemes an operation does not use are not sent.
      const arrivedHealth = target().seen.at(-1);
      expect(arrivedHealth?.url).toBe('/v1/health');
      expect(arrivedHealth?.headers['x-api-key']).toBeUndefined();
      expect(arrivedHealth?.headers['x-app-id']).toBeUndefined();
    });

    it('missing credentials are refused before a request leaves (MissingCredentialsError, nothing arrives)', async () => {
      for (const { op, needs, credentials } of UNSATISFIABLE) {
        for (const creds of [{}, credentials]) {
          const error = await call(client, target(), creds, op).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, `${op} with ${Object.keys(creds).join(',') || 'nothing'}`).toBeInstanceOf(gen.MissingCredentialsError);
          const missing = error as Runtime.MissingCredentialsError;
          expect(missing.operationId).toBe(op);
          expect(missing.alternatives).toEqual(needs);
          expect(missing.message).not.toMatch(/key-valid|app-valid|bearer-valid|oauth-write|q-valid|sess-valid|secret/);
        }
      }
      expectSilence();
    });

    it('a request to another origin is refused with ForeignOriginError and nothing is sent', async () => {
      const other = serverName === 'express' ? servers.fastify : servers.express;
      const credentials: Credentials = { ...KEY_PAIR, Bearer: VALID.Bearer };
      const attempts: (() => Promise<unknown>)[] =
        client === 'fetch'
          ? [
              () => gen.withAuth(fetch, credentials, { baseUrl: target().base })(`${other.base}/pets`),
              () => gen.withAuth(fetch, credentials, { baseUrl: target().base })(`${sink.origin}/v1/pets/1`),
              () => gen.withAuth(fetch, credentials, { baseUrl: target().base })(`//${new URL(sink.origin).host}/v1/health`),
            ]
          : client === 'openapi-fetch'
            ? [
                () => {
                  const c = openapiClient(target().base);
                  c.use(oaf.authMiddleware(gen.clientAuth, credentials, { baseUrl: target().base }));
                  return c.request('get', '/pets', { params: { path: {}, query: {} }, parseAs: 'text', baseUrl: other.base });
                },
                () => {
                  const c = openapiClient(target().base);
                  c.use(oaf.authMiddleware(gen.clientAuth, credentials, { baseUrl: target().base }));
                  return c.request('get', '/pets/{petId}', { params: { path: { petId: '1' }, query: {} }, parseAs: 'text', baseUrl: `${sink.origin}/v1` });
                },
              ]
            : [
                () => {
                  const i = axios.create({ baseURL: target().base });
                  i.interceptors.request.use(ax.authInterceptor(gen.clientAuth, credentials, { baseUrl: target().base }));
                  return i.get(`${other.base}/pets`);
                },
                () => {
                  const i = axios.create({ baseURL: target().base });
                  i.interceptors.request.use(ax.authInterceptor(gen.clientAuth, credentials, { baseUrl: target().base }));
                  return i.get(`//${new URL(sink.origin).host}/v1/pets/1`);
                },
              ];
      for (const attempt of attempts) await expect(attempt()).rejects.toBeInstanceOf(gen.ForeignOriginError);
      expectSilence();
    });

    it('Basic with a colon and non-Latin-1 characters in the password round-trips exactly', async () => {
      const reply = await call(client, target(), { Basic: ODD_BASIC }, 'getAdminStats');
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(reply.body['principals']).toEqual({ Basic: { value: ODD_BASIC } });
      expect(target().seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`${ODD_BASIC.username}:${ODD_BASIC.password}`, 'utf8').toString('base64')}`);
    });

    it('a query key with &, =, space, + and % is URL-encoded and round-trips', async () => {
      const reply = await call(client, target(), { QueryKey: ODD_QUERY_KEY }, 'searchPets', { query: { q: 'cat food' } });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(reply.body['principals']).toEqual({ QueryKey: { value: ODD_QUERY_KEY } });
      const url = new URL(target().seen[0]?.url ?? '', 'http://x');
      expect(url.searchParams.getAll('api_key')).toEqual([ODD_QUERY_KEY]);
      expect(url.searchParams.getAll('q')).toEqual(['cat food']);
      expect(url.pathname).toBe('/v1/search');
    });

    it('the session cookie is merged into an existing Cookie header (same name replaced, others kept)', async () => {
      const reply = await call(client, target(), { SessionCookie: VALID.SessionCookie }, 'listMyPets', {
        headers: { Cookie: 'theme=dark; session=stale; lang=en' },
      });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(reply.body['cookie']).toBe('theme=dark; lang=en; session=sess-valid');
      expect(reply.body['principals']).toEqual({ SessionCookie: P.SessionCookie });
    });

    it('a Bearer token given with or without the "Bearer " prefix is sent with exactly one', async () => {
      for (const given of [VALID.Bearer, `Bearer ${VALID.Bearer}`, `bearer  ${VALID.Bearer}`]) {
        const reply = await call(client, target(), { Bearer: given }, 'listPets');
        expect([given, reply.status, reply.body['authorization'], reply.body['principals']]).toEqual([
          given,
          200,
          `Bearer ${VALID.Bearer}`,
          { Bearer: P.Bearer },
        ]);
      }
    });

    it('credentialsFromEnv with a fake env gives credentials that work end to end', async () => {
      const env = {
        PETSTORE_API_KEY: VALID.ApiKey,
        PETSTORE_APP_ID: VALID.AppId,
        PETSTORE_BASIC_USERNAME: ODD_BASIC.username,
        PETSTORE_BASIC_PASSWORD: ODD_BASIC.password,
        PETSTORE_BEARER: VALID.Bearer,
        PETSTORE_OAUTH2: VALID.OAuth2,
        PETSTORE_QUERY_KEY: ODD_QUERY_KEY,
        PETSTORE_SESSION_COOKIE: VALID.SessionCookie,
        API_KEY: 'unprefixed-is-ignored',
      };
      // The names carry the prefix from the spec's title (Petstore (security example) -> PETSTORE_): no runtime prefix needed.
      expect(gen.envVariables).toEqual({
        ApiKey: ['PETSTORE_API_KEY'],
        AppId: ['PETSTORE_APP_ID'],
        Bearer: ['PETSTORE_BEARER'],
        Basic: ['PETSTORE_BASIC_USERNAME', 'PETSTORE_BASIC_PASSWORD'],
        OAuth2: ['PETSTORE_OAUTH2'],
        QueryKey: ['PETSTORE_QUERY_KEY'],
        SessionCookie: ['PETSTORE_SESSION_COOKIE'],
      });
      const credentials = gen.credentialsFromEnv(env);
      const expected: [OperationId, number, string[]][] = [
        ['listPets', 0, ['ApiKey', 'AppId']],
        ['createPet', 0, ['OAuth2']],
        ['listMyPets', 0, ['SessionCookie']],
        ['showPetById', 1, ['ApiKey', 'AppId']],
        ['deletePet', 0, ['OAuth2']],
        ['put /pets/{petId}/photo', 0, ['ApiKey', 'AppId']],
        ['searchPets', 0, ['QueryKey']],
        ['getAdminStats', 0, ['Basic']],
      ];
      for (const [op, alternative, schemes] of expected) {
        const reply = await call(client, target(), credentials, op);
        expect([op, reply.status, reply.body['alternative'], Object.keys(reply.body['principals'] ?? {}).sort()]).toEqual([op, 200, alternative, schemes]);
      }
      // A partial env (unset AppId, empty Basic password): the next satisfiable alternative, or a refusal.
      const partial = gen.credentialsFromEnv({ PETSTORE_API_KEY: VALID.ApiKey, PETSTORE_BEARER: VALID.Bearer, PETSTORE_BASIC_USERNAME: 'alice', PETSTORE_BASIC_PASSWORD: '', APP_ID: VALID.AppId });
      const listed = await call(client, target(), partial, 'listPets');
      expect([listed.status, listed.body['alternative'], listed.body['principals']]).toEqual([200, 1, { Bearer: P.Bearer }]);
      target().seen.length = 0;
      await expect(call(client, target(), partial, 'getAdminStats')).rejects.toBeInstanceOf(gen.MissingCredentialsError);
      expectSilence();
    });

    it('createPet passes with a client-credentials token from a local token endpoint (scope pets:write)', async () => {
      const token = gen.clientCredentialsToken({ tokenUrl: `${tokenEndpoint.origin}/oauth/token`, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: ['pets:write'] });
      const credentials: Credentials = { OAuth2: token, ...KEY_PAIR }; // OAuth2 is createPet's first alternative
      const created = await call(client, target(), credentials, 'createPet');
      const deleted = await call(client, target(), credentials, 'deletePet');
      expect(tokenEndpoint.seen).toHaveLength(1); // cached across calls
      expect(tokenEndpoint.seen[0]?.body).toBe('grant_type=client_credentials&scope=pets%3Awrite');
      const issued = await token();
      expect(issued).toMatch(/^issued-/);
      for (const reply of [created, deleted]) {
        expect([reply.status, reply.body['alternative'], reply.body['principals'], reply.body['authorization']]).toEqual([
          200,
          0,
          { OAuth2: { value: issued, scopes: ['pets:write'] } },
          `Bearer ${issued}`,
        ]);
      }
      // tokenUrl omitted: the spec's clientCredentials flow (https://auth.example.com/oauth/token),
      // answered here by the local endpoint since that host is not ours.
      const asked: string[] = [];
      const byDefault = gen.clientCredentialsToken({
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        scopes: ['pets:write'],
        fetch: (input, init) => {
          asked.push(String(input));
          return fetch(`${tokenEndpoint.origin}/oauth/token`, init);
        },
      });
      const viaDefault = await call(client, target(), { OAuth2: byDefault }, 'createPet');
      expect(asked).toEqual(['https://auth.example.com/oauth/token']);
      expect([viaDefault.status, viaDefault.body['alternative']]).toEqual([200, 0]);
      // A token without pets:write reaches the server and is refused there with 403.
      const readOnly = gen.clientCredentialsToken({ tokenUrl: `${tokenEndpoint.origin}/oauth/token`, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: ['pets:read'] });
      const refused = await call(client, target(), { OAuth2: readOnly }, 'createPet');
      expect([refused.status, refused.body['requiredScopes']]).toEqual([403, ['pets:write']]);
    });
  });

  // -------------------------------------------------------------------------
  // Redirects: cross-origin ones strip every credential; same-origin 307s replay the body

  interface RedirectCase {
    readonly op: OperationId;
    readonly status: 302 | 307;
    readonly credentials: Credentials;
    readonly headers?: Readonly<Record<string, string>>;
  }
  const REDIRECTS: readonly RedirectCase[] = [
    { op: 'listPets', status: 302, credentials: KEY_PAIR },
    { op: 'listPets', status: 307, credentials: { Bearer: VALID.Bearer } },
    { op: 'createPet', status: 307, credentials: KEY_PAIR },
    { op: 'deletePet', status: 302, credentials: { Basic: VALID.Basic } },
    { op: 'searchPets', status: 302, credentials: { QueryKey: VALID.QueryKey } },
    { op: 'listMyPets', status: 307, credentials: { SessionCookie: VALID.SessionCookie }, headers: { Cookie: 'theme=dark' } },
  ];
  const SECRETS = /key-valid|app-valid|bearer-valid|q-valid|sess-valid|YWxpY2U6c2VjcmV0/;

  /** The redirecting server got the credentials; the sink got the same request without any of them. */
  function expectStripped(c: RedirectCase): void {
    expect(target().seen).toHaveLength(1);
    expect(JSON.stringify(target().seen[0]?.headers) + (target().seen[0]?.url ?? '')).toMatch(SECRETS);
    expect(sink.seen).toHaveLength(1);
    const landed = sink.seen[0];
    const url = new URL(landed?.url ?? '', 'http://x');
    expect(url.pathname).toBe('/landing');
    expect(url.searchParams.get('redirect')).toBe(String(c.status));
    expect(url.searchParams.has('api_key')).toBe(false);
    expect(landed?.headers['x-api-key']).toBeUndefined();
    expect(landed?.headers['x-app-id']).toBeUndefined();
    expect(landed?.headers['authorization']).toBeUndefined();
    expect(landed?.headers['cookie']).toBeUndefined();
    expect(JSON.stringify(landed)).not.toMatch(SECRETS);
    if (c.status === 307 && OPS[c.op].body !== undefined) {
      // 307 replays method and body, but not the credentials.
      expect([landed?.method, landed?.body]).toEqual([OPS[c.op].method, JSON.stringify(OPS[c.op].body)]);
    }
  }

  describe('redirects: credentials never reach another origin, bodies are replayed', () => {
    it.each(REDIRECTS)('withAuth (redirect: safe, the default) follows a $status for $op without them', async (c) => {
      const reply = await viaFetch(target(), c.credentials, c.op, { query: { redirect: String(c.status) }, ...(c.headers ? { headers: c.headers } : {}) });
      expect([reply.status, reply.body]).toEqual([200, { sink: true }]);
      expectStripped(c);
    });

    it.each(REDIRECTS)('openapi-fetch with withAuth as its fetch (the documented redirect-safe setup): $status for $op', async (c) => {
      const f = gen.withAuth(fetch, c.credentials, { baseUrl: target().base });
      const reply = await viaOpenapiFetch(target(), c.credentials, c.op, { query: { redirect: String(c.status) }, ...(c.headers ? { headers: c.headers } : {}) }, f);
      expect([reply.status, reply.body]).toEqual([200, { sink: true }]);
      expectStripped(c);
    });

    it.each(REDIRECTS)('the openapi-fetch middleware alone never follows a $status for $op: the caller gets it, the other origin nothing', async (c) => {
      const reply = await viaOpenapiFetch(target(), c.credentials, c.op, { query: { redirect: String(c.status) }, ...(c.headers ? { headers: c.headers } : {}) });
      expect(reply.status).toBe(c.status);
      expect(target().seen).toHaveLength(1);
      expect(sink.seen).toEqual([]);
    });

    it('the openapi-fetch middleware leaves a request without credentials (public operation) to the platform', async () => {
      const reply = await viaOpenapiFetch(target(), {}, 'getHealth', { query: { redirect: '302' } });
      expect([reply.status, reply.body]).toEqual([200, { sink: true }]);
      expect(sink.seen).toHaveLength(1);
    });

    it.each(REDIRECTS)('axios with the interceptor (follow-redirects) follows a $status for $op without them', async (c) => {
      const reply = await viaAxios(target(), c.credentials, c.op, { query: { redirect: String(c.status) }, ...(c.headers ? { headers: c.headers } : {}) });
      expect([reply.status, reply.body]).toEqual([200, { sink: true }]);
      expectStripped(c);
    });

    it.each(CLIENTS.filter((c) => c !== 'openapi-fetch'))('a same-origin 307 on createPet replays method and body, with the credentials, via %s', async (client) => {
      const reply = await call(client, target(), KEY_PAIR, 'createPet', { query: { redirect: '307', to: 'same' } });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect([reply.body['route'], reply.body['alternative'], reply.body['principals'], reply.body['url'], reply.body['body']]).toEqual([
        'createPet',
        1,
        KEY_PAIR_PRINCIPALS,
        '/v1/pets',
        JSON.stringify(OPS.createPet.body),
      ]);
      expect(target().seen.map((a) => [a.method, a.url.split('?')[0]])).toEqual([
        ['POST', '/v1/pets'],
        ['POST', '/v1/pets'],
      ]);
      expectSilence(target());
    });

    it("withAuth with redirect: 'native' refuses a request that carries credentials and would follow redirects: nothing is sent", async () => {
      const f = gen.withAuth(fetch, KEY_PAIR, { baseUrl: target().base, redirect: 'native' });
      await expect(f(`${target().base}/pets?redirect=307&to=same`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"rex"}' })).rejects.toThrow(/redirect 'native' cannot keep credentials/);
      expect(target().seen).toHaveLength(0);
      expectSilence(target());
    });

    it("withAuth honours the caller's redirect: 'manual': the 302 comes back, nothing reaches the other origin", async () => {
      const reply = await viaFetch(target(), KEY_PAIR, 'listPets', { query: { redirect: '302' }, redirect: 'manual' });
      expect(reply.status).toBe(302);
      expect(target().seen).toHaveLength(1);
      expectSilence(target());
    });
  });
});
