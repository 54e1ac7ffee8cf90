// Route matching shared by the server guard and the browser client: a method and a
// request path → the operation whose template matches (over the trie of
// runtime-trie.ts, O(path segments)). The lenient matcher serves clients and logs;
// the strict classifier refuses every path routers could resolve differently; and
// `routeAll` lists every operation a path matches.
import type { OperationTable } from './runtime-tables.js';
import { lowerMethod } from './runtime-route-syntax.js';
import { AMBIGUOUS_ROUTE, collect, decodeSegment, hasOverlaps, insert, newNode, reachableWhenEmpty, splitPath, walk, type Walked } from './runtime-trie.js';

export { AMBIGUOUS_ROUTE } from './runtime-trie.js';
export type RouteMatcher = (method: string, path: string) => string | undefined;
export type RouteClassifier = (method: string, path: string) => string | undefined | typeof AMBIGUOUS_ROUTE;

/** A server URL's path, without a trailing slash (`https://h/v1/` → `/v1`). */
export function normalizeBasePath(basePath: string): string {
  let base = basePath.trim();
  // A full server URL (`https://host/v1`) contributes only its path.
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/.exec(base);
  if (scheme) base = base.slice(scheme[0].length);
  while (base.endsWith('/')) base = base.slice(0, -1);
  if (base !== '' && !base.startsWith('/')) base = '/' + base;
  return base;
}

/**
 * A request path routers resolve differently, so no match of it can be trusted:
 * a fragment (Hono routes `#` as part of the path), `;` (matrix parameters some
 * stacks strip), a backslash raw or encoded (some treat it as `/`), empty segments
 * (`//`) and dot segments raw or encoded (`.`, `%2e%2E`), which some normalize away.
 */
function unsafePath(path: string): boolean {
  // Origin-form only (RFC 9112 §3.2.1); an absolute-form target left whole by the request view is refused.
  if (path.charCodeAt(0) !== 47 /* / */) return true;
  if (path.charCodeAt(1) === 47) return true; // `//` at the start (the loop sees each later `/`)
  // One pass: the characters no router agrees on, and dot segments, checked where each
  // segment ends (only one starting with `.` or `%` can be one).
  let from = 1;
  for (let i = 1; i <= path.length; i++) {
    const c = i === path.length ? 47 : path.charCodeAt(i);
    if (c === 47 /* / */) {
      const first = path.charCodeAt(from);
      if ((first === 46 /* . */ || first === 37) /* % */ && i - from <= 8 && DOT_SEGMENT.test(path.slice(from, i))) return true;
      if (i < path.length && path.charCodeAt(i + 1) === 47) return true;
      from = i + 1;
      continue;
    }
    if (c === 35 /* # */ || c === 59 /* ; */ || c === 92 /* \ */) return true;
    if (c === 37 /* % */ && path.charCodeAt(i + 1) === 53 /* 5 */ && (path.charCodeAt(i + 2) | 32) === 99 /* c */) return true;
  }
  return false;
}

const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * Builds the matcher once, for clients and for `guard.match`: `path` is the request
 * path as received (base path included when the server has one); anything from `?`
 * or `#` on is ignored, one trailing slash is tolerated, the method is
 * case-insensitive. Only paths that case or percent-encoding alone separate from a
 * static route are left unmatched. The server adapters use the strict classifier.
 */
export function createMatcher(operations: OperationTable, basePath: string): RouteMatcher {
  const classify = createRouteClassifier(operations, basePath, false);
  return (method, path) => {
    const found = classify(method, path);
    return found === AMBIGUOUS_ROUTE ? undefined : found;
  };
}

/**
 * As `createMatcher`, but tells an ambiguous path apart from an unknown one: a path
 * that only case or percent-encoding separates from a static route (see `walk`),
 * one that `unsafePath` refuses, one whose trailing slash or empty expression
 * another operation's template could take (see `reachableWhenEmpty`). The server
 * adapters refuse ambiguous paths in every mode. A path two operations match is not
 * ambiguous here: `routeAll` lists them, and the adapters require all of them.
 */
export function createRouteClassifier(operations: OperationTable, basePath: string, strict = true): RouteClassifier {
  const index = createRouteIndex(operations, basePath);
  return (method, path) => index.classify(method, path, strict);
}

const NONE: readonly string[] = Object.freeze([]);

export interface RouteIndex {
  /** See `createRouteClassifier` (strict) and `createMatcher` (lenient). */
  classify(method: string, path: string, strict: boolean): Walked;
  /**
   * The strict classification and every operation the path matches, in one walk:
   * `null` for an ambiguous path, empty when none matches, else the one `classify`
   * answers first, then the others (searched only when the spec has overlaps).
   */
  routeAll(method: string, path: string): readonly string[] | null;
}

/** One trie per guard for both the strict and the lenient rules. */
export function createRouteIndex(operations: OperationTable, basePath: string): RouteIndex {
  const root = newNode();
  let hasPatterns = false;
  for (const operationId of Object.keys(operations)) {
    const op = operations[operationId];
    if (op === undefined) continue;
    insert(root, op.path, op.method.toLowerCase(), operationId);
    if (/\{[^}]*\}[^/]|[^/]\{/.test(op.path)) hasPatterns = true;
  }
  const base = normalizeBasePath(basePath);
  const foldedBase = decodeSegment(base).toLowerCase();
  const overlaps = hasOverlaps(root);
  /** The path below the base path, or why there is none. */
  const relative = (path: string, strict: boolean): string | undefined | typeof AMBIGUOUS_ROUTE => {
    // The query is cut; when strict, a `#` before it stays, so that `unsafePath` refuses it.
    let end = path.indexOf('?');
    if (end === -1) end = path.length;
    if (!strict) {
      const h = path.indexOf('#');
      if (h !== -1 && h < end) end = h;
    }
    const rel = end === path.length ? path : path.slice(0, end);
    if (strict && unsafePath(rel)) return AMBIGUOUS_ROUTE;
    if (base === '') return rel;
    // The base path must end at a segment boundary: `/v1` does not contain `/v10`.
    if (!rel.startsWith(base)) {
      // `/V1/pets` or `/%761/pets` may still reach the API's routes (see `walk`).
      const folded = decodeSegment(rel).toLowerCase();
      const boundary = folded.charCodeAt(foldedBase.length);
      return folded.startsWith(foldedBase) && (folded.length === foldedBase.length || boundary === 47) ? AMBIGUOUS_ROUTE : undefined;
    }
    if (rel.length > base.length && rel.charCodeAt(base.length) !== 47) return undefined;
    return rel.slice(base.length);
  };
  /** The strict or lenient match of `rel` (a path below the base path), split once into `segments`. */
  const matchBelow = (lower: string, rel: string, segments: string[], strict: boolean): Walked => {
    const found = walk(root, segments, 0, lower);
    const trailing = rel.length > 1 && rel.charCodeAt(rel.length - 1) === 47;
    if (strict && (trailing || hasPatterns)) {
      if (reachableWhenEmpty(root, trailing ? [...segments, ''] : segments, 0, lower, false)) return AMBIGUOUS_ROUTE;
    }
    return found;
  };
  const classify = (method: string, path: string, strict: boolean): Walked => {
    const rel = relative(path, strict);
    if (typeof rel !== 'string') return rel;
    return matchBelow(lowerMethod(method), rel, splitPath(rel), strict);
  };
  const routeAll = (method: string, path: string): readonly string[] | null => {
    // The path is cut below the base path, checked and split once for the match and the
    // siblings both (they used to be done twice for a spec with overlapping paths).
    const rel = relative(path, true);
    if (typeof rel !== 'string') return rel === AMBIGUOUS_ROUTE ? null : NONE;
    const lower = lowerMethod(method);
    const segments = splitPath(rel);
    const found = matchBelow(lower, rel, segments, true);
    if (found === AMBIGUOUS_ROUTE) return null;
    if (found === undefined) return NONE;
    if (!overlaps) return [found];
    const out = [found];
    collect(root, segments, 0, lower, out);
    return out;
  };
  return { classify, routeAll };
}
