// Undoing an interrupted run: a killed run leaves its staging folder
// `<out>.tmp-<pid>-<hex>` beside the output; a run of a version that still swapped the
// whole folder (before issue 15) could also leave `<out>.old-<pid>-<hex>`, or `<out>`
// missing. The next `generate` restores the previous output and removes what is left,
// never touching the folders of a run that is still alive.
import { lstatSync, promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { exists, removeTree, scanTree, WriteError, type TreeEntry } from './tree.js';

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
  const leftovers = await deadLeftovers(parent, base);
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
  // `<out>` is read only to compare an `.old-*` leftover with it: with none (every run
  // but one after an interrupted pre-issue-15 version), the writer's own scan is the only one.
  let current: Map<string, TreeEntry> | undefined;
  const currentTree = async (): Promise<Map<string, TreeEntry>> => (current ??= restored !== undefined || (await exists(abs)) ? await scanTree(abs) : new Map<string, TreeEntry>());
  for (const l of leftovers) {
    if (l.name === restored) continue;
    const dir = path.join(parent, l.name);
    if (l.kind === 'old' && !covers(await currentTree(), await scanTree(dir))) {
      kept.push(shown(l.name));
      continue;
    }
    await removeTree(dir);
    removed.push(shown(l.name));
  }
  return { ...(restored === undefined ? {} : { restored: shown(restored) }), removed, kept };
}

interface Leftover {
  readonly name: string;
  readonly kind: string;
  readonly mtime: number;
}

/** The leftover folders of dead runs beside `<parent>/<base>`, by name. Reads only. */
async function deadLeftovers(parent: string, base: string): Promise<Leftover[]> {
  let names: string[];
  try {
    // Synchronous, as the tree scan (tree.ts): every run lists the parent folder.
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const leftovers: Leftover[] = [];
  for (const name of names.sort()) {
    const m = name.startsWith(base) ? LEFTOVER.exec(name.slice(base.length)) : null;
    if (!m) continue;
    let st;
    try {
      st = lstatSync(path.join(parent, name));
    } catch {
      continue;
    }
    if (!st.isDirectory()) continue;
    if (isLive(Number(m[2])) && Date.now() - st.mtimeMs < ABANDONED_MS) continue;
    leftovers.push({ name, kind: m[1] as string, mtime: st.mtimeMs });
  }
  return leftovers;
}

/**
 * What an interrupted run left beside `outDir`, without touching anything (for
 * `codegen check`, which writes nothing): the leftover folders, and the one
 * `recoverOutput` would restore `outDir` from when `outDir` is missing.
 */
export async function findLeftovers(outDir: string, cwd: string = process.cwd()): Promise<{ readonly restorable?: string; readonly leftovers: readonly string[] }> {
  const abs = path.resolve(cwd, outDir);
  const parent = path.dirname(abs);
  const shown = (name: string): string => path.relative(cwd, path.join(parent, name)).split(path.sep).join('/');
  const leftovers = await deadLeftovers(parent, path.basename(abs));
  const newestOld = (await exists(abs)) ? undefined : leftovers.filter((l) => l.kind === 'old').sort((x, y) => y.mtime - x.mtime)[0];
  return { ...(newestOld ? { restorable: shown(newestOld.name) } : {}), leftovers: leftovers.map((l) => shown(l.name)) };
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

