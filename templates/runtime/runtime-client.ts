// Client side of the security tables: turns caller credentials into the headers,
// query parameters and cookies an operation needs, and wraps `fetch` so they are
// attached to the right requests and never sent to a third party. Browser-safe:
// no `node:` imports and no reliance on Node's `process` typings, so the generated
// client runs in browsers and workers as well as in Node.

import type { OperationTable, SchemeSpec, SchemeTable, SecurityTables, UseSpec } from './runtime-tables.js';
import { own } from './runtime-tables.js';
import { createMatcher } from './runtime-routes.js';
import { clientCredentialsToken, type ClientCredentialsOptions } from './runtime-oauth2.js';
import { httpSchemeSpelling } from './runtime-http-schemes.js';

// ---------------------------------------------------------------------------
// Credential types

/** Username and password for HTTP Basic (RFC 7617). */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * Mutual TLS happens in the TLS handshake, so nothing is attached to the request;
 * this marker only states that the transport carries the client certificate.
 * In Node pass an undici `Agent` with `connect: { cert, key }` as the fetch
 * `dispatcher` (e.g. `(input, init) => fetch(input, { ...init, dispatcher })`);
 * in browsers the certificate comes from the user agent's store.
 */
export type MutualTLSConfigured = true | { readonly configured: true };

/** A value, or a provider called at most once per `authFor` call; `undefined` or `''` means "not available". */
export type CredentialSource<T> = T | (() => T | undefined | Promise<T | undefined>);

/** The credential a scheme needs, as the server-side verifier receives it. */
export type CredentialValue<S> = S extends { readonly kind: 'mutualTLS' }
  ? MutualTLSConfigured
  : S extends { readonly kind: 'http'; readonly scheme: 'basic' }
    ? BasicCredentials
    : string;

/**
 * One optional property per scheme the spec uses, keyed by the scheme's name as written
 * in the spec. `undefined` is accepted so `{ ApiKey: process.env.API_KEY }` type-checks.
 */
export type CredentialsFor<Schemes extends SchemeTable, Used extends keyof Schemes & string> = {
  readonly [K in Used]?: CredentialSource<CredentialValue<Schemes[K]>> | undefined;
};

/** What `authFor` hands back: the chosen alternative (-1 = none) and what to attach. */
export interface AuthParts {
  readonly alternative: number;
  readonly headers: Record<string, string>;
  readonly query: Record<string, string>;
  readonly cookies: Record<string, string>;
}

/** Scheme name -> SCREAMING_SNAKE base name of its environment variable(s). */
export type EnvNames<Used extends string = string> = { readonly [K in Used]?: string };

/** Anything shaped like `process.env`. */
export type EnvLike = { readonly [name: string]: string | undefined };

export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface WithAuthOptions {
  /** Where the API lives, e.g. `https://api.example.com/v1`. Its origin is the only one trusted by default. */
  readonly baseUrl: string | URL;
  /**
   * More places credentials may go: full origins (`https://eu.example.com:8443`), or bare
   * hosts (`eu.example.com`) which match `https:` only, so a key never travels in clear text.
   */
  readonly allowedHosts?: readonly string[];
  /** A request that matches no operation: throw (default) or send it without credentials. */
  readonly unknownOperation?: 'error' | 'passthrough';
  /**
   * `safe` (default): when the request's redirect mode is `follow`, redirects are followed
   * here, re-attaching credentials on trusted origins and stripping them (and never adding
   * them again) once a hop leaves them. The request body is buffered so 307/308 can replay it.
   * Browsers hide `Location` from script (an `opaqueredirect` response), which is returned
   * as-is; pass `native` there to let the browser follow with the credentials of the first hop.
   */
  readonly redirect?: 'safe' | 'native';
}

// ---------------------------------------------------------------------------
// Errors

function describeScheme(name: string, scheme: SchemeSpec | undefined): string {
  if (scheme === undefined) return `${name} (scheme not defined in the spec)`;
  switch (scheme.kind) {
    case 'apiKey': {
      const where = scheme.in === 'header' ? 'header' : scheme.in === 'query' ? 'query parameter' : 'cookie';
      return `${name} (${where} ${JSON.stringify(scheme.name)})`;
    }
    case 'http':
      return `${name} (Authorization header, ${httpSchemeSpelling(scheme.scheme)})`;
    case 'oauth2':
    case 'openIdConnect':
      return `${name} (Authorization header, Bearer token)`;
    case 'mutualTLS':
      return `${name} (client certificate on the TLS connection)`;
    default:
      return assertNever(scheme);
  }
}

/**
 * Thrown before anything is sent when no alternative is fully satisfied. The message
 * names schemes and where their credentials go, never a credential value.
 */
export class MissingCredentialsError extends Error {
  override readonly name = 'MissingCredentialsError';
  readonly operationId: string;
  /** For each alternative in spec order, the scheme names it needs (AND). */
  readonly alternatives: string[][];

  constructor(operationId: string, alternatives: string[][], schemes: SchemeTable) {
    const options = alternatives.map((names) => names.map((n) => describeScheme(n, own(schemes, n))).join(' + '));
    super(
      `Missing credentials for operation ${JSON.stringify(operationId)}: provide ` +
        (options.length === 1 ? options[0] : `one of: ${options.map((o, i) => `[${i}] ${o}`).join('; ')}`),
    );
    this.operationId = operationId;
    this.alternatives = alternatives;
  }
}

/** A credential value cannot be put where its scheme says (bad characters, conflicting header). */
export class InvalidCredentialsError extends Error {
  override readonly name = 'InvalidCredentialsError';
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

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
function bearer(token: string): string {
  return `Bearer ${token.replace(/^bearer[ \t]+/i, '')}`;
}

// RFC 9110 §5.5: field values are visible ASCII, SP, HTAB and obs-text; CR/LF would
// split the header. Checked here so the platform's error (which may quote the value)
// never fires.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// RFC 6265 §4.1.1 cookie-octet: no CTLs, whitespace, DQUOTE, comma, semicolon or backslash.
const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

function checked(schemeName: string, value: string, pattern: RegExp, where: string): string {
  if (!pattern.test(value)) {
    throw new InvalidCredentialsError(`The credential for scheme ${JSON.stringify(schemeName)} contains characters not allowed in ${where}`);
  }
  return value;
}

interface Collected {
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

function ownEntries(this: object): IterableIterator<[string, unknown]> {
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

function put(target: Record<string, string>, key: string, value: string, caseInsensitive: boolean, schemeName: string): void {
  const clash = Object.keys(target).find((k) => (caseInsensitive ? k.toLowerCase() === key.toLowerCase() : k === key));
  if (clash !== undefined) {
    throw new InvalidCredentialsError(
      `Scheme ${JSON.stringify(schemeName)} needs ${JSON.stringify(key)}, which another scheme of the same alternative already uses`,
    );
  }
  defineEntry(target, key, value);
}

function encode(out: Collected, name: string, scheme: SchemeSpec, value: string | BasicCredentials | MutualTLSConfigured): void {
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

function isAvailable(scheme: SchemeSpec, value: unknown): boolean {
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
// authFor

export interface ClientAuth<T extends SecurityTables, Used extends keyof T['schemes'] & string> {
  readonly tables: T;
  readonly envNames: EnvNames<Used>;
  authFor(operationId: keyof T['operations'] & string, credentials: CredentialsFor<T['schemes'], Used>): Promise<AuthParts>;
  withAuth(fetchImpl: FetchLike, credentials: CredentialsFor<T['schemes'], Used>, options: WithAuthOptions): FetchLike;
  credentialsFromEnv(env?: EnvLike, options?: { readonly prefix?: string }): CredentialsFor<T['schemes'], Used>;
}

/** What the adapters need: the tables and an `authFor` (method syntax, so a narrower one fits). */
export interface AuthSource<C> {
  readonly tables: SecurityTables;
  authFor(operationId: string, credentials: C): Promise<AuthParts>;
}

/**
 * Picks the first alternative, in spec order, that the credentials fully satisfy
 * (OpenAPI 3.1 §4.8.30: alternatives are OR, members of one alternative are AND).
 * The anonymous `{}` alternative is used only when none is satisfied, so a caller
 * holding a key is identified rather than downgraded.
 */
export async function resolveAuth(tables: SecurityTables, operationId: string, credentials: object): Promise<AuthParts> {
  const operation = own(tables.operations, operationId);
  if (operation === undefined) throw new Error(`Unknown operation ${JSON.stringify(operationId)}`);
  const none: AuthParts = { alternative: -1, headers: authRecord(), query: authRecord(), cookies: authRecord() };
  if (operation.auth.kind === 'public') return none;

  // One resolution per scheme per call: a token provider is asked at most once.
  const resolved = new Map<string, Promise<unknown>>();
  const valueOf = (name: string): Promise<unknown> => {
    let pending = resolved.get(name);
    if (pending === undefined) {
      const source = Object.prototype.hasOwnProperty.call(credentials, name)
        ? (credentials as { readonly [k: string]: unknown })[name]
        : undefined;
      pending = Promise.resolve(typeof source === 'function' ? (source as () => unknown)() : source);
      resolved.set(name, pending);
    }
    return pending;
  };

  const alternatives = operation.auth.anyOf;
  for (let index = 0; index < alternatives.length; index++) {
    const members: readonly UseSpec[] = alternatives[index] ?? [];
    const values: unknown[] = [];
    let satisfied = members.length > 0;
    for (const use of members) {
      const scheme = own(tables.schemes, use.scheme);
      const value = scheme === undefined ? undefined : await valueOf(use.scheme);
      if (scheme === undefined || !isAvailable(scheme, value)) {
        satisfied = false;
        break; // later members are not asked: their providers may be costly
      }
      values.push(value);
    }
    if (!satisfied) continue;
    const out: Collected = { headers: authRecord(), query: authRecord(), cookies: authRecord() };
    members.forEach((use, i) => {
      encode(out, use.scheme, own(tables.schemes, use.scheme) as SchemeSpec, values[i] as string | BasicCredentials | MutualTLSConfigured);
    });
    return { alternative: index, ...out };
  }
  if (operation.auth.kind === 'optional') return none;
  throw new MissingCredentialsError(
    operationId,
    alternatives.map((members) => members.map((use) => use.scheme)),
    tables.schemes,
  );
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

function rebuild(request: Request, changes: { url?: URL; headers?: Headers; method?: string; body?: BodyInit | null; redirect?: RequestRedirect }): Request {
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
// Origins and base paths

/** The path part of a base URL without a trailing slash: `https://h/v1/` -> `/v1`. */
export function basePathOf(baseUrl: string | URL): string {
  return new URL(baseUrl).pathname.replace(/\/+$/, '');
}

/** Decides whether credentials may go to a URL: the baseUrl origin, or one listed in `allowedHosts`. */
export function originGuard(baseUrl: string | URL, allowedHosts: readonly string[] = []): (url: URL) => boolean {
  const origins = new Set<string>([new URL(baseUrl).origin]);
  const httpsHosts = new Set<string>();
  for (const entry of allowedHosts) {
    if (entry.includes('://')) origins.add(new URL(entry).origin);
    else httpsHosts.add(entry.toLowerCase());
  }
  return (url) => origins.has(url.origin) || (url.protocol === 'https:' && httpsHosts.has(url.host));
}

export class ForeignOriginError extends Error {
  override readonly name = 'ForeignOriginError';
}

function foreign(url: URL): ForeignOriginError {
  return new ForeignOriginError(`Refusing to send a request with credentials to ${url.origin}: not the baseUrl origin and not in allowedHosts`);
}

export class UnknownOperationError extends Error {
  override readonly name = 'UnknownOperationError';
}

/** Finds operation ids from (method, absolute URL), relative to a base URL's path. */
export function operationLocator(operations: OperationTable, baseUrl: string | URL): (method: string, url: URL) => string | undefined {
  const match = createMatcher(operations, basePathOf(baseUrl));
  return (method, url) => match(method.toLowerCase(), url.pathname);
}

// ---------------------------------------------------------------------------
// withAuth

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Fetch standard §4.4 HTTP-redirect fetch: more than 20 redirects is a network error.
const MAX_REDIRECTS = 20;

function toRequest(input: RequestInfo | URL, init: RequestInit | undefined, base: URL): Request {
  if (typeof input === 'string' || input instanceof URL) return new Request(new URL(input, base), init);
  return new Request(input, init);
}

/**
 * Wraps `fetchImpl` so each request is matched to its operation and carries that
 * operation's credentials. Refuses (throws, sends nothing) when the URL's origin is not
 * trusted or no operation matches; `MissingCredentialsError` is also thrown before sending.
 */
export function withAuthFor<C extends object>(auth: AuthSource<C>, fetchImpl: FetchLike, credentials: C, options: WithAuthOptions): FetchLike {
  const base = new URL(options.baseUrl);
  const trusted = originGuard(base, options.allowedHosts);
  const locate = operationLocator(auth.tables.operations, base);
  const unknown = options.unknownOperation ?? 'error';

  const partsFor = async (method: string, url: URL): Promise<AuthParts | undefined> => {
    const operationId = locate(method, url);
    if (operationId === undefined) {
      if (unknown === 'passthrough') return undefined;
      throw new UnknownOperationError(`No operation in the spec matches ${method.toUpperCase()} ${url.pathname}`);
    }
    return auth.authFor(operationId, credentials);
  };

  return async (input, init) => {
    const request = toRequest(input, init, base);
    const first = new URL(request.url);
    if (!trusted(first)) throw foreign(first);

    if (options.redirect === 'native' || request.redirect !== 'follow') {
      const parts = await partsFor(request.method, first);
      return fetchImpl(parts === undefined ? request : await applyAuthBuffered(request, parts));
    }

    // Followed here rather than by fetch: the platform would either keep an API-key
    // header on a cross-origin hop or keep credentials chosen for a different operation.
    const body = request.body === null ? null : await request.arrayBuffer();
    let url = first;
    let method = request.method;
    let payload: ArrayBuffer | null = body;
    const callerHeaders = new Headers(request.headers);
    let credentialed = true;
    const sentHeaders = new Set<string>();
    const sentQuery = new Set<string>();

    for (let hop = 0; ; hop++) {
      if (credentialed && !trusted(url)) credentialed = false; // once off-origin, never re-attached
      const outUrl = new URL(url);
      const headers = new Headers(callerHeaders);
      if (credentialed) {
        const parts = await partsFor(method, url);
        if (parts !== undefined) {
          applyToUrl(outUrl, parts.query);
          applyToHeaders(headers, parts);
          for (const name of Object.keys(parts.headers)) sentHeaders.add(name);
          for (const name of Object.keys(parts.query)) sentQuery.add(name);
        }
      } else {
        // Fetch standard §4.4 step 14 removes Authorization on cross-origin redirects;
        // API-key headers, cookies and query keys need the same treatment.
        for (const name of ['Authorization', 'Proxy-Authorization', 'Cookie', ...sentHeaders]) headers.delete(name);
        for (const name of sentQuery) outUrl.searchParams.delete(name);
      }
      const response = await fetchImpl(rebuild(request, { url: outUrl, headers, method, body: payload, redirect: 'manual' }));
      const location = response.headers.get('Location');
      if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
      if (hop >= MAX_REDIRECTS) throw new TypeError(`withAuth: more than ${MAX_REDIRECTS} redirects`);
      await response.body?.cancel();
      // RFC 9110 §15.4.4 (303) and Fetch §4.4 step 12 (301/302 after POST): continue as GET without a body.
      if ((response.status === 303 && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        payload = null;
        for (const name of ['Content-Type', 'Content-Length', 'Content-Encoding', 'Content-Language', 'Content-Location']) {
          callerHeaders.delete(name);
        }
      }
      url = new URL(location, url);
    }
  };
}

// ---------------------------------------------------------------------------
// Environment

interface ProcessLike {
  readonly process?: { readonly env?: EnvLike };
}

/** `process.env` when there is one (Node, Bun, Deno's compat layer), `{}` in browsers. */
export function defaultEnv(): EnvLike {
  return (globalThis as unknown as ProcessLike).process?.env ?? {};
}

/**
 * Reads one variable per scheme, `<prefix><NAME>`; HTTP Basic reads `<prefix><NAME>_USERNAME`
 * and `<prefix><NAME>_PASSWORD` (both must be non-empty). Mutual TLS is configured on the
 * transport and never read from the environment. Unset or empty means "no credential".
 */
export function credentialsFromEnv<Schemes extends SchemeTable, Used extends keyof Schemes & string>(
  schemes: Schemes,
  envNames: EnvNames<Used>,
  env: EnvLike = defaultEnv(),
  options: { readonly prefix?: string } = {},
): CredentialsFor<Schemes, Used> {
  const prefix = options.prefix ?? '';
  const read = (name: string): string | undefined => {
    const value = Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined;
    return value === undefined || value === '' ? undefined : value;
  };
  // A scheme may be named `__proto__`: define, never assign.
  const out: Record<string, string | BasicCredentials> = {};
  const set = (key: string, value: string | BasicCredentials): void => {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  };
  for (const schemeName of Object.keys(envNames)) {
    const base = own(envNames as { readonly [k: string]: string | undefined }, schemeName);
    const scheme = own(schemes, schemeName);
    if (base === undefined || scheme === undefined || scheme.kind === 'mutualTLS') continue;
    if (scheme.kind === 'http' && scheme.scheme === 'basic') {
      const username = read(`${prefix}${base}_USERNAME`);
      const password = read(`${prefix}${base}_PASSWORD`);
      if (username !== undefined && password !== undefined) set(schemeName, { username, password });
    } else {
      const value = read(`${prefix}${base}`);
      if (value !== undefined) set(schemeName, value);
    }
  }
  return out as CredentialsFor<Schemes, Used>;
}

// ---------------------------------------------------------------------------
// Per-spec binding

/**
 * Binds the runtime to one spec's tables. The generated `client.ts` calls this once
 * with explicit type arguments: `createClientAuth<typeof tables, UsedSchemeName>(tables, envNames)`.
 */
export function createClientAuth<const T extends SecurityTables, Used extends keyof T['schemes'] & string = keyof T['schemes'] & string>(
  tables: T,
  envNames: EnvNames<Used>,
): ClientAuth<T, Used> {
  const auth: ClientAuth<T, Used> = {
    tables,
    envNames,
    authFor: (operationId, credentials) => resolveAuth(tables, operationId, credentials),
    withAuth: (fetchImpl, credentials, options) => withAuthFor(auth, fetchImpl, credentials, options),
    credentialsFromEnv: (env, options) => credentialsFromEnv<T['schemes'], Used>(tables.schemes, envNames, env, options),
  };
  return auth;
}

// ---------------------------------------------------------------------------
// OAuth2 client credentials, defaulting to the spec's flow

/** Names of the schemes in `S` that are OAuth2 with a `clientCredentials` flow. */
export type ClientCredentialsSchemeOf<S extends SchemeTable> = {
  [K in keyof S & string]: S[K] extends { readonly kind: 'oauth2'; readonly flows: readonly (infer F)[] }
    ? [Extract<F, { readonly flow: 'clientCredentials' }>] extends [never]
      ? never
      : K
    : never;
}[keyof S & string];

/**
 * `clientCredentialsToken` options for one spec. `tokenUrl` defaults to the
 * `clientCredentials` flow of `scheme`, which may be left out when the spec has exactly
 * one such scheme; a spec without one needs `tokenUrl`. A relative token URL (the spec's
 * or yours) is resolved against `baseUrl` (RFC 3986 §5, as `new URL(tokenUrl, baseUrl)`).
 */
export type SpecClientCredentialsOptions<N extends string> = Omit<ClientCredentialsOptions, 'tokenUrl'> & {
  /** The OAuth2 scheme whose `clientCredentials` flow gives the default `tokenUrl`. */
  readonly scheme?: N;
  /** Base for a relative `tokenUrl`, typically the API's server URL. */
  readonly baseUrl?: string | URL;
} & ([N] extends [never] ? { readonly tokenUrl: string | URL } : { readonly tokenUrl?: string | URL });

/** The token URL `clientCredentialsTokenFor` will POST to (absolute), or a TypeError saying what is missing. */
export function clientCredentialsTokenUrl(
  schemes: SchemeTable,
  options: { readonly tokenUrl?: string | URL | undefined; readonly scheme?: string | undefined; readonly baseUrl?: string | URL | undefined },
): URL {
  let raw: string | URL;
  let origin: string;
  if (options.tokenUrl !== undefined) {
    raw = options.tokenUrl;
    origin = 'tokenUrl';
  } else {
    const candidates = Object.keys(schemes).filter((name) => {
      const scheme = own(schemes, name);
      return scheme?.kind === 'oauth2' && scheme.flows.some((f) => f.flow === 'clientCredentials');
    });
    const name = options.scheme ?? (candidates.length === 1 ? candidates[0] : undefined);
    if (name === undefined) {
      throw new TypeError(
        candidates.length === 0
          ? 'clientCredentialsToken: the spec has no OAuth2 scheme with a clientCredentials flow, so tokenUrl must be given'
          : `clientCredentialsToken: several OAuth2 schemes have a clientCredentials flow (${candidates.map((c) => JSON.stringify(c)).join(', ')}): pass scheme, or tokenUrl`,
      );
    }
    const scheme = own(schemes, name);
    const flow = scheme?.kind === 'oauth2' ? scheme.flows.find((f) => f.flow === 'clientCredentials') : undefined;
    if (flow?.tokenUrl === undefined) {
      throw new TypeError(`clientCredentialsToken: scheme ${JSON.stringify(name)} is not an OAuth2 scheme with a clientCredentials flow, so tokenUrl must be given`);
    }
    raw = flow.tokenUrl;
    origin = `the tokenUrl of scheme ${JSON.stringify(name)} in the spec`;
  }
  try {
    return options.baseUrl === undefined ? new URL(raw) : new URL(raw, options.baseUrl);
  } catch {
    throw new TypeError(
      `clientCredentialsToken: ${origin} (${JSON.stringify(String(raw))}) is not an absolute URL: tokenUrl must be given as an absolute URL, or baseUrl to resolve it against`,
    );
  }
}

/** `clientCredentialsToken` with the token URL taken from the spec's tables unless given. */
export function clientCredentialsTokenFor<N extends string>(schemes: SchemeTable, options: SpecClientCredentialsOptions<N>): () => Promise<string> {
  const { scheme, baseUrl, tokenUrl, ...rest } = options as Omit<ClientCredentialsOptions, 'tokenUrl'> & {
    readonly scheme?: string;
    readonly baseUrl?: string | URL;
    readonly tokenUrl?: string | URL;
  };
  return clientCredentialsToken({ ...rest, tokenUrl: clientCredentialsTokenUrl(schemes, { tokenUrl, scheme, baseUrl }) });
}

export { clientCredentialsToken, OAuthTokenError } from './runtime-oauth2.js';
export type { ClientCredentialsOptions } from './runtime-oauth2.js';
