// `codegen diff` output: text for a terminal, Markdown for a pull-request
// comment, JSON for tools. Same changes, same order in all three.
import { terminalSafe } from '../diagnostics/render.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Origin } from '../ir/types.js';
import { mdCode, mdText } from '../report/escape.js';
import { CHANGE_CLASSES, type Change, type ChangeClass } from './compare.js';

export interface DiffReport {
  readonly old: string;
  readonly new: string;
  readonly changes: readonly Change[];
}

export function countByClass(changes: readonly Change[]): Record<ChangeClass, number> {
  const out = Object.fromEntries(CHANGE_CLASSES.map((c) => [c, 0])) as Record<ChangeClass, number>;
  for (const c of changes) out[c.class]++;
  return out;
}

function summaryLine(changes: readonly Change[]): string {
  const n = countByClass(changes);
  return CHANGE_CLASSES.map((c) => `${n[c]} ${c}`).join(', ');
}

const where = (o: Origin | null): string => (o ? `${o.file}#${o.at}` : '(none)');

export function renderText(report: DiffReport): string {
  const lines: string[] = [terminalSafe(`Security changes from ${report.old} to ${report.new}`)];
  if (report.changes.length === 0) lines.push('no security changes');
  for (const c of report.changes) {
    const op = c.operation.method === '' ? `${c.operation.id} (API-wide)` : `${c.operation.id} (${c.operation.method.toUpperCase()} ${c.operation.path})`;
    lines.push(terminalSafe(`${c.class}${c.accepted ? ' (accepted)' : ''}: ${op}: ${c.message} [${c.rule}]`));
    if (c.accepted) lines.push(terminalSafe(`    accepted until ${c.accepted.expires}: ${c.accepted.reason} (${where(c.accepted.at)})`));
    lines.push(terminalSafe(`    old: ${where(c.old)}`));
    lines.push(terminalSafe(`    new: ${where(c.new)}`));
  }
  lines.push(summaryLine(report.changes));
  return lines.join('\n');
}

const CLASS_TITLE: Record<ChangeClass, string> = {
  weakening: 'Weakening',
  'endpoint-changed': 'Credential endpoint or server changed',
  'client-breaking': 'Client-breaking',
  strengthening: 'Strengthening',
  neutral: 'Neutral',
};

export function renderMarkdown(report: DiffReport): string {
  const n = countByClass(report.changes);
  const lines: string[] = [`## Security changes: ${mdCode(report.old)} → ${mdCode(report.new)}`, ''];
  lines.push(CHANGE_CLASSES.map((c) => `**${n[c]}** ${c}`).join(' · '), '');
  if (report.changes.length === 0) {
    lines.push('No security changes.');
    return lines.join('\n');
  }
  for (const cls of CHANGE_CLASSES) {
    const group = report.changes.filter((c) => c.class === cls);
    if (group.length === 0) continue;
    lines.push(`### ${CLASS_TITLE[cls]}`, '', '| Operation | Method | Path | Change | Rule | Old | New |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const c of group) {
      const at = (o: Origin | null): string => (o ? mdCode(`${o.file}#${o.at}`) : '(none)');
      lines.push(
        `| ${mdCode(c.operation.id)} | ${c.operation.method.toUpperCase()} | ${mdCode(c.operation.path)} | ${mdText(c.message)}${c.accepted ? ` (accepted until ${c.accepted.expires}: ${mdText(c.accepted.reason)})` : ''} | ${c.rule} | ${at(c.old)} | ${at(c.new)} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n').replace(/\n+$/, '');
}

/** `acceptProblems`: the accept file's expired and unmatched entries (listed only when there are some). */
export function renderJson(report: DiffReport, acceptProblems: readonly Diagnostic[] = []): string {
  const accepted = report.changes.filter((c) => c.accepted !== undefined).length;
  return JSON.stringify(
    { old: report.old, new: report.new, summary: { ...countByClass(report.changes), ...(accepted > 0 ? { accepted } : {}) }, changes: report.changes, ...(acceptProblems.length > 0 ? { acceptProblems } : {}) },
    null,
    2,
  );
}
