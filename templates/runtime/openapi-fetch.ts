// openapi-fetch adapter: a middleware that looks the operation up by the path
// template openapi-fetch already knows (`schemaPath`) and applies `authFor`'s result.
// The operation is also matched from the final URL (as `withAuth` does): a path parameter
// such as `..` that moves the request to another operation is refused, never credentialed.
// A request that carries credentials is sent with `redirect: 'manual'`: the platform's
// own redirect handling would forward API-key headers and query keys to whatever
// origin a `Location` names, so the caller gets the 3xx instead (fail closed). For
// redirects followed safely (credentials re-chosen per hop, stripped off-origin) give
// `createClient` a `fetch` made by `withAuth` instead of using this middleware.
// Retries (`retry`, runtime-retry.ts) happen in `onResponse`: the request as this
// middleware received it is checked and credentialed again and sent with the client's
// `fetch`, so register the middleware last (its `onRequest` then sees every other
// middleware's changes, which the retry keeps, and its `onResponse` runs first).

import { defaultBodySerializer, type Middleware } from 'openapi-fetch';
import type { AttachedCredential, AuthParts, AuthSource, RetryOptions } from './runtime-client.js';
import {
  applyAuth,
  carriesCredentials,
  checkNoUserInfo,
  ForeignOriginError,
  operationLocator,
  originGuard,
  retryPolicy,
  sendWithRetries,
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
  /**
   * As `withAuth`'s `retry` (401 refresh-and-retry once on by default; Retry-After waits
   * opt in). The request's body is replayed only when openapi-fetch's own
   * `defaultBodySerializer` made it (a JSON or form string, or FormData): the middleware
   * sees only the built `Request`, so a custom `bodySerializer`'s output (possibly a
   * stream) is never replayed. The retry goes through `fetch` without openapi-fetch's
   * `requestInitExt`, which middleware cannot see.
   */
  readonly retry?: RetryOptions;
}

/** What `onResponse` needs to send a call again: the request as received, its body, its credentials. */
interface Sent {
  readonly request: Request;
  readonly schemaPath: string;
  readonly body: Blob | null;
  readonly replayable: boolean;
  readonly credentials: readonly AttachedCredential[] | undefined;
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
  const policy = retryPolicy(options.retry);
  // Keyed by openapi-fetch's per-call options object (a new frozen one per call), so an
  // entry lives as long as its call and nothing is shared between calls.
  const calls = new WeakMap<object, Sent>();

  /** Every check: the operation whose credentials the request gets, or undefined to pass it through. */
  const operationFor = (request: Request, schemaPath: string): string | undefined => {
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
    return operationId;
  };

  /** The request to send, credentials attached: the same steps for the first send and for a retry. */
  const prepare = async (request: Request, operationId: string | undefined, body: Blob | null): Promise<{ readonly out: Request; readonly parts: AuthParts | undefined }> => {
    if (operationId === undefined) return { out: applyAuth(request, { headers: {}, query: {}, cookies: {} }, body), parts: undefined };
    const parts = await auth.authFor(operationId, credentials);
    return { out: applyAuth(request, parts, body, carriesCredentials(parts) && request.redirect === 'follow' ? 'manual' : undefined), parts };
  };

  return {
    async onRequest({ request, schemaPath, options: call }) {
      const operationId = operationFor(request, schemaPath);
      // openapi-fetch's default serializer makes a string or FormData (proof the body can be
      // sent again); with a custom one the Request does not say what the body was.
      const replayable = request.body === null || call.bodySerializer === defaultBodySerializer;
      if (operationId === undefined && !replayable) return undefined; // passed through, streamed untouched
      // Read once: sent as a Blob (which the platform can replay on a 307/308) and kept for a retry.
      const body = request.body === null ? null : await request.blob();
      const { out, parts } = await prepare(request, operationId, body);
      calls.set(call, { request, schemaPath, body, replayable, credentials: parts?.credentials });
      return out;
    },
    async onResponse({ response, options: call }) {
      const sent = calls.get(call);
      if (sent === undefined) return undefined;
      calls.delete(call);
      // A followed redirect's answer is not from the request that carried the credentials.
      let pending: { response: Response; credentials: readonly AttachedCredential[] | undefined } | undefined = { response, credentials: response.redirected ? undefined : sent.credentials };
      return sendWithRetries(policy, sent.replayable, sent.request.signal, async () => {
        if (pending !== undefined) {
          const first = pending;
          pending = undefined;
          return first;
        }
        const again = await prepare(sent.request, operationFor(sent.request, sent.schemaPath), sent.body);
        const answer = await call.fetch(again.out);
        return { response: answer, credentials: answer.redirected ? undefined : again.parts?.credentials };
      });
    },
  };
}
