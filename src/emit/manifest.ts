// Which runtime files the output needs: one row per runtime file with the runtime
// files it imports, and one row per target (server adapter, client integration) with
// the files it starts from. The output gets the closure of a target's rows. A table
// rather than a scan of import lines, so an import written another way (double quotes,
// `import()`) cannot silently leave a file out: test/unit/manifest.test.ts parses every
// runtime file with TypeScript and checks that its imports are exactly its row.
import type { ClientIntegration, Features, ServerAdapter } from './targets.js';

export const RUNTIME_IMPORTS = {
  'axios.ts': ['runtime-client.ts'],
  'express.ts': ['runtime-address.ts', 'runtime-request.ts', 'runtime-server.ts'],
  'fastify.ts': ['runtime-address.ts', 'runtime-request.ts', 'runtime-server.ts'],
  'fetch.ts': ['runtime-server.ts'],
  'hono.ts': ['runtime-address.ts', 'runtime-request.ts', 'runtime-server.ts'],
  'koa.ts': ['runtime-address.ts', 'runtime-request.ts', 'runtime-server.ts'],
  'node.ts': ['runtime-server.ts'],
  'openapi-fetch.ts': ['runtime-client.ts'],
  'runtime-api-keys.ts': ['runtime-key-format.ts', 'runtime-keys.ts'],
  'runtime-attach.ts': ['runtime-credentials.ts', 'runtime-http-schemes.ts', 'runtime-tables.ts'],
  'runtime-bind.ts': ['runtime-route-syntax.ts', 'runtime-tables.ts'],
  'runtime-client.ts': ['runtime-attach.ts', 'runtime-credentials.ts', 'runtime-env.ts', 'runtime-oauth2.ts', 'runtime-pkce.ts', 'runtime-retry.ts', 'runtime-select.ts', 'runtime-tables.ts', 'runtime-with-auth.ts'],
  'runtime-address.ts': [],
  'runtime-context.ts': ['runtime-extract.ts', 'runtime-request.ts', 'runtime-types.ts'],
  'runtime-cidr.ts': [],
  'runtime-coverage.ts': ['runtime-bind.ts', 'runtime-types.ts'],
  'runtime-credentials.ts': ['runtime-http-schemes.ts', 'runtime-tables.ts'],
  'runtime-decide.ts': ['runtime-bind.ts', 'runtime-observe.ts', 'runtime-problem.ts', 'runtime-request.ts', 'runtime-types.ts'],
  'runtime-deny.ts': ['runtime-context.ts', 'runtime-extract.ts', 'runtime-plan.ts', 'runtime-problem.ts', 'runtime-types.ts'],
  'runtime-env.ts': ['runtime-credentials.ts', 'runtime-tables.ts'],
  'runtime-evaluate.ts': [
    'runtime-bind.ts',
    'runtime-context.ts',
    'runtime-deny.ts',
    'runtime-extract.ts',
    'runtime-http-schemes.ts',
    'runtime-nearby.ts',
    'runtime-observe.ts',
    'runtime-pending.ts',
    'runtime-plan.ts',
    'runtime-request.ts',
    'runtime-routes.ts',
    'runtime-scheme-compile.ts',
    'runtime-tables.ts',
    'runtime-types.ts',
  ],
  'runtime-pending.ts': ['runtime-context.ts', 'runtime-deny.ts', 'runtime-extract.ts', 'runtime-plan.ts', 'runtime-types.ts'],
  'runtime-extract.ts': ['runtime-http-schemes.ts', 'runtime-plan.ts', 'runtime-request.ts', 'runtime-types.ts'],
  'runtime-http-schemes.ts': [],
  'runtime-introspection.ts': ['runtime-timeout.ts', 'runtime-token-cache.ts', 'runtime-token-claims.ts', 'runtime-token-endpoint.ts', 'runtime-token-http.ts', 'runtime-types.ts'],
  'runtime-jwks.ts': ['runtime-token-http.ts', 'runtime-types.ts'],
  'runtime-jwt-checks.ts': ['runtime-token-claims.ts'],
  'runtime-jwt.ts': ['runtime-jwks.ts', 'runtime-jwt-checks.ts', 'runtime-oidc-discovery.ts', 'runtime-tables.ts', 'runtime-token-claims.ts', 'runtime-token-http.ts', 'runtime-types.ts'],
  'runtime-key-format.ts': [],
  'runtime-key-cache.ts': ['runtime-key-record.ts'],
  'runtime-key-listen.ts': [],
  'runtime-key-record.ts': ['runtime-cidr.ts'],
  'runtime-key-store.ts': ['runtime-api-keys.ts', 'runtime-key-record.ts'],
  'runtime-key-store-postgres.ts': ['runtime-key-cache.ts', 'runtime-key-listen.ts', 'runtime-key-record.ts', 'runtime-types.ts'],
  'runtime-key-verifier.ts': ['runtime-cidr.ts', 'runtime-key-format.ts', 'runtime-key-record.ts', 'runtime-request.ts', 'runtime-types.ts'],
  'runtime-keys.ts': [],
  'runtime-limits.ts': ['runtime-types.ts'],
  'runtime-nearby.ts': ['runtime-bind.ts', 'runtime-tables.ts'],
  'runtime-observe.ts': ['runtime-deny.ts', 'runtime-extract.ts', 'runtime-key-format.ts', 'runtime-plan.ts', 'runtime-request.ts', 'runtime-types.ts'],
  'runtime-oauth2.ts': ['runtime-credentials.ts', 'runtime-token-endpoint.ts'],
  'runtime-oidc-discovery.ts': ['runtime-token-http.ts'],
  'runtime-pkce.ts': ['runtime-token-endpoint.ts'],
  'runtime-plan.ts': ['runtime-http-schemes.ts', 'runtime-problem.ts', 'runtime-tables.ts', 'runtime-types.ts'],
  'runtime-problem.ts': ['runtime-types.ts'],
  'runtime-quota-policy.ts': ['runtime-http-schemes.ts', 'runtime-key-record.ts', 'runtime-rate-limit-headers.ts'],
  'runtime-quota-tally.ts': ['runtime-timeout.ts'],
  'runtime-quota.ts': ['runtime-key-record.ts', 'runtime-limits.ts', 'runtime-quota-policy.ts', 'runtime-quota-tally.ts', 'runtime-rate-limit-headers.ts', 'runtime-types.ts'],
  'runtime-rate-limit-headers.ts': [],
  'runtime-request.ts': ['runtime-address.ts'],
  'runtime-retry.ts': ['runtime-credentials.ts'],
  'runtime-route-syntax.ts': [],
  'runtime-routes.ts': ['runtime-route-syntax.ts', 'runtime-tables.ts', 'runtime-trie.ts'],
  'runtime-scheme-compile.ts': ['runtime-http-schemes.ts', 'runtime-plan.ts', 'runtime-tables.ts'],
  'runtime-select.ts': ['runtime-attach.ts', 'runtime-credentials.ts', 'runtime-tables.ts'],
  'runtime-server.ts': ['runtime-bind.ts', 'runtime-address.ts', 'runtime-coverage.ts', 'runtime-decide.ts', 'runtime-evaluate.ts', 'runtime-key-format.ts', 'runtime-problem.ts', 'runtime-request.ts', 'runtime-types.ts'],
  'runtime-tables.ts': [],
  'runtime-timeout.ts': [],
  'runtime-token-cache.ts': [],
  'runtime-token-claims.ts': ['runtime-types.ts'],
  'runtime-token-endpoint.ts': [],
  'runtime-token-http.ts': ['runtime-token-endpoint.ts', 'runtime-types.ts'],
  'runtime-trie.ts': [],
  'runtime-types.ts': ['runtime-bind.ts', 'runtime-address.ts', 'runtime-request.ts', 'runtime-tables.ts'],
  'runtime-usage.ts': ['runtime-limits.ts', 'runtime-types.ts'],
  'runtime-with-auth.ts': ['runtime-attach.ts', 'runtime-credentials.ts', 'runtime-retry.ts', 'runtime-routes.ts', 'runtime-select.ts', 'runtime-tables.ts'],
} as const satisfies Readonly<Record<string, readonly string[]>>;

export type RuntimeFile = keyof typeof RUNTIME_IMPORTS;


/** What every output holds: the guard's runtime and the key helpers (format, records, verifier, stores). */
const ALWAYS: readonly RuntimeFile[] = ['runtime-server.ts', 'runtime-keys.ts', 'runtime-api-keys.ts', 'runtime-key-verifier.ts', 'runtime-key-store.ts'];

/** The files each target starts from. `fetch` is both a server adapter and a client integration: two rows. */
export const SERVER_RUNTIME: { readonly [A in ServerAdapter]: readonly RuntimeFile[] } = {
  express: ['express.ts'],
  fastify: ['fastify.ts'],
  koa: ['koa.ts'],
  hono: ['hono.ts'],
  fetch: ['fetch.ts'],
  node: ['node.ts'],
};
export const CLIENT_RUNTIME: { readonly [I in ClientIntegration]: readonly RuntimeFile[] } = {
  fetch: ['runtime-client.ts'],
  'openapi-fetch': ['runtime-client.ts', 'openapi-fetch.ts'],
  axios: ['runtime-client.ts', 'axios.ts'],
};

/** The files each optional feature adds (`keys: 'postgres'`, `quotas`, `usage`, `jwt`, `introspection`). */
export const FEATURE_RUNTIME: { readonly [F in keyof Features]-?: readonly RuntimeFile[] } = {
  keys: ['runtime-key-store-postgres.ts'],
  quotas: ['runtime-quota.ts'],
  usage: ['runtime-usage.ts'],
  jwt: ['runtime-jwt.ts'],
  introspection: ['runtime-introspection.ts'],
};

/** The runtime files the targets (and features) need, imports included, in a stable order. */
export function runtimeFilesFor(server: readonly ServerAdapter[], client: readonly ClientIntegration[], features: Features = {}): RuntimeFile[] {
  const out = new Set<RuntimeFile>();
  const wanted = (Object.keys(FEATURE_RUNTIME) as (keyof Features)[]).filter((f) => features[f] !== undefined);
  const queue: RuntimeFile[] = [...ALWAYS, ...server.flatMap((a) => SERVER_RUNTIME[a]), ...client.flatMap((i) => CLIENT_RUNTIME[i]), ...wanted.flatMap((f) => FEATURE_RUNTIME[f])];
  while (queue.length > 0) {
    const file = queue.shift() as RuntimeFile;
    if (out.has(file)) continue;
    out.add(file);
    queue.push(...RUNTIME_IMPORTS[file]);
  }
  return [...out].sort();
}
