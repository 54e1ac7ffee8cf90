// Route patterns in the frameworks' own syntaxes, tied to spec operations. The guard
// must enforce the operation whose handler runs, so the route-aware adapters ask
// "which operation is the route the framework matched?" instead of matching the path
// a second time. Both sides are reduced to one canonical form (literal text, with
// each parameter as NUL plus its constraint, if any) and compared exactly: a route
// written with a wildcard, an optional group or a regex constraint the spec does not
// imply has no operation, and the adapters refuse it unless declared outside the spec.
// The same module writes spec templates in each syntax for `mountOperations`.
import type { OperationTable } from './runtime-tables.js';

/**
 * `path-to-regexp` (v8): Express 5 and @koa/router 13+. `find-my-way`: Fastify.
 * `hono`: Hono's routers.
 */
export type RouteSyntax = 'path-to-regexp' | 'find-my-way' | 'hono';

/** A spec operation's route: upper-case method and full path template (base path included). */
export interface OperationRoute<Op extends string = string> {
  readonly operationId: Op;
  readonly method: string;
  readonly template: string;
}

const PARAM = '\u0000';

/** Template expressions and literal runs of one spec path. */
type Part = { readonly param: string } | { readonly literal: string };

function templateParts(template: string): Part[] {
  const parts: Part[] = [];
  let rest = template;
  while (rest.length > 0) {
    const open = rest.indexOf('{');
    const close = open === -1 ? -1 : rest.indexOf('}', open);
    if (open === -1 || close === -1) {
      parts.push({ literal: rest });
      break;
    }
    if (open > 0) parts.push({ literal: rest.slice(0, open) });
    parts.push({ param: rest.slice(open + 1, close) });
    rest = rest.slice(close + 1);
  }
  return parts;
}

const HONO_PARAM_REGEX = '[^/]+';
const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

/**
 * A Hono segment for a spec segment that mixes literal text and expressions
 * (`{name}.pdf`): one regex parameter spanning the segment, so the value is the whole
 * segment; `undefined` for a plain segment.
 */
function honoPartialRegex(segment: string): string | undefined {
  const parts = templateParts(segment);
  if (parts.length < 2 || !parts.some((p) => 'param' in p)) return undefined;
  return parts.map((p) => ('param' in p ? HONO_PARAM_REGEX : p.literal.replace(REGEX_SPECIAL, '\\$&'))).join('');
}

/** The canonical form of a spec template, as a framework of `syntax` would see it. */
export function canonicalTemplate(template: string, syntax: RouteSyntax): string {
  if (syntax !== 'hono') return templateParts(template).map((p) => ('param' in p ? PARAM : p.literal)).join('');
  return template
    .split('/')
    .map((segment) => {
      const regex = honoPartialRegex(segment);
      if (regex !== undefined) return PARAM + '{' + regex + '}';
      return segment.startsWith('{') && segment.endsWith('}') ? PARAM : segment;
    })
    .join('/');
}

const ID_START = /[$_\p{ID_Start}]/u;
const ID_CONTINUE = /[$\u200c\u200d\p{ID_Continue}]/u;

/** path-to-regexp v8: `:name`, `:"quoted"`, `\x` escapes; wildcards, groups and reserved characters are refused. */
function canonicalPathToRegexp(pattern: string): string | undefined {
  let out = '';
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i] as string;
    if (c === '\\') {
      if (i + 1 >= pattern.length) return undefined;
      out += pattern[i + 1];
      i += 2;
    } else if (c === ':') {
      let j = i + 1;
      if (pattern[j] === '"') {
        j++;
        while (j < pattern.length && pattern[j] !== '"') j += pattern[j] === '\\' ? 2 : 1;
        if (j >= pattern.length) return undefined;
        j++;
      } else {
        const first = String.fromCodePoint(pattern.codePointAt(j) ?? 0);
        if (!ID_START.test(first)) return undefined;
        j += first.length;
        for (;;) {
          const next = String.fromCodePoint(pattern.codePointAt(j) ?? 0);
          if (j >= pattern.length || !ID_CONTINUE.test(next)) break;
          j += next.length;
        }
      }
      out += PARAM;
      i = j;
    } else if ('*{}()[]?+!'.includes(c)) {
      return undefined;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** find-my-way: `:name` ends at `-`, `.`, `/` or `(`; `(regex)` constrains it; `::` is a colon; `*` is a wildcard (refused). */
function canonicalFindMyWay(pattern: string): string | undefined {
  let out = '';
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i] as string;
    if (c === ':' && pattern[i + 1] === ':') {
      out += ':';
      i += 2;
    } else if (c === '?') {
      // `:id?` registers the route with and without the segment: no spec path is both.
      return undefined;
    } else if (c === ':') {
      let j = i + 1;
      while (j < pattern.length && !'-./(?'.includes(pattern[j] as string)) j++;
      out += PARAM;
      if (pattern[j] === '(') {
        let depth = 0;
        const start = j;
        for (; j < pattern.length; j++) {
          if (pattern[j] === '\\') j++;
          else if (pattern[j] === '(') depth++;
          else if (pattern[j] === ')' && --depth === 0) break;
        }
        if (j >= pattern.length) return undefined;
        out += '{' + pattern.slice(start, j + 1) + '}';
        j++;
      }
      i = j;
    } else if (c === '*') {
      return undefined;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Splits a Hono pattern at `/` outside `{…}` (a parameter's regex may hold a slash). */
function honoSegments(pattern: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === '/' && depth === 0) {
      out.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  out.push(pattern.slice(start));
  return out;
}

/**
 * Hono: a segment `:name` or `:name{regex}`; an optional `?`, a `*`, or a name with
 * characters other than letters, digits, `_`, `$` and `-` (Hono would read `:name.pdf`
 * as one parameter named `name.pdf`, matching any segment) is refused.
 */
function canonicalHono(pattern: string): string | undefined {
  const out: string[] = [];
  for (const segment of honoSegments(pattern)) {
    if (!segment.startsWith(':')) {
      if (segment.includes('*')) return undefined;
      out.push(segment);
      continue;
    }
    const m = /^:([\w$-]+)(?:\{(.+)\})?$/s.exec(segment);
    if (m === null) return undefined;
    out.push(m[2] === undefined || m[2] === HONO_PARAM_REGEX ? PARAM : PARAM + '{' + m[2] + '}');
  }
  return out.join('/');
}

/** The canonical form of a framework route pattern, or `undefined` when it has constructs no spec path implies. */
export function canonicalPattern(pattern: string, syntax: RouteSyntax): string | undefined {
  switch (syntax) {
    case 'path-to-regexp':
      return canonicalPathToRegexp(pattern);
    case 'find-my-way':
      return canonicalFindMyWay(pattern);
    case 'hono':
      return canonicalHono(pattern);
  }
}

/** A parameter name each syntax takes as is, or a positional one. */
function paramName(name: string, index: number): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `p${index}`;
}

/**
 * A spec template (base path included) written in `syntax`, for registering the
 * operation's route. Throws for a template the syntax cannot express exactly
 * (for example two adjacent expressions), rather than registering a broader route.
 */
export function routePattern(template: string, syntax: RouteSyntax): string {
  let index = 0;
  let out: string;
  if (syntax === 'hono') {
    out = template
      .split('/')
      .map((segment) => {
        const regex = honoPartialRegex(segment);
        const parts = templateParts(segment);
        const first = parts.find((p): p is { param: string } => 'param' in p);
        if (regex !== undefined && first) return `:${paramName(first.param, index++)}{${regex}}`;
        if (first) return `:${paramName(first.param, index++)}`;
        if (segment.startsWith(':') || segment.includes('*') || segment.includes('?')) throw new TypeError(`path ${JSON.stringify(template)} cannot be written as a Hono route`);
        return segment;
      })
      .join('/');
  } else {
    const parts = templateParts(template);
    out = '';
    let previousParam = false;
    for (const part of parts) {
      if ('param' in part) {
        if (previousParam) throw new TypeError(`path ${JSON.stringify(template)} has adjacent expressions no router can split`);
        out += ':' + paramName(part.param, index++);
        previousParam = true;
        continue;
      }
      if (syntax === 'path-to-regexp') {
        out += part.literal.replace(/[:*?{}()[\]+!\\]/g, '\\$&');
        // `:id` followed by a name character would extend the name.
        if (previousParam && /^[$\w]/.test(part.literal)) throw new TypeError(`path ${JSON.stringify(template)} cannot be written as a path-to-regexp route`);
      } else {
        if (part.literal.includes('*') || part.literal.includes('(')) throw new TypeError(`path ${JSON.stringify(template)} cannot be written as a find-my-way route`);
        if (previousParam && !/^[-./]/.test(part.literal)) throw new TypeError(`path ${JSON.stringify(template)} cannot be written as a find-my-way route`);
        out += part.literal.replace(/:/g, '::');
      }
      previousParam = false;
    }
  }
  if (canonicalPattern(out, syntax) !== canonicalTemplate(template, syntax)) {
    throw new TypeError(`path ${JSON.stringify(template)} cannot be written exactly in ${syntax} syntax`);
  }
  return out;
}

/** Joins a base path and a template: `/v1` + `/pets` = `/v1/pets`. */
export function fullTemplate(basePath: string, template: string): string {
  return basePath === '' ? template : basePath + (template === '/' ? '' : template);
}

/** Every operation's route, in table order. */
export function operationRoutes<Op extends string>(operations: OperationTable, basePath: string): OperationRoute<Op>[] {
  const routes: OperationRoute<Op>[] = [];
  for (const operationId of Object.keys(operations)) {
    const op = operations[operationId];
    if (op === undefined) continue;
    routes.push({ operationId: operationId as Op, method: op.method.toUpperCase(), template: fullTemplate(basePath, op.path) });
  }
  return routes;
}

/**
 * Answers which operations a matched framework route serves, from its method and
 * pattern: usually one; several when spec paths differ only in parameter names
 * (`{id}` and `{name}`), or for HEAD when the spec has HEAD and GET operations there
 * (frameworks run the GET route for HEAD); none for a route no spec path implies. The
 * method `'*'` asks for the operations of the path whatever their method.
 */
export type RouteBinder<Op extends string> = (method: string, pattern: string, syntax: RouteSyntax) => readonly Op[];

const NONE: readonly never[] = Object.freeze([]);

export function createRouteBinder<Op extends string>(routes: readonly OperationRoute<Op>[]): RouteBinder<Op> {
  const bySyntax = new Map<RouteSyntax, Map<string, Op[]>>();
  const tableFor = (syntax: RouteSyntax): Map<string, Op[]> => {
    let table = bySyntax.get(syntax);
    if (table === undefined) {
      const t = new Map<string, Op[]>();
      const add = (key: string, op: Op): void => {
        const ops = t.get(key);
        if (ops === undefined) t.set(key, [op]);
        else if (!ops.includes(op)) ops.push(op);
      };
      for (const r of routes) {
        const canonical = canonicalTemplate(r.template, syntax);
        add(r.method + ' ' + canonical, r.operationId);
        add('* ' + canonical, r.operationId);
      }
      bySyntax.set(syntax, (table = t));
    }
    return table;
  };
  // Patterns come from the app's route table, so this cache is bounded by it.
  const cache = new Map<string, readonly Op[]>();
  return (method, pattern, syntax) => {
    const upper = method.toUpperCase();
    const cacheKey = syntax + ' ' + upper + ' ' + pattern;
    let found = cache.get(cacheKey);
    if (found !== undefined) return found;
    const canonical = canonicalPattern(pattern, syntax);
    found = NONE;
    if (canonical !== undefined) {
      const table = tableFor(syntax);
      const own = table.get(upper + ' ' + canonical) ?? NONE;
      // RFC 9110 §9.3.2: frameworks answer HEAD with the GET route.
      found = upper === 'HEAD' ? [...own, ...(table.get('GET ' + canonical) ?? NONE)] : own;
    }
    cache.set(cacheKey, found);
    return found;
  };
}

/**
 * Operations in the order to register them on a first-match router: a concrete
 * segment before an expression at the same place (`/pets/mine` before
 * `/pets/{petId}`), more literal text before less (`{name}.pdf` before `{name}`).
 */
export function mountOrder<Op extends string>(routes: readonly OperationRoute<Op>[]): OperationRoute<Op>[] {
  const rank = (template: string): string =>
    template
      .split('/')
      .map((segment) => (segment.indexOf('{') === -1 ? '0' : /^\{[^}]*\}$/.test(segment) ? '2' : '1'))
      .join('');
  return [...routes].sort((a, b) => {
    const ra = rank(a.template);
    const rb = rank(b.template);
    if (ra !== rb) return ra < rb ? -1 : 1;
    const la = a.template.replace(/\{[^}]*\}/g, '').length;
    const lb = b.template.replace(/\{[^}]*\}/g, '').length;
    if (la !== lb) return lb - la;
    return a.template < b.template ? -1 : a.template > b.template ? 1 : 0;
  });
}
