// The abstract world of the guard property test (property.test.ts): the schemes of
// one operation, what the request carries for each (absent / present / sent twice),
// what each verifier and each AND group's binding check answers, and the operation's
// `security` array as written. The reference evaluator (property-reference.ts) decides
// on this world; property-build.ts renders it into tables, verifiers and a request.
import type { UseSpec } from '../../templates/runtime/runtime-tables.js';

export type ApiKeyIn = 'header' | 'query' | 'cookie';
export type SchemeKind = ApiKeyIn | 'bearer' | 'oauth2' | 'basic';
/** How a verifier or binding check answers: a value, a native Promise, or a bare thenable. */
export type Mode = 'sync' | 'promise' | 'thenable';

export type Outcome =
  | { readonly type: 'valid'; readonly scopes: readonly string[] | undefined }
  | { readonly type: 'invalid'; readonly value: null | undefined | false }
  | { readonly type: 'throws' };

export interface Behavior {
  readonly outcome: Outcome;
  readonly mode: Mode;
}

/**
 * What an AND group's `verifiers` entry is: the `independent` marker, a check that
 * answers `value` (only `true` binds; `1`, `'yes'`, `{}` … are not `true`), or a check
 * that throws / rejects.
 */
export type Binding =
  | { readonly type: 'independent' }
  | { readonly type: 'answers'; readonly value: unknown; readonly mode: Mode }
  | { readonly type: 'throws'; readonly mode: Mode };

/** An apiKey credential (ignored for Authorization-based schemes). */
export type KeyCred =
  | { readonly type: 'absent'; readonly form: 'omit' | 'undefined' }
  | { readonly type: 'present'; readonly value: string; readonly form: 'string' | 'array1' }
  | { readonly type: 'dup'; readonly values: readonly [string, string]; readonly form: 'array' | 'spellings' };

export type AuthSingle =
  | { readonly type: 'bearer'; readonly word: string; readonly token: string }
  | { readonly type: 'basic'; readonly word: string; readonly user: string; readonly pass: string }
  | { readonly type: 'other'; readonly raw: string };

export type AuthCred = { readonly type: 'absent' } | AuthSingle | { readonly type: 'dup'; readonly values: readonly [AuthSingle, AuthSingle] };

export interface SchemeDef {
  readonly name: string;
  readonly kind: SchemeKind;
  readonly behavior: Behavior;
  readonly cred: KeyCred;
}

/** The anonymous requirement object `{}` in a written `security` array. */
export const ANON = '{}';
/** One entry of a `security` array as written: a requirement object (AND, members as written) or `{}`. */
export type Entry = readonly UseSpec[] | typeof ANON;

/**
 * The operation's effective `security` array as written. Empty means public (no
 * requirement); with a `{}` anywhere the operation is optional, else required.
 */
export interface OpDef {
  readonly written: readonly Entry[];
}

export interface Forms {
  readonly headers: 'record' | 'Headers' | 'raw';
  readonly headerCase: 'lower' | 'upper' | 'asis';
  readonly query: 'params' | 'record';
  readonly cookies: 'record' | 'header' | 'headerSplit';
}

export interface World {
  readonly schemes: readonly SchemeDef[];
  readonly auth: AuthCred;
  readonly op: OpDef;
  /** One entry per AND group key of the operation (a missing one is a wiring error). */
  readonly bindings: ReadonlyMap<string, Binding>;
  readonly forms: Forms;
  readonly anonymousOnInvalid: boolean;
}

export const SCOPES = ['read', 'write', 'admin'] as const;
export const NAME_POOL = ['ApiKey', 'AppId', 'Bearer', 'OAuth', 'Basic', 'Q', 'C', 'K1', 'K2', '__proto__', 'constructor', 'toString', 'a.b-c_d'] as const;

// Each apiKey gets a name unique to its location (index-based), so two schemes never
// read the same header, query parameter or cookie.
export const headerName = (i: number) => `X-Key-${i}`;
export const queryName = (i: number) => `key_${i}`;
export const cookieName = (i: number) => `ck_${i}`;

export const isApiKey = (k: SchemeKind): k is ApiKeyIn => k === 'header' || k === 'query' || k === 'cookie';

export const isRequirement = (entry: Entry): entry is readonly UseSpec[] => entry !== ANON;

export type OpKind = 'public' | 'required' | 'optional';
export const opKind = (op: OpDef): OpKind => (op.written.length === 0 ? 'public' : op.written.includes(ANON) ? 'optional' : 'required');

/**
 * BRIEF §3: an AND group's key in `verifiers` is its scheme names in code-unit order
 * joined with `" + "`; a requirement with one scheme is no group (`undefined`).
 */
export function groupKey(requirement: readonly UseSpec[]): string | undefined {
  if (requirement.length < 2) return undefined;
  return requirement
    .map((u) => u.scheme)
    .sort()
    .join(' + ');
}

/** The distinct group keys of an operation, in the order the written array first names them. */
export function groupKeys(op: OpDef): string[] {
  const keys: string[] = [];
  for (const entry of op.written) {
    const key = isRequirement(entry) ? groupKey(entry) : undefined;
    if (key !== undefined && !keys.includes(key)) keys.push(key);
  }
  return keys;
}
