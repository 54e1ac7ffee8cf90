// `jwtVerifier` with OpenID Connect discovery (templates/runtime/runtime-oidc-discovery.ts)
// and `jwtVerifierFor` taking the discovery URL from the spec's `openIdConnect` scheme,
// against the local issuer (test/helpers/oidc-issuer.ts): the document is fetched once
// and shared by concurrent callers; a document naming another issuer refuses every
// token and says why through `onError`; an unreachable one is a 503 that is retried
// only after the backoff.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JWTPayload } from 'jose';
import { jwtVerifier, jwtVerifierFor, type JwtVerifierOptions } from '../../templates/runtime/runtime-jwt.js';
import { isUnavailable, type VerifyContext } from '../../templates/runtime/runtime-types.js';
import type { SchemeTable } from '../../templates/runtime/runtime-tables.js';
import { startIssuer, type LocalIssuer } from '../helpers/oidc-issuer.js';

const AUDIENCE = 'https://api.tokens.test';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

let issuer: LocalIssuer;
let errors: Error[] = [];
beforeAll(async () => {
  issuer = await startIssuer();
});
afterAll(() => issuer.close());
beforeEach(() => {
  errors = [];
  issuer.discoveryMode = 'ok';
  issuer.jwksMode = 'ok';
  issuer.discoveredIssuer = issuer.issuer;
  issuer.counts.discovery = 0;
  issuer.counts.jwks = 0;
});

const claims = (extra: Record<string, unknown> = {}): JWTPayload => ({ iss: issuer.issuer, aud: AUDIENCE, sub: 'user-3Kd', scope: 'things:read', exp: nowSeconds() + 300, ...extra });

function verifier(extra: Partial<JwtVerifierOptions> = {}) {
  return jwtVerifier({ issuer: issuer.issuer, audience: AUDIENCE, discoveryUrl: issuer.discoveryUrl, backoff: { initialMs: 200, maxMs: 400 }, onError: (e) => errors.push(e), ...extra } as JwtVerifierOptions);
}

function context(): VerifyContext & { readonly reasons: string[] } {
  const reasons: string[] = [];
  return { operationId: 'showOidcThing', scheme: 'Oidc', scopes: [], request: { headers: {} }, reasons, deny: (reason: string) => void reasons.push(reason) };
}

describe('discovery', () => {
  it('finds the JWKS through the document, fetched once for every later token', async () => {
    const verify = verifier();
    for (let i = 0; i < 5; i++) expect((await verify(await issuer.sign(claims())))?.subject).toBe('user-3Kd');
    expect(issuer.counts).toEqual({ discovery: 1, jwks: 1 });
  });

  it('concurrent first requests share one discovery fetch and one JWKS fetch', async () => {
    const verify = verifier();
    const token = await issuer.sign(claims());
    const answers = await Promise.all(Array.from({ length: 20 }, () => verify(token)));
    expect(answers.every((a) => a?.subject === 'user-3Kd')).toBe(true);
    expect(issuer.counts).toEqual({ discovery: 1, jwks: 1 });
  });

  it('a document naming another issuer: every token refused, the JWKS never fetched, the reason through onError (once per look)', async () => {
    issuer.discoveredIssuer = 'https://evil.test/realm';
    const verify = verifier();
    const token = await issuer.sign(claims());
    const ctx = context();
    expect(await verify(token, ctx)).toBeNull();
    expect(await verify(token)).toBeNull();
    expect(ctx.reasons).toEqual(['token-issuer-mismatch']);
    expect(issuer.counts).toEqual({ discovery: 1, jwks: 0 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'IssuerEndpointError', endpoint: 'discovery', problem: 'issuer-mismatch' });
    expect(errors[0]?.message).toContain('"https://evil.test/realm"');
    expect(errors[0]?.message).not.toContain(token);
    // Fixed at the issuer: the next look, after the backoff, finds the right document.
    issuer.discoveredIssuer = issuer.issuer;
    await sleep(250);
    expect((await verify(token))?.subject).toBe('user-3Kd');
    expect(issuer.counts).toEqual({ discovery: 2, jwks: 1 });
  });

  it('also a document whose issuer differs only by a trailing slash (exact comparison)', async () => {
    issuer.discoveredIssuer = `${issuer.issuer}/`;
    expect(await verifier().call(null, await issuer.sign(claims()))).toBeNull();
    expect(errors[0]).toMatchObject({ problem: 'issuer-mismatch' });
  });

  it.each([
    ['answers 503', 'status', 'status'],
    ['resets the connection', 'reset', 'unreachable'],
    ['does not answer within timeoutMs', 'hang', 'timeout'],
  ] as const)('unreachable (%s): UnavailableError, no second request until the backoff allows, then it recovers', async (_name, mode, problem) => {
    issuer.discoveryMode = mode;
    const verify = verifier({ timeoutMs: 150 });
    const token = await issuer.sign(claims());
    await expect(verify(token)).rejects.toSatisfy(isUnavailable);
    await expect(verify(token)).rejects.toSatisfy(isUnavailable);
    expect(issuer.counts.discovery).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ endpoint: 'discovery', problem });
    issuer.discoveryMode = 'ok';
    await sleep(250);
    expect((await verify(token))?.subject).toBe('user-3Kd');
    expect(issuer.counts.discovery).toBe(2);
  });

  it('a document without a usable jwks_uri (missing, or plain http off loopback) is unavailable, reported', async () => {
    const document = (body: object) => async () => new Response(JSON.stringify(body), { status: 200 });
    for (const body of [{ issuer: issuer.issuer }, { issuer: issuer.issuer, jwks_uri: 'http://keys.example/jwks' }]) {
      errors = [];
      const verify = verifier({ fetch: document(body) });
      await expect(verify(await issuer.sign(claims()))).rejects.toSatisfy(isUnavailable);
      expect(errors[0]).toMatchObject({ endpoint: 'discovery', problem: 'invalid-response' });
    }
  });

  it('the JWKS it names is down: UnavailableError', async () => {
    issuer.jwksMode = 'status';
    await expect(verifier().call(null, await issuer.sign(claims()))).rejects.toSatisfy(isUnavailable);
    expect(errors[0]).toMatchObject({ endpoint: 'jwks', problem: 'status' });
  });
});

describe('jwtVerifierFor: the discovery URL from the spec', () => {
  const schemes = {
    Bearer: { kind: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    Oidc: { kind: 'openIdConnect', url: '.well-known/openid-configuration' },
    AbsoluteOidc: { kind: 'openIdConnect', url: 'https://issuer.example/.well-known/openid-configuration' },
    OAuth2: { kind: 'oauth2', flows: [{ flow: 'clientCredentials', tokenUrl: 'https://issuer.example/token', scopes: ['things:read'] }] },
    ApiKey: { kind: 'apiKey', in: 'header', name: 'X-API-Key' },
  } as const satisfies SchemeTable;
  const common = () => ({ issuer: issuer.issuer, audience: AUDIENCE });

  it("an openIdConnect scheme's relative url, resolved against baseUrl, is the discovery URL", async () => {
    const verify = jwtVerifierFor(schemes, 'Oidc', { ...common(), baseUrl: `${issuer.issuer}/` });
    expect((await verify(await issuer.sign(claims())))?.scopes).toEqual(['things:read']);
    expect(issuer.counts).toEqual({ discovery: 1, jwks: 1 });
  });

  it('explicit keys win over the spec; a bearer or oauth2 scheme needs them', async () => {
    const viaJwks = jwtVerifierFor(schemes, 'Bearer', { ...common(), jwksUrl: issuer.jwksUrl });
    expect((await viaJwks(await issuer.sign(claims())))?.subject).toBe('user-3Kd');
    const oauth = jwtVerifierFor(schemes, 'OAuth2', { ...common(), discoveryUrl: issuer.discoveryUrl });
    expect((await oauth(await issuer.sign(claims())))?.subject).toBe('user-3Kd');
    const oidc = jwtVerifierFor(schemes, 'AbsoluteOidc', { ...common(), jwksUrl: issuer.jwksUrl });
    expect((await oidc(await issuer.sign(claims())))?.subject).toBe('user-3Kd');
    expect(issuer.counts.discovery).toBe(1);
  });

  it('refuses what it cannot use: a relative url without baseUrl, a bearer scheme without keys, an apiKey scheme, an unknown name', () => {
    expect(() => jwtVerifierFor(schemes, 'Oidc', common())).toThrow(/openIdConnectUrl is not an absolute URL/);
    // @ts-expect-error a bearer scheme names no keys: jwksUrl, discoveryUrl or secret is required
    expect(() => jwtVerifierFor(schemes, 'Bearer', common())).toThrow(/give jwksUrl, discoveryUrl or secret/);
    // @ts-expect-error an apiKey scheme's credential is not a token
    expect(() => jwtVerifierFor(schemes, 'ApiKey', { ...common(), jwksUrl: issuer.jwksUrl })).toThrow(/not a token/);
    // @ts-expect-error not a scheme of the spec
    expect(() => jwtVerifierFor(schemes, 'Nope', { ...common(), jwksUrl: issuer.jwksUrl })).toThrow(/not in the spec/);
  });
});
