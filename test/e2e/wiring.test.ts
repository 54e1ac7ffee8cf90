// Wiring findings of the routing review (issue 10), each in its real framework over
// loopback: two guards in one app keep their decisions apart; a per-route guard on a
// route of another operation refuses (500) and reports once; CORS preflight passes to
// the CORS middleware in either mounting order (Express and Koa without a router: after
// the guard only when asked, since they cannot see a handler that answers any method); method overrides are refused by the
// path-matching guard; routes listed in `outsideSpec` pass; the coverage helpers list
// unserved operations and unknown routes.
import { createServer } from 'node:http';
import { serve } from '@hono/node-server';
import Router from '@koa/router';
import fastifyCors from '@fastify/cors';
import cors from 'cors';
import express from 'express';
import { fastify } from 'fastify';
import { Hono } from 'hono';
import { cors as honoCors } from 'hono/cors';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFixture, importGenerated } from '../helpers/generated.js';
import type { Guard, GuardOptions } from '../../templates/runtime/runtime-server.js';
import { listen, whenListening, type Running } from './support.js';

type ExpressAdapter = typeof import('../../templates/runtime/express.js');
type FastifyAdapter = typeof import('../../templates/runtime/fastify.js');
type KoaAdapter = typeof import('../../templates/runtime/koa.js');
type HonoAdapter = typeof import('../../templates/runtime/hono.js');
type AnyGuard = Guard<string, unknown>;
type CreateGuard = (verifiers: object, options?: GuardOptions) => AnyGuard;

const verifiers = { ApiKey: (key: string) => (key === 'k-good' ? { client: 'c' } : null) };
let ex: ExpressAdapter, fa: FastifyAdapter, ko: KoaAdapter, ho: HonoAdapter;
let createGuard: CreateGuard, createStrictGuard: CreateGuard;
const servers: Running[] = [];
let handled: string[] = [];

beforeAll(async () => {
  const dir = await generateFixture('test/fuzz/routing.yaml', 'e2e-wiring');
  const strict = await generateFixture('test/e2e/fixtures/strict-things.yaml', 'e2e-wiring-strict');
  createGuard = (await importGenerated<{ createGuard: CreateGuard }>(dir, 'guard.ts')).createGuard;
  createStrictGuard = (await importGenerated<{ createGuard: CreateGuard }>(strict, 'guard.ts')).createGuard;
  [ex, fa, ko, ho] = await Promise.all([
    importGenerated<ExpressAdapter>(dir, 'express.ts'),
    importGenerated<FastifyAdapter>(dir, 'fastify.ts'),
    importGenerated<KoaAdapter>(dir, 'koa.ts'),
    importGenerated<HonoAdapter>(dir, 'hono.ts'),
  ]);
});
afterAll(async () => {
  for (const s of servers) await s.close();
});

async function call(server: Running, method: string, path: string, headers: Record<string, string> = {}) {
  handled = [];
  const res = await fetch(server.origin + path, { method, headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
const track = (name: string) => (handled.push(name), { handler: name });

async function expressApp(build: (app: express.Express) => void): Promise<Running> {
  const app = express();
  build(app);
  const running = await listen(createServer(app));
  servers.push(running);
  return running;
}
async function fastifyApp(build: (app: ReturnType<typeof fastify>) => Promise<void> | void): Promise<Running> {
  const app = fastify();
  await build(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  const running = { origin: `http://127.0.0.1:${port}`, port, close: () => app.close() };
  servers.push(running);
  return running;
}
async function honoApp(build: (app: Hono) => void): Promise<Running> {
  const app = new Hono();
  build(app);
  const running = await whenListening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as never);
  servers.push(running);
  return running;
}
async function koaApp(build: (app: Koa, router: Router) => void): Promise<Running> {
  const app = new Koa();
  const router = new Router();
  build(app, router);
  const running = await listen(createServer(app.callback()));
  servers.push(running);
  return running;
}

describe('two guards in one app keep their decisions apart', () => {
  it("guard B's per-route check runs although guard A's app-wide middleware decided an operation of the same id", async () => {
    const a = createGuard(verifiers);
    const b = createStrictGuard(verifiers);
    const server = await expressApp((app) => {
      app.use(ex.authMiddleware(a));
      app.get('/v1/things', ex.requireAuth(b, 'listThings'), (_req, res) => res.json(track('listThings')));
    });
    expect((await call(server, 'GET', '/v1/things')).status).toBe(401);
    expect(handled).toEqual([]);
    expect((await call(server, 'GET', '/v1/things', { 'x-api-key': 'k-good' })).status).toBe(200);
  });
  it('the same guard is not asked twice', async () => {
    let calls = 0;
    const a = createGuard({ ApiKey: (key: string) => (calls++, key === 'k-good' ? { client: 'c' } : null) });
    const server = await expressApp((app) => {
      app.use(ex.authMiddleware(a));
      app.get('/v1/things/:id', ex.requireAuth(a, 'getThing'), (_req, res) => res.json(track('getThing')));
    });
    expect((await call(server, 'GET', '/v1/things/1', { 'x-api-key': 'k-good' })).status).toBe(200);
    expect(calls).toBe(1);
  });
});

describe('a per-route guard on a route of another operation refuses every request and reports once', () => {
  const mismatch = async (start: (guard: AnyGuard) => Promise<Running>) => {
    const reported: Error[] = [];
    const guard = createGuard(verifiers, { onError: (error) => reported.push(error) });
    const server = await start(guard);
    for (let i = 0; i < 3; i++) {
      const r = await call(server, 'DELETE', '/v1/orders/7');
      expect(r.status).toBe(500);
      expect(JSON.parse(r.text)).toMatchObject({ status: 500, detail: 'This route is not configured correctly.' });
    }
    expect(handled).toEqual([]);
    expect(reported.map((e) => e.name)).toEqual(['RouteMismatchError']);
    expect(reported[0]?.message).toContain('listCatalog');
  };
  it('Express', () => mismatch((g) => expressApp((app) => app.delete('/v1/orders/:id', ex.requireAuth(g, 'listCatalog'), (_q, res) => res.json(track('x'))))));
  it('Fastify', () => mismatch((g) => fastifyApp((app) => void app.delete('/v1/orders/:id', { onRequest: fa.requireAuth(g, 'listCatalog') }, async () => track('x')))));
  it('Koa with @koa/router', () => mismatch((g) => koaApp((app, router) => (router.delete('/v1/orders/:id', ko.requireAuth(g, 'listCatalog'), (ctx) => void (ctx.body = track('x'))), app.use(router.routes())))));
  it('Hono', () => mismatch((g) => honoApp((app) => void app.delete('/v1/orders/:id', ho.requireAuth(g, 'listCatalog'), (c) => c.json(track('x'))))));
  it('the right route still works', async () => {
    const guard = createGuard(verifiers, { onError: () => expect.unreachable() });
    const server = await expressApp((app) => app.delete('/v1/orders/:id', ex.requireAuth(guard, 'deleteOrder'), (_q, res) => res.json(track('deleteOrder'))));
    expect((await call(server, 'DELETE', '/v1/orders/7')).status).toBe(401);
    expect((await call(server, 'DELETE', '/v1/orders/7', { 'x-api-key': 'k-good' })).status).toBe(200);
  });
});

const PREFLIGHT = { origin: 'https://app.example', 'access-control-request-method': 'GET' };
type Order = 'cors first' | 'guard first';
const ORDERS: readonly Order[] = ['cors first', 'guard first'];

describe('CORS preflight reaches the CORS middleware in either order', () => {
  const check = async (server: Running) => {
    const ok = await call(server, 'OPTIONS', '/v1/things/1', PREFLIGHT);
    expect(ok.status, ok.text).toBeLessThan(300);
    expect(ok.headers.get('access-control-allow-origin')).toBeTruthy();
    // The actual request still needs its key.
    expect((await call(server, 'GET', '/v1/things/1', { origin: 'https://app.example' })).status).toBe(401);
    expect(handled).toEqual([]);
  };
  it.each(ORDERS)('Express + cors (%s; after the guard with `passPreflight: true`)', async (order) => {
    const guard = createGuard(verifiers);
    await check(await expressApp((app) => {
      if (order === 'cors first') app.use(cors());
      app.use(ex.authMiddleware(guard, order === 'guard first' ? { passPreflight: true } : {}));
      if (order === 'guard first') app.use(cors());
      app.get('/v1/things/:id', (_q, res) => res.json(track('getThing')));
    }));
  });
  it.each(ORDERS)('Fastify + @fastify/cors (%s)', async (order) => {
    const guard = createGuard(verifiers);
    await check(await fastifyApp(async (app) => {
      if (order === 'cors first') await app.register(fastifyCors);
      app.addHook('onRequest', fa.authHook(guard));
      if (order === 'guard first') await app.register(fastifyCors);
      app.get('/v1/things/:id', async () => track('getThing'));
    }));
  });
  it.each(ORDERS)('Hono + cors() (%s)', async (order) => {
    const guard = createGuard(verifiers);
    await check(await honoApp((app) => {
      if (order === 'cors first') app.use('*', honoCors());
      app.use('*', ho.authMiddleware(guard));
      if (order === 'guard first') app.use('*', honoCors());
      app.get('/v1/things/:id', (c) => c.json(track('getThing')));
    }));
  });
  it('a preflight is never waved through to a route of an operation that answers OPTIONS (`all` routes)', async () => {
    const guard = createGuard(verifiers);
    const all = [
      await fastifyApp((app) => (app.addHook('onRequest', fa.authHook(guard)), void app.all('/v1/things/:id', async () => track('getThing')))),
      await honoApp((app) => (app.use('*', ho.authMiddleware(guard)), void app.all('/v1/things/:id', (c) => c.json(track('getThing'))))),
      await koaApp((app, router) => (router.all('/v1/things/:id', (ctx) => void (ctx.body = track('getThing'))), app.use(ko.authMiddleware(guard, { router })), app.use(router.routes()))),
    ];
    for (const server of all) {
      expect((await call(server, 'OPTIONS', '/v1/things/1', PREFLIGHT)).status, server.origin).toBe(404);
      expect(handled).toEqual([]);
      expect((await call(server, 'GET', '/v1/things/1')).status, server.origin).toBe(401);
      expect((await call(server, 'GET', '/v1/things/1', { 'x-api-key': 'k-good' })).status, server.origin).toBe(200);
    }
  });
  it('Express and Koa without a router see no route: by default a preflight is answered 404, never handed to a handler that answers any method (attack finding)', async () => {
    const guard = createGuard(verifiers);
    const anyMethod = [
      await expressApp((app) => (app.use(ex.authMiddleware(guard)), void app.all('/v1/things/:id', (_q, res) => res.json(track('getThing'))))),
      await expressApp((app) => (app.use(ex.authMiddleware(guard)), void app.use('/v1/things', (_q, res) => res.json(track('getThing'))))),
      await koaApp((app) => (app.use(ko.authMiddleware(guard)), app.use((ctx) => void (ctx.path.startsWith('/v1/things/') && (ctx.body = track('getThing')))))),
    ];
    for (const server of anyMethod) {
      const preflight = await call(server, 'OPTIONS', '/v1/things/1', PREFLIGHT);
      expect(preflight.status, server.origin).toBe(404);
      expect(handled, server.origin).toEqual([]);
      expect((await call(server, 'GET', '/v1/things/1')).status, server.origin).toBe(401);
      expect(handled).toEqual([]);
      expect((await call(server, 'GET', '/v1/things/1', { 'x-api-key': 'k-good' })).status, server.origin).toBe(200);
      expect(handled).toEqual(['getThing']);
    }
  });
  it('with a CORS middleware before the guard, Express and Koa answer preflights without the option', async () => {
    const guard = createGuard(verifiers);
    const koa = await koaApp((app) => {
      app.use(async (ctx, next) => {
        // A minimal CORS middleware: it answers a preflight itself, as @koa/cors does.
        if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method')) {
          ctx.set('access-control-allow-origin', ctx.get('origin'));
          ctx.status = 204;
          return;
        }
        await next();
      });
      app.use(ko.authMiddleware(guard));
      app.use((ctx) => void (ctx.body = track('getThing')));
    });
    const express = await expressApp((app) => (app.use(cors()), app.use(ex.authMiddleware(guard)), void app.all('/v1/things/:id', (_q, res) => res.json(track('getThing')))));
    for (const server of [koa, express]) {
      const preflight = await call(server, 'OPTIONS', '/v1/things/1', PREFLIGHT);
      expect(preflight.status, server.origin).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBeTruthy();
      expect(handled).toEqual([]);
      expect((await call(server, 'GET', '/v1/things/1')).status, server.origin).toBe(401);
    }
  });
  it('a preflight for a method no operation on the path has is not waved through', async () => {
    const guard = createGuard(verifiers);
    const server = await expressApp((app) => {
      app.use(ex.authMiddleware(guard));
      app.use(cors());
    });
    expect((await call(server, 'OPTIONS', '/v1/things/1', { ...PREFLIGHT, 'access-control-request-method': 'PUT' })).status).toBe(404);
    expect((await call(server, 'OPTIONS', '/v1/nowhere', PREFLIGHT)).status).toBe(404);
  });
});

describe('method overrides and routes outside the spec', () => {
  it('Express app-wide refuses a request carrying a method override (400)', async () => {
    const guard = createGuard(verifiers);
    const server = await expressApp((app) => {
      app.use(ex.authMiddleware(guard));
      app.get('/v1/catalog', (_q, res) => res.json(track('listCatalog')));
    });
    expect((await call(server, 'GET', '/v1/catalog', { 'x-http-method-override': 'DELETE' })).status).toBe(400);
    expect((await call(server, 'GET', '/v1/catalog?_method=DELETE')).status).toBe(400);
    expect((await call(server, 'GET', '/v1/catalog')).status).toBe(200);
    expect((await call(server, 'HEAD', '/v1/things/1')).status).toBe(401);
  });
  it('Koa with a router refuses a method override too (an override middleware before the router would change the route)', async () => {
    const guard = createGuard(verifiers);
    const server = await koaApp((app, router) => (router.get('/v1/catalog', (ctx) => void (ctx.body = track('listCatalog'))), app.use(ko.authMiddleware(guard, { router })), app.use(router.routes())));
    expect((await call(server, 'GET', '/v1/catalog', { 'x-http-method-override': 'DELETE' })).status).toBe(400);
    expect((await call(server, 'GET', '/v1/catalog')).status).toBe(200);
  });
  it('Koa with an exclusive router enforces the one layer that runs', async () => {
    const guard = createGuard(verifiers);
    const app = new Koa();
    const router = new Router({ exclusive: true });
    // Both match /v1/pets/mine; exclusive runs the last one only.
    router.get('/v1/pets/:petId', (ctx) => void (ctx.body = track('showPet')));
    router.get('/v1/pets/mine', (ctx) => void (ctx.body = track('listMyPets')));
    app.use(ko.authMiddleware(guard, { router }));
    app.use(router.routes());
    const server = await listen(createServer(app.callback()));
    servers.push(server);
    expect((await call(server, 'GET', '/v1/pets/mine')).status).toBe(401);
    expect(handled).toEqual([]);
    expect((await call(server, 'GET', '/v1/pets/mine', { 'x-api-key': 'k-good' })).status).toBe(200);
    expect(handled).toEqual(['listMyPets']);
  });
  it('outsideSpec routes pass in the default mode, others are refused', async () => {
    const guard = createGuard(verifiers);
    const options = { outsideSpec: ['GET /healthz'] };
    const all = [
      await expressApp((app) => (app.use(ex.authMiddleware(guard, options)), app.get('/healthz', (_q, res) => res.json(track('health'))), app.get('/other', (_q, res) => res.json(track('other'))))),
      await fastifyApp((app) => (app.addHook('onRequest', fa.authHook(guard, options)), app.get('/healthz', async () => track('health')), void app.get('/other', async () => track('other')))),
      await honoApp((app) => (app.use('*', ho.authMiddleware(guard, options)), app.get('/healthz', (c) => c.json(track('health'))), void app.get('/other', (c) => c.json(track('other'))))),
      await koaApp((app, router) => (router.get('/healthz', (ctx) => void (ctx.body = track('health'))), router.get('/other', (ctx) => void (ctx.body = track('other'))), app.use(ko.authMiddleware(guard, { ...options, router })), app.use(router.routes()))),
    ];
    for (const server of all) {
      expect((await call(server, 'GET', '/healthz')).status, server.origin).toBe(200);
      expect(handled).toEqual(['health']);
      expect((await call(server, 'GET', '/other')).status, server.origin).toBe(404);
      expect(handled).toEqual([]);
    }
  });
  it('a malformed outsideSpec entry is refused when the middleware is made', () => {
    expect(() => ex.authMiddleware(createGuard(verifiers), { outsideSpec: ['healthz'] })).toThrow(/METHOD \/path/);
  });
});

describe('coverage helpers', () => {
  const want = (missing: readonly string[], unknown: readonly string[]) => ({
    missing: expect.arrayContaining([...missing]) as unknown,
    unknown: unknown.map((u) => ({ method: u.split(' ')[0], pattern: u.split(' ')[1] })),
  });
  const check = (result: { missing: readonly { operationId: string }[]; unknown: readonly object[] }, extraUnknown: readonly string[]) => {
    expect(result.missing.map((r) => r.operationId).sort()).toEqual(['deleteOrder', 'getFeed', 'getFile', 'getReport', 'getReportPdf', 'getSecret', 'listCatalog', 'listMyPets', 'showPet', 'getAdminStats', 'getDoc'].sort());
    expect(result).toMatchObject(want([], extraUnknown));
  };
  it('Express, Fastify, Koa and Hono', async () => {
    const guard = createGuard(verifiers);
    const e = express();
    e.get('/v1/things', (_q, r) => r.end()).get('/v1/things/:id', (_q, r) => r.end()).get('/v1/files/*path', (_q, r) => r.end()).get('/healthz', (_q, r) => r.end());
    check(ex.coverage(e, guard, ['GET /healthz']), ['GET /v1/files/*path']);
    const f = fastify();
    const recorded = fa.recordRoutes(f);
    f.get('/v1/things', async () => 1).get('/v1/things/:id', async () => 1).get('/v1/files/*', async () => 1);
    await f.ready();
    check(fa.coverage(recorded, guard), ['GET /v1/files/*']);
    await f.close();
    const router = new Router();
    router.get('/v1/things', () => {}).get('/v1/things/:id', () => {}).get('/v1/files/{*path}', () => {});
    check(ko.coverage(router, guard), ['GET /v1/files/{*path}']);
    const h = new Hono();
    h.use('*', ho.authMiddleware(guard));
    h.get('/v1/things', (c) => c.text('')).get('/v1/things/:id', ho.requireAuth(guard, 'getThing'), (c) => c.text('')).get('/v1/files/*', (c) => c.text(''));
    check(ho.coverage(h, guard), ['GET /v1/files/*']);
  });
});
