// Compile-time contract between the generator and the runtime: the rows emit/tables.ts
// builds, once printed (printLiteral drops `undefined`), are exactly the runtime's
// table types, both ways. Checked by `npm run typecheck` (tsconfig.json); left out of
// the build, which may not reach outside src/.
import type { OperationSpec, SchemeSpec } from '../../templates/runtime/runtime-tables.js';
import type { OperationRow, SchemeRow } from './tables.js';

/** What printLiteral writes for a value of type T: optional properties lose `undefined`. */
type Printed<T> = T extends readonly (infer E)[]
  ? readonly Printed<E>[]
  : T extends object
    ? { [K in keyof T]: Printed<Exclude<T[K], undefined>> }
    : T;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type SchemeRowsMatchRuntime = Assert<Same<Printed<SchemeRow>, SchemeSpec>>;
export type OperationRowsMatchRuntime = Assert<Same<Printed<OperationRow>, OperationSpec>>;
