// openapi-fetch adapter: a middleware that looks the operation up by the path
// template openapi-fetch already knows (`schemaPath`) and applies `authFor`'s result.
// The operation is also matched from the final URL (as `withAuth` does): a path parameter
// such as `..` that moves the request to another operation is refused, never credentialed.
// A request that carries credentials is sent with `redirect: 'manual'`: the platform's
// own redirect handling would forward API-key headers and query keys to whatever
// origin a `Location` names, so the caller gets the 3xx instead (fail closed). For
// redirects followed safely (credentials re-chosen per hop, stripped off-origin) give
// `createClient` a `fetch` made by `withAuth` instead of using this middleware.

import type { Middleware } from 'openapi-fetch';
import type { AuthSource } from './runtime-client.js';
import {
  applyAuthBuffered,
  carriesCredentials,
  checkNoUserInfo,
  ForeignOriginError,
  operationLocator,
  originGuard,
  UnknownOperationError,
} from './runtime-client.js';

export interface AuthMiddlewareOptions {
  /**
   * The API's base URL (origin and base path), fixed when the middleware is made: the
   * trusted origin, and the base the final URL is matched against. Defaults to the
   * spec's first server URL when that is absolute; else, in a browser, the page's origin
   * and the spec's base path; else it is required. A per-call `baseUrl` option never
   * changes it.
   */
  readonly baseUrl?: string;
  /** More trusted origins besides `baseUrl` (same format as `withAuth`). */
  readonly allowedHosts?: readonly string[];
  /** A (method, schemaPath) not in the spec: throw (default) or send without credentials. */
  readonly unknownOperation?: 'error' | 'passthrough';
}

export function authMiddleware<C extends object>(auth: AuthSource<C>, credentials: C, options: AuthMiddlewareOptions = {}): Middleware {
  // Pinned now: openapi-fetch hands the middleware the per-call baseUrl, which any caller (or
  // a value taken from a response) can point elsewhere.
  const page = (globalThis as { location?: { origin?: unknown } }).location?.origin;
  let pinned: string;
  if (options.baseUrl !== undefined) pinned = options.baseUrl;
  else if (typeof auth.tables.serverUrl === 'string') pinned = auth.tables.serverUrl;
  else if (typeof page === 'string' && /^https?:/.test(page)) pinned = `${page}${auth.tables.basePath}`;
  else throw new TypeError('authMiddleware needs the baseUrl option (e.g. "https://api.example.com/v1"): the spec names no absolute server URL, and credentials go to that origin only');
  const trusted = originGuard(pinned, options.allowedHosts);
  const locate = operationLocator(auth.tables.operations, pinned);
  // openapi-fetch's schemaPath is the spec's path key as written, so an exact lookup suffices.
  const byTemplate = new Map<string, string>();
  for (const [operationId, operation] of Object.entries(auth.tables.operations)) {
    byTemplate.set(`${operation.method.toLowerCase()} ${operation.path}`, operationId);
  }
  return {
    async onRequest({ request, schemaPath }) {
      const url = new URL(request.url);
      if (!trusted(url)) {
        throw new ForeignOriginError(`Refusing to send a request with credentials to ${url.origin}: not the baseUrl origin and not in allowedHosts`);
      }
      checkNoUserInfo(url, 'authMiddleware');
      const operationId = byTemplate.get(`${request.method.toLowerCase()} ${schemaPath}`);
      if (operationId === undefined) {
        if (options.unknownOperation === 'passthrough') return undefined;
        throw new UnknownOperationError(`No operation in the spec matches ${request.method.toUpperCase()} ${schemaPath}`);
      }
      // The URL the server will route (dot segments already resolved by URL parsing) must be
      // the operation the call named: `{petId}` = `..` or `mine` would reach another one.
      const reached = locate(request.method, url);
      if (reached !== operationId) {
        throw new UnknownOperationError(
          `${request.method.toUpperCase()} ${schemaPath} was built into ${url.pathname}, which is ${reached === undefined ? 'no operation in the spec' : `operation ${JSON.stringify(reached)}`}: path parameters must not change the operation`,
        );
      }
      const parts = await auth.authFor(operationId, credentials);
      return applyAuthBuffered(request, parts, carriesCredentials(parts) && request.redirect === 'follow' ? 'manual' : undefined);
    },
  };
}
