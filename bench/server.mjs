// A loopback server for the throughput part of bench/src/loopback.ts, in its own process so
// the load generator does not share its event loop. argv: framework (express|fastify),
// variant (bare|hand|guard), folder of the generated petstore output (transpiled to
// .js by bench/src/generated.ts). Prints the port.
//   bare:  the route alone.
//   hand:  the same two checks (ApiKey AND AppId) with the same async verifiers,
//          written by hand as an async middleware / onRequest hook.
//   guard: the generated adapter, wired as a user would:
//          Express `app.use(authMiddleware(guard))`,
//          Fastify `app.addHook('onRequest', authHook(guard))`.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [framework, variant, outDir] = process.argv.slice(2);
const BENCH = path.dirname(fileURLToPath(import.meta.url));
const benchRequire = createRequire(path.join(BENCH, 'package.json'));
const repoRequire = createRequire(path.join(BENCH, '../package.json'));
const load = (file) => import(pathToFileURL(path.join(outDir, file)).href);

const { createGuard, independent } = await load('guard.js');
const principal = { id: 'u1', scopes: ['pets:read', 'pets:write'] };
const reject = async () => null;
const verifiers = {
  ApiKey: async (k) => (k === 'key-1' ? principal : null),
  AppId: async (k) => (k === 'app-1' ? { app: 'a1' } : null),
  Bearer: async (t) => (t === 'tok-1' ? principal : null),
  Basic: reject,
  OAuth2: reject,
  QueryKey: reject,
  SessionCookie: reject,
  // No binding check, as the hand-written hook has none (README "Bound AND groups").
  'ApiKey + AppId': independent,
};
const guard = variant === 'guard' ? createGuard(verifiers) : undefined;
const body = { pets: [] };
// The same checks written by hand for the one route (ApiKey AND AppId), as the floor of any auth middleware.
const hand = async (headers) => {
  const k = headers['x-api-key'];
  const a = headers['x-app-id'];
  if (typeof k !== 'string' || typeof a !== 'string') return undefined;
  const p1 = await verifiers.ApiKey(k);
  if (!p1) return undefined;
  const p2 = await verifiers.AppId(a);
  return p2 ? { ApiKey: p1, AppId: p2 } : undefined;
};

// The hand-written check answers a failure as the guard does (same status, headers and
// problem body for this request), so the invalid columns compare like with like.
const DENY_HEADERS = {
  'content-type': 'application/problem+json',
  'www-authenticate': 'APIKey realm="api", in="header", name="X-API-Key", APIKey realm="api", in="header", name="X-App-Id", Bearer realm="api"',
};
const DENY_BODY = JSON.stringify({
  type: 'about:blank',
  title: 'Unauthorized',
  status: 401,
  detail: 'The credentials sent were not accepted for this operation.',
  missing: [{ scheme: 'Bearer', in: 'authorization', name: 'Bearer' }],
  invalid: [{ scheme: 'ApiKey', in: 'header', name: 'X-API-Key' }],
  alternatives: [
    {
      index: 0,
      schemes: [
        { scheme: 'ApiKey', in: 'header', name: 'X-API-Key' },
        { scheme: 'AppId', in: 'header', name: 'X-App-Id' },
      ],
      missing: [],
      invalid: [{ scheme: 'ApiKey', in: 'header', name: 'X-API-Key' }],
    },
    { index: 1, schemes: [{ scheme: 'Bearer', in: 'authorization', name: 'Bearer' }], missing: [{ scheme: 'Bearer', in: 'authorization', name: 'Bearer' }], invalid: [] },
  ],
});

if (framework === 'express') {
  const { default: express } = await import(pathToFileURL(benchRequire.resolve('express')).href);
  const app = express();
  if (guard) {
    const { authMiddleware } = await load('express.js');
    app.use(authMiddleware(guard));
  }
  if (variant === 'hand') {
    app.use(async (req, res, next) => {
      const principals = await hand(req.headers);
      if (!principals) return res.status(401).set(DENY_HEADERS).send(DENY_BODY);
      req.auth = principals;
      next();
    });
  }
  app.get('/v1/pets', (req, res) => res.json(body));
  const server = app.listen(0, '127.0.0.1', () => console.log(server.address().port));
} else {
  const { default: Fastify } = await import(pathToFileURL(repoRequire.resolve('fastify')).href);
  const app = Fastify();
  // Neither variant decorates the request: the adapter assigns `request.auth` as the
  // README shows it wired (one addHook line), and the hand-written hook does the same.
  if (guard) {
    const { authHook } = await load('fastify.js');
    app.addHook('onRequest', authHook(guard));
  }
  if (variant === 'hand') {
    app.addHook('onRequest', async (req, reply) => {
      const principals = await hand(req.headers);
      if (!principals) return reply.code(401).headers(DENY_HEADERS).send(DENY_BODY);
      req.auth = principals;
    });
  }
  app.get('/v1/pets', async () => body);
  await app.listen({ port: 0, host: '127.0.0.1' });
  console.log(app.server.address().port);
}
