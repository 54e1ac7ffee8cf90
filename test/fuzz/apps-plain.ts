// App builders for the routing fuzz tests on frameworks with no router of their own:
// node:http (`nodeAuth` / `requireAuth` from the generated node.ts) and the Fetch API
// (`fetchAuth` / `requireAuth` from fetch.ts, served by @hono/node-server's `serve`,
// which hands over a standard `Request` whose URL the WHATWG parser normalized). Both
// dispatch with find-my-way: node:http through `lookup(req, res)`, Fetch through
// `find(method, pathname)` as a user would. The app calls a handler only once the
// adapter let the request through: on a `Response` it returns that as is; `undefined`
// (no operation matched) is expected only with `unknownRoute: 'next'`, and otherwise
// answers 500 with the anomaly header, which the test counts as a violation.
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import { serve } from '@hono/node-server';
import FindMyWay from 'find-my-way';
import type { AuthSuccess, Guard } from '../../templates/runtime/runtime-server.js';
import { listen, whenListening } from '../e2e/support.js';
import type { Mode, Started } from './apps.js';
import { ANOMALY_HEADER, FUZZ_ID_HEADER, recordRun, routesOf, type AppSpec, type RouteDef } from './routes.js';

export type NodeAdapter = typeof import('../../templates/runtime/node.js');
export type FetchAdapter = typeof import('../../templates/runtime/fetch.js');

type Auth = AuthSuccess<string, unknown>;
type AnyGuard = Guard<string, unknown>;

const JSON_TYPE = 'application/json';

/** Registers `route` with `on`; a route find-my-way refuses next to an earlier one is left out and listed. */
function register(on: () => void, route: RouteDef, skipped: string[]): void {
  try {
    on();
  } catch (error) {
    if (!/already declared/.test(String(error))) throw error;
    skipped.push(`${route.method} ${route.paths.fmw} (${route.key})`);
  }
}

// ---------------------------------------------------------------------------
// node:http + find-my-way
// ---------------------------------------------------------------------------

export async function nodeApp(m: NodeAdapter, guard: AnyGuard, mode: Mode, spec: AppSpec): Promise<Started> {
  if (mode !== 'app' && mode !== 'next' && mode !== 'route') throw new Error(`node:http has no mode ${mode}`);
  const fail = (res: ServerResponse, status: number, text: string): void => {
    if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(text);
  };
  const router = FindMyWay({ defaultRoute: (_req, res) => fail(res, 404, 'no such route') });
  /** The app-wide decision, handed from the server callback to the route handler. */
  const appAuth = new WeakMap<IncomingMessage, Auth | null>();
  const skipped: string[] = [];
  for (const route of routesOf(spec, mode)) {
    const perRoute = mode === 'route' && route.op !== undefined ? m.requireAuth(guard, route.op) : undefined;
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      const run = async (): Promise<void> => {
        let auth: Auth | null | undefined = appAuth.get(req);
        if (perRoute !== undefined) {
          auth = await perRoute(req, res);
          if (!auth) return;
        }
        const body = recordRun(req.headers[FUZZ_ID_HEADER], route.key, route.op, auth);
        res.writeHead(200, { 'content-type': JSON_TYPE }).end(body);
      };
      run().catch((err: unknown) => fail(res, 500, String(err)));
    };
    register(() => router.on(route.method, route.paths.fmw, handler), route, skipped);
  }
  const authenticate = mode === 'app' ? m.nodeAuth(guard) : mode === 'next' ? m.nodeAuth(guard, spec.nextOptions) : undefined;
  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (authenticate !== undefined) {
      const auth = await authenticate(req, res);
      if (auth === undefined) return; // the adapter answered
      if (auth === null && mode !== 'next') {
        res.writeHead(500, { [ANOMALY_HEADER]: 'nodeAuth resolved to null without unknownRoute next' }).end();
        return;
      }
      appAuth.set(req, auth);
    }
    router.lookup(req, res);
  };
  const server = http.createServer((req, res) => void onRequest(req, res).catch((err: unknown) => fail(res, 500, String(err))));
  return { ...(await listen(server)), skipped };
}

// ---------------------------------------------------------------------------
// Fetch API on @hono/node-server, find-my-way's `find` as the app's router
// ---------------------------------------------------------------------------

type FetchHandler = (request: Request, auth: Auth | undefined) => Promise<Response>;

export async function fetchApp(m: FetchAdapter, guard: AnyGuard, mode: Mode, spec: AppSpec): Promise<Started> {
  if (mode !== 'app' && mode !== 'next' && mode !== 'route') throw new Error(`Fetch has no mode ${mode}`);
  const router = FindMyWay();
  const skipped: string[] = [];
  for (const route of routesOf(spec, mode)) {
    const perRoute = mode === 'route' && route.op !== undefined ? m.requireAuth(guard, route.op) : undefined;
    const handler: FetchHandler = async (request, appAuth) => {
      let auth = appAuth;
      if (perRoute !== undefined) {
        const result = await perRoute(request);
        if (result instanceof Response) return result;
        auth = result;
      }
      const body = recordRun(request.headers.get(FUZZ_ID_HEADER) ?? undefined, route.key, route.op, auth);
      return new Response(body, { status: 200, headers: { 'content-type': JSON_TYPE } });
    };
    register(() => router.on(route.method, route.paths.fmw, () => undefined, { handler }), route, skipped);
  }
  const authenticate = mode === 'app' ? m.fetchAuth(guard) : mode === 'next' ? m.fetchAuth(guard, spec.nextOptions) : undefined;
  const onRequest = async (request: Request): Promise<Response> => {
    let auth: Auth | undefined;
    if (authenticate !== undefined) {
      const result = await authenticate(request);
      if (result instanceof Response) return result;
      if (result === undefined && mode !== 'next') {
        return new Response(null, { status: 500, headers: { [ANOMALY_HEADER]: 'fetchAuth resolved to undefined without unknownRoute next' } });
      }
      auth = result;
    }
    const found = router.find(request.method as 'GET', new URL(request.url).pathname);
    const store = found?.store as { handler?: FetchHandler } | undefined;
    if (store?.handler === undefined) return new Response('no such route', { status: 404 });
    return store.handler(request, auth);
  };
  const fetch = (request: Request): Promise<Response> =>
    onRequest(request).catch((err: unknown) => new Response(String(err), { status: 500, headers: { 'content-type': 'text/plain' } }));
  return { ...(await whenListening(serve({ fetch, port: 0, hostname: '127.0.0.1' }) as Server)), skipped };
}
