// An issuer's JSON Web Key Set (RFC 7517 §5) for the JWT verifier: jose's
// `createRemoteJWKSet` keeps the keys (for `cacheMaxAgeMs`) and refetches for an
// unknown `kid` at most once per `cooldownMs` (counted from the last good fetch), so a
// flood of tokens with made-up `kid`s costs the issuer one request per cooldown. Its
// requests go through `fetchFor` here, which reads the whole answer, checks it is a key
// set, reports a failure to `onError` once per attempt and, after one, makes no request
// until the backoff allows: callers get an `UnavailableError` (503) meanwhile, since a
// key set we cannot read says nothing about the token.
import { createRemoteJWKSet, customFetch, type FetchImplementation, type RemoteJWKSet } from 'jose';
import type { UnavailableError } from './runtime-types.js';
import { endpointName, jsonObject, IssuerEndpointError, unavailable, type Backoff, type EndpointFetch } from './runtime-token-http.js';

export interface JwksOptions {
  readonly fetch: EndpointFetch;
  /** Per request, body included (ms). */
  readonly timeoutMs: number;
  /** An unknown `kid` refetches at most once per this (ms, from the last good fetch). */
  readonly cooldownMs: number;
  /** Keys older than this are fetched again before use (ms). */
  readonly cacheMaxAgeMs: number;
  readonly backoff: Backoff;
  readonly report: (error: IssuerEndpointError) => void;
}

/** Keys of one JWKS URL at a time (discovery gives one; a new URL starts a new set). */
export interface JwksSource {
  keysAt(url: URL): RemoteJWKSet;
}

/** A key set answer that jose accepts: an object whose `keys` is an array of objects. */
function isKeySet(body: unknown): boolean {
  const keys = jsonObject(body)?.['keys'];
  return Array.isArray(keys) && keys.every((key) => jsonObject(key) !== undefined);
}

/**
 * The fetch jose calls. It throws an `UnavailableError` (which jose passes through
 * unchanged) for a failed request, so the verifier can tell "the issuer is down" from
 * "the token is bad"; and answers a checked copy of a good response (jose then parses
 * JSON that is known to parse).
 */
function fetchFor(url: URL, options: JwksOptions): FetchImplementation {
  const where = `JWKS at ${endpointName(url)}`;
  const fail = (error: IssuerEndpointError): UnavailableError => {
    options.report(error);
    options.backoff.failed();
    return unavailable(where, options.backoff, error);
  };
  return async (href, init) => {
    if (options.backoff.wait() > 0) throw unavailable(where, options.backoff);
    let status: number;
    let text: string;
    try {
      const response = await options.fetch(href, init);
      status = response.status;
      text = await response.text();
    } catch (cause) {
      const timedOut = init.signal.aborted;
      throw fail(new IssuerEndpointError('jwks', timedOut ? 'timeout' : 'unreachable', `${where} ${timedOut ? `did not answer within ${options.timeoutMs} ms` : 'could not be reached'}`, undefined, { cause }));
    }
    if (status !== 200) throw fail(new IssuerEndpointError('jwks', 'status', `${where} answered ${status}`, status));
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!isKeySet(body)) throw fail(new IssuerEndpointError('jwks', 'invalid-response', `${where} did not answer a JSON Web Key Set`));
    options.backoff.succeeded();
    return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

export function jwksSource(options: JwksOptions): JwksSource {
  let current: { readonly href: string; readonly keys: RemoteJWKSet } | undefined;
  return {
    keysAt(url) {
      if (current?.href !== url.href) {
        const keys = createRemoteJWKSet(url, {
          timeoutDuration: Math.ceil(options.timeoutMs),
          cooldownDuration: options.cooldownMs,
          cacheMaxAge: options.cacheMaxAgeMs,
          [customFetch]: fetchFor(url, options),
        });
        current = { href: url.href, keys };
      }
      return current.keys;
    },
  };
}
