// Reading each scheme's credential from the request, once, into the per-request
// state (`Evaluation`): headers (a repeat is invalid, never a choice of one), query,
// cookies, the Authorization header parsed once for every HTTP scheme (a malformed
// one is invalid for all of them, never "not sent"), strict Basic decoding, Bearer
// b64token syntax, and the TLS peer certificate; and an alternative's principals, read
// back from the same state.
import { holdsSeveralCredentials, isHttpToken } from './runtime-http-schemes.js';
import { DUPLICATE, hasOwn, isEmptyObject, joinsRepeats, readHeader, readQuery, single, type AuthRequest, type Single } from './runtime-request.js';
import {
  ABSENT,
  INVALID,
  PRESENT,
  SRC_AUTH_RAW,
  SRC_BASIC,
  SRC_BEARER,
  SRC_COOKIE,
  SRC_HEADER,
  SRC_QUERY,
  SRC_TLS,
  UNKNOWN,
  type CompiledAlternative,
  type CompiledScheme,
  type CompiledUse,
  type CredentialState,
  type Plan,
} from './runtime-plan.js';
import type { BasicCredentials } from './runtime-types.js';

/** RFC 6265 §5.4 cookie-string; a name sent twice is kept as a duplicate, not a choice. */
function parseCookieHeader(header: string): Map<string, string | typeof DUPLICATE> {
  const cookies = new Map<string, string | typeof DUPLICATE>();
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (name === '') continue;
    let value = part.slice(eq + 1).trim();
    // RFC 6265 §4.1.1: a cookie-value may be wrapped in DQUOTEs.
    if (value.length >= 2 && value.charCodeAt(0) === 34 && value.charCodeAt(value.length - 1) === 34) value = value.slice(1, -1);
    cookies.set(name, cookies.has(name) ? DUPLICATE : value);
  }
  return cookies;
}

/**
 * RFC 6750 §2.1 b64token: one or more token characters, then only `=`. A regular
 * expression, not a character scan: a scan costs less below about ten characters, but a
 * bearer token is longer (an opaque token some 40, a JWT hundreds), and there the
 * compiled expression is two to three times faster (measured on Node 20: 40 characters
 * 51 against 94 ns, 800 characters 0.56 against 1.7 µs).
 */
const B64_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** RFC 7617 §2: strict base64, UTF-8 (fatal), user-id ends at the first colon. */
function decodeBasic(encoded: string, utf8: TextDecoder): BasicCredentials | undefined {
  let binary: string;
  try {
    binary = atob(encoded);
  } catch {
    return undefined;
  }
  // atob tolerates whitespace, missing padding and non-zero trailing bits; only the
  // canonical encoding round-trips.
  if (btoa(binary) !== encoded) return undefined;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  const colon = text.indexOf(':');
  if (colon === -1) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

const AUTH_UNPARSED = 0;
const AUTH_ABSENT = 1;
/** Sent twice, or not `auth-scheme [ SP credentials ]`: invalid for every scheme that reads it. */
const AUTH_MALFORMED = 2;
const AUTH_SINGLE = 3;
/** AUTH_SINGLE whose word was found to be a token, and lower-cased in `authWord`. */
const AUTH_WORD_CHECKED = 4;

/** The Cookie header's cookies when it was not sent: never written to, so one serves every request. */
const NO_COOKIES: ReadonlyMap<string, string | typeof DUPLICATE> = new Map();

/**
 * The per-request scratchpad: extraction and verification results, each computed once.
 * Every field is `declare`d and assigned in the constructor: with class-field
 * initializers (ES2022 [[Define]] semantics, what `tsc` emits for target ES2022 and
 * later) V8 ran a field initializer per field, measured at about 250 instructions of a
 * 5,700-instruction decision. And no more than these sixteen: V8 gave a seventeenth
 * field an out-of-object property store, about 190 instructions more per decision.
 */
export class Evaluation {
  declare readonly plan: Plan;
  declare readonly request: AuthRequest;
  /**
   * One packed array, one copy of the plan's template, for the whole state: the
   * credential value of scheme `local` at `local`, its verifier result at `n + local`
   * (the principal, `false` after a failed verification, `undefined` while not
   * verified), each group's binding answer at its `slot`, and the scheme's
   * `CredentialState` at `s + local` (UNKNOWN until extracted, then ABSENT, PRESENT or
   * INVALID).
   */
  declare readonly slots: unknown[];
  declare readonly n: number;
  /** Where the credential states start in `slots` (`plan.stateBase`). */
  declare readonly s: number;
  /** The alternative `step` is at. */
  declare next: number;
  /**
   * The use of alternative `next` whose verifier `step` waits for, or -1: set when it
   * stops there, so that resuming skips the presence checks and the uses already verified.
   */
  declare resumeUse: number;
  declare forbidden: number;
  declare authState: number;
  declare authRaw: string;
  /** The auth-scheme word as sent, or lower-cased once checked (AUTH_WORD_CHECKED). */
  declare authWord: string;
  /** Where the credentials after it start in `authRaw` (its length when there are none). */
  declare authCredentialsAt: number;
  declare cookies: ReadonlyMap<string, string | typeof DUPLICATE> | undefined;
  /** Set when `step` stops at a verifier or binding check that returned a thenable. */
  declare pending: PromiseLike<unknown> | undefined;
  /** Where its value goes: a scheme's result slot (below 2n) or a group's (whose check it was). */
  declare pendingSlot: number;
  /** The first reason a verifier gave through `context.deny`, for the decision event. */
  declare detail: string | undefined;
  /**
   * `slots`: a fresh copy of `plan.initialSlots` (`Evaluation.of`), made by the caller: a
   * call inside the constructor, between the object's allocation and its field stores,
   * made V8 write the object's hidden class once per field store after it, and so do
   * loads from `plan` between the stores; with neither, the stores take one class
   * (callgrind: (a) −8, (c) −17 instructions a decision).
   */
  constructor(plan: Plan, request: AuthRequest, slots: unknown[]) {
    // Read before the first store, for the same reason.
    const n = plan.schemes.length;
    const s = plan.stateBase;
    this.plan = plan;
    this.request = request;
    this.slots = slots;
    this.n = n;
    this.s = s;
    this.next = 0;
    this.resumeUse = -1;
    this.forbidden = -1;
    this.authState = AUTH_UNPARSED;
    this.authRaw = '';
    this.authWord = '';
    this.authCredentialsAt = 0;
    this.cookies = undefined;
    this.pending = undefined;
    this.pendingSlot = 0;
    this.detail = undefined;
  }

  /** A new evaluation of `plan` for `request`; its state a plain packed array (a typed array's backing store costs more to allocate than it saves here). */
  static of(plan: Plan, request: AuthRequest): Evaluation {
    return new Evaluation(plan, request, plan.initialSlots.slice());
  }
}

/** The credential state of scheme `local` as extracted so far (UNKNOWN if not yet). */
export function stateAt(ev: Evaluation, local: number): CredentialState {
  return ev.slots[ev.s + local] as CredentialState;
}

/** The verified principals of an alternative, keyed by scheme name. */
export function principalsOf(ev: Evaluation, alternative: CompiledAlternative): Record<string, unknown> {
  // A fresh literal filled by stores costs about 100 instructions less than spreading the
  // template (measured). But a store to `__proto__` would set the prototype: an
  // alternative naming a scheme `__proto__` copies the template instead, whose spread
  // makes every key an own data property.
  const principals: Record<string, unknown> = alternative.principalsTemplate === undefined ? {} : { ...alternative.principalsTemplate };
  const uses = alternative.uses;
  const slots = ev.slots;
  const n = ev.n;
  // Unrolled for one and two schemes: a keyed store that sees one name stays fast, one
  // in a loop sees them all and goes megamorphic (measured ~10 ns a store).
  if (uses.length === 1) {
    const only = uses[0] as CompiledUse;
    principals[only.scheme.name] = slots[n + only.local];
  } else if (uses.length === 2) {
    const first = uses[0] as CompiledUse;
    const second = uses[1] as CompiledUse;
    principals[first.scheme.name] = slots[n + first.local];
    principals[second.scheme.name] = slots[n + second.local];
  } else {
    for (let u = 0; u < uses.length; u++) {
      const use = uses[u] as CompiledUse;
      principals[use.scheme.name] = slots[n + use.local];
    }
  }
  return principals;
}

function parseAuthorization(ev: Evaluation): void {
  const raw = readHeader(ev.request, 'authorization', undefined);
  if (raw === undefined) {
    ev.authState = AUTH_ABSENT;
    return;
  }
  if (typeof raw !== 'string') {
    // DUPLICATE: sent twice.
    ev.authState = AUTH_MALFORMED;
    return;
  }
  // (An API key named Authorization is the whole value, whatever its shape.)
  ev.authRaw = raw;
  // Two credentials in one value, as a Fetch `Headers` makes of two lines (it joins
  // them): sent twice, so invalid for every auth-scheme read from it, never "another
  // scheme's credential", which would leave an optional operation open to anonymous.
  // (The comma test first, inline: most values hold none, and then nothing else is asked.)
  if (raw.indexOf(',') !== -1 && holdsSeveralCredentials(raw, joinsRepeats(ev.request))) {
    ev.authState = AUTH_MALFORMED;
    return;
  }
  // RFC 9110 §11.4: credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]. The
  // word is checked where a scheme looks at it (`authWordIs`).
  const sp = raw.indexOf(' ');
  ev.authState = AUTH_SINGLE;
  if (sp === -1) {
    ev.authWord = raw;
    ev.authCredentialsAt = raw.length;
    return;
  }
  ev.authWord = raw.slice(0, sp);
  let start = sp + 1;
  while (raw.charCodeAt(start) === 32) start++;
  ev.authCredentialsAt = start;
}

/**
 * Whether the request's auth-scheme word names `scheme` (case-insensitively, RFC 9110
 * §11.1): at once when it is sent as the scheme's usual spelling (a token); otherwise
 * the word is checked and lower-cased, once per request. A word that is not a token (an
 * empty header, or a word run into its credentials: `Bearer\tx`, `Bearer,x`) names no
 * scheme: the header is then malformed, a credential sent badly, never "nothing sent"
 * (which would let an optional operation fall back to anonymous).
 */
function authWordIs(ev: Evaluation, scheme: CompiledScheme): boolean {
  if (ev.authState === AUTH_WORD_CHECKED) return ev.authWord === scheme.key;
  const word = ev.authWord;
  if (word === scheme.sentAs) return true;
  if (!isHttpToken(word)) {
    ev.authState = AUTH_MALFORMED;
    return false;
  }
  ev.authState = AUTH_WORD_CHECKED;
  ev.authWord = word.toLowerCase();
  return ev.authWord === scheme.key;
}

/** A cookie of the request: from `request.cookies`, else the Cookie header, parsed once. */
function cookieOf(ev: Evaluation, name: string): Single {
  const request = ev.request;
  if (request.cookies != null) return hasOwn(request.cookies, name) ? single(request.cookies[name]) : undefined;
  if (ev.cookies === undefined) {
    // HTTP/2 may split Cookie into several fields (RFC 9113 §8.2.3): join them.
    const header = readHeader(request, 'cookie', '; ');
    ev.cookies = typeof header === 'string' ? parseCookieHeader(header) : NO_COOKIES;
  }
  // No Cookie header (the usual API request): no lookup in the empty map.
  return ev.cookies === NO_COOKIES ? undefined : ev.cookies.get(name);
}

export function extract(ev: Evaluation, local: number, utf8: TextDecoder): CredentialState {
  const scheme = ev.plan.schemes[local] as CompiledScheme;
  const request = ev.request;
  let v: Single;
  let value: unknown;
  switch (scheme.source) {
    case SRC_HEADER:
      v = readHeader(request, scheme.key, undefined);
      // A Fetch `Headers` has already joined repeated lines with ", " (Fetch standard
      // §5.2): from one, an API key with a comma was sent twice, or is not one key.
      // (The cheap tests first: a plain record has no `get`.)
      if (typeof v === 'string' && joinsRepeats(request) && v.indexOf(',') !== -1) v = DUPLICATE;
      break;
    case SRC_QUERY:
      v = readQuery(request.query, scheme.key);
      break;
    case SRC_COOKIE:
      v = cookieOf(ev, scheme.key);
      break;
    case SRC_TLS: {
      const cert = request.clientCertificate;
      if (cert == null || typeof cert !== 'object' || isEmptyObject(cert)) return (ev.slots[ev.s + local] = ABSENT);
      ev.slots[local] = cert;
      return (ev.slots[ev.s + local] = PRESENT);
    }
    default: {
      if (ev.authState === AUTH_UNPARSED) parseAuthorization(ev);
      if (ev.authState === AUTH_ABSENT) return (ev.slots[ev.s + local] = ABSENT);
      if (scheme.source === SRC_AUTH_RAW) {
        // An API key named Authorization is the whole value, whatever its shape; a
        // repeated header leaves `authRaw` empty, which is invalid below. From a Fetch
        // `Headers`, a comma means two lines joined, as for any API key header above.
        v = ev.authRaw;
        if (joinsRepeats(request) && v.indexOf(',') !== -1) v = DUPLICATE;
        break;
      }
      if (ev.authState === AUTH_MALFORMED) return (ev.slots[ev.s + local] = INVALID);
      // Another auth-scheme word means this scheme's credential was not sent at all
      // (it may be meant for a sibling scheme on the same header).
      if (!authWordIs(ev, scheme)) return (ev.slots[ev.s + local] = ev.authState === AUTH_MALFORMED ? INVALID : ABSENT);
      const credentials = ev.authRaw.slice(ev.authCredentialsAt);
      if (scheme.source === SRC_BASIC) {
        value = credentials === '' ? undefined : decodeBasic(credentials, utf8);
      } else if (scheme.source === SRC_BEARER) {
        value = B64_TOKEN.test(credentials) ? credentials : undefined;
      } else {
        value = credentials === '' ? undefined : credentials;
      }
      if (value === undefined) return (ev.slots[ev.s + local] = INVALID);
      ev.slots[local] = value;
      return (ev.slots[ev.s + local] = PRESENT);
    }
  }
  if (v === undefined) return (ev.slots[ev.s + local] = ABSENT);
  // A repeated credential is never a choice of one; an empty one is malformed.
  // (`typeof` rather than `=== DUPLICATE`: a string against a symbol compiled to a generic
  // equality call, measured.)
  if (typeof v !== 'string' || v === '') return (ev.slots[ev.s + local] = INVALID);
  ev.slots[local] = v;
  return (ev.slots[ev.s + local] = PRESENT);
}

/** A scheme's credential state, extracted on first use. */
export function stateOf(ev: Evaluation, local: number, utf8: TextDecoder): CredentialState {
  const state = ev.slots[ev.s + local] as CredentialState;
  return state === UNKNOWN ? extract(ev, local, utf8) : state;
}

/** Whether the request carries a credential (valid or not) of any of the operation's schemes. */
export function anyCredentialSent(ev: Evaluation, utf8: TextDecoder): boolean {
  for (let i = 0; i < ev.n; i++) if (stateOf(ev, i, utf8) !== ABSENT) return true;
  return false;
}

/**
 * Whether a request that carries none of the operation's credentials carries some
 * other credential, so that its 401 does not say none were sent. Counted, in any form
 * (empty, repeated or malformed too, as for the operation's own): an Authorization
 * header of any auth-scheme, whether or not the spec defines it (a Bearer token sent to
 * an operation that takes an API key), and the header, query parameter or cookie of an
 * API key scheme the spec defines but this operation does not name. Not counted: a
 * client certificate (presented once per TLS connection, not sent for a request) and
 * any name the spec does not define (the guard cannot tell it from application data).
 */
export function otherCredentialSent(ev: Evaluation): boolean {
  if (ev.authState === AUTH_UNPARSED) parseAuthorization(ev);
  if (ev.authState !== AUTH_ABSENT) return true;
  const request = ev.request;
  const others = ev.plan.others;
  const { headers, query, cookies } = others;
  for (let i = 0; i < headers.length; i++) if (readHeader(request, headers[i] as string, undefined) !== undefined) return true;
  if (request.query != null) for (let i = 0; i < query.length; i++) if (readQuery(request.query, query[i] as string) !== undefined) return true;
  for (let i = 0; i < cookies.length; i++) if (cookieOf(ev, cookies[i] as string) !== undefined) return true;
  return false;
}
