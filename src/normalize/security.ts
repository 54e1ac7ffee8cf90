// Security requirement arrays -> OperationAuth. The array is OR, each object AND,
// `{}` the anonymous alternative, `[]` public (OpenAPI 3.1 §4.8.30, Swagger 2.0 the same).
import type { OpenAPIV3 } from 'openapi-types';
import type { AuthSource, OperationAuth, Requirement, Use } from '../ir/types.js';
import { compareCodeUnits } from '../shared/order.js';
import { entry, isRecord, keysOf, originOf, type NormalizeContext, type Raw } from './context.js';

export function normalizeSecurity(ctx: NormalizeContext, node: Raw<readonly OpenAPIV3.SecurityRequirementObject[]>, source: AuthSource): OperationAuth {
  const origin = originOf(node);
  if (!Array.isArray(node.value)) {
    ctx.report('invalid-security', 'error', origin, '`security` must be an array of requirement objects');
    return { kind: 'public', source, origin };
  }
  if (node.value.length === 0) return { kind: 'public', source, origin };
  const anyOf: Requirement[] = [];
  let anonymousIndex = -1;
  node.value.forEach((_, index) => {
    const reqNode = entry(node, index);
    if (!isRecord(reqNode.value)) {
      ctx.report('invalid-security', 'error', originOf(reqNode), 'a security requirement must be an object');
      return;
    }
    const names = keysOf(reqNode);
    if (names.length === 0) {
      if (anonymousIndex === -1) anonymousIndex = index;
      return;
    }
    const allOf: Use[] = [];
    for (const scheme of names) {
      const useNode = entry(reqNode, scheme);
      const raw = useNode.value;
      if (!Array.isArray(raw) || raw.some((s) => typeof s !== 'string')) {
        ctx.report('invalid-security', 'error', originOf(useNode), `scopes of "${scheme}" must be an array of strings`, scheme);
        continue;
      }
      const scopes = [...new Set(raw as string[])].sort(compareCodeUnits);
      allOf.push({ scheme, scopes, origin: originOf(useNode) });
    }
    // Members stay in written order: a binding check and error messages name them as written.
    if (allOf.length > 0) anyOf.push({ allOf, index, origin: originOf(reqNode) });
  });
  // `[{}]` alone is still `optional` (never `public`): the diff must see it as such.
  if (anyOf.length === 0 && anonymousIndex === -1) return { kind: 'public', source, origin };
  return { kind: anonymousIndex === -1 ? 'required' : 'optional', anyOf, anonymousIndex, source, origin };
}
