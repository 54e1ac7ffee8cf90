// Property test: the server evaluator (`createGuardFromTables`) against a small
// reference evaluator written here from the rules of BRIEF section 2 and issue 3
// ("Semantics"). The reference does not look at the implementation: it works on the
// abstract world the generator produced (which credential is absent / present /
// sent twice, what each verifier answers) instead of on the rendered request.
//
// Rules encoded by `reference()` (BRIEF §2, §3; issue 3 "Semantics"):
//  R1  `public` → ok, anonymous, alternative -1, no principals, no verifier calls.
//  R2  OR in spec order: the first alternative that fully succeeds wins.
//  R3  A verifier is called only for an alternative whose credentials are all present
//      (present = sent, possibly invalid; absent = not sent at all). An alternative
//      with an absent credential is skipped without any call.
//  R4  AND stops at the first failure, in the alternative's order: a credential sent
//      twice fails without a call; a verifier answering null/undefined/false fails;
//      the members after the failing one are not verified (for this alternative).
//  R5  Each scheme is verified at most once per request; a later alternative naming
//      the same scheme reuses the answer (a scheme that failed fails again, with no
//      new call; a principal is re-checked against that alternative's scopes).
//  R6  Scopes are checked per alternative, once all its members verified. Verified
//      but scopes missing (and no later alternative succeeds) → 403; otherwise 401.
//      (A member that fails verification after a scope-lacking one makes that
//      alternative "not verified", so it cannot produce a 403 by itself.)
//  R7  `{}` (kind `optional`): anonymous only when no credential of any scheme the
//      operation names is present (sent twice counts as present); with
//      `anonymousOnInvalid: true`, whenever no alternative succeeded.
//  R8  A verifier that throws or rejects makes `authorize` reject; never ok:true.
//      Nothing after it is called.
//  R9  bearer / oauth2 both read the one `Authorization: Bearer` token, Basic reads
//      `Authorization: Basic`; another auth-scheme word leaves them absent; the
//      Authorization header sent twice makes every Authorization-based scheme
//      present-invalid (a credential that arrives more than once is invalid).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createGuardFromTables,
  VerifierError,
  type AuthRequest,
  type AuthResult,
  type VerifyContext,
} from '../../templates/runtime/runtime-server.js';
import type { SchemeSpec, SecurityTables, UseSpec } from '../../templates/runtime/runtime-tables.js';

// ---------------------------------------------------------------------------
// The abstract world
// ---------------------------------------------------------------------------

type ApiKeyIn = 'header' | 'query' | 'cookie';
type SchemeKind = ApiKeyIn | 'bearer' | 'oauth2' | 'basic';
type Mode = 'sync' | 'promise' | 'thenable';

type Outcome =
  | { readonly type: 'valid'; readonly scopes: readonly string[] | undefined }
  | { readonly type: 'invalid'; readonly value: null | undefined | false }
  | { readonly type: 'throws' };

interface Behavior {
  readonly outcome: Outcome;
  readonly mode: Mode;
}

/** An apiKey credential (ignored for Authorization-based schemes). */
type KeyCred =
  | { readonly type: 'absent'; readonly form: 'omit' | 'undefined' }
  | { readonly type: 'present'; readonly value: string; readonly form: 'string' | 'array1' }
  | { readonly type: 'dup'; readonly values: readonly [string, string]; readonly form: 'array' | 'spellings' };

type AuthSingle =
  | { readonly type: 'bearer'; readonly word: string; readonly token: string }
  | { readonly type: 'basic'; readonly word: string; readonly user: string; readonly pass: string }
  | { readonly type: 'other'; readonly raw: string };

type AuthCred = { readonly type: 'absent' } | AuthSingle | { readonly type: 'dup'; readonly values: readonly [AuthSingle, AuthSingle] };

interface SchemeDef {
  readonly name: string;
  readonly kind: SchemeKind;
  readonly behavior: Behavior;
  readonly cred: KeyCred;
}

interface OpDef {
  readonly kind: 'public' | 'required' | 'optional';
  readonly anyOf: readonly (readonly UseSpec[])[];
}

interface Forms {
  readonly headers: 'record' | 'Headers' | 'raw';
  readonly headerCase: 'lower' | 'upper' | 'asis';
  readonly query: 'params' | 'record';
  readonly cookies: 'record' | 'header' | 'headerSplit';
}

interface World {
  readonly schemes: readonly SchemeDef[];
  readonly auth: AuthCred;
  readonly op: OpDef;
  readonly forms: Forms;
  readonly anonymousOnInvalid: boolean;
}

const SCOPES = ['read', 'write', 'admin'] as const;
const NAME_POOL = ['ApiKey', 'AppId', 'Bearer', 'OAuth', 'Basic', 'Q', 'C', 'K1', 'K2', '__proto__', 'constructor', 'toString', 'a.b-c_d'] as const;

// Each apiKey gets a name unique to its location (index-based), so two schemes never
// read the same header, query parameter or cookie.
const headerName = (i: number) => `X-Key-${i}`;
const queryName = (i: number) => `key_${i}`;
const cookieName = (i: number) => `ck_${i}`;

const isApiKey = (k: SchemeKind): k is ApiKeyIn => k === 'header' || k === 'query' || k === 'cookie';

// ---------------------------------------------------------------------------
// Reference evaluator (from the rules, on the abstract world)
// ---------------------------------------------------------------------------

type CredState = { readonly state: 'absent' } | { readonly state: 'invalid' } | { readonly state: 'present'; readonly value: unknown };

/** R9 and the apiKey states: what the request carries for one scheme. */
function credentialOf(w: World, s: SchemeDef): CredState {
  if (isApiKey(s.kind)) {
    if (s.cred.type === 'absent') return { state: 'absent' };
    if (s.cred.type === 'dup') return { state: 'invalid' };
    return { state: 'present', value: s.cred.value };
  }
  const a = w.auth;
  if (a.type === 'dup') return { state: 'invalid' };
  if (s.kind === 'basic') return a.type === 'basic' ? { state: 'present', value: { username: a.user, password: a.pass } } : { state: 'absent' };
  return a.type === 'bearer' ? { state: 'present', value: a.token } : { state: 'absent' };
}

interface ExpectedCall {
  readonly credential: unknown;
  /** Scopes of the use whose verification triggered the call. */
  readonly scopes: readonly string[];
}

type Expected =
  | { readonly kind: 'ok'; readonly alternative: number; readonly anonymous: boolean; readonly principals: readonly string[]; readonly calls: ReadonlyMap<string, ExpectedCall>; readonly trace: Trace }
  | { readonly kind: 'fail'; readonly status: 401 | 403; readonly calls: ReadonlyMap<string, ExpectedCall>; readonly trace: Trace }
  | { readonly kind: 'throws'; readonly scheme: string; readonly calls: ReadonlyMap<string, ExpectedCall>; readonly trace: Trace };

/** Which rules a world exercised (coverage bookkeeping only; not compared). */
interface Trace {
  /** R5: an answer reused by a later alternative. */
  reused: number;
  /** R4: an alternative stopped with members left unverified. */
  andStops: number;
}

function reference(w: World): Expected {
  const byName = new Map(w.schemes.map((s) => [s.name, s] as const));
  const scheme = (name: string): SchemeDef => {
    const s = byName.get(name);
    if (!s) throw new Error(`test bug: unknown scheme ${name}`);
    return s;
  };
  const calls = new Map<string, ExpectedCall>();
  const trace: Trace = { reused: 0, andStops: 0 };
  const op = w.op;
  // R1
  if (op.kind === 'public') return { kind: 'ok', alternative: -1, anonymous: true, principals: [], calls, trace };
  // R5: one answer per scheme per request.
  const answers = new Map<string, Outcome>();
  let forbidden = false;
  // R2
  for (const [index, alternative] of op.anyOf.entries()) {
    // R3
    if (alternative.some((use) => credentialOf(w, scheme(use.scheme)).state === 'absent')) continue;
    // R4
    let verified = true;
    for (const [position, use] of alternative.entries()) {
      const s = scheme(use.scheme);
      const cred = credentialOf(w, s);
      let answer = cred.state === 'present' ? answers.get(s.name) : undefined;
      if (cred.state === 'present' && answer === undefined) {
        calls.set(s.name, { credential: cred.value, scopes: use.scopes });
        answer = s.behavior.outcome;
        // R8
        if (answer.type === 'throws') return { kind: 'throws', scheme: s.name, calls, trace };
        answers.set(s.name, answer);
      } else if (answer !== undefined) {
        trace.reused++;
      }
      if (answer?.type !== 'valid') {
        if (position < alternative.length - 1) trace.andStops++;
        verified = false;
        break;
      }
    }
    if (!verified) continue;
    // R6
    const granted = alternative.every((use) => {
      const answer = answers.get(use.scheme);
      const has = answer?.type === 'valid' ? (answer.scopes ?? []) : [];
      return use.scopes.every((scope) => has.includes(scope));
    });
    if (granted) return { kind: 'ok', alternative: index, anonymous: false, principals: alternative.map((u) => u.scheme), calls, trace };
    forbidden = true;
  }
  // R7
  if (op.kind === 'optional') {
    const named = new Set(op.anyOf.flatMap((alternative) => alternative.map((u) => u.scheme)));
    const anyPresent = [...named].some((name) => credentialOf(w, scheme(name)).state !== 'absent');
    if (w.anonymousOnInvalid || !anyPresent) return { kind: 'ok', alternative: -1, anonymous: true, principals: [], calls, trace };
  }
  return { kind: 'fail', status: forbidden ? 403 : 401, calls, trace };
}

// ---------------------------------------------------------------------------
// Building tables, verifiers and the concrete request from a world
// ---------------------------------------------------------------------------

const define = (o: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });

function schemeSpec(s: SchemeDef, i: number): SchemeSpec {
  switch (s.kind) {
    case 'header':
      return { kind: 'apiKey', in: 'header', name: headerName(i) };
    case 'query':
      return { kind: 'apiKey', in: 'query', name: queryName(i) };
    case 'cookie':
      return { kind: 'apiKey', in: 'cookie', name: cookieName(i) };
    case 'bearer':
      return { kind: 'http', scheme: 'bearer' };
    case 'basic':
      return { kind: 'http', scheme: 'basic' };
    case 'oauth2':
      return { kind: 'oauth2', flows: [{ flow: 'clientCredentials', tokenUrl: '/token', scopes: [...SCOPES] }] };
  }
}

interface ActualCall {
  readonly credential: unknown;
  readonly context: VerifyContext;
}

function build(w: World) {
  const schemes: Record<string, unknown> = {};
  const verifiers: Record<string, unknown> = {};
  const calls = new Map<string, ActualCall[]>();
  const principals = new Map<string, object>();
  w.schemes.forEach((s, i) => {
    define(schemes, s.name, schemeSpec(s, i));
    const outcome = s.behavior.outcome;
    const principal = outcome.type === 'valid' ? (outcome.scopes === undefined ? { who: s.name } : { who: s.name, scopes: [...outcome.scopes] }) : undefined;
    if (principal) principals.set(s.name, principal);
    const wrap = (settle: 'resolve' | 'reject', value: unknown): unknown => {
      if (s.behavior.mode === 'sync') {
        if (settle === 'reject') throw value;
        return value;
      }
      if (s.behavior.mode === 'promise') return settle === 'resolve' ? Promise.resolve(value) : Promise.reject(value as Error);
      return {
        then(onResolve: (v: unknown) => void, onReject: (e: unknown) => void) {
          if (settle === 'resolve') onResolve(value);
          else onReject(value);
        },
      };
    };
    define(verifiers, s.name, (credential: unknown, context: VerifyContext) => {
      let list = calls.get(s.name);
      if (!list) calls.set(s.name, (list = []));
      list.push({ credential, context });
      if (outcome.type === 'throws') return wrap('reject', new Error(`verifier ${s.name} is down`));
      return wrap('resolve', outcome.type === 'valid' ? principal : outcome.value);
    });
  });
  const operations: Record<string, unknown> = {};
  define(operations, 'op', { method: 'get', path: '/op', auth: w.op.kind === 'public' ? { kind: 'public' } : { kind: w.op.kind, anyOf: w.op.anyOf } });
  const tables = { schemes, operations, basePath: '' } as unknown as SecurityTables;
  return { tables, verifiers, calls, principals };
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function authValue(a: AuthSingle): string {
  if (a.type === 'bearer') return `${a.word} ${a.token}`;
  if (a.type === 'basic') return `${a.word} ${b64(`${a.user}:${a.pass}`)}`;
  return a.raw;
}

function render(w: World): { request: AuthRequest; secrets: string[] } {
  const secrets: string[] = [];
  const cased = (name: string) => (w.forms.headerCase === 'lower' ? name.toLowerCase() : w.forms.headerCase === 'upper' ? name.toUpperCase() : name);
  // [name, value, keep the name's case as given]
  const headers: [string, string | string[] | undefined, boolean][] = [];
  let headersNeedRecord = false;
  const queryEntries: [string, string | string[] | undefined][] = [];
  const cookieEntries: [string, string | string[] | undefined][] = [];

  w.schemes.forEach((s, i) => {
    if (!isApiKey(s.kind)) return;
    const name = s.kind === 'header' ? headerName(i) : s.kind === 'query' ? queryName(i) : cookieName(i);
    const c = s.cred;
    const push = (k: string, v: string | string[] | undefined, keep = false) => {
      if (s.kind === 'header') headers.push([k, v, keep]);
      else (s.kind === 'query' ? queryEntries : cookieEntries).push([k, v]);
    };
    if (c.type === 'absent') {
      if (c.form === 'undefined') push(name, undefined);
    } else if (c.type === 'present') {
      secrets.push(c.value);
      push(name, c.form === 'array1' ? [c.value] : c.value);
    } else {
      secrets.push(...c.values);
      headersNeedRecord ||= s.kind === 'header';
      if (s.kind === 'header' && c.form === 'spellings') {
        // The same header under two spellings of its name is one header sent twice.
        push(name.toLowerCase(), c.values[0], true);
        push(name.toUpperCase(), c.values[1], true);
      } else {
        push(name, [...c.values]);
      }
    }
  });

  const a = w.auth;
  if (a.type === 'dup') {
    headersNeedRecord = true;
    headers.push(['Authorization', a.values.map(authValue), false]);
    secrets.push(...a.values.map(authValue));
  } else if (a.type !== 'absent') {
    headers.push(['Authorization', authValue(a), false]);
    secrets.push(authValue(a));
  }

  let cookies: Record<string, string | string[] | undefined> | undefined;
  if (w.forms.cookies === 'record') {
    cookies = {};
    for (const [k, v] of cookieEntries) define(cookies, k, v);
  } else {
    const parts: string[] = [];
    for (const [k, v] of cookieEntries) {
      if (v === undefined) continue;
      for (const one of typeof v === 'string' ? [v] : v) parts.push(`${k}=${one}`);
    }
    if (parts.length > 0) {
      if (w.forms.cookies === 'headerSplit') {
        headersNeedRecord = true;
        headers.push(['Cookie', parts, false]);
      } else {
        headers.push(['Cookie', parts.join('; '), false]);
      }
    }
  }

  let query: URLSearchParams | Record<string, string | string[] | undefined>;
  if (w.forms.query === 'params') {
    const params = new URLSearchParams();
    for (const [k, v] of queryEntries) if (v !== undefined) for (const one of typeof v === 'string' ? [v] : v) params.append(k, one);
    query = params;
  } else {
    const record: Record<string, string | string[] | undefined> = {};
    for (const [k, v] of queryEntries) define(record, k, v);
    query = record;
  }

  let headerObject: AuthRequest['headers'];
  if (w.forms.headers === 'raw') {
    // Node's rawHeaders: one (name, value) pair per line as received; `headers` stays
    // empty so only the raw lines can be where the credentials come from.
    const raw: string[] = [];
    for (const [k, v, keep] of headers) if (v !== undefined) for (const one of typeof v === 'string' ? [v] : v) raw.push(keep ? k : cased(k), one);
    const request: AuthRequest = cookies === undefined ? { headers: {}, rawHeaders: raw, query } : { headers: {}, rawHeaders: raw, query, cookies };
    return { request, secrets };
  }
  if (w.forms.headers === 'Headers' && !headersNeedRecord) {
    const h = new Headers();
    for (const [k, v] of headers) if (v !== undefined) h.append(k, typeof v === 'string' ? v : v.join(', '));
    headerObject = h;
  } else {
    const record: Record<string, string | string[] | undefined> = {};
    for (const [k, v, keep] of headers) define(record, keep ? k : cased(k), v);
    headerObject = record;
  }
  const request: AuthRequest = cookies === undefined ? { headers: headerObject, query } : { headers: headerObject, query, cookies };
  return { request, secrets };
}

// ---------------------------------------------------------------------------
// Comparing the implementation with the reference
// ---------------------------------------------------------------------------

/** Coverage bookkeeping for the properties (which branches the generated worlds reached). */
const stats = { runs: 0, ok: 0, okLater: 0, anonymous: 0, s401: 0, s403: 0, throws: 0, reused: 0, andStops: 0 };
const resetStats = () => {
  for (const key of Object.keys(stats) as (keyof typeof stats)[]) stats[key] = 0;
};

async function check(w: World): Promise<void> {
  const { tables, verifiers, calls, principals } = build(w);
  const { request, secrets } = render(w);
  const expected = reference(w);
  const guard = createGuardFromTables(tables, verifiers, w.anonymousOnInvalid ? { anonymousOnInvalid: true } : {});

  let result: AuthResult<string, unknown> | undefined;
  let error: unknown;
  try {
    result = await guard.authorize('op', request);
  } catch (e) {
    error = e;
  }

  // Verifier calls: exactly once for each scheme the reference verified, never otherwise,
  // with the extracted credential and the context of the triggering use.
  for (const s of w.schemes) {
    const actual = calls.get(s.name) ?? [];
    const want = expected.calls.get(s.name);
    expect(actual.length, `calls of ${s.name}`).toBe(want === undefined ? 0 : 1);
    if (want !== undefined && actual[0]) {
      expect(actual[0].credential, `credential of ${s.name}`).toEqual(want.credential);
      expect(actual[0].context.operationId).toBe('op');
      expect(actual[0].context.scheme).toBe(s.name);
      expect(actual[0].context.request).toBe(request);
      expect([...actual[0].context.scopes], `context scopes of ${s.name}`).toEqual([...want.scopes]);
    }
  }

  stats.runs++;
  if (expected.trace.reused > 0) stats.reused++;
  if (expected.trace.andStops > 0) stats.andStops++;
  if (expected.kind === 'throws') {
    stats.throws++;
    expect(result, 'a throwing verifier never yields a result').toBeUndefined();
    expect(error).toBeInstanceOf(VerifierError);
    expect((error as VerifierError).scheme).toBe(expected.scheme);
    expect((error as VerifierError).operationId).toBe('op');
    for (const secret of secrets) expect((error as Error).message).not.toContain(secret);
    return;
  }
  if (error !== undefined) throw error;
  if (result === undefined) throw new Error('unreachable');
  const serialized = JSON.stringify(result);
  for (const secret of secrets) expect(serialized, 'an answer never contains a credential').not.toContain(secret);

  if (expected.kind === 'fail') {
    expected.status === 401 ? stats.s401++ : stats.s403++;
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(expected.status);
    expect(result.headers['content-type']).toBe('application/problem+json');
    expect(result.body.status).toBe(expected.status);
    if (expected.status === 403) expect(result.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="insufficient_scope", scope="/);
    else expect(result.headers['www-authenticate']).toBeTruthy();
    return;
  }
  stats.ok++;
  if (expected.anonymous) stats.anonymous++;
  if (expected.alternative > 0) stats.okLater++;
  expect(result.ok, 'ok').toBe(true);
  if (!result.ok) return;
  expect(result.operationId).toBe('op');
  expect(result.alternative, 'winning alternative').toBe(expected.alternative);
  expect(result.anonymous, 'anonymous').toBe(expected.anonymous);
  expect(Object.getPrototypeOf(result.principals)).toBe(Object.prototype);
  expect(Object.keys(result.principals).sort(), 'principal keys').toEqual([...expected.principals].sort());
  for (const name of expected.principals) {
    expect(Object.getOwnPropertyDescriptor(result.principals, name)?.value, `principal of ${name}`).toBe(principals.get(name));
  }
}

// ---------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------

const secretArb = fc.stringMatching(/^[A-Za-z0-9]{1,6}$/).map((s) => `SECRET${s}`);
const tokenArb = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{0,6}={0,2}$/).map((s) => `SECRET${s}`);

const outcomeArb: fc.Arbitrary<Outcome> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant('valid' as const), scopes: fc.option(fc.subarray([...SCOPES]), { nil: undefined }) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('invalid' as const), value: fc.constantFrom(null, undefined, false) }) },
  { weight: 1, arbitrary: fc.constant({ type: 'throws' as const }) },
);
const behaviorArb: fc.Arbitrary<Behavior> = fc.record({ outcome: outcomeArb, mode: fc.constantFrom<Mode>('sync', 'promise', 'thenable') });

const keyCredArb: fc.Arbitrary<KeyCred> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ type: fc.constant('absent' as const), form: fc.constantFrom('omit' as const, 'undefined' as const) }) },
  { weight: 6, arbitrary: fc.record({ type: fc.constant('present' as const), value: secretArb, form: fc.constantFrom('string' as const, 'array1' as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('dup' as const), values: fc.tuple(secretArb, secretArb), form: fc.constantFrom('array' as const, 'spellings' as const) }) },
);

const authSingleArb: fc.Arbitrary<AuthSingle> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant('bearer' as const), word: fc.constantFrom('Bearer', 'bearer', 'BEARER'), token: tokenArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('basic' as const),
      word: fc.constantFrom('Basic', 'basic', 'BASIC'),
      user: fc.stringMatching(/^[a-zA-Z0-9é]{0,4}$/),
      pass: fc.tuple(secretArb, fc.constantFrom('', ':', ':x:y')).map(([s, tail]) => s + tail),
    }),
  },
  { weight: 1, arbitrary: secretArb.map((s) => ({ type: 'other' as const, raw: `Digest ${s}` })) },
);
const authArb: fc.Arbitrary<AuthCred> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ type: 'absent' as const }) },
  { weight: 6, arbitrary: authSingleArb },
  { weight: 1, arbitrary: fc.tuple(authSingleArb, authSingleArb).map((values) => ({ type: 'dup' as const, values })) },
);

const formsArb: fc.Arbitrary<Forms> = fc.record({
  headers: fc.constantFrom('record' as const, 'Headers' as const, 'raw' as const),
  headerCase: fc.constantFrom('lower' as const, 'upper' as const, 'asis' as const),
  query: fc.constantFrom('params' as const, 'record' as const),
  cookies: fc.constantFrom('record' as const, 'header' as const, 'headerSplit' as const),
});

const kindArb = fc.constantFrom<SchemeKind>('header', 'query', 'cookie', 'bearer', 'oauth2', 'basic');

function opArb(names: readonly string[], kinds: { weights: readonly [number, number, number] }): fc.Arbitrary<OpDef> {
  const n = names.length;
  const useArb = fc.record({ idx: fc.nat(n - 1), scopes: fc.subarray([...SCOPES], { maxLength: 2 }) });
  const alternativeArb = fc
    .uniqueArray(useArb, { selector: (u) => u.idx, minLength: 1, maxLength: Math.min(3, n) })
    .map((uses): UseSpec[] => uses.map((u) => ({ scheme: names[u.idx] as string, scopes: u.scopes })));
  const [pub, req, opt] = kinds.weights;
  return fc.oneof(
    { weight: pub, arbitrary: fc.constant<OpDef>({ kind: 'public', anyOf: [] }) },
    { weight: req, arbitrary: fc.array(alternativeArb, { minLength: 1, maxLength: 4 }).map((anyOf): OpDef => ({ kind: 'required', anyOf })) },
    { weight: opt, arbitrary: fc.array(alternativeArb, { minLength: 0, maxLength: 4 }).map((anyOf): OpDef => ({ kind: 'optional', anyOf })) },
  );
}

function worldArb(anonymousOnInvalid: boolean, weights: readonly [number, number, number]): fc.Arbitrary<World> {
  return fc.array(kindArb, { minLength: 1, maxLength: 6 }).chain((kinds) => {
    const n = kinds.length;
    return fc.shuffledSubarray([...NAME_POOL], { minLength: n, maxLength: n }).chain((names) =>
      fc.record({
        schemes: fc
          .tuple(fc.array(behaviorArb, { minLength: n, maxLength: n }), fc.array(keyCredArb, { minLength: n, maxLength: n }))
          .map(([behaviors, creds]) =>
            kinds.map((kind, i): SchemeDef => ({ name: names[i] as string, kind, behavior: behaviors[i] as Behavior, cred: creds[i] as KeyCred })),
          ),
        auth: authArb,
        op: opArb(names, { weights }),
        forms: formsArb,
        anonymousOnInvalid: fc.constant(anonymousOnInvalid),
      }),
    );
  });
}

// ---------------------------------------------------------------------------
// Hand-written worlds for tricky cases
// ---------------------------------------------------------------------------

const ok = (scopes?: readonly string[], mode: Mode = 'sync'): Behavior => ({ outcome: { type: 'valid', scopes }, mode });
const bad = (mode: Mode = 'sync'): Behavior => ({ outcome: { type: 'invalid', value: null }, mode });
const boom = (mode: Mode = 'sync'): Behavior => ({ outcome: { type: 'throws' }, mode });
const has = (value: string): KeyCred => ({ type: 'present', value, form: 'string' });
const none: KeyCred = { type: 'absent', form: 'omit' };
const twice: KeyCred = { type: 'dup', values: ['SECRETa', 'SECRETb'], form: 'array' };
const use = (scheme: string, scopes: readonly string[] = []): UseSpec => ({ scheme, scopes });
const forms: Forms = { headers: 'record', headerCase: 'asis', query: 'params', cookies: 'header' };
const world = (schemes: SchemeDef[], op: OpDef, auth: AuthCred = { type: 'absent' }, anonymousOnInvalid = false): World => ({ schemes, auth, op, forms, anonymousOnInvalid });
const header = (name: string, behavior: Behavior, cred: KeyCred): SchemeDef => ({ name, kind: 'header', behavior, cred });
const authScheme = (name: string, kind: 'bearer' | 'oauth2' | 'basic', behavior: Behavior): SchemeDef => ({ name, kind, behavior, cred: none });
const bearerToken: AuthCred = { type: 'bearer', word: 'Bearer', token: 'SECRETtok' };

describe('property: guard decision equals the reference evaluator of BRIEF §2', () => {
  it('random schemes, OR-of-AND requirements and credential states (2000 runs)', async () => {
    resetStats();
    await fc.assert(fc.asyncProperty(worldArb(false, [1, 6, 4]), check), { numRuns: 2000 });
    // The generator must actually reach every branch of the rules.
    expect(stats.okLater).toBeGreaterThan(0);
    expect(stats.anonymous).toBeGreaterThan(0);
    expect(stats.s401).toBeGreaterThan(0);
    expect(stats.s403).toBeGreaterThan(0);
    expect(stats.throws).toBeGreaterThan(0);
    expect(stats.reused).toBeGreaterThan(0);
    expect(stats.andStops).toBeGreaterThan(0);
  });

  it('anonymousOnInvalid: true — the anonymous alternative is a fallback whenever nothing succeeds (1000 runs)', async () => {
    resetStats();
    await fc.assert(fc.asyncProperty(worldArb(true, [1, 2, 6]), check), { numRuns: 1000 });
    expect(stats.anonymous).toBeGreaterThan(0);
    expect(stats.okLater).toBeGreaterThan(0);
    expect(stats.throws).toBeGreaterThan(0);
  });

  it('the same request twice on one guard gives the same answer (no state kept between requests)', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb(false, [1, 6, 4]), async (w) => {
        const { tables, verifiers } = build(w);
        const guard = createGuardFromTables(tables, verifiers);
        const settle = (p: Promise<unknown>) => p.then((v) => ({ v }), (e: unknown) => ({ e: (e as Error).name }));
        const first = await settle(guard.authorize('op', render(w).request));
        const second = await settle(guard.authorize('op', render(w).request));
        expect(second).toEqual(first);
      }),
      { numRuns: 300 },
    );
  });
});

describe('regressions: hand-picked tricky worlds (checked against the same reference)', () => {
  it('a scheme in two alternatives is verified once; scopes checked per alternative', async () => {
    const w = world([authScheme('OAuth', 'oauth2', ok(['read']))], { kind: 'required', anyOf: [[use('OAuth', ['admin'])], [use('OAuth', ['read'])]] }, bearerToken);
    expect(reference(w)).toMatchObject({ kind: 'ok', alternative: 1 });
    await check(w);
  });
  it('AND: a duplicate after a present key still verifies the first member, then stops', async () => {
    const w = world([header('A', ok(), has('SECRETa')), header('B', ok(), twice)], { kind: 'optional', anyOf: [[use('A'), use('B')]] });
    const r = reference(w);
    expect(r).toMatchObject({ kind: 'fail', status: 401 });
    expect([...r.calls.keys()]).toEqual(['A']);
    await check(w);
  });
  it('AND: a rejected first member stops the alternative; the second is verified later, once', async () => {
    const w = world([header('A', bad(), has('SECRETa')), header('B', ok(), has('SECRETb'))], { kind: 'required', anyOf: [[use('A'), use('B')], [use('B')]] });
    const r = reference(w);
    expect(r).toMatchObject({ kind: 'ok', alternative: 1, principals: ['B'] });
    expect([...r.calls.keys()]).toEqual(['A', 'B']);
    await check(w);
  });
  it('a failed scheme is not re-verified in a later alternative', async () => {
    const w = world([header('A', bad('promise'), has('SECRETa')), header('B', ok(), has('SECRETb'))], { kind: 'required', anyOf: [[use('A')], [use('B'), use('A')]] });
    expect(reference(w)).toMatchObject({ kind: 'fail', status: 401 });
    await check(w);
  });
  it('bearer and oauth2 share the one token: each verifier sees it, each once', async () => {
    const w = world(
      [authScheme('Bearer', 'bearer', bad('thenable')), authScheme('OAuth', 'oauth2', ok(['read']))],
      { kind: 'required', anyOf: [[use('Bearer')], [use('OAuth', ['read'])], [use('Bearer'), use('OAuth')]] },
      bearerToken,
    );
    const r = reference(w);
    expect(r).toMatchObject({ kind: 'ok', alternative: 1 });
    expect(r.calls.get('Bearer')?.credential).toBe('SECRETtok');
    await check(w);
  });
  it('scopes lacking in a member, a later member rejected → 401, not 403', async () => {
    const w = world([header('A', ok(['read']), has('SECRETa')), header('B', bad(), has('SECRETb'))], { kind: 'required', anyOf: [[use('A', ['admin']), use('B')]] });
    expect(reference(w)).toMatchObject({ kind: 'fail', status: 401 });
    await check(w);
  });
  it('403 from an earlier alternative survives a later alternative that fails', async () => {
    const w = world([header('A', ok(), has('SECRETa')), header('B', bad(), has('SECRETb'))], { kind: 'optional', anyOf: [[use('A', ['write'])], [use('B')]] });
    expect(reference(w)).toMatchObject({ kind: 'fail', status: 403 });
    await check(w);
  });
  it('a throwing verifier in a later alternative is never reached when an earlier one wins', async () => {
    const w = world([header('A', ok(), has('SECRETa')), header('T', boom(), has('SECRETt'))], { kind: 'required', anyOf: [[use('A')], [use('T')]] });
    expect(reference(w)).toMatchObject({ kind: 'ok', alternative: 0 });
    await check(w);
  });
  it('a rejecting verifier after a failed alternative makes authorize reject', async () => {
    const w = world([header('A', bad(), has('SECRETa')), header('T', boom('promise'), has('SECRETt'))], { kind: 'optional', anyOf: [[use('A')], [use('T')]] }, { type: 'absent' }, true);
    expect(reference(w)).toMatchObject({ kind: 'throws', scheme: 'T' });
    await check(w);
  });
  it('optional: half of an AND pair is a present credential → 401 with no call', async () => {
    const w = world([header('A', ok(), has('SECRETa')), header('B', ok(), none)], { kind: 'optional', anyOf: [[use('A'), use('B')]] });
    const r = reference(w);
    expect(r).toMatchObject({ kind: 'fail', status: 401 });
    expect(r.calls.size).toBe(0);
    await check(w);
  });
  it('optional: a credential for a scheme the operation does not name is ignored', async () => {
    const w = world([header('A', ok(), none), header('Other', boom(), has('SECRETo'))], { kind: 'optional', anyOf: [[use('A')]] });
    expect(reference(w)).toMatchObject({ kind: 'ok', anonymous: true });
    await check(w);
  });
  it('optional: a duplicated Authorization header is present-invalid for Basic → 401', async () => {
    const basic: AuthSingle = { type: 'basic', word: 'Basic', user: 'u', pass: 'SECRETp:w' };
    const w = world([authScheme('Basic', 'basic', ok())], { kind: 'optional', anyOf: [[use('Basic')]] }, { type: 'dup', values: [basic, basic] });
    expect(reference(w)).toMatchObject({ kind: 'fail', status: 401 });
    await check(w);
  });
  it('optional: Authorization with another scheme word leaves Basic absent → anonymous', async () => {
    const w = world([authScheme('Basic', 'basic', ok())], { kind: 'optional', anyOf: [[use('Basic')]] }, bearerToken);
    expect(reference(w)).toMatchObject({ kind: 'ok', anonymous: true });
    await check(w);
  });
  it('anonymousOnInvalid: a verified principal lacking scopes falls back to anonymous', async () => {
    const w = world([header('__proto__', ok(['read']), has('SECRETa'))], { kind: 'optional', anyOf: [[use('__proto__', ['admin'])]] }, { type: 'absent' }, true);
    expect(reference(w)).toMatchObject({ kind: 'ok', anonymous: true, alternative: -1 });
    await check(w);
  });
  it('Basic password with colons reaches the verifier split at the first colon', async () => {
    const w = world([authScheme('Basic', 'basic', ok())], { kind: 'required', anyOf: [[use('Basic')]] }, { type: 'basic', word: 'bAsIc', user: 'é', pass: 'SECRET:x:y' });
    expect(reference(w).calls.get('Basic')?.credential).toEqual({ username: 'é', password: 'SECRET:x:y' });
    await check(w);
  });
});
