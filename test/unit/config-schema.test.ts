// The shipped codegen.schema.json and the config validator agree: the validator reads
// that very file, implements every keyword it uses, and the schema lists exactly the
// keys and values the config code understands. Plus did-you-mean, the one helper for
// every "unknown name" message.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig, ConfigError, defineConfig, type Config, type SpecConfig } from '../../src/config/config.js';
import { assertSupported, configSchema, dotted, formatProblem, validate, type Schema } from '../../src/config/json-schema.js';
import { CLIENT_INTEGRATIONS, SERVER_ADAPTERS } from '../../src/emit/index.js';
import { closest, didYouMean } from '../../src/shared/did-you-mean.js';
import { REPO } from '../helpers/cli.js';

/** Every key of SpecConfig, checked both ways by the compiler (`npm run typecheck`). */
const TARGET_KEYS = ['spec', 'out', 'server', 'client', 'templates', 'skipInvalid', 'allowRefsOutside', 'envPrefix', 'public', 'keys', 'quotas', 'usage', 'jwt', 'introspection'] as const satisfies readonly (keyof SpecConfig)[];
const allTargetKeys: [Exclude<keyof SpecConfig, (typeof TARGET_KEYS)[number]>] extends [never] ? true : false = true;
const TOP_KEYS = [...TARGET_KEYS, 'specs', 'accept', '$schema'] as const satisfies readonly (keyof Config)[];
const allTopKeys: [Exclude<keyof Config, (typeof TOP_KEYS)[number]>] extends [never] ? true : false = true;

const messages = (value: unknown, file = 'codegen.config.json'): string[] => validate(value, configSchema()).map((p) => formatProblem(p, file));

describe('codegen.schema.json', () => {
  const schema = configSchema();
  const defs = schema.definitions!;

  it('is the file at the package root, valid JSON, and uses only keywords the validator implements', () => {
    expect(schema).toEqual(JSON.parse(readFileSync(path.join(REPO, 'codegen.schema.json'), 'utf8')));
    expect(() => assertSupported(schema)).not.toThrow();
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('a keyword the validator does not implement is refused, not ignored', () => {
    expect(() => assertSupported({ type: 'object', properties: { out: { type: 'string', format: 'uri' } as Schema } })).toThrow(/"format" at #\/properties\/out/);
    expect(() => assertSupported({ additionalProperties: true } as unknown as Schema)).toThrow(/additionalProperties/);
  });

  it('lists exactly the keys the config code reads, top level and per spec', () => {
    expect(allTargetKeys && allTopKeys).toBe(true);
    expect(Object.keys(defs.target!.properties!).sort()).toEqual([...TARGET_KEYS].sort());
    expect(Object.keys(schema.properties!).sort()).toEqual([...TOP_KEYS].sort());
    expect(defs.target!.required).toEqual(['spec']);
    expect(schema.additionalProperties).toBe(false);
    expect(defs.target!.additionalProperties).toBe(false);
  });

  it('lists exactly the server adapters and client integrations the emitter knows, plus "all"', () => {
    expect(defs.serverAdapter!.enum).toEqual([...SERVER_ADAPTERS, 'all']);
    expect(defs.clientIntegration!.enum).toEqual([...CLIENT_INTEGRATIONS, 'all']);
  });

  it('accepts the configs the README and this repository use', () => {
    expect(messages(JSON.parse(readFileSync(path.join(REPO, 'codegen.config.json'), 'utf8')))).toEqual([]);
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const example = /`codegen\.config\.json`[^\n]*:\n\n```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    expect(JSON.parse(example!)).toMatchObject({ $schema: './node_modules/openapi-security-codegen/codegen.schema.json' });
    expect(messages(JSON.parse(example!))).toEqual([]);
    expect(messages({ server: 'express', client: 'axios', specs: [{ spec: 'a.yaml', out: 'a', client: true, server: ['all'] }], allowRefsOutside: ['../shared'], skipInvalid: true, templates: 't' })).toEqual([]);
    // A JS config may leave an optional key undefined.
    expect(messages({ spec: 'a.yaml', out: undefined })).toEqual([]);
  });
});

describe('config validation', () => {
  it('unknown keys, with a did-you-mean, at any depth', () => {
    expect(messages({ servers: ['express'], clients: ['fetch'], spec: 'a.yaml' })).toEqual([
      'unknown key "servers" in codegen.config.json; did you mean "server"?',
      'unknown key "clients" in codegen.config.json; did you mean "client"?',
    ]);
    expect(messages({ specs: [{ spec: 'a.yaml', severs: 'koa', 'skip-invalid': true, verify: true }] })).toEqual([
      'unknown key "specs[0].severs" in codegen.config.json; did you mean "server"?',
      'unknown key "specs[0].skip-invalid" in codegen.config.json; did you mean "skipInvalid"?',
      'unknown key "specs[0].verify" in codegen.config.json',
    ]);
    // $schema belongs at the top only.
    expect(messages({ specs: [{ spec: 'a.yaml', $schema: 'x' }] })).toEqual(['unknown key "specs[0].$schema" in codegen.config.json']);
  });

  it('unknown values, with a did-you-mean and the list', () => {
    expect(messages({ server: ['expres'] })).toEqual(['unknown value "expres" for "server[0]" in codegen.config.json; did you mean "express"? (expected: express, fastify, koa, hono, fetch, node, all)']);
    expect(messages({ client: 'axois' })).toEqual(['unknown value "axois" for "client" in codegen.config.json; did you mean "axios"? (expected: fetch, openapi-fetch, axios, all)']);
    expect(messages({ server: 'express,koa' })).toEqual(['unknown value "express,koa" for "server" in codegen.config.json; list each value separately (["express","koa"]) (expected: express, fastify, koa, hono, fetch, node, all)']);
  });

  it('wrong types, missing and empty values name the key', () => {
    expect(messages({ spec: 3, out: '', skipInvalid: 'yes', specs: {} }, 'x.config.mjs')).toEqual([
      '"spec" must be a string, in x.config.mjs; got 3',
      '"out" must not be empty in x.config.mjs',
      '"skipInvalid" must be true or false, in x.config.mjs; got "yes"',
      '"specs" must be a list, in x.config.mjs; got {}',
    ]);
    expect(messages({ specs: [{ out: 'a' }] })).toEqual(['missing key "specs[0].spec" in codegen.config.json']);
    expect(messages({ server: 3, client: { fetch: true } })).toEqual([
      '"server" must be a server adapter or a list of them: express, fastify, koa, hono, fetch, node, or all, in codegen.config.json; got 3',
      '"client" must be true, false, or a client integration or a list of them: fetch, openapi-fetch, axios, or all, in codegen.config.json; got {"fetch":true}',
    ]);
    expect(messages({ allowRefsOutside: 'shared' })[0]).toContain('"allowRefsOutside" must be a list of folder paths');
    expect(messages({ envPrefix: 'MYAPI_', specs: [{ spec: 'a.yaml', envPrefix: 'A2_B_' }] })).toEqual([]);
    for (const bad of ['myapi_', 'MYAPI', '_MYAPI_', '2FA_', 'MY-API_', '', 'ÄPI_']) {
      expect(messages({ envPrefix: bad })).toEqual([`"envPrefix" must be uppercase letters, digits and _, start with a letter and end with _ (e.g. "MYAPI_"), in codegen.config.json; got ${JSON.stringify(bad)}`]);
    }
    expect(() => checkConfig({ specs: [{ spec: 'a.yaml', envPrefix: 'x' }] }, 'c.json')).toThrow(/"specs\[0\]\.envPrefix" must be uppercase/);
    expect(messages([], 'codegen.config.ts')).toEqual(['the config must be an object, in codegen.config.ts; got []']);
    expect(messages(() => ({}), 'codegen.config.js')).toEqual(['the config must be an object, in codegen.config.js; got a function']);
  });

  it('checkConfig throws one ConfigError with a line per problem; a valid config comes back as is', () => {
    const config = defineConfig({ spec: 'a.yaml', server: 'express', client: ['axios'] });
    expect(checkConfig(config, 'c.json')).toBe(config);
    expect(() => checkConfig({ servers: 1, out: 2 }, 'c.json')).toThrow(ConfigError);
    expect(() => checkConfig({ servers: 1, out: 2 }, 'c.json')).toThrow('unknown key "servers" in c.json; did you mean "server"?\n"out" must be a string, in c.json; got 2');
  });

  it('paths are dotted, odd keys quoted', () => {
    expect(dotted(['specs', 0, 'server', 1])).toBe('specs[0].server[1]');
    expect(dotted(['a b', 'c'])).toBe('["a b"].c');
  });
});

describe('did-you-mean', () => {
  it('suggests a name at most two edits away, or equal but for case and - / _', () => {
    expect(closest('expres', ['express', 'fastify'])).toBe('express');
    expect(closest('exprses', ['express'])).toBe('express');
    expect(closest('APIKEY', ['ApiKey', 'Other'])).toBe('ApiKey');
    expect(closest('skip-invalid', ['skipInvalid'])).toBe('skipInvalid');
    expect(closest('AppKey', ['ApiKey', 'AppId'])).toBe('ApiKey');
  });

  it('stays silent when nothing is close, for very short names, and for the name itself', () => {
    expect(closest('rails', ['express', 'fastify', 'koa', 'hono', 'fetch', 'node'])).toBeUndefined();
    expect(closest('ip', ['app'])).toBeUndefined();
    expect(closest('server', ['server'])).toBeUndefined();
    expect(didYouMean('zzz', ['express'])).toBe('');
  });

  it('picks the closest, formats it as asked', () => {
    expect(closest('fetc', ['fetch', 'etc'])).toBe('fetch');
    expect(didYouMean('servr', ['server', 'spec'], (n) => `--${n}`)).toBe('; did you mean --server?');
  });
});
