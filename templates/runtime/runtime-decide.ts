// What an adapter does with one request: find the operation (by the route the
// framework matched, by the request path, or as named by a per-route guard),
// authorize it, and turn anything but a pass into the problem answer to send. The
// framework adapters stay a few lines each because every rule lives here: routes
// outside the spec, CORS preflight, `unknownRoute: 'next'`, method overrides, and the
// once-per-route check that a per-route guard sits on a route of its operation.
import type { AdapterOptions, AuthSuccess, Guard } from './runtime-types.js';
import { AMBIGUOUS_ROUTE_DETAIL, METHOD_OVERRIDE_DETAIL, problemResponseParts, UNKNOWN_ROUTE_DETAIL, type ResponseParts } from './runtime-problem.js';
import { readHeader, readQuery, type AuthRequest } from './runtime-request.js';
import { canonicalPattern, canonicalTemplate, type RouteSyntax } from './runtime-bind.js';

/** What an adapter does with a request: let it through (with its auth, if any) or answer it. */
export type Decision<Op extends string, V> =
  | { readonly pass: true; readonly auth: AuthSuccess<Op, V> | undefined }
  | { readonly pass: false; readonly answer: ResponseParts };

const UNDECIDED = Object.freeze({ pass: true as const, auth: undefined });

function refuse(status: number, detail: string): Promise<{ readonly pass: false; readonly answer: ResponseParts }> {
  return Promise.resolve({ pass: false as const, answer: problemResponseParts(status, detail) });
}

async function authorizeAs<Op extends string, V>(guard: Guard<Op, V>, operationId: Op, request: AuthRequest): Promise<Decision<Op, V>> {
  const result = await guard.authorize(operationId, request);
  return result.ok ? { pass: true, auth: result } : { pass: false, answer: result };
}

/** `'GET /healthz'` entries as a set of `METHOD path`; a GET entry covers HEAD. */
function outsideSpecSet(entries: readonly string[] | undefined): ReadonlySet<string> {
  const set = new Set<string>();
  for (const entry of entries ?? []) {
    const m = /^([A-Za-z]+) (\/\S*)$/.exec(entry.trim());
    if (m === null) throw new TypeError(`outsideSpec entry ${JSON.stringify(entry)} is not 'METHOD /path'`);
    const method = (m[1] as string).toUpperCase();
    set.add(method + ' ' + m[2]);
    if (method === 'GET') set.add('HEAD ' + m[2]);
  }
  return set;
}

/**
 * A CORS preflight (Fetch standard §4.8) for a method an operation on this path
 * has: it carries no credentials by design, so it goes on to the CORS middleware.
 * (The route-bound decider also makes sure no operation's route would answer it.)
 */
function preflightFor<Op extends string, V>(guard: Guard<Op, V>, request: AuthRequest, method: string): boolean {
  if (method !== 'OPTIONS' || readHeader(request, 'origin', undefined) === undefined) return false;
  const requested = readHeader(request, 'access-control-request-method', undefined);
  return typeof requested === 'string' && typeof guard.route(requested.trim(), request.path ?? '/') === 'string';
}

const OVERRIDE_HEADERS = ['x-http-method-override', 'x-http-method', 'x-method-override'];

/** A method-override middleware after the guard could turn this request into another operation. */
function carriesMethodOverride(request: AuthRequest): boolean {
  for (const name of OVERRIDE_HEADERS) if (readHeader(request, name, undefined) !== undefined) return true;
  return readQuery(request.query, '_method') !== undefined;
}

function unknownRoute<Op extends string, V>(guard: Guard<Op, V>, request: AuthRequest, options: AdapterOptions): Promise<Decision<Op, V>> {
  if (options.unknownRoute === 'next' && !guard.routing.nearby(request.path ?? '/')) return Promise.resolve(UNDECIDED);
  return refuse(404, UNKNOWN_ROUTE_DETAIL);
}

export type RequestDecider<Op extends string, V> = (request: AuthRequest) => Promise<Decision<Op, V>>;

/**
 * App-wide, for frameworks that expose no matched route before the handler (Express,
 * node:http, Fetch, Koa without a router): the operation is matched from the path,
 * and any path routers could resolve differently is refused (see runtime-routes.ts).
 */
export function pathDecider<Op extends string, V>(guard: Guard<Op, V>, options: AdapterOptions = {}): RequestDecider<Op, V> {
  const outside = outsideSpecSet(options.outsideSpec);
  return (request) => {
    const method = (request.method ?? 'GET').toUpperCase();
    const path = request.path ?? '/';
    if (outside.size > 0 && outside.has(method + ' ' + path)) return Promise.resolve(UNDECIDED);
    const op = guard.route(method, path);
    if (op === null) return refuse(404, AMBIGUOUS_ROUTE_DETAIL);
    if (op === undefined) return preflightFor(guard, request, method) ? Promise.resolve(UNDECIDED) : unknownRoute(guard, request, options);
    if (carriesMethodOverride(request)) return refuse(400, METHOD_OVERRIDE_DETAIL);
    return authorizeAs(guard, op, request);
  };
}

export type RouteDecider<Op extends string, V> = (request: AuthRequest, patterns: readonly string[]) => Promise<Decision<Op, V>>;

/**
 * App-wide, for frameworks that tell which routes matched before any handler runs
 * (Fastify, Hono, @koa/router). `patterns` are the handler routes matched for this
 * request, as registered, in the order the framework runs them. The first one
 * answers (a later one runs only if its handler hands the request on), so its
 * operation is the one enforced. A first route the spec does not know is refused
 * (unless listed in `outsideSpec`, or `unknownRoute: 'next'` and no spec path could
 * have been meant), and always when an operation's route follows it, since a
 * middleware-like handler there could hand the request to that operation unchecked.
 */
export function routeDecider<Op extends string, V>(guard: Guard<Op, V>, syntax: RouteSyntax, options: AdapterOptions = {}, refuseMethodOverride = false): RouteDecider<Op, V> {
  const outside = outsideSpecSet(options.outsideSpec);
  const bind = guard.routing.bind;
  return (request, patterns) => {
    const method = (request.method ?? 'GET').toUpperCase();
    const first = patterns[0];
    if (first === undefined) return preflightFor(guard, request, method) ? Promise.resolve(UNDECIDED) : unknownRoute(guard, request, options);
    const op = bind(method, first, syntax);
    if (op !== undefined) {
      if (refuseMethodOverride && carriesMethodOverride(request)) return refuse(400, METHOD_OVERRIDE_DETAIL);
      return authorizeAs(guard, op, request);
    }
    for (let i = 1; i < patterns.length; i++) {
      if (bind(method, patterns[i] as string, syntax) !== undefined) return refuse(404, AMBIGUOUS_ROUTE_DETAIL);
    }
    if (outside.has(method + ' ' + first)) return Promise.resolve(UNDECIDED);
    // A preflight passes only to routes that are no operation's (the CORS plugin's own,
    // or none): an `all` route on an operation's path would run its handler unchecked.
    if (preflightFor(guard, request, method) && !patterns.some((p) => bind('*', p, syntax) !== undefined)) return Promise.resolve(UNDECIDED);
    return unknownRoute(guard, request, options);
  };
}

/** Per route: the operation is named, so the path plays no part. */
export function operationDecider<Op extends string, V>(guard: Guard<Op, V>, operationId: Op): RequestDecider<Op, V> {
  return (request) => authorizeAs(guard, operationId, request);
}

/** A per-route guard sits on a route that does not serve its operation. */
export class RouteMismatchError extends Error {
  constructor(operationId: string, method: string, pattern: string) {
    super(`requireAuth(guard, ${JSON.stringify(operationId)}) is on route ${method} ${JSON.stringify(pattern)}, which is not that operation's method and path: every request to it is refused`);
    this.name = 'RouteMismatchError';
  }
}

/**
 * Once per route, whether the route the framework registered (method and pattern)
 * serves the operation a per-route guard names. `suffix` accepts a pattern that ends
 * the operation's template (Express gives a route's path relative to the router it is
 * mounted on). A mismatch is reported once through the guard's `onError`.
 */
export function routeCheck<Op extends string, V>(guard: Guard<Op, V>, operationId: Op, syntax: RouteSyntax, suffix = false): (method: string, pattern: string) => boolean {
  const route = guard.routing.operations.find((r) => r.operationId === operationId);
  const want = route === undefined ? undefined : canonicalTemplate(route.template, syntax);
  const verdicts = new Map<string, boolean>();
  return (method, pattern) => {
    const upper = method.toUpperCase();
    const key = upper + ' ' + pattern;
    let ok = verdicts.get(key);
    if (ok === undefined) {
      const got = canonicalPattern(pattern, syntax);
      const sameMethod = route !== undefined && (route.method === upper || (upper === 'HEAD' && route.method === 'GET'));
      const samePath = want !== undefined && got !== undefined && (got === want || (suffix && got.charCodeAt(0) === 47 && got.length < want.length && want.endsWith(got)));
      ok = sameMethod && samePath;
      if (!ok) guard.routing.reportError(new RouteMismatchError(operationId, upper, pattern));
      verdicts.set(key, ok);
    }
    return ok;
  };
}

/**
 * The one-call form: with `operationId`, authorize that operation; without, match the
 * path as `pathDecider` does. Rejects when a verifier throws, so each adapter can
 * route the error to its framework's error path; it never resolves to `pass` then.
 */
export function decide<Op extends string, V>(guard: Guard<Op, V>, request: AuthRequest, operationId: Op | undefined, options: AdapterOptions = {}): Promise<Decision<Op, V>> {
  return operationId !== undefined ? authorizeAs(guard, operationId, request) : pathDecider(guard, options)(request);
}
