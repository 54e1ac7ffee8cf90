// A spec file read again, after the load, for what the parsed document has lost: its
// text (to turn pointers into lines for SARIF) and its path inside the repository
// (code scanning names files from the repository's top level, whatever folder the
// command ran in). Only the SARIF output asks, so nothing here runs otherwise.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { displayPath, loadPolicy } from './load.js';
import { TIMED_OUT } from './read.js';

export interface SourceFile {
  /** `/`-separated, from the repository's top level (from the working directory outside a repository). */
  readonly path: string;
  /** The text; `undefined` when it cannot be read (any more). */
  readonly text: string | undefined;
}

export interface RereadPolicy {
  /** The spec the file belongs to (absolute): the reader's root, and where `$ref`'d files must be. */
  readonly spec: string;
  /** Folders (absolute, or relative to `cwd`) `$ref`'d files may be in, besides the spec's own. */
  readonly allowRefsOutside?: readonly string[] | undefined;
}

/**
 * A working-copy file read through the loader's own policy (`SafeReader`: a regular
 * file within the size limit; a `$ref`'d file inside the allowed folders), so a path a
 * result names can never make this read a FIFO, a device or a file the load refused.
 */
export async function rereadWorkingFile(absPath: string, cwd: string, policy: RereadPolicy): Promise<SourceFile> {
  const spec = path.resolve(cwd, policy.spec);
  const { reader, budget } = loadPolicy(spec, cwd, { allowRefsOutside: policy.allowRefsOutside });
  const read = await budget.run((signal) => (absPath === spec ? reader.readRoot(absPath, signal) : reader.readRef(absPath, signal)));
  const text = read !== TIMED_OUT && read.ok ? read.bytes.toString('utf8') : undefined;
  return { path: await repositoryPath(absPath, cwd), text };
}

/**
 * Where a working-copy file is in its repository: relative to the nearest folder above
 * it that holds `.git` (a folder, or a file in a worktree or submodule). No `git`
 * process: this runs once per file named by a result. Outside a repository, the
 * path as the user sees it (relative to `cwd`).
 */
export async function repositoryPath(absPath: string, cwd: string): Promise<string> {
  for (let dir = path.dirname(absPath); ; dir = path.dirname(dir)) {
    if (await exists(path.join(dir, '.git'))) return path.relative(dir, absPath).split(path.sep).join('/');
    if (path.dirname(dir) === dir) return displayPath(absPath, cwd);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}
