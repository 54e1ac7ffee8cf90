// `codegen check`: regenerate in memory with the same config and flags as
// `generate`, compare with the output folder byte by byte, write nothing (except
// putting back an output folder that an interrupted `generate` left renamed away).
// Exit 0 in sync, 1 on drift: first a summary (how many files, and the operations
// whose security the committed output enforces differently from the spec), then a
// unified diff per file and the command that fixes it; 2 when the spec cannot be
// generated.
import { condenseCoverage } from '../../check/coverage.js';
import { hasErrors } from '../../diagnostics/types.js';
import { useColor } from '../../drift/color.js';
import { describeStatus, findDrift, renderDrift, type DriftEntry } from '../../drift/check.js';
import { securityChanges, type SecurityChange } from '../../drift/tables.js';
import { generate } from '../../pipeline.js';
import { findLeftovers } from '../../write/recover.js';
import { EXIT, printDiagnostics, type Io } from '../io.js';
import { targetsFrom, type TargetFlags } from '../targets.js';

export interface CheckFlags extends TargetFlags {
  format?: 'text' | 'json';
}

export async function runCheck(flags: CheckFlags, io: Io, cwd: string, color: boolean = useColor(process.stdout)): Promise<number> {
  const targets = await targetsFrom(flags, cwd, true);
  const results: { spec: string; out: string; drift: DriftEntry[] }[] = [];
  let unusable = false;
  // An interrupted run left `<out>` missing: drift (exit 1), whatever the comparison says.
  let interrupted = false;
  for (const target of targets) {
    const result = await generate({ ...target, cwd });
    printDiagnostics(io, condenseCoverage(result.diagnostics));
    if (!result.model || hasErrors(result.diagnostics)) {
      io.err(`codegen: ${target.spec}: cannot be generated, so ${target.out} cannot be checked`);
      unusable = true;
      continue;
    }
    // check writes nothing: what an interrupted run left is reported, and recovering is left to `generate`.
    const left = await findLeftovers(target.out, cwd);
    if (left.restorable !== undefined) {
      io.err(`codegen check: an interrupted run left ${left.restorable} (the previous output) and ${target.out} is missing; run \`${fixCommand(flags)}\` to recover`);
      interrupted = true;
    } else if (left.leftovers.length > 0 && !io.quiet) {
      io.err(`codegen check: an interrupted run left ${left.leftovers.join(', ')} beside ${target.out}; run \`${fixCommand(flags)}\` to clean up`);
    }
    results.push({ spec: target.spec, out: target.out, drift: await findDrift(target.out, result.files, cwd) });
  }
  if (unusable) return EXIT.unusable;
  const drifted = results.filter((r) => r.drift.length > 0);
  const fix = fixCommand(flags);

  if (flags.format === 'json') {
    const list = results.flatMap((r) =>
      r.drift.map((d) => ({ spec: r.spec, out: r.out, path: d.path, status: d.status, diff: renderDrift(r.out, d) })),
    );
    const security = results.flatMap((r) => (changesOf(r.drift) ?? []).map((c) => ({ spec: r.spec, out: r.out, operationId: c.operationId, committed: c.committed, expected: c.spec })));
    io.out(JSON.stringify({ inSync: list.length === 0, ...(security.length > 0 ? { securityChanges: security } : {}), drift: list, ...(list.length > 0 ? { fix } : {}) }, null, 2));
    return list.length === 0 && !interrupted ? EXIT.ok : EXIT.findings;
  }

  for (const r of results) {
    if (r.drift.length === 0) {
      if (!io.quiet) io.out(`${r.out}: in sync with ${r.spec}`);
      continue;
    }
    io.out(`${r.out}: ${r.drift.length} file(s) differ from what ${r.spec} generates: ${r.drift.map((d) => d.path).join(', ')}`);
    const changes = changesOf(r.drift);
    if (changes !== undefined && changes.length > 0) {
      io.out(`${r.out}: the committed output enforces ${changes.length} operation(s) differently from the spec:`);
      for (const c of changes) io.out(`  ${c.operationId}: ${c.committed ?? '(not in the committed output)'} -> ${c.spec ?? '(no longer in the spec)'}`);
    }
    for (const d of r.drift) {
      io.out(`${r.out}/${d.path}: ${describeStatus(d.status)}`);
      const diff = renderDrift(r.out, d, color);
      if (diff !== '') io.out(diff.replace(/\n$/, ''));
    }
  }
  if (drifted.length === 0) return interrupted ? EXIT.findings : EXIT.ok;
  const count = drifted.reduce((n, r) => n + r.drift.length, 0);
  const where = drifted.map((r) => r.out).join(', ');
  io.err(`codegen check: ${count} file(s) out of date in ${where}; run \`${fix}\` to update, then commit the result`);
  return EXIT.findings;
}

/** What security.ts's drift means per operation, when both sides are readable tables. */
function changesOf(drift: readonly DriftEntry[]): SecurityChange[] | undefined {
  const security = drift.find((d) => d.path === 'security.ts');
  if (security === undefined || security.actual === undefined || security.expected === undefined) return undefined;
  return securityChanges(security.actual, security.expected);
}

/** The `generate` command line with the same target flags, so the fix regenerates exactly what was checked. */
export function fixCommand(flags: TargetFlags): string {
  const parts = ['npx', 'codegen'];
  const add = (name: string, value: string | undefined): void => {
    if (value !== undefined) parts.push(`--${name}`, shellQuote(value));
  };
  add('config', flags.config);
  add('spec', flags.spec);
  add('out', flags.out);
  if (flags.server && flags.server.length > 0) add('server', flags.server.join(','));
  if (flags.client === true) parts.push('--client');
  else if (flags.client === false) parts.push('--client', 'false');
  else if (Array.isArray(flags.client)) add('client', flags.client.join(','));
  add('templates', flags.templates);
  add('env-prefix', flags.envPrefix);
  if (flags.skipInvalid) parts.push('--skip-invalid');
  return parts.join(' ');
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
