// The one module that loads ts-morph (it bundles its own TypeScript compiler; TypeScript 7
// ships no JavaScript compiler API, so the compiler must stay swappable in one place).
// It serves two callers: `--verify` type-checks generated files in memory with the
// strict settings the generated code promises, and the config loader transpiles a
// `codegen.config.ts`. ts-morph is imported lazily, so runs that need neither never
// pay for loading a compiler.
import type { FilePlan } from '../emit/plan.js';
import { STRICT_COMPILER_FLAGS } from '../shared/compiler-options.js';

/** `file:line: message` for every compiler diagnostic in `files` (empty = clean). */
export async function typecheckFiles(files: readonly FilePlan[]): Promise<string[]> {
  const { Project, ts } = await import('ts-morph');
  const project = new Project({
    useInMemoryFileSystem: false,
    skipAddingFilesFromTsConfig: true,
    compilerOptions: {
      ...STRICT_COMPILER_FLAGS,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    },
  });
  const base = `${process.cwd()}/.codegen-verify-${process.pid}`;
  for (const f of files) project.createSourceFile(`${base}/${f.path}`, f.contents, { overwrite: true });
  return project.getPreEmitDiagnostics().map((d) => {
    const file = d.getSourceFile()?.getFilePath().slice(base.length + 1) ?? '';
    const text = typeof d.getMessageText() === 'string' ? (d.getMessageText() as string) : ts.flattenDiagnosticMessageText(d.getMessageText() as never, '\n');
    return `${file}:${d.getLineNumber() ?? 0}: ${text}`;
  });
}

/**
 * TypeScript source -> an ES module with the types erased (no type-check): how Node 20,
 * which cannot import TypeScript, runs a `.ts` config file.
 */
export async function transpileToModule(source: string, fileName: string): Promise<string> {
  const { ts } = await import('ts-morph');
  return ts.transpileModule(source, {
    fileName,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
  }).outputText;
}
