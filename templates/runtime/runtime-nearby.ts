// What `unknownRoute: 'next'` may let through. A path the guard does not know passes
// to the framework, which may still route it to an operation's handler: through a
// wildcard route written for `{path}`, or after normalizing what the guard took
// literally (case, percent-encoding, dot segments, backslashes, repeated slashes,
// `;` parameters). So only a path that no spec path could have been meant for passes:
// one that, read every way some router reads it (percent-decoded zero, one or more
// times; dot segments resolved or kept, as a wildcard route keeps them), does not
// contain, at any depth, the static prefix of any operation's template (its segments
// up to the first expression).
import type { OperationTable } from './runtime-tables.js';
import { fullTemplate } from './runtime-bind.js';

/** Answers whether a request path could have been meant for one of the spec's operations. */
export type NearbyCheck = (path: string) => boolean;

/** Percent-decodes once; malformed escapes stay as sent and the well-formed ones are decoded. */
function decodeOnce(text: string): string {
  if (text.indexOf('%') === -1) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/%[0-9a-fA-F]{2}/g, (m) => String.fromCharCode(parseInt(m.slice(1), 16)));
  }
}

/** The path as routers may read it: as sent, decoded once, and decoded until stable (at most three times). */
function decodings(path: string): string[] {
  const out = [path];
  let current = path;
  for (let i = 0; i < 3; i++) {
    const next = decodeOnce(current);
    if (next === current) break;
    out.push((current = next));
  }
  return out;
}

/** Segments, lower-cased, `\` as `/`, `;` parameters and empty segments dropped; dot segments resolved or kept. */
function segmentsOf(decoded: string, resolveDots: boolean): string[] {
  const out: string[] = [];
  for (let segment of decoded.toLowerCase().replace(/\\/g, '/').split('/')) {
    const semi = segment.indexOf(';');
    if (semi !== -1) segment = segment.slice(0, semi);
    if (segment === '' || (resolveDots && segment === '.')) continue;
    if (resolveDots && segment === '..') out.pop();
    else out.push(segment);
  }
  return out;
}

/** Every reading of a request path (query and fragment cut) worth comparing with the prefixes. */
function readings(path: string): string[][] {
  let end = path.length;
  for (const stop of ['?', '#']) {
    const i = path.indexOf(stop);
    if (i !== -1 && i < end) end = i;
  }
  const out: string[][] = [];
  for (const decoded of decodings(path.slice(0, end))) out.push(segmentsOf(decoded, false), segmentsOf(decoded, true));
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
    const all = segmentsOf(decodeOnce(fullTemplate(basePath, op.path)), true);
    const firstTemplated = all.findIndex((s) => s.indexOf('{') !== -1);
    const segments = firstTemplated === -1 ? all : all.slice(0, firstTemplated);
    prefixes.push({ segments, exact: all.length === 0 });
  }
  // At any depth: the API may be mounted under a prefix (`app.use('/api', router)`, a
  // Fastify plugin prefix, a gateway that strips one), where `/api/v1/things/1` is
  // still `/v1/things/{id}`.
  const containsAt = (segments: readonly string[], at: number, prefix: Prefix): boolean => {
    if (prefix.exact) return at === 0 && segments.length === 0;
    if (segments.length - at < prefix.segments.length) return false;
    for (let i = 0; i < prefix.segments.length; i++) if (segments[at + i] !== prefix.segments[i]) return false;
    return true;
  };
  return (path) => {
    for (const segments of readings(path)) {
      for (let at = 0; at <= segments.length; at++) {
        for (const prefix of prefixes) if (containsAt(segments, at, prefix)) return true;
      }
    }
    return false;
  };
}
