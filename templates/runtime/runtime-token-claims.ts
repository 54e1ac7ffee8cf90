// What the token verifiers (runtime-jwt.ts, runtime-introspection.ts) answer: a
// principal `{ subject, scopes, claims }` whose `scopes` the guard checks against the
// operation's required scopes (403 when one is missing), built from a token's claims
// (a verified JWT's payload, or an RFC 7662 introspection answer). Also the checks both
// share (audience, a frozen copy of the claims) and the optional mapper to the app's own
// principal. No imports but types: runs anywhere.
import type { VerifyContext } from './runtime-types.js';

/** A token's claims as the issuer sent them (JSON). */
export type TokenClaims = { readonly [claim: string]: unknown };

/** The principal a token verifier answers with, unless a `principal` mapper makes another. */
export interface TokenPrincipal {
  /** The `sub` claim, when it is a string. */
  readonly subject: string | undefined;
  /** What the token grants: `scope` (RFC 8693 §4.2, RFC 9068 §2.2.3), else `scp` (an array or a space-separated string). */
  readonly scopes: readonly string[];
  /** Every claim, frozen (the principal of a cached introspection answer is shared by requests). */
  readonly claims: TokenClaims;
}

/** What a `principal` mapper may answer; `null`, `undefined` or `false` refuse the token (401). */
export type MappedPrincipal<P extends object> = P | null | undefined | false;

/**
 * Turns the verified token into the app's principal (add roles from a database, rename
 * claims). Runs for every request (also for a cached introspection answer); a throw is
 * the verifier's error (500). Keep `scopes` on what it returns, or the guard sees none.
 */
export type PrincipalMapper<P extends object> = (token: TokenPrincipal, context: VerifyContext | undefined) => MappedPrincipal<P> | PromiseLike<MappedPrincipal<P>>;

/** A space-separated scope list (RFC 6749 §3.3), as the individual scope tokens. */
function splitScopes(value: string): string[] {
  return value.split(' ').filter((scope) => scope !== '');
}

/** Longer tokens are refused before any parsing or issuer call (real access tokens are a few KB). */
export const MAX_TOKEN_LENGTH = 8192;

/**
 * The scopes a token grants: `scope` when it is a string (the standard claim), else
 * `scp` (Azure AD, Okta) as an array of strings or one space-separated string. Never
 * both: a token carrying both is read as its standard claim says.
 */
export function scopesOf(claims: TokenClaims): string[] {
  const scope = claims['scope'];
  if (typeof scope === 'string') return splitScopes(scope);
  // A `scope` claim that is there but not a string grants nothing: `scp` is not asked.
  if (Object.prototype.hasOwnProperty.call(claims, 'scope')) return [];
  const scp = claims['scp'];
  if (typeof scp === 'string') return splitScopes(scp);
  if (Array.isArray(scp)) return scp.filter((s): s is string => typeof s === 'string' && s !== '');
  return [];
}

/** Freezes parsed JSON all the way down (objects and arrays only; JSON has no other containers). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** The principal of a verified token; claims, scopes and the principal itself frozen. */
export function principalOf(claims: TokenClaims): TokenPrincipal {
  const frozen = deepFreeze(claims);
  const sub = frozen['sub'];
  return Object.freeze({ subject: typeof sub === 'string' ? sub : undefined, scopes: Object.freeze(scopesOf(frozen)), claims: frozen });
}

/** Whether an `aud` claim (a string or an array of strings, RFC 7519 §4.1.3) names one of `expected`. */
export function audienceMatches(aud: unknown, expected: readonly string[]): boolean {
  if (typeof aud === 'string') return expected.includes(aud);
  return Array.isArray(aud) && aud.some((a) => typeof a === 'string' && expected.includes(a));
}

/** The configured audience as a non-empty list of non-empty strings, else a TypeError. */
export function audienceList(audience: string | readonly string[] | undefined, who: string): string[] {
  const list = typeof audience === 'string' ? [audience] : Array.isArray(audience) ? [...(audience as readonly unknown[])] : [];
  if (list.length === 0 || list.some((a) => typeof a !== 'string' || a === '')) {
    throw new TypeError(`${who}: audience must be a non-empty string or a non-empty list of them (the audience check is never skipped)`);
  }
  return list as string[];
}

/** The principal to answer: the mapper's (when given) or the token's own. */
export async function answer<P extends object>(
  token: TokenPrincipal,
  mapper: PrincipalMapper<P> | undefined,
  context: VerifyContext | undefined,
): Promise<P | TokenPrincipal | null> {
  if (mapper === undefined) return token;
  const mapped = await mapper(token, context);
  return typeof mapped === 'object' && mapped !== null ? mapped : null;
}

/**
 * A token verifier: the token in, the principal or `null` (refused: 401) out; throws an
 * `UnavailableError` (503) when the issuer cannot be asked. Fits `Verifier<string>`.
 */
export type TokenVerifier<P extends object = TokenPrincipal> = (token: string, context?: VerifyContext) => Promise<P | null>;
