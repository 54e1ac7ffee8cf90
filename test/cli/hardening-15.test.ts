// Issue 15 items 8–11, as real processes: symlinked templates are refused, a git ref
// cannot reach git as an option, a diff flags moved credential endpoints and server
// origins, and a code config file is not run when the command line gives every input.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { REPO, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/spec-files.js';

vi.setConfig({ testTimeout: 60_000 });

let work: string;
beforeAll(() => {
  work = tempDir('osc-issue15-');
  cpSync(path.join(REPO, 'specs'), path.join(work, 'specs'), { recursive: true });
});

describe('templates: only regular files inside the folder', () => {
  it('a symlinked runtime template (to /proc/self/environ) is refused with exit 2 naming it, nothing written, no secret shown', async () => {
    const tpl = path.join(work, 'tpl-env');
    mkdirSync(tpl, { recursive: true });
    symlinkSync('/proc/self/environ', path.join(tpl, 'runtime-keys.ts'));
    const env = { CODEGEN_TEST_SECRET: 'hunter2-secret-value' };
    const gen = await runCli(['--spec', 'specs/petstore.yaml', '--out', 'out-env', '--templates', 'tpl-env'], work, env);
    expect(gen.code).toBe(2);
    expect(gen.stderr).toContain('template tpl-env/runtime-keys.ts is a symbolic link');
    expect(gen.stdout + gen.stderr).not.toContain('hunter2');
    expect(existsSync(path.join(work, 'out-env'))).toBe(false);

    const check = await runCli(['check', '--spec', 'specs/petstore.yaml', '--out', 'out-env', '--templates', 'tpl-env'], work, env);
    expect(check.code).toBe(2);
    expect(check.stdout + check.stderr).not.toContain('hunter2');
  });

  it('a symlinked skeleton (to /etc/passwd) is refused, even one pointing inside the folder', async () => {
    const tpl = path.join(work, 'tpl-passwd');
    mkdirSync(tpl, { recursive: true });
    symlinkSync('/etc/passwd', path.join(tpl, 'guard.ts.hbs'));
    const r = await runCli(['--spec', 'specs/petstore.yaml', '--out', 'out-passwd', '--templates', 'tpl-passwd'], work);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('template tpl-passwd/guard.ts.hbs is a symbolic link');
    expect(existsSync(path.join(work, 'out-passwd'))).toBe(false);

    const inside = path.join(work, 'tpl-inside');
    mkdirSync(inside, { recursive: true });
    writeFileSync(path.join(inside, 'real.hbs'), 'x');
    symlinkSync('real.hbs', path.join(inside, 'guard.ts.hbs'));
    const s = await runCli(['--spec', 'specs/petstore.yaml', '--out', 'out-inside', '--templates', 'tpl-inside'], work);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('tpl-inside/guard.ts.hbs is a symbolic link');
  });

  it('a FIFO template is refused without blocking', async () => {
    const tpl = path.join(work, 'tpl-fifo');
    mkdirSync(tpl, { recursive: true });
    execFileSync('mkfifo', [path.join(tpl, 'guard.ts.hbs')]);
    const r = await runCli(['--spec', 'specs/petstore.yaml', '--out', 'out-fifo', '--templates', 'tpl-fifo'], work);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('template tpl-fifo/guard.ts.hbs is not a regular file (a FIFO)');
  });
});

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });

function spec(parts: { tokenUrl?: string; oidc?: string; servers?: string[] }): string {
  return JSON.stringify({
    openapi: '3.0.3',
    info: { title: 'T', version: '1' },
    servers: (parts.servers ?? ['https://api.example.com/v1']).map((url) => ({ url })),
    components: {
      securitySchemes: {
        OAuth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: parts.tokenUrl ?? 'https://auth.example.com/token', scopes: { read: 'r' } } } },
        Oidc: { type: 'openIdConnect', openIdConnectUrl: parts.oidc ?? 'https://auth.example.com/.well-known/openid-configuration' },
      },
    },
    paths: {
      '/a': { get: { operationId: 'getA', security: [{ OAuth: ['read'] }], responses: { 200: { description: 'ok' } } } },
      '/b': { get: { operationId: 'getB', security: [{ Oidc: [] }], responses: { 200: { description: 'ok' } } } },
    },
  });
}

describe('codegen diff: git refs never reach git as options', () => {
  it('refs beginning with "-" are refused (exit 2) and no file is written', async () => {
    const dir = tempDir('osc-gitopt-');
    writeFileSync(path.join(dir, 'openapi.json'), spec({}));
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'base');
    for (const ref of ['--output=x.txt', '-O/etc/passwd', '--output=../y.txt']) {
      const r = await runCli(['diff', `git:${ref}:openapi.json`, 'openapi.json'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`the ref "${ref}" begins with "-"`);
    }
    expect(readdirSync(dir).sort()).toEqual(['.git', 'openapi.json']);
    expect(existsSync(path.join(path.dirname(dir), 'y.txt'))).toBe(false);
    // an ordinary ref still works
    expect((await runCli(['diff', 'git:HEAD:openapi.json', 'openapi.json'], dir)).code).toBe(0);
  });
});

describe('codegen diff: credential endpoints and server origins', () => {
  const diff = async (a: string, b: string, ...more: string[]) => {
    const dir = tempDir('osc-endpoints-');
    writeFileSync(path.join(dir, 'old.json'), a);
    writeFileSync(path.join(dir, 'new.json'), b);
    return runCli(['diff', 'old.json', 'new.json', ...more], dir);
  };

  it('a tokenUrl moved to another host fails the diff (endpoint-changed), naming old and new', async () => {
    const r = await diff(spec({}), spec({ tokenUrl: 'https://evil.example.net/token' }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('endpoint-changed: getA (GET /a): scheme OAuth: clientCredentials tokenUrl changed from https://auth.example.com/token to https://evil.example.net/token');
    expect(r.stdout).toContain('[credential-endpoint-changed]');
    expect(r.stdout).not.toContain('scheme-details-changed');
    expect(r.stderr).toContain('endpoint-changed');
    // --fail-on weakening alone lets it pass, as for any class
    expect((await diff(spec({}), spec({ tokenUrl: 'https://evil.example.net/token' }), '--fail-on', 'weakening')).code).toBe(0);
  });

  it('a changed openIdConnectUrl fails the diff', async () => {
    const r = await diff(spec({}), spec({ oidc: 'https://evil.example.net/.well-known/openid-configuration' }), '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { summary: Record<string, number>; changes: { class: string; rule: string; message: string }[] };
    expect(report.summary['endpoint-changed']).toBe(1);
    expect(report.changes[0]).toMatchObject({ class: 'endpoint-changed', rule: 'credential-endpoint-changed' });
    expect(report.changes[0]!.message).toContain('openIdConnectUrl changed from https://auth.example.com/.well-known/openid-configuration to https://evil.example.net/');
  });

  it('a changed server origin fails the diff (API-wide); a changed path on the same origin does not', async () => {
    const r = await diff(spec({}), spec({ servers: ['https://api.evil.example.net/v1'] }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('endpoint-changed: (servers) (API-wide): server origin changed from https://api.example.com to https://api.evil.example.net');
    expect(r.stdout).toContain('[server-origin-changed]');
    const added = await diff(spec({}), spec({ servers: ['https://api.example.com/v1', 'http://api.example.com:8080'] }));
    expect(added.code).toBe(1);
    expect(added.stdout).toContain('server origins changed from https://api.example.com to http://api.example.com:8080, https://api.example.com');
    const samePath = await diff(spec({}), spec({ servers: ['https://API.example.com/v2'] }));
    expect(samePath.stdout).not.toContain('server-origin-changed');
    expect(samePath.code).toBe(0);
  });
});

describe('a code config file is not run when the command line gives every input', () => {
  function project(): string {
    const dir = tempDir('osc-config-code-');
    cpSync(path.join(REPO, 'specs/petstore.yaml'), path.join(dir, 'petstore.yaml'));
    writeFileSync(
      path.join(dir, 'codegen.config.mjs'),
      "import { writeFileSync } from 'node:fs';\nwriteFileSync(new URL('./marker.txt', import.meta.url), 'ran');\nexport default { spec: 'petstore.yaml', out: 'gen' };\n",
    );
    return dir;
  }

  it('generate and check with --spec and --out, lint and report with --spec: not executed', async () => {
    const dir = project();
    expect((await runCli(['--spec', 'petstore.yaml', '--out', 'gen'], dir)).code).toBe(0);
    const check = await runCli(['check', '--spec', 'petstore.yaml', '--out', 'gen'], dir);
    expect(check.stdout + check.stderr).toContain('gen: in sync');
    expect(check.code).toBe(0);
    await runCli(['lint', '--spec', 'petstore.yaml'], dir);
    await runCli(['report', '--spec', 'petstore.yaml'], dir);
    // diff compares files (often a pull request's): it never runs a code config.
    expect((await runCli(['diff', 'petstore.yaml', 'petstore.yaml'], dir)).code).toBe(0);
    expect(existsSync(path.join(dir, 'marker.txt'))).toBe(false);
  });

  it('is executed when passed with --config, or when an input is missing from the command line', async () => {
    const dir = project();
    expect((await runCli(['--spec', 'petstore.yaml', '--out', 'gen', '--config', 'codegen.config.mjs'], dir)).code).toBe(0);
    expect(existsSync(path.join(dir, 'marker.txt'))).toBe(true);
    const other = project();
    expect((await runCli(['--spec', 'petstore.yaml'], other)).code).toBe(0);
    expect(existsSync(path.join(other, 'marker.txt'))).toBe(true);
  });
});
