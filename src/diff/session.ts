// One `codegen diff` run as data, shared by the `diff` and `ci` commands: read the JSON
// config (never a code config unless named: the spec under review may come from a pull
// request), the accept file (and, when the old side is a git commit, that commit's
// accept file, whose entries are inherited and cover nothing), both sides; compare; mark
// accepted changes. Which accept entries matched nothing is decided by the caller, over
// every spec it diffs (`ci` diffs several against one accept file).
import path from 'node:path';
import { loadConfig, trustedRefFolders } from '../config/config.js';
import { hasErrors, type Diagnostic } from '../diagnostics/types.js';
import { applyAccept, inheritedNote, loadAcceptFile, parseAcceptFile, sortEntries, unmatched, utcDate, type AcceptEntry, type SortedEntries } from './accept.js';
import { compareModels, type Change, type ChangeClass } from './compare.js';
import type { DiffReport } from './render.js';
import { gitShow, loadSide, parseGitSource, type LoadedSide } from './source.js';

export interface DiffOptions {
  /** The accept file (relative to `cwd`); default: the config's `accept` (relative to the config file). `false`: none. */
  readonly accept?: string | false | undefined;
  /** The config file `--config` named (else `codegen.config.json` if there is one). */
  readonly config?: string | undefined;
  /** Today (UTC `YYYY-MM-DD`), for expiry; default the clock's. */
  readonly today?: string;
}

export interface Acceptance {
  /** The accept file, as shown (relative to `cwd`). */
  readonly file: string;
  readonly entries: SortedEntries;
  /** The live entries that covered a change of this diff. */
  readonly used: ReadonlySet<AcceptEntry>;
  /** The commit inherited entries come from (the old side's ref). */
  readonly base?: string;
}

export type DiffSession =
  | { readonly ok: false; readonly sides: readonly LoadedSide[]; readonly diagnostics: readonly Diagnostic[] }
  | {
      readonly ok: true;
      readonly sides: readonly [LoadedSide, LoadedSide];
      readonly report: DiffReport;
      readonly acceptance?: Acceptance;
    };

/**
 * Both sides loaded and compared. `ok: false` when either side or the accept file is
 * unusable (exit 2); `SourceError` (a bad `git:` argument) and `ConfigError` are thrown.
 * An old side with errors is still compared when it could be read at all (a fix of a
 * broken base must be able to pass); its diagnostics are the caller's to print.
 */
export async function runDiffSession(oldArg: string, newArg: string, cwd: string, options: DiffOptions = {}): Promise<DiffSession> {
  const { config, file } = await loadConfig(cwd, options.config, { jsonOnly: options.config === undefined });
  const allowRefsOutside = trustedRefFolders(config, cwd, file);
  const today = options.today ?? utcDate(new Date());
  const acceptPath = options.accept === false ? undefined : (options.accept ?? acceptOfConfig(config.accept, file, cwd));
  const accept = acceptPath !== undefined ? loadAcceptFile(acceptPath, cwd, today) : undefined;
  const sides: LoadedSide[] = [];
  for (const arg of [oldArg, newArg]) sides.push(await loadSide(arg, cwd, { allowRefsOutside }));
  const [before, after] = sides;
  const unusable = !before?.model || !after?.model || hasErrors(after.diagnostics);
  if (unusable || !before?.model || !after?.model || (accept && !accept.ok)) {
    return { ok: false, sides, diagnostics: accept && !accept.ok ? accept.diagnostics : [] };
  }
  const changes = compareModels(before.model, after.model);
  if (!accept) return { ok: true, sides: [before, after], report: { old: before.label, new: after.label, changes } };
  const base = parseGitSource(oldArg)?.ref;
  const baseEntries = base !== undefined ? await acceptAt(base, acceptPath!, cwd) : undefined;
  const entries = sortEntries(accept.entries, today, baseEntries);
  const applied = applyAccept(changes, entries.live, newArg);
  return {
    ok: true,
    sides: [before, after],
    report: { old: before.label, new: after.label, changes: applied.changes },
    acceptance: { file: acceptPath!.split(path.sep).join('/'), entries, used: applied.used, ...(base !== undefined ? { base } : {}) },
  };
}

/** The accept file a diff uses (relative to `cwd`): `accept` as given, else the config's `accept`. */
export async function acceptFileFor(cwd: string, accept?: string | false, configFile?: string): Promise<string | undefined> {
  if (accept === false) return undefined;
  if (accept !== undefined) return accept;
  const { config, file } = await loadConfig(cwd, configFile, { jsonOnly: configFile === undefined });
  return acceptOfConfig(config.accept, file, cwd);
}

function acceptOfConfig(accept: string | undefined, configFile: string | undefined, cwd: string): string | undefined {
  return accept !== undefined ? path.relative(cwd, path.resolve(configFile ? path.dirname(configFile) : cwd, accept)) : undefined;
}

/** The accept file's entries at commit `ref`: none when it is missing or malformed there. */
async function acceptAt(ref: string, acceptPath: string, cwd: string): Promise<readonly AcceptEntry[]> {
  const text = await gitShow(ref, acceptPath, cwd);
  if (text === undefined) return [];
  // No date bound for the old version: its entries are only compared with the new ones, never applied.
  const parsed = parseAcceptFile(text, acceptPath, undefined);
  return parsed.ok ? parsed.entries : [];
}

/** The changes that fail the diff: of a `failOn` class and not accepted. */
export function failingChanges(changes: readonly Change[], failOn: readonly ChangeClass[]): Change[] {
  return changes.filter((c) => failOn.includes(c.class) && c.accepted === undefined);
}

/**
 * The accept file's errors over a set of diffs made with it: expired entries, and live
 * entries that covered a change in none of them.
 */
export function acceptProblems(acceptances: readonly Acceptance[]): Diagnostic[] {
  const first = acceptances[0];
  if (first === undefined) return [];
  const used = new Set(acceptances.flatMap((a) => [...a.used]));
  return [...first.entries.expired, ...unmatched(first.entries.live, used)];
}

/** Lines saying which entries were inherited from the base and should be removed. */
export function inheritedNotes(acceptance: Acceptance | undefined): string[] {
  if (acceptance?.base === undefined) return [];
  return acceptance.entries.inherited.map((e) => inheritedNote(e, acceptance.base!));
}
