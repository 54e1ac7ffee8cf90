// Property test: the server evaluator (`createGuardFromTables`) against a small
// reference evaluator written from the rules of BRIEF §2–3 and issue 3 ("Semantics").
// The reference (property-reference.ts, rules R1–R9, B1–B4 and P1–P2 listed there) does not
// look at the implementation: it works on the abstract world the generator produced
// (property-world.ts, property-arbs.ts: which credential is absent / present / sent
// twice, what each verifier and each AND group's binding check answers, where `{}`
// stands in the written `security` array) instead of on the rendered request
// (property-build.ts). property-check.ts compares the two on one world: decision,
// status, winning index as written, principals, the 401 body's `missing` / `invalid` /
// `invalidGroups` / `alternatives` and its detail, the `VerifierError` of a throw,
// every verifier and binding call.
// The last block states the key binding cases directly, with a real binding check.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGuardFromTables, independent, VerifierError } from '../../templates/runtime/runtime-server.js';
import type { UseSpec } from '../../templates/runtime/runtime-tables.js';
import { worldArb } from './property-arbs.js';
import { build, render } from './property-build.js';
import { check, resetStats, stats } from './property-check.js';
import { reference } from './property-reference.js';
import { ANON, type AuthCred, type AuthSingle, type Behavior, type Binding, type Entry, type Forms, type KeyCred, type Mode, type OpDef, type SchemeDef, type World } from './property-world.js';

// ---------------------------------------------------------------------------
// Hand-written worlds for tricky cases
// ---------------------------------------------------------------------------

const ok = (scopes?: readonly string[], mode: Mode = 'sync'): Behavior => ({ outcome: { type: 'valid', scopes }, mode });
const bad = (mode: Mode = 'sync'): Behavior => ({ outcome: { type: 'invalid', value: null }, mode });
const boom = (mode: Mode = 'sync'): Behavior => ({ outcome: { type: 'throws' }, mode });
const has = (value: string): KeyCred => ({ type: 'present', value, form: 'string' });
const none: KeyCred = { type: 'absent', form: 'omit' };
const twice: KeyCred = { type: 'dup', values: ['SECRETa', 'SECRETb'], form: 'array' };
const use = (scheme: string, scopes: readonly string[] = []): UseSpec => ({ scheme, scopes });
/** A `security` array as written: requirement objects and `{}` (`ANON`). */
const sec = (...written: Entry[]): OpDef => ({ written });
const binds = (value: unknown = true, mode: Mode = 'sync'): Binding => ({ type: 'answers', value, mode });
const bindThrows = (mode: Mode = 'sync'): Binding => ({ type: 'throws', mode });
const forms: Forms = { headers: 'record', headerCase: 'asis', query: 'params', cookies: 'header' };
const world = (schemes: SchemeDef[], op: OpDef, auth: AuthCred = { type: 'absent' }, anonymousOnInvalid = false, bindings: [string, Binding][] = []): World => ({
  schemes,
  auth,
  op,
  bindings: new Map(bindings),
  forms,
  anonymousOnInvalid,
});
const header = (name: string, behavior: Behavior, cred: KeyCred): SchemeDef => ({ name, kind: 'header', behavior, cred });
const authScheme = (name: string, kind: 'bearer' | 'oauth2' | 'basic', behavior: Behavior): SchemeDef => ({ name, kind, behavior, cred: none });
const bearerToken: AuthCred = { type: 'bearer', word: 'Bearer', token: 'SECRETtok' };
const AB = 'A + B';

describe('property: guard decision equals the reference evaluator of BRIEF §2', () => {
  it('random schemes, OR-of-AND requirements, bindings and credential states (2000 runs)', async () => {
    resetStats();
    await fc.assert(fc.asyncProperty(worldArb({ anonymousOnInvalid: false, weights: [1, 6, 4], credentials: 'mixed' }), check), { numRuns: 2000 });
    // The generator must actually reach every branch of the rules (the rarer binding
    // branches are counted by the next property, which aims at them).
    const rare = new Set(['runs', 'bindingThrows', 'bindingShared', 'truthyNotTrue']);
    const unreached = Object.entries(stats).filter(([key, n]) => !rare.has(key) && n === 0);
    expect(Object.fromEntries(unreached), 'rules no generated world exercised').toEqual({});
  }, 60_000);

  it('AND groups: mostly good credentials, so binding checks run, share answers, refuse and throw (2000 runs)', async () => {
    resetStats();
    await fc.assert(fc.asyncProperty(worldArb({ anonymousOnInvalid: false, weights: [0, 6, 4], credentials: 'mostlyGood' }), check), { numRuns: 2000 });
    expect(stats.bindingCalls).toBeGreaterThan(200);
    expect(stats.notBound).toBeGreaterThan(50);
    expect(stats.truthyNotTrue).toBeGreaterThan(20);
    expect(stats.bindingShared).toBeGreaterThan(20);
    expect(stats.bindingThrows).toBeGreaterThan(20);
    expect(stats.invalidGroups).toBeGreaterThan(50);
  }, 60_000);

  it('anonymousOnInvalid: true — the anonymous alternative is a fallback whenever nothing succeeds (1000 runs)', async () => {
    resetStats();
    await fc.assert(fc.asyncProperty(worldArb({ anonymousOnInvalid: true, weights: [1, 2, 6], credentials: 'mixed' }), check), { numRuns: 1000 });
    expect(stats.anonymous).toBeGreaterThan(0);
    expect(stats.anonymousLater).toBeGreaterThan(0);
    expect(stats.okLater).toBeGreaterThan(0);
    expect(stats.throws).toBeGreaterThan(0);
    expect(stats.notBound).toBeGreaterThan(0);
  }, 60_000);

  it('the same request twice on one guard gives the same answer (no state kept between requests) (300 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb({ anonymousOnInvalid: false, weights: [1, 6, 4], credentials: 'mixed' }), async (w) => {
        const { tables, verifiers, calls, bindingCalls } = build(w);
        const guard = createGuardFromTables(tables, verifiers);
        const settle = (p: Promise<unknown>) => p.then((v) => ({ v }), (e: unknown) => ({ e: (e as Error).name }));
        const first = await settle(guard.authorize('op', render(w).request));
        const counts = () => [...calls.values(), ...bindingCalls.values()].map((list) => list.length);
        const once = counts();
        const second = await settle(guard.authorize('op', render(w).request));
        expect(second).toEqual(first);
        // Nothing cached across requests: the second request makes the same calls again.
        expect(counts()).toEqual(once.map((n) => 2 * n));
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('regressions: hand-picked tricky worlds (checked against the same reference)', () => {
  it('a scheme in two alternatives is verified once; scopes checked per alternative', async () => {
    const w = world([authScheme('OAuth', 'oauth2', ok(['read']))], sec([use('OAuth', ['admin'])], [use('OAuth', ['read'])]), bearerToken);
    expect(reference(w)).toMatchObject({ kind: 'ok', alternative: 1 });
    await check(w);
  });
  it('AND: a member sent twice fails the alternative before any verifier is called', async () => {
    const w = world([header('A', ok(), has('SECRETa')), header('B', ok(), twice)], sec([use('A'), use('B')], ANON), undefined, false, [[AB, binds()]]);
    const r = reference(w);
    expect(r).toMatchObject({ kind: 'fail', status: 401, problem: { invalid: ['A', 'B'], invalidGroups: [AB] } });
    expect([...r.calls.keys()]).toEqual([]);
    await check(w);
  });
  it('AND: a rejected first member stops the alternative; the second is verified later, once', async () => {
    const w = world([header('A', bad(), has('SECRETa')), header('B', ok(), has('SECRETb'))], sec([use('A'), use('B')], [use('B')]), undefined, false, [[AB, binds()]]);
    const r = reference(w);
    expect(r).toMatchObject({ kind: 'ok', alternative: 1, principals: ['B'] });
    expect([...r.calls.keys()]).toEqual(['A', 'B']);
    await check(w);
  });
  it('a failed scheme is not re-verified in a later alternative', async () => {
    const w = world([header('A', bad('promise'), has('SECRETa')), header('B', ok(), has('SECRETb'))], sec([use('A')], [use('B'), use('A')]), undefined, false, [[AB, binds()]]);
    // The group was tried (both sent) and failed: both named, not which one was wrong.
    expect(reference(w)).toMatchObject({ kind: 'fail', status: 401, problem: { invalid: ['A', 'B'], invalidGroups: [AB] } });
    await check(w);
  });
  it('bearer and oauth2 share the one token: each verifier sees it, each once', async () => {
    const w = world(
      [authScheme('Bearer', 'bearer', bad('thenable')), authScheme('OAuth', 'oauth2', ok(['read']))],
      sec([use('Bearer')], [use('OAuth', ['read'])], [use('Bearer'), use('OAuth')]),
      bearerToken,
      false,
      [['Bearer + OAuth', { type: 'independent' }]],
    );
    const r = reference(w);
    expect(r).toMatchObject({ kind: 'ok', alternative: 1 });
    expect(r.calls.get('Bearer')?.credential).toBe('SECRETtok');
    await check(w);
  });
  it('scopes lacking in a member, a later member rejected → 401, not 403', async () => {
    const w = world([header('A', ok(['read']), has('SECRETa')), header('B', bad(), has('SECRETb'))], sec([use('A', ['admin']), use('B')]), undefined, false, [[AB, { type: 'independent' }]]);
    expect(reference(w)).toMatchObject({ kind: 'fail', status: 401 });
    await check(w);
  });
  it('403 from an earlier alternative survives a later alternative that fails', async () => {
    const w = world([header('A', ok(), has('SECRETa')), header('B', bad(), has('SECRETb'))], sec(ANON, [use('A', ['write'])], [use('B')]));
    expect(reference(w)).toMatchObject({ kind: 'fail', status: 403 });
    await check(w);
  });
  it('a throwing verifier in a later alternative is never reached when an earlier one wins', async () => {
    const w = world([header('A', ok(), has('SECRETa')), header('T', boom(), has('SECRETt'))], sec([use('A')], [use('T')]));
    expect(reference(w)).toMatchObject({ kind: 'ok', alternative: 0 });
    await check(w);
  });
  it('a rejecting verifier after a failed alternative makes authorize reject', async () => {
    const w = world([header('A', bad(), has('SECRETa')), header('T', boom('promise'), has('SECRETt'))], sec([use('A')], ANON, [use('T')]), { type: 'absent' }, true);
    expect(reference(w)).toMatchObject({ kind: 'throws', scheme: 'T', binding: false });
    await check(w);
  });
  it('optional: half of an AND pair is a present credential → 401 with no call', async () => {
    const w = world([header('A', ok(), has('SECRETa')), header('B', ok(), none)], sec([use('A'), use('B')], ANON), undefined, false, [[AB, binds()]]);
    const r = reference(w);
    expect(r).toMatchObject({ kind: 'fail', status: 401, problem: { missing: ['B'], invalid: [], invalidGroups: [] } });
    expect(r.calls.size).toBe(0);
    await check(w);
  });
  it('optional: a credential for a scheme the operation does not name is ignored', async () => {
    const w = world([header('A', ok(), none), header('Other', boom(), has('SECRETo'))], sec(ANON, [use('A')]));
    expect(reference(w)).toMatchObject({ kind: 'ok', anonymous: true, alternative: 0 });
    await check(w);
  });
  it('optional: a duplicated Authorization header is present-invalid for Basic → 401', async () => {
    const basic: AuthSingle = { type: 'basic', word: 'Basic', user: 'u', pass: 'SECRETp:w' };
    const w = world([authScheme('Basic', 'basic', ok())], sec([use('Basic')], ANON), { type: 'dup', values: [basic, basic] });
    expect(reference(w)).toMatchObject({ kind: 'fail', status: 401 });
    await check(w);
  });
  it('optional: Authorization with another scheme word leaves Basic absent → anonymous', async () => {
    const w = world([authScheme('Basic', 'basic', ok())], sec([use('Basic')], ANON), bearerToken);
    expect(reference(w)).toMatchObject({ kind: 'ok', anonymous: true });
    await check(w);
  });
  it('anonymousOnInvalid: a verified principal lacking scopes falls back to anonymous', async () => {
    const w = world([header('__proto__', ok(['read']), has('SECRETa'))], sec([use('__proto__', ['admin'])], ANON, ANON), { type: 'absent' }, true);
    expect(reference(w)).toMatchObject({ kind: 'ok', anonymous: true, alternative: 1 });
    await check(w);
  });
  it('Basic password with colons reaches the verifier split at the first colon', async () => {
    const w = world([authScheme('Basic', 'basic', ok())], sec([use('Basic')]), { type: 'basic', word: 'bAsIc', user: 'é', pass: 'SECRET:x:y' });
    expect(reference(w).calls.get('Basic')?.credential).toEqual({ username: 'é', password: 'SECRET:x:y' });
    await check(w);
  });
  it('bound group, answer 1 (a thenable): not bound, the later single-scheme alternative wins at its written index', async () => {
    const w = world([header('A', ok(), has('SECRETa')), header('B', ok(), has('SECRETb'))], sec([use('A'), use('B')], ANON, [use('B')]), undefined, false, [[AB, binds(1, 'thenable')]]);
    const r = reference(w);
    expect(r).toMatchObject({ kind: 'ok', alternative: 2, principals: ['B'] });
    expect([...r.bindingCalls.keys()]).toEqual([AB]);
    await check(w);
  });
  it('the binding answer is shared by alternatives naming the same set in another order', async () => {
    const w = world([header('B', ok(['read']), has('SECRETb')), header('A', ok(), has('SECRETa'))], sec([use('A'), use('B', ['admin'])], [use('B', ['read']), use('A')]), undefined, false, [[AB, binds(true, 'promise')]]);
    const r = reference(w);
    expect(r).toMatchObject({ kind: 'ok', alternative: 1 });
    expect(r.trace.bindingShared).toBe(1);
    await check(w);
  });
  it('a wrong pair that also lacks scopes is a 401 naming the group', async () => {
    const w = world([header('A', ok(), has('SECRETa')), header('B', ok(), has('SECRETb'))], sec([use('A', ['admin']), use('B')]), undefined, false, [[AB, binds(false, 'promise')]]);
    expect(reference(w)).toMatchObject({ kind: 'fail', status: 401, problem: { invalid: ['A', 'B'], invalidGroups: [AB], missing: [] } });
    await check(w);
  });
  it('an independent group is plain AND: no call, and a failed member is not reported as a group', async () => {
    const ind: [string, Binding][] = [[AB, { type: 'independent' }]];
    const pass = world([header('A', ok(), has('SECRETa')), header('B', ok(), has('SECRETb'))], sec([use('A'), use('B')]), undefined, false, ind);
    expect(reference(pass)).toMatchObject({ kind: 'ok', alternative: 0, principals: ['A', 'B'] });
    await check(pass);
    const fail = world([header('A', ok(), has('SECRETa')), header('B', bad(), has('SECRETb'))], sec([use('A'), use('B')]), undefined, false, ind);
    expect(reference(fail)).toMatchObject({ kind: 'fail', status: 401, problem: { invalid: ['B'], invalidGroups: [] } });
    await check(fail);
  });
  it('a binding check rejecting (thenable) after a failed alternative makes authorize reject, nothing after it called', async () => {
    const w = world(
      [header('A', bad(), has('SECRETa')), header('B', ok(), has('SECRETb')), authScheme('Bearer', 'bearer', ok())],
      sec([use('A', ['admin'])], ANON, [use('B'), use('A', ['read'])], ANON, [use('Bearer')]),
      bearerToken,
      true,
      [[AB, bindThrows('thenable')]],
    );
    // A is rejected, so the group never reaches its check: Bearer wins at index 4 (no fallback to `{}` needed).
    expect(reference(w)).toMatchObject({ kind: 'ok', alternative: 4 });
    await check(w);
    // A verifies without `admin` (a 403 so far); the group's check then rejects.
    const w2 = { ...w, schemes: [header('A', ok(['read']), has('SECRETa')), ...w.schemes.slice(1)] };
    const r2 = reference(w2);
    expect(r2).toMatchObject({ kind: 'throws', scheme: AB, binding: true });
    expect(r2.calls.has('Bearer')).toBe(false);
    await check(w2);
  });
});

describe('AND groups are bound (BRIEF §2–3): an API key and an App ID of one client', () => {
  const u = (scheme: string, scopes: readonly string[] = []) => ({ scheme, scopes });
  const tables = {
    schemes: {
      ApiKey: { kind: 'apiKey', in: 'header', name: 'X-Api-Key' },
      AppId: { kind: 'apiKey', in: 'header', name: 'X-App-Id' },
      Bearer: { kind: 'http', scheme: 'bearer' },
    },
    operations: {
      // security: [{ ApiKey: [], AppId: [] }]
      pair: { method: 'get', path: '/pair', auth: { kind: 'required', anyOf: [[u('ApiKey'), u('AppId')]], at: [0] } },
      // security: [{ ApiKey: [admin], AppId: [] }]
      admin: { method: 'get', path: '/admin', auth: { kind: 'required', anyOf: [[u('ApiKey', ['admin']), u('AppId')]], at: [0] } },
      // security: [{}, { AppId: [], ApiKey: [] }, { Bearer: [] }]
      pairOrBearer: { method: 'get', path: '/either', auth: { kind: 'optional', anyOf: [[u('AppId'), u('ApiKey')], [u('Bearer')]], at: [1, 2], anonymousAt: 0 } },
      // security: [{ ApiKey: [admin], AppId: [] }, { Bearer: [] }, { AppId: [], ApiKey: [read] }]
      twice: { method: 'get', path: '/twice', auth: { kind: 'required', anyOf: [[u('ApiKey', ['admin']), u('AppId')], [u('Bearer')], [u('AppId'), u('ApiKey', ['read'])]], at: [0, 1, 2] } },
    },
    basePath: '',
  } as const;
  type Client = { readonly client: string; readonly scopes?: readonly string[] };
  const keys = new Map<string, Client>([
    ['SECRET-key-a', { client: 'a', scopes: ['read'] }],
    ['SECRET-key-b', { client: 'b', scopes: ['read', 'admin'] }],
  ]);
  const apps = new Map<string, Client>([
    ['app-a', { client: 'a' }],
    ['app-b', { client: 'b' }],
  ]);
  function setup(binding?: (p: { ApiKey: Client; AppId: Client }) => boolean | PromiseLike<boolean>) {
    const calls: Record<string, number> = {};
    const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);
    const verifiers = {
      ApiKey: (key: string) => (count('ApiKey'), keys.get(key) ?? null),
      AppId: (id: string) => (count('AppId'), apps.get(id) ?? null),
      Bearer: async (token: string) => (count('Bearer'), token === 'SECRET-tok' ? { sub: 'u' } : null),
      // The key's client owns the App ID.
      'ApiKey + AppId': (p: { ApiKey: Client; AppId: Client }) => (count('ApiKey + AppId'), binding ? binding(p) : p.ApiKey.client === p.AppId.client),
    };
    return { guard: createGuardFromTables(tables, verifiers), calls };
  }
  const request = (headers: Record<string, string>) => ({ headers });

  it('the key of client A with the App ID of client B → 401 naming the group and both credentials', async () => {
    const { guard, calls } = setup();
    const result = await guard.authorize('pair', request({ 'x-api-key': 'SECRET-key-a', 'x-app-id': 'app-b' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(401);
    expect(result.body.invalidGroups).toEqual(['ApiKey + AppId']);
    expect(result.body.invalid).toEqual(
      expect.arrayContaining([expect.objectContaining({ scheme: 'ApiKey', in: 'header' }), expect.objectContaining({ scheme: 'AppId', in: 'header' })]),
    );
    expect(JSON.stringify(result)).not.toContain('SECRET');
    expect(calls).toEqual({ ApiKey: 1, AppId: 1, 'ApiKey + AppId': 1 });
    // The same key with its own client's App ID passes.
    const right = await guard.authorize('pair', request({ 'x-api-key': 'SECRET-key-a', 'x-app-id': 'app-a' }));
    expect(right).toMatchObject({ ok: true, alternative: 0, anonymous: false, principals: { ApiKey: { client: 'a' }, AppId: { client: 'a' } } });
  });

  it('binding before scopes: a wrong pair that also lacks scopes → 401; the right pair without them → 403', async () => {
    const { guard } = setup();
    const wrong = await guard.authorize('admin', request({ 'x-api-key': 'SECRET-key-a', 'x-app-id': 'app-b' }));
    expect(wrong).toMatchObject({ ok: false, status: 401, body: { invalidGroups: ['ApiKey + AppId'] } });
    const right = await guard.authorize('admin', request({ 'x-api-key': 'SECRET-key-a', 'x-app-id': 'app-a' }));
    expect(right).toMatchObject({ ok: false, status: 403 });
    const granted = await guard.authorize('admin', request({ 'x-api-key': 'SECRET-key-b', 'x-app-id': 'app-b' }));
    expect(granted).toMatchObject({ ok: true, alternative: 0 });
  });

  it('a wrong pair next to a valid Bearer token: Bearer wins, with its index as written ({} counted)', async () => {
    const { guard, calls } = setup();
    const result = await guard.authorize('pairOrBearer', request({ 'x-api-key': 'SECRET-key-a', 'x-app-id': 'app-b', authorization: 'Bearer SECRET-tok' }));
    expect(result).toMatchObject({ ok: true, alternative: 2, anonymous: false, principals: { Bearer: { sub: 'u' } } });
    if (result.ok) expect(Object.keys(result.principals)).toEqual(['Bearer']);
    expect(calls).toEqual({ ApiKey: 1, AppId: 1, 'ApiKey + AppId': 1, Bearer: 1 });
    // A wrong pair alone is never downgraded to the anonymous `{}` …
    const alone = await guard.authorize('pairOrBearer', request({ 'x-api-key': 'SECRET-key-a', 'x-app-id': 'app-b' }));
    expect(alone).toMatchObject({ ok: false, status: 401, body: { invalidGroups: ['ApiKey + AppId'] } });
    // … which answers, at index 0, only when nothing was sent.
    expect(await guard.authorize('pairOrBearer', request({}))).toMatchObject({ ok: true, alternative: 0, anonymous: true });
  });

  it('two alternatives with the same scheme set share one binding call', async () => {
    const { guard, calls } = setup();
    const result = await guard.authorize('twice', request({ 'x-api-key': 'SECRET-key-a', 'x-app-id': 'app-a' }));
    expect(result).toMatchObject({ ok: true, alternative: 2 });
    expect(calls).toEqual({ ApiKey: 1, AppId: 1, 'ApiKey + AppId': 1 });
    const wrong = await setup().guard.authorize('twice', request({ 'x-api-key': 'SECRET-key-a', 'x-app-id': 'app-b' }));
    expect(wrong).toMatchObject({ ok: false, status: 401, body: { invalidGroups: ['ApiKey + AppId'] } });
  });

  it('only `true` binds: 1 or "yes" from the check is not a binding', async () => {
    for (const answer of [1, 'yes', {}] as unknown as boolean[]) {
      const result = await setup(() => answer).guard.authorize('pair', request({ 'x-api-key': 'SECRET-key-a', 'x-app-id': 'app-a' }));
      expect(result, JSON.stringify(answer)).toMatchObject({ ok: false, status: 401 });
    }
  });

  it('an async binding check that rejects → VerifierError with binding: true naming the group', async () => {
    const { guard, calls } = setup(() => Promise.reject(new Error('client store down')));
    const error = await guard.authorize('pairOrBearer', request({ 'x-api-key': 'SECRET-key-a', 'x-app-id': 'app-a', authorization: 'Bearer SECRET-tok' })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VerifierError);
    expect(error).toMatchObject({ binding: true, scheme: 'ApiKey + AppId', operationId: 'pairOrBearer' });
    expect((error as Error).message).not.toContain('SECRET');
    // Nothing after the failed check runs.
    expect(calls.Bearer).toBeUndefined();
  });

  it('a group with no verifiers entry is refused when the guard is made; `independent` says the schemes are unrelated', async () => {
    const plain = { ApiKey: () => ({ client: 'a' }), AppId: () => ({ client: 'b' }), Bearer: () => null };
    const one = { schemes: tables.schemes, operations: { pair: tables.operations.pair }, basePath: '' } as const;
    expect(() => createGuardFromTables(one, plain)).toThrow(TypeError);
    const guard = createGuardFromTables(one, { ...plain, 'ApiKey + AppId': independent });
    expect(await guard.authorize('pair', request({ 'x-api-key': 'SECRET-key-a', 'x-app-id': 'app-b' }))).toMatchObject({ ok: true, alternative: 0 });
  });
});
