import { describe, expect, it } from 'vitest';
import { AMBIGUOUS_ROUTE, createMatcher, createRouteClassifier } from '../../templates/runtime/runtime-routes.js';
import type { OperationTable } from '../../templates/runtime/runtime-tables.js';

const pub = { kind: 'public' } as const;
const ops: OperationTable = {
  listPets: { method: 'get', path: '/pets', auth: pub },
  createPet: { method: 'post', path: '/pets', auth: pub },
  getPet: { method: 'get', path: '/pets/{petId}', auth: pub },
  myPets: { method: 'get', path: '/pets/mine', auth: pub },
  petPhoto: { method: 'get', path: '/pets/{petId}/photo', auth: pub },
  minePhotoPost: { method: 'post', path: '/pets/mine/photo', auth: pub },
  report: { method: 'get', path: '/reports/{name}.json', auth: pub },
  reportAny: { method: 'get', path: '/reports/{name}', auth: pub },
  versioned: { method: 'get', path: '/api/v{version}/status', auth: pub },
  range: { method: 'get', path: '/range/{from}-{to}', auth: pub },
  weird: { method: 'get', path: '/w/a.b(c)+{x}', auth: pub },
  root: { method: 'get', path: '/', auth: pub },
  spaced: { method: 'get', path: '/files/my file', auth: pub },
};

describe('createMatcher', () => {
  const match = createMatcher(ops, '');

  it('static segments beat templated ones', () => {
    expect(match('GET', '/pets/mine')).toBe('myPets');
    expect(match('GET', '/pets/123')).toBe('getPet');
  });
  it('backtracks from a static branch that dead-ends (path)', () => {
    expect(match('GET', '/pets/mine/photo')).toBe('petPhoto');
    expect(match('POST', '/pets/mine/photo')).toBe('minePhotoPost');
  });
  it('backtracks from a static branch that dead-ends (method)', () => {
    expect(match('DELETE', '/pets/mine')).toBeUndefined();
    expect(match('POST', '/pets')).toBe('createPet');
  });
  it('method is case-insensitive and HEAD falls back to GET', () => {
    expect(match('get', '/pets')).toBe('listPets');
    expect(match('Get', '/pets')).toBe('listPets');
    expect(match('HEAD', '/pets')).toBe('listPets');
    expect(match('PUT', '/pets')).toBeUndefined();
  });
  it('ignores the query string and fragment', () => {
    expect(match('GET', '/pets?limit=1&x=/pets/mine')).toBe('listPets');
    expect(match('GET', '/pets/mine?')).toBe('myPets');
    expect(match('GET', '/pets#frag')).toBe('listPets');
  });
  it('tolerates one trailing slash', () => {
    expect(match('GET', '/pets/')).toBe('listPets');
    expect(match('GET', '/pets/mine/')).toBe('myPets');
    expect(match('GET', '/pets//')).toBeUndefined();
  });
  it('does not match an empty parameter', () => {
    expect(match('GET', '/pets//photo')).toBeUndefined();
  });
  it('root path', () => {
    expect(match('GET', '/')).toBe('root');
    expect(match('GET', '')).toBe('root');
  });
  it('partial templates compile to anchored per-segment regexes', () => {
    expect(match('GET', '/reports/q1.json')).toBe('report');
    expect(match('GET', '/reports/q1.jsonx')).toBe('reportAny');
    expect(match('GET', '/reports/.json')).toBe('reportAny');
    expect(match('GET', '/api/v2/status')).toBe('versioned');
    expect(match('GET', '/api/x2/status')).toBeUndefined();
    expect(match('GET', '/api/v/status')).toBeUndefined();
    expect(match('GET', '/range/1-5')).toBe('range');
    expect(match('GET', '/range/15')).toBeUndefined();
  });
  it('escapes regex characters in partial templates', () => {
    expect(match('GET', '/w/a.b(c)+1')).toBe('weird');
    expect(match('GET', '/w/aXb(c)+1')).toBeUndefined();
    expect(match('GET', '/w/a.b(c)1')).toBeUndefined();
  });
  it('a static segment matches as written or as a client percent-encodes it; malformed escapes are safe', () => {
    expect(match('GET', '/files/my%20file')).toBe('spaced');
    expect(match('GET', '/pets/%E0%A4%A')).toBe('getPet');
    expect(match('GET', '/pets/%zz/photo')).toBe('petPhoto');
    expect(match('GET', '/pets/a%2Fb')).toBe('getPet');
    expect(match('GET', '/reports/q%31.json')).toBe('report');
  });
  it('a path that equals a static segment only after decoding or case-folding is ambiguous, never the parameter route', () => {
    // Express matches raw paths case-insensitively, find-my-way decodes first: such a
    // path may reach the /pets/mine handler, so it must not be judged as /pets/{petId}.
    const classify = createRouteClassifier(ops, '');
    for (const p of ['/pets/MINE', '/pets/Mine', '/pets/m%69ne', '/pets/%6D%69%6E%65', '/p%65ts/mine', '/PETS/mine', '/files/MY%20FILE']) {
      expect(classify('GET', p), p).toBe(AMBIGUOUS_ROUTE);
      expect(match('GET', p), p).toBeUndefined();
    }
    // A partial template that fits only case-insensitively, or only once decoded.
    expect(classify('GET', '/reports/q1.JSON')).toBe(AMBIGUOUS_ROUTE);
    expect(classify('GET', '/reports/q1%2Ejson')).toBe(AMBIGUOUS_ROUTE);
    // Not confusable with any static sibling: the parameter route, as before.
    expect(classify('GET', '/pets/minx')).toBe('getPet');
    expect(classify('GET', '/reports/q%31.json')).toBe('report');
    // Literal text a client must percent-encode, sent as URL encodes it, is that route.
    const odd = createRouteClassifier({ odd: { method: 'get', path: '/`${x}`/{id}', auth: { kind: 'public' } } }, '');
    expect(odd('GET', new URL('https://h/`${x}`/7').pathname)).toBe('odd');
    expect(odd('GET', '/%60%24%7Bx%7D%60/7')).toBe(AMBIGUOUS_ROUTE);
  });
  it('a base path that differs only in case or encoding is ambiguous, not unknown', () => {
    const classify = createRouteClassifier(ops, '/v1');
    expect(classify('GET', '/V1/pets')).toBe(AMBIGUOUS_ROUTE);
    expect(classify('GET', '/%761/pets')).toBe(AMBIGUOUS_ROUTE);
    expect(classify('GET', '/v2/pets')).toBeUndefined();
    expect(classify('GET', '/V10/pets')).toBeUndefined();
  });
  it('unknown paths match nothing', () => {
    expect(match('GET', '/nope')).toBeUndefined();
    expect(match('GET', '/pets/1/photo/x')).toBeUndefined();
  });
});

describe('base path', () => {
  it('strips the base path at a segment boundary', () => {
    const match = createMatcher(ops, '/v1');
    expect(match('GET', '/v1/pets')).toBe('listPets');
    expect(match('GET', '/v1/pets/mine?x')).toBe('myPets');
    expect(match('GET', '/v1')).toBe('root');
    expect(match('GET', '/v1/')).toBe('root');
    expect(match('GET', '/v1?q')).toBe('root');
    expect(match('GET', '/v10/pets')).toBeUndefined();
    expect(match('GET', '/pets')).toBeUndefined();
    expect(match('GET', '/v2/pets')).toBeUndefined();
  });
  it('accepts a trailing slash or a full server URL as base path', () => {
    expect(createMatcher(ops, '/v1/')('GET', '/v1/pets')).toBe('listPets');
    expect(createMatcher(ops, 'https://api.example.com/v1')('GET', '/v1/pets')).toBe('listPets');
    expect(createMatcher(ops, '/')('GET', '/pets')).toBe('listPets');
  });
});

describe('prototype-named segments and ids', () => {
  it('treats __proto__, constructor and toString as plain names', () => {
    const table: Record<string, OperationTable[string]> = {};
    Object.defineProperty(table, '__proto__', { value: { method: 'get', path: '/__proto__', auth: pub }, enumerable: true });
    table['constructor'] = { method: 'get', path: '/constructor/{toString}', auth: pub };
    table['toString'] = { method: 'get', path: '/x', auth: pub };
    const match = createMatcher(table, '');
    expect(match('GET', '/__proto__')).toBe('__proto__');
    expect(match('GET', '/constructor/1')).toBe('constructor');
    expect(match('GET', '/toString')).toBeUndefined();
    expect(match('GET', '/hasOwnProperty')).toBeUndefined();
    expect(match('TOSTRING', '/x')).toBeUndefined();
    expect(match('__proto__', '/x')).toBeUndefined();
  });
});

describe('scale', () => {
  it('800 synthetic operations, each found, cost independent of count', () => {
    const table: Record<string, OperationTable[string]> = {};
    const methods = ['get', 'post', 'put', 'delete'];
    for (let i = 0; i < 200; i++) {
      for (const m of methods) {
        const path = i % 2 === 0 ? `/r${i}/{id}/sub${i % 7}` : `/r${i}/items/{item}.json`;
        table[`${m}_${i}`] = { method: m, path, auth: pub };
      }
    }
    expect(Object.keys(table)).toHaveLength(800);
    const match = createMatcher(table, '/base');
    for (let i = 0; i < 200; i++) {
      for (const m of methods) {
        const path = i % 2 === 0 ? `/base/r${i}/42/sub${i % 7}` : `/base/r${i}/items/abc.json`;
        expect(match(m.toUpperCase(), path)).toBe(`${m}_${i}`);
      }
    }
    expect(match('GET', '/base/r1/items/abc.xml')).toBeUndefined();
    // Timing sanity: a lookup in the 800-op table is not meaningfully slower than in a 4-op one.
    const small = createMatcher({ a: { method: 'get', path: '/r199/items/{item}.json', auth: pub } }, '/base');
    const time = (fn: () => unknown): number => {
      const start = performance.now();
      for (let i = 0; i < 20000; i++) fn();
      return performance.now() - start;
    };
    time(() => match('GET', '/base/r199/items/abc.json'));
    time(() => small('GET', '/base/r199/items/abc.json'));
    const big = time(() => match('GET', '/base/r199/items/abc.json'));
    const one = time(() => small('GET', '/base/r199/items/abc.json'));
    expect(big).toBeLessThan(one * 5 + 20);
  });
});
