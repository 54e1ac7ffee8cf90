// The key of an AND group (a requirement of two or more schemes) in the generated
// `Verifiers`: its scheme names in code-unit order joined with `" + "`, so one set of
// schemes shares one binding check wherever it appears and in whatever order it is
// written. The runtime computes the same key (templates/runtime/runtime-plan.ts `groupKey`).
import { compareCodeUnits } from '../shared/order.js';

export function groupKey(schemes: readonly string[]): string {
  return [...schemes].sort(compareCodeUnits).join(' + ');
}
