// Family 3: the security step of the peers against the guard, valid and invalid path
// (petstore listPets, the same async verifiers): express-openapi-validator inside
// Express 5, openapi-backend `handleRequest` (and its security step alone, timed between
// the hooks it calls around it), fastify-openapi-glue (its security preHandler alone, and
// the whole plugin inside Fastify 5). Each stack is timed per request with and without
// security in one alternating group, and the difference is its security cost; the guard's
// figures are `authorize` alone and its adapters in the same stacks. Set-up and timing
// here; the table in peers-report.ts.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { BENCH, PETSTORE, benchRequire, log, repoRequire } from './config.js';
import { importFile, type GeneratedGuard, type Loose } from './generated.js';
import { guardVerifiers, handAnd, invalid, reject, valid, verifyApp, verifyBearer, verifyKey } from './guard-contenders.js';
import type { Fn, Stopwatch } from './timing.js';

export type PeerFigures = Record<string, { median: number; spread: number }>;

const check = (cond: boolean, what: string) => {
  if (!cond) throw new Error(`bench set-up is wrong: ${what}`);
};
// fastify-openapi-glue's handlers refuse by throwing: one shared error, so the peer is not
// charged a stack trace per request on top of the SecurityError it builds itself.
const REFUSED = Object.assign(new Error('refused'), { statusCode: 401 });
const stripSecurity = (doc: Loose) => {
  const d = structuredClone(doc);
  delete d.security;
  for (const item of Object.values(d.paths) as Loose[]) for (const op of Object.values(item) as Loose[]) if (op && typeof op === 'object') delete op.security;
  return d;
};

/** The stacks, set up and checked, as the groups that are timed together (each in a process of its own: see `measurePeers`). */
export async function peerGroups(pet: GeneratedGuard): Promise<{ groups: Array<Record<string, Fn>>; close: () => Promise<unknown> }> {
  const petGuard = pet.createGuard(guardVerifiers(pet.independent));
  const { default: express } = await importFile(benchRequire.resolve('express'));
  const eov = await importFile(benchRequire.resolve('express-openapi-validator'));
  const { default: inject } = await importFile(benchRequire.resolve('light-my-request'));
  const { OpenAPIBackend } = await importFile(benchRequire.resolve('openapi-backend'));
  const { default: glue } = await importFile(benchRequire.resolve('fastify-openapi-glue'));
  const { default: Fastify } = await importFile(repoRequire.resolve('fastify'));
  const { default: parser } = await importFile(repoRequire.resolve('@apidevtools/swagger-parser'));
  const petDoc = await parser.parse(PETSTORE);

  // Express: bare, the generated adapter, the hand-written check, express-openapi-validator (security only).
  const expressApp = (middleware?: Loose) => {
    const app = express();
    if (middleware) app.use(middleware);
    app.get('/v1/pets', (_req: Loose, res: Loose) => res.end('ok'));
    app.use((err: Loose, _req: Loose, res: Loose, _next: Loose) => res.status(err.status ?? 500).end());
    return app;
  };
  const fromHeader = (name: string, verify: (k: unknown) => Promise<unknown>) => async (req: Loose) => Boolean(await verify(req.headers[name]));
  const eovApp = expressApp(
    eov.middleware({
      apiSpec: structuredClone(petDoc),
      validateRequests: false,
      validateResponses: false,
      validateSecurity: { handlers: { ApiKey: fromHeader('x-api-key', verifyKey), AppId: fromHeader('x-app-id', verifyApp), Bearer: async (req: Loose) => Boolean(await verifyBearer(String(req.headers.authorization ?? '').slice(7))), Basic: reject, OAuth2: reject, QueryKey: reject, SessionCookie: reject } },
    }),
  );
  const bareApp = expressApp();
  const guardApp = expressApp(pet.adapters.express.authMiddleware(petGuard));
  const handApp = expressApp(async (req: Loose, res: Loose, next: Loose) => {
    const r = await handAnd(req);
    if (r.ok) return next();
    res.status(r.status).end();
  });
  const injectGet = (app: Loose, headers: object) => () => inject(app, { method: 'GET', url: '/v1/pets', headers });
  for (const app of [eovApp, guardApp, handApp, bareApp]) check((await injectGet(app, valid)()).statusCode === 200, 'express valid');
  for (const app of [eovApp, guardApp, handApp]) for (const h of [{}, invalid]) check((await injectGet(app, h)()).statusCode === 401, 'express denial');
  check((await injectGet(bareApp, invalid)()).statusCode === 200, 'express bare ignores credentials');
  {
    const r = await injectGet(guardApp, invalid)();
    check(String(r.headers['content-type']).startsWith('application/problem+json') && /APIKey/.test(String(r.headers['www-authenticate'])), 'express adapter answers 401 with its problem and challenge');
  }

  // openapi-backend, with and without security, `validate: false`.
  const obCalls = { n: 0 };
  const backend = async (withSecurity: boolean) => {
    const api = new OpenAPIBackend({ definition: withSecurity ? structuredClone(petDoc) : stripSecurity(petDoc), validate: false, quick: true });
    api.register({ listPets: () => 200, notFound: () => 404, unauthorizedHandler: () => 401 });
    if (withSecurity) {
      api.registerSecurityHandler('ApiKey', (c: Loose) => (obCalls.n++, verifyKey(c.request.headers['x-api-key'])));
      api.registerSecurityHandler('AppId', (c: Loose) => verifyApp(c.request.headers['x-app-id']));
      api.registerSecurityHandler('Bearer', (c: Loose) => verifyBearer(String(c.request.headers.authorization ?? '').slice(7)));
      for (const s of ['Basic', 'OAuth2', 'QueryKey', 'SessionCookie']) api.registerSecurityHandler(s, reject);
    }
    await api.init();
    return api;
  };
  const obSec = await backend(true);
  const obBare = await backend(false);
  const obReq = (headers: object) => ({ method: 'GET', path: '/pets', headers });
  check((await obSec.handleRequest(obReq(valid))) === 200 && obCalls.n === 1, 'openapi-backend valid, its ApiKey handler called');
  check((await obSec.handleRequest(obReq(invalid))) === 401, 'openapi-backend denial');
  check((await obBare.handleRequest(obReq(invalid))) === 200, 'openapi-backend without security');

  // fastify-openapi-glue: the plugin configured with the petstore spec and the same
  // verifiers; its security step (the preHandler it builds for the operation's
  // requirements) captured from the route it registers, and the whole plugin in Fastify.
  const glueHandlers = {
    ApiKey: async (req: Loose) => {
      if (!(await verifyKey(req.headers['x-api-key']))) throw REFUSED;
    },
    AppId: async (req: Loose) => {
      if (!(await verifyApp(req.headers['x-app-id']))) throw REFUSED;
    },
    Bearer: async (req: Loose) => {
      if (!(await verifyBearer(String(req.headers.authorization ?? '').slice(7)))) throw REFUSED;
    },
    Basic: async () => {
      throw REFUSED;
    },
    OAuth2: async () => {
      throw REFUSED;
    },
    QueryKey: async () => {
      throw REFUSED;
    },
    SessionCookie: async () => {
      throw REFUSED;
    },
  };
  const body = { pets: [] };
  const serviceHandlers = new Proxy({}, { get: () => async () => body, has: () => true });
  let glueStep: ((req: Loose, reply: Loose) => Promise<void>) | undefined;
  const glueApp = async (withSecurity: boolean) => {
    const app = Fastify();
    app.addHook('onRoute', (o: Loose) => {
      if (withSecurity && o.method === 'GET' && o.url === '/v1/pets') glueStep = o.preHandler;
    });
    app.setErrorHandler((err: Loose, _req: Loose, reply: Loose) => reply.code(err.statusCode ?? 500).send());
    await app.register(glue, { specification: withSecurity ? PETSTORE : stripSecurity(petDoc), serviceHandlers, ...(withSecurity ? { securityHandlers: glueHandlers } : {}), prefix: 'v1' });
    await app.ready();
    return app;
  };
  const glueSec = await glueApp(true);
  const glueBare = await glueApp(false);
  const bareFastify = Fastify();
  bareFastify.get('/v1/pets', async () => body);
  await bareFastify.ready();
  const guardFastify = Fastify();
  guardFastify.addHook('onRequest', pet.adapters.fastify.authHook(petGuard));
  guardFastify.get('/v1/pets', async () => body);
  await guardFastify.ready();
  if (!glueStep) throw new Error('fastify-openapi-glue registered no security preHandler for GET /v1/pets');
  const step = glueStep;
  const quietLog = { debug() {} };
  const stepValid = () => step({ headers: valid, log: quietLog }, {});
  const stepInvalid = () => step({ headers: invalid, log: quietLog }, {}).then(() => 200, (e: Loose) => e.statusCode);
  const fastifyGet = (app: Loose, headers: object) => () => app.inject({ method: 'GET', url: '/v1/pets', headers });
  check((await stepValid()) === undefined && (await stepInvalid()) === 401, 'fastify-openapi-glue security step decides');
  for (const [app, h, status] of [[bareFastify, invalid, 200], [glueSec, valid, 200], [glueSec, invalid, 401], [glueBare, invalid, 200], [guardFastify, valid, 200], [guardFastify, invalid, 401]] as const) {
    check((await fastifyGet(app, h)()).statusCode === status, `fastify ${status}`);
  }

  const groups: Array<Record<string, Fn>> = [
    // The decisions alone, in-process: the guard's `authorize` next to glue's step.
    { guardValid: () => petGuard.authorize('listPets', { headers: valid }), glueValid: stepValid, guardInvalid: () => petGuard.authorize('listPets', { headers: invalid }), glueInvalid: stepInvalid },
  ];
  // Each stack timed in its own alternating group, so one stack's garbage does not land on
  // another's clock; express-openapi-validator leaves much more garbage per request than the
  // others, so it has a group of its own, against its own bare Express figure.
  for (const [suffix, h] of [['', valid], ['Invalid', invalid]] as const) {
    groups.push({ [`bareExpress${suffix}`]: injectGet(bareApp, h), [`guardExpress${suffix}`]: injectGet(guardApp, h), [`handExpress${suffix}`]: injectGet(handApp, h) });
    groups.push({ [`bareExpressEov${suffix}`]: injectGet(bareApp, h), [`eovExpress${suffix}`]: injectGet(eovApp, h) });
    groups.push({ [`obBare${suffix}`]: () => obBare.handleRequest(obReq(h)), [`obSec${suffix}`]: () => obSec.handleRequest(obReq(h)) });
    groups.push({ [`bareFastify${suffix}`]: fastifyGet(bareFastify, h), [`guardFastify${suffix}`]: fastifyGet(guardFastify, h), [`glueBare${suffix}`]: fastifyGet(glueBare, h), [`glueFastify${suffix}`]: fastifyGet(glueSec, h) });
  }
  return { groups, close: () => Promise.all([glueSec.close(), glueBare.close(), guardFastify.close(), bareFastify.close()]) };
}

/**
 * openapi-backend's security step alone, next to the guard's `authorize` timed the same
 * way (`insideRounds`): its whole `handleRequest` costs some 80 µs here, so the
 * difference with and without security drowns a step of a few µs in the noise of two
 * whole requests. openapi-backend calls a `postRoutingHandler` hook just before the step
 * and a `postSecurityHandler` hook just after it: the watch starts at the end of the
 * first and stops at the start of the second, so what it times is the step plus one
 * resumption of `handleRequest` after an await; the guard's watch starts before
 * `authorize` and stops after the await of its decision, which also resumes once.
 */
export async function insideContenders(pet: GeneratedGuard): Promise<Record<string, (watch: Stopwatch) => Fn>> {
  const petGuard = pet.createGuard(guardVerifiers(pet.independent));
  const { OpenAPIBackend } = await importFile(benchRequire.resolve('openapi-backend'));
  const { default: parser } = await importFile(repoRequire.resolve('@apidevtools/swagger-parser'));
  const petDoc = await parser.parse(PETSTORE);
  const backend = async (watch: Stopwatch) => {
    const api = new OpenAPIBackend({ definition: structuredClone(petDoc), validate: false, quick: true });
    api.register({ listPets: () => 200, notFound: () => 404, unauthorizedHandler: () => 401, postRoutingHandler: () => watch.start(), postSecurityHandler: () => watch.stop() });
    api.registerSecurityHandler('ApiKey', (c: Loose) => verifyKey(c.request.headers['x-api-key']));
    api.registerSecurityHandler('AppId', (c: Loose) => verifyApp(c.request.headers['x-app-id']));
    api.registerSecurityHandler('Bearer', (c: Loose) => verifyBearer(String(c.request.headers.authorization ?? '').slice(7)));
    for (const s of ['Basic', 'OAuth2', 'QueryKey', 'SessionCookie']) api.registerSecurityHandler(s, reject);
    await api.init();
    return api;
  };
  const obReq = (headers: object) => ({ method: 'GET', path: '/pets', headers });
  const probe = { start() {}, stop() {} };
  const ob = await backend(probe);
  check((await ob.handleRequest(obReq(valid))) === 200 && (await ob.handleRequest(obReq(invalid))) === 401, 'openapi-backend with hooks decides');
  const obStep = (headers: object) => (watch: Stopwatch) => {
    const api = backend(watch);
    return async () => (await api).handleRequest(obReq(headers));
  };
  const guardStep = (headers: object) => (watch: Stopwatch) => async () => {
    watch.start();
    const r = await petGuard.authorize('listPets', { headers });
    watch.stop();
    return r;
  };
  check((await petGuard.authorize('listPets', { headers: valid })).ok === true && (await petGuard.authorize('listPets', { headers: invalid })).ok === false, 'guard decides');
  return { guardStepValid: guardStep(valid), obStepValid: obStep(valid), guardStepInvalid: guardStep(invalid), obStepInvalid: obStep(invalid) };
}

/** How many groups `peerGroups` returns (the child processes `measurePeers` starts). */
export const PEER_GROUPS = 9;

/**
 * Each group in a fresh process (bench/dist/peers-child.js): light-my-request's `inject`
 * keeps ~10 kB per request alive on this Node (its null socket stays referenced), so one
 * process running every group grew past 4 GB and died; a group's process starts from a
 * small heap, and the groups' figures no longer carry the previous groups' garbage.
 */
export async function measurePeers(pet: GeneratedGuard): Promise<PeerFigures> {
  log('peers: security step per request, valid and invalid (minus the same stack without security), a process per group');
  const figures: PeerFigures = {};
  // The groups, then (`inside`) openapi-backend's step timed from its hooks.
  for (const i of [...Array.from({ length: PEER_GROUPS }, (_, i) => String(i)), 'inside']) {
    const r = spawnSync(process.execPath, [path.join(BENCH, 'dist/peers-child.js'), pet.dir, i], { encoding: 'utf8', env: process.env, maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`peers group ${i} failed (exit ${r.status}): ${String(r.stderr).trim().split('\n').slice(-3).join(' / ')}`);
    Object.assign(figures, JSON.parse(r.stdout.trim().split('\n').pop()!) as PeerFigures);
  }
  return figures;
}
