// Unified diff text (the `diff -u` / `git diff` format) from a line edit script.
// Lines are split keeping their terminator, so a missing final newline or a
// CRLF change is a real difference and is shown as one.
import { replaceControlsButTab, unicodeEscape } from '../shared/control-chars.js';
import { diffLines, type Edit } from './myers.js';

export interface UnifiedOptions {
  /** Label of the `---` side (what is on disk). */
  readonly oldLabel: string;
  /** Label of the `+++` side (what generation would write). */
  readonly newLabel: string;
  /** Unchanged lines shown around each change. */
  readonly context?: number;
  readonly color?: boolean;
}

const ANSI = { red: '\u001b[31m', green: '\u001b[32m', cyan: '\u001b[36m', bold: '\u001b[1m', reset: '\u001b[0m' } as const;

/** Lines with their `\n` kept; the last one may lack it. `''` has no lines. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * Control characters in a line are shown as escapes (tab kept): the file on disk
 * may hold anything, and it must not move the cursor or recolour the terminal.
 */
function visible(line: string): string {
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  return replaceControlsButTab(body, (c) => (c === '\r' ? '\\r' : unicodeEscape(c)));
}

/** The unified diff of two texts; `''` when they are equal. */
export function unifiedDiff(oldText: string, newText: string, options: UnifiedOptions): string {
  if (oldText === newText) return '';
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const edits = diffLines(a, b);
  const context = options.context ?? 3;
  const paint = (code: string, s: string): string => (options.color ? `${code}${s}${ANSI.reset}` : s);
  const out: string[] = [paint(ANSI.bold, `--- ${options.oldLabel}`), paint(ANSI.bold, `+++ ${options.newLabel}`)];
  for (const hunk of hunks(edits, context)) {
    const first = hunk[0]!;
    // Where the hunk starts on each side: the first line it touches there.
    const aStart = hunk.reduce((n, e) => (e.op !== 'insert' ? Math.min(n, e.a) : n), Infinity);
    const bStart = hunk.reduce((n, e) => (e.op !== 'delete' ? Math.min(n, e.b) : n), Infinity);
    const aCount = hunk.filter((e) => e.op !== 'insert').length;
    const bCount = hunk.filter((e) => e.op !== 'delete').length;
    const aPos = aCount === 0 ? linesBefore(edits, first, 'a') : aStart + 1;
    const bPos = bCount === 0 ? linesBefore(edits, first, 'b') : bStart + 1;
    out.push(paint(ANSI.cyan, `@@ -${range(aPos, aCount)} +${range(bPos, bCount)} @@`));
    for (const e of hunk) {
      const [prefix, line, code] = e.op === 'equal' ? [' ', a[e.a]!, ''] : e.op === 'delete' ? ['-', a[e.a]!, ANSI.red] : ['+', b[e.b]!, ANSI.green];
      out.push(code ? paint(code, prefix + visible(line)) : prefix + visible(line));
      if (!line.endsWith('\n')) out.push('\\ No newline at end of file');
    }
  }
  return out.join('\n') + '\n';
}

// GNU diff: an empty range is written as the line *before* it, count 0.
function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start},${count}`;
}

/** Lines of side `side` that come before `edit` in the script (for empty ranges). */
function linesBefore(edits: readonly Edit[], edit: Edit, side: 'a' | 'b'): number {
  let n = 0;
  for (const e of edits) {
    if (e === edit) break;
    if (side === 'a' ? e.op !== 'insert' : e.op !== 'delete') n++;
  }
  return n;
}

/** Changes with `context` equal lines around them; changes closer than 2*context merge. */
function hunks(edits: readonly Edit[], context: number): Edit[][] {
  const changed = edits.map((e, i) => (e.op === 'equal' ? -1 : i)).filter((i) => i >= 0);
  const out: Edit[][] = [];
  let i = 0;
  while (i < changed.length) {
    const lo = Math.max(0, changed[i]! - context);
    let hi = Math.min(edits.length - 1, changed[i]! + context);
    let j = i + 1;
    while (j < changed.length && changed[j]! - context <= hi + 1) {
      hi = Math.min(edits.length - 1, changed[j]! + context);
      j++;
    }
    out.push(edits.slice(lo, hi + 1));
    i = j;
  }
  return out;
}
