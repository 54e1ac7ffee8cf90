// The server URL a generated client trusts by default (security.ts `serverUrl`): only an
// absolute http(s) URL the spec fully determines; anything else leaves the client asking
// for its baseUrl option rather than guessing where credentials may go.
import { describe, expect, it } from 'vitest';
import { trustedServerUrl } from '../../src/emit/tables.js';

describe('trustedServerUrl', () => {
  it('keeps an absolute http(s) URL, normalized, without a trailing slash', () => {
    expect(trustedServerUrl('https://api.example.com/v1/')).toBe('https://api.example.com/v1');
    expect(trustedServerUrl('HTTP://API.Example.com:80')).toBe('http://api.example.com');
    expect(trustedServerUrl('https://api.example.com/a b')).toBe('https://api.example.com/a%20b');
  });

  it('refuses what the spec does not fully determine or what is not a plain origin', () => {
    for (const url of [undefined, '/v1', '//api.example.com/v1', 'https://{region}.example.com', 'https://u:p@api.example.com', 'ftp://api.example.com', 'https://api.example.com/v1?x=1', 'https://api.example.com/#f', 'not a url', 'javascript:alert(1)']) {
      expect(trustedServerUrl(url), String(url)).toBeUndefined();
    }
  });
});
