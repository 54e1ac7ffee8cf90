// Run-time half of the generated guard's contract: what the typed calls in
// test/types/guard.test-d.ts do when they run. The type expectations themselves
// (expectTypeOf, @ts-expect-error) live in that file, which vitest type-checks.
import { describe, expect, it } from 'vitest';
import { independent, type AuthSuccess } from '../../templates/runtime/runtime-server.js';
import type { ExpressHandlers } from '../../templates/runtime/express.js';
import { createGuard, type OperationId, type Verifiers } from '../types/guard-tables.js';

describe('generated guard at run time', () => {
  it('authorizes with typed verifiers and returns their principals', async () => {
    const guard = createGuard({
      ApiKey: (key) => (key === 'k' ? { user: 'u', scopes: ['a'] as const } : null),
      AppId: async (id) => (id === 'a' ? { app: id } : false),
      Basic: (c) => (c.password === 'p' ? { name: c.username } : undefined),
      Mtls: (cert) => ({ cn: cert.subject?.CN }),
      'ApiKey + AppId': (p) => p.ApiKey.user === 'u' && p.AppId.app === 'a',
    });
    const result = await guard.authorize('listPets', { headers: { 'x-api-key': 'k', 'x-app-id': 'a' } });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.operationId).toBe('listPets');
      expect(result.principals.AppId?.app).toBe('a');
      expect(result.principals.ApiKey).toEqual({ user: 'u', scopes: ['a'] });
      expect(result.principals.Basic).toBeUndefined();
      const widened: AuthSuccess<string, unknown> = result;
      expect(widened.ok).toBe(true);
    }
    expect(guard.match('GET', '/pets')).toBe('listPets');
  });

  it('a missing verifier (a compile error) also throws, naming the scheme', () => {
    const verifiers = { ApiKey: () => ({}), AppId: () => ({}), Basic: () => ({}), 'ApiKey + AppId': independent };
    expect(() => createGuard(verifiers as unknown as Verifiers)).toThrow(/Mtls/);
  });

  it('a missing group entry (a compile error) also throws, naming the group; a non-function, non-marker value too', () => {
    const verifiers = { ApiKey: () => ({}), AppId: () => ({}), Basic: () => ({}), Mtls: () => ({}) };
    expect(() => createGuard(verifiers as unknown as Verifiers)).toThrow(/no binding check for AND group "ApiKey \+ AppId"/);
    expect(() => createGuard({ ...verifiers, 'ApiKey + AppId': true } as unknown as Verifiers)).toThrow(/ApiKey \+ AppId/);
    // Another copy of the runtime (a second generated folder) uses the same marker value.
    expect(() => createGuard({ ...verifiers, 'ApiKey + AppId': Symbol.for('openapi-security-codegen.independent') } as unknown as Verifiers)).not.toThrow();
  });

  it('a wrongly typed verifier (a compile error) is accepted at run time: only the types catch it', () => {
    const verifiers = { ApiKey: () => ({}), AppId: () => ({}), Basic: (c: string) => ({ c }), Mtls: () => ({}), 'ApiKey + AppId': independent };
    expect(() => createGuard(verifiers as unknown as Verifiers)).not.toThrow();
  });
});

describe('mountOperations handler maps', () => {
  it('one handler per operation', () => {
    const noop = (): void => undefined;
    const all: ExpressHandlers<OperationId> = { listPets: noop, getPet: noop, health: noop };
    expect(Object.keys(all)).toEqual(['listPets', 'getPet', 'health']);
  });
});
