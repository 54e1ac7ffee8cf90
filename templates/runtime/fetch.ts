// Fetch API adapter, for Next.js route handlers, Cloudflare Workers, Deno, Bun and
// anything else built on the standard `Request` / `Response`. A call returns either
// the `AuthSuccess` (go on) or the `Response` to send (401/403/404 problem, or a 500
// problem when a verifier threw: fail closed, the error goes to `onError`).
import {
  authRequestFromFetch,
  operationDecider,
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

/** No CORS middleware sits behind this adapter: a preflight must be answered before calling it. */
const NO_CORS_MIDDLEWARE = { refuseMethodOverride: true, passPreflight: false } as const;

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

/** One operation: `const auth = await requireAuth(guard, 'listPets')(request)`; never `undefined`. */
export function requireAuth<Op extends string, V>(
  guard: Guard<Op, V>,
  operationId: Op,
  options: Omit<FetchAuthOptions, 'unknownRoute'> = {},
): (request: Request) => Promise<Response | AuthSuccess<Op, V>> {
  return handler(guard, operationId, options) as (request: Request) => Promise<Response | AuthSuccess<Op, V>>;
}
