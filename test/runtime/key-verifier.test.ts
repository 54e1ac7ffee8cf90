// apiKeyVerifier over the in-memory store: every restriction of a key record, the same
// work for every kind of bad key (one parse, at most one lookup, one constant-time
// comparison: counted, never timed), reasons only through `context.deny`, last-use
// writes off the request path, and the key's life (issue, rotate, revoke).
import { beforeEach, describe, expect, it, vi } from 'vitest';

const compares = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return {
    ...actual,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compares.count++;
      return actual.timingSafeEqual(a, b);
    },
  };
});

const { apiKeyVerifier } = await import('../../templates/runtime/runtime-key-verifier.js');
const { createMemoryKeyStore, issueApiKey, revokeApiKey, rotateApiKey } = await import('../../templates/runtime/runtime-key-store.js');
const { checkKeyRecord } = await import('../../templates/runtime/runtime-key-record.js');
type KeyStore = import('../../templates/runtime/runtime-key-record.js').KeyStore;
type NewKey = import('../../templates/runtime/runtime-key-store.js').NewKey;

const T0 = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

function context(operationId = 'listPets', request: Record<string, unknown> = {}) {
  const denied: string[] = [];
  return { denied, ctx: { operationId, scheme: 'ApiKey', scopes: [], request: { headers: {}, clientAddress: '127.0.0.1', ...request }, deny: (r: string) => denied.push(r) } };
}

async function world(input: Partial<NewKey> = {}) {
  const store = createMemoryKeyStore();
  const { key, record } = await issueApiKey(store, { prefix: 'acme_live', owner: { clientId: 'acme', scopes: ['pets:read'] }, apps: ['web'], ...input }, T0);
  let gets = 0;
  const counting: KeyStore = { get: (id) => (gets++, store.get(id)), touch: (id, at) => store.touch?.(id, at) };
  let clock = T0 + 1000;
  const keys = apiKeyVerifier(counting, { prefix: 'acme_live', now: () => clock, lastUsedInterval: 0 });
  return { store, key, record, keys, gets: () => gets, setClock: (t: number) => (clock = t) };
}

beforeEach(() => {
  compares.count = 0;
});

describe('apiKeyVerifier', () => {
  it('a good key: the owner as principal, with its id, scopes and apps, frozen', async () => {
    const { key, record, keys } = await world();
    const { ctx, denied } = context();
    const principal = await keys.verify(key, ctx);
    expect(principal).toEqual({ clientId: 'acme', scopes: ['pets:read'], keyId: record.id, apps: ['web'] });
    expect(Object.isFrozen(principal)).toBe(true);
    expect(denied).toEqual([]);
  });

  it('quota and usage hooks find the branded key principal, not a token principal with a keyId claim listed first (review finding)', async () => {
    const { keyPrincipalOf, keyIdOf } = await import('../../templates/runtime/runtime-limits.js');
    const limited = await world({ quota: { limit: 5, windowSeconds: 60 } });
    const keyPrincipal = await limited.keys.verify(limited.key, context().ctx);
    const token = { sub: 'u1', keyId: 'claim-from-a-token', quota: { limit: 1e9, windowSeconds: 1 } };
    const decision = { ok: true, operationId: 'op', alternative: 0, anonymous: false, principals: { Bearer: token, ApiKey: keyPrincipal } } as const;
    expect(keyPrincipalOf(decision as never)).toBe(keyPrincipal);
    expect(keyIdOf(decision as never)).toBe(limited.record.id);
    expect(JSON.stringify(keyPrincipal)).not.toContain('key-principal'); // the brand is not enumerable
    // A verifier of one's own (no brand): the first principal with a string keyId.
    expect(keyIdOf({ ...decision, principals: { Bearer: token } } as never)).toBe('claim-from-a-token');
  });

  it("the principal's quota is the record's, never an owner field of that name", async () => {
    const limited = await world({ quota: { limit: 100, windowSeconds: 60 } });
    expect(await limited.keys.verify(limited.key, context().ctx)).toMatchObject({ keyId: limited.record.id, quota: { limit: 100, windowSeconds: 60 } });
    const spoofed = await world({ owner: { clientId: 'acme', quota: { limit: 1e9, windowSeconds: 1 } } });
    const principal = await spoofed.keys.verify(spoofed.key, context().ctx);
    expect(principal).toEqual({ clientId: 'acme', keyId: spoofed.record.id, scopes: [], apps: ['web'] });
  });

  it.each([
    ['key-malformed', (k: string) => k.slice(0, -1) + (k.endsWith('A') ? 'B' : 'A'), 0],
    ['key-malformed', () => 'not a key at all', 0],
    ['key-malformed', (k: string) => k.replace('acme_live', 'other_live'), 0],
    ['key-unknown', () => '', 0],
  ] as const)('%s: refused before any lookup', async (reason, mutate, lookups) => {
    const { key, keys, gets } = await world();
    const { ctx, denied } = context();
    expect(await keys.verify(mutate(key), ctx)).toBeNull();
    expect(gets()).toBe(lookups);
    expect(compares.count).toBe(1);
    expect(denied).toEqual([reason === 'key-unknown' ? 'key-malformed' : reason]);
  });

  it('the same work for unknown, wrong-secret, revoked, expired and restricted keys: one lookup, one comparison', async () => {
    const cases: [string, () => Promise<[string, Awaited<ReturnType<typeof world>>]>][] = [
      ['key-unknown', async () => { const w = await world(); const other = await world(); return [other.key, w]; }],
      ['key-revoked', async () => { const w = await world(); await revokeApiKey(w.store, w.record.id); return [w.key, w]; }],
      ['key-expired', async () => { const w = await world({ expiresAt: T0 + DAY }); w.setClock(T0 + DAY); return [w.key, w]; }],
      ['key-not-yet-valid', async () => { const w = await world({ notBefore: T0 + DAY }); return [w.key, w]; }],
      ['key-wrong-ip', async () => { const w = await world({ ipRanges: ['10.0.0.0/8'] }); return [w.key, w]; }],
      ['key-wrong-operation', async () => { const w = await world({ operations: ['createPet'] }); return [w.key, w]; }],
      ['key-wrong-origin', async () => { const w = await world({ origins: ['https://shop.example'] }); return [w.key, w]; }],
    ];
    for (const [reason, make] of cases) {
      const [key, w] = await make();
      compares.count = 0;
      const { ctx, denied } = context();
      expect(await w.keys.verify(key, ctx), reason).toBeNull();
      expect([w.gets(), compares.count, denied], reason).toEqual([1, 1, [reason]]);
    }
  });

  it('IP ranges: IPv4, IPv4-mapped IPv6, IPv6; no address at all is refused', async () => {
    const v4 = await world({ ipRanges: ['10.0.0.0/8'] });
    const v6 = await world({ ipRanges: ['2001:db8::/32', '::1'] });
    const ask = async (w: Awaited<ReturnType<typeof world>>, clientAddress: string | undefined) => (await w.keys.verify(w.key, context('listPets', { clientAddress }).ctx)) !== null;
    expect(await ask(v4, '10.1.2.3')).toBe(true);
    expect(await ask(v4, '::ffff:10.1.2.3')).toBe(true);
    expect(await ask(v4, '11.1.2.3')).toBe(false);
    expect(await ask(v4, '::ffff:11.1.2.3')).toBe(false);
    expect(await ask(v4, undefined)).toBe(false);
    expect(await ask(v4, 'not-an-ip')).toBe(false);
    expect(await ask(v6, '2001:db8:1::5')).toBe(true);
    expect(await ask(v6, '::1')).toBe(true);
    expect(await ask(v6, '2001:db9::1')).toBe(false);
    expect(await ask(v6, '127.0.0.1')).toBe(false);
  });

  it('a malformed range is an error where the record is loaded, never a silent non-match', async () => {
    const { record } = await world();
    expect(() => createMemoryKeyStore([{ ...record, ipRanges: ['10.0.0.0/33'] }])).toThrow(/prefix length/);
    expect(() => checkKeyRecord({ ...record, ipRanges: ['10.0.0/8'] })).toThrow(/not an IPv4 or IPv6 address/);
    expect(() => checkKeyRecord({ ...record, hash: 'abc' })).toThrow(/hash/);
    expect(() => checkKeyRecord({ ...record, expiresAt: 'soon' })).toThrow(/expiresAt/);
  });

  it('origins: Origin, else the origin of Referer, must be listed', async () => {
    const w = await world({ origins: ['https://shop.example'] });
    const ask = async (headers: Record<string, string>) => (await w.keys.verify(w.key, context('listPets', { headers }).ctx)) !== null;
    expect(await ask({ origin: 'https://shop.example' })).toBe(true);
    expect(await ask({ referer: 'https://shop.example/cart?x=1' })).toBe(true);
    expect(await ask({ origin: 'https://evil.example', referer: 'https://shop.example/' })).toBe(false);
    expect(await ask({ origin: 'http://shop.example' })).toBe(false);
    expect(await ask({})).toBe(false);
  });

  it('time window with an injected clock', async () => {
    const w = await world({ notBefore: T0 + DAY, expiresAt: T0 + 2 * DAY });
    const ok = async () => (await w.keys.verify(w.key, context().ctx)) !== null;
    expect(await ok()).toBe(false);
    w.setClock(T0 + DAY);
    expect(await ok()).toBe(true);
    w.setClock(T0 + 2 * DAY - 1);
    expect(await ok()).toBe(true);
    w.setClock(T0 + 2 * DAY);
    expect(await ok()).toBe(false);
  });

  it('rotation: the old key works until its grace deadline, the new one at once; revocation takes effect on the next lookup', async () => {
    const w = await world({ ipRanges: ['127.0.0.0/8'] });
    const next = await rotateApiKey(w.store, w.record.id, { graceMs: 60_000, now: T0 + 1000 });
    expect(next.record).toMatchObject({ owner: w.record.owner, apps: ['web'], ipRanges: ['127.0.0.0/8'], prefix: 'acme_live' });
    expect(next.previous).toMatchObject({ replacedBy: next.record.id, graceUntil: new Date(T0 + 61_000).toISOString() });
    const ok = async (key: string) => (await w.keys.verify(key, context().ctx)) !== null;
    expect(await ok(w.key)).toBe(true);
    expect(await ok(next.key)).toBe(true);
    w.setClock(T0 + 61_000);
    const { ctx, denied } = context();
    expect(await w.keys.verify(w.key, ctx)).toBeNull();
    expect(denied).toEqual(['key-rotated']);
    expect(await ok(next.key)).toBe(true);
    await revokeApiKey(w.store, next.record.id);
    expect(await ok(next.key)).toBe(false);
  });

  it('bind: every App ID must be one of the key principal’s apps; another verifier’s object is no key', async () => {
    const w = await world({ apps: ['web', 'ios'] });
    const key = await w.keys.verify(w.key, context().ctx);
    const bctx = () => {
      const denied: string[] = [];
      return { denied, ctx: { operationId: 'listPets', group: 'ApiKey + AppId', request: { headers: {} }, deny: (r: string) => denied.push(r) } };
    };
    expect(w.keys.bind({ ApiKey: key, AppId: w.keys.appId('ios') }, bctx().ctx)).toBe(true);
    const wrong = bctx();
    expect(w.keys.bind({ ApiKey: key, AppId: w.keys.appId('android') }, wrong.ctx)).toBe(false);
    expect(wrong.denied).toEqual(['key-wrong-app']);
    expect(w.keys.bind({ ApiKey: { ...key }, AppId: { appId: 'web' } }, bctx().ctx)).toBe(false);
    expect(w.keys.bind({ ApiKey: key }, bctx().ctx)).toBe(false);
    expect(w.keys.appId('has space')).toBeNull();
    expect(w.keys.appId('x'.repeat(129))).toBeNull();
  });

  it('last use: written at most once per interval per key, never awaited, a failure never fails a request', async () => {
    const store = createMemoryKeyStore();
    const { key, record } = await issueApiKey(store, { prefix: 'acme_live', owner: { clientId: 'acme' } }, T0);
    const touches: [string, string][] = [];
    let clock = T0;
    const failing = apiKeyVerifier(
      { get: (id) => store.get(id), touch: (id, at) => { touches.push([id, at.toISOString()]); throw new Error('db down'); } },
      { now: () => clock, lastUsedInterval: 60_000, onTouchError: () => touches.push(['error', '']) },
    );
    for (let i = 0; i < 3; i++) expect(await failing.verify(key, context().ctx)).not.toBeNull();
    clock += 60_000;
    expect(await failing.verify(key, context().ctx)).not.toBeNull();
    await new Promise((r) => setTimeout(r, 5));
    expect(touches).toEqual([[record.id, new Date(T0).toISOString()], ['error', ''], [record.id, new Date(T0 + 60_000).toISOString()], ['error', '']]);
    // The memory store records it.
    const recording = apiKeyVerifier(store, { now: () => clock });
    await recording.verify(key, context().ctx);
    await new Promise((r) => setTimeout(r, 5));
    expect((await store.get(record.id))?.lastUsedAt).toBe(new Date(clock).toISOString());
  });

  it('a record whose id does not match the lookup is refused', async () => {
    const w = await world();
    const liar = apiKeyVerifier({ get: () => ({ ...w.record, id: 'someone-else' }) });
    expect(await liar.verify(w.key, context().ctx)).toBeNull();
  });
});

describe('key life-cycle edge cases', () => {
  it('a key rotated once cannot be rotated again (its deadline would move)', async () => {
    const w = await world();
    await rotateApiKey(w.store, w.record.id, { graceMs: 60_000, now: T0 });
    await expect(rotateApiKey(w.store, w.record.id, { graceMs: 60_000, now: T0 + 120_000 })).rejects.toThrow(/already rotated/);
    w.setClock(T0 + 120_000);
    expect(await w.keys.verify(w.key, context().ctx)).toBeNull();
  });

  it('rotation keeps not-before and every other restriction', async () => {
    const w = await world({ notBefore: T0 + DAY, origins: ['https://shop.example'], operations: ['listPets'] });
    const next = await rotateApiKey(w.store, w.record.id, { graceMs: 0, now: T0 });
    expect(next.record).toMatchObject({ notBefore: T0 + DAY, origins: ['https://shop.example'], operations: ['listPets'] });
  });

  it('origins must be web origins when the record is loaded', async () => {
    const w = await world();
    for (const origin of ['shop.example', 'ftp://shop.example', 'https://shop.example/path']) {
      expect(() => checkKeyRecord({ ...w.record, origins: [origin] }), origin).toThrow(/web origin/);
    }
    expect(() => checkKeyRecord({ ...w.record, origins: ['https://shop.example', 'http://localhost:3000'] })).not.toThrow();
  });
});

describe('in a guard', () => {
  it('scopes the record grants but the operation needs beyond them stay 403; a refused key is 401', async () => {
    const { createGuardFromTables } = await import('../../templates/runtime/runtime-server.js');
    const w = await world();
    const tables = {
      schemes: { ApiKey: { kind: 'apiKey', in: 'header', name: 'X-API-Key' } },
      operations: {
        read: { method: 'get', path: '/r', auth: { kind: 'required', anyOf: [[{ scheme: 'ApiKey', scopes: ['pets:read'] }]], at: [0] } },
        write: { method: 'post', path: '/r', auth: { kind: 'required', anyOf: [[{ scheme: 'ApiKey', scopes: ['pets:write'] }]], at: [0] } },
      },
      basePath: '',
    } as const;
    const guard = createGuardFromTables(tables, { ApiKey: w.keys.verify });
    const request = { headers: { 'x-api-key': w.key }, clientAddress: '127.0.0.1' };
    expect((await guard.authorize('read', request)).ok).toBe(true);
    expect(await guard.authorize('write', request)).toMatchObject({ ok: false, status: 403 });
    await revokeApiKey(w.store, w.record.id);
    expect(await guard.authorize('write', request)).toMatchObject({ ok: false, status: 401 });
  });
});
