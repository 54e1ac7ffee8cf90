// Route patterns in the frameworks' own syntaxes, reduced to one canonical form
// (literal text, each parameter as NUL plus its constraint, if any) so a framework
// route and a spec template compare exactly; and spec templates written in each
// syntax for `mountOperations`. A construct no spec path implies (a wildcard, an
// optional segment, a regex the spec does not give) has no canonical form.

/**
 * `path-to-regexp` (v8): Express 5 and @koa/router 13+. `find-my-way`: Fastify.
 * `hono`: Hono's routers.
 */
export type RouteSyntax = 'path-to-regexp' | 'find-my-way' | 'hono';

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

/**
 * A request method upper-cased, as the operation tables and the route binder key methods.
 * The usual methods, which node's HTTP parser and Fetch hand over upper-case already, are
 * returned as they are: `toUpperCase` is a builtin call of some 300 instructions even when
 * nothing changes (callgrind), and adapters ask on every request.
 */
export function upperMethod(method: string): string {
  switch (method) {
    case 'GET':
    case 'POST':
    case 'PUT':
    case 'DELETE':
    case 'PATCH':
    case 'HEAD':
    case 'OPTIONS':
      return method;
    default:
      return method.toUpperCase();
  }
}

/** A request method lower-cased, as the route trie keys methods; the usual ones without a call (see `upperMethod`). */
export function lowerMethod(method: string): string {
  switch (method) {
    case 'GET':
      return 'get';
    case 'POST':
      return 'post';
    case 'PUT':
      return 'put';
    case 'DELETE':
      return 'delete';
    case 'PATCH':
      return 'patch';
    case 'HEAD':
      return 'head';
    case 'OPTIONS':
      return 'options';
    default:
      return method.toLowerCase();
  }
}
