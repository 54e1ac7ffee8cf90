// `codegen diff` classification: one given/want row per rule of issue 5, each a
// small spec edit run through the real loader and normalizer.
import { describe, expect, it } from 'vitest';
import { CHANGE_RULES, compareModels, type Change, type ChangeRule } from '../../src/diff/compare.js';
import { buildModel } from '../../src/pipeline.js';
import { writeFiles } from '../helpers/spec-files.js';

type Doc = Record<string, any>;

const ok = { '200': { description: 'ok' } };
function base(): Doc {
  return {
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    security: [{ ApiKey: [], AppId: [] }],
    paths: {
      '/a': { get: { operationId: 'opA', security: [{ ApiKey: [], AppId: [] }, { OAuth2: ['read', 'write'] }], responses: ok } },
      '/b': { get: { operationId: 'opB', responses: ok } },
      '/c': { get: { operationId: 'opC', security: [{ Bearer: [] }], responses: ok } },
    },
    components: {
      securitySchemes: {
        ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        AppId: { type: 'apiKey', in: 'header', name: 'X-App-Id' },
        Bearer: { type: 'http', scheme: 'bearer' },
        Basic: { type: 'http', scheme: 'basic' },
        OAuth2: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://auth.example/token', scopes: { read: 'r', write: 'w' } } } },
      },
    },
  };
}
const edit = (f: (d: Doc) => void): Doc => {
  const d = base();
  f(d);
  return d;
};
const opSec = (path: string, security: unknown) => (d: Doc) => {
  d['paths'][path].get.security = security;
};
/** A spec whose only operation uses one scheme `Auth`, defined as given. */
const single = (scheme: unknown, scopes: string[] = []): Doc => ({
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  paths: { '/x': { get: { operationId: 'opX', security: [{ Auth: scopes }], responses: ok } } },
  components: { securitySchemes: { Auth: scheme } },
});
const oauth = { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://auth.example/token', scopes: {} } } };

interface Row {
  name: string;
  old: Doc;
  new: Doc;
  /** [rule, operation id] for every change, in output order. */
  want: [ChangeRule, string][];
}

const rows: Row[] = [
  // weakening
  { name: '`security: []` added to an operation that inherited the root default', old: base(), new: edit(opSec('/b', [])), want: [['became-public', 'opB']] },
  { name: 'operation security emptied', old: base(), new: edit(opSec('/c', [])), want: [['became-public', 'opC']] },
  { name: 'root security removed: inheriting operations become public', old: base(), new: edit((d) => delete d['security']), want: [['became-public', 'opB']] },
  { name: 'anonymous alternative {} added', old: base(), new: edit(opSec('/c', [{}, { Bearer: [] }])), want: [['became-optional', 'opC']] },
  {
    name: 'security replaced by [{}]',
    old: base(),
    new: edit(opSec('/c', [{}])),
    want: [
      ['became-optional', 'opC'],
      ['alternative-removed', 'opC'],
    ],
  },
  { name: 'alternative added', old: base(), new: edit(opSec('/c', [{ Bearer: [] }, { Basic: [] }])), want: [['alternative-added', 'opC']] },
  { name: 'AND pair reduced to a single key', old: base(), new: edit(opSec('/a', [{ ApiKey: [] }, { OAuth2: ['read', 'write'] }])), want: [['and-scheme-removed', 'opA']] },
  { name: 'required scope removed', old: base(), new: edit(opSec('/a', [{ ApiKey: [], AppId: [] }, { OAuth2: ['read'] }])), want: [['scope-removed', 'opA']] },
  { name: 'OAuth2 scheme changed to apiKey', old: single(oauth), new: single({ type: 'apiKey', in: 'header', name: 'X-Key' }), want: [['scheme-weaker', 'opX']] },
  { name: 'bearer changed to basic', old: base(), new: edit((d) => (d['components'].securitySchemes.Bearer = { type: 'http', scheme: 'basic' })), want: [['scheme-weaker', 'opC']] },
  {
    name: 'new operation without security while the root requires it',
    old: base(),
    new: edit((d) => (d['paths']['/d'] = { get: { operationId: 'opD', security: [], responses: ok } })),
    want: [['new-public-operation', 'opD']],
  },
  // strengthening: the reverse of each
  { name: 'no longer public', old: edit(opSec('/c', [])), new: base(), want: [['no-longer-public', 'opC']] },
  { name: 'anonymous alternative removed', old: edit(opSec('/c', [{}, { Bearer: [] }])), new: base(), want: [['no-longer-optional', 'opC']] },
  { name: 'single key made an AND pair', old: edit(opSec('/a', [{ ApiKey: [] }, { OAuth2: ['read', 'write'] }])), new: base(), want: [['and-scheme-added', 'opA']] },
  { name: 'required scope added', old: edit(opSec('/a', [{ ApiKey: [], AppId: [] }, { OAuth2: ['read'] }])), new: base(), want: [['scope-added', 'opA']] },
  { name: 'apiKey scheme changed to OAuth2', old: single({ type: 'apiKey', in: 'header', name: 'X-Key' }), new: single(oauth), want: [['scheme-stronger', 'opX']] },
  {
    name: 'public operation removed while the root requires security',
    old: edit((d) => (d['paths']['/d'] = { get: { operationId: 'opD', security: [], responses: ok } })),
    new: base(),
    want: [['public-operation-removed', 'opD']],
  },
  // client-breaking
  {
    name: 'key moved from header to query',
    old: base(),
    new: edit((d) => (d['components'].securitySchemes.ApiKey = { type: 'apiKey', in: 'query', name: 'X-API-Key' })),
    want: [
      ['key-moved', 'opA'],
      ['key-moved', 'opB'],
    ],
  },
  {
    name: 'key renamed',
    old: base(),
    new: edit((d) => (d['components'].securitySchemes.ApiKey.name = 'X-Key')),
    want: [
      ['key-renamed', 'opA'],
      ['key-renamed', 'opB'],
    ],
  },
  {
    name: 'scheme renamed (same definition, new name)',
    old: base(),
    new: edit((d) => {
      d['components'].securitySchemes.Token = d['components'].securitySchemes.Bearer;
      delete d['components'].securitySchemes.Bearer;
      d['paths']['/c'].get.security = [{ Token: [] }];
    }),
    want: [['scheme-renamed', 'opC']],
  },
  { name: 'bearer changed to another HTTP scheme of the same strength', old: base(), new: edit((d) => (d['components'].securitySchemes.Bearer.scheme = 'digest')), want: [['scheme-changed', 'opC']] },
  { name: 'alternative removed', old: edit(opSec('/c', [{ Bearer: [] }, { Basic: [] }])), new: base(), want: [['alternative-removed', 'opC']] },
  // neutral
  { name: 'alternatives reordered', old: base(), new: edit(opSec('/a', [{ OAuth2: ['read', 'write'] }, { ApiKey: [], AppId: [] }])), want: [['alternatives-reordered', 'opA']] },
  { name: 'schemes of an AND set reordered: not a change (AND order has no meaning)', old: base(), new: edit(opSec('/a', [{ AppId: [], ApiKey: [] }, { OAuth2: ['read', 'write'] }])), want: [] },
  { name: 'scopes reordered: not a change', old: base(), new: edit(opSec('/a', [{ ApiKey: [], AppId: [] }, { OAuth2: ['write', 'read'] }])), want: [] },
  { name: 'descriptions and summaries elsewhere: not a security change', old: base(), new: edit((d) => (d['paths']['/a'].get.summary = 'now with a summary')), want: [] },
  { name: 'stronger alternative added: no new way in', old: base(), new: edit(opSec('/c', [{ Bearer: [] }, { Bearer: [], ApiKey: [] }])), want: [['alternative-added-implied', 'opC']] },
  { name: 'root default written out on the operation', old: base(), new: edit(opSec('/b', [{ ApiKey: [], AppId: [] }])), want: [['source-changed', 'opB']] },
  { name: 'scheme description changed', old: base(), new: edit((d) => (d['components'].securitySchemes.Bearer.description = 'JWT from the login service')), want: [['description-changed', 'opC']] },
  // endpoint-changed: credentials now go elsewhere
  {
    name: 'OAuth2 tokenUrl moved to another host (details otherwise unchanged)',
    old: base(),
    new: edit((d) => (d['components'].securitySchemes.OAuth2.flows.clientCredentials.tokenUrl = 'https://evil.example/token')),
    want: [['credential-endpoint-changed', 'opA']],
  },
  {
    name: 'openIdConnectUrl changed',
    old: single({ type: 'openIdConnect', openIdConnectUrl: 'https://auth.example/.well-known/openid-configuration' }),
    new: single({ type: 'openIdConnect', openIdConnectUrl: 'https://evil.example/.well-known/openid-configuration' }),
    want: [['credential-endpoint-changed', 'opX']],
  },
  {
    name: 'tokenUrl and scopes changed: the endpoint and the other details each reported once',
    old: single(oauth),
    new: single({ type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://evil.example/token', scopes: { extra: 'e' } } } }),
    want: [
      ['credential-endpoint-changed', 'opX'],
      ['scheme-details-changed', 'opX'],
    ],
  },
  {
    name: 'server origin changed (API-wide)',
    old: { ...base(), servers: [{ url: 'https://api.example/v1' }] },
    new: { ...base(), servers: [{ url: 'https://api.evil.example/v1' }] },
    want: [['server-origin-changed', '(servers)']],
  },
  { name: 'bearer format added', old: base(), new: edit((d) => (d['components'].securitySchemes.Bearer.bearerFormat = 'JWT')), want: [['scheme-details-changed', 'opC']] },
  {
    name: 'header name only changes case (header names are case-insensitive)',
    old: base(),
    new: edit((d) => (d['components'].securitySchemes.AppId.name = 'x-app-id')),
    want: [
      ['scheme-details-changed', 'opA'],
      ['scheme-details-changed', 'opB'],
    ],
  },
  { name: 'operation added with security', old: base(), new: edit((d) => (d['paths']['/d'] = { get: { operationId: 'opD', responses: ok } })), want: [['operation-added', 'opD']] },
  { name: 'operation removed', old: base(), new: edit((d) => delete d['paths']['/c']), want: [['operation-removed', 'opC']] },
  {
    name: 'operation moved to another path, same operationId',
    old: base(),
    new: edit((d) => {
      d['paths']['/c2'] = d['paths']['/c'];
      delete d['paths']['/c'];
    }),
    want: [['operation-moved', 'opC']],
  },
  {
    name: 'operation renamed on the same route',
    old: base(),
    new: edit((d) => (d['paths']['/c'].get.operationId = 'opC2')),
    want: [['operation-renamed', 'opC2']],
  },
  {
    // Review finding: ids swapped so the secured route takes the public one's id (and security).
    name: 'ids swapped between a public and a secured route: the secured route became public',
    old: edit(opSec('/b', [])),
    new: edit((d) => {
      d['paths']['/b'].get.operationId = 'opC';
      d['paths']['/b'].get.security = [{ Bearer: [] }];
      d['paths']['/c'].get.operationId = 'opB';
      d['paths']['/c'].get.security = [];
    }),
    want: [
      ['became-public', 'opB'], // GET /c, secured before, now public under the other id
      ['no-longer-public', 'opC'], // GET /b
      ['operation-renamed', 'opC'], // sorted by path: /b, then /c
      ['operation-renamed', 'opB'],
    ],
  },
  {
    // Review finding: every id renamed and every operation made public: not "added" and "removed".
    name: 'every id renamed while every operation became public',
    old: base(),
    new: edit((d) => {
      delete d['security'];
      for (const p of ['/a', '/b', '/c']) {
        d['paths'][p].get.operationId = `new${p.slice(1)}`;
        d['paths'][p].get.security = [];
      }
    }),
    want: [
      ['became-public', 'newa'],
      ['became-public', 'newb'],
      ['became-public', 'newc'],
      ['operation-renamed', 'newa'],
      ['operation-renamed', 'newb'],
      ['operation-renamed', 'newc'],
    ],
  },
  {
    name: 'a public operation added while every other one became public: still a new way in',
    old: base(),
    new: edit((d) => {
      delete d['security'];
      for (const p of ['/a', '/b', '/c']) d['paths'][p].get.security = [];
      d['paths']['/d'] = { get: { operationId: 'opD', responses: ok } };
    }),
    want: [
      ['became-public', 'opA'],
      ['became-public', 'opB'],
      ['became-public', 'opC'],
      ['new-public-operation', 'opD'],
    ],
  },
  { name: 'no change', old: base(), new: base(), want: [] },
];

async function compare(oldDoc: Doc, newDoc: Doc): Promise<Change[]> {
  const dir = writeFiles({ 'old.json': oldDoc, 'new.json': newDoc });
  const a = await buildModel('old.json', dir);
  const b = await buildModel('new.json', dir);
  expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(b.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return compareModels(a.model!, b.model!);
}

describe('diff classification', () => {
  for (const row of rows) {
    it(row.name, async () => {
      const changes = await compare(row.old, row.new);
      expect(changes.map((c) => [c.rule, c.operation.id])).toEqual(row.want);
    });
  }

  it('the table has a row for every rule', () => {
    const covered = new Set(rows.flatMap((r) => r.want.map(([rule]) => rule)));
    expect(CHANGE_RULES.filter((r) => !covered.has(r))).toEqual([]);
  });

  it('every change names the operation, method and path, and the pointer in both versions', async () => {
    const [change] = await compare(base(), edit(opSec('/a', [{ ApiKey: [] }, { OAuth2: ['read', 'write'] }])));
    expect(change).toEqual({
      class: 'weakening',
      rule: 'and-scheme-removed',
      operation: { id: 'opA', method: 'get', path: '/a' },
      message: 'AppId removed from the AND set {ApiKey + AppId}; {ApiKey} now suffices',
      old: { file: 'old.json', at: '/paths/~1a/get/security/0/AppId' },
      new: { file: 'new.json', at: '/paths/~1a/get/security/0' },
    });
    const [pub] = await compare(base(), edit(opSec('/b', [])));
    expect(pub).toMatchObject({ old: { file: 'old.json', at: '/security' }, new: { file: 'new.json', at: '/paths/~1b/get/security' } });
  });

  it('pairs operations without operationId by method and path; Swagger 2.0 and 3.x compare by meaning', async () => {
    const v2 = {
      swagger: '2.0',
      info: { title: 't', version: '1' },
      securityDefinitions: { Key: { type: 'apiKey', in: 'header', name: 'X-Key' } },
      paths: { '/p': { get: { security: [{ Key: [] }], responses: ok } } },
    };
    const v3 = {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      components: { securitySchemes: { Key: { type: 'apiKey', in: 'header', name: 'X-Key' } } },
      paths: { '/p': { get: { security: [{ Key: [] }, {}], responses: ok } } },
    };
    const changes = await compare(v2, v3);
    expect(changes.map((c) => [c.rule, c.operation.id])).toEqual([['became-optional', 'get /p']]);
  });

  it('is deterministic: the same inputs give the same list', async () => {
    const n = edit(opSec('/c', [{}]));
    expect(JSON.stringify(await compare(base(), n))).toBe(JSON.stringify(await compare(base(), n)));
  });
});
