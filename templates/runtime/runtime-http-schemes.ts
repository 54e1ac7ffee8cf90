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
 * scan stops at the first that is not, or at any non-ASCII one. For the short values it
 * checks on every request (a scheme word, a key id) a scan costs less than a regular
 * expression call; a long one (a bearer token) is checked by an expression instead.
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

/** RFC 9110 §5.6.3 optional whitespace (OWS, BWS): SP and HTAB. */
const OWS = asciiSet(' \t');

/** RFC 9110 §5.6.2 token: one or more tchar. */
export function isHttpToken(value: string): boolean {
  return value.length > 0 && spanOf(TCHAR, value, 0) === value.length;
}

/**
 * Whether an Authorization value with a comma holds more than one credentials (RFC 9110
 * §11.4: `credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`). A token68
 * holds no comma, so after the scheme word such a value must be a list of auth-params
 * (`token BWS "=" BWS ( token / quoted-string )`, empty elements allowed); anything else
 * is a second credentials, or a credential sent twice. That is what a Fetch `Headers`
 * makes of two Authorization lines (it joins them with ", "), whatever the second line
 * holds (`Basic …, Bearer …`, `Basic …, a=b`, `Basic …, ` from an empty line), and what
 * a client that put two credentials on one line sent. `joined` (the value came from such
 * a `Headers`) makes the check strict: the first element too, and an empty element,
 * which is what an empty second line becomes after a list of auth-params (`Digest a=b,
 * `). From separate lines (the adapter sees a second line itself) the first element is
 * taken as the client wrote it (`OAuth raw,cred="x"` reaches its verifier as written),
 * and RFC 9110 §5.6.1 lets a list hold empty elements.
 */
export function holdsSeveralCredentials(value: string, joined: boolean): boolean {
  if (value.indexOf(',') === -1) return false;
  const skip = (from: number): number => from + spanOf(OWS, value, from);
  let i = skip(spanOf(TCHAR, value, 0));
  // At the start of a list element: a comma here ends an empty one.
  let element = true;
  if (!joined) {
    // The first element, up to the first comma outside a quoted-string, unread.
    while (i >= 0 && i < value.length && value.charCodeAt(i) !== 44 /* , */) i = value.charCodeAt(i) === 34 /* " */ ? afterQuoted(value, i) : i + 1;
    if (i < 0) return false;
    element = false;
  }
  for (; i < value.length; i = skip(i)) {
    if (value.charCodeAt(i) === 44 /* , */) {
      if (element && joined) return true;
      element = true;
      i++;
      continue;
    }
    element = false;
    const name = spanOf(TCHAR, value, i);
    if (name === 0) return true;
    i = skip(i + name);
    if (value.charCodeAt(i) !== 61 /* = */) return true;
    i = skip(i + 1);
    if (value.charCodeAt(i) === 34 /* " */) {
      i = afterQuoted(value, i);
      if (i < 0) return true;
    } else {
      const token = spanOf(TCHAR, value, i);
      if (token === 0) return true;
      i += token;
    }
    i = skip(i);
    if (i < value.length && value.charCodeAt(i) !== 44) return true;
  }
  return element && joined;
}

/** The index after the quoted-string that starts at `start` (`\` escapes the next character), or -1 when it never closes. */
function afterQuoted(value: string, start: number): number {
  for (let i = start + 1; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 34 /* " */) return i + 1;
  }
  return -1;
}

/** RFC 9110 §5.6.4 quoted-string; controls and non-ASCII become `?` so no header can be split. */
export function quote(value: string): string {
  return '"' + value.replace(/[\\"]/g, '\\$&').replace(/[^\t\x20-\x7e]/g, '?') + '"';
}
