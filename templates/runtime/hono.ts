// Hono 4 adapter. `app.use(authMiddleware(guard))` is app-wide (route matched to its
// operation, unknown routes answered 404 unless `unknownRoute: 'next'`);
// `app.get('/pets', requireAuth(guard, 'listPets'), handler)` guards one route. On
// success `c.get('auth')` holds the decision, typed through Hono's variables. A
// verifier that throws propagates to `app.onError` (500 by default), and the handler
// never runs. Works on any runtime Hono runs on; mutual TLS is read from
// @hono/node-server's `c.env.incoming` socket when there is one.
import type { Context, MiddlewareHandler } from 'hono';
import { authRequestFromFetch, clientCertificateOf, decide, type AdapterOptions, type AuthSuccess, type Guard, type NodeRequestLike } from './runtime-server.js';

/** The Hono environment the middleware provides: `c.get('auth')`. */
export interface AuthEnv<Op extends string, V> {
  Variables: { auth: AuthSuccess<Op, V> | undefined };
}

function middleware<Op extends string, V>(guard: Guard<Op, V>, operationId: Op | undefined, options: AdapterOptions): MiddlewareHandler<AuthEnv<Op, V>> {
  return async (c: Context<AuthEnv<Op, V>>, next): Promise<Response | void> => {
    if (operationId !== undefined && c.get('auth')?.operationId === operationId) return next();
    const incoming = (c.env as { incoming?: Partial<NodeRequestLike> } | undefined)?.incoming;
    const fromFetch = authRequestFromFetch(c.req.raw, clientCertificateOf(incoming?.socket));
    // On Node the incoming message keeps repeated header lines apart, so a key sent
    // twice is caught as a duplicate; a Fetch `Headers` would join them into one value.
    const rawHeaders = incoming?.rawHeaders;
    const request = rawHeaders ? { ...fromFetch, rawHeaders } : fromFetch;
    const decision = await decide(guard, request, operationId, options);
    if (!decision.pass) {
      // A copy: @hono/node-server adds to the init's headers, and answers may be shared.
      return new Response(JSON.stringify(decision.answer.body), { status: decision.answer.status, headers: { ...decision.answer.headers } });
    }
    c.set('auth', decision.auth);
    return next();
  };
}

/** App-wide: `app.use(authMiddleware(guard))` before the routes. */
export function authMiddleware<Op extends string, V>(guard: Guard<Op, V>, options: AdapterOptions = {}): MiddlewareHandler<AuthEnv<Op, V>> {
  return middleware(guard, undefined, options);
}

/** One route: `app.get('/pets', requireAuth(guard, 'listPets'), (c) => …)`. */
export function requireAuth<Op extends string, V>(guard: Guard<Op, V>, operationId: Op): MiddlewareHandler<AuthEnv<Op, V>> {
  return middleware(guard, operationId, {});
}
