// The generated client's clientCredentialsToken: tokenUrl defaults to the spec's
// clientCredentials flow (the only such scheme, or the one named by `scheme`), a
// relative one resolves against `baseUrl` or is a clear error, and the option types
// follow the spec. Against a real token endpoint on 127.0.0.1.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers.js';
import { generateFixture, importGenerated, TEST_OUTPUT } from '../helpers/generated.js';
import { typecheck } from '../helpers/typecheck.js';
import { generatedClient } from './generated.js';
import { clientCredentialsToken as genericToken, clientCredentialsTokenUrl } from '../../templates/runtime/runtime-client.js';

interface TokenOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes?: readonly string[];
  readonly tokenUrl?: string | URL;
  readonly scheme?: string;
  readonly baseUrl?: string | URL;
  readonly fetch?: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
}
interface ClientModule {
  clientCredentialsToken(options: TokenOptions): () => Promise<string>;
}

const SPECS = path.join(TEST_OUTPUT, 'client-oauth2-specs');
const relative = (file: string) => path.relative(path.resolve(TEST_OUTPUT, '..'), path.join(SPECS, file));

function spec(title: string, schemes: Record<string, unknown>): object {
  const all = Object.keys(schemes).map((name) => ({ [name]: [] }));
  return {
    openapi: '3.0.3',
    info: { title, version: '1' },
    servers: [{ url: 'https://api.example.com/v1' }],
    components: { securitySchemes: schemes },
    paths: { '/things': { get: { operationId: 'listThings', security: all, responses: { '200': { description: 'ok' } } } } },
  };
}

let server: TestServer;
let several: ClientModule;
let severalDir: string;
let noneDir: string;
let issued = 0;

beforeAll(async () => {
  server = await startServer((req, res) => {
    issued++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: `${req.url}#${issued}`, token_type: 'Bearer', expires_in: 60 }));
  });
  mkdirSync(SPECS, { recursive: true });
  const cc = (tokenUrl: string) => ({ type: 'oauth2', flows: { clientCredentials: { tokenUrl, scopes: { read: 'read' } } } });
  writeFileSync(
    path.join(SPECS, 'several.json'),
    JSON.stringify(
      spec('several', {
        Machine: cc('/oauth/token'),
        Partner: cc(`${server.origin}/partner/token`),
        Interactive: { type: 'oauth2', flows: { authorizationCode: { authorizationUrl: 'https://auth.example.com/authorize', tokenUrl: 'https://auth.example.com/token', scopes: {} } } },
        Key: { type: 'apiKey', in: 'header', name: 'X-Key' },
      }),
    ),
  );
  writeFileSync(path.join(SPECS, 'none.json'), JSON.stringify(spec('none', { Key: { type: 'apiKey', in: 'header', name: 'X-Key' } })));
  severalDir = await generateFixture(relative('several.json'), 'client-oauth2-specs/several');
  noneDir = await generateFixture(relative('none.json'), 'client-oauth2-specs/none');
  several = await importGenerated<ClientModule>(severalDir, 'client.ts');
}, 60_000);
afterAll(() => server.close());
beforeEach(() => {
  server.seen.length = 0;
  issued = 0;
});

const secret = { clientId: 'id', clientSecret: 's3cret' };

describe('generated clientCredentialsToken: tokenUrl from the spec', () => {
  it('the scheme named picks its flow: an absolute loopback tokenUrl is used as written', async () => {
    const token = several.clientCredentialsToken({ ...secret, scheme: 'Partner', scopes: ['read'] });
    expect(await token()).toBe('/partner/token#1');
    expect(await token()).toBe('/partner/token#1'); // still cached like the generic provider
    expect(server.seen.map((s) => [s.method, s.url, s.body])).toEqual([['POST', '/partner/token', 'grant_type=client_credentials&scope=read']]);
  });

  it('a relative spec tokenUrl resolves against baseUrl (RFC 3986), and without baseUrl asks for tokenUrl', async () => {
    const token = several.clientCredentialsToken({ ...secret, scheme: 'Machine', baseUrl: `${server.origin}/v1` });
    expect(await token()).toBe('/oauth/token#1');
    expect(() => several.clientCredentialsToken({ ...secret, scheme: 'Machine' })).toThrow(
      /tokenUrl of scheme "Machine" in the spec \("\/oauth\/token"\) is not an absolute URL: tokenUrl must be given/,
    );
    expect(server.seen).toHaveLength(1);
  });

  it('several candidate schemes and no scheme: an error naming them; an explicit tokenUrl always wins', async () => {
    expect(() => several.clientCredentialsToken(secret)).toThrow(/several OAuth2 schemes have a clientCredentials flow \("Machine", "Partner"\): pass scheme, or tokenUrl/);
    expect(() => several.clientCredentialsToken({ ...secret, scheme: 'Interactive' })).toThrow(/"Interactive" is not an OAuth2 scheme with a clientCredentials flow, so tokenUrl must be given/);
    const token = several.clientCredentialsToken({ ...secret, scheme: 'Partner', tokenUrl: `${server.origin}/override` });
    expect(await token()).toBe('/override#1');
    const joined = several.clientCredentialsToken({ ...secret, tokenUrl: 'other/token', baseUrl: `${server.origin}/v1/` });
    expect(await joined()).toBe('/v1/other/token#2');
  });

  it('exactly one candidate scheme is the default (hostile spec: its tokenUrl as written, percent-encoded by URL)', async () => {
    const dir = await generateFixture('specs/hostile/injection.json', 'client-oauth2-specs/hostile');
    const hostile = await importGenerated<ClientModule>(dir, 'client.ts');
    const asked: string[] = [];
    const token = hostile.clientCredentialsToken({
      ...secret,
      fetch: (input, init) => {
        asked.push(String(input));
        return fetch(`${server.origin}/hostile`, init); // the spec's host is not ours: answer locally
      },
    });
    expect(await token()).toBe('/hostile#1');
    expect(asked).toEqual([new URL("https://auth.example.com/token'\"`${globalThis.__pwned = 1}").href]);
    expect((globalThis as { __pwned?: unknown }).__pwned).toBeUndefined();
    // The client the other tests use (client-spec.yaml, one clientCredentials scheme) defaults the same way.
    const { clientCredentialsToken: fixtureToken } = (await generatedClient('client-oauth2-specs/client-spec')).client;
    const urls: string[] = [];
    await fixtureToken({ ...secret, fetch: (input, init) => (urls.push(String(input)), fetch(`${server.origin}/fixture`, init)) })();
    expect(urls).toEqual(['https://auth.example.com/token']);
  }, 60_000);

  it('without any clientCredentials scheme tokenUrl is required; the generic runtime function stays available', async () => {
    expect(() => clientCredentialsTokenUrl({}, {})).toThrow(/no OAuth2 scheme with a clientCredentials flow, so tokenUrl must be given/);
    expect(await genericToken({ ...secret, tokenUrl: `${server.origin}/generic` })()).toBe('/generic#1');
  });

  it('option types follow the spec: scheme is a union of clientCredentials schemes; no such scheme means tokenUrl is required', () => {
    const user = path.join(SPECS, 'user-options.ts');
    writeFileSync(
      user,
      [
        `import { clientCredentialsToken as several, type ClientCredentialsSchemeName } from './several/client.js';`,
        `import { clientCredentialsToken as none } from './none/client.js';`,
        `const names: ClientCredentialsSchemeName[] = ['Machine', 'Partner'];`,
        `several({ clientId: 'i', clientSecret: 's', scheme: 'Partner' });`,
        `several({ clientId: 'i', clientSecret: 's', scheme: 'Machine', baseUrl: new URL('https://api.example.com') });`,
        `none({ clientId: 'i', clientSecret: 's', tokenUrl: 'https://auth.example.com/token' });`,
        `// @ts-expect-error: Interactive has no clientCredentials flow`,
        `several({ clientId: 'i', clientSecret: 's', scheme: 'Interactive' });`,
        `// @ts-expect-error: no default tokenUrl in a spec without a clientCredentials flow`,
        `none({ clientId: 'i', clientSecret: 's' });`,
        `export { names };`,
        '',
      ].join('\n'),
    );
    expect(typecheck([user], 'NodeNext')).toEqual([]);
    expect(noneDir).toContain('none');
  }, 60_000);
});
