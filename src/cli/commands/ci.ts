// `codegen ci`: the pull-request gate the GitHub Action (action.yml) wraps, kept here
// so it is tested code and the Action stays a thin shell. For every configured spec:
// `check` (is the committed output what the spec generates?) and `diff` of the spec at
// `--base` against the working tree (with the accept file); then a Markdown report
// appended to `--summary` (GITHUB_STEP_SUMMARY) and one SARIF log to `--sarif`.
// Exit 1 when the output drifted, a change of a `--fail-on` class is not accepted, or
// an accept entry expired or matches nothing; 2 when something cannot be read.
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hasErrors, type Diagnostic } from '../../diagnostics/types.js';
import { countByClass, renderMarkdown, type DiffReport } from '../../diff/render.js';
import { loadAcceptFile, sortEntries, utcDate } from '../../diff/accept.js';
import { acceptFileFor, acceptProblems, failingChanges, inheritedNotes, runDiffSession, type DiffSession } from '../../diff/session.js';
import { SourceError, git, gitShow } from '../../diff/source.js';
import { formatDiagnostic } from '../../diagnostics/render.js';
import { mdCode, mdText } from '../../report/escape.js';
import { EXIT, printDiagnostics, type Io } from '../io.js';
import { targetsFrom, type TargetFlags } from '../targets.js';
import { runCheck } from './check.js';
import { parseFailOn } from './diff.js';

export interface CiFlags extends TargetFlags {
  /** The git ref or commit the specs are compared against. */
  base: string;
  failOn: string;
  /** Append the Markdown report here (GitHub's job summary file). */
  summary?: string | undefined;
  /** Write the SARIF log here. */
  sarif?: string | undefined;
  accept?: string | undefined;
  /** Told apart in code scanning from other runs of the gate (e.g. one per service folder). */
  category?: string | undefined;
}

interface CheckResult {
  readonly exit: number;
  readonly text: string;
}

interface SpecResult {
  readonly spec: string;
  readonly out: string;
  /** `undefined`: the spec is new (not in the base commit). */
  readonly diff?: DiffSession;
  readonly failing: number;
}

export async function runCi(flags: CiFlags, io: Io, cwd: string): Promise<number> {
  const failOn = parseFailOn(flags.failOn);
  const base = await resolveBase(flags.base, cwd);
  if (typeof base !== 'string') {
    io.err(`codegen ci: --base ${JSON.stringify(flags.base)}: ${base.error}`);
    return EXIT.unusable;
  }
  const targets = await targetsFrom(flags, cwd, true);
  // A malformed accept file is bad input even when no spec has a base version to diff.
  const acceptFile = await acceptFileFor(cwd, flags.accept, flags.config);
  const accept = acceptFile !== undefined ? loadAcceptFile(acceptFile, cwd) : undefined;
  if (accept && !accept.ok) {
    printDiagnostics(io, accept.diagnostics);
    return EXIT.unusable;
  }
  // `check` with the very flags given (so it reads the same config), over every target.
  const lines: string[] = [];
  const capture: Io = { out: (l) => lines.push(l), err: (l) => lines.push(l), quiet: io.quiet };
  const check: CheckResult = { exit: await runCheck(flags, capture, cwd, false), text: lines.join('\n') };
  for (const line of lines) io.out(line);
  const results: SpecResult[] = [];
  let unusable = check.exit === EXIT.unusable;
  const options = { ...(flags.accept !== undefined ? { accept: flags.accept } : {}), config: flags.config };
  for (const target of targets) {
    // A spec moved in this change is compared with its old path: a move must not skip the diff.
    const before = await baseSpecPath(base, target.spec, cwd);
    if (before === undefined) {
      io.out(`${target.spec}: not in ${flags.base}, and not moved from a file there (a new spec): no security diff`);
      results.push({ spec: target.spec, out: target.out, failing: 0 });
      continue;
    }
    if (before !== target.spec) io.out(`${target.spec}: moved from ${before} since ${flags.base}; compared with it`);
    let diff: DiffSession;
    try {
      diff = await runDiffSession(`git:${base}:${before}`, target.spec, cwd, options);
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      io.err(`codegen: ${error.message}`);
      unusable = true;
      continue;
    }
    for (const side of diff.sides) printDiagnostics(io, side.diagnostics);
    if (!diff.ok) {
      printDiagnostics(io, diff.diagnostics);
      io.err(`codegen ci: ${target.spec}: cannot be compared with ${flags.base} (fix the errors above)`);
      unusable = true;
    } else if (hasErrors(diff.sides[0].diagnostics)) {
      io.err(`codegen ci: note: ${diff.sides[0].label} has errors; it was compared as far as it could be read`);
    }
    for (const line of inheritedNotes(diff.ok ? diff.acceptance : undefined)) io.err(`codegen: ${line}`);
    const failing = diff.ok ? failingChanges(diff.report.changes, failOn).length : 0;
    results.push({ spec: target.spec, out: target.out, diff, failing });
  }
  // Accept-file problems over every spec at once: an entry for one spec is not stale in another.
  const acceptances = results.flatMap((r) => (r.diff?.ok && r.diff.acceptance ? [r.diff.acceptance] : []));
  const problems = acceptances.length > 0 ? acceptProblems(acceptances) : accept?.ok ? sortEntries(accept.entries, utcDate(new Date())).expired : [];
  printDiagnostics(io, problems);
  for (const r of results) if (r.diff?.ok) io.out(summaryLine(r.spec, flags.base, r.diff.report, r.failing));
  const full = renderSummary(check, results, problems, flags.base, failOn.join(','));
  const markdown = capLines(full, SUMMARY_LIMIT, `\n… the report is cut here (${full.length} characters); the SARIF log and \`codegen diff\` have every change.`);
  try {
    if (flags.summary !== undefined && flags.summary !== '') appendFileSync(path.resolve(cwd, flags.summary), markdown + '\n');
    if (flags.sarif !== undefined && flags.sarif !== '') await writeSarif(path.resolve(cwd, flags.sarif), results, problems, cwd, flags.category);
  } catch (error) {
    io.err(`codegen ci: cannot write ${(error as NodeJS.ErrnoException).path ?? 'the report'}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return EXIT.unusable;
  }
  if (unusable) return EXIT.unusable;
  const failed = check.exit !== EXIT.ok || problems.length > 0 || results.some((r) => r.failing > 0);
  io.err(failed ? 'codegen ci: the gate failed (see above)' : 'codegen ci: passed');
  return failed ? EXIT.findings : EXIT.ok;
}

/** The commit `--base` names (as given, once git confirms it is one), or why not. */
async function resolveBase(base: string, cwd: string): Promise<string | { error: string }> {
  // A ref never begins with `-` (it would reach git as an option) and never holds `:` (`main:openapi.yaml` is a file).
  if (base.startsWith('-') || base.includes(':')) return { error: 'not a git ref or commit' };
  try {
    await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${base}^{commit}`], cwd, '--base');
    return base;
  } catch {
    return { error: 'no such commit in this repository (is the history fetched? actions/checkout needs fetch-depth: 0)' };
  }
}

/**
 * The spec's path (relative to `cwd`) in `base`: itself when it is there; else the file
 * git's rename detection says it was moved from; `undefined` for a new spec.
 */
async function baseSpecPath(base: string, spec: string, cwd: string): Promise<string | undefined> {
  if ((await gitShow(base, spec, cwd)) !== undefined) return spec;
  const prefix = (await git(['rev-parse', '--show-prefix'], cwd, spec)).trim();
  const here = path.posix.normalize(prefix + spec.split(path.sep).join('/'));
  // Against the working tree, whole repository, paths from its top (-z: names verbatim).
  const out = await git(['-c', 'core.quotePath=false', 'diff', '--name-status', '-z', '--find-renames', '--end-of-options', base, '--', ':/'], cwd, spec).catch(() => '');
  const fields = out.split('\0');
  for (let i = 0; i < fields.length; ) {
    const status = fields[i] ?? '';
    if (status.startsWith('R') || status.startsWith('C')) {
      if (fields[i + 2] === here) return path.posix.relative(prefix.replace(/\/$/, ''), fields[i + 1]!) || fields[i + 1]!;
      i += 3;
    } else i += 2;
  }
  return undefined;
}

/** The drift text in the summary: the start of it is enough to see what happened. */
const CHECK_TEXT_LIMIT = 64 * 1024;
/** GitHub drops a job summary over 1 MiB: keep well under it. */
const SUMMARY_LIMIT = 512 * 1024;

/** `text` cut at the last line end before `limit` characters, with `note` saying where the rest is. */
function capLines(text: string, limit: number, note: string): string {
  return text.length <= limit ? text : `${text.slice(0, text.lastIndexOf('\n', limit))}\n${note}`;
}

function summaryLine(spec: string, base: string, report: DiffReport, failing: number): string {
  const accepted = report.changes.filter((c) => c.accepted !== undefined).length;
  return `${spec}: ${report.changes.length} security change(s) since ${base}${accepted > 0 ? `, ${accepted} accepted` : ''}${failing > 0 ? `, ${failing} failing` : ''}`;
}

/** The job summary: the check, one table row per spec, then each spec's diff and accept problems. */
function renderSummary(check: CheckResult, results: readonly SpecResult[], problems: readonly Diagnostic[], base: string, failOn: string): string {
  const status = check.exit === EXIT.ok ? '✅ in sync with the specs' : check.exit === EXIT.findings ? '❌ out of date: run `npx codegen`, then commit the result' : '❌ cannot be generated';
  const lines = [`## API security gate`, '', `Generated code: ${status}.`, '', `Security changes since ${mdCode(base)} (failing classes: ${mdCode(failOn)}):`, '', '| Spec | Output | Security changes |', '| --- | --- | --- |'];
  if (check.exit !== EXIT.ok && check.text !== '') {
    lines.splice(3, 0, '<details><summary>codegen check</summary>', '', '```text', capLines(check.text, CHECK_TEXT_LIMIT, '… (cut: run `npx codegen check` for all of it)').replace(/```/g, '`\u200b``'), '```', '', '</details>', '');
  }
  for (const r of results) {
    let diff: string;
    if (!r.diff) diff = 'new spec';
    else if (!r.diff.ok) diff = '❌ cannot be compared';
    else {
      const n = countByClass(r.diff.report.changes);
      const accepted = r.diff.report.changes.filter((c) => c.accepted !== undefined).length;
      diff = `${r.failing > 0 ? '❌' : '✅'} ${n.weakening} weakening, ${n['endpoint-changed']} endpoint-changed, ${r.diff.report.changes.length} in all${accepted > 0 ? `, ${accepted} accepted` : ''}`;
    }
    lines.push(`| ${mdCode(r.spec)} | ${mdCode(r.out)} | ${diff} |`);
  }
  for (const r of results) {
    if (r.diff?.ok) {
      lines.push('', renderMarkdown(r.diff.report).replace(/^## /, '### '));
      const accepted = r.diff.report.changes.filter((c) => c.accepted !== undefined);
      if (accepted.length > 0) {
        lines.push('', `Accepted (${mdCode(r.diff.acceptance?.file ?? '')}):`, '');
        for (const c of accepted) lines.push(`- ${mdCode(c.operation.id)} ${c.rule}: ${mdText(c.accepted!.reason)} (until ${c.accepted!.expires})`);
      }
    }
  }
  if (problems.length > 0) {
    lines.push('', 'Accept file problems:', '');
    for (const d of problems) lines.push(`- ${mdText(formatDiagnostic(d))}`);
  }
  return lines.join('\n');
}

/** One SARIF log of every spec's changes and the accept-file problems (category `ci`, or `ci/<category>`). */
async function writeSarif(file: string, results: readonly SpecResult[], problems: readonly Diagnostic[], cwd: string, category: string | undefined): Promise<void> {
  const { Places, locateChanges, locateDiagnostics, workingCopyOpener } = await import('../../report/sarif-locate.js');
  const { buildSarifLog, renderSarif } = await import('../../report/sarif.js');
  const changes = [];
  for (const r of results) if (r.diff?.ok) changes.push(...(await locateChanges(r.diff.report.changes, r.diff.sides, cwd)));
  const diagnostics = await locateDiagnostics(problems, new Places(workingCopyOpener(cwd)));
  writeFileSync(file, renderSarif(buildSarifLog({ category: category ? `ci/${category}` : 'ci', diagnostics, changes })));
}
