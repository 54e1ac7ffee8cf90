// An absolute-form request target whose authority parsers read differently: Express's
// router (through `url.parse`) reads `http://h:acme/pets` as the path `/:acme/pets`,
// where a plain cut after the authority gives `/pets`. The guard cuts only a plain
// authority and refuses the rest, over a raw socket, failing without the fix.
import { createServer } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFixture, importGenerated } from '../helpers/generated.js';
import { authRequestFromNode, type Guard } from '../../templates/runtime/runtime-server.js';
import { rawHttp } from '../fuzz/raw-client.js';
import { listen, type Running } from './support.js';

let server: Running;
let guard: Guard<string, unknown>;
const ran: string[] = [];

beforeAll(async () => {
  const dir = await generateFixture('test/e2e/fixtures/no-base.yaml', 'e2e-absolute-form');
  const { createGuard } = await importGenerated<{ createGuard(v: object): Guard<string, unknown> }>(dir, 'guard.ts');
  const ex = await importGenerated<typeof import('../../templates/runtime/express.js')>(dir, 'express.ts');
  guard = createGuard({ ApiKey: (key: string) => (key === 'k-good' ? { client: 'c' } : null) });
  const app = express();
  app.use(ex.authMiddleware(guard));
  app.get('/pets', (_q, res) => (ran.push('listPublicPets'), res.end()));
  app.get('/:org/pets', (_q, res) => (ran.push('listOrgPets'), res.end()));
  server = await listen(createServer(app));
});
afterAll(async () => {
  await server.close();
});

describe('absolute-form targets', () => {
  it.each(['http://h:acme/pets', 'http://h:acme.x/pets', 'http://h:8080x/pets', 'http://h:80:x/pets', 'http://a:b@h:c/pets', 'http://:x/pets'])('%s never runs the protected handler without a key', async (target) => {
    ran.length = 0;
    const r = await rawHttp(server.port, 'GET', target);
    expect(ran).not.toContain('listOrgPets');
    // The guard refuses it: a 404 problem naming a path not written the way the API defines it.
    expect([r.status, r.body.includes('not written the way the API defines it')]).toEqual([404, true]);
  });
  it('a plain authority is still cut, and the request view keeps anything else whole', async () => {
    expect((await rawHttp(server.port, 'GET', 'http://h:8080/acme/pets')).status).toBe(401);
    expect((await rawHttp(server.port, 'GET', 'http://[::1]:8080/pets')).status).toBe(200);
    expect(authRequestFromNode({ headers: {} }, 'http://h:acme/pets').path).toBe('http://h:acme/pets');
    expect(guard.route('GET', 'http://h:acme/pets')).toBeNull();
  });
});
