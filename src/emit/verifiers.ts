// The `Verifiers` type of guard.ts, as TypeScript text: one entry per scheme an
// operation uses and one per AND group (binding check or `independent`). Each used
// scheme gets a type parameter for the principal its verifier returns, so TypeScript
// infers it from the user's verifier and types the group's binding check with it
// (`principals.ApiKey.clientId`). One parameter per scheme rather than one for the
// whole object: TypeScript infers a later property's parameter types from earlier
// properties' return types only for separate type parameters.
import type { SecurityModel } from '../ir/types.js';
import { literalUnion, propertyKey, stringLiteral } from './sinks.js';
import { groupsOf, usedSchemeIds } from './tables.js';

export interface VerifierTypes {
  /** `<P0 extends object = object, …>`, or `''` when no scheme is used. */
  readonly params: string;
  /** The same without defaults, for `createGuard`. */
  readonly paramsRequired: string;
  /** `<P0, P1, …>`, or `''`. */
  readonly args: string;
  /** The object type's body. */
  readonly body: string;
  /** The union of group keys, `never` when none. */
  readonly groupNames: string;
}

export function verifierTypes(model: SecurityModel): VerifierTypes {
  const used = usedSchemeIds(model);
  const param = new Map(used.map((id, i) => [id, `P${i}`]));
  const groups = groupsOf(model);
  const lines: string[] = [];
  for (const id of used) {
    lines.push(`  readonly ${propertyKey(id)}: Verifier<CredentialOf<(typeof tables.schemes)[${stringLiteral(id)}]>, OperationId, ${param.get(id)}>;`);
  }
  for (const [key, members] of groups) {
    const principals = members.map((m) => `readonly ${propertyKey(m)}: ${param.get(m) ?? 'object'}`).join('; ');
    lines.push(`  readonly ${propertyKey(key)}: BindingCheck<{ ${principals} }, OperationId> | Independent;`);
  }
  const names = [...param.values()];
  return {
    params: names.length === 0 ? '' : `<${names.map((p) => `${p} extends object = object`).join(', ')}>`,
    paramsRequired: names.length === 0 ? '' : `<${names.map((p) => `${p} extends object`).join(', ')}>`,
    args: names.length === 0 ? '' : `<${names.join(', ')}>`,
    body: lines.length === 0 ? '{}' : `{\n${lines.join('\n')}\n}`,
    groupNames: literalUnion([...groups.keys()]),
  };
}
