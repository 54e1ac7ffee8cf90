// Test helper: type-check generated folders in one TypeScript program with the
// strict settings generated code promises (BRIEF §3), under a chosen module mode.
import path from 'node:path';
import ts from 'typescript';

export type ModuleMode = 'NodeNext' | 'Bundler';

export const STRICT_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  verbatimModuleSyntax: true,
  target: ts.ScriptTarget.ES2022,
  skipLibCheck: true,
  noEmit: true,
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
