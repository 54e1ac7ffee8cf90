// The output folder's scan (src/write/tree.ts) against a file swapped for a FIFO between
// the folder's listing and the read of the file: the read must not block. node:fs is
// mocked in this file only, so that the swap happens right after the listing the scan
// itself makes (a real race would be too rare to hit).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../helpers/spec-files.js';

/**
 * When set, the next listing of this folder swaps `swap` (a name in it) for a FIFO before
 * returning, and starts a writer that opens the FIFO two seconds later: a scan that
 * blocks in its read is then released with that content (and fails the test) instead of
 * hanging the test run; a scan that does not block is done long before.
 */
const race: { folder?: string | undefined; swap?: string; writer?: ChildProcess } = {};

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const readdirSync = ((dir: string, options?: unknown) => {
    const entries = (fs.readdirSync as (d: string, o?: unknown) => unknown)(dir, options);
    if (race.folder !== undefined && path.resolve(String(dir)) === race.folder && race.swap !== undefined) {
      const file = path.join(race.folder, race.swap);
      race.folder = undefined;
      fs.unlinkSync(file);
      execFileSync('mkfifo', [file]);
      race.writer = spawn('sh', ['-c', 'sleep 2; echo late > "$0"', file], { stdio: 'ignore' });
    }
    return entries;
  }) as typeof fs.readdirSync;
  return { ...fs, default: { ...fs, readdirSync }, readdirSync };
});

const { scanTree } = await import('../../src/write/tree.js');

describe('output folder scan: a file swapped for a FIFO after the listing', () => {
  let dir: string | undefined;
  afterEach(() => {
    // The writer still waits to open the FIFO when the scan did not read it.
    race.writer?.kill('SIGKILL');
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('is not read (the scan returns at once) and counts as neither ours nor a regular file', async () => {
    dir = tempDir('osc-scan-race-');
    mkdirSync(path.join(dir, 'out'));
    const out = path.join(dir, 'out');
    writeFileSync(path.join(out, 'a.ts'), '// plain\n');
    writeFileSync(path.join(out, 'b.ts'), '// plain\n');
    race.folder = out;
    race.swap = 'b.ts';
    // Listed as a regular file, opened as a FIFO: a blocking read would wait for the
    // writer and read its "late" as the file's contents.
    const started = Date.now();
    const tree = await scanTree(out);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(lstatSync(path.join(out, 'b.ts')).isFIFO()).toBe(true);
    expect(tree.get('b.ts')).toEqual({ kind: 'other' });
    expect(tree.get('a.ts')).toMatchObject({ kind: 'file', generated: false });
    unlinkSync(path.join(out, 'b.ts'));
    expect(existsSync(path.join(out, 'b.ts'))).toBe(false);
  }, 10_000);
});
