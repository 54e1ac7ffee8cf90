import { describe, expect, it } from 'vitest';
import { createHashedKeyStore, hashKey, timingSafeEqualString } from '../../templates/runtime/runtime-keys.js';

describe('timingSafeEqualString', () => {
  it.each([
    ['equal', 'abc', 'abc', true],
    ['different', 'abc', 'abd', false],
    ['different lengths', 'abc', 'abcd', false],
    ['empty vs empty', '', '', true],
    ['empty vs non-empty', '', 'a', false],
    ['unicode', 'ключ', 'ключ', true],
  ])('%s', (_n, a, b, expected) => {
    expect(timingSafeEqualString(a, b)).toBe(expected);
  });
});

describe('createHashedKeyStore', () => {
  const store = createHashedKeyStore([
    { hash: hashKey('live-key'), principal: { id: 'live' } },
    { hash: hashKey('old-key'), principal: { id: 'old' }, expiresAt: new Date('2020-01-01T00:00:00Z') },
    { hash: hashKey('future-key').toUpperCase(), principal: { id: 'future' }, expiresAt: Date.parse('2999-01-01T00:00:00Z') },
    { hash: hashKey('revoked-key'), principal: { id: 'revoked' }, revoked: true },
  ]);
  it('hashKey is the SHA-256 hex digest', () => {
    expect(hashKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('finds a live key', () => expect(store.lookup('live-key')).toEqual({ id: 'live' }));
  it('unknown key', () => expect(store.lookup('nope')).toBeUndefined());
  it('empty key', () => expect(store.lookup('')).toBeUndefined());
  it('expired key', () => expect(store.lookup('old-key')).toBeUndefined());
  it('expiry is relative to `now`', () => expect(store.lookup('old-key', new Date('2019-01-01T00:00:00Z'))).toEqual({ id: 'old' }));
  it('future expiry, upper-case digest', () => expect(store.lookup('future-key')).toEqual({ id: 'future' }));
  it('revoked key', () => expect(store.lookup('revoked-key')).toBeUndefined());
  it('a digest itself is not a key', () => expect(store.lookup(hashKey('live-key'))).toBeUndefined());
  it('rejects malformed digests and duplicates', () => {
    expect(() => createHashedKeyStore([{ hash: 'live-key', principal: 1 }])).toThrow(/SHA-256/);
    expect(() => createHashedKeyStore([{ hash: hashKey('a'), principal: 1 }, { hash: hashKey('a'), principal: 2 }])).toThrow(/share/);
  });
});
