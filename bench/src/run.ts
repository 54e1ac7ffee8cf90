// `npm run bench` (after bench/run.mjs has installed what is missing and compiled this
// folder): every figure family side by side in one run (BRIEF §6, issue 6), then the
// report on stdout and in docs/PERFORMANCE.md.
//  1. generation.ts   generate / check against the own-format parse (and swagger-parser, openapi-typescript)
//  2. guard.ts        the guard decision against hand-written functions, in-process
//  3. peers.ts        the security step of express-openapi-validator, openapi-backend, fastify-openapi-glue
//  4. instructions.ts the guard rows counted in instructions (callgrind)
//  5. loopback.ts     Express 5 and Fastify 5 throughput with the generated adapters
//  6. stores.ts       PostgreSQL key store, Redis quotas (with their instruction counts), revocation
// A failing family is reported as "not measured" with its reason; the others still run.
import { existsSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CORPUS, FULL, HTTP_SECONDS, INSTRUCTIONS, PETSTORE, QUICK, REPO, RUNS, SETTINGS, STARTED, WORK, log, phaseDone, phases } from './config.js';
import { generatedGuard, type GeneratedGuard } from './generated.js';
import { generationReport, measureGeneration } from './generation.js';
import { syntheticSpec } from './guard-contenders.js';
import { guardReport, measureGuard, type GuardResult } from './guard.js';
import { countGuard, type InstructionCounts } from './instructions.js';
import { instructionsReport } from './instructions-report.js';
import { loopbackReport, measureLoopback, type LoopbackRow } from './loopback.js';
import { measurePeers, type PeerFigures } from './peers.js';
import { peersReport } from './peers-report.js';
import { goalsTable, type Section } from './report.js';
import { measureStores } from './stores.js';
import { storesReport } from './stores-report.js';
import { hasGnuTime } from './timing.js';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
if (!existsSync(CORPUS)) throw new Error(`corpus not found at ${CORPUS} (set CORPUS_DIR)`);
rmSync(WORK, { recursive: true, force: true });
mkdirSync(path.join(WORK, 'callgrind'), { recursive: true });
phaseDone('set-up');

const generation = await measureGeneration();
phaseDone('generation and check');

let guards: { pet: GeneratedGuard; s20: GeneratedGuard; s800: GeneratedGuard } | undefined;
let guard: GuardResult | undefined;
let guardError: string | undefined;
let peers: PeerFigures | undefined;
let peersError: string | undefined;
let guardCount: Promise<InstructionCounts> | undefined;
try {
  const synth = [];
  for (const n of [20, 800]) {
    const file = path.join(WORK, `synthetic-${n}.json`);
    writeFileSync(file, JSON.stringify(syntheticSpec(n), null, 2));
    synth.push(await generatedGuard(file, `synthetic-${n}`));
  }
  guards = { pet: await generatedGuard(PETSTORE, 'petstore'), s20: synth[0]!, s800: synth[1]! };
  // A smoke run counts instructions in the background while the timed parts run (its
  // times are not the measurement, and instruction counts do not depend on the load);
  // a full run counts them on their own, after the timed in-process parts.
  if (INSTRUCTIONS && QUICK) guardCount = countGuard({ pet: guards.pet.dir, s20: guards.s20.dir, s800: guards.s800.dir });
  guard = await measureGuard(guards.pet, guards.s20, guards.s800);
} catch (error) {
  guardError = message(error);
  log(`guard benchmark skipped: ${guardError}`);
}
if (guards) {
  try {
    peers = await measurePeers(guards.pet);
  } catch (error) {
    peersError = message(error);
    log(`peers benchmark skipped: ${peersError}`);
  }
} else peersError = guardError;
phaseDone('guard decision and peers');

if (INSTRUCTIONS && guards && !QUICK) {
  guardCount = countGuard({ pet: guards.pet.dir, s20: guards.s20.dir, s800: guards.s800.dir });
  await guardCount;
  phaseDone('instruction counts (guard)');
}

let loopback: LoopbackRow[] = [];
let loopbackError: string | undefined;
if (HTTP_SECONDS > 0) {
  if (!guards) loopbackError = guardError;
  else {
    try {
      loopback = await measureLoopback(guards.pet.dir);
    } catch (error) {
      loopbackError = message(error);
      log(`http benchmark skipped: ${loopbackError}`);
    }
  }
  phaseDone('loopback throughput');
}

const stores = await measureStores();
phaseDone('stores');
const instructions = await guardCount;
if (QUICK && guardCount) phaseDone('waiting for the instruction count (guard)');

// ---------------------------------------------------------------------------
// The report.
const labels = Object.fromEntries((guard?.rows ?? []).map((r) => [r.key, r.label]));
const sections: Section[] = [
  generationReport(generation),
  guardReport(guard, guardError, instructions),
  peersReport(peers, peersError),
  loopbackReport(loopback, loopbackError),
  storesReport(stores, QUICK || !FULL),
  instructionsReport(instructions, stores.instructions, labels),
];
const cpus = os.cpus();
const machine = `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, ${os.type()} ${os.release()}`;
const ms = Date.now() - STARTED;
const elapsed = `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
const peerVersions = ['express-openapi-validator', 'openapi-backend', 'fastify-openapi-glue', 'openapi-typescript'].map((p) => `${p} ${JSON.parse(readFileSync(path.join(REPO, 'bench/node_modules', p, 'package.json'), 'utf8')).version}`).join(', ');
const lines: string[] = ['# Performance', ''];
if (QUICK || !FULL) lines.push(`> **Smoke run** (${QUICK ? 'BENCH_QUICK=1, ' : ''}${SETTINGS}): shorter samples than the method below describes, to check that the bench works. These figures are not the measurement; run \`npm run bench\` with the defaults to replace this file.`, '');
lines.push(`Command: \`${QUICK ? 'BENCH_QUICK=1 ' : ''}npm run bench\` (bench/run.mjs, which compiles bench/src to bench/dist and runs it; ${SETTINGS}). Date: ${new Date().toISOString().slice(0, 10)}. Node ${process.version}. Machine: ${machine}. The whole run took ${elapsed} (${phases.join(', ')}).`, '');
lines.push(
  `Every ratio below compares figures taken side by side in this one run; the absolute times are only there to show what the ratio is made of. Whole-process figures are medians of ${RUNS} alternating runs; wall time measured around the child process, peak memory is GNU time's max RSS${hasGnuTime ? '' : ' (not available here: /usr/bin/time missing)'}. Peers are pinned in bench/package.json (${peerVersions}). The "before" column is not measured by this run: it is the fixed reference of bench/src/before.ts, copied from the full run of 2026-12-02 at commit 230e176.`,
  '',
);
lines.push('## Goals at a glance', '', ...goalsTable(sections.flatMap((s) => s.goals)), '');
for (const s of sections) lines.push(...s.lines, '');
const where = sections.flatMap((s) => s.where);
if (where.length > 0) lines.push('## Where the time goes (goals not met)', '', ...where, '');
const md = lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
mkdirSync(path.join(REPO, 'docs'), { recursive: true });
writeFileSync(path.join(REPO, 'docs/PERFORMANCE.md'), md);
console.log(md);
log('wrote docs/PERFORMANCE.md');
