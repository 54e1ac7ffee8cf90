// Fastify 5 adapter, as `onRequest` hooks so a 401 is answered before the body is
// read. Fastify has routed the request before its hooks run, so every form enforces
// the operation of the route Fastify matched (`request.routeOptions`):
// - `mountOperations(app, guard, handlers)` registers every operation's route itself;
// - `app.addHook('onRequest', authHook(guard))` app-wide: the matched route's method
//   and pattern name the operation; a route the spec does not know is refused (404)
//   unless listed in `outsideSpec` (or, with `unknownRoute: 'next'`, no spec path
//   could have been meant by the request);
// - `{ onRequest: requireAuth(guard, 'listPets') }` on a route, checked once against
//   the operation's method and path (a mismatch answers 500, reported to `onError`).
// On success `request.auth` holds the decision and its `headers` (a `limit` hook's
// `RateLimit`) are set on the reply before the handler runs (a header the handler sets
// itself wins); a refusal (401, 403, 429, 503, 404) is answered with its headers and
// problem body. A verifier that throws rejects the hook with a `GuardError` (500, a
// generic message; the `VerifierError` as its `cause`), so Fastify's error handler
// answers and the handler never runs.
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler, RouteHandlerMethod } from 'fastify';
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
  type AuthSuccess,
  type Decision,
  type Guard,
  type RequestAuth,
  type ResponseParts,
} from './runtime-server.js';
import { authRequestFromNode } from './runtime-request.js';
import type { ClientAddressOptions } from './runtime-address.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the generated guard when the request passed; `authOf(request, guard)` types it. */
    auth?: RequestAuth | undefined;
  }
}

function send(reply: FastifyReply, answer: ResponseParts): FastifyReply {
  // Returning the reply tells Fastify the hook answered: the route does not run.
  return reply.code(answer.status).headers(answer.headers).send(JSON.stringify(answer.body));
}

function finish<Op extends string, V>(request: FastifyRequest, reply: FastifyReply, decision: Decision<Op, V>): FastifyReply | undefined {
  if (decision.pass === false) return send(reply, decision.answer);
  const auth = decision.auth;
  if (auth !== undefined) {
    request.auth = auth as RequestAuth;
    if (auth.headers !== undefined) reply.headers(auth.headers);
  }
  return undefined;
}

/** The pattern of the route Fastify matched; `undefined` when none did (its 404 handler). */
function matchedPattern(request: FastifyRequest): string | undefined {
  const url = (request.routeOptions as { url?: unknown } | undefined)?.url;
  return typeof url === 'string' ? url : undefined;
}

/** App-wide: `app.addHook('onRequest', authHook(guard))`. */
export function authHook<Op extends string, V>(guard: Guard<Op, V>, options: AdapterOptions = {}): onRequestAsyncHookHandler {
  const decide = routeDecider(guard, 'find-my-way', options);
  return async (request, reply) => {
    const pattern = matchedPattern(request);
    // `request.url` is the raw URL as received (prefixes included).
    return finish(request, reply, await decide(authRequestFromNode(request.raw, request.url, options), pattern === undefined ? [] : [pattern]).catch(throwGuardError));
  };
}

/** One route: `app.get('/v1/pets', { onRequest: requireAuth(guard, 'listPets') }, handler)`. */
export function requireAuth<Op extends string, V>(guard: Guard<Op, V>, operationId: Op, options: ClientAddressOptions = {}): onRequestAsyncHookHandler {
  const decide = operationDecider(guard, operationId);
  const agrees = routeCheck(guard, operationId, 'find-my-way');
  return async (request, reply) => {
    const pattern = matchedPattern(request);
    if (pattern === undefined || !agrees(request.method, pattern)) return send(reply, routeMismatchParts());
    if (request.auth?.operationId === operationId && guard.issued(request.auth)) return undefined;
    return finish(request, reply, await decide(authRequestFromNode(request.raw, request.url, options)).catch(throwGuardError));
  };
}

/** The handler of each operation, by operation id: one missing is a compile error. */
export type FastifyHandlers<Op extends string> = { readonly [K in Op]: RouteHandlerMethod };

/** Registers every operation's route on `app`, each with its operation's guard as `onRequest`. */
export function mountOperations<Op extends string, V>(app: FastifyInstance, guard: Guard<Op, V>, handlers: FastifyHandlers<Op>, options: ClientAddressOptions = {}): void {
  const operations = guard.routing.operations;
  for (const route of mountOrder(operations)) {
    // Fastify adds a HEAD route for every GET one; the spec's own HEAD operation takes its place.
    const ownHead = route.method === 'GET' && operations.some((r) => r.method === 'HEAD' && r.template === route.template);
    app.route({
      method: route.method as 'GET',
      url: routePattern(route.template, 'find-my-way'),
      onRequest: requireAuth(guard, route.operationId, options),
      handler: handlers[route.operationId],
      ...(ownHead ? { exposeHeadRoute: false } : {}),
    });
  }
}

/** `request.auth`, typed for this guard's operations and verifiers. */
export function authOf<Op extends string, V>(request: FastifyRequest, _guard: Guard<Op, V>): AuthSuccess<Op, V> | undefined {
  return request.auth as AuthSuccess<Op, V> | undefined;
}

/**
 * Records the routes registered on `app` from now on (call it before registering
 * them); `coverage(recorded, guard)` then compares them with the spec.
 */
export function recordRoutes(app: FastifyInstance): { readonly method: string; readonly pattern: string }[] {
  const routes: { method: string; pattern: string }[] = [];
  app.addHook('onRoute', (options) => {
    const methods = Array.isArray(options.method) ? options.method : [options.method];
    for (const method of methods) routes.push({ method: String(method), pattern: options.url });
  });
  return routes;
}

/** The spec's operations with no route, and the recorded routes no operation covers. */
export function coverage<Op extends string, V>(recorded: readonly { readonly method: string; readonly pattern: string }[], guard: Guard<Op, V>, outsideSpec: readonly string[] = []): RouteCoverage<Op> {
  return routeCoverage(guard, recorded, 'find-my-way', outsideSpec);
}
