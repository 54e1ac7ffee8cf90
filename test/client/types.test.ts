// Type-level contract of the bound client, against the client.ts the generator emits
// for client-spec.yaml (not a hand-written copy of it). The contract is a TypeScript
// file written next to the generated client and type-checked by this test with the
// strict options generated code promises, so a broken expectation fails `npx vitest`
// (not only `tsc`): an `expectTypeOf` that no longer holds is a type error, and a
// `@ts-expect-error` line that stopped being an error is TS2578.
//
// (Why not a `*.test-d.ts` file for vitest's typecheck mode, like test/types/? The
// generated client exists only once a test has generated it, under test-output/, and
// `npm run typecheck` runs before vitest on a fresh checkout.)
//
// The mutants at the end prove the check has teeth: each breaks one expectation and
// must produce exactly the error it is meant to.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateFixture } from '../helpers/generated.js';
import { typecheck } from '../helpers/typecheck.js';
import { CLIENT_SPEC } from './generated.js';

const CONTRACT = `
import { expectTypeOf } from 'vitest';
import { authFor, type BasicCredentials, type Credentials, type CredentialSource, type MutualTLSConfigured } from './client.js';

// Credentials: one property per scheme, typed by the scheme's kind.
expectTypeOf<NonNullable<Credentials['BasicAuth']>>().toEqualTypeOf<CredentialSource<BasicCredentials>>();
expectTypeOf<NonNullable<Credentials['HeaderKey']>>().toEqualTypeOf<CredentialSource<string>>();
expectTypeOf<NonNullable<Credentials['OAuth']>>().toEqualTypeOf<CredentialSource<string>>();
expectTypeOf<NonNullable<Credentials['DigestAuth']>>().toEqualTypeOf<CredentialSource<string>>();
expectTypeOf<NonNullable<Credentials['Mtls']>>().toEqualTypeOf<CredentialSource<MutualTLSConfigured>>();
expectTypeOf<keyof Credentials>().toEqualTypeOf<
  'BasicAuth' | 'BearerAuth' | 'QueryKey' | 'CookieKey' | 'HeaderKey' | 'RawAuth' | 'OAuth' | 'Oidc' | 'DigestAuth' | 'CustomAuth' | 'Mtls'
>();

export const ok: Credentials = {
  BasicAuth: { username: 'u', password: 'p' },
  HeaderKey: async () => 'k',
  BearerAuth: () => undefined,
  Mtls: true,
  QueryKey: undefined,
};
// @ts-expect-error Basic takes { username, password }, not a string
export const basicAsString: Credentials = { BasicAuth: 'u:p' };
// @ts-expect-error an API key is a string
export const keyAsObject: Credentials = { HeaderKey: { username: 'u', password: 'p' } };
// @ts-expect-error schemes not in the spec are rejected
export const unknownScheme: Credentials = { Nope: 'x' };
// @ts-expect-error mutual TLS is a marker, not a certificate
export const mtlsAsString: Credentials = { Mtls: 'cert' };

// authFor is typed by the spec's operation ids.
expectTypeOf(authFor).parameter(0).toEqualTypeOf<
  | 'disjoint' | 'intersect' | 'scoped' | 'optional' | 'health' | 'oidc' | 'bearer' | 'digest' | 'custom' | 'raw' | 'mtls'
  | 'cookie' | 'getPet' | 'myPets' | 'createPet' | 'oldPets' | 'movedPost' | 'away'
>();
// @ts-expect-error not an operation id of this spec
export const notAnOperation = () => authFor('listPets', {});
`;

/** Each mutant replaces one line of the contract; `want` is the diagnostic it must cause. */
const MUTANTS: readonly { name: string; from: string; to: string; want: RegExp }[] = [
  {
    name: 'a wrong credential type',
    from: `expectTypeOf<NonNullable<Credentials['BasicAuth']>>().toEqualTypeOf<CredentialSource<BasicCredentials>>();`,
    to: `expectTypeOf<NonNullable<Credentials['BasicAuth']>>().toEqualTypeOf<CredentialSource<string>>();`,
    want: /Type 'CredentialSource<string>' does not satisfy the constraint '"Expected: string, Actual: function"/,
  },
  {
    name: 'an expected error that is not one',
    from: `export const basicAsString: Credentials = { BasicAuth: 'u:p' };`,
    to: `export const basicAsString: Credentials = { BasicAuth: { username: 'u', password: 'p' } };`,
    want: /Unused '@ts-expect-error' directive/,
  },
  {
    name: 'an operation id missing from the expected union',
    from: `| 'cookie' | 'getPet' | 'myPets' | 'createPet' | 'oldPets' | 'movedPost' | 'away'`,
    to: `| 'cookie' | 'getPet' | 'myPets' | 'createPet' | 'oldPets' | 'movedPost'`,
    want: /Actual: literal string: away/,
  },
];

let dir: string;
let diagnostics: string[];

beforeAll(async () => {
  dir = await generateFixture(CLIENT_SPEC, 'client-types');
  const files = [path.join(dir, 'contract.ts')];
  writeFileSync(files[0]!, CONTRACT);
  MUTANTS.forEach((mutant, i) => {
    expect(CONTRACT.split(mutant.from)).toHaveLength(2); // the line to break exists, once
    files.push(path.join(dir, `mutant-${i}.ts`));
    writeFileSync(files[i + 1]!, CONTRACT.replace(mutant.from, mutant.to));
  });
  diagnostics = typecheck(files, 'NodeNext');
}, 120_000);

const of = (file: string) => diagnostics.filter((d) => d.startsWith(`${path.join(dir, file)}:`));

describe('generated client types', () => {
  it('the contract type-checks: every expectTypeOf holds and every @ts-expect-error is an error', () => {
    expect(of('contract.ts')).toEqual([]);
    // Nothing else in the program (the generated files included) has an error.
    expect(diagnostics.filter((d) => !/mutant-\d+\.ts:/.test(d))).toEqual([]);
  });

  it.each(MUTANTS.map((m, i) => [m.name, i, m.want] as const))('fails when broken: %s', (_name, i, want) => {
    const found = of(`mutant-${i}.ts`);
    expect(found.length).toBeGreaterThan(0);
    expect(found.join('\n')).toMatch(want);
  });
});
