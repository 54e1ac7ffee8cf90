// Every spec in specs/ generated with every adapter and the whole client, written by
// the real writer, then: type-checked in one strict program per module mode
// (BRIEF §3), the client's browser path type-checked without @types/node, a missing
// verifier shown to be a compile error, and the hostile spec's output imported and
// run to prove nothing injected executes and its odd scheme names are enforced.
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateFixture, importGenerated } from '../helpers/generated.js';
import { typecheck } from '../helpers/typecheck.js';

const SPECS = ['petstore.yaml', 'petstore-swagger2.yaml', 'petstore-3.1.yaml', 'hostile/injection.json'];
const dirs = new Map<string, string>();
const tsFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));

beforeAll(async () => {
  for (const spec of SPECS) dirs.set(spec, await generateFixture(`specs/${spec}`, `generated/${spec.replace(/[/.]/g, '_')}`));
}, 60_000);

describe('generated output type-checks (strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, verbatimModuleSyntax)', () => {
  it.each(['NodeNext', 'Bundler'] as const)('module %s: every file of every spec, in one program', (mode) => {
    const files = [...dirs.values()].flatMap(tsFiles);
    // Every adapter and every client file is in the program, for every spec.
    expect(files.filter((f) => /\/(express|fastify|koa|hono|fetch|node|client|openapi-fetch|axios|runtime-keys)\.ts$/.test(f))).toHaveLength(10 * SPECS.length);
    expect(typecheck(files, mode)).toEqual([]);
  }, 120_000);

  it('the client path needs only ES2022 + DOM: no @types/node', () => {
    const roots = [...dirs.values()].map((d) => path.join(d, 'client.ts'));
    const program = ts.createProgram(roots, {
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      verbatimModuleSyntax: true,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      noEmit: true,
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
    expect(program.getSourceFiles().filter((f) => f.fileName.includes('@types/node'))).toEqual([]);
    // The server runtime is not dragged into the browser path.
    expect(program.getSourceFiles().map((f) => path.basename(f.fileName))).not.toContain('runtime-server.ts');
  }, 60_000);

  it('a missing verifier or binding check is a compile error that names the scheme or the group', () => {
    const dir = dirs.get('petstore.yaml') as string;
    const noVerifier = path.join(dir, '..', 'petstore-user-missing-verifier.ts');
    const noBinding = path.join(dir, '..', 'petstore-user-missing-binding.ts');
    const header = `import { createGuard, independent } from './${path.basename(dir)}/guard.js';\n`;
    // Every scheme but SessionCookie; the ApiKey + AppId group is given.
    writeFileSync(
      noVerifier,
      header +
        `export const guard = createGuard({ ApiKey: () => ({}), AppId: () => ({}), Bearer: () => ({}), Basic: () => ({}), OAuth2: () => ({ scopes: [] }), QueryKey: () => ({}), 'ApiKey + AppId': independent });\n`,
    );
    // Every scheme; the ApiKey + AppId group has neither a binding check nor `independent`.
    writeFileSync(
      noBinding,
      header +
        `void independent;\n` +
        `export const guard = createGuard({ ApiKey: () => ({}), AppId: () => ({}), Bearer: () => ({}), Basic: () => ({}), OAuth2: () => ({ scopes: [] }), QueryKey: () => ({}), SessionCookie: () => ({}) });\n`,
    );
    const problems = typecheck([noVerifier, noBinding], 'NodeNext');
    expect(problems).toHaveLength(2);
    expect(problems.find((p) => p.includes('petstore-user-missing-verifier.ts'))).toMatch(/Property 'SessionCookie' is missing/);
    expect(problems.find((p) => p.includes('petstore-user-missing-binding.ts'))).toMatch(/Property '"ApiKey \+ AppId"' is missing/);
  }, 60_000);
});

describe('hostile spec: escaped output that compiles, imports and enforces', () => {
  const SCHEME_X = 'x"\';`${globalThis.__pwned = 1}`\n\u2028 */';
  type Guard = { authorize(op: string, req: unknown): Promise<{ ok: boolean; status?: number; principals?: Record<string, unknown> }>; match(m: string, p: string): string | undefined };
  let guard: Guard;
  const bindings: string[][] = [];

  beforeAll(async () => {
    const dir = dirs.get('hostile/injection.json') as string;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) await importGenerated(dir, file);
    const { createGuard } = await importGenerated<{ createGuard(v: object): Guard }>(dir, 'guard.ts');
    // Verifier keys are the scheme names exactly as the spec writes them.
    const verifiers: Record<string, (credential: unknown) => unknown> = {};
    const accept = (value: unknown, expected: unknown) => (JSON.stringify(value) === JSON.stringify(expected) ? { saw: value } : null);
    Object.defineProperty(verifiers, '__proto__', { value: (k: unknown) => accept(k, 'proto-key'), enumerable: true });
    verifiers[SCHEME_X] = (k) => accept(k, 'app-id');
    verifiers['constructor'] = (k) => accept(k, 'q&"key');
    verifiers['hasOwnProperty'] = (k) => accept(k, 'tok');
    verifiers['a.b-c_d'] = (c) => accept(c, { username: 'u', password: 'p:w' });
    verifiers['toString'] = (k) => accept(k, 'cookie-val');
    verifiers['OAuth (legacy)'] = (k) => (k === 'oauth' ? { scopes: ['pets:write\'"`', 'constructor'] } : null);
    // The root AND group's key: its names in code-unit order ('_' U+005F before 'x').
    // Its binding check gets `__proto__` as an own property, like any other name.
    verifiers[`__proto__ + ${SCHEME_X}`] = (principals) => {
      const p = principals as Record<string, { saw: unknown } | undefined>;
      bindings.push(Object.keys(p));
      return Object.getOwnPropertyDescriptor(p, '__proto__')?.value?.saw === 'proto-key' && p[SCHEME_X]?.saw === 'app-id';
    };
    guard = createGuard(verifiers);
  }, 60_000);

  it('importing every generated module runs nothing injected and pollutes no prototype', () => {
    expect((globalThis as { __pwned?: unknown }).__pwned).toBeUndefined();
    expect(({} as Record<string, unknown>)['saw']).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it('the root AND of `__proto__` and a scheme named with quotes, backticks and U+2028 is enforced', async () => {
    const op = "'; globalThis.__pwned = 1; '";
    const both = await guard.authorize(op, { headers: { "x-proto'key`$": 'proto-key', 'x-app-id': 'app-id' } });
    expect(both.ok).toBe(true);
    expect(Object.getOwnPropertyNames(both.principals).sort()).toEqual(['__proto__', SCHEME_X].sort());
    expect(bindings).toEqual([['__proto__', SCHEME_X]]);
    expect((await guard.authorize(op, { headers: { "x-proto'key`$": 'proto-key' } })).status).toBe(401);
    expect((await guard.authorize(op, { headers: { 'x-app-id': 'app-id' } })).status).toBe(401);
    expect((await guard.authorize(op, { headers: { "x-proto'key`$": 'wrong', 'x-app-id': 'app-id' } })).status).toBe(401);
  });

  it('schemes named constructor / hasOwnProperty / toString / a.b-c_d / "OAuth (legacy)" work like any other name', async () => {
    const queryName = 'k"ey\'</script>\u2028${globalThis.__pwned = 1}';
    expect((await guard.authorize('toString', { headers: {}, query: new URLSearchParams([[queryName, 'q&"key']]) })).ok).toBe(true);
    expect((await guard.authorize('toString', { headers: { authorization: 'Bearer tok' } })).ok).toBe(true);
    expect((await guard.authorize('toString', { headers: {} })).status).toBe(401);
    const del = '*/ globalThis.__pwned = 1 /*\n\u2028';
    expect((await guard.authorize(del, { headers: { cookie: '__proto__=cookie-val' } })).ok).toBe(true);
    expect((await guard.authorize(del, { headers: { cookie: '__proto__=other' } })).status).toBe(401);
    const basic = `Basic ${Buffer.from('u:p:w').toString('base64')}`;
    expect((await guard.authorize('constructor', { headers: { authorization: basic } })).ok).toBe(true);
    expect((await guard.authorize('constructor', { headers: { authorization: 'Bearer oauth' } })).ok).toBe(true);
    expect((await guard.authorize('hasOwnProperty', { headers: {} })).ok).toBe(true);
    // Paths as a client sends them: the server URL's odd characters percent-encoded by URL.
    const sent = (p: string) => new URL(`https://api.example.com/v1'"\`\${x}${p}`).pathname;
    expect(guard.match('GET', sent('/public'))).toBe('hasOwnProperty');
    expect(guard.match('GET', sent('/pets/7'))).toBe('toString');
    expect(guard.match('GET', '/public')).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});
