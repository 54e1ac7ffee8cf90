// End-to-end: API key records (runtime-key-record/-store/-verifier) enforced through
// every server adapter, app-wide, over loopback with real `fetch`. Keys are issued into
// a memory store under an injected clock; the guard's `onDecision` events are kept.
// Checked: the key + App ID pair, IP ranges from the socket (IPv4, IPv4-mapped IPv6 on a
// dual-stack listener, IPv6 ::1), `trustProxy` and `X-Forwarded-For`, validity times,
// revocation, rotation with grace, operation and origin restrictions. Every refusal has
// the same 401 answer; its reason is only in the event's `detail`. No answer and no
// event ever holds a key. (Scopes on an API key: petstore puts none on ApiKey, so the
// 403 path is left to the unit tests.)
import http from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { serve } from '@hono/node-server';
import type { HttpBindings } from '@hono/node-server';
import Router from '@koa/router';
import express from 'express';
import { fastify } from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateFixture, importGenerated } from '../helpers/generated.js';
import type { ClientAddressOptions, DecisionEvent, Guard, GuardOptions } from '../../templates/runtime/runtime-server.js';
import type { KeyRecord } from '../../templates/runtime/runtime-key-record.js';
import type { Verifiers as GeneratedVerifiers } from '../../generated/guard.js';
import { closeServer, findRoute, type RouteDef } from './support.js';

interface Runtime {
  guard: { createGuard(verifiers: object, options?: GuardOptions): Guard<string, unknown> };
  store: typeof import('../../templates/runtime/runtime-key-store.js');
  verifier: typeof import('../../templates/runtime/runtime-key-verifier.js');
  apiKeys: typeof import('../../templates/runtime/runtime-api-keys.js');
  cidr: typeof import('../../templates/runtime/runtime-cidr.js');
  server: typeof import('../../templates/runtime/runtime-server.js');
}
let dir = '';
let rt: Runtime;
const load = <T>(file: string): Promise<T> => importGenerated<T>(dir, file);
beforeAll(async () => {
  dir = await generateFixture('specs/petstore.yaml', 'e2e-key-records');
  rt = {
    guard: await load('guard.ts'),
    store: await load('runtime-key-store.ts'),
    verifier: await load('runtime-key-verifier.ts'),
    apiKeys: await load('runtime-api-keys.ts'),
    cidr: await load('runtime-cidr.ts'),
    server: await load('runtime-server.ts'),
  };
});

// Servers: one guard per adapter, served in a few address configurations
interface Up {
  readonly port: number;
  close(): Promise<void>;
}
/** `plain`: 127.0.0.1, socket only; `proxied`: 127.0.0.1, `trustProxy: 1`; `dual`: `::` trusting only ::1 as a proxy; `none`: Fetch without `clientAddress`. */
type Variant = 'plain' | 'proxied' | 'dual' | 'none';
const listenOn = (server: Server, host: string): Promise<Up> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve({ port: (server.address() as AddressInfo).port, close: () => closeServer(server) }));
  });
const served = (server: Server): Promise<Up> =>
  new Promise((resolve) => server.once('listening', () => resolve({ port: (server.address() as AddressInfo).port, close: () => closeServer(server) })));
const hostOf = (variant: Variant): string => (variant === 'dual' ? '::' : '127.0.0.1');
/** The adapter options of a variant; `undefined`: no client address at all (Fetch only). */
const addressOf = (variant: Variant): ClientAddressOptions | undefined =>
  variant === 'proxied' ? { trustProxy: 1 } : variant === 'dual' ? { trustProxy: rt.cidr.cidrMatcher(['::1/128']) } : variant === 'plain' ? {} : undefined;

const ROUTES: readonly RouteDef[] = [
  { method: 'GET', path: '/v1/pets', op: 'listPets', key: 'listPets' },
  { method: 'POST', path: '/v1/pets', op: 'createPet', key: 'createPet' },
];
type Auth = { principals?: { ApiKey?: { keyId?: string } } } | null | undefined;
/** What every handler answers: its operation, the key id of the principal and the socket's peer. */
const reply = (op: string, auth: unknown, peer: string | undefined): string => JSON.stringify({ op, keyId: (auth as Auth)?.principals?.ApiKey?.keyId ?? null, peer });
const JSON_TYPE = { 'content-type': 'application/json' };

interface AdapterDef {
  readonly name: string;
  readonly variants: readonly Variant[];
  start(guard: Guard<string, unknown>, variant: Variant): Promise<Up>;
}
const ADAPTERS: readonly AdapterDef[] = [
  {
    name: 'express',
    variants: ['plain', 'proxied', 'dual'],
    async start(guard, variant) {
      const m = await load<typeof import('../../templates/runtime/express.js')>('express.ts');
      const app = express();
      app.use(m.authMiddleware(guard, addressOf(variant)));
      for (const r of ROUTES) app[r.method === 'GET' ? 'get' : 'post'](r.path, (req, res) => void res.type('application/json').send(reply(r.key, m.authOf(req, guard), req.socket.remoteAddress)));
      return listenOn(http.createServer(app), hostOf(variant));
    },
  },
  {
    name: 'fastify',
    variants: ['plain', 'proxied', 'dual'],
    async start(guard, variant) {
      const m = await load<typeof import('../../templates/runtime/fastify.js')>('fastify.ts');
      const app = fastify();
      app.addHook('onRequest', m.authHook(guard, addressOf(variant)));
      for (const r of ROUTES) app.route({ method: r.method as 'GET', url: r.path, handler: async (req, res) => res.type('application/json').send(reply(r.key, req.auth, req.socket.remoteAddress)) });
      await app.listen({ port: 0, host: hostOf(variant) });
      return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
    },
  },
  {
    name: 'koa',
    variants: ['plain', 'proxied', 'dual'],
    async start(guard, variant) {
      const m = await load<typeof import('../../templates/runtime/koa.js')>('koa.ts');
      const app = new Koa();
      const router = new Router();
      for (const r of ROUTES) router.register(r.path, [r.method], (ctx) => void ((ctx.type = 'application/json'), (ctx.body = reply(r.key, ctx.state.auth, ctx.req.socket.remoteAddress))));
      app.use(m.authMiddleware(guard, { router, ...addressOf(variant) }));
      app.use(router.routes());
      return listenOn(http.createServer(app.callback()), hostOf(variant));
    },
  },
  {
    name: 'hono',
    variants: ['plain', 'proxied', 'dual'],
    async start(guard, variant) {
      const m = await load<typeof import('../../templates/runtime/hono.js')>('hono.ts');
      const app = new Hono<{ Bindings: HttpBindings }>();
      app.use(m.authMiddleware(guard, addressOf(variant)));
      for (const r of ROUTES) app.on(r.method, r.path, (c) => c.body(reply(r.key, c.get('auth' as never), c.env.incoming.socket.remoteAddress), 200, { ...JSON_TYPE }));
      return served(serve({ fetch: app.fetch, port: 0, hostname: hostOf(variant) }) as Server);
    },
  },
  {
    name: 'fetch',
    variants: ['plain', 'proxied', 'dual', 'none'],
    async start(guard, variant) {
      const m = await load<typeof import('../../templates/runtime/fetch.js')>('fetch.ts');
      // The platform's address (here @hono/node-server's socket), resolved as the Node adapters do.
      const address = addressOf(variant);
      const peers = new WeakMap<Request, string | undefined>();
      const clientAddress = (request: Request): string | undefined =>
        rt.server.resolveClientAddress(peers.get(request), request.headers.has('x-forwarded-for') ? [request.headers.get('x-forwarded-for') as string] : [], address ?? {});
      const authenticate = m.fetchAuth(guard, address === undefined ? {} : { clientAddress });
      const handler = async (request: Request, env: HttpBindings): Promise<Response> => {
        peers.set(request, env.incoming.socket.remoteAddress);
        const auth = await authenticate(request);
        if (auth instanceof Response) return auth;
        const route = findRoute(ROUTES, request.method, new URL(request.url).pathname);
        return route === undefined ? new Response('no such route', { status: 404 }) : new Response(reply(route.key, auth, peers.get(request)), { headers: { ...JSON_TYPE } });
      };
      return served(serve({ fetch: handler as (r: Request, env: unknown) => Promise<Response>, port: 0, hostname: hostOf(variant) }) as Server);
    },
  },
  {
    name: 'node',
    variants: ['plain', 'proxied', 'dual'],
    async start(guard, variant) {
      const m = await load<typeof import('../../templates/runtime/node.js')>('node.ts');
      const authenticate = m.nodeAuth(guard, addressOf(variant));
      const server = http.createServer(async (req, res) => {
        const auth = await authenticate(req, res);
        if (auth === undefined) return;
        const route = findRoute(ROUTES, req.method, req.url);
        if (route === undefined) return void res.writeHead(404).end('no such route');
        res.writeHead(200, JSON_TYPE).end(reply(route.key, auth, req.socket.remoteAddress));
      });
      return listenOn(server, hostOf(variant));
    },
  },
];

// The one answer to a refused key, per operation, whatever the reason (the group is
// named whole: which of its two credentials failed is not said)
const PAIR_LOCS = [{ scheme: 'ApiKey', in: 'header', name: 'X-API-Key' }, { scheme: 'AppId', in: 'header', name: 'X-App-Id' }];
const problem = (missing: 'Bearer' | 'OAuth2') => {
  const token = { scheme: missing, in: 'authorization', name: 'Bearer' };
  const pair = { schemes: PAIR_LOCS, missing: [], invalid: PAIR_LOCS };
  const other = { schemes: [token], missing: [token], invalid: [] };
  return {
    type: 'about:blank',
    title: 'Unauthorized',
    status: 401,
    detail: 'The credentials sent were not accepted for this operation.',
    missing: [token],
    invalid: PAIR_LOCS,
    invalidGroups: ['ApiKey + AppId'],
    // listPets is written [{ ApiKey, AppId }, { Bearer }]; createPet [{ OAuth2 }, { ApiKey, AppId }].
    alternatives: missing === 'Bearer' ? [{ index: 0, ...pair }, { index: 1, ...other }] : [{ index: 0, ...other }, { index: 1, ...pair }],
  };
};
const INVALID_401 = { listPets: problem('Bearer'), createPet: problem('OAuth2') };
const PAIR = 'APIKey realm="api", in="header", name="X-API-Key", APIKey realm="api", in="header", name="X-App-Id"';
const CHALLENGE = { listPets: `${PAIR}, Bearer realm="api"`, createPet: `Bearer realm="api", ${PAIR}` };

// Keys: one record per restriction, all bound to app-a except `other`
const T0 = Date.parse('2030-01-01T00:00:00Z');
const HOUR = 3_600_000;
const KEY_SPECS = {
  good: {},
  other: { apps: ['app-b'] },
  ip10: { ipRanges: ['10.0.0.0/8'] },
  ip127: { ipRanges: ['127.0.0.0/8'] },
  ip6: { ipRanges: ['::1/128'] },
  future: { notBefore: new Date(T0 + HOUR) },
  expired: { expiresAt: T0 - 1 },
  revoke: {},
  rotate: {},
  listOnly: { operations: ['listPets'] },
  site: { origins: ['https://shop.example'] },
} as const;
type KeyName = keyof typeof KEY_SPECS;
interface Issued {
  readonly key: string;
  readonly record: KeyRecord;
}
/** Every key made here, and its secret part: none may appear in an answer or an event. */
const SECRETS: string[] = [];
const note = <I extends { readonly key: string }>(issued: I): I => (SECRETS.push(issued.key, issued.key.slice(-28)), issued);

describe.each(ADAPTERS.map((adapter) => ({ adapter })))('$adapter.name, app-wide', ({ adapter }) => {
  let clock = T0;
  const events: DecisionEvent[] = [];
  const up: Partial<Record<Variant, Up>> = {};
  let store: ReturnType<Runtime['store']['createMemoryKeyStore']>;
  const keys = {} as Record<KeyName, Issued>;
  /** A well-formed key with no record, and one with a known id but another secret. */
  let unknown = { key: '', id: '' };
  let mismatchKey = '';

  beforeAll(async () => {
    store = rt.store.createMemoryKeyStore();
    for (const [name, spec] of Object.entries(KEY_SPECS)) {
      keys[name as KeyName] = note(await rt.store.issueApiKey(store, { prefix: 'pet_test', owner: { clientId: name }, apps: ['app-a'], ...spec }, T0));
    }
    unknown = note(rt.apiKeys.generateApiKey({ prefix: 'pet_test' }));
    const secret = 'S'.repeat(rt.apiKeys.API_KEY_SECRET_LENGTH);
    const id = keys.good.record.id;
    mismatchKey = note({ key: `pet_test_${id}_${secret}${rt.apiKeys.apiKeyChecksum(`${id}_${secret}`)}`, record: keys.good.record }).key;
    const verifier = rt.verifier.apiKeyVerifier(store, { now: () => clock });
    const nobody = (): null => null;
    const verifiers = {
      ApiKey: verifier.verify,
      AppId: verifier.appId,
      'ApiKey + AppId': verifier.bind,
      Bearer: nobody,
      Basic: nobody,
      OAuth2: nobody,
      QueryKey: nobody,
      SessionCookie: nobody,
    } satisfies GeneratedVerifiers;
    const guard = rt.guard.createGuard(verifiers, { onDecision: (event) => events.push(event) });
    for (const variant of adapter.variants) up[variant] = await adapter.start(guard, variant);
  });
  afterAll(() => Promise.all(Object.values(up).map((u) => u.close())));
  beforeEach(() => {
    clock = T0;
  });

  interface Call {
    readonly key: string;
    readonly app?: string;
    readonly variant?: Variant;
    readonly from?: '127.0.0.1' | '[::1]';
    readonly xff?: string;
    readonly headers?: Record<string, string>;
    readonly op?: 'listPets' | 'createPet';
  }
  /** One request; returns the answer and the one decision event it caused, both checked for keys. */
  async function call({ key, app = 'app-a', variant = 'plain', from = '127.0.0.1', xff, headers, op = 'listPets' }: Call) {
    const server = up[variant];
    if (server === undefined) throw new Error(`${adapter.name} has no ${variant} server`);
    const before = events.length;
    const res = await fetch(`http://${from}:${server.port}/v1/pets`, {
      method: op === 'listPets' ? 'GET' : 'POST',
      headers: { 'x-api-key': key, 'x-app-id': app, ...(xff === undefined ? {} : { 'x-forwarded-for': xff }), ...headers },
    });
    const body = await res.text();
    expect(events.length, 'one decision event per request').toBe(before + 1);
    const event = events[events.length - 1] as DecisionEvent;
    const headerLines: string[] = [];
    res.headers.forEach((value, name) => headerLines.push(`${name}: ${value}`));
    const seen = JSON.stringify([body, headerLines, event]);
    for (const secret of SECRETS) expect(seen.includes(secret), 'a key leaked into an answer or an event').toBe(false);
    return { status: res.status, body, challenge: res.headers.get('www-authenticate'), event };
  }
  /** 200 through the pair, the principal and the event naming the key's record. */
  async function expectAllowed(c: Call, name: KeyName | Issued): Promise<{ peer: string }> {
    const record = typeof name === 'string' ? keys[name].record : name.record;
    const op = c.op ?? 'listPets';
    const res = await call(c);
    expect(res.status, res.body).toBe(200);
    const body = JSON.parse(res.body) as { peer: string };
    expect(body).toMatchObject({ op, keyId: record.id });
    expect(res.event).toMatchObject({ outcome: 'allow', operationId: op, keyId: record.id, alternative: op === 'listPets' ? 0 : 1 });
    expect(res.event.detail).toBeUndefined();
    return body;
  }
  /** 401 with the one answer every bad key gets; the reason only in the event. */
  async function expectRefused(c: Call, detail: string, keyId: string | undefined, reason: 'invalid' | 'binding' = 'invalid'): Promise<void> {
    const op = c.op ?? 'listPets';
    const res = await call(c);
    expect(res.status, res.body).toBe(401);
    expect(JSON.parse(res.body)).toEqual(INVALID_401[op]);
    expect(res.challenge).toBe(CHALLENGE[op]);
    expect(res.event).toMatchObject({ outcome: 'deny', status: 401, operationId: op, reason, detail });
    expect(res.event.keyId).toBe(keyId);
  }

  it('1. the key with its own App ID → 200; with the App ID of another key → 401 key-wrong-app', async () => {
    await expectAllowed({ key: keys.good.key }, 'good');
    await expectAllowed({ key: keys.other.key, app: 'app-b' }, 'other');
    await expectRefused({ key: keys.good.key, app: 'app-b' }, 'key-wrong-app', keys.good.record.id, 'binding');
    await expectRefused({ key: keys.other.key, app: 'app-a' }, 'key-wrong-app', keys.other.record.id, 'binding');
  });

  it('2. IP ranges from the socket: 10.0.0.0/8 from 127.0.0.1 → 401 key-wrong-ip; 127.0.0.0/8 → 200', async () => {
    await expectRefused({ key: keys.ip10.key }, 'key-wrong-ip', keys.ip10.record.id);
    await expectAllowed({ key: keys.ip127.key }, 'ip127');
  });

  it('3. X-Forwarded-For counts only through trustProxy', async () => {
    // Not trusted: the socket's 127.0.0.1 decides, whatever the header says.
    await expectRefused({ key: keys.ip10.key, xff: '10.1.2.3' }, 'key-wrong-ip', keys.ip10.record.id);
    await expectAllowed({ key: keys.ip127.key, xff: '10.1.2.3' }, 'ip127');
    // trustProxy: 1: the hop before the proxy is the client.
    await expectAllowed({ key: keys.ip10.key, xff: '10.1.2.3', variant: 'proxied' }, 'ip10');
    await expectRefused({ key: keys.ip127.key, xff: '10.1.2.3', variant: 'proxied' }, 'key-wrong-ip', keys.ip127.record.id);
    await expectAllowed({ key: keys.ip10.key, xff: '192.0.2.9, 10.1.2.3', variant: 'proxied' }, 'ip10');
    await expectRefused({ key: keys.ip10.key, xff: '10.1.2.3, 192.0.2.9', variant: 'proxied' }, 'key-wrong-ip', keys.ip10.record.id);
    // No header behind a trusted proxy: the socket's address.
    await expectAllowed({ key: keys.ip127.key, variant: 'proxied' }, 'ip127');
  });

  it('4. dual stack: 127.0.0.1 arrives as ::ffff:127.0.0.1 and matches 127.0.0.0/8; ::1/128 only from [::1]', async () => {
    expect(await expectAllowed({ key: keys.ip127.key, variant: 'dual' }, 'ip127')).toMatchObject({ peer: '::ffff:127.0.0.1' });
    expect(await expectAllowed({ key: keys.ip127.key }, 'ip127')).toMatchObject({ peer: '127.0.0.1' });
    await expectRefused({ key: keys.ip10.key, variant: 'dual' }, 'key-wrong-ip', keys.ip10.record.id);
    expect(await expectAllowed({ key: keys.ip6.key, variant: 'dual', from: '[::1]' }, 'ip6')).toMatchObject({ peer: '::1' });
    await expectRefused({ key: keys.ip6.key, variant: 'dual' }, 'key-wrong-ip', keys.ip6.record.id);
    await expectRefused({ key: keys.ip127.key, variant: 'dual', from: '[::1]' }, 'key-wrong-ip', keys.ip127.record.id);
    // The `cidrMatcher(['::1/128'])` predicate trusts ::1 as a proxy, not ::ffff:127.0.0.1.
    await expectAllowed({ key: keys.ip10.key, variant: 'dual', from: '[::1]', xff: '10.1.2.3' }, 'ip10');
    await expectRefused({ key: keys.ip10.key, variant: 'dual', xff: '10.1.2.3' }, 'key-wrong-ip', keys.ip10.record.id);
  });

  it('5. notBefore, expiresAt and revocation', async () => {
    await expectRefused({ key: keys.future.key }, 'key-not-yet-valid', keys.future.record.id);
    clock = T0 + HOUR;
    await expectAllowed({ key: keys.future.key }, 'future');
    await expectRefused({ key: keys.expired.key }, 'key-expired', keys.expired.record.id);
    clock = T0 - 2;
    await expectAllowed({ key: keys.expired.key }, 'expired');
    clock = T0;
    await expectAllowed({ key: keys.revoke.key }, 'revoke');
    await rt.store.revokeApiKey(store, keys.revoke.record.id);
    await expectRefused({ key: keys.revoke.key }, 'key-revoked', keys.revoke.record.id);
  });

  it('6. rotation: the old key works for the grace period, then 401 key-rotated; the new key works', async () => {
    const rotated = note(await rt.store.rotateApiKey(store, keys.rotate.record.id, { graceMs: 60_000, now: clock }));
    expect(rotated.previous.replacedBy).toBe(rotated.record.id);
    await expectAllowed({ key: keys.rotate.key }, 'rotate');
    await expectAllowed({ key: rotated.key }, rotated);
    clock = T0 + 59_999;
    await expectAllowed({ key: keys.rotate.key }, 'rotate');
    clock = T0 + 60_000;
    await expectRefused({ key: keys.rotate.key }, 'key-rotated', keys.rotate.record.id);
    await expectAllowed({ key: rotated.key }, rotated);
  });

  it('7. a key for listPets only: createPet → 401 key-wrong-operation, listPets → 200', async () => {
    await expectRefused({ key: keys.listOnly.key, op: 'createPet' }, 'key-wrong-operation', keys.listOnly.record.id);
    await expectAllowed({ key: keys.listOnly.key }, 'listOnly');
    await expectAllowed({ key: keys.good.key, op: 'createPet' }, 'good');
  });

  it('origins (publishable keys): the Origin, else the Referer, must be one of the key\'s; otherwise 401 key-wrong-origin', async () => {
    await expectAllowed({ key: keys.site.key, headers: { origin: 'https://shop.example' } }, 'site');
    await expectAllowed({ key: keys.site.key, headers: { referer: 'https://shop.example/cart?x=1' } }, 'site');
    await expectRefused({ key: keys.site.key, headers: { origin: 'https://evil.example', referer: 'https://shop.example/' } }, 'key-wrong-origin', keys.site.record.id);
    await expectRefused({ key: keys.site.key }, 'key-wrong-origin', keys.site.record.id);
  });

  it('9. malformed, unknown and mismatched keys get the same 401 as any other refused key', async () => {
    await expectRefused({ key: 'pet_test_nonsense' }, 'key-malformed', undefined);
    await expectRefused({ key: `${keys.good.key.slice(0, -1)}${keys.good.key.endsWith('A') ? 'B' : 'A'}` }, 'key-malformed', undefined);
    await expectRefused({ key: unknown.key }, 'key-unknown', unknown.id);
    await expectRefused({ key: mismatchKey }, 'key-mismatch', keys.good.record.id);
    await expectRefused({ key: unknown.key, op: 'createPet' }, 'key-unknown', unknown.id);
  });

  if (adapter.variants.includes('none')) {
    it('3. Fetch without a clientAddress function: IP-restricted keys are refused (fail closed), others pass', async () => {
      await expectRefused({ key: keys.ip127.key, variant: 'none' }, 'key-wrong-ip', keys.ip127.record.id);
      await expectRefused({ key: keys.ip10.key, variant: 'none', xff: '10.1.2.3' }, 'key-wrong-ip', keys.ip10.record.id);
      await expectAllowed({ key: keys.good.key, variant: 'none' }, 'good');
    });
  }
});
