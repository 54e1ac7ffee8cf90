// Write stage: generated files are written in place, each one atomically, and
// nothing else in the output folder is touched.
//
// Why in place and not a folder swap (issue 15): rebuilding `<out>` in a sibling
// folder and renaming it over the old one had to copy every file of the user's into
// the new folder, which changes owners (to whoever runs the tool), splits hard links,
// gives every file a new inode, and loses any file created in `<out>` while the copy
// was being made. Now:
//   1. the whole run holds a lock beside the folder (`<out>.codegen.lock`, lock.ts):
//      two runs never write the same folder at once;
//   2. every generated file is first written to a sibling staging folder
//      `<out>.tmp-<pid>-<hex>`: a failure there (disk full, a bad path) leaves `<out>`
//      untouched;
//   3. each staged file is renamed over its place in `<out>` (atomic per file: a
//      reader sees the old or the new file, never half of one), then stale generated
//      files are unlinked. Should a rename fail, what was already replaced is put
//      back (best effort); a run killed during step 3 leaves a mix of old and new
//      generated files that `codegen check` reports and the next run completes.
// Files, folders and symlinks of the user's are never read for writing, copied, moved
// or re-created: their inode, owner, mode, times and hard links stay as they are,
// and so does anything that appears in `<out>` during the run. Files are recognised
// as ours by their first line (src/emit/plan.ts `isGenerated`).
import { randomBytes } from 'node:crypto';
import { lstatSync, promises as fs, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { FilePlan } from '../emit/plan.js';
import { lockOutput } from './lock.js';
import { exists, removeTree, scanTree, WriteError } from './tree.js';
import { hasRecovered, recoverOutput, type Recovery } from './recover.js';

export { readTree, scanTree, WriteError, type TreeEntry } from './tree.js';
export { hasRecovered, recoverOutput, type Recovery } from './recover.js';
export { lockOutput, lockPath } from './lock.js';

export interface WriteResult {
  readonly written: readonly string[];
  readonly removed: readonly string[];
  readonly unchanged: boolean;
  /** What was undone first of an interrupted earlier run (only when there was something). */
  readonly recovery?: Recovery;
}

/** Reject plans that would land outside `outDir` (absolute paths, `..`, empty names). */
export function assertInside(plans: readonly FilePlan[]): void {
  for (const p of plans) {
    const norm = path.posix.normalize(p.path);
    if (p.path === '' || path.isAbsolute(p.path) || norm.startsWith('../') || norm === '..' || norm !== p.path || p.path.includes('\\')) {
      throw new WriteError(`refusing to write "${p.path}": outside the output folder`);
    }
  }
}

/** An output folder that is the working directory, one of its ancestors or a root would mix the project with generated files. */
export function assertSafeOutDir(outDir: string, cwd: string): void {
  const abs = path.resolve(cwd, outDir);
  const rel = path.relative(abs, cwd);
  if (abs === path.parse(abs).root || rel === '' || !rel.startsWith('..')) {
    throw new WriteError(`refusing to use ${outDir} as output folder: it contains the working directory`);
  }
}


export interface WriteOptions {
  /** Write into an existing, non-empty folder that holds no generated file (`--force`). */
  readonly force?: boolean;
}

export async function writeOutput(outDir: string, plans: readonly FilePlan[], cwd: string = process.cwd(), options: WriteOptions = {}): Promise<WriteResult> {
  assertInside(plans);
  assertSafeOutDir(outDir, cwd);
  let abs = path.resolve(cwd, outDir);
  // `<out>` may be the user's symlink to the real folder: that folder is written, the link kept.
  // (Synchronous checks, as the scan and the lock: tree.ts. A folder that cannot be
  // examined is taken as missing here; the lock beside it then reports why.)
  if (statOrUndefined(lstatSync, abs)?.isSymbolicLink() === true) {
    abs = await fs.realpath(abs).catch(() => abs);
    assertSafeOutDir(abs, cwd);
  }
  const st = statOrUndefined(statSync, abs);
  if (st && !st.isDirectory()) throw new WriteError(`refusing to use ${outDir} as output folder: it is not a folder`);
  if (!st) await fs.mkdir(path.dirname(abs), { recursive: true }).catch(() => undefined);
  const unlock = await lockOutput(abs, outDir);
  try {
    return await writeLocked(abs, outDir, plans, cwd, options);
  } finally {
    await unlock();
  }
}

/** `lstatSync` / `statSync` of `p`, or undefined when that fails for any reason. */
function statOrUndefined(stat: typeof lstatSync, p: string): Stats | undefined {
  try {
    return stat(p);
  } catch {
    return undefined;
  }
}

async function writeLocked(abs: string, outDir: string, plans: readonly FilePlan[], cwd: string, options: WriteOptions): Promise<WriteResult> {
  const recovery = await recoverOutput(abs, cwd);
  const recovered = hasRecovered(recovery) ? { recovery } : {};
  const existing = await scanTree(abs);
  const isOurs = (rel: string): boolean => {
    const e = existing.get(rel);
    return e?.kind === 'file' && e.generated;
  };
  // `--out` at someone else's folder (a mistyped path, a shell-expanded `~`, another
  // project): nothing of ours is there, so writing would mix our files into theirs.
  if (!options.force && existing.size > 0 && ![...existing.keys()].some(isOurs)) {
    throw new WriteError(
      `refusing to write into ${outDir}: it is not empty and holds no file generated by this tool (another project's folder?); choose a new or empty folder, or pass --force to add the generated files beside what is there; nothing written`,
    );
  }
  const planned = new Map(plans.map((p) => [p.path, p.contents]));
  // A planned path taken by anything of the user's (a file, a symlink, a folder), or
  // below something that is not a plain folder (a symlink could lead outside).
  const clobbered = plans
    .filter((p) => {
      if (existing.has(p.path) && !isOurs(p.path)) return true;
      const parts = p.path.split('/');
      return parts.slice(0, -1).some((_, i) => {
        const e = existing.get(parts.slice(0, i + 1).join('/'));
        return e !== undefined && e.kind !== 'dir';
      });
    })
    .map((p) => p.path);
  if (clobbered.length > 0) {
    throw new WriteError(`refusing to overwrite ${clobbered.join(', ')} in ${outDir}: not generated by this tool (move it away or choose another --out)`);
  }
  const stale = [...existing.keys()].filter((p) => isOurs(p) && !planned.has(p));
  const changed = plans.filter((p) => {
    const e = existing.get(p.path);
    return e?.kind !== 'file' || !e.contents.equals(Buffer.from(p.contents, 'utf8'));
  });
  if (changed.length === 0 && stale.length === 0) return { written: [], removed: [], unchanged: true, ...recovered };

  // 2. Stage the changed files beside `<out>` (same filesystem, so step 3 is a rename).
  const tmp = `${abs}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const hadOld = await exists(abs);
  try {
    await fs.mkdir(tmp);
    for (const p of changed) {
      await fs.mkdir(path.dirname(path.join(tmp, p.path)), { recursive: true });
      await fs.writeFile(path.join(tmp, p.path), p.contents, { flag: 'wx' });
    }
  } catch (error) {
    await removeTree(tmp).catch(() => undefined);
    throw new WriteError(`cannot write ${outDir}: ${describeFsError(error, tmp, abs, outDir)}; ${hadOld ? `${outDir} left untouched` : 'nothing written'}`);
  }
  // 3. Put each file in place; on a failure, undo what was done (newest first).
  const undo: (() => Promise<void>)[] = [];
  try {
    await fs.mkdir(abs, { recursive: true });
    for (const p of changed) {
      const to = path.join(abs, p.path);
      await fs.mkdir(path.dirname(to), { recursive: true });
      const before = existing.get(p.path);
      await fs.rename(path.join(tmp, p.path), to);
      undo.push(before?.kind === 'file' ? () => putBack(to, before.contents, before.mode) : () => fs.rm(to, { force: true }));
    }
    for (const rel of stale) {
      const e = existing.get(rel);
      await fs.rm(path.join(abs, rel), { force: true });
      if (e?.kind === 'file') undo.push(() => putBack(path.join(abs, rel), e.contents, e.mode));
    }
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw new WriteError(`cannot write ${outDir}: ${describeFsError(error, tmp, abs, outDir)}; ${hadOld ? 'previous generated files put back' : 'nothing written'}`);
  } finally {
    await removeTree(tmp).catch(() => undefined);
  }
  return { written: changed.map((p) => p.path), removed: stale, unchanged: false, ...recovered };
}

/** Restore a generated file's previous contents and mode (atomically, through a sibling). */
async function putBack(file: string, contents: Buffer, mode: number): Promise<void> {
  const side = `${file}.codegen-undo-${process.pid}`;
  await fs.writeFile(side, contents, { mode });
  await fs.chmod(side, mode);
  await fs.rename(side, file);
}

/** An fs error in one line, with the temporary folder's name shown as the output folder's. */
function describeFsError(error: unknown, tmp: string, abs: string, outDir: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split(tmp).join(outDir).split(abs).join(outDir);
}

