// The one retry policy (runtime-retry.ts) in the three client integrations, generated
// from client-spec.yaml: `withAuth` on the platform fetch, the openapi-fetch middleware
// and the axios interceptors, against real node:http servers on 127.0.0.1, with a local
// OAuth2 token endpoint (client_credentials) that counts what it issues. Last, the same
// clients against a generated guard (node adapter) whose bearer verifier accepts only the
// token endpoint's current token, rotated server-side.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import createClient from 'openapi-fetch';
import axios, { type AxiosResponse } from 'axios';
import { generatedClient, type Credentials, type GeneratedClient } from './generated.js';
import { importGenerated } from '../helpers/generated.js';
import type { RetryOptions } from '../../templates/runtime/runtime-retry.js';
import type { TokenProvider } from '../../templates/runtime/runtime-credentials.js';
import type { Guard, GuardOptions } from '../../templates/runtime/runtime-server.js';

interface paths {
  '/bearer': { get: { parameters: Record<string, never>; responses: { 200: { content: { 'text/plain': string } } } } };
  '/disjoint': { get: { parameters: Record<string, never>; responses: { 200: { content: { 'text/plain': string } } } } };
  '/scoped': { post: { parameters: Record<string, never>; requestBody: { content: { 'application/json': unknown } }; responses: { 200: { content: { 'text/plain': string } } } } };
}

// ---------------------------------------------------------------------------
// Servers

interface Got {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}
interface Answer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}
interface Server {
  readonly origin: string;
  readonly seen: Got[];
  close(): Promise<void>;
}

/** A loopback server recording each request with its raw body bytes. */
async function serve(handle: (got: Got) => Answer | Promise<Answer>): Promise<Server> {
  const seen: Got[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const got: Got = { method: req.method ?? '', url: req.url ?? '', path: (req.url ?? '').split('?')[0] ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(got);
      Promise.resolve(handle(got)).then(
        (answer) => res.writeHead(answer.status, answer.headers).end(answer.body ?? ''),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  };
}

/** The token endpoint's state: how many tokens it issued, and the one the APIs accept (the latest, until rotated). */
const tokens = { issued: 0, current: undefined as string | undefined, delayMs: 0 };
/** Server-side rotation: the token in use is no longer accepted; the next one issued is. */
const rotate = (): void => void (tokens.current = undefined);
const bearerOf = (got: Got): string | undefined => /^Bearer (.+)$/.exec(got.headers.authorization ?? '')?.[1];

const OK = (got: Got): Answer => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: `ok ${got.path}` });
const INVALID_TOKEN: Answer = { status: 401, headers: { 'www-authenticate': 'Bearer realm="api", error="invalid_token"' }, body: 'refused' };
/** The API's default: the current token passes, any other is refused with `error="invalid_token"`. */
const checkToken = (got: Got): Answer => (tokens.current !== undefined && bearerOf(got) === tokens.current ? OK(got) : INVALID_TOKEN);

let tokenServer: Server;
let api: Server;
let other: Server;
/** What the API answers to the n-th request (0-based) of the current test. */
let answer: (got: Got, n: number) => Answer;
let gen: GeneratedClient;

beforeAll(async () => {
  gen = await generatedClient('client-retry-integrations');
  tokenServer = await serve(async (got) => {
    if (tokens.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, tokens.delayMs));
    tokens.issued++;
    tokens.current = `tok-${tokens.issued}`;
    expect(got.body.toString()).toContain('grant_type=client_credentials');
    return { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify({ access_token: tokens.current, token_type: 'Bearer', expires_in: 3600 }) };
  });
  other = await serve((got) => OK(got));
  api = await serve((got) => answer(got, api.seen.length - 1));
}, 120_000);
afterAll(async () => {
  await Promise.all([tokenServer.close(), api.close(), other.close()]);
});
beforeEach(() => {
  for (const server of [tokenServer, api, other]) server.seen.length = 0;
  Object.assign(tokens, { issued: 0, current: undefined, delayMs: 0 });
  answer = checkToken;
});

const base = (): string => `${api.origin}/v1`;
const provider = (): TokenProvider =>
  gen.runtime.clientCredentialsToken({ tokenUrl: `${tokenServer.origin}/token`, clientId: 'id', clientSecret: 'secret', scopes: [] }) as TokenProvider;
const withRetry = (retry: RetryOptions | undefined): { retry?: RetryOptions } => (retry === undefined ? {} : { retry });

// ---------------------------------------------------------------------------
// The three integrations behind one call shape: GET /v1/bearer (or /v1/disjoint), answering the status.

type Call = (init?: { readonly signal?: AbortSignal }, path?: '/bearer' | '/disjoint') => Promise<number>;

/** axios rejects a status its validateStatus refuses; the status is what the tests compare. */
const statusOf = (pending: Promise<AxiosResponse>): Promise<number> =>
  pending.then(
    (response) => response.status,
    (error: unknown) => {
      const status = (error as { response?: { status?: number } }).response?.status;
      if (status === undefined) throw error;
      return status;
    },
  );

const CLIENTS: Readonly<Record<string, (credentials: Credentials, retry?: RetryOptions) => Call>> = {
  withAuth: (credentials, retry) => {
    const f = gen.client.withAuth(fetch, credentials, { baseUrl: base(), ...withRetry(retry) });
    return async (init, path = '/bearer') => (await f(`${base()}${path}`, init)).status;
  },
  'openapi-fetch': (credentials, retry) => {
    const client = createClient<paths>({ baseUrl: base() });
    client.use(gen.openapiFetch.authMiddleware(gen.client.clientAuth, credentials, { baseUrl: base(), ...withRetry(retry) }));
    return async (init, path = '/bearer') => (await client.GET(path, { parseAs: 'text', ...init })).response.status;
  },
  axios: (credentials, retry) => {
    const instance = axios.create({ baseURL: base() });
    gen.axios.installAuth(instance, gen.client.clientAuth, credentials, { baseUrl: base(), ...withRetry(retry) });
    return (init, path = '/bearer') => statusOf(instance.get(path, init));
  },
  'axios, validateStatus accepting every status': (credentials, retry) => {
    const instance = axios.create({ baseURL: base(), validateStatus: () => true });
    gen.axios.installAuth(instance, gen.client.clientAuth, credentials, { baseUrl: base(), ...withRetry(retry) });
    return (init, path = '/bearer') => statusOf(instance.get(path, init));
  },
};

const sentTokens = (): (string | undefined)[] => api.seen.map(bearerOf);

describe.each(Object.keys(CLIENTS))('%s', (name) => {
  const client = (credentials: Credentials, retry?: RetryOptions): Call => (CLIENTS[name] as (c: Credentials, r?: RetryOptions) => Call)(credentials, retry);

  it('concurrent calls refused after a rotation share one token request, and each is retried once', async () => {
    tokens.delayMs = 50;
    const call = client({ BearerAuth: provider() });
    expect(await call()).toBe(200);
    rotate();
    const statuses = await Promise.all(Array.from({ length: 5 }, () => call()));
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(tokens.issued).toBe(2);
    expect(tokenServer.seen).toHaveLength(2);
    expect(sentTokens()).toEqual(['tok-1', ...Array(5).fill('tok-1'), ...Array(5).fill('tok-2')]);
  });

  it('a 401 to the retry is returned: two sends, two tokens, no loop', async () => {
    answer = () => INVALID_TOKEN;
    expect(await client({ BearerAuth: provider() })()).toBe(401);
    expect(sentTokens()).toEqual(['tok-1', 'tok-2']);
    expect(tokens.issued).toBe(2);
  });

  it('a token the client obtained itself is refreshed on any 401, even without error="invalid_token"', async () => {
    answer = (got) => (bearerOf(got) === tokens.current ? OK(got) : { status: 401, headers: { 'www-authenticate': 'Bearer realm="api"' } });
    const call = client({ BearerAuth: provider() });
    expect(await call()).toBe(200);
    rotate();
    expect(await call()).toBe(200);
    expect(sentTokens()).toEqual(['tok-1', 'tok-1', 'tok-2']);
  });

  it("retry: { reauthenticate: false } returns the 401 and leaves the provider's token alone", async () => {
    const call = client({ BearerAuth: provider() }, { reauthenticate: false });
    expect(await call()).toBe(200);
    rotate();
    expect(await call()).toBe(401);
    expect(await call()).toBe(401);
    expect(sentTokens()).toEqual(['tok-1', 'tok-1', 'tok-1']);
    expect(tokens.issued).toBe(1);
  });

  it('a plain credential function is asked again once on error="invalid_token", and not on a bare 401', async () => {
    let asked = 0;
    const fn = (): string => `fn-${++asked}`;
    answer = (got) => (bearerOf(got) === 'fn-2' ? OK(got) : INVALID_TOKEN);
    expect(await client({ BearerAuth: fn })()).toBe(200);
    expect(sentTokens()).toEqual(['fn-1', 'fn-2']);

    api.seen.length = 0;
    answer = () => ({ status: 401, headers: { 'www-authenticate': 'Bearer realm="api"' } });
    expect(await client({ BearerAuth: fn })()).toBe(401);
    expect(sentTokens()).toEqual(['fn-3']);
  });

  it('a static value is never retried, even on error="invalid_token"', async () => {
    answer = () => INVALID_TOKEN;
    expect(await client({ BearerAuth: 'static-token' })()).toBe(401);
    expect(sentTokens()).toEqual(['static-token']);
  });

  it('a 403 is never retried', async () => {
    answer = () => ({ status: 403, headers: { 'www-authenticate': 'Bearer error="insufficient_scope", scope="admin"' } });
    expect(await client({ BearerAuth: provider() }, { attempts: 3 })()).toBe(403);
    expect(api.seen).toHaveLength(1);
    expect(tokens.issued).toBe(1);
  });

  it('429 with Retry-After: 1 is retried after about a second when opted in, and not by default', async () => {
    answer = (got, n) => (n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : OK(got));
    const started = Date.now();
    expect(await client({ BearerAuth: 'k' }, { attempts: 1 })()).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(api.seen).toHaveLength(2);

    api.seen.length = 0;
    expect(await client({ BearerAuth: 'k' })()).toBe(429);
    expect(api.seen).toHaveLength(1);
  });

  it('a Retry-After longer than maxDelayMs, or malformed, is returned at once; attempts bound the waits', async () => {
    answer = () => ({ status: 429, headers: { 'retry-after': '5' } });
    const started = Date.now();
    expect(await client({ BearerAuth: 'k' }, { attempts: 3, maxDelayMs: 2000 })()).toBe(429);
    answer = () => ({ status: 503, headers: { 'retry-after': '1.5' } });
    expect(await client({ BearerAuth: 'k' }, { attempts: 3 })()).toBe(503);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(api.seen).toHaveLength(2);

    api.seen.length = 0;
    answer = () => ({ status: 503, headers: { 'retry-after': '0' } });
    expect(await client({ BearerAuth: 'k' }, { attempts: 2 })()).toBe(503);
    expect(api.seen).toHaveLength(3);
  });

  it('503 with an HTTP-date Retry-After waits until that date', async () => {
    // An HTTP-date has whole seconds: 1.5 s ahead is between 0.5 and 1.5 s of waiting.
    const until = new Date(Date.now() + 1500).toUTCString();
    answer = (got, n) => (n === 0 ? { status: 503, headers: { 'retry-after': until } } : OK(got));
    const started = Date.now();
    expect(await client({ BearerAuth: 'k' }, { attempts: 1 })()).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(api.seen).toHaveLength(2);
  });

  it("the wait ends when the request's signal aborts, and nothing more is sent", async () => {
    answer = () => ({ status: 429, headers: { 'retry-after': '5' } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expect(client({ BearerAuth: 'k' }, { attempts: 1 })({ signal: controller.signal })).rejects.toBeDefined();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(api.seen).toHaveLength(1);
  });

  it("the retry starts from the caller's request: the first alternative's credentials do not linger when another is chosen", async () => {
    // disjoint: [BasicAuth + QueryKey] or [CookieKey + HeaderKey]. The Basic function gives
    // nothing when asked again, so the retry takes the second alternative.
    let asked = 0;
    const BasicAuth = (): { username: string; password: string } | undefined => (++asked === 1 ? { username: 'u', password: 'p' } : undefined);
    answer = (got, n) => (n === 0 ? INVALID_TOKEN : OK(got));
    expect(await client({ BasicAuth, QueryKey: 'qk', CookieKey: 'ck', HeaderKey: 'hk' })(undefined, '/disjoint')).toBe(200);
    const [first, retry] = api.seen;
    expect([first?.headers.authorization, first?.headers['x-api-key']]).toEqual([`Basic ${Buffer.from('u:p').toString('base64')}`, undefined]);
    expect(retry?.headers.authorization).toBeUndefined();
    expect(retry?.headers['x-api-key']).toBe('hk');
    expect(retry?.headers.cookie).toBe('session=ck');
    expect(api.seen.map((got) => got.url)).toEqual(['/v1/disjoint?api_key=qk', '/v1/disjoint']);
  });

  it('the retry is held to the same redirect rules: its credentials never reach another origin', async () => {
    answer = (got, n) => (n === 0 ? INVALID_TOKEN : { status: 302, headers: { location: `${other.origin}/landing` } });
    const status = await client({ BearerAuth: provider() })();
    expect(sentTokens()).toEqual(['tok-1', 'tok-2']);
    // fetch and axios follow without the credentials; openapi-fetch returns the 3xx (redirect 'manual').
    expect(status).toBe(name === 'openapi-fetch' ? 302 : 200);
    expect(other.seen.map((got) => got.headers.authorization)).toEqual(name === 'openapi-fetch' ? [] : [undefined]);
  });
});

// ---------------------------------------------------------------------------
// A 401 from another origin after a redirect (only fetch and axios follow one)

describe.each(['withAuth', 'axios'])('%s: a 401 from a hop that carried no credentials', (name) => {
  it('is returned: no refresh, no retry', async () => {
    let otherAnswer: Answer = INVALID_TOKEN;
    const stranger = await serve(() => otherAnswer);
    try {
      answer = () => ({ status: 302, headers: { location: `${stranger.origin}/elsewhere` } });
      const status = await (CLIENTS[name] as (c: Credentials) => Call)({ BearerAuth: provider() })();
      expect(status).toBe(401);
      expect(api.seen).toHaveLength(1);
      expect(tokens.issued).toBe(1);
      expect(stranger.seen.map((got) => got.headers.authorization)).toEqual([undefined]);
      otherAnswer = { status: 200 };
    } finally {
      await stranger.close();
    }
  });
});

// ---------------------------------------------------------------------------
// Bodies: replayed byte for byte when they can be, never when they are streams

/** The API refuses the first request of a test (its token was rotated away), then checks tokens. */
const refuseFirst = (): void => {
  answer = (got, n) => (n === 0 ? INVALID_TOKEN : checkToken(got));
};
const bodiesOf = (): string[] => api.seen.map((got) => got.body.toString('latin1'));
const typesOf = (): (string | undefined)[] => api.seen.map((got) => got.headers['content-type']);

describe('withAuth bodies', () => {
  const post = (body: BodyInit | undefined, OAuth: TokenProvider = provider()) =>
    gen.client.withAuth(fetch, { OAuth }, { baseUrl: base() })(`${base()}/scoped`, { method: 'POST', ...(body === undefined ? {} : { body }), ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);

  const form = (): FormData => {
    const data = new FormData();
    data.append('name', 'Rex ünïcode');
    data.append('photo', new Blob([new Uint8Array([0, 1, 2, 255])], { type: 'image/png' }), 'rex.png');
    return data;
  };
  it.each([
    ['a string', () => '{"name":"Rex"}'],
    ['URLSearchParams', () => new URLSearchParams({ name: 'Rex', tag: 'a b&c' })],
    ['FormData', form],
    ['a Blob', () => new Blob(['blob body'], { type: 'application/octet-stream' })],
    ['a Uint8Array', () => new Uint8Array([0, 10, 13, 200, 255])],
  ])('%s is replayed byte-identically', async (_name, make) => {
    refuseFirst();
    expect((await post(make())).status).toBe(200);
    expect(api.seen).toHaveLength(2);
    const [first, second] = bodiesOf();
    expect(first).not.toBe('');
    expect(second).toBe(first);
    expect(typesOf()[1]).toBe(typesOf()[0]);
  });

  it('a ReadableStream body is not retried, though the refused token is dropped for the next call', async () => {
    refuseFirst();
    const OAuth = provider();
    const stream = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode('streamed')), c.close()) });
    expect((await post(stream, OAuth)).status).toBe(401);
    expect(api.seen).toHaveLength(1);
    expect((await post('next', OAuth)).status).toBe(200);
    expect(sentTokens()).toEqual(['tok-1', 'tok-2']);
  });

  it('a Request object with a body is not retried (what it was made from is unknown); without one it is', async () => {
    refuseFirst();
    const f = gen.client.withAuth(fetch, { OAuth: provider() }, { baseUrl: base() });
    expect((await f(new Request(`${base()}/scoped`, { method: 'POST', body: 'x' }))).status).toBe(401);
    expect(api.seen).toHaveLength(1);
    api.seen.length = 0;
    refuseFirst();
    const g = gen.client.withAuth(fetch, { BearerAuth: provider() }, { baseUrl: base() });
    expect((await g(new Request(`${base()}/bearer`))).status).toBe(200);
    expect(api.seen).toHaveLength(2);
  });
});

describe('openapi-fetch bodies', () => {
  const clientWith = (options: Parameters<typeof createClient>[0] = {}) => {
    const client = createClient<paths>({ baseUrl: base(), ...options });
    client.use(gen.openapiFetch.authMiddleware(gen.client.clientAuth, { OAuth: provider() }, { baseUrl: base() }));
    return client;
  };

  it.each([
    ['JSON (the default serializer)', {}, { name: 'Rex', tags: ['a', 'ü'] }],
    ['a form (the default serializer, urlencoded)', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, { name: 'Rex', tag: 'a b&c' }],
    ['FormData', {}, (() => {
      const data = new FormData();
      data.append('name', 'Rex');
      data.append('photo', new Blob([new Uint8Array([0, 1, 255])]), 'rex.bin');
      return data;
    })()],
  ])('%s is replayed byte-identically', async (_name, init, body) => {
    refuseFirst();
    const { response } = await clientWith().POST('/scoped', { body, parseAs: 'text', ...init });
    expect(response.status).toBe(200);
    expect(api.seen).toHaveLength(2);
    const [first, second] = bodiesOf();
    expect(first).not.toBe('');
    expect(second).toBe(first);
    expect(typesOf()[1]).toBe(typesOf()[0]);
  });

  it("a custom bodySerializer's output (here a stream) is not replayed", async () => {
    refuseFirst();
    const client = clientWith({ bodySerializer: (body: unknown) => new Blob([JSON.stringify(body)]).stream() });
    // `duplex` reaches the Request openapi-fetch builds, which a stream body needs.
    const { response } = await client.POST('/scoped', { body: { name: 'Rex' }, parseAs: 'text', duplex: 'half' } as Parameters<typeof client.POST>[1]);
    expect(response.status).toBe(401);
    expect(bodiesOf()).toEqual(['{"name":"Rex"}']);
    // The same serializer's string output is not replayed either: the Request cannot tell the two apart.
    api.seen.length = 0;
    refuseFirst();
    const strings = clientWith({ bodySerializer: (body: unknown) => JSON.stringify(body) });
    expect((await strings.POST('/scoped', { body: { name: 'Rex' }, parseAs: 'text' })).response.status).toBe(401);
    expect(api.seen).toHaveLength(1);
  });
});

describe('axios bodies', () => {
  const instanceWith = () => {
    const instance = axios.create({ baseURL: base(), validateStatus: () => true });
    gen.axios.installAuth(instance, gen.client.clientAuth, { OAuth: provider() }, { baseUrl: base() });
    return instance;
  };

  it.each([
    ['a string', () => 'plain text body'],
    ['URLSearchParams', () => new URLSearchParams({ name: 'Rex', tag: 'a b&c' })],
    ['an object (JSON)', () => ({ name: 'Rex', tags: ['a', 'ü'] })],
    ['a Buffer', () => Buffer.from([0, 10, 13, 200, 255])],
  ])('%s is replayed byte-identically', async (_name, make) => {
    refuseFirst();
    expect((await instanceWith().post('/scoped', make())).status).toBe(200);
    expect(api.seen).toHaveLength(2);
    const [first, second] = bodiesOf();
    expect(first).not.toBe('');
    expect(second).toBe(first);
    expect(typesOf()[1]).toBe(typesOf()[0]);
  });

  it('FormData is replayed part for part (axios draws a new multipart boundary per send)', async () => {
    refuseFirst();
    const data = new FormData();
    data.append('name', 'Rex');
    data.append('photo', new Blob([new Uint8Array([0, 1, 255])]), 'rex.bin');
    expect((await instanceWith().post('/scoped', data)).status).toBe(200);
    const boundaries = typesOf().map((type) => /boundary=(.+)$/.exec(type ?? '')?.[1] ?? 'none');
    const [first, second] = bodiesOf().map((body, i) => body.split(boundaries[i] as string).join('BOUNDARY'));
    expect(first).toContain('Rex');
    expect(second).toBe(first);
  });

  it('a Node Readable stream is not retried', async () => {
    refuseFirst();
    expect((await instanceWith().post('/scoped', Readable.from(['streamed']))).status).toBe(401);
    expect(api.seen).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------
// Against a generated server

type NodeAdapter = typeof import('../../templates/runtime/node.js');
interface GuardModule {
  createGuard(verifiers: Readonly<Record<string, unknown>>, options?: GuardOptions): Guard<string, unknown>;
  readonly independent: unknown;
}

describe('against a generated server (node adapter) whose verifier accepts only the current token', () => {
  let guarded: Server & { readonly verified: string[] };

  beforeAll(async () => {
    const [guardModule, node] = await Promise.all([importGenerated<GuardModule>(gen.dir, 'guard.ts'), importGenerated<NodeAdapter>(gen.dir, 'node.ts')]);
    const refuse = (): null => null;
    const verified: string[] = [];
    const guard = guardModule.createGuard({
      BasicAuth: refuse, CookieKey: refuse, CustomAuth: refuse, DigestAuth: refuse, HeaderKey: refuse, Mtls: refuse,
      OAuth: refuse, Oidc: refuse, QueryKey: refuse, RawAuth: refuse,
      BearerAuth: (token: string) => (verified.push(token), token === tokens.current ? { sub: 'service' } : null),
      'BasicAuth + HeaderKey': guardModule.independent, 'BasicAuth + QueryKey': guardModule.independent, 'BearerAuth + HeaderKey': guardModule.independent,
      'CookieKey + HeaderKey': guardModule.independent, 'CookieKey + HeaderKey + QueryKey': guardModule.independent, 'HeaderKey + Mtls': guardModule.independent,
      'HeaderKey + OAuth': guardModule.independent, 'HeaderKey + QueryKey': guardModule.independent,
    });
    const authenticate = node.nodeAuth(guard);
    const seen: Got[] = [];
    const server = http.createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.alloc(0) });
      void authenticate(req, res).then((auth) => {
        if (auth !== undefined) res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    guarded = {
      origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      seen,
      verified,
      close: () => new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    };
  }, 60_000);
  afterAll(() => guarded.close());
  beforeEach(() => {
    guarded.seen.length = 0;
    guarded.verified.length = 0;
  });

  const guardedBase = (): string => `${guarded.origin}/v1`;
  const calls: Readonly<Record<string, (credentials: Credentials) => () => Promise<number>>> = {
    withAuth: (credentials) => {
      const f = gen.client.withAuth(fetch, credentials, { baseUrl: guardedBase() });
      return async () => (await f(`${guardedBase()}/bearer`)).status;
    },
    'openapi-fetch': (credentials) => {
      const client = createClient<paths>({ baseUrl: guardedBase() });
      client.use(gen.openapiFetch.authMiddleware(gen.client.clientAuth, credentials, { baseUrl: guardedBase() }));
      return async () => (await client.GET('/bearer', { parseAs: 'text' })).response.status;
    },
    axios: (credentials) => {
      const instance = axios.create({ baseURL: guardedBase() });
      gen.axios.installAuth(instance, gen.client.clientAuth, credentials, { baseUrl: guardedBase() });
      return () => statusOf(instance.get('/bearer'));
    },
  };

  it.each(Object.keys(calls))('%s recovers from a server-side rotation with one refresh', async (name) => {
    tokens.delayMs = 30;
    const call = (calls[name] as (c: Credentials) => () => Promise<number>)({ BearerAuth: provider() });
    expect(await call()).toBe(200);
    rotate();
    // The guard's own answer to the stale token: 401 with `Bearer ..., error="invalid_token"`.
    const stale = await fetch(`${guardedBase()}/bearer`, { headers: { Authorization: 'Bearer tok-1' } });
    expect(stale.status).toBe(401);
    expect(stale.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    guarded.verified.length = 0;

    expect(await Promise.all([call(), call(), call(), call()])).toEqual([200, 200, 200, 200]);
    expect(tokens.issued).toBe(2);
    expect(guarded.verified.filter((t) => t === 'tok-1')).toHaveLength(4);
    expect(guarded.verified.filter((t) => t === 'tok-2')).toHaveLength(4);
  });
});
