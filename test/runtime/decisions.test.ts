// Decision events (`onDecision`): one per decided request, with the operation, the
// outcome and status, the winning index as written, the schemes whose verifiers ran,
// a public key id, the reason of a denial and a duration; never a credential. Also the
// adapters' own refusals (404, 400) and the binding checks' effect on the reason.
import { describe, expect, it } from 'vitest';
import { createGuardFromTables, generateApiKeyForTest, independent, pathDecider, type DecisionEvent, type GuardOptions } from './decisions-support.js';

const tables = {
  schemes: {
    ApiKey: { kind: 'apiKey', in: 'header', name: 'X-API-Key' },
    AppId: { kind: 'apiKey', in: 'header', name: 'X-App-Id' },
    Bearer: { kind: 'http', scheme: 'bearer' },
  },
  operations: {
    // security: [{}, {ApiKey, AppId}, {Bearer: [admin]}] as written
    show: { method: 'get', path: '/pets/{id}', auth: { kind: 'optional', anyOf: [[{ scheme: 'ApiKey', scopes: [] }, { scheme: 'AppId', scopes: [] }], [{ scheme: 'Bearer', scopes: ['admin'] }]], at: [1, 2], anonymousAt: 0 } },
    list: { method: 'get', path: '/pets', auth: { kind: 'required', anyOf: [[{ scheme: 'AppId', scopes: [] }, { scheme: 'ApiKey', scopes: [] }], [{ scheme: 'Bearer', scopes: [] }]], at: [0, 1] } },
    health: { method: 'get', path: '/health', auth: { kind: 'public' } },
    locked: { method: 'get', path: '/locked', auth: { kind: 'required', anyOf: [], at: [] } },
  },
  basePath: '',
} as const;

const key = generateApiKeyForTest('acme_live');
const keys = new Map([[key.key, 'A'], ['plain-key-B', 'B']]);

function setup(options: GuardOptions = {}, binding: unknown = (p: { ApiKey: { client: string }; AppId: { client: string } }) => p.ApiKey.client === p.AppId.client) {
  const events: DecisionEvent[] = [];
  const guard = createGuardFromTables(
    tables,
    {
      ApiKey: (k: string) => (keys.has(k) ? { client: keys.get(k) } : null),
      AppId: (id: string) => (id.startsWith('app-') ? { client: id.slice(4) } : null),
      Bearer: (t: string) => (t === 'boom' ? Promise.reject(new Error('down')) : t === 'admin' ? { scopes: ['admin'] } : t === 'user' ? { scopes: [] } : null),
      'ApiKey + AppId': binding,
    },
    { ...options, onDecision: (event) => events.push(event) },
  );
  return { guard, events };
}

const req = (headers: Record<string, string>, method = 'GET') => ({ method, headers });

describe('onDecision', () => {
  it('allow: operation, index as written, schemes that ran, key id, duration', async () => {
    const { guard, events } = setup();
    const result = await guard.authorize('show', req({ 'x-api-key': key.key, 'x-app-id': 'app-A' }));
    expect(result.ok && result.alternative).toBe(1);
    expect(events).toHaveLength(1);
    const [event] = events as [DecisionEvent];
    expect(event).toMatchObject({ operationId: 'show', operationIds: ['show'], method: 'GET', outcome: 'allow', status: 200, alternative: 1, anonymous: false, schemes: ['ApiKey', 'AppId'], keyId: key.id });
    expect(event.reason).toBeUndefined();
    expect(event.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('anonymous through {} reports the index of {}', async () => {
    const { guard, events } = setup();
    const result = await guard.authorize('show', req({}));
    expect(result.ok && result.alternative).toBe(0);
    expect(events[0]).toMatchObject({ outcome: 'allow', alternative: 0, anonymous: true, schemes: [] });
  });

  it('public operations report -1', async () => {
    const { guard, events } = setup();
    expect((await guard.authorize('health', req({}))).ok).toBe(true);
    expect(events[0]).toMatchObject({ outcome: 'allow', alternative: -1, anonymous: true, operationId: 'health' });
  });

  it.each([
    ['missing', 'list', {}, 401],
    ['incomplete', 'list', { 'x-api-key': 'plain-key-B' }, 401],
    ['invalid', 'list', { 'x-api-key': 'nope', 'x-app-id': 'app-A' }, 401],
    ['binding', 'list', { 'x-api-key': 'plain-key-B', 'x-app-id': 'app-A' }, 401],
    ['scope', 'show', { authorization: 'Bearer user' }, 403],
    ['refused', 'locked', { authorization: 'Bearer admin' }, 403],
  ] as const)('deny reason %s', async (reason, op, headers, status) => {
    const { guard, events } = setup();
    const result = await guard.authorize(op, req(headers));
    expect(result.ok).toBe(false);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: 'deny', status, reason, alternative: -1, operationId: op });
  });

  it('a failed binding is 401 naming the group, both members invalid, and the reason only in the event', async () => {
    const { guard, events } = setup();
    const result = await guard.authorize('list', req({ 'x-api-key': key.key, 'x-app-id': 'app-B' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(401);
    expect(result.body.invalidGroups).toEqual(['ApiKey + AppId']);
    expect(result.body.invalid?.map((l) => l.scheme).sort()).toEqual(['ApiKey', 'AppId']);
    // The same answer as an unknown key with the same App ID: the caller cannot tell which was wrong.
    const unknown = await guard.authorize('list', req({ 'x-api-key': 'nope', 'x-app-id': 'app-B' }));
    expect(unknown).toEqual(result);
    expect(events.map((e) => e.reason)).toEqual(['binding', 'invalid']);
    expect(events[0]?.keyId).toBe(key.id);
  });

  it('never carries a credential', async () => {
    const { guard, events } = setup();
    await guard.authorize('list', req({ 'x-api-key': key.key, 'x-app-id': 'app-SECRETAPP' }));
    await guard.authorize('list', req({ authorization: 'Bearer SECRETTOKEN' }));
    const text = JSON.stringify(events);
    for (const secret of [key.key, 'SECRETAPP', 'SECRETTOKEN']) expect(text).not.toContain(secret);
  });

  it('a verifier that throws: event outcome error, then the rejection', async () => {
    const { guard, events } = setup();
    await expect(guard.authorize('list', req({ authorization: 'Bearer boom' }))).rejects.toThrow(/Bearer/);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: 'error', status: 500, reason: 'error', schemes: ['Bearer'] });
  });

  it('a binding check that throws is a VerifierError naming the group', async () => {
    const { guard, events } = setup({}, () => {
      throw new Error('db down');
    });
    const error = await guard.authorize('list', req({ 'x-api-key': key.key, 'x-app-id': 'app-A' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'VerifierError', scheme: 'ApiKey + AppId', binding: true, operationId: 'list' });
    expect(String((error as Error).message)).not.toContain(key.key);
    expect(events[0]).toMatchObject({ outcome: 'error', reason: 'error' });
  });

  it('authorizeAll reports once per request', async () => {
    const { guard, events } = setup();
    await guard.authorizeAll(['list', 'show'], req({ authorization: 'Bearer admin' }));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ operationId: 'list', operationIds: ['list', 'show'], outcome: 'allow', alternative: 1 });
  });

  it('a throwing hook goes to onError; the answer stands', async () => {
    const errors: Error[] = [];
    const guard = createGuardFromTables(tables, { ApiKey: () => ({}), AppId: () => ({}), Bearer: () => ({}), 'ApiKey + AppId': independent }, {
      onDecision: () => {
        throw new Error('log sink down');
      },
      onError: (e) => errors.push(e),
    });
    expect((await guard.authorize('health', req({}))).ok).toBe(true);
    expect(errors.map((e) => e.message)).toEqual(['log sink down']);
  });

  it("an adapter's own refusals are reported: unknown route, ambiguous route, method override", async () => {
    const { guard, events } = setup();
    const decide = pathDecider(guard, {}, { refuseMethodOverride: true });
    await decide({ method: 'GET', path: '/nowhere', headers: {} });
    await decide({ method: 'GET', path: '/pets/', headers: {} });
    await decide({ method: 'POST', path: '/pets', headers: { 'x-http-method-override': 'GET' } });
    expect(events.map((e) => [e.status, e.reason, e.operationId])).toEqual([
      [404, 'unknown-route', undefined],
      [404, 'ambiguous-route', undefined],
      [400, 'method-override', undefined],
    ]);
  });

  it("a verifier's or binding check's own reason (context.deny) reaches the event as detail, never the answer", async () => {
    const events: DecisionEvent[] = [];
    const guard = createGuardFromTables(
      tables,
      {
        ApiKey: (_k: string, ctx: { deny?: (r: string) => void }) => (ctx.deny?.('key-expired'), ctx.deny?.('second reason ignored'), null),
        AppId: () => ({}),
        Bearer: () => null,
        'ApiKey + AppId': independent,
      },
      { onDecision: (e) => events.push(e) },
    );
    const result = await guard.authorize('list', req({ 'x-api-key': 'k', 'x-app-id': 'a' }));
    expect(JSON.stringify(result)).not.toContain('key-expired');
    expect(events[0]).toMatchObject({ reason: 'invalid', detail: 'key-expired' });
    await guard.authorize('list', req({}));
    expect(events[1]?.detail).toBeUndefined();
  });

  it('without the hook the guard builds no event', async () => {
    let reads = 0;
    const options = {};
    Object.defineProperty(options, 'onDecision', { get: () => (reads++, undefined), enumerable: true });
    const guard = createGuardFromTables(tables, { ApiKey: () => ({}), AppId: () => ({}), Bearer: () => ({}), 'ApiKey + AppId': independent }, options);
    const before = reads;
    await guard.authorize('list', req({ authorization: 'Bearer x' }));
    expect(reads).toBe(before);
  });
});
