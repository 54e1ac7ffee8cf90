// `jwtVerifier` (templates/runtime/runtime-jwt.ts) against a real local issuer on
// loopback (test/helpers/oidc-issuer.ts): real keys, a real JWKS over HTTP, real
// `fetch`. Every way a token can be wrong answers `null` (the guard's 401) with a
// reason for `onDecision`; an issuer whose keys cannot be read makes the verifier throw
// an `UnavailableError` (503), and the JWKS is fetched again only as the cooldown and
// the backoff allow (counted at the issuer). Discovery: discovery.test.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exportSPKI, jwtVerify, UnsecuredJWT, type JWTPayload } from 'jose';
import { jwtVerifier, type JwtVerifierOptions } from '../../templates/runtime/runtime-jwt.js';
import { isUnavailable, type VerifyContext } from '../../templates/runtime/runtime-types.js';
import { IssuerEndpointError } from '../../templates/runtime/runtime-token-http.js';
import { hmacWithPublicKey, makeKey, startIssuer, tampered, unsecuredToken, type LocalIssuer } from '../helpers/oidc-issuer.js';

const AUDIENCE = 'https://api.tokens.test';
const COOLDOWN_MS = 300;
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
  issuer.jwksMode = 'ok';
  issuer.counts.jwks = 0;
});

const claims = (extra: Record<string, unknown> = {}): JWTPayload => ({ iss: issuer.issuer, aud: AUDIENCE, sub: 'user-7Qx', scope: 'things:read things:write', iat: nowSeconds(), exp: nowSeconds() + 300, ...extra });

/** A verifier on the issuer's JWKS URL, with a short cooldown and backoff, and errors collected. */
function verifier(extra: Partial<JwtVerifierOptions> = {}) {
  return jwtVerifier({
    issuer: issuer.issuer,
    audience: AUDIENCE,
    jwksUrl: issuer.jwksUrl,
    jwksCooldownMs: COOLDOWN_MS,
    backoff: { initialMs: 200, maxMs: 400 },
    onError: (e) => errors.push(e),
    ...extra,
  } as JwtVerifierOptions);
}

/** A verify context that keeps the reasons given to `deny`. */
function context(): VerifyContext & { readonly reasons: string[] } {
  const reasons: string[] = [];
  return { operationId: 'showThing', scheme: 'Bearer', scopes: [], request: { headers: {} }, reasons, deny: (reason: string) => void reasons.push(reason) };
}

/** Verifies and answers [principal or null, the deny reasons]. */
async function check(verify: (token: string, context: VerifyContext) => Promise<unknown>, token: string): Promise<[unknown, string[]]> {
  const ctx = context();
  return [await verify(token, ctx), ctx.reasons];
}

describe('a valid token', () => {
  it('answers the principal: subject, scopes from `scope`, every claim, all frozen', async () => {
    const verify = verifier();
    const principal = await verify(await issuer.sign(claims({ tenant: { id: 't1' } })));
    expect(principal).toEqual({ subject: 'user-7Qx', scopes: ['things:read', 'things:write'], claims: expect.objectContaining({ sub: 'user-7Qx', tenant: { id: 't1' } }) });
    expect(Object.isFrozen(principal)).toBe(true);
    expect(Object.isFrozen(principal?.scopes)).toBe(true);
    expect(Object.isFrozen((principal?.claims as { tenant: object }).tenant)).toBe(true);
  });

  it('`scp` as an array and as a space-separated string; `scope` wins when both are there; none: no scopes', async () => {
    const verify = verifier();
    const scopes = async (extra: Record<string, unknown>) => (await verify(await issuer.sign(claims({ scope: undefined, ...extra }))))?.scopes;
    expect(await scopes({ scp: ['things:read', 'admin'] })).toEqual(['things:read', 'admin']);
    expect(await scopes({ scp: 'things:read  admin' })).toEqual(['things:read', 'admin']);
    expect(await scopes({ scope: 'one', scp: ['two'] })).toEqual(['one']);
    expect(await scopes({})).toEqual([]);
    // A `scope` that is there but not a string grants nothing, and `scp` is not asked (review finding).
    for (const odd of [[], null, {}, 0]) expect(await scopes({ scope: odd, scp: ['admin'] })).toEqual([]);
  });

  it('an audience list: a token naming any one of them (aud as a string or an array) passes', async () => {
    const verify = verifier({ audience: ['https://other.test', AUDIENCE] });
    expect(await verify(await issuer.sign(claims()))).not.toBeNull();
    expect(await verify(await issuer.sign(claims({ aud: ['https://third.test', AUDIENCE] })))).not.toBeNull();
  });

  it('a token without `kid` is tried with each key the set could mean (two RS256 keys)', async () => {
    const old = issuer.current;
    await issuer.rotate();
    try {
      const verify = verifier();
      expect(await verify(await issuer.sign(claims(), { kid: null }))).not.toBeNull();
      expect(await verify(await issuer.sign(claims(), { kid: null, key: old }))).not.toBeNull();
      expect(await check(verify, await issuer.sign(claims(), { kid: null, key: await makeKey() }))).toEqual([null, ['token-signature']]);
    } finally {
      issuer.published = [issuer.current];
    }
  });

  it('a principal mapper makes the app principal; answering null refuses the token', async () => {
    const verify = jwtVerifier({
      issuer: issuer.issuer,
      audience: AUDIENCE,
      jwksUrl: issuer.jwksUrl,
      principal: (token) => (token.subject === 'blocked' ? null : { user: token.subject, scopes: token.scopes, admin: false }),
    });
    const mine: { user: string | undefined; admin: boolean } | null = await verify(await issuer.sign(claims()));
    expect(mine).toEqual({ user: 'user-7Qx', scopes: ['things:read', 'things:write'], admin: false });
    expect(await check(verify, await issuer.sign(claims({ sub: 'blocked' })))).toEqual([null, ['principal-refused']]);
  });
});

describe('an invalid token is null, with the reason for onDecision', () => {
  it.each([
    ['another issuer', () => claims({ iss: 'https://evil.test' }), 'token-iss'],
    ['another audience', () => claims({ aud: 'https://other-api.test' }), 'token-aud'],
    ['no audience', () => claims({ aud: undefined }), 'token-aud'],
    ['expired', () => claims({ exp: nowSeconds() - 60 }), 'token-expired'],
    ['not yet valid', () => claims({ nbf: nowSeconds() + 60 }), 'token-nbf'],
    ['no exp (an access token that never expires)', () => claims({ exp: undefined }), 'token-exp'],
  ])('%s', async (_name, make, reason) => {
    expect(await check(verifier(), await issuer.sign(make()))).toEqual([null, [reason]]);
  });

  it('clockToleranceSeconds lets a token a little past exp or before nbf through', async () => {
    const verify = verifier({ clockToleranceSeconds: 120 });
    expect(await verify(await issuer.sign(claims({ exp: nowSeconds() - 60 })))).not.toBeNull();
    expect(await verify(await issuer.sign(claims({ nbf: nowSeconds() + 60 })))).not.toBeNull();
  });

  it('one spelling per token: padding, whitespace or unused bits set in a part are refused before verifying (review finding); so is a token over 8192 characters', async () => {
    const verify = verifier();
    const good = await issuer.sign(claims());
    expect(await verify(good)).not.toBeNull();
    const [h, p, sig] = good.split('.') as [string, string, string];
    // RS256 signatures are 256 bytes: 342 base64url characters, the last one carrying 4 unused bits.
    const last = sig.slice(-1);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const flipped = alphabet[alphabet.indexOf(last) ^ 1] as string;
    for (const spelling of [`${h}.${p}.${sig}==`, `${h}.${p}.${sig.slice(0, -1)}${flipped}`, `${h}.${p}.${sig}\n`, `${h}.${p}.${sig.slice(0, 10)} ${sig.slice(10)}`]) {
      expect(await check(verify, spelling)).toEqual([null, ['token-malformed']]);
    }
    expect(await check(verify, await issuer.sign(claims({ pad: 'x'.repeat(9000) })))).toEqual([null, ['token-malformed']]);
  });

  it('a bad signature: the payload changed after signing, or signed by a key the issuer does not publish under its kid', async () => {
    const verify = verifier();
    const good = await issuer.sign(claims());
    expect(await check(verify, tampered(good, claims({ scope: 'admin' })))).toEqual([null, ['token-signature']]);
    const rogue = await makeKey('RS256', issuer.current.kid);
    expect(await check(verify, await issuer.sign(claims(), { key: rogue }))).toEqual([null, ['token-signature']]);
  });

  it('`alg: none` (hand-built), with or without the kid of a published key', async () => {
    const verify = verifier();
    // (control) a well-formed unsecured JWT: a verifier that honoured `alg` would take it.
    expect(UnsecuredJWT.decode(unsecuredToken(claims()), { issuer: issuer.issuer, audience: AUDIENCE }).payload.sub).toBe('user-7Qx');
    // Its empty signature part already fails the one-spelling check; with any signature bytes, the algorithm rule refuses it.
    expect(await check(verify, unsecuredToken(claims()))).toEqual([null, ['token-malformed']]);
    expect(await check(verify, unsecuredToken(claims(), issuer.current.kid))).toEqual([null, ['token-malformed']]);
    expect(await check(verify, `${unsecuredToken(claims(), issuer.current.kid)}AAAA`)).toEqual([null, ['token-algorithm']]);
  });

  it('HS256 "signed" with the RSA public key (the SPKI PEM, or the JWK as JSON): never taken as a MAC key', async () => {
    const verify = verifier();
    // (control) the token is a valid HS256 JWT under the PEM's bytes: the attack is real.
    const pem = new TextEncoder().encode(await exportSPKI(issuer.current.publicKey));
    expect((await jwtVerify(await hmacWithPublicKey(claims(), issuer.current, 'pem'), pem)).payload.sub).toBe('user-7Qx');
    expect(await check(verify, await hmacWithPublicKey(claims(), issuer.current, 'pem'))).toEqual([null, ['token-algorithm']]);
    expect(await check(verify, await hmacWithPublicKey(claims(), issuer.current, 'jwk'))).toEqual([null, ['token-algorithm']]);
  });

  it('only the allowed algorithms: an ES256 token when only RS256 is allowed', async () => {
    const es = await makeKey('ES256');
    issuer.published = [issuer.current, es];
    try {
      expect(await verifier().call(null, await issuer.sign(claims(), { key: es }))).not.toBeNull();
      expect(await check(verifier({ algorithms: ['RS256'] }), await issuer.sign(claims(), { key: es }))).toEqual([null, ['token-algorithm']]);
    } finally {
      issuer.published = [issuer.current];
    }
  });

  it.each([
    ['empty', ''],
    ['not a JWT', 'opaque-token-Zq3'],
    ['two parts', 'a.b'],
    ['garbage in three parts', 'x.y.z'],
    ['a JSON header that is not an object', 'WzFd.e30.AA'],
  ])('malformed: %s', async (_name, token) => {
    expect(await check(verifier(), token)).toEqual([null, ['token-malformed']]);
  });

  it('requireAccessTokenType: only `typ: at+jwt` (RFC 9068), also written application/at+jwt', async () => {
    const verify = verifier({ requireAccessTokenType: true });
    expect(await check(verify, await issuer.sign(claims()))).toEqual([null, ['token-typ']]);
    expect(await check(verify, await issuer.sign(claims(), { typ: 'JWT' }))).toEqual([null, ['token-typ']]);
    expect(await verify(await issuer.sign(claims(), { typ: 'at+jwt' }))).not.toBeNull();
    expect(await verify(await issuer.sign(claims(), { typ: 'application/at+jwt' }))).not.toBeNull();
    // Not required: any typ passes.
    expect(await verifier().call(null, await issuer.sign(claims(), { typ: 'JWT' }))).not.toBeNull();
  });
});

describe('unknown kid, rotation and floods: the JWKS is fetched as the cooldown allows', () => {
  it('an unknown kid refetches once after the cooldown, then is null; within the cooldown it fetches nothing', async () => {
    // Signed before the first fetch: making an RSA key can take longer than the cooldown.
    const token = await issuer.sign(claims(), { key: await issuer.rogueKey('kid-nobody-knows') });
    const verify = verifier();
    expect(await verify(await issuer.sign(claims()))).not.toBeNull();
    expect(issuer.counts.jwks).toBe(1);
    expect(await check(verify, token)).toEqual([null, ['token-unknown-key']]);
    expect(issuer.counts.jwks).toBe(1);
    await sleep(COOLDOWN_MS + 50);
    expect(await check(verify, token)).toEqual([null, ['token-unknown-key']]);
    expect(issuer.counts.jwks).toBe(2);
    expect(await check(verify, token)).toEqual([null, ['token-unknown-key']]);
    expect(issuer.counts.jwks).toBe(2);
  });

  it('key rotation at the issuer: the new kid verifies after one refetch; the old key still verifies while published', async () => {
    const verify = verifier();
    const before = await issuer.sign(claims());
    expect(await verify(before)).not.toBeNull();
    await sleep(COOLDOWN_MS + 50);
    await issuer.rotate();
    try {
      expect(await verify(await issuer.sign(claims()))).not.toBeNull();
      expect(issuer.counts.jwks).toBe(2);
      expect(await verify(before)).not.toBeNull();
      expect(issuer.counts.jwks).toBe(2);
      // The old key retired: its tokens are refused once the set is fetched again.
      issuer.published = [issuer.current];
      await sleep(COOLDOWN_MS + 50);
      expect(await check(verify, await issuer.sign(claims(), { kid: 'kid-retired-' + String(Date.now()) }))).toEqual([null, ['token-unknown-key']]);
      expect(issuer.counts.jwks).toBe(3);
      expect(await check(verify, before)).toEqual([null, ['token-unknown-key']]);
    } finally {
      issuer.published = [issuer.current];
    }
  });

  it('a flood of unknown kids: about one JWKS fetch per cooldown, however many tokens', async () => {
    const stranger = await issuer.rogueKey('unused');
    const verify = verifier();
    expect(await verify(await issuer.sign(claims()))).not.toBeNull();
    const started = Date.now();
    let tokens = 0;
    // 20 rounds of 25 concurrent tokens, each with its own made-up kid, 50 ms apart.
    for (let round = 0; round < 20; round++) {
      const batch = await Promise.all(Array.from({ length: 25 }, async (_, i) => verify(await issuer.sign(claims(), { key: stranger, kid: `flood-${round}-${i}` }))));
      expect(batch.every((p) => p === null)).toBe(true);
      tokens += batch.length;
      await sleep(50);
    }
    const elapsed = Date.now() - started;
    const windows = Math.ceil(elapsed / COOLDOWN_MS);
    // The first fetch, plus at most one per cooldown window that passed.
    expect(issuer.counts.jwks).toBeGreaterThanOrEqual(2);
    expect(issuer.counts.jwks).toBeLessThanOrEqual(1 + windows);
    expect(tokens).toBe(500);
    console.info(`flood: ${tokens} tokens with unknown kids over ${elapsed} ms, cooldown ${COOLDOWN_MS} ms: ${issuer.counts.jwks} JWKS fetches`);
  });
});

describe('the JWKS cannot be read: UnavailableError (503), never null, never a pass', () => {
  it.each([
    ['answers 503', 'status', 'status'],
    ['resets the connection', 'reset', 'unreachable'],
    ['does not answer within timeoutMs', 'hang', 'timeout'],
  ] as const)('%s', async (_name, mode, problem) => {
    issuer.jwksMode = mode;
    const verify = verifier({ timeoutMs: 300 });
    const token = await issuer.sign(claims());
    const error = await verify(token).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isUnavailable(error)).toBe(true);
    expect((error as { retryAfter: number }).retryAfter).toBeGreaterThanOrEqual(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(IssuerEndpointError);
    expect(errors[0]).toMatchObject({ endpoint: 'jwks', problem });
    for (const text of [String(error), String(errors[0]), JSON.stringify(errors[0])]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain('user-7Qx');
    }
  });

  it('after a failure, no request until the backoff allows; then it recovers', async () => {
    issuer.jwksMode = 'status';
    const verify = verifier();
    const token = await issuer.sign(claims());
    await expect(verify(token)).rejects.toSatisfy(isUnavailable);
    await expect(verify(token)).rejects.toSatisfy(isUnavailable);
    await expect(verify(token)).rejects.toSatisfy(isUnavailable);
    expect(issuer.counts.jwks).toBe(1);
    expect(errors).toHaveLength(1);
    issuer.jwksMode = 'ok';
    await sleep(250);
    expect(await verify(token)).not.toBeNull();
    expect(issuer.counts.jwks).toBe(2);
  });

  it('a JWKS that is not a key set (HTML, a JSON array) is unavailable too', async () => {
    const verify = jwtVerifier({
      issuer: issuer.issuer,
      audience: AUDIENCE,
      jwksUrl: issuer.jwksUrl,
      onError: (e) => errors.push(e),
      fetch: async () => new Response('<html>maintenance</html>', { status: 200 }),
    });
    await expect(verify(await issuer.sign(claims()))).rejects.toSatisfy(isUnavailable);
    expect(errors[0]).toMatchObject({ endpoint: 'jwks', problem: 'invalid-response' });
  });

  it('keys jose cannot use (an RSA key under 2048 bits, a private key): unavailable, reported once, not null and not a 500', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const weak = { ...generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }), kid: issuer.current.kid, alg: 'RS256' };
    const leaked = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: issuer.current.kid, alg: 'RS256' };
    for (const key of [weak, leaked]) {
      errors = [];
      const verify = verifier({ fetch: async () => new Response(JSON.stringify({ keys: [key] }), { status: 200 }) });
      const token = await issuer.sign(claims());
      await expect(verify(token)).rejects.toSatisfy(isUnavailable);
      await expect(verify(token)).rejects.toSatisfy(isUnavailable);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.message).toMatch(/^jwtVerifier: the issuer's keys could not be used \(\w+\)$/);
    }
  });

  it('an unreachable port (nothing listens): unavailable', async () => {
    const verify = verifier({ jwksUrl: 'http://127.0.0.1:1/jwks' });
    await expect(verify(await issuer.sign(claims()))).rejects.toSatisfy(isUnavailable);
    expect(errors[0]).toMatchObject({ endpoint: 'jwks', problem: 'unreachable' });
  });
});

describe('an explicit HMAC secret', () => {
  const SECRET = 'a-shared-secret-of-at-least-32-bytes!';
  const hsToken = async (alg: 'HS256' | 'HS512', secret = SECRET): Promise<string> => {
    const { SignJWT } = await import('jose');
    return new SignJWT(claims()).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));
  };

  it('verifies HS256; refuses an RS256 token, a token with another secret, and HS512 the secret is too short for', async () => {
    const verify = jwtVerifier({ issuer: issuer.issuer, audience: AUDIENCE, secret: SECRET });
    expect((await verify(await hsToken('HS256')))?.subject).toBe('user-7Qx');
    expect(await check(verify, await issuer.sign(claims()))).toEqual([null, ['token-algorithm']]);
    expect(await check(verify, await hsToken('HS256', 'another-secret-that-is-32-bytes-long'))).toEqual([null, ['token-signature']]);
    expect(await check(verify, await hsToken('HS512'))).toEqual([null, ['token-algorithm']]);
    expect(issuer.counts.jwks).toBe(0);
  });
});

describe('options that would weaken the checks are refused when the verifier is made', () => {
  const base = () => ({ issuer: issuer.issuer, audience: AUDIENCE, jwksUrl: issuer.jwksUrl });
  it.each([
    ['no audience', { audience: undefined }, /audience/],
    ['an empty audience list', { audience: [] }, /audience/],
    ['an empty audience', { audience: '' }, /audience/],
    ['no issuer', { issuer: '' }, /issuer/],
    ['alg none', { algorithms: ['none'] }, /algorithms/],
    ['HMAC with a JWKS', { algorithms: ['HS256'] }, /algorithms/],
    ['no key source', { jwksUrl: undefined }, /exactly one/],
    ['two key sources', { discoveryUrl: 'https://issuer.example/.well-known/openid-configuration' }, /exactly one/],
    ['a secret and a JWKS', { secret: 'x'.repeat(32) }, /exactly one/],
    ['a short secret', { jwksUrl: undefined, secret: 'short' }, /secret/],
    ['RS256 with a secret', { jwksUrl: undefined, secret: 'x'.repeat(32), algorithms: ['RS256'] }, /algorithms/],
    ['a plain-http JWKS off loopback', { jwksUrl: 'http://issuer.example/jwks' }, /https/],
    ['a relative JWKS URL', { jwksUrl: '/jwks' }, /absolute/],
  ])('%s', (_name, change, message) => {
    expect(() => jwtVerifier({ ...base(), ...change } as unknown as JwtVerifierOptions)).toThrow(message);
  });
});
