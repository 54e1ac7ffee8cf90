// The writer through the real CLI (plus in-process fault injection): it never
// destroys or re-creates what it did not generate (symlinks, empty folders, file modes,
// owners, inodes, hard links, files that appear during a run), it undoes what an
// interrupted run left, a failure partway through leaves the previous folder
// byte-identical, a foreign folder needs --force, one run at a time holds the lock,
// and only the exact marker line makes a file ours.
import { chmodSync, chownSync, cpSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { header, isGenerated, packageJson } from '../../src/emit/plan.js';
import { generate } from '../../src/pipeline.js';
import { lockPath, WriteError, writeOutput } from '../../src/write/write.js';
import { REPO, runCli, snapshotTree } from '../helpers/cli.js';
import { tempDir } from '../helpers/spec-files.js';

// Every test runs the real CLI several times: slow on a loaded machine.
vi.setConfig({ testTimeout: 120_000 });

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

  it('check: writes nothing; an interrupted run\'s leftover is reported as drift (exit 1), and generate recovers', async () => {
    expect((await gen('crash-check')).code).toBe(0);
    const out = path.join(work, 'crash-check');
    const previous = fullTree(out);
    renameSync(out, `${out}.old-${DEAD}-00c0ffee`);
    const r = await runCli(['check', '--spec', 'specs/petstore.yaml', '--out', 'crash-check'], work);
    expect(r.stderr).toContain(`an interrupted run left crash-check.old-${DEAD}-00c0ffee (the previous output) and crash-check is missing; run \`npx codegen --spec specs/petstore.yaml --out crash-check\` to recover`);
    expect(r.code).toBe(1);
    expect(siblings('crash-check')).toEqual([`crash-check.old-${DEAD}-00c0ffee`]);
    expect((await gen('crash-check')).code).toBe(0);
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

  it('a user path too long to be copied anywhere is no obstacle: user files are never copied, moved or re-created', async () => {
    expect((await gen('fail')).code).toBe(0);
    const out = path.join(work, 'fail');
    writeFileSync(path.join(out, 'a-first.md'), 'user file');
    chmodSync(path.join(out, 'a-first.md'), 0o640);
    symlinkSync('a-first.md', path.join(out, 'a-link'));
    mkdirSync(path.join(out, 'b-empty'));
    // A user file whose path fits in `<out>` but would not in the longer `<out>.tmp-<pid>-<hex>` (PATH_MAX 4096).
    let dir = out;
    while (dir.length + 251 < 4083) dir = path.join(dir, 'd'.repeat(250));
    mkdirSync(dir, { recursive: true });
    const deep = path.join(dir, 'f'.repeat(4085 - dir.length - 1));
    writeFileSync(deep, 'deep');
    const mine = Object.entries(fullTree(out)).filter(([rel]) => !rel.endsWith('.ts') && rel !== 'package.json');
    const ino = statSync(deep).ino;
    const r = await gen('fail', '--server', 'express'); // a change
    expect(r.code).toBe(0);
    const after = fullTree(out);
    for (const [rel, v] of mine) expect(after[rel]).toBe(v);
    expect(statSync(deep).ino).toBe(ino);
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
      // the second file staged in `out.tmp-*` (the first one was written)
      if (String(args[0]).includes('.tmp-') && ++calls === 2) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      return real(...args);
    });
    await expect(writeOutput('out', next.files, dir)).rejects.toThrow(/cannot write out: ENOSPC[^\n]*; out left untouched$/);
    expect(calls).toBe(2);
    expect(fullTree(path.join(dir, 'out'))).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(['out', 'specs']);
  });
});

describe('writer: injected errors while putting files in place (in-process)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a rename that fails after another file was replaced puts the previous generated files back', async () => {
    const dir = tempDir('osc-inject-commit-');
    cpSync(path.join(REPO, 'specs'), path.join(dir, 'specs'), { recursive: true });
    await writeOutput('out', (await generate({ spec: 'specs/petstore.yaml', cwd: dir, server: ['koa'] })).files, dir);
    writeFileSync(path.join(dir, 'out/mine.md'), 'user file');
    const before = fullTree(path.join(dir, 'out'));
    const next = await generate({ spec: 'specs/petstore.yaml', cwd: dir, server: ['express'] });
    const real = fsp.rename.bind(fsp);
    let calls = 0;
    vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      if (String(from).includes('.tmp-') && ++calls === 2) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
      return real(from, to);
    });
    await expect(writeOutput('out', next.files, dir)).rejects.toThrow(/cannot write out: EIO[^\n]*; previous generated files put back$/);
    expect(fullTree(path.join(dir, 'out'))).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(['out', 'specs']);
  });

  it('files created in <out> while a run stages and places its files survive it', async () => {
    const dir = tempDir('osc-during-');
    cpSync(path.join(REPO, 'specs'), path.join(dir, 'specs'), { recursive: true });
    await writeOutput('out', (await generate({ spec: 'specs/petstore.yaml', cwd: dir, server: ['koa'] })).files, dir);
    const next = await generate({ spec: 'specs/petstore.yaml', cwd: dir, server: ['express'] });
    const out = path.join(dir, 'out');
    // Another process writes into <out> after the run scanned it: once the staging folder
    // exists, and again between placing two generated files.
    const realMkdir = fsp.mkdir.bind(fsp);
    vi.spyOn(fsp, 'mkdir').mockImplementation(async (p, o) => {
      if (/\.tmp-\d+-[0-9a-f]{8}$/.test(String(p))) writeFileSync(path.join(out, 'while-staging.md'), 'early');
      return realMkdir(p, o);
    });
    const realRename = fsp.rename.bind(fsp);
    let renames = 0;
    vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      const r = await realRename(from, to);
      if (String(from).includes('.tmp-') && ++renames === 1) {
        mkdirSync(path.join(out, 'late-dir'));
        writeFileSync(path.join(out, 'late-dir/while-swapping.txt'), 'late');
      }
      return r;
    });
    const w = await writeOutput('out', next.files, dir);
    expect(w.written.length).toBeGreaterThan(1);
    expect(readFileSync(path.join(out, 'while-staging.md'), 'utf8')).toBe('early');
    expect(readFileSync(path.join(out, 'late-dir/while-swapping.txt'), 'utf8')).toBe('late');
    expect(existsSync(path.join(out, 'koa.ts'))).toBe(false);
    expect(existsSync(path.join(out, 'express.ts'))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['out', 'specs']);
  });
});

const isRoot = process.getuid?.() === 0;
const OTHER_UID = 12345;

describe('writer: --out at a folder of someone else\'s files (issue 15)', () => {
  /** What must not change about a file of the user's. */
  const identity = (p: string) => {
    const st = lstatSync(p);
    return { ino: st.ino, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, nlink: st.nlink, mtime: st.mtimeMs, contents: readFileSync(p, 'latin1') };
  };

  it('a populated folder with no generated file is refused (exit 2, nothing written) without --force', async () => {
    const out = path.join(work, 'foreign');
    mkdirSync(path.join(out, 'src'), { recursive: true });
    writeFileSync(path.join(out, 'package.json'), '{\n  "name": "someone-else"\n}\n');
    writeFileSync(path.join(out, 'src/index.ts'), 'export const x = 1;\n');
    const before = fullTree(out);
    const r = await gen('foreign');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to write into foreign: it is not empty and holds no file generated by this tool');
    expect(r.stderr).toContain('--force');
    expect(r.stderr).not.toContain('internal error');
    expect(fullTree(out)).toEqual(before);
    expect(siblings('foreign')).toEqual([]);
    // an existing empty folder is fine
    mkdirSync(path.join(work, 'empty-out'));
    expect((await gen('empty-out')).code).toBe(0);
    expect(existsSync(path.join(work, 'empty-out/security.ts'))).toBe(true);
  });

  it('with --force the files are added and the folder\'s own files keep inode, owner, mode and hard links, also on later runs', async () => {
    const out = path.join(work, 'forced');
    mkdirSync(path.join(out, 'docs'), { recursive: true });
    const data = path.join(out, 'data.txt');
    writeFileSync(data, 'theirs\n');
    chmodSync(data, 0o640);
    linkSync(data, path.join(work, 'forced-hardlink.txt')); // a second name outside the folder: nlink 2
    writeFileSync(path.join(out, 'docs/notes.md'), 'notes\n');
    symlinkSync('data.txt', path.join(out, 'data-link'));
    if (isRoot) {
      chownSync(data, OTHER_UID, OTHER_UID);
      chownSync(path.join(out, 'docs'), OTHER_UID, OTHER_UID);
      chownSync(out, OTHER_UID, OTHER_UID);
    }
    const watched = ['data.txt', 'docs/notes.md'].map((rel) => path.join(out, rel));
    const before = watched.map(identity);
    const folder = (p: string) => ({ ino: lstatSync(p).ino, uid: lstatSync(p).uid, mode: lstatSync(p).mode & 0o7777 });
    const foldersBefore = [out, path.join(out, 'docs')].map(folder);
    expect(before[0]?.nlink).toBe(2);
    if (isRoot) expect(before[0]?.uid).toBe(OTHER_UID);

    const r = await gen('forced', '--server', 'koa', '--force');
    expect(r.code).toBe(0);
    expect(existsSync(path.join(out, 'koa.ts'))).toBe(true);
    expect(watched.map(identity)).toEqual(before);
    expect([out, path.join(out, 'docs')].map(folder)).toEqual(foldersBefore);
    expect(readlinkSync(path.join(out, 'data-link'))).toBe('data.txt');
    // Now the folder holds generated files: no --force needed, and a change (koa.ts stale) keeps them too.
    const again = await gen('forced', '--server', 'express');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('removed 1 stale');
    expect(existsSync(path.join(out, 'koa.ts'))).toBe(false);
    expect(watched.map(identity)).toEqual(before);
    expect([out, path.join(out, 'docs')].map(folder)).toEqual(foldersBefore);
    expect(statSync(path.join(work, 'forced-hardlink.txt')).ino).toBe(before[0]?.ino);
    expect(siblings('forced')).toEqual([]);
  });
});

describe('writer: one run at a time per output folder (issue 15)', () => {
  it('a lock held by a live process: exit 2 naming the folder and the pid, nothing written, the lock left alone', async () => {
    expect((await gen('locked-out', '--server', 'koa')).code).toBe(0);
    const out = path.join(work, 'locked-out');
    const before = fullTree(out);
    const lock = lockPath(out);
    writeFileSync(lock, `${process.pid}\n`); // this test worker: alive, and not the CLI's own pid
    const r = await gen('locked-out', '--server', 'express');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`another codegen is writing locked-out (pid ${process.pid})`);
    expect(r.stderr).not.toContain('internal error');
    expect(fullTree(out)).toEqual(before);
    expect(readFileSync(lock, 'utf8')).toBe(`${process.pid}\n`);
    rmSync(lock);
  });

  it('a stale lock (its process is gone) is taken over and removed', async () => {
    expect((await gen('stale-lock', '--server', 'koa')).code).toBe(0);
    writeFileSync(lockPath(path.join(work, 'stale-lock')), `${DEAD}\n`);
    const r = await gen('stale-lock', '--server', 'express');
    expect(r.code).toBe(0);
    expect(existsSync(path.join(work, 'stale-lock/express.ts'))).toBe(true);
    expect(siblings('stale-lock')).toEqual([]);
  });

  it('concurrent runs on one folder: each one either writes or exits 2 with the lock message, never an internal error', async () => {
    for (const round of [['koa'], ['express'], ['koa', 'express']]) {
      const runs = await Promise.all([0, 1, 2, 3].map(() => gen('race', '--server', round.join(','))));
      for (const r of runs) {
        expect(r.stderr).not.toContain('internal error');
        if (r.code !== 0) {
          expect(r.code).toBe(2);
          expect(r.stderr).toContain('another codegen is writing race');
        }
      }
      expect(runs.some((r) => r.code === 0)).toBe(true);
      expect(siblings('race')).toEqual([]);
      const chk = await runCli(['check', '--spec', 'specs/petstore.yaml', '--out', 'race', '--server', round.join(',')], work);
      expect(chk.code).toBe(0);
    }
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
