// `codegen lint`: report diagnostics without generating; exit 1 on errors.
import { hasErrors, type Diagnostic } from '../../diagnostics/types.js';
import { buildModel } from '../../pipeline.js';
import { EXIT, printDiagnostics, type Io } from '../io.js';
import { targetsFrom, type TargetFlags } from '../targets.js';

export async function runLint(flags: TargetFlags & { format?: 'text' | 'json'; validate?: boolean }, io: Io, cwd: string): Promise<number> {
  const targets = await targetsFrom(flags, cwd, false);
  const all: Diagnostic[] = [];
  let unreadable = false;
  for (const t of targets) {
    const { model, diagnostics } = await buildModel(t.spec, cwd, { allowRefsOutside: t.allowRefsOutside });
    if (!model) unreadable = true;
    all.push(...diagnostics);
    if (flags.validate && model) {
      const { validateSchema } = await import('../../load/validate.js');
      all.push(...(await validateSchema(t.spec, cwd, { allowRefsOutside: t.allowRefsOutside })));
    }
  }
  if (flags.format === 'json') printDiagnostics(io, all, 'json');
  else {
    printDiagnostics({ ...io, out: io.out, err: io.out }, all);
    if (!io.quiet) {
      const count = (s: string): number => all.filter((d) => d.severity === s).length;
      io.out(`${count('error')} error(s), ${count('warning')} warning(s)`);
    }
  }
  if (unreadable) return EXIT.unusable;
  return hasErrors(all) ? EXIT.findings : EXIT.ok;
}
