// What jose's answers mean for the JWT verifier (runtime-jwt.ts), and which signature
// algorithms it allows. Every jose error that says "this token is not valid" maps to a
// short reason for `context.deny` (`token-expired`, `token-aud`): names only, never a
// claim's value. The algorithms: never `none` (jose refuses it anyway), public-key ones
// by default, HMAC only with an explicit secret long enough for its hash (RFC 7518 §3.2),
// never both kinds at once, so a public key can never be taken for an HMAC secret
// (RFC 8725 §2.1, the algorithm confusion attack).
import { base64url, jwtVerify, type CryptoKey, type JWTVerifyOptions, type RemoteJWKSet } from 'jose';
import type { TokenClaims } from './runtime-token-claims.js';

/** Signature algorithms with a public key; the default allows all but `Ed25519` (the fully-specified name of EdDSA, RFC 9864). */
export type AsymmetricAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA' | 'Ed25519';
/** MAC algorithms (a shared secret); only with `secret`. */
export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512';

const ASYMMETRIC: readonly AsymmetricAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const DEFAULT_ASYMMETRIC: readonly AsymmetricAlgorithm[] = ASYMMETRIC.filter((alg) => alg !== 'Ed25519');
/** RFC 7518 §3.2: a key at least as long as the hash output. */
const HMAC_BYTES: { readonly [A in HmacAlgorithm]: number } = { HS256: 32, HS384: 48, HS512: 64 };

/** The reason `context.deny` gets for each jose error that means "this token is not valid". */
const TOKEN_PROBLEMS: { readonly [code: string]: string } = {
  ERR_JWT_EXPIRED: 'token-expired',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'token-claims',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'token-signature',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'token-signature',
  ERR_JOSE_ALG_NOT_ALLOWED: 'token-algorithm',
  ERR_JOSE_NOT_SUPPORTED: 'token-algorithm',
  ERR_JWKS_NO_MATCHING_KEY: 'token-unknown-key',
  ERR_JWS_INVALID: 'token-malformed',
  ERR_JWT_INVALID: 'token-malformed',
};
/** Claims whose failed check is named in the reason (`token-aud`); names only, never values. */
const NAMED_CLAIMS = new Set(['iss', 'aud', 'nbf', 'exp', 'typ', 'sub', 'iat']);

export const codeOf = (error: unknown): unknown => (typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined);

/** Why the token is not valid, or undefined when the error is not about the token. */
export function tokenProblem(error: unknown): string | undefined {
  const code = codeOf(error);
  const reason = typeof code === 'string' ? TOKEN_PROBLEMS[code] : undefined;
  if (code !== 'ERR_JWT_CLAIM_VALIDATION_FAILED') return reason;
  const claim = (error as { claim?: unknown }).claim;
  return typeof claim === 'string' && NAMED_CLAIMS.has(claim) ? `token-${claim}` : reason;
}

/** The allowed algorithms, checked against the key kind: `none` never, HS* only with a secret, never mixed. */
export function algorithmsOf(given: readonly string[] | undefined, secretBytes: number | undefined): string[] {
  if (secretBytes === undefined) {
    const list = given === undefined ? [...DEFAULT_ASYMMETRIC] : [...given];
    const wrong = list.find((alg) => !(ASYMMETRIC as readonly string[]).includes(alg));
    if (list.length === 0 || wrong !== undefined) throw new TypeError(`jwtVerifier: algorithms must be public-key algorithms (${ASYMMETRIC.join(', ')})${wrong === undefined ? '' : `, not ${JSON.stringify(wrong)}`}; HMAC needs an explicit secret`);
    return list;
  }
  const all = Object.keys(HMAC_BYTES) as HmacAlgorithm[];
  const list = given === undefined ? all.filter((alg) => secretBytes >= HMAC_BYTES[alg]) : [...given];
  const wrong = list.find((alg) => !(all as readonly string[]).includes(alg) || secretBytes < HMAC_BYTES[alg as HmacAlgorithm]);
  if (list.length === 0 || wrong !== undefined) {
    throw new TypeError(`jwtVerifier: with a secret, algorithms must be HS256, HS384 or HS512, each with a secret at least as long as its hash (32, 48, 64 bytes)${wrong === undefined ? '' : `; ${JSON.stringify(wrong)} does not fit`}`);
  }
  return list;
}

/**
 * jose's verification, plus RFC 7515 §4.1.4: a token without a `kid` that several keys
 * of the set could have signed is tried with each of them.
 */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Whether a token is a compact JWS spelled the one canonical way: three base64url parts
 * without padding, whitespace or unused bits set in a part's last character. jose
 * decodes with `atob`, which ignores all three, so one signed token would otherwise be
 * accepted under many spellings, and a denylist or replay cache keyed on the string
 * could be walked around.
 */
export function isCanonicalCompact(token: string): boolean {
  if (!COMPACT_JWS.test(token)) return false;
  for (const part of token.split('.')) {
    try {
      if (base64url.encode(base64url.decode(part)) !== part) return false;
    } catch {
      return false;
    }
  }
  return true;
}

export async function verifyCompact(token: string, key: RemoteJWKSet | Uint8Array, options: JWTVerifyOptions): Promise<TokenClaims> {
  try {
    return (await jwtVerify(token, key, options)).payload;
  } catch (error) {
    if (codeOf(error) !== 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw error;
    for await (const candidate of error as AsyncIterable<CryptoKey>) {
      try {
        return (await jwtVerify(token, candidate, options)).payload;
      } catch (inner) {
        if (codeOf(inner) !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw inner;
      }
    }
    throw error;
  }
}
