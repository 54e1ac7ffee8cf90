// The diagnostics catalog (src/diagnostics/catalog.ts): one entry with real text per
// diagnostic code, change rule and change class; the severities it documents are the
// ones the code reports; docs/diagnostics.md is exactly what the catalog renders.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHANGE_CLASS_DOCS, CHANGE_RULE_DOCS, DEFAULT_SEVERITY, DIAGNOSTIC_DOCS, explain, type Explanation } from '../../src/diagnostics/catalog.js';
import { DIAGNOSTICS_DOC, renderDiagnosticsDoc } from '../../src/diagnostics/doc.js';
import { DIAGNOSTIC_CODES } from '../../src/diagnostics/types.js';
import { CHANGE_CLASSES, CHANGE_RULES } from '../../src/diff/classes.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const TITLE_MAX = 60;

/** Everything wrong with `table` as the docs of `codes`: missing, extra and placeholder entries. */
function tableProblems(table: Readonly<Record<string, Explanation>>, codes: readonly string[]): string[] {
  const problems: string[] = [];
  for (const code of codes) if (!Object.prototype.hasOwnProperty.call(table, code)) problems.push(`${code}: no entry`);
  for (const code of Object.keys(table)) if (!codes.includes(code)) problems.push(`${code}: entry for an unknown code`);
  for (const [code, e] of Object.entries(table)) {
    for (const field of ['title', 'cause', 'fix'] as const) {
      const text = (e as Partial<Explanation>)[field];
      if (typeof text !== 'string' || text.trim() === '') problems.push(`${code}.${field}: empty`);
      else if (/\b(TODO|TBD|FIXME|XXX)\b/.test(text)) problems.push(`${code}.${field}: placeholder`);
    }
  }
  return problems;
}

/** Style of the texts: short titles; Markdown-light prose (code spans only) that renders and prints alike. */
function styleProblems(table: Readonly<Record<string, Explanation>>): string[] {
  const problems: string[] = [];
  for (const [code, e] of Object.entries(table)) {
    if (e.title.length > TITLE_MAX) problems.push(`${code}.title: ${e.title.length} characters (at most ${TITLE_MAX})`);
    if (/[.:;]$/.test(e.title)) problems.push(`${code}.title: ends with punctuation`);
    for (const field of ['title', 'cause', 'fix'] as const) {
      const text = e[field];
      if ((text.match(/`/g) ?? []).length % 2 !== 0) problems.push(`${code}.${field}: unbalanced backticks`);
      const prose = text.replace(/`[^`]*`/g, '');
      if (/[<>|*_[\]\\]/.test(prose)) problems.push(`${code}.${field}: Markdown syntax outside a code span: ${JSON.stringify(prose.match(/[<>|*_[\]\\]/)![0])}`);
      if (/\s{2,}|^\s|\s$/.test(text)) problems.push(`${code}.${field}: stray whitespace`);
    }
    for (const field of ['cause', 'fix'] as const) if (!/[.)]$/.test(e[field])) problems.push(`${code}.${field}: not a sentence (no final period)`);
  }
  return problems;
}

const TABLES = [
  ['diagnostic codes', DIAGNOSTIC_DOCS, DIAGNOSTIC_CODES],
  ['change rules', CHANGE_RULE_DOCS, CHANGE_RULES],
  ['change classes', CHANGE_CLASS_DOCS, CHANGE_CLASSES],
] as const;

describe('every code has an entry with real text', () => {
  it.each(TABLES)('%s: one entry per code, no placeholder', (_name, table, codes) => {
    expect(tableProblems(table, codes)).toEqual([]);
    expect(Object.keys(table)).toEqual([...codes]);
  });

  it.each(TABLES)('%s: titles short, prose that renders in Markdown and a terminal alike', (_name, table) => {
    expect(styleProblems(table)).toEqual([]);
  });

  it('the check catches a missing entry, an extra entry and a placeholder (so a gap fails here, not only in tsc)', () => {
    const { 'unused-scheme': _dropped, ...withoutOne } = DIAGNOSTIC_DOCS;
    expect(tableProblems(withoutOne, DIAGNOSTIC_CODES)).toEqual(['unused-scheme: no entry']);
    const stale = { ...CHANGE_CLASS_DOCS, retired: { title: 't', cause: 'c', fix: 'f' } };
    expect(tableProblems(stale, CHANGE_CLASSES)).toEqual(['retired: entry for an unknown code']);
    const todo = { ...CHANGE_RULE_DOCS, 'key-moved': { ...CHANGE_RULE_DOCS['key-moved'], fix: 'TODO' } };
    expect(tableProblems(todo, CHANGE_RULES)).toEqual(['key-moved.fix: placeholder']);
    expect(tableProblems({ ...todo, 'key-moved': { title: '', cause: 'c', fix: 'f' } }, CHANGE_RULES)).toEqual(['key-moved.title: empty']);
  });

  it('no code is both a diagnostic, a change rule or a change class (one anchor, one --explain answer)', () => {
    const all = [...DIAGNOSTIC_CODES, ...CHANGE_RULES, ...CHANGE_CLASSES];
    expect(new Set(all).size).toBe(all.length);
  });

  it('explain() finds each code in its own table, and nothing else', () => {
    for (const code of DIAGNOSTIC_CODES) expect(explain(code)).toMatchObject({ kind: 'diagnostic', code, ...DIAGNOSTIC_DOCS[code] });
    for (const rule of CHANGE_RULES) expect(explain(rule)).toMatchObject({ kind: 'change-rule', code: rule });
    for (const cls of CHANGE_CLASSES) expect(explain(cls)).toMatchObject({ kind: 'change-class', code: cls });
    for (const other of ['', 'Syntax', 'toString', '__proto__', 'constructor', 'hasOwnProperty']) expect(explain(other)).toBeUndefined();
  });
});

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('documented severities', () => {
  it('match every severity the code reports a code with', () => {
    const reported = new Map<string, Set<string>>();
    const patterns = [/\breport\(\s*'([a-z0-9-]+)',\s*'(error|warning|info)'/g, /\bcode:\s*'([a-z0-9-]+)'(?:\s+as const)?,\s*severity:\s*'(error|warning|info)'/g];
    for (const file of sources(path.join(REPO, 'src'))) {
      if (file.includes(`${path.sep}diagnostics${path.sep}catalog.ts`)) continue;
      const text = readFileSync(file, 'utf8');
      for (const re of patterns) for (const m of text.matchAll(re)) reported.set(m[1]!, (reported.get(m[1]!) ?? new Set()).add(m[2]!));
    }
    // The scan must see most codes, or the patterns no longer match how code reports them.
    expect(reported.size).toBeGreaterThanOrEqual(20);
    const mismatches = [...reported].filter(([code, severities]) => [...severities].some((s) => (DEFAULT_SEVERITY as Record<string, string>)[code] !== s));
    expect(mismatches.map(([code, s]) => `${code}: reported as ${[...s].join(', ')}, documented as ${(DEFAULT_SEVERITY as Record<string, string>)[code]}`)).toEqual([]);
  });
});

describe(DIAGNOSTICS_DOC, () => {
  const doc = renderDiagnosticsDoc();

  it('is the rendered catalog (after editing the table, run `npm run docs:diagnostics`)', () => {
    expect(readFileSync(path.join(REPO, DIAGNOSTICS_DOC), 'utf8')).toBe(doc);
  });

  it('gives every code a heading of its own, whose GitHub anchor is the code, and no anchor twice', () => {
    const headings = [...doc.matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1]!);
    const slug = (h: string): string => h.toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, '').trim().replace(/\s/g, '-');
    const slugs = headings.map(slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const code of [...DIAGNOSTIC_CODES, ...CHANGE_RULES, ...CHANGE_CLASSES]) {
      expect(headings, code).toContain(`\`${code}\``);
      expect(slug(`\`${code}\``)).toBe(code);
    }
    // Every in-page link lands on a heading.
    for (const m of doc.matchAll(/\]\(#([^)]+)\)/g)) expect(slugs, m[1]).toContain(m[1]);
  });

  it('shows each entry with its severity or class, and escapes `|` in table cells', () => {
    expect(doc).toContain('#### `operation-without-security`\n\n**Operation without security while others require it** (warning)\n');
    expect(doc).toContain('#### `became-public`\n\n**Operation became public** (rule of class weakening)\n');
    for (const line of doc.split('\n').filter((l) => l.startsWith('| [`'))) expect(line.split(/(?<!\\)\|/).length, line).toBe(5);
  });
});
