// The public types of the server runtime: what verifiers receive and return, the
// guard and its options, decisions and problem bodies, and the adapters' shared
// options. Types only (plus `VerifierError` and the `independent` marker), so every
// other runtime file can import them without an import circle.
import type { SchemeSpec, SchemeTable } from './runtime-tables.js';
import type { AuthRequest, ClientCertificate } from './runtime-request.js';
import type { OperationRoute, RouteSyntax } from './runtime-bind.js';
import type { ClientAddressOptions } from './runtime-address.js';

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
  /**
   * Says why a credential is refused (`'key-expired'`), for `onDecision`'s `detail`
   * only: the caller's answer never shows it. The first reason of a request is kept.
   */
  deny?(reason: string): void;
}

/** A principal is an object (anything else is "invalid"); `scopes` (if present) is what it is granted. */
export type VerifierResult<P extends object = object> = P | null | undefined | false;
export type Verifier<C, Op extends string = string, P extends object = object> = (
  credential: C,
  context: VerifyContext<Op>,
) => VerifierResult<P> | PromiseLike<VerifierResult<P>>;

/** One required verifier per scheme that some operation uses. */
export type VerifiersFor<Schemes extends SchemeTable, Used extends keyof Schemes & string, Op extends string> = {
  readonly [K in Used]: Verifier<CredentialOf<Schemes[K]>, Op>;
};

export interface BindingContext<Op extends string = string> {
  readonly operationId: Op;
  /** The group's key in `Verifiers`: its scheme names in code-unit order joined with `" + "`. */
  readonly group: string;
  readonly request: AuthRequest;
  /** As `VerifyContext.deny`: why the principals do not belong together, for `onDecision` only. */
  deny?(reason: string): void;
}

/**
 * Decides whether the verified principals of one AND group belong together (the API
 * key's client owns the App ID). Only `true` binds them; anything else makes that
 * alternative invalid. A throw or rejection is a `VerifierError`.
 */
export type BindingCheck<P, Op extends string = string> = (principals: P, context: BindingContext<Op>) => boolean | PromiseLike<boolean>;

/**
 * The type of `independent`. Structural, so the marker of one generated folder fits
 * another folder's `Verifiers` (the value is one `Symbol.for` symbol everywhere).
 */
export interface Independent {
  readonly 'openapi-security-codegen/independent': true;
}
/**
 * The marker for an AND group whose schemes are unrelated (no binding check): it is
 * never assumed, a `Verifiers` entry says so. `createGuard` compares by identity, so
 * only this value (from any generated folder) counts.
 */
export const independent: Independent = Symbol.for('openapi-security-codegen.independent') as unknown as Independent;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PrincipalOf<F> = F extends (...args: any) => infer R ? Exclude<Awaited<R>, false | null | undefined> : never;
export type PrincipalsOf<V> = { readonly [K in keyof V]?: PrincipalOf<V[K]> };

export interface AuthSuccess<Op extends string = string, V = unknown> {
  readonly ok: true;
  readonly operationId: Op;
  /**
   * The index of the winning requirement in the operation's effective `security`
   * array as written (the root array when the operation inherits it), `{}` counted:
   * an anonymous success gives the index of `{}`; -1 only for an operation with no
   * requirement at all.
   */
  readonly alternative: number;
  readonly anonymous: boolean;
  /**
   * Response headers the adapters add to the handler's answer (the `RateLimit` headers
   * of a `limit` hook, when it asks for them on success). Absent when there are none.
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** The principals of the winning alternative, keyed by scheme name. */
  readonly principals: PrincipalsOf<V>;
}

export interface ProblemLocation {
  readonly scheme: string;
  readonly in: 'header' | 'query' | 'cookie' | 'authorization' | 'tls';
  readonly name: string;
}

/**
 * One requirement object of the operation's `security` array (AND) as a 401 reports it:
 * where each of its credentials goes, and which of them the request lacked or sent in
 * a form that was not accepted. A bound AND group that failed has all its members
 * `invalid`, as in the flat `invalid` list.
 */
export interface ProblemAlternative {
  /** Its index in the operation's effective `security` array as written (`{}` counted, never listed). */
  readonly index: number;
  readonly schemes: readonly ProblemLocation[];
  readonly missing: readonly ProblemLocation[];
  readonly invalid: readonly ProblemLocation[];
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
  /** AND groups (`"ApiKey + AppId"`) whose credentials were sent but not accepted as a set. */
  readonly invalidGroups?: readonly string[];
  /**
   * On 401: every requirement object but `{}`, in spec order, with what it lacked and
   * what was not accepted (the structure the flat `missing` / `invalid` lists lose).
   */
  readonly alternatives?: readonly ProblemAlternative[];
  readonly [extension: string]: unknown;
}

/** Read-only, as typed: the guard may share (and freezes) answers that never vary. */
export interface AuthFailure {
  readonly ok: false;
  /** 401 no acceptable credentials, 403 not allowed, 429 over a quota (`limit`), 503 a store or limiter unreachable. */
  readonly status: 401 | 403 | 429 | 503;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ProblemBody;
}

export type AuthResult<Op extends string = string, V = unknown> = AuthSuccess<Op, V> | AuthFailure;

export interface Guard<Op extends string = string, V = unknown> {
  authorize(operationId: Op, request: AuthRequest): Promise<AuthResult<Op, V>>;
  /**
   * For a request whose handler could be any of several operations (routes of two
   * operations match it, and which runs depends on the router): it must satisfy each,
   * in order, each decided on its own (its verifiers see its operation id, so a
   * scheme is verified once per operation); the first failure is the answer, else the
   * first decision made with credentials (else the first operation's): a public
   * operation listed first does not hide the keyed one. `limit` runs once for the whole
   * request, on that decision (a request counts once against a quota, however many
   * operations it had to satisfy).
   */
  authorizeAll(operationIds: readonly Op[], request: AuthRequest): Promise<AuthResult<Op, V>>;
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
  /** The operations a framework route (method and pattern as registered) serves; usually one, none for a route no spec path implies. */
  bind(method: string, pattern: string, syntax: RouteSyntax): readonly Op[];
  /**
   * `route` and every other operation whose template matches, in one walk: `null` for a
   * path `route` refuses, empty when none matches, else `route`'s answer first (HEAD
   * also reaches GET). Several mean the handler that runs depends on the router and
   * the order of its routes.
   */
  routeAll(method: string, path: string): readonly Op[] | null;
  /** Whether a path could have been meant for an operation (what `unknownRoute: 'next'` must not pass). */
  nearby(path: string): boolean;
  /** Reports a wiring error (a route bound to an operation it does not serve) through `onError`. */
  reportError(error: Error): void;
  /** Whether the guard has an `onDecision` hook (adapters then time their own refusals). */
  readonly observed: boolean;
  /** Reports a refusal made before any operation was authorized (404, 400, 500) through `onDecision`. */
  reportRefusal(method: string, status: number, reason: DecisionReason, startedAt: number): void;
}

/**
 * Why a request was refused: `missing` (no credential of the operation sent),
 * `incomplete` (some sent, no alternative complete), `invalid` (sent but malformed,
 * repeated or rejected by a verifier), `binding` (each credential of an AND group
 * verified, but they do not belong together), `scope` (verified, scopes missing: 403),
 * `refused` (the operation has no enforceable requirement: 403), `unknown-route`,
 * `ambiguous-route` (404), `method-override` (400), `route-mismatch` (500: a
 * per-route guard on another operation's route), `rate-limited` (over a quota: 429),
 * `unavailable` (a key store or limiter could not answer in time: 503), `error` (a
 * verifier, binding check or `limit` hook threw: 500).
 */
export type DecisionReason =
  | 'missing'
  | 'incomplete'
  | 'invalid'
  | 'binding'
  | 'scope'
  | 'refused'
  | 'unknown-route'
  | 'ambiguous-route'
  | 'method-override'
  | 'route-mismatch'
  | 'rate-limited'
  | 'unavailable'
  | 'error';

/**
 * One per request the guard or an adapter decides. Holds no credential, URL, path or
 * query string: only names, indices, a public key id and timings.
 */
export interface DecisionEvent {
  /** The operation decided (the first, when a request had to satisfy several); undefined when none was found. */
  readonly operationId: string | undefined;
  /** Every operation the request had to satisfy (usually one; none for an unknown route). */
  readonly operationIds: readonly string[];
  /** The request method, upper-case. */
  readonly method: string;
  readonly outcome: 'allow' | 'deny' | 'error';
  /** 200 when allowed; else the status answered. */
  readonly status: number;
  /** `AuthSuccess.alternative` when allowed; -1 otherwise. */
  readonly alternative: number;
  readonly anonymous: boolean;
  /** Schemes whose verifier ran, in the order the operation's requirements first name them. */
  readonly schemes: readonly string[];
  /** The id of the first API key in this project's key format the request carried (public, safe to log). */
  readonly keyId?: string;
  /** Set unless allowed. */
  readonly reason?: DecisionReason;
  /** On a refusal: the first reason a verifier or binding check gave through `context.deny` (`'key-revoked'`). */
  readonly detail?: string;
  /** From the start of the decision to its end, verifier awaits included. */
  readonly durationMs: number;
}

/** What `problem` is told about a failure: every status the guard answers with (so also 429 and 503). */
export interface ProblemContext {
  readonly operationId: string;
  readonly status: AuthFailure['status'];
  readonly request: AuthRequest;
}

export interface GuardOptions {
  /** Realm in every challenge (RFC 9110 §11.5). Default `'api'`. */
  readonly realm?: string;
  /** Fall back to the anonymous alternative when nothing verifies (not only when nothing was sent). */
  readonly anonymousOnInvalid?: boolean;
  /** Overrides the tables' base path for `match`. */
  readonly basePath?: string;
  /** Reshapes a failure body (401, 403, 429 and 503 alike: `context.status` says which); must not add credential values. */
  readonly problem?: (body: ProblemBody, context: ProblemContext) => ProblemBody;
  /**
   * Sees wiring errors the adapters find, once each: a per-route guard on a route
   * that does not serve its operation. Default: `console.error`. Never sees credentials.
   */
  readonly onError?: (error: Error) => void;
  /**
   * Called once per decided request, after the decision (see `DecisionEvent`): for a
   * structured log line or span attributes. A throw from it goes to `onError`; the
   * answer stands. Unset, the guard does none of this bookkeeping.
   */
  readonly onDecision?: (event: DecisionEvent) => void;
  /**
   * Called after a request is allowed with credentials (never for an anonymous success,
   * never for a refusal: a request refused with 401 counts against no key), once per
   * request: quotas (`quotaLimiter` in runtime-quota.ts), usage counting. It answers
   * whether the request may go on; a refusal becomes a 429 with its headers. A throw of
   * an `UnavailableError` is a 503; any other throw a 500 (`VerifierError`, scheme `limit`).
   * With `authorizeAll`, once for the whole request, on the decision it answers with.
   * Headers are sent with lower-cased names; `content-type` and `retry-after` are the
   * guard's own and dropped; an invalid name or value is the hook's error (500).
   */
  readonly limit?: (decision: AuthSuccess, request: AuthRequest) => LimitOutcome | PromiseLike<LimitOutcome>;
}

/** What a `limit` hook answers. `headers` go on the response either way (e.g. `RateLimit`, `RateLimit-Policy`). */
export type LimitOutcome =
  | { readonly ok: true; readonly headers?: Readonly<Record<string, string>> }
  | {
      readonly ok: false;
      /** Seconds until a retry may succeed: the `Retry-After` header. */
      readonly retryAfter: number;
      readonly headers?: Readonly<Record<string, string>>;
      /** For `onDecision`'s `detail` (`'quota'`); never shown to the caller. */
      readonly detail?: string;
    };

/** Options shared by the framework adapters (`trustProxy`, `proxyHeader`: see runtime-address.ts). */
export interface AdapterOptions extends ClientAddressOptions {
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
 * Options of the app-wide middlewares that see no route before the handler runs: Express,
 * and Koa without `router`.
 */
export interface PathAdapterOptions extends AdapterOptions {
  /**
   * Let a CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) to
   * a path with an operation for the requested method go on undecided, to a CORS
   * middleware mounted after the guard. Default `false`: these middlewares cannot see
   * which handler will answer, and a handler that answers any method (`app.all`,
   * `app.use(path, …)`, a Koa dispatch on `ctx.path`) would run for it without
   * credentials; such a preflight is answered 404. Mount the CORS middleware before the
   * guard instead (it answers preflights itself), or set `true` only when no handler on a
   * spec path answers `OPTIONS`. Fastify, Hono and Koa with `router` pass preflights
   * always: they refuse one that an operation's route would answer.
   */
  readonly passPreflight?: boolean;
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

/**
 * A verifier or binding check threw or rejected. The message names the scheme (or the
 * group, for a binding check) and the operation, never the credential.
 */
export class VerifierError extends Error {
  /** The scheme, or for a binding check the group's key (`"ApiKey + AppId"`). */
  readonly scheme: string;
  readonly operationId: string;
  /** True when a binding check failed, not a verifier. */
  readonly binding: boolean;
  constructor(scheme: string, operationId: string, cause: unknown, binding = false) {
    super(`${binding ? 'binding check for AND group' : 'verifier for security scheme'} ${JSON.stringify(scheme)} failed on operation ${JSON.stringify(operationId)}`, { cause });
    this.name = 'VerifierError';
    this.scheme = scheme;
    this.operationId = operationId;
    this.binding = binding;
  }
}

/**
 * The brand `apiKeyVerifier` puts on its principals (a non-enumerable own property), so
 * quota and usage hooks count the API key, not any principal that happens to have a
 * `keyId` field (a token's claims may). One `Symbol.for` value for every generated folder.
 */
export const KEY_PRINCIPAL: unique symbol = Symbol.for('openapi-security-codegen.key-principal') as never;

/** The brand of an `UnavailableError`, shared by every generated folder (as `independent`). */
export const UNAVAILABLE: unique symbol = Symbol.for('openapi-security-codegen.unavailable') as never;

/**
 * Thrown by a key store, verifier, binding check or `limit` hook that cannot answer now
 * (database or cache unreachable or too slow): the guard answers 503 with `Retry-After`
 * and a problem body, never lets the request through, and never a 500. Recognised by its
 * brand (`isUnavailable`), so an error thrown by another generated folder's copy counts.
 */
export class UnavailableError extends Error {
  readonly [UNAVAILABLE] = true as const;
  /** Seconds the caller should wait (`Retry-After`). */
  readonly retryAfter: number;
  constructor(message: string, retryAfter = 1, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnavailableError';
    this.retryAfter = retryAfter;
  }
}

export function isUnavailable(error: unknown): error is UnavailableError {
  return typeof error === 'object' && error !== null && (error as { [UNAVAILABLE]?: unknown })[UNAVAILABLE] === true;
}
