// The accept file of `codegen diff`: changes a team reviewed and accepted, each entry
// naming the operation, the change class (optionally the rule and the spec), a reason
// and an expiry date (at most a year ahead). A covered change stays in the report,
// marked accepted, and fails nothing. An expired entry covers nothing and is an error;
// so is an entry that matches no change. When the diff's old side is a git commit, an
// entry that commit's accept file already holds is inherited: it covers nothing (it was
// written for a change already merged, and must not pre-approve the next weakening of
// that operation) and is reported for removal, without failing.
import path from 'node:path';
import type { Diagnostic } from '../diagnostics/types.js';
import { displayPath } from '../load/load.js';
import { joinPointer } from '../load/pointer.js';
import { readContainedFileSync } from '../load/read.js';
import { didYouMean } from '../shared/did-you-mean.js';
import { CHANGE_CLASSES, CHANGE_RULES, API_WIDE, classOf, type Acceptance, type Change, type ChangeClass, type ChangeRule } from './classes.js';

export interface AcceptEntry {
  /** An operation id as `codegen diff` prints it, or `(servers)` for an API-wide change. */
  readonly operation: string;
  readonly class: ChangeClass;
  /** Narrows the entry to one rule of the class. */
  readonly rule?: ChangeRule;
  /** Narrows the entry to one spec (its path as the diff names it, relative to the working directory). */
  readonly spec?: string;
  readonly reason: string;
  /** `YYYY-MM-DD`, the last day the entry holds (UTC). */
  readonly expires: string;
  /** Where the entry is written. */
  readonly at: { readonly file: string; readonly at: string };
}

export type AcceptLoad = { readonly ok: true; readonly entries: readonly AcceptEntry[] } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** More than enough for any review log; a bigger file is refused rather than read. */
const MAX_BYTES = 1024 * 1024;
const KEYS = ['operation', 'class', 'rule', 'spec', 'reason', 'expires'] as const;
/** How far ahead an entry may expire: a review is not forever. */
export const MAX_ACCEPT_DAYS = 366;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Read and check an accept file. Every problem is an `accept-invalid` error naming file
 * and pointer. `today` (UTC `YYYY-MM-DD`) bounds `expires`.
 */
export function loadAcceptFile(file: string, cwd: string, today: string = utcDate(new Date())): AcceptLoad {
  const abs = path.resolve(cwd, file);
  const shown = displayPath(abs, cwd);
  const invalid = (pointer: string, message: string): Diagnostic => ({ code: 'accept-invalid', severity: 'error', message, file: shown, pointer });
  const read = readContainedFileSync(path.dirname(abs), abs, MAX_BYTES);
  if (!read.ok) return { ok: false, diagnostics: [invalid('', `cannot read the accept file ${shown}: ${read.kind === 'missing' ? 'file not found' : read.reason}`)] };
  return parseAcceptFile(read.bytes.toString('utf8'), shown, today);
}

/** An accept file's text (as `loadAcceptFile` reads it); `shown` names it in diagnostics; `today` undefined: no bound on `expires`. */
export function parseAcceptFile(text: string, shown: string, today: string | undefined): AcceptLoad {
  const invalid = (pointer: string, message: string): Diagnostic => ({ code: 'accept-invalid', severity: 'error', message, file: shown, pointer });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return { ok: false, diagnostics: [invalid('', `the accept file ${shown} is not JSON: ${(error as Error).message}`)] };
  }
  const list = isRecord(doc) && Object.prototype.hasOwnProperty.call(doc, 'accepted') ? doc['accepted'] : undefined;
  if (!Array.isArray(list)) return { ok: false, diagnostics: [invalid('', `the accept file ${shown} must be an object with an "accepted" array of entries`)] };
  const problems: Diagnostic[] = [];
  for (const key of Object.keys(doc as object)) {
    if (key !== 'accepted' && key !== '$schema') problems.push(invalid(joinPointer('', key), `unknown key "${key}"${didYouMean(key, ['accepted'])}`));
  }
  const entries: AcceptEntry[] = [];
  list.forEach((raw: unknown, i: number) => {
    const at = joinPointer('/accepted', i);
    const before = problems.length;
    if (!isRecord(raw)) {
      problems.push(invalid(at, 'an entry must be an object with operation, class, reason and expires'));
      return;
    }
    for (const key of Object.keys(raw)) {
      if (!(KEYS as readonly string[]).includes(key)) problems.push(invalid(joinPointer(at, key), `unknown key "${key}"${didYouMean(key, KEYS)}`));
    }
    const text = (key: (typeof KEYS)[number]): string | undefined => {
      const value = Object.prototype.hasOwnProperty.call(raw, key) ? raw[key] : undefined;
      if (value === undefined) return undefined;
      if (typeof value !== 'string' || value.trim() === '') {
        problems.push(invalid(joinPointer(at, key), `"${key}" must be a non-empty string`));
        return undefined;
      }
      return value;
    };
    const operation = text('operation');
    const cls = text('class');
    const rule = text('rule');
    const spec = text('spec');
    const reason = text('reason');
    const expires = text('expires');
    for (const [key, value] of [['operation', operation], ['class', cls], ['reason', reason], ['expires', expires]] as const) {
      if (value === undefined && !problems.some((p) => p.pointer === joinPointer(at, key))) problems.push(invalid(at, `the entry has no "${key}"`));
    }
    if (cls !== undefined && !(CHANGE_CLASSES as readonly string[]).includes(cls)) {
      problems.push(invalid(joinPointer(at, 'class'), `unknown change class "${cls}" (one of ${CHANGE_CLASSES.join(', ')})${didYouMean(cls, CHANGE_CLASSES)}`));
    }
    if (rule !== undefined) {
      if (!(CHANGE_RULES as readonly string[]).includes(rule)) problems.push(invalid(joinPointer(at, 'rule'), `unknown change rule "${rule}"${didYouMean(rule, CHANGE_RULES)}`));
      else if (cls !== undefined && classOf(rule as ChangeRule) !== cls) problems.push(invalid(joinPointer(at, 'rule'), `rule "${rule}" is of class ${classOf(rule as ChangeRule)}, not ${cls}`));
    }
    if (expires !== undefined && !isCalendarDate(expires)) problems.push(invalid(joinPointer(at, 'expires'), `"expires" must be a date written YYYY-MM-DD, not "${expires}"`));
    else if (expires !== undefined && today !== undefined && expires > addDays(today, MAX_ACCEPT_DAYS)) {
      problems.push(invalid(joinPointer(at, 'expires'), `"expires" ${expires} is more than ${MAX_ACCEPT_DAYS} days ahead: review the change again within a year`));
    }
    if (problems.length > before || operation === undefined || cls === undefined || reason === undefined || expires === undefined) return;
    entries.push({ operation, class: cls as ChangeClass, ...(rule !== undefined ? { rule: rule as ChangeRule } : {}), ...(spec !== undefined ? { spec } : {}), reason, expires, at: { file: shown, at } });
  });
  return problems.length > 0 ? { ok: false, diagnostics: problems } : { ok: true, entries };
}

/** Today's date in UTC as `YYYY-MM-DD`: an entry expiring today still holds today. */
export function utcDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export interface Applied {
  /** The changes, those a live entry covers with `accepted` set; order unchanged. */
  readonly changes: Change[];
  /** The entries that covered at least one change. */
  readonly used: ReadonlySet<AcceptEntry>;
}

/** Mark the changes of the spec `spec` (as the diff names it) that the live entries cover. */
export function applyAccept(changes: readonly Change[], live: readonly AcceptEntry[], spec: string): Applied {
  const used = new Set<AcceptEntry>();
  const out = changes.map((c) => {
    const entry = live.find((e) => covers(e, c, spec));
    if (!entry) return c;
    used.add(entry);
    const accepted: Acceptance = { reason: entry.reason, expires: entry.expires, at: entry.at };
    return { ...c, accepted };
  });
  return { changes: out, used };
}

/** The entries sorted out: expired (an error each), inherited from the base (covering nothing) and live. */
export interface SortedEntries {
  readonly live: readonly AcceptEntry[];
  readonly inherited: readonly AcceptEntry[];
  readonly expired: readonly Diagnostic[];
}

/** `baseEntries`: the accept file as the diff's old commit has it (`undefined`: no such commit). */
export function sortEntries(entries: readonly AcceptEntry[], today: string, baseEntries?: readonly AcceptEntry[]): SortedEntries {
  const before = new Set((baseEntries ?? []).map(identity));
  const live: AcceptEntry[] = [];
  const inherited: AcceptEntry[] = [];
  const expired: Diagnostic[] = [];
  for (const e of entries) {
    if (e.expires < today) {
      expired.push({ code: 'accept-expired', severity: 'error', file: e.at.file, pointer: joinPointer(e.at.at, 'expires'), subject: e.operation, message: `the acceptance of ${describe(e)} expired on ${e.expires}: review the change again, then renew or remove the entry` });
    } else if (before.has(identity(e))) inherited.push(e);
    else live.push(e);
  }
  return { live, inherited, expired };
}

/** `accept-unmatched` for each live entry no diff used. */
export function unmatched(live: readonly AcceptEntry[], used: ReadonlySet<AcceptEntry>): Diagnostic[] {
  return live
    .filter((e) => !used.has(e))
    .map((e) => ({ code: 'accept-unmatched', severity: 'error', file: e.at.file, pointer: e.at.at, subject: e.operation, message: `the acceptance of ${describe(e)} matches no change in this diff: remove the stale entry` }));
}

/** One line per inherited entry, for the report: it covers nothing and should go. */
export function inheritedNote(e: AcceptEntry, base: string): string {
  return `${e.at.file}#${e.at.at}: the acceptance of ${describe(e)} is already in ${base}: it covers nothing in this diff (it was for a change already merged); remove it`;
}

/** What makes two entries the same review (its place in the file does not). */
function identity(e: AcceptEntry): string {
  return JSON.stringify([e.operation, e.class, e.rule ?? null, e.spec ?? null, e.reason, e.expires]);
}

function covers(e: AcceptEntry, c: Change, spec: string): boolean {
  // `(servers)` names only the API-wide change, never an operation that took that id.
  const operation = e.operation === API_WIDE.id ? c.operation.method === '' : e.operation === c.operation.id && c.operation.method !== '';
  return operation && e.class === c.class && (e.rule === undefined || e.rule === c.rule) && (e.spec === undefined || path.normalize(e.spec) === path.normalize(spec));
}

function describe(e: AcceptEntry): string {
  const op = e.operation === API_WIDE.id ? 'the API-wide change' : `operation "${e.operation}"`;
  return `${e.rule ?? e.class} of ${op}`;
}

function addDays(date: string, days: number): string {
  return utcDate(new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000));
}

function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return utcDate(d) === value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
