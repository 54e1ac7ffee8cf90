// Compile-time contract of the generated `guard.ts` and the adapters' handler maps.
// A `*.test-d.ts` file: vitest's typecheck mode (vitest.config.ts, `typecheck`) runs
// tsc over it during `npx vitest run` and reports every type error as a failed test,
// so an `expectTypeOf` that no longer holds, or a `@ts-expect-error` line that is no
// longer an error (TS2578), fails the test run, not only `npm run typecheck`.
// Nothing here is executed; the run-time behaviour is test/runtime/types.test.ts.
import type { PeerCertificate } from 'node:tls';
import { describe, expectTypeOf, it } from 'vitest';
import { independent, type AuthSuccess, type BasicCredentials, type ClientCertificate } from '../../templates/runtime/runtime-server.js';
import { authOf as expressAuthOf, type ExpressHandlers } from '../../templates/runtime/express.js';
import type { FastifyHandlers } from '../../templates/runtime/fastify.js';
import type { KoaHandlers } from '../../templates/runtime/koa.js';
import { authMiddleware as honoAuthMiddleware, authOf as honoAuthOf, type HonoHandlers } from '../../templates/runtime/hono.js';
import { Hono } from 'hono';
import type { Request as ExpressRequest } from 'express';
import { createGuard, type OperationId } from './guard-tables.js';

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
      'ApiKey + AppId': (principals, ctx) => {
        // The group's principals are typed from the verifiers above.
        expectTypeOf(principals.ApiKey).toEqualTypeOf<{ user: string; scopes: readonly ['a'] }>();
        expectTypeOf(principals.AppId).toEqualTypeOf<{ app: string }>();
        expectTypeOf(ctx.operationId).toEqualTypeOf<OperationId>();
        return principals.ApiKey.user === principals.AppId.app;
      },
    });
    const result = await guard.authorize('listPets', { headers: {} });
    if (result.ok) {
      expectTypeOf(result.operationId).toEqualTypeOf<OperationId>();
      expectTypeOf(result.principals.ApiKey).toEqualTypeOf<{ user: string; scopes: readonly ['a'] } | undefined>();
      expectTypeOf(result.principals.AppId).toEqualTypeOf<{ app: string } | undefined>();
      expectTypeOf(result.principals.Basic).toEqualTypeOf<{ name: string } | undefined>();
      expectTypeOf(result).toExtend<AuthSuccess<string, unknown>>();
    }
    expectTypeOf(guard.match('GET', '/pets')).toEqualTypeOf<OperationId | undefined>();
    expectTypeOf(guard.authorize).parameter(0).toEqualTypeOf<OperationId>();
    // @ts-expect-error an operation id that does not exist
    void guard.authorize('nope', { headers: {} });
  });

  it('a missing verifier is a compile error', () => {
    const verifiers = { ApiKey: () => ({}), AppId: () => ({}), Basic: () => ({}), 'ApiKey + AppId': independent };
    // @ts-expect-error Mtls is missing
    createGuard(verifiers);
  });

  it('a wrongly typed verifier is a compile error', () => {
    const verifiers = { ApiKey: () => ({}), AppId: () => ({}), Basic: (c: string) => ({ c }), Mtls: () => ({}), 'ApiKey + AppId': independent };
    // @ts-expect-error Basic receives BasicCredentials, not string
    createGuard(verifiers);
  });

  it('an AND group without its entry is a compile error', () => {
    const verifiers = { ApiKey: () => ({}), AppId: () => ({}), Basic: () => ({}), Mtls: () => ({}) };
    // @ts-expect-error 'ApiKey + AppId' (binding check or independent) is missing
    createGuard(verifiers);
  });

  it('a binding check must answer a boolean, and reads only what the verifiers return', () => {
    createGuard({
      ApiKey: () => ({ clientId: 'c' }),
      AppId: () => ({ clientId: 'c' }),
      Basic: () => ({}),
      Mtls: () => ({}),
      // @ts-expect-error a binding check answers boolean, not a principal
      'ApiKey + AppId': () => ({ ok: true }),
    });
    createGuard({
      ApiKey: () => ({ clientId: 'c' }),
      AppId: () => ({ appId: 'a' }),
      Basic: () => ({}),
      Mtls: () => ({}),
      // @ts-expect-error AppId's principal has no clientId
      'ApiKey + AppId': (p) => p.ApiKey.clientId === p.AppId.clientId,
    });
    // Async checks and the marker are accepted.
    createGuard({ ApiKey: () => ({}), AppId: () => ({}), Basic: () => ({}), Mtls: () => ({}), 'ApiKey + AppId': async () => true });
    createGuard({ ApiKey: () => ({}), AppId: () => ({}), Basic: () => ({}), Mtls: () => ({}), 'ApiKey + AppId': independent });
  });

  it('principals on a success name schemes only, never groups', async () => {
    const guard = createGuard({ ApiKey: () => ({ k: 1 }), AppId: () => ({}), Basic: () => ({}), Mtls: () => ({}), 'ApiKey + AppId': independent });
    const result = await guard.authorize('listPets', { headers: {} });
    if (result.ok) {
      expectTypeOf<keyof typeof result.principals>().toEqualTypeOf<'ApiKey' | 'AppId' | 'Basic' | 'Mtls'>();
    }
  });

  it("node's PeerCertificate fits ClientCertificate", () => {
    expectTypeOf<PeerCertificate>().toExtend<ClientCertificate>();
  });
});

// `mountOperations` takes one handler per operation: leaving one out does not compile.

describe('mountOperations handler maps', () => {
  it('need every operation, and no other', () => {
    const noop = (): void => undefined;
    const all: ExpressHandlers<OperationId> = { listPets: noop, getPet: noop, health: noop };
    expectTypeOf<keyof ExpressHandlers<OperationId>>().toEqualTypeOf<OperationId>();
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
    void [express, fastify, koa, hono, extra];
  });
});

// The decision an adapter stored, typed for the guard, however the app was declared.

describe('authOf', () => {
  const guard = createGuard({ ApiKey: () => ({ user: 'u' }), AppId: () => ({}), Basic: () => ({}), Mtls: () => ({}), 'ApiKey + AppId': independent });
  type Success = Extract<Awaited<ReturnType<typeof guard.authorize>>, { ok: true }>;

  it('Hono: on an existing app, where `c.get(\'auth\')` does not know the variable', () => {
    const app = new Hono();
    app.use(honoAuthMiddleware(guard));
    app.get('/pets', (c) => {
      const auth = honoAuthOf(c, guard);
      expectTypeOf(auth).toEqualTypeOf<Success | undefined>();
      if (auth !== undefined) expectTypeOf(auth.principals.ApiKey).toEqualTypeOf<{ user: string } | undefined>();
      return c.text('');
    });
  });

  it('Express: read through authOf (the adapter declares nothing on Express\'s Request)', () => {
    expectTypeOf(expressAuthOf({} as ExpressRequest, guard)).toEqualTypeOf<Success | undefined>();
  });
});
