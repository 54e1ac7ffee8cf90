// The siblings fixture of the routing fuzz (test/fuzz/siblings.yaml): which operations
// require credentials, which operations overlap (routers take their paths as one
// route), the routes users write in each router's syntax, registered protected-first
// or public-first (Express, Koa and Hono run the first registered match), the
// request targets (seed paths, known attacks, vocabulary) and the controls: the
// non-overlapping public /status, and a valid key reaching each protected handler.
import type { AppSpec, RouteDef, RoutePaths } from './routes.js';
import { SYNTAX_WORDS, type Corpus, type Target } from './targets.js';

/** Operation → whether it requires credentials. */
export const SIBLING_OPERATIONS = {
  adminLower: false,
  adminUpper: true,
  listThings: false,
  listThingsSlash: true,
  pubU: false,
  privU: true,
  countUsers: false,
  getUser: true,
  headItem: false,
  getItem: true,
  getStatus: false,
} as const satisfies Record<string, boolean>;
type SiblingOp = keyof typeof SIBLING_OPERATIONS;
export const siblingRequiresCredentials = (op: string | undefined): boolean => op !== undefined && (SIBLING_OPERATIONS as Record<string, boolean>)[op] === true;

/**
 * The operations whose paths a router may take for one another's, by operation. A
 * request reaching a public handler matched every operation of its group (a request
 * to `/users/count` also matches `/users/{id}`; a HEAD request, the GET operation).
 */
const GROUPS: readonly (readonly SiblingOp[])[] = [
  ['adminLower', 'adminUpper'],
  ['listThings', 'listThingsSlash'],
  ['pubU', 'privU'],
  ['countUsers', 'getUser'],
  ['headItem', 'getItem'],
  ['getStatus'],
];
export const overlapsOf = (op: string): readonly string[] => GROUPS.find((g) => (g as readonly string[]).includes(op)) ?? [];

export type Order = 'prot' | 'pub';

const same = (p: string): RoutePaths => ({ ptr: p, fmw: p, hono: p });
const route = (method: RouteDef['method'], op: SiblingOp, path: string): RouteDef => ({ method, op, key: op, paths: same(path) });

/** Each pair protected first, as a user adding the protected route first would write it. */
const PAIRS: readonly (readonly [RouteDef, RouteDef])[] = [
  [route('GET', 'adminUpper', '/v1/Admin'), route('GET', 'adminLower', '/v1/admin')],
  [route('GET', 'listThingsSlash', '/v1/things/'), route('GET', 'listThings', '/v1/things')],
  [route('GET', 'privU', '/v1/u/:name'), route('GET', 'pubU', '/v1/u/:id')],
  [route('GET', 'getUser', '/v1/users/:id'), route('GET', 'countUsers', '/v1/users/count')],
  [route('GET', 'getItem', '/v1/items/:id'), route('HEAD', 'headItem', '/v1/items/:id')],
];
const STATUS = route('GET', 'getStatus', '/v1/status');

/** The app table with the routes of each pair in `order`. */
export function siblingsApp(order: Order): AppSpec {
  const routes = [...PAIRS.flatMap(([prot, pub]) => (order === 'prot' ? [prot, pub] : [pub, prot])), STATUS];
  return { routes, nextRoutes: [], operationIds: Object.keys(SIBLING_OPERATIONS), nextOptions: { unknownRoute: 'next', outsideSpec: [] } };
}

// ---------------------------------------------------------------------------
// Controls
// ---------------------------------------------------------------------------

/** Without credentials: the public handler with no protected sibling must run. */
export const PUBLIC_CONTROL: Target = { method: 'GET', target: '/v1/status' };
export const PUBLIC_CONTROL_OP: SiblingOp = 'getStatus';

export interface KeyedControl extends Target {
  /** The protected operation the request is for. */
  readonly op: SiblingOp;
  /** The operations this request path overlaps: the handler and the decision must be one of them. */
  readonly overlaps: readonly SiblingOp[];
}

/** With a valid key: each protected operation's own path. */
export const KEYED_CONTROLS: readonly KeyedControl[] = [
  { method: 'GET', target: '/v1/Admin', op: 'adminUpper', overlaps: ['adminUpper', 'adminLower'] },
  { method: 'GET', target: '/v1/things/', op: 'listThingsSlash', overlaps: ['listThingsSlash', 'listThings'] },
  { method: 'GET', target: '/v1/u/1', op: 'privU', overlaps: ['privU', 'pubU'] },
  { method: 'GET', target: '/v1/users/7', op: 'getUser', overlaps: ['getUser'] },
  { method: 'GET', target: '/v1/items/1', op: 'getItem', overlaps: ['getItem'] },
];

// ---------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------

const SEED_PATHS: readonly string[] = [
  '/v1/admin', '/v1/Admin', '/v1/ADMIN', '/v1/things', '/v1/things/', '/v1/u/1', '/v1/u/count', '/v1/users/count',
  '/v1/users/7', '/v1/items/1', '/v1/status', '/v1', '/',
];

const ATTACK_GET: readonly string[] = [
  // Letter case and encoding between /admin and /Admin.
  '/v1/aDmin', '/v1/%41dmin', '/v1/%61dmin', '/v1/Admin/', '/v1/admin/', '/v1/Admin//', '/v1//Admin', '/v1/x/../Admin', '/v1/%2e/Admin',
  '/v1/Admin#', '/v1/Admin?', '/v1/Admin;', '/v1/Admin%00', '/V1/Admin', 'http://127.0.0.1/v1/Admin', '/v1/status/../Admin', '/v1\\Admin',
  // The trailing slash between /things and /things/.
  '/v1/things//', '/v1/things/#', '/v1/things/?', '/v1/things/;', '/v1/things/.', '/v1/things/%2e', '/v1/things%2F', '/v1/things/./',
  '/v1/things/x/..', '/v1/things/x/../', '/v1/Things/', '/v1/THINGS', '/v1/things/%20', '/v1/things\\', 'http://127.0.0.1/v1/things/',
  // Parameter names, a concrete segment next to a template.
  '/v1/u/', '/v1/u//', '/v1/u/1/', '/v1/u/%2e%2e', '/v1/U/1', '/v1/users/Count', '/v1/users/COUNT', '/v1/users/count/', '/v1/users/c%6funt',
  '/v1/users/count#', '/v1/users/count;', '/v1/users/count%00', '/v1/users/x/../count', '/v1/users/', '/v1/users//', '/v1/users/%2e',
  '/v1/users/count/..', '/v1/users/count/../7', '/v1/status/../users/7', '/v1/status/%2e%2e/users/7', '/v1/status#/../users/7',
  // GET next to HEAD.
  '/v1/items/', '/v1/items/1/', '/v1/items/%2e', '/v1/items/1#', '/v1/ITEMS/1', '/v1/status/../items/1',
];

const ATTACK_TARGETS: readonly Target[] = [
  ...ATTACK_GET.map((target) => ({ method: 'GET', target })),
  ...['/v1/items/1', '/v1/items/1/', '/v1/items/x/../1', '/v1/items/%31', '/v1/Admin', '/v1/things/', '/v1/users/7', '/v1/u/1', '/v1/users/count'].map((target) => ({ method: 'HEAD', target })),
  ...['/v1/items/1', '/v1/Admin', '/v1/users/7'].map((target) => ({ method: 'OPTIONS', target })),
  ...['/v1/items/1', '/v1/admin', '/v1/users/count'].map((target) => ({ method: 'POST', target })),
];

export const SIBLINGS_CORPUS: Corpus = {
  fixed: [PUBLIC_CONTROL, ...SEED_PATHS.map((target) => ({ method: 'GET', target })), ...ATTACK_TARGETS],
  seeds: SEED_PATHS,
  vocab: ['v1', 'admin', 'Admin', 'ADMIN', 'things', 'u', 'users', 'count', 'Count', 'items', 'status', ...SYNTAX_WORDS],
};
