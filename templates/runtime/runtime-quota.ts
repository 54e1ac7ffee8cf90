// `quotaLimiter(options)`: the `limit` hook (GuardOptions.limit) that enforces each API
// key's quota (`KeyRecord.quota`, which `apiKeyVerifier` carries into the principal, so
// no second lookup). Counting is `rate-limiter-flexible`'s: with `redis`, one counter
// per key in Redis shared by every replica (an atomic INCR + EXPIRE script, so N
// replicas together let exactly `limit` requests through per window); without it, in
// this process's memory (one replica, tests, the embedded default). This is the only
// runtime file that imports a package: the output holds it only when quotas are
// enabled, and the user installs `rate-limiter-flexible` then.
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
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { QuotaPolicy } from './runtime-key-record.js';
import { keyIdOf, keyPrincipalOf, type LimitHook } from './runtime-limits.js';
import { rateLimitHeaders, rateLimitPolicyName, type RateLimitItem, type RateLimitPolicyItem } from './runtime-rate-limit-headers.js';
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
  /** `'always'` (default): `RateLimit` and `RateLimit-Policy` on every counted response; `'on-limit'`: on 429s only. */
  readonly headers?: 'always' | 'on-limit';
  /** What a request gets when Redis cannot answer: `'fail-closed'` (default) a 503; `'fail-open'` it passes uncounted. */
  readonly onStoreError?: 'fail-closed' | 'fail-open';
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

/** The name of the key-wide policy in the `RateLimit` fields. */
export const KEY_POLICY = 'default';
/** The name of an operation's policy: `op:<operation id>` (made a valid sf-string). */
export const operationPolicyName = (operationId: string): string => `op:${rateLimitPolicyName(operationId)}`;

interface Counter {
  consume(key: string, points: number): Promise<RateLimiterRes>;
  reward(key: string, points: number): Promise<RateLimiterRes>;
}

interface Check {
  readonly name: string;
  readonly limit: number;
  readonly windowSeconds: number;
  readonly key: string;
}

/** A checked, frozen copy of a policy; `operations` without a prototype (an operation id may be `__proto__`). */
interface Policy {
  readonly limit: number;
  readonly windowSeconds: number;
  readonly operations: { readonly [operationId: string]: { readonly limit: number; readonly windowSeconds: number } } | undefined;
}

function checkedLimit(value: unknown, where: string): { readonly limit: number; readonly windowSeconds: number } {
  const v = (typeof value === 'object' && value !== null ? value : {}) as { limit?: unknown; windowSeconds?: unknown };
  if (typeof v.limit !== 'number' || !Number.isSafeInteger(v.limit) || v.limit < 0) throw new TypeError(`quotaLimiter: ${where}.limit must be a whole number, 0 or more`);
  if (typeof v.windowSeconds !== 'number' || !Number.isSafeInteger(v.windowSeconds) || v.windowSeconds < 1) throw new TypeError(`quotaLimiter: ${where}.windowSeconds must be a whole number of seconds, 1 or more`);
  return Object.freeze({ limit: v.limit, windowSeconds: v.windowSeconds });
}

function checkedPolicy(value: QuotaPolicy): Policy {
  const top = checkedLimit(value, 'quota');
  const raw = (value as { operations?: unknown }).operations;
  if (raw === undefined) return Object.freeze({ ...top, operations: undefined });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TypeError('quotaLimiter: quota.operations must be an object keyed by operation id');
  const operations = Object.create(null) as Record<string, { readonly limit: number; readonly windowSeconds: number }>;
  for (const id of Object.keys(raw)) operations[id] = checkedLimit((raw as Record<string, unknown>)[id], `quota.operations[${JSON.stringify(id)}]`);
  return Object.freeze({ ...top, operations: Object.freeze(operations) });
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

/** Over the limit: rate-limiter-flexible rejects with its result, not an Error. */
const isOver = (value: unknown): value is RateLimiterRes => value instanceof RateLimiterRes;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`quota store did not answer within ${ms} ms`)), ms);
    (timer as { unref?: () => void }).unref?.();
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (reason: unknown) => (clearTimeout(timer), reject(reason)),
    );
  });
}

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

export function quotaLimiter(options: QuotaLimiterOptions = {}): QuotaLimiter {
  const kind = options.redis === undefined ? undefined : redisKind(options.redis);
  const keyPrefix = options.keyPrefix ?? 'quota';
  const always = (options.headers ?? 'always') === 'always';
  const failOpen = options.onStoreError === 'fail-open';
  const timeoutMs = options.timeoutMs ?? 500;
  if (!(timeoutMs > 0)) throw new TypeError('quotaLimiter: timeoutMs must be more than 0');
  const unavailableRetryAfter = options.unavailableRetryAfter ?? 1;
  const keyOf = options.keyOf ?? keyIdOf;
  const policyOf = options.policyOf ?? ((decision: AuthSuccess) => principalQuota(decision));

  // One limiter per distinct policy. In Redis their counters live under the same
  // names, so a key whose limit changes keeps its count for the rest of the window; in
  // memory each limiter keeps its own counts, so a changed policy starts afresh.
  const limiters = new Map<string, Counter>();
  const limiterFor = (limit: number, windowSeconds: number): Counter => {
    const id = `${limit}/${windowSeconds}`;
    let limiter = limiters.get(id);
    if (limiter === undefined) {
      limiter =
        options.redis === undefined
          ? new RateLimiterMemory({ points: limit, duration: windowSeconds, keyPrefix })
          : new RateLimiterRedis({
              storeClient: options.redis,
              points: limit,
              duration: windowSeconds,
              keyPrefix,
              // Refuse at once while the connection is not ready, rather than send.
              rejectIfRedisNotReady: true,
              useRedisPackage: kind === 'node-redis',
            });
      limiters.set(id, limiter);
    }
    return limiter;
  };

  // Checked once per policy object: a record's quota is read, frozen in a copy, and
  // reused; a handler changing the principal's object later changes nothing.
  const checked = new WeakMap<object, Policy>();
  const policyFor = (decision: AuthSuccess): Policy | undefined => {
    const raw = policyOf(decision);
    if (raw === undefined || raw === null) return undefined;
    let p = checked.get(raw);
    if (p === undefined) {
      p = checkedPolicy(raw);
      checked.set(raw, p);
    }
    return p;
  };

  const storeError = (error: unknown): LimitOutcome => {
    options.onError?.(error);
    if (failOpen) return { ok: true };
    throw new UnavailableError('quota store unavailable', unavailableRetryAfter, { cause: error });
  };

  return {
    async limit(decision) {
      const keyId = keyOf(decision);
      if (keyId === undefined) return { ok: true };
      const policy = policyFor(decision);
      if (policy === undefined) return { ok: true };
      // `:` never occurs in an encoded part, so a key's and an operation's counters never meet.
      const key = encodeURIComponent(keyId);
      const op = policy.operations === undefined || !Object.hasOwn(policy.operations, decision.operationId) ? undefined : policy.operations[decision.operationId];
      const checks: Check[] = [];
      if (op !== undefined) checks.push({ name: operationPolicyName(decision.operationId), ...op, key: `${key}:${encodeURIComponent(decision.operationId)}` });
      checks.push({ name: KEY_POLICY, limit: policy.limit, windowSeconds: policy.windowSeconds, key });
      const policies: RateLimitPolicyItem[] = checks.map((c) => ({ name: c.name, quota: c.limit, window: c.windowSeconds }));

      const limits: RateLimitItem[] = [];
      for (let i = 0; i < checks.length; i++) {
        const check = checks[i] as Check;
        let result: RateLimiterRes;
        try {
          result = await withTimeout(limiterFor(check.limit, check.windowSeconds).consume(check.key, 1), timeoutMs);
        } catch (error) {
          if (!isOver(error)) return storeError(error);
          // Refused: give back what the checks before it took (an operation's count), off
          // the request's path; a failure only leaves that count one too high.
          for (const prior of checks.slice(0, i)) {
            limiterFor(prior.limit, prior.windowSeconds)
              .reward(prior.key, 1)
              .catch((e: unknown) => options.onError?.(e));
          }
          const reset = seconds(error.msBeforeNext);
          const retryAfter = Math.max(1, reset);
          // The checks before it report their count as given back.
          const given = limits.map((l, j) => ({ ...l, remaining: Math.min((checks[j] as Check).limit, l.remaining + 1) }));
          const headers = rateLimitHeaders(policies, [...given, { name: check.name, remaining: 0, reset }], retryAfter);
          return { ok: false, retryAfter, headers, detail: check.name === KEY_POLICY ? 'quota' : 'operation-quota' };
        }
        limits.push({ name: check.name, remaining: result.remainingPoints, ...(result.msBeforeNext >= 0 ? { reset: seconds(result.msBeforeNext) } : {}) });
      }
      return always ? { ok: true, headers: rateLimitHeaders(policies, limits) } : { ok: true };
    },
  };
}

/** The `quota` of the request's API key principal (the one `keyIdOf` picks), if it has one. */
function principalQuota(decision: AuthSuccess): QuotaPolicy | undefined {
  return keyPrincipalOf(decision)?.['quota'] as QuotaPolicy | undefined;
}
