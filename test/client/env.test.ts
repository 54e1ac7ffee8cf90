// credentialsFromEnv: one variable per scheme, optional prefix, Basic as a
// _USERNAME/_PASSWORD pair, unset or empty meaning "no credential".

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
      MYAPI_HEADER_KEY: 'h',
      MYAPI_QUERY_KEY: '',
      MYAPI_BASIC_AUTH_USERNAME: 'alice',
      MYAPI_BASIC_AUTH_PASSWORD: 'pässwörd✓',
      MYAPI_BEARER_AUTH: 'jwt',
      HEADER_KEY: 'unprefixed-ignored',
    };
    const credentials = credentialsFromEnv(env, { prefix: 'MYAPI_' });
    expect(credentials).toEqual({ HeaderKey: 'h', BasicAuth: { username: 'alice', password: 'pässwörd✓' }, BearerAuth: 'jwt' });
    expect((await authFor('intersect', credentials)).alternative).toBe(0);
  });

  it('without a prefix; a Basic pair needs both halves', () => {
    expect(credentialsFromEnv({ HEADER_KEY: 'h', BASIC_AUTH_USERNAME: 'alice', OAUTH: 't' })).toEqual({ HeaderKey: 'h', OAuth: 't' });
    expect(credentialsFromEnv({ BASIC_AUTH_USERNAME: 'alice', BASIC_AUTH_PASSWORD: '' })).toEqual({});
  });

  it('never reads mutual TLS and ignores inherited properties', () => {
    const env = Object.create({ HEADER_KEY: 'from-proto' }) as Record<string, string>;
    env['MTLS'] = 'x';
    expect(rawCredentialsFromEnv(schemes, { ...envVariables, Mtls: ['MTLS'] }, env)).toEqual({});
  });

  it('the generated table names every variable; the runtime has no naming rule of its own', () => {
    expect(envVariables).toMatchObject({ HeaderKey: ['HEADER_KEY'], BasicAuth: ['BASIC_AUTH_USERNAME', 'BASIC_AUTH_PASSWORD'] });
    expect(rawCredentialsFromEnv(schemes, { BasicAuth: ['WHO', 'SECRET'], HeaderKey: ['H'] }, { WHO: 'a', SECRET: 'b', H: 'x', BASIC_AUTH_USERNAME: 'no' })).toEqual({ BasicAuth: { username: 'a', password: 'b' }, HeaderKey: 'x' });
  });

  it('defaults to process.env', () => {
    vi.stubEnv('COOKIE_KEY', 'from-process');
    expect(credentialsFromEnv().CookieKey).toBe('from-process');
  });
});
