// Spec paths that routers take as one route although the spec lists them apart: paths
// equal once parameter names are erased (`/u/{id}` and `/u/{name}`, which OpenAPI
// forbids), once a trailing slash is dropped (`/things` and `/things/`), or once letter
// case is ignored (`/admin` and `/Admin`; Express and @koa/router ignore case). The
// guard's app-wide forms then require every such operation of a request; each route
// enforces only its own with `mountOperations` or `requireAuth`. So: a warning each.
import type { Diagnostic } from '../diagnostics/types.js';
import type { Operation, SecurityModel } from '../ir/types.js';

interface Shape {
  readonly key: string;
  readonly why: string;
}

/** The forms under which two paths of one method meet, most specific reason first. */
function shapes(path: string): Shape[] {
  const erased = path.replace(/\{[^}]*\}/g, '{}');
  const trimmed = erased.length > 1 ? erased.replace(/\/+$/, '') : erased;
  return [
    { key: erased, why: 'differ only in parameter names, which OpenAPI forbids' },
    { key: trimmed, why: 'differ only in a trailing slash, which most routers ignore' },
    { key: trimmed.toLowerCase(), why: 'differ only in letter case, which Express and @koa/router ignore' },
  ];
}

export function overlappingPaths(model: SecurityModel): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, Operation>();
  const reported = new Set<string>();
  for (const op of model.operations) {
    for (const [level, shape] of shapes(op.path).entries()) {
      const key = `${op.method} ${level} ${shape.key}`;
      const other = seen.get(key);
      if (other === undefined) {
        seen.set(key, op);
        continue;
      }
      if (other.path === op.path) continue;
      const pair = [other.id, op.id].sort().join('\u0000');
      if (reported.has(pair)) continue;
      reported.add(pair);
      out.push({
        code: 'overlapping-paths',
        severity: 'warning',
        file: op.origin.file,
        pointer: op.origin.at,
        subject: op.id,
        message: `${op.method.toUpperCase()} ${op.path} and ${other.path} ${shape.why}: a request there must satisfy both operations ("${other.id}" and "${op.id}") with the app-wide guards; mountOperations or requireAuth enforce each route's own`,
      });
    }
  }
  return out;
}
