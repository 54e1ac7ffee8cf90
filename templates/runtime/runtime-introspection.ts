// `introspectionVerifier(options)`: a verifier for opaque access tokens, asking the
// authorization server's introspection endpoint (RFC 7662) whether a token is active.
// It POSTs `token=…&token_type_hint=access_token` with the resource server's own
// credentials (client id and secret as HTTP Basic, the default, or in the form; or a
// bearer token), accepts only `"active": true` (RFC 7662 §2.2), honours `exp` and
// `nbf`, and checks `iss` and `aud` when configured. Answers are cached (runtime-token-
// cache.ts): an active token for at most `cacheMaxSeconds` and never past its `exp`, an
// inactive one briefly, so a revoked token is refused within `cacheMaxSeconds`. An
// endpoint that cannot answer (unreachable, timeout, 5xx, not JSON, our credentials
// refused) is an `UnavailableError` (503), never a 401 and never a pass. No token,
// secret or claim goes into an error; why a token was refused goes to `context.deny`.
import type { VerifyContext } from './runtime-types.js';
import { answer, audienceList, audienceMatches, MAX_TOKEN_LENGTH, principalOf, type PrincipalMapper, type TokenPrincipal, type TokenVerifier } from './runtime-token-claims.js';
import { tokenCache, type CachedAnswer } from './runtime-token-cache.js';
import { clientBasicAuthorization } from './runtime-token-endpoint.js';
import { withTimeout } from './runtime-timeout.js';
import {
  createBackoff,
  endpointName,
  endpointUrl,
  fetchJson,
  jsonObject,
  milliseconds,
  reportToConsole,
  IssuerEndpointError,
  unavailable,
  type BackoffOptions,
  type EndpointFetch,
  type JsonAnswer,
} from './runtime-token-http.js';

export type { MappedPrincipal, PrincipalMapper, TokenClaims, TokenPrincipal, TokenVerifier } from './runtime-token-claims.js';
export { IssuerEndpointError, type BackoffOptions, type EndpointFetch, type IssuerEndpoint, type IssuerEndpointProblem } from './runtime-token-http.js';

export interface IntrospectionCommonOptions<P extends object = TokenPrincipal> {
  /** The introspection endpoint: https (plain http only on loopback). */
  readonly endpoint: string | URL;
  /**
   * Required: `aud` must name one of these. `null` says the answer's audience is not
   * checked, for an authorization server that issues tokens for this API alone; without
   * a check, a token issued for another API of the same server would be accepted here.
   */
  readonly audience: string | readonly string[] | null;
  /** When set, `iss` must be exactly this. */
  readonly issuer?: string;
  /** The longest an active answer is reused (s); never past the token's `exp`. Default 60; 0 turns caching off. */
  readonly cacheMaxSeconds?: number;
  /** How long an inactive answer is reused (s). Default 5. */
  readonly negativeCacheSeconds?: number;
  /** At most this many answers are kept, the least recently used dropped first. Default 10 000. */
  readonly cacheMaxEntries?: number;
  /** Leeway for `exp` and `nbf` (s). Default 0. */
  readonly clockToleranceSeconds?: number;
  /** Per request, body included (ms). Default 5000. */
  readonly timeoutMs?: number;
  /** After a failed request, no request for a pause that doubles per failure in a row. Default 1 s up to 30 s. */
  readonly backoff?: BackoffOptions;
  /** Default `globalThis.fetch`. */
  readonly fetch?: EndpointFetch;
  /** Milliseconds since the epoch; for tests. Default `Date.now`. */
  readonly now?: () => number;
  /** Maps the active token to the app's principal, per request. Default: the token principal itself. */
  readonly principal?: PrincipalMapper<P>;
  /** Sees why the endpoint could not be used (`IssuerEndpointError`). Default: `console.error` with the message. */
  readonly onError?: (error: Error) => void;
}

/** The resource server authenticates with a client id and secret (RFC 6749 §2.3.1). */
export interface IntrospectionClientSecret {
  readonly clientId: string;
  readonly clientSecret: string;
  /** `basic` (default: HTTP Basic, id and secret form-encoded first) or `body` (`client_id`, `client_secret` in the form). */
  readonly clientAuth?: 'basic' | 'body';
  readonly bearerToken?: undefined;
}

/** The resource server authenticates with a bearer token (RFC 7662 §2.1), e.g. `clientCredentialsToken(…)`. */
export interface IntrospectionBearer {
  /** The token, or a function giving it per request; its `invalidate(token)`, when present, is called when the endpoint answers 401. */
  readonly bearerToken: string | (() => string | PromiseLike<string>);
  readonly clientId?: undefined;
  readonly clientSecret?: undefined;
  readonly clientAuth?: undefined;
}

export type IntrospectionOptions<P extends object = TokenPrincipal> = IntrospectionCommonOptions<P> & (IntrospectionClientSecret | IntrospectionBearer);

/** What the cache keeps per token: the principal of an active token, or why it is refused. */
type Introspected = { readonly active: true; readonly token: TokenPrincipal; readonly exp: number | undefined } | { readonly active: false; readonly reason: string };

/** A NumericDate claim (RFC 7519 §2): undefined when absent, NaN when present but not a number. */
function numericDate(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN;
}

/** Answers the endpoint gives about one token, not about itself (RFC 9110 §15.5). */
const TOKEN_REFUSALS = new Set([400, 413, 414, 422]);

/** A verifier for opaque access tokens; see the file header. Throws a TypeError for unusable options. */
export function introspectionVerifier<P extends object = TokenPrincipal>(options: IntrospectionOptions<P>): TokenVerifier<P> {
  const endpoint = endpointUrl(options.endpoint, 'introspectionVerifier: endpoint');
  const where = `introspection endpoint ${endpointName(endpoint)}`;
  const bearer = options.bearerToken;
  if (bearer === undefined && (typeof options.clientId !== 'string' || typeof options.clientSecret !== 'string')) {
    throw new TypeError('introspectionVerifier: give clientId and clientSecret, or bearerToken');
  }
  if (bearer !== undefined && (options.clientId !== undefined || options.clientSecret !== undefined)) {
    throw new TypeError('introspectionVerifier: give clientId and clientSecret, or bearerToken, not both');
  }
  if (options.audience === undefined) throw new TypeError('introspectionVerifier: give audience (or null to check none, deliberately)');
  const audience = options.audience === null ? undefined : audienceList(options.audience, 'introspectionVerifier');
  const now = options.now ?? Date.now;
  const maxMs = milliseconds(options.cacheMaxSeconds, 60, 'introspectionVerifier: cacheMaxSeconds') * 1000;
  const negativeMs = Math.min(maxMs, milliseconds(options.negativeCacheSeconds, 5, 'introspectionVerifier: negativeCacheSeconds') * 1000);
  const toleranceMs = milliseconds(options.clockToleranceSeconds, 0, 'introspectionVerifier: clockToleranceSeconds') * 1000;
  const timeoutMs = milliseconds(options.timeoutMs, 5000, 'introspectionVerifier: timeoutMs');
  const backoff = createBackoff(options.backoff, now);
  const fetchImpl: EndpointFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const cache = tokenCache<Introspected>({ maxEntries: Math.floor(milliseconds(options.cacheMaxEntries, 10_000, 'introspectionVerifier: cacheMaxEntries')), now });
  const onError = options.onError ?? reportToConsole;
  const fail = (error: IssuerEndpointError): never => {
    try {
      onError(error);
    } catch {
      // A throwing hook must not turn an unavailable endpoint into something else.
    }
    backoff.failed();
    throw unavailable(where, backoff, error);
  };

  /** The request's headers and form, the resource server's credentials included. */
  const request = async (token: string): Promise<{ readonly headers: Headers; readonly form: URLSearchParams; readonly sentBearer: string | undefined }> => {
    const form = new URLSearchParams({ token, token_type_hint: 'access_token' });
    const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
    if (bearer !== undefined) {
      let sentBearer: string;
      try {
        // The provider's own request (a token endpoint) gets the same deadline as the call.
        sentBearer = typeof bearer === 'string' ? bearer : await withTimeout(Promise.resolve(bearer()), timeoutMs, 'the bearer token provider');
      } catch (cause) {
        return fail(new IssuerEndpointError('introspection', 'unreachable', `${where}: no bearer token to call it with`, undefined, { cause }));
      }
      headers.set('authorization', `Bearer ${sentBearer}`);
      return { headers, form, sentBearer };
    }
    const id = options.clientId as string;
    const secret = options.clientSecret as string;
    if (options.clientAuth === 'body') {
      form.set('client_id', id);
      form.set('client_secret', secret);
    } else {
      headers.set('authorization', clientBasicAuthorization(id, secret));
    }
    return { headers, form, sentBearer: undefined };
  };

  /** What the endpoint says about `token`, and for how long that may be reused. */
  const lookup = async (token: string): Promise<CachedAnswer<Introspected>> => {
    if (backoff.wait() > 0) throw unavailable(where, backoff);
    const { headers, form, sentBearer } = await request(token);
    let fetched: JsonAnswer;
    try {
      fetched = await fetchJson(fetchImpl, endpoint, { method: 'POST', headers, body: form.toString() }, timeoutMs, 'introspection');
    } catch (error) {
      return fail(error as IssuerEndpointError);
    }
    // A 4xx about the token itself (malformed, too large) refuses that token only: it
    // must not make every other token wait out a backoff (one caller's bad token would
    // shut everyone out). Endpoint-wide answers (401/403: our credentials; 404/405: the
    // URL; 429, 5xx) are the endpoint failing.
    if (TOKEN_REFUSALS.has(fetched.status)) {
      backoff.succeeded();
      return { value: { active: false, reason: 'token-refused' }, ttlMs: negativeMs };
    }
    if (fetched.status !== 200) {
      if (fetched.status === 401 && sentBearer !== undefined) (bearer as { invalidate?: (token: string) => void }).invalidate?.(sentBearer);
      const refused = fetched.status === 401 || fetched.status === 403 ? ' (are the resource server\'s credentials right?)' : '';
      return fail(new IssuerEndpointError('introspection', 'status', `${where} answered ${fetched.status}${refused}`, fetched.status));
    }
    const body = jsonObject(fetched.body);
    if (body === undefined) return fail(new IssuerEndpointError('introspection', 'invalid-response', `${where} did not answer a JSON object`));
    backoff.succeeded();
    const refuse = (reason: string): CachedAnswer<Introspected> => ({ value: { active: false, reason }, ttlMs: negativeMs });
    // RFC 7662 §2.2: `active` is a boolean; anything but `true` (a string "true", 1) is inactive.
    if (body['active'] !== true) return refuse('token-inactive');
    // Some servers report refresh tokens as active too: a refresh token is not an access token.
    if (typeof body['token_type'] === 'string' && /^refresh[_-]?token$/i.test(body['token_type'])) return refuse('token-type');
    const exp = numericDate(body['exp']);
    const nbf = numericDate(body['nbf']);
    const at = now();
    if (Number.isNaN(exp) || Number.isNaN(nbf)) return refuse('token-claims');
    if (exp !== undefined && exp * 1000 + toleranceMs <= at) return refuse('token-expired');
    if (nbf !== undefined && nbf * 1000 - toleranceMs > at) return refuse('token-nbf');
    if (options.issuer !== undefined && body['iss'] !== options.issuer) return refuse('token-iss');
    if (audience !== undefined && !audienceMatches(body['aud'], audience)) return refuse('token-aud');
    const ttlMs = exp === undefined ? maxMs : Math.min(maxMs, exp * 1000 - at);
    return { value: { active: true, token: principalOf({ ...body }), exp }, ttlMs };
  };

  return async (token: string, context?: VerifyContext): Promise<P | null> => {
    const refuse = (reason: string): null => {
      context?.deny?.(reason);
      return null;
    };
    // An oversized token is refused before the endpoint is asked (it may answer it with a 413).
    if (typeof token !== 'string' || token === '' || token.length > MAX_TOKEN_LENGTH) return refuse('token-malformed');
    const found = await cache.get(token, () => lookup(token));
    if (found.active === false) return refuse(found.reason);
    // The cache keeps an answer no longer than `exp`; this also covers a clock that jumped.
    if (found.exp !== undefined && found.exp * 1000 + toleranceMs <= now()) return refuse('token-expired');
    const principal = await answer(found.token, options.principal, context);
    return principal === null ? refuse('principal-refused') : (principal as P);
  };
}
