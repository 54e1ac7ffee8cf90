// Problem answers (RFC 9457): the shared shape, the fixed answers adapters send (404
// unknown or ambiguous route, 400 method override, 500 verifier or wiring error),
// the guard's precomputed ones (the no-credentials 401, the refused 403), the details
// and `Retry-After` value of its 429 and 503 (built in runtime-deny.ts), and the
// `GuardError` the framework adapters hand to their framework's error path when a
// verifier failed. None ever carries a credential value.
import { VerifierError, type AuthFailure, type ProblemAlternative, type ProblemBody, type ProblemLocation } from './runtime-types.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: ReadonlyMap<number, string> = new Map([
  [400, 'Bad Request'],
  [401, 'Unauthorized'],
  [403, 'Forbidden'],
  [404, 'Not Found'],
  [429, 'Too Many Requests'],
  [500, 'Internal Server Error'],
  [503, 'Service Unavailable'],
]);

export interface ResponseParts {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ProblemBody;
}

/** A problem answer that is not an auth decision (404 unknown route, 500 verifier error). */
export function problemResponseParts(status: number, detail: string): ResponseParts {
  return {
    status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE },
    body: { type: 'about:blank', title: problemTitle(status), status, detail },
  };
}

export const UNKNOWN_ROUTE_DETAIL = 'No operation matches this method and path.';
export const AMBIGUOUS_ROUTE_DETAIL = 'This path is not written the way the API defines it (letter case, percent-encoding, dot segments, empty segments, a trailing slash or a fragment), or it matches routes of different operations.';
export const VERIFIER_ERROR_DETAIL = 'The credentials could not be checked.';
export const METHOD_OVERRIDE_DETAIL = 'Method overrides are not accepted: the security of a request is decided by its method.';
export const ROUTE_MISMATCH_DETAIL = 'This route is not configured correctly.';
/** The 429 and 503 details: the same for every request, so they say nothing of a key, a quota or a store. */
export const RATE_LIMITED_DETAIL = 'Too many requests with these credentials; retry after the time in Retry-After.';
export const UNAVAILABLE_DETAIL = 'The request cannot be authorized right now; retry after the time in Retry-After.';

/** The title of a status in this runtime's problem bodies. */
export function problemTitle(status: number): string {
  return TITLES.get(status) ?? 'Error';
}

/** The largest `Retry-After` sent (2^31 - 1 s, as caches cap delta-seconds, RFC 9111 §1.2.2). */
const MAX_RETRY_AFTER = 2147483647;

/**
 * `Retry-After` as RFC 9110 §10.2.3 delay-seconds: a whole number of at least 1 (a
 * fraction rounds up, so a client never comes back too early; 0 would invite a retry
 * storm), 1 for anything that is not a finite number, and never an exponent form.
 */
export function retryAfterSeconds(seconds: unknown): string {
  const n = typeof seconds === 'number' && Number.isFinite(seconds) ? Math.ceil(seconds) : 1;
  return String(Math.min(MAX_RETRY_AFTER, Math.max(1, n)));
}

/** The 500 answer when a verifier failed: the problem names nothing about the request. */
export function verifierErrorParts(): ResponseParts {
  return problemResponseParts(500, VERIFIER_ERROR_DETAIL);
}

/** The answer on a route that does not serve the operation its guard names. */
export function routeMismatchParts(): ResponseParts {
  return problemResponseParts(500, ROUTE_MISMATCH_DETAIL);
}

/**
 * The 401 details. `NONE_SENT`: the request carries no credential at all that the
 * guard can see. `OTHERS_SENT`: none of this operation's, but others (see
 * runtime-extract.ts `otherCredentialSent`). `NOT_ACCEPTED`: some of this operation's
 * credentials were sent, and no alternative was satisfied.
 */
export const NONE_SENT = 'This operation requires credentials and none were sent.';
export const OTHERS_SENT = 'This operation requires credentials; those sent are not ones it accepts.';
export const NOT_ACCEPTED = 'The credentials sent were not accepted for this operation.';

const freezeLocations = (list: readonly ProblemLocation[]): readonly ProblemLocation[] => Object.freeze(list.map((l) => Object.freeze({ ...l })));

/**
 * A shared 401 answer to a request that carries none of the operation's credentials
 * (`detail` says whether it carries others), deeply frozen. `alternatives` are the
 * operation's requirement objects (`{}` left out), each lacking all its credentials.
 */
export function unauthorized(challenge: string, detail: string, missing: readonly ProblemLocation[], alternatives: readonly { readonly index: number; readonly schemes: readonly ProblemLocation[] }[]): AuthFailure {
  const none: readonly ProblemLocation[] = Object.freeze([]);
  const body: ProblemBody = Object.freeze({
    type: 'about:blank',
    title: 'Unauthorized',
    status: 401,
    detail,
    missing: freezeLocations(missing),
    alternatives: Object.freeze(
      alternatives.map((a): ProblemAlternative => {
        const schemes = freezeLocations(a.schemes);
        return Object.freeze({ index: a.index, schemes, missing: schemes, invalid: none });
      }),
    ),
  });
  return Object.freeze({ ok: false as const, status: 401 as const, headers: Object.freeze({ 'content-type': PROBLEM_CONTENT_TYPE, 'www-authenticate': challenge }), body });
}

export const SCOPES_MISSING = 'The credentials are valid but do not grant the scopes this operation requires.';

/** An alternative's 403 (its credentials verified, its scopes were not granted): one per alternative, frozen. */
export function forbidden(challenge: string, requiredScopes: readonly string[]): AuthFailure {
  const body: ProblemBody = Object.freeze({ type: 'about:blank', title: 'Forbidden', status: 403, detail: SCOPES_MISSING, requiredScopes: Object.freeze(requiredScopes) });
  return Object.freeze({ ok: false as const, status: 403 as const, headers: Object.freeze({ 'content-type': PROBLEM_CONTENT_TYPE, 'www-authenticate': challenge }), body });
}

/**
 * A 401 built for one request, frozen so that it can answer every later request with
 * the same pattern of missing and refused credentials (runtime-deny.ts). Its locations
 * are the plan's, already frozen (runtime-plan.ts `compileScheme`).
 */
export function frozenUnauthorized(challenge: string, body: ProblemBody): AuthFailure {
  for (const value of Object.values(body)) if (Array.isArray(value)) Object.freeze(value);
  for (const alternative of body.alternatives ?? []) {
    Object.freeze(alternative.schemes);
    Object.freeze(alternative.missing);
    Object.freeze(alternative.invalid);
    Object.freeze(alternative);
  }
  return Object.freeze({ ok: false as const, status: 401 as const, headers: Object.freeze({ 'content-type': PROBLEM_CONTENT_TYPE, 'www-authenticate': challenge }), body: Object.freeze(body) });
}

export const REFUSED: AuthFailure = Object.freeze({
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

/**
 * What the Express, Fastify, Koa and Hono adapters hand to the framework's error path
 * when a verifier or binding check threw or rejected (`authorize` rejects with the
 * `VerifierError` itself). Its message is generic and it carries 500 where each
 * framework looks (`status`, `statusCode`; `expose: false` for Koa), so a default error
 * handler that shows the message (Fastify's) or the stack (Express's outside
 * production) names no scheme and no operation. For logs and custom handlers: the
 * names in its own properties, the problem body to answer with in `problem`
 * (`verifierErrorParts()`), and the original `VerifierError` (with the verifier's own
 * error as its cause) as `cause`.
 */
export class GuardError extends Error {
  /** 500, read by Koa and Express. */
  readonly status = 500;
  /** 500, read by Fastify and Express. */
  readonly statusCode = 500;
  /** Koa answers with the status text instead of the message. */
  readonly expose = false;
  /** The RFC 9457 body of the 500 answer (`application/problem+json`). */
  readonly problem: ProblemBody;
  /** As `VerifierError`: the scheme, or for a binding check the group's key. */
  readonly scheme: string;
  readonly operationId: string;
  readonly binding: boolean;
  constructor(error: VerifierError) {
    super(VERIFIER_ERROR_DETAIL, { cause: error });
    this.name = 'GuardError';
    this.problem = verifierErrorParts().body;
    this.scheme = error.scheme;
    this.operationId = error.operationId;
    this.binding = error.binding;
  }
}

/** The error an adapter passes on: a `VerifierError` wrapped in a `GuardError`, anything else as it is. */
export function guardError(error: unknown): unknown {
  return error instanceof VerifierError ? new GuardError(error) : error;
}

/** `promise.catch(throwGuardError)`: rethrows what `guardError` makes of the rejection. */
export function throwGuardError(error: unknown): never {
  throw guardError(error);
}
