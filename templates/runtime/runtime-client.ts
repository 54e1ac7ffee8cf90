// Public entry of the client runtime (generated `client.ts` and the integrations
// import from here), and the per-spec binding. Client side of the security tables: turns caller credentials into the headers,
// query parameters and cookies an operation needs, and wraps `fetch` so they are
// attached to the right requests and never sent to a third party. Browser-safe:
// no `node:` imports and no reliance on Node's `process` typings, so the generated
// client runs in browsers and workers as well as in Node.

import type { OAuthFlowSpec, SchemeTable, SecurityTables } from './runtime-tables.js';
import { own } from './runtime-tables.js';
import { clientCredentialsToken, refreshTokenProvider, type ClientCredentialsOptions, type OAuthTokens, type RefreshTokenOptions } from './runtime-oauth2.js';
import { completeAuthorization, startAuthorization, type AuthorizationRequest, type CompleteAuthorizationOptions, type StartAuthorizationOptions } from './runtime-pkce.js';

export {
  InvalidCredentialsError,
  isTokenProvider,
  MissingCredentialsError,
  type AttachedCredential,
  type AuthParts,
  type CredentialContext,
  type BasicCredentials,
  type CredentialSource,
  type CredentialsFor,
  type CredentialValue,
  type EnvLike,
  type EnvNames,
  type EnvVariables,
  type FetchLike,
  type MutualTLSConfigured,
  type TokenProvider,
  type WithAuthOptions,
} from './runtime-credentials.js';
export {
  applyAuth,
  applyAuthBuffered,
  applyToHeaders,
  applyToUrl,
  authRecord,
  defineEntry,
  encodeBasic,
  mergeCookieHeader,
  partsSecrets,
  redactText,
  scrubError,
} from './runtime-attach.js';
export { resolveAuth, type AuthSource, type ClientAuth } from './runtime-select.js';
export {
  basePathOf,
  carriesCredentials,
  checkNoUserInfo,
  checkRedirectTarget,
  ForeignOriginError,
  operationLocator,
  originGuard,
  UnknownOperationError,
  withAuthFor,
} from './runtime-with-auth.js';
export {
  afterStep,
  fetchCallReplayable,
  FIRST_ATTEMPT,
  invalidateRefused,
  isReplayableBody,
  nextRetry,
  parseChallenges,
  parseHttpDate,
  refusedAsInvalidToken,
  retryAfterMs,
  retryPolicy,
  sendWithRetries,
  sleep,
  type AbortSignalLike,
  type AnswerView,
  type Attempt,
  type Challenge,
  type RetryOptions,
  type RetryPolicy,
  type RetryState,
  type RetryStep,
} from './runtime-retry.js';
export { credentialsFromEnv, defaultEnv } from './runtime-env.js';
import { resolveAuth, type ClientAuth } from './runtime-select.js';
import { withAuthFor } from './runtime-with-auth.js';
import { credentialsFromEnv } from './runtime-env.js';
import type { EnvNames, EnvVariables, TokenProvider } from './runtime-credentials.js';

// ---------------------------------------------------------------------------
// Per-spec binding

/**
 * Binds the runtime to one spec's tables. The generated `client.ts` calls this once
 * with explicit type arguments: `createClientAuth<typeof tables, UsedSchemeName>(tables, envNames, envVariables)`.
 */
export function createClientAuth<const T extends SecurityTables, Used extends keyof T['schemes'] & string = keyof T['schemes'] & string>(
  tables: T,
  envNames: EnvNames<Used>,
  envVariables: EnvVariables<Used>,
): ClientAuth<T, Used> {
  const auth: ClientAuth<T, Used> = {
    tables,
    envNames,
    authFor: (operationId, credentials) => resolveAuth(tables, operationId, credentials),
    withAuth: (fetchImpl, credentials, options) => withAuthFor(auth, fetchImpl, credentials, options),
    credentialsFromEnv: (env, options) => credentialsFromEnv<T['schemes'], Used>(tables.schemes, envVariables, env, options),
  };
  return auth;
}

// ---------------------------------------------------------------------------
// OAuth2 grants, their endpoints defaulting to the spec's flows

/** Names of the schemes in `S` that are OAuth2 with a flow of kind `F`. */
export type OAuthFlowSchemeOf<S extends SchemeTable, F extends OAuthFlowSpec['flow']> = {
  [K in keyof S & string]: S[K] extends { readonly kind: 'oauth2'; readonly flows: readonly (infer G)[] }
    ? [Extract<G, { readonly flow: F }>] extends [never]
      ? never
      : K
    : never;
}[keyof S & string];

/** Names of the schemes in `S` that are OAuth2 with a `clientCredentials` flow. */
export type ClientCredentialsSchemeOf<S extends SchemeTable> = OAuthFlowSchemeOf<S, 'clientCredentials'>;
/** Names of the schemes in `S` that are OAuth2 with an `authorizationCode` flow (PKCE). */
export type AuthorizationCodeSchemeOf<S extends SchemeTable> = OAuthFlowSchemeOf<S, 'authorizationCode'>;
/** Names of the schemes in `S` whose flows issue refresh tokens to apps: `authorizationCode` or `password`. */
export type RefreshTokenSchemeOf<S extends SchemeTable> = OAuthFlowSchemeOf<S, 'authorizationCode' | 'password'>;

/** `scheme` and `baseUrl`, and the URL option `U`: optional when the spec can supply it (`N` not `never`). */
type SpecEndpointOptions<N extends string, U extends string> = {
  /** The OAuth2 scheme whose flow gives the default URL. */
  readonly scheme?: N;
  /** Base for a relative URL (the spec's or yours), typically the API's server URL. */
  readonly baseUrl?: string | URL;
} & ([N] extends [never] ? { readonly [K in U]: string | URL } : { readonly [K in U]?: string | URL });

/**
 * `clientCredentialsToken` options for one spec. `tokenUrl` defaults to the
 * `clientCredentials` flow of `scheme`, which may be left out when the spec has exactly
 * one such scheme; a spec without one needs `tokenUrl`. A relative token URL (the spec's
 * or yours) is resolved against `baseUrl` (RFC 3986 §5, as `new URL(tokenUrl, baseUrl)`).
 */
export type SpecClientCredentialsOptions<N extends string> = Omit<ClientCredentialsOptions, 'tokenUrl'> & SpecEndpointOptions<N, 'tokenUrl'>;
/** `refreshTokenProvider` options for one spec: `tokenUrl` defaults to the flow's `refreshUrl`, else its `tokenUrl`. */
export type SpecRefreshTokenOptions<N extends string> = Omit<RefreshTokenOptions, 'tokenUrl'> & SpecEndpointOptions<N, 'tokenUrl'>;
/** `startAuthorization` options for one spec: `authorizationUrl` defaults to the authorizationCode flow's. */
export type SpecStartAuthorizationOptions<N extends string> = Omit<StartAuthorizationOptions, 'authorizationUrl'> & SpecEndpointOptions<N, 'authorizationUrl'>;
/** `completeAuthorization` options for one spec: `tokenUrl` defaults to the authorizationCode flow's. */
export type SpecCompleteAuthorizationOptions<N extends string> = Omit<CompleteAuthorizationOptions, 'tokenUrl'> & SpecEndpointOptions<N, 'tokenUrl'>;

interface UrlChoice {
  readonly given?: string | URL | undefined;
  readonly scheme?: string | undefined;
  readonly baseUrl?: string | URL | undefined;
}

/**
 * An endpoint URL (absolute): the one given, else the spec's, from the first of `flows`
 * that `scheme` has (or the only scheme with one of them); `field` names the flow's URL
 * used. A TypeError says what is missing, naming `fn` and the option to pass.
 */
function specFlowUrl(
  schemes: SchemeTable,
  fn: string,
  option: 'tokenUrl' | 'authorizationUrl',
  flows: readonly OAuthFlowSpec['flow'][],
  field: (flow: OAuthFlowSpec) => 'tokenUrl' | 'authorizationUrl' | 'refreshUrl',
  choice: UrlChoice,
): URL {
  const flowOf = (name: string): OAuthFlowSpec | undefined => {
    const scheme = own(schemes, name);
    if (scheme?.kind !== 'oauth2') return undefined;
    for (const kind of flows) {
      const flow = scheme.flows.find((f) => f.flow === kind);
      if (flow !== undefined) return flow;
    }
    return undefined;
  };
  const kinds = `${/^[aeiou]/.test(flows[0] ?? '') ? 'an' : 'a'} ${flows.join(' or ')} flow`;
  let raw: string | URL;
  let origin: string;
  if (choice.given !== undefined) {
    raw = choice.given;
    origin = option;
  } else {
    const candidates = Object.keys(schemes).filter((name) => flowOf(name) !== undefined);
    const name = choice.scheme ?? (candidates.length === 1 ? candidates[0] : undefined);
    if (name === undefined) {
      throw new TypeError(
        candidates.length === 0
          ? `${fn}: the spec has no OAuth2 scheme with ${kinds}, so ${option} must be given`
          : `${fn}: several OAuth2 schemes have ${kinds} (${candidates.map((c) => JSON.stringify(c)).join(', ')}): pass scheme, or ${option}`,
      );
    }
    const flow = flowOf(name);
    const key = flow === undefined ? undefined : field(flow);
    const url = flow === undefined || key === undefined ? undefined : flow[key];
    if (url === undefined) throw new TypeError(`${fn}: scheme ${JSON.stringify(name)} is not an OAuth2 scheme with ${kinds}, so ${option} must be given`);
    raw = url;
    origin = `the ${key} of scheme ${JSON.stringify(name)} in the spec`;
  }
  try {
    return choice.baseUrl === undefined ? new URL(raw) : new URL(raw, choice.baseUrl);
  } catch {
    throw new TypeError(`${fn}: ${origin} (${JSON.stringify(String(raw))}) is not an absolute URL: ${option} must be given as an absolute URL, or baseUrl to resolve it against`);
  }
}

type Choice = { readonly tokenUrl?: string | URL | undefined; readonly scheme?: string | undefined; readonly baseUrl?: string | URL | undefined };

/** The token URL `clientCredentialsTokenFor` will POST to (absolute), or a TypeError saying what is missing. */
export function clientCredentialsTokenUrl(schemes: SchemeTable, options: Choice): URL {
  return specFlowUrl(schemes, 'clientCredentialsToken', 'tokenUrl', ['clientCredentials'], () => 'tokenUrl', { ...options, given: options.tokenUrl });
}

/** `clientCredentialsToken` with the token URL taken from the spec's tables unless given. */
export function clientCredentialsTokenFor<N extends string>(schemes: SchemeTable, options: SpecClientCredentialsOptions<N>): TokenProvider {
  const { scheme, baseUrl, tokenUrl, ...rest } = options as Omit<ClientCredentialsOptions, 'tokenUrl'> & Choice;
  return clientCredentialsToken({ ...rest, tokenUrl: clientCredentialsTokenUrl(schemes, { tokenUrl, scheme, baseUrl }) });
}

/**
 * The URL `refreshTokenProviderFor` refreshes at: the given `tokenUrl`, else the
 * `refreshUrl` of the scheme's authorizationCode flow (else its password flow), else
 * that flow's `tokenUrl` (OpenAPI: refreshUrl is optional, the token endpoint serves §6).
 */
export function refreshTokenUrl(schemes: SchemeTable, options: Choice): URL {
  return specFlowUrl(schemes, 'refreshTokenProvider', 'tokenUrl', ['authorizationCode', 'password'], (f) => (f.refreshUrl !== undefined ? 'refreshUrl' : 'tokenUrl'), {
    ...options,
    given: options.tokenUrl,
  });
}

/** `refreshTokenProvider` with the token URL taken from the spec's tables unless given. */
export function refreshTokenProviderFor<N extends string>(schemes: SchemeTable, options: SpecRefreshTokenOptions<N>): TokenProvider {
  const { scheme, baseUrl, tokenUrl, ...rest } = options as Omit<RefreshTokenOptions, 'tokenUrl'> & Choice;
  return refreshTokenProvider({ ...rest, tokenUrl: refreshTokenUrl(schemes, { tokenUrl, scheme, baseUrl }) });
}

/** The authorization endpoint: `authorizationUrl` given, else the spec's authorizationCode flow's. */
export function authorizationEndpointUrl(
  schemes: SchemeTable,
  options: { readonly authorizationUrl?: string | URL | undefined; readonly scheme?: string | undefined; readonly baseUrl?: string | URL | undefined },
): URL {
  return specFlowUrl(schemes, 'startAuthorization', 'authorizationUrl', ['authorizationCode'], () => 'authorizationUrl', { ...options, given: options.authorizationUrl });
}

/** The token endpoint the code is exchanged at: `tokenUrl` given, else the spec's authorizationCode flow's. */
export function authorizationCodeTokenUrl(schemes: SchemeTable, options: Choice): URL {
  return specFlowUrl(schemes, 'completeAuthorization', 'tokenUrl', ['authorizationCode'], () => 'tokenUrl', { ...options, given: options.tokenUrl });
}

/** `startAuthorization` (PKCE) with the authorization URL taken from the spec's tables unless given. */
export function startAuthorizationFor<N extends string>(schemes: SchemeTable, options: SpecStartAuthorizationOptions<N>): Promise<AuthorizationRequest> {
  const { scheme, baseUrl, authorizationUrl, ...rest } = options as Omit<StartAuthorizationOptions, 'authorizationUrl'> & UrlChoice & { readonly authorizationUrl?: string | URL };
  return startAuthorization({ ...rest, authorizationUrl: authorizationEndpointUrl(schemes, { authorizationUrl, scheme, baseUrl }) });
}

/** `completeAuthorization` (state check and code exchange) with the token URL taken from the spec's tables unless given. */
export function completeAuthorizationFor<N extends string>(schemes: SchemeTable, options: SpecCompleteAuthorizationOptions<N>): Promise<OAuthTokens> {
  const { scheme, baseUrl, tokenUrl, ...rest } = options as Omit<CompleteAuthorizationOptions, 'tokenUrl'> & Choice;
  return completeAuthorization({ ...rest, tokenUrl: authorizationCodeTokenUrl(schemes, { tokenUrl, scheme, baseUrl }) });
}

export { clientCredentialsToken, OAuthRefreshError, OAuthTokenError, refreshTokenProvider } from './runtime-oauth2.js';
export type { ClientCredentialsOptions, OAuthTokens, RefreshedTokens, RefreshTokenOptions, TokenFetch } from './runtime-oauth2.js';
export {
  authorizationCodeFrom,
  authorizationUrl,
  codeChallengeS256,
  completeAuthorization,
  createCodeVerifier,
  createState,
  OAuthAuthorizationError,
  OAuthStateMismatchError,
  startAuthorization,
} from './runtime-pkce.js';
export type { AuthorizationRequest, AuthorizationUrlOptions, CompleteAuthorizationOptions, PendingAuthorization, StartAuthorizationOptions } from './runtime-pkce.js';
