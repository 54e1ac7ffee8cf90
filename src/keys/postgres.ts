// `codegen keys … --store postgres`: the key records in the PostgreSQL table the
// generated `createPostgresKeyStore` reads (templates/sql/postgres-keys.sql), reached
// through `DATABASE_URL`. Only records go in: the key itself is printed once and never
// stored. A change reads its row with `FOR UPDATE` and writes one parameterised
// statement per record in the same transaction (revocation and rotation final, as in
// the generated store), so concurrent admins cannot undo each other's revocation and
// the table's trigger notifies every replica of exactly the rows that changed.
// `pg` is the user's: loaded from the working directory's project, else ours.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { KeysError } from './errors.js';
import type { KeyFileRecord } from './records.js';
import type { KeyRecords } from './store.js';

/** The columns, in the migration's order; `owner` and `quota` are jsonb, times timestamptz. */
const COLUMNS = ['id', 'prefix', 'hash', 'owner', 'apps', 'ip_ranges', 'origins', 'operations', 'not_before', 'expires_at', 'revoked', 'revoked_at', 'replaced_by', 'grace_until', 'created_at', 'last_used_at', 'quota'] as const;
type Column = (typeof COLUMNS)[number];

/** Record field <- column (those whose names differ). */
const FIELD: { readonly [C in Column]: string } = {
  id: 'id', prefix: 'prefix', hash: 'hash', owner: 'owner', apps: 'apps', ip_ranges: 'ipRanges', origins: 'origins', operations: 'operations',
  not_before: 'notBefore', expires_at: 'expiresAt', revoked: 'revoked', revoked_at: 'revokedAt', replaced_by: 'replacedBy', grace_until: 'graceUntil',
  created_at: 'createdAt', last_used_at: 'lastUsedAt', quota: 'quota',
};
/** What an update keeps of the row (see runtime-key-store-postgres.ts's MONOTONIC). */
const MONOTONIC: Partial<Record<Column, string>> = {
  revoked: 'k.revoked OR EXCLUDED.revoked',
  revoked_at: 'COALESCE(k.revoked_at, EXCLUDED.revoked_at)',
  replaced_by: 'COALESCE(k.replaced_by, EXCLUDED.replaced_by)',
  grace_until: 'CASE WHEN k.replaced_by IS NOT NULL THEN k.grace_until ELSE EXCLUDED.grace_until END',
  created_at: 'COALESCE(k.created_at, EXCLUDED.created_at)',
  last_used_at: 'GREATEST(k.last_used_at, EXCLUDED.last_used_at)',
};
const TIMES = new Set<Column>(['not_before', 'expires_at', 'revoked_at', 'grace_until', 'created_at', 'last_used_at']);
const JSONB = new Set<Column>(['owner', 'quota']);

/** A table name, optionally schema-qualified: plain identifiers only, so it can be written into SQL. */
const TABLE = /^(?:[a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$/;

interface PgClient {
  connect(): Promise<void>;
  query(text: string, values?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
  end(): Promise<void>;
}
type PgClientClass = new (config: { connectionString: string; application_name?: string; connectionTimeoutMillis?: number }) => PgClient;

async function loadPg(cwd: string): Promise<PgClientClass> {
  for (const from of [path.join(cwd, 'package.json'), import.meta.url]) {
    try {
      const resolved = createRequire(from).resolve('pg');
      const mod = (await import(pathToFileURL(resolved).href)) as { default?: { Client?: PgClientClass }; Client?: PgClientClass };
      const Client = mod.default?.Client ?? mod.Client;
      if (Client) return Client;
    } catch {
      // not installed there: try the next place
    }
  }
  throw new KeysError('--store postgres needs the pg package: npm install pg');
}

export async function postgresRecords(cwd: string, table = 'api_keys', env: NodeJS.ProcessEnv = process.env): Promise<KeyRecords> {
  if (!TABLE.test(table)) throw new KeysError(`--table ${JSON.stringify(table)}: a lower-case SQL identifier, optionally schema-qualified (e.g. api_keys or auth.api_keys)`);
  const url = env['DATABASE_URL'];
  if (url === undefined || url === '') throw new KeysError('--store postgres reads the database from DATABASE_URL (e.g. postgres://user@host:5432/db), which is not set');
  const Client = await loadPg(cwd);
  const client = new Client({ connectionString: url, application_name: 'codegen keys', connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    // The URL may hold a password: name the host only.
    throw new KeysError(`cannot connect to the database of DATABASE_URL (${hostOf(url)}): ${(error as Error).message}`);
  }
  const name = `table ${table} (${hostOf(url)})`;
  const query = async (text: string, values?: readonly unknown[]) => {
    try {
      return await client.query(text, values);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === '42P01') throw new KeysError(`${name} does not exist: create it with \`npx codegen keys schema --postgres | psql "$DATABASE_URL"\``);
      throw new KeysError(`${name}: ${(error as Error).message}`);
    }
  };
  const select = `SELECT ${COLUMNS.join(', ')} FROM ${table}`;
  const insert = `INSERT INTO ${table} AS k (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;
  // As the generated store's `put`: revocation and rotation are final whatever the record says.
  const upsert = `${insert} ON CONFLICT (id) DO UPDATE SET ${COLUMNS.filter((c) => c !== 'id')
    .map((c) => `${c} = ${MONOTONIC[c] ?? `EXCLUDED.${c}`}`)
    .join(', ')}`;
  // `around` opens a transaction and locks the row it reads; `save` writes and commits:
  // a revoke running meanwhile waits for this change, or this one for it.
  let open = false;
  let known = new Set<string>();
  return {
    name,
    async all() {
      return (await query(`${select} ORDER BY created_at NULLS FIRST, id`)).rows.map(recordOf);
    },
    async one(id) {
      return (await query(`${select} WHERE id = $1`, [id])).rows.map(recordOf)[0];
    },
    async around(id) {
      await query('BEGIN');
      open = true;
      const rows = id === undefined ? [] : (await query(`${select} WHERE id = $1 FOR UPDATE`, [id])).rows.map(recordOf);
      known = new Set(rows.map((r) => r.id));
      return rows;
    },
    async save(changed) {
      if (!open) {
        await query('BEGIN');
        open = true;
      }
      try {
        // A new record is inserted, never merged into an existing row of the same id.
        for (const record of changed) await query(known.has(record.id) ? upsert : insert, COLUMNS.map((c) => valueOf(record, c)));
        await query('COMMIT');
        open = false;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        open = false;
        throw error;
      }
    },
    async close() {
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}

function valueOf(record: KeyFileRecord, column: Column): unknown {
  const value = record[FIELD[column]];
  if (value === undefined) return column === 'revoked' ? false : null;
  if (JSONB.has(column)) return JSON.stringify(value);
  if (TIMES.has(column)) return new Date(value as string | number).toISOString();
  return value;
}

function recordOf(row: Record<string, unknown>): KeyFileRecord {
  const out: Record<string, unknown> = {};
  for (const column of COLUMNS) {
    const value = row[column];
    if (value === null || value === undefined || (column === 'revoked' && value === false)) continue;
    out[FIELD[column]] = value instanceof Date ? value.toISOString() : value;
  }
  return out as unknown as KeyFileRecord;
}
