// axios adapter: a request interceptor that finds the operation from method + URL
// (the same matcher as `withAuth`), applies `authFor`'s result to the config, and
// refuses to send credentials off the trusted origin, including on redirects: per hop in
// Node's http adapter, not followed with the fetch adapter, refused with XMLHttpRequest.
// Retries (runtime-retry.ts) need a response interceptor as well, which re-issues the
// request through `instance.request`, so every request interceptor (this one's checks
// included) runs again: `installAuth(instance, ...)` adds both.

import type { AxiosInstance, AxiosRequestHeaders, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { AttachedCredential, AuthSource, RetryOptions, RetryPolicy, RetryState } from './runtime-client.js';
import {
  afterStep,
  carriesCredentials,
  checkNoUserInfo,
  defineEntry,
  FIRST_ATTEMPT,
  ForeignOriginError,
  invalidateRefused,
  isReplayableBody,
  mergeCookieHeader,
  nextRetry,
  operationLocator,
  originGuard,
  retryPolicy,
  sleep,
  UnknownOperationError,
} from './runtime-client.js';

export interface AuthInterceptorOptions {
  /**
   * Trust anchor and base for operation paths, fixed when the interceptor is made;
   * defaults to the spec's first server URL when that is absolute, and is required
   * otherwise. A request's `baseURL` (per call or per instance) never widens it.
   */
  readonly baseUrl?: string;
  readonly allowedHosts?: readonly string[];
  readonly unknownOperation?: 'error' | 'passthrough';
  /**
   * As `withAuth`'s `retry`, carried out by `authRetryInterceptor` (the request interceptor
   * alone never retries; `installAuth` adds both). `data` is replayed when it is a plain
   * object, array, number or boolean (axios serialises it afresh) or a body
   * `isReplayableBody` accepts; never a stream (Node `Readable`, `ReadableStream`, the
   * form-data package). In Node axios draws a new multipart boundary for FormData on each
   * send unless the caller's Content-Type names one, so only the parts are identical.
   */
  readonly retry?: RetryOptions;
}

/** What a retry needs, set by the request interceptor as a non-enumerable own property of the config (never serialised with it). */
const SENT = Symbol('authInterceptor.sent');
/** The budget used so far: an ordinary config property, so axios's mergeConfig copies it into the re-issued request. */
const RETRIED = 'openapi-security-codegen.retry';

interface Sent {
  readonly policy: RetryPolicy;
  readonly replayable: boolean;
  readonly credentials: readonly AttachedCredential[] | undefined;
  /** Cleared when a redirect hop went out without the credentials: its 401 says nothing about them. */
  credentialedHop: boolean;
  /** The config as this interceptor received it: its own changes undone, the data before axios's transform. */
  restore(config: InternalAxiosRequestConfig): InternalAxiosRequestConfig;
}

type Tracked = InternalAxiosRequestConfig & { [SENT]?: Sent; [RETRIED]?: RetryState };

/** axios serialises plain objects, arrays, numbers and booleans (JSON) afresh on each send; anything else is judged as a fetch body. */
function replayableData(data: unknown): boolean {
  if (typeof data === 'number' || typeof data === 'boolean' || Array.isArray(data)) return true;
  const proto: unknown = typeof data === 'object' && data !== null ? Object.getPrototypeOf(data) : undefined;
  return proto === Object.prototype || proto === null || isReplayableBody(data);
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

/** axios's adapter names, in the order axios tries them when `adapter` is a list. */
type AdapterName = 'xhr' | 'http' | 'fetch';

/** The adapter axios will use for `config`, by axios's own availability tests; `undefined` for a custom function. */
function adapterOf(config: InternalAxiosRequestConfig): AdapterName | undefined {
  const adapter: unknown = config.adapter ?? ['xhr', 'http', 'fetch'];
  const names: unknown[] = Array.isArray(adapter) ? adapter : [adapter];
  const g = globalThis as { XMLHttpRequest?: unknown; process?: { versions?: { node?: unknown } }; fetch?: unknown };
  for (const name of names) {
    if (typeof name !== 'string') return undefined;
    if (name === 'xhr' && typeof g.XMLHttpRequest !== 'undefined') return 'xhr';
    if (name === 'http' && typeof g.process?.versions?.node === 'string') return 'http';
    if (name === 'fetch' && typeof g.fetch === 'function') return 'fetch';
  }
  return undefined;
}

/**
 * A request that carries credentials goes only through an adapter whose redirects the
 * interceptor controls: Node's `http` (the per-hop hook below) or `fetch` (made manual, so
 * a 3xx is returned, not followed). XMLHttpRequest follows redirects out of any script's
 * reach and keeps custom headers across origins, and a custom adapter or transport may do
 * anything: both are refused.
 */
function policeRedirects(config: InternalAxiosRequestConfig): void {
  if (config.transport !== undefined && config.transport !== null) {
    throw new TypeError('authInterceptor: a custom axios transport follows redirects out of reach, so credentials are not attached: remove transport (or use maxRedirects: 0 with the default one)');
  }
  const adapter = adapterOf(config);
  if (adapter === 'fetch') {
    const fetchOptions = { ...(config as { fetchOptions?: Record<string, unknown> }).fetchOptions, redirect: 'manual' };
    (config as { fetchOptions?: Record<string, unknown> }).fetchOptions = fetchOptions;
  } else if (adapter !== 'http') {
    throw new TypeError(
      adapter === 'xhr'
        ? "authInterceptor: XMLHttpRequest follows redirects to any origin with the credential headers, so credentials are not attached: use axios's fetch adapter (adapter: 'fetch')"
        : 'authInterceptor: a custom axios adapter may follow redirects out of reach, so credentials are not attached: use the http or fetch adapter',
    );
  }
}

export function authInterceptor<C extends object>(
  auth: AuthSource<C>,
  credentials: C,
  options: AuthInterceptorOptions = {},
): (config: InternalAxiosRequestConfig) => Promise<InternalAxiosRequestConfig> {
  const policy = retryPolicy(options.retry);
  // Pinned now: a per-call `baseURL` is the caller's (or a response's) to choose.
  const anchor = options.baseUrl ?? auth.tables.serverUrl ?? undefined;
  const trusted = anchor !== undefined && ABSOLUTE.test(anchor) ? originGuard(anchor, options.allowedHosts) : undefined;
  const locate = anchor !== undefined && trusted !== undefined ? operationLocator(auth.tables.operations, anchor) : undefined;
  return async (config) => {
    if (anchor === undefined || locate === undefined || trusted === undefined) {
      throw new TypeError('authInterceptor needs an absolute baseUrl option (e.g. "https://api.example.com/v1"): the spec names no absolute server URL, and credentials go to that origin only');
    }
    const url = new URL(fullUrl(config.baseURL, config.url), anchor);
    if (!trusted(url)) {
      throw new ForeignOriginError(`Refusing to send a request with credentials to ${url.origin}: not the baseUrl origin and not in allowedHosts`);
    }
    checkNoUserInfo(url, 'authInterceptor');
    const method = (config.method ?? 'get').toLowerCase();
    const operationId = locate(method, url);
    if (operationId === undefined && options.unknownOperation !== 'passthrough') {
      throw new UnknownOperationError(`No operation in the spec matches ${method.toUpperCase()} ${url.pathname}`);
    }
    const parts = operationId === undefined ? undefined : await auth.authFor(operationId, credentials);
    // Snapshot before any change, so a retry starts from the caller's own config.
    const headers: AxiosRequestHeaders = config.headers;
    const { data, params, beforeRedirect } = config;
    const { fetchOptions } = config as { fetchOptions?: unknown };
    const touched = parts === undefined ? [] : [...Object.keys(parts.headers), ...(Object.keys(parts.cookies).length > 0 ? ['Cookie'] : [])];
    const previous = touched.map((name) => [name, headers.get(name)] as const);
    const sent: Sent = {
      policy,
      replayable: replayableData(data),
      credentials: parts?.credentials,
      credentialedHop: true,
      restore(used) {
        for (const [name, value] of previous) {
          if (value === undefined || value === null) used.headers.delete(name);
          else used.headers.set(name, value);
        }
        return { ...used, data, params, beforeRedirect, fetchOptions } as InternalAxiosRequestConfig;
      },
    };
    Object.defineProperty(config, SENT, { value: sent, enumerable: false, configurable: true, writable: true });
    if (parts === undefined || operationId === undefined) return config;
    if (carriesCredentials(parts)) policeRedirects(config);
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
    // Node only (follow-redirects), per hop: the credentials stay only on a hop that is on a
    // trusted origin and is the same operation (method and URL matched again); any other
    // hop gets none of them. A non-http(s) target is refused. The hook is synchronous, so a
    // hop to another operation is sent without credentials rather than with its own.
    const previousHook = config.beforeRedirect;
    const headerNames = Object.keys(parts.headers).map((n) => n.toLowerCase());
    const queryNames = Object.keys(parts.query);
    const cookies = Object.keys(parts.cookies).length > 0;
    // Every argument passes through: axios 1.17+ adds a third (request details).
    config.beforeRedirect = (redirectOptions, responseDetails, ...rest: unknown[]) => {
      (previousHook as ((...args: unknown[]) => void) | undefined)?.(redirectOptions, responseDetails, ...rest);
      const target = new URL(String(redirectOptions['href'] ?? `${redirectOptions['protocol']}//${redirectOptions['host']}${redirectOptions['path']}`));
      if (target.protocol !== 'http:' && target.protocol !== 'https:') {
        throw new TypeError(`authInterceptor: refusing to follow a redirect to a ${target.protocol} URL`);
      }
      const hopMethod = String(redirectOptions['method'] ?? method);
      const onTrusted = trusted(target) && target.username === '' && target.password === '';
      sent.credentialedHop = onTrusted && locate(hopMethod, target) === operationId;
      if (sent.credentialedHop) return;
      const outHeaders = redirectOptions['headers'] as Record<string, unknown> | undefined;
      for (const key of Object.keys(outHeaders ?? {})) {
        const lower = key.toLowerCase();
        if (headerNames.includes(lower) || (lower === 'cookie' && (cookies || !onTrusted)) || (lower === 'authorization' && !onTrusted)) delete outHeaders?.[key];
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

/** A response body axios handed over as a stream (`responseType: 'stream'`) is closed before a retry; anything else is already read. */
function discard(data: unknown): void {
  if (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) void data.cancel().catch(() => undefined);
  else if (typeof (data as { pipe?: unknown } | null)?.pipe === 'function') (data as { destroy?: () => void }).destroy?.();
}

function headerOf(response: AxiosResponse, name: string): string | undefined {
  const headers = response.headers as { get?: (name: string) => unknown } & Record<string, unknown>;
  const value = typeof headers.get === 'function' ? headers.get(name) : headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : undefined;
}

/**
 * The response side of `authInterceptor`: `instance.interceptors.response.use(...authRetryInterceptor(instance))`.
 * Acts on requests the request interceptor handled, by its `retry` option: a 401 arrives
 * rejected (or fulfilled when `validateStatus` accepts it) and is retried once with fresh
 * credentials; a 429/503 waits for its `Retry-After` when opted in. The retry is
 * `instance.request` with the caller's config, marked with what it has used, so the
 * request interceptor checks it again and it is never retried past its budget.
 */
export function authRetryInterceptor(
  instance: Pick<AxiosInstance, 'request'>,
): [onFulfilled: (response: AxiosResponse) => Promise<AxiosResponse>, onRejected: (error: unknown) => Promise<AxiosResponse>] {
  const retry = async (response: AxiosResponse, error?: { readonly rejected: unknown }): Promise<AxiosResponse> => {
    const config = response.config as Tracked;
    const sent = config[SENT];
    const answer = (): Promise<AxiosResponse> => (error === undefined ? Promise.resolve(response) : Promise.reject(error.rejected));
    if (sent === undefined) return answer();
    const state = config[RETRIED] ?? FIRST_ATTEMPT;
    const step = nextRetry(sent.policy, state, { status: response.status, header: (name) => headerOf(response, name) }, sent.credentialedHop ? sent.credentials : undefined);
    if (step === undefined) return answer();
    if (step.kind === 'reauthenticate') invalidateRefused(sent.credentials);
    if (!sent.replayable) return answer();
    discard(response.data);
    // An abort during the wait is axios's to report: the re-issued request is cancelled
    // before anything is sent (its CanceledError, as for any aborted axios call).
    if (step.kind === 'wait') await sleep(step.ms, config.signal).catch(() => undefined);
    return instance.request({ ...sent.restore(config), [RETRIED]: afterStep(state, step) } as InternalAxiosRequestConfig);
  };
  return [
    (response) => retry(response),
    (rejected: unknown) => {
      const response = (rejected as { response?: AxiosResponse } | null)?.response;
      return response?.config === undefined ? Promise.reject(rejected) : retry(response, { rejected });
    },
  ];
}

/**
 * Adds `authInterceptor` and `authRetryInterceptor` to `instance`; returns a function that
 * removes both. The way to get `retry` (the 401 refresh-and-retry-once is on by default).
 */
export function installAuth<C extends object>(
  instance: Pick<AxiosInstance, 'interceptors' | 'request'>,
  auth: AuthSource<C>,
  credentials: C,
  options: AuthInterceptorOptions = {},
): () => void {
  const request = instance.interceptors.request.use(authInterceptor(auth, credentials, options));
  const response = instance.interceptors.response.use(...authRetryInterceptor(instance));
  return () => {
    instance.interceptors.request.eject(request);
    instance.interceptors.response.eject(response);
  };
}
