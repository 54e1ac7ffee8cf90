// Test helper: type-check generated folders in one TypeScript program with the
// strict settings generated code promises (BRIEF §3), under a chosen module mode.
import path from 'node:path';
import ts from 'typescript';
import { STRICT_COMPILER_FLAGS } from '../../src/shared/compiler-options.js';

export type ModuleMode = 'NodeNext' | 'Bundler';

// The flags `codegen --verify` uses too (one list in src/shared/compiler-options.ts).
export const STRICT_OPTIONS: ts.CompilerOptions = {
  ...STRICT_COMPILER_FLAGS,
  target: ts.ScriptTarget.ES2022,
  types: ['node'],
};

/** Returns formatted diagnostics (empty = clean) for every `.ts` file given. */
export function typecheck(files: readonly string[], mode: ModuleMode = 'NodeNext', extra: ts.CompilerOptions = {}): string[] {
  const options: ts.CompilerOptions = {
    ...STRICT_OPTIONS,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    typeRoots: [path.resolve('node_modules/@types')],
    ...(mode === 'NodeNext'
      ? { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }
      : { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }),
    ...extra,
  };
  const program = ts.createProgram({ rootNames: [...files], options });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  return diagnostics.map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}
