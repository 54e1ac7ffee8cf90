// "Did you mean …?": the one place that decides whether a misspelt name (a config key,
// a CLI flag or command, an adapter, a security scheme) is close to a known one.
// Close means: equal ignoring case and `-`/`_` (`skip-invalid` ~ `skipInvalid`), or at
// most 2 edits apart (insert, delete, substitute, swap two neighbours) once so
// normalised, and fewer edits than the name has letters (`ip` never suggests `app`).

const MAX_EDITS = 2;

/** The known name closest to `word`, if one is close enough; ties go to the earlier candidate. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = normalise(word);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const d = distance(w, normalise(candidate));
    if (d < bestDistance && (d === 0 || (d <= MAX_EDITS && d < w.length))) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * `; did you mean "server"?` (with `format` deciding how the name is shown, e.g. `--server`),
 * or `''` when nothing is close: for appending to a message.
 */
export function didYouMean(word: string, candidates: Iterable<string>, format: (name: string) => string = (n) => JSON.stringify(n)): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : `; did you mean ${format(match)}?`;
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
function distance(a: string, b: string): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > MAX_EDITS) return Infinity;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
    }
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]!;
}
