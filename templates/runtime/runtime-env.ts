// Credentials from environment variables, read under the names the generated client's
// `envVariables` table gives (the naming rule is the generator's); unset or empty
// means no credential. Browser-safe: `process` is looked up on `globalThis`, never imported.
import type { SchemeTable } from './runtime-tables.js';
import { own } from './runtime-tables.js';
import type { BasicCredentials, CredentialsFor, EnvLike, EnvVariables } from './runtime-credentials.js';

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
 * Reads each scheme's variables as `envVariables` (generated) names them, each with
 * `prefix` in front: one value, or for HTTP Basic the username and the password (both
 * must be non-empty); a scheme with no variables (mutual TLS) is never read. Unset or
 * empty means "no credential". The naming rule lives in the generator only.
 */
export function credentialsFromEnv<Schemes extends SchemeTable, Used extends keyof Schemes & string>(
  schemes: Schemes,
  envVariables: EnvVariables<Used>,
  env: EnvLike = defaultEnv(),
  options: { readonly prefix?: string } = {},
): CredentialsFor<Schemes, Used> {
  const prefix = options.prefix ?? '';
  const read = (name: string | undefined): string | undefined => {
    if (name === undefined) return undefined;
    const value = Object.prototype.hasOwnProperty.call(env, prefix + name) ? env[prefix + name] : undefined;
    return value === undefined || value === '' ? undefined : value;
  };
  // A scheme may be named `__proto__`: define, never assign.
  const out: Record<string, string | BasicCredentials> = {};
  const set = (key: string, value: string | BasicCredentials): void => {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  };
  for (const schemeName of Object.keys(envVariables)) {
    const names = own(envVariables as { readonly [k: string]: readonly string[] | undefined }, schemeName);
    const scheme = own(schemes, schemeName);
    if (names === undefined || names.length === 0 || scheme === undefined || scheme.kind === 'mutualTLS') continue;
    if (scheme.kind === 'http' && scheme.scheme === 'basic') {
      const username = read(names[0]);
      const password = read(names[1]);
      if (username !== undefined && password !== undefined) set(schemeName, { username, password });
    } else {
      const value = read(names[0]);
      if (value !== undefined) set(schemeName, value);
    }
  }
  return out as CredentialsFor<Schemes, Used>;
}
