// A bounded in-memory cache of answers about tokens (the introspection verifier's):
// keyed by a SHA-256 of the token, so a heap dump or a debugger shows no bearer token;
// each answer kept for the time its lookup allows (never past the token's own expiry,
// which the caller works out); at most `maxEntries` answers, the least recently used
// dropped first; and one lookup per token at a time, concurrent callers sharing it. A
// failed lookup is not kept, so the next caller asks again. Web Crypto only.

export interface CachedAnswer<V> {
  readonly value: V;
  /** How long the answer may be reused (ms); 0 or less: not kept. */
  readonly ttlMs: number;
}

export interface TokenCache<V> {
  /** The answer for `token`: from the cache, from a lookup under way, or from `lookup()`. */
  get(token: string, lookup: () => Promise<CachedAnswer<V>>): Promise<V>;
  /** How many answers are kept (tests, metrics). */
  readonly size: number;
}

export interface TokenCacheOptions {
  readonly maxEntries: number;
  readonly now: () => number;
}

/** The SHA-256 of a token, base64: the cache key (never the token itself). */
export async function tokenDigest(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function tokenCache<V>(options: TokenCacheOptions): TokenCache<V> {
  const { maxEntries, now } = options;
  // A Map iterates in insertion order: re-inserting on every hit makes the first key the least recently used.
  const entries = new Map<string, { readonly value: V; readonly storedAt: number; readonly expiresAt: number }>();
  const pending = new Map<string, Promise<V>>();

  const keep = (key: string, answer: CachedAnswer<V>): void => {
    if (!(answer.ttlMs > 0) || maxEntries === 0) return;
    entries.delete(key);
    const at = now();
    entries.set(key, { value: answer.value, storedAt: at, expiresAt: at + answer.ttlMs });
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done === true) break;
      entries.delete(oldest.value);
    }
  };

  return {
    get size() {
      return entries.size;
    },
    async get(token, lookup) {
      const key = await tokenDigest(token);
      const hit = entries.get(key);
      if (hit !== undefined) {
        entries.delete(key);
        // A clock set back (now before the answer was stored) must not stretch its life.
        const at = now();
        if (hit.expiresAt > at && at >= hit.storedAt) {
          entries.set(key, hit);
          return hit.value;
        }
      }
      const running = pending.get(key);
      if (running !== undefined) return running;
      const started = lookup().then((answer) => {
        keep(key, answer);
        return answer.value;
      });
      pending.set(key, started);
      try {
        return await started;
      } finally {
        if (pending.get(key) === started) pending.delete(key);
      }
    },
  };
}
