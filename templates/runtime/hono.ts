// Hono 4 adapter. Hono has matched every route of a request before the first
// middleware runs (`matchedRoutes` from `hono/route`), so every form enforces the
// operation of the route Hono will run:
// - `mountOperations(app, guard, handlers)` registers every operation's route itself;
// - `app.use(authMiddleware(guard))` app-wide: the handler routes matched for the
//   request name exactly one operation, or the request is refused (404): routes of
//   two operations, or routes the spec does not know unless listed in `outsideSpec`;
// - `app.get(path, requireAuth(guard, 'listPets'), handler)` on one route, checked
//   once against the operation's method and path (a mismatch answers 500).
// On success `c.get('auth')` holds the decision, typed through Hono's variables (or
// `authOf(c, guard)` where the app's variables do not declare it), and its `headers`
// (a `limit` hook's `RateLimit`) go on the handler's answer: through `c.header` before
// it runs (what `c.json()` and `c.text()` build on), and again after it for any its
// own `Response` lacks (a header the handler set itself wins). A refusal (401, 403,
// 429, 503, 404) is answered with its headers and problem body. A verifier that
// throws propagates to `app.onError` (500 by default) as a `GuardError` (a generic
// message; the `VerifierError` as its `cause`). Works on any runtime Hono runs on;
// mutual TLS is read from @hono/node-server's `c.env.incoming`.
import type { Context, Handler, Hono, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import {
  mountOrder,
  operationDecider,
  routeCheck,
  routeDecider,
  routeMismatchParts,
  throwGuardError,
  routePattern,
  routeCoverage,
  type AdapterOptions,
  type RouteCoverage,
  type AuthRequest,
  type AuthSuccess,
  type Guard,
  type NodeRequestLike,
  type ResponseParts,
} from './runtime-server.js';
import { authRequestFromFetch, clientAddressOfNode, clientCertificateOf } from './runtime-request.js';
import type { ClientAddressOptions } from './runtime-address.js';

/** The Hono environment the middleware provides: `c.get('auth')`. */
export interface AuthEnv<Op extends string, V> {
  Variables: { auth: AuthSuccess<Op, V> | undefined };
}

/** Where the client's address comes from: Node's socket (through `trustProxy`), else `clientAddress(c)`. */
export interface HonoAddressOptions extends ClientAddressOptions {
  /** For runtimes without a Node socket (Workers, Deno, Bun): the client's address. */
  readonly clientAddress?: (c: Context) => string | undefined;
}

function toRequest(c: Context, options: HonoAddressOptions): AuthRequest {
  const incoming = (c.env as { incoming?: NodeRequestLike } | undefined)?.incoming;
  const address = options.clientAddress !== undefined ? options.clientAddress(c) : incoming !== undefined ? clientAddressOfNode(incoming, options) : undefined;
  const fromFetch = authRequestFromFetch(c.req.raw, clientCertificateOf(incoming?.socket), address);
  // On Node the incoming message keeps repeated header lines apart, so a key sent
  // twice is caught as a duplicate; a Fetch `Headers` would join them into one value.
  const rawHeaders = incoming?.rawHeaders;
  return rawHeaders ? { ...fromFetch, rawHeaders } : fromFetch;
}

// A copy of the headers: @hono/node-server adds to the init's headers, and answers may be shared.
function toResponse(answer: ResponseParts): Response {
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { ...answer.headers } });
}

/** Hands the decision on; without headers (no `limit`, or none asked) just `next()`, no extra promise. */
function pass<Op extends string, V>(c: Context<AuthEnv<Op, V>>, auth: AuthSuccess<Op, V> | undefined, next: () => Promise<void>): Promise<void> {
  c.set('auth', auth);
  const headers = auth?.headers;
  return headers === undefined ? next() : withHeaders(c, headers, next);
}

/** Puts the decision's headers on whatever answer the handler gives. */
async function withHeaders(c: Context, headers: Readonly<Record<string, string>>, next: () => Promise<void>): Promise<void> {
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  await next();
  // A handler that returns a `Response` of its own replaces the one `c.header` prepared;
  // `c.header` on a finished answer copies it first, so immutable headers are fine too.
  for (const [name, value] of Object.entries(headers)) if (!c.res.headers.has(name)) c.header(name, value);
}

/** App-wide: `app.use(authMiddleware(guard))` before the routes. */
export function authMiddleware<Op extends string, V>(guard: Guard<Op, V>, options: AdapterOptions & HonoAddressOptions = {}): MiddlewareHandler<AuthEnv<Op, V>> {
  const decide = routeDecider(guard, 'hono', options);
  return async (c, next) => {
    const patterns: string[] = [];
    for (const route of matchedRoutes(c)) {
      // Each handler of a route is an entry of its own: the same pattern may repeat.
      if (route.method !== 'ALL') {
        patterns.push(route.path);
      } else if (guard.routing.bind('*', route.path, 'hono').length > 0) {
        // `app.all` on an operation's path is a route serving it; any other method-less
        // entry (`app.use`, `cors()`) is middleware.
        patterns.push(route.path);
      }
    }
    const decision = await decide(toRequest(c, options), patterns).catch(throwGuardError);
    if (decision.pass === false) return toResponse(decision.answer);
    return pass(c, decision.auth, next);
  };
}

/** One route: `app.get('/v1/pets', requireAuth(guard, 'listPets'), (c) => …)`. */
export function requireAuth<Op extends string, V>(guard: Guard<Op, V>, operationId: Op, options: HonoAddressOptions = {}): MiddlewareHandler<AuthEnv<Op, V>> {
  const decide = operationDecider(guard, operationId);
  const agrees = routeCheck(guard, operationId, 'hono');
  return async (c, next) => {
    // The route this middleware was registered on is the one being run.
    const route = matchedRoutes(c)[c.req.routeIndex];
    if (route === undefined || route.method === 'ALL' || !agrees(c.req.method, route.path)) return toResponse(routeMismatchParts());
    const prior = c.get('auth');
    if (prior?.operationId === operationId && guard.issued(prior)) return next();
    const decision = await decide(toRequest(c, options)).catch(throwGuardError);
    if (decision.pass === false) return toResponse(decision.answer);
    return pass(c, decision.auth, next);
  };
}

/**
 * `c.get('auth')`, typed for this guard's operations and verifiers, whatever the app's
 * environment: after `app.use(authMiddleware(guard))` on an existing `new Hono()`,
 * the app's variables do not include `auth` (`c.get('auth')` is typed `never`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function authOf<Op extends string, V>(c: Context<any, any, any>, _guard: Guard<Op, V>): AuthSuccess<Op, V> | undefined {
  return (c as Context<AuthEnv<Op, V>>).get('auth');
}

/** The handler of each operation, by operation id: one missing is a compile error. */
export type HonoHandlers<Op extends string, V> = { readonly [K in Op]: Handler<AuthEnv<Op, V>> };

/** Registers every operation's route on `app`, each with its operation's guard first. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function mountOperations<Op extends string, V>(app: Hono<any, any, any>, guard: Guard<Op, V>, handlers: HonoHandlers<Op, V>, options: HonoAddressOptions = {}): void {
  for (const route of mountOrder(guard.routing.operations)) {
    app.on(route.method, routePattern(route.template, 'hono'), requireAuth(guard, route.operationId, options), handlers[route.operationId]);
  }
}

/** The spec's operations with no route on `app`, and its routes no operation covers (middleware excluded). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function coverage<Op extends string, V>(app: Hono<any, any, any>, guard: Guard<Op, V>, outsideSpec: readonly string[] = []): RouteCoverage<Op> {
  const routes: { method: string; pattern: string }[] = [];
  const seen = new Set<string>();
  for (const route of app.routes) {
    // Every handler of a route is an entry; `app.use` entries are method-less middleware.
    if (route.method === 'ALL' && guard.routing.bind('*', route.path, 'hono').length === 0) continue;
    const key = route.method + ' ' + route.path;
    if (seen.has(key)) continue;
    seen.add(key);
    routes.push({ method: route.method, pattern: route.path });
  }
  return routeCoverage(guard, routes, 'hono', outsideSpec);
}
