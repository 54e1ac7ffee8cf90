// The in-memory key store (the embedded default and the reference implementation of
// the store interface) and a key's life on any `KeyAdminStore`: issue, rotate (a
// replacement, the old key kept until a grace deadline), revoke (refused from the
// next lookup). Records are replaced, never changed in place, so a verifier that
// prepared a record sees a revocation as a new record. Keys are returned once and
// never stored.
import { generateApiKey } from './runtime-api-keys.js';
import { checkKeyRecord, type KeyAdminStore, type KeyOwner, type KeyRecord, type QuotaPolicy, type TimeLike } from './runtime-key-record.js';

/** A store of records in a `Map`; `records` are checked (`checkKeyRecord`) as they are loaded. */
export function createMemoryKeyStore(records: Iterable<KeyRecord> = []): KeyAdminStore {
  const byId = new Map<string, KeyRecord>();
  for (const record of records) {
    checkKeyRecord(record);
    if (byId.has(record.id)) throw new TypeError(`key records: id ${JSON.stringify(record.id)} appears twice`);
    byId.set(record.id, record);
  }
  return {
    get: (id) => byId.get(id),
    put: (record) => {
      byId.set(checkKeyRecord(record).id, record);
    },
    list: () => [...byId.values()],
    touch: (id, at) => {
      const record = byId.get(id);
      if (record !== undefined) byId.set(id, { ...record, lastUsedAt: at.toISOString() });
    },
  };
}

/** What a new key's record holds besides its id and hash. */
export interface NewKey {
  readonly prefix: string;
  readonly owner: KeyOwner;
  readonly apps?: readonly string[];
  readonly ipRanges?: readonly string[];
  readonly origins?: readonly string[];
  readonly operations?: readonly string[];
  readonly notBefore?: TimeLike;
  readonly expiresAt?: TimeLike;
  readonly quota?: QuotaPolicy;
}

/** Issues a key and stores its record; the key is returned once, for its owner. */
export async function issueApiKey(store: KeyAdminStore, input: NewKey, now: number = Date.now()): Promise<{ readonly key: string; readonly record: KeyRecord }> {
  const { key, id, hash, prefix } = generateApiKey({ prefix: input.prefix });
  const { prefix: _prefix, ...rest } = input;
  const record: KeyRecord = checkKeyRecord({ id, prefix, hash, ...rest, createdAt: new Date(now).toISOString() });
  await store.put(record);
  return { key, record };
}

async function existing(store: KeyAdminStore, id: string): Promise<KeyRecord> {
  // The stored record, not a cached one: rotating a key revoked meanwhile must fail.
  const record = await (store.fresh !== undefined ? store.fresh(id) : store.get(id));
  if (record === undefined) throw new TypeError(`no key with id ${JSON.stringify(id)}`);
  return record;
}

/**
 * Issues a replacement with the same owner and restrictions, and lets the old key
 * work until `now + graceMs` (0: refused at once). Returns the new key once.
 */
export async function rotateApiKey(
  store: KeyAdminStore,
  id: string,
  options: { readonly graceMs: number; readonly now?: number },
): Promise<{ readonly key: string; readonly record: KeyRecord; readonly previous: KeyRecord }> {
  const now = options.now ?? Date.now();
  const old = await existing(store, id);
  if (old.revoked === true) throw new TypeError(`key ${JSON.stringify(id)} is revoked: issue a new one instead`);
  // Rotating it again would move its deadline: the old key must never come back.
  if (old.replacedBy !== undefined) throw new TypeError(`key ${JSON.stringify(id)} was already rotated (to ${JSON.stringify(old.replacedBy)}): rotate that one`);
  const { key, record } = await issueApiKey(
    store,
    {
      prefix: old.prefix ?? 'key',
      owner: old.owner,
      ...(old.apps ? { apps: old.apps } : {}),
      ...(old.ipRanges ? { ipRanges: old.ipRanges } : {}),
      ...(old.origins ? { origins: old.origins } : {}),
      ...(old.operations ? { operations: old.operations } : {}),
      ...(old.notBefore !== undefined ? { notBefore: old.notBefore } : {}),
      ...(old.expiresAt !== undefined ? { expiresAt: old.expiresAt } : {}),
      // A replacement without the old key's quota would be unlimited.
      ...(old.quota !== undefined ? { quota: old.quota } : {}),
    },
    now,
  );
  const previous: KeyRecord = { ...old, replacedBy: record.id, graceUntil: new Date(now + Math.max(0, options.graceMs)).toISOString() };
  await store.put(previous);
  return { key, record, previous };
}

/** Marks a key revoked: the next lookup refuses it. Revoking it again keeps its first `revokedAt`. */
export async function revokeApiKey(store: KeyAdminStore, id: string, now: number = Date.now()): Promise<KeyRecord> {
  const old = await existing(store, id);
  if (old.revoked === true) return old;
  const record: KeyRecord = { ...old, revoked: true, revokedAt: new Date(now).toISOString() };
  await store.put(record);
  return record;
}
