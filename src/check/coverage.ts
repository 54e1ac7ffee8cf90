// Rules `no-security`, `operation-without-security` and `unknown-public-operation`:
// which operations the spec leaves public without saying so. A guard generated from a
// spec enforces exactly what the spec writes, so an operation that simply has no
// `security` (and no root default to inherit) gets no check at all; that is right for
// a health check and a silent hole for a forgotten admin endpoint. Lint cannot tell the
// two apart, so it asks the author to say which operations are public on purpose.
//
// What counts as said (not reported):
// - an explicit `security: []` on the operation, or a root `security: []` it inherits:
//   OpenAPI's own way of writing "no authentication" (the IR keeps it apart from
//   silence by `auth.source`: 'operation' / 'root' versus 'none');
// - `x-public: true` on the operation (`Operation.publicOnPurpose`, read by normalize);
// - the operation's id in the config's `public` list (ids as the IR has them: the
//   operationId, else `"<method> <path>"`).
//
// A spec where no operation requires anything (the GitHub description: 623 operations,
// no schemes) gets ONE `no-security` at the document root instead of one warning per
// operation: the finding is about the document, and 623 lines would bury every other
// diagnostic. A spec that secures some operations gets `operation-without-security`
// for each silent one, since there a missing `security` is most likely an omission.
import type { Diagnostic } from '../diagnostics/types.js';
import type { Operation, SecurityModel } from '../ir/types.js';
import { didYouMean } from '../shared/did-you-mean.js';

/** How the remedies read in every message: the three ways to say "public on purpose". */
const REMEDY = 'write `security: []` on it, add `x-public: true`, or list its id in the config\'s "public"';

/**
 * The coverage diagnostics of `model`, operations in document order, then the unknown
 * ids of `publicIds` in the order the config lists them.
 */
export function securityCoverage(model: SecurityModel, publicIds: readonly string[] = []): Diagnostic[] {
  const out: Diagnostic[] = [];
  const allowed = new Set(publicIds);
  const ordered = [...model.operations].sort((a, b) => a.position - b.position);
  // Silent: public only because nothing was written, neither on it nor at the root.
  const silent = ordered.filter((op) => op.auth.kind === 'public' && op.auth.source === 'none' && op.publicOnPurpose !== true && !allowed.has(op.id));
  const secured = ordered.filter((op) => op.auth.kind !== 'public').length;

  if (silent.length > 0 && secured === 0) {
    const stated = ordered.length - silent.length;
    out.push({
      code: 'no-security',
      severity: 'warning',
      file: model.file,
      pointer: '',
      message:
        `the document defines no security requirement (no root \`security\`, no operation requires credentials): ${ordered.length === 1 ? 'its only operation is' : `all ${ordered.length} of its operations are`} public, and the generated guard checks nothing` +
        `${stated > 0 ? ` (${stated} of them marked public on purpose)` : ''}; declare security schemes and requirements, or, if the API is public, write a root \`security: []\``,
    });
  } else if (silent.length > 0) {
    for (const op of silent) {
      out.push({
        code: 'operation-without-security',
        severity: 'warning',
        file: op.origin.file,
        pointer: op.origin.at,
        subject: op.id,
        message: `operation "${op.id}" (${route(op)}) has no security requirement (no \`security\` on it, no root default), while ${secured} other operation${secured === 1 ? ' declares' : 's declare'} one: it is public; if that is on purpose, ${REMEDY}`,
      });
    }
  }

  const ids = model.operations.map((op) => op.id);
  const known = new Set(ids);
  for (const id of new Set(publicIds)) {
    if (known.has(id)) continue;
    out.push({
      code: 'unknown-public-operation',
      severity: 'warning',
      file: model.file,
      pointer: '',
      subject: id,
      message: `the config's "public" lists "${id}", which names no operation of this spec (an operationId, or "<method> <path>" for an operation without one)${didYouMean(id, ids)}`,
    });
  }
  return out;
}

/** How many `operation-without-security` lines `condenseCoverage` keeps before its summary line. */
export const COVERAGE_SHOWN = 3;

/**
 * The diagnostics as `generate`, `check` and `report` print them: at most
 * `COVERAGE_SHOWN` `operation-without-security` lines and then one that counts the rest
 * (located at the first of them), since a spec that secures a few of its operations can
 * leave a hundred silent (just-eat: 90 of 98) and the renderer's per-code limit folds
 * repeats of one subject, not a hundred subjects. `lint` prints every one; the library
 * results are never condensed.
 */
export function condenseCoverage(diagnostics: readonly Diagnostic[], shown: number = COVERAGE_SHOWN): Diagnostic[] {
  const total = diagnostics.filter((d) => d.code === 'operation-without-security').length;
  if (total <= shown + 1) return [...diagnostics];
  const out: Diagnostic[] = [];
  let seen = 0;
  for (const d of diagnostics) {
    if (d.code !== 'operation-without-security') {
      out.push(d);
      continue;
    }
    seen++;
    if (seen <= shown) out.push(d);
    else if (seen === shown + 1) {
      const { subject: _subject, ...at } = d;
      out.push({ ...at, message: `${total - shown} more operations have no security requirement, "${d.subject ?? ''}" first; \`codegen lint\` lists each` });
    }
  }
  return out;
}

function route(op: Operation): string {
  return `${op.method.toUpperCase()} ${op.path}`;
}
