// What `limit` hooks (GuardOptions.limit) share: their type, `combineLimits` to run
// several as one (`limit: combineLimits(quota.limit, usage.limit)`), and `keyIdOf`, how
// a hook finds the API key a request was allowed with. No dependency, so quotas
// (runtime-quota.ts, which needs `rate-limiter-flexible`) and usage counting
// (runtime-usage.ts) can each be used without the other.
import { KEY_PRINCIPAL, type AuthSuccess, type GuardOptions, type LimitOutcome } from './runtime-types.js';

/** A `limit` hook, as `GuardOptions.limit` takes it. */
export type LimitHook = NonNullable<GuardOptions['limit']>;

/**
 * The id of the first principal of the winning alternative that has a string `keyId`
 * (what `apiKeyVerifier` returns), in the order the decision lists its schemes;
 * undefined when it was allowed with no API key (a bearer token alone, say).
 */
export function keyIdOf(decision: AuthSuccess): string | undefined {
  const keyId = keyPrincipalOf(decision)?.['keyId'];
  return typeof keyId === 'string' ? keyId : undefined;
}

/**
 * The API key's principal in a decision: the one `apiKeyVerifier` branded
 * (`KEY_PRINCIPAL`); failing that (a verifier of your own), the first with a string
 * `keyId`. A token principal listed first whose claims include `keyId` is not the key.
 */
export function keyPrincipalOf(decision: AuthSuccess): { readonly [field: string]: unknown } | undefined {
  const principals = decision.principals as { readonly [scheme: string]: unknown };
  let fallback: { readonly [field: string]: unknown } | undefined;
  for (const scheme of Object.keys(principals)) {
    const principal = principals[scheme];
    if (typeof principal !== 'object' || principal === null) continue;
    if ((principal as { readonly [KEY_PRINCIPAL]?: unknown })[KEY_PRINCIPAL] === true) return principal as { readonly [field: string]: unknown };
    if (fallback === undefined && typeof (principal as { readonly keyId?: unknown }).keyId === 'string') fallback = principal as { readonly [field: string]: unknown };
  }
  return fallback;
}

// Fields whose value is a Structured Field List: two hooks' values are one list, joined
// (RFC 9651 §3.1). Any other header a later hook sets replaces an earlier one's.
const LIST_FIELDS = new Set(['ratelimit', 'ratelimit-policy']);

function merge(into: Record<string, string>, headers: Readonly<Record<string, string>> | undefined): void {
  if (headers === undefined) return;
  for (const name of Object.keys(headers)) {
    const value = headers[name] as string;
    const lower = name.toLowerCase();
    const had = into[lower];
    into[lower] = had !== undefined && LIST_FIELDS.has(lower) ? `${had}, ${value}` : value;
  }
}

/**
 * One hook that runs `hooks` in order and stops at the first refusal: a hook after it
 * does not run, so put usage counting (`usageRecorder(...).limit`) after the quota and
 * it counts only the requests let through. Headers of every hook that ran are merged
 * (header names lower-cased; `RateLimit` and `RateLimit-Policy` lists joined). A throw
 * (an `UnavailableError` from a quota store) stops the chain and reaches the guard as is.
 */
export function combineLimits(...hooks: readonly LimitHook[]): LimitHook {
  for (const hook of hooks) if (typeof hook !== 'function') throw new TypeError('combineLimits: every argument must be a limit hook (a function)');
  return async (decision, request): Promise<LimitOutcome> => {
    const headers: Record<string, string> = {};
    for (const hook of hooks) {
      const outcome = await hook(decision, request);
      merge(headers, outcome.headers);
      // `=== false`, not `!ok`: the union narrows this way with strictNullChecks off too.
      if (outcome.ok === false) {
        return { ok: false, retryAfter: outcome.retryAfter, headers, ...(outcome.detail === undefined ? {} : { detail: outcome.detail }) };
      }
    }
    return Object.keys(headers).length === 0 ? { ok: true } : { ok: true, headers };
  };
}
