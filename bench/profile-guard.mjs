#!/usr/bin/env node
// Where the time of guard decision (a) goes (ApiKey + AppId, valid, petstore listPets):
// not part of `npm run bench`, a helper for whoever works on templates/runtime.
//   node bench/profile-guard.mjs [generated-dir]
// The folder defaults to the petstore output a bench run leaves in
// test-output/bench/guards/petstore (generated .ts transpiled to .js). Prints, each as
// CPU time per call (median of 9 alternating rounds):
//   - the synchronous part alone: `authorize` with synchronous verifiers, not awaited
//     (no microtask runs), next to a hand-written synchronous function;
//   - the whole decision with async verifiers, awaited, next to the hand-written one;
//   - bytes allocated per call (new space, with a semi-space large enough that no
//     scavenge runs during a sample: the script re-runs itself with 128 MB semi-spaces).
// For a profile of the same loop: node --cpu-prof bench/profile-guard.mjs --loop
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import v8 from 'node:v8';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const loop = args.includes('--loop');
if (!loop && !process.execArgv.some((a) => a.startsWith('--min-semi-space-size'))) {
  const r = spawnSync(process.execPath, ['--max-semi-space-size=128', '--min-semi-space-size=128', ...process.execArgv, fileURLToPath(import.meta.url), ...args], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const dir = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(BENCH, '../test-output/bench/guards/petstore'));
const { createGuard, independent } = await import(pathToFileURL(path.join(dir, 'guard.js')).href);

const principal = { id: 'u1', scopes: ['pets:read', 'pets:write'] };
const app = { app: 'a1' };
const syncV = { ApiKey: (k) => (k === 'key-1' ? principal : null), AppId: (k) => (k === 'app-1' ? app : null), Bearer: () => null, Basic: () => null, OAuth2: () => null, QueryKey: () => null, SessionCookie: () => null };
const asyncV = Object.fromEntries(Object.keys(syncV).map((k) => [k, async (c) => syncV[k](c)]));
// The ApiKey + AppId group has no binding check, as the hand-written functions (README "Bound AND groups").
const bound = { 'ApiKey + AppId': independent };
const guardSync = createGuard({ ...syncV, ...bound });
const guardAsync = createGuard({ ...asyncV, ...bound });
const valid = { 'x-api-key': 'key-1', 'x-app-id': 'app-1' };
const header = (h, n) => (typeof h[n] === 'string' ? h[n] : undefined);
function handSync(req) {
  const k = header(req.headers, 'x-api-key');
  const a = header(req.headers, 'x-app-id');
  if (k === undefined || a === undefined) return Promise.resolve({ ok: false, status: 401 });
  const p1 = syncV.ApiKey(k);
  if (!p1) return Promise.resolve({ ok: false, status: 401 });
  const p2 = syncV.AppId(a);
  if (!p2) return Promise.resolve({ ok: false, status: 401 });
  return Promise.resolve({ ok: true, operationId: 'listPets', alternative: 0, anonymous: false, principals: { ApiKey: p1, AppId: p2 } });
}
async function handAsync(req) {
  const k = header(req.headers, 'x-api-key');
  const a = header(req.headers, 'x-app-id');
  if (k === undefined || a === undefined) return { ok: false, status: 401 };
  const p1 = await asyncV.ApiKey(k);
  if (!p1) return { ok: false, status: 401 };
  const p2 = await asyncV.AppId(a);
  if (!p2) return { ok: false, status: 401 };
  return { ok: true, operationId: 'listPets', alternative: 0, anonymous: false, principals: { ApiKey: p1, AppId: p2 } };
}
if (!(await guardAsync.authorize('listPets', { headers: valid })).ok) throw new Error(`${dir}: decision (a) does not pass`);

if (loop) {
  // A plain loop for --cpu-prof: the async decision only, 5 s.
  const t0 = Date.now();
  while (Date.now() - t0 < 5000) for (let i = 0; i < 1000; i++) await guardAsync.authorize('listPets', { headers: valid });
  process.exit(0);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const cpuNs = (c0) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) * 1000;
};
let sink;
const syncFns = {
  'guard, sync verifiers, not awaited': () => guardSync.authorize('listPets', { headers: valid }),
  'hand-written, sync verifiers, not awaited': () => handSync({ headers: valid }),
};
const asyncFns = {
  'guard, async verifiers, awaited': () => guardAsync.authorize('listPets', { headers: valid }),
  'hand-written, async verifiers, awaited': () => handAsync({ headers: valid }),
  'empty async function, awaited (the loop)': async () => undefined,
};
const res = {};
for (const f of Object.values(syncFns)) for (let i = 0; i < 100000; i++) sink = f();
for (const f of Object.values(asyncFns)) for (let i = 0; i < 100000; i++) sink = await f();
for (let r = 0; r < 9; r++) {
  for (const [k, f] of Object.entries(syncFns)) {
    const N = 200000;
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) sink = f();
    (res[k] ??= []).push(cpuNs(c0) / N);
  }
  for (const [k, f] of Object.entries(asyncFns)) {
    const N = 50000;
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) sink = await f();
    (res[k] ??= []).push(cpuNs(c0) / N);
  }
}
console.log(`decision (a), ${dir}`);
for (const [k, v] of Object.entries(res)) console.log(`${median(v).toFixed(0).padStart(6)} ns  ${k}`);

let gcs = 0;
new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_used_size;
for (const [k, f] of Object.entries(asyncFns)) {
  const N = 20000; // × at most ~2 kB: well inside one 128 MB semi-space
  let bytes;
  for (let attempt = 0; attempt < 5 && bytes === undefined; attempt++) {
    const g0 = gcs;
    const b0 = newSpace();
    for (let i = 0; i < N; i++) sink = await f();
    const b1 = newSpace();
    await new Promise((resolve) => setImmediate(resolve)); // let the gc observer report
    if (gcs === g0 && b1 > b0) bytes = (b1 - b0) / N; // a collection in between: try again
  }
  console.log(`${bytes === undefined ? '   n/a' : bytes.toFixed(0).padStart(6)} B   allocated per call: ${k}`);
}
globalThis.__sink = sink;
