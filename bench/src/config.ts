// The bench's settings and places: environment options (BENCH_*), the repository and
// work folders, the corpus specs, and the log with its per-part stopwatch. Every family
// reads its durations from here, so the report states the settings it ran with.
// Options (env): BENCH_RUNS whole-process runs per spec (default 5, at least 5 unless
// BENCH_QUICK), BENCH_SECONDS per in-process sample (0.3), BENCH_HTTP_SECONDS per
// autocannon run (3; 0 skips the throughput parts), BENCH_HTTP_ROUNDS (3),
// BENCH_STORES_HTTP_SECONDS (3, at most BENCH_HTTP_SECONDS), BENCH_STORES_HTTP_ROUNDS (2),
// BENCH_STORES_PAIRED_ROUNDS (3), BENCH_STORES_PAIRS (stores-paired.ts: server:base,…),
// BENCH_INSTRUCTIONS=0 skips the callgrind counts, CORPUS_DIR (default ../shared/corpus).
// BENCH_QUICK=1: a smoke run (under 2 minutes: 1 run per spec, 0.05 s samples, 1 s × 1
// round of throughput, small instruction counts in the background); explicit BENCH_* still win.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// bench/dist/config.js → bench/
export const BENCH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = path.resolve(BENCH, '..');
export const CORPUS = path.resolve(process.env.CORPUS_DIR ?? path.join(REPO, '../shared/corpus'));
export const WORK = path.join(REPO, 'test-output/bench');
export const BIN = path.join(REPO, 'bin/codegen.js');
export const PETSTORE = path.join(REPO, 'specs/petstore.yaml');
export const QUICK = /^(1|true|yes)$/i.test(process.env.BENCH_QUICK ?? '');
export const benchRequire = createRequire(path.join(BENCH, 'package.json'));
export const repoRequire = createRequire(path.join(REPO, 'package.json'));

function envNumber(name: string, full: number, quick: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return QUICK ? quick : full;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${v}: expected a non-negative number`);
  return n;
}

// The defaults keep the whole run under 10 minutes with the instruction counts added:
// 0.3 s samples (was 0.5: the rounds' spread at 0.3 s stays within a few % in-process),
// 3 s loopback runs (was 8, then 4) side by side in 3 rounds of each comparison (loopback.ts; the
// rounds were 2 while the servers ran one after the other), 2 rounds of the stores servers run one after the
// other (was 4, then 3: their spread is larger than the goal, which the side-by-side
// pairs measure instead) and 3 rounds of each pair. `FULL` compares against these same
// figures, so lowering a default cannot turn a full run into a "smoke run".
const DEFAULTS = { runs: 5, seconds: 0.3, http: 3, httpRounds: 3, storesHttp: 3, storesRounds: 2, pairedRounds: 3 } as const;
const runs = Math.round(envNumber('BENCH_RUNS', DEFAULTS.runs, 1));
export const RUNS = QUICK ? Math.max(1, runs) : Math.max(DEFAULTS.runs, runs);
export const SAMPLE_SECONDS = envNumber('BENCH_SECONDS', DEFAULTS.seconds, 0.05);
export const HTTP_SECONDS = envNumber('BENCH_HTTP_SECONDS', DEFAULTS.http, 1);
export const HTTP_ROUNDS = Math.max(1, Math.round(envNumber('BENCH_HTTP_ROUNDS', DEFAULTS.httpRounds, 1)));
export const STORES_HTTP_SECONDS = Math.min(HTTP_SECONDS, envNumber('BENCH_STORES_HTTP_SECONDS', DEFAULTS.storesHttp, 1));
export const STORES_HTTP_ROUNDS = Math.max(1, Math.round(envNumber('BENCH_STORES_HTTP_ROUNDS', DEFAULTS.storesRounds, 1)));
/** Rounds of each pair of stores servers run side by side on one core (stores-paired.ts). */
export const STORES_PAIRED_ROUNDS = Math.max(1, Math.round(envNumber('BENCH_STORES_PAIRED_ROUNDS', DEFAULTS.pairedRounds, 1)));
export const INSTRUCTIONS = envNumber('BENCH_INSTRUCTIONS', 1, 1) > 0;
/** The settings a full run uses (the defaults, or longer); anything shorter makes the report say "smoke run". */
export const FULL =
  RUNS >= DEFAULTS.runs &&
  SAMPLE_SECONDS >= DEFAULTS.seconds &&
  HTTP_SECONDS >= DEFAULTS.http &&
  HTTP_ROUNDS >= DEFAULTS.httpRounds &&
  STORES_HTTP_SECONDS >= DEFAULTS.storesHttp &&
  STORES_HTTP_ROUNDS >= DEFAULTS.storesRounds &&
  STORES_PAIRED_ROUNDS >= DEFAULTS.pairedRounds;
export const SETTINGS = `BENCH_RUNS=${RUNS} BENCH_SECONDS=${SAMPLE_SECONDS} BENCH_HTTP_SECONDS=${HTTP_SECONDS} BENCH_HTTP_ROUNDS=${HTTP_ROUNDS} BENCH_STORES_HTTP_SECONDS=${STORES_HTTP_SECONDS} BENCH_STORES_HTTP_ROUNDS=${STORES_HTTP_ROUNDS} BENCH_STORES_PAIRED_ROUNDS=${STORES_PAIRED_ROUNDS}`;

/** The three large corpus specs of the generation goals. */
export const LARGE: ReadonlyArray<readonly [label: string, file: string]> = [
  ['Stripe', 'stripe.com__api__2020-08-27.json'],
  ['Kubernetes (2.0)', 'kubernetes.io__kubernetes__unversioned.yaml'],
  ['Google Compute', 'googleapis.com__compute__alpha.yaml'],
];

export const log = (...a: unknown[]): void => console.error('[bench]', ...a);

export const STARTED = Date.now();
export const phases: string[] = [];
let phaseStart = Date.now();
/** Logs how long the part that just ended took (the 10-minute budget is checked against these). */
export function phaseDone(name: string): void {
  const s = (Date.now() - phaseStart) / 1000;
  phases.push(`${name} ${s.toFixed(0)} s`);
  log(`${name} took ${s.toFixed(1)} s`);
  phaseStart = Date.now();
}
