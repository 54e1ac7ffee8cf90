// One retry policy for every client integration (`withAuth`, the openapi-fetch
// middleware, the axios interceptor), so a request is retried by the same rules
// whichever one sends it:
// - a 401 that fresh credentials can fix is retried once, after the refused tokens are
//   invalidated (a `TokenProvider` shares one refresh among concurrent callers);
// - a 429 or 503 is retried after the wait its `Retry-After` asks for, only when opted in
//   and only for a bounded wait;
// - a 403 never is (the credential is fine, the permission is missing), and nothing is
//   retried unless its body can be sent again byte for byte.
// Each integration re-runs its own origin, operation and redirect checks for the retry:
// this file decides whether and when, never where. Browser-safe: no `node:` imports.
import { isTokenProvider, type AttachedCredential, type WithAuthOptions } from './runtime-credentials.js';

/** `retry` of `withAuth`, `authMiddleware` and `authInterceptor` (documented on `WithAuthOptions`). */
export type RetryOptions = NonNullable<WithAuthOptions['retry']>;

/** `RetryOptions` with its defaults filled in. */
export interface RetryPolicy {
  readonly reauthenticate: boolean;
  readonly attempts: number;
  readonly maxDelayMs: number;
}

/** Defaults: reauthenticate once after a 401 (on), no Retry-After retries (opt in), waits up to 10 s. */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const { reauthenticate = true, attempts = 0, maxDelayMs = 10_000 } = options;
  // Checked once, when the wrapper is made: a NaN or negative bound would retry forever or never.
  if (!Number.isSafeInteger(attempts) || attempts < 0) throw new TypeError(`retry.attempts must be a whole number >= 0, not ${String(attempts)}`);
  if (!Number.isFinite(maxDelayMs) || maxDelayMs < 0) throw new TypeError(`retry.maxDelayMs must be a finite number >= 0, not ${String(maxDelayMs)}`);
  return { reauthenticate, attempts, maxDelayMs };
}

// ---------------------------------------------------------------------------
// WWW-Authenticate (RFC 9110 §11.6.1)

/** One challenge: its scheme lower-cased (schemes are case-insensitive, §11.1), then a token68 or auth-params. */
export interface Challenge {
  readonly scheme: string;
  readonly token68?: string;
  /** Parameter names lower-cased (§11.2); quoted values unescaped; the first of a repeated name kept. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses a `WWW-Authenticate` value (several field lines joined with ", " are one list):
 * `#challenge`, `challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, `auth-param =
 * token BWS "=" BWS ( token / quoted-string )`. A comma separates both challenges and the
 * params of one, so an item is a new challenge exactly when it is not `name=`. Parsing stops
 * at the first malformed item; the challenge it was in is dropped, those before are kept.
 */
export function parseChallenges(field: string): Challenge[] {
  // Sticky expressions carry `lastIndex`, so they are made per call (no shared state).
  const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
  const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;
  const QUOTED = /"((?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*)"/y;
  const OWS = /[ \t]*/y;
  const SEPARATORS = /(?:[ \t]*,)*[ \t]*/y;
  let at = 0;
  const take = (pattern: RegExp): RegExpExecArray | undefined => {
    pattern.lastIndex = at;
    const found = pattern.exec(field);
    if (found === null) return undefined;
    at = pattern.lastIndex;
    return found;
  };
  const atItemEnd = (): boolean => {
    take(OWS);
    return at >= field.length || field[at] === ',';
  };
  const out: Challenge[] = [];
  for (;;) {
    take(SEPARATORS); // empty list elements are allowed (RFC 9110 §5.6.1.2)
    if (at >= field.length) return out;
    const scheme = take(TOKEN)?.[0];
    if (scheme === undefined || !(at >= field.length || field[at] === ' ' || field[at] === '\t' || field[at] === ',')) return out;
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    take(OWS);
    const start = at;
    const token68 = take(TOKEN68)?.[0];
    if (token68 !== undefined && atItemEnd()) {
      out.push({ scheme: scheme.toLowerCase(), token68, params });
      continue;
    }
    at = start;
    for (;;) {
      const before = at;
      const name = take(TOKEN)?.[0];
      take(OWS);
      if (name === undefined || field[at] !== '=') {
        at = before; // not `name=`: the next challenge (or the end) starts here
        break;
      }
      at++;
      take(OWS);
      const quoted = take(QUOTED);
      const value = quoted !== undefined ? (quoted[1] ?? '').replace(/\\(.)/g, '$1') : take(TOKEN)?.[0];
      if (value === undefined || !atItemEnd()) return out; // malformed: this challenge is dropped
      const key = name.toLowerCase();
      if (!(key in params)) params[key] = value;
      take(SEPARATORS);
    }
    out.push({ scheme: scheme.toLowerCase(), params });
  }
}

/**
 * Whether the answer says the token itself was refused: `error="invalid_token"` in a Bearer
 * challenge (RFC 6750 §3.1), or in a DPoP one (RFC 9449 §7.1 reuses the code). Other schemes
 * define no `error` parameter, so theirs means nothing here.
 */
export function refusedAsInvalidToken(field: string | null | undefined): boolean {
  if (field === null || field === undefined) return false;
  return parseChallenges(field).some((c) => (c.scheme === 'bearer' || c.scheme === 'dpop') && c.params['error'] === 'invalid_token');
}

// ---------------------------------------------------------------------------
// Retry-After (RFC 9110 §10.2.3)

const WEEKDAYS = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// RFC 9110 §5.6.7: IMF-fixdate, and the obsolete rfc850-date and asctime-date recipients must accept.
const IMF_FIXDATE = new RegExp(`^(?:${WEEKDAYS}), (\\d{2}) ([A-Z][a-z]{2}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`);
const RFC850_DATE = /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME_DATE = new RegExp(`^(?:${WEEKDAYS}) ([A-Z][a-z]{2}) ([ \\d]\\d) (\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})$`);

/** An HTTP-date as epoch milliseconds, or undefined when it is not one (ISO 8601 and the like are not). */
export function parseHttpDate(text: string, now: number = Date.now()): number | undefined {
  let day: string, month: string, year: string, hour: string, minute: string, second: string;
  const fixed = IMF_FIXDATE.exec(text) ?? RFC850_DATE.exec(text);
  const asctime = fixed === null ? ASCTIME_DATE.exec(text) : null;
  if (fixed !== null) [, day = '', month = '', year = '', hour = '', minute = '', second = ''] = fixed;
  else if (asctime !== null) [, month = '', day = '', hour = '', minute = '', second = '', year = ''] = asctime;
  else return undefined;
  let fullYear = Number(year);
  if (year.length === 2) {
    // §5.6.7: a two-digit year more than 50 years ahead is the most recent past year with those digits.
    const thisYear = new Date(now).getUTCFullYear();
    fullYear += Math.floor(thisYear / 100) * 100;
    if (fullYear > thisYear + 50) fullYear -= 100;
  }
  const monthIndex = MONTHS.indexOf(month);
  if (monthIndex < 0 || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 60) return undefined;
  const ms = Date.UTC(fullYear, monthIndex, Number(day), Number(hour), Number(minute), Math.min(Number(second), 59)); // a leap second counts as :59
  return new Date(ms).getUTCDate() === Number(day) ? ms : undefined; // 31 Feb is not a date
}

/** The wait a `Retry-After` value asks for, in ms (0 for a date already past); undefined when absent or malformed. */
export function retryAfterMs(field: string | null | undefined, now: number = Date.now()): number | undefined {
  if (field === null || field === undefined) return undefined;
  const text = field.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000; // delay-seconds; a huge one is simply longer than any bound
  const date = parseHttpDate(text, now);
  return date === undefined ? undefined : Math.max(0, date - now);
}

// ---------------------------------------------------------------------------
// Bodies that can be sent again

/**
 * Whether a body can be sent a second time with the same bytes: none, a string, an
 * ArrayBuffer or view of one, a Blob, URLSearchParams or FormData. A stream (web
 * `ReadableStream`, Node `Readable`, an async iterable) is read as it is sent and may be
 * endless or live, so it never is; nor is anything this list does not know.
 */
export function isReplayableBody(body: unknown): boolean {
  if (body === undefined || body === null || typeof body === 'string') return true;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return true;
  if (typeof Blob !== 'undefined' && body instanceof Blob) return true;
  if (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) return true;
  return typeof FormData !== 'undefined' && body instanceof FormData;
}

/**
 * Whether a `fetch(input, init)` call can be replayed. `init.body`, when given, decides. A
 * `Request` with a body does not say what its body was made from (a string and a stream
 * both read back as a stream), so it is treated as a stream: not replayed. Pass the body
 * in `init` to have it retried.
 */
export function fetchCallReplayable(input: RequestInfo | URL, init: RequestInit | undefined): boolean {
  if (init?.body !== undefined) return isReplayableBody(init.body);
  if (typeof input === 'string' || input instanceof URL) return true;
  return input.body === null;
}

// ---------------------------------------------------------------------------
// The decision

/** How much of its budget one call has used. */
export interface RetryState {
  /** Whether the request was already sent again after a 401: a second 401 is returned. */
  readonly reauthenticated: boolean;
  /** How many Retry-After waits it has had. */
  readonly waits: number;
}

export const FIRST_ATTEMPT: RetryState = Object.freeze({ reauthenticated: false, waits: 0 });

export type RetryStep = { readonly kind: 'reauthenticate' } | { readonly kind: 'wait'; readonly ms: number };

/** The part of an answer the policy reads. */
export interface AnswerView {
  readonly status: number;
  header(name: string): string | null | undefined;
}

/**
 * What to do about an answer, or undefined to hand it to the caller. `credentials` are
 * those the answering request carried, or undefined when the answer came from a hop that
 * carried none (a redirect target): such a 401 says nothing about them.
 */
export function nextRetry(policy: RetryPolicy, state: RetryState, answer: AnswerView, credentials: readonly AttachedCredential[] | undefined, now: number = Date.now()): RetryStep | undefined {
  if (answer.status === 401) {
    if (!policy.reauthenticate || state.reauthenticated || credentials === undefined) return undefined;
    // A token the client obtained itself is likely stale (revoked, rotated, expired early):
    // any 401 is worth one refresh. A credential function that is not a provider is asked
    // again only when the server says the token is the problem; a plain value would only
    // be sent again unchanged.
    if (credentials.some((c) => isTokenProvider(c.source))) return { kind: 'reauthenticate' };
    if (credentials.some((c) => c.source !== undefined) && refusedAsInvalidToken(answer.header('WWW-Authenticate'))) return { kind: 'reauthenticate' };
    return undefined;
  }
  if (answer.status === 429 || answer.status === 503) {
    if (state.waits >= policy.attempts) return undefined;
    const ms = retryAfterMs(answer.header('Retry-After'), now);
    return ms !== undefined && ms <= policy.maxDelayMs ? { kind: 'wait', ms } : undefined;
  }
  return undefined; // 403 included: more credentials of the same kind would not change it
}

/** The state after taking `step`. */
export function afterStep(state: RetryState, step: RetryStep): RetryState {
  return step.kind === 'wait' ? { ...state, waits: state.waits + 1 } : { ...state, reauthenticated: true };
}

/**
 * Tells each `TokenProvider` among `credentials` that its token was refused. Each drops the
 * token only if it is still its current one, so N requests refused together cause one
 * refresh; the next `authFor` call then gets a new token.
 */
export function invalidateRefused(credentials: readonly AttachedCredential[] | undefined): void {
  for (const credential of credentials ?? []) {
    if (isTokenProvider(credential.source) && typeof credential.value === 'string') credential.source.invalidate(credential.value);
  }
}

/** Anything with `aborted` and the `abort` event, as `AbortSignal` and axios's `GenericAbortSignal` have. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener?: (type: 'abort', listener: () => void, options?: { once?: boolean }) => void;
  removeEventListener?: (type: 'abort', listener: () => void) => void;
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts (as an aborted `fetch` does). */
export function sleep(ms: number, signal?: AbortSignalLike | null): Promise<void> {
  const reason = (): unknown => signal?.reason ?? new DOMException('This operation was aborted', 'AbortError');
  if (signal?.aborted === true) return Promise.reject(reason());
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(reason());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener?.('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener?.('abort', onAbort, { once: true });
  });
}

/** One send: the answer, and the credentials the request that got it carried (see `nextRetry`). */
export interface Attempt {
  readonly response: Response;
  readonly credentials: readonly AttachedCredential[] | undefined;
}

/**
 * The loop for `fetch`-shaped integrations: `send` makes one attempt (building the request
 * afresh and running every check), and is called again while the policy says so. A
 * request that cannot be replayed gets its first answer, though a refused provider token
 * is still invalidated so the caller's next request gets a new one.
 */
export async function sendWithRetries(policy: RetryPolicy, replayable: boolean, signal: AbortSignalLike | null | undefined, send: () => Promise<Attempt>): Promise<Response> {
  let state = FIRST_ATTEMPT;
  for (;;) {
    const { response, credentials } = await send();
    const step = nextRetry(policy, state, { status: response.status, header: (name) => response.headers.get(name) }, credentials);
    if (step === undefined) return response;
    if (step.kind === 'reauthenticate') invalidateRefused(credentials);
    if (!replayable) return response;
    await response.body?.cancel().catch(() => undefined); // frees the connection before waiting
    if (step.kind === 'wait') await sleep(step.ms, signal);
    state = afterStep(state, step);
  }
}
