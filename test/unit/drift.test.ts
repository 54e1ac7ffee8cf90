// Drift check building blocks: the line diff (given/want tables plus a property:
// applying the printed hunks to the old text gives the new text), the colour
// decision, and findDrift on real folders (no emit involved: plans are given).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useColor } from '../../src/drift/color.js';
import { findDrift, renderDrift } from '../../src/drift/check.js';
import { diffLines } from '../../src/drift/myers.js';
import { splitLines, unifiedDiff } from '../../src/drift/unified.js';
import { GENERATED_MARKER } from '../../src/emit/plan.js';
import { tempDir } from '../helpers/spec-files.js';

const labels = { oldLabel: 'a/f', newLabel: 'b/f' };

describe('unifiedDiff', () => {
  const cases: { name: string; old: string; new: string; want: string }[] = [
    { name: 'equal texts give nothing', old: 'a\nb\n', new: 'a\nb\n', want: '' },
    {
      name: 'one changed line and an added last line without newline (as GNU diff -u prints it)',
      old: 'a\nb\nc\n',
      new: 'a\nB\nc\nd',
      want: '--- a/f\n+++ b/f\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n\\ No newline at end of file\n',
    },
    { name: 'from empty', old: '', new: 'a\nb\n', want: '--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+a\n+b\n' },
    { name: 'to empty', old: 'a\n', new: '', want: '--- a/f\n+++ b/f\n@@ -1 +0,0 @@\n-a\n' },
    { name: 'only the final newline differs', old: 'a\nb', new: 'a\nb\n', want: '--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n' },
    { name: 'CRLF is a visible difference', old: 'a\r\n', new: 'a\n', want: '--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\\r\n+a\n' },
    {
      name: 'distant changes make two hunks with 3 lines of context',
      old: '1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n',
      new: '1\nX\n3\n4\n5\n6\n7\n8\n9\n10\nY\n12\n',
      want: '--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n 1\n-2\n+X\n 3\n 4\n 5\n@@ -8,5 +8,5 @@\n 8\n 9\n 10\n-11\n+Y\n 12\n',
    },
    {
      name: 'changes 6 lines apart share one hunk',
      old: '1\n2\n3\n4\n5\n6\n7\n8\n9\n',
      new: '1\nX\n3\n4\n5\n6\n7\n8\nY\n',
      want: '--- a/f\n+++ b/f\n@@ -1,9 +1,9 @@\n 1\n-2\n+X\n 3\n 4\n 5\n 6\n 7\n 8\n-9\n+Y\n',
    },
    { name: 'pure insertion in the middle', old: 'a\nb\n', new: 'a\nx\nb\n', want: '--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n a\n+x\n b\n' },
    { name: 'terminal escapes in a file are shown, not sent', old: 'a\n', new: '\u001b[31mred\n', want: '--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+\\u001b[31mred\n' },
  ];
  for (const c of cases) it(c.name, () => expect(unifiedDiff(c.old, c.new, labels)).toBe(c.want));

  it('colours only when asked: red deletions, green insertions, cyan hunk headers', () => {
    const out = unifiedDiff('a\n', 'b\n', { ...labels, color: true });
    expect(out).toContain('\u001b[31m-a\u001b[0m');
    expect(out).toContain('\u001b[32m+b\u001b[0m');
    expect(out).toContain('\u001b[36m@@ -1 +1 @@\u001b[0m');
    expect(unifiedDiff('a\n', 'b\n', labels)).not.toContain('\u001b');
  });

  it('property: the hunks turn the old text into the new one, and the script is minimal on small inputs', () => {
    const line = fc.constantFrom('a\n', 'b\n', 'c\n', 'd\n', 'e');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.array(line, { maxLength: 30 }), (xs, ys) => {
        const a = xs.join('');
        const b = ys.join('');
        expect(applyUnified(a, unifiedDiff(a, b, { ...labels, context: 2 }))).toBe(b);
        const la = splitLines(a);
        const lb = splitLines(b);
        const edits = diffLines(la, lb);
        const changes = edits.filter((e) => e.op !== 'equal').length;
        expect(changes).toBe(la.length + lb.length - 2 * lcsLength(la, lb));
      }),
      { numRuns: 400 },
    );
  });

  it('stays bounded on a large, entirely different file', () => {
    const a = Array.from({ length: 6000 }, (_, i) => `old ${i}\n`).join('');
    const b = Array.from({ length: 6000 }, (_, i) => `new ${i}\n`).join('');
    const started = Date.now();
    const out = unifiedDiff(a, b, labels);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(applyUnified(a, out)).toBe(b);
  });
});

describe('useColor', () => {
  const cases: { tty: boolean; env: Record<string, string>; want: boolean }[] = [
    { tty: true, env: {}, want: true },
    { tty: false, env: {}, want: false },
    { tty: true, env: { CI: 'true' }, want: false },
    { tty: true, env: { CI: '1' }, want: false },
    { tty: true, env: { CI: 'false' }, want: true },
    { tty: true, env: { NO_COLOR: '1' }, want: false },
    { tty: true, env: { NO_COLOR: '' }, want: true },
  ];
  for (const c of cases) it(`tty=${c.tty} env=${JSON.stringify(c.env)} -> ${c.want}`, () => expect(useColor({ isTTY: c.tty }, c.env)).toBe(c.want));
});

describe('findDrift', () => {
  const gen = (body: string): string => `${GENERATED_MARKER} 0.0.0 from spec.yaml. Do not edit.\n${body}\n`;
  const folder = (files: Record<string, string>): string => {
    const dir = tempDir('osc-drift-');
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, 'out', name)), { recursive: true });
      writeFileSync(path.join(dir, 'out', name), text);
    }
    return dir;
  };
  const plans = [
    { path: 'a.ts', contents: gen('export const a = 1;') },
    { path: 'sub/b.ts', contents: gen('export const b = 2;') },
  ];

  it('in sync: nothing; a user file in the folder is not drift', async () => {
    const dir = folder({ 'a.ts': plans[0]!.contents, 'sub/b.ts': plans[1]!.contents, 'mine.ts': 'export const mine = 0;\n' });
    expect(await findDrift('out', plans, dir)).toEqual([]);
  });

  it('reports modified, missing, stale and conflicting files, sorted by path', async () => {
    const dir = folder({ 'a.ts': gen('export const a = 42;'), 'old.ts': gen('export {};'), 'mine.ts': 'mine\n', 'sub/b.ts': 'not ours\n' });
    const plansPlus = [...plans, { path: 'c.ts', contents: gen('export const c = 3;') }];
    const drift = await findDrift('out', plansPlus, dir);
    expect(drift.map((d) => [d.path, d.status])).toEqual([
      ['a.ts', 'modified'],
      ['c.ts', 'missing'],
      ['old.ts', 'stale'],
      ['sub/b.ts', 'conflict'],
    ]);
    const modified = renderDrift('out', drift[0]!);
    expect(modified).toContain('--- a/out/a.ts\n+++ b/out/a.ts\n');
    expect(modified).toContain('-export const a = 42;\n+export const a = 1;\n');
    expect(renderDrift('out', drift[1]!)).toContain('--- /dev/null\n+++ b/out/c.ts\n');
    expect(renderDrift('out', drift[2]!)).toContain('--- a/out/old.ts\n+++ /dev/null\n');
  });

  it('a missing output folder means every file is missing', async () => {
    const dir = tempDir('osc-drift-');
    expect((await findDrift('out', plans, dir)).map((d) => d.status)).toEqual(['missing', 'missing']);
  });

  it('compares bytes: a BOM or a trailing space is drift', async () => {
    const dir = folder({ 'a.ts': '\ufeff' + plans[0]!.contents, 'sub/b.ts': plans[1]!.contents.replace('2;', '2; ') });
    expect((await findDrift('out', plans, dir)).map((d) => d.status)).toEqual(['modified', 'modified']);
  });
});

/** Applies a unified diff (as printed) to `text`; throws when a context or deleted line does not match. */
function applyUnified(text: string, patch: string): string {
  if (patch === '') return text;
  const old = splitLines(text).map((l) => (l.endsWith('\n') ? { body: l.slice(0, -1), nl: true } : { body: l, nl: false }));
  const lines = patch.split('\n').slice(2, -1);
  const out: { body: string; nl: boolean }[] = [];
  let pos = 0;
  let last: { body: string; nl: boolean } | undefined;
  let lastSide: 'old' | 'new' | 'both' = 'both';
  for (const raw of lines) {
    const h = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(raw);
    if (h) {
      const count = h[2] === undefined ? 1 : Number(h[2]);
      const start = count === 0 ? Number(h[1]) : Number(h[1]) - 1;
      while (pos < start) out.push(old[pos++]!);
      continue;
    }
    if (raw === '\\ No newline at end of file') {
      if (last) last.nl = false;
      if (lastSide !== 'new' && old[pos - 1]?.nl) throw new Error('no-newline marker on a line that has one');
      continue;
    }
    const body = raw.slice(1).replace(/\\r/g, '\r');
    if (raw[0] === ' ' || raw[0] === '-') {
      if (old[pos]?.body !== body) throw new Error(`mismatch at ${pos}: ${JSON.stringify(old[pos])} vs ${JSON.stringify(body)}`);
      if (raw[0] === ' ') {
        last = { ...old[pos]! };
        out.push(last);
        lastSide = 'both';
      } else {
        last = undefined;
        lastSide = 'old';
      }
      pos++;
    } else if (raw[0] === '+') {
      last = { body, nl: true };
      out.push(last);
      lastSide = 'new';
    } else throw new Error(`bad line ${JSON.stringify(raw)}`);
  }
  while (pos < old.length) out.push(old[pos++]!);
  return out.map((l) => l.body + (l.nl ? '\n' : '')).join('');
}

function lcsLength(a: readonly string[], b: readonly string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let prev = 0;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = a[i - 1] === b[j - 1] ? prev + 1 : Math.max(row[j]!, row[j - 1]!);
      prev = tmp;
    }
  }
  return row[b.length]!;
}
