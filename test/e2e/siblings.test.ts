// Findings of the third review, each in its real framework over loopback and failing
// without its fix: spec paths routers take as one route (letter case, a trailing
// slash, parameter names) must all be satisfied; a verifier decides per operation;
// `outsideSpec` never exempts an operation's path; a rewrite before the guard is
// judged as the router will route it.
import { createServer } from 'node:http';
import express from 'express';
import { fastify, type FastifyInstance } from 'fastify';
import Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateFixture, importGenerated } from '../helpers/generated.js';
import type { Guard, GuardOptions, VerifyContext } from '../../templates/runtime/runtime-server.js';
import { listen, type Running } from './support.js';

type ExpressAdapter = typeof import('../../templates/runtime/express.js');
type FastifyAdapter = typeof import('../../templates/runtime/fastify.js');
type KoaAdapter = typeof import('../../templates/runtime/koa.js');
type AnyGuard = Guard<string, unknown>;
let createGuard: (verifiers: object, options?: GuardOptions) => AnyGuard;
let ex: ExpressAdapter, fa: FastifyAdapter, ko: KoaAdapter;
const servers: Running[] = [];
let ran: string[] = [];
beforeEach(() => {
  ran = [];
});
/** `k-good` works everywhere; `count-key` only for countUsers (the verifier decides per operation). */
const verifiers = {
  ApiKey: (key: string, ctx: VerifyContext) => (key === 'k-good' || (key === 'count-key' && ctx.operationId === 'countUsers') ? { client: 'c' } : null),
};

beforeAll(async () => {
  const dir = await generateFixture('test/e2e/fixtures/siblings.yaml', 'e2e-siblings');
  createGuard = (await importGenerated<{ createGuard: typeof createGuard }>(dir, 'guard.ts')).createGuard;
  ex = await importGenerated(dir, 'express.ts');
  fa = await importGenerated(dir, 'fastify.ts');
  ko = await importGenerated(dir, 'koa.ts');
});
afterAll(async () => {
  for (const s of servers) await s.close();
});

const seen = (op: string) => ran.push(op);
async function call(server: Running, path: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(server.origin + path, { headers });
  await res.arrayBuffer();
  return res.status;
}
const up = (s: Running) => (servers.push(s), s);
const expressApp = (build: (app: express.Express) => void) => {
  const app = express();
  build(app);
  return listen(createServer(app)).then(up);
};

describe('spec paths routers take as one route', () => {
  it('Express app-wide: /admin next to /Admin, /things next to /things/ (protected one registered first)', async () => {
    const guard = createGuard(verifiers);
    const server = await expressApp((app) => {
      app.use(ex.authMiddleware(guard));
      app.get('/v1/Admin', (_q, res) => (seen('adminUpper'), res.end()));
      app.get('/v1/admin', (_q, res) => (seen('adminLower'), res.end()));
      app.get('/v1/things/', (_q, res) => (seen('listThingsSlash'), res.end()));
      app.get('/v1/things', (_q, res) => (seen('listThings'), res.end()));
    });
    for (const path of ['/v1/admin', '/v1/Admin', '/v1/things', '/v1/things/']) expect(await call(server, path), path).toBe(401);
    expect(ran).toEqual([]);
    expect(await call(server, '/v1/admin', { 'x-api-key': 'k-good' })).toBe(200);
  });
  it('Koa without a router: the same, by path', async () => {
    const guard = createGuard(verifiers);
    const app = new Koa();
    app.use(ko.authMiddleware(guard));
    app.use((ctx) => void (seen(ctx.path), (ctx.body = '')));
    const server = up(await listen(createServer(app.callback())));
    expect(await call(server, '/v1/admin')).toBe(401);
    expect(ran).toEqual([]);
  });
  it('Fastify app-wide: /u/{id} and /u/{name} are one route, both operations apply', async () => {
    const guard = createGuard(verifiers);
    const app = fastify() as unknown as FastifyInstance;
    app.addHook('onRequest', fa.authHook(guard));
    app.get('/v1/u/:name', async () => seen('privU'));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const server = up({ origin: `http://127.0.0.1:${port}`, port, close: () => app.close() });
    expect(await call(server, '/v1/u/1')).toBe(401);
    expect(ran).toEqual([]);
    expect(await call(server, '/v1/u/1', { 'x-api-key': 'k-good' })).toBe(200);
  });
});

describe('a verifier decides per operation', () => {
  it('a key valid only for countUsers does not reach getUser, which Express runs for /users/count when registered first', async () => {
    const guard = createGuard(verifiers);
    const server = await expressApp((app) => {
      app.use(ex.authMiddleware(guard));
      app.get('/v1/users/:id', (_q, res) => (seen('getUser'), res.end()));
      app.get('/v1/users/count', (_q, res) => (seen('countUsers'), res.end()));
    });
    expect(await call(server, '/v1/users/count', { 'x-api-key': 'count-key' })).toBe(401);
    expect(ran).toEqual([]);
  });
});

describe('outsideSpec and rewrites', () => {
  it('an outsideSpec entry that is an operation’s path is refused when the middleware is made', () => {
    const guard = createGuard(verifiers);
    expect(() => ex.authMiddleware(guard, { outsideSpec: ['GET /v1/items/export'] })).toThrow(/operation "getItem"/);
    expect(() => fa.authHook(guard, { outsideSpec: ['GET /v1/users/count'] })).toThrow(/operation "countUsers"/);
  });
  it("a rewrite mounted before the guard is judged as the router routes it, also with unknownRoute: 'next'", async () => {
    const guard = createGuard(verifiers);
    const server = await expressApp((app) => {
      app.use((req, _res, next) => ((req.url = req.url.replace(/^\/legacy\//, '/v1/users/')), next()));
      app.use(ex.authMiddleware(guard, { unknownRoute: 'next' }));
      app.get('/v1/users/:id', (_q, res) => (seen('getUser'), res.end()));
    });
    expect(await call(server, '/legacy/7')).toBe(401);
    expect(ran).toEqual([]);
    expect(await call(server, '/legacy/7', { 'x-api-key': 'k-good' })).toBe(200);
  });
});
