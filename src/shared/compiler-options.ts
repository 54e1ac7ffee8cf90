// The strict settings generated code promises to compile under (BRIEF §3). `--verify`
// type-checks output with them and the tests do too (test/helpers/typecheck.ts); one
// list so the promise and the checks cannot disagree. Plain flags only: module and
// target need the compiler's enums, which each caller takes from its own compiler.

export const STRICT_COMPILER_FLAGS = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  verbatimModuleSyntax: true,
  skipLibCheck: true,
  noEmit: true,
} as const;
