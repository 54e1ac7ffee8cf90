// A key's life over the records of a key file, as runtime-key-store.ts lives it over a
// store (issueApiKey, rotateApiKey, revokeApiKey), kept apart because the CLI must not
// import templates/: issue (the key returned once, only its hash kept), rotate (a
// replacement with the same owner and restrictions; the old key works until a grace
// deadline) and revoke. Pure: each returns the new list of records, the caller writes it.
import { newApiKey } from './format.js';
import { KeysError } from './errors.js';
import { isoOf } from './durations.js';
import type { KeyFileRecord, QuotaPolicy, RecordTime } from './records.js';

/** What a new key's record holds besides its id, hash and creation time. */
export interface NewKey {
  readonly prefix: string;
  /** Who the key is issued to; without a `clientId`, the key's own id. */
  readonly owner: { readonly clientId?: string; readonly scopes?: readonly string[]; readonly [extra: string]: unknown };
  readonly apps?: readonly string[];
  readonly ipRanges?: readonly string[];
  readonly origins?: readonly string[];
  readonly operations?: readonly string[];
  readonly notBefore?: RecordTime;
  readonly expiresAt?: RecordTime;
  /** Requests per window for `quotaLimiter` (runtime-quota.ts). */
  readonly quota?: QuotaPolicy;
}

export interface Issued {
  /** The key: shown once, never stored. */
  readonly key: string;
  readonly record: KeyFileRecord;
  readonly records: readonly KeyFileRecord[];
}

export function timeMs(t: RecordTime | undefined): number | undefined {
  return t === undefined ? undefined : typeof t === 'number' ? t : Date.parse(t);
}

function find(records: readonly KeyFileRecord[], id: string): KeyFileRecord {
  const record = records.find((r) => r.id === id);
  if (record === undefined) throw new KeysError(`no key with id ${JSON.stringify(id)}`);
  return record;
}

export function issueKey(records: readonly KeyFileRecord[], input: NewKey, now: number): Issued {
  const taken = new Set(records.map((r) => r.id));
  let fresh = newApiKey(input.prefix);
  // ~71 random bits make a clash all but impossible; a file is still never given two records of one id.
  while (taken.has(fresh.id)) fresh = newApiKey(input.prefix);
  const { prefix: _prefix, owner, ...rest } = input;
  const record: KeyFileRecord = { id: fresh.id, prefix: fresh.prefix, hash: fresh.hash, owner: { ...owner, clientId: owner.clientId ?? fresh.id }, ...rest, createdAt: isoOf(now) };
  return { key: fresh.key, record, records: [...records, record] };
}

export interface Rotated extends Issued {
  /** The old record as written: `replacedBy` and `graceUntil` set. */
  readonly previous: KeyFileRecord;
}

/**
 * Issues a replacement with the old key's prefix, owner and restrictions (and expiry,
 * as `rotateApiKey` does), and lets the old key work until `now + graceMs`.
 */
export function rotateKey(records: readonly KeyFileRecord[], id: string, graceMs: number, now: number): Rotated {
  const old = find(records, id);
  if (old.revoked === true) throw new KeysError(`key ${JSON.stringify(id)} is revoked: issue a new one (keys new) instead`);
  if (old.replacedBy !== undefined) throw new KeysError(`key ${JSON.stringify(id)} was already rotated (replaced by ${JSON.stringify(old.replacedBy)}): rotate that one, or revoke this one to end its grace now`);
  const expires = timeMs(old.expiresAt);
  if (expires !== undefined && expires <= now) throw new KeysError(`key ${JSON.stringify(id)} expired at ${isoOf(expires)}: its replacement would be expired too; issue a new one (keys new) instead`);
  const issued = issueKey(
    records,
    {
      // A record written without a prefix gets the runtime's fallback.
      prefix: old.prefix ?? 'key',
      owner: old.owner,
      ...(old.apps ? { apps: old.apps } : {}),
      ...(old.ipRanges ? { ipRanges: old.ipRanges } : {}),
      ...(old.origins ? { origins: old.origins } : {}),
      ...(old.operations ? { operations: old.operations } : {}),
      ...(old.notBefore !== undefined ? { notBefore: old.notBefore } : {}),
      ...(old.expiresAt !== undefined ? { expiresAt: old.expiresAt } : {}),
      ...(old.quota !== undefined ? { quota: old.quota } : {}),
    },
    now,
  );
  const previous: KeyFileRecord = { ...old, replacedBy: issued.record.id, graceUntil: isoOf(now + Math.max(0, graceMs)) };
  return { ...issued, previous, records: issued.records.map((r) => (r.id === id ? previous : r)) };
}

/** Marks a key revoked (idempotent: a revoked key keeps its first `revokedAt`). */
export function revokeKey(records: readonly KeyFileRecord[], id: string, now: number): { readonly record: KeyFileRecord; readonly records: readonly KeyFileRecord[]; readonly already: boolean } {
  const old = find(records, id);
  if (old.revoked === true) return { record: old, records, already: true };
  const record: KeyFileRecord = { ...old, revoked: true, revokedAt: isoOf(now) };
  return { record, records: records.map((r) => (r.id === id ? record : r)), already: false };
}
