// The explicit opt-out of BRIEF §2: with `skipInvalid`, an operation whose security
// names an undefined, invalid or uncarriable scheme is left out of the output (so the
// guard answers it like an unknown route: closed) instead of refusing the whole spec.
// An alternative is never dropped from an operation that stays: that would change
// what the operation accepts.
import type { Diagnostic, DiagnosticCode } from '../diagnostics/types.js';
import type { SecurityModel } from '../ir/types.js';

/** Errors that concern one scheme, so the operations using it can be set aside. */
const SCHEME_ERRORS: ReadonlySet<DiagnosticCode> = new Set(['undefined-scheme', 'invalid-scheme', 'invalid-header-name']);

export interface SkipResult {
  readonly model: SecurityModel;
  readonly diagnostics: readonly Diagnostic[];
}

export function skipInvalidOperations(model: SecurityModel, diagnostics: readonly Diagnostic[], rejectedSchemes: ReadonlySet<string>): SkipResult {
  const defined = new Set(model.schemes.map((s) => s.id));
  const uncarriable = new Set(
    model.schemes.filter((s) => s.kind === 'apiKey' && diagnostics.some((d) => d.code === 'invalid-header-name' && d.pointer === `${s.origin.at}/name` && d.file === s.origin.file)).map((s) => s.id),
  );
  const bad = (scheme: string): boolean => !defined.has(scheme) || rejectedSchemes.has(scheme) || uncarriable.has(scheme);

  const skipped: Diagnostic[] = [];
  const operations = model.operations.filter((op) => {
    if (op.auth.kind === 'public') return true;
    const names = [...new Set(op.auth.anyOf.flatMap((r) => r.allOf.map((u) => u.scheme)).filter(bad))];
    if (names.length === 0) return true;
    skipped.push({
      code: 'operation-skipped',
      severity: 'warning',
      message: `operation "${op.id}" (${op.method.toUpperCase()} ${op.path}) is left out of the output because its security names ${names.map((n) => `"${n}"`).join(', ')}, which cannot be enforced (--skip-invalid)`,
      file: op.auth.origin.file,
      pointer: op.auth.origin.at,
      subject: op.id,
    });
    return false;
  });

  const kept = diagnostics.map((d) => (d.severity === 'error' && SCHEME_ERRORS.has(d.code) ? { ...d, severity: 'warning' as const } : d));
  return {
    model: { ...model, schemes: model.schemes.filter((s) => !uncarriable.has(s.id)), operations },
    diagnostics: [...kept, ...skipped],
  };
}
