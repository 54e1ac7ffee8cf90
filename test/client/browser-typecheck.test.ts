// Proves the browser path needs no @types/node: the client runtime (and the client.ts
// and security.ts the generator emits for client-spec.yaml, with the runtime copies
// next to them) type-check with only the ES2022 and DOM libs, no ambient types, and
// the strictest options the repo uses.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateFixture } from '../helpers/generated.js';
import { CLIENT_SPEC } from './generated.js';

const at = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

const files = [
  at('../../templates/runtime/runtime-client.ts'),
  at('../../templates/runtime/runtime-oauth2.ts'),
  at('../../templates/runtime/runtime-routes.ts'),
  at('../../templates/runtime/runtime-tables.ts'),
];

beforeAll(async () => {
  const dir = await generateFixture(CLIENT_SPEC, 'client-browser-typecheck');
  files.push(path.join(dir, 'security.ts'), path.join(dir, 'client.ts'));
}, 60_000);

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: [],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  verbatimModuleSyntax: true,
  noImplicitOverride: true,
  isolatedModules: true,
  noEmit: true,
  skipLibCheck: false,
};

describe('browser type-check', () => {
  it('runtime-client and friends compile with lib ES2022 + DOM and no @types/node', () => {
    const program = ts.createProgram(files, options);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.formatDiagnostic(d, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => process.cwd(),
      getNewLine: () => '\n',
    }));
    expect(program.getRootFileNames().filter((f) => f.includes('client-browser-typecheck'))).toHaveLength(2);
    expect(diagnostics).toEqual([]);
    // Nothing from @types/node crept in through a transitive import.
    expect(program.getSourceFiles().filter((f) => f.fileName.includes('@types/node'))).toEqual([]);
  }, 60_000);
});
