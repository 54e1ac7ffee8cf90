// The one report writer of the bench: number formatting, "met / not met", markdown
// tables, and the "goals at a glance" rows every family adds to. Each family returns a
// Section (its goal rows, its markdown lines, and its "where the time goes" bullets);
// run.ts puts the sections together in one document.
import { BEFORE_LABEL, before } from './before.js';

/** A number with `digits` decimals, or n/a when it was not measured. */
export const fmt = (x: number | undefined, digits = 2): string => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(digits));
export const yes = (met: boolean): string => (met ? 'met' : '**not met**');
/** A ratio in bold with its verdict: **1.23×** (met). */
export const ratio = (x: number, limit: number, digits = 2): string => (Number.isNaN(x) ? 'n/a' : `**${fmt(x, digits)}×** (${yes(x <= limit)})`);
export const ns = (x: number | undefined): string => `${fmt(x, 0)} ns`;
export const us = (x: number | undefined, digits = 1): string => (x === undefined ? 'n/a' : `${fmt(x, digits)} µs`);
export const pct = (x: number | undefined, digits = 1): string => `${fmt(x === undefined ? undefined : x * 100, digits)}%`;
/** A count of instructions, with thousands separators. */
export const count = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? 'n/a' : Math.round(x).toLocaleString('en-US'));

/** A markdown table; `align` is 'l' or 'r' per column. */
export function table(head: string[], align: string, rows: string[][]): string[] {
  const sep = head.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [`| ${head.join(' | ')} |`, `| ${sep.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

export interface GoalRow {
  /** The goal as the issue states it. */
  goal: string;
  /** This run's figure (the ratio and what it is made of). */
  figure: string;
  /** The instruction-count ratio for the same comparison, when counted. */
  instructions?: string;
  /** undefined: not measured in this run. */
  met: boolean | undefined;
  /** Key into before.ts: the figure of the reference run. */
  beforeKey?: string;
  /** Met in `authorize` but not in the adapter, etc.: replaces the verdict cell. */
  verdict?: string;
}

export interface Section {
  goals: GoalRow[];
  lines: string[];
  /** Bullets for "Where the time goes (goals not met)". */
  where: string[];
}
export const section = (): Section => ({ goals: [], lines: [], where: [] });

/** The goals-at-a-glance table, with the fixed "before" column. */
export function goalsTable(goals: GoalRow[]): string[] {
  return table(
    ['goal', 'this run', 'instructions (callgrind)', `before (${BEFORE_LABEL}; fixed reference, not measured here)`, ''],
    'lllll',
    goals.map((g) => [g.goal, g.figure, g.instructions ?? '', before(g.beforeKey), g.verdict ?? (g.met === undefined ? 'not measured' : yes(g.met))]),
  );
}

/** "worst 1.23× (label)" over rows, skipping the unmeasured. */
export function worst<T>(xs: T[], pick: (x: T) => number): T | undefined {
  return xs.filter((x) => !Number.isNaN(pick(x))).reduce<T | undefined>((w, x) => (w === undefined || pick(x) > pick(w) ? x : w), undefined);
}
