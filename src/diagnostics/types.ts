// Diagnostics are data: collected, never thrown, so one run reports every
// problem it can find and the CLI decides how to print and which exit code to use.

export type Severity = 'error' | 'warning' | 'info';

/** Every diagnostic code, at run time (the docs table and its test read it). Codes are never renamed. */
export const DIAGNOSTIC_CODES = [
  'syntax',
  'not-openapi',
  'io',
  'unresolved-ref',
  'ref-refused',
  'undefined-scheme',
  'invalid-scheme',
  'invalid-header-name',
  'invalid-security',
  'duplicate-operation-id',
  'undeclared-scope',
  'oauth2-scopes-missing',
  'scopes-on-non-oauth-scheme',
  'unused-scheme',
  'api-key-in-query',
  'credentials-over-http',
  'unknown-http-scheme',
  'oauth2-and-oauth2',
  'api-key-and-same-name',
  'authorization-api-key',
  'operation-skipped',
  'alternative-dropped',
  'overlapping-paths',
  'group-name-collision',
  'no-security',
  'operation-without-security',
  'unknown-public-operation',
  'accept-invalid',
  'accept-expired',
  'accept-unmatched',
  'schema',
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  /** RFC 6901 pointer; `''` is the whole document. */
  readonly pointer: string;
  readonly line?: number;
  readonly column?: number;
  /** The spec name the diagnostic is about (scheme, scope, operation id), for tools. */
  readonly subject?: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
