// End-to-end: the binding check of the `ApiKey + AppId` group (specs/petstore.yaml),
// through every server adapter on loopback with real `fetch` requests. Two clients each
// own one API key and one App ID; a key of one with the App ID of the other verifies
// scheme by scheme but must not bind (401 naming the group, handler never run), while
// a matching pair passes (alternative 0 on listPets, 1 on showPetById, whose `{}`
// comes first), and a bearer token next to a crossed pair wins through its own
// alternative. Each adapter runs app-wide and (Express, Fastify, Koa, Hono) with
// `mountOperations`, with a synchronous and an asynchronous binding check. A last part
// shows the check is what refuses the crossed pair: with `independent` it passes.
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import { serve } from '@hono/node-server';
import Router from '@koa/router';
import express from 'express';
import { fastify } from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateFixture, importGenerated } from '../helpers/generated.js';
import type { AuthSuccess, BindingCheck, BindingContext, Guard, GuardOptions } from '../../templates/runtime/runtime-server.js';
// The committed generated/guard.ts (same spec): the verifiers below must fit its `Verifiers` contract.
import type { Verifiers as GeneratedVerifiers, independent as Marker } from '../../generated/guard.js';
import { findRoute, listen, whenListening, type RouteDef, type Running } from './support.js';

type ExpressAdapter = typeof import('../../templates/runtime/express.js');
type FastifyAdapter = typeof import('../../templates/runtime/fastify.js');
type KoaAdapter = typeof import('../../templates/runtime/koa.js');
type HonoAdapter = typeof import('../../templates/runtime/hono.js');
type FetchAdapter = typeof import('../../templates/runtime/fetch.js');
type NodeAdapter = typeof import('../../templates/runtime/node.js');
interface GuardModule {
  createGuard(verifiers: object, options?: GuardOptions): Guard<string, unknown>;
  readonly independent: Independent;
}
type Independent = typeof Marker;
type AnyGuard = Guard<string, unknown>;
type Auth = AuthSuccess<string, unknown>;

// Clients, verifiers, and what the current test saw
interface Client {
  readonly clientId: string;
}
type Pair = { readonly ApiKey: Client; readonly AppId: Client };
const KEYS: Readonly<Record<string, string>> = { 'key-A': 'A', 'key-B': 'B' };
const APP_IDS: Readonly<Record<string, string>> = { 'app-A': 'A', 'app-B': 'B' };
const SECRETS = ['key-A', 'key-B', 'app-A', 'app-B', 'good-token'];
const lookup = (table: Readonly<Record<string, string>>, value: string): Client | null => (Object.hasOwn(table, value) ? { clientId: table[value] as string } : null);

/** Route handlers that ran in the current test, and the binding checks made. */
let handled: string[] = [];
let bindings: { principals: Pair; operationId: string; group: string }[] = [];
beforeEach(() => {
  handled = [];
  bindings = [];
});

const sameClient = (p: Pair, ctx: BindingContext): boolean => {
  bindings.push({ principals: p, operationId: ctx.operationId, group: ctx.group });
  return p.ApiKey.clientId === p.AppId.clientId;
};
const CHECKS: Readonly<Record<'sync' | 'async', BindingCheck<Pair>>> = {
  sync: sameClient,
  async: async (p, ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return sameClient(p, ctx);
  },
};

const nobody = (): null => null;
const verifiers = (binding: BindingCheck<Pair> | Independent) => ({
  ApiKey: (key: string) => lookup(KEYS, key),
  AppId: async (id: string) => lookup(APP_IDS, id),
  Bearer: (token: string) => (token === 'good-token' ? { sub: 'bearer-user' } : null),
  Basic: nobody,
  OAuth2: nobody,
  QueryKey: nobody,
  SessionCookie: nobody,
  'ApiKey + AppId': binding,
}) satisfies GeneratedVerifiers<Client, Client>;

// One app per adapter and mode, serving listPets and showPetById
type Mode = 'app' | 'mount';
const ROUTES: readonly RouteDef[] = [
  { method: 'GET', path: '/v1/pets', op: 'listPets', key: 'listPets' },
  { method: 'GET', path: '/v1/pets/:petId', op: 'showPetById', key: 'showPetById' },
];
/** What every handler answers: the operation it serves and the decision it was given. */
const reply = (op: string, auth: unknown): string => (handled.push(op), JSON.stringify({ route: op, auth: auth ?? null }));
/** One handler per operation of the spec, for `mountOperations` (it requires them all). */
const everyOperation = <H>(guard: AnyGuard, make: (op: string) => H): Record<string, H> =>
  Object.fromEntries(guard.routing.operations.map((r) => [r.operationId, make(r.operationId)]));

let dir = '';
let guardModule: GuardModule;

interface AdapterDef {
  readonly name: string;
  readonly modes: readonly Mode[];
  start(guard: AnyGuard, mode: Mode): Promise<Running>;
}

// A fresh object each time: @hono/node-server adds to the headers init object it is given.
const jsonHeaders = (): Record<string, string> => ({ 'content-type': 'application/json' });
const ADAPTERS: readonly AdapterDef[] = [
  {
    name: 'express',
    modes: ['app', 'mount'],
    async start(guard, mode) {
      const m = await importGenerated<ExpressAdapter>(dir, 'express.ts');
      const app = express();
      const handler = (op: string): express.RequestHandler => (req, res) => void res.type('application/json').send(reply(op, m.authOf(req, guard)));
      if (mode === 'mount') m.mountOperations(app, guard, everyOperation(guard, handler));
      else {
        app.use(m.authMiddleware(guard));
        for (const r of ROUTES) app.get(r.path, handler(r.key));
      }
      return listen(http.createServer(app));
    },
  },
  {
    name: 'fastify',
    modes: ['app', 'mount'],
    async start(guard, mode) {
      const m = await importGenerated<FastifyAdapter>(dir, 'fastify.ts');
      const app = fastify();
      const handler = (op: string) => async (request: import('fastify').FastifyRequest, res: import('fastify').FastifyReply) => res.type('application/json').send(reply(op, request.auth));
      if (mode === 'mount') m.mountOperations(app, guard, everyOperation(guard, handler));
      else {
        app.addHook('onRequest', m.authHook(guard));
        for (const r of ROUTES) app.get(r.path, handler(r.key));
      }
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { ...(await whenListening(app.server)), close: () => app.close() };
    },
  },
  {
    name: 'koa',
    modes: ['app', 'mount'],
    async start(guard, mode) {
      const m = await importGenerated<KoaAdapter>(dir, 'koa.ts');
      const app = new Koa();
      const router = new Router();
      const handler = (op: string): Koa.Middleware => (ctx) => void ((ctx.type = 'application/json'), (ctx.body = reply(op, ctx.state.auth)));
      if (mode === 'mount') m.mountOperations(router, guard, everyOperation(guard, handler));
      else {
        for (const r of ROUTES) router.get(r.path, handler(r.key));
        app.use(m.authMiddleware(guard, { router }));
      }
      app.use(router.routes());
      return listen(http.createServer(app.callback()));
    },
  },
  {
    name: 'hono',
    modes: ['app', 'mount'],
    async start(guard, mode) {
      const m = await importGenerated<HonoAdapter>(dir, 'hono.ts');
      const app = new Hono<{ Variables: { auth: Auth | undefined } }>();
      const handler = (op: string) => (c: import('hono').Context<{ Variables: { auth: Auth | undefined } }>) => c.body(reply(op, c.get('auth')), 200, jsonHeaders());
      if (mode === 'mount') m.mountOperations(app, guard, everyOperation(guard, handler) as never);
      else {
        app.use(m.authMiddleware(guard));
        for (const r of ROUTES) app.get(r.path, handler(r.key));
      }
      return whenListening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server);
    },
  },
  {
    name: 'fetch',
    modes: ['app'],
    async start(guard) {
      const m = await importGenerated<FetchAdapter>(dir, 'fetch.ts');
      const authenticate = m.fetchAuth(guard);
      const handler = async (request: Request): Promise<Response> => {
        const auth = await authenticate(request);
        if (auth instanceof Response) return auth;
        const route = findRoute(ROUTES, request.method, new URL(request.url).pathname);
        if (route === undefined) return new Response('no such route', { status: 404 });
        return new Response(reply(route.key, auth), { status: 200, headers: jsonHeaders() });
      };
      // @hono/node-server turns node's request into a standard Request and back.
      return whenListening(serve({ fetch: handler, port: 0, hostname: '127.0.0.1' }) as Server);
    },
  },
  {
    name: 'node',
    modes: ['app'],
    async start(guard) {
      const m = await importGenerated<NodeAdapter>(dir, 'node.ts');
      const authenticate = m.nodeAuth(guard);
      const serveRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
        const auth = await authenticate(req, res);
        if (auth === undefined) return; // answered
        const route = findRoute(ROUTES, req.method, req.url);
        if (route === undefined) return void res.writeHead(404).end('no such route');
        res.writeHead(200, jsonHeaders()).end(reply(route.key, auth));
      };
      return listen(http.createServer((req, res) => void serveRequest(req, res)));
    },
  },
];

// Requests and expectations
const CHALLENGE = 'APIKey realm="api", in="header", name="X-API-Key", APIKey realm="api", in="header", name="X-App-Id", Bearer realm="api"';
const PAIR_LOCS = [{ scheme: 'ApiKey', in: 'header', name: 'X-API-Key' }, { scheme: 'AppId', in: 'header', name: 'X-App-Id' }];
const BEARER_LOC = { scheme: 'Bearer', in: 'authorization', name: 'Bearer' };
/** `pairAt`: the pair's index in the operation's `security` array as written (the bearer follows it). */
const crossProblem = (pairAt: number) => ({
  type: 'about:blank',
  title: 'Unauthorized',
  status: 401,
  detail: 'The credentials sent were not accepted for this operation.',
  missing: [BEARER_LOC],
  invalid: PAIR_LOCS,
  invalidGroups: ['ApiKey + AppId'],
  alternatives: [
    { index: pairAt, schemes: PAIR_LOCS, missing: [], invalid: PAIR_LOCS },
    { index: pairAt + 1, schemes: [BEARER_LOC], missing: [BEARER_LOC], invalid: [] },
  ],
});
const OPERATIONS = [
  { op: 'listPets', path: '/v1/pets', pairAlternative: 0 },
  { op: 'showPetById', path: '/v1/pets/p1', pairAlternative: 1 },
] as const;
const pairHeaders = (key: string, app: string): Record<string, string> => ({ 'x-api-key': key, 'x-app-id': app });
const client = (id: string): Client => ({ clientId: id });

async function get(server: Running | undefined, path: string, headers: Record<string, string> = {}) {
  if (server === undefined) throw new Error('server did not start');
  const res = await fetch(server.origin + path, { headers });
  const text = await res.text();
  const headerLines: string[] = [];
  res.headers.forEach((value, name) => headerLines.push(`${name}: ${value}`));
  const headerText = headerLines.join('\n');
  for (const secret of SECRETS) {
    expect(text, `body leaks ${secret}`).not.toContain(secret);
    expect(headerText, `headers leak ${secret}`).not.toContain(secret);
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', challenge: res.headers.get('www-authenticate'), text, json: (): unknown => JSON.parse(text) };
}

const passed = (op: string, alternative: number, principals: object, anonymous = false) => ({ route: op, auth: { ok: true, operationId: op, alternative, anonymous, principals } });

/** The crossed pair: 401 naming the group and both headers, the handler never run. */
async function expectCrossRefused(server: Running | undefined, op: string, path: string, key: string, app: string): Promise<void> {
  const before = bindings.length;
  const res = await get(server, path, pairHeaders(key, app));
  expect(res.status, res.text).toBe(401);
  expect(res.contentType).toMatch(/^application\/problem\+json/);
  expect(res.challenge).toBe(CHALLENGE);
  expect(res.json()).toEqual(crossProblem(OPERATIONS.find((o) => o.op === op)?.pairAlternative ?? -1));
  expect(handled).toEqual([]);
  // The binding check saw both verified principals, and said no.
  expect(bindings.slice(before)).toEqual([{ principals: { ApiKey: client(KEYS[key] as string), AppId: client(APP_IDS[app] as string) }, operationId: op, group: 'ApiKey + AppId' }]);
}

beforeAll(async () => {
  dir = await generateFixture('specs/petstore.yaml', 'e2e-pairs');
  guardModule = await importGenerated<GuardModule>(dir, 'guard.ts');
});

// Part 1: every adapter × mode × binding kind
const RUNS = ADAPTERS.flatMap((adapter) => adapter.modes.flatMap((mode) => (['sync', 'async'] as const).map((binding) => ({ adapter, mode, binding }))));

describe.each(RUNS)('$adapter.name, $mode form, $binding binding check', ({ adapter, mode, binding }) => {
  let server: Running | undefined;
  beforeAll(async () => {
    server = await adapter.start(guardModule.createGuard(verifiers(CHECKS[binding])), mode);
  });
  afterAll(() => server?.close());

  describe.each(OPERATIONS)('$op', ({ op, path, pairAlternative }) => {
    it('a key of one client with the App ID of the other → 401 naming the group', async () => {
      await expectCrossRefused(server, op, path, 'key-A', 'app-B');
      await expectCrossRefused(server, op, path, 'key-B', 'app-A');
    });

    it("each client's own pair → 200 with both principals", async () => {
      for (const id of ['A', 'B']) {
        handled = [];
        const res = await get(server, path, pairHeaders(`key-${id}`, `app-${id}`));
        expect(res.status, res.text).toBe(200);
        expect(res.json()).toEqual(passed(op, pairAlternative, { ApiKey: client(id), AppId: client(id) }));
        expect(handled).toEqual([op]);
      }
      expect(bindings).toHaveLength(2);
    });

    it('a crossed pair next to a good bearer token → 200 through the bearer alternative', async () => {
      const res = await get(server, path, { ...pairHeaders('key-A', 'app-B'), authorization: 'Bearer good-token' });
      expect(res.status, res.text).toBe(200);
      expect(res.json()).toEqual(passed(op, pairAlternative + 1, { Bearer: { sub: 'bearer-user' } }));
      expect(handled).toEqual([op]);
      // The pair was tried first and refused by the binding check.
      expect(bindings.map((b) => b.principals)).toEqual([{ ApiKey: client('A'), AppId: client('B') }]);
    });
  });

  it('showPetById without credentials → 200 anonymous through `{}` (alternative 0)', async () => {
    const res = await get(server, '/v1/pets/p1');
    expect(res.status, res.text).toBe(200);
    expect(res.json()).toEqual(passed('showPetById', 0, {}, true));
    expect(handled).toEqual(['showPetById']);
    expect(bindings).toEqual([]);
  });
});

// Part 2: the binding check is what refuses the crossed pair
describe('the binding check decides', () => {
  const node = ADAPTERS.find((a) => a.name === 'node') as AdapterDef;
  const servers: Running[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.close())));
  const start = async (binding: BindingCheck<Pair> | Independent): Promise<Running> => {
    const server = await node.start(guardModule.createGuard(verifiers(binding)), 'app');
    servers.push(server);
    return server;
  };

  it('with `independent` instead, the crossed pair passes (so part 1 tests the check)', async () => {
    const server = await start(guardModule.independent);
    const res = await get(server, '/v1/pets', pairHeaders('key-A', 'app-B'));
    expect(res.status, res.text).toBe(200);
    expect(res.json()).toEqual(passed('listPets', 0, { ApiKey: client('A'), AppId: client('B') }));
    expect(handled).toEqual(['listPets']);
    expect(bindings).toEqual([]);
  });

  it('only `true` binds: a truthy non-boolean from the check refuses even a matching pair', async () => {
    const server = await start((async (p: Pair, ctx: BindingContext) => (sameClient(p, ctx) ? 'yes' : '')) as unknown as BindingCheck<Pair>);
    const res = await get(server, '/v1/pets', pairHeaders('key-A', 'app-A'));
    expect(res.status, res.text).toBe(401);
    expect((res.json() as { invalidGroups?: unknown }).invalidGroups).toEqual(['ApiKey + AppId']);
    expect(handled).toEqual([]);
    expect(bindings).toHaveLength(1);
  });
});
