// One test per diagnostic code: the code, its severity and the JSON pointer it names.
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import { buildModel } from '../../src/pipeline.js';
import { modelOf, oas3, writeFiles } from '../helpers/spec-files.js';

const op = (security: unknown, id = 'op') => ({ get: { operationId: id, security, responses: {} } });
const find = (ds: readonly Diagnostic[], code: string) => ds.filter((d) => d.code === code).map((d) => `${d.severity} ${d.pointer}`);

describe('diagnostics', () => {
  it('syntax: YAML error with file, line and column', async () => {
    const dir = writeFiles({ 'bad.yaml': 'openapi: 3.0.0\ninfo:\n  title: x\n   oops: [\n' });
    const { model, diagnostics } = await buildModel('bad.yaml', dir);
    expect(model).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'syntax', severity: 'error', file: 'bad.yaml', line: 4 });
    expect(diagnostics[0]!.column).toBeTypeOf('number');
  });

  it('io: a missing file names the file', async () => {
    const { diagnostics } = await buildModel('nope.yaml', writeFiles({}));
    expect(diagnostics[0]).toMatchObject({ code: 'io', severity: 'error', file: 'nope.yaml' });
    expect(diagnostics[0]!.message).toContain('nope.yaml');
  });

  it('unresolved-ref: a scheme $ref to a missing file, at the $ref', async () => {
    const { diagnostics } = await modelOf(oas3({ schemes: { B: { $ref: 'missing/b.yaml' } }, security: [{ B: [] }], paths: { '/x': op(undefined) } }));
    expect(find(diagnostics, 'unresolved-ref')).toEqual(['error /components/securitySchemes/B/$ref']);
    // the broken scheme is not also reported as undefined
    expect(find(diagnostics, 'undefined-scheme')).toEqual([]);
  });

  it('unresolved-ref: an internal pointer to nothing', async () => {
    const { diagnostics } = await modelOf(oas3({ paths: { '/x': { $ref: '#/components/pathItems/none' } } }));
    expect(find(diagnostics, 'unresolved-ref')).toEqual(['error /paths/~1x/$ref']);
  });

  it('ref-refused: a scheme $ref to a folder, to a file outside the spec folder, or to a file over the size limit, at the $ref', async () => {
    const dir = writeFiles({
      'api/openapi.json': oas3({ schemes: { Dir: { $ref: 'sub' }, Out: { $ref: '../k.json#/K' }, Big: { $ref: 'big.json#/K' } }, security: [{ Dir: [], Out: [], Big: [] }] }),
      'api/sub/x.json': '{}',
      'api/big.json': JSON.stringify({ K: { type: 'apiKey', in: 'header', name: 'K' }, pad: 'x'.repeat(2000) }),
      'k.json': { K: { type: 'apiKey', in: 'header', name: 'K' } },
    });
    const { loadSpec } = await import('../../src/load/load.js');
    const loaded = await loadSpec('api/openapi.json', dir, { limits: { maxBytes: 1000 } });
    if (!loaded.ok) throw new Error('not loaded');
    const schemes = (loaded.spec.root['components'] as { securitySchemes: Record<string, unknown> }).securitySchemes;
    const at = (name: string) => loaded.spec.deref({ value: schemes[name], file: loaded.spec.file, pointer: `/components/securitySchemes/${name}` });
    expect(await at('Dir')).toMatchObject({ code: 'ref-refused', severity: 'error', pointer: '/components/securitySchemes/Dir/$ref', message: expect.stringContaining('not a regular file (a folder)') });
    expect(await at('Out')).toMatchObject({ code: 'ref-refused', pointer: '/components/securitySchemes/Out/$ref', message: expect.stringContaining('"../k.json#/K" refused') });
    expect(await at('Big')).toMatchObject({ code: 'ref-refused', message: expect.stringContaining('larger than 1000 bytes') });
    // allowed by an extra folder (allowRefsOutside)
    const { diagnostics } = await buildModel('api/openapi.json', dir, { allowRefsOutside: ['.'] });
    expect(find(diagnostics, 'ref-refused')).toEqual(['error /components/securitySchemes/Dir/$ref']);
  });

  it('undefined-scheme: at the requirement member, root and operation', async () => {
    const { diagnostics } = await modelOf(oas3({ schemes: { A: { type: 'apiKey', in: 'header', name: 'A' } }, security: [{ Nope: [] }], paths: { '/a/b': op([{ A: [], Missing: [] }]) } }));
    expect(find(diagnostics, 'undefined-scheme')).toEqual(['error /security/0/Nope', 'error /paths/~1a~1b/get/security/0/Missing']);
    expect(diagnostics.find((d) => d.code === 'undefined-scheme')!.message).toContain('"Nope"');
  });

  it('invalid-scheme: no type, unknown type, apiKey without in/name or with an unknown in', async () => {
    const { diagnostics } = await modelOf(
      oas3({
        schemes: {
          noType: { name: 'x' },
          weird: { type: 'magic' },
          noIn: { type: 'apiKey', name: 'k' },
          badIn: { type: 'apiKey', in: 'body', name: 'k' },
          noName: { type: 'apiKey', in: 'header' },
        },
      }),
    );
    expect(find(diagnostics, 'invalid-scheme')).toEqual([
      'error /components/securitySchemes/noType',
      'error /components/securitySchemes/weird',
      'error /components/securitySchemes/noIn',
      'error /components/securitySchemes/badIn/in',
      'error /components/securitySchemes/noName',
    ]);
  });

  it('invalid-header-name: a header name with spaces, at /name', async () => {
    const { diagnostics } = await modelOf(oas3({ schemes: { K: { type: 'apiKey', in: 'header', name: 'My API Key' } }, security: [{ K: [] }], paths: { '/x': op(undefined) } }));
    expect(find(diagnostics, 'invalid-header-name')).toEqual(['error /components/securitySchemes/K/name']);
  });

  it('duplicate-operation-id: error at the second operation', async () => {
    const { diagnostics } = await modelOf(oas3({ paths: { '/a': op([], 'same'), '/b': op([], 'same') } }));
    expect(find(diagnostics, 'duplicate-operation-id')).toEqual(['error /paths/~1b/get']);
  });

  it('undeclared-scope: warning at the use', async () => {
    const { diagnostics } = await modelOf(oas3({ schemes: { O: { type: 'oauth2', flows: { implicit: { authorizationUrl: '/a', scopes: { read: '' } } } } }, paths: { '/x': op([{ O: ['read', 'admin'] }]) } }));
    expect(find(diagnostics, 'undeclared-scope')).toEqual(['warning /paths/~1x/get/security/0/O']);
    expect(diagnostics.find((d) => d.code === 'undeclared-scope')!.subject).toBe('O:admin');
  });

  it('oauth2-scopes-missing: warning at the flow (3.x) and at the scheme (2.0)', async () => {
    const a = await modelOf(oas3({ schemes: { O: { type: 'oauth2', flows: { implicit: { authorizationUrl: '/a' } } } }, paths: { '/x': op([{ O: [] }]) } }));
    expect(find(a.diagnostics, 'oauth2-scopes-missing')).toEqual(['warning /components/securitySchemes/O/flows/implicit']);
    const b = await modelOf({ swagger: '2.0', info: { title: 't', version: '1' }, securityDefinitions: { O: { type: 'oauth2', flow: 'implicit', authorizationUrl: '/a' } }, security: [{ O: [] }], paths: {} });
    expect(find(b.diagnostics, 'oauth2-scopes-missing')).toEqual(['warning /securityDefinitions/O']);
  });

  it('scopes-on-non-oauth-scheme: warning in 3.0, allowed in 3.1', async () => {
    const doc = (v: string) => oas3({ openapi: v, schemes: { K: { type: 'apiKey', in: 'header', name: 'K' } }, paths: { '/x': op([{ K: ['admin'] }]) } });
    expect(find((await modelOf(doc('3.0.3'))).diagnostics, 'scopes-on-non-oauth-scheme')).toEqual(['warning /paths/~1x/get/security/0/K']);
    expect(find((await modelOf(doc('3.1.0'))).diagnostics, 'scopes-on-non-oauth-scheme')).toEqual([]);
  });

  it('unused-scheme: warning at the scheme', async () => {
    const { diagnostics } = await modelOf(oas3({ schemes: { U: { type: 'http', scheme: 'bearer' } }, paths: { '/x': op([]) } }));
    expect(find(diagnostics, 'unused-scheme')).toEqual(['warning /components/securitySchemes/U']);
  });

  it('api-key-in-query: warning at the scheme', async () => {
    const { diagnostics } = await modelOf(oas3({ schemes: { Q: { type: 'apiKey', in: 'query', name: 'key' } }, paths: { '/x': op([{ Q: [] }]) } }));
    expect(find(diagnostics, 'api-key-in-query')).toEqual(['warning /components/securitySchemes/Q']);
  });

  it('authorization-api-key: info at the scheme, whatever the header spelling; other headers are not reported', async () => {
    const { diagnostics } = await modelOf(
      oas3({
        schemes: { A: { type: 'apiKey', in: 'header', name: 'authorization' }, K: { type: 'apiKey', in: 'header', name: 'X-Key' }, Q: { type: 'apiKey', in: 'query', name: 'Authorization' } },
        paths: { '/x': op([{ A: [] }, { K: [] }, { Q: [] }]) },
      }),
    );
    expect(find(diagnostics, 'authorization-api-key')).toEqual(['info /components/securitySchemes/A']);
  });

  it('credentials-over-http: Basic or apiKey with a plain http:// server (localhost excepted)', async () => {
    const schemes = { B: { type: 'http', scheme: 'basic' }, T: { type: 'http', scheme: 'bearer' } };
    const remote = await modelOf(oas3({ servers: [{ url: 'http://api.example.com' }], schemes, paths: { '/x': op([{ B: [] }, { T: [] }]) } }));
    expect(find(remote.diagnostics, 'credentials-over-http')).toEqual(['warning /components/securitySchemes/B']);
    const local = await modelOf(oas3({ servers: [{ url: 'http://localhost:8080' }], schemes, paths: { '/x': op([{ B: [] }, { T: [] }]) } }));
    expect(find(local.diagnostics, 'credentials-over-http')).toEqual([]);
  });

  it('unknown-http-scheme: info, passed through as raw credentials', async () => {
    const { diagnostics } = await modelOf(oas3({ schemes: { N: { type: 'http', scheme: 'Negotiate' } }, paths: { '/x': op([{ N: [] }]) } }));
    expect(find(diagnostics, 'unknown-http-scheme')).toEqual(['info /components/securitySchemes/N']);
  });

  it('oauth2-and-oauth2: warning when one requirement ANDs two OAuth2 schemes', async () => {
    const o = { type: 'oauth2', flows: { implicit: { authorizationUrl: '/a', scopes: { s: '' } } } };
    const { diagnostics } = await modelOf(oas3({ schemes: { O1: o, O2: o }, paths: { '/x': op([{ O1: ['s'], O2: ['s'] }]) } }));
    expect(find(diagnostics, 'oauth2-and-oauth2')).toEqual(['warning /paths/~1x/get/security/0']);
    // The subject groups the copies (Google's specs have thousands), so text output stays short.
    expect(diagnostics.find((d) => d.code === 'oauth2-and-oauth2')!.subject).toBe('O1+O2');
  });

  it('api-key-and-same-name: warning when one requirement ANDs the same key name in header and query', async () => {
    const schemes = { H: { type: 'apiKey', in: 'header', name: 'X-Key' }, Q: { type: 'apiKey', in: 'query', name: 'x-key' }, Other: { type: 'apiKey', in: 'query', name: 'other' } };
    const { diagnostics } = await modelOf(oas3({ schemes, security: [{ H: [], Q: [] }], paths: { '/x': op(undefined), '/y': op([{ H: [] }, { Q: [] }], 'y'), '/z': op([{ Q: [], Other: [] }], 'z') } }));
    expect(find(diagnostics, 'api-key-and-same-name')).toEqual(['warning /security/0']);
  });

  it('requirement diagnostics follow document order, so the first of each subject is its first occurrence in the file', async () => {
    const { diagnostics } = await modelOf(oas3({ paths: { '/z': op([{ Nope: [] }], 'z'), '/a': op([{ Nope: [] }], 'a') } }));
    expect(find(diagnostics, 'undefined-scheme')).toEqual(['error /paths/~1z/get/security/0/Nope', 'error /paths/~1a/get/security/0/Nope']);
  });

  it('invalid-security and not-openapi', async () => {
    expect(find((await modelOf(oas3({ paths: { '/x': op({ A: [] }) } }))).diagnostics, 'invalid-security')).toEqual(['error /paths/~1x/get/security']);
    expect((await modelOf({ openapi: '4.0.0', info: {}, paths: {} })).diagnostics.map((d) => d.code)).toEqual(['not-openapi']);
  });

  it('errors come before warnings', async () => {
    const { diagnostics } = await modelOf(oas3({ schemes: { U: { type: 'http', scheme: 'bearer' } }, paths: { '/x': op([{ Missing: [] }]) } }));
    expect(diagnostics.map((d) => d.severity)).toEqual(['error', 'warning']);
  });
});

describe('text rendering of hostile spec strings', () => {
  it('escapes control characters, ANSI escapes and line separators', async () => {
    const { formatDiagnostic } = await import('../../src/diagnostics/render.js');
    const line = formatDiagnostic({
      code: 'unused-scheme',
      severity: 'warning',
      message: 'scheme "a\u001b[31mred\nforged: error x\u2028" is never used',
      file: 'openapi.yaml',
      pointer: '/components/securitySchemes/a',
    });
    expect(line).not.toMatch(/[\u0000-\u001f\u2028]/);
    expect(line).toContain('a\\u001b[31mred\\u000aforged: error x\\u2028');
  });
});

describe('--skip-invalid (BRIEF §2: the explicit option)', () => {
  const doc = oas3({
    schemes: { Key: { type: 'apiKey', in: 'header', name: 'X-Key' }, Spaced: { type: 'apiKey', in: 'header', name: 'X Key' } },
    paths: {
      '/a': op([{ Key: [] }], 'good'),
      '/b': op([{ Key: [], Ghost: [] }], 'andWithGhost'),
      '/c': op([{ Key: [] }, { Spaced: [] }], 'orWithUncarriable'),
      '/d': op([], 'open'),
    },
  });

  it('without it, the spec is refused', async () => {
    const dir = writeFiles({ 'openapi.json': doc });
    const { diagnostics } = await buildModel('openapi.json', dir);
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => d.code).sort()).toEqual(['invalid-header-name', 'undefined-scheme']);
  });

  it('with it, every AND group naming a bad scheme is dropped whole and reported; operations stay, never weakened', async () => {
    const dir = writeFiles({ 'openapi.json': doc });
    const { model, diagnostics } = await buildModel('openapi.json', dir, { skipInvalid: true });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // Every operation stays, so its route still matches it (not a parameterised sibling).
    expect(model!.operations.map((o) => o.id)).toEqual(['good', 'andWithGhost', 'orWithUncarriable', 'open']);
    const groups = (id: string) => {
      const auth = model!.operations.find((o) => o.id === id)!.auth;
      return auth.kind === 'public' ? 'public' : `${auth.kind}: ${auth.anyOf.map((r) => r.allOf.map((u) => u.scheme).join('+')).join(' | ')}`;
    };
    // {Key, Ghost} is not weakened to {Key}: the group goes, and nothing is left.
    expect(groups('andWithGhost')).toBe('required: ');
    expect(groups('orWithUncarriable')).toBe('required: Key');
    expect(groups('good')).toBe('required: Key');
    expect(model!.schemes.map((s) => s.id)).toEqual(['Key']);
    expect(find(diagnostics, 'alternative-dropped')).toEqual(['warning /paths/~1b/get/security/0', 'warning /paths/~1c/get/security/1']);
    expect(find(diagnostics, 'operation-skipped')).toEqual(['warning /paths/~1b/get/security']);
  });
});

describe('schema (opt-in: codegen lint --validate)', () => {
  it('reports each schema error with its pointer, and is not part of buildModel', async () => {
    const { validateSchema } = await import('../../src/load/validate.js');
    const doc = { openapi: '3.0.3', info: { title: 'x' }, paths: { '/a': { get: { responses: { '200': { description: 'ok' } } } } } };
    const dir = writeFiles({ 'openapi.json': doc });
    const diagnostics = await validateSchema('openapi.json', dir);
    expect(diagnostics.map((d) => `${d.code} ${d.severity} ${d.pointer}`)).toEqual(['schema error /info']);
    expect(diagnostics[0]!.message).toContain("'version'");
    expect((await buildModel('openapi.json', dir)).diagnostics.filter((d) => d.code === 'schema')).toEqual([]);
  });

  it('overlapping-paths: paths routers take as one (parameter names, a trailing slash, letter case), a warning at the later operation', async () => {
    const get = (id: string) => ({ get: { operationId: id, responses: {} } });
    const { diagnostics } = await modelOf(oas3({ paths: { '/u/{id}': get('a'), '/u/{name}': get('b'), '/t': get('c'), '/t/': get('d'), '/admin': get('e'), '/Admin': get('f'), '/other/{x}': get('g') } }));
    expect(find(diagnostics, 'overlapping-paths').sort()).toEqual(['warning /paths/~1admin/get', 'warning /paths/~1t~1/get', 'warning /paths/~1u~1{name}/get'].sort());
  });
});

describe('group-name-collision', () => {
  it('refuses a scheme named like an AND group, at the scheme, once', async () => {
    const key = (name: string) => ({ type: 'apiKey', in: 'header', name });
    const schemes = { A: key('X-A'), B: key('X-B'), 'A + B': key('X-AB') };
    const { diagnostics } = await modelOf(
      oas3({ schemes, security: [{ B: [], A: [] }], paths: { '/x': { get: { operationId: 'x', responses: {} } }, '/y': { get: { operationId: 'y', security: [{ A: [], B: [] }, { 'A + B': [] }], responses: {} } } } }),
    );
    expect(find(diagnostics, 'group-name-collision')).toEqual(['error /components/securitySchemes/A + B']);
    expect(diagnostics.find((d) => d.code === 'group-name-collision')?.message).toMatch(/"A \+ B".*AND group of "B" and "A"/);
  });

  it('says nothing when no group key is a scheme name (a scheme with " + " in its name that is no group)', async () => {
    const key = (name: string) => ({ type: 'apiKey', in: 'header', name });
    const { diagnostics } = await modelOf(oas3({ schemes: { A: key('X-A'), B: key('X-B'), 'B + A': key('X-BA') }, security: [{ A: [], B: [] }, { 'B + A': [] }] }));
    expect(find(diagnostics, 'group-name-collision')).toEqual([]);
  });
});
