// What `unknownRoute: 'next'` may let through. A path the guard does not know passes
// to the framework, which may still route it to an operation's handler: through a
// wildcard route written for `{path}`, or after normalizing what the guard took
// literally (case, percent-encoding, dot segments, backslashes, repeated slashes,
// `;` parameters). So only a path that no spec path could have been meant for passes:
// one that, normalized the most forgiving way, does not start with the static
// prefix of any operation's template (its segments up to the first expression).
import type { OperationTable } from './runtime-tables.js';
import { fullTemplate } from './runtime-bind.js';

/** Answers whether a request path could have been meant for one of the spec's operations. */
export type NearbyCheck = (path: string) => boolean;

/** Percent-decodes until stable (a double-encoded `%252e` is a dot to a router that decodes twice); never throws. */
function decodeFully(text: string): string {
  let current = text;
  for (let i = 0; i < 3 && current.indexOf('%') !== -1; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      // Malformed escapes: decode the well-formed ones, keep the rest.
      next = current.replace(/%[0-9a-fA-F]{2}/g, (m) => String.fromCharCode(parseInt(m.slice(1), 16)));
    }
    if (next === current) break;
    current = next;
  }
  return current;
}

/** Segments after every normalization some router applies, lower-cased; dot segments resolved. */
function forgivingSegments(path: string): string[] {
  let end = path.length;
  for (const stop of ['?', '#']) {
    const i = path.indexOf(stop);
    if (i !== -1 && i < end) end = i;
  }
  const decoded = decodeFully(path.slice(0, end)).toLowerCase().replace(/\\/g, '/');
  const out: string[] = [];
  for (let segment of decoded.split('/')) {
    const semi = segment.indexOf(';');
    if (semi !== -1) segment = segment.slice(0, semi);
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return out;
}

interface Prefix {
  readonly segments: readonly string[];
  /** A template with no segment at all (`/`) claims only itself, or 'next' could pass nothing. */
  readonly exact: boolean;
}

export function createNearbyCheck(operations: OperationTable, basePath: string): NearbyCheck {
  const prefixes: Prefix[] = [];
  for (const operationId of Object.keys(operations)) {
    const op = operations[operationId];
    if (op === undefined) continue;
    const all = forgivingSegments(fullTemplate(basePath, op.path));
    const firstTemplated = all.findIndex((s) => s.indexOf('{') !== -1);
    const segments = firstTemplated === -1 ? all : all.slice(0, firstTemplated);
    prefixes.push({ segments, exact: all.length === 0 });
  }
  return (path) => {
    const segments = forgivingSegments(path);
    for (const prefix of prefixes) {
      if (prefix.exact ? segments.length !== 0 : segments.length < prefix.segments.length) continue;
      let same = true;
      for (let i = 0; i < prefix.segments.length; i++) {
        if (segments[i] !== prefix.segments[i]) {
          same = false;
          break;
        }
      }
      if (same) return true;
    }
    return false;
  };
}
