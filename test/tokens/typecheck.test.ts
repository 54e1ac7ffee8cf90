// The token verifier files as generated (`jwt`, `introspection`, every adapter, from
// test/tokens/tokens.yaml) type-check under the settings real projects use, as
// test/generated/settings-matrix.test.ts does for the other features: `strict` off and
// on, with `exactOptionalPropertyTypes` and `noUncheckedIndexedAccess`, module NodeNext,
// Bundler and CommonJS (Node10), `verbatimModuleSyntax`, `erasableSyntaxOnly`. A consumer
// outside the folder wires the verifiers into `createGuard` and reads the principals'
// types back; under `strict`, the options that would weaken the checks (no audience,
// keys and a secret at once, HMAC with a JWKS, a bearer scheme without keys) are
// compile errors.
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_OUTPUT } from '../helpers/generated.js';
import { generateTokenFixture } from '../helpers/token-fixture.js';
import { REPO } from '../helpers/cli.js';

const OUT = path.join(TEST_OUTPUT, 'tokens-typecheck');
let files: string[] = [];

const CONSUMER = `import { createGuard } from './out/guard.js';
import { schemes } from './out/security.js';
import { jwtVerifier, jwtVerifierFor, type TokenPrincipal } from './out/runtime-jwt.js';
import { introspectionVerifier } from './out/runtime-introspection.js';

const bearer = jwtVerifier({ issuer: 'https://issuer.example', audience: 'api', jwksUrl: 'https://issuer.example/jwks', requireAccessTokenType: true });
const oidc = jwtVerifierFor(schemes, 'Oidc', {
  issuer: 'https://issuer.example',
  audience: ['api', 'api2'],
  baseUrl: 'https://issuer.example/',
  jwksCooldownMs: 10_000,
  principal: (token: TokenPrincipal) => ({ user: token.subject ?? 'anonymous', scopes: token.scopes }),
});
const opaque = introspectionVerifier({ endpoint: 'https://issuer.example/introspect', clientId: 'rs', clientSecret: 's', audience: 'https://api.example', cacheMaxSeconds: 30 });
const shared = jwtVerifier({ issuer: 'https://issuer.example', audience: 'api', secret: new Uint8Array(32), algorithms: ['HS256'] });
const viaProvider = introspectionVerifier({ endpoint: 'https://issuer.example/introspect', bearerToken: async () => 'token', audience: null });
export const verifiers = [shared, viaProvider];

export const guard = createGuard({ Bearer: bearer, Oidc: oidc, OAuth2: opaque });
export async function decide(): Promise<readonly (string | undefined)[] | number> {
  const result = await guard.authorize('showOidcThing', { headers: { authorization: 'Bearer x' } });
  if (result.ok === false) return result.status;
  const user: string | undefined = result.principals.Oidc?.user;
  const subject: string | undefined = result.principals.Bearer?.subject;
  const scopes: readonly string[] | undefined = result.principals.OAuth2?.scopes;
  return [user, subject, ...(scopes ?? [])];
}
`;

const CONSUMER_STRICT = `import { schemes } from './out/security.js';
import { jwtVerifier, jwtVerifierFor } from './out/runtime-jwt.js';
import { introspectionVerifier } from './out/runtime-introspection.js';

// @ts-expect-error the audience is required
jwtVerifier({ issuer: 'x', jwksUrl: 'https://x.example/jwks' });
// @ts-expect-error keys from a JWKS URL and a secret at once
jwtVerifier({ issuer: 'x', audience: 'a', jwksUrl: 'https://x.example/jwks', secret: 'y' });
// @ts-expect-error HMAC algorithms only with a secret
jwtVerifier({ issuer: 'x', audience: 'a', jwksUrl: 'https://x.example/jwks', algorithms: ['HS256'] });
// @ts-expect-error never alg none
jwtVerifier({ issuer: 'x', audience: 'a', jwksUrl: 'https://x.example/jwks', algorithms: ['none'] });
// @ts-expect-error a bearer scheme names no keys
jwtVerifierFor(schemes, 'Bearer', { issuer: 'x', audience: 'a' });
// @ts-expect-error a client secret and a bearer token at once
introspectionVerifier({ endpoint: 'https://x.example', clientId: 'a', clientSecret: 'b', bearerToken: 'c', audience: null });
// @ts-expect-error no client authentication
introspectionVerifier({ endpoint: 'https://x.example', audience: null });
// @ts-expect-error the audience must be given (null to check none, deliberately)
introspectionVerifier({ endpoint: 'https://x.example', clientId: 'a', clientSecret: 'b' });
export {};
`;

const MODULES = {
  NodeNext: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  Bundler: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler },
  Node10: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true, ...(Number(ts.versionMajorMinor.split('.')[0]) === 6 ? { ignoreDeprecations: '6.0' } : {}) },
} as const satisfies Record<string, ts.CompilerOptions>;

const STRICTNESS: readonly ts.CompilerOptions[] = [
  { strict: false },
  { strict: false, noUncheckedIndexedAccess: true },
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
// declarations are most of the work), as in test/generated/settings-matrix.test.ts.
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

beforeAll(async () => {
  const dir = await generateTokenFixture('test/tokens/tokens.yaml', 'tokens-typecheck/out');
  writeFileSync(path.join(OUT, 'consumer.ts'), CONSUMER);
  writeFileSync(path.join(OUT, 'consumer-strict.ts'), CONSUMER_STRICT);
  files = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
}, 60_000);

describe('the token verifier files type-check under the settings real projects use', () => {
  it('the folder holds them', () => {
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['runtime-jwt.ts', 'runtime-jwt-checks.ts', 'runtime-jwks.ts', 'runtime-oidc-discovery.ts', 'runtime-introspection.ts', 'runtime-token-cache.ts', 'runtime-token-claims.ts', 'runtime-token-http.ts']));
  });

  // Every strictness under NodeNext; the loosest and the strictest under the others.
  const matrix = (Object.keys(MODULES) as (keyof typeof MODULES)[]).flatMap((mode) =>
    STRICTNESS.filter((strictness, i) => mode === 'NodeNext' || (mode === 'Bundler' ? i !== 1 : i === STRICTNESS.length - 1)).map((strictness) => [mode, strictness] as const),
  );
  it.each(matrix)('moduleResolution %s, %o', (mode, strictness) => {
    const roots = [...files, path.join(OUT, 'consumer.ts'), ...(strictness.strict === true ? [path.join(OUT, 'consumer-strict.ts')] : [])];
    expect(diagnostics(roots, { ...BASE, ...MODULES[mode], ...strictness })).toEqual([]);
  }, 120_000);

  it('verbatimModuleSyntax and erasableSyntaxOnly (Node type stripping)', () => {
    expect(diagnostics(files, { ...BASE, ...MODULES.NodeNext, strict: true, verbatimModuleSyntax: true, erasableSyntaxOnly: true })).toEqual([]);
  }, 120_000);
});
