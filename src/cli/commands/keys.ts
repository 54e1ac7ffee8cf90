// `codegen keys`: issue API keys in a format secret scanners recognise, and live their
// life over a store of records: a JSON key file (`--file`, the embedded default; see
// src/keys/records.ts) or the PostgreSQL table the generated store reads (`--store
// postgres`, DATABASE_URL; src/keys/postgres.ts). `new` prints a key once (and stores
// its record), `rotate` issues a replacement and gives the old key a grace period,
// `revoke` ends a key, `list` shows where each stands; `pattern` prints the rule secret
// scanners need to catch a committed key; `schema --postgres` the table's SQL. A store
// is never given a key, only its SHA-256 hash, and a refused command (exit 2) leaves
// it as it was.
import { readFileSync } from 'node:fs';
import { parseDuration, parseIsoTime, parseQuota, parseTimeOrDuration, isoOf } from '../../keys/durations.js';
import { KeysError } from '../../keys/errors.js';
import { isApiKeyPrefix, patternSource } from '../../keys/format.js';
import { issueKey, revokeKey, rotateKey, type NewKey } from '../../keys/lifecycle.js';
import { listJson, listLines, selectKeys } from '../../keys/listing.js';
import { fileRecords, type KeyRecords } from '../../keys/store.js';
import { checkAppId, checkIpRange, checkName, checkOrigin } from '../../keys/restrictions.js';
import { EXIT, UsageError, type Io } from '../io.js';

function checkedPrefix(prefix: string): string {
  if (!isApiKeyPrefix(prefix)) throw new UsageError(`--prefix ${JSON.stringify(prefix)}: lower-case letters and digits in _-separated words, at most 32 characters (e.g. acme_live)`);
  return prefix;
}

/** Runs a keys step; what src/keys refuses becomes a usage error (exit 2). */
function refusing<T>(task: () => T): T {
  try {
    return task();
  } catch (error) {
    if (error instanceof KeysError) throw new UsageError(error.message);
    throw error;
  }
}

const unique = (values: readonly string[]): string[] => [...new Set(values)];

export interface KeysNewFlags {
  readonly prefix: string;
  readonly client?: string | undefined;
  readonly scope: readonly string[];
  readonly app: readonly string[];
  readonly ip: readonly string[];
  readonly origin: readonly string[];
  readonly operation: readonly string[];
  readonly notBefore?: string | undefined;
  readonly expires?: string | undefined;
  readonly quota?: string | undefined;
  readonly file?: string | undefined;
  readonly json: boolean;
}

/** The new record's contents from the flags, every one checked before any file is read. */
function newKeyInput(flags: KeysNewFlags, now: number): NewKey {
  const prefix = checkedPrefix(flags.prefix);
  if (flags.file !== undefined && flags.client === undefined) throw new KeysError(`--file needs --client <id>: the owner the key is issued to`);
  const clientId = flags.client === undefined ? undefined : checkName(flags.client, '--client');
  const scopes = unique(flags.scope.map((s) => checkName(s, '--scope')));
  const apps = unique(flags.app.map(checkAppId));
  const ipRanges = unique(flags.ip.map(checkIpRange));
  const origins = unique(flags.origin.map(checkOrigin));
  const operations = unique(flags.operation.map((o) => checkName(o, '--operation')));
  const notBefore = flags.notBefore === undefined ? undefined : parseIsoTime(flags.notBefore, '--not-before');
  const expiresAt = flags.expires === undefined ? undefined : parseTimeOrDuration(flags.expires, '--expires', now);
  if (expiresAt !== undefined && expiresAt <= now) throw new KeysError(`--expires ${JSON.stringify(flags.expires)}: ${isoOf(expiresAt)} is not in the future`);
  if (expiresAt !== undefined && notBefore !== undefined && expiresAt <= notBefore) throw new KeysError(`--expires ${isoOf(expiresAt)} is not after --not-before ${isoOf(notBefore)}`);
  // An empty list restricts to nothing (no address, origin or operation would pass), so an absent flag writes no field.
  return {
    prefix,
    // Without --client (and so without --file) the owner is the key itself.
    owner: { ...(clientId !== undefined ? { clientId } : {}), ...(scopes.length > 0 ? { scopes } : {}) },
    ...(apps.length > 0 ? { apps } : {}),
    ...(ipRanges.length > 0 ? { ipRanges } : {}),
    ...(origins.length > 0 ? { origins } : {}),
    ...(operations.length > 0 ? { operations } : {}),
    ...(notBefore !== undefined ? { notBefore: isoOf(notBefore) } : {}),
    ...(expiresAt !== undefined ? { expiresAt: isoOf(expiresAt) } : {}),
    ...(flags.quota !== undefined ? { quota: parseQuota(flags.quota, '--quota') } : {}),
  };
}

/** Where records are kept: `--file`, or `--store postgres` (DATABASE_URL, `--table`). */
export interface StoreFlags {
  readonly file?: string | undefined;
  readonly store?: 'file' | 'postgres' | undefined;
  readonly table?: string | undefined;
}

async function openStore(flags: StoreFlags, cwd: string, create: boolean): Promise<KeyRecords | undefined> {
  if (flags.store === 'postgres') {
    if (flags.file !== undefined) throw new KeysError('--file and --store postgres name two stores: give one');
    const { postgresRecords } = await import('../../keys/postgres.js');
    return postgresRecords(cwd, flags.table);
  }
  if (flags.table !== undefined) throw new KeysError('--table is for --store postgres');
  return flags.file === undefined ? undefined : fileRecords(flags.file, cwd, { create });
}

/** Runs a keys command on its store (closed afterwards); what src/keys refuses is a usage error (exit 2). */
async function withStore(flags: StoreFlags, cwd: string, create: boolean, task: (store: KeyRecords | undefined) => Promise<number>): Promise<number> {
  let store: KeyRecords | undefined;
  try {
    store = await openStore(flags, cwd, create);
    return await task(store);
  } catch (error) {
    if (error instanceof KeysError) throw new UsageError(error.message);
    throw error;
  } finally {
    await store?.close();
  }
}

function required(store: KeyRecords | undefined): KeyRecords {
  if (store === undefined) throw new KeysError('name the store: --file <keys.json> or --store postgres');
  return store;
}

export async function runKeysNew(flags: KeysNewFlags & StoreFlags, io: Io, cwd: string = process.cwd()): Promise<number> {
  const now = Date.now();
  const input = refusing(() => {
    if (flags.store === 'postgres' && flags.client === undefined) throw new KeysError('--store postgres needs --client <id>: the owner the key is issued to');
    return newKeyInput(flags, now);
  });
  return withStore(flags, cwd, true, async (store) => {
    const { key, record } = issueKey(store ? await store.around() : [], input, now);
    await store?.save([record]);
    if (flags.json) {
      io.out(JSON.stringify({ key, record }, null, 2));
    } else if (store !== undefined) {
      io.out(`key (shown once; give it to its owner): ${key}`);
      io.out(`record ${record.id} added to ${store.name}`);
    } else {
      io.out(`key (shown once; give it to its owner, store only the record): ${key}`);
      io.out(`record: ${JSON.stringify(record)}`);
    }
    return EXIT.ok;
  });
}

export async function runKeysRotate(flags: { readonly id: string; readonly grace: string; readonly json: boolean } & StoreFlags, io: Io, cwd: string = process.cwd()): Promise<number> {
  const graceMs = refusing(() => parseDuration(flags.grace, '--grace'));
  return withStore(flags, cwd, false, async (opened) => {
    const store = required(opened);
    const now = Date.now();
    const records = await store.around(flags.id);
    const rotated = wrapped(store.name, () => rotateKey(records, flags.id, graceMs, now));
    const { key, record, previous } = rotated;
    await store.save([previous, record]);
    if (flags.json) {
      io.out(JSON.stringify({ key, record, previous }, null, 2));
    } else {
      io.out(`key (shown once; give it to its owner): ${key}`);
      const until = graceMs === 0 ? 'which is refused from now on' : `which works until ${String(previous.graceUntil)}`;
      io.out(`record ${record.id} added to ${store.name}, replacing ${previous.id}, ${until}`);
    }
    return EXIT.ok;
  });
}

export async function runKeysRevoke(flags: { readonly id: string } & StoreFlags, io: Io, cwd: string = process.cwd()): Promise<number> {
  return withStore(flags, cwd, false, async (opened) => {
    const store = required(opened);
    const records = await store.around(flags.id);
    const revoked = wrapped(store.name, () => revokeKey(records, flags.id, Date.now()));
    if (revoked.already) {
      const at = revoked.record.revokedAt === undefined ? '' : ` at ${String(revoked.record.revokedAt)}`;
      if (!io.quiet) io.err(`codegen: key ${JSON.stringify(flags.id)} was already revoked${at}; ${store.name} is unchanged`);
    } else {
      await store.save([revoked.record]);
    }
    io.out(revoked.record.id);
    return EXIT.ok;
  });
}

export async function runKeysList(flags: { readonly unusedSince?: string | undefined; readonly olderThan?: string | undefined; readonly json: boolean } & StoreFlags, io: Io, cwd: string = process.cwd()): Promise<number> {
  const unusedSinceMs = refusing(() => (flags.unusedSince === undefined ? undefined : parseDuration(flags.unusedSince, '--unused-since')));
  const olderThanMs = refusing(() => (flags.olderThan === undefined ? undefined : parseDuration(flags.olderThan, '--older-than')));
  return withStore(flags, cwd, false, async (opened) => {
    const store = required(opened);
    const now = Date.now();
    const all = await store.all();
    const keys = selectKeys(all, { ...(unusedSinceMs !== undefined ? { unusedSinceMs } : {}), ...(olderThanMs !== undefined ? { olderThanMs } : {}) }, now);
    if (flags.json) {
      io.out(JSON.stringify(listJson(keys, now), null, 2));
      return EXIT.ok;
    }
    for (const line of listLines(keys, now)) io.out(line);
    if (keys.length === 0 && !io.quiet) io.err(`codegen: ${all.length === 0 ? `no keys in ${store.name}` : 'no key matches'}`);
    return EXIT.ok;
  });
}

/** `keys schema --postgres`: the migration the PostgreSQL store needs (table, trigger, usage table). */
export function runKeysSchema(flags: { readonly postgres: boolean }, io: Io): number {
  if (!flags.postgres) throw new UsageError('keys schema: name the database: --postgres');
  io.out(readFileSync(new URL('../../../templates/sql/postgres-keys.sql', import.meta.url), 'utf8').replace(/\n$/, ''));
  return EXIT.ok;
}

/** An error about an id, prefixed with the file it was looked up in. */
function wrapped<T>(name: string, task: () => T): T {
  try {
    return task();
  } catch (error) {
    if (error instanceof KeysError) throw new KeysError(`${name}: ${error.message}`);
    throw error;
  }
}

export function runKeysPattern(flags: { prefix: string; format: 'regex' | 'gitleaks' | 'github' }, io: Io): number {
  const prefix = checkedPrefix(flags.prefix);
  const regex = patternSource(prefix);
  if (flags.format === 'gitleaks') {
    io.out(['[[rules]]', `id = "${prefix.replace(/_/g, '-')}-api-key"`, `description = "${prefix} API key (openapi-security-codegen format)"`, `regex = '''${regex}'''`, `keywords = ["${prefix}_"]`].join('\n'));
  } else if (flags.format === 'github') {
    io.out(JSON.stringify({ name: `${prefix} API key`, secret_format: `${prefix}_[0-9A-Za-z]{12}_[0-9A-Za-z]{28}`, before_secret: '\\A|[^0-9A-Za-z_]', after_secret: '\\z|[^0-9A-Za-z_]' }, null, 2));
  } else {
    io.out(regex);
  }
  return EXIT.ok;
}
