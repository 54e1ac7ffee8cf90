// Compiling the security tables into per-operation plans, once per `createGuard`:
// each scheme with where its credential comes from and its challenge, each
// alternative with its uses, its AND group's binding check, scopes, 403 challenge and
// index as written, the answers that never vary (the two no-credentials 401s, the
// refused 403, each alternative's 403), and where the spec's other API keys go (to tell
// "none sent" from "others sent"). Also the per-request state's template, so a request
// copies one small array instead of building objects.
import { own, type SchemeSpec, type SecurityTables } from './runtime-tables.js';
import { quote } from './runtime-http-schemes.js';
import { NONE_SENT, OTHERS_SENT, REFUSED, forbidden, unauthorized } from './runtime-problem.js';
import type { AuthFailure, AuthSuccess, BindingContext, ProblemLocation, VerifyContext } from './runtime-types.js';

export const SRC_HEADER = 0;
export const SRC_AUTH_RAW = 1;
export const SRC_QUERY = 2;
export const SRC_COOKIE = 3;
export const SRC_BEARER = 4;
export const SRC_BASIC = 5;
export const SRC_HTTP_OTHER = 6;
export const SRC_TLS = 7;

export const UNKNOWN = 0;
export const ABSENT = 1;
export const PRESENT = 2;
export const INVALID = 3;

/** Where a scheme's credential comes from; literal-typed, so a `switch` over it is checked. */
export type Source = typeof SRC_HEADER | typeof SRC_AUTH_RAW | typeof SRC_QUERY | typeof SRC_COOKIE | typeof SRC_BEARER | typeof SRC_BASIC | typeof SRC_HTTP_OTHER | typeof SRC_TLS;
/** A scheme's credential in one request: not looked at yet, absent, present, or sent but malformed or repeated. */
export type CredentialState = typeof UNKNOWN | typeof ABSENT | typeof PRESENT | typeof INVALID;

export interface CompiledScheme {
  readonly name: string;
  readonly source: Source;
  /** Lower-cased header name, query/cookie name, or lower-cased auth-scheme word. */
  readonly key: string;
  readonly verifier: (credential: unknown, context: VerifyContext) => unknown;
  /** Frozen: answers share it (a cached 401 is frozen through and through). */
  readonly location: ProblemLocation;
  /** `undefined` for mutualTLS (no HTTP challenge exists for it). */
  readonly challenge: string | undefined;
  readonly bearerFamily: boolean;
  /** For an Authorization scheme, the word as clients usually send it (its registered spelling; always a token); otherwise `undefined`. */
  readonly sentAs: string | undefined;
}

export interface CompiledUse {
  readonly local: number;
  readonly scheme: CompiledScheme;
  readonly scopes: readonly string[];
}

/** The binding check of an AND group (absent for a group marked `independent`). */
export interface CompiledGroup {
  /** `"ApiKey + AppId"`: the scheme names in code-unit order joined with `" + "`. */
  readonly key: string;
  /** Where a request caches the check's answer: after the 2n scheme slots, one per group of the plan. */
  readonly slot: number;
  readonly check: (principals: object, context: BindingContext) => unknown;
}

/** The key of an AND group in `Verifiers` (the generator's `groupKey` computes the same). */
export function groupKey(schemes: readonly string[]): string {
  // Default sort compares UTF-16 code units, the order the contract names.
  return [...schemes].sort().join(' + ');
}

export interface CompiledAlternative {
  /** Its index in the operation's `security` array as written (`AuthSuccess.alternative`). */
  readonly index: number;
  readonly uses: readonly CompiledUse[];
  /** Set for an AND group of two or more schemes with a binding check. */
  readonly group: CompiledGroup | undefined;
  /**
   * Only when a scheme of this alternative is named `__proto__`: an object with the
   * alternative's scheme names as own keys, which each success copies and fills in, so
   * `__proto__` is an own data property (assigning to an own key never reaches the
   * prototype setter). Otherwise each success fills a fresh `{}`.
   */
  readonly principalsTemplate: object | undefined;
  /** Whether any use needs scopes (the scope check is skipped otherwise). */
  readonly scoped: boolean;
  readonly forbiddenHeader: string;
  readonly requiredScopes: readonly string[];
  /** Its 403 when it verified without the scopes: the same answer every time, so built once (frozen). */
  readonly forbidden: AuthFailure;
}

export interface Plan {
  readonly operationId: string;
  readonly isPublic: boolean;
  readonly optional: boolean;
  readonly schemes: readonly CompiledScheme[];
  readonly alternatives: readonly CompiledAlternative[];
  readonly challenge: string;
  readonly challengeInvalidToken: string;
  /** The anonymous success: its `alternative` is the index of `{}`, or -1 for a public operation. */
  readonly anonymousResult: AuthSuccess;
  /**
   * The 401 for a request that carries none of the operation's credentials: always the
   * same answer, so it is built once and shared (frozen, as its readonly type says).
   * `noCredentials` when it carries no other credential either, `otherCredentials` when
   * it does (see `others`).
   */
  readonly noCredentials: AuthFailure;
  readonly otherCredentials: AuthFailure;
  /** Where the spec's other API key schemes (those this operation does not name) put their keys. */
  readonly others: OtherLocations;
  /**
   * Set for a `required` operation without any alternative (its groups were dropped by
   * `--skip-invalid` because they name schemes that cannot be enforced): no credential
   * can ever authorize it, so every request gets this fixed 403.
   */
  readonly refused: AuthFailure | undefined;
  /** The AND groups' keys, by group slot minus 2n (a binding check's `VerifierError` names it). */
  readonly groupKeys: readonly string[];
  /**
   * Per-request state starts as a copy of this one packed array (one copy instead of
   * several): 2n scheme slots (credentials, then verifier results), one per group,
   * then the n credential states from `stateBase` on, all UNKNOWN.
   */
  readonly initialSlots: readonly unknown[];
  readonly stateBase: number;
  /**
   * The 401s already built for a pattern of missing and refused credentials (and failed
   * groups), keyed as runtime-deny.ts computes it: a denial repeats the answer of the
   * same pattern, so it is built once and shared (frozen). Bounded (`DENIALS_KEPT`).
   */
  readonly denials: Map<number, AuthFailure>;
}

/** Header (lower-cased), query parameter and cookie names; the Authorization header is always looked at. */
export interface OtherLocations {
  readonly headers: readonly string[];
  readonly query: readonly string[];
  readonly cookies: readonly string[];
}

const NO_OTHERS: OtherLocations = { headers: [], query: [], cookies: [] };

/** Where the API keys of the spec's schemes that `own` lacks are sent (mutual TLS is not a request's credential). */
function otherLocations(tables: SecurityTables, named: ReadonlyMap<string, number>): OtherLocations {
  const headers: string[] = [];
  const query: string[] = [];
  const cookies: string[] = [];
  for (const name of Object.keys(tables.schemes)) {
    if (named.has(name)) continue;
    const spec = own(tables.schemes, name);
    if (spec?.kind !== 'apiKey') continue;
    const key = spec.in === 'header' ? spec.name.toLowerCase() : spec.name;
    // An API key named Authorization is seen by the Authorization check.
    if (spec.in === 'header' && key === 'authorization') continue;
    const list = spec.in === 'header' ? headers : spec.in === 'query' ? query : cookies;
    if (!list.includes(key)) list.push(key);
  }
  return headers.length + query.length + cookies.length === 0 ? NO_OTHERS : { headers, query, cookies };
}

function initialSlots(values: number, states: number): unknown[] {
  const slots: unknown[] = [];
  for (let i = 0; i < values; i++) slots.push(undefined);
  for (let i = 0; i < states; i++) slots.push(UNKNOWN);
  return slots;
}

/** How a plan finds the binding check of a group: `undefined` for `independent`; throws when the entry is missing. */
export type BindingLookup = (key: string) => CompiledGroup['check'] | undefined;

export function compilePlan(operationId: string, tables: SecurityTables, schemeCache: Map<string, CompiledScheme>, compile: (name: string) => CompiledScheme, bindingOf: BindingLookup, realmParam: string): Plan {
  const op = own(tables.operations, operationId);
  if (op === undefined) throw new TypeError(`unknown operation ${JSON.stringify(operationId)}`);
  const auth = op.auth;
  if (auth.kind !== 'public' && (!Array.isArray(auth.at) || auth.at.length !== auth.anyOf.length)) {
    throw new TypeError(`operation ${JSON.stringify(operationId)}: its table needs one \`at\` index per alternative`);
  }
  const anonymousResult: AuthSuccess = Object.freeze({
    ok: true as const,
    operationId,
    alternative: auth.kind === 'optional' ? auth.anonymousAt : -1,
    anonymous: true,
    principals: Object.freeze({}),
  });
  if (auth.kind === 'public') {
    const none = unauthorized('', NONE_SENT, [], []);
    return { operationId, isPublic: true, optional: false, schemes: [], alternatives: [], challenge: '', challengeInvalidToken: '', anonymousResult, noCredentials: none, otherCredentials: none, others: NO_OTHERS, refused: undefined, groupKeys: [], initialSlots: [], stateBase: 0, denials: new Map() };
  }
  const schemes: CompiledScheme[] = [];
  const localOf = new Map<string, number>();
  // Group slots follow the 2n scheme slots, so they are placed once n is known.
  const alternatives: (Omit<CompiledAlternative, 'group'> & { readonly group: { key: string; g: number; check: CompiledGroup['check'] } | undefined })[] = [];
  const groupKeys: string[] = [];
  const groupChecks: (CompiledGroup['check'] | undefined)[] = [];
  for (const [position, alternative] of auth.anyOf.entries()) {
    const uses: CompiledUse[] = [];
    const requiredScopes: string[] = [];
    for (const use of alternative) {
      let local = localOf.get(use.scheme);
      if (local === undefined) {
        let scheme = schemeCache.get(use.scheme);
        if (!scheme) schemeCache.set(use.scheme, (scheme = compile(use.scheme)));
        local = schemes.length;
        localOf.set(use.scheme, local);
        schemes.push(scheme);
      }
      uses.push({ local, scheme: schemes[local] as CompiledScheme, scopes: Object.freeze([...use.scopes]) });
      for (const s of use.scopes) if (!requiredScopes.includes(s)) requiredScopes.push(s);
    }
    if (uses.length === 0) continue;
    // Made by JSON.parse, which defines every key as an own data property (`__proto__`
    // too, never the setter) and gives the object a plain map that spreading copies
    // faster than one built key by key with defineProperty (measured). Every key is
    // overwritten on each success, so the `null`s never show.
    const principalsTemplate: object | undefined = !uses.some((use) => use.scheme.name === '__proto__') ? undefined : JSON.parse(`{${uses.map((use) => `${JSON.stringify(use.scheme.name)}:null`).join(',')}}`);
    let group: { key: string; g: number; check: CompiledGroup['check'] } | undefined;
    if (uses.length > 1) {
      const key = groupKey(uses.map((use) => use.scheme.name));
      let g = groupKeys.indexOf(key);
      if (g === -1) {
        g = groupKeys.length;
        groupKeys.push(key);
        groupChecks.push(bindingOf(key));
      }
      const check = groupChecks[g];
      if (check !== undefined) group = { key, g, check };
    }
    // RFC 6750 §3.1: `insufficient_scope` with the scopes needed.
    const forbiddenHeader = `Bearer ${realmParam}, error="insufficient_scope", scope=${quote(requiredScopes.join(' '))}`;
    const frozenScopes = Object.freeze(requiredScopes);
    alternatives.push({
      index: auth.at[position] as number,
      group,
      uses,
      principalsTemplate,
      scoped: uses.some((use) => use.scopes.length > 0),
      requiredScopes: frozenScopes,
      forbiddenHeader,
      forbidden: forbidden(forbiddenHeader, frozenScopes),
    });
  }
  // One challenge per accepted scheme, in the order the spec first names them,
  // deduplicated (all bearer-token schemes share a single Bearer challenge).
  const plain: string[] = [];
  const invalid: string[] = [];
  for (const scheme of schemes) {
    if (scheme.challenge === undefined || plain.includes(scheme.challenge)) continue;
    plain.push(scheme.challenge);
    // RFC 6750 §3.1: a presented token that failed gets `error="invalid_token"`.
    invalid.push(scheme.bearerFamily ? `${scheme.challenge}, error="invalid_token"` : scheme.challenge);
  }
  if (plain.length === 0 && schemes.length > 0) {
    // mTLS only: there is no HTTP challenge for a TLS credential, but RFC 9110 §11.6.1
    // requires at least one on a 401.
    plain.push(`MutualTLS ${realmParam}`);
    invalid.push(`MutualTLS ${realmParam}`);
  }
  const n = schemes.length;
  const compiled = alternatives.map(({ group, ...alternative }): CompiledAlternative => ({
    ...alternative,
    group: group === undefined ? undefined : { key: group.key, slot: 2 * n + group.g, check: group.check },
  }));
  const challenge = plain.join(', ');
  const missing = schemes.map((scheme) => scheme.location);
  const written = compiled.map((alternative) => ({ index: alternative.index, schemes: alternative.uses.map((use) => use.scheme.location) }));
  return {
    operationId,
    isPublic: compiled.length === 0 && auth.kind === 'optional',
    optional: auth.kind === 'optional',
    schemes,
    alternatives: compiled,
    challenge,
    challengeInvalidToken: invalid.join(', '),
    anonymousResult,
    noCredentials: unauthorized(challenge, NONE_SENT, missing, written),
    otherCredentials: unauthorized(challenge, OTHERS_SENT, missing, written),
    others: otherLocations(tables, localOf),
    refused: auth.kind === 'required' && compiled.length === 0 ? REFUSED : undefined,
    groupKeys,
    // Built by pushing, so the array is packed (a copy of a holey one checks for holes on every read).
    initialSlots: initialSlots(2 * n + groupKeys.length, n),
    stateBase: 2 * n + groupKeys.length,
    denials: new Map(),
  };
}
