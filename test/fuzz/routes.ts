// The routes of the routing fuzz fixture (test/fuzz/routing.yaml) as users write
// them in each router's syntax, which operations require credentials, the table the
// app builders serve (`AppSpec`, shared with the siblings fixture), and the log the
// handlers write: every handler records which operation it implements and which
// operation the adapter's auth decision was for, keyed by the request's `x-fuzz-id`.

/** Operation → whether it requires credentials (`getFeed` is optional: `[{}, {ApiKey: []}]`). */
export const OPERATIONS = {
  listThings: false,
  getThing: true,
  getDoc: false,
  getSecret: true,
  getReport: false,
  getReportPdf: true,
  getFile: true,
  getAdminStats: true,
  listCatalog: false,
  deleteOrder: true,
  listMyPets: true,
  showPet: false,
  getFeed: false,
} as const satisfies Record<string, boolean>;
export type OperationId = keyof typeof OPERATIONS;
export const OPERATION_IDS = Object.keys(OPERATIONS) as OperationId[];
export const requiresCredentials = (op: string | undefined): boolean => op !== undefined && (OPERATIONS as Record<string, boolean>)[op] === true;

/** Public operations whose handlers must run at least once per framework and mode. */
export const PUBLIC_CONTROL_OPS: readonly OperationId[] = ['listThings', 'getDoc', 'getReport', 'listCatalog'];

/** path-to-regexp v8 (Express 5, @koa/router 15), find-my-way (Fastify, node), Hono. */
export interface RoutePaths {
  readonly ptr: string;
  readonly fmw: string;
  readonly hono: string;
}

export interface RouteDef {
  readonly method: 'GET' | 'DELETE' | 'HEAD';
  /** The operation the handler implements; `undefined` outside the spec. */
  readonly op: string | undefined;
  /** Names the route in reports (the wildcard route is getFile's handler too). */
  readonly key: string;
  readonly paths: RoutePaths;
}

const same = (p: string): RoutePaths => ({ ptr: p, fmw: p, hono: p });

/** The spec's operations, concrete paths before templated ones (first-match routers). */
export const SPEC_ROUTES: readonly RouteDef[] = [
  { method: 'GET', op: 'listThings', key: 'listThings', paths: same('/v1/things') },
  { method: 'GET', op: 'getThing', key: 'getThing', paths: same('/v1/things/:id') },
  { method: 'GET', op: 'getDoc', key: 'getDoc', paths: same('/v1/docs/:id') },
  { method: 'GET', op: 'getSecret', key: 'getSecret', paths: same('/v1/docs/:id/secret') },
  // Hono has no `:name.pdf`: a regex parameter spanning the segment (the value is `a.pdf`).
  { method: 'GET', op: 'getReportPdf', key: 'getReportPdf', paths: { ptr: '/v1/reports/:name.pdf', fmw: '/v1/reports/:name.pdf', hono: '/v1/reports/:name{[^/]+\\.pdf}' } },
  { method: 'GET', op: 'getReport', key: 'getReport', paths: same('/v1/reports/:name') },
  { method: 'GET', op: 'getFile', key: 'getFile', paths: same('/v1/files/:path') },
  { method: 'GET', op: 'getAdminStats', key: 'getAdminStats', paths: same('/v1/admin/stats') },
  { method: 'GET', op: 'listCatalog', key: 'listCatalog', paths: same('/v1/catalog') },
  { method: 'DELETE', op: 'deleteOrder', key: 'deleteOrder', paths: same('/v1/orders/:id') },
  { method: 'GET', op: 'listMyPets', key: 'listMyPets', paths: same('/v1/pets/mine') },
  { method: 'GET', op: 'showPet', key: 'showPet', paths: same('/v1/pets/:petId') },
  { method: 'GET', op: 'getFeed', key: 'getFeed', paths: same('/v1/feed') },
];

/** Added in mode `next`: routes the spec expresses differently, and routes outside it. */
export const NEXT_EXTRA_ROUTES: readonly RouteDef[] = [
  // A wildcard where the spec has one segment; its handler is getFile's handler.
  { method: 'GET', op: 'getFile', key: 'getFile(wildcard)', paths: { ptr: '/v1/files/*path', fmw: '/v1/files/*', hono: '/v1/files/*' } },
  { method: 'GET', op: undefined, key: 'healthz', paths: same('/healthz') },
  { method: 'GET', op: undefined, key: 'extra', paths: same('/v1/extra') },
  // Outside the spec but under a spec prefix (`/catalog`): passes only as listed in `outsideSpec`.
  { method: 'GET', op: undefined, key: 'catalogExport', paths: same('/v1/catalog/export') },
];

/** Options of the app-wide form in mode `next`. */
export const NEXT_OPTIONS = { unknownRoute: 'next', outsideSpec: ['GET /healthz', 'GET /v1/catalog/export'] } as const;

/** Routes outside the spec that must answer 200 from their own handler in mode `next` (control). */
export const OUTSIDE_SPEC_CONTROLS: readonly { readonly target: string; readonly route: string }[] = [
  { target: '/healthz', route: 'healthz' },
  { target: '/v1/catalog/export', route: 'catalogExport' },
];

/** What an app builder serves: the routes users write, the operations, the `next` mode's extras. */
export interface AppSpec {
  /** In registration order (first-match routers run the first that matches). */
  readonly routes: readonly RouteDef[];
  /** Added after `routes` in mode `next`. */
  readonly nextRoutes: readonly RouteDef[];
  /** Every operation id: `mountOperations` gets one handler each. */
  readonly operationIds: readonly string[];
  readonly nextOptions: { readonly unknownRoute: 'next'; readonly outsideSpec: readonly string[] };
}

/** The routes a server of `mode` registers, in order. */
export const routesOf = (spec: AppSpec, mode: string): readonly RouteDef[] => (mode === 'next' ? [...spec.routes, ...spec.nextRoutes] : spec.routes);

export const ROUTING_APP: AppSpec = { routes: SPEC_ROUTES, nextRoutes: NEXT_EXTRA_ROUTES, operationIds: OPERATION_IDS, nextOptions: NEXT_OPTIONS };

// ---------------------------------------------------------------------------
// The handlers' log
// ---------------------------------------------------------------------------

export const FUZZ_ID_HEADER = 'x-fuzz-id';
/** A server sets this response header when the app saw something the adapter's contract rules out. */
export const ANOMALY_HEADER = 'x-fuzz-anomaly';

export interface HandlerRun {
  /** The route key (see `RouteDef.key`). */
  readonly route: string;
  readonly handlerOp: string | undefined;
  /** Whether the adapter stored an auth decision at all. */
  readonly hasAuth: boolean;
  readonly authOp: string | undefined;
}

/** Handler runs by request id; the test reads and clears it. */
export const handlerRuns = new Map<string, HandlerRun[]>();

/** Records a handler run; returns the JSON body the handler answers with. */
export function recordRun(id: unknown, route: string, handlerOp: string | undefined, auth: unknown): string {
  const authOp = typeof auth === 'object' && auth !== null ? (auth as { operationId?: unknown }).operationId : undefined;
  const run: HandlerRun = { route, handlerOp, hasAuth: auth !== undefined && auth !== null, authOp: typeof authOp === 'string' ? authOp : undefined };
  const key = typeof id === 'string' ? id : Array.isArray(id) ? String(id[0]) : 'unknown';
  const list = handlerRuns.get(key);
  if (list === undefined) handlerRuns.set(key, [run]);
  else list.push(run);
  return JSON.stringify({ handler: route, authOp: run.authOp ?? null });
}
