// Compile-time contract of the generated `guard.ts` (checked by `tsc`), plus a run.
import type { PeerCertificate } from 'node:tls';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createGuardFromTables,
  type AuthSuccess,
  type BasicCredentials,
  type ClientCertificate,
  type Guard,
  type GuardOptions,
  type VerifiersFor,
} from '../../templates/runtime/runtime-server.js';
import type { ExpressHandlers } from '../../templates/runtime/express.js';
import type { FastifyHandlers } from '../../templates/runtime/fastify.js';
import type { KoaHandlers } from '../../templates/runtime/koa.js';
import type { HonoHandlers } from '../../templates/runtime/hono.js';

// What the generator emits into security.ts ...
const schemes = {
  ApiKey: { kind: 'apiKey', in: 'header', name: 'X-API-Key' },
  AppId: { kind: 'apiKey', in: 'header', name: 'X-App-Id' },
  Basic: { kind: 'http', scheme: 'basic' },
  Mtls: { kind: 'mutualTLS' },
  Unused: { kind: 'http', scheme: 'bearer' },
} as const;
const operations = {
  listPets: { method: 'get', path: '/pets', auth: { kind: 'required', anyOf: [[{ scheme: 'ApiKey', scopes: [] }, { scheme: 'AppId', scopes: [] }], [{ scheme: 'Basic', scopes: [] }]] } },
  getPet: { method: 'get', path: '/pets/{petId}', auth: { kind: 'optional', anyOf: [[{ scheme: 'Mtls', scopes: [] }]] } },
  health: { method: 'get', path: '/health', auth: { kind: 'public' } },
} as const;
const tables = { schemes, operations, basePath: '' } as const;
type OperationId = keyof typeof operations;

// ... and into guard.ts.
type UsedSchemeName = 'ApiKey' | 'AppId' | 'Basic' | 'Mtls';
type Verifiers = VerifiersFor<typeof tables.schemes, UsedSchemeName, OperationId>;
function createGuard<V extends Verifiers>(verifiers: V, options?: GuardOptions): Guard<OperationId, V> {
  return createGuardFromTables(tables, verifiers, options);
}

describe('generated guard typing', () => {
  it('types credentials, principals and operation ids', async () => {
    const guard = createGuard({
      ApiKey: (key) => {
        expectTypeOf(key).toEqualTypeOf<string>();
        return key === 'k' ? { user: 'u', scopes: ['a'] as const } : null;
      },
      AppId: async (id, ctx) => {
        expectTypeOf(id).toEqualTypeOf<string>();
        expectTypeOf(ctx.operationId).toEqualTypeOf<OperationId>();
        return id === 'a' ? { app: id } : false;
      },
      Basic: (c) => {
        expectTypeOf(c).toEqualTypeOf<BasicCredentials>();
        return c.password === 'p' ? { name: c.username } : undefined;
      },
      Mtls: (cert) => {
        expectTypeOf(cert).toEqualTypeOf<ClientCertificate>();
        return { cn: cert.subject?.CN };
      },
    });
    const result = await guard.authorize('listPets', { headers: { 'x-api-key': 'k', 'x-app-id': 'a' } });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expectTypeOf(result.operationId).toEqualTypeOf<OperationId>();
      expectTypeOf(result.principals.AppId).toEqualTypeOf<{ app: string } | undefined>();
      expectTypeOf(result.principals.Basic).toEqualTypeOf<{ name: string } | undefined>();
      expect(result.principals.AppId?.app).toBe('a');
      const widened: AuthSuccess<string, unknown> = result;
      expect(widened.ok).toBe(true);
    }
    expectTypeOf(guard.match('GET', '/pets')).toEqualTypeOf<OperationId | undefined>();
    // @ts-expect-error an operation id that does not exist
    await guard.authorize('nope', { headers: {} }).catch(() => undefined);
  });

  it('a missing verifier is a compile error', () => {
    const verifiers = { ApiKey: () => ({}), AppId: () => ({}), Basic: () => ({}) };
    // @ts-expect-error Mtls is missing
    expect(() => createGuard(verifiers)).toThrow(/Mtls/);
  });

  it('a wrongly typed verifier is a compile error', () => {
    const verifiers = { ApiKey: () => ({}), AppId: () => ({}), Basic: (c: string) => ({ c }), Mtls: () => ({}) };
    // @ts-expect-error Basic receives BasicCredentials, not string
    expect(() => createGuard(verifiers)).not.toThrow();
  });

  it("node's PeerCertificate fits ClientCertificate", () => {
    expectTypeOf<PeerCertificate>().toExtend<ClientCertificate>();
  });
});

// `mountOperations` takes one handler per operation: leaving one out does not compile.

describe('mountOperations handler maps', () => {
  it('need every operation', () => {
    const noop = (): void => undefined;
    const all: ExpressHandlers<OperationId> = { listPets: noop, getPet: noop, health: noop };
    // @ts-expect-error getPet has no handler
    const express: ExpressHandlers<OperationId> = { listPets: noop, health: noop };
    // @ts-expect-error getPet has no handler
    const fastify: FastifyHandlers<OperationId> = { listPets: async () => 1, health: async () => 1 };
    // @ts-expect-error getPet has no handler
    const koa: KoaHandlers<OperationId> = { listPets: noop, health: noop };
    // @ts-expect-error getPet has no handler
    const hono: HonoHandlers<OperationId, unknown> = { listPets: (c) => c.text(''), health: (c) => c.text('') };
    // @ts-expect-error an id the spec does not have
    const extra: ExpressHandlers<OperationId> = { ...all, nope: noop };
    expect(Object.keys(all)).toEqual(['listPets', 'getPet', 'health']);
    expect([express, fastify, koa, hono, extra].every((m) => !('getPet' in m) || 'nope' in m)).toBe(true);
  });
});
