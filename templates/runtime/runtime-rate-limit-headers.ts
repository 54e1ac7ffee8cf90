// The `RateLimit-Policy` and `RateLimit` response fields of the IETF HTTPAPI draft
// "RateLimit header fields for HTTP", draft-ietf-httpapi-ratelimit-headers-11 (23 May
// 2026; the syntax is unchanged since -08):
//
//   RateLimit-Policy: "default";q=100;w=60       (the quota policy: q units per w seconds)
//   RateLimit: "default";r=42;t=30               (the service limit: r left, for t seconds)
//
// Each field is a Structured Field List (RFC 9651) of Items whose value is the policy's
// name, an sf-string, with Integer parameters. Pure serialisation with no imports, so
// any `limit` hook can use it. It throws a TypeError on a value the draft does not
// allow: a malformed field would be ignored by clients (draft §7) and look like no
// limit at all, so a bad value is a bug to surface, not to send. The optional `qu`
// (quota unit, default "requests") and `pk` (partition key) parameters are not written:
// every quota here counts requests, and the partition (the API key) is the one the
// client sent.

/** The draft revision these fields follow (for docs and tests). */
export const RATE_LIMIT_DRAFT = 'draft-ietf-httpapi-ratelimit-headers-11';

/** One quota policy: at most `quota` requests per `window` seconds. */
export interface RateLimitPolicyItem {
  /** The policy's name: printable ASCII (see `rateLimitPolicyName` to make one from any text). */
  readonly name: string;
  /** `q`: the quota, a non-negative integer. */
  readonly quota: number;
  /** `w`: the window in seconds, a positive integer; absent, no window is advertised. */
  readonly window?: number;
}

/** One service limit: `remaining` requests left under the named policy, for `reset` seconds. */
export interface RateLimitItem {
  readonly name: string;
  /** `r`: the available quota, a non-negative integer. */
  readonly remaining: number;
  /** `t`: the effective window in seconds, a non-negative integer; absent when unknown. */
  readonly reset?: number;
}

// RFC 9651 §3.3.1: an sf-integer has at most 15 digits.
const MAX_SF_INTEGER = 999_999_999_999_999;

function integer(value: number, what: string, min: number): string {
  if (!Number.isInteger(value) || value < min || value > MAX_SF_INTEGER) throw new TypeError(`RateLimit fields: ${what} must be an integer from ${min} to ${MAX_SF_INTEGER}, not ${String(value)}`);
  return String(value);
}

/**
 * An sf-string (RFC 9651 §4.1.6): printable ASCII (0x20-0x7E) in double quotes, `"` and
 * `\` escaped with a backslash. Throws on any other character (a control character or
 * non-ASCII text cannot be an sf-string).
 */
export function sfString(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new TypeError(`RateLimit fields: a policy name must be printable ASCII, not ${JSON.stringify(value)}`);
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * A valid policy name made from any text (an operation id may hold anything): printable
 * ASCII is kept, every other character and `%` itself is percent-encoded as UTF-8 (a
 * lone surrogate, which has no UTF-8, as `%uD800`), so two texts never give one name.
 */
export function rateLimitPolicyName(text: string): string {
  return text.replace(/[^\x20-\x24\x26-\x7e]/gu, (c) =>
    c.length === 1 && c >= '\ud800' && c <= '\udfff' ? `%u${c.charCodeAt(0).toString(16).toUpperCase()}` : encodeURIComponent(c),
  );
}

// RFC 9651 §4.1.1: list members are joined with a comma and one space.
const list = (members: readonly string[]): string => members.join(', ');

/** The `RateLimit-Policy` field value: `"default";q=100;w=60, "op:listPets";q=10;w=1`. */
export function rateLimitPolicyField(items: readonly RateLimitPolicyItem[]): string {
  if (items.length === 0) throw new TypeError('RateLimit-Policy: the field is a non-empty list');
  return list(items.map((p) => `${sfString(p.name)};q=${integer(p.quota, 'q', 0)}${p.window === undefined ? '' : `;w=${integer(p.window, 'w', 1)}`}`));
}

/** The `RateLimit` field value: `"default";r=42;t=30`. */
export function rateLimitField(items: readonly RateLimitItem[]): string {
  if (items.length === 0) throw new TypeError('RateLimit: the field is a non-empty list');
  return list(items.map((l) => rateLimitMember(sfString(l.name), l.remaining, l.reset)));
}

/** One member of the `RateLimit` field, its name already an sf-string (`sfString`): `"default";r=42;t=30`. */
export function rateLimitMember(sfName: string, remaining: number, reset?: number): string {
  return `${sfName};r=${integer(remaining, 'r', 0)}${reset === undefined ? '' : `;t=${integer(reset, 't', 0)}`}`;
}

/**
 * Both fields as response headers (lower-case names, as the runtime writes every header),
 * plus `retry-after` (delay-seconds) when given: what a 429 from a quota carries.
 */
export function rateLimitHeaders(policies: readonly RateLimitPolicyItem[], limits: readonly RateLimitItem[], retryAfter?: number): Record<string, string> {
  const headers: Record<string, string> = { 'ratelimit-policy': rateLimitPolicyField(policies), ratelimit: rateLimitField(limits) };
  if (retryAfter !== undefined) headers['retry-after'] = integer(retryAfter, 'Retry-After', 0);
  return headers;
}
