// Framework routes tied to spec operations. The guard must enforce the operation
// whose handler runs, so the route-aware adapters ask "which operations does the
// route the framework matched serve?" instead of matching the path a second time:
// both sides are compared in the canonical form of runtime-route-syntax.ts, and a
// route with constructs the spec does not imply serves none (the adapters refuse it
// unless declared outside the spec). Also the operations' routes and mount order.
import type { OperationTable } from './runtime-tables.js';
import { canonicalPattern, canonicalTemplate, upperMethod, type RouteSyntax } from './runtime-route-syntax.js';

export { canonicalPattern, canonicalTemplate, lowerMethod, routePattern, upperMethod, type RouteSyntax } from './runtime-route-syntax.js';

/** A spec operation's route: upper-case method and full path template (base path included). */
export interface OperationRoute<Op extends string = string> {
  readonly operationId: Op;
  readonly method: string;
  readonly template: string;
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

const NONE: readonly never[] = Object.freeze([] as never[]);

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
  /** The operations of a pattern already in canonical form, for an upper-case method. */
  const bind = (upper: string, canonical: string, syntax: RouteSyntax): readonly Op[] => {
    const table = tableFor(syntax);
    const own = table.get(upper + ' ' + canonical) ?? NONE;
    // RFC 9110 §9.3.2: frameworks answer HEAD with the GET route.
    return upper === 'HEAD' ? [...own, ...(table.get('GET ' + canonical) ?? NONE)] : own;
  };
  // Answers cached per syntax, per pattern (with its canonical form, parsed once), per
  // method: no key is built for a request, so a lookup hashes no new string (a framework
  // hands over the same pattern and method strings every time; a concatenated key cost
  // some 1,300 instructions a request, most of it hashing and comparing the fresh key,
  // measured with callgrind). Patterns come from the app's route table, so the cache is
  // bounded by it; a method is the client's to choose, so only the spec's methods (and
  // HEAD and `*`), spelled upper-case, are kept.
  const cached = new Set<string>(['*', 'HEAD', ...routes.map((r) => r.method)]);
  const cache = new Map<RouteSyntax, Map<string, { readonly canonical: string | undefined; readonly byMethod: Map<string, readonly Op[]> }>>();
  return (method, pattern, syntax) => {
    let byPattern = cache.get(syntax);
    if (byPattern === undefined) cache.set(syntax, (byPattern = new Map()));
    let entry = byPattern.get(pattern);
    if (entry === undefined) byPattern.set(pattern, (entry = { canonical: canonicalPattern(pattern, syntax), byMethod: new Map() }));
    const hit = entry.byMethod.get(method);
    if (hit !== undefined) return hit;
    const upper = upperMethod(method);
    const found = entry.canonical === undefined ? NONE : bind(upper, entry.canonical, syntax);
    if (upper === method && cached.has(method)) entry.byMethod.set(method, found);
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
