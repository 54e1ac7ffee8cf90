// docs/diagnostics.md, rendered from the catalog (src/diagnostics/catalog.ts): every
// diagnostic code grouped by severity, then every diff change class with its rules.
// Each entry's heading is its code alone, so `docs/diagnostics.md#<code>` is its anchor
// (what SARIF help and `codegen lint --explain` link to). Written by
// `npm run docs:diagnostics`; test/unit/catalog.test.ts fails when the file is stale.
import { CHANGE_CLASSES, CHANGE_RULES, classOf } from '../diff/classes.js';
import { CHANGE_CLASS_DOCS, CHANGE_RULE_DOCS, DEFAULT_SEVERITY, DIAGNOSTIC_DOCS, type Explanation } from './catalog.js';
import { DIAGNOSTIC_CODES, type Severity } from './types.js';

/** The file, relative to the package root. */
export const DIAGNOSTICS_DOC = 'docs/diagnostics.md';

/** Where a code is documented: `docs/diagnostics.md#<code>` (relative to the package root). */
export function docLink(code: string): string {
  return `${DIAGNOSTICS_DOC}#${code}`;
}

const GROUPS: readonly { readonly severity: Severity; readonly heading: string }[] = [
  { severity: 'error', heading: 'Errors' },
  { severity: 'warning', heading: 'Warnings' },
  { severity: 'info', heading: 'Infos' },
];

const INTRO = `# Diagnostics and diff changes

<!-- Generated from src/diagnostics/catalog.ts by \`npm run docs:diagnostics\`: edit the table there, not this file. -->

Every code below has a title, a cause and a fix; \`codegen lint --explain <code>\` prints
them in a terminal, and SARIF output carries them as rule help. Each entry's anchor is
its code (\`docs/diagnostics.md#operation-without-security\`).

* [Diagnostics](#diagnostics): ${GROUPS.map((g) => `[${g.heading.toLowerCase()}](#${g.heading.toLowerCase()})`).join(', ')}
* [Diff changes](#diff-changes): ${CHANGE_CLASSES.map((c) => `[${c}](#${c})`).join(', ')}`;

const DIAGNOSTICS_INTRO = `## Diagnostics

Every problem \`codegen\` finds (in a spec, a config or an accept file) is reported as data: a stable **code**, a **severity**, a
message, the **file** and an RFC 6901 **JSON pointer** into it (and line/column for
syntax errors). \`codegen lint --format json\` prints them as a JSON array; \`generate\`,
\`check\` and \`report\` print them as \`file#pointer: severity code: message\`.

* **error**: generation refuses. Exit code 2, and nothing is written (the output
  folder is left exactly as it was); \`lint\` exits 1. The \`accept-*\` errors are about
  the accept file of reviewed diff changes, and fail the diff gate (\`codegen ci\`).
* **warning**: generation goes on; the spec probably does not say what its authors meant.
* **info**: generation goes on; a fact worth knowing about the generated code.

Codes are part of the public contract: they are never renamed. The corpus manifest in
\`../shared/corpus/MANIFEST.json\` uses the same codes.`;

const OUTPUT_LIMITS = `### Output limits

In text output, beyond 20 diagnostics of one code only the first per subject (scheme,
scope, operation) is shown, followed by a count; \`--format json\` always lists all.
Control characters and line separators from spec strings are shown as \`\\uXXXX\`
escapes, so a spec cannot forge output lines or colour a terminal.`;

const DIFF_INTRO = `## Diff changes

\`codegen diff <old> <new>\` reports every security change as a **rule** (what changed),
which belongs to exactly one **class** (what it means for access). Classes, worst first:
${CHANGE_CLASSES.map((c) => `\`${c}\``).join(', ')}. \`--fail-on\` names the classes that make the exit
code 1 (default \`weakening,endpoint-changed\`); a change covered by a live entry of the
accept file (config \`accept\`, or \`codegen ci --accept\`) fails nothing.`;

/** Markdown for a table cell: our texts use code spans only; `|` would end the cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function entry(level: string, code: string, e: Explanation, tag: string): string[] {
  return [`${level} \`${code}\``, '', `**${e.title}** (${tag})`, '', e.cause, '', `**Fix:** ${e.fix}`, ''];
}

export function renderDiagnosticsDoc(): string {
  const out: string[] = [INTRO, '', DIAGNOSTICS_INTRO, '', '| Code | Severity | Title |', '|---|---|---|'];
  const bySeverity = GROUPS.map((g) => ({ ...g, codes: DIAGNOSTIC_CODES.filter((c) => DEFAULT_SEVERITY[c] === g.severity) }));
  const byClass = CHANGE_CLASSES.map((cls) => ({ cls, rules: CHANGE_RULES.filter((r) => classOf(r) === cls) }));
  for (const { codes } of bySeverity) {
    for (const code of codes) out.push(`| [\`${code}\`](#${code}) | ${DEFAULT_SEVERITY[code]} | ${cell(DIAGNOSTIC_DOCS[code].title)} |`);
  }
  out.push('');
  for (const group of bySeverity) {
    out.push(`### ${group.heading}`, '');
    for (const code of group.codes) out.push(...entry('####', code, DIAGNOSTIC_DOCS[code], group.severity));
  }
  out.push(OUTPUT_LIMITS, '', DIFF_INTRO, '', '| Rule | Class | Title |', '|---|---|---|');
  for (const { cls, rules } of byClass) {
    for (const rule of rules) out.push(`| [\`${rule}\`](#${rule}) | [${cls}](#${cls}) | ${cell(CHANGE_RULE_DOCS[rule].title)} |`);
  }
  out.push('');
  for (const { cls, rules } of byClass) {
    out.push(...entry('###', cls, CHANGE_CLASS_DOCS[cls], 'change class'));
    out.push(`Rules: ${rules.map((r) => `[\`${r}\`](#${r})`).join(', ')}.`, '');
    for (const rule of rules) out.push(...entry('####', rule, CHANGE_RULE_DOCS[rule], `rule of class ${cls}`));
  }
  return out.join('\n').replace(/\n+$/, '\n');
}
