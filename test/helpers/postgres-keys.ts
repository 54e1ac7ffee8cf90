// Test helper for the PostgreSQL key store (templates/runtime/runtime-key-store-postgres.ts):
// a fresh schema (services.ts) with the migration (templates/sql/postgres-keys.sql)
// applied, a pool that counts and can slow down or fail the store's queries, and the
// store's events kept for assertions.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { REPO } from './cli.js';
import { testDatabase, type TestDatabase } from './services.js';
import type { KeyStoreEvent, PostgresPool } from '../../templates/runtime/runtime-key-store-postgres.js';

export const KEYS_SQL_FILE = path.join(REPO, 'templates', 'sql', 'postgres-keys.sql');

/** Runs the migration on the pool's schema (one simple query: several statements). */
export async function migrateKeys(pool: pg.Pool | pg.Client): Promise<void> {
  await pool.query(readFileSync(KEYS_SQL_FILE, 'utf8'));
}

/** A fresh schema holding `api_keys` and `api_key_usage`. */
export async function keysDatabase(label: string, poolOptions: pg.PoolConfig = {}): Promise<TestDatabase> {
  const db = await testDatabase(label, poolOptions);
  await migrateKeys(db.pool);
  return db;
}

export interface CountingPool extends PostgresPool {
  /** The text of every query sent, in order. */
  readonly queries: string[];
  /** Lookups by id (`... WHERE "id" = $1`) sent. */
  lookups(): number;
  /** Each query waits this long before it is sent (ms). */
  delayMs: number;
  /** While set, each query fails with this error instead of being sent. */
  failWith: Error | undefined;
}

/** Wraps a pool: counts what the store sends; can delay or fail it. */
export function countingPool(pool: PostgresPool): CountingPool {
  const wrapper: CountingPool = {
    queries: [],
    delayMs: 0,
    failWith: undefined,
    lookups: () => wrapper.queries.filter((q) => q.startsWith('SELECT') && q.includes('WHERE "id" = $1')).length,
    async query(text, values) {
      wrapper.queries.push(text);
      if (wrapper.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, wrapper.delayMs));
      if (wrapper.failWith !== undefined) throw wrapper.failWith;
      return pool.query(text, values);
    },
  };
  return wrapper;
}

/** An error as node-postgres reports a dropped connection (no SQLSTATE). */
export const connectionError = (): Error => new Error('Connection terminated unexpectedly');

export interface Events {
  readonly list: KeyStoreEvent[];
  readonly onEvent: (event: KeyStoreEvent) => void;
  /** Resolves with the first event of `type` after `from` events (default: from now on). */
  next(type: KeyStoreEvent['type'], timeoutMs?: number, from?: number): Promise<KeyStoreEvent>;
}

export function events(): Events {
  const list: KeyStoreEvent[] = [];
  const waiters = new Set<() => void>();
  return {
    list,
    onEvent: (event) => {
      list.push(event);
      for (const wake of [...waiters]) wake();
    },
    next(type, timeoutMs = 10_000, from = list.length) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = list.slice(from).find((e) => e.type === type);
          if (found === undefined) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${type} event within ${timeoutMs} ms; saw ${list.map((e) => e.type).join(', ')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** Polls `check` every few ms until it holds; resolves with the milliseconds it took. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
