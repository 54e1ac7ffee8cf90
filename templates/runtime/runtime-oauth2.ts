// OAuth 2.0 grants as credential providers (`TokenProvider`): functions returning a
// cached access token, usable wherever a `Credentials` property takes a provider.
// - client credentials (RFC 6749 §4.4), one token per set of scopes asked for;
// - refresh token (RFC 6749 §6), holding a user's tokens and renewing them, with
//   rotated refresh tokens handed to the app to persist.
// The token endpoint request itself is runtime-token-endpoint.ts. Browser-safe (no
// `node:` imports), though a client secret belongs on a server, not in a browser bundle.

import type { CredentialContext, TokenProvider } from './runtime-credentials.js';
import { OAuthTokenError, refreshTime, tokenEndpointClient, type OAuthTokens, type TokenFetch, type TokenResponse } from './runtime-token-endpoint.js';

export { OAuthTokenError, type OAuthTokens, type TokenFetch } from './runtime-token-endpoint.js';

export interface ClientCredentialsOptions {
  readonly tokenUrl: string | URL;
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * Sent as one space-delimited `scope` parameter (RFC 6749 §3.3); omitted when empty.
   * Given, every call asks for exactly these. Left out, each call asks for the scopes its
   * `CredentialContext` carries (what the operation's alternative requires), and one
   * token is cached per distinct set, so one provider serves every operation.
   */
  readonly scopes?: readonly string[];
  /** Extra form parameters such as `audience` or `resource` (RFC 8707). */
  readonly params?: Readonly<Record<string, string>>;
  readonly fetch?: TokenFetch;
  /** `basic` (default, RFC 6749 §2.3.1 says servers MUST support it) or `body`. */
  readonly clientAuth?: 'basic' | 'body';
  /** Refresh this many seconds before `expires_in` runs out (default 30, at most half the lifetime). */
  readonly refreshSkewSeconds?: number;
  /** Lifetime assumed when the response has no `expires_in` (RFC 6749 §5.1 makes it optional); default 300. */
  readonly defaultLifetimeSeconds?: number;
  /** How many scope sets keep a cached token (least recently used dropped first); default 16. */
  readonly maxCachedTokens?: number;
  /** Clock in milliseconds, for tests; default `Date.now`. */
  readonly now?: () => number;
}

interface Cached {
  readonly token: string;
  readonly refreshAt: number;
}

/**
 * A token provider (`TokenProvider`): one POST per token lifetime and scope set, shared
 * by all concurrent callers; a failed request is not cached, so the next call tries
 * again; `invalidate(token)` drops a token the API refused.
 */
export function clientCredentialsToken(options: ClientCredentialsOptions): TokenProvider {
  const endpoint = tokenEndpointClient(options);
  const now = options.now ?? Date.now;
  const skewMs = (options.refreshSkewSeconds ?? 30) * 1000;
  const defaultLifetimeMs = (options.defaultLifetimeSeconds ?? 300) * 1000;
  const maxCached = Math.max(1, options.maxCachedTokens ?? 16);
  // Keyed by the scope set (sorted, deduplicated: RFC 6749 §3.3 scope is a set), in
  // least-recently-used order so the bound drops what is no longer asked for.
  const cache = new Map<string, Cached>();
  const inFlight = new Map<string, Promise<string>>();

  const request = async (key: string, scope: string): Promise<string> => {
    const params: [string, string][] = [['grant_type', 'client_credentials']];
    if (scope !== '') params.push(['scope', scope]);
    for (const [name, value] of Object.entries(options.params ?? {})) params.push([name, value]);
    const started = now();
    const answer = await endpoint.exchange(params);
    const lifetimeMs = answer.expiresIn === undefined ? defaultLifetimeMs : answer.expiresIn * 1000;
    cache.delete(key);
    cache.set(key, { token: answer.accessToken, refreshAt: refreshTime(started, lifetimeMs, skewMs) });
    for (const oldest of cache.keys()) {
      if (cache.size <= maxCached) break;
      cache.delete(oldest);
    }
    return answer.accessToken;
  };

  const provider = ((context?: CredentialContext) => {
    // Fixed scopes are sent exactly as given, as before; the context's are deduplicated.
    const wanted = options.scopes ?? [...new Set(context?.scopes ?? [])];
    const key = [...new Set(wanted)].sort().join(' ');
    const hit = cache.get(key);
    if (hit !== undefined && now() < hit.refreshAt) {
      cache.delete(key);
      cache.set(key, hit);
      return Promise.resolve(hit.token);
    }
    let pending = inFlight.get(key);
    if (pending === undefined) {
      pending = request(key, wanted.join(' ')).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  }) as TokenProvider;
  // A token the server refused: dropped only if still a cached one (a refresh already
  // under way or done replaced it), so concurrent refusals cause one refresh.
  provider.invalidate = (token: string): void => {
    for (const [key, entry] of cache) if (entry.token === token) cache.delete(key);
  };
  return provider;
}

// ---------------------------------------------------------------------------
// Refresh token grant

/** A refresh failed (RFC 6749 §6, §5.2). `error === 'invalid_grant'`: the refresh token is dead, sign the user in again. */
export class OAuthRefreshError extends OAuthTokenError {
  override readonly name: string = 'OAuthRefreshError';
}

/** The tokens a refresh produced: a refresh token is always there (the rotated one, or the one kept). */
export type RefreshedTokens = OAuthTokens & { readonly refreshToken: string };

export interface RefreshTokenOptions {
  readonly tokenUrl: string | URL;
  readonly clientId: string;
  /** Confidential clients only; left out, the client is public and sends `client_id` in the form. */
  readonly clientSecret?: string | undefined;
  /** `basic` (default) or `body`, for a confidential client. */
  readonly clientAuth?: 'basic' | 'body' | undefined;
  readonly refreshToken: string;
  /** An access token already held (e.g. from `completeAuthorization`): used until `expiresAt`, then refreshed. */
  readonly accessToken?: string | undefined;
  /** Expiry of `accessToken` (ms); left out, `defaultLifetimeSeconds` from now. */
  readonly expiresAt?: number | undefined;
  /** Scope of the tokens held, reported in `onTokens` when a refresh response leaves it out (RFC 6749 §5.1). */
  readonly scope?: string | undefined;
  /** Sent as `scope` on each refresh, to narrow it (RFC 6749 §6: never beyond what was granted). Default: not sent. */
  readonly scopes?: readonly string[] | undefined;
  /** Extra form parameters on each refresh. */
  readonly params?: Readonly<Record<string, string>> | undefined;
  /**
   * Called after every successful refresh with the new tokens, so the app can persist a
   * rotated refresh token (RFC 6749 §6: the old one may already be dead). Awaited before
   * the new access token is handed out, so it is stored before it is used and two calls
   * never overlap (an older token can never overwrite a newer one). If it throws or
   * rejects, the new tokens stay in use and the error goes to `onTokensError`.
   */
  readonly onTokens?: ((tokens: RefreshedTokens) => void | Promise<void>) | undefined;
  /** Sees an `onTokens` failure. Default: `console.error` of its message (never a token). */
  readonly onTokensError?: ((error: unknown, tokens: RefreshedTokens) => void) | undefined;
  readonly fetch?: TokenFetch | undefined;
  /** Refresh this many seconds before expiry (default 30, at most half the lifetime). */
  readonly refreshSkewSeconds?: number | undefined;
  /** Lifetime assumed when neither `expiresAt` nor `expires_in` says; default 300. */
  readonly defaultLifetimeSeconds?: number | undefined;
  /** Clock in milliseconds, for tests; default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/**
 * A `TokenProvider` holding one user's tokens: it returns the access token while it is
 * fresh and otherwise refreshes it (RFC 6749 §6), once for all concurrent callers.
 * `invalidate(token)` makes the next call refresh. The `CredentialContext` is not used:
 * a refresh cannot widen what the user granted. A failed refresh rejects every waiting
 * caller with the same `OAuthRefreshError` (status 0 when the endpoint was not reached);
 * after `invalid_grant` the refresh token is dead, and every later call gets that error
 * at once without asking the server again: sign the user in and make a new provider.
 */
export function refreshTokenProvider(options: RefreshTokenOptions): TokenProvider {
  const endpoint = tokenEndpointClient(options);
  const now = options.now ?? Date.now;
  const skewMs = (options.refreshSkewSeconds ?? 30) * 1000;
  const defaultLifetimeMs = (options.defaultLifetimeSeconds ?? 300) * 1000;
  const onTokensError =
    options.onTokensError ?? ((error: unknown) => console.error(`refreshTokenProvider: onTokens failed, the new tokens are in use but were not persisted: ${error instanceof Error ? error.message : String(error)}`));

  let refreshToken = options.refreshToken;
  let scope = options.scope;
  let current: Cached | undefined;
  let inFlight: Promise<string> | undefined;
  let dead: OAuthRefreshError | undefined;
  if (options.accessToken !== undefined && options.accessToken !== '') {
    const started = now();
    const lifetimeMs = options.expiresAt === undefined ? defaultLifetimeMs : options.expiresAt - started;
    current = { token: options.accessToken, refreshAt: refreshTime(started, lifetimeMs, skewMs) };
  }

  const refresh = async (): Promise<string> => {
    const params: [string, string][] = [
      ['grant_type', 'refresh_token'],
      ['refresh_token', refreshToken],
    ];
    if (options.scopes !== undefined && options.scopes.length > 0) params.push(['scope', options.scopes.join(' ')]);
    // Extra parameters never replace the grant's own.
    for (const [name, value] of Object.entries(options.params ?? {})) if (!params.some(([n]) => n === name)) params.push([name, value]);
    const started = now();
    let answer: TokenResponse;
    try {
      answer = await endpoint.exchange(params, { secrets: [refreshToken], errorType: OAuthRefreshError });
    } catch (error) {
      if (error instanceof OAuthRefreshError) {
        if (error.error === 'invalid_grant') dead = error;
        throw error;
      }
      // Not reached, or no HTTP answer: still one typed error for the callers.
      const text = endpoint.redact(error instanceof Error ? error.message : String(error), [refreshToken]);
      throw new OAuthRefreshError(`Token endpoint ${endpoint.url.origin}${endpoint.url.pathname} was not reached: ${text}`, 0, undefined, undefined, { cause: error });
    }
    // RFC 6749 §6: a new refresh token replaces the old, which the server may revoke.
    refreshToken = answer.refreshToken ?? refreshToken;
    scope = answer.scope ?? scope;
    const lifetimeMs = answer.expiresIn === undefined ? defaultLifetimeMs : answer.expiresIn * 1000;
    current = { token: answer.accessToken, refreshAt: refreshTime(started, lifetimeMs, skewMs) };
    const tokens: RefreshedTokens = Object.freeze({
      accessToken: answer.accessToken,
      refreshToken,
      expiresAt: answer.expiresIn === undefined ? undefined : started + lifetimeMs,
      scope,
    });
    if (options.onTokens !== undefined) {
      try {
        await options.onTokens(tokens);
      } catch (error) {
        try {
          onTokensError(error, tokens);
        } catch {
          // A failing error hook must not fail the callers: the new token is valid.
        }
      }
    }
    return answer.accessToken;
  };

  const provider = (() => {
    if (dead !== undefined) return Promise.reject(dead);
    if (current !== undefined && now() < current.refreshAt) return Promise.resolve(current.token);
    if (inFlight === undefined) {
      inFlight = refresh().finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  }) as TokenProvider;
  // Only the current token: a refusal of one already replaced causes no second refresh.
  provider.invalidate = (token: string): void => {
    if (current !== undefined && current.token === token) current = undefined;
  };
  return provider;
}
