// A key's quota as `quotaLimiter` enforces it: the record's `QuotaPolicy` checked once
// and frozen, and, per operation, the plan a request follows (which counters, in which
// order, under which names), with the parts of the `RateLimit` fields that never change
// (the `RateLimit-Policy` value, each policy's sf-string name) serialised once. A
// request then only formats its own counts. Plans live as long as the policy object
// (the record's), so a changed record gets new ones.
import type { QuotaPolicy } from './runtime-key-record.js';
import { asciiSet, spanOf } from './runtime-http-schemes.js';
import { rateLimitPolicyField, rateLimitPolicyName, sfString } from './runtime-rate-limit-headers.js';

/** The name of the key-wide policy in the `RateLimit` fields. */
export const KEY_POLICY = 'default';
/** The name of an operation's policy: `op:<operation id>` (made a valid sf-string). */
export const operationPolicyName = (operationId: string): string => `op:${rateLimitPolicyName(operationId)}`;

/**
 * A key id or operation id as part of a Redis key: percent-encoded (so it holds no `:`),
 * and a lone surrogate, which has no UTF-8 and makes `encodeURIComponent` throw, as
 * `%uD800` (a `u` never follows `%` in an encoded part, so two ids never give one key).
 */
export function counterKeyPart(text: string): string {
  // Every request asks it of its key id, which is almost always plain: a scan that finds
  // nothing to encode answers the text itself (what `encodeURIComponent` would return)
  // without the regular expression and its callback (measured: ~0.8 µs a request).
  if (spanOf(UNRESERVED, text, 0) === text.length) return text;
  return text.replace(/\p{Surrogate}|[^\p{Surrogate}]+/gu, (run) => (/^\p{Surrogate}$/u.test(run) ? `%u${run.charCodeAt(0).toString(16).toUpperCase()}` : encodeURIComponent(run)));
}

/** The characters `encodeURIComponent` leaves as they are (ECMA-262 uriUnescaped). */
const UNRESERVED = asciiSet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()");

interface Limit {
  readonly limit: number;
  readonly windowSeconds: number;
}

/** A checked, frozen copy of a policy; `operations` without a prototype (an operation id may be `__proto__`). */
export interface Policy extends Limit {
  readonly operations: { readonly [operationId: string]: Limit } | undefined;
}

/** One counter a request takes a count from; `counter` is what the limiter counts it with. */
export interface PlanCheck<C> extends Limit {
  /** The policy's name in the fields (`default`, `op:<id>`). */
  readonly name: string;
  /** That name as an sf-string. */
  readonly sfName: string;
  /** Appended to the encoded key id: `''` key-wide, `:<encoded operation id>` per operation. */
  readonly suffix: string;
  readonly counter: C;
}

/** What a request under one policy and operation does: its checks (the operation's first) and the `RateLimit-Policy` value. */
export interface Plan<C> {
  readonly checks: readonly PlanCheck<C>[];
  readonly policyField: string;
}

function checkedLimit(value: unknown, where: string): Limit {
  const v = (typeof value === 'object' && value !== null ? value : {}) as { limit?: unknown; windowSeconds?: unknown };
  if (typeof v.limit !== 'number' || !Number.isSafeInteger(v.limit) || v.limit < 0) throw new TypeError(`quotaLimiter: ${where}.limit must be a whole number, 0 or more`);
  if (typeof v.windowSeconds !== 'number' || !Number.isSafeInteger(v.windowSeconds) || v.windowSeconds < 1) throw new TypeError(`quotaLimiter: ${where}.windowSeconds must be a whole number of seconds, 1 or more`);
  return Object.freeze({ limit: v.limit, windowSeconds: v.windowSeconds });
}

/** Throws a TypeError naming the field on a malformed policy. */
export function checkedPolicy(value: QuotaPolicy): Policy {
  const top = checkedLimit(value, 'quota');
  const raw = (value as { operations?: unknown }).operations;
  if (raw === undefined) return Object.freeze({ ...top, operations: undefined });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TypeError('quotaLimiter: quota.operations must be an object keyed by operation id');
  const operations = Object.create(null) as Record<string, Limit>;
  for (const id of Object.keys(raw)) operations[id] = checkedLimit((raw as Record<string, unknown>)[id], `quota.operations[${JSON.stringify(id)}]`);
  return Object.freeze({ ...top, operations: Object.freeze(operations) });
}

function plan<C>(policy: Policy, operationId: string | undefined, counterFor: (limit: number, windowSeconds: number) => C): Plan<C> {
  const checks: PlanCheck<C>[] = [];
  const add = (name: string, limit: Limit, suffix: string): void => {
    checks.push(Object.freeze({ name, sfName: sfString(name), limit: limit.limit, windowSeconds: limit.windowSeconds, suffix, counter: counterFor(limit.limit, limit.windowSeconds) }));
  };
  // `:` never occurs in an encoded part, so a key's and an operation's counters never meet.
  if (operationId !== undefined) add(operationPolicyName(operationId), policy.operations?.[operationId] as Limit, `:${counterKeyPart(operationId)}`);
  add(KEY_POLICY, policy, '');
  return Object.freeze({ checks: Object.freeze(checks), policyField: rateLimitPolicyField(checks.map((c) => ({ name: c.name, quota: c.limit, window: c.windowSeconds }))) });
}

interface Plans<C> {
  /** For operations the policy has no entry for. */
  plain?: Plan<C>;
  readonly byOperation: Map<string, Plan<C>>;
}

/** Checked policies and their plans, cached per policy object; `counterFor` gives each check its counter. */
export function planCache<C>(counterFor: (limit: number, windowSeconds: number) => C): (raw: QuotaPolicy, operationId: string) => Plan<C> {
  const cache = new WeakMap<object, { readonly policy: Policy; readonly plans: Plans<C> }>();
  return (raw, operationId) => {
    let entry = cache.get(raw);
    if (entry === undefined) {
      entry = { policy: checkedPolicy(raw), plans: { byOperation: new Map() } };
      cache.set(raw, entry);
    }
    const { policy, plans } = entry;
    if (policy.operations === undefined || !Object.hasOwn(policy.operations, operationId)) return (plans.plain ??= plan(policy, undefined, counterFor));
    let p = plans.byOperation.get(operationId);
    if (p === undefined) {
      p = plan(policy, operationId, counterFor);
      plans.byOperation.set(operationId, p);
    }
    return p;
  };
}
