// Express 5 adapter. Express tells a middleware nothing about the route that will
// answer, so three wirings exist, safest first:
// - `mountOperations(app, guard, handlers)` registers every operation's route itself,
//   each with its operation's guard: the route that runs is the one enforced.
// - `requireAuth(guard, operationId)` on a route; checked once per route against the
//   operation's method and path (a mismatch answers 500 and is reported to `onError`).
// - `authMiddleware(guard)` app-wide: the operation is matched from the path, and any
//   path routers could resolve differently is refused (404). Mount it after any
//   method-override middleware; requests carrying an override are refused (400).
// On success the request carries the decision, read with `authOf(req, guard)`, and the
// decision's `headers` (a `limit` hook's `RateLimit`) are set on the response before
// the handler runs, so a header the handler sets itself wins. A refusal (401, 403,
// 429, 503, 404) is answered with its headers and problem body; a verifier that
// throws goes to `next(err)` as a `GuardError` (500, a generic message; the
// `VerifierError` as its `cause`).
import type { Application, NextFunction, Request, RequestHandler, Response, Router } from 'express';
import {
  operationDecider,
  pathAdapterFeatures,
  pathDecider,
  routeCheck,
  routeMismatchParts,
  guardError,
  mountOrder,
  routePattern,
  routeCoverage,
  type PathAdapterOptions,
  type RouteCoverage,
  type AuthSuccess,
  type Decision,
  type Guard,
  type RequestAuth,
  type ResponseParts,
} from './runtime-server.js';
import { authRequestFromNode } from './runtime-request.js';
import type { ClientAddressOptions } from './runtime-address.js';

/**
 * Where a passed request keeps its decision: a symbol-keyed property, not `req.auth`,
 * and no augmentation of Express's `Request`, so nothing can collide with a library
 * that declares `req.auth` itself (express-oauth2-jwt-bearer). `Symbol.for`: one key
 * for every generated folder, as one `req.auth` was; `guard.issued` tells guards apart.
 */
const AUTH = Symbol.for('openapi-security-codegen.auth');

function storedAuth(req: Request): RequestAuth | undefined {
  return (req as unknown as { [key: symbol]: RequestAuth | undefined })[AUTH];
}

function send(res: Response, answer: ResponseParts): void {
  res.status(answer.status).set(answer.headers).send(JSON.stringify(answer.body));
}

function finish<Op extends string, V>(req: Request, res: Response, next: NextFunction, decision: Decision<Op, V>): void {
  if (decision.pass === false) return send(res, decision.answer);
  const auth = decision.auth;
  if (auth !== undefined) {
    (req as unknown as { [key: symbol]: RequestAuth })[AUTH] = auth as RequestAuth;
    if (auth.headers !== undefined) for (const [name, value] of Object.entries(auth.headers)) res.setHeader(name, value);
  }
  next();
}

/**
 * The URL the routes after this middleware will be matched against, whatever router it
 * is mounted on: `baseUrl + url`, not `originalUrl`, so a rewrite mounted before the
 * guard (`req.url = …`) is judged as the router will route it.
 */
function routedUrl(req: Request): string {
  return req.baseUrl + req.url;
}

/** App-wide: `app.use(authMiddleware(guard))` before the routes. */
export function authMiddleware<Op extends string, V>(guard: Guard<Op, V>, options: PathAdapterOptions = {}): RequestHandler {
  const decide = pathDecider(guard, options, pathAdapterFeatures(options));
  return (req, res, next) => {
    decide(authRequestFromNode(req, routedUrl(req), options)).then((decision) => finish(req, res, next, decision), (error: unknown) => next(guardError(error)));
  };
}

interface ExpressRoute {
  readonly path?: unknown;
}

/** One route: `app.get('/v1/pets', requireAuth(guard, 'listPets'), handler)`. */
export function requireAuth<Op extends string, V>(guard: Guard<Op, V>, operationId: Op, options: ClientAddressOptions = {}): RequestHandler {
  const decide = operationDecider(guard, operationId);
  const agrees = routeCheck(guard, operationId, 'path-to-regexp');
  return (req, res, next) => {
    const route = (req as { route?: ExpressRoute }).route;
    // Outside a route (`app.use`) there is no pattern to check, so the method and path cannot be vouched for.
    // `req.route.path` is relative to the router the route is on; `req.baseUrl` is what the routers above consumed.
    if (typeof route?.path !== 'string' || !agrees(req.method, route.path, req.baseUrl)) return send(res, routeMismatchParts());
    // Already decided for this operation by this guard's app-wide middleware: verify once per request.
    const prior = storedAuth(req);
    if (prior?.operationId === operationId && guard.issued(prior)) return next();
    decide(authRequestFromNode(req, routedUrl(req), options)).then((decision) => finish(req, res, next, decision), (error: unknown) => next(guardError(error)));
  };
}

/** The handler of each operation, by operation id: one missing is a compile error. */
export type ExpressHandlers<Op extends string> = { readonly [K in Op]: RequestHandler | readonly RequestHandler[] };

/**
 * Registers every operation's route on `app` (an application or a router), in the
 * spec's path syntax translated to Express's, with the operation's guard first.
 * Concrete paths are registered before templated ones, as the spec's matching rule wants.
 */
export function mountOperations<Op extends string, V>(app: Application | Router, guard: Guard<Op, V>, handlers: ExpressHandlers<Op>, options: ClientAddressOptions = {}): void {
  for (const route of mountOrder(guard.routing.operations)) {
    const handler = handlers[route.operationId];
    const chain = Array.isArray(handler) ? (handler as readonly RequestHandler[]) : [handler as RequestHandler];
    const method = route.method.toLowerCase() as 'get';
    (app as Router)[method](routePattern(route.template, 'path-to-regexp'), requireAuth(guard, route.operationId, options), ...chain);
  }
}

/** The decision a guard stored on the request when it passed, typed for this guard's operations and verifiers. */
export function authOf<Op extends string, V>(req: Request, _guard: Guard<Op, V>): AuthSuccess<Op, V> | undefined {
  return storedAuth(req) as AuthSuccess<Op, V> | undefined;
}

interface ExpressLayer {
  readonly route?: { readonly path?: unknown; readonly methods?: Record<string, boolean> } | undefined;
}

/**
 * The spec's operations with no route on `app`, and the app's routes no operation
 * covers (best effort: routes registered directly on the app or router passed; routers
 * mounted with `app.use(path, router)` are not followed, pass them separately).
 */
export function coverage<Op extends string, V>(app: Application | Router, guard: Guard<Op, V>, outsideSpec: readonly string[] = []): RouteCoverage<Op> {
  const router = ('router' in app ? (app as { router: unknown }).router : app) as { stack?: readonly ExpressLayer[] };
  const routes: { method: string; pattern: string }[] = [];
  for (const layer of router.stack ?? []) {
    const route = layer.route;
    if (route === undefined || typeof route.path !== 'string') continue;
    for (const method of Object.keys(route.methods ?? {})) if (method !== '_all') routes.push({ method, pattern: route.path });
  }
  return routeCoverage(guard, routes, 'path-to-regexp', outsideSpec);
}
