// Fetch API adapter, for Next.js route handlers, Cloudflare Workers, Deno, Bun and
// anything else built on the standard `Request` / `Response`. A call returns either
// the `AuthSuccess` (go on) or the `Response` to send (401/403/429/503/404 problem
// with its headers, or a 500 problem when a verifier threw: fail closed, the error
// goes to `onError`). The caller builds the success `Response`, so the decision's
// `headers` (a `limit` hook's `RateLimit`) reach it through `guarded(authenticate,
// handler)`, which adds them to the handler's answer, or `withAuthHeaders`.
import {
  authRequestFromFetch,
  operationDecider,
  NO_CORS_MIDDLEWARE,
  pathDecider,
  verifierErrorParts,
  type AdapterOptions,
  type AuthSuccess,
  type ClientCertificate,
  type Guard,
  type ResponseParts,
} from './runtime-server.js';

export interface FetchAuthOptions extends AdapterOptions {
  /**
   * The client's address, where the platform exposes one (Deno's `info.remoteAddr`,
   * Bun's `server.requestIP`, a platform header on Workers). Without it, keys
   * restricted to IP ranges are refused: the Fetch API itself has no client address.
   */
  readonly clientAddress?: (request: Request) => string | undefined;
  /** The verified peer certificate, where the platform exposes one (mutual TLS). */
  readonly clientCertificate?: (request: Request) => ClientCertificate | undefined;
  /** Sees the error when a verifier throws (log it here); the client gets a bare 500. */
  readonly onError?: (error: unknown, request: Request) => void;
}

/** `Response | AuthSuccess`; with `unknownRoute: 'next'` an unmatched route gives `undefined`. */
export type FetchAuthHandler<Op extends string, V> = (request: Request) => Promise<Response | AuthSuccess<Op, V> | undefined>;

// A copy of the headers: some platforms (e.g. @hono/node-server) add to the init object, and answers may be shared.
function toResponse(answer: ResponseParts): Response {
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { ...answer.headers } });
}

function handler<Op extends string, V>(guard: Guard<Op, V>, operationId: Op | undefined, options: FetchAuthOptions): FetchAuthHandler<Op, V> {
  const decideFor = operationId === undefined ? pathDecider(guard, options, NO_CORS_MIDDLEWARE) : operationDecider(guard, operationId);
  return async (request: Request) => {
    try {
      const decision = await decideFor(authRequestFromFetch(request, options.clientCertificate?.(request), options.clientAddress?.(request)));
      return decision.pass === true ? decision.auth : toResponse(decision.answer);
    } catch (error) {
      options.onError?.(error, request);
      return toResponse(verifierErrorParts());
    }
  };
}

/**
 * App-wide: `const auth = await authenticate(request); if (auth instanceof Response) return auth;`
 * The operation is matched from the request's method and path.
 */
export function fetchAuth<Op extends string, V>(guard: Guard<Op, V>, options: FetchAuthOptions = {}): FetchAuthHandler<Op, V> {
  return handler(guard, undefined, options);
}

/**
 * `response` with the decision's `headers` (a `limit` hook's `RateLimit`) added, those
 * it already has left as they are. A response whose headers are immutable
 * (`Response.redirect`, one from `fetch`) is copied first, sharing its body.
 */
export function withAuthHeaders(response: Response, auth: AuthSuccess<string, unknown> | undefined): Response {
  const headers = auth?.headers;
  if (headers === undefined || response.type === 'error') return response;
  let target = response;
  try {
    for (const [name, value] of Object.entries(headers)) if (!target.headers.has(name)) target.headers.set(name, value);
  } catch {
    // Immutable: the first `set` threw, before any header changed.
    target = new Response(response.body, response);
    for (const [name, value] of Object.entries(headers)) if (!target.headers.has(name)) target.headers.set(name, value);
  }
  return target;
}

/**
 * A handler behind the guard: `guarded(fetchAuth(guard), (request, auth) => Response.json(…))`.
 * A refusal is answered without calling `handler`; otherwise its `Response` gets the
 * decision's headers (`withAuthHeaders`). `auth` is `undefined` only where
 * `authenticate` passes a request undecided (`unknownRoute: 'next'`, `outsideSpec`).
 */
export function guarded<A extends AuthSuccess<string, unknown> | undefined>(
  authenticate: (request: Request) => Promise<Response | A>,
  handler: (request: Request, auth: A) => Response | PromiseLike<Response>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const auth = await authenticate(request);
    if (auth instanceof Response) return auth;
    return withAuthHeaders(await handler(request, auth), auth);
  };
}

/** One operation: `const auth = await requireAuth(guard, 'listPets')(request)`; never `undefined`. */
export function requireAuth<Op extends string, V>(
  guard: Guard<Op, V>,
  operationId: Op,
  options: Omit<FetchAuthOptions, 'unknownRoute'> = {},
): (request: Request) => Promise<Response | AuthSuccess<Op, V>> {
  return handler(guard, operationId, options) as (request: Request) => Promise<Response | AuthSuccess<Op, V>>;
}
