// The OAuth2 grants as token providers, against a real token endpoint on 127.0.0.1:
// client credentials asking for the scopes each call's CredentialContext carries (one
// token per scope set), and the refresh token grant (RFC 6749 §6): refresh on expiry
// and on invalidate, one request for concurrent callers, rotation handed to onTokens,
// and one typed error, with no secret or token in it, when the refresh token is dead.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type Seen, type TestServer } from './helpers.js';
import {
  clientCredentialsToken,
  OAuthRefreshError,
  OAuthTokenError,
  refreshTokenProvider,
  type CredentialContext,
  type RefreshedTokens,
} from '../../templates/runtime/runtime-client.js';

type Reply = { readonly status: number; readonly body: Record<string, unknown> };

let server: TestServer;
let issued = 0;
/** What the endpoint answers; by default a fresh access token (and no rotation). */
let answer: (req: Seen, n: number) => Reply = (_req, n) => ({ status: 200, body: { access_token: `acc-${n}`, token_type: 'Bearer', expires_in: 60 } });
let delayMs = 0;

beforeAll(async () => {
  server = await startServer(async (req, res) => {
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    issued++;
    const reply = answer(req, issued);
    res.writeHead(reply.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(reply.body));
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.seen.length = 0;
  issued = 0;
  delayMs = 0;
  answer = (_req, n) => ({ status: 200, body: { access_token: `acc-${n}`, token_type: 'Bearer', expires_in: 60 } });
});

const tokenUrl = () => `${server.origin}/oauth/token`;
const form = (seen: Seen | undefined) => Object.fromEntries(new URLSearchParams(seen?.body ?? ''));
const context = (scopes: readonly string[], operationId = 'op'): CredentialContext => ({ operationId, scheme: 'OAuth', scopes });

describe('clientCredentialsToken: scopes from the CredentialContext', () => {
  it('without a scopes option, asks for exactly the scopes of each call, one token per scope set', async () => {
    answer = (req, n) => ({ status: 200, body: { access_token: `acc-${n}-${form(req).scope ?? 'none'}`, token_type: 'Bearer', expires_in: 60 } });
    const token = clientCredentialsToken({ tokenUrl: tokenUrl(), clientId: 'id', clientSecret: 's' });
    const read = await token(context(['read']));
    const writeRead = await token(context(['write', 'read']));
    expect([read, writeRead]).toEqual(['acc-1-read', 'acc-2-write read']);
    expect(server.seen.map((s) => s.body)).toEqual(['grant_type=client_credentials&scope=read', 'grant_type=client_credentials&scope=write+read']);
    // The same set again, in another order or with a repeat, is the cached token.
    expect(await token(context(['read', 'write', 'read']))).toBe(writeRead);
    expect(await token(context(['read'], 'other'))).toBe(read);
    // No scopes (an operation requiring the scheme with []) or no context at all: no scope parameter.
    expect(await token(context([]))).toBe('acc-3-none');
    expect(await token()).toBe('acc-3-none');
    expect(server.seen).toHaveLength(3);
    expect(form(server.seen[2])).toEqual({ grant_type: 'client_credentials' });
  });

  it('concurrent callers share one request per scope set', async () => {
    delayMs = 50;
    const token = clientCredentialsToken({ tokenUrl: tokenUrl(), clientId: 'id', clientSecret: 's' });
    const calls = Array.from({ length: 20 }, (_, i) => token(context(i % 2 === 0 ? ['a'] : ['b'])));
    const tokens = await Promise.all(calls);
    expect(new Set(tokens).size).toBe(2);
    expect(server.seen.map((s) => form(s).scope).sort()).toEqual(['a', 'b']);
  });

  it('invalidate drops only the refused token: its scope set is fetched again, the others stay cached', async () => {
    const token = clientCredentialsToken({ tokenUrl: tokenUrl(), clientId: 'id', clientSecret: 's' });
    const a = await token(context(['a']));
    const b = await token(context(['b']));
    token.invalidate(a);
    expect(await token(context(['b']))).toBe(b);
    expect(await token(context(['a']))).toBe('acc-3');
    token.invalidate('acc-unknown'); // a token already replaced: nothing happens
    expect(await token(context(['a']))).toBe('acc-3');
    expect(server.seen.map((s) => form(s).scope)).toEqual(['a', 'b', 'a']);
  });

  it('keeps at most maxCachedTokens scope sets, dropping the least recently used', async () => {
    const token = clientCredentialsToken({ tokenUrl: tokenUrl(), clientId: 'id', clientSecret: 's', maxCachedTokens: 2 });
    await token(context(['a']));
    await token(context(['b']));
    await token(context(['a'])); // a is now the most recently used
    await token(context(['c'])); // evicts b
    await token(context(['a']));
    await token(context(['b']));
    expect(server.seen.map((s) => form(s).scope)).toEqual(['a', 'b', 'c', 'b']);
  });

  it('with a scopes option, every call asks for those scopes whatever its context (as before)', async () => {
    const token = clientCredentialsToken({ tokenUrl: tokenUrl(), clientId: 'id', clientSecret: 's', scopes: ['fixed', 'two'] });
    expect(await token(context(['read']))).toBe('acc-1');
    expect(await token(context(['write']))).toBe('acc-1');
    expect(await token()).toBe('acc-1');
    expect(server.seen.map((s) => s.body)).toEqual(['grant_type=client_credentials&scope=fixed+two']);
  });
});

describe('refreshTokenProvider (RFC 6749 §6)', () => {
  const secret = 'CLIENT-SECRET-9';
  const base = () => ({ tokenUrl: tokenUrl(), clientId: 'app', clientSecret: secret, refreshToken: 'rt-0' });

  it('uses the access token it holds until expiry, then refreshes with the refresh token', async () => {
    let clock = 1_000_000;
    const token = refreshTokenProvider({ ...base(), accessToken: 'seed', expiresAt: clock + 60_000, refreshSkewSeconds: 10, now: () => clock });
    expect(await token()).toBe('seed');
    clock += 49_999;
    expect(await token()).toBe('seed');
    expect(server.seen).toHaveLength(0);
    clock += 1; // 60 s lifetime - 10 s skew
    expect(await token()).toBe('acc-1');
    expect(server.seen[0]?.body).toBe('grant_type=refresh_token&refresh_token=rt-0');
    expect(server.seen[0]?.headers['authorization']).toBe(`Basic ${Buffer.from(`app:${secret}`).toString('base64')}`);
    // The refreshed token lives for its own expires_in (60 s), minus the skew.
    clock += 49_999;
    expect(await token()).toBe('acc-1');
    clock += 1;
    expect(await token()).toBe('acc-2');
    expect(server.seen).toHaveLength(2);
  });

  it('without an access token, the first call refreshes; a public client sends client_id in the form', async () => {
    const token = refreshTokenProvider({ tokenUrl: tokenUrl(), clientId: 'spa', refreshToken: 'rt-0', scopes: ['read'] });
    expect(await token()).toBe('acc-1');
    expect(form(server.seen[0])).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt-0', scope: 'read', client_id: 'spa' });
    expect(server.seen[0]?.headers['authorization']).toBeUndefined();
  });

  it('50 concurrent callers after expiry cause exactly one refresh', async () => {
    let clock = 0;
    delayMs = 50;
    const token = refreshTokenProvider({ ...base(), accessToken: 'seed', expiresAt: 60_000, now: () => clock });
    expect(await token()).toBe('seed');
    clock = 60_000;
    const tokens = await Promise.all(Array.from({ length: 50 }, () => token()));
    expect(new Set(tokens)).toEqual(new Set(['acc-1']));
    expect(server.seen).toHaveLength(1);
  });

  it('a rotated refresh token replaces the old one and reaches onTokens before the access token is used', async () => {
    answer = (_req, n) => ({ status: 200, body: { access_token: `acc-${n}`, token_type: 'bearer', expires_in: 60, refresh_token: `rt-${n}`, scope: 'read write' } });
    let clock = 5_000;
    const events: string[] = [];
    const persisted: RefreshedTokens[] = [];
    const token = refreshTokenProvider({
      ...base(),
      now: () => clock,
      onTokens: async (tokens) => {
        events.push(`persist ${tokens.refreshToken}`);
        await new Promise((r) => setTimeout(r, 20));
        persisted.push(tokens);
      },
    });
    const first = await token();
    events.push(`use ${first}`);
    expect(persisted).toEqual([{ accessToken: 'acc-1', refreshToken: 'rt-1', expiresAt: 65_000, scope: 'read write' }]);
    token.invalidate(first);
    events.push(`use ${await token()}`);
    expect(events).toEqual(['persist rt-1', 'use acc-1', 'persist rt-2', 'use acc-2']);
    expect(server.seen.map((s) => form(s).refresh_token)).toEqual(['rt-0', 'rt-1']);

    // A server that does not rotate: the refresh token is kept, and onTokens still hears of the new access token.
    answer = (_req, n) => ({ status: 200, body: { access_token: `acc-${n}`, token_type: 'Bearer' } });
    token.invalidate('acc-2');
    expect(await token()).toBe('acc-3');
    expect(persisted[2]).toEqual({ accessToken: 'acc-3', refreshToken: 'rt-2', expiresAt: undefined, scope: 'read write' });
    token.invalidate('acc-3');
    await token();
    expect(server.seen.map((s) => form(s).refresh_token)).toEqual(['rt-0', 'rt-1', 'rt-2', 'rt-2']);
  });

  it('onTokens throwing loses nothing: the new tokens are used and the rotated refresh token is the next one sent', async () => {
    answer = (_req, n) => ({ status: 200, body: { access_token: `acc-${n}`, token_type: 'Bearer', expires_in: 60, refresh_token: `rt-${n}` } });
    const failures: unknown[] = [];
    const token = refreshTokenProvider({
      ...base(),
      onTokens: () => {
        throw new Error('disk full');
      },
      onTokensError: (error, tokens) => failures.push([(error as Error).message, tokens.refreshToken]),
    });
    expect(await token()).toBe('acc-1');
    expect(await token()).toBe('acc-1'); // kept, not refreshed again
    expect(failures).toEqual([['disk full', 'rt-1']]);
    token.invalidate('acc-1');
    expect(await token()).toBe('acc-2');
    expect(server.seen.map((s) => form(s).refresh_token)).toEqual(['rt-0', 'rt-1']);
  });

  it('a dead refresh token: one OAuthRefreshError (invalid_grant) for every concurrent caller, one request, no secret or token in it', async () => {
    delayMs = 30;
    answer = (req) => ({
      status: 400,
      body: { error: 'invalid_grant', error_description: `refresh token ${form(req).refresh_token} revoked; auth was ${req.headers['authorization']}` },
    });
    const refreshToken = 'RT-SECRET/+= 1';
    const token = refreshTokenProvider({ ...base(), refreshToken });
    const errors = await Promise.all(Array.from({ length: 10 }, () => token().then(() => undefined, (e: unknown) => e)));
    expect(server.seen).toHaveLength(1);
    const error = errors[0] as OAuthRefreshError;
    expect(errors.every((e) => e === error)).toBe(true);
    expect(error).toBeInstanceOf(OAuthRefreshError);
    expect(error).toBeInstanceOf(OAuthTokenError);
    expect([error.name, error.status, error.error]).toEqual(['OAuthRefreshError', 400, 'invalid_grant']);
    expect(error.errorDescription).toBe('refresh token [redacted] revoked; auth was Basic [redacted]');
    const text = `${error.message} ${error.errorDescription} ${JSON.stringify(error)} ${String(error.stack)}`;
    for (const leak of [refreshToken, encodeURIComponent(refreshToken), new URLSearchParams({ r: refreshToken }).toString().slice(2), secret, Buffer.from(`app:${secret}`).toString('base64')]) {
      expect(text).not.toContain(leak);
    }
    // Dead for good: later calls get the same error at once, without asking the server.
    await expect(token()).rejects.toBe(error);
    expect(server.seen).toHaveLength(1);
  });

  it('other failures are one typed error too, and not kept: the next call tries again', async () => {
    answer = () => ({ status: 503, body: { error: 'temporarily_unavailable' } });
    const token = refreshTokenProvider({ ...base() });
    const [a, b] = await Promise.all([token().catch((e: unknown) => e), token().catch((e: unknown) => e)]);
    expect(a).toBe(b);
    expect(a).toBeInstanceOf(OAuthRefreshError);
    expect((a as OAuthRefreshError).status).toBe(503);
    answer = (_req, n) => ({ status: 200, body: { access_token: `acc-${n}`, token_type: 'Bearer' } });
    expect(await token()).toBe('acc-2');

    // Not reached at all (nothing listens on the port): OAuthRefreshError with status 0.
    const closed = await startServer();
    const url = `${closed.origin}/token`;
    await closed.close();
    const unreachable = refreshTokenProvider({ ...base(), tokenUrl: url });
    const error = (await unreachable().catch((e: unknown) => e)) as OAuthRefreshError;
    expect(error).toBeInstanceOf(OAuthRefreshError);
    expect(error.status).toBe(0);
    expect(error.message).toMatch(/was not reached/);
  });

  it('invalidate(current token) makes the next call refresh; a token already replaced is ignored', async () => {
    const token = refreshTokenProvider({ ...base(), accessToken: 'seed' });
    expect(await token()).toBe('seed');
    token.invalidate('seed');
    expect(await token()).toBe('acc-1');
    token.invalidate('seed'); // stale refusal of the old token
    expect(await token()).toBe('acc-1');
    expect(server.seen).toHaveLength(1);
  });

  it('refuses a plain-http token URL that is not loopback', () => {
    expect(() => refreshTokenProvider({ tokenUrl: 'http://auth.example.com/token', clientId: 'id', refreshToken: 'r' })).toThrow(/https/);
  });
});
