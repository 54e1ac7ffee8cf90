// `withAuth`: a `fetch` that finds the operation from method and URL (base path
// removed), attaches its credentials, refuses to send them to another origin, and
// follows redirects itself so credentials never reach a host they were not meant for.
import type { OperationTable } from './runtime-tables.js';
import { createMatcher } from './runtime-routes.js';
import { applyAuthBuffered, applyToHeaders, applyToUrl, partsSecrets, rebuild, scrubError } from './runtime-attach.js';
import type { AuthSource } from './runtime-select.js';
import type { AttachedCredential, AuthParts, FetchLike, WithAuthOptions } from './runtime-credentials.js';
import { fetchCallReplayable, retryPolicy, sendWithRetries, type Attempt } from './runtime-retry.js';

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

/** Only http(s) is followed: a `data:`, `file:` or `javascript:` Location is refused, never fetched. */
export function checkRedirectTarget(url: URL): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`withAuth: refusing to follow a redirect to a ${url.protocol} URL (only http and https are followed)`);
  }
}

/** A URL with user info (`http://u:p@host/`) is refused before any credential is added (fetch rejects it, quoting the URL). */
export function checkNoUserInfo(url: URL, who = 'withAuth'): void {
  if (url.username !== '' || url.password !== '') {
    throw new TypeError(`${who}: refusing a URL with user info (${url.protocol}//…@${url.host}): credentials are never added to it`);
  }
}

/** True when `parts` puts anything on the request. */
export function carriesCredentials(parts: { readonly headers: object; readonly query: object; readonly cookies: object } | undefined): boolean {
  return parts !== undefined && Object.keys(parts.headers).length + Object.keys(parts.query).length + Object.keys(parts.cookies).length > 0;
}

export function toRequest(input: RequestInfo | URL, init: RequestInit | undefined, base: URL): Request {
  if (typeof input === 'string' || input instanceof URL) return new Request(new URL(input, base), init);
  return new Request(input, init);
}

/**
 * Wraps `fetchImpl` so each request is matched to its operation and carries that
 * operation's credentials. Refuses (throws, sends nothing) when the URL's origin is not
 * trusted or no operation matches; `MissingCredentialsError` is also thrown before sending.
 * Retries follow `options.retry` (runtime-retry.ts); each one is a whole new attempt.
 */
export function withAuthFor<C extends object>(auth: AuthSource<C>, fetchImpl: FetchLike, credentials: C, options: WithAuthOptions): FetchLike {
  const base = new URL(options.baseUrl);
  const trusted = originGuard(base, options.allowedHosts);
  const locate = operationLocator(auth.tables.operations, base);
  const unknown = options.unknownOperation ?? 'error';
  const policy = retryPolicy(options.retry);

  const partsFor = async (method: string, url: URL): Promise<AuthParts | undefined> => {
    const operationId = locate(method, url);
    if (operationId === undefined) {
      if (unknown === 'passthrough') return undefined;
      throw new UnknownOperationError(`No operation in the spec matches ${method.toUpperCase()} ${url.pathname}`);
    }
    return auth.authFor(operationId, credentials);
  };

  return async (input, init) => {
    // Every credential resolved for this call, in every encoding: no error thrown or let
    // through (the platform's TypeError quotes the URL, query keys included) may carry one.
    const secrets: string[] = [];
    const resolve = async (method: string, url: URL): Promise<AuthParts | undefined> => {
      const parts = await partsFor(method, url);
      if (parts !== undefined) secrets.push(...partsSecrets(parts));
      return parts;
    };
    try {
      return await send(input, init, resolve);
    } catch (error) {
      throw scrubError(error, secrets);
    }
  };

  async function send(input: RequestInfo | URL, init: RequestInit | undefined, resolve: typeof partsFor): Promise<Response> {
    const request = toRequest(input, init, base);
    // A body that can be sent again is read once, here, and each attempt is a new Request
    // made from those bytes (a FormData's boundary is in the copied Content-Type, so the
    // bytes match). Any other body is sent once, as before.
    const replayable = fetchCallReplayable(input, init);
    const saved = replayable && request.body !== null ? await request.arrayBuffer() : null;
    return sendWithRetries(policy, replayable, request.signal, () => attempt(replayable ? rebuild(request, { body: saved }) : request, resolve));
  }

  /**
   * One attempt, every check included: a retry is held to exactly what the first request
   * was. `credentials` are those of the hop that answered, none when it was off the
   * trusted origins (a stranger's 401 says nothing about our tokens).
   */
  async function attempt(request: Request, resolve: typeof partsFor): Promise<Attempt> {
    const first = new URL(request.url);
    if (!trusted(first)) throw foreign(first);
    checkNoUserInfo(first);

    if (options.redirect === 'native' || request.redirect !== 'follow') {
      const parts = await resolve(request.method, first);
      if (request.redirect === 'follow' && carriesCredentials(parts)) {
        // The platform would follow with the first hop's credentials, to any origin and any operation.
        throw new TypeError(
          "withAuth: redirect 'native' cannot keep credentials to their origin and operation: use redirect 'safe' (the default), or the request's redirect 'manual' or 'error'",
        );
      }
      const response = await fetchImpl(parts === undefined ? request : await applyAuthBuffered(request, parts));
      // Followed by the platform (only when nothing was attached): the answer is not from the hop that had them.
      return { response, credentials: response.redirected ? undefined : parts?.credentials };
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
    let hopCredentials: readonly AttachedCredential[] | undefined;

    for (let hop = 0; ; hop++) {
      if (credentialed && !trusted(url)) credentialed = false; // once off-origin, never re-attached
      const outUrl = new URL(url);
      const headers = new Headers(callerHeaders);
      hopCredentials = undefined;
      if (credentialed) {
        checkNoUserInfo(url);
        // Chosen afresh for this hop's operation (method and URL); none matching is an
        // UnknownOperationError (or, with passthrough, a hop without credentials).
        const parts = await resolve(method, url);
        if (parts !== undefined) {
          hopCredentials = parts.credentials;
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
      if (!REDIRECT_STATUSES.has(response.status) || location === null) return { response, credentials: hopCredentials };
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
      checkRedirectTarget(url);
    }
  }
}
