// `codegen check` as a real process: every drift case of issue 5, exit codes
// 0/1/2, the diff and the fix command in the output, and nothing ever written.
import { cpSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, snapshotTree } from '../helpers/cli.js';
import { tempDir } from '../helpers/spec-files.js';

/** A project: the example specs, a config, and generated output committed as `generate` wrote it. */
async function project(config: Record<string, unknown> = { spec: 'specs/petstore.yaml', out: 'generated', client: true }): Promise<string> {
  const dir = tempDir('osc-check-');
  cpSync(path.join(REPO, 'specs'), path.join(dir, 'specs'), { recursive: true });
  writeFileSync(path.join(dir, 'codegen.config.json'), JSON.stringify(config, null, 2));
  const gen = await runCli([], dir);
  expect(gen.stderr).not.toContain('internal error');
  expect(gen.code).toBe(0);
  return dir;
}

const out = (dir: string): string => path.join(dir, 'generated');

describe('codegen check', () => {
  it("this repository's committed example output (generated/, from codegen.config.json) is in sync", async () => {
    // The same gate a user's CI runs; it also proves the output does not depend on the machine.
    const r = await runCli(['check'], REPO);
    expect(r.stdout + r.stderr).toContain('in sync');
    expect(r.code).toBe(0);
  });

  it('in sync: exit 0, and a user file in the output folder is left alone', async () => {
    const dir = await project();
    writeFileSync(path.join(out(dir), 'my-notes.md'), '# mine\n');
    const before = snapshotTree(dir);
    const r = await runCli(['check'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('generated: in sync with specs/petstore.yaml');
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('a hand edit in generated output: exit 1, the diff shows the edit, one line names the fix', async () => {
    const dir = await project();
    const file = path.join(out(dir), 'security.ts');
    const original = readFileSync(file, 'utf8');
    const lines = original.split('\n');
    const at = lines.findIndex((l) => l.includes('listPets'));
    const edited = lines[at]!.replace('listPets', 'listPetz');
    lines[at] = edited;
    writeFileSync(file, lines.join('\n'));
    const before = snapshotTree(dir);
    const r = await runCli(['check'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('generated/security.ts: differs from what the spec generates');
    expect(r.stdout).toContain('--- a/generated/security.ts\n+++ b/generated/security.ts\n@@ -');
    expect(r.stdout).toContain(`\n-${edited}\n+${original.split('\n')[at]}\n`);
    expect(r.stderr).toMatch(/1 file\(s\) out of date in generated; run `npx codegen` to update/);
    expect(r.stdout + r.stderr).not.toContain('\u001b['); // not a TTY: no colour
    expect(snapshotTree(dir)).toEqual(before); // check writes nothing, ever
    // and `codegen` (the fix it names) brings it back in sync
    expect((await runCli([], dir)).code).toBe(0);
    expect((await runCli(['check'], dir)).code).toBe(0);
  });

  it('the spec changed: exit 1 naming the regenerated files', async () => {
    const dir = await project();
    const spec = path.join(dir, 'specs/petstore.yaml');
    // One line: the admin endpoint takes a Bearer token instead of Basic (both stay in use elsewhere).
    const text = readFileSync(spec, 'utf8');
    const edited = text.replace("      summary: Basic auth only\n      security:\n        - Basic: []\n", "      summary: Basic auth only\n      security:\n        - Bearer: []\n");
    expect(edited).not.toBe(text);
    writeFileSync(spec, edited);
    const r = await runCli(['check'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('generated/security.ts: differs');
    // One requirement changed: one file, named first with the operation it concerns,
    // before any diff. (The input hash lives in security.ts alone.)
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('generated: 1 file(s) differ from what specs/petstore.yaml generates: security.ts');
    expect(lines[1]).toBe('generated: the committed output enforces 1 operation(s) differently from the spec:');
    expect(lines[2]).toBe('  getAdminStats: Basic -> Bearer');
    const json = JSON.parse((await runCli(['check', '--format', 'json'], dir)).stdout) as { drift: { path: string }[]; securityChanges: unknown[] };
    expect(json.drift.map((d) => d.path)).toEqual(['security.ts']);
    expect(json.securityChanges).toEqual([{ spec: 'specs/petstore.yaml', out: 'generated', operationId: 'getAdminStats', committed: 'Basic', expected: 'Bearer' }]);
  });

  it('runtime files are byte-identical whatever the spec; only security.ts carries the input hash', async () => {
    const { generate } = await import('../../src/pipeline.js');
    const a = await generate({ spec: 'specs/petstore.yaml', server: ['express'], client: ['fetch'], cwd: process.cwd() });
    const b = await generate({ spec: 'specs/petstore-3.1.yaml', server: ['express'], client: ['fetch'], cwd: process.cwd() });
    const runtime = (files: readonly { path: string; contents: string }[]) => new Map(files.filter((f) => f.path.startsWith('runtime-') || f.path === 'express.ts').map((f) => [f.path, f.contents]));
    expect(runtime(a.files).size).toBeGreaterThan(10);
    expect(runtime(a.files)).toEqual(runtime(b.files));
    expect(a.files.filter((f) => f.contents.includes('// Input hash:')).map((f) => f.path)).toEqual(['security.ts']);
  });

  it('a generated file deleted: exit 1, reported as missing', async () => {
    const dir = await project();
    rmSync(path.join(out(dir), 'guard.ts'));
    const r = await runCli(['check'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('generated/guard.ts: missing');
    expect(r.stdout).toContain('--- /dev/null\n+++ b/generated/guard.ts\n');
  });

  it('a stale generated file (no longer produced by this config): exit 1, reported as stale; user files are not', async () => {
    const dir = await project();
    writeFileSync(path.join(out(dir), 'mine.ts'), 'export const mine = 1;\n');
    writeFileSync(path.join(dir, 'codegen.config.json'), JSON.stringify({ spec: 'specs/petstore.yaml', out: 'generated' }));
    const r = await runCli(['check'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('generated/client.ts: stale');
    expect(r.stdout).toContain('--- a/generated/client.ts\n+++ /dev/null\n');
    expect(r.stdout).not.toContain('mine.ts');
  });

  it('uses the same flags as generate: the fix command repeats them', async () => {
    const dir = await project();
    const r = await runCli(['check', '--out', 'elsewhere'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('run `npx codegen --out elsewhere` to update');
  });

  it('--format json: a machine-readable list', async () => {
    const dir = await project();
    rmSync(path.join(out(dir), 'guard.ts'));
    writeFileSync(path.join(out(dir), 'security.ts'), readFileSync(path.join(out(dir), 'security.ts'), 'utf8') + '// edited\n');
    const r = await runCli(['check', '--format', 'json'], dir);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.inSync).toBe(false);
    expect(json.fix).toBe('npx codegen');
    expect(json.drift.map((d: { path: string; status: string }) => [d.path, d.status])).toEqual([
      ['guard.ts', 'missing'],
      ['security.ts', 'modified'],
    ]);
    expect(json.drift[1].diff).toContain('-// edited\n');
    const ok = await runCli(['check', '--format', 'json'], await project());
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ inSync: true, drift: [] });
  });

  it('unusable input: exit 2 with the diagnostic, nothing written', async () => {
    const dir = await project();
    writeFileSync(path.join(dir, 'broken.yaml'), 'openapi: 3.0.3\ninfo: { title: b, version: "1" }\npaths:\n  /x:\n    get:\n      security: [{ Nope: [] }]\n      responses: { "200": { description: ok } }\n');
    const before = snapshotTree(dir);
    const r = await runCli(['check', '--spec', 'broken.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('undefined-scheme');
    expect(snapshotTree(dir)).toEqual(before);
    expect((await runCli(['check', '--spec', 'missing.yaml'], dir)).code).toBe(2);
  });

  it('an output folder that does not exist yet is drift (every file missing), and is not created', async () => {
    const dir = await project();
    const r = await runCli(['check', '--out', 'never'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('never/security.ts: missing');
    expect(readdirSync(dir)).not.toContain('never');
  });
});
