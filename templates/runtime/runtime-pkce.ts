// Authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636) for apps that act for a
// user: browser single-page apps and CLIs (a loopback redirect, RFC 8252 §7.3). Public
// clients have no secret, so the one-time `code_verifier` is what binds the code to the
// app that asked for it, and `state` binds the answer to the request (RFC 6749 §10.12,
// CSRF). Only S256: `plain` would hand the verifier to whoever reads the URL.
// No server assumptions: the app sends the user to `url`, keeps the pending part
// (JSON-serialisable, e.g. in sessionStorage) and gives the callback URL back.
// Browser-safe: WebCrypto only (`crypto.getRandomValues`, `crypto.subtle`).

import { checkEndpointUrl, tokenEndpointClient, type OAuthTokens, type TokenEndpointOptions } from './runtime-token-endpoint.js';

/** RFC 7636 §4.1: `unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"` (66 characters). */
const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A fresh code verifier (RFC 7636 §4.1): `length` characters (43..128, default 64) drawn
 * uniformly from the unreserved set by the platform CSPRNG. Bytes of 198 and above are
 * dropped rather than folded (256 = 3 × 66 + 58), so no character is likelier than another.
 */
export function createCodeVerifier(length = 64): string {
  if (!Number.isInteger(length) || length < 43 || length > 128) throw new RangeError('createCodeVerifier: length must be an integer from 43 to 128 (RFC 7636 §4.1)');
  let out = '';
  const limit = 256 - (256 % UNRESERVED.length);
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < limit && out.length < length) out += UNRESERVED[byte % UNRESERVED.length];
    }
  }
  return out;
}

/** RFC 7636 §4.2 S256: `BASE64URL(SHA256(ASCII(code_verifier)))`, without padding. */
export async function codeChallengeS256(verifier: string): Promise<string> {
  if (!VERIFIER.test(verifier)) throw new TypeError('codeChallengeS256: a code verifier is 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

/** An unguessable `state` (RFC 6749 §10.12): 32 random bytes, base64url. */
export function createState(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

export interface AuthorizationUrlOptions {
  readonly authorizationUrl: string | URL;
  readonly clientId: string;
  /** Where the server sends the user back, registered with it: an https page, or `http://127.0.0.1:<port>/…` for a CLI. */
  readonly redirectUri: string | URL;
  /** Sent as one space-delimited `scope` (RFC 6749 §3.3); omitted when empty. */
  readonly scopes?: readonly string[] | undefined;
  /** Extra parameters (`prompt`, `login_hint`, `audience`, `resource`, …). Never override the ones set here. */
  readonly params?: Readonly<Record<string, string>> | undefined;
}

/**
 * The authorization request URL (RFC 6749 §4.1.1 with RFC 7636 §4.3): the endpoint's own
 * query kept (§3.1), each parameter once, `code_challenge_method=S256`. https only (§3.1),
 * plain http on loopback.
 */
export function authorizationUrl(options: AuthorizationUrlOptions & { readonly state: string; readonly codeChallenge: string }): URL {
  const url = new URL(options.authorizationUrl);
  checkEndpointUrl(url, 'authorizationUrl');
  url.hash = ''; // §3.1: the endpoint URI has no fragment
  for (const [name, value] of Object.entries(options.params ?? {})) url.searchParams.set(name, value);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', options.clientId);
  url.searchParams.set('redirect_uri', String(options.redirectUri));
  const scope = (options.scopes ?? []).join(' ');
  if (scope === '') url.searchParams.delete('scope');
  else url.searchParams.set('scope', scope);
  url.searchParams.set('state', options.state);
  url.searchParams.set('code_challenge', options.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url;
}

/** What the app keeps between sending the user away and the callback. Secret: store it where only this app reads it. */
export interface PendingAuthorization {
  readonly state: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
}

export interface AuthorizationRequest extends PendingAuthorization {
  /** Where to send the user (browser: `location.assign(url)`; CLI: open it in the user's browser). */
  readonly url: string;
}

export interface StartAuthorizationOptions extends AuthorizationUrlOptions {
  /** Length of the code verifier, 43..128 (default 64). */
  readonly verifierLength?: number | undefined;
}

/** A fresh verifier, its challenge, a fresh `state`, and the authorization URL carrying them. */
export async function startAuthorization(options: StartAuthorizationOptions): Promise<AuthorizationRequest> {
  const codeVerifier = createCodeVerifier(options.verifierLength);
  const state = createState();
  const url = authorizationUrl({ ...options, state, codeChallenge: await codeChallengeS256(codeVerifier) });
  return { url: url.href, state, codeVerifier, redirectUri: String(options.redirectUri) };
}

/** The authorization server sent the user back with an error (RFC 6749 §4.1.2.1), e.g. `access_denied`, or no code. */
export class OAuthAuthorizationError extends Error {
  override readonly name: string = 'OAuthAuthorizationError';
  readonly error: string | undefined;
  readonly errorDescription: string | undefined;

  constructor(message: string, error?: string, errorDescription?: string) {
    super(message);
    this.error = error;
    this.errorDescription = errorDescription;
  }
}

/** The callback's `state` is missing or not the one sent: possibly forged (RFC 6749 §10.12). Nothing was exchanged. */
export class OAuthStateMismatchError extends Error {
  override readonly name: string = 'OAuthStateMismatchError';
}

/** Equal strings, in time that depends only on `expected`'s length, so a forged state learns nothing from timing. */
function sameSecret(expected: string, actual: string): boolean {
  const a = new TextEncoder().encode(expected);
  const b = new TextEncoder().encode(actual);
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b.length === 0 ? 0 : (b[i % b.length] as number));
  return diff === 0;
}

/** The callback's query parameters: a full URL, a `?query` string, or the parameters themselves. */
function callbackParams(callback: string | URL | URLSearchParams): URLSearchParams {
  if (callback instanceof URLSearchParams) return callback;
  if (callback instanceof URL) return callback.searchParams;
  return /^[a-z][a-z0-9+.-]*:/i.test(callback) ? new URL(callback).searchParams : new URLSearchParams(callback);
}

/**
 * The authorization code from the callback (RFC 6749 §4.1.2), after checking `state`
 * (constant-time) before anything else: a missing, repeated or different state is an
 * `OAuthStateMismatchError`; then an error answer is an `OAuthAuthorizationError`.
 * Messages never echo the code or the state.
 */
export function authorizationCodeFrom(callback: string | URL | URLSearchParams, expectedState: string): string {
  if (expectedState === '') throw new TypeError('authorizationCodeFrom: the expected state is empty');
  const params = callbackParams(callback);
  const states = params.getAll('state');
  if (states.length !== 1 || !sameSecret(expectedState, states[0] as string)) {
    throw new OAuthStateMismatchError('The authorization response does not carry the state this app sent (RFC 6749 §10.12): refused, nothing exchanged');
  }
  const error = params.get('error');
  if (error !== null) {
    const description = params.get('error_description') ?? undefined;
    throw new OAuthAuthorizationError(`Authorization refused: ${error}${description === undefined ? '' : ` (${description})`}`, error, description);
  }
  const codes = params.getAll('code');
  if (codes.length !== 1 || codes[0] === '') throw new OAuthAuthorizationError('The authorization response carries no single code');
  return codes[0] as string;
}

export interface CompleteAuthorizationOptions extends TokenEndpointOptions {
  /** What `startAuthorization` returned (or its stored `state`, `codeVerifier`, `redirectUri`). */
  readonly pending: PendingAuthorization;
  /** The URL the user came back to, or its query. */
  readonly callback: string | URL | URLSearchParams;
  /** Extra form parameters for the token request. */
  readonly params?: Readonly<Record<string, string>> | undefined;
  /** Clock in milliseconds for `expiresAt`; default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/**
 * Checks the callback (`authorizationCodeFrom`) and exchanges the code (RFC 6749 §4.1.3,
 * RFC 7636 §4.5): `grant_type=authorization_code`, `code`, `redirect_uri`, `code_verifier`,
 * and `client_id` for a public client (a confidential one authenticates as
 * `clientAuth` says). The tokens can seed `refreshTokenProvider`.
 */
export async function completeAuthorization(options: CompleteAuthorizationOptions): Promise<OAuthTokens> {
  const endpoint = tokenEndpointClient(options);
  const { pending } = options;
  const code = authorizationCodeFrom(options.callback, pending.state);
  const params: [string, string][] = [
    ['grant_type', 'authorization_code'],
    ['code', code],
    ['redirect_uri', pending.redirectUri],
    ['code_verifier', pending.codeVerifier],
  ];
  // Extra parameters never replace the grant's own (a stray `code_verifier` would defeat PKCE).
  for (const [name, value] of Object.entries(options.params ?? {})) if (!params.some(([n]) => n === name)) params.push([name, value]);
  const started = (options.now ?? Date.now)();
  const answer = await endpoint.exchange(params, { secrets: [code, pending.codeVerifier] });
  return {
    accessToken: answer.accessToken,
    refreshToken: answer.refreshToken,
    expiresAt: answer.expiresIn === undefined ? undefined : started + answer.expiresIn * 1000,
    scope: answer.scope,
  };
}
