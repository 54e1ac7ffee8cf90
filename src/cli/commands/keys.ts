// `codegen keys`: issue API keys in a format secret scanners recognise, and live their
// life over a JSON file of records (the embedded default store; see src/keys/records.ts):
// `new` prints a key once (with `--file`, appends its record), `rotate` issues a
// replacement and gives the old key a grace period, `revoke` ends a key, `list` shows
// where each stands; `pattern` prints the rule secret scanners need to catch a
// committed key. A file is never given a key, only its SHA-256 hash, and a refused
// command (exit 2) leaves it as it was.
import { parseDuration, parseIsoTime, parseTimeOrDuration, isoOf } from '../../keys/durations.js';
import { KeysError } from '../../keys/errors.js';
import { isApiKeyPrefix, patternSource } from '../../keys/format.js';
import { issueKey, revokeKey, rotateKey, type NewKey } from '../../keys/lifecycle.js';
import { listJson, listLines, selectKeys } from '../../keys/listing.js';
import { readKeyFile, writeKeyFile } from '../../keys/records.js';
import { checkAppId, checkIpRange, checkName, checkOrigin } from '../../keys/restrictions.js';
import { EXIT, UsageError, type Io } from '../io.js';

function checkedPrefix(prefix: string): string {
  if (!isApiKeyPrefix(prefix)) throw new UsageError(`--prefix ${JSON.stringify(prefix)}: lower-case letters and digits in _-separated words, at most 32 characters (e.g. acme_live)`);
  return prefix;
}

/** Runs a keys command; what src/keys refuses becomes a usage error (exit 2). */
function refusing(task: () => number): number {
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
  };
}

export function runKeysNew(flags: KeysNewFlags, io: Io, cwd: string = process.cwd()): number {
  return refusing(() => {
    const now = Date.now();
    const input = newKeyInput(flags, now);
    const file = flags.file === undefined ? undefined : readKeyFile(flags.file, cwd, { create: true });
    const { key, record, records } = issueKey(file?.records ?? [], input, now);
    if (file !== undefined) writeKeyFile(file, records);
    if (flags.json) {
      io.out(JSON.stringify({ key, record }, null, 2));
    } else if (file !== undefined) {
      io.out(`key (shown once; give it to its owner): ${key}`);
      io.out(`record ${record.id} added to ${file.name}`);
    } else {
      io.out(`key (shown once; give it to its owner, store only the record): ${key}`);
      io.out(`record: ${JSON.stringify(record)}`);
    }
    return EXIT.ok;
  });
}

export function runKeysRotate(flags: { readonly id: string; readonly file: string; readonly grace: string; readonly json: boolean }, io: Io, cwd: string = process.cwd()): number {
  return refusing(() => {
    const graceMs = parseDuration(flags.grace, '--grace');
    const now = Date.now();
    const file = readKeyFile(flags.file, cwd);
    const rotated = wrapped(file.name, () => rotateKey(file.records, flags.id, graceMs, now));
    writeKeyFile(file, rotated.records);
    const { key, record, previous } = rotated;
    if (flags.json) {
      io.out(JSON.stringify({ key, record, previous }, null, 2));
    } else {
      io.out(`key (shown once; give it to its owner): ${key}`);
      const until = graceMs === 0 ? 'which is refused from now on' : `which works until ${String(previous.graceUntil)}`;
      io.out(`record ${record.id} added to ${file.name}, replacing ${previous.id}, ${until}`);
    }
    return EXIT.ok;
  });
}

export function runKeysRevoke(flags: { readonly id: string; readonly file: string }, io: Io, cwd: string = process.cwd()): number {
  return refusing(() => {
    const file = readKeyFile(flags.file, cwd);
    const revoked = wrapped(file.name, () => revokeKey(file.records, flags.id, Date.now()));
    if (revoked.already) {
      const at = revoked.record.revokedAt === undefined ? '' : ` at ${String(revoked.record.revokedAt)}`;
      if (!io.quiet) io.err(`codegen: key ${JSON.stringify(flags.id)} was already revoked${at}; ${file.name} is unchanged`);
    } else {
      writeKeyFile(file, revoked.records);
    }
    io.out(revoked.record.id);
    return EXIT.ok;
  });
}

export function runKeysList(flags: { readonly file: string; readonly unusedSince?: string | undefined; readonly olderThan?: string | undefined; readonly json: boolean }, io: Io, cwd: string = process.cwd()): number {
  return refusing(() => {
    const unusedSinceMs = flags.unusedSince === undefined ? undefined : parseDuration(flags.unusedSince, '--unused-since');
    const olderThanMs = flags.olderThan === undefined ? undefined : parseDuration(flags.olderThan, '--older-than');
    const now = Date.now();
    const file = readKeyFile(flags.file, cwd);
    const keys = selectKeys(file.records, { ...(unusedSinceMs !== undefined ? { unusedSinceMs } : {}), ...(olderThanMs !== undefined ? { olderThanMs } : {}) }, now);
    if (flags.json) {
      io.out(JSON.stringify(listJson(keys, now), null, 2));
      return EXIT.ok;
    }
    for (const line of listLines(keys, now)) io.out(line);
    if (keys.length === 0 && !io.quiet) io.err(`codegen: ${file.records.length === 0 ? `no keys in ${file.name}` : 'no key matches'}`);
    return EXIT.ok;
  });
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
