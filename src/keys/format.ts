// The API key format, for `codegen keys`: the same `<prefix>_<id>_<secret><checksum>`
// as the generated runtime's runtime-api-keys.ts (which the output carries, since it
// depends on nothing of this package). A deliberate copy: test/unit/api-keys.test.ts
// generates with each and parses with the other, and compares checksums and patterns.
import { createHash, randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 12;
const SECRET_LENGTH = 22;
const CHECKSUM_LENGTH = 6;
const PREFIX = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

export interface NewApiKey {
  readonly key: string;
  readonly prefix: string;
  readonly id: string;
  /** SHA-256 hex of the key: what a store keeps. */
  readonly hash: string;
}

export function isApiKeyPrefix(prefix: string): boolean {
  return prefix.length <= 32 && PREFIX.test(prefix);
}

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc ^= text.charCodeAt(i);
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export function checksumOf(body: string): string {
  let n = crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export function newApiKey(prefix: string): NewApiKey {
  const id = randomBase62(ID_LENGTH);
  const secret = randomBase62(SECRET_LENGTH);
  const key = `${prefix}_${id}_${secret}${checksumOf(`${id}_${secret}`)}`;
  return { key, prefix, id, hash: createHash('sha256').update(key, 'utf8').digest('hex') };
}

/** The scanner regex source for keys of `prefix` (RE2-compatible). */
export function patternSource(prefix: string): string {
  return `\\b${prefix}_[0-9A-Za-z]{${ID_LENGTH}}_[0-9A-Za-z]{${SECRET_LENGTH + CHECKSUM_LENGTH}}\\b`;
}
