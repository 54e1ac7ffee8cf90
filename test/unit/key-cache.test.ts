// The PostgreSQL store's lookup cache (templates/runtime/runtime-key-cache.ts): least
// recently used goes first, and the shortcut that skips re-inserting the id already
// the newest never changes which one that is.
import { describe, expect, it } from 'vitest';
import { createKeyCache } from '../../templates/runtime/runtime-key-cache.js';
import type { KeyRecord } from '../../templates/runtime/runtime-key-record.js';

const record = (id: string): KeyRecord => ({ id }) as unknown as KeyRecord;
const kept = (cache: ReturnType<typeof createKeyCache>, ids: string[]): string[] => ids.filter((id) => cache.fresh(id, 0) !== undefined);

describe('key cache', () => {
  it('evicts the least recently used; a use (fresh) makes an id the newest', () => {
    const cache = createKeyCache({ ttlMs: 1000, max: 3, staleWindowMs: 0 });
    for (const id of ['a', 'b', 'c']) cache.set(id, record(id), 0);
    expect(cache.fresh('a', 0)?.record?.id).toBe('a');
    expect(cache.fresh('a', 0)?.record?.id).toBe('a'); // already the newest: nothing moves
    cache.set('d', record('d'), 0); // b is now the oldest
    expect(cache.fresh('b', 0)).toBeUndefined();
    expect(cache.size).toBe(3);
  });

  it('the newest shortcut follows drops, clears and re-inserts', () => {
    const cache = createKeyCache({ ttlMs: 1000, max: 2, staleWindowMs: 0 });
    cache.set('a', record('a'), 0);
    cache.set('b', record('b'), 0);
    cache.fresh('b', 0); // b newest
    cache.drop('b');
    cache.set('c', record('c'), 0); // a, c
    cache.fresh('a', 0); // c, a: a is newest now
    cache.set('d', record('d'), 0); // evicts c
    expect(cache.size).toBe(2);
    expect(kept(cache, ['c'])).toEqual([]);
    cache.clear();
    cache.set('x', record('x'), 0);
    cache.set('y', record('y'), 0);
    cache.fresh('x', 0); // y, x
    cache.set('z', record('z'), 0); // evicts y
    expect(kept(cache, ['x', 'y', 'z'])).toEqual(['x', 'z']);
  });

  it('entries go stale after the TTL; misses are cached too', () => {
    const cache = createKeyCache({ ttlMs: 10, max: 5, staleWindowMs: 0 });
    cache.set('m', undefined, 0);
    expect(cache.fresh('m', 5)).toEqual({ record: undefined });
    expect(cache.fresh('m', 10)).toBeUndefined();
  });
});
