// Which operations an app serves and which of its routes the spec does not know: for
// a test or a start-up check that the app and the spec agree. The adapters list the
// routes their framework registered (Express best effort over its router stack,
// Fastify through an `onRoute` recorder, @koa/router and Hono from their tables);
// node:http and Fetch have no route table, so there is nothing to list there.
import type { Guard } from './runtime-types.js';
import type { OperationRoute, RouteSyntax } from './runtime-bind.js';

/** A route as the framework registered it. */
export interface AppRoute {
  readonly method: string;
  readonly pattern: string;
}

export interface RouteCoverage<Op extends string = string> {
  /** Operations of the spec no route of the app serves. */
  readonly missing: readonly OperationRoute<Op>[];
  /** Routes of the app that serve no operation (minus those listed in `outsideSpec`). */
  readonly unknown: readonly AppRoute[];
}

/** Compares an app's routes with the guard's operations. `HEAD` routes frameworks add for `GET` are ignored. */
export function routeCoverage<Op extends string, V>(
  guard: Guard<Op, V>,
  routes: readonly AppRoute[],
  syntax: RouteSyntax,
  outsideSpec: readonly string[] = [],
): RouteCoverage<Op> {
  const served = new Set<Op>();
  const unknown: AppRoute[] = [];
  const outside = new Set(outsideSpec.map((entry) => entry.trim().replace(/^(\S+)/, (m) => m.toUpperCase())));
  for (const route of routes) {
    const method = route.method.toUpperCase();
    const ops = guard.routing.bind(method, route.pattern, syntax);
    for (const op of ops) if (method !== 'HEAD' || guard.routing.operations.some((r) => r.operationId === op && r.method === 'HEAD')) served.add(op);
    if (ops.length === 0 && method !== 'HEAD' && !outside.has(method + ' ' + route.pattern)) unknown.push({ method, pattern: route.pattern });
  }
  return { missing: guard.routing.operations.filter((r) => !served.has(r.operationId)), unknown };
}
