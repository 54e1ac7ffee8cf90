// `usageRecorder(options)`: API key usage for billing. Its `limit` hook (put it after a
// quota in `combineLimits`, so only requests let through count) never refuses; it adds
// one to the count of (key id, operation id, window start) in memory. `flush()` writes
// all counts to PostgreSQL in ONE parameterised statement that adds them to the rows
// already there, so every replica can flush into the same rows:
//
//   INSERT INTO api_key_usage AS u (key_id, operation_id, window_start, requests)
//   SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[])
//   ON CONFLICT (key_id, operation_id, window_start) DO UPDATE SET requests = u.requests + EXCLUDED.requests
//
// A replica flushes at most once per `flushIntervalMs` (an `unref()`ed timer, so it
// keeps no process alive) and on `close()`. Windows are aligned to the epoch (hourly by
// default: 10:00-11:00 UTC), so replicas agree on `window_start`; a `windowSeconds`
// that divides a day keeps every window inside one calendar month (UTC) for billing. A failed flush keeps
// its counts for the next one; at most `maxWindows` windows are kept, the oldest
// dropped beyond that and reported through `onError`. Counts in memory when a process
// dies are lost: this counts for billing at the granularity of a flush, it is not a
// ledger. The pool is the user's (`pg.Pool` fits `UsagePool`); the table comes from
// the PostgreSQL migration (templates/sql).
import { keyIdOf, type LimitHook } from './runtime-limits.js';
import type { AuthSuccess } from './runtime-types.js';

/** What is used of a `pg.Pool` (or `pg.Client`): one parameterised query. */
export interface UsagePool {
  query(text: string, values: unknown[]): PromiseLike<unknown>;
}

export interface UsageRecorderOptions {
  readonly pool: UsagePool;
  /** The table (optionally `schema.table`; letters, digits and `_`). Default `'api_key_usage'`. */
  readonly table?: string;
  /** How often a replica writes its counts (ms). Default 60 000. */
  readonly flushIntervalMs?: number;
  /** The length of a counting window (s), aligned to the epoch. Default 3600. */
  readonly windowSeconds?: number;
  /** How many windows of counts are kept while flushes fail; older ones are dropped. Default 24. */
  readonly maxWindows?: number;
  /** Sees failed flushes and dropped counts. Default: `console.error` with the error's message (never a key). */
  readonly onError?: (error: unknown) => void;
  /** The id a request's usage is counted under. Default: the API key principal's `keyId`; undefined: not counted. */
  readonly keyOf?: (decision: AuthSuccess) => string | undefined;
  /** Milliseconds since the epoch; inject a clock in tests. Default `Date.now`. */
  readonly now?: () => number;
}

export interface UsageRecorder {
  /** The hook for `GuardOptions.limit` (or `combineLimits`): always `{ ok: true }`. */
  readonly limit: LimitHook;
  /** Writes the counts so far (after any flush under way); rejects when the write fails (the counts are kept). */
  flush(): Promise<void>;
  /** Stops the timer and flushes; counts made afterwards are written only by `flush()`. */
  close(): Promise<void>;
}

interface Row {
  readonly keyId: string;
  readonly operationId: string;
  requests: number;
}

/** Counts by window start (ms), then by key id and operation id. */
type Pending = Map<number, Map<string, Row>>;

const TABLE = /^(?:[A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_]*$/;

export function usageRecorder(options: UsageRecorderOptions): UsageRecorder {
  const { pool } = options;
  if (typeof pool !== 'object' || pool === null || typeof pool.query !== 'function') throw new TypeError('usageRecorder: `pool` must be a pg Pool (anything with `query(text, values)`)');
  const table = options.table ?? 'api_key_usage';
  // Interpolated into the statement (a table cannot be a parameter), so only a plain name.
  if (!TABLE.test(table)) throw new TypeError(`usageRecorder: table ${JSON.stringify(table)} must be a plain name (letters, digits, _), optionally schema-qualified`);
  const flushIntervalMs = options.flushIntervalMs ?? 60_000;
  const windowMs = (options.windowSeconds ?? 3600) * 1000;
  const maxWindows = options.maxWindows ?? 24;
  if (!(flushIntervalMs > 0)) throw new TypeError('usageRecorder: flushIntervalMs must be more than 0');
  if (!Number.isSafeInteger(windowMs) || windowMs < 1000) throw new TypeError('usageRecorder: windowSeconds must be a whole number of seconds, 1 or more');
  if (!Number.isSafeInteger(maxWindows) || maxWindows < 1) throw new TypeError('usageRecorder: maxWindows must be a whole number, 1 or more');
  const onError = options.onError ?? ((error: unknown) => console.error(`usageRecorder: ${error instanceof Error ? error.message : String(error)}`));
  const keyOf = options.keyOf ?? keyIdOf;
  const now = options.now ?? Date.now;
  const sql =
    `INSERT INTO ${table} AS u (key_id, operation_id, window_start, requests) ` +
    'SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[]) ' +
    'ON CONFLICT (key_id, operation_id, window_start) DO UPDATE SET requests = u.requests + EXCLUDED.requests';

  let pending: Pending = new Map();

  const add = (into: Pending, windowStart: number, keyId: string, operationId: string, requests: number): void => {
    let rows = into.get(windowStart);
    if (rows === undefined) {
      rows = new Map();
      into.set(windowStart, rows);
    }
    // JSON of the pair: no two pairs give one map key, whatever the strings hold.
    const id = JSON.stringify([keyId, operationId]);
    const row = rows.get(id);
    if (row === undefined) rows.set(id, { keyId, operationId, requests });
    else row.requests += requests;
  };

  // Drops the oldest windows beyond `maxWindows` (only ever when flushes fail for long).
  const bound = (): void => {
    if (pending.size <= maxWindows) return;
    const starts = [...pending.keys()].sort((a, b) => a - b);
    let requests = 0;
    const dropped = starts.slice(0, starts.length - maxWindows);
    for (const start of dropped) {
      for (const row of (pending.get(start) as Map<string, Row>).values()) requests += row.requests;
      pending.delete(start);
    }
    const newest = new Date((dropped[dropped.length - 1] as number) + windowMs).toISOString();
    onError(new Error(`usageRecorder: dropped ${requests} requests counted in ${dropped.length} window(s) ending by ${newest}: the usage table could not be written in time`));
  };

  const write = async (batch: Pending): Promise<void> => {
    const keys: string[] = [];
    const ops: string[] = [];
    const starts: string[] = [];
    const counts: string[] = [];
    for (const [start, rows] of batch) {
      const at = new Date(start).toISOString();
      for (const row of rows.values()) {
        keys.push(row.keyId);
        ops.push(row.operationId);
        starts.push(at);
        counts.push(String(row.requests));
      }
    }
    if (keys.length === 0) return;
    await pool.query(sql, [keys, ops, starts, counts]);
  };

  let running: Promise<void> | undefined;
  const flushOnce = async (): Promise<void> => {
    const batch = pending;
    pending = new Map();
    try {
      await write(batch);
    } catch (error) {
      // Kept for the next flush, merged with what was counted meanwhile.
      for (const [start, rows] of batch) for (const row of rows.values()) add(pending, start, row.keyId, row.operationId, row.requests);
      bound();
      throw error;
    }
  };
  // One flush at a time: a second waits for the first, then writes what came since.
  const flush = (): Promise<void> => {
    const next = (running ?? Promise.resolve()).catch(() => undefined).then(flushOnce);
    running = next;
    const clear = (): void => {
      if (running === next) running = undefined;
    };
    next.then(clear, clear);
    return next;
  };

  const timer = setInterval(() => {
    // At most one flush per interval: a flush still under way (a slow database) is not queued behind.
    if (running !== undefined || pending.size === 0) return;
    flush().catch(onError);
  }, flushIntervalMs);
  (timer as { unref?: () => void }).unref?.();

  let closed: Promise<void> | undefined;
  return {
    limit(decision) {
      const keyId = keyOf(decision);
      if (keyId !== undefined) {
        const at = now();
        const start = at - (((at % windowMs) + windowMs) % windowMs);
        add(pending, start, keyId, decision.operationId, 1);
        if (pending.size > maxWindows) bound();
      }
      return { ok: true };
    },
    flush,
    close() {
      if (closed === undefined) {
        clearInterval(timer);
        closed = flush();
      }
      return closed;
    },
  };
}
