// The client the tests in this folder run against, generated from client-spec.yaml by
// the real pipeline (test/helpers/generated.ts) into test-output/<name>/, so the tests
// exercise exactly what the generator emits (client.ts, security.ts, the integrations
// and the runtime copies next to them) and cannot drift from it.
//
// Each test file passes its own `name`: test files run in parallel and must not write
// into one folder. Everything is imported from the generated folder (error classes
// included), because the generated client throws its own copies of the runtime's
// classes, not those of templates/runtime/.

import { generateFixture, importGenerated } from '../helpers/generated.js';
import type * as Runtime from '../../templates/runtime/runtime-client.js';
import type * as OpenapiFetch from '../../templates/runtime/openapi-fetch.js';
import type * as Axios from '../../templates/runtime/axios.js';
import type { SecurityTables } from '../../templates/runtime/runtime-tables.js';

export const CLIENT_SPEC = 'test/client/client-spec.yaml';

/** Credentials as the tests build them; the static per-scheme typing is checked in types.test.ts. */
export type Credentials = Readonly<Record<string, unknown>>;

/** The exports of the generated client.ts that the tests use. */
export interface ClientModule {
  readonly envNames: Readonly<Record<string, string>>;
  readonly envVariables: Readonly<Record<string, readonly string[]>>;
  readonly clientAuth: Runtime.AuthSource<Credentials> & {
    withAuth(fetchImpl: Runtime.FetchLike, credentials: Credentials, options: Runtime.WithAuthOptions): Runtime.FetchLike;
  };
  authFor(operationId: string, credentials: Credentials): Promise<Runtime.AuthParts>;
  withAuth(fetchImpl: Runtime.FetchLike, credentials: Credentials, options: Runtime.WithAuthOptions): Runtime.FetchLike;
  credentialsFromEnv(env?: Runtime.EnvLike, options?: { readonly prefix?: string }): Credentials;
  clientCredentialsToken(options: Runtime.SpecClientCredentialsOptions<string>): () => Promise<string>;
  readonly MissingCredentialsError: typeof Runtime.MissingCredentialsError;
  readonly InvalidCredentialsError: typeof Runtime.InvalidCredentialsError;
  readonly ForeignOriginError: typeof Runtime.ForeignOriginError;
  readonly UnknownOperationError: typeof Runtime.UnknownOperationError;
  readonly OAuthTokenError: typeof Runtime.OAuthTokenError;
}

/** The exports of the generated security.ts. */
export interface SecurityModule {
  readonly tables: SecurityTables;
  readonly schemes: SecurityTables['schemes'];
  readonly operations: SecurityTables['operations'];
  readonly basePath: string;
}

export interface GeneratedClient {
  readonly dir: string;
  readonly client: ClientModule;
  readonly security: SecurityModule;
  /** The generated folder's copy of the runtime (the one client.ts is bound to). */
  readonly runtime: typeof Runtime;
  readonly openapiFetch: typeof OpenapiFetch;
  readonly axios: typeof Axios;
}

/** Generates client-spec.yaml into test-output/<name>/ and imports what the tests use. */
export async function generatedClient(name: string): Promise<GeneratedClient> {
  const dir = await generateFixture(CLIENT_SPEC, name);
  return {
    dir,
    client: await importGenerated<ClientModule>(dir, 'client.ts'),
    security: await importGenerated<SecurityModule>(dir, 'security.ts'),
    runtime: await importGenerated<typeof Runtime>(dir, 'runtime-client.ts'),
    openapiFetch: await importGenerated<typeof OpenapiFetch>(dir, 'openapi-fetch.ts'),
    axios: await importGenerated<typeof Axios>(dir, 'axios.ts'),
  };
}
