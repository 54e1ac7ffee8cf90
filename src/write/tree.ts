// The output folder as a tree: every entry with its kind and contents (files, with
// their modes and whether we generated them; symlinks as symlinks; folders), and the
// filesystem helpers the writer and the recovery share.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isGenerated } from '../emit/plan.js';
import { compareCodeUnits } from '../shared/order.js';

export class WriteError extends Error {}

/** One entry of an existing output folder, as found (symlinks are not followed). */
export type TreeEntry =
  | { readonly kind: 'dir'; readonly mode: number }
  | { readonly kind: 'file'; readonly mode: number; readonly generated: boolean; readonly contents: Buffer }
  | { readonly kind: 'symlink'; readonly target: string }
  | { readonly kind: 'other' };

/**
 * Every entry under `dir` (not `dir` itself), relative and `/`-separated, parents before
 * children. The entries of a folder are read concurrently (an output folder is dozens of
 * files, each a few system calls) and listed in name order; when reads fail, the
 * error is the first failure in that order, as a one-by-one scan would report.
 */
export async function scanTree(dir: string): Promise<Map<string, TreeEntry>> {
  const walk = async (rel: string): Promise<[string, TreeEntry][]> => {
    let entries;
    try {
      entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && rel === '') return [];
      throw error;
    }
    entries.sort((a, b) => compareCodeUnits(a.name, b.name));
    const read = async (e: (typeof entries)[number]): Promise<[string, TreeEntry][]> => {
      const relPath = rel === '' ? e.name : `${rel}/${e.name}`;
      const abs = path.join(dir, relPath);
      if (e.isSymbolicLink()) return [[relPath, { kind: 'symlink', target: await fs.readlink(abs) }]];
      if (e.isDirectory()) {
        const mode = (await fs.lstat(abs)).mode & 0o7777;
        return [[relPath, { kind: 'dir', mode }], ...(await walk(relPath))];
      }
      if (e.isFile()) {
        const [read, st] = await Promise.allSettled([fs.readFile(abs), fs.lstat(abs)]);
        if (read.status === 'rejected') throw read.reason;
        if (st.status === 'rejected') throw st.reason;
        const contents = read.value;
        return [[relPath, { kind: 'file', mode: st.value.mode & 0o7777, generated: isGenerated(relPath, contents.subarray(0, 2000).toString('utf8')), contents }]];
      }
      return [[relPath, { kind: 'other' }]];
    };
    return (await inOrder(entries.map(read))).flat();
  };
  return new Map(await walk(''));
}

/** Every value, in order; or the first rejection in order, once all have settled (none is left running). */
async function inOrder<T>(pending: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(pending);
  return settled.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
}

/** Existing regular files under `dir`, relative and `/`-separated; generated ones flagged. */
export async function readTree(dir: string): Promise<Map<string, { generated: boolean; contents: Buffer }>> {
  const out = new Map<string, { generated: boolean; contents: Buffer }>();
  for (const [rel, e] of await scanTree(dir)) if (e.kind === 'file') out.set(rel, { generated: e.generated, contents: e.contents });
  return out;
}

/** `rm -rf`, also through folders the user made read-only (their copies keep the mode). */
export async function removeTree(dir: string): Promise<void> {
  try {
    await fs.rm(dir, { recursive: true, force: true });
  } catch {
    const open = async (d: string): Promise<void> => {
      await fs.chmod(d, 0o700).catch(() => undefined);
      for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) if (e.isDirectory()) await open(path.join(d, e.name));
    };
    await open(dir);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}
