// Route matcher shared by the server guard and the browser client: maps a method and
// a request path to the operation id whose path template matches it. Built once as a
// segment trie, so matching costs O(path segments), not O(operations).
import type { OperationTable } from './runtime-tables.js';

/** A compiled segment such as `{name}.json` or `v{version}`: anchored, per segment. */
interface PatternEdge {
  readonly source: string;
  readonly regex: RegExp;
  /** Literal characters in the template; more literal text is the more specific match. */
  readonly literalLength: number;
  readonly node: TrieNode;
}

interface TrieNode {
  readonly statics: Map<string, TrieNode>;
  readonly patterns: PatternEdge[];
  /** Child for a segment that is exactly one template expression (`{petId}`). */
  param: TrieNode | undefined;
  /** Lower-case method → operation id. */
  readonly methods: Map<string, string>;
}

export type RouteMatcher = (method: string, path: string) => string | undefined;

function newNode(): TrieNode {
  return { statics: new Map(), patterns: [], param: undefined, methods: new Map() };
}

/**
 * Percent-decoding that never throws: a malformed escape (`%zz`, a lone surrogate
 * half) leaves the segment as sent, so it can still match a static segment literally
 * but never a decoded one (RFC 3986 §2.1 only defines well-formed triplets).
 */
function decodeSegment(segment: string): string {
  if (segment.indexOf('%') === -1) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

/**
 * Splits `/a/b/` into `['a', 'b']`. The leading slash and one trailing slash are not
 * segments (a trailing slash is tolerated); empty inner segments (`//`) are kept so
 * that they match nothing templated.
 */
function splitPath(path: string): string[] {
  let end = path.length;
  if (end > 1 && path.charCodeAt(end - 1) === 47 /* / */) end--;
  const start = path.charCodeAt(0) === 47 ? 1 : 0;
  if (start >= end) return [];
  return path.slice(start, end).split('/');
}

function normalizeBasePath(basePath: string): string {
  let base = basePath.trim();
  // A full server URL (`https://host/v1`) contributes only its path.
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/.exec(base);
  if (scheme) base = base.slice(scheme[0].length);
  while (base.endsWith('/')) base = base.slice(0, -1);
  if (base !== '' && !base.startsWith('/')) base = '/' + base;
  return base;
}

function compileSegment(segment: string): { kind: 'static'; value: string } | { kind: 'param' } | { kind: 'pattern'; source: string; literalLength: number } {
  if (segment.indexOf('{') === -1) return { kind: 'static', value: decodeSegment(segment) };
  if (/^\{[^{}]*\}$/.test(segment)) return { kind: 'param' };
  let source = '^';
  let literalLength = 0;
  let rest = segment;
  while (rest.length > 0) {
    const open = rest.indexOf('{');
    const close = open === -1 ? -1 : rest.indexOf('}', open);
    if (open === -1 || close === -1) {
      const literal = decodeSegment(rest);
      source += literal.replace(REGEX_SPECIAL, '\\$&');
      literalLength += literal.length;
      break;
    }
    const literal = decodeSegment(rest.slice(0, open));
    source += literal.replace(REGEX_SPECIAL, '\\$&') + '(.+?)';
    literalLength += literal.length;
    rest = rest.slice(close + 1);
  }
  return { kind: 'pattern', source: source + '$', literalLength };
}

function insert(root: TrieNode, template: string, method: string, operationId: string): void {
  let node = root;
  for (const raw of splitPath(template)) {
    const segment = compileSegment(raw);
    if (segment.kind === 'static') {
      let next = node.statics.get(segment.value);
      if (!next) node.statics.set(segment.value, (next = newNode()));
      node = next;
    } else if (segment.kind === 'param') {
      node = node.param ??= newNode();
    } else {
      let edge = node.patterns.find((p) => p.source === segment.source);
      if (!edge) {
        // The `s` flag lets a decoded `%0A` match `.`; `u` is not needed since we
        // never use classes that split surrogate pairs.
        edge = { source: segment.source, regex: new RegExp(segment.source, 's'), literalLength: segment.literalLength, node: newNode() };
        node.patterns.push(edge);
        // More literal text first: `{id}.json` is tried before `{id}.{ext}`.
        node.patterns.sort((a, b) => b.literalLength - a.literalLength || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
      }
      node = edge.node;
    }
  }
  // The first operation in table order keeps a (method, template) pair: duplicates
  // are a spec error the generator reports, never a silent override.
  if (!node.methods.has(method)) node.methods.set(method, operationId);
}

function lookupMethod(node: TrieNode, method: string): string | undefined {
  const id = node.methods.get(method);
  if (id !== undefined) return id;
  // RFC 9110 §9.3.2: HEAD is GET without a body, and servers route it to the GET
  // handler, so the guard must protect it the same way.
  return method === 'head' ? node.methods.get('get') : undefined;
}

/**
 * Depth-first with static segments before partial templates before whole-segment
 * parameters (the OpenAPI rule that `/pets/mine` beats `/pets/{petId}`), backtracking
 * when a more specific branch dead-ends, including on the method.
 */
function walk(node: TrieNode, segments: readonly string[], index: number, method: string): string | undefined {
  if (index === segments.length) return lookupMethod(node, method);
  const raw = segments[index] as string;
  const decoded = decodeSegment(raw);
  const exact = node.statics.get(decoded);
  if (exact) {
    const found = walk(exact, segments, index + 1, method);
    if (found !== undefined) return found;
  }
  if (decoded === '') return undefined;
  for (const edge of node.patterns) {
    if (edge.regex.test(decoded)) {
      const found = walk(edge.node, segments, index + 1, method);
      if (found !== undefined) return found;
    }
  }
  if (node.param) return walk(node.param, segments, index + 1, method);
  return undefined;
}

/**
 * Builds the matcher once. `path` passed to the returned function is the request
 * path as received (base path included when the server has one); anything from `?`
 * or `#` on is ignored, the method is case-insensitive.
 */
export function createMatcher(operations: OperationTable, basePath: string): RouteMatcher {
  const root = newNode();
  for (const operationId of Object.keys(operations)) {
    const op = operations[operationId];
    if (op === undefined) continue;
    insert(root, op.path, op.method.toLowerCase(), operationId);
  }
  const base = normalizeBasePath(basePath);
  return (method: string, path: string): string | undefined => {
    let end = path.length;
    const q = path.indexOf('?');
    if (q !== -1) end = q;
    const h = path.indexOf('#');
    if (h !== -1 && h < end) end = h;
    let rel = end === path.length ? path : path.slice(0, end);
    if (base !== '') {
      // The base path must end at a segment boundary: `/v1` does not contain `/v10`.
      if (!rel.startsWith(base)) return undefined;
      const next = rel.charCodeAt(base.length);
      if (rel.length > base.length && next !== 47) return undefined;
      rel = rel.slice(base.length);
    }
    return walk(root, splitPath(rel), 0, method.toLowerCase());
  };
}
