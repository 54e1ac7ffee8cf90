// `codegen keys list`: where each key stands (the verifier's order of refusals:
// revoked, not yet valid, expired, rotated out), how old it is and when it was last
// used, the audit filters (`--unused-since`, `--older-than`), and the compact line per
// key. Hashes are never listed.
import { DAY_MS, isoOf } from './durations.js';
import { timeMs } from './lifecycle.js';
import type { KeyFileRecord } from './records.js';

export type KeyState = 'active' | 'revoked' | 'not-yet-valid' | 'expired' | 'rotated';

export interface KeyStatus {
  readonly state: KeyState;
  /** Whether the verifier accepts the key now (an active key, or a rotated one within its grace). */
  readonly usable: boolean;
  /** The text form: `rotated (grace until 2026-02-01T00:00:00.000Z)`. */
  readonly label: string;
}

export function keyStatus(r: KeyFileRecord, now: number): KeyStatus {
  if (r.revoked === true) return { state: 'revoked', usable: false, label: 'revoked' };
  const notBefore = timeMs(r.notBefore);
  if (notBefore !== undefined && now < notBefore) return { state: 'not-yet-valid', usable: false, label: `not yet valid (from ${isoOf(notBefore)})` };
  const expires = timeMs(r.expiresAt);
  if (expires !== undefined && now >= expires) return { state: 'expired', usable: false, label: `expired (${isoOf(expires)})` };
  if (r.replacedBy !== undefined) {
    const grace = timeMs(r.graceUntil);
    const inGrace = grace !== undefined && now < grace;
    return { state: 'rotated', usable: inGrace, label: grace === undefined ? 'rotated' : `rotated (grace ${inGrace ? 'until' : 'ended'} ${isoOf(grace)})` };
  }
  return { state: 'active', usable: true, label: 'active' };
}

export interface ListFilters {
  /** Only keys not used for this long (never used: since creation). */
  readonly unusedSinceMs?: number;
  /** Only keys created more than this long ago. */
  readonly olderThanMs?: number;
}

/** The filters; a record without `createdAt` counts as older than any bound, so an audit never misses it. */
export function selectKeys(records: readonly KeyFileRecord[], filters: ListFilters, now: number): KeyFileRecord[] {
  return records.filter((r) => {
    const created = timeMs(r.createdAt) ?? Number.NEGATIVE_INFINITY;
    if (filters.olderThanMs !== undefined && !(created < now - filters.olderThanMs)) return false;
    const lastUse = timeMs(r.lastUsedAt) ?? created;
    if (filters.unusedSinceMs !== undefined && !(lastUse < now - filters.unusedSinceMs)) return false;
    return true;
  });
}

function ageDays(r: KeyFileRecord, now: number): number | undefined {
  const created = timeMs(r.createdAt);
  return created === undefined ? undefined : Math.max(0, Math.floor((now - created) / DAY_MS));
}

/** One line per key, columns aligned: id, prefix, owner, apps, age, last use, state. */
export function listLines(records: readonly KeyFileRecord[], now: number): string[] {
  const rows = records.map((r) => {
    const age = ageDays(r, now);
    const used = timeMs(r.lastUsedAt);
    return [
      r.id,
      r.prefix ?? '-',
      `owner=${r.owner.clientId}`,
      `apps=${r.apps && r.apps.length > 0 ? r.apps.join(',') : '-'}`,
      `age=${age === undefined ? '?' : `${age}d`}`,
      `last-used=${used === undefined ? 'never' : isoOf(used)}`,
      keyStatus(r, now).label,
    ];
  });
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}

/** `--json`: every field but the hash, with the state and age. */
export function listJson(records: readonly KeyFileRecord[], now: number): object[] {
  return records.map((r) => {
    const { hash: _hash, ...rest } = r;
    const { state, usable } = keyStatus(r, now);
    const age = ageDays(r, now);
    return { ...rest, state, usable, ...(age === undefined ? {} : { ageDays: age }) };
  });
}
