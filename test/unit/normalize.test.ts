// normalize: spec fragments -> IR, as given/want tables written from the spec rules
// (OpenAPI 3.1 §4.8.30, Swagger 2.0 securityDefinitions), not from the code's output.
import { describe, expect, it } from 'vitest';
import type { OperationAuth, SecurityModel } from '../../src/ir/types.js';
import { modelOf, oas3 } from '../helpers/spec-files.js';

/** `required: A+B[s1] | C`, `optional: A`, `public`: a compact, reviewable view of an auth. */
function show(auth: OperationAuth): string {
  if (auth.kind === 'public') return 'public';
  const alts = auth.anyOf.map((r) => r.allOf.map((u) => u.scheme + (u.scopes.length ? `[${u.scopes.join(',')}]` : '')).join('+'));
  return `${auth.kind}: ${alts.join(' | ')}`.replace(/: $/, ':');
}

const schemes = {
  ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
  AppId: { type: 'apiKey', in: 'header', name: 'X-App-Id' },
  Bearer: { type: 'http', scheme: 'Bearer' },
  OAuth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/token', scopes: { read: '', write: '' } } } },
};
const op = (security?: unknown) => ({ get: { operationId: 'op', ...(security !== undefined ? { security } : {}), responses: {} } });

const cases: { name: string; root?: unknown; op?: unknown; want: string; source: string }[] = [
  { name: 'no security anywhere is public', want: 'public', source: 'none' },
  { name: 'root default applies', root: [{ ApiKey: [], AppId: [] }, { Bearer: [] }], want: 'required: ApiKey+AppId | Bearer', source: 'root' },
  { name: 'operation replaces root entirely', root: [{ ApiKey: [] }], op: [{ Bearer: [] }], want: 'required: Bearer', source: 'operation' },
  { name: '[] on the operation is public', root: [{ ApiKey: [] }], op: [], want: 'public', source: 'operation' },
  { name: 'root [] is public', root: [], want: 'public', source: 'root' },
  { name: '{} makes it optional, alternatives kept in order', op: [{}, { Bearer: [] }, { ApiKey: [] }], want: 'optional: Bearer | ApiKey', source: 'operation' },
  { name: '[{}] alone is optional, never public', op: [{}], want: 'optional:', source: 'operation' },
  { name: 'AND members keep their written order, OR order kept', op: [{ Bearer: [] }, { AppId: [], ApiKey: [] }], want: 'required: Bearer | AppId+ApiKey', source: 'operation' },
  { name: 'scopes are kept per use, sorted and de-duplicated', op: [{ OAuth: ['write', 'read', 'write'] }], want: 'required: OAuth[read,write]', source: 'operation' },
  { name: 'the same scheme with different scopes in two alternatives', op: [{ OAuth: ['read'] }, { OAuth: ['write'], ApiKey: [] }], want: 'required: OAuth[read] | OAuth[write]+ApiKey', source: 'operation' },
];

describe('normalize: root vs operation, [], {}, AND, OR, scopes (3.0)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const { model, diagnostics } = await modelOf(oas3({ schemes, security: c.root, paths: { '/x': op(c.op) } }));
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const auth = model!.operations[0]!.auth;
      expect(show(auth)).toBe(c.want);
      expect(auth.source).toBe(c.source);
    });
  }
  // Each requirement keeps its index in the array as written (`{}` counted): what
  // `AuthSuccess.alternative` reports.
  it.each([
    { name: 'operation array, {} counted', root: undefined, op: [{ Bearer: [] }, {}, { AppId: [], ApiKey: [] }, {}], at: [0, 2], anonymousAt: 1 },
    { name: 'inherited root array', root: [{}, { ApiKey: [], AppId: [] }, { Bearer: [] }], op: undefined, at: [1, 2], anonymousAt: 0 },
    { name: 'required: no {}', root: undefined, op: [{ ApiKey: [] }, { Bearer: [] }], at: [0, 1], anonymousAt: -1 },
  ])('written indices: $name', async ({ root, op: security, at, anonymousAt }) => {
    const { model } = await modelOf(oas3({ schemes, security: root, paths: { '/x': op(security) } }));
    const auth = model!.operations[0]!.auth;
    if (auth.kind === 'public') throw new Error('expected a requirement');
    expect(auth.anyOf.map((r) => r.index)).toEqual(at);
    expect(auth.anonymousIndex).toBe(anonymousAt);
  });
});

describe('normalize: schemes', () => {
  it('normalizes every 3.x scheme kind', async () => {
    const { model } = await modelOf(
      oas3({
        openapi: '3.1.0',
        schemes: {
          k: { type: 'apiKey', in: 'cookie', name: 'sid' },
          h: { type: 'http', scheme: 'Basic' },
          b: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          o: { type: 'openIdConnect', openIdConnectUrl: 'https://id.example/.well-known/openid-configuration' },
          m: { type: 'mutualTLS' },
          a: { type: 'oauth2', flows: { authorizationCode: { authorizationUrl: '/a', tokenUrl: '/t', scopes: { z: '', y: '' } }, implicit: { authorizationUrl: '/a', scopes: {} } } },
        },
        security: [{ k: [] }, { h: [] }, { b: [] }, { o: [] }, { m: [] }, { a: [] }],
        paths: { '/x': op() },
      }),
    );
    const bodies = Object.fromEntries(model!.schemes.map(({ id, origin: _o, ...rest }) => [id, rest]));
    expect(bodies).toEqual({
      a: {
        kind: 'oauth2',
        flows: [
          { flow: 'implicit', authorizationUrl: '/a', scopes: [], scopesDeclared: true },
          { flow: 'authorizationCode', authorizationUrl: '/a', tokenUrl: '/t', scopes: ['y', 'z'], scopesDeclared: true },
        ],
      },
      b: { kind: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      h: { kind: 'http', scheme: 'basic' },
      k: { kind: 'apiKey', in: 'cookie', name: 'sid' },
      m: { kind: 'mutualTLS' },
      o: { kind: 'openIdConnect', url: 'https://id.example/.well-known/openid-configuration' },
    });
    expect(model!.schemes.map((s) => s.origin.at)).toEqual(['/components/securitySchemes/a', '/components/securitySchemes/b', '/components/securitySchemes/h', '/components/securitySchemes/k', '/components/securitySchemes/m', '/components/securitySchemes/o']);
  });

  it('follows a $ref to a scheme in the same document and one in another file', async () => {
    const { writeFiles } = await import('../helpers/spec-files.js');
    const { buildModel } = await import('../../src/pipeline.js');
    const dir = writeFiles({
      'api.yaml': oas3({ schemes: { A: { $ref: '#/components/x-shared/key' }, B: { $ref: 'schemes/b.json' } }, security: [{ A: [], B: [] }], paths: { '/p': { $ref: 'paths/p.json' } } }),
      'schemes/b.json': { type: 'http', scheme: 'bearer' },
      'paths/p.json': { post: { operationId: 'make', responses: {} } },
    });
    // x-shared lives under components in the fixture above only via the raw write below
    const { readFileSync, writeFileSync } = await import('node:fs');
    const doc = JSON.parse(readFileSync(`${dir}/api.yaml`, 'utf8'));
    doc.components['x-shared'] = { key: { type: 'apiKey', in: 'header', name: 'K' } };
    writeFileSync(`${dir}/api.yaml`, JSON.stringify(doc));
    const { model, diagnostics } = await buildModel('api.yaml', dir);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(model!.schemes.map((s) => `${s.id}:${s.kind}`)).toEqual(['A:apiKey', 'B:http']);
    expect(model!.operations.map((o) => `${o.id} ${o.method} ${o.path} ${show(o.auth)}`)).toEqual(['make post /p required: A+B']);
    expect(model!.operations[0]!.origin).toEqual({ file: 'paths/p.json', at: '/post' });
  });

  it('ids operations without operationId as "<method> <path>" and reads the base path', async () => {
    const { model } = await modelOf(oas3({ servers: [{ url: 'https://{host}/api/v2/', variables: { host: { default: 'x.example' } } }], paths: { '/pets/{id}': { delete: { responses: {} } } } }));
    expect(model!.operations.map((o) => o.id)).toEqual(['delete /pets/{id}']);
    expect(model!.basePath).toBe('/api/v2');
  });
});

describe('normalize: Swagger 2.0 and OpenAPI 3.0 give equal IR', () => {
  const v2 = {
    swagger: '2.0',
    info: { title: 't', version: '1' },
    basePath: '/v1',
    securityDefinitions: {
      ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      AppId: { type: 'apiKey', in: 'header', name: 'X-App-Id' },
      Basic: { type: 'basic' },
      App: { type: 'oauth2', flow: 'application', tokenUrl: 'https://a/token', scopes: { read: 'r', write: 'w' } },
      Code: { type: 'oauth2', flow: 'accessCode', authorizationUrl: 'https://a/auth', tokenUrl: 'https://a/token', scopes: { read: 'r' } },
      Imp: { type: 'oauth2', flow: 'implicit', authorizationUrl: 'https://a/auth', scopes: { read: 'r' } },
      Pwd: { type: 'oauth2', flow: 'password', tokenUrl: 'https://a/token', scopes: {} },
      Q: { type: 'apiKey', in: 'query', name: 'key' },
    },
    security: [{ ApiKey: [], AppId: [] }, { Basic: [] }],
    paths: {
      '/a': { get: { operationId: 'a', responses: {} } },
      '/b': { post: { operationId: 'b', security: [{}, { App: ['write'] }, { Code: ['read'], Q: [] }], responses: {} } },
      '/c': { put: { operationId: 'c', security: [], responses: {} } },
      '/d': { get: { operationId: 'd', security: [{ Imp: ['read'] }, { Pwd: [] }], responses: {} } },
    },
  };
  const v3 = {
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    servers: [{ url: 'https://api.example/v1' }],
    components: {
      securitySchemes: {
        ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        AppId: { type: 'apiKey', in: 'header', name: 'X-App-Id' },
        Basic: { type: 'http', scheme: 'basic' },
        App: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://a/token', scopes: { read: 'r', write: 'w' } } } },
        Code: { type: 'oauth2', flows: { authorizationCode: { authorizationUrl: 'https://a/auth', tokenUrl: 'https://a/token', scopes: { read: 'r' } } } },
        Imp: { type: 'oauth2', flows: { implicit: { authorizationUrl: 'https://a/auth', scopes: { read: 'r' } } } },
        Pwd: { type: 'oauth2', flows: { password: { tokenUrl: 'https://a/token', scopes: {} } } },
        Q: { type: 'apiKey', in: 'query', name: 'key' },
      },
    },
    security: [{ ApiKey: [], AppId: [] }, { Basic: [] }],
    paths: v2.paths,
  };
  /** Drop what legitimately differs: origins (pointers differ by design) and the version/servers. */
  const meaning = (m: SecurityModel) => JSON.parse(JSON.stringify({ basePath: m.basePath, schemes: m.schemes, operations: m.operations }, (k, v) => (k === 'origin' ? undefined : v)));

  it('equal schemes, operations and base path', async () => {
    const a = await modelOf(v2);
    const b = await modelOf(v3);
    expect(a.model!.version).toBe('2.0');
    expect(b.model!.version).toBe('3.0');
    expect(meaning(a.model!)).toEqual(meaning(b.model!));
    expect(a.model!.schemes.find((s) => s.id === 'App')).toMatchObject({ kind: 'oauth2', flows: [{ flow: 'clientCredentials' }] });
    expect(a.model!.schemes.find((s) => s.id === 'Code')).toMatchObject({ kind: 'oauth2', flows: [{ flow: 'authorizationCode' }] });
    expect(a.model!.operations.map((o) => show(o.auth))).toEqual(['required: ApiKey+AppId | Basic', 'optional: App[write] | Code[read]+Q', 'public', 'required: Imp[read] | Pwd']);
  });
});
