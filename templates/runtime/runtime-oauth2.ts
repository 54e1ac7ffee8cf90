// OAuth 2.0 client credentials grant (RFC 6749 §4.4) as a credential provider: a
// function returning a cached access token, usable wherever a `Credentials`
// property takes a provider. Browser-safe (no `node:` imports), though a client
// secret belongs on a server, not in a browser bundle.

import type { TokenProvider } from './runtime-credentials.js';

export type TokenFetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface ClientCredentialsOptions {
  readonly tokenUrl: string | URL;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Sent as one space-delimited `scope` parameter (RFC 6749 §3.3); omitted when empty. */
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
  /** Clock in milliseconds, for tests; default `Date.now`. */
  readonly now?: () => number;
}

/** The token endpoint refused or answered something unusable (RFC 6749 §5.2). Never carries the secret or a token. */
export class OAuthTokenError extends Error {
  override readonly name = 'OAuthTokenError';
  readonly status: number;
  readonly error: string | undefined;
  readonly errorDescription: string | undefined;

  constructor(message: string, status: number, error?: string, errorDescription?: string) {
    super(message);
    this.status = status;
    this.error = error;
    this.errorDescription = errorDescription;
  }
}

/** RFC 6749 Appendix B: application/x-www-form-urlencoded, which `URLSearchParams` implements. */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** A literal loopback address: IPv4 in 127.0.0.0/8 (as `URL` normalises it), `[::1]`, or `localhost`. */
function isLoopback(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  // WHATWG URL turns every IPv4 spelling (0x7f.1, 2130706433, 127.1) into dotted-decimal,
  // so a host that is not exactly four decimal octets is a name, e.g. 127.0.0.1.nip.io.
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return octets !== null && octets[1] === '127' && octets.slice(2).every((o) => Number(o) <= 255);
}

// RFC 6749 §3.2: the token endpoint MUST use TLS; plain http is accepted only on loopback (tests, local dev).
function checkTokenUrl(url: URL): void {
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    throw new TypeError(`tokenUrl must use https (RFC 6749 §3.2): ${url.origin}`);
  }
}

/** The client secret in every form a server may echo: raw, percent- and form-encoded, and inside Basic's base64. */
function secretForms(options: ClientCredentialsOptions): string[] {
  const secret = options.clientSecret;
  if (secret === '') return [];
  const forms = new Set([secret, encodeURIComponent(secret), formEncode(secret)]);
  for (const id of [options.clientId, formEncode(options.clientId)]) {
    for (const s of [secret, formEncode(secret)]) forms.add(base64Utf8(`${id}:${s}`));
  }
  return [...forms].filter((f) => f !== '').sort((a, b) => b.length - a.length);
}

/**
 * A token provider (`TokenProvider`): one POST per token lifetime, shared by all
 * concurrent callers; a failed request is not cached, so the next call tries again;
 * `invalidate(token)` drops a token the API refused.
 */
export function clientCredentialsToken(options: ClientCredentialsOptions): TokenProvider {
  const tokenUrl = new URL(options.tokenUrl);
  checkTokenUrl(tokenUrl);
  const fetchImpl: TokenFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = options.now ?? Date.now;
  const skewMs = (options.refreshSkewSeconds ?? 30) * 1000;
  const defaultLifetimeMs = (options.defaultLifetimeSeconds ?? 300) * 1000;
  const forms = secretForms(options);
  const redact = (text: string): string => forms.reduce((out, form) => out.split(form).join('[redacted]'), text);

  let cached: { readonly token: string; readonly refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  const request = async (): Promise<string> => {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (options.scopes !== undefined && options.scopes.length > 0) form.set('scope', options.scopes.join(' '));
    for (const [name, value] of Object.entries(options.params ?? {})) form.set(name, value);
    const headers = new Headers({ 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' });
    if (options.clientAuth === 'body') {
      form.set('client_id', options.clientId);
      form.set('client_secret', options.clientSecret);
    } else {
      // RFC 6749 §2.3.1: id and secret are form-urlencoded before they become Basic's user and password.
      headers.set('Authorization', `Basic ${base64Utf8(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`)}`);
    }
    const started = now();
    // No redirects: a 307 would replay the secret to wherever the endpoint points.
    const response = await fetchImpl(tokenUrl, { method: 'POST', headers, body: form.toString(), redirect: 'error' });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const body = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
    const str = (key: string): string | undefined => (typeof body[key] === 'string' ? redact(body[key] as string) : undefined);
    if (!response.ok) {
      const error = str('error');
      const description = str('error_description');
      throw new OAuthTokenError(
        `Token endpoint ${tokenUrl.origin}${tokenUrl.pathname} answered ${response.status}` +
          (error === undefined ? '' : `: ${error}`) +
          (description === undefined ? '' : ` (${description})`),
        response.status,
        error,
        description,
      );
    }
    const token = body['access_token'];
    const tokenType = body['token_type'];
    if (typeof token !== 'string' || token === '') {
      throw new OAuthTokenError(`Token endpoint ${tokenUrl.origin}${tokenUrl.pathname} sent no access_token`, response.status);
    }
    // RFC 6749 §7.1: the client must understand the token type; only Bearer (RFC 6750) is sent by this runtime.
    if (tokenType !== undefined && (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')) {
      throw new OAuthTokenError(`Token endpoint sent an unsupported token_type (only Bearer is supported)`, response.status);
    }
    const expiresIn = Number(body['expires_in']);
    const lifetimeMs = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : defaultLifetimeMs;
    cached = { token, refreshAt: started + lifetimeMs - Math.min(skewMs, lifetimeMs / 2) };
    return token;
  };

  const provider = (() => {
    if (cached !== undefined && now() < cached.refreshAt) return Promise.resolve(cached.token);
    if (inFlight === undefined) {
      inFlight = request().finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  }) as TokenProvider;
  // A token the server refused: dropped only if still the cached one (a refresh already
  // under way or done replaced it), so concurrent refusals cause one refresh.
  provider.invalidate = (token: string): void => {
    if (cached !== undefined && cached.token === token) cached = undefined;
  };
  return provider;
}
