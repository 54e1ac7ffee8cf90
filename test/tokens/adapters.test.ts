// End to end: the token verifiers as the verifiers of the spec's token schemes, in every
// adapter (Express, Fastify, Koa, Hono, Fetch, node:http), app-wide and per route, over
// loopback with real `fetch`, all from a folder generated with `jwt` and `introspection`
// (test/tokens/tokens.yaml): `jwtVerifier` on the JWKS URL for the http bearer scheme,
// `jwtVerifierFor` with discovery from the spec's openIdConnect scheme, and
// `introspectionVerifier` for the OAuth2 scheme. A valid token reaches the handler with
// its principal; a token without the scope is a 403 `insufficient_scope`; a bad token a
// 401 `invalid_token` whose body holds no claim; an issuer whose keys cannot be read a 503.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { serve } from '@hono/node-server';
import Router from '@koa/router';
import express from 'express';
import { fastify } from 'fastify';
import { Hono, type Context as HonoContext } from 'hono';
import Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JWTPayload } from 'jose';
import { importGenerated } from '../helpers/generated.js';
import { generateTokenFixture } from '../helpers/token-fixture.js';
import { startIssuer, type LocalIssuer } from '../helpers/oidc-issuer.js';
import { startIntrospection, type IntrospectionServer } from '../helpers/introspection-server.js';
import { listen, whenListening, type Running } from '../e2e/support.js';
import type { AuthSuccess, Guard, GuardOptions } from '../../templates/runtime/runtime-server.js';
import type { SchemeTable } from '../../templates/runtime/runtime-tables.js';

type JwtModule = typeof import('../../templates/runtime/runtime-jwt.js');
type IntrospectionModule = typeof import('../../templates/runtime/runtime-introspection.js');
type ExpressAdapter = typeof import('../../templates/runtime/express.js');
type FastifyAdapter = typeof import('../../templates/runtime/fastify.js');
type KoaAdapter = typeof import('../../templates/runtime/koa.js');
type HonoAdapter = typeof import('../../templates/runtime/hono.js');
type FetchAdapter = typeof import('../../templates/runtime/fetch.js');
type NodeAdapter = typeof import('../../templates/runtime/node.js');
type AnyGuard = Guard<string, unknown>;
type Mode = 'app' | 'route';

const AUDIENCE = 'https://api.tokens.test';
const CLIENT = { clientId: 'resource-server', clientSecret: 'rs-secret-Jq7Vb' };
/** Claim values that must never come back in a response body. */
const SUBJECT = 'user-sub-Pz4Rk';
const EMAIL = 'someone-Mx8@example.test';
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

let issuer: LocalIssuer;
/** An issuer whose JWKS answers 503. */
let downIssuer: LocalIssuer;
let introspection: IntrospectionServer;
let guard: AnyGuard;
/** The same guard but its Bearer verifier reads `downIssuer`'s keys. */
let downGuard: AnyGuard;
let ex: ExpressAdapter, fa: FastifyAdapter, ko: KoaAdapter, ho: HonoAdapter, fe: FetchAdapter, no: NodeAdapter;
const errors: unknown[] = [];
const reported: Error[] = [];
let handled: string[] = [];
const servers: Running[] = [];

beforeAll(async () => {
  [issuer, downIssuer, introspection] = await Promise.all([startIssuer(), startIssuer(), startIntrospection({ client: CLIENT })]);
  downIssuer.jwksMode = 'status';
  const dir = await generateTokenFixture('test/tokens/tokens.yaml', 'tokens-adapters');
  const { createGuard } = await importGenerated<{ createGuard: (v: object, o?: GuardOptions) => AnyGuard }>(dir, 'guard.ts');
  const { schemes } = await importGenerated<{ schemes: SchemeTable }>(dir, 'security.ts');
  const { jwtVerifier, jwtVerifierFor } = await importGenerated<JwtModule>(dir, 'runtime-jwt.ts');
  const { introspectionVerifier } = await importGenerated<IntrospectionModule>(dir, 'runtime-introspection.ts');
  const common = { issuer: issuer.issuer, audience: AUDIENCE, onError: (e: Error) => reported.push(e) };
  const verifiers = {
    Bearer: jwtVerifier({ ...common, jwksUrl: issuer.jwksUrl }),
    Oidc: jwtVerifierFor(schemes, 'Oidc', { ...common, baseUrl: `${issuer.issuer}/` }),
    OAuth2: introspectionVerifier({ endpoint: introspection.endpoint, ...CLIENT, audience: null, onError: (e) => reported.push(e) }),
  };
  const options: GuardOptions = { onError: (e) => errors.push(e) };
  guard = createGuard(verifiers, options);
  downGuard = createGuard({ ...verifiers, Bearer: jwtVerifier({ ...common, issuer: downIssuer.issuer, jwksUrl: downIssuer.jwksUrl }) }, options);
  [ex, fa, ko, ho, fe, no] = await Promise.all([
    importGenerated<ExpressAdapter>(dir, 'express.ts'),
    importGenerated<FastifyAdapter>(dir, 'fastify.ts'),
    importGenerated<KoaAdapter>(dir, 'koa.ts'),
    importGenerated<HonoAdapter>(dir, 'hono.ts'),
    importGenerated<FetchAdapter>(dir, 'fetch.ts'),
    importGenerated<NodeAdapter>(dir, 'node.ts'),
  ]);
}, 60_000);
afterAll(async () => {
  for (const s of servers) await s.close();
  await Promise.all([issuer.close(), downIssuer.close(), introspection.close()]);
});
beforeEach(() => {
  handled = [];
});

// ---------------------------------------------------------------------------
// One app per framework: the spec's four routes, each handler answering which it is
// and the principal the guard handed it.
// ---------------------------------------------------------------------------

const OPS = { showThing: 'Bearer', showOidcThing: 'Oidc', createThing: 'OAuth2', getHealth: undefined } as const;
type Op = keyof typeof OPS;

function body(op: Op, auth: AuthSuccess | RequestAuthLike | null | undefined): string {
  handled.push(op);
  const scheme = OPS[op];
  const principal = scheme === undefined ? undefined : (auth?.principals as Record<string, { subject?: string; scopes?: readonly string[] }> | undefined)?.[scheme];
  return JSON.stringify({ handler: op, subject: principal?.subject ?? null, scopes: principal?.scopes ?? null });
}
type RequestAuthLike = { readonly principals: unknown };

/** The operation a path and method are, for the frameworks routed by hand here. */
function opOf(method: string, path: string): Op | undefined {
  if (method === 'GET' && /^\/v1\/things\/[^/]+$/.test(path)) return 'showThing';
  if (method === 'GET' && /^\/v1\/oidc\/things\/[^/]+$/.test(path)) return 'showOidcThing';
  if (method === 'POST' && path === '/v1/things') return 'createThing';
  if (method === 'GET' && path === '/v1/health') return 'getHealth';
  return undefined;
}

const ROUTES: readonly (readonly [method: 'get' | 'post', path: string, op: Op])[] = [
  ['get', '/v1/things/:id', 'showThing'],
  ['get', '/v1/oidc/things/:id', 'showOidcThing'],
  ['post', '/v1/things', 'createThing'],
  ['get', '/v1/health', 'getHealth'],
];

async function started(running: Running): Promise<Running> {
  servers.push(running);
  return running;
}

/** A new record each time: @hono/node-server adds `content-length` to the one it is given. */
const jsonHeaders = () => ({ 'content-type': 'application/json' });

const START: Record<string, (mode: Mode, g: AnyGuard) => Promise<Running>> = {
  express: async (mode, g) => {
    const app = express();
    if (mode === 'app') app.use(ex.authMiddleware(g));
    for (const [method, path, op] of ROUTES) {
      app[method](path, ...(mode === 'route' ? [ex.requireAuth(g, op)] : []), (req: express.Request, res: express.Response) => void res.set(jsonHeaders()).send(body(op, ex.authOf(req, g))));
    }
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void (errors.push(err), res.status(500).end()));
    return started(await listen(http.createServer(app)));
  },
  fastify: async (mode, g) => {
    const app = fastify();
    if (mode === 'app') app.addHook('onRequest', fa.authHook(g));
    for (const [method, path, op] of ROUTES) {
      app[method](path, mode === 'route' ? { onRequest: fa.requireAuth(g, op) } : {}, async (request, reply) => reply.headers(jsonHeaders()).send(body(op, request.auth as AuthSuccess | undefined)));
    }
    app.setErrorHandler((err, _request, reply) => (errors.push(err), reply.code(500).send()));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return started({ ...(await whenListening(app.server)), close: () => app.close() });
  },
  koa: async (mode, g) => {
    const app = new Koa();
    const router = new Router();
    app.on('error', (err: unknown) => errors.push(err));
    for (const [method, path, op] of ROUTES) {
      router[method](path, ...(mode === 'route' ? [ko.requireAuth(g, op)] : []), (ctx: Koa.Context) => void (ctx.set(jsonHeaders()), (ctx.body = body(op, ko.authOf(ctx, g)))));
    }
    if (mode === 'app') app.use(ko.authMiddleware(g, { router }));
    app.use(router.routes());
    return started(await listen(http.createServer(app.callback())));
  },
  hono: async (mode, g) => {
    const app = new Hono();
    app.onError((err, c) => (errors.push(err), c.text('error', 500)));
    if (mode === 'app') app.use(ho.authMiddleware(g));
    for (const [method, path, op] of ROUTES) {
      const handler = (c: HonoContext) => c.json(JSON.parse(body(op, ho.authOf(c, g))) as object);
      if (mode === 'route') app[method](path, ho.requireAuth(g, op), handler);
      else app[method](path, handler);
    }
    return started(await whenListening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as http.Server));
  },
  fetch: async (mode, g) => {
    const route = (request: Request, auth: AuthSuccess | undefined): Response => {
      const op = opOf(request.method, new URL(request.url).pathname);
      return op === undefined ? new Response('not found', { status: 404 }) : new Response(body(op, auth), { status: 200, headers: jsonHeaders() });
    };
    const appWide = fe.guarded(fe.fetchAuth(g, { onError: (e) => errors.push(e) }), route);
    const perRoute = (request: Request) => {
      const op = opOf(request.method, new URL(request.url).pathname) ?? 'getHealth';
      return fe.guarded(fe.requireAuth(g, op), route)(request);
    };
    return started(await whenListening(serve({ fetch: mode === 'app' ? appWide : perRoute, port: 0, hostname: '127.0.0.1' }) as http.Server));
  },
  node: async (mode, g) => {
    const authenticate = no.nodeAuth(g, { onError: (e) => errors.push(e) });
    const serveRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const op = opOf(req.method ?? 'GET', (req.url ?? '/').split('?')[0] ?? '/') ?? 'getHealth';
      const auth = mode === 'app' ? await authenticate(req, res) : await no.requireAuth(g, op)(req, res);
      if (auth === undefined) return; // answered
      res.writeHead(200, jsonHeaders()).end(body(op, auth));
    };
    return started(await listen(http.createServer((req, res) => void serveRequest(req, res))));
  },
};

// ---------------------------------------------------------------------------
// Tokens and requests
// ---------------------------------------------------------------------------

const claims = (extra: Record<string, unknown> = {}): JWTPayload => ({ iss: issuer.issuer, aud: AUDIENCE, sub: SUBJECT, email: EMAIL, scope: 'things:read', exp: nowSeconds() + 300, ...extra });
let opaqueSeq = 0;
function opaqueToken(scope: string): string {
  const token = `opaque-${++opaqueSeq}-Lw3Zs`;
  introspection.tokens.set(token, { active: true, sub: SUBJECT, scope, exp: nowSeconds() + 300 });
  return token;
}

async function call(server: Running, method: 'GET' | 'POST', path: string, token?: string) {
  const res = await fetch(server.origin + path, { method, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** A refusal: the status, its challenge, a problem body, and no claim value or token in it. */
function expectRefusal(r: { status: number; headers: Headers; text: string }, status: 401 | 403 | 503, token: string): void {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(r.text)).toMatchObject({ status });
  for (const secret of [token, SUBJECT, EMAIL, issuer.issuer]) expect(r.text).not.toContain(secret);
  expect(handled).toEqual([]);
}

describe.each(Object.keys(START))('%s', (name) => {
  describe.each([['app-wide', 'app'], ['per-route', 'route']] as const)('%s', (_label, mode) => {
    let server: Running;
    let down: Running;
    beforeAll(async () => {
      const start = START[name] as (mode: Mode, g: AnyGuard) => Promise<Running>;
      [server, down] = await Promise.all([start(mode, guard), start(mode, downGuard)]);
    });

    it('a valid JWT (http bearer, JWKS URL): 200, the handler gets its principal', async () => {
      const r = await call(server, 'GET', '/v1/things/7', await issuer.sign(claims()));
      expect(r.status, r.text).toBe(200);
      expect(JSON.parse(r.text)).toEqual({ handler: 'showThing', subject: SUBJECT, scopes: ['things:read'] });
      expect(handled).toEqual(['showThing']);
    });

    it('a valid JWT (openIdConnect, discovery from the spec): 200 with its principal', async () => {
      const r = await call(server, 'GET', '/v1/oidc/things/7', await issuer.sign(claims({ scope: 'things:read things:write' })));
      expect(r.status, r.text).toBe(200);
      expect(JSON.parse(r.text)).toEqual({ handler: 'showOidcThing', subject: SUBJECT, scopes: ['things:read', 'things:write'] });
    });

    it('an active opaque token (oauth2, introspection): 200 with its principal', async () => {
      const r = await call(server, 'POST', '/v1/things', opaqueToken('things:write'));
      expect(r.status, r.text).toBe(200);
      expect(JSON.parse(r.text)).toEqual({ handler: 'createThing', subject: SUBJECT, scopes: ['things:write'] });
    });

    it('a valid token without the scope: 403 with error="insufficient_scope" and the scope needed', async () => {
      const token = await issuer.sign(claims({ scope: 'things:write' }));
      const r = await call(server, 'GET', '/v1/things/7', token);
      expectRefusal(r, 403, token);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="api", error="insufficient_scope", scope="things:read"$/);
      const opaque = opaqueToken('things:read');
      const o = await call(server, 'POST', '/v1/things', opaque);
      expectRefusal(o, 403, opaque);
      expect(o.headers.get('www-authenticate')).toContain('error="insufficient_scope", scope="things:write"');
    });

    it.each([
      ['expired', () => issuer.sign(claims({ exp: nowSeconds() - 60 }))],
      ['for another audience', () => issuer.sign(claims({ aud: 'https://other.test' }))],
      ['from another issuer', () => issuer.sign(claims({ iss: 'https://evil.test' }))],
      ['not a JWT', () => Promise.resolve('not-a-jwt-Qe5')],
    ])('a bad JWT (%s): 401 with error="invalid_token", no claim in the body', async (_what, make) => {
      const token = await make();
      for (const path of ['/v1/things/7', '/v1/oidc/things/7']) {
        const r = await call(server, 'GET', path, token);
        expectRefusal(r, 401, token);
        expect(r.headers.get('www-authenticate')).toContain('Bearer realm="api", error="invalid_token"');
      }
    });

    it('an inactive opaque token: 401 with error="invalid_token"', async () => {
      const r = await call(server, 'POST', '/v1/things', 'revoked-Ui9Op');
      expectRefusal(r, 401, 'revoked-Ui9Op');
      expect(r.headers.get('www-authenticate')).toContain('error="invalid_token"');
    });

    it("the issuer's JWKS is down: 503 with Retry-After, the handler never reached", async () => {
      const token = await downIssuer.sign({ ...claims(), iss: downIssuer.issuer });
      const r = await call(down, 'GET', '/v1/things/7', token);
      expectRefusal(r, 503, token);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(reported.some((e) => (e as { endpoint?: string }).endpoint === 'jwks')).toBe(true);
    });

    it('no token: 401 without error=; the public route passes; nothing reached an error path', async () => {
      const r = await call(server, 'GET', '/v1/things/7');
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).not.toContain('error=');
      expect((await call(server, 'GET', '/v1/health')).status).toBe(200);
      expect(errors).toEqual([]);
    });
  });
});

it('the JWKS and discovery documents were fetched once for all of it (keys cached, no refetch per request)', () => {
  expect(issuer.counts).toEqual({ discovery: 1, jwks: 2 });
});
