// Public entry of the client runtime (generated `client.ts` and the integrations
// import from here), and the per-spec binding. Client side of the security tables: turns caller credentials into the headers,
// query parameters and cookies an operation needs, and wraps `fetch` so they are
// attached to the right requests and never sent to a third party. Browser-safe:
// no `node:` imports and no reliance on Node's `process` typings, so the generated
// client runs in browsers and workers as well as in Node.

import type { SchemeTable, SecurityTables } from './runtime-tables.js';
import { own } from './runtime-tables.js';
import { clientCredentialsToken, type ClientCredentialsOptions } from './runtime-oauth2.js';

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
// OAuth2 client credentials, defaulting to the spec's flow

/** Names of the schemes in `S` that are OAuth2 with a `clientCredentials` flow. */
export type ClientCredentialsSchemeOf<S extends SchemeTable> = {
  [K in keyof S & string]: S[K] extends { readonly kind: 'oauth2'; readonly flows: readonly (infer F)[] }
    ? [Extract<F, { readonly flow: 'clientCredentials' }>] extends [never]
      ? never
      : K
    : never;
}[keyof S & string];

/**
 * `clientCredentialsToken` options for one spec. `tokenUrl` defaults to the
 * `clientCredentials` flow of `scheme`, which may be left out when the spec has exactly
 * one such scheme; a spec without one needs `tokenUrl`. A relative token URL (the spec's
 * or yours) is resolved against `baseUrl` (RFC 3986 §5, as `new URL(tokenUrl, baseUrl)`).
 */
export type SpecClientCredentialsOptions<N extends string> = Omit<ClientCredentialsOptions, 'tokenUrl'> & {
  /** The OAuth2 scheme whose `clientCredentials` flow gives the default `tokenUrl`. */
  readonly scheme?: N;
  /** Base for a relative `tokenUrl`, typically the API's server URL. */
  readonly baseUrl?: string | URL;
} & ([N] extends [never] ? { readonly tokenUrl: string | URL } : { readonly tokenUrl?: string | URL });

/** The token URL `clientCredentialsTokenFor` will POST to (absolute), or a TypeError saying what is missing. */
export function clientCredentialsTokenUrl(
  schemes: SchemeTable,
  options: { readonly tokenUrl?: string | URL | undefined; readonly scheme?: string | undefined; readonly baseUrl?: string | URL | undefined },
): URL {
  let raw: string | URL;
  let origin: string;
  if (options.tokenUrl !== undefined) {
    raw = options.tokenUrl;
    origin = 'tokenUrl';
  } else {
    const candidates = Object.keys(schemes).filter((name) => {
      const scheme = own(schemes, name);
      return scheme?.kind === 'oauth2' && scheme.flows.some((f) => f.flow === 'clientCredentials');
    });
    const name = options.scheme ?? (candidates.length === 1 ? candidates[0] : undefined);
    if (name === undefined) {
      throw new TypeError(
        candidates.length === 0
          ? 'clientCredentialsToken: the spec has no OAuth2 scheme with a clientCredentials flow, so tokenUrl must be given'
          : `clientCredentialsToken: several OAuth2 schemes have a clientCredentials flow (${candidates.map((c) => JSON.stringify(c)).join(', ')}): pass scheme, or tokenUrl`,
      );
    }
    const scheme = own(schemes, name);
    const flow = scheme?.kind === 'oauth2' ? scheme.flows.find((f) => f.flow === 'clientCredentials') : undefined;
    if (flow?.tokenUrl === undefined) {
      throw new TypeError(`clientCredentialsToken: scheme ${JSON.stringify(name)} is not an OAuth2 scheme with a clientCredentials flow, so tokenUrl must be given`);
    }
    raw = flow.tokenUrl;
    origin = `the tokenUrl of scheme ${JSON.stringify(name)} in the spec`;
  }
  try {
    return options.baseUrl === undefined ? new URL(raw) : new URL(raw, options.baseUrl);
  } catch {
    throw new TypeError(
      `clientCredentialsToken: ${origin} (${JSON.stringify(String(raw))}) is not an absolute URL: tokenUrl must be given as an absolute URL, or baseUrl to resolve it against`,
    );
  }
}

/** `clientCredentialsToken` with the token URL taken from the spec's tables unless given. */
export function clientCredentialsTokenFor<N extends string>(schemes: SchemeTable, options: SpecClientCredentialsOptions<N>): TokenProvider {
  const { scheme, baseUrl, tokenUrl, ...rest } = options as Omit<ClientCredentialsOptions, 'tokenUrl'> & {
    readonly scheme?: string;
    readonly baseUrl?: string | URL;
    readonly tokenUrl?: string | URL;
  };
  return clientCredentialsToken({ ...rest, tokenUrl: clientCredentialsTokenUrl(schemes, { tokenUrl, scheme, baseUrl }) });
}

export { clientCredentialsToken, OAuthTokenError } from './runtime-oauth2.js';
export type { ClientCredentialsOptions } from './runtime-oauth2.js';
