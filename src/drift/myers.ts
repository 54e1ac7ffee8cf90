// A line diff: Myers' O((N+M)D) greedy algorithm ("An O(ND) Difference Algorithm
// and Its Variations", 1986) on the lines left after trimming the common prefix
// and suffix. Written here because the drift check needs nothing more and the
// package takes no dependency for it.

export type Edit =
  | { readonly op: 'equal'; readonly a: number; readonly b: number }
  | { readonly op: 'delete'; readonly a: number }
  | { readonly op: 'insert'; readonly b: number };

/**
 * Above this many differences the search stops and the remaining middle is
 * reported as "delete all, insert all": still a correct script, just not a
 * minimal one, and memory stays bounded (the trace grows with D squared).
 */
const MAX_D = 2000;

/** An edit script turning `a` into `b` (indexes into each), in order. */
export function diffLines(a: readonly string[], b: readonly string[]): Edit[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const edits: Edit[] = [];
  for (let i = 0; i < start; i++) edits.push({ op: 'equal', a: i, b: i });
  edits.push(...middle(a, b, start, endA, start, endB));
  for (let i = 0; endA + i < a.length; i++) edits.push({ op: 'equal', a: endA + i, b: endB + i });
  return edits;
}

function middle(a: readonly string[], b: readonly string[], a0: number, a1: number, b0: number, b1: number): Edit[] {
  const n = a1 - a0;
  const m = b1 - b0;
  if (n === 0 || m === 0) return replaceAll(a0, a1, b0, b1);
  const max = Math.min(n + m, MAX_D);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)) x = v[offset + k + 1]!;
      else x = v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[a0 + x] === b[b0 + y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, offset, n, m, d, a0, b0);
    }
  }
  return replaceAll(a0, a1, b0, b1);
}

function backtrack(trace: readonly Int32Array[], offset: number, n: number, m: number, dEnd: number, a0: number, b0: number): Edit[] {
  const out: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = dEnd; d > 0; d--) {
    const v = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = v[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      out.push({ op: 'equal', a: a0 + x, b: b0 + y });
    }
    if (x === prevX) out.push({ op: 'insert', b: b0 + (--y) });
    else out.push({ op: 'delete', a: a0 + (--x) });
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    out.push({ op: 'equal', a: a0 + x, b: b0 + y });
  }
  return out.reverse();
}

function replaceAll(a0: number, a1: number, b0: number, b1: number): Edit[] {
  const out: Edit[] = [];
  for (let i = a0; i < a1; i++) out.push({ op: 'delete', a: i });
  for (let j = b0; j < b1; j++) out.push({ op: 'insert', b: j });
  return out;
}
