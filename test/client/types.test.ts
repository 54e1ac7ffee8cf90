// Type-level contract of the bound client: checked by `tsc -p tsconfig.json`
// (the @ts-expect-error lines fail the type-check if they stop being errors) and
// by vitest's expectTypeOf at run time as a smoke test.

import { describe, expectTypeOf, it } from 'vitest';
import { authFor, type Credentials } from './fixture/client.js';
import type { BasicCredentials, CredentialSource, MutualTLSConfigured } from '../../templates/runtime/runtime-client.js';

describe('Credentials type', () => {
  it('is typed per scheme kind', () => {
    expectTypeOf<NonNullable<Credentials['BasicAuth']>>().toEqualTypeOf<CredentialSource<BasicCredentials>>();
    expectTypeOf<NonNullable<Credentials['HeaderKey']>>().toEqualTypeOf<CredentialSource<string>>();
    expectTypeOf<NonNullable<Credentials['OAuth']>>().toEqualTypeOf<CredentialSource<string>>();
    expectTypeOf<NonNullable<Credentials['DigestAuth']>>().toEqualTypeOf<CredentialSource<string>>();
    expectTypeOf<NonNullable<Credentials['Mtls']>>().toEqualTypeOf<CredentialSource<MutualTLSConfigured>>();

    const ok: Credentials = {
      BasicAuth: { username: 'u', password: 'p' },
      HeaderKey: async () => 'k',
      BearerAuth: () => undefined,
      Mtls: true,
      QueryKey: undefined,
    };
    void ok;
    // @ts-expect-error Basic takes { username, password }, not a string
    const basicAsString: Credentials = { BasicAuth: 'u:p' };
    // @ts-expect-error an API key is a string
    const keyAsObject: Credentials = { HeaderKey: { username: 'u', password: 'p' } };
    // @ts-expect-error schemes not in the spec are rejected
    const unknownScheme: Credentials = { Nope: 'x' };
    // @ts-expect-error mutual TLS is a marker, not a certificate
    const mtlsAsString: Credentials = { Mtls: 'cert' };
    void [basicAsString, keyAsObject, unknownScheme, mtlsAsString];
  });

  it('authFor is typed by OperationId', () => {
    expectTypeOf(authFor).parameter(0).toEqualTypeOf<
      | 'disjoint' | 'intersect' | 'scoped' | 'optional' | 'health' | 'oidc' | 'bearer' | 'digest' | 'custom' | 'raw' | 'mtls'
      | 'cookie' | 'getPet' | 'myPets' | 'createPet' | 'oldPets' | 'movedPost' | 'away'
    >();
    // @ts-expect-error not an operation id of this spec
    void (() => authFor('listPets', {}));
  });
});
