// Drift: compare what generation would write with what is in the output folder,
// byte for byte. Uses the writer's own notion of "generated" (the marker line,
// emit/plan.ts `isGenerated`), so a user's own file in the folder is never drift
// and a stale generated file is, exactly as `codegen` would remove it.
import path from 'node:path';
import type { FilePlan } from '../emit/plan.js';
import { readTree } from '../write/write.js';
import { compareCodeUnits } from '../shared/order.js';
import { unifiedDiff } from './unified.js';

export type DriftStatus =
  /** Generated file whose bytes differ from what generation would write. */
  | 'modified'
  /** Generation would write it; it is not there. */
  | 'missing'
  /** A generated file generation would no longer write (it would be removed). */
  | 'stale'
  /** A file without the generated marker sits where a generated file belongs (generate would refuse). */
  | 'conflict';

export interface DriftEntry {
  /** Relative to the output folder, `/`-separated. */
  readonly path: string;
  readonly status: DriftStatus;
  /** What is on disk (`undefined` when missing). */
  readonly actual: string | undefined;
  /** What generation would write (`undefined` when stale). */
  readonly expected: string | undefined;
}

/** Every difference between `plans` and the folder `outDir`, sorted by path. Reads only. */
export async function findDrift(outDir: string, plans: readonly FilePlan[], cwd: string = process.cwd()): Promise<DriftEntry[]> {
  const existing = await readTree(path.resolve(cwd, outDir));
  const entries: DriftEntry[] = [];
  for (const plan of plans) {
    const file = existing.get(plan.path);
    if (!file) {
      entries.push({ path: plan.path, status: 'missing', actual: undefined, expected: plan.contents });
      continue;
    }
    if (file.contents.equals(Buffer.from(plan.contents, 'utf8'))) continue;
    entries.push({ path: plan.path, status: file.generated ? 'modified' : 'conflict', actual: file.contents.toString('utf8'), expected: plan.contents });
  }
  const planned = new Set(plans.map((p) => p.path));
  for (const [rel, file] of existing) {
    if (file.generated && !planned.has(rel)) entries.push({ path: rel, status: 'stale', actual: file.contents.toString('utf8'), expected: undefined });
  }
  return entries.sort((x, y) => compareCodeUnits(x.path, y.path));
}

/** A unified diff from the file on disk to what generation would write (`/dev/null` for an absent side). */
export function renderDrift(outDir: string, entry: DriftEntry, color = false): string {
  const shown = `${outDir.split(path.sep).join('/').replace(/\/$/, '')}/${entry.path}`;
  return unifiedDiff(entry.actual ?? '', entry.expected ?? '', {
    oldLabel: entry.actual === undefined ? '/dev/null' : `a/${shown}`,
    newLabel: entry.expected === undefined ? '/dev/null' : `b/${shown}`,
    color,
  });
}

export function describeStatus(status: DriftStatus): string {
  switch (status) {
    case 'modified':
      return 'differs from what the spec generates (edited by hand, or the spec changed)';
    case 'missing':
      return 'missing: generation would create it';
    case 'stale':
      return 'stale: generated earlier, generation would remove it';
    case 'conflict':
      return 'not marked as generated, but generation writes this file (generate would refuse to overwrite it)';
    default: {
      const never: never = status;
      return never;
    }
  }
}
