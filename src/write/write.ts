// Write stage: replace the output folder atomically. New files are written to a
// sibling temporary folder together with everything of the user's from the old one
// (files with their modes, symlinks as symlinks, folders even when empty), then the
// folders are swapped by rename, so a failed run leaves the previous output
// untouched. A run interrupted between the two renames is undone by the next one
// (`recoverOutput`). Files are recognised as ours by their first line.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isGenerated, type FilePlan } from '../emit/plan.js';
import { compareCodeUnits } from '../shared/order.js';

export class WriteError extends Error {}

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

/** An output folder that is the working directory, one of its ancestors or a root would swap away the project. */
export function assertSafeOutDir(outDir: string, cwd: string): void {
  const abs = path.resolve(cwd, outDir);
  const rel = path.relative(abs, cwd);
  if (abs === path.parse(abs).root || rel === '' || !rel.startsWith('..')) {
    throw new WriteError(`refusing to use ${outDir} as output folder: it contains the working directory`);
  }
}

/** One entry of an existing output folder, as found (symlinks are not followed). */
export type TreeEntry =
  | { readonly kind: 'dir'; readonly mode: number }
  | { readonly kind: 'file'; readonly mode: number; readonly generated: boolean; readonly contents: Buffer }
  | { readonly kind: 'symlink'; readonly target: string }
  | { readonly kind: 'other' };

/** Every entry under `dir` (not `dir` itself), relative and `/`-separated, parents before children. */
export async function scanTree(dir: string): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && rel === '') return;
      throw error;
    }
    entries.sort((a, b) => compareCodeUnits(a.name, b.name));
    for (const e of entries) {
      const relPath = rel === '' ? e.name : `${rel}/${e.name}`;
      const abs = path.join(dir, relPath);
      if (e.isSymbolicLink()) out.set(relPath, { kind: 'symlink', target: await fs.readlink(abs) });
      else if (e.isDirectory()) {
        out.set(relPath, { kind: 'dir', mode: (await fs.lstat(abs)).mode & 0o7777 });
        await walk(relPath);
      } else if (e.isFile()) {
        const contents = await fs.readFile(abs);
        const mode = (await fs.lstat(abs)).mode & 0o7777;
        out.set(relPath, { kind: 'file', mode, generated: isGenerated(relPath, contents.subarray(0, 2000).toString('utf8')), contents });
      } else out.set(relPath, { kind: 'other' });
    }
  };
  await walk('');
  return out;
}

/** Existing regular files under `dir`, relative and `/`-separated; generated ones flagged. */
export async function readTree(dir: string): Promise<Map<string, { generated: boolean; contents: Buffer }>> {
  const out = new Map<string, { generated: boolean; contents: Buffer }>();
  for (const [rel, e] of await scanTree(dir)) if (e.kind === 'file') out.set(rel, { generated: e.generated, contents: e.contents });
  return out;
}

// Sibling folders of one run: `<out>.tmp-<pid>-<hex>` (being built) and
// `<out>.old-<pid>-<hex>` (the previous output while the new one is renamed in).
const LEFTOVER = /^\.(tmp|old)-(\d+)-([0-9a-f]{8})$/;
/** A folder of a live run is never touched; after this long it is considered abandoned anyway (pid reuse). */
const ABANDONED_MS = 60 * 60 * 1000;

export interface Recovery {
  /** The leftover folder `<out>` was restored from (a run interrupted between its two renames). */
  readonly restored?: string;
  /** Leftover folders removed. */
  readonly removed: readonly string[];
  /** `.old-*` leftovers kept because they hold something of the user's that `<out>` lacks. */
  readonly kept: readonly string[];
}

/**
 * Undo what an interrupted run left beside `outDir`. When `outDir` is missing and a
 * `<out>.old-*` folder exists, the run died between renaming the previous output away
 * and renaming the new one in: the previous output is renamed back. Then leftovers of
 * dead runs are removed: `.tmp-*` folders (half-built; they hold only copies) and
 * `.old-*` folders whose user entries all exist, identical, in `<out>` (an output
 * that was already replaced). Folders of a run still going (its pid is alive and the
 * folder is less than an hour old) are left alone.
 */
export async function recoverOutput(outDir: string, cwd: string = process.cwd()): Promise<Recovery> {
  const abs = path.resolve(cwd, outDir);
  const parent = path.dirname(abs);
  const base = path.basename(abs);
  const shown = (name: string): string => path.relative(cwd, path.join(parent, name)).split(path.sep).join('/');
  let names: string[];
  try {
    names = await fs.readdir(parent);
  } catch {
    return { removed: [], kept: [] };
  }
  const leftovers: { name: string; kind: string; mtime: number }[] = [];
  for (const name of names.sort()) {
    const m = name.startsWith(base) ? LEFTOVER.exec(name.slice(base.length)) : null;
    if (!m) continue;
    let st;
    try {
      st = await fs.lstat(path.join(parent, name));
    } catch {
      continue;
    }
    if (!st.isDirectory()) continue;
    if (isLive(Number(m[2])) && Date.now() - st.mtimeMs < ABANDONED_MS) continue;
    leftovers.push({ name, kind: m[1] as string, mtime: st.mtimeMs });
  }
  let restored: string | undefined;
  if (!(await exists(abs))) {
    const newest = leftovers.filter((l) => l.kind === 'old').sort((x, y) => y.mtime - x.mtime)[0];
    if (newest) {
      try {
        await fs.rename(path.join(parent, newest.name), abs);
      } catch (error) {
        throw new WriteError(`cannot restore ${shown(base)} from ${shown(newest.name)} (left by an interrupted run): ${(error as Error).message}`);
      }
      restored = newest.name;
    }
  }
  const removed: string[] = [];
  const kept: string[] = [];
  const current = restored !== undefined || (await exists(abs)) ? await scanTree(abs) : new Map<string, TreeEntry>();
  for (const l of leftovers) {
    if (l.name === restored) continue;
    const dir = path.join(parent, l.name);
    if (l.kind === 'old' && !covers(current, await scanTree(dir))) {
      kept.push(shown(l.name));
      continue;
    }
    await removeTree(dir);
    removed.push(shown(l.name));
  }
  return { ...(restored === undefined ? {} : { restored: shown(restored) }), removed, kept };
}

/** Whether every user entry (not a generated file) of `old` exists, identical, in `current`. */
function covers(current: Map<string, TreeEntry>, old: Map<string, TreeEntry>): boolean {
  for (const [rel, e] of old) {
    if (e.kind === 'file' && e.generated) continue;
    const c = current.get(rel);
    if (!c || c.kind !== e.kind) return false;
    if (e.kind === 'file' && c.kind === 'file' && !e.contents.equals(c.contents)) return false;
    if (e.kind === 'symlink' && c.kind === 'symlink' && e.target !== c.target) return false;
  }
  return true;
}

/** `rm -rf`, also through folders the user made read-only (their copies keep the mode). */
async function removeTree(dir: string): Promise<void> {
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

export function hasRecovered(r: Recovery): boolean {
  return r.restored !== undefined || r.removed.length > 0 || r.kept.length > 0;
}

function isLive(pid: number): boolean {
  if (pid === process.pid) return false; // ours cannot exist yet: a dead run's pid reused
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function writeOutput(outDir: string, plans: readonly FilePlan[], cwd: string = process.cwd()): Promise<WriteResult> {
  assertInside(plans);
  assertSafeOutDir(outDir, cwd);
  let abs = path.resolve(cwd, outDir);
  // `<out>` may be the user's symlink to the real folder: that folder is replaced, the link kept.
  if (await fs.lstat(abs).then((st) => st.isSymbolicLink(), () => false)) {
    abs = await fs.realpath(abs).catch(() => abs);
    assertSafeOutDir(abs, cwd);
  }
  const recovery = await recoverOutput(abs, cwd);
  const recovered = hasRecovered(recovery) ? { recovery } : {};
  const existing = await scanTree(abs);
  const planned = new Map(plans.map((p) => [p.path, p.contents]));
  const isOurs = (rel: string): boolean => {
    const e = existing.get(rel);
    return e?.kind === 'file' && e.generated;
  };
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
  const changed = plans
    .filter((p) => {
      const e = existing.get(p.path);
      return e?.kind !== 'file' || !e.contents.equals(Buffer.from(p.contents, 'utf8'));
    })
    .map((p) => p.path);
  if (changed.length === 0 && stale.length === 0) return { written: [], removed: [], unchanged: true, ...recovered };
  // A FIFO, socket or device of the user's cannot be copied into the new folder: refuse rather than lose it.
  const special = [...existing.entries()].filter(([, e]) => e.kind === 'other').map(([p]) => p);
  if (special.length > 0) {
    throw new WriteError(`cannot keep ${special.join(', ')} in ${outDir}: not a file, folder or symlink (move it away); ${outDir} left untouched`);
  }

  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = `${abs}.tmp-${suffix}`;
  const old = `${abs}.old-${suffix}`;
  const hadOld = await exists(abs);
  try {
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await fs.mkdir(tmp);
    // The user's entries, as they are: folders (also empty ones) with their modes,
    // symlinks as symlinks (never followed), files with their modes and times.
    const dirs: string[] = [];
    for (const [rel, e] of existing) {
      if (isOurs(rel)) continue;
      const from = path.join(abs, rel);
      const to = path.join(tmp, rel);
      if (e.kind === 'dir') {
        await fs.mkdir(to);
        dirs.push(rel);
      } else if (e.kind === 'symlink') {
        await fs.symlink(e.target, to);
      } else if (e.kind === 'file') {
        await fs.writeFile(to, e.contents, { flag: 'wx' });
        await fs.chmod(to, e.mode);
        const st = await fs.stat(from);
        await fs.utimes(to, st.atime, st.mtime);
      }
    }
    for (const p of plans) {
      await fs.mkdir(path.dirname(path.join(tmp, p.path)), { recursive: true });
      await fs.writeFile(path.join(tmp, p.path), p.contents, { flag: 'wx' });
    }
    // Folder modes last: a read-only folder of the user's must still be filled first.
    for (const rel of dirs.reverse()) {
      const e = existing.get(rel);
      if (e?.kind === 'dir') await fs.chmod(path.join(tmp, rel), e.mode);
    }
    if (hadOld) await fs.chmod(tmp, (await fs.stat(abs)).mode & 0o7777);
  } catch (error) {
    await removeTree(tmp).catch(() => undefined);
    throw new WriteError(`cannot write ${outDir}: ${describeFsError(error, tmp, abs, outDir)}; ${hadOld ? `${outDir} left untouched` : 'nothing written'}`);
  }
  try {
    if (hadOld) await fs.rename(abs, old);
    try {
      await fs.rename(tmp, abs);
    } catch (error) {
      if (hadOld) await fs.rename(old, abs);
      throw error;
    }
  } catch (error) {
    await removeTree(tmp).catch(() => undefined);
    throw new WriteError(`cannot replace ${outDir}: ${describeFsError(error, tmp, abs, outDir)}`);
  }
  // The new output is in place; a previous copy that cannot be removed now is removed by the next run.
  if (hadOld) await removeTree(old).catch(() => undefined);
  return { written: changed, removed: stale, unchanged: false, ...recovered };
}

/** An fs error in one line, with the temporary folder's name shown as the output folder's. */
function describeFsError(error: unknown, tmp: string, abs: string, outDir: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split(tmp).join(outDir).split(abs).join(outDir);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}
