// Renders an abstract world (property-world.ts) into what the guard consumes: the
// tables the generator would emit for it (`anyOf`/`at`/`anonymousAt` from the
// `security` array as written), verifiers and binding checks that answer as the world
// says and record their calls, and the concrete request (headers as a record, a
// `Headers` or Node's raw lines; query as `URLSearchParams` or a record; cookies as a
// record or a Cookie header).
import { independent, type AuthRequest, type BindingContext, type VerifyContext } from '../../templates/runtime/runtime-server.js';
import type { AuthSpec, SchemeSpec, SecurityTables, UseSpec } from '../../templates/runtime/runtime-tables.js';
import {
  ANON,
  SCOPES,
  cookieName,
  headerName,
  isApiKey,
  isRequirement,
  opKind,
  queryName,
  type AuthSingle,
  type Mode,
  type OpDef,
  type SchemeDef,
  type World,
} from './property-world.js';

export const define = (o: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });

export function schemeSpec(s: SchemeDef, i: number): SchemeSpec {
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

export interface ActualCall {
  readonly credential: unknown;
  readonly context: VerifyContext;
}

export interface ActualBindingCall {
  readonly principals: unknown;
  readonly context: BindingContext;
}

/** An answer in the given mode: the value itself (or a throw), a native Promise, or a bare thenable. */
function settle(mode: Mode, how: 'resolve' | 'reject', value: unknown): unknown {
  if (mode === 'sync') {
    if (how === 'reject') throw value;
    return value;
  }
  if (mode === 'promise') return how === 'resolve' ? Promise.resolve(value) : Promise.reject(value as Error);
  return {
    then(onResolve: (v: unknown) => void, onReject: (e: unknown) => void) {
      if (how === 'resolve') onResolve(value);
      else onReject(value);
    },
  };
}

/** The table entry a generator writes for the operation: `at` and `anonymousAt` index the written array. */
export function authSpec(op: OpDef): AuthSpec {
  const kind = opKind(op);
  if (kind === 'public') return { kind };
  const anyOf: (readonly UseSpec[])[] = [];
  const at: number[] = [];
  op.written.forEach((entry, index) => {
    if (!isRequirement(entry)) return;
    anyOf.push(entry);
    at.push(index);
  });
  return kind === 'required' ? { kind, anyOf, at } : { kind, anyOf, at, anonymousAt: op.written.indexOf(ANON) };
}

export function build(w: World) {
  const schemes: Record<string, unknown> = {};
  const verifiers: Record<string, unknown> = {};
  const calls = new Map<string, ActualCall[]>();
  const bindingCalls = new Map<string, ActualBindingCall[]>();
  const principals = new Map<string, object>();
  const errors = new Map<string, Error>();
  w.schemes.forEach((s, i) => {
    define(schemes, s.name, schemeSpec(s, i));
    const outcome = s.behavior.outcome;
    const principal = outcome.type === 'valid' ? (outcome.scopes === undefined ? { who: s.name } : { who: s.name, scopes: [...outcome.scopes] }) : undefined;
    if (principal) principals.set(s.name, principal);
    const error = new Error(`verifier ${s.name} is down`);
    errors.set(s.name, error);
    define(verifiers, s.name, (credential: unknown, context: VerifyContext) => {
      let list = calls.get(s.name);
      if (!list) calls.set(s.name, (list = []));
      list.push({ credential, context });
      if (outcome.type === 'throws') return settle(s.behavior.mode, 'reject', error);
      return settle(s.behavior.mode, 'resolve', outcome.type === 'valid' ? principal : outcome.value);
    });
  });
  for (const [key, binding] of w.bindings) {
    if (binding.type === 'independent') {
      define(verifiers, key, independent);
      continue;
    }
    const error = new Error(`binding ${key} is down`);
    errors.set(key, error);
    define(verifiers, key, (groupPrincipals: unknown, context: BindingContext) => {
      let list = bindingCalls.get(key);
      if (!list) bindingCalls.set(key, (list = []));
      list.push({ principals: groupPrincipals, context });
      return binding.type === 'throws' ? settle(binding.mode, 'reject', error) : settle(binding.mode, 'resolve', binding.value);
    });
  }
  const operations: Record<string, unknown> = {};
  define(operations, 'op', { method: 'get', path: '/op', auth: authSpec(w.op) });
  const tables = { schemes, operations, basePath: '' } as unknown as SecurityTables;
  return { tables, verifiers, calls, bindingCalls, principals, errors };
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function authValue(a: AuthSingle): string {
  if (a.type === 'bearer') return `${a.word} ${a.token}`;
  if (a.type === 'basic') return `${a.word} ${b64(`${a.user}:${a.pass}`)}`;
  return a.raw;
}

export function render(w: World): { request: AuthRequest; secrets: string[] } {
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

