// Issuing API keys in the format of runtime-key-format.ts:
// `<prefix>_<id>_<secret><checksum>`, the id and secret from a CSPRNG. A store keeps
// `hashKey(key)`, never the key. The CLI's `codegen keys` writes the same format
// (src/keys/format.ts; a test holds them equal). Uses node:crypto; parsing and the
// scanner pattern (re-exported here) do not, so the guard can use them anywhere.
import { randomBytes } from 'node:crypto';
import { hashKey } from './runtime-keys.js';
import { API_KEY_ID_LENGTH, API_KEY_SECRET_LENGTH, BASE62, apiKeyChecksum, checkPrefix } from './runtime-key-format.js';

export { API_KEY_CHECKSUM_LENGTH, API_KEY_ID_LENGTH, API_KEY_SECRET_LENGTH, apiKeyChecksum, apiKeyPattern, parseApiKey } from './runtime-key-format.js';

export interface GeneratedApiKey {
  /** Show once to its owner; never store or log it. */
  readonly key: string;
  readonly prefix: string;
  /** Public: names the record, safe to log. */
  readonly id: string;
  /** `hashKey(key)`: what the store keeps. */
  readonly hash: string;
}

/** Unbiased base62 from a CSPRNG: bytes of 248 and above (4 × 62) are drawn again. */
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

export function generateApiKey(options: { readonly prefix: string }): GeneratedApiKey {
  checkPrefix(options.prefix);
  const id = randomBase62(API_KEY_ID_LENGTH);
  const secret = randomBase62(API_KEY_SECRET_LENGTH);
  const key = `${options.prefix}_${id}_${secret}${apiKeyChecksum(`${id}_${secret}`)}`;
  return { key, prefix: options.prefix, id, hash: hashKey(key) };
}
