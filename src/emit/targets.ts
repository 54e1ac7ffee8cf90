// The targets a run can ask for: server adapters and client integrations. Their
// runtime files are rows of the manifest (manifest.ts).
export const SERVER_ADAPTERS = ['express', 'fastify', 'koa', 'hono', 'fetch', 'node'] as const;
export type ServerAdapter = (typeof SERVER_ADAPTERS)[number];
export const CLIENT_INTEGRATIONS = ['fetch', 'openapi-fetch', 'axios'] as const;
export type ClientIntegration = (typeof CLIENT_INTEGRATIONS)[number];
