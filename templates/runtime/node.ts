// node:http adapter. `nodeAuth(guard)(req, res)` matches the route to its operation,
// and either resolves to the `AuthSuccess` (go on; its `headers`, a `limit` hook's
// `RateLimit`, are already set on `res` with `setHeader`, so they go out with whatever
// the caller writes and a header it sets itself wins) or writes the answer itself
// (401/403/429/503/404 problem with its headers; a 500 problem when a verifier threw,
// the error going to `onError`) and resolves to `undefined`: the caller must then stop. With
// `unknownRoute: 'next'` an unmatched route resolves to `null` and nothing is written. Mutual TLS reads
// the peer certificate of an authorized TLS socket (`https.createServer` with
// `requestCert: true`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NO_CORS_MIDDLEWARE, authRequestFromNode, operationDecider, pathDecider, verifierErrorParts, type AdapterOptions, type AuthSuccess, type Decision, type Guard, type ResponseParts } from './runtime-server.js';

export interface NodeAuthOptions extends AdapterOptions {
  /** Sees the error when a verifier throws (log it here); the client gets a bare 500. */
  readonly onError?: (error: unknown, req: IncomingMessage) => void;
}

/** Resolves to the decision, or `undefined` once it has answered the request. */
export type NodeAuthHandler<Op extends string, V> = (req: IncomingMessage, res: ServerResponse) => Promise<AuthSuccess<Op, V> | undefined>;
/** As `NodeAuthHandler`, plus `null`: no operation matched and `unknownRoute` is `'next'`. */
export type NodeAppAuthHandler<Op extends string, V> = (req: IncomingMessage, res: ServerResponse) => Promise<AuthSuccess<Op, V> | null | undefined>;

function send(res: ServerResponse, answer: ResponseParts): void {
  const body = JSON.stringify(answer.body);
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function handler<Op extends string, V>(guard: Guard<Op, V>, operationId: Op | undefined, options: NodeAuthOptions): NodeAppAuthHandler<Op, V> {
  const decideFor = operationId === undefined ? pathDecider(guard, options, NO_CORS_MIDDLEWARE) : operationDecider(guard, operationId);
  return async (req, res) => {
    let decision: Decision<Op, V>;
    try {
      decision = await decideFor(authRequestFromNode(req, req.url, options));
    } catch (error) {
      options.onError?.(error, req);
      send(res, verifierErrorParts());
      return undefined;
    }
    if (decision.pass === true) {
      const auth = decision.auth;
      if (auth?.headers !== undefined) for (const [name, value] of Object.entries(auth.headers)) res.setHeader(name, value);
      return auth ?? null;
    }
    send(res, decision.answer);
    return undefined;
  };
}

/** App-wide: `const auth = await authenticate(req, res); if (auth === undefined) return;` */
export function nodeAuth<Op extends string, V>(guard: Guard<Op, V>, options: NodeAuthOptions = {}): NodeAppAuthHandler<Op, V> {
  return handler(guard, undefined, options);
}

/** One operation: `const auth = await requireAuth(guard, 'listPets')(req, res); if (!auth) return;` */
export function requireAuth<Op extends string, V>(guard: Guard<Op, V>, operationId: Op, options: Omit<NodeAuthOptions, 'unknownRoute'> = {}): NodeAuthHandler<Op, V> {
  // A named operation always resolves to a decision or an answer, never `null`.
  return handler(guard, operationId, options) as NodeAuthHandler<Op, V>;
}
