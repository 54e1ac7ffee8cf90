// `codegen [generate]`: generate every configured target and write it (src/write/write.ts).
import { condenseCoverage } from '../../check/coverage.js';
import { hasErrors } from '../../diagnostics/types.js';
import { generate } from '../../pipeline.js';
import { writeOutput } from '../../write/write.js';
import { EXIT, printDiagnostics, printRecovery, type Io } from '../io.js';
import { targetsFrom, type TargetFlags } from '../targets.js';

export async function runGenerate(flags: TargetFlags & { verify?: boolean; force?: boolean }, io: Io, cwd: string): Promise<number> {
  const targets = await targetsFrom(flags, cwd, true);
  // Generate everything first: one bad spec in a monorepo config writes nothing.
  const results = [];
  let failed = false;
  for (const target of targets) {
    const result = await generate({ ...target, cwd });
    printDiagnostics(io, condenseCoverage(result.diagnostics));
    if (!result.model || hasErrors(result.diagnostics)) {
      io.err(`codegen: ${target.spec}: not generated; ${target.out} left untouched`);
      failed = true;
    }
    results.push({ target, result });
  }
  if (failed) return EXIT.unusable;
  if (flags.verify) {
    const { typecheckFiles } = await import('../../verify/compiler.js');
    for (const { target, result } of results) {
      const problems = await typecheckFiles(result.files);
      if (problems.length > 0) {
        for (const p of problems) io.err(`${target.out}/${p}`);
        io.err(`codegen: ${target.spec}: generated code does not type-check; ${target.out} left untouched`);
        return EXIT.unusable;
      }
    }
  }
  for (const { target, result } of results) {
    const w = await writeOutput(target.out, result.files, cwd, { force: flags.force ?? false });
    printRecovery(io, target.out, w.recovery);
    if (!io.quiet) {
      io.out(w.unchanged ? `${target.out}: up to date (${result.files.length} files)` : `${target.out}: wrote ${w.written.length} of ${result.files.length} files${w.removed.length ? `, removed ${w.removed.length} stale` : ''}`);
    }
  }
  return EXIT.ok;
}
