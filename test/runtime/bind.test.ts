// Given/want tables for tying framework routes to spec operations (runtime-bind.ts),
// the strict path classifier the path-matching adapters use (runtime-routes.ts), and
// what `unknownRoute: 'next'` may pass (runtime-nearby.ts). Expected values are
// written by hand from each router's documented syntax.
import { describe, expect, it } from 'vitest';
import { canonicalPattern, createRouteBinder, mountOrder, operationRoutes, routePattern, type RouteSyntax } from '../../templates/runtime/runtime-bind.js';
import { createNearbyCheck } from '../../templates/runtime/runtime-nearby.js';
import { AMBIGUOUS_ROUTE, createRouteClassifier, createRouteIndex } from '../../templates/runtime/runtime-routes.js';

const op = (method: string, path: string) => ({ method, path, auth: { kind: 'public' } }) as const;
const operations = {
  listThings: op('get', '/things'),
  getThing: op('get', '/things/{id}'),
  getDoc: op('get', '/docs/{id}'),
  getSecret: op('get', '/docs/{id}/secret'),
  getReport: op('get', '/reports/{name}'),
  getReportPdf: op('get', '/reports/{name}.pdf'),
  getFile: op('get', '/files/{path}'),
  getStats: op('get', '/admin/stats'),
  cancel: op('post', '/jobs/{job-id}:cancel'),
  deleteOrder: op('delete', '/orders/{id}'),
};
const routes = operationRoutes<keyof typeof operations>(operations, '/v1');
const bind = createRouteBinder(routes);

describe('a framework route names its operation', () => {
  const cases: [RouteSyntax, string, string, string | undefined][] = [
    ['path-to-regexp', 'GET', '/v1/things/:id', 'getThing'],
    ['path-to-regexp', 'GET', '/v1/things/:thingId', 'getThing'],
    ['path-to-regexp', 'HEAD', '/v1/things/:id', 'getThing'],
    ['path-to-regexp', 'GET', '/v1/things', 'listThings'],
    ['path-to-regexp', 'GET', '/v1/reports/:name.pdf', 'getReportPdf'],
    ['path-to-regexp', 'GET', '/v1/reports/:name', 'getReport'],
    ['path-to-regexp', 'POST', '/v1/jobs/:id\\:cancel', 'cancel'],
    ['path-to-regexp', 'GET', '/v1/files/*path', undefined],
    ['path-to-regexp', 'GET', '/v1/files/{*path}', undefined],
    ['path-to-regexp', 'GET', '/v1/things{/:id}', undefined],
    ['path-to-regexp', 'DELETE', '/v1/things/:id', undefined],
    ['path-to-regexp', 'GET', '/V1/things', undefined],
    ['find-my-way', 'GET', '/v1/reports/:name.pdf', 'getReportPdf'],
    ['find-my-way', 'GET', '/v1/things/:id', 'getThing'],
    ['find-my-way', 'GET', '/v1/things/:id(^\\d+$)', undefined],
    ['find-my-way', 'GET', '/v1/files/*', undefined],
    // find-my-way reads `id::cancel` as the parameter's name: no colon can follow a parameter.
    ['find-my-way', 'POST', '/v1/jobs/:id::cancel', undefined],
    ['hono', 'GET', '/v1/docs/:id/secret', 'getSecret'],
    ['hono', 'GET', '/v1/reports/:name{[^/]+\\.pdf}', 'getReportPdf'],
    ['hono', 'GET', '/v1/reports/:name{.+\\.pdf}', undefined],
    ['hono', 'GET', '/v1/reports/:name.pdf', undefined],
    ['hono', 'GET', '/v1/things/:id?', undefined],
    ['hono', 'GET', '/v1/files/*', undefined],
    ['hono', 'GET', '/v1/things/:id{[0-9]+}', undefined],
  ];
  it.each(cases)('%s %s %s → %s', (syntax, method, pattern, want) => {
    expect(bind(method, pattern, syntax)).toEqual(want === undefined ? [] : [want]);
  });
  it('a method in any case answers as upper-case, asked again too (answers are cached per method as given)', () => {
    const b = createRouteBinder(routes);
    for (let i = 0; i < 2; i++) {
      expect(b('get', '/v1/things/:id', 'path-to-regexp')).toEqual(['getThing']);
      expect(b('GET', '/v1/things/:id', 'path-to-regexp')).toEqual(['getThing']);
      expect(b('Delete', '/v1/orders/:id', 'path-to-regexp')).toEqual(['deleteOrder']);
      expect(b('delete', '/v1/things/:id', 'path-to-regexp')).toEqual([]);
      expect(b('BREW', '/v1/things/:id', 'path-to-regexp')).toEqual([]);
      expect(b('HEAD', '/v1/things/:id', 'path-to-regexp')).toEqual(['getThing']);
      expect(b('GET', '/v1/things/:id', 'find-my-way')).toEqual(['getThing']);
    }
  });
  it('several operations when spec paths differ only in parameter names, and for HEAD next to GET', () => {
    const b = createRouteBinder(operationRoutes({ a: op('get', '/u/{id}'), b: op('get', '/u/{name}'), h: op('head', '/u/{id}') }, ''));
    expect(b('GET', '/u/:x', 'path-to-regexp')).toEqual(['a', 'b']);
    expect(b('HEAD', '/u/:x', 'find-my-way')).toEqual(['h', 'a', 'b']);
    expect(b('*', '/u/:x', 'hono')).toEqual(['a', 'b', 'h']);
  });
});

describe('spec templates written in each syntax', () => {
  const cases: [string, RouteSyntax, string][] = [
    ['/v1/things/{id}', 'path-to-regexp', '/v1/things/:id'],
    ['/v1/reports/{name}.pdf', 'path-to-regexp', '/v1/reports/:name.pdf'],
    ['/v1/jobs/{job-id}:cancel', 'path-to-regexp', '/v1/jobs/:p0\\:cancel'],
    ['/v1/a(b)/{id}', 'path-to-regexp', '/v1/a\\(b\\)/:id'],
    ['/v1/reports/{name}.pdf', 'find-my-way', '/v1/reports/:name.pdf'],
    ['/v1/reports/{name}.pdf', 'hono', '/v1/reports/:name{[^/]+\\.pdf}'],
    ['/v1/things/{id}', 'hono', '/v1/things/:id'],
  ];
  it.each(cases)('%s in %s → %s', (template, syntax, want) => {
    expect(routePattern(template, syntax)).toBe(want);
    expect(canonicalPattern(want, syntax)).toBeDefined();
  });
  it.each([['/v1/{a}{b}', 'path-to-regexp'], ['/v1/{a}{b}', 'find-my-way'], ['/v1/{a}x', 'path-to-regexp'], ['/v1/:x/{a}', 'hono'], ['/v1/{a}x', 'find-my-way'], ['/v1/jobs/{job-id}:cancel', 'find-my-way']] as const)(
    '%s cannot be written exactly in %s: throws rather than registering a broader route',
    (template, syntax) => {
      expect(() => routePattern(template, syntax)).toThrow(TypeError);
    },
  );
  it('mount order puts concrete segments and longer literals first', () => {
    const order = mountOrder(operationRoutes({ a: op('get', '/p/{id}'), b: op('get', '/p/mine'), c: op('get', '/r/{n}'), d: op('get', '/r/{n}.pdf') }, '')).map((r) => r.operationId);
    expect(order.indexOf('b')).toBeLessThan(order.indexOf('a'));
    expect(order.indexOf('d')).toBeLessThan(order.indexOf('c'));
  });
});

describe('the strict classifier refuses what routers resolve differently', () => {
  const classify = createRouteClassifier(operations, '/v1');
  const refused = [
    '/v1/things/', // find-my-way: /things/:id with id ''
    '/v1/reports/.pdf', // find-my-way: {name}.pdf with name ''
    '/v1/reports/%2Epdf',
    '/v1/docs/1#/secret', // Hono routes the fragment as path
    '/v1/admin/x/../stats',
    '/v1/./things',
    '/v1/admin/%2e%2E/admin/stats',
    '/v1/things\\1',
    '/v1/things%5C1',
    '/v1//things',
    '/v1/things;x=1',
    '/V1/things',
  ];
  it.each(refused)('%s → ambiguous', (path) => {
    expect(classify('GET', path)).toBe(AMBIGUOUS_ROUTE);
  });
  const matched: [string, string, string | undefined][] = [
    ['GET', '/v1/things', 'listThings'],
    ['GET', '/v1/things/1', 'getThing'],
    ['GET', '/v1/reports/a', 'getReport'],
    ['GET', '/v1/reports/a.pdf', 'getReportPdf'],
    ['GET', '/v1/admin/stats/', 'getStats'],
    ['HEAD', '/v1/things/1', 'getThing'],
    ['GET', '/v1/things/1?x=#', 'getThing'],
    ['GET', '/v1/elsewhere', undefined],
  ];
  it.each(matched)('%s %s → %s', (method, path, want) => {
    expect(classify(method, path)).toBe(want);
  });
});

describe('every operation a path matches (first-match routers may run any of them)', () => {
  const index = createRouteIndex({ ...operations, mine: op('get', '/things/mine'), headThing: op('head', '/things/{id}') }, '/v1');
  const cases: [string, string, string[]][] = [
    ['GET', '/v1/reports/a.pdf', ['getReportPdf', 'getReport']],
    ['GET', '/v1/things/mine', ['mine', 'getThing']],
    ['GET', '/v1/things/1', ['getThing']],
    ['HEAD', '/v1/things/1', ['headThing', 'getThing']],
    ['GET', '/v1/things/', []],
    ['GET', '/v1/elsewhere', []],
  ];
  it.each(cases)('%s %s → %j', (method, path, want) => {
    expect(index.routeAll(method, path) ?? []).toEqual(want);
  });
  it('spec paths routers take as one: letter case, a trailing slash, parameter names', () => {
    const i = createRouteIndex({ lower: op('get', '/admin'), upper: op('get', '/Admin'), bare: op('get', '/t'), slash: op('get', '/t/'), byId: op('get', '/u/{id}'), byName: op('get', '/u/{name}') }, '');
    expect(i.routeAll('GET', '/admin')).toEqual(['lower', 'upper']);
    expect(i.routeAll('GET', '/Admin')).toEqual(['upper', 'lower']);
    expect(i.routeAll('GET', '/t')).toEqual(['bare', 'slash']);
    expect(i.routeAll('GET', '/u/1')).toEqual(['byId', 'byName']);
  });
});

describe("what unknownRoute: 'next' may pass", () => {
  const nearby = createNearbyCheck(operations, '/v1');
  it.each([
    '/v1/files/a/b', // a wildcard route for /files/{path}
    '/v1/files',
    '/v1/admin/x/../stats',
    '/v1/./things',
    '/V1/THINGS',
    '/v1/%74hings',
    '/v1\\admin\\stats',
    '/v1//admin//stats',
    '/v1/admin;x/stats',
    '/v1/docs/1#/secret',
    '/v1/admin/%252e%252e/things',
    '/api/v1/things/1', // the API mounted under a prefix
  ])('%s could be meant for the spec → refused', (path) => {
    expect(nearby(path)).toBe(true);
  });
  it.each(['/healthz', '/v1/%252e%252e/things', '/v1/extra', '/v1/admin', '/v2/things', '/metrics'])('%s could not → passes', (path) => {
    expect(nearby(path)).toBe(false);
  });
  it('a root operation claims only the root', () => {
    const root = createNearbyCheck({ home: op('get', '/') }, '');
    expect([root('/'), root('/healthz')]).toEqual([true, false]);
  });
});
