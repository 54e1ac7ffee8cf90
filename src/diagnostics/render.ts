// Diagnostics -> text for people (one line each, `file#pointer`) or JSON for tools.
import { replaceControls, unicodeEscape } from '../shared/control-chars.js';
import type { Diagnostic } from './types.js';

export function formatLocation(d: Diagnostic): string {
  const pos = d.line !== undefined ? `:${d.line}${d.column !== undefined ? `:${d.column}` : ''}` : '';
  return `${d.file}${pos}${d.pointer !== '' ? `#${d.pointer}` : ''}`;
}

export function formatDiagnostic(d: Diagnostic): string {
  return terminalSafe(`${formatLocation(d)}: ${d.severity} ${d.code}: ${d.message}`);
}

/**
 * Spec strings end up in messages; control characters (ANSI escapes, newlines,
 * U+2028/9) are shown as escapes so a spec cannot forge lines or recolour a terminal.
 */
export function terminalSafe(text: string): string {
  return replaceControls(text, unicodeEscape);
}

/**
 * Text lines; beyond `limit` diagnostics of one code, only the first of each
 * subject is shown, so a spec with 345 copies of one mistake stays readable.
 */
export function renderText(diagnostics: readonly Diagnostic[], limit = 20): string[] {
  const perCode = new Map<string, number>();
  const seenSubject = new Set<string>();
  const hidden = new Map<string, number>();
  const lines: string[] = [];
  for (const d of diagnostics) {
    const n = (perCode.get(d.code) ?? 0) + 1;
    perCode.set(d.code, n);
    const subjectKey = `${d.code}\u0000${d.subject ?? d.pointer}`;
    const firstOfSubject = !seenSubject.has(subjectKey);
    seenSubject.add(subjectKey);
    if (n <= limit || firstOfSubject) lines.push(formatDiagnostic(d));
    else hidden.set(d.code, (hidden.get(d.code) ?? 0) + 1);
  }
  for (const [code, count] of hidden) lines.push(`… ${count} more ${code} diagnostic${count === 1 ? '' : 's'} (see \`codegen lint --format json\`)`);
  return lines;
}

export function renderJson(diagnostics: readonly Diagnostic[]): string {
  return JSON.stringify(diagnostics, null, 2);
}
