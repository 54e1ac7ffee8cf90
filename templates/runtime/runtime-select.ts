// `authFor`: the first alternative of an operation, in spec order, whose every
// scheme the caller's credentials satisfy (the anonymous one only when no other is),
// resolved into headers, query and cookies; `MissingCredentialsError` otherwise.
import type { SchemeSpec, SecurityTables, UseSpec } from './runtime-tables.js';
import { own } from './runtime-tables.js';
import { authRecord, encode, isAvailable, type Collected } from './runtime-attach.js';
import { MissingCredentialsError, type AttachedCredential, type AuthParts, type CredentialContext, type BasicCredentials, type MutualTLSConfigured, type CredentialsFor, type EnvLike, type EnvNames, type FetchLike, type WithAuthOptions } from './runtime-credentials.js';

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

  const sourceOf = (name: string): unknown =>
    Object.prototype.hasOwnProperty.call(credentials, name) ? (credentials as { readonly [k: string]: unknown })[name] : undefined;
  // One resolution per scheme and set of scopes per call: a provider is asked at most
  // once for each, and told the operation, scheme and scopes it serves.
  const resolved = new Map<string, Promise<unknown>>();
  const valueOf = (use: UseSpec): Promise<unknown> => {
    const source = sourceOf(use.scheme);
    if (typeof source !== 'function') return Promise.resolve(source);
    const id = JSON.stringify([use.scheme, use.scopes]);
    let pending = resolved.get(id);
    if (pending === undefined) {
      const context: CredentialContext = Object.freeze({ operationId, scheme: use.scheme, scopes: Object.freeze([...use.scopes]) });
      pending = Promise.resolve((source as (context: CredentialContext) => unknown)(context));
      resolved.set(id, pending);
    }
    return pending;
  };

  const alternatives = operation.auth.anyOf;
  for (let index = 0; index < alternatives.length; index++) {
    const members: readonly UseSpec[] = alternatives[index] ?? [];
    // A plain value that is missing rules the alternative out before any provider is
    // asked: a provider may fetch a token (for these scopes) that would never be used.
    const ruledOut = members.some((use) => {
      const scheme = own(tables.schemes, use.scheme);
      const source = sourceOf(use.scheme);
      return scheme === undefined || (typeof source !== 'function' && !isAvailable(scheme, source));
    });
    if (ruledOut) continue;
    const values: unknown[] = [];
    let satisfied = members.length > 0;
    for (const use of members) {
      const scheme = own(tables.schemes, use.scheme);
      const value = scheme === undefined ? undefined : await valueOf(use);
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
    // The index in the operation's `security` array as written, as the server reports it.
    const parts: AuthParts = { alternative: operation.auth.at[index] ?? index, ...out };
    const attached: AttachedCredential[] = members.map((use, i) => {
      const source = sourceOf(use.scheme);
      return Object.freeze({ scheme: use.scheme, value: values[i], source: typeof source === 'function' ? (source as (context: CredentialContext) => unknown) : undefined });
    });
    Object.defineProperty(parts, 'credentials', { value: Object.freeze(attached), enumerable: false });
    return parts;
  }
  if (operation.auth.kind === 'optional') return { ...none, alternative: operation.auth.anonymousAt };
  throw new MissingCredentialsError(
    operationId,
    alternatives.map((members) => members.map((use) => use.scheme)),
    tables.schemes,
  );
}

