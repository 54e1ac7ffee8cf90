// The shape of the per-spec tables that the generator emits into `security.ts`.
// Server and client runtimes read only these tables, never an OpenAPI document,
// so every difference between Swagger 2.0, OpenAPI 3.0 and 3.1 is settled before
// code is generated. This file has no imports and runs anywhere (Node, browsers,
// workers), because the browser-safe client shares it.

/** One OAuth2 flow, with the spec's URLs kept as written (they may be relative). */
export interface OAuthFlowSpec {
  readonly flow: 'implicit' | 'password' | 'clientCredentials' | 'authorizationCode';
  readonly authorizationUrl?: string;
  readonly tokenUrl?: string;
  readonly refreshUrl?: string;
  readonly scopes: readonly string[];
}

/**
 * A security scheme. `http.scheme` is lower-cased (RFC 9110: auth-scheme names are
 * case-insensitive). `http` schemes other than `basic` and `bearer` reach the
 * verifier as the raw credentials after the scheme word.
 */
export type SchemeSpec =
  | { readonly kind: 'apiKey'; readonly in: 'header' | 'query' | 'cookie'; readonly name: string }
  | { readonly kind: 'http'; readonly scheme: string; readonly bearerFormat?: string }
  | { readonly kind: 'oauth2'; readonly flows: readonly OAuthFlowSpec[] }
  | { readonly kind: 'openIdConnect'; readonly url: string }
  | { readonly kind: 'mutualTLS' };

/** One member of an AND set: a scheme and the scopes (or 3.1 roles) it must grant. */
export interface UseSpec {
  readonly scheme: string;
  readonly scopes: readonly string[];
}

/**
 * An operation's security, already resolved from root default vs operation override.
 * `anyOf` is OR in spec order; each inner array is AND, members as written, never
 * empty. `at[i]` is the index of `anyOf[i]` in the `security` array as written (`{}`
 * entries counted), what `AuthSuccess.alternative` reports. `optional` means the spec
 * also lists the anonymous alternative `{}`, the first of them at `anonymousAt`.
 */
export type AuthSpec =
  | { readonly kind: 'public' }
  | { readonly kind: 'required'; readonly anyOf: readonly (readonly UseSpec[])[]; readonly at: readonly number[] }
  | { readonly kind: 'optional'; readonly anyOf: readonly (readonly UseSpec[])[]; readonly at: readonly number[]; readonly anonymousAt: number };

export interface OperationSpec {
  /** Lower-case HTTP method. */
  readonly method: string;
  /** Path template as written in the spec, e.g. `/pets/{petId}`. */
  readonly path: string;
  readonly auth: AuthSpec;
}

export type SchemeTable = { readonly [name: string]: SchemeSpec };
export type OperationTable = { readonly [operationId: string]: OperationSpec };

/** Everything a runtime needs about one spec. */
export interface SecurityTables<S extends SchemeTable = SchemeTable, O extends OperationTable = OperationTable> {
  readonly schemes: S;
  readonly operations: O;
  /** Path prefix from `servers[0].url` (or Swagger 2.0 `basePath`), `''` when none. */
  readonly basePath: string;
  /**
   * The first server URL when it is absolute http(s) with no user info and no unfilled
   * variable, else `null`: the origin client integrations trust when not given a baseUrl.
   * Optional so tables written before 0.3 still satisfy the type.
   */
  readonly serverUrl?: string | null;
}

/** Own-property lookup: a key such as `__proto__` or `toString` is just a key. */
export function own<T>(table: { readonly [key: string]: T }, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}
