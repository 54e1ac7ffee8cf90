// OpenID Connect Discovery 1.0 for the JWT verifier: where the issuer publishes its
// keys (`jwks_uri`), read from its discovery document once and kept. The document's
// `issuer` must equal the configured issuer exactly (Discovery §4.3), else a document
// served from elsewhere could hand us keys of another issuer: every token is then
// refused (never a pass) and the reason goes to `onError`, not into a crash. A failed
// fetch is not retried on every request: callers get an `UnavailableError` (503) until
// the backoff lets the next attempt through, and concurrent callers share one attempt.
import {
  endpointName,
  endpointUrl,
  fetchJson,
  jsonObject,
  IssuerEndpointError,
  unavailable,
  type Backoff,
  type EndpointFetch,
  type JsonAnswer,
} from './runtime-token-http.js';

/** What discovery found: the JWKS URL, or `ok: false` when the document names another issuer (refuse every token). */
export type Discovered = { readonly ok: true; readonly jwksUrl: URL } | { readonly ok: false };

export interface DiscoveryOptions {
  readonly discoveryUrl: URL;
  /** The configured issuer; the document's `issuer` must be exactly this string. */
  readonly issuer: string;
  readonly fetch: EndpointFetch;
  readonly timeoutMs: number;
  readonly backoff: Backoff;
  readonly report: (error: IssuerEndpointError) => void;
}

/**
 * Resolves to what discovery found, from memory once a document was accepted (for the
 * verifier's lifetime); rejects with an `UnavailableError` while the document cannot be
 * fetched or is unusable. A document naming another issuer answers `ok: false` until the
 * backoff allows another look (the issuer's configuration may be fixed meanwhile).
 */
export function oidcDiscovery(options: DiscoveryOptions): () => Promise<Discovered> {
  const { discoveryUrl, issuer, backoff, report } = options;
  const where = `OpenID Connect discovery at ${endpointName(discoveryUrl)}`;
  let found: Discovered | undefined;
  let lastFailure: unknown;
  let inFlight: Promise<Discovered> | undefined;

  const fail = (error: IssuerEndpointError): never => {
    report(error);
    backoff.failed();
    found = undefined;
    lastFailure = error;
    throw unavailable(where, backoff, error);
  };

  const attempt = async (): Promise<Discovered> => {
    let fetched: JsonAnswer;
    try {
      fetched = await fetchJson(options.fetch, discoveryUrl, { method: 'GET', headers: { accept: 'application/json' } }, options.timeoutMs, 'discovery');
    } catch (error) {
      return fail(error as IssuerEndpointError);
    }
    if (fetched.status !== 200) return fail(new IssuerEndpointError('discovery', 'status', `${where} answered ${fetched.status}`, fetched.status));
    const document = jsonObject(fetched.body);
    if (document === undefined) return fail(new IssuerEndpointError('discovery', 'invalid-response', `${where} did not answer a JSON object`));
    if (document['issuer'] !== issuer) {
      const named = typeof document['issuer'] === 'string' ? JSON.stringify(document['issuer']) : 'no issuer';
      report(new IssuerEndpointError('discovery', 'issuer-mismatch', `${where} names ${named}, not the configured issuer ${JSON.stringify(issuer)}: every token is refused`));
      backoff.failed();
      found = { ok: false };
      return found;
    }
    const jwksUri = document['jwks_uri'];
    if (typeof jwksUri !== 'string') return fail(new IssuerEndpointError('discovery', 'invalid-response', `${where} has no jwks_uri`));
    let jwksUrl: URL;
    try {
      jwksUrl = endpointUrl(jwksUri, 'jwks_uri');
      // A document fetched over https does not send the keys' fetch to plain http (even a
      // loopback one): the loopback exception is for a local issuer, not for a remote one's links.
      if (discoveryUrl.protocol === 'https:' && jwksUrl.protocol !== 'https:') throw new TypeError(`jwks_uri must use https like the discovery document: ${jwksUrl.origin}`);
    } catch (error) {
      return fail(new IssuerEndpointError('discovery', 'invalid-response', `${where}: ${(error as Error).message}`));
    }
    backoff.succeeded();
    found = { ok: true, jwksUrl };
    return found;
  };

  return () => {
    if (found?.ok === true) return Promise.resolve(found);
    if (inFlight !== undefined) return inFlight;
    if (backoff.wait() > 0) return found !== undefined ? Promise.resolve(found) : Promise.reject(unavailable(where, backoff, lastFailure));
    inFlight = attempt().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}
