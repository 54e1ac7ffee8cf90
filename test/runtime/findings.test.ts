// One test per evaluator finding of the routing security review (issue 10), each
// failing without its fix: a malformed Authorization is a bad credential (never
// "nothing sent"), only an object is a principal, a query is never read from a
// fragment, and a guard recognises only its own decisions.
import { describe, expect, it } from 'vitest';
import { authRequestFromNode, createGuardFromTables, type AuthRequest } from '../../templates/runtime/runtime-server.js';

const schemes = {
  Bearer: { kind: 'http', scheme: 'bearer' },
  Basic: { kind: 'http', scheme: 'basic' },
  ApiKey: { kind: 'apiKey', in: 'header', name: 'X-API-Key' },
  QueryKey: { kind: 'apiKey', in: 'query', name: 'api_key' },
  RawAuth: { kind: 'apiKey', in: 'header', name: 'Authorization' },
} as const;
const operations = {
  bearerOrAnonymous: { method: 'get', path: '/feed', auth: { kind: 'optional', anyOf: [[{ scheme: 'Bearer', scopes: [] }]], at: [0], anonymousAt: 1 } },
  basicOrAnonymous: { method: 'get', path: '/basic', auth: { kind: 'optional', anyOf: [[{ scheme: 'Basic', scopes: [] }]], at: [0], anonymousAt: 1 } },
  key: { method: 'get', path: '/key', auth: { kind: 'required', anyOf: [[{ scheme: 'ApiKey', scopes: [] }]], at: [0] } },
  search: { method: 'get', path: '/search', auth: { kind: 'required', anyOf: [[{ scheme: 'QueryKey', scopes: [] }]], at: [0] } },
  raw: { method: 'get', path: '/raw', auth: { kind: 'required', anyOf: [[{ scheme: 'RawAuth', scopes: [] }]], at: [0] } },
} as const;
const tables = { schemes, operations, basePath: '' } as const;

function guardWith(result: unknown) {
  const calls: string[] = [];
  const verifier = (name: string) => (credential: unknown) => (calls.push(`${name}:${String(credential)}`), result as object);
  const guard = createGuardFromTables(tables, { Bearer: verifier('Bearer'), Basic: verifier('Basic'), ApiKey: verifier('ApiKey'), QueryKey: verifier('QueryKey'), RawAuth: verifier('RawAuth') });
  return { guard, calls };
}
const req = (headers: Record<string, string>): AuthRequest => ({ headers });

describe('a malformed Authorization header is a credential sent badly, never "nothing sent"', () => {
  it.each([['Bearer\tnope'], ['Bearer,nope'], [''], ['  '], ['Bearer/x y'], ['"Bearer" x']])('%j on an optional operation → 401, not anonymous', async (value) => {
    const { guard, calls } = guardWith({ sub: 'x' });
    const result = await guard.authorize('bearerOrAnonymous', req({ authorization: value }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.status).toBe(401);
      expect(result.body['invalid']).toEqual([{ scheme: 'Bearer', in: 'authorization', name: 'Bearer' }]);
    }
    expect(calls).toEqual([]);
  });
  it('the same on a Basic operation', async () => {
    const { guard } = guardWith({ user: 'x' });
    expect((await guard.authorize('basicOrAnonymous', req({ authorization: 'Basic,abc' }))).ok).toBe(false);
  });
  it('a well-formed header for a scheme the operation does not name still counts as not sent', async () => {
    const { guard } = guardWith({ sub: 'x' });
    const result = await guard.authorize('bearerOrAnonymous', req({ authorization: 'Basic YTpi' }));
    expect(result.ok && result.anonymous).toBe(true);
  });
  it('the scheme word stays case-insensitive and tolerates several spaces', async () => {
    const { guard, calls } = guardWith({ sub: 'x' });
    const result = await guard.authorize('bearerOrAnonymous', req({ authorization: 'bEaReR   tok' }));
    expect(result.ok && !result.anonymous).toBe(true);
    expect(calls).toEqual(['Bearer:tok']);
  });
  it('an API key named Authorization is its whole value, whatever its shape', async () => {
    const { guard, calls } = guardWith({ k: 1 });
    expect((await guard.authorize('raw', req({ authorization: 'k,1\tx' }))).ok).toBe(true);
    expect(calls).toEqual(['RawAuth:k,1\tx']);
  });
  it('an API key named Authorization sent twice and joined by a Fetch Headers is a repeat, as any API key header', async () => {
    const { guard, calls } = guardWith({ k: 1 });
    const h = new Headers();
    h.append('Authorization', 'k1');
    h.append('Authorization', 'k2');
    const result = await guard.authorize('raw', { headers: h });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.body['invalid']).toEqual([{ scheme: 'RawAuth', in: 'header', name: 'Authorization' }]);
    expect(calls).toEqual([]);
    // One line from a Headers is its whole value, as from a record.
    expect((await guard.authorize('raw', { headers: new Headers({ authorization: 'k1' }) })).ok).toBe(true);
    expect(calls).toEqual(['RawAuth:k1']);
  });
});

describe('only an object is a principal', () => {
  it.each([[true], [1], ['yes'], ['error: store down'], [() => ({})], [Symbol('x')]])('a verifier returning %s → 401', async (value) => {
    const { guard } = guardWith(value);
    const result = await guard.authorize('key', req({ 'x-api-key': 'k' }));
    expect(result.ok).toBe(false);
  });
  it('the same from an async verifier', async () => {
    const { guard } = guardWith(Promise.resolve('ok'));
    expect((await guard.authorize('key', req({ 'x-api-key': 'k' }))).ok).toBe(false);
  });
  it('an object, even empty, is one', async () => {
    const { guard } = guardWith({});
    expect((await guard.authorize('key', req({ 'x-api-key': 'k' }))).ok).toBe(true);
  });
});

describe('query credentials come from the query only', () => {
  const node = (url: string) => authRequestFromNode({ method: 'GET', url, headers: {} });
  it('a `?` after `#` starts no query', async () => {
    const request = node('/search#?api_key=Q1');
    expect(request.query).toBeUndefined();
    expect(request.path).toBe('/search#?api_key=Q1');
    const { guard, calls } = guardWith({ q: 1 });
    expect((await guard.authorize('search', request)).ok).toBe(false);
    expect(calls).toEqual([]);
  });
  it('the query before a fragment is read, the fragment is not', () => {
    const request = node('/search?api_key=Q1#&api_key=Q2');
    expect(request.path).toBe('/search');
    expect((request.query as URLSearchParams).getAll('api_key')).toEqual(['Q1']);
  });
  it('absolute-form targets keep the same rule', () => {
    expect(node('http://h/search#?api_key=Q1').query).toBeUndefined();
    expect((node('http://h/search?api_key=Q1').query as URLSearchParams).get('api_key')).toBe('Q1');
  });
});

describe('a guard recognises only its own decisions', () => {
  it('issued() is true for its successes and anonymous results, false for another guard’s', async () => {
    const a = guardWith({ id: 1 }).guard;
    const b = guardWith({ id: 1 }).guard;
    const fromA = await a.authorize('key', req({ 'x-api-key': 'k' }));
    const anonymousA = await a.authorize('bearerOrAnonymous', req({}));
    expect(a.issued(fromA)).toBe(true);
    expect(a.issued(anonymousA)).toBe(true);
    expect(b.issued(fromA)).toBe(false);
    expect(b.issued(anonymousA)).toBe(false);
    expect(a.issued({ ...fromA })).toBe(false);
    expect(a.issued(undefined)).toBe(false);
  });
});

describe('a success is plain data, never a thenable', () => {
  // A success has no `then` anywhere on its prototype chain (runtime-pending.ts: resolving
  // a decision's promise skips the lookup only then); a function there would make `await`
  // call it, and an enumerable one would show up in the keys a user copies or logs.
  const shapes = async () => {
    const synchronous = await guardWith({ id: 1 }).guard.authorize('key', req({ 'x-api-key': 'k' }));
    const asynchronous = await createGuardFromTables(tables, { Bearer: async () => ({ id: 2 }), Basic: () => null, ApiKey: () => null, QueryKey: () => null, RawAuth: () => null }).authorize('bearerOrAnonymous', req({ authorization: 'Bearer t' }));
    const headed = await createGuardFromTables(tables, { Bearer: () => null, Basic: () => null, ApiKey: async () => ({ id: 3 }), QueryKey: () => null, RawAuth: () => null }, { limit: () => ({ ok: true, headers: { 'x-quota': '1' } }) }).authorize('key', req({ 'x-api-key': 'k' }));
    return [synchronous, asynchronous, headed];
  };
  it('awaiting one gives the same object, and it has no `then`, own or inherited', async () => {
    const successes = await shapes();
    expect(successes.map((s) => s.ok)).toEqual([true, true, true]);
    expect('headers' in (successes[2] as object)).toBe(true);
    for (const success of successes) {
      expect(await Promise.resolve(success)).toBe(success);
      expect(typeof (success as { then?: unknown }).then).toBe('undefined');
      expect('then' in (success as object)).toBe(false);
      expect(Object.keys(success)).not.toContain('then');
      const inherited: string[] = [];
      for (const key in success) inherited.push(key);
      expect(inherited).not.toContain('then');
      expect(JSON.parse(JSON.stringify(success))).not.toHaveProperty('then');
    }
  });
});
