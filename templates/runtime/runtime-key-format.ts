// The API key format, readable without node:crypto (the guard reports key ids with
// it, and it runs in browsers and workers): `<prefix>_<id>_<secret><checksum>`.
// The id (12 base62 characters, ~71 bits) is public and names the key's record for an
// indexed lookup; the secret is 22 base62 characters from a CSPRNG (~131 bits); the
// checksum is the CRC32 of `<id>_<secret>` in 6 base62 characters, so a typo or a
// truncated key is refused by `parseApiKey` before any store is asked (GitHub's token
// format is the model). Issuing keys is runtime-api-keys.ts.

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const API_KEY_ID_LENGTH = 12;
export const API_KEY_SECRET_LENGTH = 22;
export const API_KEY_CHECKSUM_LENGTH = 6;
/** Lower-case letters and digits in `_`-separated words, at most 32 characters: `acme_live`. */
const PREFIX = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3) of an ASCII string. */
function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The checksum of `<id>_<secret>`: its CRC32 in base62, left-padded to 6 characters. */
export function apiKeyChecksum(body: string): string {
  let n = crc32(body);
  let out = '';
  for (let i = 0; i < API_KEY_CHECKSUM_LENGTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export function checkPrefix(prefix: string): void {
  if (typeof prefix !== 'string' || prefix.length > 32 || !PREFIX.test(prefix)) {
    throw new TypeError(`API key prefix ${JSON.stringify(prefix)} must be lower-case letters and digits in _-separated words, at most 32 characters`);
  }
}

const TAIL = new RegExp(`^_([0-9A-Za-z]{${API_KEY_ID_LENGTH}})_([0-9A-Za-z]{${API_KEY_SECRET_LENGTH}})([0-9A-Za-z]{${API_KEY_CHECKSUM_LENGTH}})$`);

/**
 * `{ prefix, id }` of a well-formed key whose checksum holds; `undefined` otherwise.
 * Asks no store. The checksum covers what follows the prefix; pass `prefix` to accept
 * only keys of it (a changed prefix is then refused too).
 */
export function parseApiKey(key: string, options: { readonly prefix?: string } = {}): { readonly prefix: string; readonly id: string } | undefined {
  if (typeof key !== 'string' || key.length > 128) return undefined;
  const tailLength = 2 + API_KEY_ID_LENGTH + API_KEY_SECRET_LENGTH + API_KEY_CHECKSUM_LENGTH;
  const prefix = key.slice(0, key.length - tailLength);
  if (prefix.length === 0 || prefix.length > 32 || !PREFIX.test(prefix)) return undefined;
  if (options.prefix !== undefined && prefix !== options.prefix) return undefined;
  const m = TAIL.exec(key.slice(prefix.length));
  if (m === null) return undefined;
  const [, id, secret, checksum] = m as unknown as [string, string, string, string];
  return apiKeyChecksum(`${id}_${secret}`) === checksum ? { prefix, id } : undefined;
}

/**
 * The regular expression secret scanners use for keys of `prefix` (RE2-compatible, as
 * gitleaks and GitHub run them): the exact shape, bounded on both sides. A regex
 * cannot verify the checksum; `parseApiKey` does.
 */
export function apiKeyPattern(prefix: string): RegExp {
  checkPrefix(prefix);
  return new RegExp(`\\b${prefix}_[0-9A-Za-z]{${API_KEY_ID_LENGTH}}_[0-9A-Za-z]{${API_KEY_SECRET_LENGTH + API_KEY_CHECKSUM_LENGTH}}\\b`);
}
