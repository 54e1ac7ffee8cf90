// `codegen lint`: report diagnostics without generating; exit 1 on errors.
import { hasErrors, type Diagnostic } from '../../diagnostics/types.js';
import { buildModel } from '../../pipeline.js';
import { EXIT, printDiagnostics, type Io } from '../io.js';
import { targetsFrom, type TargetFlags } from '../targets.js';

export async function runLint(flags: TargetFlags & { format?: 'text' | 'json' | 'sarif'; validate?: boolean }, io: Io, cwd: string): Promise<number> {
  const targets = await targetsFrom(flags, cwd, false);
  const all: Diagnostic[] = [];
  let unreadable = false;
  // Per target, for SARIF: each target's files are read again under its own policy.
  const groups: { spec: string; allowRefsOutside: readonly string[] | undefined; diagnostics: Diagnostic[] }[] = [];
  for (const t of targets) {
    const from = all.length;
    const { model, diagnostics } = await buildModel(t.spec, cwd, { allowRefsOutside: t.allowRefsOutside, public: t.public });
    if (!model) unreadable = true;
    all.push(...diagnostics);
    if (flags.validate && model) {
      const { validateSchema } = await import('../../load/validate.js');
      all.push(...(await validateSchema(t.spec, cwd, { allowRefsOutside: t.allowRefsOutside })));
    }
    groups.push({ spec: t.spec, allowRefsOutside: t.allowRefsOutside, diagnostics: all.slice(from) });
  }
  if (flags.format === 'sarif') {
    // Loaded only here: it brings the YAML parser that finds lines and columns.
    const { lintSarif } = await import('../../report/sarif-locate.js');
    io.out(await lintSarif(groups, cwd));
  } else if (flags.format === 'json') printDiagnostics(io, all, 'json');
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
