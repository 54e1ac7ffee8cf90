// Tables and a bound `createGuard` in the shape the generator emits into security.ts
// and guard.ts, over the runtime sources in templates/runtime/. Shared by the type
// contract (guard.test-d.ts, checked by vitest's typecheck mode) and the run-time
// half of it (test/runtime/types.test.ts).
import {
  createGuardFromTables,
  type BindingCheck,
  type CredentialOf,
  type Guard,
  type GuardOptions,
  type Independent,
  type Verifier,
} from '../../templates/runtime/runtime-server.js';

// What the generator emits into security.ts ...
export const schemes = {
  ApiKey: { kind: 'apiKey', in: 'header', name: 'X-API-Key' },
  AppId: { kind: 'apiKey', in: 'header', name: 'X-App-Id' },
  Basic: { kind: 'http', scheme: 'basic' },
  Mtls: { kind: 'mutualTLS' },
  Unused: { kind: 'http', scheme: 'bearer' },
} as const;
export const operations = {
  listPets: { method: 'get', path: '/pets', auth: { kind: 'required', anyOf: [[{ scheme: 'ApiKey', scopes: [] }, { scheme: 'AppId', scopes: [] }], [{ scheme: 'Basic', scopes: [] }]], at: [0, 1] } },
  getPet: { method: 'get', path: '/pets/{petId}', auth: { kind: 'optional', anyOf: [[{ scheme: 'Mtls', scopes: [] }]], at: [1], anonymousAt: 0 } },
  health: { method: 'get', path: '/health', auth: { kind: 'public' } },
} as const;
export const tables = { schemes, operations, basePath: '' } as const;
export type OperationId = keyof typeof operations;

// ... and into guard.ts.
export type UsedSchemeName = 'ApiKey' | 'AppId' | 'Basic' | 'Mtls';
export type Verifiers<P0 extends object = object, P1 extends object = object, P2 extends object = object, P3 extends object = object> = {
  readonly ApiKey: Verifier<CredentialOf<(typeof tables.schemes)['ApiKey']>, OperationId, P0>;
  readonly AppId: Verifier<CredentialOf<(typeof tables.schemes)['AppId']>, OperationId, P1>;
  readonly Basic: Verifier<CredentialOf<(typeof tables.schemes)['Basic']>, OperationId, P2>;
  readonly Mtls: Verifier<CredentialOf<(typeof tables.schemes)['Mtls']>, OperationId, P3>;
  readonly 'ApiKey + AppId': BindingCheck<{ readonly ApiKey: P0; readonly AppId: P1 }, OperationId> | Independent;
};
export function createGuard<P0 extends object, P1 extends object, P2 extends object, P3 extends object>(
  verifiers: Verifiers<P0, P1, P2, P3>,
  options?: GuardOptions,
): Guard<OperationId, Pick<Verifiers<P0, P1, P2, P3>, UsedSchemeName>> {
  return createGuardFromTables(tables, verifiers, options);
}
