// Compare the security models of two spec versions and classify every change
// (issue 5): weakening, strengthening, client-breaking or neutral. The orchestrator:
// pairing.ts says which old thing is which new thing, rules.ts finds the changes in
// each pair, classes.ts classifies them; this file runs the rules in a fixed order
// and sorts the result.
import type { Operation, SecurityModel } from '../ir/types.js';
import { methodRank } from '../shared/http.js';
import { compareCodeUnits } from '../shared/order.js';
import { API_WIDE, CHANGE_CLASSES, classOf, type Change, type Finding, type OperationRef } from './classes.js';
import { indexSchemes, pairAlternatives, pairOperations, pairSchemesUsed, type SchemeIndex } from './pairing.js';
import * as rules from './rules.js';

export { API_WIDE, CHANGE_CLASSES, CHANGE_RULES, classOf, type Change, type ChangeClass, type ChangeRule, type OperationRef } from './classes.js';
export { findRenames } from './pairing.js';
export { schemeRank } from './rules.js';

/** Every security change from `before` to `after`, sorted by class, then operation. */
export function compareModels(before: SecurityModel, after: SecurityModel): Change[] {
  const schemes = indexSchemes(before, after);
  const changes: Change[] = rules.serversChanged(before, after).map((f) => toChange(API_WIDE, f));
  for (const pair of pairOperations(before, after)) {
    const op = pair.kind === 'removed' ? pair.before : pair.after;
    const findings =
      pair.kind === 'matched'
        ? compareOperation(schemes, pair.before, pair.after)
        : pair.kind === 'added'
          ? [rules.operationAdded(after, pair.after, before)]
          : [rules.operationRemoved(before, pair.before)];
    for (const f of findings) changes.push(toChange(op, f));
  }
  return sortChanges(changes);
}

function toChange(op: Operation | OperationRef, f: Finding): Change {
  return { class: classOf(f.rule), rule: f.rule, operation: { id: op.id, method: op.method, path: op.path }, message: f.message, old: f.old, new: f.new };
}

/**
 * The rules for one operation present in both versions, in report order (within a
 * class and operation, changes keep this order).
 */
function compareOperation(schemes: SchemeIndex, before: Operation, after: Operation): Finding[] {
  const a = before.auth;
  const b = after.auth;
  const security: Finding[] = [...rules.authKindChanged(a, b)];
  if (a.kind !== 'public' && b.kind !== 'public') {
    const alternatives = pairAlternatives(a.anyOf, b.anyOf, schemes.renames);
    security.push(...rules.alternativesReordered(alternatives, a, b), ...rules.andSetsChanged(alternatives), ...rules.alternativesAddedRemoved(alternatives, a, b));
  }
  for (const pair of pairSchemesUsed(schemes, a, b)) security.push(...rules.schemeChanged(pair));
  // A changed source is news only when the security itself did not change (a move
  // is about the route, not the security, so it does not hide it).
  const source = security.length === 0 ? rules.sourceChanged(a, b) : [];
  return [...rules.operationMoved(before, after), ...security, ...source];
}

function sortChanges(changes: readonly Change[]): Change[] {
  return changes
    .map((c, i) => ({ c, i }))
    .sort(
      (x, y) =>
        CHANGE_CLASSES.indexOf(x.c.class) - CHANGE_CLASSES.indexOf(y.c.class) ||
        compareCodeUnits(x.c.operation.path, y.c.operation.path) ||
        methodRank(x.c.operation.method) - methodRank(y.c.operation.method) ||
        compareCodeUnits(x.c.operation.id, y.c.operation.id) ||
        x.i - y.i,
    )
    .map((x) => x.c);
}
