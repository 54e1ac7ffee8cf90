// Credentials from environment variables: one variable per scheme, `<NAME>_USERNAME`
// and `<NAME>_PASSWORD` for HTTP Basic, none for mutual TLS; unset or empty means no
// credential. Browser-safe: `process` is looked up on `globalThis`, never imported.
import type { SchemeTable } from './runtime-tables.js';
import { own } from './runtime-tables.js';
import type { BasicCredentials, CredentialsFor, EnvLike, EnvNames } from './runtime-credentials.js';

// ---------------------------------------------------------------------------
// Environment

export interface ProcessLike {
  readonly process?: { readonly env?: EnvLike };
}

/** `process.env` when there is one (Node, Bun, Deno's compat layer), `{}` in browsers. */
export function defaultEnv(): EnvLike {
  return (globalThis as unknown as ProcessLike).process?.env ?? {};
}

/**
 * Reads one variable per scheme, `<prefix><NAME>`; HTTP Basic reads `<prefix><NAME>_USERNAME`
 * and `<prefix><NAME>_PASSWORD` (both must be non-empty). Mutual TLS is configured on the
 * transport and never read from the environment. Unset or empty means "no credential".
 */
export function credentialsFromEnv<Schemes extends SchemeTable, Used extends keyof Schemes & string>(
  schemes: Schemes,
  envNames: EnvNames<Used>,
  env: EnvLike = defaultEnv(),
  options: { readonly prefix?: string } = {},
): CredentialsFor<Schemes, Used> {
  const prefix = options.prefix ?? '';
  const read = (name: string): string | undefined => {
    const value = Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined;
    return value === undefined || value === '' ? undefined : value;
  };
  // A scheme may be named `__proto__`: define, never assign.
  const out: Record<string, string | BasicCredentials> = {};
  const set = (key: string, value: string | BasicCredentials): void => {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  };
  for (const schemeName of Object.keys(envNames)) {
    const base = own(envNames as { readonly [k: string]: string | undefined }, schemeName);
    const scheme = own(schemes, schemeName);
    if (base === undefined || scheme === undefined || scheme.kind === 'mutualTLS') continue;
    if (scheme.kind === 'http' && scheme.scheme === 'basic') {
      const username = read(`${prefix}${base}_USERNAME`);
      const password = read(`${prefix}${base}_PASSWORD`);
      if (username !== undefined && password !== undefined) set(schemeName, { username, password });
    } else {
      const value = read(`${prefix}${base}`);
      if (value !== undefined) set(schemeName, value);
    }
  }
  return out as CredentialsFor<Schemes, Used>;
}

