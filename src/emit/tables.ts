// IR -> the plain data written into security.ts. Its rows are typed here, and
// tables.contract.ts makes it a compile-time fact that they are exactly the runtime's
// table types (templates/runtime/runtime-tables.ts) once printed (`undefined` dropped).
// Origins, descriptions and other review-only facts stay out: the tables are what runs.
import type { OperationAuth, Scheme, SecurityModel } from '../ir/types.js';
import { compareCodeUnits } from '../shared/order.js';
import { groupKey } from '../ir/groups.js';

// Type aliases, not interfaces: only those are assignable to printLiteral's `Data`.
export type FlowRow = {
  readonly flow: 'implicit' | 'password' | 'clientCredentials' | 'authorizationCode';
  readonly authorizationUrl?: string | undefined;
  readonly tokenUrl?: string | undefined;
  readonly refreshUrl?: string | undefined;
  readonly scopes: readonly string[];
};
export type SchemeRow =
  | { readonly kind: 'apiKey'; readonly in: 'header' | 'query' | 'cookie'; readonly name: string }
  | { readonly kind: 'http'; readonly scheme: string; readonly bearerFormat?: string | undefined }
  | { readonly kind: 'oauth2'; readonly flows: readonly FlowRow[] }
  | { readonly kind: 'openIdConnect'; readonly url: string }
  | { readonly kind: 'mutualTLS' };
export type UseRow = {
  readonly scheme: string;
  readonly scopes: readonly string[];
};
export type AuthRow =
  | { readonly kind: 'public' }
  | { readonly kind: 'required'; readonly anyOf: readonly (readonly UseRow[])[]; readonly at: readonly number[] }
  | { readonly kind: 'optional'; readonly anyOf: readonly (readonly UseRow[])[]; readonly at: readonly number[]; readonly anonymousAt: number };
export type OperationRow = {
  readonly method: string;
  readonly path: string;
  readonly auth: AuthRow;
};

export function schemeData(s: Scheme): SchemeRow {
  switch (s.kind) {
    case 'apiKey':
      return { kind: 'apiKey', in: s.in, name: s.name };
    case 'http':
      return { kind: 'http', scheme: s.scheme, bearerFormat: s.bearerFormat };
    case 'oauth2':
      return {
        kind: 'oauth2',
        flows: s.flows.map((f) => ({
          flow: f.flow,
          authorizationUrl: f.authorizationUrl,
          tokenUrl: f.tokenUrl,
          refreshUrl: f.refreshUrl,
          scopes: f.scopes,
        })),
      };
    case 'openIdConnect':
      return { kind: 'openIdConnect', url: s.url };
    case 'mutualTLS':
      return { kind: 'mutualTLS' };
    default: {
      const never: never = s;
      throw new Error(`unknown scheme kind ${String(never)}`);
    }
  }
}

export function authData(auth: OperationAuth): AuthRow {
  if (auth.kind === 'public') return { kind: 'public' };
  const anyOf = auth.anyOf.map((r) => r.allOf.map((u) => ({ scheme: u.scheme, scopes: u.scopes })));
  const at = auth.anyOf.map((r) => r.index);
  return auth.kind === 'required' ? { kind: 'required', anyOf, at } : { kind: 'optional', anyOf, at, anonymousAt: auth.anonymousIndex };
}

/** Object.fromEntries defines own properties, so a scheme named `__proto__` stays a key. */
export function schemesTable(model: SecurityModel): { readonly [id: string]: SchemeRow } {
  return Object.fromEntries(model.schemes.map((s) => [s.id, schemeData(s)]));
}

export function operationsTable(model: SecurityModel): { readonly [id: string]: OperationRow } {
  return Object.fromEntries(model.operations.map((o) => [o.id, { method: o.method, path: o.path, auth: authData(o.auth) }]));
}

/** Every AND group of two or more schemes in the model: key -> members in code-unit order; keys sorted. */
export function groupsOf(model: SecurityModel): Map<string, readonly string[]> {
  const groups = new Map<string, readonly string[]>();
  for (const op of model.operations) {
    if (op.auth.kind === 'public') continue;
    for (const r of op.auth.anyOf) {
      if (r.allOf.length < 2) continue;
      const members = r.allOf.map((u) => u.scheme).sort(compareCodeUnits);
      groups.set(groupKey(members), members);
    }
  }
  return new Map([...groups.entries()].sort(([a], [b]) => compareCodeUnits(a, b)));
}

/** Schemes named by at least one operation, in code-unit order. */
export function usedSchemeIds(model: SecurityModel): string[] {
  const used = new Set<string>();
  for (const op of model.operations) {
    if (op.auth.kind === 'public') continue;
    for (const r of op.auth.anyOf) for (const u of r.allOf) used.add(u.scheme);
  }
  return model.schemes.map((s) => s.id).filter((id) => used.has(id));
}

/**
 * The first server URL, normalized, when a client may trust it by default:
 * absolute http(s), no user info, no unfilled `{variable}`, no query or fragment.
 * Anything else (a relative URL, a template without a default) is `undefined`, and a
 * client then needs its baseUrl option.
 */
export function trustedServerUrl(url: string | undefined): string | undefined {
  if (url === undefined || /[{}]/.test(url)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '') return undefined;
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}
