// The matrix as Markdown (the default `codegen report` output): a summary line,
// an operations table and a schemes table. Every spec string goes through mdText.
import { mdCode, mdText } from './escape.js';
import { alternativesText, summaryText, type Matrix } from './matrix.js';

export function renderMarkdown(matrix: Matrix): string {
  const lines = [`# Security matrix: ${mdText(matrix.title)} ${mdText(matrix.version)}`, '', `Spec: ${mdCode(matrix.spec)}`, '', summaryText(matrix.summary), ''];
  lines.push('| Method | Path | Operation | Access | Alternatives (OR of AND groups) |', '| --- | --- | --- | --- | --- |');
  for (const op of matrix.operations) {
    const access = op.access === 'required' ? 'required' : `**${op.access}**`;
    lines.push(`| ${op.method.toUpperCase()} | ${mdCode(op.path)} | ${mdCode(op.id)} | ${access} | ${mdText(alternativesText(op))} |`);
  }
  lines.push('', '| Scheme | Type | Credential | Client env variables |', '| --- | --- | --- | --- |');
  for (const s of matrix.schemes) lines.push(`| ${mdCode(s.id)} | ${mdText(s.type)} | ${mdText(s.credential)} | ${s.env.length > 0 ? s.env.map(mdCode).join(', ') : 'none'} |`);
  return lines.join('\n');
}
