// Test runner settings: scratch output under test-output/ (generated fixtures,
// reviewers' probes) is never collected as tests.
//
// Type tests are `test/**/*.test-d.ts`: with `typecheck.enabled`, `vitest run` also runs
// tsc (`--noEmit -p tsconfig.vitest-typecheck.json`: the repo's compiler options over
// the *.test-d.ts files and what they import) and reports each type error as a failed
// test; a type error in an imported file fails the run as a source error.
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    exclude: [...configDefaults.exclude, 'test-output/**'],
    // Many tests run the CLI as a process; on a loaded machine 5 s (the default) is not
    // enough for a few of them. A hang guard, not a timing assertion.
    testTimeout: 30_000,
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.vitest-typecheck.json',
    },
  },
});
