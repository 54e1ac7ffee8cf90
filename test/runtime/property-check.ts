// Runs one abstract world through the guard and compares everything with the
// reference evaluator (property-reference.ts): the decision, status, winning index as
// written, principals, the 401 body's `missing` / `invalid` / `invalidGroups` /
// `alternatives` and its detail, the
// `VerifierError` of a throw, and every verifier and binding check call (count,
// credential or principals, context). `stats` counts which rules the worlds reached.
import { expect } from 'vitest';
import { createGuardFromTables, NONE_SENT, NOT_ACCEPTED, OTHERS_SENT, VerifierError, type AuthResult, type ProblemLocation } from '../../templates/runtime/runtime-server.js';
import { build, render } from './property-build.js';
import { reference } from './property-reference.js';
import { cookieName, headerName, isApiKey, queryName, type World } from './property-world.js';

/** Coverage bookkeeping for the properties (which branches the generated worlds reached). */
export const stats = {
  runs: 0,
  ok: 0,
  okLater: 0,
  anonymous: 0,
  anonymousLater: 0,
  s401: 0,
  s403: 0,
  throws: 0,
  bindingThrows: 0,
  reused: 0,
  andStops: 0,
  bindingCalls: 0,
  notBound: 0,
  truthyNotTrue: 0,
  bindingShared: 0,
  independentPassed: 0,
  shifted: 0,
  invalidGroups: 0,
  noneSent: 0,
  othersSent: 0,
};
export const resetStats = () => {
  for (const key of Object.keys(stats) as (keyof typeof stats)[]) stats[key] = 0;
};

/** Where a 401 body locates a scheme's credential. */
function locationOf(w: World, scheme: string): Partial<ProblemLocation> {
  const i = w.schemes.findIndex((s) => s.name === scheme);
  const s = w.schemes[i];
  if (s === undefined || !isApiKey(s.kind)) return { scheme, in: 'authorization' };
  const name = s.kind === 'header' ? headerName(i) : s.kind === 'query' ? queryName(i) : cookieName(i);
  return { scheme, in: s.kind, name };
}

export async function check(w: World): Promise<void> {
  const { tables, verifiers, calls, bindingCalls, principals } = build(w);
  const { request, secrets } = render(w);
  const expected = reference(w);
  const guard = createGuardFromTables(tables, verifiers, w.anonymousOnInvalid ? { anonymousOnInvalid: true } : {});

  let result: AuthResult<string, unknown> | undefined;
  let error: unknown;
  try {
    result = await guard.authorize('op', request);
  } catch (e) {
    error = e;
  }

  // Verifier calls: exactly once for each scheme the reference verified, never otherwise,
  // with the extracted credential and the context of the triggering use.
  for (const s of w.schemes) {
    const actual = calls.get(s.name) ?? [];
    const want = expected.calls.get(s.name);
    expect(actual.length, `calls of ${s.name}`).toBe(want === undefined ? 0 : 1);
    if (want !== undefined && actual[0]) {
      expect(actual[0].credential, `credential of ${s.name}`).toEqual(want.credential);
      expect(actual[0].context.operationId).toBe('op');
      expect(actual[0].context.scheme).toBe(s.name);
      expect(actual[0].context.request).toBe(request);
      expect([...actual[0].context.scopes], `context scopes of ${s.name}`).toEqual([...want.scopes]);
    }
  }
  // Binding calls (B1, B2): exactly once per group key the reference bound, never
  // otherwise, with the members' principals (the verifiers' very objects) keyed by name.
  for (const key of w.bindings.keys()) {
    const actual = bindingCalls.get(key) ?? [];
    const want = expected.bindingCalls.get(key);
    expect(actual.length, `binding calls of ${key}`).toBe(want === undefined ? 0 : 1);
    if (want !== undefined && actual[0]) {
      const given = actual[0].principals as Record<string, unknown>;
      expect(Object.keys(given).sort(), `principals given to ${key}`).toEqual([...want.members].sort());
      for (const name of want.members) expect(Object.getOwnPropertyDescriptor(given, name)?.value, `principal of ${name} given to ${key}`).toBe(principals.get(name));
      expect(actual[0].context.operationId).toBe('op');
      expect(actual[0].context.group).toBe(key);
      expect(actual[0].context.request).toBe(request);
    }
  }

  const t = expected.trace;
  stats.runs++;
  if (t.reused > 0) stats.reused++;
  if (t.andStops > 0) stats.andStops++;
  if (expected.bindingCalls.size > 0) stats.bindingCalls++;
  if (t.notBound > 0) stats.notBound++;
  if (t.truthyNotTrue > 0) stats.truthyNotTrue++;
  if (t.bindingShared > 0) stats.bindingShared++;
  if (t.independentPassed > 0) stats.independentPassed++;
  if (t.shifted > 0) stats.shifted++;
  if (expected.kind === 'throws') {
    stats.throws++;
    if (expected.binding) stats.bindingThrows++;
    expect(result, 'a throwing verifier or binding check never yields a result').toBeUndefined();
    expect(error).toBeInstanceOf(VerifierError);
    expect((error as VerifierError).scheme).toBe(expected.scheme);
    expect((error as VerifierError).binding, 'VerifierError.binding').toBe(expected.binding);
    expect((error as VerifierError).operationId).toBe('op');
    for (const secret of secrets) expect((error as Error).message).not.toContain(secret);
    return;
  }
  if (error !== undefined) throw error;
  if (result === undefined) throw new Error('unreachable');
  const serialized = JSON.stringify(result);
  for (const secret of secrets) expect(serialized, 'an answer never contains a credential').not.toContain(secret);

  if (expected.kind === 'fail') {
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(expected.status);
    expect(result.headers['content-type']).toBe('application/problem+json');
    expect(result.body.status).toBe(expected.status);
    if (expected.status === 403) {
      stats.s403++;
      expect(result.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="insufficient_scope", scope="/);
      return;
    }
    stats.s401++;
    expect(result.headers['www-authenticate']).toBeTruthy();
    const body = result.body;
    const schemesOf = (list: readonly ProblemLocation[] | undefined) => (list ?? []).map((l) => l.scheme).sort();
    expect(schemesOf(body.missing), 'body.missing').toEqual(expected.problem.missing);
    expect(schemesOf(body.invalid), 'body.invalid').toEqual(expected.problem.invalid);
    expect([...(body.invalidGroups ?? [])].sort(), 'body.invalidGroups').toEqual(expected.problem.invalidGroups);
    for (const l of [...(body.missing ?? []), ...(body.invalid ?? [])]) expect(l, 'a location').toMatchObject(locationOf(w, l.scheme));
    const names = (list: readonly ProblemLocation[]) => list.map((l) => l.scheme);
    expect(
      (body.alternatives ?? []).map((a) => ({ index: a.index, schemes: names(a.schemes), missing: names(a.missing), invalid: names(a.invalid) })),
      'body.alternatives',
    ).toEqual(expected.problem.alternatives);
    for (const a of body.alternatives ?? []) for (const l of [...a.schemes, ...a.missing, ...a.invalid]) expect(l, 'a location').toMatchObject(locationOf(w, l.scheme));
    const detail = { 'none sent': NONE_SENT, 'others sent': OTHERS_SENT, 'not accepted': NOT_ACCEPTED }[expected.problem.detail];
    expect(body.detail, 'body.detail').toBe(detail);
    if (expected.problem.detail === 'none sent') stats.noneSent++;
    if (expected.problem.detail === 'others sent') stats.othersSent++;
    if (expected.problem.invalidGroups.length > 0) stats.invalidGroups++;
    return;
  }
  stats.ok++;
  if (expected.anonymous) stats.anonymous++;
  if (expected.anonymous && expected.alternative > 0) stats.anonymousLater++;
  if (!expected.anonymous && expected.alternative > 0) stats.okLater++;
  expect(result.ok, 'ok').toBe(true);
  if (!result.ok) return;
  expect(result.operationId).toBe('op');
  expect(result.alternative, 'winning alternative (index as written)').toBe(expected.alternative);
  expect(result.anonymous, 'anonymous').toBe(expected.anonymous);
  expect(Object.getPrototypeOf(result.principals)).toBe(Object.prototype);
  expect(Object.keys(result.principals).sort(), 'principal keys').toEqual([...expected.principals].sort());
  for (const name of expected.principals) {
    expect(Object.getOwnPropertyDescriptor(result.principals, name)?.value, `principal of ${name}`).toBe(principals.get(name));
  }
}
