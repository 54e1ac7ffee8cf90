// Issue 15: a vendor's spec must not choose which of the user's environment variables
// the generated client reads. specs/hostile/env-names.yaml names its schemes
// AWS_SECRET_ACCESS_KEY and PATH, titles itself "AWS" (so a title-derived prefix would
// make AWS_…), and has Basic + BasicPassword, whose old names collided on BASIC_PASSWORD.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateFixture, importGenerated } from '../helpers/generated.js';
import type { ClientModule } from './generated.js';

let client: ClientModule;
let dir: string;
beforeAll(async () => {
  dir = await generateFixture('specs/hostile/env-names.yaml', 'client-env-hostile');
  client = await importGenerated<ClientModule>(dir, 'client.ts');
}, 60_000);

// Checked by hand: title "AWS" -> AWS_, which makes AWS_AWS_SECRET_ACCESS_KEY (an AWS_
// name) -> API_AWS_; ids in code-unit order AWS_SECRET_ACCESS_KEY, Basic, BasicPassword,
// PATH; BasicPassword's BASIC_PASSWORD is Basic's password -> BASIC_PASSWORD_2.
const EXPECTED = {
  AWS_SECRET_ACCESS_KEY: ['API_AWS_AWS_SECRET_ACCESS_KEY'],
  PATH: ['API_AWS_PATH'],
  Basic: ['API_AWS_BASIC_USERNAME', 'API_AWS_BASIC_PASSWORD'],
  BasicPassword: ['API_AWS_BASIC_PASSWORD_2'],
};

describe('environment variable names of a hostile spec', () => {
  it('are prefixed and distinct, and listed in client.ts', () => {
    expect(client.envVariables).toEqual(EXPECTED);
    const all = Object.values(EXPECTED).flat();
    expect(new Set(all).size).toBe(all.length);
    const head = readFileSync(path.join(dir, 'client.ts'), 'utf8').split('*/')[0]!;
    expect(head).toContain('Every name starts with API_AWS_');
    for (const name of all) expect(head).toContain(name);
  });

  it('nothing unprefixed is read: not the system PATH, not the AWS secret, not the old Basic names', () => {
    const env = {
      AWS_SECRET_ACCESS_KEY: 'x',
      PATH: '/bin',
      BASIC_USERNAME: 'u',
      BASIC_PASSWORD: 'p',
      BASIC_PASSWORD_2: 'q',
      AWS_AWS_SECRET_ACCESS_KEY: 'x2',
      AWS_PATH: '/bin2',
      HOME: '/home/me',
    };
    expect(client.credentialsFromEnv(env)).toEqual({});
  });

  it("Basic's password never lands in BasicPassword's query parameter", async () => {
    const credentials = client.credentialsFromEnv({
      API_AWS_BASIC_USERNAME: 'alice',
      API_AWS_BASIC_PASSWORD: 'basic-secret',
      API_AWS_BASIC_PASSWORD_2: 'query-key',
      API_AWS_AWS_SECRET_ACCESS_KEY: 'vendor-key',
      API_AWS_PATH: 'vendor-path',
      PATH: '/bin',
      AWS_SECRET_ACCESS_KEY: 'x',
    });
    expect(credentials).toEqual({
      Basic: { username: 'alice', password: 'basic-secret' },
      BasicPassword: 'query-key',
      AWS_SECRET_ACCESS_KEY: 'vendor-key',
      PATH: 'vendor-path',
    });
    const basic = await client.authFor('basic', credentials);
    expect(basic.query).toEqual({ password: 'query-key' });
    expect(basic.headers['authorization'] ?? basic.headers['Authorization']).toBe(`Basic ${Buffer.from('alice:basic-secret').toString('base64')}`);
    const aws = await client.authFor('aws', credentials);
    expect(Object.values(aws.headers)).toEqual(expect.arrayContaining(['vendor-key', 'vendor-path']));
    expect(JSON.stringify([basic, aws])).not.toMatch(/\/bin|"x"/);
  });

  it('without the Basic password set, BasicPassword still reads only its own variable', () => {
    expect(client.credentialsFromEnv({ API_AWS_BASIC_PASSWORD: 'basic-secret' })).toEqual({});
  });
});
