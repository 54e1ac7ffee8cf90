// Routing edge cases where a framework and the guard could disagree about which
// operation a request is for, over real loopback HTTP. The app-wide middleware judges
// a request by the operation it matches; if the framework then runs another route's
// handler, that handler's security was never checked. Case-insensitive routers
// (Express, @koa/router), percent-decoding routers (find-my-way) and absolute-form
// request lines are where that can happen.
import http, { createServer } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFixture, importGenerated } from '../helpers/generated.js';
import { listen, type Running } from './support.js';

type Guard = { match(m: string, p: string): string | undefined; route(m: string, p: string): string | null | undefined };
type ExpressModule = typeof import('../../templates/runtime/express.js');
type FastifyModule = typeof import('../../templates/runtime/fastify.js');

const reject = () => null;
const verifiers = { ApiKey: reject, AppId: reject, Bearer: reject, Basic: reject, OAuth2: reject, QueryKey: reject, SessionCookie: reject };
const handled: string[] = [];
const servers: Running[] = [];
let expressNext: Running;
let expressApp: Running;
let fastifyApp: Running;
let guard: Guard;

beforeAll(async () => {
  const dir = await generateFixture('specs/petstore.yaml', 'e2e-routing');
  const { createGuard, independent } = await importGenerated<{ createGuard(v: object): Guard; independent: symbol }>(dir, 'guard.ts');
  // Every verifier rejects: the pair's binding is never reached, so it is marked unrelated.
  guard = createGuard({ ...verifiers, 'ApiKey + AppId': independent });
  const ex = await importGenerated<ExpressModule>(dir, 'express.ts');
  const fa = await importGenerated<FastifyModule>(dir, 'fastify.ts');
  const expressWith = (options: { unknownRoute?: 'next' }) => {
    const app = express();
    app.use(ex.authMiddleware(guard as never, options));
    app.get('/v1/pets/mine', (_req, res) => (handled.push('listMyPets'), res.json({ handler: 'listMyPets' })));
    app.get('/v1/pets/:petId', (_req, res) => (handled.push('showPetById'), res.json({ handler: 'showPetById' })));
    app.get('/v1/admin/stats', (_req, res) => (handled.push('getAdminStats'), res.json({ handler: 'getAdminStats' })));
    return listen(createServer(app));
  };
  expressApp = await expressWith({});
  expressNext = await expressWith({ unknownRoute: 'next' });
  const f = Fastify();
  f.addHook('onRequest', fa.authHook(guard as never, { unknownRoute: 'next' }));
  f.get('/v1/pets/mine', async () => (handled.push('listMyPets'), { handler: 'listMyPets' }));
  f.get('/v1/pets/:petId', async () => (handled.push('showPetById'), { handler: 'showPetById' }));
  await f.listen({ port: 0, host: '127.0.0.1' });
  const address = f.server.address() as { port: number };
  fastifyApp = { origin: `http://127.0.0.1:${address.port}`, port: address.port, close: () => f.close() };
  servers.push(expressApp, expressNext, fastifyApp);
});
afterAll(async () => {
  for (const s of servers) await s.close();
});

async function get(server: Running, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  handled.length = 0;
  const res = await fetch(server.origin + path);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('a path that only case or percent-encoding separates from a static route', () => {
  // Express would run the cookie-protected /pets/mine handler for /pets/MINE; its
  // path-matching guard must not judge it as showPetById (which lets anonymous
  // callers in), so it refuses. Fastify's guard enforces the route Fastify matched:
  // find-my-way is case-sensitive (/pets/MINE is /pets/:petId) and decodes (m%69ne
  // is /pets/mine), so whatever runs was decided for that handler's operation.
  const fastifyWant: Record<string, { status: number; handler?: string }> = {
    '/v1/pets/MINE': { status: 200, handler: 'showPetById' },
    '/v1/pets/Mine': { status: 200, handler: 'showPetById' },
    '/v1/pets/m%69ne': { status: 401 },
    '/v1/PETS/mine': { status: 404 },
    '/V1/pets/mine': { status: 404 },
  };
  it.each(Object.keys(fastifyWant))('%s is refused by the path-matching guard, and enforced as the route Fastify runs', async (path) => {
    for (const server of [expressApp, expressNext]) {
      const r = await get(server, path);
      expect([r.status, r.body['detail']], `${server.origin}${path}`).toEqual([404, expect.stringMatching(/not written the way the API defines it/)]);
      expect(handled).toEqual([]);
    }
    const want = fastifyWant[path] as { status: number; handler?: string };
    const r = await get(fastifyApp, path);
    expect(r.status, path).toBe(want.status);
    expect(handled).toEqual(want.handler === undefined ? [] : [want.handler]);
    expect(guard.match('GET', path)).toBeUndefined();
    expect(guard.route('GET', path)).toBeNull();
  });
  it('the path as the spec writes it still works: /v1/pets/mine needs the cookie, /v1/pets/7 lets anonymous in', async () => {
    expect((await get(expressApp, '/v1/pets/mine')).status).toBe(401);
    expect(handled).toEqual([]);
    expect(await get(expressApp, '/v1/pets/7')).toEqual({ status: 200, body: { handler: 'showPetById' } });
  });
});

describe('absolute-form request line (RFC 9112 §3.2.2)', () => {
  const absolute = (server: Running, target: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, method: 'GET', path: target, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  it('is judged by its path: the Basic-only admin route answers 401 even with unknownRoute: next', async () => {
    handled.length = 0;
    for (const server of [expressApp, expressNext]) {
      const r = await absolute(server, `http://example.test/v1/admin/stats`);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toMatchObject({ status: 401, missing: [{ scheme: 'Basic' }] });
    }
    expect(handled).toEqual([]);
  });
});
