// `codegen keys new / rotate / revoke / list` over a JSON key file, as a real process:
// the life cycle (new → list → rotate → list shows the grace → revoke → filters), the
// refusals (exit 2, one line naming the flag, file or JSON pointer, and the file left
// as it was), no key ever written to the file, and the file's records accepted by the
// generated runtime (checkKeyRecord, createMemoryKeyStore, apiKeyVerifier).
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashKey } from '../../templates/runtime/runtime-keys.js';
import { checkKeyRecord, type KeyRecord } from '../../templates/runtime/runtime-key-record.js';
import { createMemoryKeyStore } from '../../templates/runtime/runtime-key-store.js';
import { apiKeyVerifier } from '../../templates/runtime/runtime-key-verifier.js';
import type { VerifyContext } from '../../templates/runtime/runtime-types.js';
import { readKeyFile, writeKeyFile, type KeyFileRecord } from '../../src/keys/records.js';
import { runCli } from '../helpers/cli.js';

const DAY = 86_400_000;

const workdir = (): string => mkdtempSync(path.join(os.tmpdir(), 'osc-keys-'));
const recordsIn = (file: string): KeyRecord[] => (JSON.parse(readFileSync(file, 'utf8')) as { keys: KeyRecord[] }).keys;
const keyOf = (stdout: string): string => {
  const m = /^key \(shown once[^)]*\): (\S+)$/m.exec(stdout);
  expect(m, stdout).not.toBeNull();
  return (m as RegExpExecArray)[1] as string;
};

function context(denied: string[] = []): VerifyContext {
  return { operationId: 'x', scheme: 'ApiKey', scopes: [], request: { headers: {}, clientAddress: '127.0.0.1' }, deny: (reason) => denied.push(reason) };
}

/** A hand-written record (the hash of a key nobody holds). */
const record = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ id, prefix: 'acme_live', hash: hashKey(`acme_live_${id}`), owner: { clientId: `client-${id}` }, ...extra });
const iso = (ms: number): string => new Date(ms).toISOString();

describe('codegen keys over a key file', () => {
  it('new → list → rotate (grace shown) → revoke → list; never a key in the file; the runtime accepts every record', async () => {
    const dir = workdir();
    const file = path.join(dir, 'keys.json');
    const keys: string[] = [];

    const issued = await runCli(['keys', 'new', '--prefix', 'acme_live', '--client', 'shop', '--scope', 'pets:read', '--app', 'web', '--ip', '127.0.0.0/8', '--ip', '2001:db8::/32', '--expires', '90d', '--file', 'keys.json'], dir);
    expect([issued.code, issued.stderr]).toEqual([0, '']);
    const first = keyOf(issued.stdout);
    keys.push(first);
    expect(issued.stdout.split(first).length - 1).toBe(1);
    const [r1] = recordsIn(file);
    expect(r1).toMatchObject({ prefix: 'acme_live', hash: hashKey(first), owner: { clientId: 'shop', scopes: ['pets:read'] }, apps: ['web'], ipRanges: ['127.0.0.0/8', '2001:db8::/32'] });
    expect(first).toContain(`_${r1?.id}_`);
    expect(Date.parse(String(r1?.expiresAt)) - Date.parse(String(r1?.createdAt))).toBe(90 * DAY);
    // Absent restrictions are absent fields: an empty list would restrict to nothing.
    expect(r1).not.toHaveProperty('origins');
    expect(r1).not.toHaveProperty('operations');
    const id1 = r1?.id as string;

    const listed = await runCli(['keys', 'list', '--file', 'keys.json'], dir);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^${id1}\\s+acme_live\\s+owner=shop\\s+apps=web\\s+age=0d\\s+last-used=never\\s+active$`))]);
    expect(listed.stdout).not.toContain(r1?.hash);

    const rotated = await runCli(['keys', 'rotate', id1, '--file', 'keys.json', '--grace', '2d', '--json'], dir);
    expect([rotated.code, rotated.stderr]).toEqual([0, '']);
    const rot = JSON.parse(rotated.stdout) as { key: string; record: KeyRecord; previous: KeyRecord };
    keys.push(rot.key);
    expect(rot.record).toMatchObject({ prefix: 'acme_live', hash: hashKey(rot.key), owner: { clientId: 'shop', scopes: ['pets:read'] }, apps: ['web'], ipRanges: ['127.0.0.0/8', '2001:db8::/32'], expiresAt: r1?.expiresAt });
    expect(rot.previous).toMatchObject({ id: id1, replacedBy: rot.record.id });
    expect(Date.parse(String(rot.previous.graceUntil)) - Date.parse(String(rot.record.createdAt))).toBe(2 * DAY);
    expect(recordsIn(file)).toEqual([rot.previous, rot.record]);

    const afterRotate = (await runCli(['keys', 'list', '--file', 'keys.json'], dir)).stdout.trim().split('\n');
    expect(afterRotate).toHaveLength(2);
    expect(afterRotate[0]).toMatch(new RegExp(`^${id1} .*rotated \\(grace until ${String(rot.previous.graceUntil).replace(/[.]/g, '\\.')}\\)$`));
    expect(afterRotate[1]).toMatch(new RegExp(`^${rot.record.id} .*active$`));

    // Within its grace the old key still verifies; so does the new one.
    const during = apiKeyVerifier(createMemoryKeyStore(recordsIn(file)), { prefix: 'acme_live' });
    expect(await during.verify(first, context())).toMatchObject({ clientId: 'shop', keyId: id1, scopes: ['pets:read'], apps: ['web'] });
    expect(await during.verify(rot.key, context())).toMatchObject({ clientId: 'shop', keyId: rot.record.id });

    const revoked = await runCli(['keys', 'revoke', id1, '--file', 'keys.json'], dir);
    expect([revoked.code, revoked.stdout, revoked.stderr]).toEqual([0, `${id1}\n`, '']);
    const [old] = recordsIn(file);
    expect(old).toMatchObject({ id: id1, revoked: true, replacedBy: rot.record.id });
    expect(Number.isFinite(Date.parse(String((old as unknown as { revokedAt: string }).revokedAt)))).toBe(true);
    const again = await runCli(['keys', 'revoke', id1, '--file', 'keys.json'], dir);
    expect([again.code, again.stdout, again.stderr]).toEqual([0, `${id1}\n`, expect.stringContaining('already revoked')]);

    const json = JSON.parse((await runCli(['keys', 'list', '--file', 'keys.json', '--json'], dir)).stdout) as Record<string, unknown>[];
    expect(json.map((k) => [k['id'], k['state'], k['usable']])).toEqual([
      [id1, 'revoked', false],
      [rot.record.id, 'active', true],
    ]);
    for (const k of json) expect(k).not.toHaveProperty('hash');

    // The file never holds a key; the runtime loads every record and refuses the revoked key.
    const text = readFileSync(file, 'utf8');
    for (const key of keys) expect(text).not.toContain(key);
    const records = recordsIn(file);
    for (const r of records) expect(checkKeyRecord(r)).toBe(r);
    const denied: string[] = [];
    const after = apiKeyVerifier(createMemoryKeyStore(records));
    expect(await after.verify(first, context(denied))).toBeNull();
    expect(denied).toEqual(['key-revoked']);
    expect(await after.verify(rot.key, context())).toMatchObject({ keyId: rot.record.id });
    // Written by rename: no temporary file is left beside it.
    expect(readdirSync(dir)).toEqual(['keys.json']);
  }, 60_000);

  it('a key printed by `keys new` (no file) verifies against its printed record; --client defaults to the key id', async () => {
    const r = await runCli(['keys', 'new', '--prefix', 'demo', '--json'], workdir());
    expect(r.code).toBe(0);
    const { key, record: rec } = JSON.parse(r.stdout) as { key: string; record: KeyRecord };
    expect(rec.owner).toEqual({ clientId: rec.id });
    expect(await apiKeyVerifier(createMemoryKeyStore([rec])).verify(key, context())).toMatchObject({ clientId: rec.id, keyId: rec.id });
  });

  it('--origin, --operation and --not-before are written as the verifier reads them', async () => {
    const dir = workdir();
    const r = await runCli(['keys', 'new', '--prefix', 'pk_live', '--client', 'site', '--origin', 'https://Shop.Example:443/', '--operation', 'x', '--not-before', '2020-01-01T00:00:00Z', '--file', 'keys.json', '--json'], dir);
    expect(r.code).toBe(0);
    const { key, record: rec } = JSON.parse(r.stdout) as { key: string; record: KeyRecord };
    expect(rec).toMatchObject({ origins: ['https://shop.example'], operations: ['x'], notBefore: '2020-01-01T00:00:00.000Z' });
    const verifier = apiKeyVerifier(createMemoryKeyStore(recordsIn(path.join(dir, 'keys.json'))));
    const denied: string[] = [];
    expect(await verifier.verify(key, context(denied))).toBeNull();
    expect(denied).toEqual(['key-wrong-origin']);
    const ctx = { ...context(), request: { headers: { origin: 'https://shop.example' }, clientAddress: '127.0.0.1' } };
    expect(await verifier.verify(key, ctx)).toMatchObject({ clientId: 'site' });
  });

  it('list: states, --unused-since and --older-than (never used counts from creation; no createdAt counts as old)', async () => {
    const dir = workdir();
    const now = Date.now();
    const keys = [
      record('fresh0000000', { createdAt: iso(now - 10 * DAY), lastUsedAt: iso(now - DAY) }),
      record('idle00000000', { createdAt: iso(now - 200 * DAY), lastUsedAt: iso(now - 100 * DAY) }),
      record('neverused000', { createdAt: iso(now - 120 * DAY) }),
      record('ancient00000', { createdAt: iso(now - 400 * DAY), lastUsedAt: iso(now - 5 * DAY) }),
      record('nodate000000'),
      record('expired00000', { createdAt: iso(now - 30 * DAY), expiresAt: iso(now - DAY) }),
      record('later0000000', { createdAt: iso(now - DAY), notBefore: iso(now + 5 * DAY) }),
      record('rotatedout00', { createdAt: iso(now - 30 * DAY), replacedBy: 'fresh0000000', graceUntil: iso(now - DAY) }),
    ];
    writeFileSync(path.join(dir, 'keys.json'), JSON.stringify({ keys }));
    const ids = async (...flags: string[]): Promise<string[]> => {
      const r = await runCli(['keys', 'list', '--file', 'keys.json', ...flags], dir);
      expect(r.code).toBe(0);
      return r.stdout.split('\n').filter(Boolean).map((line) => line.split(/\s+/)[0] as string);
    };
    expect(await ids('--unused-since', '90d')).toEqual(['idle00000000', 'neverused000', 'nodate000000']);
    expect(await ids('--older-than', '365d')).toEqual(['ancient00000', 'nodate000000']);
    expect(await ids('--older-than', '100d', '--unused-since', '90d')).toEqual(['idle00000000', 'neverused000', 'nodate000000']);
    const lines = (await runCli(['keys', 'list', '--file', 'keys.json'], dir)).stdout.split('\n');
    const line = (id: string): string => lines.find((l) => l.startsWith(id)) ?? '';
    expect(line('idle00000000')).toMatch(/ age=200d +last-used=\S+T\S+Z +active$/);
    expect(line('nodate000000')).toMatch(/ age=\? +last-used=never +active$/);
    expect(line('expired00000')).toMatch(/ expired \(/);
    expect(line('later0000000')).toMatch(/ not yet valid \(from /);
    expect(line('rotatedout00')).toMatch(/ rotated \(grace ended /);
    expect(await ids('--older-than', '9999d')).toEqual(['nodate000000']);
    writeFileSync(path.join(dir, 'one.json'), JSON.stringify({ keys: keys.slice(0, 1) }));
    const none = await runCli(['keys', 'list', '--file', 'one.json', '--older-than', '30d'], dir);
    expect([none.code, none.stdout, none.stderr]).toEqual([0, '', 'codegen: no key matches\n']);
  }, 60_000);
});

describe('codegen keys refusals: exit 2, one line, the file untouched', () => {
  const refused = async (args: string[], dir: string, message: string | RegExp): Promise<void> => {
    const r = await runCli(args, dir);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(typeof message === 'string' ? new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : message);
  };

  it('bad flags of keys new: the range, origin, time or missing owner named; no file created', async () => {
    const dir = workdir();
    const base = ['keys', 'new', '--prefix', 'acme_live', '--client', 'c', '--file', 'keys.json'];
    await Promise.all([
      refused([...base, '--ip', '10.0.0.0/8', '--ip', '10.0.0.0/33'], dir, '--ip "10.0.0.0/33": the prefix length must be 0 to 32'),
      refused([...base, '--ip', '10.1.2.256'], dir, '--ip "10.1.2.256"'),
      refused([...base, '--ip', 'fe80::zz/64'], dir, '--ip "fe80::zz/64"'),
      refused([...base, '--origin', 'https://shop.example/path'], dir, '--origin "https://shop.example/path"'),
      refused([...base, '--origin', 'ftp://shop.example'], dir, '--origin "ftp://shop.example": not http or https'),
      refused([...base, '--expires', '3w'], dir, '--expires "3w"'),
      refused([...base, '--expires', '2001-01-01T00:00:00Z'], dir, 'is not in the future'),
      refused([...base, '--not-before', '2030-01-01T09:00'], dir, '--not-before "2030-01-01T09:00"'),
      refused([...base, '--not-before', '2030-01-01', '--expires', '2029-01-01'], dir, 'is not after --not-before'),
      refused([...base, '--app', 'has space'], dir, '--app "has space"'),
      refused(['keys', 'new', '--prefix', 'acme_live', '--file', 'keys.json'], dir, '--file needs --client'),
    ]);
    expect(existsSync(path.join(dir, 'keys.json'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it('unknown id, revoked or already-rotated key, bad duration: the file byte for byte as before', async () => {
    const dir = workdir();
    const file = path.join(dir, 'keys.json');
    expect((await runCli(['keys', 'new', '--prefix', 'acme_live', '--client', 'c', '--file', 'keys.json'], dir)).code).toBe(0);
    const id = recordsIn(file)[0]?.id as string;
    expect((await runCli(['keys', 'rotate', id, '--file', 'keys.json', '--grace', '0'], dir)).code).toBe(0);
    const newer = recordsIn(file)[1]?.id as string;
    expect((await runCli(['keys', 'revoke', newer, '--file', 'keys.json'], dir)).code).toBe(0);
    const before = readFileSync(file, 'utf8');
    await Promise.all([
      refused(['keys', 'rotate', 'nosuchkey000', '--file', 'keys.json'], dir, 'keys.json: no key with id "nosuchkey000"'),
      refused(['keys', 'revoke', '000000000000', '--file', 'keys.json'], dir, 'keys.json: no key with id "000000000000"'),
      refused(['keys', 'rotate', id, '--file', 'keys.json'], dir, `key "${id}" was already rotated`),
      refused(['keys', 'rotate', newer, '--file', 'keys.json'], dir, `key "${newer}" is revoked`),
      refused(['keys', 'rotate', newer, '--file', 'keys.json', '--grace', '7 days'], dir, '--grace "7 days": not a duration'),
      refused(['keys', 'list', '--file', 'keys.json', '--unused-since', '1y'], dir, '--unused-since "1y"'),
      refused(['keys', 'list', '--file', 'keys.json', '--older-than=-5d'], dir, '--older-than "-5d"'),
      refused(['keys', 'list', '--file', 'missing.json'], dir, 'missing.json: no such file'),
    ]);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['keys.json']);
    // rotate --grace 0: the old key is listed as rotated with its grace over.
    expect((await runCli(['keys', 'list', '--file', 'keys.json'], dir)).stdout).toMatch(new RegExp(`^${id} .*rotated \\(grace ended `, 'm'));
  }, 60_000);

  it('a corrupt file is named (with the JSON pointer of the bad record) and left untouched by every subcommand', async () => {
    const dir = workdir();
    const good = record('good00000000', { createdAt: iso(Date.now()) });
    const cases: [string, string][] = [
      ['{ "keys": [', 'keys.json: not valid JSON'],
      ['[]', 'keys.json#: must be an object'],
      ['{ "keys": {} }', 'keys.json#/keys: must be an array'],
      [JSON.stringify({ keys: [good, { ...record('bad000000000'), hash: 'not-a-hash' }] }), 'keys.json#/keys/1/hash'],
      [JSON.stringify({ keys: [good, record('bad000000000', { ipRanges: ['10.0.0.0/8', '300.0.0.0/8'] })] }), 'keys.json#/keys/1/ipRanges/1: "300.0.0.0/8"'],
      [JSON.stringify({ keys: [good, record('bad000000000', { expiresAt: 'soon' })] }), 'keys.json#/keys/1/expiresAt'],
      [JSON.stringify({ keys: [good, { ...record('bad000000000'), owner: {} }] }), 'keys.json#/keys/1/owner/clientId'],
      [JSON.stringify({ keys: [good, good] }), 'keys.json#/keys/1/id: "good00000000" is also the id of /keys/0'],
    ];
    for (const [text, message] of cases) {
      writeFileSync(path.join(dir, 'keys.json'), text);
      await Promise.all([
        refused(['keys', 'new', '--prefix', 'acme_live', '--client', 'c', '--file', 'keys.json'], dir, message),
        refused(['keys', 'rotate', 'good00000000', '--file', 'keys.json'], dir, message),
        refused(['keys', 'revoke', 'good00000000', '--file', 'keys.json'], dir, message),
        refused(['keys', 'list', '--file', 'keys.json'], dir, message),
      ]);
      expect(readFileSync(path.join(dir, 'keys.json'), 'utf8')).toBe(text);
      expect(readdirSync(dir)).toEqual(['keys.json']);
    }
  }, 60_000);

  it('other members of the file and unknown record fields are kept', async () => {
    const dir = workdir();
    const file = path.join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify({ $comment: 'mine', keys: [record('keep00000000', { note: 'hand-written', owner: { clientId: 'c', tier: 'gold' } })] }));
    expect((await runCli(['keys', 'rotate', 'keep00000000', '--file', 'keys.json'], dir)).code).toBe(0);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { $comment: string; keys: Record<string, unknown>[] };
    expect(doc.$comment).toBe('mine');
    expect(doc.keys[0]).toMatchObject({ note: 'hand-written', replacedBy: doc.keys[1]?.['id'] });
    expect(doc.keys[1]).toMatchObject({ owner: { clientId: 'c', tier: 'gold' } });
    expect(doc.keys[1]).not.toHaveProperty('note');
  });
});

describe('the key file writer (src/keys/records.ts)', () => {
  it('refuses to overwrite a file changed since it was read, and keeps a symlink a symlink', () => {
    const dir = workdir();
    const file = path.join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify({ keys: [] }));
    const read = readKeyFile('keys.json', dir);
    writeFileSync(file, JSON.stringify({ keys: [record('other0000000')] }));
    expect(() => writeKeyFile(read, [record('mine00000000') as unknown as KeyFileRecord])).toThrow('keys.json: changed while this command ran');
    expect(recordsIn(file).map((r) => r.id)).toEqual(['other0000000']);
    expect(readdirSync(dir)).toEqual(['keys.json']);

    symlinkSync('keys.json', path.join(dir, 'link.json'));
    const viaLink = readKeyFile('link.json', dir);
    writeKeyFile(viaLink, [...viaLink.records, record('mine00000000') as unknown as KeyFileRecord]);
    expect(lstatSync(path.join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(recordsIn(file).map((r) => r.id)).toEqual(['other0000000', 'mine00000000']);
  });
});
