// `counterKeyPart` (templates/runtime/runtime-quota-policy.ts): a key or operation id as
// part of a Redis counter key. Its fast path (an id with nothing to encode is returned
// as is) must answer what the encoding answers: for any text without a lone surrogate
// that is exactly `encodeURIComponent` (the platform's, the reference here); a lone
// surrogate becomes `%uXXXX`, so two distinct ids never share a counter.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counterKeyPart } from '../../templates/runtime/runtime-quota-policy.js';

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('counterKeyPart', () => {
  it('is encodeURIComponent for every ASCII character alone and inside a plain id', () => {
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c);
      expect(counterKeyPart(ch)).toBe(encodeURIComponent(ch));
      expect(counterKeyPart(`key_${ch}_01`)).toBe(encodeURIComponent(`key_${ch}_01`));
    }
  });

  it('returns a plain id unchanged and encodes one that needs it', () => {
    expect(counterKeyPart('k_01HZX3-abc.~*()!')).toBe("k_01HZX3-abc.~*()!");
    expect(counterKeyPart('a:b')).toBe('a%3Ab');
    expect(counterKeyPart('é')).toBe('%C3%A9');
    expect(counterKeyPart('')).toBe('');
  });

  it('is encodeURIComponent for any text without a lone surrogate (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^[A-Za-z0-9_.~*'()!-]{0,40}$/)), (text) => {
        fc.pre(!loneSurrogate.test(text));
        expect(counterKeyPart(text)).toBe(encodeURIComponent(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps lone surrogates apart from each other and from their encoded spelling', () => {
    expect(counterKeyPart('a\uD800')).toBe('a%uD800');
    expect(counterKeyPart('\uDFFFb')).toBe('%uDFFFb');
    expect(counterKeyPart('a\uD800')).not.toBe(counterKeyPart('a%uD800'));
    expect(counterKeyPart('a\uD800')).not.toBe(counterKeyPart('a\uD801'));
  });
});
