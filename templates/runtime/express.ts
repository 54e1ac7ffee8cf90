// Express 5 adapter. `authMiddleware(guard)` is app-wide: it matches the route to its
// operation (unknown routes get a 404 problem unless `unknownRoute: 'next'`);
// `requireAuth(guard, operationId)` guards one route. On success `req.auth` holds the
// decision; on failure the 401/403 problem is sent and the handler never runs; a
// verifier that throws goes to `next(err)`, Express's error path.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { authRequestFromNode, decide, type AdapterOptions, type AuthSuccess, type Guard, type RequestAuth, type ResponseParts } from './runtime-server.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by the generated guard when the request passed; `authOf(req, guard)` types it. */
      auth?: RequestAuth | undefined;
    }
  }
}

function send(res: Response, answer: ResponseParts): void {
  res.status(answer.status).set(answer.headers).send(JSON.stringify(answer.body));
}

function handler<Op extends string, V>(guard: Guard<Op, V>, operationId: Op | undefined, options: AdapterOptions): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    // Already decided for this operation by the app-wide middleware: verify once per request.
    if (operationId !== undefined && req.auth?.operationId === operationId) return next();
    // `originalUrl`: the path as received, whatever router the middleware is mounted on.
    decide(guard, authRequestFromNode(req, req.originalUrl), operationId, options).then((decision) => {
      if (!decision.pass) return send(res, decision.answer);
      if (decision.auth !== undefined) req.auth = decision.auth as RequestAuth;
      next();
    }, next);
  };
}

/** App-wide: `app.use(authMiddleware(guard))` before the routes. */
export function authMiddleware<Op extends string, V>(guard: Guard<Op, V>, options: AdapterOptions = {}): RequestHandler {
  return handler(guard, undefined, options);
}

/** One route: `app.get('/pets', requireAuth(guard, 'listPets'), handler)`. */
export function requireAuth<Op extends string, V>(guard: Guard<Op, V>, operationId: Op): RequestHandler {
  return handler(guard, operationId, {});
}

/** `req.auth`, typed for this guard's operations and verifiers. */
export function authOf<Op extends string, V>(req: Request, _guard: Guard<Op, V>): AuthSuccess<Op, V> | undefined {
  return req.auth as AuthSuccess<Op, V> | undefined;
}
