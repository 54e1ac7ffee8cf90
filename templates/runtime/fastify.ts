// Fastify 5 adapter: an `onRequest` hook, so a 401 is answered before the body is
// read or validated. `app.addHook('onRequest', authHook(guard))` is app-wide (route
// matched to its operation, unknown routes answered 404 unless `unknownRoute:
// 'next'`); `{ onRequest: requireAuth(guard, 'listPets') }` in a route's options
// guards one route. On success `request.auth` holds the decision; a verifier that
// throws rejects the hook, so Fastify's error handler answers and the handler never runs.
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { authRequestFromNode, decide, type AdapterOptions, type AuthSuccess, type Guard, type RequestAuth } from './runtime-server.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the generated guard when the request passed; `authOf(request, guard)` types it. */
    auth?: RequestAuth | undefined;
  }
}

function hook<Op extends string, V>(guard: Guard<Op, V>, operationId: Op | undefined, options: AdapterOptions): onRequestAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    if (operationId !== undefined && request.auth?.operationId === operationId) return undefined;
    // `request.url` is the raw URL as received (prefixes included).
    const decision = await decide(guard, authRequestFromNode(request.raw, request.url), operationId, options);
    if (!decision.pass) {
      // Returning the reply tells Fastify the hook answered: the route does not run.
      return reply.code(decision.answer.status).headers(decision.answer.headers).send(JSON.stringify(decision.answer.body));
    }
    if (decision.auth !== undefined) request.auth = decision.auth as RequestAuth;
    return undefined;
  };
}

/** App-wide: `app.addHook('onRequest', authHook(guard))`. */
export function authHook<Op extends string, V>(guard: Guard<Op, V>, options: AdapterOptions = {}): onRequestAsyncHookHandler {
  return hook(guard, undefined, options);
}

/** One route: `app.get('/pets', { onRequest: requireAuth(guard, 'listPets') }, handler)`. */
export function requireAuth<Op extends string, V>(guard: Guard<Op, V>, operationId: Op): onRequestAsyncHookHandler {
  return hook(guard, operationId, {});
}

/** `request.auth`, typed for this guard's operations and verifiers. */
export function authOf<Op extends string, V>(request: FastifyRequest, _guard: Guard<Op, V>): AuthSuccess<Op, V> | undefined {
  return request.auth as AuthSuccess<Op, V> | undefined;
}
