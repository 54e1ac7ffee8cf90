// A loopback server for the throughput part of bench/run.mjs, in its own process so
// the load generator does not share its event loop. argv: framework (express|fastify),
// variant (bare|guard), path of the generated petstore guard.js. Prints the port.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [framework, variant, guardFile] = process.argv.slice(2);
const BENCH = path.dirname(fileURLToPath(import.meta.url));
const benchRequire = createRequire(path.join(BENCH, 'package.json'));
const repoRequire = createRequire(path.join(BENCH, '../package.json'));

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
};
const { createGuard } = await import(pathToFileURL(guardFile).href);
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

if (framework === 'express') {
  const { default: express } = await import(pathToFileURL(benchRequire.resolve('express')).href);
  const app = express();
  if (guard) {
    // The adapter's job, written inline: match the route, authorize, 401/403 with the problem body.
    app.use(async (req, res, next) => {
      const op = guard.match(req.method, req.path);
      if (op === undefined) return res.status(404).end();
      try {
        const r = await guard.authorize(op, { headers: req.headers });
        if (!r.ok) return res.status(r.status).set(r.headers).type('application/problem+json').send(JSON.stringify(r.body));
        req.auth = r.principals;
        next();
      } catch (error) {
        next(error);
      }
    });
  }
  if (variant === 'hand') {
    app.use(async (req, res, next) => {
      const principals = await hand(req.headers);
      if (!principals) return res.status(401).end();
      req.auth = principals;
      next();
    });
  }
  app.get('/v1/pets', (req, res) => res.json(body));
  const server = app.listen(0, '127.0.0.1', () => console.log(server.address().port));
} else {
  const { default: Fastify } = await import(pathToFileURL(repoRequire.resolve('fastify')).href);
  const app = Fastify();
  if (variant === 'hand') {
    app.decorateRequest('auth', null);
    app.addHook('onRequest', async (req, reply) => {
      const principals = await hand(req.headers);
      if (!principals) return reply.code(401).send();
      req.auth = principals;
    });
  }
  if (guard) {
    // Declared up front: adding a property to fastify's request objects per request changes their shape (slow path).
    app.decorateRequest('auth', null);
    app.addHook('onRequest', async (req, reply) => {
      const op = guard.match(req.method, req.url.split('?')[0]);
      if (op === undefined) return reply.code(404).send();
      const r = await guard.authorize(op, { headers: req.headers });
      if (!r.ok) return reply.code(r.status).headers(r.headers).type('application/problem+json').send(JSON.stringify(r.body));
      req.auth = r.principals;
    });
  }
  app.get('/v1/pets', async () => body);
  await app.listen({ port: 0, host: '127.0.0.1' });
  console.log(app.server.address().port);
}
