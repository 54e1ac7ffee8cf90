// Problem answers (RFC 9457): the shared shape, the fixed answers adapters send (404
// unknown or ambiguous route, 400 method override, 500 verifier or wiring error),
// and the guard's precomputed ones (the no-credentials 401, the refused 403). None
// ever carries a credential value.
import type { AuthFailure, ProblemBody, ProblemLocation } from './runtime-types.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: ReadonlyMap<number, string> = new Map([
  [400, 'Bad Request'],
  [401, 'Unauthorized'],
  [403, 'Forbidden'],
  [404, 'Not Found'],
  [500, 'Internal Server Error'],
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
    body: { type: 'about:blank', title: TITLES.get(status) ?? 'Error', status, detail },
  };
}

export const UNKNOWN_ROUTE_DETAIL = 'No operation matches this method and path.';
export const AMBIGUOUS_ROUTE_DETAIL = 'This path is not written the way the API defines it (letter case, percent-encoding, dot segments, empty segments, a trailing slash or a fragment), or it matches routes of different operations.';
export const VERIFIER_ERROR_DETAIL = 'The credentials could not be checked.';
export const METHOD_OVERRIDE_DETAIL = 'Method overrides are not accepted: the security of a request is decided by its method.';
export const ROUTE_MISMATCH_DETAIL = 'This route is not configured correctly.';

/** The 500 answer when a verifier failed: the problem names nothing about the request. */
export function verifierErrorParts(): ResponseParts {
  return problemResponseParts(500, VERIFIER_ERROR_DETAIL);
}

/** The answer on a route that does not serve the operation its guard names. */
export function routeMismatchParts(): ResponseParts {
  return problemResponseParts(500, ROUTE_MISMATCH_DETAIL);
}

export const NONE_SENT = 'This operation requires credentials and none were sent.';

/** The shared 401 answer to a request without credentials, deeply frozen. */
export function unauthorized(challenge: string, missing: readonly ProblemLocation[]): AuthFailure {
  const body: ProblemBody = Object.freeze({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: NONE_SENT, missing: Object.freeze(missing.map((l) => Object.freeze({ ...l }))) });
  return Object.freeze({ ok: false as const, status: 401 as const, headers: Object.freeze({ 'content-type': PROBLEM_CONTENT_TYPE, 'www-authenticate': challenge }), body });
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
