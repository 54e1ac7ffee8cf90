#!/usr/bin/env node
// Entry point of `npx codegen`: the CLI lives in dist/ (built by `npm install` via `prepare`).
import('../dist/cli/main.js').then(
  (m) => m.main(process.argv.slice(2)).then((code) => { process.exitCode = code; }),
  (error) => {
    if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
      console.error('codegen: dist/ is missing; run `npm run build` (or `npm install`) first');
      process.exitCode = 2;
    } else {
      throw error;
    }
  },
);
