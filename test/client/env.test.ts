// credentialsFromEnv: one variable per scheme, every name behind the prefix derived from
// the spec's title ("Client test spec" -> CLIENT_TEST_SPEC_), an optional extra runtime
// prefix, Basic as a _USERNAME/_PASSWORD pair, unset or empty meaning "no credential".

import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { generatedClient, type ClientModule, type SecurityModule } from './generated.js';
import { credentialsFromEnv as rawCredentialsFromEnv } from '../../templates/runtime/runtime-client.js';

let authFor: ClientModule['authFor'];
let credentialsFromEnv: ClientModule['credentialsFromEnv'];
let envVariables: ClientModule['envVariables'];
let schemes: SecurityModule['schemes'];
beforeAll(async () => {
  const generated = await generatedClient('client-env');
  ({ authFor, credentialsFromEnv, envVariables } = generated.client);
  ({ schemes } = generated.security);
}, 60_000);

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('credentialsFromEnv', () => {
  it('reads prefixed variables and Basic pairs', async () => {
    const env = {
      MYAPI_CLIENT_TEST_SPEC_HEADER_KEY: 'h',
      MYAPI_CLIENT_TEST_SPEC_QUERY_KEY: '',
      MYAPI_CLIENT_TEST_SPEC_BASIC_AUTH_USERNAME: 'alice',
      MYAPI_CLIENT_TEST_SPEC_BASIC_AUTH_PASSWORD: 'pässwörd✓',
      MYAPI_CLIENT_TEST_SPEC_BEARER_AUTH: 'jwt',
      HEADER_KEY: 'unprefixed-ignored',
      CLIENT_TEST_SPEC_HEADER_KEY: 'without-the-runtime-prefix-ignored',
    };
    const credentials = credentialsFromEnv(env, { prefix: 'MYAPI_' });
    expect(credentials).toEqual({ HeaderKey: 'h', BasicAuth: { username: 'alice', password: 'pässwörd✓' }, BearerAuth: 'jwt' });
    expect((await authFor('intersect', credentials)).alternative).toBe(0);
  });

  it('without a runtime prefix: the generated names only; a Basic pair needs both halves', () => {
    expect(credentialsFromEnv({ CLIENT_TEST_SPEC_HEADER_KEY: 'h', CLIENT_TEST_SPEC_BASIC_AUTH_USERNAME: 'alice', CLIENT_TEST_SPEC_OAUTH: 't' })).toEqual({ HeaderKey: 'h', OAuth: 't' });
    expect(credentialsFromEnv({ CLIENT_TEST_SPEC_BASIC_AUTH_USERNAME: 'alice', CLIENT_TEST_SPEC_BASIC_AUTH_PASSWORD: '' })).toEqual({});
    expect(credentialsFromEnv({ HEADER_KEY: 'h', OAUTH: 't', BASIC_AUTH_USERNAME: 'alice', BASIC_AUTH_PASSWORD: 'pw' })).toEqual({});
  });

  it('never reads mutual TLS and ignores inherited properties', () => {
    const env = Object.create({ HEADER_KEY: 'from-proto' }) as Record<string, string>;
    env['MTLS'] = 'x';
    expect(rawCredentialsFromEnv(schemes, { ...envVariables, Mtls: ['MTLS'] }, env)).toEqual({});
  });

  it('the generated table names every variable; the runtime has no naming rule of its own', () => {
    expect(envVariables).toMatchObject({ HeaderKey: ['CLIENT_TEST_SPEC_HEADER_KEY'], BasicAuth: ['CLIENT_TEST_SPEC_BASIC_AUTH_USERNAME', 'CLIENT_TEST_SPEC_BASIC_AUTH_PASSWORD'] });
    expect(rawCredentialsFromEnv(schemes, { BasicAuth: ['WHO', 'SECRET'], HeaderKey: ['H'] }, { WHO: 'a', SECRET: 'b', H: 'x', BASIC_AUTH_USERNAME: 'no' })).toEqual({ BasicAuth: { username: 'a', password: 'b' }, HeaderKey: 'x' });
  });

  it('defaults to process.env', () => {
    vi.stubEnv('CLIENT_TEST_SPEC_COOKIE_KEY', 'from-process');
    expect(credentialsFromEnv().CookieKey).toBe('from-process');
  });
});
