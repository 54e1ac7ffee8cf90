// The IANA "HTTP Authentication Schemes" registry spellings (RFC 9110 §16.4), the
// token grammar and quoted-string writer of RFC 9110 §5.6 (and the ASCII character-set
// scan the runtime's other syntax checks share): one table for the server's
// challenges and the client's Authorization headers. The tables hold lower-cased
// scheme words (names are case-insensitive, §11.1), but many servers are not.

/** Lower-cased scheme word → registered spelling. */
export const KNOWN_HTTP_SCHEMES: ReadonlyMap<string, string> = new Map([
  ['aws4-hmac-sha256', 'AWS4-HMAC-SHA256'],
  ['basic', 'Basic'],
  ['bearer', 'Bearer'],
  ['concealed', 'Concealed'],
  ['digest', 'Digest'],
  ['dpop', 'DPoP'],
  ['gnap', 'GNAP'],
  ['hoba', 'HOBA'],
  ['mutual', 'Mutual'],
  ['negotiate', 'Negotiate'],
  ['ntlm', 'NTLM'],
  ['oauth', 'OAuth'],
  ['privatetoken', 'PrivateToken'],
  ['scram-sha-1', 'SCRAM-SHA-1'],
  ['scram-sha-256', 'SCRAM-SHA-256'],
  ['vapid', 'vapid'],
]);

/** The registered spelling of a scheme word, or the word as written. */
export function httpSchemeSpelling(word: string): string {
  return KNOWN_HTTP_SCHEMES.get(word.toLowerCase()) ?? word;
}

/** A set of ASCII characters as a table by char code, for `spanOf`. */
export function asciiSet(chars: string): Uint8Array {
  const set = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) set[chars.charCodeAt(i)] = 1;
  return set;
}

/**
 * How many characters of `value`, from `from` on, are in `set` (an `asciiSet`): the
 * scan stops at the first that is not, or at any non-ASCII one. The guard's syntax
 * checks run on every request, where a scan costs less than a regular expression call.
 */
export function spanOf(set: Uint8Array, value: string, from: number): number {
  let i = from;
  while (i < value.length) {
    const c = value.charCodeAt(i);
    if (c >= 128 || set[c] !== 1) break;
    i++;
  }
  return i - from;
}

/** RFC 9110 §5.6.2 tchar. */
const TCHAR = asciiSet("!#$%&'*+.^_`|~-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

/** RFC 9110 §5.6.2 token: one or more tchar. */
export function isHttpToken(value: string): boolean {
  return value.length > 0 && spanOf(TCHAR, value, 0) === value.length;
}

/** RFC 9110 §5.6.4 quoted-string; controls and non-ASCII become `?` so no header can be split. */
export function quote(value: string): string {
  return '"' + value.replace(/[\\"]/g, '\\$&').replace(/[^\t\x20-\x7e]/g, '?') + '"';
}
