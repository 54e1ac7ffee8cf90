// End-to-end: the guards generated from specs/petstore.yaml, mounted in every real
// framework (Express 5, Fastify 5, Koa 3, Hono 4 on @hono/node-server, the Fetch
// adapter on @hono/node-server, node:http), on loopback ports, driven by real
// `fetch` requests. One table of cases runs against each adapter in three forms:
// the app-wide middleware, the per-operation form (`requireAuth`), and the app-wide
// middleware with `unknownRoute: 'next'` (layered with `requireAuth` where the
// framework allows it, which also shows a request is verified once). A second part
// runs an HTTPS server with client certificates against specs/petstore-3.1.yaml.
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { serve } from '@hono/node-server';
import express from 'express';
import type { NextFunction, Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from 'express';
import { fastify } from 'fastify';
import { Hono } from 'hono';
import type { Context as HonoContext } from 'hono';
import Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateFixture, importGenerated, TEST_OUTPUT } from '../helpers/generated.js';
import type { AuthSuccess, BindingContext, ClientCertificate, Guard, GuardOptions, VerifyContext } from '../../templates/runtime/runtime-server.js';
import { findRoute, httpsRequest, listen, makePki, rawRequest, whenListening, type RawResponse, type RouteDef, type Running, type TestPki } from './support.js';

// ---------------------------------------------------------------------------
// Types of the generated modules (generated at test time, so typed from templates)
// ---------------------------------------------------------------------------

type RuntimeModule = typeof import('../../templates/runtime/runtime-server.js');
type ExpressAdapter = typeof import('../../templates/runtime/express.js');
type FastifyAdapter = typeof import('../../templates/runtime/fastify.js');
type KoaAdapter = typeof import('../../templates/runtime/koa.js');
type HonoAdapter = typeof import('../../templates/runtime/hono.js');
type FetchAdapter = typeof import('../../templates/runtime/fetch.js');
type NodeAdapter = typeof import('../../templates/runtime/node.js');

/** A verifier, or an AND group's binding check (or the `independent` marker). */
type AnyVerifier = ((credential: never, context: never) => unknown) | RuntimeModule['independent'];
interface GuardModule {
  createGuard(verifiers: Readonly<Record<string, AnyVerifier>>, options?: GuardOptions): Guard<string, unknown>;
  readonly VerifierError: RuntimeModule['VerifierError'];
  readonly GuardError: RuntimeModule['GuardError'];
  readonly independent: RuntimeModule['independent'];
}
type Auth = AuthSuccess<string, unknown>;

// ---------------------------------------------------------------------------
// Test credentials, verifiers and their call log
// ---------------------------------------------------------------------------

/** Every credential value the tests send; none may ever come back in a response. */
const CRED = {
  key: 'key-1-Kq8sW',
  app: 'app-1-Zp3dQ',
  /** An App ID that verifies but belongs to another client than `key`'s. */
  otherApp: 'app-2-Cw7hJ',
  /** An App ID whose binding check throws (the ownership store is unreachable). */
  boomApp: 'app-boom-Dq2nL',
  badKey: 'bad-key-Wm2xR',
  boomKey: 'boom-key-Jr5tY',
  bearer: 'tok-1-Hn4vB',
  badBearer: 'tok-bad-Lc7eE',
  writer: 'oauth-writer-Ty6uI',
  reader: 'oauth-reader-Pb9iO',
  session: 'sess-1-Vf2oP',
  badSession: 'sess-bad-Xa1qA',
  boomSession: 'sess-boom-Ge8wS',
  query: 'qk-1-Rd3sD',
  password: 's3:cr3t-Mu5yF',
  badPassword: 'wrong:pw-Nk4rG',
} as const;

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const BASIC_OK = 'Basic ' + b64(`admin:${CRED.password}`);
const BASIC_BAD = 'Basic ' + b64(`admin:${CRED.badPassword}`);
const SECRETS: readonly string[] = [...Object.values(CRED), b64(`admin:${CRED.password}`), b64(`admin:${CRED.badPassword}`), 'cr3t', 'Mu5yF'];

interface Call {
  readonly credential: unknown;
  readonly operationId: string;
}
/** Verifier calls of the current test, by scheme. */
let calls: Record<string, Call[]> = {};
/** Route handlers that ran in the current test (their route keys). */
let handled: string[] = [];
/** Errors that reached a framework's error path (or the adapter's `onError`). */
let errors: unknown[] = [];

beforeEach(() => {
  calls = {};
  handled = [];
  errors = [];
});

function record(scheme: string, credential: unknown, context: { readonly operationId: string }): void {
  (calls[scheme] ??= []).push({ credential, operationId: context.operationId });
}

/** Which App IDs each API key's client owns. */
const APPS_OF_CLIENT: Readonly<Record<string, readonly string[]>> = { alice: ['web'], dave: ['dave-mobile'] };
const BOUND = 'ApiKey + AppId';

const PETSTORE_VERIFIERS = {
  ApiKey: (key: string, ctx: VerifyContext) => {
    record('ApiKey', key, ctx);
    if (key === CRED.boomKey) throw new Error('key store unreachable');
    return key === CRED.key ? { client: 'alice' } : null;
  },
  AppId: (id: string, ctx: VerifyContext) => (
    record('AppId', id, ctx), id === CRED.app ? { app: 'web' } : id === CRED.otherApp ? { app: 'dave-mobile' } : id === CRED.boomApp ? { app: 'boom' } : false
  ),
  // The pair's binding check: the key's client must own the App ID.
  'ApiKey + AppId': (principals: { readonly ApiKey: { readonly client: string }; readonly AppId: { readonly app: string } }, ctx: BindingContext) => {
    record('ApiKey + AppId', { ApiKey: principals.ApiKey, AppId: principals.AppId }, ctx);
    if (principals.AppId.app === 'boom') throw new Error('ownership store unreachable');
    return APPS_OF_CLIENT[principals.ApiKey.client]?.includes(principals.AppId.app) === true;
  },
  Bearer: async (token: string, ctx: VerifyContext) => (record('Bearer', token, ctx), token === CRED.bearer ? { sub: 'bob' } : null),
  OAuth2: (token: string, ctx: VerifyContext) => {
    record('OAuth2', token, ctx);
    if (token === CRED.writer) return { sub: 'writer', scopes: ['pets:read', 'pets:write'] };
    if (token === CRED.reader) return { sub: 'reader', scopes: ['pets:read'] };
    return undefined;
  },
  Basic: (c: { readonly username: string; readonly password: string }, ctx: VerifyContext) => (
    record('Basic', { username: c.username, password: c.password }, ctx), c.username === 'admin' && c.password === CRED.password ? { user: 'admin' } : null
  ),
  QueryKey: (key: string, ctx: VerifyContext) => (record('QueryKey', key, ctx), key === CRED.query ? { search: true } : null),
  SessionCookie: async (session: string, ctx: VerifyContext) => {
    record('SessionCookie', session, ctx);
    await new Promise((r) => setTimeout(r, 1));
    if (session === CRED.boomSession) throw new Error('session store unreachable');
    return session === CRED.session ? { session: 'carol' } : null;
  },
};
type Scheme = keyof typeof PETSTORE_VERIFIERS;
const SCHEMES = Object.keys(PETSTORE_VERIFIERS) as Scheme[];

// ---------------------------------------------------------------------------
// Routes of the petstore app, and the expected protocol details
// ---------------------------------------------------------------------------

const ROUTES: readonly RouteDef[] = [
  { method: 'GET', path: '/v1/health', op: 'getHealth', key: 'getHealth' },
  { method: 'GET', path: '/v1/pets', op: 'listPets', key: 'listPets' },
  { method: 'POST', path: '/v1/pets', op: 'createPet', key: 'createPet' },
  // Before /v1/pets/:petId: routers that take the first match need the concrete path first.
  { method: 'GET', path: '/v1/pets/mine', op: 'listMyPets', key: 'listMyPets' },
  { method: 'GET', path: '/v1/pets/:petId', op: 'showPetById', key: 'showPetById' },
  { method: 'DELETE', path: '/v1/pets/:petId', op: 'deletePet', key: 'deletePet' },
  { method: 'PUT', path: '/v1/pets/:petId/photo', op: 'put /pets/{petId}/photo', key: 'putPhoto' },
  { method: 'GET', path: '/v1/search', op: 'searchPets', key: 'searchPets' },
  { method: 'GET', path: '/v1/admin/stats', op: 'getAdminStats', key: 'getAdminStats' },
  // Not in the spec: the app-wide middleware answers 404 unless `unknownRoute: 'next'`.
  { method: 'GET', path: '/v1/extra', op: undefined, key: 'extra' },
];

const LOC = {
  ApiKey: { scheme: 'ApiKey', in: 'header', name: 'X-API-Key' },
  AppId: { scheme: 'AppId', in: 'header', name: 'X-App-Id' },
  Bearer: { scheme: 'Bearer', in: 'authorization', name: 'Bearer' },
  OAuth2: { scheme: 'OAuth2', in: 'authorization', name: 'Bearer' },
  Basic: { scheme: 'Basic', in: 'authorization', name: 'Basic' },
  QueryKey: { scheme: 'QueryKey', in: 'query', name: 'api_key' },
  SessionCookie: { scheme: 'SessionCookie', in: 'cookie', name: 'session' },
} as const;

const CH = {
  ApiKey: 'APIKey realm="api", in="header", name="X-API-Key"',
  AppId: 'APIKey realm="api", in="header", name="X-App-Id"',
  Bearer: 'Bearer realm="api"',
  BearerInvalid: 'Bearer realm="api", error="invalid_token"',
  Basic: 'Basic realm="api"',
  Query: 'APIKey realm="api", in="query", name="api_key"',
  Cookie: 'APIKey realm="api", in="cookie", name="session"',
} as const;
const LIST_PETS_CHALLENGE = `${CH.ApiKey}, ${CH.AppId}, ${CH.Bearer}`;
const NONE_SENT = 'This operation requires credentials and none were sent.';
const OTHERS_SENT = 'This operation requires credentials; those sent are not ones it accepts.';
const NOT_ACCEPTED = 'The credentials sent were not accepted for this operation.';

/**
 * One entry of a 401's `alternatives`: a requirement object of the operation's
 * `security` array, by its index as written (`{}` counted, never listed), with where
 * its credentials go, which were missing and which were not accepted.
 */
const alt = (index: number, schemes: readonly object[], missing: readonly object[], invalid: readonly object[]) => ({ index, schemes, missing, invalid });
const PAIR = [LOC.ApiKey, LOC.AppId];

const unauthorized = (detail: string, parts: { missing?: readonly object[]; invalid?: readonly object[]; invalidGroups?: readonly string[]; alternatives: readonly object[] }) => ({
  type: 'about:blank',
  title: 'Unauthorized',
  status: 401,
  detail,
  ...parts,
});
const forbidden = (scopes: readonly string[]) => ({
  type: 'about:blank',
  title: 'Forbidden',
  status: 403,
  detail: 'The credentials are valid but do not grant the scopes this operation requires.',
  requiredScopes: scopes,
});
const NOT_FOUND_PROBLEM = { type: 'about:blank', title: 'Not Found', status: 404, detail: 'No operation matches this method and path.' };
const VERIFIER_ERROR_PROBLEM = { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'The credentials could not be checked.' };

const ok = (operationId: string, alternative: number, principals: Record<string, unknown>) => ({ ok: true, operationId, alternative, anonymous: false, principals });
/** `alternative`: the index of `{}` as written, or -1 for a public operation. */
const anonymous = (operationId: string, alternative: number) => ({ ok: true, operationId, alternative, anonymous: true, principals: {} });

// ---------------------------------------------------------------------------
// The case table
// ---------------------------------------------------------------------------

type Mode = 'app' | 'route' | 'next';
const MODES: readonly Mode[] = ['app', 'route', 'next'];

type Outcome =
  /** The handler ran, and saw this auth (`null`: none, as for a route outside the spec). */
  | { readonly kind: 'pass'; readonly route: string; readonly auth: object | null }
  /** The guard answered with a problem (+ a challenge on 401/403; none on 404). */
  | { readonly kind: 'problem'; readonly status: 401 | 403 | 404; readonly challenge?: string; readonly body: object }
  /** Something other than the guard answered (the framework's own 404). */
  | { readonly kind: 'status'; readonly status: number }
  /** A verifier (or, with `binding`, a binding check) threw: the framework's error path answered 500. */
  | { readonly kind: 'error'; readonly scheme: Scheme; readonly operationId: string; readonly binding?: true };

interface Case {
  readonly name: string;
  readonly method?: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** One header sent as repeated lines (node:http instead of fetch, which would merge them). */
  readonly repeated?: { readonly header: string; readonly values: string[]; readonly scheme: Scheme };
  readonly expect: Outcome;
  readonly byMode?: Partial<Record<Mode, Outcome>>;
  /** Exact verifier call counts; a scheme not listed must not have been called. */
  readonly calls: Partial<Record<Scheme, number>>;
  /** The exact credentials the verifiers received. */
  readonly received?: Partial<Record<Scheme, readonly unknown[]>>;
}

const pair = { 'x-api-key': CRED.key, 'x-app-id': CRED.app };

const CASES: readonly Case[] = [
  {
    name: 'API key + App ID pair → 200 with both principals',
    path: '/v1/pets',
    headers: pair,
    expect: { kind: 'pass', route: 'listPets', auth: ok('listPets', 0, { ApiKey: { client: 'alice' }, AppId: { app: 'web' } }) },
    calls: { ApiKey: 1, AppId: 1, [BOUND]: 1 },
    received: { ApiKey: [CRED.key], AppId: [CRED.app], [BOUND]: [{ ApiKey: { client: 'alice' }, AppId: { app: 'web' } }] },
  },
  {
    name: "a valid key with another client's App ID → 401 naming the group and both members",
    path: '/v1/pets',
    headers: { 'x-api-key': CRED.key, 'x-app-id': CRED.otherApp },
    expect: {
      kind: 'problem',
      status: 401,
      challenge: LIST_PETS_CHALLENGE,
      body: unauthorized(NOT_ACCEPTED, { missing: [LOC.Bearer], invalid: [LOC.ApiKey, LOC.AppId], invalidGroups: [BOUND], alternatives: [alt(0, PAIR, [], PAIR), alt(1, [LOC.Bearer], [LOC.Bearer], [])] }),
    },
    calls: { ApiKey: 1, AppId: 1, [BOUND]: 1 },
  },
  {
    name: 'a key pair that does not belong together + good bearer → the bearer alternative',
    path: '/v1/pets',
    headers: { 'x-api-key': CRED.key, 'x-app-id': CRED.otherApp, authorization: `Bearer ${CRED.bearer}` },
    expect: { kind: 'pass', route: 'listPets', auth: ok('listPets', 1, { Bearer: { sub: 'bob' } }) },
    calls: { ApiKey: 1, AppId: 1, [BOUND]: 1, Bearer: 1 },
  },
  {
    name: 'API key alone → 401 naming the missing X-App-Id',
    path: '/v1/pets',
    headers: { 'x-api-key': CRED.key },
    expect: { kind: 'problem', status: 401, challenge: LIST_PETS_CHALLENGE, body: unauthorized(NOT_ACCEPTED, { missing: [LOC.AppId, LOC.Bearer], alternatives: [alt(0, PAIR, [LOC.AppId], []), alt(1, [LOC.Bearer], [LOC.Bearer], [])] }) },
    calls: {},
  },
  {
    name: 'App ID alone → 401 naming the missing X-API-Key',
    path: '/v1/pets',
    headers: { 'x-app-id': CRED.app },
    expect: { kind: 'problem', status: 401, challenge: LIST_PETS_CHALLENGE, body: unauthorized(NOT_ACCEPTED, { missing: [LOC.ApiKey, LOC.Bearer], alternatives: [alt(0, PAIR, [LOC.ApiKey], []), alt(1, [LOC.Bearer], [LOC.Bearer], [])] }) },
    calls: {},
  },
  {
    name: 'no credential → 401 with every challenge',
    path: '/v1/pets',
    expect: { kind: 'problem', status: 401, challenge: LIST_PETS_CHALLENGE, body: unauthorized(NONE_SENT, { missing: [LOC.ApiKey, LOC.AppId, LOC.Bearer], alternatives: [alt(0, PAIR, PAIR, []), alt(1, [LOC.Bearer], [LOC.Bearer], [])] }) },
    calls: {},
  },
  {
    name: 'bearer token → 200 through the second alternative',
    path: '/v1/pets',
    headers: { authorization: `Bearer ${CRED.bearer}` },
    expect: { kind: 'pass', route: 'listPets', auth: ok('listPets', 1, { Bearer: { sub: 'bob' } }) },
    calls: { Bearer: 1 },
    received: { Bearer: [CRED.bearer] },
  },
  {
    name: 'both alternatives sent → the first in spec order wins, bearer never verified',
    path: '/v1/pets',
    headers: { ...pair, authorization: `Bearer ${CRED.bearer}` },
    expect: { kind: 'pass', route: 'listPets', auth: ok('listPets', 0, { ApiKey: { client: 'alice' }, AppId: { app: 'web' } }) },
    calls: { ApiKey: 1, AppId: 1, [BOUND]: 1 },
  },
  {
    name: 'bad API key + good bearer → the bearer alternative, App ID not verified',
    path: '/v1/pets',
    headers: { 'x-api-key': CRED.badKey, 'x-app-id': CRED.app, authorization: `Bearer ${CRED.bearer}` },
    expect: { kind: 'pass', route: 'listPets', auth: ok('listPets', 1, { Bearer: { sub: 'bob' } }) },
    calls: { ApiKey: 1, Bearer: 1 },
  },
  {
    name: 'rejected bearer token → 401 with error="invalid_token"',
    path: '/v1/pets',
    headers: { authorization: `Bearer ${CRED.badBearer}` },
    expect: {
      kind: 'problem',
      status: 401,
      challenge: `${CH.ApiKey}, ${CH.AppId}, ${CH.BearerInvalid}`,
      body: unauthorized(NOT_ACCEPTED, { missing: [LOC.ApiKey, LOC.AppId], invalid: [LOC.Bearer], alternatives: [alt(0, PAIR, PAIR, []), alt(1, [LOC.Bearer], [], [LOC.Bearer])] }),
    },
    calls: { Bearer: 1 },
  },
  {
    name: 'the same API key header twice → 401, never a choice of one',
    path: '/v1/pets',
    headers: { 'x-app-id': CRED.app },
    repeated: { header: 'x-api-key', values: [CRED.key, CRED.key], scheme: 'ApiKey' },
    // Node-based adapters see two values (headersDistinct) and call no verifier; Fetch
    // `Headers` join them into `a, b`, which the verifier rejects. Either way: refused,
    // and the pair was sent, so it is reported as a whole.
    expect: {
      kind: 'problem',
      status: 401,
      challenge: LIST_PETS_CHALLENGE,
      body: unauthorized(NOT_ACCEPTED, { missing: [LOC.Bearer], invalid: [LOC.ApiKey, LOC.AppId], invalidGroups: [BOUND], alternatives: [alt(0, PAIR, [], PAIR), alt(1, [LOC.Bearer], [LOC.Bearer], [])] }),
    },
    calls: {},
  },
  {
    name: 'the same query key twice → 401 invalid, nothing verified',
    path: `/v1/search?api_key=${CRED.query}&api_key=${CRED.query}`,
    expect: { kind: 'problem', status: 401, challenge: CH.Query, body: unauthorized(NOT_ACCEPTED, { invalid: [LOC.QueryKey], alternatives: [alt(0, [LOC.QueryKey], [], [LOC.QueryKey])] }) },
    calls: {},
  },
  {
    name: 'the same cookie twice → 401 invalid, nothing verified',
    path: '/v1/pets/mine',
    headers: { cookie: `session=${CRED.session}; theme=dark; session=${CRED.session}` },
    expect: { kind: 'problem', status: 401, challenge: CH.Cookie, body: unauthorized(NOT_ACCEPTED, { invalid: [LOC.SessionCookie], alternatives: [alt(0, [LOC.SessionCookie], [], [LOC.SessionCookie])] }) },
    calls: {},
  },
  // showPetById is written `[{}, { ApiKey, AppId }, { Bearer }]`: anonymous 0, pair 1, bearer 2.
  {
    name: 'optional operation without a credential → 200 anonymous',
    path: '/v1/pets/p1',
    expect: { kind: 'pass', route: 'showPetById', auth: anonymous('showPetById', 0) },
    calls: {},
  },
  {
    name: 'optional operation with a bad key → 401, never downgraded to anonymous',
    path: '/v1/pets/p1',
    headers: { 'x-api-key': CRED.badKey, 'x-app-id': CRED.app },
    // The pair was sent and failed as a whole: both members listed, the group named.
    expect: {
      kind: 'problem',
      status: 401,
      challenge: LIST_PETS_CHALLENGE,
      body: unauthorized(NOT_ACCEPTED, { missing: [LOC.Bearer], invalid: [LOC.ApiKey, LOC.AppId], invalidGroups: [BOUND], alternatives: [alt(1, PAIR, [], PAIR), alt(2, [LOC.Bearer], [LOC.Bearer], [])] }),
    },
    calls: { ApiKey: 1 },
  },
  {
    name: 'optional operation with the key pair → identified through alternative 1',
    path: '/v1/pets/p1',
    headers: pair,
    expect: { kind: 'pass', route: 'showPetById', auth: ok('showPetById', 1, { ApiKey: { client: 'alice' }, AppId: { app: 'web' } }) },
    calls: { ApiKey: 1, AppId: 1, [BOUND]: 1 },
  },
  {
    name: 'optional operation with half of the key pair → 401, nothing verified',
    path: '/v1/pets/p1',
    headers: { 'x-app-id': CRED.app },
    expect: { kind: 'problem', status: 401, challenge: LIST_PETS_CHALLENGE, body: unauthorized(NOT_ACCEPTED, { missing: [LOC.ApiKey, LOC.Bearer], alternatives: [alt(1, PAIR, [LOC.ApiKey], []), alt(2, [LOC.Bearer], [LOC.Bearer], [])] }) },
    calls: {},
  },
  {
    name: 'optional operation with a valid bearer → identified',
    path: '/v1/pets/p1',
    headers: { authorization: `Bearer ${CRED.bearer}` },
    expect: { kind: 'pass', route: 'showPetById', auth: ok('showPetById', 2, { Bearer: { sub: 'bob' } }) },
    calls: { Bearer: 1 },
  },
  {
    name: 'public operation → 200 anonymous',
    path: '/v1/health',
    expect: { kind: 'pass', route: 'getHealth', auth: anonymous('getHealth', -1) },
    calls: {},
  },
  {
    name: 'public operation ignores credentials and verifies nothing',
    path: '/v1/health',
    headers: { 'x-api-key': CRED.badKey, authorization: `Bearer ${CRED.badBearer}` },
    expect: { kind: 'pass', route: 'getHealth', auth: anonymous('getHealth', -1) },
    calls: {},
  },
  {
    name: 'OAuth2 token without pets:write → 403 insufficient_scope',
    method: 'POST',
    path: '/v1/pets',
    headers: { authorization: `Bearer ${CRED.reader}` },
    expect: { kind: 'problem', status: 403, challenge: 'Bearer realm="api", error="insufficient_scope", scope="pets:write"', body: forbidden(['pets:write']) },
    calls: { OAuth2: 1 },
    received: { OAuth2: [CRED.reader] },
  },
  {
    name: 'OAuth2 token with pets:write → 200',
    method: 'POST',
    path: '/v1/pets',
    headers: { authorization: `Bearer ${CRED.writer}` },
    expect: { kind: 'pass', route: 'createPet', auth: ok('createPet', 0, { OAuth2: { sub: 'writer', scopes: ['pets:read', 'pets:write'] } }) },
    calls: { OAuth2: 1 },
  },
  {
    name: 'scope missing on the first alternative, key pair satisfies the second → 200',
    method: 'POST',
    path: '/v1/pets',
    headers: { ...pair, authorization: `Bearer ${CRED.reader}` },
    expect: { kind: 'pass', route: 'createPet', auth: ok('createPet', 1, { ApiKey: { client: 'alice' }, AppId: { app: 'web' } }) },
    calls: { OAuth2: 1, ApiKey: 1, AppId: 1, [BOUND]: 1 },
  },
  {
    name: 'session cookie among other cookies → 200',
    path: '/v1/pets/mine',
    headers: { cookie: `theme=dark; session=${CRED.session}; lang=en` },
    expect: { kind: 'pass', route: 'listMyPets', auth: ok('listMyPets', 0, { SessionCookie: { session: 'carol' } }) },
    calls: { SessionCookie: 1 },
    received: { SessionCookie: [CRED.session] },
  },
  {
    name: 'rejected session cookie → 401',
    path: '/v1/pets/mine',
    headers: { cookie: `session=${CRED.badSession}` },
    expect: { kind: 'problem', status: 401, challenge: CH.Cookie, body: unauthorized(NOT_ACCEPTED, { invalid: [LOC.SessionCookie], alternatives: [alt(0, [LOC.SessionCookie], [], [LOC.SessionCookie])] }) },
    calls: { SessionCookie: 1 },
  },
  {
    name: '/pets/mine is listMyPets (cookie), not the optional /pets/{petId}: the key pair is not what it accepts',
    path: '/v1/pets/mine',
    headers: pair,
    expect: { kind: 'problem', status: 401, challenge: CH.Cookie, body: unauthorized(OTHERS_SENT, { missing: [LOC.SessionCookie], alternatives: [alt(0, [LOC.SessionCookie], [LOC.SessionCookie], [])] }) },
    calls: {},
  },
  {
    name: 'API key in the query string → 200',
    path: `/v1/search?q=cat&api_key=${CRED.query}`,
    expect: { kind: 'pass', route: 'searchPets', auth: ok('searchPets', 0, { QueryKey: { search: true } }) },
    calls: { QueryKey: 1 },
    received: { QueryKey: [CRED.query] },
  },
  {
    name: 'query key names are exact: API_KEY is not api_key',
    path: `/v1/search?API_KEY=${CRED.query}`,
    expect: { kind: 'problem', status: 401, challenge: CH.Query, body: unauthorized(NONE_SENT, { missing: [LOC.QueryKey], alternatives: [alt(0, [LOC.QueryKey], [LOC.QueryKey], [])] }) },
    calls: {},
  },
  {
    name: 'a bearer token where only the query key is accepted → 401 saying the credentials sent are not ones it accepts',
    path: '/v1/search?q=cat',
    headers: { authorization: `Bearer ${CRED.bearer}` },
    expect: { kind: 'problem', status: 401, challenge: CH.Query, body: unauthorized(OTHERS_SENT, { missing: [LOC.QueryKey], alternatives: [alt(0, [LOC.QueryKey], [LOC.QueryKey], [])] }) },
    calls: {},
  },
  {
    name: 'Basic with a colon in the password → the verifier receives the whole password',
    path: '/v1/admin/stats',
    headers: { authorization: BASIC_OK },
    expect: { kind: 'pass', route: 'getAdminStats', auth: ok('getAdminStats', 0, { Basic: { user: 'admin' } }) },
    calls: { Basic: 1 },
    received: { Basic: [{ username: 'admin', password: CRED.password }] },
  },
  {
    name: 'Basic with a wrong password → 401',
    path: '/v1/admin/stats',
    headers: { authorization: BASIC_BAD },
    expect: { kind: 'problem', status: 401, challenge: CH.Basic, body: unauthorized(NOT_ACCEPTED, { invalid: [LOC.Basic], alternatives: [alt(0, [LOC.Basic], [], [LOC.Basic])] }) },
    calls: { Basic: 1 },
    received: { Basic: [{ username: 'admin', password: CRED.badPassword }] },
  },
  {
    name: 'deletePet with Basic → second alternative, OAuth2 not called',
    method: 'DELETE',
    path: '/v1/pets/p1',
    headers: { authorization: BASIC_OK },
    expect: { kind: 'pass', route: 'deletePet', auth: ok('deletePet', 1, { Basic: { user: 'admin' } }) },
    calls: { Basic: 1 },
  },
  {
    name: 'deletePet with a token lacking pets:write → 403',
    method: 'DELETE',
    path: '/v1/pets/p1',
    headers: { authorization: `Bearer ${CRED.reader}` },
    expect: { kind: 'problem', status: 403, challenge: 'Bearer realm="api", error="insufficient_scope", scope="pets:write"', body: forbidden(['pets:write']) },
    calls: { OAuth2: 1 },
  },
  {
    name: 'operation without operationId is "put /pets/{petId}/photo"',
    method: 'PUT',
    path: '/v1/pets/p1/photo',
    headers: { authorization: `Bearer ${CRED.bearer}` },
    expect: { kind: 'pass', route: 'putPhoto', auth: ok('put /pets/{petId}/photo', 1, { Bearer: { sub: 'bob' } }) },
    calls: { Bearer: 1 },
  },
  {
    name: 'a throwing verifier → 500 through the error path; the handler does not run',
    path: '/v1/pets',
    headers: { 'x-api-key': CRED.boomKey, 'x-app-id': CRED.app },
    expect: { kind: 'error', scheme: 'ApiKey', operationId: 'listPets' },
    calls: { ApiKey: 1 },
  },
  {
    name: 'a throwing binding check → 500 through the error path; the handler does not run',
    path: '/v1/pets',
    headers: { 'x-api-key': CRED.key, 'x-app-id': CRED.boomApp },
    expect: { kind: 'error', scheme: BOUND, operationId: 'listPets', binding: true },
    calls: { ApiKey: 1, AppId: 1, [BOUND]: 1 },
  },
  {
    name: 'a rejecting async verifier → 500 through the error path; the handler does not run',
    path: '/v1/pets/mine',
    headers: { cookie: `session=${CRED.boomSession}` },
    expect: { kind: 'error', scheme: 'SessionCookie', operationId: 'listMyPets' },
    calls: { SessionCookie: 1 },
  },
  {
    name: 'route the spec does not know → 404 problem (passes with unknownRoute "next")',
    path: '/v1/extra',
    headers: pair,
    expect: { kind: 'problem', status: 404, body: NOT_FOUND_PROBLEM },
    byMode: { route: { kind: 'pass', route: 'extra', auth: null }, next: { kind: 'pass', route: 'extra', auth: null } },
    calls: {},
  },
  {
    name: 'path outside the base path → 404 (a problem from the app-wide middleware)',
    path: '/pets',
    headers: pair,
    expect: { kind: 'problem', status: 404, body: NOT_FOUND_PROBLEM },
    byMode: { route: { kind: 'status', status: 404 }, next: { kind: 'status', status: 404 } },
    calls: {},
  },
];

// ---------------------------------------------------------------------------
// Adapters: one app per adapter and mode, all serving ROUTES
// ---------------------------------------------------------------------------

interface AdapterDef {
  readonly name: string;
  start(mode: Mode): Promise<Running>;
  /** What the client gets when a verifier throws (the framework's error path). */
  readonly errorAnswer: { readonly contentType: string; readonly body: unknown };
  /**
   * What reaches the error path: a framework's gets a `GuardError` wrapping the
   * `VerifierError`; the Fetch and node:http adapters' `onError` (a log hook, the
   * client gets the 500 problem) the `VerifierError` itself.
   */
  readonly errorPath: 'framework' | 'onError';
}

let dir = '';
let guard: Guard<string, unknown>;
let guardModule: GuardModule;

const payload = (route: RouteDef, auth: unknown) => ({ route: route.key, auth: auth ?? null });

const frameworkError = (name: string) => ({ contentType: 'application/json', body: { errorPath: name, error: 'GuardError' } });

const ADAPTERS: readonly AdapterDef[] = [
  {
    name: 'express',
    errorAnswer: frameworkError('express'),
    errorPath: 'framework',
    async start(mode) {
      const m = await importGenerated<ExpressAdapter>(dir, 'express.ts');
      const app = express();
      if (mode === 'app') app.use(m.authMiddleware(guard));
      if (mode === 'next') app.use(m.authMiddleware(guard, { unknownRoute: 'next' }));
      for (const route of ROUTES) {
        const chain: RequestHandler[] = [];
        if (mode !== 'app' && route.op !== undefined) chain.push(m.requireAuth(guard, route.op));
        chain.push((req, res) => {
          handled.push(route.key);
          // Kept off `req.auth` (another library's property, express-oauth2-jwt-bearer's).
          expect((req as { auth?: unknown }).auth).toBeUndefined();
          res.json(payload(route, m.authOf(req, guard)));
        });
        app.route(route.path)[route.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete'](...chain);
      }
      app.use((err: unknown, _req: ExpressRequest, res: ExpressResponse, _next: NextFunction) => {
        errors.push(err);
        res.status(500).json({ errorPath: 'express', error: (err as Error).name });
      });
      return listen(http.createServer(app));
    },
  },
  {
    name: 'fastify',
    errorAnswer: frameworkError('fastify'),
    errorPath: 'framework',
    async start(mode) {
      const m = await importGenerated<FastifyAdapter>(dir, 'fastify.ts');
      const app = fastify();
      if (mode === 'app') app.addHook('onRequest', m.authHook(guard));
      if (mode === 'next') app.addHook('onRequest', m.authHook(guard, { unknownRoute: 'next' }));
      app.setErrorHandler((err, _request, reply) => {
        errors.push(err);
        return reply.code(500).send({ errorPath: 'fastify', error: (err as Error).name });
      });
      for (const route of ROUTES) {
        app.route({
          method: route.method as 'GET',
          url: route.path,
          ...(mode !== 'app' && route.op !== undefined ? { onRequest: m.requireAuth(guard, route.op) } : {}),
          handler: async (request) => {
            handled.push(route.key);
            expect(m.authOf(request, guard)).toBe(request.auth);
            return payload(route, request.auth);
          },
        });
      }
      await app.listen({ port: 0, host: '127.0.0.1' });
      const running = await whenListening(app.server);
      return { ...running, close: () => app.close() };
    },
  },
  {
    name: 'koa',
    // Koa's own error path: `ctx.onerror` answers 500 and emits `error` on the app.
    errorAnswer: { contentType: 'text/plain', body: 'Internal Server Error' },
    errorPath: 'framework',
    async start(mode) {
      const m = await importGenerated<KoaAdapter>(dir, 'koa.ts');
      const app = new Koa();
      app.on('error', (err: unknown) => errors.push(err));
      if (mode === 'app') app.use(m.authMiddleware(guard));
      if (mode === 'next') app.use(m.authMiddleware(guard, { unknownRoute: 'next' }));
      // A stand-in router (no @koa/router here); per-operation: requireAuth before the handler.
      app.use(async (ctx, next) => {
        const route = findRoute(ROUTES, ctx.method, ctx.url);
        if (route === undefined) return next();
        const handler = async (): Promise<void> => {
          handled.push(route.key);
          expect(m.authOf(ctx, guard)).toBe(ctx.state.auth);
          ctx.body = payload(route, ctx.state.auth);
        };
        if (mode !== 'app' && route.op !== undefined) await m.requireAuth(guard, route.op)(ctx, handler);
        else await handler();
      });
      return listen(http.createServer(app.callback()));
    },
  },
  {
    name: 'hono',
    errorAnswer: frameworkError('hono'),
    errorPath: 'framework',
    async start(mode) {
      const m = await importGenerated<HonoAdapter>(dir, 'hono.ts');
      type Env = { Variables: { auth: Auth | undefined } };
      const app = new Hono<Env>();
      app.onError((err, c) => {
        errors.push(err);
        return c.json({ errorPath: 'hono', error: err.name }, 500);
      });
      if (mode === 'app') app.use(m.authMiddleware(guard));
      if (mode === 'next') app.use(m.authMiddleware(guard, { unknownRoute: 'next' }));
      for (const route of ROUTES) {
        const handler = (c: HonoContext<Env>): Response => {
          handled.push(route.key);
          expect(m.authOf(c, guard)).toBe(c.get('auth'));
          return c.body(JSON.stringify(payload(route, c.get('auth'))), 200, { 'content-type': 'application/json' });
        };
        if (mode !== 'app' && route.op !== undefined) app.on(route.method, route.path, m.requireAuth(guard, route.op), handler);
        else app.on(route.method, route.path, handler);
      }
      return whenListening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server);
    },
  },
  {
    name: 'fetch',
    errorAnswer: { contentType: 'application/problem+json', body: VERIFIER_ERROR_PROBLEM },
    errorPath: 'onError',
    async start(mode) {
      const m = await importGenerated<FetchAdapter>(dir, 'fetch.ts');
      const onError = (err: unknown): void => void errors.push(err);
      const authenticate = m.fetchAuth(guard, { onError, ...(mode === 'next' ? { unknownRoute: 'next' as const } : {}) });
      const handler = async (request: Request): Promise<Response> => {
        let auth: Auth | undefined;
        if (mode !== 'route') {
          const result = await authenticate(request);
          if (result instanceof Response) return result;
          auth = result;
        }
        const route = findRoute(ROUTES, request.method, new URL(request.url).pathname);
        if (route === undefined) return new Response('no such route', { status: 404 });
        if (mode === 'route' && route.op !== undefined) {
          const result = await m.requireAuth(guard, route.op, { onError })(request);
          if (result instanceof Response) return result;
          auth = result;
        }
        handled.push(route.key);
        return new Response(JSON.stringify(payload(route, auth)), { status: 200, headers: { 'content-type': 'application/json' } });
      };
      // @hono/node-server turns node's request into a standard Request and back.
      return whenListening(serve({ fetch: handler, port: 0, hostname: '127.0.0.1' }) as Server);
    },
  },
  {
    name: 'node',
    errorAnswer: { contentType: 'application/problem+json', body: VERIFIER_ERROR_PROBLEM },
    errorPath: 'onError',
    async start(mode) {
      const m = await importGenerated<NodeAdapter>(dir, 'node.ts');
      const onError = (err: unknown): void => void errors.push(err);
      const authenticate = m.nodeAuth(guard, { onError, ...(mode === 'next' ? { unknownRoute: 'next' as const } : {}) });
      const serveRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
        let auth: Auth | null | undefined = null;
        if (mode !== 'route') {
          auth = await authenticate(req, res);
          if (auth === undefined) return; // answered
        }
        const route = findRoute(ROUTES, req.method, req.url);
        if (route === undefined) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('no such route');
          return;
        }
        if (mode === 'route' && route.op !== undefined) {
          auth = await m.requireAuth(guard, route.op, { onError })(req, res);
          if (auth === undefined) return;
        }
        handled.push(route.key);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload(route, auth)));
      };
      return listen(http.createServer((req, res) => void serveRequest(req, res)));
    },
  },
];

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly challenge: string | undefined;
  readonly text: string;
  readonly headerText: string;
}

async function send(origin: string, c: Case): Promise<Answer> {
  const method = c.method ?? 'GET';
  if (c.repeated !== undefined) {
    const r: RawResponse = await rawRequest(origin, method, c.path, { ...c.headers, [c.repeated.header]: c.repeated.values });
    const header = (name: string): string | undefined => {
      const v = r.headers[name];
      return Array.isArray(v) ? v.join(', ') : v;
    };
    return {
      status: r.status,
      contentType: header('content-type') ?? '',
      challenge: header('www-authenticate'),
      text: r.body,
      headerText: JSON.stringify(r.headers),
    };
  }
  const res = await fetch(origin + c.path, { method, headers: { ...c.headers }, redirect: 'manual' });
  const text = await res.text();
  const headers: Record<string, string> = {};
  res.headers.forEach((value, key) => (headers[key] = value));
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', challenge: res.headers.get('www-authenticate') ?? undefined, text, headerText: JSON.stringify(headers) };
}

const mediaType = (contentType: string): string => (contentType.split(';')[0] ?? '').trim().toLowerCase();

function checkAnswer(adapter: AdapterDef, c: Case, outcome: Outcome, answer: Answer): void {
  // No credential value ever comes back, in the body or in a header.
  for (const secret of SECRETS) {
    expect(answer.text, `response body leaks ${secret}`).not.toContain(secret);
    expect(answer.headerText, `response headers leak ${secret}`).not.toContain(secret);
  }
  switch (outcome.kind) {
    case 'pass':
      expect(answer.status, answer.text).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ route: outcome.route, auth: outcome.auth });
      expect(handled).toEqual([outcome.route]);
      expect(answer.challenge).toBeUndefined();
      break;
    case 'problem':
      expect(answer.status, answer.text).toBe(outcome.status);
      expect(mediaType(answer.contentType)).toBe('application/problem+json');
      expect(JSON.parse(answer.text)).toEqual(outcome.body);
      expect(answer.challenge).toBe(outcome.challenge);
      expect(handled).toEqual([]);
      break;
    case 'status':
      expect(answer.status).toBe(outcome.status);
      expect(mediaType(answer.contentType)).not.toBe('application/problem+json');
      expect(handled).toEqual([]);
      break;
    case 'error': {
      expect(answer.status, answer.text).toBe(500);
      expect(mediaType(answer.contentType)).toBe(adapter.errorAnswer.contentType);
      const body = adapter.errorAnswer.contentType.includes('json') ? JSON.parse(answer.text) : answer.text;
      expect(body).toEqual(adapter.errorAnswer.body);
      expect(handled).toEqual([]);
      // The client learns nothing about which scheme or operation failed.
      expect(answer.text).not.toContain(outcome.scheme);
      expect(answer.text).not.toContain(outcome.operationId);
      expect(errors).toHaveLength(1);
      const error = errors[0];
      const names = { scheme: outcome.scheme, operationId: outcome.operationId, binding: outcome.binding === true };
      let verifierError = error;
      if (adapter.errorPath === 'framework') {
        expect(error).toBeInstanceOf(guardModule.GuardError);
        expect(error).toMatchObject({ name: 'GuardError', message: 'The credentials could not be checked.', status: 500, statusCode: 500, expose: false, problem: VERIFIER_ERROR_PROBLEM, ...names });
        verifierError = (error as Error).cause;
      }
      expect(verifierError).toBeInstanceOf(guardModule.VerifierError);
      expect(verifierError).toMatchObject(names);
      for (const secret of SECRETS) expect(String((error as Error).message) + String((verifierError as Error).message)).not.toContain(secret);
      break;
    }
  }
  if (outcome.kind !== 'error') expect(errors).toEqual([]);
}

function checkCalls(c: Case, operationId: string | undefined, _adapterName: string): void {
  for (const scheme of SCHEMES) {
    const seen = calls[scheme] ?? [];
    if (c.repeated?.scheme === scheme) {
      // Invalid before any verifier: the node-based adapters (Hono on @hono/node-server
      // too) read rawHeaders, which keeps both lines; a Fetch `Headers` joins them
      // (`a, b`), and an API key with a comma read from one counts as repeated.
      continue;
    }
    expect(seen.length, `${scheme} verifier calls`).toBe(c.calls[scheme] ?? 0);
    // Each verifier saw the operation the route belongs to.
    for (const call of seen) expect(call.operationId).toBe(operationId);
  }
  for (const [scheme, received] of Object.entries(c.received ?? {})) {
    expect((calls[scheme] ?? []).map((call) => call.credential)).toEqual(received);
  }
}

// ---------------------------------------------------------------------------
// Part 1: the case table against every adapter and form
// ---------------------------------------------------------------------------

beforeAll(async () => {
  dir = await generateFixture('specs/petstore.yaml', 'e2e-servers');
  guardModule = await importGenerated<GuardModule>(dir, 'guard.ts');
  guard = guardModule.createGuard(PETSTORE_VERIFIERS);
});

describe.each(ADAPTERS)('$name adapter', (adapter) => {
  describe.each(MODES)('%s form', (mode) => {
    let server: Running | undefined;
    beforeAll(async () => {
      server = await adapter.start(mode);
    });
    afterAll(async () => {
      await server?.close();
    });

    it.each(CASES)('$name', async (c) => {
      if (server === undefined) throw new Error('server did not start');
      const outcome = c.byMode?.[mode] ?? c.expect;
      const answer = await send(server.origin, c);
      checkAnswer(adapter, c, outcome, answer);
      const route = findRoute(ROUTES, c.method ?? 'GET', c.path);
      checkCalls(c, route?.op, adapter.name);
    });
  });
});

// ---------------------------------------------------------------------------
// Part 1b: each framework's own default error handler, when a verifier throws
// ---------------------------------------------------------------------------

describe("the frameworks' default error handlers name no scheme and no operation", () => {
  /** A throwing verifier (ApiKey) and a throwing binding check, both on listPets. */
  const FAILURES = [
    { name: 'a throwing verifier', headers: { 'x-api-key': CRED.boomKey, 'x-app-id': CRED.app }, scheme: 'ApiKey' },
    { name: 'a throwing binding check', headers: { 'x-api-key': CRED.key, 'x-app-id': CRED.boomApp }, scheme: BOUND },
  ] as const;
  /** Words that would tell the client which check failed where. */
  const NAMES = ['ApiKey', 'AppId', 'listPets', 'VerifierError', 'unreachable'];

  interface DefaultApp {
    readonly name: string;
    start(): Promise<Running>;
    /** The default handler's answer: status 500 and this media type and body. */
    readonly contentType: string;
    readonly body: (text: string) => void;
  }
  const DEFAULT_APPS: readonly DefaultApp[] = [
    {
      name: 'express (development: finalhandler shows the stack)',
      async start() {
        const m = await importGenerated<ExpressAdapter>(dir, 'express.ts');
        const app = express();
        app.set('env', 'development');
        app.get('/v1/pets', m.requireAuth(guard, 'listPets'), (_req, res) => void res.send('handled'));
        return listen(http.createServer(app));
      },
      contentType: 'text/html',
      body: (text) => expect(text).toContain('GuardError: The credentials could not be checked.'),
    },
    {
      name: 'express (production)',
      async start() {
        const m = await importGenerated<ExpressAdapter>(dir, 'express.ts');
        const app = express();
        app.set('env', 'production');
        app.use(m.authMiddleware(guard));
        app.get('/v1/pets', (_req, res) => void res.send('handled'));
        return listen(http.createServer(app));
      },
      contentType: 'text/html',
      body: (text) => expect(text).toContain('<pre>Internal Server Error</pre>'),
    },
    {
      name: 'fastify (its default handler sends the message)',
      async start() {
        const m = await importGenerated<FastifyAdapter>(dir, 'fastify.ts');
        const app = fastify();
        app.addHook('onRequest', m.authHook(guard));
        app.get('/v1/pets', async () => 'handled');
        await app.listen({ port: 0, host: '127.0.0.1' });
        const running = await whenListening(app.server);
        return { ...running, close: () => app.close() };
      },
      contentType: 'application/json',
      body: (text) => expect(JSON.parse(text)).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'The credentials could not be checked.' }),
    },
    {
      name: 'koa',
      async start() {
        const m = await importGenerated<KoaAdapter>(dir, 'koa.ts');
        const app = new Koa();
        // Only to keep the test output quiet (Koa logs unexposed errors without a listener).
        app.on('error', (err: unknown) => errors.push(err));
        app.use(m.authMiddleware(guard));
        app.use((ctx) => void (ctx.body = 'handled'));
        return listen(http.createServer(app.callback()));
      },
      contentType: 'text/plain',
      body: (text) => expect(text).toBe('Internal Server Error'),
    },
    {
      name: 'hono',
      async start() {
        const m = await importGenerated<HonoAdapter>(dir, 'hono.ts');
        const app = new Hono();
        app.use(m.authMiddleware(guard));
        app.get('/v1/pets', (c) => c.text('handled'));
        return whenListening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server);
      },
      contentType: 'text/plain',
      body: (text) => expect(text).toBe('Internal Server Error'),
    },
  ];

  describe.each(DEFAULT_APPS)('$name', (app) => {
    let server: Running | undefined;
    beforeAll(async () => {
      server = await app.start();
    });
    afterAll(async () => {
      await server?.close();
    });
    it.each(FAILURES)('$name → 500', async (failure) => {
      if (server === undefined) throw new Error('server did not start');
      // Hono's default handler logs the error (the GuardError, its cause the VerifierError).
      const logged: unknown[] = [];
      const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(...args));
      let res: Response;
      let text: string;
      try {
        res = await fetch(server.origin + '/v1/pets', { headers: failure.headers });
        text = await res.text();
        // Express's finalhandler logs in a setImmediate after answering: let this request's log land here, not in the next test.
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        spy.mockRestore();
      }
      expect(res.status, text).toBe(500);
      expect(mediaType(res.headers.get('content-type') ?? '')).toBe(app.contentType);
      app.body(text);
      for (const word of [...NAMES, failure.scheme, ...SECRETS]) expect(text, `the answer shows ${word}`).not.toContain(word);
      for (const err of logged.filter((e) => e instanceof Error)) expect((err as Error).cause).toMatchObject({ name: 'VerifierError', scheme: failure.scheme, operationId: 'listPets' });
    });
  });
});

// ---------------------------------------------------------------------------
// Part 2: mutual TLS over HTTPS with client certificates (petstore-3.1)
// ---------------------------------------------------------------------------

describe('mutual TLS (petstore-3.1, https with client certificates)', () => {
  let pki: TestPki;
  let mtlsDir = '';
  let mtlsGuard: Guard<string, unknown>;
  let runtime: RuntimeModule;
  /** Every certificate the ClientCert verifier received in the current test. */
  let certs: ClientCertificate[] = [];
  /** What the TLS layer saw on each connection: presented CN and whether the CA vouched for it. */
  let peers: { authorized: boolean; cn: unknown }[] = [];

  const nobody = () => null;
  const verifiers = {
    ApiKey: nobody,
    AppId: nobody,
    Bearer: nobody,
    Oidc: nobody,
    Signature: nobody,
    ClientCert: (cert: ClientCertificate) => {
      certs.push(cert);
      return cert.subject?.CN === 'client-ok' ? { cn: 'client-ok' } : null;
    },
  };

  beforeAll(async () => {
    pki = makePki(path.join(TEST_OUTPUT, 'e2e-mtls-pki'));
    mtlsDir = await generateFixture('specs/petstore-3.1.yaml', 'e2e-mtls');
    const g = await importGenerated<GuardModule>(mtlsDir, 'guard.ts');
    runtime = await importGenerated<RuntimeModule>(mtlsDir, 'runtime-server.ts');
    // Only the mTLS operation is exercised; the key pair is never verified here.
    mtlsGuard = g.createGuard({ ...verifiers, [BOUND]: g.independent });
  });
  beforeEach(() => {
    certs = [];
    peers = [];
  });

  const tlsOptions = (): https.ServerOptions => ({ requestCert: true, rejectUnauthorized: false, ca: pki.ca, key: pki.server.key, cert: pki.server.cert });
  const watch = (server: Server): Server =>
    server.on('secureConnection', (socket: TLSSocket) => {
      const cert = socket.getPeerCertificate();
      peers.push({ authorized: socket.authorized, cn: cert.subject?.CN });
    });
  const reply = (auth: unknown) => JSON.stringify({ route: 'internalSync', auth: auth ?? null });

  interface MtlsAdapter {
    readonly name: string;
    start(): Promise<Running>;
  }
  const MTLS_ADAPTERS: readonly MtlsAdapter[] = [
    {
      name: 'node',
      async start() {
        const m = await importGenerated<NodeAdapter>(mtlsDir, 'node.ts');
        const authenticate = m.nodeAuth(mtlsGuard);
        const server = https.createServer(tlsOptions(), (req, res) => {
          void authenticate(req, res).then((auth) => {
            if (auth === undefined) return;
            handled.push('internalSync');
            res.writeHead(200, { 'content-type': 'application/json' }).end(reply(auth));
          });
        });
        return listen(watch(server), 'https');
      },
    },
    {
      name: 'express',
      async start() {
        const m = await importGenerated<ExpressAdapter>(mtlsDir, 'express.ts');
        const app = express();
        app.post('/api/internal/sync', m.requireAuth(mtlsGuard, 'internalSync'), (req, res) => {
          handled.push('internalSync');
          res.type('application/json').send(reply(m.authOf(req, mtlsGuard)));
        });
        return listen(watch(https.createServer(tlsOptions(), app)), 'https');
      },
    },
    {
      name: 'fastify',
      async start() {
        const m = await importGenerated<FastifyAdapter>(mtlsDir, 'fastify.ts');
        const app = fastify({ https: tlsOptions() });
        app.addHook('onRequest', m.authHook(mtlsGuard));
        app.post('/api/internal/sync', async (request, replyTo) => {
          handled.push('internalSync');
          return replyTo.type('application/json').send(reply(m.authOf(request, mtlsGuard)));
        });
        watch(app.server);
        await app.listen({ port: 0, host: '127.0.0.1' });
        const running = await whenListening(app.server, 'https');
        return { ...running, close: () => app.close() };
      },
    },
    {
      name: 'koa',
      async start() {
        const m = await importGenerated<KoaAdapter>(mtlsDir, 'koa.ts');
        const app = new Koa();
        app.use(m.authMiddleware(mtlsGuard));
        app.use((ctx) => {
          handled.push('internalSync');
          ctx.type = 'application/json';
          ctx.body = reply(m.authOf(ctx, mtlsGuard));
        });
        return listen(watch(https.createServer(tlsOptions(), app.callback())), 'https');
      },
    },
    {
      name: 'hono',
      async start() {
        const m = await importGenerated<HonoAdapter>(mtlsDir, 'hono.ts');
        const app = new Hono<{ Variables: { auth: Auth | undefined } }>();
        app.use(m.authMiddleware(mtlsGuard));
        app.post('/api/internal/sync', (c) => {
          handled.push('internalSync');
          return c.body(reply(c.get('auth')), 200, { 'content-type': 'application/json' });
        });
        const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', createServer: https.createServer, serverOptions: tlsOptions() }) as Server;
        return whenListening(watch(server), 'https');
      },
    },
    {
      name: 'fetch',
      async start() {
        const m = await importGenerated<FetchAdapter>(mtlsDir, 'fetch.ts');
        // The platform hands the verified peer certificate over per request.
        const peerOf = new WeakMap<Request, ClientCertificate>();
        const authenticate = m.fetchAuth(mtlsGuard, { clientCertificate: (request) => peerOf.get(request) });
        const server = serve({
          port: 0,
          hostname: '127.0.0.1',
          createServer: https.createServer,
          serverOptions: tlsOptions(),
          fetch: async (request, env) => {
            const cert = runtime.clientCertificateOf((env.incoming as IncomingMessage).socket as Socket);
            if (cert !== undefined) peerOf.set(request, cert);
            const auth = await authenticate(request);
            if (auth instanceof Response) return auth;
            handled.push('internalSync');
            return new Response(reply(auth), { headers: { 'content-type': 'application/json' } });
          },
        }) as Server;
        return whenListening(watch(server), 'https');
      },
    },
  ];

  const MTLS_CHALLENGE = 'MutualTLS realm="api"';
  const CERT_LOC = { scheme: 'ClientCert', in: 'tls', name: 'client-certificate' };

  describe.each(MTLS_ADAPTERS)('$name adapter', (adapter) => {
    let server: Running | undefined;
    beforeAll(async () => {
      server = await adapter.start();
    });
    afterAll(async () => {
      await server?.close();
    });
    const post = (tls: { key?: string; cert?: string }) => {
      if (server === undefined) throw new Error('server did not start');
      return httpsRequest(server.port, 'POST', '/api/internal/sync', { ca: pki.ca, ...tls });
    };

    it('an authorized client certificate passes; the verifier receives the peer certificate', async () => {
      const res = await post(pki.client);
      expect(res.status, res.body).toBe(200);
      expect(JSON.parse(res.body)).toEqual({
        route: 'internalSync',
        auth: { ok: true, operationId: 'internalSync', alternative: 0, anonymous: false, principals: { ClientCert: { cn: 'client-ok' } } },
      });
      expect(handled).toEqual(['internalSync']);
      expect(certs).toHaveLength(1);
      const cert = certs[0];
      expect(cert?.subject?.CN).toBe('client-ok');
      expect(cert?.issuer?.CN).toBe('E2E Test CA');
      expect(cert?.fingerprint256).toBe(new X509Certificate(pki.client.cert).fingerprint256);
      expect(peers).toEqual([{ authorized: true, cn: 'client-ok' }]);
    });

    it('no client certificate → 401 with the MutualTLS challenge, verifier not called', async () => {
      const res = await post({});
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(MTLS_CHALLENGE);
      expect(mediaType(res.headers['content-type'] ?? '')).toBe('application/problem+json');
      expect(JSON.parse(res.body)).toEqual(unauthorized(NONE_SENT, { missing: [CERT_LOC], alternatives: [alt(0, [CERT_LOC], [CERT_LOC], [])] }));
      expect(certs).toEqual([]);
      expect(handled).toEqual([]);
    });

    it('a certificate from another CA (unauthorized socket) counts as no certificate', async () => {
      const res = await post(pki.rogueClient);
      // The TLS layer let the connection in (rejectUnauthorized: false) with the cert presented…
      expect(peers).toEqual([{ authorized: false, cn: 'client-ok' }]);
      // …but the guard never treats it as a credential, although its CN is the accepted one.
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(MTLS_CHALLENGE);
      expect(JSON.parse(res.body)).toEqual(unauthorized(NONE_SENT, { missing: [CERT_LOC], alternatives: [alt(0, [CERT_LOC], [CERT_LOC], [])] }));
      expect(certs).toEqual([]);
      expect(handled).toEqual([]);
    });

    it('an authorized certificate the verifier rejects → 401 invalid', async () => {
      const res = await post(pki.otherClient);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(MTLS_CHALLENGE);
      expect(JSON.parse(res.body)).toEqual(unauthorized(NOT_ACCEPTED, { invalid: [CERT_LOC], alternatives: [alt(0, [CERT_LOC], [], [CERT_LOC])] }));
      expect(certs.map((c) => c.subject?.CN)).toEqual(['client-other']);
      expect(handled).toEqual([]);
    });
  });
});
