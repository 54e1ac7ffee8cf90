// The writer through the real CLI (plus one in-process fault injection): it never
// destroys what it did not generate (symlinks, empty folders, file modes), it undoes
// a run interrupted between its two renames, a failure partway through leaves the
// previous folder byte-identical, and only the exact marker line makes a file ours.
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { header, isGenerated, packageJson } from '../../src/emit/plan.js';
import { generate } from '../../src/pipeline.js';
import { WriteError, writeOutput } from '../../src/write/write.js';
import { REPO, runCli, snapshotTree } from '../helpers/cli.js';
import { tempDir } from '../helpers/spec-files.js';

let work: string;
beforeAll(() => {
  work = tempDir('osc-write-');
  cpSync(path.join(REPO, 'specs'), path.join(work, 'specs'), { recursive: true });
});

/** A pid no process has (above any pid_max): the run that left a folder with it is dead. */
const DEAD = 2147483646;

const gen = (out: string, ...more: string[]) => runCli(['--spec', 'specs/petstore.yaml', '--out', out, ...more], work);

/** Files, folders and symlinks with their modes and targets: what "byte-identical" has to include. */
function fullTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(path.join(dir, r));
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[r] = `link -> ${readlinkSync(path.join(dir, r))}`;
      else if (st.isDirectory()) {
        out[r] = `dir ${mode}`;
        walk(r);
      } else out[r] = `file ${mode} ${readFileSync(path.join(dir, r), 'latin1')}`;
    }
  };
  walk('');
  return out;
}

const siblings = (out: string): string[] => readdirSync(work).filter((n) => n.startsWith(`${out}.`));

describe('writer: what it did not generate survives a regeneration', () => {
  it('keeps symlinks (as symlinks, not followed), empty folders and file modes', async () => {
    expect((await gen('keep', '--server', 'express,koa')).code).toBe(0);
    const out = path.join(work, 'keep');
    // Another generated folder the user links to: following the link would take its files for stale ones.
    expect((await gen('linked-target', '--server', 'koa')).code).toBe(0);
    writeFileSync(path.join(out, 'run.sh'), '#!/bin/sh\necho hi\n');
    chmodSync(path.join(out, 'run.sh'), 0o755);
    writeFileSync(path.join(out, 'secret.txt'), 'mine');
    chmodSync(path.join(out, 'secret.txt'), 0o600);
    mkdirSync(path.join(out, 'empty'));
    mkdirSync(path.join(out, 'locked/inner'), { recursive: true });
    chmodSync(path.join(out, 'locked'), 0o750);
    symlinkSync('run.sh', path.join(out, 'run-link'));
    symlinkSync('../linked-target', path.join(out, 'other'));
    symlinkSync('does-not-exist', path.join(out, 'dangling'));
    const linkedBefore = fullTree(path.join(work, 'linked-target'));

    const r = await gen('keep', '--server', 'express'); // koa.ts becomes stale: the folder is rebuilt and swapped
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('removed 1 stale');
    expect(existsSync(path.join(out, 'koa.ts'))).toBe(false);
    expect(statSync(path.join(out, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(path.join(out, 'secret.txt')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(out, 'empty')).isDirectory()).toBe(true);
    expect(readdirSync(path.join(out, 'empty'))).toEqual([]);
    expect(statSync(path.join(out, 'locked')).mode & 0o777).toBe(0o750);
    expect(statSync(path.join(out, 'locked/inner')).isDirectory()).toBe(true);
    for (const [name, target] of [['run-link', 'run.sh'], ['other', '../linked-target'], ['dangling', 'does-not-exist']] as const) {
      expect(lstatSync(path.join(out, name)).isSymbolicLink()).toBe(true);
      expect(readlinkSync(path.join(out, name))).toBe(target);
    }
    expect(fullTree(path.join(work, 'linked-target'))).toEqual(linkedBefore);
    expect(siblings('keep')).toEqual([]);
    // and a second run with nothing to change keeps it all too
    const before = fullTree(out);
    expect((await gen('keep', '--server', 'express')).stdout).toContain('up to date');
    expect(fullTree(out)).toEqual(before);
  });

  it('refuses to replace a user symlink that sits where a generated file belongs', async () => {
    expect((await gen('link-clash')).code).toBe(0);
    const out = path.join(work, 'link-clash');
    writeFileSync(path.join(work, 'elsewhere.ts'), 'export const mine = 1;\n');
    renameSync(path.join(out, 'guard.ts'), path.join(work, 'guard-copy.ts'));
    symlinkSync('../elsewhere.ts', path.join(out, 'guard.ts'));
    const before = fullTree(out);
    const r = await gen('link-clash');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to overwrite guard.ts');
    expect(fullTree(out)).toEqual(before);
    expect(readFileSync(path.join(work, 'elsewhere.ts'), 'utf8')).toBe('export const mine = 1;\n');
  });
});

describe('writer: interrupted and failing runs', () => {
  it('generate: <out> missing and <out>.old-* left by a run killed between its renames: the previous output is restored first', async () => {
    expect((await gen('crash', '--server', 'koa')).code).toBe(0);
    const out = path.join(work, 'crash');
    writeFileSync(path.join(out, 'mine.md'), 'user file');
    const previous = fullTree(out);
    // The crash state: the old folder renamed away, the new one complete but not renamed in.
    renameSync(out, `${out}.old-${DEAD}-0badf00d`);
    mkdirSync(`${out}.tmp-${DEAD}-0cafe000`);
    writeFileSync(`${out}.tmp-${DEAD}-0cafe000/security.ts`, 'half');
    const r = await gen('crash', '--server', 'koa');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`crash was missing; restored the previous output from crash.old-${DEAD}-0badf00d`);
    expect(r.stdout).toContain('crash: up to date');
    expect(fullTree(out)).toEqual(previous);
    expect(siblings('crash')).toEqual([]);
  });

  it('check: restores the output folder first, then compares (in sync)', async () => {
    expect((await gen('crash-check')).code).toBe(0);
    const out = path.join(work, 'crash-check');
    const previous = fullTree(out);
    renameSync(out, `${out}.old-${DEAD}-00c0ffee`);
    const r = await runCli(['check', '--spec', 'specs/petstore.yaml', '--out', 'crash-check'], work);
    expect(r.stderr).toContain('crash-check was missing; restored the previous output');
    expect(r.stdout).toContain('crash-check: in sync');
    expect(r.code).toBe(0);
    expect(fullTree(out)).toEqual(previous);
    expect(siblings('crash-check')).toEqual([]);
  });

  it('a leftover .old-* beside an existing output is removed when it holds nothing of the user\'s that is missing, kept otherwise', async () => {
    expect((await gen('left')).code).toBe(0);
    const out = path.join(work, 'left');
    writeFileSync(path.join(out, 'mine.md'), 'user file');
    cpSync(out, `${out}.old-${DEAD}-11111111`, { recursive: true }); // crashed after the swap, before removing the old copy
    cpSync(out, `${out}.old-${DEAD}-22222222`, { recursive: true });
    writeFileSync(`${out}.old-${DEAD}-22222222/only-here.md`, 'only copy');
    // A live run's folder (this test worker, alive) is not touched.
    mkdirSync(`${out}.tmp-${process.pid}-33333333`);
    const r = await gen('left', '--server', 'node');
    expect(r.code).toBe(0);
    expect(siblings('left').sort()).toEqual([`left.old-${DEAD}-22222222`, `left.tmp-${process.pid}-33333333`]);
    expect(r.stderr).toContain(`kept left.old-${DEAD}-22222222`);
    expect(readFileSync(path.join(out, 'mine.md'), 'utf8')).toBe('user file');
  });

  it('a real fs error partway through writing (a path that grows too long in the temporary folder) leaves the previous folder byte-identical', async () => {
    expect((await gen('fail')).code).toBe(0);
    const out = path.join(work, 'fail');
    writeFileSync(path.join(out, 'a-first.md'), 'copied before the failure');
    chmodSync(path.join(out, 'a-first.md'), 0o640);
    symlinkSync('a-first.md', path.join(out, 'a-link'));
    mkdirSync(path.join(out, 'b-empty'));
    // A user file whose path fits in `<out>` but not in the longer `<out>.tmp-<pid>-<hex>` (PATH_MAX 4096).
    let dir = out;
    while (dir.length + 251 < 4083) dir = path.join(dir, 'd'.repeat(250));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'f'.repeat(4085 - dir.length - 1)), 'deep');
    const before = fullTree(out);
    const r = await gen('fail', '--server', 'express'); // a change, so the folder is rebuilt
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\ncodegen: cannot write fail: ENAMETOOLONG[^\n]*; fail left untouched\n$/); // one line, no stack trace
    expect(r.stderr).not.toContain('.tmp-');
    expect(fullTree(out)).toEqual(before);
    expect(siblings('fail')).toEqual([]);
  });
});

describe('writer: injected error (in-process)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a write that fails after some files were written leaves the previous folder byte-identical and no temporary folder', async () => {
    const dir = tempDir('osc-inject-');
    cpSync(path.join(REPO, 'specs'), path.join(dir, 'specs'), { recursive: true });
    const first = await generate({ spec: 'specs/petstore.yaml', cwd: dir, server: ['koa'] });
    await writeOutput('out', first.files, dir);
    writeFileSync(path.join(dir, 'out/mine.md'), 'user file');
    chmodSync(path.join(dir, 'out/mine.md'), 0o700);
    const before = fullTree(path.join(dir, 'out'));
    const next = await generate({ spec: 'specs/petstore.yaml', cwd: dir, server: ['express'] });
    const real = fsp.writeFile.bind(fsp);
    let calls = 0;
    vi.spyOn(fsp, 'writeFile').mockImplementation(async (...args: Parameters<typeof fsp.writeFile>) => {
      if (++calls === 4) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      return real(...args);
    });
    await expect(writeOutput('out', next.files, dir)).rejects.toThrow(WriteError);
    expect(calls).toBe(4);
    expect(fullTree(path.join(dir, 'out'))).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(['out', 'specs']);
  });
});

describe('isGenerated: only the exact marker line', () => {
  const info = { version: '9.9.9', specFile: 'specs/x.yaml', inputHash: 'sha256:00' };

  it('recognises what header() and packageJson() write, nothing else', () => {
    expect(isGenerated('a.ts', header(info) + 'export {};\n')).toBe(true);
    expect(isGenerated('package.json', packageJson(info))).toBe(true);
    expect(isGenerated('a.ts', header(info).replace(/\n/g, '\r\n'))).toBe(true);
    // mentions of the marker text are not the marker
    expect(isGenerated('a.ts', `// My notes. Generated by openapi-security-codegen? No, by me.\nexport {};\n`)).toBe(false);
    expect(isGenerated('a.ts', `export {};\n${header(info)}`)).toBe(false);
    expect(isGenerated('a.ts', `/* Generated by openapi-security-codegen 1 from x. Do not edit: run \`npx codegen\` to regenerate. */\n`)).toBe(false);
    expect(isGenerated('notes.md', header(info))).toBe(false); // we only ever write .ts and package.json
    expect(isGenerated('package.json', `{\n  "name": "mine",\n  "description": "Generated by openapi-security-codegen 1 from x. Do not edit."\n}\n`)).toBe(false);
    expect(isGenerated('package.json', header(info))).toBe(false);
  });

  it('a user file that merely mentions the marker is not removed as stale, nor reported by check', async () => {
    expect((await gen('mention', '--server', 'koa')).code).toBe(0);
    const out = path.join(work, 'mention');
    const mine = {
      'notes.ts': '// Files marked "Generated by openapi-security-codegen" are rewritten; this one is mine.\nexport const a = 1;\n',
      'README.md': readFileSync(path.join(out, 'security.ts'), 'utf8').split('\n')[0] + '\n(copied header line, in a notes file)\n',
      'config.json': '{\n  "//": "Generated by openapi-security-codegen 0.1.0 from specs/petstore.yaml. Do not edit.",\n  "mine": true\n}\n',
    };
    for (const [name, text] of Object.entries(mine)) writeFileSync(path.join(out, name), text);
    const chk = await runCli(['check', '--spec', 'specs/petstore.yaml', '--out', 'mention', '--server', 'koa'], work);
    expect(chk.code).toBe(0);
    const r = await gen('mention', '--server', 'express');
    expect(r.code).toBe(0);
    const files = snapshotTree(out);
    expect(files['koa.ts']).toBeUndefined();
    for (const [name, text] of Object.entries(mine)) expect(files[name]).toBe(text);
  });
});
