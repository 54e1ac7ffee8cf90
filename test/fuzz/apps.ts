// App builders for the routing fuzz tests: one server per framework × mode, serving
// the routes of an `AppSpec` (test/fuzz/routes.ts, siblings-routes.ts) with the
// generated adapters, on an ephemeral loopback port. Modes: `app` (app-wide
// middleware/hook; Koa with `{ router }`), `path` (Koa: `authMiddleware(guard)` without
// a router, matching by path, before an @koa/router), `next` (app-wide with
// `unknownRoute: 'next'`, `outsideSpec`, and the spec's `nextRoutes`), `route`
// (`requireAuth` per route) and `mount` (`mountOperations` registers the spec's routes
// itself; not for node:http or Fetch, see apps-plain.ts). A route the router refuses
// to register next to an earlier one (find-my-way: `/u/:id` and `/u/:name`) is left
// out, as a user would have to, and listed in `skipped`.
import http from 'node:http';
import type { Server } from 'node:net';
import { serve } from '@hono/node-server';
import Router from '@koa/router';
import express from 'express';
import type { NextFunction, Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from 'express';
import { fastify } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Hono } from 'hono';
import type { Context as HonoContext } from 'hono';
import Koa from 'koa';
import type { Context as KoaContext } from 'koa';
import type { AuthSuccess, Guard } from '../../templates/runtime/runtime-server.js';
import { listen, whenListening, type Running } from '../e2e/support.js';
import { fetchApp, nodeApp, type FetchAdapter, type NodeAdapter } from './apps-plain.js';
import { FUZZ_ID_HEADER, recordRun, routesOf, type AppSpec } from './routes.js';

type ExpressAdapter = typeof import('../../templates/runtime/express.js');
type FastifyAdapter = typeof import('../../templates/runtime/fastify.js');
type KoaAdapter = typeof import('../../templates/runtime/koa.js');
type HonoAdapter = typeof import('../../templates/runtime/hono.js');

export type Mode = 'app' | 'path' | 'next' | 'route' | 'mount';
export type Framework = 'express' | 'fastify' | 'koa' | 'hono' | 'node' | 'fetch';
export const FRAMEWORKS: readonly Framework[] = ['express', 'fastify', 'koa', 'hono', 'node', 'fetch'];
/** The modes of the routing fixture's servers. */
export const MODES_OF: Readonly<Record<Framework, readonly Mode[]>> = {
  express: ['app', 'next', 'route', 'mount'],
  fastify: ['app', 'next', 'route', 'mount'],
  koa: ['app', 'path', 'next', 'route', 'mount'],
  hono: ['app', 'next', 'route', 'mount'],
  node: ['app', 'next', 'route'],
  fetch: ['app', 'next', 'route'],
};

export interface Adapters {
  readonly express: ExpressAdapter;
  readonly fastify: FastifyAdapter;
  readonly koa: KoaAdapter;
  readonly hono: HonoAdapter;
  readonly node: NodeAdapter;
  readonly fetch: FetchAdapter;
}

/** A running server, and the routes its router refused to register (left out). */
export interface Started extends Running {
  readonly skipped: readonly string[];
}

type Auth = AuthSuccess<string, unknown>;
type AnyGuard = Guard<string, unknown>;

/** One handler per operation for `mountOperations`, built by `make`. */
function handlersBy<H>(spec: AppSpec, make: (op: string) => H): Record<string, H> {
  return Object.fromEntries(spec.operationIds.map((op) => [op, make(op)]));
}

const JSON_TYPE = 'application/json';
const lower = (method: string): 'get' | 'delete' | 'head' => method.toLowerCase() as 'get' | 'delete' | 'head';
const started = async (running: Promise<Running>, skipped: readonly string[] = []): Promise<Started> => ({ ...(await running), skipped });

// ---------------------------------------------------------------------------
// Express 5
// ---------------------------------------------------------------------------

async function expressApp(m: ExpressAdapter, guard: AnyGuard, mode: Mode, spec: AppSpec): Promise<Started> {
  const app = express();
  const handler = (key: string, op: string | undefined): RequestHandler => (req, res) => {
    res.type(JSON_TYPE).send(recordRun(req.headers[FUZZ_ID_HEADER], key, op, m.authOf(req, guard)));
  };
  if (mode === 'app') app.use(m.authMiddleware(guard));
  if (mode === 'next') app.use(m.authMiddleware(guard, spec.nextOptions));
  if (mode === 'mount') {
    m.mountOperations(app, guard, handlersBy(spec, (op) => handler(op, op)));
  } else {
    for (const route of routesOf(spec, mode)) {
      const chain: RequestHandler[] = mode === 'route' && route.op !== undefined ? [m.requireAuth(guard, route.op)] : [];
      app[lower(route.method)](route.paths.ptr, ...chain, handler(route.key, route.op));
    }
  }
  app.use((err: unknown, _req: ExpressRequest, res: ExpressResponse, _next: NextFunction) => {
    res.status(500).type(JSON_TYPE).send(JSON.stringify({ errorPath: 'express', error: String(err) }));
  });
  return started(listen(http.createServer(app)));
}

// ---------------------------------------------------------------------------
// Fastify 5
// ---------------------------------------------------------------------------

async function fastifyApp(m: FastifyAdapter, guard: AnyGuard, mode: Mode, spec: AppSpec): Promise<Started> {
  const app = fastify();
  const handler = (key: string, op: string | undefined) => async (request: FastifyRequest, reply: FastifyReply): Promise<string> => {
    void reply.type(JSON_TYPE);
    return recordRun(request.headers[FUZZ_ID_HEADER], key, op, request.auth);
  };
  if (mode === 'app') app.addHook('onRequest', m.authHook(guard));
  if (mode === 'next') app.addHook('onRequest', m.authHook(guard, spec.nextOptions));
  const skipped: string[] = [];
  if (mode === 'mount') {
    m.mountOperations(app, guard, handlersBy(spec, (op) => handler(op, op)));
  } else {
    const routes = routesOf(spec, mode);
    for (const route of routes) {
      // Fastify adds a HEAD route to every GET one: an explicit HEAD route takes its place.
      const ownHead = route.method === 'GET' && routes.some((r) => r.method === 'HEAD' && r.paths.fmw === route.paths.fmw);
      try {
        app.route({
          method: route.method,
          url: route.paths.fmw,
          ...(mode === 'route' && route.op !== undefined ? { onRequest: m.requireAuth(guard, route.op) } : {}),
          ...(ownHead ? { exposeHeadRoute: false } : {}),
          handler: handler(route.key, route.op),
        });
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'FST_ERR_DUPLICATED_ROUTE') throw error;
        skipped.push(`${route.method} ${route.paths.fmw} (${route.key})`);
      }
    }
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const running = await whenListening(app.server);
  return { ...running, skipped, close: () => app.close() };
}

// ---------------------------------------------------------------------------
// Koa 3 + @koa/router 15
// ---------------------------------------------------------------------------

async function koaApp(m: KoaAdapter, guard: AnyGuard, mode: Mode, spec: AppSpec): Promise<Started> {
  const app = new Koa();
  app.silent = true;
  const router = new Router();
  const handler = (key: string, op: string | undefined) => (ctx: KoaContext): void => {
    ctx.type = JSON_TYPE;
    ctx.body = recordRun(ctx.get(FUZZ_ID_HEADER), key, op, (ctx.state as { auth?: unknown }).auth);
  };
  if (mode === 'mount') {
    m.mountOperations(router, guard, handlersBy(spec, (op) => handler(op, op)));
  } else {
    for (const route of routesOf(spec, mode)) {
      const method = lower(route.method);
      if (mode === 'route' && route.op !== undefined) router[method](route.paths.ptr, m.requireAuth(guard, route.op), handler(route.key, route.op));
      else router[method](route.paths.ptr, handler(route.key, route.op));
    }
  }
  if (mode === 'app') app.use(m.authMiddleware(guard, { router }));
  // No `router` option: the guard matches the request path on its own.
  if (mode === 'path') app.use(m.authMiddleware(guard));
  if (mode === 'next') app.use(m.authMiddleware(guard, { router, ...spec.nextOptions }));
  app.use(router.routes());
  return started(listen(http.createServer(app.callback())));
}

// ---------------------------------------------------------------------------
// Hono 4 on @hono/node-server
// ---------------------------------------------------------------------------

async function honoApp(m: HonoAdapter, guard: AnyGuard, mode: Mode, spec: AppSpec): Promise<Started> {
  type Env = { Variables: { auth: Auth | undefined } };
  const app = new Hono<Env>();
  const handler = (key: string, op: string | undefined) => (c: HonoContext<Env>): Response =>
    c.body(recordRun(c.req.header(FUZZ_ID_HEADER), key, op, c.get('auth')), 200, { 'content-type': JSON_TYPE });
  app.onError((err, c) => c.json({ errorPath: 'hono', error: String(err) }, 500));
  if (mode === 'app') app.use('*', m.authMiddleware(guard));
  if (mode === 'next') app.use('*', m.authMiddleware(guard, spec.nextOptions));
  if (mode === 'mount') {
    m.mountOperations(app, guard, handlersBy(spec, (op) => handler(op, op)));
  } else {
    // Hono answers HEAD with the GET route: an explicit HEAD route is registered but never runs.
    for (const route of routesOf(spec, mode)) {
      if (mode === 'route' && route.op !== undefined) app.on(route.method, route.paths.hono, m.requireAuth(guard, route.op), handler(route.key, route.op));
      else app.on(route.method, route.paths.hono, handler(route.key, route.op));
    }
  }
  return started(whenListening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server));
}

/** Starts the server of one framework in one mode, serving `spec`. */
export function startApp(framework: Framework, mode: Mode, adapters: Adapters, guard: AnyGuard, spec: AppSpec): Promise<Started> {
  switch (framework) {
    case 'express':
      return expressApp(adapters.express, guard, mode, spec);
    case 'fastify':
      return fastifyApp(adapters.fastify, guard, mode, spec);
    case 'koa':
      return koaApp(adapters.koa, guard, mode, spec);
    case 'hono':
      return honoApp(adapters.hono, guard, mode, spec);
    case 'node':
      return nodeApp(adapters.node, guard, mode, spec);
    case 'fetch':
      return fetchApp(adapters.fetch, guard, mode, spec);
  }
}
