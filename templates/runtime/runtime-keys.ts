// Helpers for verifier authors: a constant-time string comparison and a store of API
// keys kept as SHA-256 digests. Comparing digests (fixed 32 bytes) rather than the
// strings themselves means neither the content nor the length of a stored key leaks
// through timing, and a leaked store does not leak usable keys.
// Uses node:crypto (also available in Deno, Bun and Cloudflare Workers with
// `nodejs_compat`); the browser-safe client never imports this file.
import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 of the UTF-8 bytes of `key`, as lower-case hex: what a store keeps instead of the key. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * `a === b` in time that depends on neither string's content nor length: both sides
 * are hashed to 32 bytes first, then compared with `crypto.timingSafeEqual`.
 */
export function timingSafeEqualString(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export interface HashedKeyEntry<P> {
  /** `hashKey(key)`: 64 hex digits (either case). Never the key itself. */
  readonly hash: string;
  /** What the verifier returns for this key (for instance `{ clientId, scopes }`). */
  readonly principal: P;
  /** After this instant the key no longer verifies. */
  readonly expiresAt?: Date | number | undefined;
  /** A revoked key never verifies. */
  readonly revoked?: boolean | undefined;
}

export interface HashedKeyStore<P> {
  /** The principal of a live key, else `undefined`. `now` defaults to the current time. */
  lookup(key: string, now?: Date | number): P | undefined;
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * An in-memory key store. A lookup hashes the presented key once and finds its entry
 * by digest (a map lookup on a digest reveals nothing useful about the key), then
 * confirms with a constant-time comparison. Revoked and expired entries answer
 * exactly like unknown keys, so a caller cannot tell them apart.
 */
export function createHashedKeyStore<P>(entries: Iterable<HashedKeyEntry<P>>): HashedKeyStore<P> {
  const byDigest = new Map<string, { readonly digest: Buffer; readonly entry: HashedKeyEntry<P>; readonly expires: number }>();
  for (const entry of entries) {
    if (typeof entry.hash !== 'string' || !SHA256_HEX.test(entry.hash)) {
      throw new TypeError('createHashedKeyStore: every entry needs `hash`, the SHA-256 hex digest of a key (use hashKey)');
    }
    const hex = entry.hash.toLowerCase();
    if (byDigest.has(hex)) throw new TypeError('createHashedKeyStore: two entries share one key digest');
    const expires = entry.expiresAt === undefined ? Number.POSITIVE_INFINITY : typeof entry.expiresAt === 'number' ? entry.expiresAt : entry.expiresAt.getTime();
    byDigest.set(hex, { digest: Buffer.from(hex, 'hex'), entry, expires });
  }
  return {
    lookup(key: string, now: Date | number = Date.now()): P | undefined {
      if (typeof key !== 'string' || key === '') return undefined;
      const presented = digest(key);
      const found = byDigest.get(presented.toString('hex'));
      if (found === undefined || !timingSafeEqual(found.digest, presented)) return undefined;
      const at = typeof now === 'number' ? now : now.getTime();
      if (found.entry.revoked === true || !(at < found.expires)) return undefined;
      return found.entry.principal;
    },
  };
}
