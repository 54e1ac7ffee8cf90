// The real PostgreSQL and Redis servers the store tests use (started by
// scripts/services.sh, which `npm test` runs first). Each test file works in its own
// PostgreSQL schema and Redis key prefix, made fresh and dropped afterwards, so files
// run in parallel and twice in a row without seeing each other.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

export const DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A unique lower-case name for a schema or a key prefix: `<label>_<random>`. */
export function uniqueName(label: string): string {
  return `${label.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  /** A pool whose connections use `schema` (search_path). */
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Connection options for a dedicated client (LISTEN) in the same schema. */
  readonly clientConfig: pg.ClientConfig;
  /** Drops the schema and ends the pool. */
  close(): Promise<void>;
}

/** A fresh schema in the `test` database. */
export async function testDatabase(label: string, poolOptions: pg.PoolConfig = {}): Promise<TestDatabase> {
  const schema = uniqueName(label);
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const clientConfig: pg.ClientConfig = { connectionString: DATABASE_URL, options: `-c search_path=${schema}` };
  const pool = new pg.Pool({ ...clientConfig, max: 10, ...poolOptions });
  return {
    pool,
    schema,
    clientConfig,
    async close() {
      await pool.end().catch(() => undefined);
      const c = new pg.Client({ connectionString: DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

export interface TestRedis {
  /** A client with no offline queue: a command while disconnected fails at once. */
  readonly client: Redis;
  /** Every key a test writes starts with it. */
  readonly prefix: string;
  /** Another connection with the same options (another replica's own client); `close` quits it too. */
  connect(): Promise<Redis>;
  /** Deletes the prefix's keys and quits. */
  close(): Promise<void>;
}

export async function testRedis(label: string, url: string = REDIS_URL): Promise<TestRedis> {
  const prefix = `${uniqueName(label)}:`;
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
  await client.connect();
  const others: Redis[] = [];
  return {
    client,
    prefix,
    async connect() {
      const other = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
      others.push(other);
      await other.connect();
      return other;
    },
    async close() {
      const keys = await client.keys(`${prefix}*`).catch(() => [] as string[]);
      if (keys.length > 0) await client.del(...keys).catch(() => undefined);
      client.disconnect();
      for (const other of others) other.disconnect();
    },
  };
}
