// Koa 3 adapter. `authMiddleware(guard)` is app-wide (route matched to its operation,
// unknown routes answered 404 unless `unknownRoute: 'next'`); `requireAuth(guard,
// operationId)` guards one route (for instance with @koa/router). On success
// `ctx.state.auth` holds the decision; a verifier that throws propagates, so Koa's
// error handling answers 500 and the downstream middleware never runs.
import type { Context, Middleware, Next } from 'koa';
import { authRequestFromNode, decide, type AdapterOptions, type AuthSuccess, type Guard, type RequestAuth } from './runtime-server.js';

declare module 'koa' {
  interface DefaultState {
    /** Set by the generated guard when the request passed; `authOf(ctx, guard)` types it. */
    auth?: RequestAuth | undefined;
  }
}

function handler<Op extends string, V>(guard: Guard<Op, V>, operationId: Op | undefined, options: AdapterOptions): Middleware {
  return async (ctx: Context, next: Next): Promise<void> => {
    const state = ctx.state as { auth?: RequestAuth | undefined };
    if (operationId !== undefined && state.auth?.operationId === operationId) return next();
    const decision = await decide(guard, authRequestFromNode(ctx.req, ctx.originalUrl), operationId, options);
    if (!decision.pass) {
      ctx.status = decision.answer.status;
      ctx.set(decision.answer.headers);
      ctx.body = JSON.stringify(decision.answer.body);
      return;
    }
    if (decision.auth !== undefined) state.auth = decision.auth as RequestAuth;
    return next();
  };
}

/** App-wide: `app.use(authMiddleware(guard))` before the routes. */
export function authMiddleware<Op extends string, V>(guard: Guard<Op, V>, options: AdapterOptions = {}): Middleware {
  return handler(guard, undefined, options);
}

/** One route: `router.get('/pets', requireAuth(guard, 'listPets'), handler)`. */
export function requireAuth<Op extends string, V>(guard: Guard<Op, V>, operationId: Op): Middleware {
  return handler(guard, operationId, {});
}

/** `ctx.state.auth`, typed for this guard's operations and verifiers. */
export function authOf<Op extends string, V>(ctx: Context, _guard: Guard<Op, V>): AuthSuccess<Op, V> | undefined {
  return (ctx.state as { auth?: unknown }).auth as AuthSuccess<Op, V> | undefined;
}
