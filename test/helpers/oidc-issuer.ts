// Test helper: a local OpenID Connect issuer on loopback for the token verifier tests
// (test/tokens/). It serves a discovery document and a JWKS, signs tokens with keys
// made by jose, rotates keys, counts every discovery and JWKS request, and can make
// either endpoint fail (503, a reset connection, or no answer at all). Also hand-built
// tokens jose would never sign: `alg: none`, and HS256 "signed" with the RSA public key.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { listen, type Running } from '../e2e/support.js';

/** How an endpoint answers: normally, 503, by resetting the connection, or never. */
export type EndpointMode = 'ok' | 'status' | 'reset' | 'hang';

export interface IssuerKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256' | 'EdDSA';
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface SignOptions {
  /** Sign with this key (default: the current one). */
  readonly key?: IssuerKey;
  /** The header's `kid` (default: the key's; `null`: none). */
  readonly kid?: string | null;
  readonly typ?: string;
}

export interface LocalIssuer {
  readonly origin: string;
  /** The issuer identifier: `<origin>/realm`. */
  readonly issuer: string;
  readonly discoveryUrl: string;
  readonly jwksUrl: string;
  /** Requests received so far, answered or not. */
  readonly counts: { discovery: number; jwks: number };
  /** The `issuer` the discovery document names (default: the issuer). */
  discoveredIssuer: string;
  discoveryMode: EndpointMode;
  jwksMode: EndpointMode;
  /** The key new tokens are signed with. */
  readonly current: IssuerKey;
  /** The keys the JWKS publishes. */
  published: IssuerKey[];
  sign(claims: JWTPayload, options?: SignOptions): Promise<string>;
  /** A new current key (published; the old ones stay published unless `dropOld`). */
  rotate(options?: { readonly dropOld?: boolean; readonly alg?: IssuerKey['alg'] }): Promise<IssuerKey>;
  /** A key that is never published (a token signed with it has a bad signature or an unknown kid). */
  rogueKey(kid: string): Promise<IssuerKey>;
  close(): Promise<void>;
}

let serial = 0;

export async function makeKey(alg: IssuerKey['alg'] = 'RS256', kid = `key-${++serial}`): Promise<IssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicKey, publicJwk };
}

export async function startIssuer(): Promise<LocalIssuer> {
  let running: Running | undefined;
  let current = await makeKey();
  const state = {
    counts: { discovery: 0, jwks: 0 },
    discoveredIssuer: '',
    discoveryMode: 'ok' as EndpointMode,
    jwksMode: 'ok' as EndpointMode,
    published: [current],
  };
  const answer = (res: http.ServerResponse, req: http.IncomingMessage, mode: EndpointMode, body: () => unknown): void => {
    if (mode === 'hang') return;
    if (mode === 'reset') return void req.socket.destroy();
    if (mode === 'status') return void res.writeHead(503, { 'content-type': 'text/plain' }).end('down');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body()));
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/realm/.well-known/openid-configuration') {
      state.counts.discovery += 1;
      return answer(res, req, state.discoveryMode, () => ({
        issuer: state.discoveredIssuer,
        jwks_uri: `${issuer.origin}/realm/jwks`,
        token_endpoint: `${issuer.origin}/realm/token`,
        id_token_signing_alg_values_supported: ['RS256'],
      }));
    }
    if (path === '/realm/jwks') {
      state.counts.jwks += 1;
      return answer(res, req, state.jwksMode, () => ({ keys: state.published.map((k) => k.publicJwk) }));
    }
    res.writeHead(404).end();
  });
  running = await listen(server);
  const origin = running.origin;
  const issuer: LocalIssuer = {
    origin,
    issuer: `${origin}/realm`,
    discoveryUrl: `${origin}/realm/.well-known/openid-configuration`,
    jwksUrl: `${origin}/realm/jwks`,
    get counts() {
      return state.counts;
    },
    get discoveredIssuer() {
      return state.discoveredIssuer;
    },
    set discoveredIssuer(value) {
      state.discoveredIssuer = value;
    },
    get discoveryMode() {
      return state.discoveryMode;
    },
    set discoveryMode(value) {
      state.discoveryMode = value;
    },
    get jwksMode() {
      return state.jwksMode;
    },
    set jwksMode(value) {
      state.jwksMode = value;
    },
    get current() {
      return current;
    },
    get published() {
      return state.published;
    },
    set published(value) {
      state.published = value;
    },
    async sign(claims, options = {}) {
      const key = options.key ?? current;
      const kid = options.kid === undefined ? key.kid : options.kid;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: key.alg, ...(kid === null ? {} : { kid }), ...(options.typ === undefined ? {} : { typ: options.typ }) })
        .sign(key.privateKey);
    },
    async rotate(options = {}) {
      current = await makeKey(options.alg ?? 'RS256');
      state.published = options.dropOld === true ? [current] : [...state.published, current];
      return current;
    },
    rogueKey: (kid) => makeKey('RS256', kid),
    close: () => (running as Running).close(),
  };
  state.discoveredIssuer = issuer.issuer;
  return issuer;
}

const b64json = (value: unknown): string => base64url.encode(JSON.stringify(value));

/** An unsecured JWT (RFC 7519 §6): `alg: none` and an empty signature. */
export function unsecuredToken(claims: JWTPayload, kid?: string): string {
  return `${b64json({ alg: 'none', typ: 'JWT', ...(kid === undefined ? {} : { kid }) })}.${b64json(claims)}.`;
}

/**
 * The algorithm confusion attack (RFC 8725 §2.1): HS256 with the issuer's RSA public key
 * as the HMAC secret, as a verifier that takes "the key" for whatever `alg` says would accept.
 * `form` picks the bytes an attacker would guess: the SPKI PEM, or the JWK as JSON.
 */
export async function hmacWithPublicKey(claims: JWTPayload, key: IssuerKey, form: 'pem' | 'jwk' = 'pem'): Promise<string> {
  const secret = form === 'pem' ? await exportSPKI(key.publicKey) : JSON.stringify(key.publicJwk);
  const input = `${b64json({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${b64json(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** A token whose payload was changed after signing (the signature no longer matches). */
export function tampered(token: string, claims: JWTPayload): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64json(claims)}.${signature}`;
}
