#!/usr/bin/env node
// `npm run bench`: the bootstrap of the typed bench in bench/src (see bench/src/run.ts for
// what it measures and bench/src/config.ts for its options). From a clean clone it
// installs what is missing (root dependencies, the peers of bench/package.json with their
// own lockfile), builds dist/ when absent, compiles bench/src to bench/dist with the
// repository's TypeScript, then runs bench/dist/run.js in this process.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(BENCH, '..');
const log = (...a) => console.error('[bench]', ...a);

// Root dependencies (the parser, ts-morph, TypeScript, Fastify): a fresh clone has none.
// `npm ci` runs `prepare`, which builds dist/.
if (['@apidevtools/swagger-parser', 'typescript', 'fastify', 'yaml'].some((p) => !existsSync(path.join(REPO, 'node_modules', p, 'package.json')))) {
  log('node_modules missing: npm ci');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: REPO, stdio: 'inherit' });
}
const PEERS = ['autocannon', 'express', 'express-openapi-validator', 'fastify-openapi-glue', 'light-my-request', 'openapi-backend', 'openapi-typescript'];
if (PEERS.some((p) => !existsSync(path.join(BENCH, 'node_modules', p, 'package.json')))) {
  log('bench/node_modules missing or incomplete: npm ci --prefix bench');
  execFileSync('npm', ['ci', '--prefix', BENCH, '--no-audit', '--no-fund'], { stdio: 'inherit' });
}
if (!existsSync(path.join(REPO, 'dist/cli/main.js'))) {
  log('dist/ missing: npm run build');
  execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });
}
log('compiling bench/src (tsc -p bench/tsconfig.json)');
execFileSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', path.join(BENCH, 'tsconfig.json')], { cwd: REPO, stdio: 'inherit' });
await import(pathToFileURL(path.join(BENCH, 'dist/run.js')).href);
