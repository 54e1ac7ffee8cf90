// The CLI as a real process: exit codes 0/1/2, messages naming file and pointer,
// no stack traces, determinism, atomic output and stale-file handling.
import { readdirSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from './yaml.js';
import { REPO, runCli, snapshotTree } from '../helpers/cli.js';
import { tempDir } from '../helpers/spec-files.js';

let work: string;
beforeAll(() => {
  work = tempDir('osc-cli-');
  cpSync(path.join(REPO, 'specs'), path.join(work, 'specs'), { recursive: true });
});

const broken = `openapi: 3.0.3
info: { title: broken, version: '1' }
components:
  securitySchemes:
    ApiKey: { type: apiKey, in: header, name: X-API-Key }
paths:
  /pets:
    get:
      operationId: listPets
      security:
        - ApiKey: []
          AppId: []
      responses: { '200': { description: ok } }
`;

describe('codegen CLI', () => {
  it('--version and --help exit 0', async () => {
    const v = await runCli(['--version'], work);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).version);
    const h = await runCli(['--help'], work);
    expect(h.code).toBe(0);
    for (const cmd of ['generate', 'lint', 'check', 'report', 'diff']) expect(h.stdout).toContain(cmd);
  });

  it('generate writes the output folder and exits 0', async () => {
    const r = await runCli(['--spec', 'specs/petstore.yaml', '--out', 'out-ok', '--server', 'express,fastify', '--client'], work);
    expect(r.code).toBe(0);
    const files = Object.keys(snapshotTree(path.join(work, 'out-ok')));
    expect(files).toEqual(expect.arrayContaining(['security.ts', 'guard.ts', 'express.ts', 'fastify.ts', 'client.ts', 'runtime-server.ts', 'package.json']));
    expect(files).not.toContain('koa.ts');
  });

  it('lint: an undefined scheme prints its name and pointer and exits 1; generate exits 2 and leaves the output untouched', async () => {
    writeFileSync(path.join(work, 'broken.yaml'), broken);
    const lint = await runCli(['lint', '--spec', 'broken.yaml'], work);
    expect(lint.code).toBe(1);
    expect(lint.stdout).toContain('broken.yaml#/paths/~1pets/get/security/0/AppId: error undefined-scheme');
    expect(lint.stdout).toContain('"AppId"');
    const json = await runCli(['lint', '--spec', 'broken.yaml', '--format', 'json'], work);
    expect(JSON.parse(json.stdout)).toContainEqual(expect.objectContaining({ code: 'undefined-scheme', pointer: '/paths/~1pets/get/security/0/AppId', file: 'broken.yaml' }));

    mkdirSync(path.join(work, 'out-keep'), { recursive: true });
    await runCli(['--spec', 'specs/petstore.yaml', '--out', 'out-keep'], work);
    writeFileSync(path.join(work, 'out-keep', 'mine.txt'), 'user file');
    const before = snapshotTree(path.join(work, 'out-keep'));
    const gen = await runCli(['--spec', 'broken.yaml', '--out', 'out-keep'], work);
    expect(gen.code).toBe(2);
    expect(gen.stderr).toContain('undefined-scheme');
    expect(gen.stderr).toContain('out-keep left untouched');
    expect(gen.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(snapshotTree(path.join(work, 'out-keep'))).toEqual(before);
  });

  it('a YAML syntax error names file and line; a missing file names the file; both exit 2', async () => {
    writeFileSync(path.join(work, 'syntax.yaml'), 'openapi: 3.0.0\ninfo:\n  title: x\n   bad: [\n');
    const s = await runCli(['--spec', 'syntax.yaml', '--out', 'o1'], work);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/syntax\.yaml:4:\d+: error syntax/);
    const m = await runCli(['--spec', 'missing.yaml', '--out', 'o2'], work);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('missing.yaml');
    expect(m.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(work, 'o1'))).toBe(false);
  });

  it('bad usage exits 2 without a stack trace', async () => {
    const r = await runCli(['--spec', 'specs/petstore.yaml', '--server', 'rails'], work);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown server "rails"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const u = await runCli(['--no-such-flag'], work);
    expect(u.code).toBe(2);
  });

  it('is deterministic: two runs, and a run on a key-shuffled copy, give identical bytes', async () => {
    const args = ['--server', 'all', '--client', 'all'];
    await runCli(['--spec', 'specs/petstore.yaml', '--out', 'd1', ...args], work);
    await runCli(['--spec', 'specs/petstore.yaml', '--out', 'd2', ...args], work);
    expect(snapshotTree(path.join(work, 'd2'))).toEqual(snapshotTree(path.join(work, 'd1')));
    // Reverse every mapping whose order carries no meaning (schemes, paths, methods,
    // scopes maps); keep arrays (OR order) and the members of a requirement object
    // (tables and messages list them as written) as they are.
    const doc = parseYaml(readFileSync(path.join(work, 'specs/petstore.yaml'), 'utf8'));
    mkdirSync(path.join(work, 'shuffled/specs'), { recursive: true });
    writeFileSync(path.join(work, 'shuffled/specs/petstore.yaml'), stringify(reverseKeys(doc)));
    await runCli(['--spec', 'specs/petstore.yaml', '--out', 'd3', ...args], path.join(work, 'shuffled'));
    expect(snapshotTree(path.join(work, 'shuffled/d3'))).toEqual(snapshotTree(path.join(work, 'd1')));
  });

  it('members of a requirement object keep their written order; the group key is the same either way', async () => {
    const doc = parseYaml(readFileSync(path.join(work, 'specs/petstore.yaml'), 'utf8'));
    mkdirSync(path.join(work, 'members/specs'), { recursive: true });
    writeFileSync(path.join(work, 'members/specs/petstore.yaml'), stringify(reverseMembers(doc)));
    await runCli(['--spec', 'specs/petstore.yaml', '--out', 'm1'], work);
    await runCli(['--spec', 'specs/petstore.yaml', '--out', 'm2'], path.join(work, 'members'));
    const asWritten = snapshotTree(path.join(work, 'm1'));
    const reversed = snapshotTree(path.join(work, 'members/m2'));
    // petstore writes `{ ApiKey, AppId }`; the reversed copy `{ AppId, ApiKey }`.
    const pair = (first: string, second: string) => `{scheme:"${first}",scopes:[],},{scheme:"${second}",scopes:[],}`;
    const tables = (tree: Record<string, string>) => (tree['security.ts'] ?? '').replace(/\s+/g, '');
    expect(tables(asWritten)).toContain(pair('ApiKey', 'AppId'));
    expect(tables(asWritten)).not.toContain(pair('AppId', 'ApiKey'));
    expect(tables(reversed)).toContain(pair('AppId', 'ApiKey'));
    expect(tables(reversed)).not.toContain(pair('ApiKey', 'AppId'));
    for (const tree of [asWritten, reversed]) {
      expect(tree['security.ts']).toContain('export type GroupName = "ApiKey + AppId";');
      expect(tree['guard.ts']).toContain('readonly "ApiKey + AppId": BindingCheck<');
    }
  });

  it('removes stale generated files, keeps the user\'s own, and refuses to overwrite a user file', async () => {
    await runCli(['--spec', 'specs/petstore.yaml', '--out', 'st', '--server', 'express,koa'], work);
    writeFileSync(path.join(work, 'st', 'notes.md'), 'mine');
    const r = await runCli(['--spec', 'specs/petstore.yaml', '--out', 'st', '--server', 'express'], work);
    expect(r.code).toBe(0);
    const files = Object.keys(snapshotTree(path.join(work, 'st')));
    expect(files).not.toContain('koa.ts');
    expect(files).toContain('notes.md');
    expect(readFileSync(path.join(work, 'st', 'notes.md'), 'utf8')).toBe('mine');

    writeFileSync(path.join(work, 'st', 'express.ts'), 'export const mine = 1;\n');
    const before = snapshotTree(path.join(work, 'st'));
    const clash = await runCli(['--spec', 'specs/petstore.yaml', '--out', 'st', '--server', 'express'], work);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('refusing to overwrite express.ts');
    expect(snapshotTree(path.join(work, 'st'))).toEqual(before);
  });

  it('refuses an output folder that contains the working directory', async () => {
    const r = await runCli(['--spec', 'specs/petstore.yaml', '--out', '.'], work);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to use . as output folder');
  });

  it('reads codegen.config.json, with several specs; flags override it', async () => {
    const dir = path.join(work, 'mono');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'codegen.config.json'),
      JSON.stringify({ specs: [{ spec: '../specs/petstore.yaml', out: 'gen/a', server: ['hono'] }, { spec: '../specs/petstore-swagger2.yaml', out: 'gen/b', client: true }] }),
    );
    const r = await runCli([], dir);
    expect(r.code).toBe(0);
    expect(Object.keys(snapshotTree(path.join(dir, 'gen/a')))).toContain('hono.ts');
    expect(Object.keys(snapshotTree(path.join(dir, 'gen/b')))).toContain('client.ts');
    expect(readFileSync(path.join(dir, 'gen/b/security.ts'), 'utf8')).toContain('from ../specs/petstore-swagger2.yaml');
  });

  it('reads codegen.config.mjs with defineConfig', async () => {
    const dir = path.join(work, 'mjs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'codegen.config.mjs'), `const defineConfig = (c) => c;\nexport default defineConfig({ spec: '../specs/petstore-3.1.yaml', out: 'g', server: ['node'] });\n`);
    const r = await runCli([], dir);
    expect(r.code).toBe(0);
    expect(Object.keys(snapshotTree(path.join(dir, 'g')))).toContain('node.ts');
    rmSync(dir, { recursive: true });
  });

  it('reads codegen.config.ts (types erased) and leaves no temporary file behind', async () => {
    const dir = path.join(work, 'tsconf');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'codegen.config.ts'),
      `interface Cfg { spec: string; out: string; server: string[]; client: boolean }\nconst config: Cfg = { spec: '../specs/petstore.yaml', out: 'g', server: ['fetch'], client: true };\nexport default config satisfies Cfg;\n`,
    );
    const r = await runCli([], dir);
    // Only the spec's own diagnostics: no ExperimentalWarning from loading a .ts config.
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(/: warning api-key-in-query: /)]);
    expect(r.code).toBe(0);
    expect(Object.keys(snapshotTree(path.join(dir, 'g')))).toEqual(expect.arrayContaining(['fetch.ts', 'client.ts']));
    expect(readdirSync(dir).sort()).toEqual(['codegen.config.ts', 'g']);
    rmSync(dir, { recursive: true });
  });
});

/** Reverses every mapping except the requirement objects inside a `security` array. */
function reverseKeys(v: unknown, key?: string): unknown {
  if (Array.isArray(v)) return key === 'security' ? v : v.map((x) => reverseKeys(x));
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x, k)]));
}

/** Reverses only the members of each requirement object inside a `security` array. */
function reverseMembers(v: unknown, key?: string): unknown {
  if (Array.isArray(v)) return key === 'security' ? v.map((r) => Object.fromEntries(Object.entries(r as object).reverse())) : v.map((x) => reverseMembers(x));
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reverseMembers(x, k)]));
}
