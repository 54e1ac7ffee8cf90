// Server-side evaluator for the security tables: extracts each scheme's credential
// from a framework-neutral request, calls the user's verifiers (each at most once per
// request), applies the OR-of-AND rules of the product brief (section 2) and shapes
// 401/403 answers as RFC 9457 problem objects with RFC 9110 §11.6.1 challenges. The
// framework adapters are thin wrappers around what this file exports. No node imports:
// it also runs in workers behind the Fetch adapter.
import { own, type OperationTable, type SchemeSpec, type SchemeTable, type SecurityTables } from './runtime-tables.js';
import { AMBIGUOUS_ROUTE, createRouteClassifier, normalizeBasePath } from './runtime-routes.js';
import { createRouteBinder, operationRoutes, type OperationRoute, type RouteSyntax } from './runtime-bind.js';
import { createNearbyCheck } from './runtime-nearby.js';
import { PROBLEM_CONTENT_TYPE } from './runtime-decide.js';
import { DUPLICATE, hasOwn, isEmptyObject, readHeader, readQuery, single, type AuthRequest, type ClientCertificate, type Single } from './runtime-request.js';

export type { AuthRequest, CertificateName, ClientCertificate, CookieRecord, HeaderRecord, HeadersLike, NodeRequestLike, QueryLike, QueryRecord } from './runtime-request.js';
export { authRequestFromFetch, authRequestFromNode, clientCertificateOf } from './runtime-request.js';
export type { OperationRoute, RouteSyntax } from './runtime-bind.js';
export { mountOrder, routePattern } from './runtime-bind.js';
export { routeCoverage, type AppRoute, type RouteCoverage } from './runtime-coverage.js';
export {
  AMBIGUOUS_ROUTE_DETAIL,
  METHOD_OVERRIDE_DETAIL,
  PROBLEM_CONTENT_TYPE,
  ROUTE_MISMATCH_DETAIL,
  UNKNOWN_ROUTE_DETAIL,
  VERIFIER_ERROR_DETAIL,
  decide,
  operationDecider,
  pathDecider,
  problemResponseParts,
  routeCheck,
  routeDecider,
  routeMismatchParts,
  RouteMismatchError,
  verifierErrorParts,
  type Decision,
  type RequestDecider,
  type ResponseParts,
  type RouteDecider,
} from './runtime-decide.js';

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** What the verifier of a scheme receives, from the scheme's table entry. */
export type CredentialOf<S extends SchemeSpec> = S extends { readonly kind: 'http'; readonly scheme: infer W }
  ? W extends 'basic'
    ? BasicCredentials
    : string extends W
      ? string | BasicCredentials
      : string
  : S extends { readonly kind: 'mutualTLS' }
    ? ClientCertificate
    : S extends { readonly kind: 'apiKey' | 'oauth2' | 'openIdConnect' }
      ? string
      : never;

export interface VerifyContext<Op extends string = string> {
  readonly operationId: Op;
  /** The scheme's name as written in the spec. */
  readonly scheme: string;
  /** Scopes the alternative that first asked for this scheme requires. */
  readonly scopes: readonly string[];
  readonly request: AuthRequest;
}

/** A principal is any truthy object; `scopes` (if present) is what it is granted. */
export type VerifierResult = object | null | undefined | false;
export type Verifier<C, Op extends string = string> = (
  credential: C,
  context: VerifyContext<Op>,
) => VerifierResult | PromiseLike<VerifierResult>;

/** One required verifier per scheme that some operation uses. */
export type VerifiersFor<Schemes extends SchemeTable, Used extends keyof Schemes & string, Op extends string> = {
  readonly [K in Used]: Verifier<CredentialOf<Schemes[K]>, Op>;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PrincipalOf<F> = F extends (...args: any) => infer R ? Exclude<Awaited<R>, false | null | undefined> : never;
export type PrincipalsOf<V> = { readonly [K in keyof V]?: PrincipalOf<V[K]> };

export interface AuthSuccess<Op extends string = string, V = unknown> {
  readonly ok: true;
  readonly operationId: Op;
  /** Index in the operation's `anyOf`; -1 when the operation is public or the request anonymous. */
  readonly alternative: number;
  readonly anonymous: boolean;
  /** The principals of the winning alternative, keyed by scheme name. */
  readonly principals: PrincipalsOf<V>;
}

export interface ProblemLocation {
  readonly scheme: string;
  readonly in: 'header' | 'query' | 'cookie' | 'authorization' | 'tls';
  readonly name: string;
}

/** RFC 9457 problem details; never carries a credential value. */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  /** Credentials an alternative needed that the request did not carry. */
  readonly missing?: readonly ProblemLocation[];
  /** Credentials the request carried that were malformed, repeated or rejected. */
  readonly invalid?: readonly ProblemLocation[];
  /** On 403: the scopes of the first alternative that verified but lacked scopes. */
  readonly requiredScopes?: readonly string[];
  readonly [extension: string]: unknown;
}

/** Read-only, as typed: the guard may share (and freezes) answers that never vary. */
export interface AuthFailure {
  readonly ok: false;
  readonly status: 401 | 403;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ProblemBody;
}

export type AuthResult<Op extends string = string, V = unknown> = AuthSuccess<Op, V> | AuthFailure;

export interface Guard<Op extends string = string, V = unknown> {
  authorize(operationId: Op, request: AuthRequest): Promise<AuthResult<Op, V>>;
  /**
   * The operation for a request line. `path` is as received, base path included (the
   * base path of `servers[0].url`, or the `basePath` option; pass `basePath: ''` to
   * match paths already relative to it); the query string and a fragment are ignored,
   * one trailing slash is tolerated. For logs and clients: an adapter deciding who
   * gets in uses `route`.
   */
  match(method: string, path: string): Op | undefined;
  /**
   * As `match`, but strict: `null` for a path that routers could resolve to another
   * operation (letter case or percent-encoding next to a static route, `#`, `;`,
   * backslashes, empty or dot segments, a trailing slash or an empty expression a
   * template could take). The adapters refuse such a path in every mode.
   */
  route(method: string, path: string): Op | null | undefined;
  /** Whether this guard made `auth` (two guards in one app keep their decisions apart). */
  issued(auth: unknown): boolean;
  /** What route-aware adapters and `mountOperations` need to tie framework routes to operations. */
  readonly routing: GuardRouting<Op>;
}

/** The guard's view of routes, for adapters. */
export interface GuardRouting<Op extends string = string> {
  /** Every operation with its method and full path template (base path included). */
  readonly operations: readonly OperationRoute<Op>[];
  /** The operation a framework route (method and pattern as registered) implements, if any. */
  bind(method: string, pattern: string, syntax: RouteSyntax): Op | undefined;
  /** Whether a path could have been meant for an operation (what `unknownRoute: 'next'` must not pass). */
  nearby(path: string): boolean;
  /** Reports a wiring error (a route bound to an operation it does not serve) through `onError`. */
  reportError(error: Error): void;
}

export interface ProblemContext {
  readonly operationId: string;
  readonly status: 401 | 403;
  readonly request: AuthRequest;
}

export interface GuardOptions {
  /** Realm in every challenge (RFC 9110 §11.5). Default `'api'`. */
  readonly realm?: string;
  /** Fall back to the anonymous alternative when nothing verifies (not only when nothing was sent). */
  readonly anonymousOnInvalid?: boolean;
  /** Overrides the tables' base path for `match`. */
  readonly basePath?: string;
  /** Reshapes a failure body; must not add credential values. */
  readonly problem?: (body: ProblemBody, context: ProblemContext) => ProblemBody;
  /**
   * Sees wiring errors the adapters find, once each: a per-route guard on a route
   * that does not serve its operation. Default: `console.error`. Never sees credentials.
   */
  readonly onError?: (error: Error) => void;
}

/** Options shared by the framework adapters. */
export interface AdapterOptions {
  /**
   * What an app-wide middleware does with a route no operation matches. Default `'404'`.
   * `'next'` is for a guarded API mounted beside other routes: it passes only a path
   * that no spec path could have been meant for (see README, "unknownRoute").
   */
  readonly unknownRoute?: '404' | 'next';
  /**
   * Routes outside the spec that pass without a decision in every mode, as
   * `'METHOD /path'` (`'GET /healthz'`): the request path for Express, Koa without a
   * router, Fetch and node:http; the route pattern as registered for Fastify, Hono
   * and Koa with @koa/router. A `GET` entry covers `HEAD`.
   */
  readonly outsideSpec?: readonly string[];
}

/**
 * What an adapter hands to the framework's request: spec-independent, so two generated
 * folders (two specs) can augment the same framework type without a conflict. The
 * adapters' `authOf(…, guard)` gives the typed `AuthSuccess` back.
 */
export interface RequestAuth {
  readonly ok: true;
  readonly operationId: string;
  readonly alternative: number;
  readonly anonymous: boolean;
  readonly principals: { readonly [scheme: string]: unknown };
}

/** A verifier threw or rejected. The message names scheme and operation, never the credential. */
export class VerifierError extends Error {
  readonly scheme: string;
  readonly operationId: string;
  constructor(scheme: string, operationId: string, cause: unknown) {
    super(`verifier for security scheme ${JSON.stringify(scheme)} failed on operation ${JSON.stringify(operationId)}`, { cause });
    this.name = 'VerifierError';
    this.scheme = scheme;
    this.operationId = operationId;
  }
}

// ---------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------

const SRC_HEADER = 0;
const SRC_AUTH_RAW = 1;
const SRC_QUERY = 2;
const SRC_COOKIE = 3;
const SRC_BEARER = 4;
const SRC_BASIC = 5;
const SRC_HTTP_OTHER = 6;
const SRC_TLS = 7;

const UNKNOWN = 0;
const ABSENT = 1;
const PRESENT = 2;
const INVALID = 3;

interface CompiledScheme {
  readonly name: string;
  readonly source: number;
  /** Lower-cased header name, query/cookie name, or lower-cased auth-scheme word. */
  readonly key: string;
  readonly verifier: (credential: unknown, context: VerifyContext) => unknown;
  readonly location: ProblemLocation;
  /** `undefined` for mutualTLS (no HTTP challenge exists for it). */
  readonly challenge: string | undefined;
  readonly bearerFamily: boolean;
}

interface CompiledUse {
  readonly local: number;
  readonly scheme: CompiledScheme;
  readonly scopes: readonly string[];
}

interface CompiledAlternative {
  readonly uses: readonly CompiledUse[];
  /**
   * An object with this alternative's scheme names as own keys: each success copies
   * it and fills the values in, so every result object has one stable shape and
   * `__proto__` is an own data property (assigning to an own key never reaches the
   * prototype setter).
   */
  readonly principalsTemplate: object;
  readonly forbiddenHeader: string;
  readonly requiredScopes: readonly string[];
}

interface Plan {
  readonly operationId: string;
  readonly isPublic: boolean;
  readonly optional: boolean;
  readonly schemes: readonly CompiledScheme[];
  readonly alternatives: readonly CompiledAlternative[];
  readonly challenge: string;
  readonly challengeInvalidToken: string;
  readonly anonymousResult: AuthSuccess;
  /**
   * The 401 for a request that carries none of the operation's credentials: always the
   * same answer, so it is built once and shared (frozen, as its readonly type says).
   */
  readonly noCredentials: AuthFailure;
  /**
   * Set for a `required` operation without any alternative (its groups were dropped by
   * `--skip-invalid` because they name schemes that cannot be enforced): no credential
   * can ever authorize it, so every request gets this fixed 403.
   */
  readonly refused: AuthFailure | undefined;
  /** Per-request state starts as copies of these (packed arrays, so copies are cheap). */
  readonly initialStates: readonly number[];
  readonly initialSlots: readonly unknown[];
}

/** RFC 9110 §5.6.4 quoted-string; controls and non-ASCII become `?` so no header can be split. */
function quote(value: string): string {
  return '"' + value.replace(/[\\"]/g, '\\$&').replace(/[^\t\x20-\x7e]/g, '?') + '"';
}

/** IANA "HTTP Authentication Schemes" registry spellings. */
const KNOWN_HTTP_SCHEMES: ReadonlyMap<string, string> = new Map([
  ['basic', 'Basic'],
  ['bearer', 'Bearer'],
  ['concealed', 'Concealed'],
  ['digest', 'Digest'],
  ['dpop', 'DPoP'],
  ['gnap', 'GNAP'],
  ['hoba', 'HOBA'],
  ['mutual', 'Mutual'],
  ['negotiate', 'Negotiate'],
  ['oauth', 'OAuth'],
  ['privatetoken', 'PrivateToken'],
  ['scram-sha-1', 'SCRAM-SHA-1'],
  ['scram-sha-256', 'SCRAM-SHA-256'],
  ['vapid', 'vapid'],
  ['ntlm', 'NTLM'],
  ['aws4-hmac-sha256', 'AWS4-HMAC-SHA256'],
]);

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function compileScheme(name: string, spec: SchemeSpec, verifier: CompiledScheme['verifier'], realmParam: string): CompiledScheme {
  const base = { name, verifier };
  switch (spec.kind) {
    case 'apiKey': {
      const lower = spec.name.toLowerCase();
      const source = spec.in === 'query' ? SRC_QUERY : spec.in === 'cookie' ? SRC_COOKIE : lower === 'authorization' ? SRC_AUTH_RAW : SRC_HEADER;
      return {
        ...base,
        source,
        key: spec.in === 'header' ? lower : spec.name,
        location: { scheme: name, in: spec.in, name: spec.name },
        // No registered challenge exists for API keys. We send a custom `APIKey`
        // challenge (RFC 9110 §11.6.1 allows any token as auth-scheme) whose params
        // tell the client where the key goes, e.g.
        // `APIKey realm="api", in="header", name="X-API-Key"`. Clients that do not
        // know it ignore it, as RFC 9110 §11.6.1 requires.
        challenge: `APIKey ${realmParam}, in=${quote(spec.in)}, name=${quote(spec.name)}`,
        bearerFamily: false,
      };
    }
    case 'http': {
      const word = spec.scheme.toLowerCase();
      const written = KNOWN_HTTP_SCHEMES.get(word) ?? word;
      const source = word === 'bearer' ? SRC_BEARER : word === 'basic' ? SRC_BASIC : SRC_HTTP_OTHER;
      return {
        ...base,
        source,
        key: word,
        location: { scheme: name, in: 'authorization', name: written },
        challenge: TOKEN.test(word) ? `${written} ${realmParam}` : undefined,
        bearerFamily: source === SRC_BEARER,
      };
    }
    case 'oauth2':
    case 'openIdConnect':
      // RFC 6749 §7.1 / OIDC Core §5.3: access tokens travel as RFC 6750 Bearer tokens.
      return {
        ...base,
        source: SRC_BEARER,
        key: 'bearer',
        location: { scheme: name, in: 'authorization', name: 'Bearer' },
        challenge: `Bearer ${realmParam}`,
        bearerFamily: true,
      };
    case 'mutualTLS':
      return {
        ...base,
        source: SRC_TLS,
        key: '',
        location: { scheme: name, in: 'tls', name: 'client-certificate' },
        challenge: undefined,
        bearerFamily: false,
      };
  }
}

const NONE_SENT = 'This operation requires credentials and none were sent.';

/** The shared 401 answer to a request without credentials, deeply frozen. */
function unauthorized(challenge: string, missing: readonly ProblemLocation[]): AuthFailure {
  const body: ProblemBody = Object.freeze({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: NONE_SENT, missing: Object.freeze(missing.map((l) => Object.freeze({ ...l }))) });
  return Object.freeze({ ok: false as const, status: 401 as const, headers: Object.freeze({ 'content-type': PROBLEM_CONTENT_TYPE, 'www-authenticate': challenge }), body });
}

const REFUSED: AuthFailure = Object.freeze({
  ok: false as const,
  status: 403 as const,
  headers: Object.freeze({ 'content-type': PROBLEM_CONTENT_TYPE }),
  body: Object.freeze({
    type: 'about:blank',
    title: 'Forbidden',
    status: 403,
    detail: 'This operation cannot be authorized: every security requirement it has names a scheme this guard cannot enforce.',
  }),
});

function compilePlan(operationId: string, tables: SecurityTables, schemeCache: Map<string, CompiledScheme>, compile: (name: string) => CompiledScheme, realmParam: string): Plan {
  const op = own(tables.operations, operationId);
  if (op === undefined) throw new TypeError(`unknown operation ${JSON.stringify(operationId)}`);
  const anonymousResult: AuthSuccess = Object.freeze({
    ok: true as const,
    operationId,
    alternative: -1,
    anonymous: true,
    principals: Object.freeze({}),
  });
  if (op.auth.kind === 'public') {
    return { operationId, isPublic: true, optional: false, schemes: [], alternatives: [], challenge: '', challengeInvalidToken: '', anonymousResult, noCredentials: unauthorized('', []), refused: undefined, initialStates: [], initialSlots: [] };
  }
  const schemes: CompiledScheme[] = [];
  const localOf = new Map<string, number>();
  const alternatives: CompiledAlternative[] = [];
  for (const alternative of op.auth.anyOf) {
    const uses: CompiledUse[] = [];
    const requiredScopes: string[] = [];
    for (const use of alternative) {
      let local = localOf.get(use.scheme);
      if (local === undefined) {
        let scheme = schemeCache.get(use.scheme);
        if (!scheme) schemeCache.set(use.scheme, (scheme = compile(use.scheme)));
        local = schemes.length;
        localOf.set(use.scheme, local);
        schemes.push(scheme);
      }
      uses.push({ local, scheme: schemes[local] as CompiledScheme, scopes: Object.freeze([...use.scopes]) });
      for (const s of use.scopes) if (!requiredScopes.includes(s)) requiredScopes.push(s);
    }
    if (uses.length === 0) continue;
    const principalsTemplate = {};
    for (const use of uses) Object.defineProperty(principalsTemplate, use.scheme.name, { value: undefined, enumerable: true, writable: true, configurable: true });
    alternatives.push({
      uses,
      principalsTemplate,
      requiredScopes: Object.freeze(requiredScopes),
      // RFC 6750 §3.1: `insufficient_scope` with the scopes needed.
      forbiddenHeader: `Bearer ${realmParam}, error="insufficient_scope", scope=${quote(requiredScopes.join(' '))}`,
    });
  }
  // One challenge per accepted scheme, in the order the spec first names them,
  // deduplicated (all bearer-token schemes share a single Bearer challenge).
  const plain: string[] = [];
  const invalid: string[] = [];
  for (const scheme of schemes) {
    if (scheme.challenge === undefined || plain.includes(scheme.challenge)) continue;
    plain.push(scheme.challenge);
    // RFC 6750 §3.1: a presented token that failed gets `error="invalid_token"`.
    invalid.push(scheme.bearerFamily ? `${scheme.challenge}, error="invalid_token"` : scheme.challenge);
  }
  if (plain.length === 0 && schemes.length > 0) {
    // mTLS only: there is no HTTP challenge for a TLS credential, but RFC 9110 §11.6.1
    // requires at least one on a 401.
    plain.push(`MutualTLS ${realmParam}`);
    invalid.push(`MutualTLS ${realmParam}`);
  }
  return {
    operationId,
    isPublic: alternatives.length === 0 && op.auth.kind === 'optional',
    optional: op.auth.kind === 'optional',
    schemes,
    alternatives,
    challenge: plain.join(', '),
    challengeInvalidToken: invalid.join(', '),
    anonymousResult,
    noCredentials: unauthorized(plain.join(', '), schemes.map((scheme) => scheme.location)),
    refused: op.auth.kind === 'required' && alternatives.length === 0 ? REFUSED : undefined,
    initialStates: schemes.map(() => UNKNOWN),
    initialSlots: [...schemes, ...schemes].map(() => undefined),
  };
}

// ---------------------------------------------------------------------------
// Extraction
// ---------------------------------------------------------------------------

/** RFC 6265 §5.4 cookie-string; a name sent twice is kept as a duplicate, not a choice. */
function parseCookieHeader(header: string): Map<string, string | typeof DUPLICATE> {
  const cookies = new Map<string, string | typeof DUPLICATE>();
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (name === '') continue;
    let value = part.slice(eq + 1).trim();
    // RFC 6265 §4.1.1: a cookie-value may be wrapped in DQUOTEs.
    if (value.length >= 2 && value.charCodeAt(0) === 34 && value.charCodeAt(value.length - 1) === 34) value = value.slice(1, -1);
    cookies.set(name, cookies.has(name) ? DUPLICATE : value);
  }
  return cookies;
}

/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** RFC 7617 §2: strict base64, UTF-8 (fatal), user-id ends at the first colon. */
function decodeBasic(encoded: string, utf8: TextDecoder): BasicCredentials | undefined {
  let binary: string;
  try {
    binary = atob(encoded);
  } catch {
    return undefined;
  }
  // atob tolerates whitespace, missing padding and non-zero trailing bits; only the
  // canonical encoding round-trips.
  if (btoa(binary) !== encoded) return undefined;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  const colon = text.indexOf(':');
  if (colon === -1) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

const AUTH_UNPARSED = 0;
const AUTH_ABSENT = 1;
/** Sent twice, or not `auth-scheme [ SP credentials ]`: invalid for every scheme that reads it. */
const AUTH_MALFORMED = 2;
const AUTH_SINGLE = 3;

/** The per-request scratchpad: extraction and verification results, each computed once. */
class Evaluation {
  /** Per scheme: UNKNOWN until extracted, then ABSENT, PRESENT or INVALID. */
  readonly states: number[];
  /**
   * One allocation for two tables: the credential value of scheme `local` at `local`,
   * its verifier result at `n + local` (the principal, `false` after a failed
   * verification, `undefined` while not verified).
   */
  readonly slots: unknown[];
  readonly n: number;
  next = 0;
  forbidden = -1;
  authState = AUTH_UNPARSED;
  authRaw = '';
  authWord = '';
  authCredentials = '';
  cookies: Map<string, string | typeof DUPLICATE> | undefined = undefined;
  /** Set when `step` stops at a verifier that returned a thenable. */
  pending: PromiseLike<unknown> | undefined = undefined;
  pendingUse: CompiledUse | undefined = undefined;
  constructor(
    readonly plan: Plan,
    readonly request: AuthRequest,
  ) {
    // Plain packed arrays: a typed array's backing store costs more to allocate than it saves here.
    this.states = plan.initialStates.slice();
    this.slots = plan.initialSlots.slice();
    this.n = plan.schemes.length;
  }
}

/** `step`'s answer when it must wait for an async verifier (see `Evaluation.pending`). */
const PENDING: unique symbol = Symbol('pending');

function parseAuthorization(ev: Evaluation): void {
  const raw = readHeader(ev.request, 'authorization', undefined);
  if (raw === undefined) {
    ev.authState = AUTH_ABSENT;
    return;
  }
  if (raw === DUPLICATE) {
    ev.authState = AUTH_MALFORMED;
    return;
  }
  ev.authRaw = raw;
  // RFC 9110 §11.4: credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ].
  const sp = raw.indexOf(' ');
  const word = sp === -1 ? raw : raw.slice(0, sp);
  // An empty header, or a scheme word run into its credentials (`Bearer\tx`,
  // `Bearer,x`), names no scheme: it is a credential sent badly, never "nothing sent"
  // (which would let an optional operation fall back to anonymous).
  if (!TOKEN.test(word)) {
    ev.authState = AUTH_MALFORMED;
    return;
  }
  ev.authState = AUTH_SINGLE;
  ev.authWord = word.toLowerCase();
  if (sp === -1) return;
  let start = sp + 1;
  while (raw.charCodeAt(start) === 32) start++;
  ev.authCredentials = raw.slice(start);
}

function extract(ev: Evaluation, local: number, utf8: TextDecoder): number {
  const scheme = ev.plan.schemes[local] as CompiledScheme;
  const request = ev.request;
  let v: Single;
  let value: unknown;
  switch (scheme.source) {
    case SRC_HEADER:
      v = readHeader(request, scheme.key, undefined);
      // A Fetch `Headers` has already joined repeated lines with ", " (Fetch standard
      // §5.2): from one, an API key with a comma was sent twice, or is not one key.
      if (typeof v === 'string' && request.rawHeaders == null && v.indexOf(',') !== -1 && typeof (request.headers as { get?: unknown }).get === 'function') v = DUPLICATE;
      break;
    case SRC_QUERY:
      v = readQuery(request.query, scheme.key);
      break;
    case SRC_COOKIE:
      if (request.cookies != null) {
        v = hasOwn(request.cookies, scheme.key) ? single(request.cookies[scheme.key]) : undefined;
      } else {
        if (ev.cookies === undefined) {
          // HTTP/2 may split Cookie into several fields (RFC 9113 §8.2.3): join them.
          const header = readHeader(request, 'cookie', '; ');
          ev.cookies = typeof header === 'string' ? parseCookieHeader(header) : new Map();
        }
        v = ev.cookies.get(scheme.key);
      }
      break;
    case SRC_TLS: {
      const cert = request.clientCertificate;
      if (cert == null || typeof cert !== 'object' || isEmptyObject(cert)) return (ev.states[local] = ABSENT);
      ev.slots[local] = cert;
      return (ev.states[local] = PRESENT);
    }
    default: {
      if (ev.authState === AUTH_UNPARSED) parseAuthorization(ev);
      if (ev.authState === AUTH_ABSENT) return (ev.states[local] = ABSENT);
      if (scheme.source === SRC_AUTH_RAW) {
        // An API key named Authorization is the whole value, whatever its shape; a
        // repeated header leaves `authRaw` empty, which is invalid below.
        v = ev.authRaw;
        break;
      }
      if (ev.authState === AUTH_MALFORMED) return (ev.states[local] = INVALID);
      // Another auth-scheme word means this scheme's credential was not sent at all
      // (it may be meant for a sibling scheme on the same header).
      if (ev.authWord !== scheme.key) return (ev.states[local] = ABSENT);
      const credentials = ev.authCredentials;
      if (scheme.source === SRC_BASIC) {
        value = credentials === '' ? undefined : decodeBasic(credentials, utf8);
      } else if (scheme.source === SRC_BEARER) {
        value = B64TOKEN.test(credentials) ? credentials : undefined;
      } else {
        value = credentials === '' ? undefined : credentials;
      }
      if (value === undefined) return (ev.states[local] = INVALID);
      ev.slots[local] = value;
      return (ev.states[local] = PRESENT);
    }
  }
  if (v === undefined) return (ev.states[local] = ABSENT);
  // A repeated credential is never a choice of one; an empty one is malformed.
  if (v === DUPLICATE || v === '') return (ev.states[local] = INVALID);
  ev.slots[local] = v;
  return (ev.states[local] = PRESENT);
}

/** A scheme's credential state, extracted on first use. */
function stateOf(ev: Evaluation, local: number, utf8: TextDecoder): number {
  const state = ev.states[local] as number;
  return state === UNKNOWN ? extract(ev, local, utf8) : state;
}

/** Whether the request carries a credential (valid or not) of any of the operation's schemes. */
function anyCredentialSent(ev: Evaluation, utf8: TextDecoder): boolean {
  for (let i = 0; i < ev.n; i++) if (stateOf(ev, i, utf8) !== ABSENT) return true;
  return false;
}

function grants(principal: unknown, scopes: readonly string[]): boolean {
  if (scopes.length === 0) return true;
  const granted = (principal as { scopes?: unknown }).scopes;
  if (!Array.isArray(granted)) return false;
  for (const s of scopes) if (!granted.includes(s)) return false;
  return true;
}

/**
 * Only an object is a principal. `true`, `1` or an error string from a JavaScript
 * verifier is not proof of anything: it counts as "invalid" (fail closed).
 */
function asPrincipal(result: unknown): object | false {
  return typeof result === 'object' && result !== null ? result : false;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

// ---------------------------------------------------------------------------
// Guard
// ---------------------------------------------------------------------------

/**
 * Compiles the tables once into per-operation plans. Throws when an operation names
 * a scheme the tables lack or a used scheme has no verifier function.
 */
export function createGuardFromTables<const T extends SecurityTables<SchemeTable, OperationTable>, V>(
  tables: T,
  verifiers: V,
  options: GuardOptions = {},
): Guard<keyof T['operations'] & string, V> {
  type Op = keyof T['operations'] & string;
  const realm = options.realm ?? 'api';
  const realmParam = `realm=${quote(realm)}`;
  const anonymousOnInvalid = options.anonymousOnInvalid === true;
  const shapeProblem = options.problem;
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const verifierTable = verifiers as unknown as { readonly [name: string]: unknown };

  const compile = (name: string): CompiledScheme => {
    const spec = own(tables.schemes, name);
    if (spec === undefined) throw new TypeError(`security scheme ${JSON.stringify(name)} is used but not defined`);
    const verifier = own(verifierTable, name);
    if (typeof verifier !== 'function') throw new TypeError(`no verifier function for security scheme ${JSON.stringify(name)}`);
    return compileScheme(name, spec, verifier as CompiledScheme['verifier'], realmParam);
  };
  const schemeCache = new Map<string, CompiledScheme>();
  const plans = new Map<string, Plan>();
  for (const operationId of Object.keys(tables.operations)) {
    plans.set(operationId, compilePlan(operationId, tables, schemeCache, compile, realmParam));
  }
  const basePath = normalizeBasePath(options.basePath ?? tables.basePath);
  const classify = createRouteClassifier(tables.operations, basePath);
  const lenient = createRouteClassifier(tables.operations, basePath, false);
  // Decisions this guard made: an adapter skips a per-route check only for its own.
  const issued = new WeakSet<object>();
  for (const plan of plans.values()) issued.add(plan.anonymousResult);
  const operations = operationRoutes<Op>(tables.operations, basePath);
  const onError = options.onError ?? ((error: Error) => console.error(error));
  const routing: GuardRouting<Op> = {
    operations,
    bind: createRouteBinder(operations),
    nearby: createNearbyCheck(tables.operations, basePath),
    reportError: (error) => onError(error),
  };

  const succeed = (ev: Evaluation, index: number): AuthSuccess => {
    const alternative = ev.plan.alternatives[index] as CompiledAlternative;
    // Spread copies own keys as data properties (`__proto__` included, never the setter).
    const principals: Record<string, unknown> = { ...alternative.principalsTemplate };
    for (const use of alternative.uses) principals[use.scheme.name] = ev.slots[ev.n + use.local];
    const result: AuthSuccess = { ok: true, operationId: ev.plan.operationId, alternative: index, anonymous: false, principals };
    issued.add(result);
    return result;
  };

  const fail = (ev: Evaluation): AuthFailure => {
    const plan = ev.plan;
    let body: ProblemBody;
    let status: 401 | 403;
    let challenge: string;
    if (ev.forbidden !== -1) {
      const alternative = plan.alternatives[ev.forbidden] as CompiledAlternative;
      status = 403;
      challenge = alternative.forbiddenHeader;
      body = {
        type: 'about:blank',
        title: 'Forbidden',
        status,
        detail: 'The credentials are valid but do not grant the scopes this operation requires.',
        requiredScopes: alternative.requiredScopes,
      };
    } else {
      if (shapeProblem === undefined && !anyCredentialSent(ev, utf8)) return plan.noCredentials;
      status = 401;
      const missing: ProblemLocation[] = [];
      const invalid: ProblemLocation[] = [];
      let tokenFailed = false;
      for (let i = 0; i < plan.schemes.length; i++) {
        const scheme = plan.schemes[i] as CompiledScheme;
        const state = stateOf(ev, i, utf8);
        if (state === ABSENT) missing.push(scheme.location);
        else if (state === INVALID || ev.slots[ev.n + i] === false) {
          invalid.push(scheme.location);
          if (scheme.bearerFamily) tokenFailed = true;
        }
      }
      challenge = tokenFailed ? plan.challengeInvalidToken : plan.challenge;
      body = {
        type: 'about:blank',
        title: 'Unauthorized',
        status,
        detail:
          missing.length === plan.schemes.length ? NONE_SENT : 'The credentials sent were not accepted for this operation.',
        ...(missing.length > 0 ? { missing } : {}),
        ...(invalid.length > 0 ? { invalid } : {}),
      };
    }
    if (shapeProblem) body = shapeProblem(body, { operationId: plan.operationId, status, request: ev.request });
    return { ok: false, status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'www-authenticate': challenge }, body };
  };

  /**
   * Runs alternatives from `ev.next` on, synchronously. When a verifier returns a
   * thenable it records it in `ev.pending` and answers PENDING; `drive` awaits it,
   * caches the value and calls `step` again, which resumes at the same alternative.
   * So synchronous verifiers never pay for an await, and async ones pay one each.
   */
  const step = (ev: Evaluation): AuthResult | typeof PENDING => {
    const plan = ev.plan;
    const alternatives = plan.alternatives;
    for (; ev.next < alternatives.length; ev.next++) {
      const uses = (alternatives[ev.next] as CompiledAlternative).uses;
      // Verifiers run only for alternatives whose credentials are all present.
      let allPresent = true;
      for (const use of uses) {
        const state = stateOf(ev, use.local, utf8);
        if (state === ABSENT) {
          allPresent = false;
          break;
        }
      }
      if (!allPresent) continue;
      // AND: stop at the first credential that is malformed or rejected.
      let verified = true;
      for (const use of uses) {
        const local = use.local;
        if (ev.states[local] === INVALID) {
          verified = false;
          break;
        }
        let result = ev.slots[ev.n + local];
        if (result === undefined) {
          const scheme = use.scheme;
          try {
            result = scheme.verifier(ev.slots[local], { operationId: plan.operationId, scheme: scheme.name, scopes: use.scopes, request: ev.request });
          } catch (error) {
            throw new VerifierError(scheme.name, plan.operationId, error);
          }
          if (isThenable(result)) {
            ev.pending = result;
            ev.pendingUse = use;
            return PENDING;
          }
          ev.slots[ev.n + local] = result = asPrincipal(result);
        }
        if (result === false) {
          verified = false;
          break;
        }
      }
      if (!verified) continue;
      // Scopes are checked per alternative against the cached principal.
      let granted = true;
      for (const use of uses) {
        if (!grants(ev.slots[ev.n + use.local], use.scopes)) {
          granted = false;
          break;
        }
      }
      if (granted) return succeed(ev, ev.next);
      if (ev.forbidden === -1) ev.forbidden = ev.next;
    }
    if (plan.optional) {
      if (anonymousOnInvalid) return plan.anonymousResult;
      // The anonymous alternative applies only when no credential of the operation's
      // schemes was sent: a bad key is never silently downgraded.
      if (!anyCredentialSent(ev, utf8)) return plan.anonymousResult;
    }
    return fail(ev);
  };

  const drive = async (ev: Evaluation): Promise<AuthResult> => {
    for (;;) {
      const use = ev.pendingUse as CompiledUse;
      let value: unknown;
      try {
        value = await (ev.pending as PromiseLike<unknown>);
      } catch (error) {
        throw new VerifierError(use.scheme.name, ev.plan.operationId, error);
      }
      ev.slots[ev.n + use.local] = asPrincipal(value);
      const result = step(ev);
      if (result !== PENDING) return result;
    }
  };

  return {
    authorize(operationId: Op, request: AuthRequest): Promise<AuthResult<Op, V>> {
      const plan = plans.get(operationId);
      if (plan === undefined) return Promise.reject(new TypeError(`unknown operation ${JSON.stringify(operationId)}`));
      if (plan.isPublic) return Promise.resolve(plan.anonymousResult as AuthResult<Op, V>);
      if (plan.refused !== undefined) {
        if (shapeProblem === undefined) return Promise.resolve(plan.refused as AuthResult<Op, V>);
        return Promise.resolve({ ...plan.refused, body: shapeProblem(plan.refused.body, { operationId, status: 403, request }) } as AuthResult<Op, V>);
      }
      const ev = new Evaluation(plan, request);
      let result: AuthResult | typeof PENDING;
      try {
        result = step(ev);
      } catch (error) {
        return Promise.reject(error);
      }
      return (result === PENDING ? drive(ev) : Promise.resolve(result)) as Promise<AuthResult<Op, V>>;
    },
    match(method: string, path: string): Op | undefined {
      const found = lenient(method, path);
      return found === AMBIGUOUS_ROUTE ? undefined : (found as Op | undefined);
    },
    route(method: string, path: string): Op | null | undefined {
      const found = classify(method, path);
      return found === AMBIGUOUS_ROUTE ? null : (found as Op | undefined);
    },
    issued(auth: unknown): boolean {
      return typeof auth === 'object' && auth !== null && issued.has(auth);
    },
    routing,
  };
}
