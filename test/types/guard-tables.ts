// Tables and a bound `createGuard` in the shape the generator emits into security.ts
// and guard.ts, over the runtime sources in templates/runtime/. Shared by the type
// contract (guard.test-d.ts, checked by vitest's typecheck mode) and the run-time
// half of it (test/runtime/types.test.ts).
import {
  createGuardFromTables,
  type Guard,
  type GuardOptions,
  type VerifiersFor,
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
  listPets: { method: 'get', path: '/pets', auth: { kind: 'required', anyOf: [[{ scheme: 'ApiKey', scopes: [] }, { scheme: 'AppId', scopes: [] }], [{ scheme: 'Basic', scopes: [] }]] } },
  getPet: { method: 'get', path: '/pets/{petId}', auth: { kind: 'optional', anyOf: [[{ scheme: 'Mtls', scopes: [] }]] } },
  health: { method: 'get', path: '/health', auth: { kind: 'public' } },
} as const;
export const tables = { schemes, operations, basePath: '' } as const;
export type OperationId = keyof typeof operations;

// ... and into guard.ts.
export type UsedSchemeName = 'ApiKey' | 'AppId' | 'Basic' | 'Mtls';
export type Verifiers = VerifiersFor<typeof tables.schemes, UsedSchemeName, OperationId>;
export function createGuard<V extends Verifiers>(verifiers: V, options?: GuardOptions): Guard<OperationId, V> {
  return createGuardFromTables(tables, verifiers, options);
}
