// Test helper: a local RFC 7662 token introspection endpoint on loopback for the
// token verifier tests (test/tokens/). It answers `{ active: false }` for tokens it
// does not know, checks the caller's client authentication (HTTP Basic or the form, or
// a bearer token), records every request (headers and form), and can fail: 503, a
// reset connection, or no answer at all.
import http from 'node:http';
import type { EndpointMode } from './oidc-issuer.js';
import { listen, type Running } from '../e2e/support.js';

export interface IntrospectionRequest {
  readonly method: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly form: Readonly<Record<string, string>>;
}

export interface IntrospectionServer {
  readonly origin: string;
  /** `<origin>/introspect`. */
  readonly endpoint: string;
  /** Token → the JSON answered for it (`{ active: false }` for any other). */
  readonly tokens: Map<string, Record<string, unknown>>;
  readonly requests: IntrospectionRequest[];
  mode: EndpointMode;
  /** Milliseconds to wait before answering (lets concurrent callers overlap). */
  delayMs: number;
  close(): Promise<void>;
}

export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Accepts `client` by HTTP Basic (form-encoded id and secret, RFC 6749 §2.3.1) or in the form, or `bearer`. */
export async function startIntrospection(accept: { readonly client?: ClientCredentials; readonly bearer?: string }): Promise<IntrospectionServer> {
  const formDecode = (s: string): string => new URLSearchParams(`x=${s}`).get('x') ?? '';
  const authenticated = (authorization: string | undefined, form: URLSearchParams): boolean => {
    if (accept.bearer !== undefined && authorization === `Bearer ${accept.bearer}`) return true;
    const client = accept.client;
    if (client === undefined) return false;
    if (authorization?.startsWith('Basic ') === true) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon !== -1 && formDecode(decoded.slice(0, colon)) === client.clientId && formDecode(decoded.slice(colon + 1)) === client.clientSecret;
    }
    return authorization === undefined && form.get('client_id') === client.clientId && form.get('client_secret') === client.clientSecret;
  };
  let running: Running | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      state.requests.push({ method: req.method ?? '', authorization: req.headers.authorization, contentType: req.headers['content-type'], form: Object.fromEntries(form) });
      const reply = (): void => {
        if (state.mode === 'hang') return;
        if (state.mode === 'reset') return void req.socket.destroy();
        if (state.mode === 'status') return void res.writeHead(503).end('down');
        if (req.method !== 'POST' || (req.url ?? '') !== '/introspect') return void res.writeHead(404).end();
        if (!authenticated(req.headers.authorization, form)) return void res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic' }).end('{"error":"invalid_client"}');
        const token = form.get('token') ?? '';
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state.tokens.get(token) ?? { active: false }));
      };
      if (state.delayMs > 0) setTimeout(reply, state.delayMs);
      else reply();
    });
  });
  const state = { requests: [] as IntrospectionRequest[], tokens: new Map<string, Record<string, unknown>>(), mode: 'ok' as EndpointMode, delayMs: 0 };
  running = await listen(server);
  const origin = running.origin;
  return {
    origin,
    endpoint: `${origin}/introspect`,
    tokens: state.tokens,
    requests: state.requests,
    get mode() {
      return state.mode;
    },
    set mode(value) {
      state.mode = value;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value) {
      state.delayMs = value;
    },
    close: () => (running as Running).close(),
  };
}
