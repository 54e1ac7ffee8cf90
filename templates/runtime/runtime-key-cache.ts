// The lookup cache of a database-backed key store (runtime-key-store-postgres.ts):
// records and misses by key id, each fresh for a TTL, at most `max` of them (the least
// recently used goes first), so a flood of made-up ids costs memory only up to a bound.
// Three ways to forget, because they mean different things:
// - `drop(id)`: that key changed (a notification, a local write): gone for good.
// - `clear()`: anything may have changed (a notification without an id): all gone.
// - `expireAll()`: changes may have been missed (the LISTEN connection was lost): no
//   entry is fresh any more, but a known record stays usable as stale while the
//   database cannot answer, if the store allows a stale window.
// A lookup in flight across one of them must not store what it read (it may predate
// the change): the store, which tracks its lookups, does not call `set` then.
import type { KeyRecord } from './runtime-key-record.js';

export interface KeyCacheOptions {
  /** How long a record or a miss is served without asking the database (ms). */
  readonly ttlMs: number;
  /** At most this many ids are kept. */
  readonly max: number;
  /** How long past its TTL a known record may be served while the database cannot answer (ms); 0: never. */
  readonly staleWindowMs: number;
}

/** A fresh answer: the record, or `undefined` for an id the database did not have. */
export interface CacheHit {
  readonly record: KeyRecord | undefined;
}

export interface KeyCache {
  /** The fresh answer for `id`, if any (and it becomes the most recently used). */
  fresh(id: string, now: number): CacheHit | undefined;
  /** A known record for `id` that is past its TTL but still inside the stale window; never a miss. */
  stale(id: string, now: number): KeyRecord | undefined;
  /** Stores what a lookup read (a record, or `undefined`: no such key). */
  set(id: string, record: KeyRecord | undefined, now: number): void;
  drop(id: string): void;
  clear(): void;
  expireAll(): void;
  readonly size: number;
}

interface Entry {
  readonly record: KeyRecord | undefined;
  /** Fresh while `now < freshUntil`. */
  freshUntil: number;
  /** A record (never a miss) may be served stale while `now < staleUntil`. */
  readonly staleUntil: number;
}

export function createKeyCache(options: KeyCacheOptions): KeyCache {
  const { ttlMs, max, staleWindowMs } = options;
  // A Map iterates in insertion order: re-inserting on use makes its first key the least recently used.
  const entries = new Map<string, Entry>();
  // The id last made the most recently used: a busy key used again is already there,
  // and re-inserting it (a Map delete and set per request) would change nothing.
  let newest: string | undefined;
  const touch = (id: string, entry: Entry): void => {
    if (id === newest) return;
    entries.delete(id);
    entries.set(id, entry);
    newest = id;
  };
  return {
    fresh(id, now) {
      const entry = entries.get(id);
      if (entry === undefined || now >= entry.freshUntil) return undefined;
      touch(id, entry);
      return { record: entry.record };
    },
    stale(id, now) {
      const entry = entries.get(id);
      return entry !== undefined && entry.record !== undefined && now < entry.staleUntil ? entry.record : undefined;
    },
    set(id, record, now) {
      if (ttlMs <= 0 || max <= 0) return;
      entries.delete(id);
      entries.set(id, { record, freshUntil: now + ttlMs, staleUntil: record === undefined ? 0 : now + ttlMs + staleWindowMs });
      newest = id;
      while (entries.size > max) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
      }
    },
    drop(id) {
      entries.delete(id);
      if (id === newest) newest = undefined;
    },
    clear() {
      entries.clear();
      newest = undefined;
    },
    expireAll() {
      // Without a stale window nothing expired is ever served: free it now.
      if (staleWindowMs <= 0) {
        entries.clear();
        newest = undefined;
      } else for (const entry of entries.values()) entry.freshUntil = 0;
    },
    get size() {
      return entries.size;
    },
  };
}
