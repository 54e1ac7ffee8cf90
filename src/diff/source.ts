// The two sides of `codegen diff`: a file, or `git:<ref>:<path>` read through
// `git show` so CI can compare with the base branch without checking it out.
// A spec may `$ref` sibling files, so the files it names are fetched too (per
// file, into a temporary folder with the repository's layout) and the normal
// loader resolves them as it would in a checkout.
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Diagnostic } from '../diagnostics/types.js';
import type { SecurityModel } from '../ir/types.js';
import { rereadWorkingFile, type SourceFile } from '../load/source-files.js';
import { buildModel } from '../pipeline.js';

export class SourceError extends Error {}

export interface GitSource {
  readonly ref: string;
  /** As the user wrote it (relative to the working directory). */
  readonly path: string;
}

/** `git:<ref>:<path>` -> parts; `undefined` for a plain file. Ref names cannot contain `:` (git-check-ref-format). */
export function parseGitSource(arg: string): GitSource | undefined {
  if (!arg.startsWith('git:')) return undefined;
  const rest = arg.slice(4);
  const colon = rest.indexOf(':');
  if (colon <= 0 || colon === rest.length - 1) throw new SourceError(`"${arg}": expected git:<ref>:<path>, e.g. git:origin/main:openapi.yaml`);
  const ref = rest.slice(0, colon);
  // A ref starting with `-` would reach git as an option (`--output=x`, `-O/etc/passwd`); no valid ref name does.
  if (ref.startsWith('-')) throw new SourceError(`"${arg}": the ref "${ref}" begins with "-"; git ref names cannot, and it is not passed to git`);
  return { ref, path: rest.slice(colon + 1) };
}

export interface LoadedSide {
  readonly label: string;
  readonly model: SecurityModel | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /**
   * A file this side's `Origin.file`s name: its path in the repository and its text
   * (for SARIF line numbers); `undefined` for a name that is not this side's. A
   * working-copy file is read again only when asked (through the loader's policy);
   * a `git:` side keeps what `git show` printed, already in memory.
   */
  source(file: string): Promise<SourceFile | undefined>;
}

export interface SideOptions {
  /** Absolute folders whose files `$ref`s may name, besides the spec's own folder (from the config). */
  readonly allowRefsOutside?: readonly string[];
}

/** Load one side of a diff into the security model. */
export async function loadSide(arg: string, cwd: string, options: SideOptions = {}): Promise<LoadedSide> {
  const git = parseGitSource(arg);
  if (!git) {
    const { model, diagnostics } = await buildModel(arg, cwd, { allowRefsOutside: options.allowRefsOutside });
    const policy = { spec: path.resolve(cwd, arg), allowRefsOutside: options.allowRefsOutside };
    const source = async (file: string): Promise<SourceFile | undefined> => (file.startsWith('git:') ? undefined : rereadWorkingFile(path.resolve(cwd, file), cwd, policy));
    return { label: arg, model, diagnostics, source };
  }
  return loadFromGit(arg, git, cwd, options.allowRefsOutside ?? []);
}

/** At most this many files are fetched for one spec (a guard against a runaway `$ref` walk). */
const MAX_FILES = 500;

async function loadFromGit(label: string, source: GitSource, cwd: string, allowRefsOutside: readonly string[]): Promise<LoadedSide> {
  const prefix = (await git(['rev-parse', '--show-prefix'], cwd, label)).trim();
  // The snapshot has the repository's layout, so a trusted folder of the working copy is
  // the same path below the snapshot's root (one outside the repository has nothing fetched).
  const top = allowRefsOutside.length > 0 ? await realpath((await git(['rev-parse', '--show-toplevel'], cwd, label)).trim()) : '';
  const realFolders = await Promise.all(allowRefsOutside.map((f) => realpath(f).catch(() => f)));
  const trusted = realFolders.map((f) => path.relative(top, f)).filter((r) => r !== '..' && !r.startsWith('..' + path.sep) && !path.isAbsolute(r));
  const entry = path.posix.normalize(prefix + source.path.split(path.sep).join('/'));
  if (entry.startsWith('../') || path.posix.isAbsolute(entry)) throw new SourceError(`${label}: the path must be inside the repository`);
  const root = await mkdtemp(path.join(os.tmpdir(), 'codegen-diff-'));
  try {
    const fetched = new Set<string>();
    const texts = new Map<string, string>();
    const queue = [entry];
    while (queue.length > 0 && fetched.size < MAX_FILES) {
      const file = queue.shift()!;
      if (fetched.has(file)) continue;
      fetched.add(file);
      let text: string;
      try {
        // --end-of-options: whatever the user wrote is an object name, never an option (git >= 2.24).
        text = await git(['show', '--end-of-options', `${source.ref}:${file}`], cwd, label);
      } catch (error) {
        // The spec itself must exist; a missing $ref target is left to the loader to report.
        if (file === entry) throw error;
        continue;
      }
      const target = path.join(root, ...file.split('/'));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, text);
      texts.set(file, text);
      for (const ref of externalRefs(text)) {
        const next = path.posix.normalize(path.posix.join(path.posix.dirname(file), ref));
        if (!next.startsWith('../') && !fetched.has(next)) queue.push(next);
      }
    }
    const { model, diagnostics } = await buildModel(entry, root, { allowRefsOutside: trusted.map((r) => path.join(root, r)) });
    const files = new Map([...fetched].map((f) => [f, f === entry ? label : `git:${source.ref}:${f}`]));
    const relabel = (file: string): string => files.get(file) ?? `git:${source.ref}:${file}`;
    const byLabel = new Map([...texts].map(([file, text]) => [relabel(file), { path: file, text }]));
    return {
      label,
      model: model ? relabelFiles(model, relabel) : undefined,
      diagnostics: diagnostics.map((d) => ({ ...d, file: relabel(d.file) })),
      source: async (file) => byLabel.get(file),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * Relative file parts of `$ref` values in YAML or JSON text. A textual scan is
 * enough here: fetching a file that turns out not to be needed is harmless, and a
 * file it misses is reported by the loader as an unresolved `$ref`.
 */
export function externalRefs(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/["']?\$ref["']?\s*:\s*["']?([^"'#\s,}]+)/g)) {
    const ref = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(ref) || ref.startsWith('/')) continue; // URLs and absolute paths are not in the tree
    try {
      out.add(decodeURI(ref));
    } catch {
      out.add(ref);
    }
  }
  return [...out];
}

/** Every `Origin.file` (and the model's `file`) rewritten, so messages name `git:<ref>:<path>`. */
function relabelFiles(model: SecurityModel, relabel: (file: string) => string): SecurityModel {
  const walk = (value: unknown, key: string | undefined): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v, undefined));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    }
    return key === 'file' && typeof value === 'string' ? relabel(value) : value;
  };
  return walk(model, undefined) as SecurityModel;
}

/**
 * A file (a path relative to `cwd`, as the user wrote it) at commit `ref`; `undefined`
 * when it is not in that commit. For side files such as the accept file.
 */
export async function gitShow(ref: string, file: string, cwd: string): Promise<string | undefined> {
  if (ref.startsWith('-')) return undefined;
  try {
    const prefix = (await git(['rev-parse', '--show-prefix'], cwd, file)).trim();
    const entry = path.posix.normalize(prefix + file.split(path.sep).join('/'));
    if (entry.startsWith('../') || path.posix.isAbsolute(entry)) return undefined;
    return await git(['show', '--end-of-options', `${ref}:${entry}`], cwd, file);
  } catch {
    return undefined;
  }
}

/** Runs git in `cwd`; a failure is a `SourceError` naming `label` and git's first line of complaint. */
export function git(args: readonly string[], cwd: string, label: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', [...args], { cwd, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed' : (stderr.trim().split('\n')[0] ?? error.message);
      reject(new SourceError(`cannot read ${label}: ${why}`));
    });
  });
}
