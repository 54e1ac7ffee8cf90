// The explicit opt-out of BRIEF §2: with `skipInvalid`, an AND group (one alternative)
// that names an undefined, invalid or uncarriable scheme is dropped as a whole and
// reported, instead of refusing the whole spec. It is never weakened to the schemes
// that exist, and the operation stays in the tables, so its route is still matched to
// it (a route left out would fall through to a parameterised sibling such as
// `/pets/{petId}`, which may require less). An operation left with no alternative
// can never be authorized: the guard refuses it with a fixed 403.
import type { Diagnostic, DiagnosticCode } from '../diagnostics/types.js';
import type { SecurityModel } from '../ir/types.js';

/** Errors that concern one scheme, so the operations using it can be set aside. */
const SCHEME_ERRORS: ReadonlySet<DiagnosticCode> = new Set(['undefined-scheme', 'invalid-scheme', 'invalid-header-name']);

export interface SkipResult {
  readonly model: SecurityModel;
  readonly diagnostics: readonly Diagnostic[];
}

/** `unenforceable` is what the check stage found no guard can enforce (`CheckResult`). */
export function skipInvalidOperations(model: SecurityModel, diagnostics: readonly Diagnostic[], unenforceable: ReadonlyMap<string, string>): SkipResult {
  const bad = (scheme: string): boolean => unenforceable.has(scheme);

  const skipped: Diagnostic[] = [];
  const operations = model.operations.map((op) => {
    if (op.auth.kind === 'public') return op;
    const anyOf = op.auth.anyOf.filter((requirement) => {
      const names = [...new Set(requirement.allOf.map((u) => u.scheme).filter(bad))];
      if (names.length === 0) return true;
      skipped.push({
        code: 'alternative-dropped',
        severity: 'warning',
        message: `operation "${op.id}" (${op.method.toUpperCase()} ${op.path}): the alternative {${requirement.allOf.map((u) => u.scheme).join(', ')}} is dropped as a whole because ${names.map((n) => `"${n}"`).join(', ')} cannot be enforced (--skip-invalid)`,
        file: requirement.origin.file,
        pointer: requirement.origin.at,
        subject: op.id,
      });
      return false;
    });
    if (anyOf.length === op.auth.anyOf.length) return op;
    if (anyOf.length === 0 && op.auth.kind === 'required') {
      skipped.push({
        code: 'operation-skipped',
        severity: 'warning',
        message: `operation "${op.id}" (${op.method.toUpperCase()} ${op.path}) has no enforceable alternative left: the guard refuses every request to it with 403 (--skip-invalid)`,
        file: op.auth.origin.file,
        pointer: op.auth.origin.at,
        subject: op.id,
      });
    }
    return { ...op, auth: { ...op.auth, anyOf } };
  });

  const kept = diagnostics.map((d) => (d.severity === 'error' && SCHEME_ERRORS.has(d.code) ? { ...d, severity: 'warning' as const } : d));
  return {
    model: { ...model, schemes: model.schemes.filter((s) => !unenforceable.has(s.id)), operations },
    diagnostics: [...kept, ...skipped],
  };
}
