// The security matrix: per operation, its alternatives as AND groups with scopes,
// marked public / optional / required, and per scheme where its credential
// travels. One data shape feeds the Markdown, JSON and HTML renderings.
import { usedSchemeIds } from '../emit/tables.js';
import type { OperationAuth, Scheme, SecurityModel } from '../ir/types.js';
import { clientEnvNames } from '../naming/env-names.js';

export type Access = 'public' | 'optional' | 'required';

export interface MatrixUse {
  readonly scheme: string;
  readonly scopes: readonly string[];
}

export interface MatrixOperation {
  readonly id: string;
  readonly method: string;
  readonly path: string;
  readonly access: Access;
  /** OR of AND groups, in spec order; the anonymous alternative is not listed (see `access`). */
  readonly alternatives: readonly (readonly MatrixUse[])[];
  /** Where the security comes from: the root default, the operation, or nowhere. */
  readonly source: OperationAuth['source'];
  readonly summary?: string;
  /** file#pointer of the security that applies. */
  readonly at: string;
}

export interface MatrixScheme {
  readonly id: string;
  readonly type: string;
  /** Where the credential travels, e.g. `header X-API-Key`, `header Authorization (Bearer)`. */
  readonly credential: string;
  /**
   * The environment variables the generated client's credentialsFromEnv() reads for
   * this scheme (two for HTTP Basic); none for mutual TLS or a scheme no operation uses.
   */
  readonly env: readonly string[];
}

export interface MatrixSummary {
  readonly operations: number;
  readonly public: number;
  readonly optional: number;
  readonly required: number;
  /** Operations with an alternative that ANDs two or more API keys. */
  readonly apiKeyPair: number;
  /** Operations with an alternative that requires OAuth2 / OpenID Connect scopes. */
  readonly oauth2Scopes: number;
}

export interface Matrix {
  readonly spec: string;
  readonly title: string;
  readonly version: string;
  readonly summary: MatrixSummary;
  readonly schemes: readonly MatrixScheme[];
  readonly operations: readonly MatrixOperation[];
}

export function credentialOf(s: Scheme): string {
  switch (s.kind) {
    case 'apiKey':
      return `${s.in} ${s.name}`;
    case 'http':
      return s.scheme === 'basic' ? 'header Authorization (Basic)' : s.scheme === 'bearer' ? 'header Authorization (Bearer)' : `header Authorization (${s.scheme})`;
    case 'oauth2':
      return `header Authorization (Bearer token; flows: ${s.flows.map((f) => f.flow).join(', ') || 'none'})`;
    case 'openIdConnect':
      return 'header Authorization (Bearer token)';
    case 'mutualTLS':
      return 'TLS client certificate';
    default: {
      const never: never = s;
      return never;
    }
  }
}

function typeOf(s: Scheme): string {
  return s.kind === 'http' ? `http ${s.scheme}` : s.kind;
}

/** `envPrefix`: as configured (the client's variables are listed with it); default: derived from the title, as the client does. */
export function buildMatrix(model: SecurityModel, envPrefix?: string): Matrix {
  const env = clientEnvNames(model.schemes, usedSchemeIds(model), model.title, envPrefix).names;
  const kinds = new Map(model.schemes.map((s) => [s.id, s.kind]));
  const operations: MatrixOperation[] = model.operations.map((op) => {
    const alternatives = op.auth.kind === 'public' ? [] : op.auth.anyOf.map((r) => r.allOf.map((u) => ({ scheme: u.scheme, scopes: [...u.scopes] })));
    return {
      id: op.id,
      method: op.method,
      path: op.path,
      access: op.auth.kind,
      alternatives,
      source: op.auth.source,
      ...(op.summary !== undefined ? { summary: op.summary } : {}),
      at: `${op.auth.origin.file}#${op.auth.origin.at}`,
    };
  });
  const count = (p: (o: MatrixOperation) => boolean): number => operations.filter(p).length;
  const isKey = (u: MatrixUse): boolean => kinds.get(u.scheme) === 'apiKey';
  const isOAuth = (u: MatrixUse): boolean => kinds.get(u.scheme) === 'oauth2' || kinds.get(u.scheme) === 'openIdConnect';
  return {
    spec: model.file,
    title: model.title,
    version: model.apiVersion,
    summary: {
      operations: operations.length,
      public: count((o) => o.access === 'public'),
      optional: count((o) => o.access === 'optional'),
      required: count((o) => o.access === 'required'),
      apiKeyPair: count((o) => o.alternatives.some((alt) => alt.filter(isKey).length >= 2)),
      oauth2Scopes: count((o) => o.alternatives.some((alt) => alt.some((u) => isOAuth(u) && u.scopes.length > 0))),
    },
    schemes: model.schemes.map((s) => ({ id: s.id, type: typeOf(s), credential: credentialOf(s), env: [...(env.get(s.id)?.variables ?? [])] })),
    operations,
  };
}

/** "3 of 9 operations public, 1 optional, 5 required; 3 require an API key pair; 2 use OAuth2 scopes". */
export function summaryText(s: MatrixSummary): string {
  const verb = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  return `${verb(s.operations, 'operation', 'operations')}: ${s.public} public, ${s.optional} optional, ${s.required} required; ${verb(s.apiKeyPair, 'requires', 'require')} an API key pair; ${verb(s.oauth2Scopes, 'uses', 'use')} OAuth2 scopes`;
}

/** `ApiKey + AppId`, `OAuth2 [pets:write]`; alternatives joined by ` or `, plus `anonymous` when optional. */
export function alternativesText(op: MatrixOperation): string {
  if (op.access === 'public') return 'none (public)';
  const alts = op.alternatives.map((alt) => alt.map((u) => u.scheme + (u.scopes.length ? ` [${u.scopes.join(', ')}]` : '')).join(' + '));
  if (op.access === 'optional') alts.push('anonymous');
  // Only `--skip-invalid` leaves a required operation without alternatives.
  return alts.length === 0 ? 'none: always refused (403)' : alts.join(' or ');
}
