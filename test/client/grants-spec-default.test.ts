// The grants' endpoints default to the spec's OAuth2 flows, read from a generated
// client's own tables and runtime copy: refresh at the flow's refreshUrl (else its
// tokenUrl), PKCE at the authorizationCode flow's authorizationUrl and tokenUrl, with
// clear errors when the spec has no such flow. And the generated client's
// clientCredentialsToken, passed to authFor, asks for each operation's scopes.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers.js';
import { generatedClient, type SecurityModule } from './generated.js';
import { generateFixture, importGenerated, TEST_OUTPUT } from '../helpers/generated.js';
import { typecheck } from '../helpers/typecheck.js';
import type * as Runtime from '../../templates/runtime/runtime-client.js';

interface ClientModule {
  authFor(operationId: string, credentials: Readonly<Record<string, unknown>>): Promise<Runtime.AuthParts>;
  clientCredentialsToken(options: Runtime.SpecClientCredentialsOptions<string>): Runtime.TokenProvider;
}

const SPECS = path.join(TEST_OUTPUT, 'client-grants-specs');
const relative = (file: string) => path.relative(path.resolve(TEST_OUTPUT, '..'), path.join(SPECS, file));

let server: TestServer;
let issued = 0;
let dir: string;
let client: ClientModule;
let security: SecurityModule;
let runtime: typeof Runtime;

beforeAll(async () => {
  server = await startServer((req, res) => {
    issued++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: `${req.url}#${issued}`, token_type: 'Bearer', expires_in: 60, refresh_token: `rt-${issued}` }));
  });
  mkdirSync(SPECS, { recursive: true });
  const spec = {
    openapi: '3.0.3',
    info: { title: 'grants', version: '1' },
    servers: [{ url: 'https://api.example.com/v1' }],
    components: {
      securitySchemes: {
        User: {
          type: 'oauth2',
          flows: {
            authorizationCode: {
              authorizationUrl: 'https://auth.example.com/authorize?audience=api',
              tokenUrl: `${server.origin}/user/token`,
              refreshUrl: `${server.origin}/user/refresh`,
              scopes: { read: 'read', write: 'write' },
            },
          },
        },
        Legacy: { type: 'oauth2', flows: { password: { tokenUrl: '/legacy/token', scopes: {} } } },
        Machine: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: `${server.origin}/machine/token`, scopes: { read: 'read', write: 'write' } } } },
        Key: { type: 'apiKey', in: 'header', name: 'X-Key' },
      },
    },
    paths: {
      '/things': {
        get: { operationId: 'readThings', security: [{ User: ['read'] }, { Machine: ['read'] }], responses: { '200': { description: 'ok' } } },
        post: { operationId: 'writeThings', security: [{ Machine: ['write', 'read'] }], responses: { '200': { description: 'ok' } } },
      },
      '/legacy': { get: { operationId: 'legacy', security: [{ Legacy: [] }, { Key: [] }], responses: { '200': { description: 'ok' } } } },
    },
  };
  writeFileSync(path.join(SPECS, 'grants.json'), JSON.stringify(spec));
  dir = await generateFixture(relative('grants.json'), 'client-grants-specs/grants');
  client = await importGenerated<ClientModule>(dir, 'client.ts');
  security = await importGenerated<SecurityModule>(dir, 'security.ts');
  runtime = await importGenerated<typeof Runtime>(dir, 'runtime-client.ts');
}, 60_000);
afterAll(() => server.close());
beforeEach(() => {
  server.seen.length = 0;
  issued = 0;
});

describe('refresh and PKCE endpoints from the spec', () => {
  it('refreshTokenProviderFor refreshes at the authorizationCode flow refreshUrl', async () => {
    const token = runtime.refreshTokenProviderFor(security.schemes, { scheme: 'User', clientId: 'app', refreshToken: 'rt-0' });
    expect(await token()).toBe('/user/refresh#1');
    expect(server.seen.map((s) => [s.url, s.body])).toEqual([['/user/refresh', 'grant_type=refresh_token&refresh_token=rt-0&client_id=app']]);
  });

  it('a flow without refreshUrl refreshes at its tokenUrl (relative: resolved against baseUrl, else a clear error)', async () => {
    const token = runtime.refreshTokenProviderFor(security.schemes, { scheme: 'Legacy', baseUrl: `${server.origin}/v1`, clientId: 'app', refreshToken: 'rt-0' });
    expect(await token()).toBe('/legacy/token#1');
    expect(() => runtime.refreshTokenProviderFor(security.schemes, { scheme: 'Legacy', clientId: 'app', refreshToken: 'r' })).toThrow(
      'refreshTokenProvider: the tokenUrl of scheme "Legacy" in the spec ("/legacy/token") is not an absolute URL: tokenUrl must be given as an absolute URL, or baseUrl to resolve it against',
    );
  });

  it('names the candidates when several schemes could serve, and refuses a scheme without such a flow', () => {
    expect(() => runtime.refreshTokenUrl(security.schemes, {})).toThrow(
      'refreshTokenProvider: several OAuth2 schemes have an authorizationCode or password flow ("Legacy", "User"): pass scheme, or tokenUrl',
    );
    expect(() => runtime.refreshTokenUrl(security.schemes, { scheme: 'Machine' })).toThrow(
      'refreshTokenProvider: scheme "Machine" is not an OAuth2 scheme with an authorizationCode or password flow, so tokenUrl must be given',
    );
    expect(runtime.refreshTokenUrl(security.schemes, { tokenUrl: 'https://other.example/token' }).href).toBe('https://other.example/token');
  });

  it('startAuthorizationFor uses the only authorizationCode flow authorizationUrl; completeAuthorizationFor its tokenUrl', async () => {
    const request = await runtime.startAuthorizationFor(security.schemes, { clientId: 'spa', redirectUri: 'http://127.0.0.1:8123/cb', scopes: ['read'] });
    const url = new URL(request.url);
    expect(`${url.origin}${url.pathname}`).toBe('https://auth.example.com/authorize');
    expect(url.searchParams.get('audience')).toBe('api');
    expect(url.searchParams.get('code_challenge')).toBe(await runtime.codeChallengeS256(request.codeVerifier));
    const tokens = await runtime.completeAuthorizationFor(security.schemes, {
      clientId: 'spa',
      pending: request,
      callback: `http://127.0.0.1:8123/cb?code=abc&state=${request.state}`,
    });
    expect(tokens.accessToken).toBe('/user/token#1');
    expect(server.seen.map((s) => s.url)).toEqual(['/user/token']);
    expect(runtime.authorizationEndpointUrl(security.schemes, { authorizationUrl: 'https://elsewhere.example/auth' }).href).toBe('https://elsewhere.example/auth');
  });

  it('a spec without an authorizationCode (or password) flow: the URL must be given, and the error says so', async () => {
    const fixture = await generatedClient('client-grants-specs/client-spec'); // clientCredentials only
    const schemes = fixture.security.schemes;
    await expect(async () => fixture.runtime.startAuthorizationFor(schemes, { clientId: 'c', redirectUri: 'https://a/cb' })).rejects.toThrow(
      'startAuthorization: the spec has no OAuth2 scheme with an authorizationCode flow, so authorizationUrl must be given',
    );
    expect(() => fixture.runtime.authorizationCodeTokenUrl(schemes, {})).toThrow('completeAuthorization: the spec has no OAuth2 scheme with an authorizationCode flow, so tokenUrl must be given');
    expect(() => fixture.runtime.refreshTokenUrl(schemes, {})).toThrow('refreshTokenProvider: the spec has no OAuth2 scheme with an authorizationCode or password flow, so tokenUrl must be given');
    expect(() => fixture.runtime.authorizationEndpointUrl(schemes, { scheme: 'OAuth' })).toThrow('startAuthorization: scheme "OAuth" is not an OAuth2 scheme with an authorizationCode flow');
  }, 60_000);
});

describe("generated clientCredentialsToken with authFor: each operation's scopes", () => {
  it('one provider, two operations needing different scopes: two token requests with exactly those scopes (as the tables hold them, sorted), then cached', async () => {
    const Machine = client.clientCredentialsToken({ clientId: 'id', clientSecret: 's' });
    const write = await client.authFor('writeThings', { Machine });
    const read = await client.authFor('readThings', { Machine }); // User absent: the Machine alternative, scope read
    expect(server.seen.map((s) => [s.url, new URLSearchParams(s.body).get('scope')])).toEqual([
      ['/machine/token', 'read write'],
      ['/machine/token', 'read'],
    ]);
    expect(write.headers).toEqual({ Authorization: 'Bearer /machine/token#1' });
    expect(read.headers).toEqual({ Authorization: 'Bearer /machine/token#2' });
    await client.authFor('writeThings', { Machine });
    await client.authFor('readThings', { Machine });
    expect(server.seen).toHaveLength(2);
  });
});

describe('option types follow the spec', () => {
  it('scheme is a union of the schemes with the flow; no such flow means the URL is required', () => {
    const user = path.join(SPECS, 'user-grants.ts');
    writeFileSync(
      user,
      [
        `import { refreshTokenProviderFor, startAuthorizationFor, type AuthorizationCodeSchemeOf, type RefreshTokenSchemeOf } from './grants/runtime-client.js';`,
        `import { tables } from './grants/security.js';`,
        `type S = typeof tables.schemes;`,
        `const refresh: RefreshTokenSchemeOf<S>[] = ['User', 'Legacy'];`,
        `const code: AuthorizationCodeSchemeOf<S>[] = ['User'];`,
        `refreshTokenProviderFor<RefreshTokenSchemeOf<S>>(tables.schemes, { scheme: 'Legacy', clientId: 'c', refreshToken: 'r' });`,
        `// @ts-expect-error: Machine has no authorizationCode or password flow`,
        `refreshTokenProviderFor<RefreshTokenSchemeOf<S>>(tables.schemes, { scheme: 'Machine', clientId: 'c', refreshToken: 'r' });`,
        `void startAuthorizationFor<AuthorizationCodeSchemeOf<S>>(tables.schemes, { clientId: 'c', redirectUri: 'https://a/cb' });`,
        `// @ts-expect-error: with no authorizationCode scheme, authorizationUrl is required`,
        `void startAuthorizationFor<never>(tables.schemes, { clientId: 'c', redirectUri: 'https://a/cb' });`,
        `export { refresh, code };`,
        '',
      ].join('\n'),
    );
    expect(typecheck([user], 'NodeNext')).toEqual([]);
  }, 60_000);
});
