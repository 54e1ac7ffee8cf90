// What an adapter does with one request: find the operation (by the route the
// framework matched, by the request path, or as named by a per-route guard),
// authorize it, and turn anything but a pass into the problem answer to send. The
// framework adapters stay a few lines each because every rule lives here: routes
// outside the spec, CORS preflight, `unknownRoute: 'next'`, method overrides, and the
// once-per-route check that a per-route guard sits on a route of its operation. Its
// own refusals (404, 400, 500) reach `onDecision` as the guard's decisions do.
import type { AdapterOptions, AuthSuccess, DecisionReason, Guard, PathAdapterOptions } from './runtime-types.js';
import { clock } from './runtime-observe.js';
import { AMBIGUOUS_ROUTE_DETAIL, METHOD_OVERRIDE_DETAIL, problemResponseParts, UNKNOWN_ROUTE_DETAIL, type ResponseParts } from './runtime-problem.js';
import { readHeader, readQuery, type AuthRequest } from './runtime-request.js';
import { canonicalPattern, canonicalTemplate, upperMethod, type RouteSyntax } from './runtime-bind.js';

/** What an adapter does with a request: let it through (with its auth, if any) or answer it. */
export type Decision<Op extends string, V> =
  | { readonly pass: true; readonly auth: AuthSuccess<Op, V> | undefined }
  | { readonly pass: false; readonly answer: ResponseParts };

const UNDECIDED = Object.freeze({ pass: true as const, auth: undefined });

/** A refusal before any operation is authorized; reported to `onDecision` as one. `startedAt` is 0 when unobserved. */
function refuse<Op extends string, V>(guard: Guard<Op, V>, request: AuthRequest, status: number, detail: string, reason: DecisionReason, startedAt: number): Promise<{ readonly pass: false; readonly answer: ResponseParts }> {
  if (guard.routing.observed) guard.routing.reportRefusal(request.method ?? 'GET', status, reason, startedAt);
  return Promise.resolve({ pass: false as const, answer: problemResponseParts(status, detail) });
}

async function authorizeAs<Op extends string, V>(guard: Guard<Op, V>, operationId: Op, request: AuthRequest): Promise<Decision<Op, V>> {
  const result = await guard.authorize(operationId, request);
  // `=== true`, not truthiness: a discriminant narrows that way in projects without `strictNullChecks` too.
  return result.ok === true ? { pass: true, auth: result } : { pass: false, answer: result };
}

/** A request any of these operations' handlers could answer must satisfy each (see `Guard.authorizeAll`). */
async function authorizeEach<Op extends string, V>(guard: Guard<Op, V>, operationIds: readonly Op[], request: AuthRequest): Promise<Decision<Op, V>> {
  const result = await guard.authorizeAll(operationIds, request);
  return result.ok === true ? { pass: true, auth: result } : { pass: false, answer: result };
}

/**
 * `'GET /healthz'` entries as a set of `METHOD path`; a GET entry covers HEAD. An
 * entry that is an operation's path is refused when the adapter is made: it would
 * read as exempting that operation.
 */
function outsideSpecSet<Op extends string, V>(entries: readonly string[] | undefined, guard: Guard<Op, V>): ReadonlySet<string> {
  const set = new Set<string>();
  for (const entry of entries ?? []) {
    const m = /^([A-Za-z]+) (\/\S*)$/.exec(entry.trim());
    if (m === null) throw new TypeError(`outsideSpec entry ${JSON.stringify(entry)} is not 'METHOD /path'`);
    const op = guard.match(m[1] as string, m[2] as string);
    if (op !== undefined) throw new TypeError(`outsideSpec entry ${JSON.stringify(entry)} is the path of operation ${JSON.stringify(op)}`);
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

function unknownRoute<Op extends string, V>(guard: Guard<Op, V>, request: AuthRequest, options: AdapterOptions, startedAt: number): Promise<Decision<Op, V>> {
  if (options.unknownRoute === 'next' && !guard.routing.nearby(request.path ?? '/')) return Promise.resolve(UNDECIDED);
  return refuse(guard, request, 404, UNKNOWN_ROUTE_DETAIL, 'unknown-route', startedAt);
}

export type RequestDecider<Op extends string, V> = (request: AuthRequest) => Promise<Decision<Op, V>>;

/** How the path and route deciders treat what only some frameworks need. */
export interface DeciderFeatures {
  /**
   * Refuse (400) a request carrying a method override: a method-override middleware
   * between the guard and the router would make it another operation.
   */
  readonly refuseMethodOverride?: boolean;
  /**
   * Let a CORS preflight go on to a CORS middleware. Off for node:http and Fetch, which
   * have none (the caller answers preflights before calling the guard), and by default
   * for Express and Koa without a router (`PathAdapterOptions.passPreflight`), which
   * cannot tell a CORS middleware from a handler that answers any method.
   */
  readonly passPreflight?: boolean;
}

/** A path-matching adapter with no CORS middleware behind it (node:http, Fetch, the one-call `decide`): a preflight is never passed on. */
export const NO_CORS_MIDDLEWARE: DeciderFeatures = Object.freeze({ refuseMethodOverride: true, passPreflight: false });

/** Express and Koa without a router: a preflight is passed on only when `passPreflight` asks. */
export const pathAdapterFeatures = (options: PathAdapterOptions): DeciderFeatures => ({ refuseMethodOverride: true, passPreflight: options.passPreflight === true });

/**
 * App-wide, for frameworks that expose no matched route before the handler (Express,
 * node:http, Fetch, Koa without a router): the operation is matched from the path,
 * and any path routers could resolve differently is refused (see runtime-routes.ts),
 * including one two operations match, since first-match routers run either.
 */
export function pathDecider<Op extends string, V>(guard: Guard<Op, V>, options: AdapterOptions, features: DeciderFeatures): RequestDecider<Op, V> {
  const outside = outsideSpecSet(options.outsideSpec, guard);
  const observed = guard.routing.observed;
  return (request) => {
    const startedAt = observed ? clock() : 0;
    const method = upperMethod(request.method ?? 'GET');
    const path = request.path ?? '/';
    // First: no pass below (outside the spec, preflight, 'next') may be turned into an operation.
    if (features.refuseMethodOverride === true && carriesMethodOverride(request)) return refuse(guard, request, 400, METHOD_OVERRIDE_DETAIL, 'method-override', startedAt);
    // One walk: the strict match and, where the spec has overlaps, every other operation.
    const ops = guard.routing.routeAll(method, path);
    if (ops === null) return refuse(guard, request, 404, AMBIGUOUS_ROUTE_DETAIL, 'ambiguous-route', startedAt);
    const op = ops[0];
    if (op !== undefined) return ops.length > 1 ? authorizeEach(guard, ops, request) : authorizeAs(guard, op, request);
    // Only a path no operation has: an entry never exempts an operation's path.
    if (outside.size > 0 && outside.has(method + ' ' + path)) return Promise.resolve(UNDECIDED);
    if (features.passPreflight === true && preflightFor(guard, request, method)) return Promise.resolve(UNDECIDED);
    return unknownRoute(guard, request, options, startedAt);
  };
}

export type RouteDecider<Op extends string, V> = (request: AuthRequest, patterns: readonly string[]) => Promise<Decision<Op, V>>;

/**
 * App-wide, for frameworks that tell which routes matched before any handler runs
 * (Fastify, Hono, @koa/router). `patterns` are the handler routes matched for this
 * request, as registered, in the order the framework runs them. The first answers,
 * but a handler that calls `next()` hands the request to the next: so when routes of
 * several operations match (a concrete path next to a template), the request must
 * satisfy each, and the first one's decision is handed on. An operation's route next
 * to one the spec does not know is refused (404). Routes the spec does not know, alone, are refused
 * unless listed in `outsideSpec` (or `unknownRoute: 'next'` and no spec path could
 * have been meant).
 */
export function routeDecider<Op extends string, V>(guard: Guard<Op, V>, syntax: RouteSyntax, options: AdapterOptions = {}, features: DeciderFeatures = { passPreflight: true }): RouteDecider<Op, V> {
  const outside = outsideSpecSet(options.outsideSpec, guard);
  const bind = guard.routing.bind;
  const observed = guard.routing.observed;
  return (request, patterns) => {
    const startedAt = observed ? clock() : 0;
    const method = upperMethod(request.method ?? 'GET');
    if (features.refuseMethodOverride === true && carriesMethodOverride(request)) return refuse(guard, request, 400, METHOD_OVERRIDE_DETAIL, 'method-override', startedAt);
    const ops: Op[] = [];
    let others = 0;
    let outsiders = 0;
    for (const pattern of patterns) {
      const bound = bind(method, pattern, syntax);
      if (bound.length === 0) {
        if (outside.has(method + ' ' + pattern)) outsiders++;
        else others++;
      }
      for (const op of bound) if (!ops.includes(op)) ops.push(op);
    }
    const first = ops[0];
    if (first !== undefined) {
      if (others + outsiders > 0) return refuse(guard, request, 404, AMBIGUOUS_ROUTE_DETAIL, 'ambiguous-route', startedAt);
      return ops.length > 1 ? authorizeEach(guard, ops, request) : authorizeAs(guard, first, request);
    }
    if (outsiders > 0 && others === 0) return Promise.resolve(UNDECIDED);
    // A preflight passes only to routes that are no operation's (the CORS plugin's own,
    // or none): an `all` route on an operation's path would run its handler unchecked.
    if (features.passPreflight === true && preflightFor(guard, request, method) && !patterns.some((p) => bind('*', p, syntax).length > 0)) return Promise.resolve(UNDECIDED);
    return unknownRoute(guard, request, options, startedAt);
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
 * Whether the route the framework registered (method and pattern) serves the
 * operation a per-route guard names; a mismatch is reported once per route through
 * the guard's `onError`. `mountedAt`, for Express, is the part of the request path
 * the routers above the route consumed (`req.baseUrl`): the route's pattern must end
 * the operation's template, and the mount path must fit the rest of it, segment by
 * segment (a static segment ignoring case, as Express does; a parameter any value).
 */
export function routeCheck<Op extends string, V>(guard: Guard<Op, V>, operationId: Op, syntax: RouteSyntax): (method: string, pattern: string, mountedAt?: string) => boolean {
  const route = guard.routing.operations.find((r) => r.operationId === operationId);
  const want = route === undefined ? undefined : canonicalTemplate(route.template, syntax).split('/');
  const patterns = new Map<string, readonly string[] | undefined>();
  const reported = new Set<string>();
  const fits = (got: readonly string[] | undefined, mountedAt: string | undefined): boolean => {
    if (want === undefined || got === undefined) return false;
    const mount = mountedAt === undefined || mountedAt === '' ? [] : mountedAt.split('/').slice(1);
    // `got` starts with '' (the pattern's leading slash), as `want` does.
    if (mount.length + got.length !== want.length) return false;
    for (let i = 0; i < mount.length; i++) {
      const w = want[i + 1] as string;
      const m = mount[i] as string;
      if (w === PARAM_SEGMENT ? m === '' : w.indexOf(PARAM_SEGMENT) !== -1 || w.toLowerCase() !== safeDecode(m).toLowerCase()) return false;
    }
    for (let i = 1; i < got.length; i++) if (got[i] !== want[mount.length + i]) return false;
    return got[0] === '';
  };
  return (method, pattern, mountedAt) => {
    const startedAt = guard.routing.observed ? clock() : 0;
    const upper = method.toUpperCase();
    let got = patterns.get(pattern);
    if (got === undefined && !patterns.has(pattern)) {
      got = canonicalPattern(pattern, syntax)?.split('/');
      patterns.set(pattern, got);
    }
    const sameMethod = route !== undefined && (route.method === upper || (upper === 'HEAD' && route.method === 'GET'));
    const ok = sameMethod && fits(got, mountedAt);
    const key = upper + ' ' + pattern;
    if (!ok && !reported.has(key)) {
      reported.add(key);
      guard.routing.reportError(new RouteMismatchError(operationId, upper, (mountedAt ?? '') + pattern));
    }
    if (!ok) guard.routing.reportRefusal(upper, 500, 'route-mismatch', startedAt);
    return ok;
  };
}

/** A canonical segment that is exactly one parameter (see runtime-bind.ts). */
const PARAM_SEGMENT = '\u0000';

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The one-call form: with `operationId`, authorize that operation; without, match the
 * path as `pathDecider` does, passing no CORS preflight (answer preflights first).
 * Rejects when a verifier throws, so each adapter can route the error to its
 * framework's error path; it never resolves to `pass` then.
 */
export function decide<Op extends string, V>(guard: Guard<Op, V>, request: AuthRequest, operationId: Op | undefined, options: AdapterOptions = {}): Promise<Decision<Op, V>> {
  return operationId !== undefined ? authorizeAs(guard, operationId, request) : pathDecider(guard, options, NO_CORS_MIDDLEWARE)(request);
}
