// `withAuth`: a `fetch` that finds the operation from method and URL (base path
// removed), attaches its credentials, refuses to send them to another origin, and
// follows redirects itself so credentials never reach a host they were not meant for.
import type { OperationTable } from './runtime-tables.js';
import { createMatcher } from './runtime-routes.js';
import { applyAuthBuffered, applyToHeaders, applyToUrl, rebuild } from './runtime-attach.js';
import type { AuthSource } from './runtime-select.js';
import type { AuthParts, FetchLike, WithAuthOptions } from './runtime-credentials.js';

// ---------------------------------------------------------------------------
// Origins and base paths

/** The path part of a base URL without a trailing slash: `https://h/v1/` -> `/v1`. */
export function basePathOf(baseUrl: string | URL): string {
  return new URL(baseUrl).pathname.replace(/\/+$/, '');
}

/** Decides whether credentials may go to a URL: the baseUrl origin, or one listed in `allowedHosts`. */
export function originGuard(baseUrl: string | URL, allowedHosts: readonly string[] = []): (url: URL) => boolean {
  const origins = new Set<string>([new URL(baseUrl).origin]);
  const httpsHosts = new Set<string>();
  for (const entry of allowedHosts) {
    if (entry.includes('://')) origins.add(new URL(entry).origin);
    else httpsHosts.add(entry.toLowerCase());
  }
  return (url) => origins.has(url.origin) || (url.protocol === 'https:' && httpsHosts.has(url.host));
}

export class ForeignOriginError extends Error {
  override readonly name = 'ForeignOriginError';
}

export function foreign(url: URL): ForeignOriginError {
  return new ForeignOriginError(`Refusing to send a request with credentials to ${url.origin}: not the baseUrl origin and not in allowedHosts`);
}

export class UnknownOperationError extends Error {
  override readonly name = 'UnknownOperationError';
}

/** Finds operation ids from (method, absolute URL), relative to a base URL's path. */
export function operationLocator(operations: OperationTable, baseUrl: string | URL): (method: string, url: URL) => string | undefined {
  const match = createMatcher(operations, basePathOf(baseUrl));
  return (method, url) => match(method.toLowerCase(), url.pathname);
}

// ---------------------------------------------------------------------------
// withAuth

export const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Fetch standard §4.4 HTTP-redirect fetch: more than 20 redirects is a network error.
export const MAX_REDIRECTS = 20;

export function toRequest(input: RequestInfo | URL, init: RequestInit | undefined, base: URL): Request {
  if (typeof input === 'string' || input instanceof URL) return new Request(new URL(input, base), init);
  return new Request(input, init);
}

/**
 * Wraps `fetchImpl` so each request is matched to its operation and carries that
 * operation's credentials. Refuses (throws, sends nothing) when the URL's origin is not
 * trusted or no operation matches; `MissingCredentialsError` is also thrown before sending.
 */
export function withAuthFor<C extends object>(auth: AuthSource<C>, fetchImpl: FetchLike, credentials: C, options: WithAuthOptions): FetchLike {
  const base = new URL(options.baseUrl);
  const trusted = originGuard(base, options.allowedHosts);
  const locate = operationLocator(auth.tables.operations, base);
  const unknown = options.unknownOperation ?? 'error';

  const partsFor = async (method: string, url: URL): Promise<AuthParts | undefined> => {
    const operationId = locate(method, url);
    if (operationId === undefined) {
      if (unknown === 'passthrough') return undefined;
      throw new UnknownOperationError(`No operation in the spec matches ${method.toUpperCase()} ${url.pathname}`);
    }
    return auth.authFor(operationId, credentials);
  };

  return async (input, init) => {
    const request = toRequest(input, init, base);
    const first = new URL(request.url);
    if (!trusted(first)) throw foreign(first);

    if (options.redirect === 'native' || request.redirect !== 'follow') {
      const parts = await partsFor(request.method, first);
      return fetchImpl(parts === undefined ? request : await applyAuthBuffered(request, parts));
    }

    // Followed here rather than by fetch: the platform would either keep an API-key
    // header on a cross-origin hop or keep credentials chosen for a different operation.
    const body = request.body === null ? null : await request.arrayBuffer();
    let url = first;
    let method = request.method;
    let payload: ArrayBuffer | null = body;
    const callerHeaders = new Headers(request.headers);
    let credentialed = true;
    const sentHeaders = new Set<string>();
    const sentQuery = new Set<string>();

    for (let hop = 0; ; hop++) {
      if (credentialed && !trusted(url)) credentialed = false; // once off-origin, never re-attached
      const outUrl = new URL(url);
      const headers = new Headers(callerHeaders);
      if (credentialed) {
        const parts = await partsFor(method, url);
        if (parts !== undefined) {
          applyToUrl(outUrl, parts.query);
          applyToHeaders(headers, parts);
          for (const name of Object.keys(parts.headers)) sentHeaders.add(name);
          for (const name of Object.keys(parts.query)) sentQuery.add(name);
        }
      } else {
        // Fetch standard §4.4 step 14 removes Authorization on cross-origin redirects;
        // API-key headers, cookies and query keys need the same treatment.
        for (const name of ['Authorization', 'Proxy-Authorization', 'Cookie', ...sentHeaders]) headers.delete(name);
        for (const name of sentQuery) outUrl.searchParams.delete(name);
      }
      const response = await fetchImpl(rebuild(request, { url: outUrl, headers, method, body: payload, redirect: 'manual' }));
      const location = response.headers.get('Location');
      if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
      if (hop >= MAX_REDIRECTS) throw new TypeError(`withAuth: more than ${MAX_REDIRECTS} redirects`);
      await response.body?.cancel();
      // RFC 9110 §15.4.4 (303) and Fetch §4.4 step 12 (301/302 after POST): continue as GET without a body.
      if ((response.status === 303 && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        payload = null;
        for (const name of ['Content-Type', 'Content-Length', 'Content-Encoding', 'Content-Language', 'Content-Location']) {
          callerHeaders.delete(name);
        }
      }
      url = new URL(location, url);
    }
  };
}

