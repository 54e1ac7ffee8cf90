// clientCredentialsToken against a real token endpoint on 127.0.0.1: the exact
// RFC 6749 §4.4 request, caching and expiry, one request for many callers, and
// errors that never echo the secret or a token.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers.js';
import { generatedClient, type ClientModule } from './generated.js';
import { clientCredentialsToken, OAuthTokenError } from '../../templates/runtime/runtime-client.js';

let server: TestServer;
let issued = 0;
let reply: { status: number; body: unknown; delayMs?: number } = { status: 200, body: {} };

let authFor: ClientModule['authFor'];

beforeAll(async () => {
  ({ authFor } = (await generatedClient('client-oauth2')).client);
  server = await startServer(async (_req, res) => {
    if (reply.delayMs !== undefined) await new Promise((r) => setTimeout(r, reply.delayMs));
    issued++;
    const body = reply.status === 200 ? { access_token: `tok-${issued}`, token_type: 'Bearer', ...(reply.body as object) } : reply.body;
    res.writeHead(reply.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  });
}, 60_000);
afterAll(() => server.close());
beforeEach(() => {
  server.seen.length = 0;
  issued = 0;
  reply = { status: 200, body: { expires_in: 60 } };
});

const tokenUrl = () => `${server.origin}/oauth/token`;

describe('clientCredentialsToken', () => {
  it('sends the RFC 6749 §4.4 form with Basic client authentication (§2.3.1 form-encoding first)', async () => {
    const token = clientCredentialsToken({ tokenUrl: tokenUrl(), clientId: 'my client', clientSecret: 'p@ss:wörd', scopes: ['read', 'write pets'] });
    expect(await token()).toBe('tok-1');
    const seen = server.seen[0];
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/oauth/token');
    expect(seen?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(seen?.headers['accept']).toBe('application/json');
    expect(seen?.body).toBe('grant_type=client_credentials&scope=read+write+pets');
    const expected = Buffer.from('my+client:p%40ss%3Aw%C3%B6rd').toString('base64');
    expect(seen?.headers['authorization']).toBe(`Basic ${expected}`);
  });

  it("clientAuth: 'body' puts id and secret in the form, no Authorization header", async () => {
    const token = clientCredentialsToken({ tokenUrl: tokenUrl(), clientId: 'id', clientSecret: 's&t', clientAuth: 'body' });
    await token();
    expect(server.seen[0]?.body).toBe('grant_type=client_credentials&client_id=id&client_secret=s%26t');
    expect(server.seen[0]?.headers['authorization']).toBeUndefined();
  });

  it('caches until shortly before expires_in, then refreshes', async () => {
    let clock = 1_000_000;
    const token = clientCredentialsToken({ tokenUrl: tokenUrl(), clientId: 'id', clientSecret: 's', now: () => clock, refreshSkewSeconds: 10 });
    expect(await token()).toBe('tok-1');
    clock += 49_000;
    expect(await token()).toBe('tok-1');
    clock += 1_000; // 50 s = 60 s lifetime - 10 s skew
    expect(await token()).toBe('tok-2');
    expect(server.seen).toHaveLength(2);
  });

  it('without expires_in uses the default lifetime; a tiny lifetime still caches for half of it', async () => {
    reply = { status: 200, body: {} };
    let clock = 0;
    const token = clientCredentialsToken({ tokenUrl: tokenUrl(), clientId: 'id', clientSecret: 's', now: () => clock, defaultLifetimeSeconds: 120 });
    await token();
    clock = 89_999;
    expect(await token()).toBe('tok-1');
    clock = 90_000;
    expect(await token()).toBe('tok-2');

    reply = { status: 200, body: { expires_in: 2 } };
    clock = 0;
    const short = clientCredentialsToken({ tokenUrl: tokenUrl(), clientId: 'id', clientSecret: 's', now: () => clock });
    const first = await short();
    clock = 999;
    expect(await short()).toBe(first);
    clock = 1_000;
    expect(await short()).not.toBe(first);
  });

  it('one request for 50 concurrent callers', async () => {
    reply = { status: 200, body: { expires_in: 60 }, delayMs: 50 };
    const token = clientCredentialsToken({ tokenUrl: tokenUrl(), clientId: 'id', clientSecret: 's' });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => token()));
    expect(new Set(tokens)).toEqual(new Set(['tok-1']));
    expect(server.seen).toHaveLength(1);
  });

  it('surfaces token endpoint errors without the secret, and does not cache them', async () => {
    reply = { status: 401, body: { error: 'invalid_client', error_description: 'client secret TOPSECRET-42 is wrong' } };
    const token = clientCredentialsToken({ tokenUrl: tokenUrl(), clientId: 'id', clientSecret: 'TOPSECRET-42' });
    const error = await token().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthTokenError);
    const oauth = error as OAuthTokenError;
    expect(oauth.status).toBe(401);
    expect(oauth.error).toBe('invalid_client');
    expect(oauth.errorDescription).toBe('client secret [redacted] is wrong');
    expect(oauth.message).toContain('invalid_client');
    expect(oauth.message).not.toContain('TOPSECRET-42');
    expect(JSON.stringify(oauth)).not.toContain('TOPSECRET-42');
    expect(oauth.message).not.toContain(Buffer.from('id:TOPSECRET-42').toString('base64'));
    reply = { status: 200, body: { expires_in: 60 } };
    expect(await token()).toBe('tok-2');
  });

  it('rejects a non-Bearer token type and a missing token without echoing the response', async () => {
    reply = { status: 200, body: { token_type: 'mac', access_token: 'SHOULD-NOT-LEAK' } };
    const token = clientCredentialsToken({ tokenUrl: tokenUrl(), clientId: 'id', clientSecret: 's' });
    const error = (await token().catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(OAuthTokenError);
    expect(error.message).not.toContain('SHOULD-NOT-LEAK');
  });

  it('refuses a plain-http token URL that is not loopback (RFC 6749 §3.2)', () => {
    expect(() => clientCredentialsToken({ tokenUrl: 'http://auth.example.com/token', clientId: 'id', clientSecret: 's' })).toThrow(/https/);
  });

  it('works as a credential provider', async () => {
    const OAuth = clientCredentialsToken({ tokenUrl: tokenUrl(), clientId: 'id', clientSecret: 's' });
    expect((await authFor('scoped', { OAuth })).headers).toEqual({ Authorization: 'Bearer tok-1' });
    expect((await authFor('scoped', { OAuth })).headers).toEqual({ Authorization: 'Bearer tok-1' });
    expect(server.seen).toHaveLength(1);
  });
});
