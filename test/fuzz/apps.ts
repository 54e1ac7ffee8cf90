// App builders for the routing fuzz test: one server per framework × mode, all
// serving the routes of test/fuzz/routes.ts with the generated adapters, listening on
// an ephemeral loopback port. Modes: `app` (app-wide middleware/hook), `next` (the
// same with `unknownRoute: 'next'`, `outsideSpec`, a wildcard route for getFile and
// routes outside the spec), `route` (`requireAuth` per route) and `mount`
// (`mountOperations` registers the spec's routes itself; not for node:http).
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import { serve } from '@hono/node-server';
import Router from '@koa/router';
import express from 'express';
import type { NextFunction, Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from 'express';
import { fastify } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay from 'find-my-way';
import { Hono } from 'hono';
import type { Context as HonoContext } from 'hono';
import Koa from 'koa';
import type { Context as KoaContext } from 'koa';
import type { AuthSuccess, Guard } from '../../templates/runtime/runtime-server.js';
import { listen, whenListening, type Running } from '../e2e/support.js';
import { FUZZ_ID_HEADER, NEXT_EXTRA_ROUTES, NEXT_OPTIONS, OPERATION_IDS, recordRun, SPEC_ROUTES, type OperationId, type RouteDef } from './routes.js';

type ExpressAdapter = typeof import('../../templates/runtime/express.js');
type FastifyAdapter = typeof import('../../templates/runtime/fastify.js');
type KoaAdapter = typeof import('../../templates/runtime/koa.js');
type HonoAdapter = typeof import('../../templates/runtime/hono.js');
type NodeAdapter = typeof import('../../templates/runtime/node.js');

export type Mode = 'app' | 'next' | 'route' | 'mount';
export type Framework = 'express' | 'fastify' | 'koa' | 'hono' | 'node';
export const MODES_OF: Readonly<Record<Framework, readonly Mode[]>> = {
  express: ['app', 'next', 'route', 'mount'],
  fastify: ['app', 'next', 'route', 'mount'],
  koa: ['app', 'next', 'route', 'mount'],
  hono: ['app', 'next', 'route', 'mount'],
  node: ['app', 'next', 'route'],
};

export interface Adapters {
  readonly express: ExpressAdapter;
  readonly fastify: FastifyAdapter;
  readonly koa: KoaAdapter;
  readonly hono: HonoAdapter;
  readonly node: NodeAdapter;
}

type Auth = AuthSuccess<string, unknown>;
type AnyGuard = Guard<string, unknown>;

const routesOf = (mode: Mode): readonly RouteDef[] => (mode === 'next' ? [...SPEC_ROUTES, ...NEXT_EXTRA_ROUTES] : SPEC_ROUTES);

/** One handler per operation for `mountOperations`, built by `make`. */
function handlersBy<H>(make: (op: OperationId) => H): Record<OperationId, H> {
  return Object.fromEntries(OPERATION_IDS.map((op) => [op, make(op)])) as Record<OperationId, H>;
}

const JSON_TYPE = 'application/json';

// ---------------------------------------------------------------------------
// Express 5
// ---------------------------------------------------------------------------

async function expressApp(m: ExpressAdapter, guard: AnyGuard, mode: Mode): Promise<Running> {
  const app = express();
  const handler = (key: string, op: string | undefined): RequestHandler => (req, res) => {
    res.type(JSON_TYPE).send(recordRun(req.headers[FUZZ_ID_HEADER], key, op, req.auth));
  };
  if (mode === 'app') app.use(m.authMiddleware(guard));
  if (mode === 'next') app.use(m.authMiddleware(guard, NEXT_OPTIONS));
  if (mode === 'mount') {
    m.mountOperations(app, guard, handlersBy((op) => handler(op, op)));
  } else {
    for (const route of routesOf(mode)) {
      const chain: RequestHandler[] = mode === 'route' && route.op !== undefined ? [m.requireAuth(guard, route.op)] : [];
      const method = route.method === 'GET' ? 'get' : 'delete';
      app[method](route.paths.ptr, ...chain, handler(route.key, route.op));
    }
  }
  app.use((err: unknown, _req: ExpressRequest, res: ExpressResponse, _next: NextFunction) => {
    res.status(500).type(JSON_TYPE).send(JSON.stringify({ errorPath: 'express', error: String(err) }));
  });
  return listen(http.createServer(app));
}

// ---------------------------------------------------------------------------
// Fastify 5
// ---------------------------------------------------------------------------

async function fastifyApp(m: FastifyAdapter, guard: AnyGuard, mode: Mode): Promise<Running> {
  const app = fastify();
  const handler = (key: string, op: string | undefined) => async (request: FastifyRequest, reply: FastifyReply): Promise<string> => {
    void reply.type(JSON_TYPE);
    return recordRun(request.headers[FUZZ_ID_HEADER], key, op, request.auth);
  };
  if (mode === 'app') app.addHook('onRequest', m.authHook(guard));
  if (mode === 'next') app.addHook('onRequest', m.authHook(guard, NEXT_OPTIONS));
  if (mode === 'mount') {
    m.mountOperations(app, guard, handlersBy((op) => handler(op, op)));
  } else {
    for (const route of routesOf(mode)) {
      app.route({
        method: route.method,
        url: route.paths.fmw,
        ...(mode === 'route' && route.op !== undefined ? { onRequest: m.requireAuth(guard, route.op) } : {}),
        handler: handler(route.key, route.op),
      });
    }
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const running = await whenListening(app.server);
  return { ...running, close: () => app.close() };
}

// ---------------------------------------------------------------------------
// Koa 3 + @koa/router 15
// ---------------------------------------------------------------------------

async function koaApp(m: KoaAdapter, guard: AnyGuard, mode: Mode): Promise<Running> {
  const app = new Koa();
  app.silent = true;
  const router = new Router();
  const handler = (key: string, op: string | undefined) => (ctx: KoaContext): void => {
    ctx.type = JSON_TYPE;
    ctx.body = recordRun(ctx.get(FUZZ_ID_HEADER), key, op, (ctx.state as { auth?: unknown }).auth);
  };
  if (mode === 'mount') {
    m.mountOperations(router, guard, handlersBy((op) => handler(op, op)));
  } else {
    for (const route of routesOf(mode)) {
      const method = route.method === 'GET' ? 'get' : 'delete';
      if (mode === 'route' && route.op !== undefined) router[method](route.paths.ptr, m.requireAuth(guard, route.op), handler(route.key, route.op));
      else router[method](route.paths.ptr, handler(route.key, route.op));
    }
  }
  if (mode === 'app') app.use(m.authMiddleware(guard, { router }));
  if (mode === 'next') app.use(m.authMiddleware(guard, { router, ...NEXT_OPTIONS }));
  app.use(router.routes());
  return listen(http.createServer(app.callback()));
}

// ---------------------------------------------------------------------------
// Hono 4 on @hono/node-server
// ---------------------------------------------------------------------------

async function honoApp(m: HonoAdapter, guard: AnyGuard, mode: Mode): Promise<Running> {
  type Env = { Variables: { auth: Auth | undefined } };
  const app = new Hono<Env>();
  const handler = (key: string, op: string | undefined) => (c: HonoContext<Env>): Response =>
    c.body(recordRun(c.req.header(FUZZ_ID_HEADER), key, op, c.get('auth')), 200, { 'content-type': JSON_TYPE });
  app.onError((err, c) => c.json({ errorPath: 'hono', error: String(err) }, 500));
  if (mode === 'app') app.use('*', m.authMiddleware(guard));
  if (mode === 'next') app.use('*', m.authMiddleware(guard, NEXT_OPTIONS));
  if (mode === 'mount') {
    m.mountOperations(app, guard, handlersBy((op) => handler(op, op)));
  } else {
    for (const route of routesOf(mode)) {
      if (mode === 'route' && route.op !== undefined) app.on(route.method, route.paths.hono, m.requireAuth(guard, route.op), handler(route.key, route.op));
      else app.on(route.method, route.paths.hono, handler(route.key, route.op));
    }
  }
  return whenListening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server);
}

// ---------------------------------------------------------------------------
// node:http + find-my-way on its own
// ---------------------------------------------------------------------------

async function nodeApp(m: NodeAdapter, guard: AnyGuard, mode: Mode): Promise<Running> {
  if (mode === 'mount') throw new Error('node:http has no mountOperations');
  const fail = (res: ServerResponse, status: number, text: string): void => {
    if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(text);
  };
  const router = FindMyWay({ defaultRoute: (_req, res) => fail(res, 404, 'no such route') });
  /** The app-wide decision, handed from the server callback to the route handler. */
  const appAuth = new WeakMap<IncomingMessage, Auth | null>();
  for (const route of routesOf(mode)) {
    router.on(route.method, route.paths.fmw, (req, res) => {
      const run = async (): Promise<void> => {
        let auth: Auth | null | undefined = appAuth.get(req);
        if (mode === 'route' && route.op !== undefined) {
          auth = await m.requireAuth(guard, route.op)(req, res);
          if (!auth) return;
        }
        const body = recordRun(req.headers[FUZZ_ID_HEADER], route.key, route.op, auth);
        res.writeHead(200, { 'content-type': JSON_TYPE }).end(body);
      };
      run().catch((err: unknown) => fail(res, 500, String(err)));
    });
  }
  const authenticate = mode === 'app' ? m.nodeAuth(guard) : mode === 'next' ? m.nodeAuth(guard, NEXT_OPTIONS) : undefined;
  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (authenticate !== undefined) {
      const auth = await authenticate(req, res);
      if (auth === undefined) return; // the adapter answered
      appAuth.set(req, auth);
    }
    router.lookup(req, res);
  };
  return listen(http.createServer((req, res) => void onRequest(req, res).catch((err: unknown) => fail(res, 500, String(err)))));
}

/** Starts the server of one framework in one mode. */
export function startApp(framework: Framework, mode: Mode, adapters: Adapters, guard: AnyGuard): Promise<Running> {
  switch (framework) {
    case 'express':
      return expressApp(adapters.express, guard, mode);
    case 'fastify':
      return fastifyApp(adapters.fastify, guard, mode);
    case 'koa':
      return koaApp(adapters.koa, guard, mode);
    case 'hono':
      return honoApp(adapters.hono, guard, mode);
    case 'node':
      return nodeApp(adapters.node, guard, mode);
  }
}
