// Type contract of the emitter's real output (generated/, the bundled example spec,
// kept current by `codegen check`'s test): the AND group of ApiKey and AppId needs its
// entry, and its binding check sees the principals the two verifiers return.
import { describe, expectTypeOf, it } from 'vitest';
import { createGuard, independent, type GroupName, type OperationId } from '../../generated/guard.js';
import { independent as otherFoldersMarker } from '../../templates/runtime/runtime-server.js';

const schemes = {
  AppId: (id: string) => ({ clientId: id.slice(4) }),
  Basic: () => ({}),
  Bearer: () => ({}),
  OAuth2: () => ({}),
  QueryKey: () => ({}),
  SessionCookie: () => ({}),
};

describe('generated guard.ts: bound AND groups', () => {
  it('names the group and types its binding check from the verifiers', () => {
    expectTypeOf<GroupName>().toEqualTypeOf<'ApiKey + AppId'>();
    createGuard({
      ...schemes,
      ApiKey: async (key) => (key === 'k' ? { clientId: 'a', keyId: 'id1' } : null),
      'ApiKey + AppId': (principals, context) => {
        expectTypeOf(principals.ApiKey).toEqualTypeOf<{ clientId: string; keyId: string }>();
        expectTypeOf(principals.AppId).toEqualTypeOf<{ clientId: string }>();
        expectTypeOf(context.operationId).toEqualTypeOf<OperationId>();
        return principals.ApiKey.clientId === principals.AppId.clientId;
      },
    });
  });

  it('refuses to compile without the entry', () => {
    // @ts-expect-error 'ApiKey + AppId' is missing
    createGuard({ ...schemes, ApiKey: () => ({}) });
    createGuard({ ...schemes, ApiKey: () => ({}), 'ApiKey + AppId': independent });
  });

  it("accepts another generated folder's marker (one value at run time, one structural type)", () => {
    createGuard({ ...schemes, ApiKey: () => ({}), 'ApiKey + AppId': otherFoldersMarker });
    // @ts-expect-error a look-alike object is not a binding check
    createGuard({ ...schemes, ApiKey: () => ({}), 'ApiKey + AppId': true });
  });
});
