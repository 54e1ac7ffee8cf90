// `codegen keys … --store postgres` (issue 17) against the real PostgreSQL: the key
// lifecycle on the table the generated store reads, the key printed once and stored
// nowhere, `keys schema --postgres` as the migration, and refusals (exit 2) that name
// what is wrong without the database password.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.js';
import { DATABASE_URL, testDatabase, type TestDatabase } from '../helpers/services.js';
import { postgresRecords } from '../../src/keys/postgres.js';

let db: TestDatabase;
let table: string;
const env = (): NodeJS.ProcessEnv => ({ DATABASE_URL });

beforeAll(async () => {
  db = await testDatabase('keys_cli');
  await db.pool.query(readFileSync(path.join(REPO, 'templates/sql/postgres-keys.sql'), 'utf8'));
  table = `${db.schema}.api_keys`;
}, 60_000);
afterAll(async () => {
  await db.close();
});

const keysIn = async (): Promise<Record<string, unknown>[]> => (await db.pool.query('SELECT * FROM api_keys ORDER BY created_at, id')).rows as Record<string, unknown>[];

describe('codegen keys --store postgres', () => {
  it('keys schema --postgres prints the migration the store needs', async () => {
    const r = await runCli(['keys', 'schema', '--postgres'], REPO);
    expect(r.code).toBe(0);
    expect(`${r.stdout}`).toBe(readFileSync(path.join(REPO, 'templates/sql/postgres-keys.sql'), 'utf8'));
  });

  it('new, list, rotate and revoke live on the table; the key is printed once and stored nowhere', async () => {
    const created = await runCli(['keys', 'new', '--store', 'postgres', '--table', table, '--prefix', 'acme_live', '--client', 'shop-42', '--scope', 'pets:read', '--app', 'app-1', '--ip', '10.0.0.0/8', '--quota', '100/1m', '--json'], REPO, env());
    expect(created.code, created.stderr).toBe(0);
    const { key, record } = JSON.parse(created.stdout) as { key: string; record: { id: string; hash: string } };
    expect(key).toMatch(/^acme_live_/);
    let rows = await keysIn();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: record.id, hash: record.hash, owner: { clientId: 'shop-42', scopes: ['pets:read'] }, apps: ['app-1'], ip_ranges: ['10.0.0.0/8'], quota: { limit: 100, windowSeconds: 60 }, revoked: false });
    expect(JSON.stringify(rows)).not.toContain(key);

    const listed = await runCli(['keys', 'list', '--store', 'postgres', '--table', table, '--json'], REPO, env());
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { id: string; state: string }[]).map((k) => [k.id, k.state])).toEqual([[record.id, 'active']]);

    const rotated = await runCli(['keys', 'rotate', record.id, '--store', 'postgres', '--table', table, '--grace', '1h', '--json'], REPO, env());
    expect(rotated.code, rotated.stderr).toBe(0);
    const next = JSON.parse(rotated.stdout) as { key: string; record: { id: string } };
    rows = await keysIn();
    const old = rows.find((r) => r['id'] === record.id)!;
    expect(old['replaced_by']).toBe(next.record.id);
    expect((old['grace_until'] as Date).getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    expect(rows.find((r) => r['id'] === next.record.id)).toMatchObject({ owner: { clientId: 'shop-42', scopes: ['pets:read'] }, apps: ['app-1'], quota: { limit: 100, windowSeconds: 60 } });
    expect(JSON.stringify(rows)).not.toContain(next.key);

    const revoked = await runCli(['keys', 'revoke', next.record.id, '--store', 'postgres', '--table', table], REPO, env());
    expect([revoked.code, revoked.stdout.trim()]).toEqual([0, next.record.id]);
    expect((await keysIn()).find((r) => r['id'] === next.record.id)).toMatchObject({ revoked: true, revoked_at: expect.any(Date) });
    const again = await runCli(['keys', 'revoke', next.record.id, '--store', 'postgres', '--table', table], REPO, env());
    expect([again.code, again.stderr]).toEqual([0, expect.stringContaining('was already revoked')]);
  });

  it('a rotation racing a revocation cannot undo it: the row is locked while read and the update keeps the revocation (review finding)', async () => {
    const created = await runCli(['keys', 'new', '--store', 'postgres', '--table', table, '--prefix', 'race', '--client', 'c', '--json'], REPO, env());
    const { record } = JSON.parse(created.stdout) as { record: { id: string } };
    const admin = await postgresRecords(REPO, table, { DATABASE_URL });
    const [old] = await admin.around(record.id);
    // A revoke by plain SQL on another connection waits for the lock.
    const revoking = db.pool.query('UPDATE api_keys SET revoked = true, revoked_at = now() WHERE id = $1', [record.id]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await admin.save([{ ...old!, replacedBy: 'next', graceUntil: new Date(Date.now() + 3_600_000).toISOString(), revoked: undefined } as never]);
    await revoking;
    await admin.close();
    expect((await db.pool.query('SELECT revoked, replaced_by FROM api_keys WHERE id = $1', [record.id])).rows[0]).toEqual({ revoked: true, replaced_by: 'next' });
    // And the other order: revoked first, then a stale rotation record written over it.
    const again = await postgresRecords(REPO, table, { DATABASE_URL });
    await again.around(record.id);
    await again.save([{ ...old!, revoked: undefined, replacedBy: 'other' } as never]);
    await again.close();
    expect((await db.pool.query('SELECT revoked, replaced_by FROM api_keys WHERE id = $1', [record.id])).rows[0]).toEqual({ revoked: true, replaced_by: 'next' });
  });

  it('refuses with exit 2: no DATABASE_URL, no table, a bad table name, an unknown id, --file with --store', async () => {
    const cases: [string[], NodeJS.ProcessEnv, string][] = [
      [['keys', 'list', '--store', 'postgres'], { DATABASE_URL: '' }, 'DATABASE_URL'],
      [['keys', 'list', '--store', 'postgres', '--table', `${table}_missing`], env(), 'does not exist: create it with `npx codegen keys schema --postgres'],
      [['keys', 'list', '--store', 'postgres', '--table', 'x; drop table api_keys'], env(), '--table "x; drop table api_keys"'],
      [['keys', 'revoke', 'nope123', '--store', 'postgres', '--table', table], env(), 'no key with id "nope123"'],
      [['keys', 'list', '--store', 'postgres', '--file', 'k.json'], env(), '--file and --store postgres'],
      [['keys', 'new', '--store', 'postgres', '--table', table, '--prefix', 'acme'], env(), '--client'],
      [['keys', 'list'], env(), '--file <keys.json> or --store postgres'],
      [['keys', 'new', '--prefix', 'acme', '--quota', '100/0.5s'], env(), '--quota "100/0.5s"'],
    ];
    for (const [args, e, message] of cases) {
      const r = await runCli(args, REPO, e);
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, expect.stringContaining(message)]);
    }
    const secret = await runCli(['keys', 'list', '--store', 'postgres'], REPO, { DATABASE_URL: 'postgres://admin:S3cr3tPw@127.0.0.1:1/none' });
    expect(secret.code).toBe(2);
    expect(secret.stderr).toContain('127.0.0.1:1/none');
    expect(secret.stderr).not.toContain('S3cr3tPw');
  });
});
