// `quotaLimiter(options)`: the `limit` hook (GuardOptions.limit) that enforces each API
// key's quota (`KeyRecord.quota`, which `apiKeyVerifier` carries into the principal, so
// no second lookup). Counting is `rate-limiter-flexible`'s: with `redis`, one counter
// per key in Redis shared by every replica (an atomic INCR + EXPIRE script, so N
// replicas together let exactly `limit` requests through per window); without it, in
// this process's memory (one replica, tests, the embedded default). With
// runtime-quota-tally.ts, the only runtime files that import a package: the output
// holds them only when quotas are enabled, and the user installs `rate-limiter-flexible` then.
//
// Windows are fixed: a key's window starts at its first counted request and lasts
// `windowSeconds`. Every request the guard allows with a key counts once (refusals
// never reach a `limit` hook, so a 401 counts against no key). A per-operation quota
// (`quota.operations[operationId]`) applies in addition to the key-wide one: it is
// checked first, and the key-wide count is only taken when it passes, so requests
// refused by an operation's quota do not use up the key's quota; a request the key-wide
// quota refuses gives its operation count back.
//
// When Redis cannot answer (down, or slower than `timeoutMs`), a request is refused
// with 503 (`onStoreError: 'fail-closed'`, the default: a quota that fails open is no
// quota while Redis is down) or let through uncounted (`'fail-open'`). A request never
// waits on Redis longer than `timeoutMs`; and the client must not queue commands while
// disconnected: a client that does is a TypeError at construction, not a warning,
// because its queued commands would run when Redis is back and count requests that
// were answered 503 long before (rate-limiter-flexible then fails at once instead).
//
// `batch` trades a little count for throughput: a replica takes up to `batch` counts per
// Redis call and hands them out itself (runtime-quota-tally.ts says how the quota still
// never goes over). The default, 1, is one Redis call per request.
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { QuotaPolicy } from './runtime-key-record.js';
import { keyIdOf, keyPrincipalOf, type LimitHook } from './runtime-limits.js';
import { exactTally, leasedTally, type Over, type Tally, type Taken } from './runtime-quota-tally.js';
import { counterKeyPart, KEY_POLICY, planCache, type Plan, type PlanCheck } from './runtime-quota-policy.js';
export { KEY_POLICY, operationPolicyName } from './runtime-quota-policy.js';
import { rateLimitMember } from './runtime-rate-limit-headers.js';
import { UnavailableError, type AuthSuccess, type LimitOutcome } from './runtime-types.js';

/** What is read of an ioredis client (`Redis` or `Cluster`): it must have `enableOfflineQueue: false`. */
export interface IoRedisClientLike {
  readonly options: { readonly enableOfflineQueue?: boolean | undefined };
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
}

/** What is read of a node-redis (v4+) client: it must have `disableOfflineQueue: true`. */
export interface NodeRedisClientLike {
  readonly isOpen: boolean;
  readonly options?: { readonly disableOfflineQueue?: boolean | undefined } | undefined;
}

export type QuotaRedisClient = IoRedisClientLike | NodeRedisClientLike;

export interface QuotaLimiterOptions {
  /**
   * The user's ioredis or node-redis client, created without an offline queue (ioredis
   * `enableOfflineQueue: false`, node-redis `disableOfflineQueue: true`). Absent: counts
   * are kept in this process only (not shared between replicas).
   */
  readonly redis?: QuotaRedisClient;
  /** Prefix of every Redis key (`<keyPrefix>:<key id>`). Default `'quota'`. */
  readonly keyPrefix?: string;
  /**
   * Where the `RateLimit` and `RateLimit-Policy` fields go: `'on-limit'` (default) on
   * 429s only; `'always'` on every counted response too, so clients can pace themselves
   * before they are refused. Two more header lines on every response cost a small
   * request about a tenth of its server time (measured: `npm run bench`).
   */
  readonly headers?: 'always' | 'on-limit';
  /** What a request gets when Redis cannot answer: `'fail-closed'` (default) a 503; `'fail-open'` it passes uncounted. */
  readonly onStoreError?: 'fail-closed' | 'fail-open';
  /**
   * Counts a replica takes from Redis in one call and then hands out itself (default 1:
   * every request is one Redis call, and N replicas together allow exactly `limit`).
   * Above 1, Redis sees one call per up to `batch` requests of a key; the replicas
   * together still never allow more than `limit` in a window, but counts a replica took
   * and did not use before the window ended are lost, and a 429 is decided locally once
   * Redis said the window is used up. Give every replica the same value. Ignored
   * without `redis` (memory counts are local already).
   */
  readonly batch?: number;
  /** How long a request waits for Redis before that counts as a store error (ms). Default 500. */
  readonly timeoutMs?: number;
  /** Seconds in the 503's `Retry-After` when Redis cannot answer. Default 1. */
  readonly unavailableRetryAfter?: number;
  /** The quota of an allowed request. Default: the `quota` of its API key principal (`KeyPrincipal.quota`). */
  readonly policyOf?: (decision: AuthSuccess) => QuotaPolicy | undefined;
  /** The id its counts are kept under. Default: the API key principal's `keyId` (`keyIdOf`). */
  readonly keyOf?: (decision: AuthSuccess) => string | undefined;
  /** Sees every store error (either mode), for logs and metrics. Its messages hold no key. */
  readonly onError?: (error: unknown) => void;
}

export interface QuotaLimiter {
  /** The hook for `GuardOptions.limit` (or `combineLimits`). */
  readonly limit: LimitHook;
}

/** Throws the TypeError a client with an offline queue deserves; tells node-redis apart for rate-limiter-flexible. */
function redisKind(client: unknown): 'ioredis' | 'node-redis' {
  const c = client as Partial<IoRedisClientLike & NodeRedisClientLike> | null;
  if (typeof c !== 'object' || c === null) throw new TypeError('quotaLimiter: `redis` must be an ioredis or node-redis client');
  const why = 'a command sent while Redis is unreachable would wait in the queue, and every request with it';
  if (typeof c.defineCommand === 'function') {
    if (c.options?.enableOfflineQueue !== false) throw new TypeError(`quotaLimiter: create the ioredis client with \`enableOfflineQueue: false\`: ${why}`);
    return 'ioredis';
  }
  if (typeof c.isOpen === 'boolean') {
    if (c.options?.disableOfflineQueue !== true) throw new TypeError(`quotaLimiter: create the node-redis client with \`disableOfflineQueue: true\`: ${why}`);
    return 'node-redis';
  }
  throw new TypeError('quotaLimiter: `redis` must be an ioredis or node-redis client');
}

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));
/** The longest delay `setTimeout` honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function quotaLimiter(options: QuotaLimiterOptions = {}): QuotaLimiter {
  const kind = options.redis === undefined ? undefined : redisKind(options.redis);
  const keyPrefix = options.keyPrefix ?? 'quota';
  const always = options.headers === 'always';
  const failOpen = options.onStoreError === 'fail-open';
  const timeoutMs = options.timeoutMs ?? 500;
  // setTimeout takes at most 2^31 - 1 ms; a longer delay fires at once (a 1 ms timeout).
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)) throw new TypeError(`quotaLimiter: timeoutMs must be more than 0 and at most ${MAX_TIMER_MS}`);
  const batch = options.batch ?? 1;
  if (!Number.isSafeInteger(batch) || batch < 1) throw new TypeError('quotaLimiter: batch must be a whole number, 1 or more');
  const onError = (error: unknown): void => options.onError?.(error);
  const unavailableRetryAfter = options.unavailableRetryAfter ?? 1;
  const keyOf = options.keyOf ?? keyIdOf;
  const defaults = options.keyOf === undefined && options.policyOf === undefined;
  const policyOf = options.policyOf ?? ((decision: AuthSuccess) => principalQuota(decision));

  // One limiter (and tally) per distinct policy. In Redis their counters live under the same
  // names, so a key whose limit changes keeps its count for the rest of the window; in
  // memory each limiter keeps its own counts, so a changed policy starts afresh.
  const tallies = new Map<string, Tally>();
  const tallyFor = (limit: number, windowSeconds: number): Tally => {
    const id = `${limit}/${windowSeconds}`;
    let tally = tallies.get(id);
    if (tally === undefined) {
      if (options.redis === undefined) {
        // In memory, rate-limiter-flexible ends a window with a timer, and a timer longer
        // than 2^31 - 1 ms fires at once: such a window would never count. Refused (the
        // guard answers 500, failing closed) rather than silently unenforced.
        if (windowSeconds * 1000 > MAX_TIMER_MS) throw new TypeError(`quotaLimiter: a window of ${windowSeconds} s is longer than in-memory counting can time (${Math.floor(MAX_TIMER_MS / 1000)} s); give quotaLimiter a redis client`);
        tally = exactTally(new RateLimiterMemory({ points: limit, duration: windowSeconds, keyPrefix }), timeoutMs, onError);
      } else {
        const counter = new RateLimiterRedis({
          storeClient: options.redis,
          points: limit,
          duration: windowSeconds,
          keyPrefix,
          // Refuse at once while the connection is not ready, rather than send.
          rejectIfRedisNotReady: true,
          useRedisPackage: kind === 'node-redis',
        });
        tally = batch === 1 ? exactTally(counter, timeoutMs, onError) : leasedTally(counter, limit, batch, timeoutMs);
      }
      tallies.set(id, tally);
    }
    return tally;
  };

  // Checked once per policy object: a record's quota is read, frozen in a copy, and
  // reused; a handler changing the principal's object later changes nothing. Each plan
  // check carries its tally, found once.
  const planFor = planCache(tallyFor);

  const storeError = (error: unknown): LimitOutcome => {
    options.onError?.(error);
    if (failOpen) return { ok: true };
    throw new UnavailableError('quota store unavailable', unavailableRetryAfter, { cause: error });
  };

  // Every request asks for its key id's counter key part: kept, since encoding it (a scan
  // of the id's characters) cost about 700 instructions a request where the lookup costs
  // about 60 (measured with a 24-character id). Bounded: emptied when full.
  const keyParts = new Map<string, string>();
  const keyPartOf = (keyId: string): string => {
    let part = keyParts.get(keyId);
    if (part === undefined) {
      if (keyParts.size >= KEY_PARTS_KEPT) keyParts.clear();
      part = counterKeyPart(keyId);
      keyParts.set(keyId, part);
    }
    return part;
  };

  const member = (check: PlanCheck<Tally>, remaining: number, msBeforeNext: number): string => rateLimitMember(check.sfName, remaining, msBeforeNext >= 0 ? seconds(msBeforeNext) : undefined);

  // The checks run in order (at most two: the operation's, then the key's). A leased
  // count is taken synchronously, so a request served from a lease never waits on a
  // promise here; only a store call makes the rest of the steps asynchronous.
  const step = (plan: Plan<Tally>, key: string, i: number, prior: Taken | undefined): LimitOutcome | Promise<LimitOutcome> => {
    const check = plan.checks[i] as PlanCheck<Tally>;
    let taken: Taken | Over | Promise<Taken | Over>;
    try {
      taken = check.counter.take(key + check.suffix);
    } catch (error) {
      return storeError(error);
    }
    return taken instanceof Promise ? taken.then((t) => after(plan, key, i, t, prior), storeError) : after(plan, key, i, taken, prior);
  };

  const after = (plan: Plan<Tally>, key: string, i: number, taken: Taken | Over, prior: Taken | undefined): LimitOutcome | Promise<LimitOutcome> => {
    const { checks, policyField } = plan;
    const check = checks[i] as PlanCheck<Tally>;
    if (taken.over === true) {
      // Refused: give back what the check before it took (an operation's count), off the
      // request's path; a failure only leaves that count one too high. Its member reports
      // the count as given back.
      const first = checks[0] as PlanCheck<Tally>;
      if (prior !== undefined) first.counter.giveBack(key + first.suffix, prior.window);
      const reset = seconds(taken.msBeforeNext);
      const retryAfter = Math.max(1, reset);
      const own = rateLimitMember(check.sfName, 0, reset);
      const ratelimit = prior === undefined ? own : `${member(first, Math.min(first.limit, prior.remaining + 1), prior.msBeforeNext)}, ${own}`;
      return { ok: false, retryAfter, headers: { 'ratelimit-policy': policyField, ratelimit, 'retry-after': String(retryAfter) }, detail: check.name === KEY_POLICY ? 'quota' : 'operation-quota' };
    }
    if (i + 1 < checks.length) return step(plan, key, i + 1, taken);
    if (!always) return OK;
    const own = member(check, taken.remaining, taken.msBeforeNext);
    return { ok: true, headers: { 'ratelimit-policy': policyField, ratelimit: prior === undefined ? own : `${member(checks[0] as PlanCheck<Tally>, prior.remaining, prior.msBeforeNext)}, ${own}` } };
  };

  return {
    limit(decision) {
      try {
        let keyId: unknown;
        let raw: QuotaPolicy | undefined;
        if (defaults) {
          // Both from the one key principal, found once.
          const principal = keyPrincipalOf(decision);
          keyId = principal?.['keyId'];
          raw = principal?.['quota'] as QuotaPolicy | undefined;
        } else {
          keyId = keyOf(decision);
          raw = policyOf(decision);
        }
        if (typeof keyId !== 'string' || raw === undefined || raw === null) return OK;
        return step(planFor(raw, decision.operationId), keyPartOf(keyId), 0, undefined);
      } catch (error) {
        // A malformed policy, or a store error in fail-closed mode: a rejection, as from any async hook.
        return Promise.reject(error);
      }
    },
  };
}

const OK: LimitOutcome = Object.freeze({ ok: true });

/** How many key ids' counter key parts a limiter keeps (`keyPartOf`). */
const KEY_PARTS_KEPT = 10_000;

/** The `quota` of the request's API key principal (the one `keyIdOf` picks), if it has one. */
function principalQuota(decision: AuthSuccess): QuotaPolicy | undefined {
  return keyPrincipalOf(decision)?.['quota'] as QuotaPolicy | undefined;
}
