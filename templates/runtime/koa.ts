// Koa 3 adapter. Koa has no router of its own; with @koa/router a middleware mounted
// before `router.routes()` never sees which route will answer, so:
// - `mountOperations(router, guard, handlers)` registers every operation's route on
//   the router itself, each with its operation's guard;
// - `app.use(authMiddleware(guard, { router }))` before `router.routes()` asks the
//   router which of its routes match (`router.match`, as its dispatch does) and
//   enforces their operation; routes of two operations, or routes the spec does not
//   know, are refused (404) unless listed in `outsideSpec`;
// - without `router`, the operation is matched from the path and any path routers
//   could resolve differently is refused (404);
// - `router.get(path, requireAuth(guard, operationId), handler)` on one route,
//   checked once against the operation's method and path (mismatch: 500).
// On success `ctx.state.auth` holds the decision and its `headers` (a `limit` hook's
// `RateLimit`) are set with `ctx.set` before the downstream middleware runs (a header
// it sets itself wins); a refusal (401, 403, 429, 503, 404) is answered with its
// headers and problem body. A verifier that throws propagates as a `GuardError` (500,
// `expose: false`; the `VerifierError` as its `cause`), so Koa's error handling
// answers 500 and the downstream middleware never runs.
import type { Context, Middleware, Next } from 'koa';
import {
  mountOrder,
  operationDecider,
  pathAdapterFeatures,
  pathDecider,
  routeCheck,
  routeDecider,
  routeMismatchParts,
  throwGuardError,
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

declare module 'koa' {
  interface DefaultState {
    /** Set by the generated guard when the request passed; `authOf(ctx, guard)` types it. */
    auth?: RequestAuth | undefined;
  }
}

/** The parts of an @koa/router `Router` the adapter uses (structural: no import needed). */
export interface KoaRouterLike {
  readonly opts?: { readonly routerPath?: string | undefined; readonly exclusive?: unknown } | undefined;
  match(path: string, method: string): { readonly pathAndMethod: readonly KoaLayerLike[] };
  register(path: string, methods: string[], middleware: Middleware[]): unknown;
}

export interface KoaLayerLike {
  readonly methods: readonly string[];
  readonly path: string | RegExp;
  readonly paramNames?: readonly unknown[] | undefined;
}

export interface KoaAuthOptions extends PathAdapterOptions {
  /** The @koa/router whose routes the app serves: the guard enforces the route it will run. */
  readonly router?: KoaRouterLike | undefined;
}

function send(ctx: Context, answer: ResponseParts): void {
  ctx.status = answer.status;
  ctx.set(answer.headers);
  ctx.body = JSON.stringify(answer.body);
}

async function finish<Op extends string, V>(ctx: Context, next: Next, decision: Decision<Op, V>): Promise<void> {
  if (decision.pass === false) return send(ctx, decision.answer);
  const auth = decision.auth;
  if (auth !== undefined) {
    (ctx.state as { auth?: RequestAuth }).auth = auth as RequestAuth;
    if (auth.headers !== undefined) ctx.set(auth.headers);
  }
  return next();
}

/**
 * App-wide: `app.use(authMiddleware(guard, { router }))` before `app.use(router.routes())`.
 * The request is judged by `ctx.url` (what the router will route, after any rewrite
 * mounted before the guard), never `ctx.originalUrl`.
 */
export function authMiddleware<Op extends string, V>(guard: Guard<Op, V>, options: KoaAuthOptions = {}): Middleware {
  const router = options.router;
  if (router === undefined) {
    const decide = pathDecider(guard, options, pathAdapterFeatures(options));
    return async (ctx, next) => finish(ctx, next, await decide(authRequestFromNode(ctx.req, ctx.url, options)).catch(throwGuardError));
  }
  // A method-override middleware between this one and the router would change the route.
  const decide = routeDecider(guard, 'path-to-regexp', options, { refuseMethodOverride: true, passPreflight: true });
  return async (ctx, next) => {
    // The path the router's dispatch will match, by its own rule.
    const c = ctx as Context & { newRouterPath?: string; routerPath?: string };
    const path = router.opts?.routerPath || c.newRouterPath || ctx.path || c.routerPath || '';
    // Layers without methods are `router.use` middleware, not routes.
    let layers = router.match(path, ctx.method).pathAndMethod.filter((layer) => layer.methods.length > 0);
    const exclusive = router.opts?.exclusive;
    if (exclusive && layers.length > 1) {
      // Only one layer runs: the one with the fewest parameters, or the last one.
      const fewest = (a: KoaLayerLike, b: KoaLayerLike) => ((b.paramNames?.length ?? 0) < (a.paramNames?.length ?? 0) ? b : a);
      layers = [exclusive === 'specificity' ? layers.reduce(fewest) : (layers[layers.length - 1] as KoaLayerLike)];
    }
    const patterns = layers.map((layer) => (typeof layer.path === 'string' ? layer.path : String(layer.path)));
    return finish(ctx, next, await decide(authRequestFromNode(ctx.req, ctx.url, options), patterns).catch(throwGuardError));
  };
}

/** One route: `router.get('/v1/pets', requireAuth(guard, 'listPets'), handler)`. */
export function requireAuth<Op extends string, V>(guard: Guard<Op, V>, operationId: Op, options: ClientAddressOptions = {}): Middleware {
  const decide = operationDecider(guard, operationId);
  const agrees = routeCheck(guard, operationId, 'path-to-regexp');
  return async (ctx: Context, next: Next): Promise<void> => {
    // @koa/router sets `_matchedRoute` to the layer being run (a RegExp route cannot be
    // checked, so it fails); without a router there is no pattern, and the caller's own
    // dispatch is trusted.
    const pattern = (ctx as { _matchedRoute?: unknown })._matchedRoute;
    if (pattern !== undefined && !agrees(ctx.method, String(pattern))) return send(ctx, routeMismatchParts());
    const state = ctx.state as { auth?: RequestAuth | undefined };
    if (state.auth?.operationId === operationId && guard.issued(state.auth)) return next();
    return finish(ctx, next, await decide(authRequestFromNode(ctx.req, ctx.url, options)).catch(throwGuardError));
  };
}

/** The handler of each operation, by operation id: one missing is a compile error. */
export type KoaHandlers<Op extends string> = { readonly [K in Op]: Middleware };

/** Registers every operation's route on an @koa/router `router`, each with its operation's guard first. */
export function mountOperations<Op extends string, V>(router: KoaRouterLike, guard: Guard<Op, V>, handlers: KoaHandlers<Op>, options: ClientAddressOptions = {}): void {
  for (const route of mountOrder(guard.routing.operations)) {
    router.register(routePattern(route.template, 'path-to-regexp'), [route.method], [requireAuth(guard, route.operationId, options), handlers[route.operationId]]);
  }
}

/** `ctx.state.auth`, typed for this guard's operations and verifiers. */
export function authOf<Op extends string, V>(ctx: Context, _guard: Guard<Op, V>): AuthSuccess<Op, V> | undefined {
  return (ctx.state as { auth?: unknown }).auth as AuthSuccess<Op, V> | undefined;
}

/** The spec's operations with no route on an @koa/router `router`, and its routes no operation covers. */
export function coverage<Op extends string, V>(router: { readonly stack: readonly { readonly methods: readonly string[]; readonly path: string | RegExp }[] }, guard: Guard<Op, V>, outsideSpec: readonly string[] = []): RouteCoverage<Op> {
  const routes: { method: string; pattern: string }[] = [];
  for (const layer of router.stack) {
    if (typeof layer.path !== 'string') continue;
    for (const method of layer.methods) routes.push({ method, pattern: layer.path });
  }
  return routeCoverage(guard, routes, 'path-to-regexp', outsideSpec);
}
