// HTTP for the token verifiers (runtime-jwt.ts, runtime-oidc-discovery.ts,
// runtime-introspection.ts): which endpoint URLs are acceptable, one request with a
// timeout that never follows a redirect, and a backoff so that an issuer that failed
// is asked again after a pause, not on every request. An issuer we cannot reach says
// nothing about the token, so its failure is an `UnavailableError` (the guard's 503
// with Retry-After): never a 401, never a pass. No `node:` imports: Web APIs only.
import { isLoopback } from './runtime-token-endpoint.js';
import { UnavailableError } from './runtime-types.js';

/** The `fetch` the verifiers call (`globalThis.fetch` fits); inject one in tests. */
export type EndpointFetch = (input: string | URL, init: RequestInit) => Promise<Response>;

/** Which of an issuer's endpoints an error is about. */
export type IssuerEndpoint = 'discovery' | 'jwks' | 'introspection';

/**
 * Why an endpoint could not be used: `unreachable` (network), `timeout`, `status` (an
 * answer other than 200), `invalid-response` (not the JSON document expected),
 * `issuer-mismatch` (a discovery document naming another issuer).
 */
export type IssuerEndpointProblem = 'unreachable' | 'timeout' | 'status' | 'invalid-response' | 'issuer-mismatch';

/**
 * What the verifiers hand to `onError`. The message names the endpoint by origin and
 * path only; it never holds a token, a claim, a client secret or a query string.
 */
export class IssuerEndpointError extends Error {
  readonly endpoint: IssuerEndpoint;
  readonly problem: IssuerEndpointProblem;
  /** The HTTP status, for `status`. */
  readonly status: number | undefined;
  constructor(endpoint: IssuerEndpoint, problem: IssuerEndpointProblem, message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IssuerEndpointError';
    this.endpoint = endpoint;
    this.problem = problem;
    this.status = status;
  }
}

/** `console.error` with the message only (a fetch error's cause may be long; it never holds a token). */
export const reportToConsole = (error: Error): void => console.error(error.message);

/**
 * An issuer endpoint as an absolute URL: https, or plain http only on loopback (tests,
 * local development). Keys, discovery documents and introspection answers decide who
 * gets in, so they must not be readable or changeable on the way (RFC 8414 §3,
 * RFC 7662 §4). No user info: credentials go in headers.
 */
export function endpointUrl(value: string | URL, what: string, base?: string | URL): URL {
  let url: URL;
  try {
    url = base === undefined ? new URL(value) : new URL(value, base);
  } catch {
    throw new TypeError(`${what} is not an absolute URL (give baseUrl to resolve a relative one)`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    throw new TypeError(`${what} must use https (plain http only on a loopback address): ${url.origin}`);
  }
  if (url.username !== '' || url.password !== '') throw new TypeError(`${what} must not carry user info: ${url.origin}`);
  return url;
}

/** Origin and path: how errors name an endpoint (a query string may hold anything). */
export const endpointName = (url: URL): string => `${url.origin}${url.pathname}`;

/** A time in milliseconds option: finite and not negative, else a TypeError naming it. */
export function milliseconds(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a finite number >= 0`);
  return value;
}

export interface BackoffOptions {
  /** The pause after a first failure (ms); it doubles with each failure in a row. Default 1000. */
  readonly initialMs?: number;
  /** The longest pause (ms). Default 30 000. */
  readonly maxMs?: number;
}

/**
 * Consecutive failures of one endpoint: after the n-th, no attempt for
 * `initialMs * 2^(n-1)` (at most `maxMs`); a success forgets them. Its `wait()` is also
 * the `Retry-After` a caller is told.
 */
export interface Backoff {
  /** Milliseconds until the next attempt may be made; 0 when it may be made now. */
  wait(): number;
  failed(): void;
  succeeded(): void;
}

export function createBackoff(options: BackoffOptions | undefined, now: () => number): Backoff {
  const initialMs = milliseconds(options?.initialMs, 1000, 'backoff.initialMs');
  const maxMs = Math.max(initialMs, milliseconds(options?.maxMs, 30_000, 'backoff.maxMs'));
  let failures = 0;
  let retryAt = 0;
  return {
    wait: () => Math.max(0, retryAt - now()),
    failed: () => {
      failures += 1;
      retryAt = now() + Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30));
    },
    succeeded: () => {
      failures = 0;
      retryAt = 0;
    },
  };
}

/** The `UnavailableError` a caller sees while an endpoint is failing: Retry-After = the backoff left (at least 1 s). */
export function unavailable(what: string, backoff: Backoff, cause?: unknown): UnavailableError {
  return new UnavailableError(`${what} is unavailable`, Math.max(1, Math.ceil(backoff.wait() / 1000)), cause === undefined ? undefined : { cause });
}

export interface JsonAnswer {
  readonly status: number;
  /** The parsed body; `undefined` when it is not JSON. */
  readonly body: unknown;
}

/**
 * One request; rejects with an `IssuerEndpointError` (`unreachable` or `timeout`) when no
 * answer arrives within `timeoutMs` (body included). Redirects are refused: a 307 would
 * replay a client secret or a token to wherever the endpoint points.
 */
export async function fetchJson(fetchImpl: EndpointFetch, url: URL, init: RequestInit, timeoutMs: number, endpoint: IssuerEndpoint): Promise<JsonAnswer> {
  const signal = AbortSignal.timeout(timeoutMs);
  let text: string;
  let status: number;
  try {
    const response = await fetchImpl(url, { ...init, redirect: 'error', signal });
    status = response.status;
    text = await response.text();
  } catch (cause) {
    const timedOut = signal.aborted;
    throw new IssuerEndpointError(endpoint, timedOut ? 'timeout' : 'unreachable', `${endpoint} endpoint ${endpointName(url)} ${timedOut ? `did not answer within ${timeoutMs} ms` : 'could not be reached'}`, undefined, { cause });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status, body };
}

/** A JSON object (not an array, not null), or undefined. */
export function jsonObject(value: unknown): { readonly [key: string]: unknown } | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { readonly [key: string]: unknown }) : undefined;
}
