// Targets from config + flags, as a real process: one output folder per spec (no
// `--out` shared by several specs, no two targets in one folder), and output bytes
// that do not depend on the working directory.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli, snapshotTree } from '../helpers/cli.js';
import { tempDir } from '../helpers/spec-files.js';

let work: string;
beforeAll(() => {
  work = tempDir('osc-targets-');
  cpSync(path.join(REPO, 'specs'), path.join(work, 'specs'), { recursive: true });
});

function project(name: string, config: unknown): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'codegen.config.json'), JSON.stringify(config));
  return dir;
}

const two = (a: string, b: string) => ({ specs: [{ spec: '../specs/petstore.yaml', out: a }, { spec: '../specs/petstore-swagger2.yaml', out: b }] });

describe('one output folder per spec', () => {
  it('--out with a config that lists several specs: exit 2, nothing written', async () => {
    const dir = project('multi-out', two('gen/a', 'gen/b'));
    for (const cmd of [[], ['check']]) {
      const r = await runCli([...cmd, '--out', 'shared'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('codegen: --out shared cannot be used with a config that lists 2 specs');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(path.join(dir, 'shared'))).toBe(false);
    expect(existsSync(path.join(dir, 'gen'))).toBe(false);
    // --spec picks one spec, so --out is fine with it
    expect((await runCli(['--spec', '../specs/petstore.yaml', '--out', 'one'], dir)).code).toBe(0);
  });

  it('two configured targets resolving to the same folder: exit 2 naming both specs', async () => {
    const dir = project('same-out', two('gen', './gen/'));
    const r = await runCli([], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('specs ../specs/petstore.yaml and ../specs/petstore-swagger2.yaml both write to gen');
    expect(existsSync(path.join(dir, 'gen'))).toBe(false);
    // the default folder counts too
    const d2 = project('same-default', { specs: [{ spec: '../specs/petstore.yaml' }, { spec: '../specs/petstore-swagger2.yaml' }] });
    const r2 = await runCli([], d2);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('both write to generated');
  });

  it('a target folder inside another target folder: exit 2', async () => {
    const dir = project('nested-out', two('gen', 'gen/sub'));
    const r = await runCli([], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('output folder gen/sub (for ../specs/petstore-swagger2.yaml) is inside gen (for ../specs/petstore.yaml)');
    expect(existsSync(path.join(dir, 'gen'))).toBe(false);
  });
});

describe('output does not depend on the working directory', () => {
  it('generate with --config sub/codegen.config.json from above, check inside sub/: in sync; same bytes from either place', async () => {
    const root = path.join(work, 'cwd');
    mkdirSync(path.join(root, 'sub'), { recursive: true });
    cpSync(path.join(REPO, 'specs'), path.join(root, 'specs'), { recursive: true });
    writeFileSync(path.join(root, 'sub/codegen.config.json'), JSON.stringify({ spec: '../specs/petstore.yaml', out: 'gen', client: true }));

    const g = await runCli(['--config', 'sub/codegen.config.json'], root);
    expect(g.code).toBe(0);
    expect(g.stdout).toContain(path.join('sub', 'gen'));
    const security = readFileSync(path.join(root, 'sub/gen/security.ts'), 'utf8');
    expect(security.split('\n')[0]).toMatch(/ from \.\.\/specs\/petstore\.yaml\. Do not edit/);
    expect(readFileSync(path.join(root, 'sub/gen/package.json'), 'utf8')).toContain('from ../specs/petstore.yaml. Do not edit.');

    const c = await runCli(['check'], path.join(root, 'sub'));
    expect(c.stdout + c.stderr).toContain('gen: in sync');
    expect(c.code).toBe(0);
    // and the other way round: generated inside sub/, checked from above
    const fromAbove = snapshotTree(path.join(root, 'sub/gen'));
    expect((await runCli([], path.join(root, 'sub'))).stdout).toContain('gen: up to date');
    expect(snapshotTree(path.join(root, 'sub/gen'))).toEqual(fromAbove);
    expect((await runCli(['check', '--config', 'sub/codegen.config.json'], root)).code).toBe(0);
  });

  it('without a config file the spec is recorded relative to the working directory, with forward slashes', async () => {
    const r = await runCli(['--spec', 'specs/petstore.yaml', '--out', 'noconf'], work);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(work, 'noconf/security.ts'), 'utf8').split('\n')[0]).toContain(' from specs/petstore.yaml. Do not edit');
  });
});
