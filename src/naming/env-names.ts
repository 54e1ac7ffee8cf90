// Scheme names -> environment variable names for the client's credentialsFromEnv():
// SCREAMING_SNAKE_CASE behind a prefix, unique per spec, stable.
//
// A scheme's name is written by whoever wrote the spec (often a vendor), so it must not
// choose which of the user's variables the client reads and sends: every name carries a
// prefix (from the config's `envPrefix`, else derived from the spec's title), and the
// final names (Basic's `_USERNAME` / `_PASSWORD` included) are distinct across schemes.
import type { Scheme } from '../ir/types.js';
import { compareCodeUnits } from '../shared/order.js';

/** What a configured `envPrefix` must look like: `MYAPI_`, `ACME_BILLING_`. */
export const ENV_PREFIX_PATTERN = /^[A-Z][A-Z0-9_]*_$/;

export function toScreamingSnake(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    // An acronym ends where a capitalised word starts (APIKey -> API_KEY), but a lone
    // capital is part of the word (OAuth2 -> OAUTH2, not O_AUTH2).
    .replace(/([A-Z]{2,})([A-Z][a-z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  const joined = words.join('_').toUpperCase();
  if (joined === '') return 'CREDENTIAL';
  return /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

/**
 * Names a spec's title could steer the prefix into (`AWS` + scheme `SECRET_ACCESS_KEY`):
 * when a name derived from the title is one of these, or starts with one of the
 * prefixes, the derived prefix gets `API_` in front. Not a complete list: a configured
 * `envPrefix` is the real answer for a spec someone else writes.
 */
const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'PATH', 'HOME', 'USER', 'SHELL', 'PWD', 'LANG', 'TMPDIR', 'NODE_OPTIONS', 'LD_PRELOAD',
  'GITHUB_TOKEN', 'GH_TOKEN', 'GITLAB_TOKEN', 'NPM_TOKEN', 'NODE_AUTH_TOKEN', 'DATABASE_URL',
  'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'SSH_AUTH_SOCK',
]);
const RESERVED_PREFIXES: readonly string[] = ['AWS_', 'AZURE_', 'GOOGLE_', 'GCP_', 'GITHUB_', 'ACTIONS_', 'CI_', 'NPM_CONFIG_', 'DOCKER_', 'KUBE', 'VAULT_', 'SSH_'];

export function isReservedEnvName(name: string): boolean {
  return RESERVED_NAMES.has(name) || RESERVED_PREFIXES.some((p) => name.startsWith(p));
}

/**
 * The default prefix, from the spec's title: text in parentheses or brackets dropped,
 * uppercase, every run of other characters one `_`, ending in `_`; `API_` in front of
 * a leading digit, and `API_` alone for a title with nothing left
 * (`Petstore (security example)` -> `PETSTORE_`, `3D Secure` -> `API_3D_SECURE_`).
 */
export function envPrefixFromTitle(title: string): string {
  let text = title;
  // Innermost groups first, so `A (b (c)) D` loses the whole group.
  for (let before = ''; before !== text; ) {
    before = text;
    text = text.replace(/\([^()]*\)|\[[^[\]]*\]/g, ' ');
  }
  const core = text.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  if (core === '') return 'API_';
  return /^[0-9]/.test(core) ? `API_${core}_` : `${core}_`;
}

/**
 * The variables a scheme's credential is read from: `<BASE>` for a single value,
 * `<BASE>_USERNAME` and `<BASE>_PASSWORD` for HTTP Basic, none for mutual TLS (the
 * certificate is configured on the transport). The one place this rule is written:
 * the generated client reads these names from its `envVariables` table.
 */
export function envVariables(scheme: Scheme | undefined, base: string): string[] {
  if (scheme === undefined || scheme.kind === 'mutualTLS') return [];
  if (scheme.kind === 'http' && scheme.scheme === 'basic') return [`${base}_USERNAME`, `${base}_PASSWORD`];
  return [base];
}

export interface EnvAssignment {
  /** `<prefix><SCHEME>` plus `_2`, `_3`… when needed: the `envNames` table's value. */
  readonly base: string;
  /** The variables actually read (see `envVariables`). */
  readonly variables: readonly string[];
}

/**
 * Scheme id -> base and variables, every name behind `prefix`. Schemes are taken in
 * code-unit order of their ids; a scheme whose base or any of its final variable
 * names (suffixes included) is already taken gets `_2`, `_3`… on its base until none
 * is, so all variables of all schemes are distinct whatever the ids are.
 */
export function assignEnvNames(schemeIds: readonly string[], schemeOf: (id: string) => Scheme | undefined, prefix: string): Map<string, EnvAssignment> {
  const out = new Map<string, EnvAssignment>();
  const taken = new Set<string>();
  for (const id of [...new Set(schemeIds)].sort(compareCodeUnits)) {
    const scheme = schemeOf(id);
    const first = prefix + toScreamingSnake(id);
    let base = first;
    let variables = envVariables(scheme, base);
    for (let n = 2; taken.has(base) || variables.some((v) => taken.has(v)); n++) {
      base = `${first}_${n}`;
      variables = envVariables(scheme, base);
    }
    taken.add(base);
    for (const v of variables) taken.add(v);
    out.set(id, { base, variables });
  }
  return out;
}

/** Map scheme name -> env base name (`prefix` in front); names that collide get `_2`, `_3`… in code-unit order. */
export function envNames(schemeIds: readonly string[], prefix = ''): Map<string, string> {
  return new Map([...assignEnvNames(schemeIds, () => undefined, prefix)].map(([id, a]) => [id, a.base]));
}

/**
 * The client's variables for a spec: `envPrefix` when configured, else the prefix
 * derived from `title` (with `API_` in front when a derived name would be a
 * well-known system or cloud variable).
 */
export function clientEnvNames(schemes: readonly Scheme[], usedIds: readonly string[], title: string, envPrefix?: string): { prefix: string; names: Map<string, EnvAssignment> } {
  const schemeOf = (id: string): Scheme | undefined => schemes.find((s) => s.id === id);
  if (envPrefix !== undefined) return { prefix: envPrefix, names: assignEnvNames(usedIds, schemeOf, envPrefix) };
  let prefix = envPrefixFromTitle(title);
  let names = assignEnvNames(usedIds, schemeOf, prefix);
  if ([...names.values()].some((a) => isReservedEnvName(a.base) || a.variables.some(isReservedEnvName))) {
    prefix = `API_${prefix}`;
    names = assignEnvNames(usedIds, schemeOf, prefix);
  }
  return { prefix, names };
}
