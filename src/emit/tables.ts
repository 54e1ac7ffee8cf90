// IR -> the plain data written into security.ts (the shape of templates/runtime/runtime-tables.ts).
// Origins, descriptions and other review-only facts stay out: the tables are what runs.
import type { OperationAuth, Scheme, SecurityModel } from '../ir/types.js';
import type { Data } from './literal.js';

export function schemeData(s: Scheme): Data {
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

export function authData(auth: OperationAuth): Data {
  if (auth.kind === 'public') return { kind: 'public' };
  return {
    kind: auth.kind,
    anyOf: auth.anyOf.map((r) => r.allOf.map((u) => ({ scheme: u.scheme, scopes: u.scopes }))),
  };
}

/** Object.fromEntries defines own properties, so a scheme named `__proto__` stays a key. */
export function schemesTable(model: SecurityModel): Data {
  return Object.fromEntries(model.schemes.map((s) => [s.id, schemeData(s)]));
}

export function operationsTable(model: SecurityModel): Data {
  return Object.fromEntries(model.operations.map((o) => [o.id, { method: o.method, path: o.path, auth: authData(o.auth) }]));
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
