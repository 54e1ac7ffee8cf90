// Where SARIF results go: each diagnostic or change's file and JSON pointer turned into
// a repository path, line and column, then the log (src/report/sarif.ts). The IO side
// of SARIF output: files are read again (working copy: through the loader's policy;
// `git:` sides: the text `git show` gave) and parsed for positions once each. The
// commands import this module only for `--format sarif`, so no other run loads the
// YAML parser.
import path from 'node:path';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Change } from '../diff/classes.js';
import type { DiffReport } from '../diff/render.js';
import type { LoadedSide } from '../diff/source.js';
import { joinPointer } from '../load/pointer.js';
import { indexPositions, type PositionIndex } from '../load/positions.js';
import { rereadWorkingFile, type RereadPolicy, type SourceFile } from '../load/source-files.js';
import { buildSarifLog, renderSarif, type LocatedChange, type LocatedDiagnostic, type SarifPlace } from './sarif.js';

/** Opens a file by the name results use for it (`Diagnostic.file`, `Origin.file`); `undefined`: not one it knows. */
export type SourceOpener = (file: string) => Promise<SourceFile | undefined>;

/**
 * Pointers to places, with each file opened and indexed at most once however many
 * results point into it.
 */
export class Places {
  private readonly files = new Map<string, Promise<{ readonly path: string; readonly index: PositionIndex | undefined }>>();

  constructor(private readonly open: SourceOpener) {}

  /**
   * The place of `pointer` in `file` (its nearest existing ancestor when it does not
   * exist). `known` (a syntax error's line and column) is used as it is. A file that
   * cannot be read is located at line 1, column 1: code scanning still shows the file.
   */
  async place(file: string, pointer: string, known?: { readonly line?: number | undefined; readonly column?: number | undefined }): Promise<SarifPlace> {
    const { path: repoPath, index } = await this.file(file);
    if (known?.line !== undefined) return { path: repoPath, line: known.line, column: known.column ?? 1 };
    // The root needs no parse.
    if (pointer === '' || !index) return { path: repoPath, line: 1, column: 1 };
    const { line, column } = index.locate(pointer);
    return { path: repoPath, line, column };
  }

  private file(file: string): Promise<{ readonly path: string; readonly index: PositionIndex | undefined }> {
    let pending = this.files.get(file);
    if (!pending) {
      pending = this.open(file).then((source) => ({
        // A name no opener knows keeps its path part: `git:<ref>:<path>` -> `<path>`.
        path: source?.path ?? file.replace(/^git:[^:]*:/, ''),
        index: source?.text !== undefined ? indexPositions(source.text) : undefined,
      }));
      this.files.set(file, pending);
    }
    return pending;
  }
}

/** Opens working-copy files named relative to `cwd`, each as a root file (regular, within the size limit). */
export function workingCopyOpener(cwd: string, policy?: Omit<RereadPolicy, 'spec'> & { readonly spec?: string }): SourceOpener {
  return async (file) => {
    if (file.startsWith('git:')) return undefined;
    const abs = path.resolve(cwd, file);
    return rereadWorkingFile(abs, cwd, { ...policy, spec: policy?.spec ?? abs });
  };
}

export async function locateDiagnostics(diagnostics: readonly Diagnostic[], places: Places): Promise<LocatedDiagnostic[]> {
  return Promise.all(diagnostics.map(async (diagnostic) => ({ diagnostic, place: await places.place(diagnostic.file, diagnostic.pointer, diagnostic) })));
}

export interface LintGroup {
  /** The target's spec (relative to `cwd`) and trusted folders: the policy its files are read again under. */
  readonly spec: string;
  readonly allowRefsOutside?: readonly string[] | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** `codegen lint --format sarif`: the diagnostics of every target, in order, as one SARIF log. */
export async function lintSarif(groups: readonly LintGroup[], cwd: string): Promise<string> {
  const located: LocatedDiagnostic[] = [];
  for (const group of groups) {
    const places = new Places(workingCopyOpener(cwd, { spec: path.resolve(cwd, group.spec), allowRefsOutside: group.allowRefsOutside }));
    located.push(...(await locateDiagnostics(group.diagnostics, places)));
  }
  return renderSarif(buildSarifLog({ category: 'lint', diagnostics: located }));
}

/**
 * The changes of one diff, located in the new version: a change at its `new` origin; a
 * change with only an `old` one (a removed operation) at the same pointer in the new
 * spec, which resolves to the nearest parent still there (`/paths/~1pets`, `/paths`).
 * Accepted changes also get the place of their accept file entry.
 */
export async function locateChanges(changes: readonly Change[], sides: readonly [LoadedSide, LoadedSide], cwd: string): Promise<LocatedChange[]> {
  const [before, after] = sides;
  const spec = new Places((file) => after.source(file));
  const accept = new Places(workingCopyOpener(cwd));
  const newSpec = after.model?.file ?? after.label;
  return Promise.all(
    changes.map(async (change) => {
      const place = change.new ? await spec.place(change.new.file, change.new.at) : await spec.place(newSpec, removedPointer(change, before.model?.file));
      const acceptedAt = change.accepted ? await accept.place(change.accepted.at.file, change.accepted.at.at) : undefined;
      return { change, place, ...(acceptedAt ? { acceptedAt } : {}) };
    }),
  );
}

/**
 * Where to look in the new spec for something only the old one has: the old pointer
 * when it names the operation in the old spec's own file; otherwise (a `$ref`'d path
 * item, a root `security` default) the operation's place under `/paths`.
 */
function removedPointer(change: Change, oldSpec: string | undefined): string {
  const old = change.old;
  if (old && old.file === oldSpec && old.at.startsWith('/paths/')) return old.at;
  return change.operation.method === '' ? '' : joinPointer('/paths', change.operation.path, change.operation.method);
}

/**
 * `codegen diff --format sarif`: the report's changes (and `problems`, e.g. accept-file
 * diagnostics, located in the working copy) as one SARIF log.
 */
export async function diffSarif(report: DiffReport, sides: readonly [LoadedSide, LoadedSide], cwd: string, problems: readonly Diagnostic[] = []): Promise<string> {
  const changes = await locateChanges(report.changes, sides, cwd);
  const diagnostics = await locateDiagnostics(problems, new Places(workingCopyOpener(cwd)));
  return renderSarif(buildSarifLog({ category: 'diff', diagnostics, changes }));
}
