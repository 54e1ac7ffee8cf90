// `codegen lint --explain <code>`: the title, cause and fix of a diagnostic code, diff
// change rule or change class, from the catalog, as plain text for a terminal. Reads no
// spec and no config. Exit 0; an unknown code is exit 2 with a did-you-mean.
import { CHANGE_CLASS_DOCS, CHANGE_RULE_DOCS, DEFAULT_SEVERITY, DIAGNOSTIC_DOCS, explain } from '../../diagnostics/catalog.js';
import { DIAGNOSTICS_DOC, docLink } from '../../diagnostics/doc.js';
import { terminalSafe } from '../../diagnostics/render.js';
import { CHANGE_RULES, classOf, type ChangeClass, type ChangeRule } from '../../diff/classes.js';
import type { DiagnosticCode } from '../../diagnostics/types.js';
import { didYouMean } from '../../shared/did-you-mean.js';
import { EXIT, type Io } from '../io.js';

const WIDTH = 80;
const INDENT = '  ';

/** Every code `--explain` knows, diagnostics first. */
export function explainableCodes(): string[] {
  return [...Object.keys(DIAGNOSTIC_DOCS), ...Object.keys(CHANGE_RULE_DOCS), ...Object.keys(CHANGE_CLASS_DOCS)];
}

/** The explanation as terminal lines; `undefined` for an unknown code. */
export function explanationLines(code: string): string[] | undefined {
  const e = explain(code);
  if (!e) return undefined;
  const what =
    e.kind === 'diagnostic'
      ? `diagnostic, ${DEFAULT_SEVERITY[code as DiagnosticCode]}`
      : e.kind === 'change-rule'
        ? `diff change rule, class ${classOf(code as ChangeRule)}`
        : `diff change class; rules: ${CHANGE_RULES.filter((r) => classOf(r) === (code as ChangeClass)).join(', ')}`;
  return [
    `${code}: ${e.title}`,
    ...wrap(`(${what})`, ''),
    '',
    'Cause:',
    ...wrap(e.cause, INDENT),
    '',
    'Fix:',
    ...wrap(e.fix, INDENT),
    '',
    `More: ${docLink(code)} (in the openapi-security-codegen package)`,
  ];
}

export function runExplain(code: string, io: Io): number {
  const lines = explanationLines(code);
  if (lines) {
    for (const line of lines) io.out(line);
    return EXIT.ok;
  }
  io.err(terminalSafe(`codegen: unknown code ${JSON.stringify(code)} for --explain${didYouMean(code, explainableCodes())}`));
  io.err(`codegen: --explain takes a diagnostic code, a diff change rule or a diff change class; ${DIAGNOSTICS_DOC} lists them all`);
  return EXIT.unusable;
}

/** Words filled into lines of at most WIDTH columns (a longer word gets a line of its own). */
function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}
