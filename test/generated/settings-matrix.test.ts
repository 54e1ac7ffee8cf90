// The generated folder type-checks under the compiler settings real projects use, not
// only the strict ones it promises (BRIEF §3, test/generated/generated.test.ts): every
// spec in specs/ generated with every adapter and the whole client, then one program
// per setting combination over all of it, with `strict` off and on, with and without
// `exactOptionalPropertyTypes` (which needs `strictNullChecks`) and
// `noUncheckedIndexedAccess`, under `moduleResolution` NodeNext, Bundler and Node10
// (`module: commonjs`: a CommonJS project importing the ESM folder). Each program also
// holds consumers importing every folder from outside (ESM, and CommonJS: `.cts` under
// NodeNext, every file under Node10) and an Express app that uses
// express-oauth2-jwt-bearer beside the generated adapter. Then: the runtime is erasable
// TypeScript (`erasableSyntaxOnly`), and through Node's own strip-only transform (amaro), a guard
// is created from the generated .ts files as Node runs them.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateFixture, TEST_OUTPUT } from '../helpers/generated.js';
import { STRIP_TYPES_IMPORT } from '../helpers/strip-types.js';
import { REPO } from '../helpers/cli.js';


const OUT = path.join(TEST_OUTPUT, 'settings-matrix');

/** Every document in specs/ (not the fragments they `$ref`, like specs/paths/me.yaml). */
function specFiles(dir = path.join(REPO, 'specs')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return specFiles(file);
    return /^\s*["']?(openapi|swagger)["']?\s*:/m.test(readFileSync(file, 'utf8')) ? [path.relative(REPO, file)] : [];
  });
}

const SPECS = specFiles();
const folders = new Map<string, string>();
const folderName = (spec: string): string => spec.replace(/^specs\//, '').replace(/[/.]/g, '_');
const tsFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));

const PETSTORE_VERIFIERS = `{ ApiKey: () => ({}), AppId: () => ({}), Bearer: () => ({}), Basic: () => ({}), OAuth2: () => ({ scopes: [] }), QueryKey: () => ({}), SessionCookie: () => ({}), 'ApiKey + AppId': independent }`;

/** Imports every module of every folder, as a project would from outside it. */
function consumer(): string {
  const lines: string[] = [];
  const names: string[] = [];
  [...folders.keys()].forEach((spec, i) => {
    for (const file of readdirSync(folders.get(spec) as string).filter((f) => f.endsWith('.ts'))) {
      const name = `m${i}_${file.replace(/\W/g, '_')}`;
      names.push(name);
      lines.push(`import * as ${name} from './${folderName(spec)}/${file.replace(/\.ts$/, '.js')}';`);
    }
  });
  return [
    ...lines,
    `import { createGuard, independent } from './petstore_yaml/guard.js';`,
    `import { fetchAuth } from './petstore_yaml/fetch.js';`,
    `import { authOf as honoAuthOf, authMiddleware as honoAuth } from './petstore_yaml/hono.js';`,
    `export const modules = [${names.join(', ')}];`,
    `export const guard = createGuard(${PETSTORE_VERIFIERS});`,
    `export const hono = [honoAuth(guard), honoAuthOf];`,
    `export async function handle(request: Request): Promise<Response> {`,
    `  const auth = await fetchAuth(guard)(request);`,
    `  if (auth instanceof Response) return auth;`,
    `  const result = await guard.authorize('listPets', { headers: {} });`,
    `  if (result.ok === false) return new Response(JSON.stringify(result.body), { status: result.status });`,
    `  return Response.json({ principals: auth?.principals, alternative: result.alternative });`,
    `}`,
    '',
  ].join('\n');
}

/** An Express app with express-oauth2-jwt-bearer (which declares `req.auth` on Express's Request) and the generated adapter. */
const OAUTH2_JWT_BEARER = `import express from 'express';
import { auth } from 'express-oauth2-jwt-bearer';
import { createGuard, independent } from './petstore_yaml/guard.js';
import { authMiddleware, authOf, requireAuth } from './petstore_yaml/express.js';

const guard = createGuard(${PETSTORE_VERIFIERS});
export const app = express();
app.use(auth({ audience: 'https://api.example.com', issuerBaseURL: 'https://issuer.example.com/' }));
app.use(authMiddleware(guard));
app.get('/v1/pets', requireAuth(guard, 'listPets'), (req, res) => {
  const subject: string | undefined = req.auth?.payload.sub;
  res.json({ subject, principals: authOf(req, guard)?.principals });
});
`;

/** What the Express adapter declared before: \`req.auth\` on Express's Request, for every importer. */
const LEGACY_AUGMENTATION = `import type { RequestAuth } from './petstore_yaml/runtime-server.js';
declare global {
  namespace Express {
    interface Request {
      auth?: RequestAuth | undefined;
    }
  }
}
export {};
`;

const MODULES = {
  NodeNext: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  Bundler: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler },
  // A CommonJS project: every file, the generated ones included, compiled as CommonJS.
  // Node10 is deprecated in TypeScript 6 (TS5107 unless silenced) and gone in 7; projects still on it silence it so.
  Node10: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true, ...(Number(ts.versionMajorMinor.split('.')[0]) === 6 ? { ignoreDeprecations: '6.0' } : {}) },
} as const satisfies Record<string, ts.CompilerOptions>;
type Mode = keyof typeof MODULES;

const STRICTNESS: readonly ts.CompilerOptions[] = [
  { strict: false },
  { strict: false, noUncheckedIndexedAccess: true },
  { strict: true },
  { strict: true, exactOptionalPropertyTypes: true },
  { strict: true, noUncheckedIndexedAccess: true },
  { strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true },
];

const BASE: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  types: ['node'],
  typeRoots: [path.join(REPO, 'node_modules/@types')],
  skipLibCheck: true,
  noEmit: true,
};

// Parsed files shared by the programs whose settings parse them alike (node_modules'
// declarations are most of the parsing): keyed by what shapes a parse and its binding.
const parsed = new Map<string, ts.SourceFile | undefined>();
function diagnostics(roots: readonly string[], options: ts.CompilerOptions): string[] {
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  const settings = `${options.module}|${options.moduleResolution}|${options.strict === true}`;
  host.getSourceFile = (fileName, version, onError, fresh) => {
    const key = `${fileName}|${JSON.stringify(version)}|${settings}`;
    if (!fresh && parsed.has(key)) return parsed.get(key);
    const file = read(fileName, version, onError, fresh);
    parsed.set(key, file);
    return file;
  };
  const program = ts.createProgram({ rootNames: [...roots], options, host });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${path.relative(OUT, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
    return `${where} TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

const generatedFiles = (): string[] => [...folders.values()].flatMap(tsFiles);
const fixture = (name: string): string => path.join(OUT, name);

beforeAll(async () => {
  for (const spec of SPECS) folders.set(spec, await generateFixture(spec, `settings-matrix/${folderName(spec)}`));
  writeFileSync(fixture('consumer.ts'), consumer());
  // A CommonJS file in an ESM package: under NodeNext, `import` of the ESM folder is a require() of ESM.
  writeFileSync(fixture('consumer-commonjs.cts'), consumer());
  writeFileSync(fixture('oauth2-jwt-bearer.ts'), OAUTH2_JWT_BEARER);
  writeFileSync(fixture('legacy-augmentation.ts'), LEGACY_AUGMENTATION);
}, 120_000);

describe('generated output type-checks under the settings real projects use', () => {
  it('covers every spec in specs/', () => {
    expect(SPECS).toEqual(expect.arrayContaining(['specs/petstore.yaml', 'specs/petstore-swagger2.yaml', 'specs/petstore-3.1.yaml', 'specs/hostile/injection.json']));
    expect(SPECS).not.toContain('specs/paths/me.yaml');
  });

  const matrix = (Object.keys(MODULES) as Mode[]).flatMap((mode) => STRICTNESS.map((strictness) => [mode, strictness] as const));
  it.each(matrix)('moduleResolution %s, %o', (mode, strictness) => {
    const consumers = ['consumer.ts', 'oauth2-jwt-bearer.ts', ...(mode === 'NodeNext' ? ['consumer-commonjs.cts'] : [])].map(fixture);
    expect(diagnostics([...generatedFiles(), ...consumers], { ...BASE, ...MODULES[mode], ...strictness })).toEqual([]);
  }, 180_000);
});

describe('beside express-oauth2-jwt-bearer (a likely Bearer verifier, which declares `req.auth` itself)', () => {
  const strict = { ...BASE, ...MODULES.NodeNext, strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, verbatimModuleSyntax: false };
  it('an app using its auth() middleware and the generated adapter type-checks', () => {
    expect(diagnostics([fixture('oauth2-jwt-bearer.ts')], strict)).toEqual([]);
  }, 60_000);

  it('(control) the `req.auth` augmentation the adapter no longer declares collides with it: TS2717', () => {
    const problems = diagnostics([fixture('oauth2-jwt-bearer.ts'), fixture('legacy-augmentation.ts')], strict);
    expect(problems.some((p) => p.includes('TS2717') && p.includes("'auth'"))).toBe(true);
  }, 60_000);
});

describe('erasable TypeScript: runs under Node type stripping', () => {
  it('every generated file type-checks with erasableSyntaxOnly (no enums, namespaces, parameter properties)', () => {
    const options = { ...BASE, ...MODULES.NodeNext, strict: true, verbatimModuleSyntax: true, erasableSyntaxOnly: true };
    expect(diagnostics(generatedFiles(), options)).toEqual([]);
  }, 180_000);

  // Through Node's strip-only type removal (test/helpers/strip-types.ts).
  it('Node imports the generated guard.ts and every adapter through strip-only type removal, creates a guard and decides', () => {
    const dir = folders.get('specs/petstore.yaml') as string;
    const script = `
for (const file of ${JSON.stringify(tsFiles(dir).map((f) => path.basename(f)))}) await import(${JSON.stringify(dir + '/')} + file);
const { createGuard, independent } = await import(${JSON.stringify(path.join(dir, 'guard.ts'))});
const guard = createGuard(${PETSTORE_VERIFIERS.replace('ApiKey: () => ({})', "ApiKey: (key) => (key === 'k' ? { key } : null)")});
const pass = await guard.authorize('listPets', { headers: { 'x-api-key': 'k', 'x-app-id': 'a' } });
const fail = await guard.authorize('listPets', { headers: {} });
console.log(JSON.stringify({ pass: pass.ok, fail: fail.ok === false ? fail.status : 'pass' }));`;
    const run = spawnSync(process.execPath, ['--import', STRIP_TYPES_IMPORT, '--input-type=module', '-e', script], { encoding: 'utf8', cwd: REPO });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ pass: true, fail: 401 });
  }, 60_000);
});
