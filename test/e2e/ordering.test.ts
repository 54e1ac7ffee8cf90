// Findings of the second review (an attack on the route-bound guards), each in its
// real framework over loopback and failing without its fix: overlapping routes whose
// handler depends on registration order or on a handler calling next(), optional
// route parameters, an explicit HEAD operation next to a GET one, `unknownRoute:
// 'next'` with the API under a prefix, per-route checks behind a mounted router or a
// RegExp route, and CORS preflights on adapters without a CORS middleware.
import { createServer } from 'node:http';
import { serve } from '@hono/node-server';
import Router from '@koa/router';
import express from 'express';
import { fastify, type FastifyInstance } from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateFixture, importGenerated } from '../helpers/generated.js';
import type { Guard, GuardOptions } from '../../templates/runtime/runtime-server.js';
import { listen, whenListening, type Running } from './support.js';

type Adapters = {
  ex: typeof import('../../templates/runtime/express.js');
  fa: typeof import('../../templates/runtime/fastify.js');
  ko: typeof import('../../templates/runtime/koa.js');
  ho: typeof import('../../templates/runtime/hono.js');
  no: typeof import('../../templates/runtime/node.js');
  fe: typeof import('../../templates/runtime/fetch.js');
};
type AnyGuard = Guard<string, unknown>;
let createGuard: (verifiers: object, options?: GuardOptions) => AnyGuard;
let a: Adapters;
const KEY = { 'x-api-key': 'k-good' };
const verifiers = { ApiKey: (key: string) => (key === 'k-good' ? { client: 'c' } : null) };
const servers: Running[] = [];
/** Handlers that ran: `operation handler|operation of the decision it saw`. */
let ran: string[] = [];
beforeEach(() => {
  ran = [];
});

beforeAll(async () => {
  const dir = await generateFixture('test/e2e/fixtures/ordering.yaml', 'e2e-ordering');
  createGuard = (await importGenerated<{ createGuard: typeof createGuard }>(dir, 'guard.ts')).createGuard;
  a = {
    ex: await importGenerated(dir, 'express.ts'),
    fa: await importGenerated(dir, 'fastify.ts'),
    ko: await importGenerated(dir, 'koa.ts'),
    ho: await importGenerated(dir, 'hono.ts'),
    no: await importGenerated(dir, 'node.ts'),
    fe: await importGenerated(dir, 'fetch.ts'),
  };
});
afterAll(async () => {
  for (const s of servers) await s.close();
});

const seen = (op: string, auth: unknown) => ran.push(`${op}|${(auth as { operationId?: string } | undefined)?.operationId ?? 'none'}`);
async function call(server: Running, method: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(server.origin + path, { method, headers });
  await res.arrayBuffer();
  return res.status;
}
async function up(server: Running): Promise<Running> {
  servers.push(server);
  return server;
}
const expressApp = (build: (app: express.Express) => void) => {
  const app = express();
  build(app);
  return listen(createServer(app)).then(up);
};
const koaApp = (build: (app: Koa) => void) => {
  const app = new Koa();
  build(app);
  return listen(createServer(app.callback())).then(up);
};
const honoApp = (app: { fetch: Hono['fetch'] }) => whenListening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as never).then(up);
async function fastifyApp(build: (app: FastifyInstance) => void): Promise<Running> {
  const app = fastify() as unknown as FastifyInstance;
  build(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  return up({ origin: `http://127.0.0.1:${port}`, port, close: () => app.close() });
}

describe('a path that routes of two operations match must satisfy both', () => {
  it('Express app-wide with the template registered first (Express runs it for /users/count)', async () => {
    const guard = createGuard(verifiers);
    const server = await expressApp((app) => {
      app.use(a.ex.authMiddleware(guard));
      app.get('/v1/users/:id', (req, res) => (seen('getUser', a.ex.authOf(req, guard)), res.end()));
      app.get('/v1/users/count', (req, res) => (seen('countUsers', a.ex.authOf(req, guard)), res.end()));
    });
    expect(await call(server, 'GET', '/v1/users/count')).toBe(401);
    expect(ran).toEqual([]);
    expect(await call(server, 'GET', '/v1/users/count', KEY)).toBe(200);
    expect(await call(server, 'GET', '/v1/users/7')).toBe(401);
  });
  it('Koa with its router, where the first route hands on with next()', async () => {
    const guard = createGuard(verifiers);
    const router = new Router();
    router.get('/v1/pets/:petId', async (ctx, next) => (seen('showPet', ctx.state.auth), (ctx.body = 'pet'), next()));
    router.get('/v1/pets/mine', (ctx) => void (seen('listMyPets', ctx.state.auth), (ctx.body = 'mine')));
    const server = await koaApp((app) => (app.use(a.ko.authMiddleware(guard, { router })), app.use(router.routes())));
    expect(await call(server, 'GET', '/v1/pets/mine')).toBe(401);
    expect(ran).toEqual([]);
    expect(await call(server, 'GET', '/v1/pets/1')).toBe(200);
    expect(ran).toEqual(['showPet|showPet']);
  });
  it('Hono, where a middleware on a public template and a handler calling next() precede the protected route', async () => {
    const guard = createGuard(verifiers);
    const app = new Hono<{ Variables: { auth: unknown } }>();
    app.use('*', a.ho.authMiddleware(guard) as never);
    app.use('/v1/pets/:petId', async (_c, next) => next());
    app.get('/v1/pets/:petId', async (c, next) => (c.req.param('petId') === 'mine' ? next() : (seen('showPet', c.get('auth')), c.text('pet'))));
    app.get('/v1/pets/mine', (c) => (seen('listMyPets', c.get('auth')), c.text('mine')));
    const server = await honoApp(app);
    expect(await call(server, 'GET', '/v1/pets/mine')).toBe(401);
    expect(ran).toEqual([]);
    expect(await call(server, 'GET', '/v1/pets/mine', KEY)).toBe(200);
    expect(await call(server, 'GET', '/v1/pets/1')).toBe(200);
  });
  it('each operation is decided on its own: a verifier may accept a key for one operation and not the other', async () => {
    const contexts: string[] = [];
    const guard = createGuard({ ApiKey: (key: string, ctx: { operationId: string }) => (contexts.push(ctx.operationId), key === 'count-key' && ctx.operationId !== 'listMyPets' ? { client: 'c' } : null) });
    const result = await guard.authorizeAll(['getUser', 'listMyPets'], { headers: { 'x-api-key': 'count-key' } });
    expect(result.ok).toBe(false);
    expect(contexts).toEqual(['getUser', 'listMyPets']);
    const both = await guard.authorizeAll(['getUser', 'countUsers'], { headers: { 'x-api-key': 'count-key' } });
    expect(both.ok && both.operationId).toBe('getUser');
  });
});

describe('routes no operation is', () => {
  it('Fastify: an optional parameter (`:id?`) is two routes, refused app-wide and per route', async () => {
    const reported: string[] = [];
    const guard = createGuard(verifiers, { onError: (e) => reported.push(e.name) });
    const app1 = await fastifyApp((app) => (app.addHook('onRequest', a.fa.authHook(guard)), void app.get('/v1/docs/:id?', async (r) => seen('getDoc', r.auth))));
    expect([await call(app1, 'GET', '/v1/docs'), await call(app1, 'GET', '/v1/docs/1')]).toEqual([404, 404]);
    const app2 = await fastifyApp((app) => void app.get('/v1/docs/:id?', { onRequest: a.fa.requireAuth(guard, 'getDoc') }, async (r) => seen('getDoc', r.auth)));
    expect(await call(app2, 'GET', '/v1/docs')).toBe(500);
    expect(ran).toEqual([]);
    expect(reported).toEqual(['RouteMismatchError']);
  });
  it('an explicit HEAD operation next to a GET one: a HEAD request may run either handler', async () => {
    const guard = createGuard(verifiers);
    const ex = await expressApp((app) => (app.use(a.ex.authMiddleware(guard)), app.get('/v1/things/:id', (req, res) => (seen('getThing', a.ex.authOf(req, guard)), res.end()))));
    const fa = await fastifyApp((app) => (app.addHook('onRequest', a.fa.authHook(guard)), void app.get('/v1/things/:id', async (r) => seen('getThing', r.auth))));
    expect(await call(ex, 'HEAD', '/v1/things/1')).toBe(401);
    expect(await call(fa, 'HEAD', '/v1/things/1')).toBe(401);
    expect(ran).toEqual([]);
    // mountOperations registers the spec's HEAD operation instead of Fastify's automatic one.
    const mounted = await fastifyApp((app) => a.fa.mountOperations(app, guard, Object.fromEntries(guard.routing.operations.map((r) => [r.operationId, async () => r.operationId])) as never));
    expect([await call(mounted, 'HEAD', '/v1/things/1'), await call(mounted, 'GET', '/v1/things/1')]).toEqual([200, 401]);
  });
});

describe("unknownRoute: 'next' with the API under a prefix", () => {
  it('is refused in every route-aware framework and in Express', async () => {
    const guard = createGuard(verifiers);
    const next = { unknownRoute: 'next' } as const;
    const exRouter = express.Router();
    exRouter.get('/v1/users/:id', (req, res) => (seen('getUser', a.ex.authOf(req, guard)), res.end()));
    const koRouter = new Router({ prefix: '/api' });
    koRouter.get('/v1/users/:id', (ctx) => void (seen('getUser', ctx.state.auth), (ctx.body = '')));
    const sub = new Hono();
    sub.get('/v1/users/:id', (c) => (seen('getUser', c.get('auth' as never)), c.text('')));
    const hono = new Hono();
    hono.use('*', a.ho.authMiddleware(guard, next));
    hono.route('/api', sub);
    const all = [
      await expressApp((app) => (app.use(a.ex.authMiddleware(guard, next)), app.use('/api', exRouter))),
      await fastifyApp((app) => (app.addHook('onRequest', a.fa.authHook(guard, next)), void app.register(async (p) => void p.get('/v1/users/:id', async (r) => seen('getUser', r.auth)), { prefix: '/api' }))),
      await koaApp((app) => (app.use(a.ko.authMiddleware(guard, { ...next, router: koRouter })), app.use(koRouter.routes()))),
      await honoApp(hono),
    ];
    for (const server of all) expect(await call(server, 'GET', '/api/v1/users/7'), server.origin).toBe(404);
    expect(ran).toEqual([]);
  });
});

describe('per-route checks that were evadable', () => {
  it('Express: a router mounted at another operation’s path is caught through req.baseUrl', async () => {
    const reported: string[] = [];
    const guard = createGuard(verifiers, { onError: (e) => reported.push(e.message) });
    const r = express.Router();
    r.get('/:id', a.ex.requireAuth(guard, 'showPet'), (req, res) => (seen('getUser', a.ex.authOf(req, guard)), res.end()));
    const server = await expressApp((app) => app.use('/v1/users', r));
    expect(await call(server, 'GET', '/v1/users/7')).toBe(500);
    expect(ran).toEqual([]);
    expect(reported).toHaveLength(1);
    // The right mount passes.
    const ok = express.Router();
    ok.get('/:petId', a.ex.requireAuth(guard, 'showPet'), (req, res) => (seen('showPet', a.ex.authOf(req, guard)), res.end()));
    const good = await expressApp((app) => app.use('/V1/pets', ok));
    expect(await call(good, 'GET', '/v1/pets/7')).toBe(200);
    expect(ran).toEqual(['showPet|showPet']);
  });
  it('Koa: a RegExp route cannot be checked, so it is refused', async () => {
    const guard = createGuard(verifiers, { onError: () => undefined });
    const router = new Router();
    router.get(/^\/v1\/users\/([^/]+)$/, a.ko.requireAuth(guard, 'countUsers'), (ctx) => void (seen('getUser', ctx.state.auth), (ctx.body = '')));
    const server = await koaApp((app) => app.use(router.routes()));
    expect(await call(server, 'GET', '/v1/users/7')).toBe(500);
    expect(ran).toEqual([]);
  });
});

describe('CORS preflights', () => {
  const PREFLIGHT = { origin: 'https://app.example', 'access-control-request-method': 'GET' };
  it('node:http and Fetch have no CORS middleware behind them: a preflight is not passed on as if decided', async () => {
    const guard = createGuard(verifiers);
    const node = a.no.nodeAuth(guard);
    const server = await listen(createServer(async (req, res) => {
      const auth = await node(req, res);
      if (auth === undefined) return;
      seen('any', auth ?? undefined);
      res.end();
    })).then(up);
    expect(await call(server, 'OPTIONS', '/v1/users/7', PREFLIGHT)).toBe(404);
    const fetchAuth = a.fe.fetchAuth(guard);
    const answer = await fetchAuth(new Request('http://h/v1/users/7', { method: 'OPTIONS', headers: PREFLIGHT }));
    expect(answer instanceof Response && answer.status).toBe(404);
    expect(ran).toEqual([]);
  });
  it('a method override on a preflight is refused before the preflight passes', async () => {
    const guard = createGuard(verifiers);
    const server = await expressApp((app) => (app.use(a.ex.authMiddleware(guard)), app.options('/v1/users/:id', (req, res) => (seen('getUser', a.ex.authOf(req, guard)), res.end()))));
    expect(await call(server, 'OPTIONS', '/v1/users/7', { ...PREFLIGHT, 'x-http-method-override': 'GET' })).toBe(400);
    expect(ran).toEqual([]);
  });
});
