// `codegen diff <old> <new>`: classify the security changes between two spec
// versions (files or git:<ref>:<path>). Exit 1 when a change of a class named by
// --fail-on is found that no accept file entry covers, or an accept entry expired or
// matches nothing; 0 otherwise; 2 when either side or the accept file cannot be read.
import { hasErrors } from '../../diagnostics/types.js';
import { CHANGE_CLASSES, type ChangeClass } from '../../diff/compare.js';
import { renderJson, renderMarkdown, renderText } from '../../diff/render.js';
import { acceptProblems, failingChanges, inheritedNotes, runDiffSession } from '../../diff/session.js';
import { SourceError } from '../../diff/source.js';
import { EXIT, UsageError, printDiagnostics, type Io } from '../io.js';

export interface DiffFlags {
  old: string;
  new: string;
  format: string;
  failOn: string;
  /** The accept file; default: the config's `accept`. */
  accept?: string | undefined;
}

export function parseFailOn(value: string): ChangeClass[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 1 && items[0] === 'none') return [];
  if (items.length === 1 && items[0] === 'any') return [...CHANGE_CLASSES];
  for (const item of items) {
    if (!(CHANGE_CLASSES as readonly string[]).includes(item)) throw new UsageError(`--fail-on: unknown class "${item}" (expected a comma list of ${CHANGE_CLASSES.join(', ')}, or none, or any)`);
  }
  return items as ChangeClass[];
}

export async function runDiff(flags: DiffFlags, io: Io, cwd: string): Promise<number> {
  const failOn = parseFailOn(flags.failOn);
  let session;
  try {
    session = await runDiffSession(flags.old, flags.new, cwd, flags.accept !== undefined ? { accept: flags.accept } : {});
  } catch (error) {
    if (error instanceof SourceError) {
      io.err(`codegen: ${error.message}`);
      return EXIT.unusable;
    }
    throw error;
  }
  for (const side of session.sides) {
    printDiagnostics(io, side.diagnostics);
    if (!side.model) io.err(`codegen: ${side.label}: cannot be compared (fix the errors above)`);
  }
  if (!session.ok) {
    printDiagnostics(io, session.diagnostics);
    if (session.sides[1]?.model) io.err(`codegen: ${session.sides[1].label}: cannot be compared (fix the errors above)`);
    return EXIT.unusable;
  }
  const { report } = session;
  const problems = session.acceptance ? acceptProblems([session.acceptance]) : [];
  printDiagnostics(io, problems);
  for (const line of inheritedNotes(session.acceptance)) io.err(`codegen: ${line}`);
  if (flags.format === 'sarif') {
    // Loaded only for SARIF: it brings the YAML parser that turns pointers into lines.
    const { diffSarif } = await import('../../report/sarif-locate.js');
    io.out(await diffSarif(report, session.sides, cwd, problems));
  } else io.out(flags.format === 'json' ? renderJson(report, problems) : flags.format === 'markdown' ? renderMarkdown(report) : renderText(report));
  const failing = failingChanges(report.changes, failOn);
  if (failing.length > 0) {
    io.err(`codegen diff: ${failing.length} change(s) of class ${[...new Set(failing.map((c) => c.class))].join(', ')} (--fail-on ${failOn.join(',')})`);
  }
  if (problems.length > 0) io.err(`codegen diff: ${problems.length} problem(s) in the accept file ${session.acceptance?.file ?? ''}`);
  return failing.length > 0 || problems.length > 0 ? EXIT.findings : EXIT.ok;
}
