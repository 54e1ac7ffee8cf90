// `codegen diff <old> <new>`: classify the security changes between two spec
// versions (files or git:<ref>:<path>). Exit 1 when a change of a class named by
// --fail-on is found, 0 otherwise, 2 when either side cannot be read.
import { loadConfig, trustedRefFolders } from '../../config/config.js';
import { hasErrors } from '../../diagnostics/types.js';
import { CHANGE_CLASSES, compareModels, type ChangeClass } from '../../diff/compare.js';
import { renderJson, renderMarkdown, renderText } from '../../diff/render.js';
import { SourceError, loadSide } from '../../diff/source.js';
import { EXIT, UsageError, printDiagnostics, type Io } from '../io.js';

export interface DiffFlags {
  old: string;
  new: string;
  format: string;
  failOn: string;
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
  // diff compares files, not configured targets; the config (if any) only says which folders `$ref`s may reach.
  // diff compares files, often from a pull request: it reads only codegen.config.json
  // (data) for `allowRefsOutside`, never runs a .mjs/.js/.ts config (code).
  const { config, file } = await loadConfig(cwd, undefined, { jsonOnly: true });
  const allowRefsOutside = trustedRefFolders(config, cwd, file);
  const sides = [];
  for (const arg of [flags.old, flags.new]) {
    try {
      sides.push(await loadSide(arg, cwd, { allowRefsOutside }));
    } catch (error) {
      if (error instanceof SourceError) {
        io.err(`codegen: ${error.message}`);
        return EXIT.unusable;
      }
      throw error;
    }
  }
  let unusable = false;
  for (const side of sides) {
    printDiagnostics(io, side.diagnostics);
    if (!side.model || hasErrors(side.diagnostics)) {
      io.err(`codegen: ${side.label}: cannot be compared (fix the errors above)`);
      unusable = true;
    }
  }
  const [before, after] = sides;
  if (unusable || !before?.model || !after?.model) return EXIT.unusable;
  const report = { old: before.label, new: after.label, changes: compareModels(before.model, after.model) };
  io.out(flags.format === 'json' ? renderJson(report) : flags.format === 'markdown' ? renderMarkdown(report) : renderText(report));
  const failing = report.changes.filter((c) => failOn.includes(c.class));
  if (failing.length > 0) {
    io.err(`codegen diff: ${failing.length} change(s) of class ${[...new Set(failing.map((c) => c.class))].join(', ')} (--fail-on ${failOn.join(',')})`);
  }
  return failing.length > 0 ? EXIT.findings : EXIT.ok;
}
