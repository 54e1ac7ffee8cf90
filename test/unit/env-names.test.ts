// Environment variable names users will type into their CI secrets: reviewed by hand.
import { describe, expect, it } from 'vitest';
import type { Scheme } from '../../src/ir/types.js';
import { assignEnvNames, clientEnvNames, ENV_PREFIX_PATTERN, envNames, envPrefixFromTitle, toScreamingSnake } from '../../src/naming/env-names.js';

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

describe('envPrefixFromTitle', () => {
  it.each([
    ['Petstore (security example)', 'PETSTORE_'],
    ['Client test spec', 'CLIENT_TEST_SPEC_'],
    ['Swagger Petstore - OpenAPI 3.0', 'SWAGGER_PETSTORE_OPENAPI_3_0_'],
    ['  my--api!! ', 'MY_API_'],
    ['3D Secure', 'API_3D_SECURE_'],
    ['Überweisung [beta] (v2 (draft))', 'BERWEISUNG_'],
    ['(internal)', 'API_'],
    ['', 'API_'],
  ])('%j -> %s', (title, expected) => {
    expect(envPrefixFromTitle(title)).toBe(expected);
    expect(expected).toMatch(ENV_PREFIX_PATTERN);
  });
});

describe('assignEnvNames / clientEnvNames', () => {
  const basic: Scheme = { id: 'Basic', kind: 'http', scheme: 'basic' } as unknown as Scheme;
  const query = (id: string): Scheme => ({ id, kind: 'apiKey', in: 'query', name: 'k' }) as unknown as Scheme;
  const schemes = [basic, query('BasicPassword'), query('AWS_SECRET_ACCESS_KEY'), query('PATH'), query('basic_password_2')];
  const ids = schemes.map((s) => s.id);

  it('checks collisions after the Basic suffixes: every final name is distinct and prefixed', () => {
    const names = assignEnvNames([...ids].reverse(), (id) => schemes.find((s) => s.id === id), 'ACME_');
    expect(Object.fromEntries([...names].map(([id, a]) => [id, a.variables]))).toEqual({
      AWS_SECRET_ACCESS_KEY: ['ACME_AWS_SECRET_ACCESS_KEY'],
      Basic: ['ACME_BASIC_USERNAME', 'ACME_BASIC_PASSWORD'],
      BasicPassword: ['ACME_BASIC_PASSWORD_2'],
      PATH: ['ACME_PATH'],
      basic_password_2: ['ACME_BASIC_PASSWORD_2_2'],
    });
    const all = [...names.values()].flatMap((a) => a.variables);
    expect(new Set(all).size).toBe(all.length);
  });

  it('a derived prefix that would make a well-known variable gets API_ in front; a configured one is used as is', () => {
    expect(clientEnvNames([query('SECRET_ACCESS_KEY')], ['SECRET_ACCESS_KEY'], 'AWS').names.get('SECRET_ACCESS_KEY')?.variables).toEqual(['API_AWS_SECRET_ACCESS_KEY']);
    expect(clientEnvNames([query('TOKEN')], ['TOKEN'], 'GitHub').prefix).toBe('API_GITHUB_');
    expect(clientEnvNames([query('ApiKey')], ['ApiKey'], 'Petstore (security example)').names.get('ApiKey')?.variables).toEqual(['PETSTORE_API_KEY']);
    expect(clientEnvNames([query('ApiKey')], ['ApiKey'], 'AWS', 'MY_').names.get('ApiKey')?.variables).toEqual(['MY_API_KEY']);
  });
});
