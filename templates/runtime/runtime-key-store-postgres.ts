// `createPostgresKeyStore(options)`: key records in a PostgreSQL table (the migration is
// keys.postgres.sql in this folder), for several server replicas at once. Each
// request costs at most one parameterised query by id, and usually none: records and
// misses are cached for `cacheTtlMs`. A revocation still reaches every replica at once:
// the table's trigger NOTIFYs each change and every store LISTENs on a dedicated
// connection (runtime-key-listen.ts) and forgets that key. Where notifications cannot
// arrive (no `listen`, PgBouncer in transaction mode), the cache TTL bounds how long a
// revoked key keeps working, and the store says so at start.
// Fails closed: a database that errors or is slower than `timeoutMs` makes the lookup
// throw `UnavailableError` (the guard answers 503); a late answer is dropped. Only a
// key this replica already knew may be served past its TTL, and only for
// `staleWindowMs` (default 0). Errors and events never hold a key or a hash.
// It takes the user's clients through the small structural types below: no driver import.
import { checkKeyRecord, timeOf, type KeyAdminStore, type KeyRecord } from './runtime-key-record.js';
import { createKeyCache } from './runtime-key-cache.js';
import { startListener, type KeyStoreEvent, type ListenClient, type Listener, type ListenMode } from './runtime-key-listen.js';
import { isUnavailable, UnavailableError } from './runtime-types.js';

export type { KeyStoreEvent, ListenClient, ListenMode } from './runtime-key-listen.js';

/** node-postgres's `Pool` (or anything converting arrays, JSON and `Date` as it does). */
export interface PostgresPool {
  query(text: string, values?: unknown[]): Promise<{ readonly rows: readonly unknown[] }>;
}

export interface PostgresKeyStoreOptions {
  readonly pool: PostgresPool;
  /**
   * A factory of DEDICATED connections for LISTEN (`() => new pg.Client(config)`), called
   * again after each loss: it returns a NEW client, not yet connected (the store connects
   * it; a connected or shared client cannot be reconnected). Not a pooled connection,
   * which the pool may close. `false` (or absent): no notifications, changes reach this
   * replica only as cache entries expire (said at start through `onEvent`).
   */
  readonly listen?: false | (() => ListenClient | Promise<ListenClient>);
  /** The table; default `api_keys`. Quoted: its case matters. Letters, digits, `_`, `$`, `-`. */
  readonly table?: string;
  /** The table's schema; default: the pool's `search_path`. Quoted, as `table`. */
  readonly schema?: string;
  /** How long a record or a miss is served without asking the database (ms). Default 30 000; 0: no cache. */
  readonly cacheTtlMs?: number;
  /** At most this many key ids are cached (the least recently used go first). Default 10 000. */
  readonly cacheMax?: number;
  /**
   * A lookup taking longer throws `UnavailableError` (ms). Default 2000. The pool's own
   * query has no deadline: also set `statement_timeout` / `query_timeout` on it, so an
   * abandoned query does not hold a connection.
   */
  readonly timeoutMs?: number;
  /** While the database cannot answer, a record this replica knew may be served this long past its TTL (ms). Default 0. */
  readonly staleWindowMs?: number;
  /** `Retry-After` of the 503, in seconds. Default 1. */
  readonly retryAfter?: number;
  /** How long to wait for the probe NOTIFY that proves notifications arrive (ms). Default 2000. */
  readonly probeTimeoutMs?: number;
  /** How often a probe checks that the LISTEN connection still delivers (ms). Default 30 000; 0: never. */
  readonly heartbeatMs?: number;
  /** The longest pause between reconnection attempts (ms). Default 30 000. */
  readonly reconnectMaxMs?: number;
  /** Start-up, fallback and reconnection notices. Default: `console.warn` of the warnings. */
  readonly onEvent?: (event: KeyStoreEvent) => void;
  /** Milliseconds since the epoch, for the cache; inject a clock in tests. Default `Date.now`. */
  readonly now?: () => number;
}

export interface PostgresKeyStore extends KeyAdminStore {
  get(id: string): Promise<KeyRecord | undefined>;
  /** Inserts or replaces the record (by id); every replica forgets its cached copy. */
  put(record: KeyRecord): Promise<void>;
  list(): Promise<readonly KeyRecord[]>;
  /** Records a use; rejects on failure (the verifier only reports it to `onTouchError`). */
  touch(id: string, at: Date): Promise<void>;
  /** Resolves (never rejects) once LISTEN works or what happens instead is decided: `listening`, `ttl-only` or `reconnecting`. */
  readonly ready: Promise<ListenMode>;
  /** The LISTEN connection's state now. */
  readonly mode: ListenMode;
  /** Stops listening and forgets the cache; the pool is the caller's to end. */
  close(): Promise<void>;
}

/** The notification channel of postgres-keys.sql's trigger: one per database, shared by its schemas. */
export const KEYS_CHANNEL = 'api_keys_changed';

/** Column and field, in the order of the queries' values. */
const COLUMNS = [
  ['id', 'id'],
  ['prefix', 'prefix'],
  ['hash', 'hash'],
  ['owner', 'owner'],
  ['apps', 'apps'],
  ['ip_ranges', 'ipRanges'],
  ['origins', 'origins'],
  ['operations', 'operations'],
  ['not_before', 'notBefore'],
  ['expires_at', 'expiresAt'],
  ['revoked', 'revoked'],
  ['revoked_at', 'revokedAt'],
  ['replaced_by', 'replacedBy'],
  ['grace_until', 'graceUntil'],
  ['created_at', 'createdAt'],
  ['last_used_at', 'lastUsedAt'],
  ['quota', 'quota'],
] as const;
type Field = (typeof COLUMNS)[number][1];
const TIMES: ReadonlySet<Field> = new Set(['notBefore', 'expiresAt', 'revokedAt', 'graceUntil', 'createdAt', 'lastUsedAt']);
const LISTS: ReadonlySet<Field> = new Set(['apps', 'ipRanges', 'origins', 'operations']);
/**
 * What an upsert keeps of the row it replaces, whatever the written record says: a
 * record read from a cache (or before a concurrent change) must never undo a
 * revocation, move a rotation's deadline or forget a use. Revocation and rotation are
 * final; every other field is the writer's.
 */
const MONOTONIC: Partial<Record<(typeof COLUMNS)[number][0], string>> = {
  revoked: 'k."revoked" OR EXCLUDED."revoked"',
  revoked_at: 'COALESCE(k."revoked_at", EXCLUDED."revoked_at")',
  replaced_by: 'COALESCE(k."replaced_by", EXCLUDED."replaced_by")',
  grace_until: 'CASE WHEN k."replaced_by" IS NOT NULL THEN k."grace_until" ELSE EXCLUDED."grace_until" END',
  created_at: 'COALESCE(k."created_at", EXCLUDED."created_at")',
  last_used_at: 'GREATEST(k."last_used_at", EXCLUDED."last_used_at")',
};
const CASTS: Partial<Record<Field, string>> = { owner: '::jsonb', quota: '::jsonb', apps: '::text[]', ipRanges: '::text[]', origins: '::text[]', operations: '::text[]' };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/;
function quoteIdentifier(name: string, what: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) throw new TypeError(`postgres key store: ${what} ${JSON.stringify(name)} must be 1 to 63 letters, digits, _, $ or -, not starting with a digit`);
  return `"${name}"`;
}

function duration(value: number | undefined, fallback: number, what: string, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw new TypeError(`postgres key store: ${what} must be a number, ${min} or more`);
  return value;
}

/** Writes and listings (the CLI's paths) get longer than a request's lookup, but not forever. */
const ADMIN_TIMEOUT_MS = 30_000;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A row as a frozen, checked `KeyRecord`: NULL is an absent field, an empty array stays one. */
function fromRow(row: unknown): KeyRecord {
  if (!isObject(row)) throw new TypeError('postgres key store: a row is not an object');
  const out: Record<string, unknown> = {};
  for (const [column, field] of COLUMNS) {
    let value = row[column];
    if (value === null || value === undefined) continue;
    if (field === 'revoked') {
      // Never guessed from a string: a revoked key read as not revoked would be let in.
      if (typeof value !== 'boolean') throw new TypeError(`key record ${JSON.stringify(String(row['id']))}: revoked must be a boolean`);
      if (value) out[field] = true;
      continue;
    }
    if (TIMES.has(field)) value = value instanceof Date ? value : new Date(timeOf(value as string | number, `${column}`) as number);
    else if ((field === 'owner' || field === 'quota') && typeof value === 'string') value = JSON.parse(value) as unknown;
    else if (LISTS.has(field) && Array.isArray(value)) value = Object.freeze([...(value as unknown[])]);
    if (field === 'owner' && isObject(value)) value = Object.freeze({ ...value });
    out[field] = value;
  }
  return Object.freeze(checkKeyRecord(out as unknown as KeyRecord));
}

/** The values of an INSERT, in COLUMNS order. */
function toValues(record: KeyRecord): unknown[] {
  checkKeyRecord(record);
  return COLUMNS.map(([, field]) => {
    const value = record[field];
    if (value === undefined || value === null) return field === 'revoked' ? false : null;
    if (field === 'hash') return record.hash.toLowerCase();
    if (field === 'revoked') return value === true;
    if (TIMES.has(field)) return new Date(timeOf(value as string | number | Date) as number);
    if (field === 'owner' || field === 'quota') return JSON.stringify(value);
    if (LISTS.has(field)) return [...(value as readonly string[])];
    return value;
  });
}

/**
 * Whether a driver error means "cannot answer now" (503) rather than a mistake (500):
 * no SQLSTATE (a socket error), connection exceptions (08), insufficient resources (53),
 * operator intervention such as a `statement_timeout` (57), system errors (58),
 * serialization failures and deadlocks (40001, 40P01), a lock not available (55P03).
 */
function transient(error: unknown): boolean {
  const code = isObject(error) ? error['code'] : undefined;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return /^(08|53|57|58)/.test(code) || code === '40001' || code === '40P01' || code === '55P03';
}

const defaultOnEvent = (event: KeyStoreEvent): void => {
  if (event.level === 'warn') console.warn(event.message);
};

export function createPostgresKeyStore(options: PostgresKeyStoreOptions): PostgresKeyStore {
  const pool = options.pool;
  if (!isObject(pool) || typeof pool.query !== 'function') throw new TypeError('postgres key store: `pool` must have a query(text, values) method (a pg Pool)');
  const tableName = options.table ?? 'api_keys';
  const table = options.schema === undefined ? quoteIdentifier(tableName, 'table') : `${quoteIdentifier(options.schema, 'schema')}.${quoteIdentifier(tableName, 'table')}`;
  const ttlMs = duration(options.cacheTtlMs, 30_000, 'cacheTtlMs');
  const timeoutMs = duration(options.timeoutMs, 2000, 'timeoutMs', 1);
  const retryAfter = Math.max(1, Math.ceil(duration(options.retryAfter, 1, 'retryAfter')));
  const clock = options.now ?? Date.now;
  const onEvent = options.onEvent ?? defaultOnEvent;
  const cache = createKeyCache({ ttlMs, max: Math.floor(duration(options.cacheMax, 10_000, 'cacheMax')), staleWindowMs: duration(options.staleWindowMs, 0, 'staleWindowMs') });
  /**
   * One query per id at a time: concurrent requests for a key share it. Forgetting a key
   * removes its lookup from here, so a lookup that finds itself gone when its answer
   * comes does not cache it (the answer may predate the change).
   */
  const inflight = new Map<string, Promise<KeyRecord | undefined>>();
  /** The schema notifications must name; unknown (any schema counts) until resolved. */
  let schema: string | undefined = options.schema;
  let closed = false;

  const select = `SELECT ${COLUMNS.map(([c]) => `"${c}"`).join(', ')} FROM ${table}`;
  const upsert =
    `INSERT INTO ${table} AS k (${COLUMNS.map(([c]) => `"${c}"`).join(', ')}) VALUES (${COLUMNS.map(([, f], i) => `$${i + 1}${CASTS[f] ?? ''}`).join(', ')}) ` +
    `ON CONFLICT ("id") DO UPDATE SET ${COLUMNS.filter(([c]) => c !== 'id')
      .map(([c]) => `"${c}" = ${MONOTONIC[c] ?? `EXCLUDED."${c}"`}`)
      .join(', ')}`;

  /** The pool's answer within `timeoutMs`, else `UnavailableError`; an answer after that is dropped. */
  const query = (text: string, values: unknown[], what: string, ms = timeoutMs): Promise<readonly unknown[]> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new UnavailableError(`postgres key store: ${what} took longer than ${ms} ms`, retryAfter)), ms);
      Promise.resolve()
        .then(() => pool.query(text, values))
        .then(
          (result) => (clearTimeout(timer), resolve(result.rows)),
          (error: unknown) => {
            clearTimeout(timer);
            // The driver's message only: its `detail` may quote the row (and so the hash).
            const message = `postgres key store: ${what} failed: ${error instanceof Error ? error.message : 'unknown error'}`;
            reject(transient(error) ? new UnavailableError(message, retryAfter) : new Error(message));
          },
        );
    });

  const forget = (id: string | undefined): void => {
    if (id === undefined) {
      cache.clear();
      inflight.clear();
    } else {
      cache.drop(id);
      inflight.delete(id);
    }
  };
  const lookup = (id: string): Promise<KeyRecord | undefined> => {
    const flight: Promise<KeyRecord | undefined> = query(`${select} WHERE "id" = $1`, [id], 'key lookup').then((rows) => {
      const record = rows.length === 0 ? undefined : fromRow(rows[0]);
      if (inflight.get(id) === flight) cache.set(id, record, clock());
      return record;
    });
    inflight.set(id, flight);
    const done = (): void => void (inflight.get(id) === flight && inflight.delete(id));
    flight.then(done, done);
    return flight;
  };

  const miss = async (id: string): Promise<KeyRecord | undefined> => {
    try {
      return await (inflight.get(id) ?? lookup(id));
    } catch (error) {
      // Only a key this replica knew, only within the stale window; a miss never.
      const stale = isUnavailable(error) ? cache.stale(id, clock()) : undefined;
      if (stale !== undefined) return stale;
      throw error;
    }
  };

  const onPayload = (payload: unknown): void => {
    // Something on our channel we cannot read: forget everything rather than miss a change.
    if (!isObject(payload) || typeof payload['table'] !== 'string' || typeof payload['schema'] !== 'string') return forget(undefined);
    if (payload['table'] !== tableName || (schema !== undefined && payload['schema'] !== schema)) return;
    forget(typeof payload['id'] === 'string' ? payload['id'] : undefined);
  };
  const prepare = async (): Promise<void> => {
    if (options.schema !== undefined) return;
    const rows = await query(
      'SELECT n.nspname AS schema FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = pg_catalog.to_regclass($1)',
      [table],
      'resolving the table',
    );
    const found = isObject(rows[0]) ? rows[0]['schema'] : undefined;
    schema = typeof found === 'string' ? found : undefined;
  };

  let listener: Listener | undefined;
  if (typeof options.listen === 'function') {
    listener = startListener({
      connect: options.listen,
      pool,
      channel: KEYS_CHANNEL,
      probeTimeoutMs: duration(options.probeTimeoutMs, 2000, 'probeTimeoutMs'),
      heartbeatMs: duration(options.heartbeatMs, 30_000, 'heartbeatMs'),
      reconnectMaxMs: Math.max(250, duration(options.reconnectMaxMs, 30_000, 'reconnectMaxMs')),
      ttlMs,
      onPayload,
      onGap: () => {
        cache.expireAll();
        inflight.clear();
      },
      prepare,
      onEvent,
    });
  } else {
    const why = options.listen === false ? '`listen: false`' : 'no `listen` connection factory';
    onEvent({ type: 'ttl-only', level: 'warn', message: `key store: ${why}: revocations take up to ${ttlMs} ms (cacheTtlMs) to reach this replica` });
  }

  return {
    get(id) {
      if (closed) return Promise.reject(new UnavailableError('postgres key store: closed', retryAfter));
      // No row can have such an id (text holds no NUL); the driver would fail on it.
      if (typeof id !== 'string' || id === '' || id.includes('\u0000')) return Promise.resolve(undefined);
      // A hit is the request path of every busy key: no async frame for it.
      const hit = cache.fresh(id, clock());
      return hit !== undefined ? Promise.resolve(hit.record) : miss(id);
    },
    async fresh(id) {
      if (closed) throw new UnavailableError('postgres key store: closed', retryAfter);
      if (typeof id !== 'string' || id === '' || id.includes('\u0000')) return undefined;
      const rows = await query(`${select} WHERE "id" = $1`, [id], `reading key ${JSON.stringify(id)}`, Math.max(timeoutMs, ADMIN_TIMEOUT_MS));
      return rows.length === 0 ? undefined : fromRow(rows[0]);
    },
    async put(record) {
      const values = toValues(record);
      try {
        await query(upsert, values, `writing key ${JSON.stringify(record.id)}`, Math.max(timeoutMs, ADMIN_TIMEOUT_MS));
      } finally {
        // Read-your-writes here; other replicas hear it from the trigger.
        forget(record.id);
      }
    },
    async list() {
      return (await query(`${select} ORDER BY "id"`, [], 'listing keys', Math.max(timeoutMs, ADMIN_TIMEOUT_MS))).map(fromRow);
    },
    async touch(id, at) {
      if (typeof id !== 'string' || id === '' || id.includes('\u0000')) return;
      await query(`UPDATE ${table} SET "last_used_at" = $2 WHERE "id" = $1 AND ("last_used_at" IS NULL OR "last_used_at" < $2)`, [id, at], 'recording a use');
    },
    ready: listener?.ready ?? Promise.resolve<ListenMode>('ttl-only'),
    get mode(): ListenMode {
      return closed ? 'closed' : (listener?.mode() ?? 'ttl-only');
    },
    async close() {
      closed = true;
      await listener?.close();
      forget(undefined);
    },
  };
}
