// Rule `group-name-collision`: the generated `Verifiers` object holds one entry per
// scheme (keyed by its name) and one per AND group (keyed by its scheme names in
// code-unit order joined with " + "). A scheme whose own name equals a group's key
// would make one key mean two things, so such a spec is refused.
import type { Diagnostic } from '../diagnostics/types.js';
import type { SecurityModel } from '../ir/types.js';
import { groupKey } from '../ir/groups.js';

export function groupNameCollisions(model: SecurityModel): Diagnostic[] {
  const schemes = new Map(model.schemes.map((s) => [s.id, s]));
  const out: Diagnostic[] = [];
  const reported = new Set<string>();
  const auths = [model.rootAuth, ...[...model.operations].sort((a, b) => a.position - b.position).map((o) => o.auth)];
  for (const auth of auths) {
    if (auth === undefined || auth.kind === 'public') continue;
    for (const req of auth.anyOf) {
      if (req.allOf.length < 2) continue;
      const key = groupKey(req.allOf.map((u) => u.scheme));
      const scheme = schemes.get(key);
      if (scheme === undefined || reported.has(key)) continue;
      reported.add(key);
      out.push({
        code: 'group-name-collision',
        severity: 'error',
        file: scheme.origin.file,
        pointer: scheme.origin.at,
        subject: key,
        message: `security scheme "${key}" has the name of the AND group of ${req.allOf.map((u) => `"${u.scheme}"`).join(' and ')} (${req.origin.file}#${req.origin.at}): the generated Verifiers would key its verifier and the group's binding check alike; rename the scheme`,
      });
    }
  }
  return out;
}
