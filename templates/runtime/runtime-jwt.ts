// `jwtVerifier(options)`: a verifier for `http bearer`, `oauth2` and `openIdConnect`
// schemes whose access tokens are JWTs (RFC 9068), built on jose. It answers the
// token's principal `{ subject, scopes, claims }` (runtime-token-claims.ts), or `null`
// for any token that is not valid (bad signature, another issuer or audience, expired,
// not yet valid, an algorithm not allowed, `alg: none`, an unknown key, malformed), so
// the guard answers 401 with `error="invalid_token"`. When the issuer's keys cannot be
// read it throws an `UnavailableError` (503), never a 401 and never a pass. Keys come
// from a JWKS URL, from OpenID Connect discovery, or from an HMAC secret given
// explicitly. `jwtVerifierFor(schemes, name, options)` takes the discovery URL from an
// `openIdConnect` scheme of the spec. Neither a token nor a claim goes into an error:
// why a token was refused goes to `context.deny` (the guard's `onDecision` detail).
import type { JWTVerifyOptions, RemoteJWKSet } from 'jose';
import { own, type SchemeTable } from './runtime-tables.js';
import { isUnavailable, UnavailableError, type VerifyContext } from './runtime-types.js';
import { algorithmsOf, codeOf, isCanonicalCompact, tokenProblem, verifyCompact, type AsymmetricAlgorithm, type HmacAlgorithm } from './runtime-jwt-checks.js';
import { answer, audienceList, MAX_TOKEN_LENGTH, principalOf, type PrincipalMapper, type TokenClaims, type TokenPrincipal, type TokenVerifier } from './runtime-token-claims.js';
import { oidcDiscovery } from './runtime-oidc-discovery.js';
import { jwksSource } from './runtime-jwks.js';
import { createBackoff, endpointUrl, milliseconds, reportToConsole, type BackoffOptions, type EndpointFetch } from './runtime-token-http.js';

export type { MappedPrincipal, PrincipalMapper, TokenClaims, TokenPrincipal, TokenVerifier } from './runtime-token-claims.js';
export { IssuerEndpointError, type BackoffOptions, type EndpointFetch, type IssuerEndpoint, type IssuerEndpointProblem } from './runtime-token-http.js';
export type { AsymmetricAlgorithm, HmacAlgorithm } from './runtime-jwt-checks.js';

export interface JwtCommonOptions<P extends object = TokenPrincipal> {
  /** The `iss` every token must carry, exactly; with discovery, also the document's `issuer`. */
  readonly issuer: string;
  /** Accepted `aud` values: a token must name at least one. Required: the audience check is never skipped. */
  readonly audience: string | readonly string[];
  /** Leeway for `exp` and `nbf` (seconds). Default 0. */
  readonly clockToleranceSeconds?: number;
  /** Require the JWT header `typ: at+jwt` (RFC 9068 §2.1), so an ID token is never taken for an access token. Default false. */
  readonly requireAccessTokenType?: boolean;
  /** Maps the verified token to the app's principal. Default: the token principal itself. */
  readonly principal?: PrincipalMapper<P>;
  /** Sees why keys or discovery could not be used (`IssuerEndpointError`), once per attempt. Default: `console.error` with the message. */
  readonly onError?: (error: Error) => void;
  /** For discovery and JWKS requests. Default `globalThis.fetch`. */
  readonly fetch?: EndpointFetch;
  /** Per discovery or JWKS request, body included (ms). Default 5000. */
  readonly timeoutMs?: number;
  /** The pause after a failed discovery or JWKS request, doubling per failure in a row. Default 1 s up to 30 s. */
  readonly backoff?: BackoffOptions;
  /** Milliseconds since the epoch for `exp` and `nbf`, and the backoff; for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** Options of a key set: signature algorithms and how often it is fetched. */
export interface JwksSettings {
  /** Allowed `alg` values. Default: RS256/384/512, PS256/384/512, ES256/384/512, EdDSA. */
  readonly algorithms?: readonly AsymmetricAlgorithm[];
  /** A token with an unknown `kid` refetches the key set at most once per this (ms). Default 30 000. */
  readonly jwksCooldownMs?: number;
  /** Keys are fetched again when older than this (ms). Default 600 000. */
  readonly jwksCacheMaxAgeMs?: number;
}

/** Keys from the issuer's JWKS URL. */
export interface JwksUrlKeys extends JwksSettings {
  readonly jwksUrl: string | URL;
  readonly discoveryUrl?: undefined;
  readonly secret?: undefined;
}

/** Keys from the `jwks_uri` of an OpenID Connect discovery document (`…/.well-known/openid-configuration`). */
export interface DiscoveryKeys extends JwksSettings {
  readonly discoveryUrl: string | URL;
  readonly jwksUrl?: undefined;
  readonly secret?: undefined;
}

/** An HMAC secret shared with the issuer (at least 32 bytes); HS* only, no JWKS. */
export interface SecretKey {
  readonly secret: string | Uint8Array;
  /** Allowed `alg` values. Default: those the secret is long enough for (HS256 from 32 bytes, HS384 from 48, HS512 from 64). */
  readonly algorithms?: readonly HmacAlgorithm[];
  readonly jwksUrl?: undefined;
  readonly discoveryUrl?: undefined;
  readonly jwksCooldownMs?: undefined;
  readonly jwksCacheMaxAgeMs?: undefined;
}

export type JwtKeys = JwksUrlKeys | DiscoveryKeys | SecretKey;
export type JwtVerifierOptions<P extends object = TokenPrincipal> = JwtCommonOptions<P> & JwtKeys;

interface KeyContext {
  readonly fetchImpl: EndpointFetch;
  readonly timeoutMs: number;
  readonly now: () => number;
  readonly report: (error: Error) => void;
}

/** Where the verifier's key comes from: the secret, a JWKS URL, or discovery (`null` when it named another issuer). */
function keysOf<P extends object>(options: JwtVerifierOptions<P>, secret: Uint8Array | undefined, { fetchImpl, timeoutMs, now, report }: KeyContext): () => Promise<RemoteJWKSet | Uint8Array | null> {
  if (secret !== undefined) return () => Promise.resolve(secret);
  const jwks = jwksSource({
    fetch: fetchImpl,
    timeoutMs,
    cooldownMs: milliseconds(options.jwksCooldownMs, 30_000, 'jwtVerifier: jwksCooldownMs'),
    cacheMaxAgeMs: milliseconds(options.jwksCacheMaxAgeMs, 600_000, 'jwtVerifier: jwksCacheMaxAgeMs'),
    backoff: createBackoff(options.backoff, now),
    report,
  });
  if (options.jwksUrl !== undefined) {
    const url = endpointUrl(options.jwksUrl, 'jwtVerifier: jwksUrl');
    return () => Promise.resolve(jwks.keysAt(url));
  }
  const discover = oidcDiscovery({
    discoveryUrl: endpointUrl(options.discoveryUrl as string | URL, 'jwtVerifier: discoveryUrl'),
    issuer: options.issuer,
    fetch: fetchImpl,
    timeoutMs,
    backoff: createBackoff(options.backoff, now),
    report,
  });
  return async () => {
    const found = await discover();
    return found.ok === true ? jwks.keysAt(found.jwksUrl) : null;
  };
}

/** A verifier for JWT access tokens; see the file header. Throws a TypeError for unusable options. */
export function jwtVerifier<P extends object = TokenPrincipal>(options: JwtVerifierOptions<P>): TokenVerifier<P> {
  if (typeof options.issuer !== 'string' || options.issuer === '') throw new TypeError('jwtVerifier: issuer must be a non-empty string');
  const audience = audienceList(options.audience, 'jwtVerifier');
  const sources = [options.jwksUrl, options.discoveryUrl, options.secret].filter((s) => s !== undefined).length;
  if (sources !== 1) throw new TypeError('jwtVerifier: give exactly one of jwksUrl, discoveryUrl and secret');
  const secret = typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret;
  const algorithms = algorithmsOf(options.algorithms, secret?.byteLength);
  const now = options.now ?? Date.now;
  const timeoutMs = milliseconds(options.timeoutMs, 5000, 'jwtVerifier: timeoutMs');
  const tolerance = milliseconds(options.clockToleranceSeconds, 0, 'jwtVerifier: clockToleranceSeconds');
  const onError = options.onError ?? reportToConsole;
  const report = (error: Error): void => {
    try {
      onError(error);
    } catch {
      // A throwing hook must not turn an unavailable issuer into something else.
    }
  };
  const fetchImpl: EndpointFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const keyFor = keysOf(options, secret, { fetchImpl, timeoutMs, now, report });
  let lastUnusable = { what: '', at: -Infinity };
  const unusableKeys = (error: unknown): UnavailableError => {
    const code = codeOf(error);
    const what = typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown error';
    const message = `jwtVerifier: the issuer's keys could not be used (${what})`;
    // Reported once a minute per cause, not once per request.
    if (what !== lastUnusable.what || now() - lastUnusable.at >= 60_000) {
      lastUnusable = { what, at: now() };
      report(new Error(message));
    }
    return new UnavailableError(message, 1);
  };
  const base: JWTVerifyOptions = {
    issuer: options.issuer,
    audience,
    algorithms,
    clockTolerance: tolerance,
    // RFC 9068 §2.2: an access token carries `exp`; one that never expires is refused.
    requiredClaims: ['exp'],
    ...(options.requireAccessTokenType === true ? { typ: 'at+jwt' } : {}),
  };

  return async (token: string, context?: VerifyContext): Promise<P | null> => {
    const refuse = (reason: string): null => {
      context?.deny?.(reason);
      return null;
    };
    if (typeof token !== 'string' || token === '' || token.length > MAX_TOKEN_LENGTH || !isCanonicalCompact(token)) return refuse('token-malformed');
    const key = await keyFor();
    if (key === null) return refuse('token-issuer-mismatch');
    let claims: TokenClaims;
    try {
      claims = await verifyCompact(token, key, options.now === undefined ? base : { ...base, currentDate: new Date(now()) });
    } catch (error) {
      if (isUnavailable(error)) throw error;
      const problem = tokenProblem(error);
      if (problem !== undefined) return refuse(problem);
      // Anything else came from the issuer's keys: jose answers what a token can get wrong
      // with the errors above, and the options were checked when the verifier was made.
      // A key it cannot use (RSA under 2048 bits, a private key, malformed) is the issuer's
      // problem, not the token's. Only the error's code or name travels on: a jose error
      // may hold the token's payload.
      throw unusableKeys(error);
    }
    const principal = await answer(principalOf(claims), options.principal, context);
    return principal === null ? refuse('principal-refused') : (principal as P);
  };
}

/** Names of the schemes whose verifier receives a token: `http` bearer, `oauth2`, `openIdConnect` (any name for a table not typed `as const`). */
export type TokenSchemeOf<S extends SchemeTable> = string extends keyof S ? string : TokenSchemeNames<S>;
type TokenSchemeNames<S extends SchemeTable> = {
  [K in keyof S & string]: S[K] extends { readonly kind: 'oauth2' | 'openIdConnect' }
    ? K
    : S[K] extends { readonly kind: 'http'; readonly scheme: infer W }
      ? 'bearer' extends W
        ? K
        : never
      : never;
}[keyof S & string];

/** No key option: the discovery URL is the `openIdConnect` scheme's `url`. */
export interface SpecDiscoveryKeys extends JwksSettings {
  readonly jwksUrl?: undefined;
  readonly discoveryUrl?: undefined;
  readonly secret?: undefined;
}

/**
 * `jwtVerifier` options for one scheme of the spec: an `openIdConnect` scheme may leave
 * out the keys (its `url` is the discovery URL, resolved against `baseUrl` when
 * relative); the others need `jwksUrl`, `discoveryUrl` or `secret`.
 */
export type SpecJwtVerifierOptions<Spec, P extends object = TokenPrincipal> = JwtCommonOptions<P> & {
  /** Base for a relative `openIdConnectUrl`. */
  readonly baseUrl?: string | URL;
} & (Spec extends { readonly kind: 'openIdConnect' } ? JwtKeys | SpecDiscoveryKeys : JwtKeys);

/** `jwtVerifier` for scheme `scheme` of the spec's `schemes` table (see `SpecJwtVerifierOptions`). */
export function jwtVerifierFor<S extends SchemeTable, N extends TokenSchemeOf<S>, P extends object = TokenPrincipal>(
  schemes: S,
  scheme: N,
  options: SpecJwtVerifierOptions<S[N], P>,
): TokenVerifier<P> {
  const spec = own(schemes, scheme);
  const named = `jwtVerifierFor: scheme ${JSON.stringify(scheme)}`;
  if (spec === undefined) throw new TypeError(`${named} is not in the spec`);
  if (!(spec.kind === 'oauth2' || spec.kind === 'openIdConnect' || (spec.kind === 'http' && spec.scheme === 'bearer'))) {
    throw new TypeError(`${named} is ${spec.kind === 'http' ? `http ${spec.scheme}` : spec.kind}, whose credential is not a token`);
  }
  const { baseUrl, ...rest } = options as JwtVerifierOptions<P> & { readonly baseUrl?: string | URL };
  if (rest.jwksUrl !== undefined || rest.discoveryUrl !== undefined || rest.secret !== undefined) return jwtVerifier<P>(rest);
  if (spec.kind !== 'openIdConnect') throw new TypeError(`${named} is ${spec.kind}: give jwksUrl, discoveryUrl or secret (only an openIdConnect scheme names its discovery URL)`);
  const discoveryUrl = endpointUrl(spec.url, `${named}: its openIdConnectUrl`, baseUrl);
  return jwtVerifier<P>({ ...(rest as JwtCommonOptions<P> & JwksSettings), discoveryUrl });
}
