// Authorization code with PKCE (RFC 6749 §4.1, RFC 7636 S256): the RFC 7636 Appendix B
// vector, verifiers from the unreserved set by the CSPRNG, the authorization URL's
// parameters, the state check before anything is exchanged, and the code exchange
// against a real token endpoint on 127.0.0.1, whose tokens seed the refresh provider.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type Seen, type TestServer } from './helpers.js';
import {
  authorizationCodeFrom,
  authorizationUrl,
  codeChallengeS256,
  completeAuthorization,
  createCodeVerifier,
  createState,
  OAuthAuthorizationError,
  OAuthStateMismatchError,
  OAuthTokenError,
  refreshTokenProvider,
  startAuthorization,
} from '../../templates/runtime/runtime-client.js';

let server: TestServer;
let issued = 0;
let answer: (req: Seen, n: number) => { status: number; body: Record<string, unknown> };
const ok = (_req: Seen, n: number) => ({ status: 200, body: { access_token: `acc-${n}`, token_type: 'Bearer', expires_in: 3600, refresh_token: `rt-${n}`, scope: 'read' } });

beforeAll(async () => {
  server = await startServer((req, res) => {
    issued++;
    const reply = answer(req, issued);
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply.body));
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.seen.length = 0;
  issued = 0;
  answer = ok;
});

const form = (seen: Seen | undefined) => Object.fromEntries(new URLSearchParams(seen?.body ?? ''));

describe('PKCE verifier and challenge (RFC 7636)', () => {
  it('S256 of the Appendix B verifier is the Appendix B challenge', async () => {
    expect(await codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('verifiers are 43..128 characters of the unreserved set, default 64, every character reachable', () => {
    const unreserved = /^[A-Za-z0-9\-._~]+$/;
    expect(createCodeVerifier()).toHaveLength(64);
    for (const length of [43, 44, 100, 128]) {
      const verifier = createCodeVerifier(length);
      expect(verifier).toHaveLength(length);
      expect(verifier).toMatch(unreserved);
    }
    for (const bad of [42, 129, 50.5]) expect(() => createCodeVerifier(bad)).toThrow(RangeError);
    // 200 × 128 characters: each of the 66 appears (a missing one would be ~e^-388 likely).
    const seen = new Set(Array.from({ length: 200 }, () => createCodeVerifier(128)).join(''));
    expect([...seen].sort().join('')).toBe([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~'].sort().join(''));
  });

  it('a fresh verifier and state every time', () => {
    const verifiers = new Set(Array.from({ length: 100 }, () => createCodeVerifier()));
    const states = new Set(Array.from({ length: 100 }, () => createState()));
    expect([verifiers.size, states.size]).toEqual([100, 100]);
    expect(createState()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses to compute a challenge for a verifier outside RFC 7636 §4.1', async () => {
    for (const bad of ['short', 'a'.repeat(129), `${'a'.repeat(42)} `, `${'a'.repeat(42)}+`]) {
      await expect(codeChallengeS256(bad)).rejects.toThrow(TypeError);
    }
  });
});

describe('the authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3)', () => {
  it('carries response_type, client_id, redirect_uri, scope, state and the S256 challenge; keeps the endpoint query', async () => {
    const request = await startAuthorization({
      authorizationUrl: 'https://auth.example.com/authorize?audience=api#frag',
      clientId: 'my app',
      redirectUri: 'http://127.0.0.1:8123/callback',
      scopes: ['read', 'write'],
      params: { prompt: 'consent', state: 'attacker', code_challenge_method: 'plain' },
    });
    const url = new URL(request.url);
    expect(`${url.origin}${url.pathname}${url.hash}`).toBe('https://auth.example.com/authorize');
    expect([...url.searchParams].sort()).toEqual(
      [
        ['audience', 'api'],
        ['prompt', 'consent'],
        ['response_type', 'code'],
        ['client_id', 'my app'],
        ['redirect_uri', 'http://127.0.0.1:8123/callback'],
        ['scope', 'read write'],
        ['state', request.state],
        ['code_challenge', await codeChallengeS256(request.codeVerifier)],
        ['code_challenge_method', 'S256'],
      ].sort(),
    );
    expect(request.state).not.toBe('attacker');
    expect(request.redirectUri).toBe('http://127.0.0.1:8123/callback');
    expect(request.codeVerifier).toHaveLength(64);
    // Another request: a new state and verifier.
    const again = await startAuthorization({ authorizationUrl: 'https://auth.example.com/authorize', clientId: 'a', redirectUri: 'https://app.example/cb', verifierLength: 43 });
    expect(again.state).not.toBe(request.state);
    expect(again.codeVerifier).toHaveLength(43);
    expect(new URL(again.url).searchParams.has('scope')).toBe(false);
  });

  it('authorizationUrl builds the same from a given state and challenge; the endpoint must be https (loopback http allowed)', () => {
    const url = authorizationUrl({ authorizationUrl: 'http://localhost:9/authorize', clientId: 'c', redirectUri: new URL('https://app.example/cb'), state: 'st', codeChallenge: 'ch' });
    expect(url.search).toBe('?response_type=code&client_id=c&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=st&code_challenge=ch&code_challenge_method=S256');
    expect(() => authorizationUrl({ authorizationUrl: 'http://auth.example.com/authorize', clientId: 'c', redirectUri: 'https://a/cb', state: 's', codeChallenge: 'c' })).toThrow(
      /authorizationUrl must use https/,
    );
  });
});

describe('the callback and the code exchange (RFC 6749 §4.1.2, §4.1.3, RFC 7636 §4.5)', () => {
  const pending = { state: 'S'.repeat(43), codeVerifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', redirectUri: 'http://127.0.0.1:8123/callback' };
  const callback = (query: string) => `http://127.0.0.1:8123/callback?${query}`;

  it('returns the code only when the state is exactly the one sent', () => {
    expect(authorizationCodeFrom(callback(`code=C0DE&state=${pending.state}`), pending.state)).toBe('C0DE');
    expect(authorizationCodeFrom(`?code=C0DE&state=${pending.state}`, pending.state)).toBe('C0DE');
    expect(authorizationCodeFrom(new URLSearchParams({ code: 'C0DE', state: pending.state }), pending.state)).toBe('C0DE');
    for (const state of [undefined, '', 'S'.repeat(42), 'S'.repeat(44), `${'S'.repeat(42)}T`, `T${'S'.repeat(42)}`]) {
      const query = new URLSearchParams({ code: 'C0DE', ...(state === undefined ? {} : { state }) });
      const error = (() => {
        try {
          authorizationCodeFrom(query, pending.state);
        } catch (e) {
          return e;
        }
        return undefined;
      })() as Error;
      expect(error).toBeInstanceOf(OAuthStateMismatchError);
      expect(error.message).not.toContain('C0DE');
      expect(error.message).not.toContain('SSSS');
    }
    // A repeated state (RFC 6749 §3.1: each parameter at most once) is refused even if one matches.
    expect(() => authorizationCodeFrom(`?code=C&state=${pending.state}&state=x`, pending.state)).toThrow(OAuthStateMismatchError);
    expect(() => authorizationCodeFrom('?code=C&state=', '')).toThrow(TypeError);
  });

  it('an error answer (access_denied) or no code is an OAuthAuthorizationError; a forged error answer is a state mismatch', () => {
    const error = (() => {
      try {
        authorizationCodeFrom(callback(`error=access_denied&error_description=user+said+no&state=${pending.state}`), pending.state);
      } catch (e) {
        return e;
      }
      return undefined;
    })() as OAuthAuthorizationError;
    expect(error).toBeInstanceOf(OAuthAuthorizationError);
    expect([error.error, error.errorDescription]).toEqual(['access_denied', 'user said no']);
    expect(() => authorizationCodeFrom(callback('error=access_denied&state=forged'), pending.state)).toThrow(OAuthStateMismatchError);
    expect(() => authorizationCodeFrom(callback(`state=${pending.state}`), pending.state)).toThrow(/no single code/);
    expect(() => authorizationCodeFrom(callback(`code=a&code=b&state=${pending.state}`), pending.state)).toThrow(/no single code/);
  });

  it('a public client exchanges code, redirect_uri and code_verifier with its client_id; the tokens seed the refresh provider', async () => {
    let clock = 10_000;
    const tokens = await completeAuthorization({
      tokenUrl: `${server.origin}/token`,
      clientId: 'spa',
      pending,
      callback: callback(`code=C0DE&state=${pending.state}`),
      now: () => clock,
    });
    expect(tokens).toEqual({ accessToken: 'acc-1', refreshToken: 'rt-1', expiresAt: 3_610_000, scope: 'read' });
    expect(server.seen[0]?.body).toBe(
      `grant_type=authorization_code&code=C0DE&redirect_uri=${encodeURIComponent(pending.redirectUri)}&code_verifier=${pending.codeVerifier}&client_id=spa`,
    );
    expect(server.seen[0]?.headers['authorization']).toBeUndefined();

    if (tokens.refreshToken === undefined) throw new Error('unreachable');
    const token = refreshTokenProvider({ tokenUrl: `${server.origin}/token`, clientId: 'spa', ...tokens, refreshToken: tokens.refreshToken, now: () => clock });
    expect(await token()).toBe('acc-1');
    clock = 3_610_000;
    expect(await token()).toBe('acc-2');
    expect(form(server.seen[1])).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt-1', client_id: 'spa' });
  });

  it('a confidential client authenticates with Basic; extra params never replace the grant own ones', async () => {
    await completeAuthorization({
      tokenUrl: `${server.origin}/token`,
      clientId: 'web',
      clientSecret: 'sec',
      pending,
      callback: callback(`code=C0DE&state=${pending.state}`),
      params: { code_verifier: 'other', resource: 'https://api.example.com' },
    });
    expect(form(server.seen[0])).toEqual({ grant_type: 'authorization_code', code: 'C0DE', redirect_uri: pending.redirectUri, code_verifier: pending.codeVerifier, resource: 'https://api.example.com' });
    expect(server.seen[0]?.headers['authorization']).toBe(`Basic ${Buffer.from('web:sec').toString('base64')}`);
  });

  it('a state mismatch exchanges nothing; a refused code is an OAuthTokenError that echoes neither code nor verifier', async () => {
    await expect(
      completeAuthorization({ tokenUrl: `${server.origin}/token`, clientId: 'spa', pending, callback: callback('code=C0DE&state=forged') }),
    ).rejects.toBeInstanceOf(OAuthStateMismatchError);
    expect(server.seen).toHaveLength(0);

    answer = (req) => ({ status: 400, body: { error: 'invalid_grant', error_description: `code ${form(req).code} / verifier ${form(req).code_verifier} already used` } });
    const error = (await completeAuthorization({
      tokenUrl: `${server.origin}/token`,
      clientId: 'spa',
      pending,
      callback: callback(`code=SECRET-CODE-7&state=${pending.state}`),
    }).catch((e: unknown) => e)) as OAuthTokenError;
    expect(error).toBeInstanceOf(OAuthTokenError);
    expect(error.error).toBe('invalid_grant');
    expect(`${error.message} ${error.errorDescription}`).not.toMatch(/SECRET-CODE-7|dBjftJeZ4CVP/);
    expect(error.errorDescription).toBe('code [redacted] / verifier [redacted] already used');
  });
});
