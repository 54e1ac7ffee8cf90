// `codegen report`: the security matrix of every configured spec, as Markdown
// (default), JSON or one self-contained HTML page; to stdout or --output <file>.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { condenseCoverage } from '../../check/coverage.js';
import { hasErrors } from '../../diagnostics/types.js';
import { buildModel } from '../../pipeline.js';
import { renderHtml } from '../../report/html.js';
import { renderMarkdown } from '../../report/markdown.js';
import { buildMatrix, type Matrix } from '../../report/matrix.js';
import { EXIT, printDiagnostics, type Io } from '../io.js';
import { targetsFrom, type TargetFlags } from '../targets.js';

export interface ReportFlags extends TargetFlags {
  format?: string;
  output?: string | undefined;
}

export async function runReport(flags: ReportFlags, io: Io, cwd: string): Promise<number> {
  const targets = await targetsFrom(flags, cwd, false);
  const matrices: Matrix[] = [];
  let unusable = false;
  for (const target of targets) {
    const { model, diagnostics } = await buildModel(target.spec, cwd, { skipInvalid: target.skipInvalid === true, allowRefsOutside: target.allowRefsOutside, public: target.public });
    printDiagnostics(io, condenseCoverage(diagnostics));
    if (!model || hasErrors(diagnostics)) {
      io.err(`codegen: ${target.spec}: no report (fix the errors above, or pass --skip-invalid)`);
      unusable = true;
      continue;
    }
    matrices.push(buildMatrix(model, target.envPrefix));
  }
  if (unusable) return EXIT.unusable;
  const text =
    flags.format === 'html'
      ? renderHtml(matrices)
      : flags.format === 'json'
        ? JSON.stringify(matrices.length === 1 ? matrices[0] : matrices, null, 2) + '\n'
        : matrices.map(renderMarkdown).join('\n\n') + '\n';
  if (flags.output === undefined) {
    io.out(text.replace(/\n$/, ''));
    return EXIT.ok;
  }
  const file = path.resolve(cwd, flags.output);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  if (!io.quiet) io.out(`${flags.output}: wrote ${flags.format ?? 'markdown'} report (${matrices.reduce((n, m) => n + m.operations.length, 0)} operations)`);
  return EXIT.ok;
}
