// The API key record a store keeps and `apiKeyVerifier` enforces, and the one store
// interface every backend implements (in memory here; PostgreSQL and Redis beside it).
// A record never holds the key: only `hash` (`hashKey(key)`, SHA-256 hex). Times are
// a `Date`, an ISO 8601 string or epoch milliseconds, so a record can come from JSON
// or from a database driver unchanged. `checkKeyRecord` refuses a malformed record
// (a bad hash, time or IP range) where it is loaded, never at a request.
import { cidrMatcher } from './runtime-cidr.js';

export type TimeLike = Date | string | number;

/** Who a key belongs to: becomes the verifier's principal (plus `keyId`). */
export interface KeyOwner {
  readonly clientId: string;
  /** What the key grants; the guard checks an operation's scopes against it (403 when missing). */
  readonly scopes?: readonly string[];
  readonly [extra: string]: unknown;
}

export interface KeyRecord {
  /** The key's public id (`parseApiKey(key).id`): the store's lookup key. */
  readonly id: string;
  readonly prefix?: string;
  /** `hashKey(key)`: 64 hex digits. Never the key. */
  readonly hash: string;
  readonly owner: KeyOwner;
  /** App IDs the key may be used with (an API key + App ID pair): absent or empty, none. */
  readonly apps?: readonly string[];
  /** Client IP ranges (IPv4 and IPv6 CIDR, or single addresses); absent: any address. */
  readonly ipRanges?: readonly string[];
  /**
   * Web origins (`https://shop.example`) for a publishable key that sits in web pages:
   * the request's `Origin`, else its `Referer`'s origin, must be one. This identifies
   * the calling site for quota and billing; it authenticates nothing (any non-browser
   * client sends what it likes). Absent: any origin.
   */
  readonly origins?: readonly string[];
  /** Operation ids the key may call; absent: every operation. */
  readonly operations?: readonly string[];
  readonly notBefore?: TimeLike;
  readonly expiresAt?: TimeLike;
  readonly revoked?: boolean;
  readonly revokedAt?: TimeLike;
  /** Rotation: the id of the key that replaces this one, and until when this one still works. */
  readonly replacedBy?: string;
  readonly graceUntil?: TimeLike;
  readonly createdAt?: TimeLike;
  readonly lastUsedAt?: TimeLike;
  /** The key's request quota (enforced by a `limit` hook, runtime-quota.ts); stores only keep it. */
  readonly quota?: QuotaPolicy;
}

/**
 * At most `limit` requests per `windowSeconds` for the key as a whole, and per
 * operation id in `operations` (each its own count). Stored as JSON (the PostgreSQL
 * store's `quota jsonb` column); `checkKeyRecord` checks its shape.
 */
export interface QuotaPolicy {
  readonly limit: number;
  readonly windowSeconds: number;
  readonly operations?: { readonly [operationId: string]: { readonly limit: number; readonly windowSeconds: number } };
}

type Awaitable<T> = T | PromiseLike<T>;

/**
 * What `apiKeyVerifier` needs from a store: one lookup by id, and optionally where to
 * record a use (called at most once per interval per key, off the request's path; a
 * failure there never fails a request).
 */
export interface KeyStore {
  get(id: string): Awaitable<KeyRecord | undefined>;
  touch?(id: string, at: Date): Awaitable<void>;
}

/** What issuing, rotating, revoking and listing need besides. */
export interface KeyAdminStore extends KeyStore {
  /**
   * Writes a record (insert or replace by id). A store shared by replicas keeps
   * revocation and rotation final whatever the record says (runtime-key-store-postgres.ts).
   */
  put(record: KeyRecord): Awaitable<void>;
  /** The stored record, past any cache: what rotating and revoking read. Absent: `get`. */
  fresh?(id: string): Awaitable<KeyRecord | undefined>;
  list(): Awaitable<readonly KeyRecord[]>;
}

/** Epoch milliseconds of a time, `undefined` when absent; throws on a time that is not one. */
export function timeOf(value: TimeLike | undefined, field = 'time'): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new TypeError(`key record: ${field} ${JSON.stringify(value)} is not a time`);
  return ms;
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/** Throws a TypeError naming the field (never the hash) when a record cannot be enforced as written. */
export function checkKeyRecord(record: KeyRecord): KeyRecord {
  const where = `key record ${JSON.stringify(String((record as { id?: unknown }).id))}`;
  if (typeof record !== 'object' || record === null) throw new TypeError('key record: not an object');
  if (typeof record.id !== 'string' || record.id === '') throw new TypeError(`${where}: id must be a non-empty string`);
  if (typeof record.hash !== 'string' || !SHA256_HEX.test(record.hash)) throw new TypeError(`${where}: hash must be the SHA-256 hex digest of the key (hashKey)`);
  if (typeof record.owner !== 'object' || record.owner === null || typeof record.owner.clientId !== 'string') throw new TypeError(`${where}: owner.clientId must be a string`);
  for (const field of ['apps', 'ipRanges', 'origins', 'operations'] as const) {
    const list = record[field];
    if (list !== undefined && (!Array.isArray(list) || list.some((v) => typeof v !== 'string'))) throw new TypeError(`${where}: ${field} must be an array of strings`);
  }
  for (const origin of record.origins ?? []) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.origin !== origin.replace(/\/$/, '')) {
      throw new TypeError(`${where}: origin ${JSON.stringify(origin)} must be a web origin such as "https://shop.example"`);
    }
  }
  if (record.ipRanges !== undefined) {
    try {
      cidrMatcher(record.ipRanges);
    } catch (error) {
      throw new TypeError(`${where}: ${(error as Error).message}`);
    }
  }
  for (const field of ['notBefore', 'expiresAt', 'revokedAt', 'graceUntil', 'createdAt', 'lastUsedAt'] as const) timeOf(record[field], `${where}: ${field}`);
  if (record.quota !== undefined) checkQuota(record.quota, `${where}: quota`);
  return record;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A count of requests per window: a non-negative safe integer limit (0 refuses every request) and a window of at least 1 s. */
function checkLimit(value: unknown, where: string): void {
  if (!isPlainObject(value)) throw new TypeError(`${where} must be an object { limit, windowSeconds }`);
  const { limit, windowSeconds } = value;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) throw new TypeError(`${where}.limit must be a whole number, 0 or more`);
  if (typeof windowSeconds !== 'number' || !Number.isSafeInteger(windowSeconds) || windowSeconds < 1) throw new TypeError(`${where}.windowSeconds must be a whole number of seconds, 1 or more`);
}

function checkQuota(quota: unknown, where: string): void {
  checkLimit(quota, where);
  const operations = (quota as { operations?: unknown }).operations;
  if (operations === undefined) return;
  if (!isPlainObject(operations)) throw new TypeError(`${where}.operations must be an object keyed by operation id`);
  // Own keys only: an operation id is the spec's string, `__proto__` included.
  for (const operationId of Object.keys(operations)) checkLimit(operations[operationId], `${where}.operations[${JSON.stringify(operationId)}]`);
}
