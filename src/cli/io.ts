// What every command shares: exit codes, printing diagnostics, and the error
// type for bad usage. Commands return an exit code; only main() sets it.
import { renderJson, renderText } from '../diagnostics/render.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Recovery } from '../write/write.js';

export const EXIT = { ok: 0, findings: 1, unusable: 2 } as const;

export class UsageError extends Error {}

export interface Io {
  out(line: string): void;
  err(line: string): void;
  readonly quiet: boolean;
}

export const consoleIo = (quiet: boolean): Io => ({
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  quiet,
});

export function printDiagnostics(io: Io, diagnostics: readonly Diagnostic[], format: 'text' | 'json' = 'text'): void {
  if (format === 'json') {
    io.out(renderJson(diagnostics));
    return;
  }
  const shown = io.quiet ? diagnostics.filter((d) => d.severity === 'error') : diagnostics.filter((d) => d.severity !== 'info');
  for (const line of renderText(shown)) io.err(line);
}

/** What was undone of an interrupted earlier run, one line each (stderr: it is not the command's result). */
export function printRecovery(io: Io, out: string, r: Recovery | undefined): void {
  if (!r) return;
  if (r.restored !== undefined) io.err(`codegen: ${out} was missing; restored the previous output from ${r.restored} (left by an interrupted run)`);
  if (r.removed.length > 0 && !io.quiet) io.err(`codegen: removed ${r.removed.join(', ')} (left by an interrupted run)`);
  if (r.kept.length > 0) io.err(`codegen: kept ${r.kept.join(', ')} (left by an interrupted run): it holds files that ${out} lacks; move what you need, then delete it`);
}
