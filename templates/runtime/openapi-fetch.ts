// openapi-fetch adapter: a middleware that looks the operation up by the path
// template openapi-fetch already knows (`schemaPath`) and applies `authFor`'s result.
// A request that carries credentials is sent with `redirect: 'manual'`: the platform's
// own redirect handling would forward API-key headers and query keys to whatever
// origin a `Location` names, so the caller gets the 3xx instead (fail closed). For
// redirects followed safely (credentials re-chosen per hop, stripped off-origin) give
// `createClient` a `fetch` made by `withAuth` instead of using this middleware.

import type { Middleware } from 'openapi-fetch';
import type { AuthSource } from './runtime-client.js';
import { applyAuthBuffered, ForeignOriginError, originGuard, UnknownOperationError } from './runtime-client.js';

export interface AuthMiddlewareOptions {
  /**
   * The trusted origin, fixed when the middleware is made. Without it the client's
   * `baseUrl` of each call is trusted, which a per-call `baseUrl` option can change.
   */
  readonly baseUrl?: string;
  /** More trusted origins besides the client's `baseUrl` (same format as `withAuth`). */
  readonly allowedHosts?: readonly string[];
  /** A (method, schemaPath) not in the spec: throw (default) or send without credentials. */
  readonly unknownOperation?: 'error' | 'passthrough';
}

export function authMiddleware<C extends object>(auth: AuthSource<C>, credentials: C, options: AuthMiddlewareOptions = {}): Middleware {
  // openapi-fetch's schemaPath is the spec's path key as written, so an exact lookup suffices.
  const byTemplate = new Map<string, string>();
  for (const [operationId, operation] of Object.entries(auth.tables.operations)) {
    byTemplate.set(`${operation.method.toLowerCase()} ${operation.path}`, operationId);
  }
  return {
    async onRequest({ request, schemaPath, options: clientOptions }) {
      const url = new URL(request.url);
      // An absolute baseUrl is the trust anchor; without one, the request's own origin (same-origin in a browser).
      const configured = options.baseUrl ?? clientOptions.baseUrl;
      const anchor = /^[a-z][a-z0-9+.-]*:/i.test(configured) ? configured : url.origin;
      if (!originGuard(anchor, options.allowedHosts)(url)) {
        throw new ForeignOriginError(`Refusing to send a request with credentials to ${url.origin}: not the baseUrl origin and not in allowedHosts`);
      }
      const operationId = byTemplate.get(`${request.method.toLowerCase()} ${schemaPath}`);
      if (operationId === undefined) {
        if (options.unknownOperation === 'passthrough') return undefined;
        throw new UnknownOperationError(`No operation in the spec matches ${request.method.toUpperCase()} ${schemaPath}`);
      }
      const parts = await auth.authFor(operationId, credentials);
      const carries = Object.keys(parts.headers).length + Object.keys(parts.query).length + Object.keys(parts.cookies).length > 0;
      return applyAuthBuffered(request, parts, carries && request.redirect === 'follow' ? 'manual' : undefined);
    },
  };
}
