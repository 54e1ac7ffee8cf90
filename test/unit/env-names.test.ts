// Environment variable names users will type into their CI secrets: reviewed by hand.
import { describe, expect, it } from 'vitest';
import { envNames, toScreamingSnake } from '../../src/naming/env-names.js';

describe('toScreamingSnake', () => {
  it.each([
    ['ApiKey', 'API_KEY'],
    ['AppId', 'APP_ID'],
    ['OAuth2', 'OAUTH2'],
    ['APIKey', 'API_KEY'],
    ['bearerAuth', 'BEARER_AUTH'],
    ['petstore_auth', 'PETSTORE_AUTH'],
    ['api_key', 'API_KEY'],
    ['OAuth (legacy)', 'OAUTH_LEGACY'],
    ['a.b-c_d', 'A_B_C_D'],
    ['X-API-Key', 'X_API_KEY'],
    ['2fa', '_2FA'],
    ['__proto__', 'PROTO'],
    ['ключ', 'CREDENTIAL'],
    ['', 'CREDENTIAL'],
  ])('%j -> %s', (input, expected) => {
    expect(toScreamingSnake(input)).toBe(expected);
  });
});

describe('envNames', () => {
  it('gives colliding names numbered suffixes in code-unit order, independent of input order', () => {
    const a = envNames(['api_key', 'ApiKey', 'API-KEY']);
    const b = envNames(['API-KEY', 'api_key', 'ApiKey']);
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
    expect(a.get('API-KEY')).toBe('API_KEY');
    expect(a.get('ApiKey')).toBe('API_KEY_2');
    expect(a.get('api_key')).toBe('API_KEY_3');
  });
});
