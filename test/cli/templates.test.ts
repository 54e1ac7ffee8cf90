// `--templates <dir>` as a real process: an override takes effect and is part of
// the input hash (so `check` notices when it changes); a missing folder and a broken
// template are bad usage (exit 2) naming the folder or the file.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/spec-files.js';

let work: string;
beforeAll(() => {
  work = tempDir('osc-templates-');
  cpSync(path.join(REPO, 'specs'), path.join(work, 'specs'), { recursive: true });
});

const builtin = (name: string): string => readFileSync(path.join(REPO, 'templates', name), 'utf8');
const gen = (out: string, ...more: string[]) => runCli(['--spec', 'specs/petstore.yaml', '--out', out, ...more], work);
const read = (rel: string): string => readFileSync(path.join(work, rel), 'utf8');
const hashOf = (text: string): string => /^\/\/ Input hash: (\S+)$/m.exec(text)?.[1] ?? '';

describe('--templates', () => {
  it('an override of a .hbs skeleton takes effect, and the input hash covers it', async () => {
    mkdirSync(path.join(work, 'tpl'), { recursive: true });
    writeFileSync(path.join(work, 'tpl/security.ts.hbs'), builtin('security.ts.hbs') + '\n/** Added by our override. */\nexport const overridden = true;\n');
    expect((await gen('plain')).code).toBe(0);
    const r = await gen('custom', '--templates', 'tpl');
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(read('custom/security.ts')).toContain('export const overridden = true;');
    expect(read('plain/security.ts')).not.toContain('overridden');
    // The input hash (in security.ts alone) covers the override: it differs from the run without overrides.
    expect(hashOf(read('custom/security.ts'))).toMatch(/^sha256:/);
    expect(hashOf(read('custom/security.ts'))).not.toBe(hashOf(read('plain/security.ts')));
    expect(read('custom/guard.ts')).not.toContain('Input hash');
    expect((await runCli(['check', '--spec', 'specs/petstore.yaml', '--out', 'custom', '--templates', 'tpl'], work)).code).toBe(0);

    // Changing an override of another skeleton is drift: in that file, and in security.ts's hash.
    writeFileSync(path.join(work, 'tpl/guard.ts.hbs'), builtin('guard.ts.hbs') + '\nexport const ours = 1;\n');
    const hashBefore = hashOf(read('custom/security.ts'));
    const c = await runCli(['check', '--spec', 'specs/petstore.yaml', '--out', 'custom', '--templates', 'tpl'], work);
    expect(c.code).toBe(1);
    expect(c.stdout).toContain('custom/guard.ts: differs');
    expect(c.stdout).toContain('custom/security.ts: differs');
    expect(c.stderr).toContain('run `npx codegen --spec specs/petstore.yaml --out custom --templates tpl` to update');
    expect((await gen('custom', '--templates', 'tpl')).code).toBe(0);
    expect(hashOf(read('custom/security.ts'))).not.toBe(hashBefore);
  });

  it('an override of a runtime file is used and hashed; an override folder without the used files leaves the hash as without one', async () => {
    mkdirSync(path.join(work, 'tpl-rt'), { recursive: true });
    writeFileSync(path.join(work, 'tpl-rt/koa.ts'), builtin('runtime/koa.ts') + '\nexport const ourKoa = true;\n');
    expect((await gen('rt', '--templates', 'tpl-rt', '--server', 'koa')).code).toBe(0);
    expect(read('rt/koa.ts')).toContain('export const ourKoa = true;');
    expect((await gen('rt-plain', '--server', 'koa')).code).toBe(0);
    expect(hashOf(read('rt/security.ts'))).not.toBe(hashOf(read('rt-plain/security.ts')));
    // koa.ts is not used without --server koa: its override does not count
    expect((await gen('rt-unused', '--templates', 'tpl-rt')).code).toBe(0);
    expect((await gen('rt-unused-plain')).code).toBe(0);
    expect(hashOf(read('rt-unused/security.ts'))).toBe(hashOf(read('rt-unused-plain/security.ts')));
  });

  it('a folder that does not exist: exit 2 naming it, nothing written (generate and check)', async () => {
    const r = await gen('never', '--templates', 'no-such-templates');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('codegen: templates folder no-such-templates not found');
    expect(r.stderr).not.toContain('internal error');
    expect(existsSync(path.join(work, 'never'))).toBe(false);
    const c = await runCli(['check', '--spec', 'specs/petstore.yaml', '--out', 'never', '--templates', 'no-such-templates'], work);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('templates folder no-such-templates not found');
  });

  it('a broken template (an unknown name, a syntax error): exit 2 naming the template file, one line, nothing written', async () => {
    mkdirSync(path.join(work, 'tpl-bad'), { recursive: true });
    writeFileSync(path.join(work, 'tpl-bad/guard.ts.hbs'), '{{header}}\nexport const x = {{nope}};\n');
    const r = await gen('bad', '--templates', 'tpl-bad');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('codegen: template tpl-bad/guard.ts.hbs: "nope" not defined');
    expect(r.stderr).not.toContain('[object Object]');
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(work, 'bad'))).toBe(false);

    writeFileSync(path.join(work, 'tpl-bad/guard.ts.hbs'), '{{header}}\n{{#each schemes}}\n');
    const s = await gen('bad', '--templates', 'tpl-bad');
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/codegen: template tpl-bad\/guard\.ts\.hbs: Parse error on line \d+:[^\n]*Expecting[^\n]*\n/);
    expect(existsSync(path.join(work, 'bad'))).toBe(false);
  });
});
