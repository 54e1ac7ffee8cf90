// axios adapter: a request interceptor that finds the operation from method + URL
// (the same matcher as `withAuth`), applies `authFor`'s result to the config, and
// refuses to send credentials off the trusted origin, including on redirects in Node.

import type { AxiosRequestHeaders, InternalAxiosRequestConfig } from 'axios';
import type { AuthSource } from './runtime-client.js';
import { defineEntry, ForeignOriginError, mergeCookieHeader, operationLocator, originGuard, UnknownOperationError } from './runtime-client.js';

export interface AuthInterceptorOptions {
  /** Trust anchor and base for operation paths; defaults to the request's `baseURL`. */
  readonly baseUrl?: string;
  readonly allowedHosts?: readonly string[];
  readonly unknownOperation?: 'error' | 'passthrough';
}

const ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/** axios's own rule (helpers/combineURLs): join with exactly one slash unless `url` is absolute. */
function fullUrl(baseURL: string | undefined, url: string | undefined): string {
  const path = url ?? '';
  if (baseURL === undefined || baseURL === '' || ABSOLUTE.test(path)) return path;
  return path === '' ? baseURL : `${baseURL.replace(/\/?\/$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * `AxiosHeaders` keeps each header as a property of itself, set by assignment, so a
 * header named `__proto__` would be dropped: such a name is defined as an own property
 * instead, which axios then serialises like any other header.
 */
function setHeader(headers: AxiosRequestHeaders, name: string, value: string): void {
  headers.set(name, value);
  if (headers.get(name) !== value) {
    headers.delete(name);
    defineEntry(headers as unknown as Record<string, unknown>, name, value);
  }
}

export function authInterceptor<C extends object>(
  auth: AuthSource<C>,
  credentials: C,
  options: AuthInterceptorOptions = {},
): (config: InternalAxiosRequestConfig) => Promise<InternalAxiosRequestConfig> {
  return async (config) => {
    const anchor = options.baseUrl ?? config.baseURL;
    if (anchor === undefined || !ABSOLUTE.test(anchor)) {
      throw new TypeError('authInterceptor needs an absolute baseUrl (option) or axios baseURL to know where credentials may go');
    }
    const trusted = originGuard(anchor, options.allowedHosts);
    const url = new URL(fullUrl(config.baseURL, config.url), anchor);
    if (!trusted(url)) {
      throw new ForeignOriginError(`Refusing to send a request with credentials to ${url.origin}: not the baseUrl origin and not in allowedHosts`);
    }
    const method = (config.method ?? 'get').toLowerCase();
    const operationId = operationLocator(auth.tables.operations, anchor)(method, url);
    if (operationId === undefined) {
      if (options.unknownOperation === 'passthrough') return config;
      throw new UnknownOperationError(`No operation in the spec matches ${method.toUpperCase()} ${url.pathname}`);
    }
    const parts = await auth.authFor(operationId, credentials);
    const headers: AxiosRequestHeaders = config.headers;
    for (const [name, value] of Object.entries(parts.headers)) setHeader(headers, name, value);
    if (Object.keys(parts.cookies).length > 0) {
      const existing = headers.get('Cookie');
      headers.set('Cookie', mergeCookieHeader(typeof existing === 'string' ? existing : undefined, parts.cookies));
    }
    if (Object.keys(parts.query).length > 0) {
      if (config.params instanceof URLSearchParams) {
        const params = new URLSearchParams(config.params);
        for (const [name, value] of Object.entries(parts.query)) params.set(name, value);
        config.params = params;
      } else {
        // Spread copies own keys (a query key may be `__proto__`); the credentials are defined, never assigned.
        const params: Record<string, unknown> = { ...(config.params as Record<string, unknown> | undefined) };
        for (const [name, value] of Object.entries(parts.query)) defineEntry(params, name, value);
        config.params = params;
      }
    }
    // Node only (follow-redirects): strip what we attached once a hop leaves the trusted origins.
    // follow-redirects already drops Authorization and Cookie on a host change; API-key headers
    // and query keys are ours to remove.
    const previous = config.beforeRedirect;
    const headerNames = Object.keys(parts.headers).map((n) => n.toLowerCase());
    const queryNames = Object.keys(parts.query);
    // Every argument passes through: axios 1.17+ adds a third (request details).
    config.beforeRedirect = (redirectOptions, responseDetails, ...rest: unknown[]) => {
      (previous as ((...args: unknown[]) => void) | undefined)?.(redirectOptions, responseDetails, ...rest);
      const target = new URL(String(redirectOptions['href'] ?? `${redirectOptions['protocol']}//${redirectOptions['host']}${redirectOptions['path']}`));
      if (trusted(target)) return;
      const outHeaders = redirectOptions['headers'] as Record<string, unknown> | undefined;
      for (const key of Object.keys(outHeaders ?? {})) {
        const lower = key.toLowerCase();
        if (headerNames.includes(lower) || lower === 'cookie' || lower === 'authorization') delete outHeaders?.[key];
      }
      if (queryNames.length > 0 && typeof redirectOptions['path'] === 'string') {
        const path = new URL(redirectOptions['path'], target);
        for (const name of queryNames) path.searchParams.delete(name);
        redirectOptions['path'] = `${path.pathname}${path.search}`;
      }
    };
    return config;
  };
}
