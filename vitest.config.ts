// Test runner settings: scratch output under test-output/ (generated fixtures,
// reviewers' probes) is never collected as tests.
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    exclude: [...configDefaults.exclude, 'test-output/**'],
  },
});
