// What every command shares: exit codes, printing diagnostics, and the error
// type for bad usage. Commands return an exit code; only main() sets it.
import { renderJson, renderText } from '../diagnostics/render.js';
import type { Diagnostic } from '../diagnostics/types.js';

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
