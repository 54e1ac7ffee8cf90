// `codegen diff` as a real process: exit codes, the three formats, --fail-on,
// and the git:<ref>:<path> form against a temporary repository (with a $ref to
// a sibling file, which must be read from the same commit).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { REPO, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/spec-files.js';

vi.setConfig({ testTimeout: 60_000 });

function workdir(): string {
  const dir = tempDir('osc-diff-');
  cpSync(path.join(REPO, 'specs'), path.join(dir, 'specs'), { recursive: true });
  return dir;
}

/** The example spec with one edit applied (a plain text replacement that must hit). */
function variant(dir: string, name: string, from: string, to: string): string {
  const text = readFileSync(path.join(dir, 'specs/petstore.yaml'), 'utf8');
  expect(text).toContain(from);
  writeFileSync(path.join(dir, name), text.replace(from, to));
  return name;
}

const MINE = "      security:\n        - SessionCookie: []\n";

describe('codegen diff', () => {
  it("Done when: one operation's security changed to [{}] -> exit 1 naming that operation", async () => {
    const dir = workdir();
    const changed = variant(dir, 'new.yaml', MINE, '      security:\n        - {}\n');
    const r = await runCli(['diff', 'specs/petstore.yaml', changed], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('weakening: listMyPets (GET /pets/mine): became optional');
    expect(r.stdout).toContain('old: specs/petstore.yaml#/paths/~1pets~1mine/get/security');
    expect(r.stdout).toContain('new: new.yaml#/paths/~1pets~1mine/get/security');
    expect(r.stdout).toContain('client-breaking: listMyPets (GET /pets/mine): alternative {SessionCookie} removed');
    expect(r.stdout).not.toMatch(/^weakening: (?!listMyPets)/m);
    expect(r.stderr).toContain('codegen diff: 1 change(s) of class weakening');
  });

  it('the same spec on both sides: exit 0, no changes; the 2.0 and 3.1 examples are also readable', async () => {
    const dir = workdir();
    const r = await runCli(['diff', 'specs/petstore.yaml', 'specs/petstore.yaml'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no security changes');
    expect(r.stdout).toContain('0 weakening, 0 endpoint-changed, 0 client-breaking, 0 strengthening, 0 neutral');
    for (const spec of ['specs/petstore-swagger2.yaml', 'specs/petstore-3.1.yaml']) expect((await runCli(['diff', spec, spec], dir)).code).toBe(0);
  });

  it('--format markdown (for a pull-request comment) and --format json', async () => {
    const dir = workdir();
    const changed = variant(dir, 'new.yaml', '        - OAuth2: [pets:write]\n        - ApiKey: []\n          AppId: []\n', '        - OAuth2: [pets:write]\n        - ApiKey: []\n');
    const md = await runCli(['diff', 'specs/petstore.yaml', changed, '--format', 'markdown'], dir);
    expect(md.code).toBe(1);
    expect(md.stdout).toContain('## Security changes: `specs/petstore.yaml` → `new.yaml`');
    expect(md.stdout).toContain('### Weakening');
    expect(md.stdout).toContain('| `createPet` | POST | `/pets` | AppId removed from the AND set {ApiKey + AppId}; {ApiKey} now suffices | and-scheme-removed | `specs/petstore.yaml#/paths/~1pets/post/security/1/AppId` | `new.yaml#/paths/~1pets/post/security/1` |');
    const json = await runCli(['diff', 'specs/petstore.yaml', changed, '--format', 'json'], dir);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.summary).toEqual({ weakening: 1, 'endpoint-changed': 0, 'client-breaking': 0, strengthening: 0, neutral: 0 });
    expect(report.changes[0]).toMatchObject({ class: 'weakening', rule: 'and-scheme-removed', operation: { id: 'createPet', method: 'post', path: '/pets' } });
  });

  it('--fail-on picks the classes that fail; unknown classes are bad usage', async () => {
    const dir = workdir();
    const moved = variant(dir, 'moved.yaml', 'in: query\n      name: api_key', 'in: header\n      name: api_key');
    expect((await runCli(['diff', 'specs/petstore.yaml', moved], dir)).code).toBe(0); // client-breaking only
    expect((await runCli(['diff', 'specs/petstore.yaml', moved, '--fail-on', 'weakening,client-breaking'], dir)).code).toBe(1);
    const weaker = variant(dir, 'weaker.yaml', MINE, '      security: []\n');
    expect((await runCli(['diff', 'specs/petstore.yaml', weaker, '--fail-on', 'none'], dir)).code).toBe(0);
    expect((await runCli(['diff', weaker, 'specs/petstore.yaml'], dir)).code).toBe(0); // the reverse is a strengthening
    expect((await runCli(['diff', weaker, 'specs/petstore.yaml', '--fail-on', 'strengthening'], dir)).code).toBe(1);
    const bad = await runCli(['diff', 'specs/petstore.yaml', weaker, '--fail-on', 'weak'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--fail-on: unknown class "weak"');
  });

  it('unusable input: a missing file or a spec with errors exits 2', async () => {
    const dir = workdir();
    const missing = await runCli(['diff', 'specs/petstore.yaml', 'nope.yaml'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml');
    const broken = variant(dir, 'broken.yaml', MINE, '      security:\n        - Nope: []\n');
    const r = await runCli(['diff', 'specs/petstore.yaml', broken], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('broken.yaml#/paths/~1pets~1mine/get/security/0/Nope: error undefined-scheme');
    expect((await runCli(['diff', 'specs/petstore.yaml'], dir)).code).toBe(2);
  });

  it('spec strings are escaped in Markdown: no HTML, links or table breaks reach the comment', async () => {
    const dir = workdir();
    const evil = 'x<img src=a onerror=alert(1)>|[click](https://evil.example)`@team';
    const text = (security: string) =>
      `openapi: 3.0.3\ninfo: { title: t, version: '1' }\ncomponents:\n  securitySchemes:\n    K: { type: apiKey, in: header, name: X-K }\npaths:\n  /p:\n    get:\n      operationId: ${JSON.stringify(evil)}\n      security: ${security}\n      responses: { '200': { description: ok } }\n`;
    writeFileSync(path.join(dir, 'a.yaml'), text('[{ K: [] }]'));
    writeFileSync(path.join(dir, 'b.yaml'), text('[]'));
    const r = await runCli(['diff', 'a.yaml', 'b.yaml', '--format', 'markdown'], dir);
    expect(r.code).toBe(1);
    const row = r.stdout.split('\n').find((l) => l.includes('became public'))!;
    expect(row).toContain('``x<img src=a onerror=alert(1)>\\|[click](https://evil.example)`@team``');
    expect(row.split(/(?<!\\)\|/).length).toBe(9); // 7 cells, no extra column from the id
  });
});

describe('codegen diff git:<ref>:<path>', () => {
  const git = (cwd: string, ...args: string[]): string =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });

  /** A repo whose spec takes its schemes from a sibling folder by $ref; the base commit, then working-copy edits. */
  function repo(): string {
    const dir = tempDir('osc-git-');
    mkdirSync(path.join(dir, 'api'));
    mkdirSync(path.join(dir, 'shared'));
    writeFileSync(path.join(dir, 'shared/schemes.yaml'), 'ApiKey: { type: apiKey, in: header, name: X-API-Key }\nAppId: { type: apiKey, in: header, name: X-App-Id }\n');
    writeFileSync(
      path.join(dir, 'api/openapi.yaml'),
      `openapi: 3.0.3
info: { title: git, version: '1' }
components:
  securitySchemes:
    ApiKey: { $ref: '../shared/schemes.yaml#/ApiKey' }
    AppId: { $ref: '../shared/schemes.yaml#/AppId' }
paths:
  /orders:
    get:
      operationId: listOrders
      security: [{ ApiKey: [], AppId: [] }]
      responses: { '200': { description: ok } }
`,
    );
    // shared/ is outside the spec's folder: the config (found in the working directory) must allow it.
    writeFileSync(path.join(dir, 'codegen.config.json'), JSON.stringify({ spec: 'api/openapi.yaml', allowRefsOutside: ['shared'] }));
    writeFileSync(path.join(dir, 'api/codegen.config.json'), JSON.stringify({ spec: 'openapi.yaml', allowRefsOutside: ['../shared'] }));
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'base');
    return dir;
  }

  it('compares the committed version with the working copy without a checkout', async () => {
    const dir = repo();
    const spec = path.join(dir, 'api/openapi.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('[{ ApiKey: [], AppId: [] }]', '[{ ApiKey: [] }]'));
    const r = await runCli(['diff', 'git:HEAD:api/openapi.yaml', 'api/openapi.yaml'], dir);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('weakening: listOrders (GET /orders): AppId removed from the AND set {ApiKey + AppId}; {ApiKey} now suffices');
    expect(r.stdout).toContain('old: git:HEAD:api/openapi.yaml#/paths/~1orders/get/security/0/AppId');
    expect(r.stdout).toContain('new: api/openapi.yaml#/paths/~1orders/get/security/0');
    // the working copy is untouched (no checkout)
    expect(git(dir, 'status', '--porcelain')).toBe(' M api/openapi.yaml\n');
  });

  it('reads $ref targets from the same commit, and paths relative to the working directory', async () => {
    const dir = repo();
    writeFileSync(path.join(dir, 'shared/schemes.yaml'), 'ApiKey: { type: apiKey, in: query, name: api_key }\nAppId: { type: apiKey, in: header, name: X-App-Id }\n');
    const r = await runCli(['diff', 'git:HEAD:openapi.yaml', 'openapi.yaml', '--fail-on', 'client-breaking'], path.join(dir, 'api'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('client-breaking: listOrders (GET /orders): scheme ApiKey: key moved from header X-API-Key to query api_key');
    expect(r.stdout).toContain('old: git:HEAD:openapi.yaml#/components/securitySchemes/ApiKey'); // header X-API-Key: read from the commit, not the working copy
    // a branch name works as the ref too; both sides from git
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'move key');
    const both = await runCli(['diff', 'git:HEAD~1:api/openapi.yaml', 'git:main:api/openapi.yaml', '--format', 'json'], dir);
    expect(both.code).toBe(0);
    expect(JSON.parse(both.stdout).changes.map((c: { rule: string }) => c.rule)).toEqual(['key-moved']);
  });

  it('without allowRefsOutside in the config, a $ref to a sibling folder is refused on both sides (exit 2, naming the $ref)', async () => {
    const dir = repo();
    rmSync(path.join(dir, 'codegen.config.json'));
    const r = await runCli(['diff', 'git:HEAD:api/openapi.yaml', 'api/openapi.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('git:HEAD:api/openapi.yaml#/components/securitySchemes/ApiKey/$ref: error ref-refused: $ref "../shared/schemes.yaml#/ApiKey" refused');
    expect(r.stderr).toContain('api/openapi.yaml#/components/securitySchemes/AppId/$ref: error ref-refused');
  });

  it('a bad ref, a missing path or a malformed argument exits 2 with a message', async () => {
    const dir = repo();
    const badRef = await runCli(['diff', 'git:no-such-branch:api/openapi.yaml', 'api/openapi.yaml'], dir);
    expect(badRef.code).toBe(2);
    expect(badRef.stderr).toContain('cannot read git:no-such-branch:api/openapi.yaml');
    const missing = await runCli(['diff', 'git:HEAD:api/nope.yaml', 'api/openapi.yaml'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read git:HEAD:api/nope.yaml');
    const malformed = await runCli(['diff', 'git:HEAD', 'api/openapi.yaml'], dir);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('expected git:<ref>:<path>');
    const outside = await runCli(['diff', 'git:HEAD:openapi.yaml', 'api/openapi.yaml'], tempDir('osc-nogit-'));
    expect(outside.code).toBe(2);
  });
});
