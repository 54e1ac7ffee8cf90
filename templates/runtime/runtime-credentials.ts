// What a client caller hands over: credential types per scheme (a value, or a
// function returning one, sync or async), the parts an operation's alternative
// produces, the options of `withAuth`, and the errors that name what is missing
// without ever echoing a value.
import type { SchemeSpec, SchemeTable } from './runtime-tables.js';
import { own } from './runtime-tables.js';
import { httpSchemeSpelling } from './runtime-http-schemes.js';

// ---------------------------------------------------------------------------
// Credential types

/** Username and password for HTTP Basic (RFC 7617). */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * Mutual TLS happens in the TLS handshake, so nothing is attached to the request;
 * this marker only states that the transport carries the client certificate.
 * In Node pass an undici `Agent` with `connect: { cert, key }` as the fetch
 * `dispatcher` (e.g. `(input, init) => fetch(input, { ...init, dispatcher })`);
 * in browsers the certificate comes from the user agent's store.
 */
export type MutualTLSConfigured = true | { readonly configured: true };

/**
 * What a credential function is told when it is asked: the operation being called, the
 * scheme it serves, and the scopes the alternative being tried requires of that scheme,
 * so one provider can fetch a token with exactly those scopes.
 */
export interface CredentialContext {
  readonly operationId: string;
  readonly scheme: string;
  readonly scopes: readonly string[];
}

/**
 * A credential function that obtains its tokens itself (an OAuth2 grant such as
 * `clientCredentialsToken`): it caches a token and `invalidate(token)` drops it, if it
 * is still the cached one, so the next call fetches a new one. Concurrent callers
 * share that one fetch, and invalidating a token already replaced does nothing, so N
 * requests refused at once cause one refresh, not N.
 */
export interface TokenProvider {
  (context?: CredentialContext): Promise<string>;
  invalidate(token: string): void;
}

/** Whether a credential source is a `TokenProvider` (a function with `invalidate`). */
export function isTokenProvider(source: unknown): source is TokenProvider {
  return typeof source === 'function' && typeof (source as { invalidate?: unknown }).invalidate === 'function';
}

/**
 * A value, or a function called at most once per `authFor` call for each distinct set of
 * scopes it is asked with; `undefined` or `''` means "not available".
 */
export type CredentialSource<T> = T | ((context: CredentialContext) => T | undefined | Promise<T | undefined>);

/** One credential `authFor` attached: its scheme, its value, and whether a function gave it. */
export interface AttachedCredential {
  readonly scheme: string;
  readonly value: unknown;
  /** The function it came from (a retry asks it again), or undefined for a plain value. */
  readonly source: ((context: CredentialContext) => unknown) | undefined;
}

/** The credential a scheme needs, as the server-side verifier receives it. */
export type CredentialValue<S> = S extends { readonly kind: 'mutualTLS' }
  ? MutualTLSConfigured
  : S extends { readonly kind: 'http'; readonly scheme: 'basic' }
    ? BasicCredentials
    : string;

/**
 * One optional property per scheme the spec uses, keyed by the scheme's name as written
 * in the spec. `undefined` is accepted so `{ ApiKey: process.env.API_KEY }` type-checks.
 */
export type CredentialsFor<Schemes extends SchemeTable, Used extends keyof Schemes & string> = {
  readonly [K in Used]?: CredentialSource<CredentialValue<Schemes[K]>> | undefined;
};

/**
 * What `authFor` hands back: the chosen alternative, as its index in the operation's
 * `security` array as written (`{}` counted, the index of `{}` when sending nothing;
 * -1 for an operation with no requirement), and what to attach.
 */
export interface AuthParts {
  readonly alternative: number;
  readonly headers: Record<string, string>;
  readonly query: Record<string, string>;
  readonly cookies: Record<string, string>;
  /**
   * The credentials attached, one per scheme of the chosen alternative: what a retry
   * after a 401 needs (which provider to tell its token was refused). Not enumerable, so
   * spreading, logging or serialising the parts never copies a credential value out.
   */
  readonly credentials?: readonly AttachedCredential[];
}

/** Scheme name -> SCREAMING_SNAKE base name of its environment variable(s). */
export type EnvNames<Used extends string = string> = { readonly [K in Used]?: string };
/** Scheme name -> the variables its credential is read from, as the generator names them. */
export type EnvVariables<Used extends string = string> = { readonly [K in Used]?: readonly string[] };

/** Anything shaped like `process.env`. */
export type EnvLike = { readonly [name: string]: string | undefined };

export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface WithAuthOptions {
  /** Where the API lives, e.g. `https://api.example.com/v1`. Its origin is the only one trusted by default. */
  readonly baseUrl: string | URL;
  /**
   * More places credentials may go: full origins (`https://eu.example.com:8443`), or bare
   * hosts (`eu.example.com`) which match `https:` only, so a key never travels in clear text.
   */
  readonly allowedHosts?: readonly string[];
  /** A request that matches no operation: throw (default) or send it without credentials. */
  readonly unknownOperation?: 'error' | 'passthrough';
  /**
   * `safe` (default): when the request's redirect mode is `follow`, redirects are followed
   * here, each hop getting the credentials of its own operation (method and URL matched
   * again; no match is an `UnknownOperationError`) while on trusted origins, and none once a
   * hop leaves them. Only http(s) targets are followed. The request body is buffered so
   * 307/308 can replay it. Browsers hide `Location` from script (an `opaqueredirect`
   * response), which is returned as-is.
   * `native` hands redirects to the platform, which cannot be policed: a request that
   * carries credentials with redirect mode `follow` is then refused (TypeError); give it
   * `redirect: 'manual'` or `'error'`, or use `safe`.
   */
  readonly redirect?: 'safe' | 'native';
  /**
   * When a request is sent again (runtime-retry.ts; the same rules in `withAuth`, the
   * openapi-fetch middleware and the axios interceptor). Each retry passes every origin,
   * operation and redirect check again. Only a body that can be sent again is: none, a
   * string, ArrayBuffer(View), Blob, URLSearchParams or FormData, never a stream; any other
   * request gets its first answer. A 403 is never retried.
   */
  readonly retry?: {
    /**
     * After a 401, get fresh credentials and send the request once more (default `true`):
     * when a credential came from a `TokenProvider` (its refused token is invalidated first,
     * so concurrent refusals share one refresh), or when `WWW-Authenticate` says
     * `error="invalid_token"` (RFC 6750 §3.1) and a credential function can be asked again.
     * A plain value is never retried (it would be sent unchanged); a 401 to the retry is returned.
     */
    readonly reauthenticate?: boolean;
    /** How many times a 429 or 503 is sent again after the wait its `Retry-After` asks for (default 0: never). */
    readonly attempts?: number;
    /** The longest `Retry-After` honoured, in ms (default 10_000); a longer, absent or malformed one is returned at once. */
    readonly maxDelayMs?: number;
  };
}

// ---------------------------------------------------------------------------
// Errors

export function describeScheme(name: string, scheme: SchemeSpec | undefined): string {
  if (scheme === undefined) return `${name} (scheme not defined in the spec)`;
  switch (scheme.kind) {
    case 'apiKey': {
      const where = scheme.in === 'header' ? 'header' : scheme.in === 'query' ? 'query parameter' : 'cookie';
      return `${name} (${where} ${JSON.stringify(scheme.name)})`;
    }
    case 'http':
      return `${name} (Authorization header, ${httpSchemeSpelling(scheme.scheme)})`;
    case 'oauth2':
    case 'openIdConnect':
      return `${name} (Authorization header, Bearer token)`;
    case 'mutualTLS':
      return `${name} (client certificate on the TLS connection)`;
    default:
      return assertNever(scheme);
  }
}

/**
 * Thrown before anything is sent when no alternative is fully satisfied. The message
 * names schemes and where their credentials go, never a credential value.
 */
export class MissingCredentialsError extends Error {
  override readonly name = 'MissingCredentialsError';
  readonly operationId: string;
  /** For each alternative in spec order, the scheme names it needs (AND). */
  readonly alternatives: string[][];

  constructor(operationId: string, alternatives: string[][], schemes: SchemeTable) {
    const options = alternatives.map((names) => names.map((n) => describeScheme(n, own(schemes, n))).join(' + '));
    super(
      `Missing credentials for operation ${JSON.stringify(operationId)}: provide ` +
        (options.length === 1 ? options[0] : `one of: ${options.map((o, i) => `[${i}] ${o}`).join('; ')}`),
    );
    this.operationId = operationId;
    this.alternatives = alternatives;
  }
}

/** A credential value cannot be put where its scheme says (bad characters, conflicting header). */
export class InvalidCredentialsError extends Error {
  override readonly name = 'InvalidCredentialsError';
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

