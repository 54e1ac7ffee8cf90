// Differential routing fuzz test: the guard must enforce the operation whose handler
// the framework runs. One server per framework × mode (Express 5, Fastify 5, Koa 3 +
// @koa/router, Hono on @hono/node-server, node:http + find-my-way; app-wide, `next`,
// per-route, mounted) gets the same list of raw request targets over real loopback
// sockets, all WITHOUT credentials. Every handler logs the operation it implements
// and the operation of the auth decision the adapter stored. For every request:
//   1. no handler of an operation that requires credentials ran;
//   2. a handler of a spec operation ran only with a decision for that operation;
//   3. the server answered with an HTTP response (within 2 s).
// Controls keep it from passing vacuously: public handlers run, and a valid key
// reaches the protected getThing handler, in every framework and mode.
//
// Fixed seed and ~1500 generated targets by default; `FUZZ_RANDOM=1` uses a random
// seed (printed) and FUZZ_RUNS (default 5000) targets; FUZZ_SEED / FUZZ_RUNS
// reproduce a run; FUZZ_FRAMEWORKS / FUZZ_MODES (comma lists) narrow it; FUZZ_TARGETS
// replays given targets; FUZZ_DUMP=<file> writes every exchange as JSON lines.
import { appendFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFixture, importGenerated } from '../helpers/generated.js';
import type { Guard } from '../../templates/runtime/runtime-server.js';
import type { Running } from '../e2e/support.js';
import { MODES_OF, startApp, type Adapters, type Framework, type Mode } from './apps.js';
import { pool, rawHttp, type RawResult } from './raw-client.js';
import { FUZZ_ID_HEADER, handlerRuns, PUBLIC_CONTROL_OPS, requiresCredentials, type HandlerRun } from './routes.js';
import { buildTargets, PUBLIC_CONTROLS, type Target } from './targets.js';

// ---------------------------------------------------------------------------
// Run parameters
// ---------------------------------------------------------------------------

const env = process.env;
const RANDOM = env['FUZZ_RANDOM'] === '1';
const SEED = env['FUZZ_SEED'] !== undefined ? Number(env['FUZZ_SEED']) : RANDOM ? Math.floor(Math.random() * 2 ** 31) : 20261202;
const RUNS = env['FUZZ_RUNS'] !== undefined ? Number(env['FUZZ_RUNS']) : RANDOM ? 5000 : 1500;
const CONCURRENCY = 16;
const REQUEST_TIMEOUT_MS = 2000;
const list = (name: string): string[] | undefined => env[name]?.split(',').map((s) => s.trim()).filter(Boolean);
const onlyFrameworks = list('FUZZ_FRAMEWORKS');
const onlyModes = list('FUZZ_MODES');
/** FUZZ_DUMP=<file>: every exchange as a JSON line (server, method, target, status, handlers), for diagnosis. */
const DUMP = env['FUZZ_DUMP'];
if (DUMP !== undefined) writeFileSync(DUMP, '');

const FRAMEWORKS: readonly Framework[] = ['express', 'fastify', 'koa', 'hono', 'node'];
const SERVERS = FRAMEWORKS.filter((f) => onlyFrameworks === undefined || onlyFrameworks.includes(f)).flatMap((framework) =>
  MODES_OF[framework].filter((m) => onlyModes === undefined || onlyModes.includes(m)).map((mode) => ({ framework, mode, name: `${framework}/${mode}` })),
);

/** FUZZ_TARGETS='GET /v1/files/../a/b /v1/x' replays just these (method optional, GET by default) plus the controls. */
const REPLAY = env['FUZZ_TARGETS']?.match(/(?:[A-Z]+ )?\S+/g)?.map((t): Target => {
  const [method, target] = t.includes(' ') ? (t.split(' ') as [string, string]) : ['GET', t];
  return { method, target };
});
const TARGETS: readonly Target[] = REPLAY !== undefined ? [...PUBLIC_CONTROLS, ...REPLAY] : buildTargets(SEED, RUNS);
console.log(`routing fuzz: seed ${SEED}, ${TARGETS.length} targets (${REPLAY !== undefined ? "FUZZ_TARGETS replay" : `${RUNS} generated`}), ${SERVERS.length} servers` + (RANDOM ? ' [FUZZ_RANDOM]' : ''));

// ---------------------------------------------------------------------------
// Setup
// ---------------------------------------------------------------------------

const VALID_KEY = 'k-good';
const verifiers = { ApiKey: (key: string) => (key === VALID_KEY ? { client: 'c' } : null) };

interface GuardModule {
  createGuard(verifiers: object): Guard<string, unknown>;
}

const running = new Map<string, Running>();
const summaries: string[] = [];

beforeAll(async () => {
  const dir = await generateFixture('test/fuzz/routing.yaml', 'fuzz-routing');
  const { createGuard } = await importGenerated<GuardModule>(dir, 'guard.ts');
  const guard = createGuard(verifiers);
  const adapters: Adapters = {
    express: await importGenerated(dir, 'express.ts'),
    fastify: await importGenerated(dir, 'fastify.ts'),
    koa: await importGenerated(dir, 'koa.ts'),
    hono: await importGenerated(dir, 'hono.ts'),
    node: await importGenerated(dir, 'node.ts'),
  };
  for (const s of SERVERS) running.set(s.name, await startApp(s.framework, s.mode, adapters, guard));
}, 60_000);

afterAll(async () => {
  for (const server of running.values()) await server.close();
  if (summaries.length > 0) console.log(`routing fuzz summary (seed ${SEED}, ${TARGETS.length} targets, status counts):\n` + summaries.join('\n'));
});

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

let nextId = 0;
const newId = (): string => `r${++nextId}`;

interface Exchange {
  readonly target: Target;
  readonly result: RawResult;
  readonly runs: readonly HandlerRun[];
}

interface Violation {
  /** Every rule the exchange broke. */
  readonly rules: readonly string[];
  readonly exchange: Exchange;
}

function violationOf(exchange: Exchange): Violation | undefined {
  const rules: string[] = [];
  if (exchange.result.error !== undefined) rules.push(`no HTTP response: ${exchange.result.error}`);
  for (const run of exchange.runs) {
    if (requiresCredentials(run.handlerOp)) rules.push(`protected handler ${run.route} ran without credentials`);
    if (run.handlerOp !== undefined && (!run.hasAuth || run.authOp !== run.handlerOp)) {
      rules.push(`handler ${run.route} (${run.handlerOp}) ran with auth decision ${run.hasAuth ? String(run.authOp) : 'none'}`);
    }
  }
  return rules.length === 0 ? undefined : { rules, exchange };
}

const clip = (s: string, n = 160): string => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);

function describeViolation(server: string, v: Violation): string {
  const { target, result, runs } = v.exchange;
  const handlers = runs.map((r) => `${r.route}[auth=${r.hasAuth ? String(r.authOp) : 'none'}]`).join(', ') || 'none';
  return `  ${server} ${target.method} ${JSON.stringify(clip(target.target))} → status ${result.status ?? '-'}, handlers: ${handlers}\n    ${v.rules.join('; ')}; body: ${JSON.stringify(clip(result.body, 120))}`;
}

async function exchange(port: number, target: Target, headers: Readonly<Record<string, string>> = {}): Promise<{ id: string; result: RawResult }> {
  const id = newId();
  const result = await rawHttp(port, target.method, target.target, { [FUZZ_ID_HEADER]: id, ...headers }, REQUEST_TIMEOUT_MS);
  return { id, result };
}

/** Takes the handler runs logged for `id` (after a short settle, so late runs count). */
function takeRuns(id: string): HandlerRun[] {
  const runs = handlerRuns.get(id) ?? [];
  handlerRuns.delete(id);
  return runs;
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100));

// ---------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------

describe('differential routing fuzz: requests without credentials never reach a protected handler', () => {
  it.each(SERVERS)('$name', async ({ name, mode }) => {
    const server = running.get(name);
    if (server === undefined) throw new Error(`${name} did not start`);
    const started = Date.now();

    const sent = await pool(TARGETS, CONCURRENCY, (target) => exchange(server.port, target));
    await settle();
    const exchanges: Exchange[] = sent.map(({ id, result }, i) => ({ target: TARGETS[i] as Target, result, runs: takeRuns(id) }));

    // Control: the same server lets a valid key through to the protected handler.
    const keyed = await exchange(server.port, { method: 'GET', target: '/v1/things/1' }, { 'x-api-key': VALID_KEY });
    await settle();
    const keyedRuns = takeRuns(keyed.id);

    if (DUMP !== undefined) {
      const lines = exchanges.map((e) => JSON.stringify({ server: name, method: e.target.method, target: e.target.target, status: e.result.status ?? null, error: e.result.error ?? null, runs: e.runs }));
      appendFileSync(DUMP, lines.join('\n') + '\n');
    }
    const violations = exchanges.flatMap((e) => violationOf(e) ?? []);
    const statuses = new Map<string, number>();
    for (const e of exchanges) {
      const k = e.result.status === undefined ? 'none' : String(e.result.status);
      statuses.set(k, (statuses.get(k) ?? 0) + 1);
    }
    const ran = new Set(exchanges.flatMap((e) => e.runs.filter((r) => r.hasAuth && r.authOp === r.handlerOp).map((r) => r.handlerOp)));
    const handlerCount = exchanges.filter((e) => e.runs.length > 0).length;
    const counts = [...statuses.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}:${n}`).join(' ');
    summaries.push(`  ${name.padEnd(14)} ${counts} | handler ran for ${handlerCount} | ${violations.length} violations | ${Date.now() - started} ms`);

    const report =
      `${violations.length} violations on ${name} (seed ${SEED}); first ${Math.min(10, violations.length)}:\n` +
      violations.slice(0, 10).map((v) => describeViolation(name, v)).join('\n');
    if (violations.length > 0) console.log(report);
    expect(violations.length, report).toBe(0);

    // Controls: public handlers ran; the valid key reached getThing with its decision.
    for (const op of PUBLIC_CONTROL_OPS) expect(ran.has(op), `${name}: public handler ${op} never ran`).toBe(true);
    expect(keyed.result.status, `${name}: GET /v1/things/1 with a valid key`).toBe(200);
    expect(keyedRuns.map((r) => [r.handlerOp, r.authOp]), `${name}: GET /v1/things/1 with a valid key`).toEqual([['getThing', 'getThing']]);
    if (mode === 'next') {
      // `outsideSpec: ['GET /healthz']` lets the route outside the spec through.
      const health = await exchange(server.port, { method: 'GET', target: '/healthz' });
      await settle();
      expect([health.result.status, takeRuns(health.id).map((r) => r.route)], `${name}: GET /healthz (outsideSpec)`).toEqual([200, ['healthz']]);
    }
  }, Math.max(120_000, RUNS * 60));
});
