// The RateLimit fields (templates/runtime/runtime-rate-limit-headers.ts) against
// strings written by hand from draft-ietf-httpapi-ratelimit-headers-11 (§3, §4, and the
// sf-string / list rules of RFC 9651 §4.1.1 and §4.1.6).
import { describe, expect, it } from 'vitest';
import {
  RATE_LIMIT_DRAFT,
  rateLimitField,
  rateLimitHeaders,
  rateLimitPolicyField,
  rateLimitPolicyName,
  sfString,
} from '../../templates/runtime/runtime-rate-limit-headers.js';

describe('RateLimit-Policy and RateLimit fields', () => {
  it('names the draft revision it follows', () => {
    expect(RATE_LIMIT_DRAFT).toBe('draft-ietf-httpapi-ratelimit-headers-11');
  });

  it('writes the draft\'s own examples', () => {
    expect(rateLimitPolicyField([{ name: 'default', quota: 100, window: 10 }])).toBe('"default";q=100;w=10');
    expect(rateLimitPolicyField([{ name: 'permin', quota: 50, window: 60 }, { name: 'perhr', quota: 1000, window: 3600 }])).toBe('"permin";q=50;w=60, "perhr";q=1000;w=3600');
    expect(rateLimitField([{ name: 'default', remaining: 50, reset: 30 }])).toBe('"default";r=50;t=30');
    expect(rateLimitField([{ name: 'default', remaining: 999 }])).toBe('"default";r=999');
  });

  it('writes zero quotas, zero remaining and a zero effective window', () => {
    expect(rateLimitPolicyField([{ name: 'none', quota: 0, window: 1 }])).toBe('"none";q=0;w=1');
    expect(rateLimitField([{ name: 'none', remaining: 0, reset: 0 }])).toBe('"none";r=0;t=0');
    expect(rateLimitPolicyField([{ name: 'open', quota: 5 }])).toBe('"open";q=5');
  });

  it('escapes " and \\ in a policy name, and refuses what no sf-string can hold', () => {
    expect(sfString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(sfString('')).toBe('""');
    expect(sfString(' ~')).toBe('" ~"');
    expect(rateLimitField([{ name: 'say "hi"', remaining: 1 }])).toBe('"say \\"hi\\"";r=1');
    for (const bad of ['tab\there', 'new\nline', 'caf\u00e9', '\u0000', '\u007f', 'emoji \u{1F600}']) expect(() => sfString(bad)).toThrow(TypeError);
  });

  it('makes a valid, distinct policy name from any operation id', () => {
    expect(rateLimitPolicyName('listPets')).toBe('listPets');
    expect(rateLimitPolicyName('get /pets/{id}')).toBe('get /pets/{id}');
    expect(rateLimitPolicyName('caf\u00e9')).toBe('caf%C3%A9');
    expect(rateLimitPolicyName('caf%C3%A9')).toBe('caf%25C3%25A9');
    expect(rateLimitPolicyName('a\tb')).toBe('a%09b');
    expect(rateLimitPolicyName('\ud800x')).toBe('%uD800x');
    expect(rateLimitPolicyName('\u{1F600}')).toBe('%F0%9F%98%80');
    for (const text of ['caf\u00e9', 'x"y\\z', '\ud800', 'a\u0000']) expect(() => sfString(rateLimitPolicyName(text))).not.toThrow();
  });

  it('refuses a value the draft does not allow', () => {
    expect(() => rateLimitPolicyField([])).toThrow(TypeError);
    expect(() => rateLimitField([])).toThrow(TypeError);
    expect(() => rateLimitPolicyField([{ name: 'x', quota: -1 }])).toThrow(/q must be/);
    expect(() => rateLimitPolicyField([{ name: 'x', quota: 1.5 }])).toThrow(/q must be/);
    expect(() => rateLimitPolicyField([{ name: 'x', quota: 1, window: 0 }])).toThrow(/w must be/);
    expect(() => rateLimitField([{ name: 'x', remaining: Number.NaN }])).toThrow(/r must be/);
    expect(() => rateLimitField([{ name: 'x', remaining: 1, reset: -1 }])).toThrow(/t must be/);
    expect(() => rateLimitField([{ name: 'x', remaining: 1_000_000_000_000_000 }])).toThrow(/r must be/);
    expect(rateLimitField([{ name: 'x', remaining: 999_999_999_999_999 }])).toBe('"x";r=999999999999999');
  });

  it('gives both fields as lower-case headers, with Retry-After on a refusal', () => {
    const policies = [{ name: 'op:listPets', quota: 10, window: 60 }, { name: 'default', quota: 100, window: 3600 }];
    expect(rateLimitHeaders(policies, [{ name: 'op:listPets', remaining: 9, reset: 60 }, { name: 'default', remaining: 99, reset: 3600 }])).toEqual({
      'ratelimit-policy': '"op:listPets";q=10;w=60, "default";q=100;w=3600',
      ratelimit: '"op:listPets";r=9;t=60, "default";r=99;t=3600',
    });
    expect(rateLimitHeaders([{ name: 'default', quota: 100, window: 60 }], [{ name: 'default', remaining: 0, reset: 42 }], 42)).toEqual({
      'ratelimit-policy': '"default";q=100;w=60',
      ratelimit: '"default";r=0;t=42',
      'retry-after': '42',
    });
  });
});
