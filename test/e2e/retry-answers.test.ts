// 429 and 503 end to end, in every adapter (app-wide and per-route), over loopback:
// a key store that cannot answer (the verifier throws an `UnavailableError`, here the
// runtime sources' own class, so the brand crosses generated copies) is a 503 with
// `Retry-After` and a problem body; a `limit` hook that refuses is a 429 with
// `Retry-After` and its `RateLimit` headers; a `limit` hook that cannot answer is a
// 503. The handler is never reached then. A `limit` success puts its headers on the
// handler's answer, whose own headers and body stay intact.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { serve } from '@hono/node-server';
import Router from '@koa/router';
import express from 'express';
import { fastify } from 'fastify';
import { Hono, type Context as HonoContext } from 'hono';
import Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateFixture, importGenerated } from '../helpers/generated.js';
import { UnavailableError, type AuthSuccess, type Guard, type GuardOptions, type LimitOutcome } from '../../templates/runtime/runtime-server.js';
import { listen, whenListening, type Running } from './support.js';

type ExpressAdapter = typeof import('../../templates/runtime/express.js');
type FastifyAdapter = typeof import('../../templates/runtime/fastify.js');
type KoaAdapter = typeof import('../../templates/runtime/koa.js');
type HonoAdapter = typeof import('../../templates/runtime/hono.js');
type FetchAdapter = typeof import('../../templates/runtime/fetch.js');
type NodeAdapter = typeof import('../../templates/runtime/node.js');
type AnyGuard = Guard<string, unknown>;
type Mode = 'app' | 'route';

/** A driver's message: it must never reach a client. */
const SECRET = 'connect ECONNREFUSED redis://default:hunter2@cache:6379';
const POLICY = '"per-key";q=10;w=60';
const PATH = '/v1/things/:id';

// The key decides what happens: k-down's store is down, k-busy is over its quota,
// k-limit-down's quota store is down, k-good passes with its quota headers.
const verifiers = {
  ApiKey: (key: string) => {
    if (key === 'k-down') throw new UnavailableError(SECRET, 7);
    return key.startsWith('k-') ? Promise.resolve({ client: key }) : null;
  },
};
let limitCalls: string[] = [];
const limit: NonNullable<GuardOptions['limit']> = async (decision): Promise<LimitOutcome> => {
  const client = (decision.principals as { ApiKey?: { client: string } }).ApiKey?.client ?? '?';
  limitCalls.push(`${decision.operationId} ${client}`);
  if (client === 'k-busy') return { ok: false, retryAfter: 42, detail: 'quota', headers: { 'RateLimit-Policy': POLICY, RateLimit: '"per-key";r=0;t=42' } };
  if (client === 'k-limit-down') throw new UnavailableError(SECRET, 3);
  return { ok: true, headers: { 'RateLimit-Policy': POLICY, RateLimit: '"per-key";r=9;t=60' } };
};

let ex: ExpressAdapter, fa: FastifyAdapter, ko: KoaAdapter, ho: HonoAdapter, fe: FetchAdapter, no: NodeAdapter;
let guard: AnyGuard;
const errors: unknown[] = [];
let handled: string[] = [];
const servers: Running[] = [];

beforeAll(async () => {
  const dir = await generateFixture('test/e2e/fixtures/limits.yaml', 'e2e-retry-answers');
  const { createGuard } = await importGenerated<{ createGuard: (v: object, o?: GuardOptions) => AnyGuard }>(dir, 'guard.ts');
  guard = createGuard(verifiers, { limit, onError: (e) => errors.push(e) });
  [ex, fa, ko, ho, fe, no] = await Promise.all([
    importGenerated<ExpressAdapter>(dir, 'express.ts'),
    importGenerated<FastifyAdapter>(dir, 'fastify.ts'),
    importGenerated<KoaAdapter>(dir, 'koa.ts'),
    importGenerated<HonoAdapter>(dir, 'hono.ts'),
    importGenerated<FetchAdapter>(dir, 'fetch.ts'),
    importGenerated<NodeAdapter>(dir, 'node.ts'),
  ]);
});
afterAll(async () => {
  for (const s of servers) await s.close();
});
beforeEach(() => {
  handled = [];
  limitCalls = [];
});

/** What every handler answers: its own header and a body naming the decision. A new record each time: @hono/node-server adds `content-length` to it. */
const handlerHeaders = () => ({ 'content-type': 'application/json', 'x-handler': 'yes' });
function thing(id: string, auth: AuthSuccess | null | undefined): string {
  handled.push('showThing');
  return JSON.stringify({ handler: 'showThing', id, client: (auth?.principals as { ApiKey?: { client: string } } | undefined)?.ApiKey?.client ?? null });
}
function health(): string {
  handled.push('getHealth');
  return JSON.stringify({ handler: 'getHealth' });
}

async function started(running: Running): Promise<Running> {
  servers.push(running);
  return running;
}

const START: Record<string, (mode: Mode) => Promise<Running>> = {
  express: async (mode) => {
    const app = express();
    if (mode === 'app') app.use(ex.authMiddleware(guard));
    const own = (op: string): express.RequestHandler[] => (mode === 'route' ? [ex.requireAuth(guard, op)] : []);
    app.get(PATH, ...own('showThing'), (req, res) => void res.set(handlerHeaders()).send(thing(req.params.id as string, ex.authOf(req, guard))));
    app.get('/v1/health', ...own('getHealth'), (_req, res) => void res.set(handlerHeaders()).send(health()));
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void (errors.push(err), res.status(500).end()));
    return started(await listen(http.createServer(app)));
  },
  fastify: async (mode) => {
    const app = fastify();
    if (mode === 'app') app.addHook('onRequest', fa.authHook(guard));
    const own = (op: string) => (mode === 'route' ? { onRequest: fa.requireAuth(guard, op) } : {});
    app.get(PATH, own('showThing'), async (request, reply) => reply.headers(handlerHeaders()).send(thing((request.params as { id: string }).id, request.auth as AuthSuccess | undefined)));
    app.get('/v1/health', own('getHealth'), async (_request, reply) => reply.headers(handlerHeaders()).send(health()));
    app.setErrorHandler((err, _request, reply) => (errors.push(err), reply.code(500).send()));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return started({ ...(await whenListening(app.server)), close: () => app.close() });
  },
  koa: async (mode) => {
    const app = new Koa();
    const router = new Router();
    app.on('error', (err: unknown) => errors.push(err));
    const own = (op: string): Koa.Middleware[] => (mode === 'route' ? [ko.requireAuth(guard, op)] : []);
    router.get(PATH, ...own('showThing'), (ctx) => void (ctx.set(handlerHeaders()), (ctx.body = thing(ctx.params.id as string, ko.authOf(ctx, guard)))));
    router.get('/v1/health', ...own('getHealth'), (ctx) => void (ctx.set(handlerHeaders()), (ctx.body = health())));
    if (mode === 'app') app.use(ko.authMiddleware(guard, { router }));
    app.use(router.routes());
    return started(await listen(http.createServer(app.callback())));
  },
  hono: async (mode) => {
    const app = new Hono();
    app.onError((err, c) => (errors.push(err), c.text('error', 500)));
    if (mode === 'app') app.use(ho.authMiddleware(guard));
    // `c.json()` builds its answer from the headers the guard prepared.
    const show = (c: HonoContext) => (c.header('x-handler', 'yes'), c.json(JSON.parse(thing(c.req.param('id') as string, ho.authOf(c, guard))) as object));
    const healthy = (c: HonoContext) => (c.header('x-handler', 'yes'), c.json(JSON.parse(health()) as object));
    if (mode === 'route') app.get(PATH, ho.requireAuth(guard, 'showThing'), show).get('/v1/health', ho.requireAuth(guard, 'getHealth'), healthy);
    else app.get(PATH, show).get('/v1/health', healthy);
    return started(await whenListening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as http.Server));
  },
  fetch: async (mode) => {
    const answer = (body: string) => new Response(body, { status: 200, headers: handlerHeaders() });
    const route = (request: Request, auth: AuthSuccess | undefined): Response => {
      const path = new URL(request.url).pathname;
      const id = /^\/v1\/things\/([^/]+)$/.exec(path)?.[1];
      return id !== undefined ? answer(thing(id, auth)) : answer(health());
    };
    const perRoute = { showThing: fe.guarded(fe.requireAuth(guard, 'showThing'), route), getHealth: fe.guarded(fe.requireAuth(guard, 'getHealth'), route) };
    const handler = mode === 'app' ? fe.guarded(fe.fetchAuth(guard, { onError: (e) => errors.push(e) }), route) : (request: Request) => (new URL(request.url).pathname === '/v1/health' ? perRoute.getHealth : perRoute.showThing)(request);
    return started(await whenListening(serve({ fetch: handler, port: 0, hostname: '127.0.0.1' }) as http.Server));
  },
  node: async (mode) => {
    const authenticate = no.nodeAuth(guard, { onError: (e) => errors.push(e) });
    const serveRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const id = /^\/v1\/things\/([^/?]+)/.exec(req.url ?? '')?.[1];
      const auth = mode === 'app' ? await authenticate(req, res) : await no.requireAuth(guard, id !== undefined ? 'showThing' : 'getHealth')(req, res);
      if (auth === undefined) return; // answered
      res.writeHead(200, handlerHeaders()).end(id !== undefined ? thing(id, auth) : health());
    };
    return started(await listen(http.createServer((req, res) => void serveRequest(req, res))));
  },
};

async function call(server: Running, path: string, key?: string) {
  const res = await fetch(server.origin + path, { headers: key === undefined ? {} : { 'x-api-key': key } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function expectProblem(r: { status: number; headers: Headers; text: string }, status: 429 | 503, retryAfter: string): void {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('retry-after')).toBe(retryAfter);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(r.text)).toMatchObject({ type: 'about:blank', status, title: status === 429 ? 'Too Many Requests' : 'Service Unavailable', detail: expect.any(String) });
  for (const secret of ['hunter2', 'ECONNREFUSED', 'quota', 'k-']) expect(r.text).not.toContain(secret);
  expect(r.headers.get('x-handler')).toBeNull();
  expect(handled).toEqual([]);
}

describe.each(Object.keys(START))('%s', (name) => {
  describe.each([['app-wide', 'app'], ['per-route', 'route']] as const)('%s', (_label, mode) => {
    let server: Running;
    beforeAll(async () => {
      server = await (START[name] as (mode: Mode) => Promise<Running>)(mode);
    });

    it('answers 503 with Retry-After when the key store is unavailable, before the limit and the handler', async () => {
      expectProblem(await call(server, '/v1/things/7', 'k-down'), 503, '7');
      expect(limitCalls).toEqual([]);
    });

    it('answers 429 with Retry-After and the RateLimit headers when the limit refuses', async () => {
      const r = await call(server, '/v1/things/7', 'k-busy');
      expectProblem(r, 429, '42');
      expect(r.headers.get('ratelimit-policy')).toBe(POLICY);
      expect(r.headers.get('ratelimit')).toBe('"per-key";r=0;t=42');
      expect(limitCalls).toEqual(['showThing k-busy']);
    });

    it('answers 503 with Retry-After when the limit cannot answer', async () => {
      expectProblem(await call(server, '/v1/things/7', 'k-limit-down'), 503, '3');
      expect(limitCalls).toEqual(['showThing k-limit-down']);
    });

    it("adds the limit's headers to the handler's answer, which keeps its own headers and body", async () => {
      const r = await call(server, '/v1/things/7', 'k-good');
      expect(r.status, r.text).toBe(200);
      expect(JSON.parse(r.text)).toEqual({ handler: 'showThing', id: '7', client: 'k-good' });
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(r.headers.get('x-handler')).toBe('yes');
      expect(r.headers.get('ratelimit-policy')).toBe(POLICY);
      expect(r.headers.get('ratelimit')).toBe('"per-key";r=9;t=60');
      expect(r.headers.get('retry-after')).toBeNull();
      expect(handled).toEqual(['showThing']);
      expect(limitCalls).toEqual(['showThing k-good']);
    });

    it('asks no limit for a refusal or a public operation', async () => {
      expect((await call(server, '/v1/things/7')).status).toBe(401);
      expect((await call(server, '/v1/things/7', 'nope')).status).toBe(401);
      const r = await call(server, '/v1/health', 'k-good');
      expect(r.status).toBe(200);
      expect(r.headers.get('ratelimit')).toBeNull();
      expect(handled).toEqual(['getHealth']);
      expect(limitCalls).toEqual([]);
      expect(errors).toEqual([]);
    });
  });
});

describe('headers on answers the handler builds itself', () => {
  it("Hono: a handler's own Response (immutable headers too) gets them; its own value wins", async () => {
    const app = new Hono();
    app.use(ho.authMiddleware(guard));
    app.get(PATH, (c) => (c.req.param('id') === 'moved' ? Response.redirect('http://127.0.0.1/elsewhere', 302) : new Response('raw', { headers: { ratelimit: 'mine' } })));
    const server = await started(await whenListening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as http.Server));
    const raw = await call(server, '/v1/things/1', 'k-good');
    expect([raw.status, raw.text, raw.headers.get('ratelimit'), raw.headers.get('ratelimit-policy')]).toEqual([200, 'raw', 'mine', POLICY]);
    const moved = await fetch(server.origin + '/v1/things/moved', { headers: { 'x-api-key': 'k-good' }, redirect: 'manual' });
    expect([moved.status, moved.headers.get('location'), moved.headers.get('ratelimit-policy')]).toEqual([302, 'http://127.0.0.1/elsewhere', POLICY]);
  });
  it('Fetch: withAuthHeaders copies a response whose headers are immutable', async () => {
    const auth = await guard.authorize('showThing', { method: 'GET', headers: { 'x-api-key': 'k-good' } });
    expect(auth.ok && auth.headers).toEqual({ 'ratelimit-policy': POLICY, ratelimit: '"per-key";r=9;t=60' });
    const redirect = Response.redirect('http://127.0.0.1/elsewhere', 307);
    const out = fe.withAuthHeaders(redirect, auth as AuthSuccess);
    expect([out.status, out.headers.get('location'), out.headers.get('ratelimit')]).toEqual([307, 'http://127.0.0.1/elsewhere', '"per-key";r=9;t=60']);
    expect(fe.withAuthHeaders(redirect, undefined)).toBe(redirect);
  });
});
