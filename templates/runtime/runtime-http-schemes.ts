// The IANA "HTTP Authentication Schemes" registry spellings (RFC 9110 §16.4), the
// token grammar and quoted-string writer of RFC 9110 §5.6: one table for the server's
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

/** RFC 9110 §5.6.2 token. */
export const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** tchar by char code (ASCII only): 1 where RFC 9110 §5.6.2 allows it. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+.^_`|~-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1;

/**
 * `HTTP_TOKEN.test(value)` without a regex call: the guard asks it of every
 * Authorization header, where the call cost more than the scan.
 */
export function isHttpToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || TCHAR[c] !== 1) return false;
  }
  return true;
}

/** RFC 9110 §5.6.4 quoted-string; controls and non-ASCII become `?` so no header can be split. */
export function quote(value: string): string {
  return '"' + value.replace(/[\\"]/g, '\\$&').replace(/[^\t\x20-\x7e]/g, '?') + '"';
}
