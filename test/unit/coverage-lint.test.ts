// Coverage lint (src/check/coverage.ts): `no-security`, `operation-without-security`
// and `unknown-public-operation`, on inline specs of every version, written from the
// rules as the README states them (not from the code's output): silence is reported,
// an explicit `security: []`, `x-public: true` or the config's `public` is not.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { condenseCoverage } from '../../src/check/coverage.js';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import { buildModel, generate } from '../../src/pipeline.js';
import { REPO } from '../helpers/cli.js';
import { oas3, writeFiles } from '../helpers/spec-files.js';

const COVERAGE = new Set(['no-security', 'operation-without-security', 'unknown-public-operation']);

/** Only the coverage diagnostics, as `code subject@pointer` (subject left out when absent). */
function coverageOf(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.filter((d) => COVERAGE.has(d.code)).map((d) => `${d.code}${d.subject !== undefined ? ` ${d.subject}` : ''}@${d.pointer}`);
}

async function lint(doc: unknown, publicIds?: string[]): Promise<readonly Diagnostic[]> {
  const dir = writeFiles({ 'openapi.json': doc });
  return (await buildModel('openapi.json', dir, publicIds === undefined ? {} : { public: publicIds })).diagnostics;
}

const get = (operationId: string, extra: Record<string, unknown> = {}) => ({ get: { operationId, responses: { 200: { description: 'ok' } }, ...extra } });

/** Swagger 2.0 with the given paths and (optional) root security. */
function swagger2(paths: Record<string, unknown>, security?: unknown): Record<string, unknown> {
  return {
    swagger: '2.0',
    info: { title: 't', version: '1' },
    securityDefinitions: { key: { type: 'apiKey', in: 'header', name: 'X-Key' } },
    ...(security !== undefined ? { security } : {}),
    paths,
  };
}
const schemes = { key: { type: 'apiKey', in: 'header', name: 'X-Key' } };

describe('no-security: a document that requires nothing anywhere', () => {
  it.each([
    ['2.0', { swagger: '2.0', info: { title: 't', version: '1' }, paths: { '/a': get('a'), '/b': get('b'), '/c': get('c') } }],
    ['3.0', oas3({ paths: { '/a': get('a'), '/b': get('b'), '/c': get('c') } })],
    ['3.1', oas3({ openapi: '3.1.0', paths: { '/a': get('a'), '/b': get('b'), '/c': get('c') } })],
  ])('%s: exactly one no-security at the document root, no per-operation warning', async (_, doc) => {
    const diagnostics = await lint(doc);
    expect(coverageOf(diagnostics)).toEqual(['no-security@']);
    const d = diagnostics.find((x) => x.code === 'no-security')!;
    expect(d.severity).toBe('warning');
    expect(d.file).toBe('openapi.json');
    expect(d.message).toMatch(/all 3 of its operations are public/);
  });

  it('defined schemes that no requirement uses do not count as security (unused-scheme is reported too)', async () => {
    const diagnostics = await lint(swagger2({ '/a': get('a'), '/b': get('b') }));
    expect(coverageOf(diagnostics)).toEqual(['no-security@']);
    expect(diagnostics.map((d) => d.code)).toContain('unused-scheme');
  });

  it('a document without operations says nothing', async () => {
    expect(coverageOf(await lint(oas3({ paths: {} })))).toEqual([]);
  });

  it('a root `security: []` is a public API on purpose: nothing reported', async () => {
    expect(coverageOf(await lint(oas3({ security: [], paths: { '/a': get('a'), '/b': get('b') } })))).toEqual([]);
  });

  it('every silent operation marked public (x-public or the config list): nothing reported', async () => {
    const doc = oas3({ paths: { '/a': get('a', { 'x-public': true }), '/b': get('b'), '/c': get('c', { security: [] }) } });
    expect(coverageOf(await lint(doc, ['b']))).toEqual([]);
  });

  it('one silent operation among explicitly public ones still gets the one document-level warning', async () => {
    const diagnostics = await lint(oas3({ paths: { '/a': get('a', { security: [] }), '/b': get('b') } }));
    expect(coverageOf(diagnostics)).toEqual(['no-security@']);
    expect(diagnostics.find((d) => d.code === 'no-security')!.message).toMatch(/1 of them marked public on purpose/);
  });
});

describe('operation-without-security: silent operations beside secured ones', () => {
  // /admin is secured; /plain is silent (reported); the rest are public on purpose.
  const paths = {
    '/admin': get('admin', { security: [{ key: [] }] }),
    '/plain': get('plain'),
    '/open': get('open', { security: [] }),
    '/marked': get('marked', { 'x-public': true }),
    '/listed': get('listed'),
    '/loose': get('loose', { 'x-public': 'yes' }),
    '/also': { post: { responses: { 200: { description: 'ok' } } } },
  };

  it.each([
    ['2.0', swagger2(paths)],
    ['3.0', oas3({ schemes, paths })],
    ['3.1', oas3({ openapi: '3.1.0', schemes, paths })],
  ])('%s: only the bare operations, in document order; not `security: []`, not x-public: true, not the listed id', async (_, doc) => {
    const diagnostics = await lint(doc, ['listed']);
    expect(coverageOf(diagnostics)).toEqual([
      'operation-without-security plain@/paths/~1plain/get',
      // `x-public: "yes"` is not the boolean true: not an allowlist.
      'operation-without-security loose@/paths/~1loose/get',
      // Without an operationId, the id is "<method> <path>".
      'operation-without-security post /also@/paths/~1also/post',
    ]);
    const plain = diagnostics.find((d) => d.subject === 'plain')!;
    expect(plain.severity).toBe('warning');
    expect(plain.message).toContain('GET /plain');
    expect(plain.message).toContain('x-public: true');
  });

  it('without the config list, the listed operation is reported too', async () => {
    expect(coverageOf(await lint(oas3({ schemes, paths })))).toContain('operation-without-security listed@/paths/~1listed/get');
  });

  it('an operation-level `[{}]` (optional) counts as secured, and is never reported', async () => {
    const diagnostics = await lint(oas3({ schemes, paths: { '/opt': get('opt', { security: [{}, { key: [] }] }), '/bare': get('bare') } }));
    expect(coverageOf(diagnostics)).toEqual(['operation-without-security bare@/paths/~1bare/get']);
  });

  it('a root requirement covers every operation that does not override it: nothing reported', async () => {
    const diagnostics = await lint(oas3({ schemes, security: [{ key: [] }], paths: { '/a': get('a'), '/b': get('b', { security: [] }) } }));
    expect(coverageOf(diagnostics)).toEqual([]);
  });
});

describe('unknown-public-operation: the config list cannot rot', () => {
  const doc = oas3({ schemes, paths: { '/users': get('getUser', { security: [{ key: [] }] }), '/health': get('health') } });

  it('an id naming no operation is reported at the document root, naming the key, with did-you-mean', async () => {
    const diagnostics = await lint(doc, ['health', 'getUsr', 'getUsr', 'nothingLikeIt']);
    expect(coverageOf(diagnostics)).toEqual(['unknown-public-operation getUsr@', 'unknown-public-operation nothingLikeIt@']);
    const [typo, other] = diagnostics.filter((d) => d.code === 'unknown-public-operation');
    expect(typo!.severity).toBe('warning');
    expect(typo!.message).toContain('"public"');
    expect(typo!.message).toMatch(/did you mean "getUser"\?$/);
    expect(other!.message).not.toContain('did you mean');
  });

  it('"<method> <path>" names an operation without an operationId', async () => {
    const noId = oas3({ schemes, paths: { '/users': get('getUser', { security: [{ key: [] }] }), '/health': { get: { responses: { 200: { description: 'ok' } } } } } });
    expect(coverageOf(await lint(noId, ['get /health']))).toEqual([]);
  });
});

describe('x-public is a review fact: generated output and input hash do not change', () => {
  it('adding x-public: true to an operation leaves every generated byte equal', async () => {
    const paths = (marked: boolean) => ({ '/users': get('getUser', { security: [{ key: [] }] }), '/health': get('health', marked ? { 'x-public': true } : {}) });
    const run = async (marked: boolean) => {
      const dir = writeFiles({ 'openapi.json': oas3({ schemes, paths: paths(marked) }) });
      return generate({ spec: 'openapi.json', cwd: dir, server: ['express'], client: ['fetch'] });
    };
    const [plain, marked] = [await run(false), await run(true)];
    expect(marked.model!.operations.find((o) => o.id === 'health')!.publicOnPurpose).toBe(true);
    expect(plain.model!.operations.find((o) => o.id === 'health')!.publicOnPurpose).toBeUndefined();
    expect(marked.files.length).toBeGreaterThan(0);
    expect(marked.files).toEqual(plain.files);
    // generate's result carries the coverage warnings like lint's (the CLI condenses them when printing).
    expect(coverageOf(plain.diagnostics)).toEqual(['operation-without-security health@/paths/~1health/get']);
    expect(coverageOf(marked.diagnostics)).toEqual([]);
  });
});

describe('condenseCoverage: what generate, check and report print', () => {
  const d = (code: Diagnostic['code'], subject?: string): Diagnostic => ({ code, severity: 'warning', file: 'a.json', pointer: subject ? `/paths/~1${subject}/get` : '', message: 'm', ...(subject ? { subject } : {}) });

  it('keeps 3 operation-without-security lines and one that counts the rest, at the first of them; other codes untouched', () => {
    const input = [d('unused-scheme', 'k'), ...['a', 'b', 'c', 'd', 'e', 'f'].map((s) => d('operation-without-security', s)), d('no-security')];
    const out = condenseCoverage(input);
    expect(out.map((x) => `${x.code} ${x.pointer}`)).toEqual(['unused-scheme /paths/~1k/get', ...['a', 'b', 'c', 'd'].map((s) => `operation-without-security /paths/~1${s}/get`), 'no-security ']);
    expect(out[4]!.message).toBe('3 more operations have no security requirement, "d" first; `codegen lint` lists each');
    expect(out[4]!.subject).toBeUndefined();
  });

  it('four or fewer are printed as they are (a summary line would save nothing)', () => {
    const input = ['a', 'b', 'c', 'd'].map((s) => d('operation-without-security', s));
    expect(condenseCoverage(input)).toEqual(input);
  });
});

describe('the GitHub description (623 operations, no security): one warning, short output', () => {
  const CORPUS = path.resolve(process.env['CORPUS_DIR'] ?? path.join(REPO, '../shared/corpus'));
  const manifest = JSON.parse(readFileSync(path.join(CORPUS, 'MANIFEST.json'), 'utf8')) as { files: readonly { file: string }[] };
  const github = manifest.files.filter((e) => path.basename(e.file).startsWith('github.com__'));

  it('no-security fires exactly once, and no operation-without-security', async () => {
    expect(github).toHaveLength(1);
    const { model, diagnostics } = await buildModel(path.join(CORPUS, github[0]!.file), REPO);
    expect(model!.operations).toHaveLength(623);
    expect(coverageOf(diagnostics)).toEqual(['no-security@']);
    expect(diagnostics.find((d) => d.code === 'no-security')!.message).toMatch(/all 623 of its operations are public/);
  });
});
