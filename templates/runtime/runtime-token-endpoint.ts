// The OAuth 2.0 token endpoint (RFC 6749 §3.2) as every grant uses it: one form POST
// with the client's authentication, no redirects, https only, and a JSON answer read
// into a typed response or an `OAuthTokenError`. Client credentials, refresh and the
// authorization code exchange differ only in their form parameters, so the parts that
// keep secrets safe live here once. Browser-safe: no `node:` imports.

export type TokenFetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** The token endpoint refused or answered something unusable (RFC 6749 §5.2). Never carries the secret or a token. */
export class OAuthTokenError extends Error {
  override readonly name: string = 'OAuthTokenError';
  /** HTTP status of the answer; 0 when there was none (network failure). */
  readonly status: number;
  /** The RFC 6749 §5.2 `error` code, e.g. `invalid_client`, `invalid_grant`. */
  readonly error: string | undefined;
  readonly errorDescription: string | undefined;

  constructor(message: string, status: number, error?: string, errorDescription?: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.error = error;
    this.errorDescription = errorDescription;
  }
}

/** Builds the error a grant reports (`OAuthTokenError` or a subclass such as `OAuthRefreshError`). */
export type TokenErrorType = new (message: string, status: number, error?: string, errorDescription?: string, options?: { readonly cause?: unknown }) => OAuthTokenError;

/** Who the client is, and where and how it asks for tokens. */
export interface TokenEndpointOptions {
  readonly tokenUrl: string | URL;
  readonly clientId: string;
  /**
   * Confidential clients only. Left out, the client is public (a browser or CLI app,
   * RFC 6749 §2.1) and identifies itself with `client_id` in the form (§3.2.1).
   */
  readonly clientSecret?: string | undefined;
  /** `basic` (default, RFC 6749 §2.3.1 says servers MUST support it) or `body`. Ignored for public clients. */
  readonly clientAuth?: 'basic' | 'body' | undefined;
  readonly fetch?: TokenFetch | undefined;
}

/** Tokens as the app persists them; `expiresAt` in milliseconds on the grant's clock (`Date.now` by default). */
export interface OAuthTokens {
  readonly accessToken: string;
  /** Undefined when the server issued none (then there is nothing to refresh with). */
  readonly refreshToken: string | undefined;
  /** When the access token expires; undefined when the server did not say (`expires_in` is optional). */
  readonly expiresAt: number | undefined;
  /** The granted scope, space-delimited, when the server sent it. */
  readonly scope: string | undefined;
}

/** A successful token response (RFC 6749 §5.1), validated. */
export interface TokenResponse {
  readonly accessToken: string;
  /** Seconds, when the server sent a positive number. */
  readonly expiresIn: number | undefined;
  readonly refreshToken: string | undefined;
  /** The granted scope (space-delimited), when the server sent it. */
  readonly scope: string | undefined;
}

export interface TokenEndpointClient {
  readonly url: URL;
  /**
   * POSTs the grant's parameters (in order; client authentication is added) and reads
   * the answer. `secrets` are sent values that must never reach an error message
   * (a refresh token, an authorization code, a PKCE verifier), redacted in every
   * encoding alongside the client secret.
   */
  exchange(params: readonly (readonly [string, string])[], options?: { readonly secrets?: readonly string[]; readonly errorType?: TokenErrorType }): Promise<TokenResponse>;
  /** Replaces every known secret (the client secret and `extra`) in `text` with `[redacted]`. */
  redact(text: string, extra?: readonly string[]): string;
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

/** RFC 6749 §2.3.1 client authentication: id and secret form-encoded, then HTTP Basic. Token and introspection endpoints alike. */
export function clientBasicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${base64Utf8(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}`;
}

/** A literal loopback address: IPv4 in 127.0.0.0/8 (as `URL` normalises it), `[::1]`, or `localhost`. Shared by the client's token endpoints and the server's issuer endpoints. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  // WHATWG URL turns every IPv4 spelling (0x7f.1, 2130706433, 127.1) into dotted-decimal,
  // so a host that is not exactly four decimal octets is a name, e.g. 127.0.0.1.nip.io.
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return octets !== null && octets[1] === '127' && octets.slice(2).every((o) => Number(o) <= 255);
}

/**
 * RFC 6749 §3.1 and §3.2: the authorization and token endpoints MUST use TLS; plain http
 * is accepted only on loopback (tests, local dev). `what` names the option in the error.
 */
export function checkEndpointUrl(url: URL, what: 'tokenUrl' | 'authorizationUrl'): void {
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    throw new TypeError(`${what} must use https (RFC 6749 ${what === 'tokenUrl' ? '§3.2' : '§3.1'}): ${url.origin}`);
  }
}

/** A value in every form a server may echo: raw, percent- and form-encoded. */
function plainForms(value: string): string[] {
  return value === '' ? [] : [value, encodeURIComponent(value), formEncode(value)];
}

/** The client secret as above, and inside Basic's base64 with either spelling of the id. */
function clientSecretForms(clientId: string, secret: string | undefined): string[] {
  if (secret === undefined || secret === '') return [];
  const forms = plainForms(secret);
  for (const id of [clientId, formEncode(clientId)]) {
    for (const s of [secret, formEncode(secret)]) forms.push(base64Utf8(`${id}:${s}`));
  }
  return forms;
}

function redactWith(forms: readonly string[], text: string): string {
  // Longest first, so a form containing a shorter one is replaced whole.
  const sorted = [...new Set(forms)].filter((f) => f !== '').sort((a, b) => b.length - a.length);
  return sorted.reduce((out, form) => out.split(form).join('[redacted]'), text);
}

/** When to fetch a new token: `skewMs` before it expires, but never earlier than half its lifetime. */
export function refreshTime(started: number, lifetimeMs: number, skewMs: number): number {
  return started + lifetimeMs - Math.min(skewMs, lifetimeMs / 2);
}

/** The token endpoint of one client. Throws (TypeError) at once for a URL that is not https or loopback http. */
export function tokenEndpointClient(options: TokenEndpointOptions): TokenEndpointClient {
  const url = new URL(options.tokenUrl);
  checkEndpointUrl(url, 'tokenUrl');
  const fetchImpl: TokenFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const clientForms = clientSecretForms(options.clientId, options.clientSecret);
  const where = `${url.origin}${url.pathname}`;
  const redact = (text: string, extra: readonly string[] = []): string => redactWith([...clientForms, ...extra.flatMap(plainForms)], text);

  const exchange: TokenEndpointClient['exchange'] = async (params, { secrets = [], errorType = OAuthTokenError } = {}) => {
    const form = new URLSearchParams();
    for (const [name, value] of params) form.set(name, value);
    const headers = new Headers({ 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' });
    if (options.clientSecret === undefined) {
      form.set('client_id', options.clientId); // public client, RFC 6749 §3.2.1
    } else if (options.clientAuth === 'body') {
      form.set('client_id', options.clientId);
      form.set('client_secret', options.clientSecret);
    } else {
      // RFC 6749 §2.3.1: id and secret are form-urlencoded before they become Basic's user and password.
      headers.set('Authorization', clientBasicAuthorization(options.clientId, options.clientSecret));
    }
    // No redirects: a 307 would replay the secret (and a refresh token or code) to wherever the endpoint points.
    const response = await fetchImpl(url, { method: 'POST', headers, body: form.toString(), redirect: 'error' });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const body = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
    const str = (key: string): string | undefined => (typeof body[key] === 'string' ? redact(body[key] as string, secrets) : undefined);
    if (!response.ok) {
      const error = str('error');
      const description = str('error_description');
      throw new errorType(
        `Token endpoint ${where} answered ${response.status}` + (error === undefined ? '' : `: ${error}`) + (description === undefined ? '' : ` (${description})`),
        response.status,
        error,
        description,
      );
    }
    // Read raw, never through `str`: tokens are not redacted but also never put in a message.
    const accessToken = body['access_token'];
    const tokenType = body['token_type'];
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new errorType(`Token endpoint ${where} sent no access_token`, response.status);
    }
    // RFC 6749 §7.1: the client must understand the token type; only Bearer (RFC 6750) is sent by this runtime.
    if (tokenType !== undefined && (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')) {
      throw new errorType(`Token endpoint sent an unsupported token_type (only Bearer is supported)`, response.status);
    }
    const expiresIn = Number(body['expires_in']);
    const refreshToken = body['refresh_token'];
    const scope = body['scope'];
    return {
      accessToken,
      // RFC 6749 §5.1 makes expires_in RECOMMENDED, not required: absent or nonsense is "unknown".
      expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined,
      refreshToken: typeof refreshToken === 'string' && refreshToken !== '' ? refreshToken : undefined,
      scope: typeof scope === 'string' ? scope : undefined,
    };
  };
  return { url, exchange, redact };
}
