// The guard decision's contenders, shared by the timed family (guard.ts, peers.ts) and
// the instruction count (instructions-guard.ts, run under callgrind): the same async
// verifiers for everyone, the synthetic specs, and the hand-written functions a careful
// developer writes for the same rules (header names case-insensitive, a repeated or empty
// header invalid, a Bearer token of RFC 6750 syntax, verifiers get the same context,
// success and 401 answers of the guard's shape: RFC 9457 body naming what is missing and
// refused, WWW-Authenticate).
import type { GeneratedGuard, Loose } from './generated.js';

export const principal = { id: 'u1', scopes: ['pets:read', 'pets:write'] };
export const verifyKey = async (k: unknown, _context?: unknown) => (k === 'key-1' ? principal : null);
export const verifyApp = async (k: unknown, _context?: unknown) => (k === 'app-1' ? { app: 'a1' } : null);
export const verifyBearer = async (t: unknown, _context?: unknown) => (t === 'tok-1' ? principal : null);
export const reject = async () => null;

export const valid = { 'x-api-key': 'key-1', 'x-app-id': 'app-1' };
/** (c'): credentials presented, the key refused. */
export const invalid = { 'x-api-key': 'wrong', 'x-app-id': 'app-1' };
/** (b) OR of three, only the last passes: ApiKey and Bearer presented but invalid, AppId valid. */
export const or3Headers = { 'x-api-key': 'wrong', authorization: 'Bearer wrong', 'x-app-id': 'app-1' };

/** A spec with `n` operations, all requiring ApiKey AND AppId, paths spread over many prefixes. */
export function syntheticSpec(n: number) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (let i = 0; i < n; i++) {
    const p = `/r${i % 100}/items${Math.floor(i / 100)}/{id}${i % 2 ? '/tags' : ''}`;
    paths[p] ??= {};
    paths[p][['get', 'post', 'put', 'delete'][Math.floor(i / 200) % 4]!] = { operationId: `op${i}`, responses: { 200: { description: 'ok' } } };
  }
  paths['/or3'] = { get: { operationId: 'or3', security: [{ ApiKey: [] }, { Bearer: [] }, { AppId: [] }], responses: { 200: { description: 'ok' } } } };
  return {
    openapi: '3.0.3',
    info: { title: `synthetic ${n}`, version: '1' },
    servers: [{ url: 'https://api.example.com/v1' }],
    security: [{ ApiKey: [], AppId: [] }],
    components: { securitySchemes: { ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' }, AppId: { type: 'apiKey', in: 'header', name: 'X-App-Id' }, Bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}

type Headers = Record<string, string | string[] | undefined>;
interface Req {
  headers: Headers;
}
const REPEATED = Symbol('repeated');
function header(h: Headers, lower: string): string | typeof REPEATED | undefined {
  let found: string | typeof REPEATED | undefined;
  for (const k in h) {
    if (k.length !== lower.length || k.toLowerCase() !== lower) continue;
    const v = h[k];
    if (v === undefined) continue;
    if (found !== undefined) return REPEATED;
    found = typeof v === 'string' ? v : v.length === 1 ? v[0]! : REPEATED;
  }
  return found === '' ? REPEATED : found;
}
const deny = (challenge: string, fields: object) => ({
  ok: false,
  status: 401,
  headers: { 'content-type': 'application/problem+json', 'www-authenticate': challenge },
  body: { type: 'about:blank', title: 'Unauthorized', status: 401, ...fields },
});
const KEY = { scheme: 'ApiKey', in: 'header', name: 'X-API-Key' };
const APP = { scheme: 'AppId', in: 'header', name: 'X-App-Id' };
const BEARER = { scheme: 'Bearer', in: 'authorization', name: 'Bearer' };
// The 401 bodies of the AND rule (the guard's shape: flat lists, then one entry per alternative).
const NONE_SENT = 'This operation requires credentials and none were sent.';
const NOT_ACCEPTED = 'The credentials sent were not accepted for this operation.';
const BEARER_ALT = { index: 1, schemes: [BEARER], missing: [BEARER], invalid: [] };
const NOTHING = { detail: NONE_SENT, missing: [KEY, APP, BEARER], alternatives: [{ index: 0, schemes: [KEY, APP], missing: [KEY, APP], invalid: [] }, BEARER_ALT] };
const refused = (what: object) => ({ detail: NOT_ACCEPTED, missing: [BEARER], invalid: [what], alternatives: [{ index: 0, schemes: [KEY, APP], missing: [], invalid: [what] }, BEARER_ALT] });
const BAD_KEY = refused(KEY);
const BAD_APP = refused(APP);
const AND_CHALLENGE = 'APIKey realm="api", in="header", name="X-API-Key", APIKey realm="api", in="header", name="X-App-Id", Bearer realm="api"';
const NONE: string[] = [];

/**
 * ApiKey AND AppId (petstore listPets). With valid headers (a), none (c), a refused key
 * (c': the same 401 body the guard returns). `operationId`, when given, is the
 * hand-written router's answer: an unknown route is a 404.
 */
export async function handAnd(req: Req, operationId: string | undefined = 'listPets') {
  if (operationId === undefined) return { ok: false, status: 404 };
  const k = header(req.headers, 'x-api-key');
  const a = header(req.headers, 'x-app-id');
  if (k === undefined || a === undefined || k === REPEATED || a === REPEATED) return deny(AND_CHALLENGE, NOTHING);
  const p1 = await verifyKey(k, { operationId, scheme: 'ApiKey', scopes: NONE, request: req });
  if (!p1) return deny(AND_CHALLENGE, BAD_KEY);
  const p2 = await verifyApp(a, { operationId, scheme: 'AppId', scopes: NONE, request: req });
  if (!p2) return deny(AND_CHALLENGE, BAD_APP);
  return { ok: true, operationId, alternative: 0, anonymous: false, principals: { ApiKey: p1, AppId: p2 } };
}
const OR3_CHALLENGE = 'APIKey realm="api", in="header", name="X-API-Key", Bearer realm="api", APIKey realm="api", in="header", name="X-App-Id"';
/** RFC 6750 §2.1 b64token: the syntax a Bearer token must have before its verifier sees it. */
const B64_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/**
 * (b) ApiKey OR Bearer OR AppId. `syntax: false` is the earlier contender, which passed any
 * token to the verifier: the bench keeps it as a row of its own (`bLax`), so the change of
 * contender shows beside the figure it changed.
 */
export async function handOr3(req: Req, syntax = true) {
  const k = header(req.headers, 'x-api-key');
  if (typeof k === 'string') {
    const p = await verifyKey(k, { operationId: 'or3', scheme: 'ApiKey', scopes: NONE, request: req });
    if (p) return { ok: true, operationId: 'or3', alternative: 0, anonymous: false, principals: { ApiKey: p } };
  }
  const auth = header(req.headers, 'authorization');
  if (typeof auth === 'string' && auth.length > 7 && auth.slice(0, 7).toLowerCase() === 'bearer ') {
    const token = auth.slice(7);
    if (!syntax || B64_TOKEN.test(token)) {
      const p = await verifyBearer(token, { operationId: 'or3', scheme: 'Bearer', scopes: NONE, request: req });
      if (p) return { ok: true, operationId: 'or3', alternative: 1, anonymous: false, principals: { Bearer: p } };
    }
  }
  const a = header(req.headers, 'x-app-id');
  if (typeof a === 'string') {
    const p = await verifyApp(a, { operationId: 'or3', scheme: 'AppId', scopes: NONE, request: req });
    if (p) return { ok: true, operationId: 'or3', alternative: 2, anonymous: false, principals: { AppId: p } };
  }
  return deny(OR3_CHALLENGE, { detail: NONE_SENT, missing: NONE }); // not a measured scenario: no "missing" list
}

/** Hand-written routing for (d): a Map from the first path segment to regexps. */
export function handRouter(spec: ReturnType<typeof syntheticSpec>) {
  const byFirst = new Map<string, { method: string; re: RegExp; id: string }[]>();
  for (const [p, item] of Object.entries(spec.paths)) {
    const re = new RegExp('^/v1' + p.replace(/\{[^}]+\}/g, '[^/]+') + '$');
    const first = p.split('/')[1]!;
    for (const [m, op] of Object.entries(item)) {
      if (!byFirst.has(first)) byFirst.set(first, []);
      byFirst.get(first)!.push({ method: m.toUpperCase(), re, id: (op as { operationId: string }).operationId });
    }
  }
  return (method: string, url: string) => byFirst.get(url.split('/')[2]!)?.find((r) => r.method === method && r.re.test(url))?.id;
}

/**
 * A request's path is a fresh string from the HTTP parser, never an interned literal.
 * V8 caches `split` results for interned strings only, so timing either router on the
 * literal would flatter whichever one splits the string it is given. Both routers get
 * the next of 256 distinct non-interned copies instead.
 */
const freshPaths = (p: string) => {
  const pool = Array.from({ length: 256 }, () => [...p].join(''));
  let i = 0;
  return () => pool[i++ & 255]!;
};

/** The verifiers every guard gets; the ApiKey + AppId group `independent`, as the hand-written functions check the two keys separately. */
export const guardVerifiers = (independent: Loose) => ({ ApiKey: verifyKey, AppId: verifyApp, Bearer: verifyBearer, Basic: reject, OAuth2: reject, QueryKey: reject, SessionCookie: reject, 'ApiKey + AppId': independent });

export interface Scenario {
  key: 'a' | 'b' | 'c' | 'cInvalid' | 'd20' | 'd800' | 'bLax';
  label: string;
  guard: () => Promise<Loose>;
  hand: () => Promise<Loose>;
}

/** Every guard-vs-hand-written row, built from the generated petstore and synthetic guards. */
export function scenarios(pet: GeneratedGuard, s20: GeneratedGuard, s800: GeneratedGuard) {
  const petGuard = pet.createGuard(guardVerifiers(pet.independent));
  const g20 = s20.createGuard(guardVerifiers(s20.independent));
  const g800 = s800.createGuard(guardVerifiers(s800.independent));
  const route20 = handRouter(syntheticSpec(20));
  const route800 = handRouter(syntheticSpec(800));
  // The last operation of each spec (the worst place for a linear scan).
  const last20 = { method: 'GET', path: freshPaths('/v1/r19/items0/123/tags') };
  const last800 = { method: 'DELETE', path: freshPaths('/v1/r99/items7/123/tags') };
  const rows: Scenario[] = [
    { key: 'a', label: '(a) ApiKey + AppId, valid (petstore listPets)', guard: () => petGuard.authorize('listPets', { headers: valid }), hand: () => handAnd({ headers: valid }) },
    { key: 'b', label: '(b) OR of three, only the last passes', guard: () => g20.authorize('or3', { headers: or3Headers }), hand: () => handOr3({ headers: or3Headers }) },
    { key: 'c', label: '(c) denial, nothing presented (401)', guard: () => petGuard.authorize('listPets', { headers: {} }), hand: () => handAnd({ headers: {} }) },
    { key: 'cInvalid', label: "(c') denial, key presented but refused (401)", guard: () => petGuard.authorize('listPets', { headers: invalid }), hand: () => handAnd({ headers: invalid }) },
    { key: 'd20', label: '(d) match + authorize, 20 operations', guard: () => g20.authorize(g20.match(last20.method, last20.path()), { headers: valid }), hand: () => handAnd({ headers: valid }, route20(last20.method, last20.path())) },
    { key: 'd800', label: '(d) match + authorize, 800 operations', guard: () => g800.authorize(g800.match(last800.method, last800.path()), { headers: valid }), hand: () => handAnd({ headers: valid }, route800(last800.method, last800.path())) },
    // Last, so that the rows before it run (and are counted) as they did before it existed.
    { key: 'bLax', label: '(b) against the earlier contender, which does not check the Bearer token syntax', guard: () => g20.authorize('or3', { headers: or3Headers }), hand: () => handOr3({ headers: or3Headers }, false) },
  ];
  const match = {
    m20: () => g20.match(last20.method, last20.path()),
    m800: () => g800.match(last800.method, last800.path()),
    hand20: () => route20(last20.method, last20.path()),
    hand800: () => route800(last800.method, last800.path()),
  };
  return { rows, match, petGuard, g20, g800 };
}
