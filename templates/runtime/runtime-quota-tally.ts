// How `quotaLimiter` takes one count from a window: exactly (one store call per
// request) or leased (one Redis call per batch of requests).
//
// Exact: every request is one atomic INCR in the shared counter. N replicas together let
// exactly `limit` requests through per window, at the price of a Redis round trip on
// every request's path, which costs a busy server more CPU than the guard itself.
//
// Leased (`batch` > 1): a replica takes up to `batch` counts from the shared counter in
// one INCRBY and hands them out locally. Three rules keep the quota a quota:
//   - A lease never grants more than the window has left. When an INCRBY goes past the
//     limit, the replica keeps only what was left before it (`limit - (consumed - n)`),
//     so the counts handed out across all replicas never exceed `limit`.
//   - A lease is at most an eighth of what the window had left at the last answer, so
//     near the end of a window leases shrink to one count and replicas share the tail.
//     What a replica took and did not use before its window ends is lost (never more
//     than an eighth of that replica's last remaining, and never past `batch - 1`):
//     the cost of batching is that a key may get slightly fewer than `limit`, never more.
//   - Once the counter says "over", the replica refuses that key locally until the
//     window ends: an exhausted key costs Redis nothing however fast it is sent.
// While a window has plenty left (at least 8 full leases), the next lease is asked for
// in the background when a quarter of the current one is left, so busy keys never wait
// on Redis; near the end of a window a replica asks only when it has nothing left.
// Concurrent requests wanting a lease for the same key wait on one INCRBY (single
// flight), sized to how many wait (still cut to what was left), and never longer than
// `timeoutMs` in all. A lease's window ends when Redis said it does, its TTL counted
// from when the INCRBY was SENT: an answer that arrives late (a slow network, a busy
// event loop) makes the lease end early, which only loses counts, never late, which
// would hand out the old window's counts in the new one.
//
// A count given back (a request refused by a later check) returns to the window it was
// taken from, and only while that window lasts: `take` hands out a window token, and
// `giveBack` does nothing with a token of an ended or replaced window.
import { RateLimiterRes } from 'rate-limiter-flexible';
import { withTimeout } from './runtime-timeout.js';

const STORE = 'quota store';

/** The part of a rate-limiter-flexible limiter a tally uses. */
export interface Counter {
  consume(key: string, points: number): Promise<RateLimiterRes>;
  reward(key: string, points: number): Promise<RateLimiterRes>;
}

/** One count taken: what the window has left (this replica's view) and when it ends. */
export interface Taken {
  readonly over: false;
  readonly remaining: number;
  readonly msBeforeNext: number;
  /** The window the count came from, for `giveBack`. */
  readonly window: unknown;
}

/** No count left until the window ends. */
export interface Over {
  readonly over: true;
  readonly msBeforeNext: number;
}

/**
 * Counting for one policy. `take` answers at once when it can (a leased count), a
 * promise when it must ask the store; it throws or rejects when the store cannot answer.
 */
export interface Tally {
  take(key: string): Taken | Over | Promise<Taken | Over>;
  /** Gives a count back to the window it was taken from (`Taken.window`), if that window still lasts; off the request's path. */
  giveBack(key: string, window: unknown): void;
}

/** Over the limit: rate-limiter-flexible rejects with its result, not an Error. */
export const isOver = (value: unknown): value is RateLimiterRes => value instanceof RateLimiterRes;

/** Milliseconds on a monotonic clock (`performance` is global in Node 16+, browsers and workers). */
const clock = (): number => performance.now();

/** One store call per request. */
export function exactTally(counter: Counter, timeoutMs: number, onError: (error: unknown) => void): Tally {
  return {
    async take(key) {
      const sent = clock();
      try {
        const r = await withTimeout(counter.consume(key, 1), timeoutMs, STORE);
        // The window token is when the window ends at the latest, counted from the send.
        return { over: false, remaining: r.remainingPoints, msBeforeNext: r.msBeforeNext, window: sent + Math.max(0, r.msBeforeNext) };
      } catch (error) {
        if (isOver(error)) return { over: true, msBeforeNext: error.msBeforeNext };
        throw error;
      }
    },
    giveBack(key, window) {
      // A reward that lands after its window ended would open the next one at -1 (one
      // more request then): only while the window has longer left than a store call may take.
      if (typeof window !== 'number' || clock() + timeoutMs >= window) return;
      counter.reward(key, 1).catch(onError);
    },
  };
}

interface Lease {
  /** Counts this replica holds and has not handed out. */
  points: number;
  /** Counts the last lease asked for. */
  readonly size: number;
  /** What the shared counter had left for everyone after this lease was taken. */
  readonly left: number;
  /** When the window ends (`clock()`, monotonic: a wall clock set back must not stretch a lease past its window). */
  readonly endsAt: number;
  readonly over: boolean;
}

/** Leases past this many keys make a lease sweep out the ended ones (then past twice as many as are left). */
const SWEEP_AT = 10_000;

/** Up to `batch` counts per Redis call; see the module comment. */
export function leasedTally(counter: Counter, limit: number, batch: number, timeoutMs: number): Tally {
  const leases = new Map<string, Lease>();
  const pending = new Map<string, Promise<void>>();
  /** Requests waiting for a lease, per key: the next lease is sized for them. */
  const waiting = new Map<string, number>();
  let sweepAt = SWEEP_AT;

  const fetch = async (key: string, previous: Lease | undefined): Promise<void> => {
    const sent = clock();
    // At window start, what is left is unknown: assume the whole limit; a lease that
    // asks too much is cut to what was left, so guessing high costs nothing but count.
    const known = previous !== undefined && previous.endsAt > sent ? previous.left : limit;
    const n = Math.max(1, Math.min(Math.max(batch, waiting.get(key) ?? 0), Math.floor(known / 8)));
    let consumed: number;
    let msBeforeNext: number;
    try {
      const r = await withTimeout(counter.consume(key, n), timeoutMs, STORE);
      consumed = r.consumedPoints;
      msBeforeNext = r.msBeforeNext;
    } catch (error) {
      if (!isOver(error)) throw error;
      consumed = error.consumedPoints;
      msBeforeNext = error.msBeforeNext;
    }
    const granted = Math.max(0, Math.min(n, limit - (consumed - n)));
    const now = clock();
    if (leases.size >= sweepAt) {
      for (const [k, l] of leases) if (l.endsAt <= now) leases.delete(k);
      // Amortised: a map full of live leases is not scanned again on every fetch.
      sweepAt = Math.max(SWEEP_AT, 2 * leases.size);
    }
    // Counted from the send (see the module comment); a window without a TTL (never
    // expected) is held for one second at most.
    const endsAt = sent + (msBeforeNext >= 0 ? msBeforeNext : 1000);
    // Counts still held from the same window (a lease asked for ahead) are kept. The
    // current lease's window ended before this answer's began if it ended by `now`.
    const current = leases.get(key);
    const held = current !== undefined && current.endsAt > now ? current.points : 0;
    leases.set(key, { points: held + granted, size: n, left: Math.max(0, limit - consumed), endsAt, over: granted === 0 });
  };
  const ask = (key: string, lease: Lease | undefined): Promise<void> => {
    let inFlight = pending.get(key);
    if (inFlight === undefined) {
      inFlight = fetch(key, lease).finally(() => pending.delete(key));
      pending.set(key, inFlight);
    }
    return inFlight;
  };
  // A lease asked for ahead that fails: nothing waits on it; the next request that
  // needs one asks again and meets the error itself.
  const ahead = (): void => undefined;

  // What a request can have without waiting: a count, a refusal, or undefined (ask).
  const local = (key: string): Taken | Over | undefined => {
    const now = clock();
    const lease = leases.get(key);
    if (lease === undefined || lease.endsAt <= now) return undefined;
    if (lease.points > 0) {
      lease.points -= 1;
      if (lease.points <= lease.size >> 2 && !lease.over && lease.left >= 8 * batch && !pending.has(key)) ask(key, lease).catch(ahead);
      return { over: false, remaining: lease.left + lease.points, msBeforeNext: lease.endsAt - now, window: lease };
    }
    return lease.over ? { over: true, msBeforeNext: lease.endsAt - now } : undefined;
  };
  const wait = async (key: string): Promise<Taken | Over> => {
    const deadline = clock() + timeoutMs;
    waiting.set(key, (waiting.get(key) ?? 0) + 1);
    try {
      for (;;) {
        const left = deadline - clock();
        // A request waits on Redis `timeoutMs` in all, however many leases go before it.
        if (left <= 0) throw new Error(`${STORE} did not answer within ${timeoutMs} ms`);
        // Every waiter sees the store's failure; the next request tries again.
        await withTimeout(ask(key, leases.get(key)), left, STORE);
        const answer = local(key);
        if (answer !== undefined) return answer;
      }
    } finally {
      const n = (waiting.get(key) ?? 1) - 1;
      if (n > 0) waiting.set(key, n);
      else waiting.delete(key);
    }
  };

  return {
    take(key) {
      return local(key) ?? wait(key);
    },
    giveBack(key, window) {
      // Only to the lease the count came from, while it lasts: a newer lease (another
      // window, or the same one refreshed) does not take it.
      const lease = leases.get(key);
      if (lease !== undefined && lease === window && lease.endsAt > clock()) lease.points += 1;
    },
  };
}
