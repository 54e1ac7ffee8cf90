// Turning credentials into what goes on the wire, and putting it there: Basic and
// Bearer encoding with RFC 9110 field-value and RFC 6265 cookie-octet checks (no
// header can be split), prototype-safe records, and applying headers, query and
// cookies to a `Request` or `URL` without losing its body or redirect mode.
import type { SchemeSpec } from './runtime-tables.js';
import { httpSchemeSpelling } from './runtime-http-schemes.js';
import { InvalidCredentialsError, assertNever, type AuthParts, type BasicCredentials, type MutualTLSConfigured } from './runtime-credentials.js';

// ---------------------------------------------------------------------------
// Encoding

/** RFC 7617 §2: base64 of the UTF-8 bytes of `user-id ":" password` (charset="UTF-8", §2.1). */
export function encodeBasic(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** RFC 6750 §2.1: exactly one `Bearer ` prefix, whether or not the caller already wrote one. */
export function bearer(token: string): string {
  return `Bearer ${token.replace(/^bearer[ \t]+/i, '')}`;
}

// RFC 9110 §5.5: field values are visible ASCII, SP, HTAB and obs-text; CR/LF would
// split the header. Checked here so the platform's error (which may quote the value)
// never fires.
export const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// RFC 6265 §4.1.1 cookie-octet: no CTLs, whitespace, DQUOTE, comma, semicolon or backslash.
export const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

export function checked(schemeName: string, value: string, pattern: RegExp, where: string): string {
  if (!pattern.test(value)) {
    throw new InvalidCredentialsError(`The credential for scheme ${JSON.stringify(schemeName)} contains characters not allowed in ${where}`);
  }
  return value;
}

export interface Collected {
  headers: Record<string, string>;
  query: Record<string, string>;
  cookies: Record<string, string>;
}

/**
 * Sets an own, enumerable data property. A header, query or cookie may be named
 * `__proto__`: `target[key] = value` would set the prototype instead (and the credential
 * would vanish), while a defined property is an ordinary key that `Object.entries`,
 * spreading, `new Headers(...)` and `URLSearchParams` all see.
 */
export function defineEntry<V>(target: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function ownEntries(this: object): IterableIterator<[string, unknown]> {
  return Object.entries(this)[Symbol.iterator]();
}

/**
 * An empty record for `AuthParts`: an ordinary object (so `Object.entries`, spreading,
 * `JSON.stringify` and equality checks treat it like `{}`) that is also iterable over its
 * entries through a non-enumerable `Symbol.iterator`. `new Headers(record)` and
 * `new URLSearchParams(record)` then read it as a list of pairs, which keeps a name such
 * as `__proto__` (undici's record conversion assigns keys and would drop it).
 */
export function authRecord(): Record<string, string> {
  const out: Record<string, string> = {};
  Object.defineProperty(out, Symbol.iterator, { value: ownEntries, enumerable: false, writable: true, configurable: true });
  return out;
}

export function put(target: Record<string, string>, key: string, value: string, caseInsensitive: boolean, schemeName: string): void {
  const clash = Object.keys(target).find((k) => (caseInsensitive ? k.toLowerCase() === key.toLowerCase() : k === key));
  if (clash !== undefined) {
    throw new InvalidCredentialsError(
      `Scheme ${JSON.stringify(schemeName)} needs ${JSON.stringify(key)}, which another scheme of the same alternative already uses`,
    );
  }
  defineEntry(target, key, value);
}

export function encode(out: Collected, name: string, scheme: SchemeSpec, value: string | BasicCredentials | MutualTLSConfigured): void {
  switch (scheme.kind) {
    case 'apiKey': {
      const raw = value as string;
      if (scheme.in === 'header') put(out.headers, scheme.name, checked(name, raw, FIELD_VALUE, 'an HTTP header'), true, name);
      else if (scheme.in === 'query') put(out.query, scheme.name, raw, false, name);
      else put(out.cookies, scheme.name, checked(name, raw, COOKIE_VALUE, 'a cookie'), false, name);
      return;
    }
    case 'http': {
      let header: string;
      if (scheme.scheme === 'basic') {
        const { username, password } = value as BasicCredentials;
        // RFC 7617 §2: a user-id containing ':' cannot be told apart from the password.
        if (username.includes(':')) throw new InvalidCredentialsError(`The username for scheme ${JSON.stringify(name)} contains ':' (RFC 7617 §2)`);
        header = `Basic ${encodeBasic(username, password)}`;
      } else if (scheme.scheme === 'bearer') {
        header = bearer(value as string);
      } else {
        header = `${httpSchemeSpelling(scheme.scheme)} ${value as string}`;
      }
      put(out.headers, 'Authorization', checked(name, header, FIELD_VALUE, 'an HTTP header'), true, name);
      return;
    }
    case 'oauth2':
    case 'openIdConnect':
      put(out.headers, 'Authorization', checked(name, bearer(value as string), FIELD_VALUE, 'an HTTP header'), true, name);
      return;
    case 'mutualTLS':
      return;
    default:
      assertNever(scheme);
  }
}

export function isAvailable(scheme: SchemeSpec, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (scheme.kind === 'mutualTLS') {
    return value === true || (typeof value === 'object' && (value as { configured?: unknown }).configured === true);
  }
  if (scheme.kind === 'http' && scheme.scheme === 'basic') {
    if (typeof value !== 'object') return false;
    const { username, password } = value as { username?: unknown; password?: unknown };
    return typeof username === 'string' && typeof password === 'string' && (username !== '' || password !== '');
  }
  return typeof value === 'string' && value !== '';
}

// ---------------------------------------------------------------------------
// Applying parts to requests

/** `Cookie` header value with `cookies` merged in: other cookies are kept, same-named ones replaced (RFC 6265 §5.4). */
export function mergeCookieHeader(existing: string | null | undefined, cookies: Readonly<Record<string, string>>): string {
  const names = Object.keys(cookies);
  if (names.length === 0) return existing ?? '';
  const kept = (existing ?? '')
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '' && !names.includes(pair.slice(0, pair.includes('=') ? pair.indexOf('=') : pair.length).trim()));
  return [...kept, ...Object.entries(cookies).map(([n, v]) => `${n}=${v}`)].join('; ');
}

/** Sets query credentials on a URL (URL-encoded by `URLSearchParams`); one value per name, never duplicated. */
export function applyToUrl(url: URL, query: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
}

/** Sets header credentials and merges cookie credentials into `Cookie` on a `Headers` object. */
export function applyToHeaders(headers: Headers, parts: Pick<AuthParts, 'headers' | 'cookies'>): void {
  for (const [name, value] of Object.entries(parts.headers)) headers.set(name, value);
  if (Object.keys(parts.cookies).length > 0) headers.set('Cookie', mergeCookieHeader(headers.get('Cookie'), parts.cookies));
}

/**
 * A new `Request` with the credentials applied. Note that browsers silently drop a
 * script-set `Cookie` header (a forbidden header name): cookie credentials only work
 * from Node, Deno, Bun and workers, or through the browser's own cookie jar.
 *
 * `body` replaces the request's body: without it the new request streams the old one's
 * body, which fetch cannot replay on a 307/308 redirect (Node: "fetch failed") and which
 * browsers may refuse to upload over HTTP/1.1. `applyAuthBuffered` passes a `Blob`.
 */
export function applyAuth(request: Request, parts: Pick<AuthParts, 'headers' | 'query' | 'cookies'>, body?: Blob | null, redirect?: RequestRedirect): Request {
  const url = new URL(request.url);
  applyToUrl(url, parts.query);
  const headers = new Headers(request.headers);
  applyToHeaders(headers, parts);
  return rebuild(request, { url, headers, ...(body === undefined ? {} : { body }), ...(redirect === undefined ? {} : { redirect }) });
}

/** `applyAuth` with the body read into a `Blob` first, so the platform can replay it on a 307/308. */
export async function applyAuthBuffered(request: Request, parts: Pick<AuthParts, 'headers' | 'query' | 'cookies'>, redirect?: RequestRedirect): Promise<Request> {
  return applyAuth(request, parts, request.body === null ? null : await request.blob(), redirect);
}

export function rebuild(request: Request, changes: { url?: URL; headers?: Headers; method?: string; body?: BodyInit | null; redirect?: RequestRedirect }): Request {
  const init: RequestInit & { duplex?: 'half' } = {
    method: changes.method ?? request.method,
    headers: changes.headers ?? request.headers,
    body: changes.body !== undefined ? changes.body : request.body,
    redirect: changes.redirect ?? request.redirect,
    signal: request.signal,
    credentials: request.credentials,
    cache: request.cache,
    integrity: request.integrity,
    keepalive: request.keepalive,
    referrerPolicy: request.referrerPolicy,
  };
  // A streamed body needs `duplex: 'half'` (Fetch standard, RequestInit.duplex).
  if (init.body !== null && init.body !== undefined) init.duplex = 'half';
  return new Request(changes.url ?? request.url, init);
}


// ---------------------------------------------------------------------------
// Keeping credentials out of error messages

/** A credential as it may appear in a message: raw, percent-encoded, form-encoded (`+` for space). */
export function secretForms(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value), new URLSearchParams([['', value]]).toString().slice(1)]);
  return [...forms].filter((form) => form.length > 0);
}

/** Every value `parts` puts on the wire, in every encoding (an `Authorization` value also without its scheme word). */
export function partsSecrets(parts: Pick<AuthParts, 'headers' | 'query' | 'cookies'>): string[] {
  const out: string[] = [];
  for (const record of [parts.headers, parts.query, parts.cookies]) {
    for (const value of Object.values(record)) {
      out.push(...secretForms(value));
      const space = value.indexOf(' ');
      if (record === parts.headers && space > 0) out.push(...secretForms(value.slice(space + 1).trim()));
    }
  }
  return out;
}

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) if (secret !== '') out = out.split(secret).join('[redacted]');
  return out;
}

function leaks(error: unknown, secrets: readonly string[], depth = 0): boolean {
  if (depth > 8 || typeof error !== 'object' || error === null) return typeof error === 'string' && secrets.some((s) => error.includes(s));
  const { message, stack, cause } = error as { message?: unknown; stack?: unknown; cause?: unknown };
  const text = `${typeof message === 'string' ? message : ''}\n${typeof stack === 'string' ? stack : ''}`;
  return secrets.some((s) => s !== '' && text.includes(s)) || (cause !== undefined && leaks(cause, secrets, depth + 1));
}

/**
 * An error that may have been built from a URL or header carrying a credential (the
 * platform's `TypeError` quotes the URL): passed through when neither it nor its causes
 * mention a secret, otherwise replaced by an error of the same kind and name whose message
 * is redacted and which has no `cause` (the cause would carry the secret too).
 */
export function scrubError(error: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0 || !leaks(error, secrets)) return error;
  const message = redactText(typeof (error as { message?: unknown })?.message === 'string' ? (error as Error).message : String(error), secrets);
  const out = error instanceof TypeError ? new TypeError(message) : error instanceof RangeError ? new RangeError(message) : new Error(message);
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && name !== out.name) Object.defineProperty(out, 'name', { value: name, writable: true, configurable: true });
  return out;
}
