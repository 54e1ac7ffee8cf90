// Config and command-line mistakes are usage errors (exit 2) that name the file and
// key or the flag, suggest the close name, and write nothing: the config is checked
// against codegen.schema.json whichever form it takes (.json, .mjs, .ts), and yargs'
// strict mode gets a did-you-mean. Needs `npm run build` first (runs bin/codegen.js).
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/usage.js';
import { REPO, runCli, snapshotTree } from '../helpers/cli.js';
import { tempDir } from '../helpers/spec-files.js';

let work: string;
beforeAll(() => {
  work = tempDir('osc-config-');
  cpSync(path.join(REPO, 'specs'), path.join(work, 'specs'), { recursive: true });
});

/** A fresh folder holding one config file (`name`, `content`). */
function project(name: string, content: unknown): string {
  const dir = path.join(work, `p${Math.random().toString(36).slice(2, 10)}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return dir;
}

const lines = (stderr: string): string[] => stderr.split('\n').filter(Boolean);
// Each case starts a real process or several; a busy machine needs more than 5 s.
const SLOW = { timeout: 60_000 };

describe('config file mistakes: exit 2, file and key named, nothing written', SLOW, () => {
  it('"server": "express" (one name, not a list) works like ["express"]', async () => {
    const dir = project('codegen.config.json', { $schema: './node_modules/openapi-security-codegen/codegen.schema.json', spec: '../specs/petstore.yaml', out: 'gen', server: 'express', client: 'axios' });
    const r = await runCli([], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.keys(snapshotTree(path.join(dir, 'gen')))).toEqual(expect.arrayContaining(['express.ts', 'client.ts', 'axios.ts']));
    expect(Object.keys(snapshotTree(path.join(dir, 'gen')))).not.toContain('koa.ts');
  });

  it('unknown keys ("servers", "clients") are errors with a did-you-mean, one line each', async () => {
    const dir = project('codegen.config.json', { spec: '../specs/petstore.yaml', out: 'gen', servers: ['express'], clients: ['fetch'] });
    const r = await runCli([], dir);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([
      'codegen: unknown key "servers" in codegen.config.json; did you mean "server"?',
      'codegen: unknown key "clients" in codegen.config.json; did you mean "client"?',
    ]);
    expect(existsSync(path.join(dir, 'gen'))).toBe(false);
  });

  it('an unknown adapter name in a list, per spec: did you mean, and the key path', async () => {
    const dir = project('codegen.config.json', { specs: [{ spec: '../specs/petstore.yaml', out: 'a' }, { spec: '../specs/petstore.yaml', out: 'b', server: ['koa', 'expres'] }] });
    const r = await runCli([], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('codegen: unknown value "expres" for "specs[1].server[1]" in codegen.config.json; did you mean "express"?');
    expect(r.stderr).not.toContain('internal error');
    expect(existsSync(path.join(dir, 'a'))).toBe(false);
  });

  it('a wrong type in a .mjs config, a missing "spec" in a .ts config', async () => {
    const mjs = project('codegen.config.mjs', `export default { spec: '../specs/petstore.yaml', out: 'gen', skipInvalid: 'yes' };\n`);
    const a = await runCli([], mjs);
    expect(a.code).toBe(2);
    expect(lines(a.stderr)).toEqual(['codegen: "skipInvalid" must be true or false, in codegen.config.mjs; got "yes"']);
    expect(existsSync(path.join(mjs, 'gen'))).toBe(false);

    const ts = project('codegen.config.ts', `const config: { specs: { out: string }[] } = { specs: [{ out: 'gen' }] };\nexport default config;\n`);
    const b = await runCli([], ts);
    expect(b.code).toBe(2);
    expect(lines(b.stderr)).toEqual(['codegen: missing key "specs[0].spec" in codegen.config.ts']);
    expect(existsSync(path.join(ts, 'gen'))).toBe(false);
  });

  it('a broken config leaves the previous output untouched, for generate, check, lint and report alike', async () => {
    const dir = project('codegen.config.json', { spec: '../specs/petstore.yaml', out: 'gen', server: ['hono'] });
    expect((await runCli([], dir)).code).toBe(0);
    const before = snapshotTree(path.join(dir, 'gen'));
    writeFileSync(path.join(dir, 'codegen.config.json'), JSON.stringify({ spec: '../specs/petstore.yaml', out: 'gen', server: ['hono', 'fastfy'] }));
    const commands = [[], ['check'], ['lint'], ['report']];
    const runs = await Promise.all(commands.map((command) => runCli(command, dir)));
    for (const [i, r] of runs.entries()) {
      expect([r.code, lines(r.stderr)], commands[i]!.join(' ')).toEqual([2, ['codegen: unknown value "fastfy" for "server[1]" in codegen.config.json; did you mean "fastify"? (expected: express, fastify, koa, hono, fetch, node, all)']]);
    }
    expect(snapshotTree(path.join(dir, 'gen'))).toEqual(before);
  });

  it('--config names the file as given', async () => {
    const dir = project('placeholder', '');
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub/my.config.json'), JSON.stringify({ spec: '../../specs/petstore.yaml', ouput: 'gen' }));
    const r = await runCli(['--config', 'sub/my.config.json'], dir);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['codegen: unknown key "ouput" in sub/my.config.json; did you mean "out"?']);
  });
});

describe('command-line mistakes: exit 2 with a did-you-mean', SLOW, () => {
  it('unknown options and commands', async () => {
    const dir = project('placeholder', '');
    const cases: [string[], string][] = [
      [['--servers', 'express', '--spec', '../specs/petstore.yaml'], 'codegen: unknown option --servers; did you mean --server?'],
      [['lint', '--fomat', 'json'], 'codegen: unknown option --fomat; did you mean --format? (for codegen lint)'],
      [['genrate'], 'codegen: unknown command "genrate"; did you mean "generate"?'],
      [['chek'], 'codegen: unknown command "chek"; did you mean "check"?'],
      [['keys', 'nwe'], 'codegen: unknown keys command "nwe"; did you mean "new"?'],
      [['frobnicate'], 'codegen: unknown command "frobnicate" (commands: generate, lint, check, report, diff, ci, keys)'],
      [['report', '--format', 'jsno'], 'codegen: --format "jsno" is not one of markdown, json, html; did you mean "json"?'],
      [['--spec', '../specs/petstore.yaml', '--out', 'gen', '--server', 'expres'], 'codegen: unknown server "expres"; did you mean "express"? (expected: express, fastify, koa, hono, fetch, node, or all)'],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(args, dir)));
    for (const [i, r] of runs.entries()) {
      const [args, message] = cases[i]!;
      expect([r.code, lines(r.stderr)[0]], args.join(' ')).toEqual([2, message]);
    }
    expect(snapshotTree(dir)).toEqual({ placeholder: '' });
  });

  it('the command lists the suggestions come from are the commands --help shows', async () => {
    const [top, keys] = await Promise.all([runCli(['--help'], work), runCli(['keys', '--help'], work)]);
    const listed = (help: string, prefix: string): string[] => [...help.matchAll(new RegExp(`^  ${prefix}(\\S+)`, 'gm'))].map((m) => m[1]!);
    expect(listed(top.stdout, 'codegen ')).toEqual(COMMANDS['']);
    expect(listed(keys.stdout, 'codegen keys ')).toEqual(COMMANDS['keys']);
  });

  it('--out with no value is a usage error naming the flag, not "refusing to use  as output folder"', async () => {
    const dir = project('placeholder', '');
    const empty = [['--out'], ['--out='], ['--out', '--server', 'express'], ['--out', '']];
    const runs = await Promise.all(empty.map((args) => runCli(['--spec', '../specs/petstore.yaml', ...args], dir)));
    for (const [i, r] of runs.entries()) {
      expect([r.code, lines(r.stderr)], empty[i]!.join(' ')).toEqual([2, ['codegen: --out needs a value']]);
    }
    const twice = await runCli(['--spec', '../specs/petstore.yaml', '--out', 'a', '--out', 'b'], dir);
    expect([twice.code, lines(twice.stderr)]).toEqual([2, ['codegen: --out was given 2 times; give it once']]);
    const keys = await runCli(['keys', 'list', '--file'], dir);
    expect([keys.code, lines(keys.stderr)]).toEqual([2, ['codegen: --file needs a value']]);
    expect(snapshotTree(dir)).toEqual({ placeholder: '' });
  });
});

describe('spec mistakes', SLOW, () => {
  it('undefined-scheme suggests the defined scheme a misspelt name is close to', async () => {
    const dir = project(
      'openapi.yaml',
      `openapi: 3.0.3
info: { title: t, version: '1' }
components:
  securitySchemes:
    ApiKey: { type: apiKey, in: header, name: X-API-Key }
paths:
  /a:
    get: { operationId: a, security: [{ ApiKye: [] }], responses: { '200': { description: ok } } }
  /b:
    get: { operationId: b, security: [{ Unrelated: [] }], responses: { '200': { description: ok } } }
`,
    );
    const r = await runCli(['lint', '--spec', 'openapi.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('names scheme "ApiKye", which is not defined in components.securitySchemes; did you mean "ApiKey"?');
    expect(r.stdout).toMatch(/names scheme "Unrelated", which is not defined in components.securitySchemes\n/);
    rmSync(dir, { recursive: true });
  });
});
