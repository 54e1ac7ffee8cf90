// The segment trie of spec path templates that route matching walks: static segments
// (as written and as a client percent-encodes them, plus their case-folded forms),
// partial templates (`{name}.pdf`) as anchored regexes, and whole-segment parameters;
// every operation of a (template, method) is kept. `walk` finds the most specific
// match, `collect` every match, `reachableWhenEmpty` what only an empty value reaches.
/** A compiled segment such as `{name}.json` or `v{version}`: anchored, per segment. */
interface PatternEdge {
  readonly source: string;
  readonly regex: RegExp;
  /** The same, ignoring case: a segment only it matches is ambiguous. */
  readonly folded: RegExp;
  /** The same with empty expressions allowed (`.pdf` for `{name}.pdf`): what find-my-way accepts. */
  readonly emptyable: RegExp;
  /** Literal characters in the template; more literal text is the more specific match. */
  readonly literalLength: number;
  readonly node: TrieNode;
}

export interface TrieNode {
  /** Static segments, keyed as written in the spec and as a client would percent-encode them. */
  readonly statics: Map<string, TrieNode>;
  /** Static segments decoded and lower-cased: what a request segment must not be confused with. */
  readonly folded: Set<string>;
  /** Static children by decoded, lower-cased segment: `admin` and `Admin` are one route to Express. */
  readonly byFolded: Map<string, TrieNode[]>;
  readonly patterns: PatternEdge[];
  /** Child for a segment that is exactly one template expression (`{petId}`). */
  param: TrieNode | undefined;
  /** Lower-case method → operation id. */
  readonly methods: Map<string, string[]>;
}

/**
 * What `createRouteClassifier` answers for a path that could mean two operations
 * depending on the framework's routing rules (see `walk`): never trusted to match.
 */
export const AMBIGUOUS_ROUTE: unique symbol = Symbol('ambiguous route');

export function newNode(): TrieNode {
  return { statics: new Map(), folded: new Set(), byFolded: new Map(), patterns: [], param: undefined, methods: new Map() };
}

/**
 * Percent-decoding that never throws: a malformed escape (`%zz`, a lone surrogate
 * half) leaves the segment as sent, so it can still match a static segment literally
 * but never a decoded one (RFC 3986 §2.1 only defines well-formed triplets).
 */
export function decodeSegment(segment: string): string {
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
export function splitPath(path: string): string[] {
  let end = path.length;
  if (end > 1 && path.charCodeAt(end - 1) === 47 /* / */) end--;
  const start = path.charCodeAt(0) === 47 ? 1 : 0;
  if (start >= end) return [];
  // What `path.slice(start, end).split('/')` answers, without it: V8 caches `split` for
  // interned strings only, and a request's path never is one (measured: two thirds of
  // a match went into it).
  const segments: string[] = [];
  let from = start;
  for (;;) {
    const slash = path.indexOf('/', from);
    if (slash === -1 || slash >= end) {
      segments.push(path.slice(from, end));
      return segments;
    }
    segments.push(path.slice(from, slash));
    from = slash + 1;
  }
}

function compileSegment(segment: string): { kind: 'static'; value: string } | { kind: 'param' } | { kind: 'pattern'; source: string; emptyable: string; literalLength: number } {
  if (segment.indexOf('{') === -1) return { kind: 'static', value: segment };
  if (/^\{[^{}]*\}$/.test(segment)) return { kind: 'param' };
  let source = '^';
  let emptyable = '^';
  let literalLength = 0;
  let rest = segment;
  while (rest.length > 0) {
    const open = rest.indexOf('{');
    const close = open === -1 ? -1 : rest.indexOf('}', open);
    if (open === -1 || close === -1) {
      const raw = decodeSegment(rest);
      const literal = raw.replace(REGEX_SPECIAL, '\\$&');
      source += literal;
      emptyable += literal;
      literalLength += raw.length;
      break;
    }
    const raw = decodeSegment(rest.slice(0, open));
    const literal = raw.replace(REGEX_SPECIAL, '\\$&');
    source += literal + '(.+?)';
    emptyable += literal + '(.*?)';
    literalLength += raw.length;
    rest = rest.slice(close + 1);
  }
  return { kind: 'pattern', source: source + '$', emptyable: emptyable + '$', literalLength };
}

export function insert(root: TrieNode, template: string, method: string, operationId: string): void {
  let node = root;
  for (const raw of splitPath(template)) {
    const segment = compileSegment(raw);
    if (segment.kind === 'static') {
      let next = node.statics.get(segment.value);
      if (!next) {
        next = newNode();
        const decoded = decodeSegment(segment.value);
        node.statics.set(segment.value, next);
        // A client sends `/café` as `/caf%C3%A9`: that exact spelling is the same route.
        const encoded = encodePathSegment(decoded);
        if (!node.statics.has(encoded)) node.statics.set(encoded, next);
        node.folded.add(decoded.toLowerCase());
        const siblings = node.byFolded.get(decoded.toLowerCase());
        if (siblings === undefined) node.byFolded.set(decoded.toLowerCase(), [next]);
        else siblings.push(next);
      }
      node = next;
    } else if (segment.kind === 'param') {
      node = node.param ??= newNode();
    } else {
      let edge = node.patterns.find((p) => p.source === segment.source);
      if (!edge) {
        // The `s` flag lets a decoded `%0A` match `.`; `u` is not needed since we
        // never use classes that split surrogate pairs.
        edge = {
          source: segment.source,
          regex: new RegExp(segment.source, 's'),
          folded: new RegExp(segment.source, 'si'),
          emptyable: new RegExp(segment.emptyable, 's'),
          literalLength: segment.literalLength, node: newNode() };
        node.patterns.push(edge);
        // More literal text first: `{id}.json` is tried before `{id}.{ext}`.
        node.patterns.sort((a, b) => b.literalLength - a.literalLength || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
      }
      node = edge.node;
    }
  }
  // The first operation in table order keeps a (method, template) pair: duplicates
  // are a spec error the generator reports, never a silent override.
  // Every operation stays: `/things` and `/things/` (one node, the trailing slash is
  // tolerated) or `{id}` and `{name}` are distinct spec paths routers take as one, so a
  // request there must satisfy each (see `collect`). The first answers `walk`.
  const ids = node.methods.get(method);
  if (ids === undefined) node.methods.set(method, [operationId]);
  else if (!ids.includes(operationId)) ids.push(operationId);
}

export function lookupMethod(node: TrieNode, method: string): string | undefined {
  const id = node.methods.get(method)?.[0];
  if (id !== undefined) return id;
  // RFC 9110 §9.3.2: HEAD is GET without a body, and servers route it to the GET
  // handler, so the guard must protect it the same way.
  return method === 'head' ? node.methods.get('get')?.[0] : undefined;
}

/** RFC 3986 pchar: unreserved, sub-delims, `:` and `@` stay; everything else is percent-encoded. */
export function encodePathSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%(2[146789ABC]|3[ABD]|40)/g, (m) => decodeURIComponent(m));
}

export type Walked = string | undefined | typeof AMBIGUOUS_ROUTE;

/**
 * Depth-first with static segments before partial templates before whole-segment
 * parameters (the OpenAPI rule that `/pets/mine` beats `/pets/{petId}`), backtracking
 * when a more specific branch dead-ends, including on the method.
 *
 * Frameworks disagree on case (Express and @koa/router ignore it by default, Fastify
 * and Hono do not) and on percent-decoding before routing (find-my-way decodes,
 * Express matches the raw path). So a segment that equals a static one only after
 * decoding or case-folding (`MINE`, `m%69ne` next to `mine`), or that fits a partial
 * template only that way, could reach either handler: it is AMBIGUOUS and never
 * matched to the less specific operation, since that one may require less.
 */
export function walk(node: TrieNode, segments: readonly string[], index: number, method: string): Walked {
  if (index === segments.length) return lookupMethod(node, method);
  const raw = segments[index] as string;
  const exact = node.statics.get(raw);
  if (exact) {
    const found = walk(exact, segments, index + 1, method);
    if (found !== undefined) return found;
  }
  if (raw === '') return undefined;
  const decoded = decodeSegment(raw);
  if (exact === undefined && node.folded.size > 0 && node.folded.has(decoded.toLowerCase())) return AMBIGUOUS_ROUTE;
  for (const edge of node.patterns) {
    if (edge.regex.test(decoded)) {
      // Fits only once decoded, and is not the spelling a client percent-encodes it to
      // (`x%2Ejson` for `{id}.json`): a framework matching raw paths would route elsewhere.
      if (decoded !== raw && !edge.regex.test(raw) && encodePathSegment(decoded) !== raw) return AMBIGUOUS_ROUTE;
      const found = walk(edge.node, segments, index + 1, method);
      if (found !== undefined) return found;
    } else if (edge.folded.test(decoded)) {
      return AMBIGUOUS_ROUTE;
    }
  }
  if (node.param) return walk(node.param, segments, index + 1, method);
  return undefined;
}

/** The operations a node answers `method` with: HEAD also reaches GET (RFC 9110 §9.3.2). */
function methodsAt(node: TrieNode, method: string): readonly string[] {
  const own = node.methods.get(method) ?? [];
  return method === 'head' ? [...own, ...(node.methods.get('get') ?? [])] : own;
}

/**
 * Every operation that matches: a concrete path next to a template (`/users/count`
 * and `/users/{id}`), two templates, or an explicit HEAD operation next to a GET one.
 * First-match routers (Express, @koa/router, Hono) run whichever route was registered
 * first, and a HEAD request runs the GET handler when no HEAD route was registered,
 * so such a path could reach any of their handlers.
 */
export function collect(node: TrieNode, segments: readonly string[], index: number, method: string, out: string[]): void {
  if (index === segments.length) {
    for (const id of methodsAt(node, method)) if (!out.includes(id)) out.push(id);
    return;
  }
  const raw = segments[index] as string;
  const exact = node.statics.get(raw);
  if (exact) collect(exact, segments, index + 1, method, out);
  if (raw === '') return;
  const decoded = decodeSegment(raw);
  // Case-insensitive routers (Express, @koa/router) take `admin` for `Admin` too.
  for (const sibling of node.byFolded.get(decoded.toLowerCase()) ?? []) if (sibling !== exact) collect(sibling, segments, index + 1, method, out);
  for (const edge of node.patterns) if (edge.regex.test(decoded)) collect(edge.node, segments, index + 1, method, out);
  if (node.param !== undefined) collect(node.param, segments, index + 1, method, out);
}

/** Whether any path can match two operations for one method (see `collect`); if not, `routeAll` skips the search. */
export function hasOverlaps(node: TrieNode): boolean {
  const branches = (node.param ? 1 : 0) + node.patterns.length;
  if ((branches > 0 && node.statics.size > 0) || branches > 1 || (node.methods.has('head') && node.methods.has('get'))) return true;
  for (const ids of node.methods.values()) if (ids.length > 1) return true;
  for (const siblings of node.byFolded.values()) if (siblings.length > 1) return true;
  for (const child of node.statics.values()) if (hasOverlaps(child)) return true;
  for (const edge of node.patterns) if (hasOverlaps(edge.node)) return true;
  return node.param !== undefined && hasOverlaps(node.param);
}

/**
 * Whether some operation is reachable only by letting a parameter be empty: the
 * empty segment of a trailing slash (`/things/` next to `/things/{id}`) or an empty
 * expression (`.pdf` for `{name}.pdf`). find-my-way routes both to the templated
 * route; Express and the guard do not. `used` says an empty match was taken.
 */
export function reachableWhenEmpty(node: TrieNode, segments: readonly string[], index: number, method: string, used: boolean): boolean {
  if (index === segments.length) return used && lookupMethod(node, method) !== undefined;
  const raw = segments[index] as string;
  const exact = node.statics.get(raw);
  if (exact && reachableWhenEmpty(exact, segments, index + 1, method, used)) return true;
  const decoded = decodeSegment(raw);
  for (const edge of node.patterns) {
    const strict = decoded !== '' && edge.regex.test(decoded);
    if ((strict || edge.emptyable.test(decoded)) && reachableWhenEmpty(edge.node, segments, index + 1, method, used || !strict)) return true;
  }
  return node.param !== undefined && reachableWhenEmpty(node.param, segments, index + 1, method, used || raw === '');
}

