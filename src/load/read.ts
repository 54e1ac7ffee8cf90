// Reading spec files safely: the root spec and every file a needed `$ref` names.
// A spec is untrusted input (it may come from a pull request), and a `$ref` can name
// any path: `/dev/zero` (endless), a FIFO (blocks forever on open), `/etc/passwd` or
// `/proc/self/environ` (secrets that could end up in messages). So a file is read
// only when it is a regular file of at most `maxBytes`, inside the allowed folders
// (after resolving symlinks), and all reading and parsing of one load shares one
// time budget.
import { closeSync, constants, fstatSync, lstatSync, openSync, promises as fs, readSync, realpathSync, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** No spec file larger than this is read (the largest public specs are a few MB). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Reading and parsing the root file and every `$ref`'d file of one load, in total. */
export const LOAD_TIMEOUT_MS = 30_000;

export interface LoadLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

export const DEFAULT_LIMITS: LoadLimits = { maxBytes: MAX_FILE_BYTES, timeoutMs: LOAD_TIMEOUT_MS };

/**
 * Why a file was not read. `refused`: policy forbids reading it (not a regular file,
 * too large, outside the allowed folders); `reason` completes "file X ...", e.g.
 * "is not a regular file (a FIFO)". `missing`: no such file. `unreadable`: the system
 * refused; `reason` is its error code (EACCES, ELOOP, ...).
 */
export interface ReadFailure {
  readonly ok: false;
  readonly kind: 'missing' | 'refused' | 'unreadable';
  readonly reason: string;
}

export type ReadResult = { readonly ok: true; readonly bytes: Buffer } | ReadFailure;

/** What `LoadBudget.run` returns when the budget is spent. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * One time budget for a whole load. Only time spent in `run` (reading and parsing
 * files) counts: `$ref`s are followed lazily during normalize, and normalize's own
 * work on a large spec must not eat into the loader's budget.
 */
export class LoadBudget {
  private spent = 0;
  constructor(readonly limitMs: number) {}

  async run<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T | typeof TIMED_OUT> {
    const remaining = this.limitMs - this.spent;
    if (remaining <= 0) return TIMED_OUT;
    const controller = new AbortController();
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    let expired = false;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => {
        expired = true;
        resolve(TIMED_OUT);
      }, remaining);
    });
    try {
      const result = await Promise.race([task(controller.signal), timeout]);
      // Parsing is synchronous, so the timer cannot interrupt it: check afterwards too.
      return performance.now() - started > remaining ? TIMED_OUT : result;
    } finally {
      clearTimeout(timer);
      // Tells a read still in progress to stop at its next chunk and close its file.
      controller.abort();
      // A timer can fire a fraction of a millisecond before `performance.now()` says the
      // time is up: once it has fired, the budget is spent, whatever the clock adds up to.
      this.spent = expired ? this.limitMs : this.spent + (performance.now() - started);
    }
  }
}

/** Reads files under one policy: the allowed folders (for `$ref` targets) and the size limit. */
export class SafeReader {
  private allowed: Promise<string[]> | undefined;

  /**
   * @param folders Folders `$ref` targets must be inside (the root spec's folder and
   *   the configured `allowRefsOutside` ones), absolute; resolved with realpath on first use.
   */
  constructor(
    private readonly folders: readonly string[],
    readonly limits: LoadLimits,
  ) {}

  /** The root spec: any folder, but the same file checks. */
  readRoot(absPath: string, signal: AbortSignal): Promise<ReadResult> {
    return this.read(absPath, false, signal);
  }

  /** A `$ref` target: also must be inside the allowed folders. */
  readRef(absPath: string, signal: AbortSignal): Promise<ReadResult> {
    return this.read(absPath, true, signal);
  }

  /** The allowed folders after realpath; folders that do not exist allow nothing. */
  allowedFolders(): Promise<string[]> {
    this.allowed ??= Promise.all(this.folders.map((f) => fs.realpath(f).catch(() => undefined))).then((list) => [...new Set(list.filter((f): f is string => f !== undefined))]);
    return this.allowed;
  }

  private async read(absPath: string, contained: boolean, signal: AbortSignal): Promise<ReadResult> {
    // Outside every allowed folder as written: refused without touching the file system,
    // so a spec cannot even probe whether some path exists.
    if (contained && !this.folders.some((f) => isInside(f, absPath)) && !(await this.allowedFolders()).some((f) => isInside(f, absPath))) return OUTSIDE;
    let real: string;
    try {
      // realpath first: the checks below must be about the file that would be opened, not a symlink to it.
      real = await fs.realpath(absPath);
    } catch (error) {
      return systemFailure(error);
    }
    if (contained) {
      const folders = await this.allowedFolders();
      if (!folders.some((folder) => isInside(folder, real))) return OUTSIDE;
    }
    let st: Stats;
    try {
      // stat before open: opening a FIFO blocks, and opening some devices has side effects.
      st = await fs.stat(real);
    } catch (error) {
      return systemFailure(error);
    }
    const before = this.checkStats(st);
    if (before) return before;
    let handle: FileHandle;
    try {
      // O_NONBLOCK: should the path be swapped for a FIFO after the stat, open still returns at once.
      handle = await fs.open(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0));
    } catch (error) {
      return systemFailure(error);
    }
    try {
      const opened = await handle.stat();
      if (opened.dev !== st.dev || opened.ino !== st.ino) return { ok: false, kind: 'refused', reason: 'was replaced while being read' };
      const after = this.checkStats(opened);
      if (after) return after;
      return await this.readBounded(handle, opened.size, signal);
    } catch (error) {
      return systemFailure(error);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  private checkStats(st: Stats): ReadFailure | undefined {
    return checkRegular(st, this.limits.maxBytes);
  }

  /**
   * Reads at most `maxBytes + 1` bytes whatever the size said: a file growing underneath
   * cannot exhaust memory. The bytes land in one buffer sized from the stat (plus one
   * byte to see the end), so a file that keeps its size is never copied; reads stay at
   * most 1 MiB each, so a stop (time limit) is seen between them.
   */
  private async readBounded(handle: FileHandle, size: number, signal: AbortSignal): Promise<ReadResult> {
    const cap = this.limits.maxBytes + 1;
    // Never tiny: /proc files say 0.
    let buffer = Buffer.allocUnsafe(Math.min(Math.max(size + 1, 64 * 1024), cap));
    let total = 0;
    for (;;) {
      if (signal.aborted) return { ok: false, kind: 'unreadable', reason: 'stopped (time limit)' };
      if (total === buffer.length) {
        // Grew past its stat: double the buffer, up to the cap.
        const larger = Buffer.allocUnsafe(Math.min(buffer.length * 2, cap));
        buffer.copy(larger, 0, 0, total);
        buffer = larger;
      }
      const want = Math.min(buffer.length - total, 1024 * 1024);
      const { bytesRead } = await handle.read(buffer, total, want, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total >= cap) return { ok: false, kind: 'refused', reason: `grew larger than ${formatBytes(this.limits.maxBytes)} while being read` };
    }
    return { ok: true, bytes: buffer.subarray(0, total) };
  }
}

/** The file policy shared by every reader: a regular file of at most `maxBytes`. */
function checkRegular(st: Stats, maxBytes: number): ReadFailure | undefined {
  if (!st.isFile()) return { ok: false, kind: 'refused', reason: `is not a regular file (${fileKind(st)})` };
  if (st.size > maxBytes) return { ok: false, kind: 'refused', reason: `is larger than ${formatBytes(maxBytes)} (${st.size} bytes)` };
  return undefined;
}

/**
 * Synchronous read of a file that must be a regular file directly inside `folder`
 * (no symlink, not even one pointing inside; no device or FIFO; at most `maxBytes`).
 * For files a user's configuration names, such as `--templates` overrides, which the
 * emit stage reads synchronously. Same policy as `SafeReader`, stricter on symlinks.
 */
export function readContainedFileSync(folder: string, absPath: string, maxBytes: number): ReadResult {
  let lst: Stats;
  try {
    // lstat: a symlink is refused whatever it points to (/proc/self/environ, /etc/passwd, ...).
    lst = lstatSync(absPath);
  } catch (error) {
    return systemFailure(error);
  }
  if (lst.isSymbolicLink()) return { ok: false, kind: 'refused', reason: 'is a symbolic link (only regular files are read)' };
  const before = checkRegular(lst, maxBytes);
  if (before) return before;
  try {
    const realFolder = realpathSync(folder);
    if (!isInside(realFolder, realpathSync(absPath))) return { ok: false, kind: 'refused', reason: 'is outside its folder' };
  } catch (error) {
    return systemFailure(error);
  }
  let fd: number;
  try {
    fd = openSync(absPath, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    return systemFailure(error);
  }
  try {
    const opened = fstatSync(fd);
    if (opened.dev !== lst.dev || opened.ino !== lst.ino) return { ok: false, kind: 'refused', reason: 'was replaced while being read' };
    const after = checkRegular(opened, maxBytes);
    if (after) return after;
    const cap = maxBytes + 1;
    let buf = Buffer.allocUnsafe(Math.min(cap, Math.max(opened.size + 1, 64 * 1024)));
    let total = 0;
    for (;;) {
      if (total >= cap) return { ok: false, kind: 'refused', reason: `grew larger than ${formatBytes(maxBytes)} while being read` };
      if (total === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(Math.min(cap - total, buf.length))]);
      const n = readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
    }
    return { ok: true, bytes: buf.subarray(0, total) };
  } catch (error) {
    return systemFailure(error);
  } finally {
    closeSync(fd);
  }
}

const OUTSIDE: ReadFailure = { ok: false, kind: 'refused', reason: 'is outside the spec\'s folder; to allow it, add its folder to "allowRefsOutside" in the config' };

/** `child` is `folder` itself or below it (both real paths). */
export function isInside(folder: string, child: string): boolean {
  const rel = path.relative(folder, child);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel));
}

function systemFailure(error: unknown): ReadFailure {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, kind: 'missing', reason: 'not found' };
  return { ok: false, kind: 'unreadable', reason: code ?? String((error as Error).message ?? error) };
}

function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a file';
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}
