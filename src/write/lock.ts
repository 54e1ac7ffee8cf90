// One writer per output folder: `<out>.codegen.lock` beside the folder, created
// exclusively (see `create`) and holding the writer's process id. A second run finds it and stops
// (exit 2) instead of racing the first one. A lock whose process is gone (killed,
// crashed) is stale and taken over. The lock is beside `<out>`, not in it, so it never
// shows up in the output nor in `codegen check`. Synchronous calls, as the tree scan
// (tree.ts): a handful of system calls, each cheaper than a trip through the thread pool.
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { WriteError } from './tree.js';

export const lockPath = (absOut: string): string => `${absOut}.codegen.lock`;

/** A lock file still empty this long after it was created belongs to a writer that died before writing its pid. */
const EMPTY_GRACE_MS = 10_000;

/**
 * Take the lock on `absOut`; resolves to the function that releases it.
 * Throws a WriteError naming the holder when another live run has it.
 */
export async function lockOutput(absOut: string, shown: string = absOut): Promise<() => Promise<void>> {
  const file = lockPath(absOut);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      create(file);
      return async () => {
        // Only our own lock is removed (a stale-lock takeover elsewhere cannot have replaced it while we live).
        if (readPid(file) === process.pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new WriteError(`cannot lock ${shown} (${file}): ${(error as Error).message}`);
      }
    }
    const holder = readPid(file);
    if (holder === undefined) continue; // released meanwhile: try again
    if (holder === 'empty') {
      const age = ageOf(file);
      if (age < EMPTY_GRACE_MS) throw busy(shown, file, undefined);
    } else if (isLive(holder)) {
      throw busy(shown, file, holder);
    }
    // Stale. Move it aside under a name of our own before deleting it, and check that
    // what we moved is still the stale lock: another run may have taken over and
    // created a fresh lock between our read and the rename.
    const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(file, aside);
    } catch {
      continue; // gone meanwhile
    }
    const moved = readPid(aside);
    if (moved !== holder && moved !== undefined) {
      // A live run's fresh lock: put it back (link fails if yet another run holds the name now).
      try {
        linkSync(aside, file);
      } catch {
        // (see above)
      }
      rmSync(aside, { force: true });
      throw busy(shown, file, typeof moved === 'number' ? moved : undefined);
    }
    rmSync(aside, { force: true });
  }
  throw busy(shown, file, undefined);
}

/**
 * Create `file` holding our pid, failing with EEXIST when it exists. The pid is written
 * to a private file (`wx`) that is then hard-linked to the lock's name (link(2) never
 * replaces an existing name), so nobody ever reads a lock without its pid in it.
 */
function create(file: string): void {
  const own = `${file}.${process.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSync(own, `${process.pid}\n`, { flag: 'wx' });
  try {
    linkSync(own, file);
  } finally {
    rmSync(own, { force: true });
  }
}

/** How long ago `file` was last modified (0 when it is gone). */
function ageOf(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function busy(shown: string, file: string, pid: number | undefined): WriteError {
  return new WriteError(`another codegen is writing ${shown}${pid === undefined ? '' : ` (pid ${pid})`}; try again when it has finished (or remove ${file} if no codegen is running)`);
}

/** The pid in a lock file; 'empty' for a lock just created (or unreadable junk), undefined when there is none. */
function readPid(file: string): number | 'empty' | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : 'empty';
}

function isLive(pid: number): boolean {
  if (pid === process.pid) return false; // not ours (we do not hold it): a dead run's pid reused
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
