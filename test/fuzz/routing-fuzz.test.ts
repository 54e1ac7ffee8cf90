// Differential routing fuzz test: the guard must enforce the operation whose handler
// the framework runs. One server per framework × mode (Express 5, Fastify 5, Koa 3 +
// @koa/router, Hono on @hono/node-server, node:http + find-my-way, the Fetch adapter
// on @hono/node-server with find-my-way's `find`; app-wide, Koa's path-matching
// middleware without `{ router }`, `next`, per-route, mounted) gets the same list of
// raw request targets over real loopback sockets, all WITHOUT credentials. Every
// handler logs the operation it implements and the operation of the auth decision
// the adapter stored. For every request:
//   1. no handler of an operation that requires credentials ran;
//   2. a handler of a spec operation ran only with a decision for that operation;
//   3. the server answered with an HTTP response (within 2 s) and flagged no anomaly.
// Controls keep it from passing vacuously: public handlers run, a valid key reaches
// the protected getThing handler, in every framework and mode, and in mode `next` the
// routes outside the spec listed in `outsideSpec` (`/healthz`, and `/v1/catalog/export`
// under the spec's `/catalog` prefix) reach their own handlers.
//
// Fixed seed and ~1500 generated targets by default; `FUZZ_RANDOM=1` uses a random
// seed (printed) and FUZZ_RUNS (default 5000) targets; FUZZ_SEED / FUZZ_RUNS
// reproduce a run; FUZZ_FRAMEWORKS / FUZZ_MODES (comma lists) narrow it; FUZZ_TARGETS
// replays given targets; FUZZ_DUMP=<file> writes every exchange as JSON lines
// (to <file> with `.routing` before the extension). The siblings fixture is
// siblings-fuzz.test.ts; the shared machinery is harness.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS, MODES_OF, startApp, type Started } from './apps.js';
import { dumpFile, exchangeAll, fuzzServer, loadFixture, RANDOM, REPLAY, runsOr, SEED, selected, VALID_KEY, type Exchange } from './harness.js';
import { OUTSIDE_SPEC_CONTROLS, PUBLIC_CONTROL_OPS, requiresCredentials, ROUTING_APP } from './routes.js';
import { buildTargets, PUBLIC_CONTROLS, ROUTING_CORPUS, type Target } from './targets.js';

const RUNS = runsOr(1500);
const DUMP = dumpFile('routing');
const SERVERS = FRAMEWORKS.flatMap((framework) =>
  MODES_OF[framework].filter((mode) => selected(framework, mode)).map((mode) => ({ framework, mode, name: `${framework}/${mode}` })),
);
const TARGETS: readonly Target[] = REPLAY !== undefined ? [...PUBLIC_CONTROLS, ...REPLAY] : buildTargets(SEED, RUNS, ROUTING_CORPUS);
console.log(`routing fuzz: seed ${SEED}, ${TARGETS.length} targets (${REPLAY !== undefined ? 'FUZZ_TARGETS replay' : `${RUNS} generated`}), ${SERVERS.length} servers` + (RANDOM ? ' [FUZZ_RANDOM]' : ''));


const running = new Map<string, Started>();
const summaries: string[] = [];

beforeAll(async () => {
  const { guard, adapters } = await loadFixture('test/fuzz/routing.yaml', 'fuzz-routing');
  for (const s of SERVERS) running.set(s.name, await startApp(s.framework, s.mode, adapters, guard, ROUTING_APP));
}, 60_000);

afterAll(async () => {
  for (const server of running.values()) await server.close();
  if (summaries.length > 0) console.log(`routing fuzz summary (seed ${SEED}, ${TARGETS.length} targets, status counts):\n` + summaries.join('\n'));
});

/** Properties 1 and 2 for one exchange (3 is checked by the harness). */
function rules(exchange: Exchange): string[] {
  const broken: string[] = [];
  for (const run of exchange.runs) {
    if (requiresCredentials(run.handlerOp)) broken.push(`protected handler ${run.route} ran without credentials`);
    if (run.handlerOp !== undefined && (!run.hasAuth || run.authOp !== run.handlerOp)) {
      broken.push(`handler ${run.route} (${run.handlerOp}) ran with auth decision ${run.hasAuth ? String(run.authOp) : 'none'}`);
    }
  }
  return broken;
}

describe('differential routing fuzz: requests without credentials never reach a protected handler', () => {
  it.each(SERVERS)('$name', async ({ name, mode }) => {
    const server = running.get(name);
    if (server === undefined) throw new Error(`${name} did not start`);
    const { exchanges, violations, report, summary } = await fuzzServer(name, server.port, TARGETS, rules, SEED, DUMP);
    summaries.push(summary + (server.skipped.length > 0 ? ` | skipped ${server.skipped.join(', ')}` : ''));
    if (violations.length > 0) console.log(report);
    expect(violations.length, report).toBe(0);

    // Controls: public handlers ran; the valid key reached getThing with its decision.
    const ran = new Set(exchanges.flatMap((e) => e.runs.filter((r) => r.hasAuth && r.authOp === r.handlerOp).map((r) => r.handlerOp)));
    for (const op of PUBLIC_CONTROL_OPS) expect(ran.has(op), `${name}: public handler ${op} never ran`).toBe(true);
    const [keyed] = await exchangeAll(server.port, [{ method: 'GET', target: '/v1/things/1' }], { 'x-api-key': VALID_KEY });
    if (keyed === undefined) throw new Error('no keyed exchange');
    expect(keyed.result.status, `${name}: GET /v1/things/1 with a valid key`).toBe(200);
    expect(keyed.runs.map((r) => [r.handlerOp, r.authOp]), `${name}: GET /v1/things/1 with a valid key`).toEqual([['getThing', 'getThing']]);
    if (mode === 'next') {
      // `outsideSpec` lets the routes outside the spec through, also one under a spec prefix.
      const outside = await exchangeAll(server.port, OUTSIDE_SPEC_CONTROLS.map((c) => ({ method: 'GET', target: c.target })));
      const seen = outside.map((e) => [e.target.target, e.result.status, e.runs.map((r) => r.route)]);
      expect(seen, `${name}: outsideSpec routes`).toEqual(OUTSIDE_SPEC_CONTROLS.map((c) => [c.target, 200, [c.route]]));
    }
  }, Math.max(120_000, RUNS * 60));
});
