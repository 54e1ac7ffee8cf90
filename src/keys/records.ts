// The embedded key store: a JSON file `{ "keys": [ <record>, ... ] }` of the records
// the generated runtime's `createMemoryKeyStore` loads (runtime-key-record.ts; never a
// key, only its SHA-256 hash). Read and checked here as `checkKeyRecord` will check it,
// each problem named by `file#/json/pointer`; written atomically (a temporary file in
// the same folder, fsync, rename), and only if nobody changed the file since it was
// read, so a refused command or a crash leaves the file as it was.
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { KeysError } from './errors.js';
import { ipRangeProblem, originProblem } from './restrictions.js';

/** A time as a record holds it: ISO 8601 (what this CLI writes) or epoch milliseconds. */
export type RecordTime = string | number;

/** runtime-key-record.ts's `KeyRecord` as JSON holds it, plus `revokedAt` (when `keys revoke` ran). */
export interface KeyFileRecord {
  readonly id: string;
  readonly prefix?: string;
  readonly hash: string;
  readonly owner: { readonly clientId: string; readonly scopes?: readonly string[]; readonly [extra: string]: unknown };
  readonly apps?: readonly string[];
  readonly ipRanges?: readonly string[];
  readonly origins?: readonly string[];
  readonly operations?: readonly string[];
  readonly notBefore?: RecordTime;
  readonly expiresAt?: RecordTime;
  readonly revoked?: boolean;
  readonly revokedAt?: RecordTime;
  readonly replacedBy?: string;
  readonly graceUntil?: RecordTime;
  readonly createdAt?: RecordTime;
  readonly lastUsedAt?: RecordTime;
  /** Requests per window (and per operation) for `quotaLimiter`, as runtime-key-record.ts's `QuotaPolicy`. */
  readonly quota?: QuotaPolicy;
  readonly [extra: string]: unknown;
}

export interface QuotaPolicy {
  readonly limit: number;
  readonly windowSeconds: number;
  readonly operations?: { readonly [operationId: string]: { readonly limit: number; readonly windowSeconds: number } };
}

export interface KeyFile {
  /** As given on the command line: what messages name. */
  readonly name: string;
  /** Where it is written (a symlink's target: the link is kept). */
  readonly target: string;
  /** The bytes read, or undefined when the file did not exist. */
  readonly bytes: string | undefined;
  readonly mode: number | undefined;
  /** The top-level object; members besides `keys` are written back unchanged. */
  readonly document: Readonly<Record<string, unknown>>;
  readonly records: readonly KeyFileRecord[];
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;
const TIME_FIELDS = ['notBefore', 'expiresAt', 'revokedAt', 'graceUntil', 'createdAt', 'lastUsedAt'] as const;
const LIST_FIELDS = ['apps', 'ipRanges', 'origins', 'operations'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readBytes(target: string, name: string): string | undefined {
  try {
    return readFileSync(target, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KeysError(`${name}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** Throws a KeysError naming `name#pointer` when `value` is not a record the runtime accepts. */
export function checkRecord(value: unknown, name: string, pointer: string): KeyFileRecord {
  const fail = (at: string, what: string): never => {
    throw new KeysError(`${name}#${at}: ${what}`);
  };
  if (!isObject(value)) return fail(pointer, 'a key record must be an object');
  if (typeof value['id'] !== 'string' || value['id'] === '') fail(`${pointer}/id`, 'must be a non-empty string');
  if (value['prefix'] !== undefined && typeof value['prefix'] !== 'string') fail(`${pointer}/prefix`, 'must be a string');
  if (typeof value['hash'] !== 'string' || !SHA256_HEX.test(value['hash'])) fail(`${pointer}/hash`, 'must be the SHA-256 hex digest of the key (64 hex digits)');
  const owner = value['owner'];
  if (!isObject(owner)) return fail(`${pointer}/owner`, 'must be an object with a clientId');
  if (typeof owner['clientId'] !== 'string') fail(`${pointer}/owner/clientId`, 'must be a string');
  const scopes = owner['scopes'];
  if (scopes !== undefined && (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string'))) fail(`${pointer}/owner/scopes`, 'must be an array of strings');
  for (const field of LIST_FIELDS) {
    const list = value[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) fail(`${pointer}/${field}`, 'must be an array of strings');
    (list as unknown[]).forEach((item, i) => {
      if (typeof item !== 'string') fail(`${pointer}/${field}/${i}`, 'must be a string');
      const problem = field === 'ipRanges' ? ipRangeProblem(item as string) : field === 'origins' ? originProblem(item as string) : undefined;
      if (problem !== undefined) fail(`${pointer}/${field}/${i}`, `${JSON.stringify(item)}: ${problem}`);
    });
  }
  for (const field of TIME_FIELDS) {
    const t = value[field];
    if (t === undefined) continue;
    const ms = typeof t === 'string' ? Date.parse(t) : typeof t === 'number' ? t : Number.NaN;
    if (!Number.isFinite(ms)) fail(`${pointer}/${field}`, `${JSON.stringify(t)} is not a time (ISO 8601 or epoch milliseconds)`);
  }
  if (value['revoked'] !== undefined && typeof value['revoked'] !== 'boolean') fail(`${pointer}/revoked`, 'must be true or false');
  if (value['replacedBy'] !== undefined && typeof value['replacedBy'] !== 'string') fail(`${pointer}/replacedBy`, 'must be a key id');
  const quota = value['quota'];
  if (quota !== undefined) {
    const limitOk = (q: unknown): boolean => isObject(q) && Number.isInteger(q['limit']) && (q['limit'] as number) >= 0 && Number.isInteger(q['windowSeconds']) && (q['windowSeconds'] as number) >= 1;
    if (!limitOk(quota)) fail(`${pointer}/quota`, 'must be { "limit": <whole number>, "windowSeconds": <whole seconds, at least 1> }');
    const ops = (quota as Record<string, unknown>)['operations'];
    if (ops !== undefined && (!isObject(ops) || Object.values(ops).some((q) => !limitOk(q)))) fail(`${pointer}/quota/operations`, 'must map operation ids to { "limit", "windowSeconds" }');
  }
  return value as KeyFileRecord;
}

/**
 * Reads and checks a key file. A missing file is an error unless `create` (then it
 * is read as `{ "keys": [] }`, and written only by `writeKeyFile`).
 */
export function readKeyFile(name: string, cwd: string, options: { readonly create?: boolean } = {}): KeyFile {
  let target = path.resolve(cwd, name);
  try {
    target = realpathSync(target);
  } catch {
    // Missing (or a dangling link): the path as given.
  }
  const bytes = readBytes(target, name);
  if (bytes === undefined) {
    if (options.create !== true) throw new KeysError(`${name}: no such file (keys new --file ${name} creates it)`);
    return { name, target, bytes, mode: undefined, document: { keys: [] }, records: [] };
  }
  let document: unknown;
  try {
    document = JSON.parse(bytes);
  } catch (error) {
    throw new KeysError(`${name}: not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(document)) throw new KeysError(`${name}#: must be an object { "keys": [ ... ] }`);
  const keys = document['keys'];
  if (!Array.isArray(keys)) throw new KeysError(`${name}#/keys: must be an array of key records`);
  const seen = new Map<string, number>();
  const records = keys.map((value: unknown, i) => {
    const record = checkRecord(value, name, `/keys/${i}`);
    const first = seen.get(record.id);
    if (first !== undefined) throw new KeysError(`${name}#/keys/${i}/id: ${JSON.stringify(record.id)} is also the id of /keys/${first}`);
    seen.set(record.id, i);
    return record;
  });
  return { name, target, bytes, mode: statSync(target).mode & 0o7777, document, records };
}

/**
 * Replaces the file's records: the new text goes to a temporary file beside it, is
 * flushed, and is renamed over the file, so a reader sees the old file or the new one.
 * Refused (nothing written) when the file changed since `file` was read.
 */
export function writeKeyFile(file: KeyFile, records: readonly KeyFileRecord[]): void {
  const text = JSON.stringify({ ...file.document, keys: records }, null, 2) + '\n';
  const dir = path.dirname(file.target);
  const temp = path.join(dir, `.${path.basename(file.target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const failed = (error: unknown): KeysError =>
    error instanceof KeysError ? error : new KeysError(`${file.name}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the file is unchanged`);
  let fd: number;
  try {
    fd = openSync(temp, 'wx', file.mode ?? 0o666);
  } catch (error) {
    throw failed(error);
  }
  try {
    try {
      // The file's own mode, whatever the umask.
      if (file.mode !== undefined) fchmodSync(fd, file.mode);
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (readBytes(file.target, file.name) !== file.bytes) throw new KeysError(`${file.name}: changed while this command ran; nothing written, run it again`);
    renameSync(temp, file.target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw failed(error);
  }
  try {
    // The rename itself survives a crash only once the folder is flushed (not every platform allows it).
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Best effort.
  }
}
