// The targets a run can ask for: server adapters and client integrations. Their
// runtime files are rows of the manifest (manifest.ts).
export const SERVER_ADAPTERS = ['express', 'fastify', 'koa', 'hono', 'fetch', 'node'] as const;
export type ServerAdapter = (typeof SERVER_ADAPTERS)[number];
export const CLIENT_INTEGRATIONS = ['fetch', 'openapi-fetch', 'axios'] as const;
export type ClientIntegration = (typeof CLIENT_INTEGRATIONS)[number];

/** Optional runtime files a config asks for: each adds files (and, for quotas, an import the app installs). */
export interface Features {
  /** The PostgreSQL key store (runtime-key-store-postgres.ts) and its SQL (keys.postgres.sql). */
  readonly keys?: 'postgres';
  /** Per-key quotas (runtime-quota.ts; imports rate-limiter-flexible). */
  readonly quotas?: true;
  /** Usage counting for billing (runtime-usage.ts). */
  readonly usage?: true;
  /** JWT access token verification (runtime-jwt.ts and its helpers; imports jose). */
  readonly jwt?: true;
  /** Opaque access token verification by RFC 7662 introspection (runtime-introspection.ts). */
  readonly introspection?: true;
}
