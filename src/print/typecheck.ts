// Optional `--verify`: type-check generated files in memory before writing, with the
// strict settings the generated code promises. The only module that loads ts-morph
// (it bundles its own TypeScript compiler), and only when asked for.
import type { FilePlan } from '../emit/plan.js';

export async function typecheckFiles(files: readonly FilePlan[]): Promise<string[]> {
  const { Project, ts } = await import('ts-morph');
  const project = new Project({
    useInMemoryFileSystem: false,
    skipAddingFilesFromTsConfig: true,
    compilerOptions: {
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      verbatimModuleSyntax: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      skipLibCheck: true,
      noEmit: true,
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
