// Differential routing fuzz, siblings fixture (test/fuzz/siblings.yaml): spec paths
// routers take as one route, a public operation next to a protected one each (letter
// case, a trailing slash, parameter names, a concrete segment next to a template, an
// explicit HEAD next to GET), the user's routes registered protected-first (`:prot`)
// or public-first (`:pub`) across servers of every framework and mode (`mount`
// registers them itself). Raw targets over loopback, all WITHOUT credentials. For
// every request:
//   1. no handler of an operation that requires credentials ran;
//   2. a handler ran only with a stored decision for one of the operations that
//      overlap its path (the guard requires every overlapping operation and hands on
//      one decision, so "decision op == handler op" does not hold here by design);
//   3. the server answered with an HTTP response (within 2 s) and flagged no anomaly.
// Controls: the public /status handler (no sibling) runs; with a valid key each
// protected operation's path answers 200 from a handler of its overlap group, and
// from the protected handler itself where the routes were registered protected-first.
//
// Fastify has no `mount` server here: `mountOperations` cannot register both
// `/u/{id}` and `/u/{name}` (FST_ERR_DUPLICATED_ROUTE at start-up). Where find-my-way
// (Fastify, node:http, Fetch) refuses the second of the two, the server leaves it out.
// Environment as in routing-fuzz.test.ts; ~400 generated targets by default (FUZZ_RUNS
// with FUZZ_RANDOM); FUZZ_DUMP writes to <file> with `.siblings` before the extension.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type Framework, type Mode, type Started } from './apps.js';
import { dumpFile, exchangeAll, fuzzServer, loadFixture, RANDOM, REPLAY, runsOr, SEED, selected, VALID_KEY, type Exchange } from './harness.js';
import { KEYED_CONTROLS, type KeyedControl, overlapsOf, PUBLIC_CONTROL, PUBLIC_CONTROL_OP, siblingRequiresCredentials, siblingsApp, SIBLINGS_CORPUS, SIBLING_OPERATIONS, type Order } from './siblings-routes.js';
import { buildTargets, type Target } from './targets.js';

const RUNS = runsOr(400);
const DUMP = dumpFile('siblings');

interface SiblingServer {
  readonly framework: Framework;
  readonly mode: Mode;
  /** Registration order of the user's routes; `undefined` for `mount`. */
  readonly order: Order | undefined;
  readonly name: string;
}

const BOTH: readonly Order[] = ['prot', 'pub'];
const LAYOUT: Readonly<Record<Framework, readonly Mode[]>> = {
  express: ['app', 'route', 'mount'],
  fastify: ['app', 'route'],
  koa: ['app', 'path', 'route', 'mount'],
  hono: ['app', 'route', 'mount'],
  node: ['app', 'route'],
  fetch: ['app', 'route'],
};
const SERVERS: readonly SiblingServer[] = (Object.keys(LAYOUT) as Framework[]).flatMap((framework) =>
  LAYOUT[framework]
    .filter((mode) => selected(framework, mode))
    .flatMap((mode): SiblingServer[] =>
      mode === 'mount'
        ? [{ framework, mode, order: undefined, name: `${framework}/${mode}` }]
        : BOTH.map((order) => ({ framework, mode, order, name: `${framework}/${mode}:${order}` })),
    ),
);
const TARGETS: readonly Target[] = REPLAY !== undefined ? [PUBLIC_CONTROL, ...REPLAY] : buildTargets(SEED, RUNS, SIBLINGS_CORPUS);
console.log(`siblings fuzz: seed ${SEED}, ${TARGETS.length} targets (${REPLAY !== undefined ? 'FUZZ_TARGETS replay' : `${RUNS} generated`}), ${SERVERS.length} servers` + (RANDOM ? ' [FUZZ_RANDOM]' : ''));


const running = new Map<string, Started>();
const summaries: string[] = [];

beforeAll(async () => {
  const { guard, adapters } = await loadFixture('test/fuzz/siblings.yaml', 'fuzz-siblings');
  for (const s of SERVERS) running.set(s.name, await startApp(s.framework, s.mode, adapters, guard, siblingsApp(s.order ?? 'prot')));
}, 60_000);

afterAll(async () => {
  for (const server of running.values()) await server.close();
  if (summaries.length > 0) console.log(`siblings fuzz summary (seed ${SEED}, ${TARGETS.length} targets, status counts):\n` + summaries.join('\n'));
});

/** Properties 1 and 2 (overlap form) for one exchange; 3 is checked by the harness. */
function rules(exchange: Exchange): string[] {
  const broken: string[] = [];
  for (const run of exchange.runs) {
    if (siblingRequiresCredentials(run.handlerOp)) broken.push(`protected handler ${run.route} ran without credentials`);
    if (run.handlerOp !== undefined && (!run.hasAuth || run.authOp === undefined || !overlapsOf(run.handlerOp).includes(run.authOp))) {
      broken.push(`handler ${run.route} (${run.handlerOp}) ran with auth decision ${run.hasAuth ? String(run.authOp) : 'none'}, not one of ${overlapsOf(run.handlerOp).join('/')}`);
    }
  }
  return broken;
}

const PUBLIC_OPS = Object.entries(SIBLING_OPERATIONS).flatMap(([op, secured]) => (secured ? [] : [op]));

describe('siblings routing fuzz: overlapping spec paths never let a request without credentials reach a protected handler', () => {
  it.each(SERVERS)('$name', async ({ name, order }) => {
    const server = running.get(name);
    if (server === undefined) throw new Error(`${name} did not start`);
    const { exchanges, violations, report, summary } = await fuzzServer(name, server.port, TARGETS, rules, SEED, DUMP);
    const ran = new Set(exchanges.flatMap((e) => e.runs.filter((r) => r.hasAuth).map((r) => r.handlerOp)));
    const publicRan = PUBLIC_OPS.filter((op) => ran.has(op)).join(',');
    summaries.push(`${summary} | public ran: ${publicRan || 'none'}` + (server.skipped.length > 0 ? ` | skipped ${server.skipped.join(', ')}` : ''));
    if (violations.length > 0) console.log(report);
    expect(violations.length, report).toBe(0);

    // Control: the public handler with no protected sibling ran, with its own decision.
    const control = exchanges.find((e) => e.target === PUBLIC_CONTROL);
    expect(control?.runs.map((r) => [r.handlerOp, r.authOp]), `${name}: GET ${PUBLIC_CONTROL.target} without credentials`).toEqual([[PUBLIC_CONTROL_OP, PUBLIC_CONTROL_OP]]);

    // Control: a valid key reaches a handler of each protected path's group, protected-first its own.
    const failures: string[] = [];
    const answers = await exchangeAll(server.port, KEYED_CONTROLS, { 'x-api-key': VALID_KEY });
    for (const [i, { result, runs }] of answers.entries()) {
      const keyed = KEYED_CONTROLS[i] as KeyedControl;
      const [run, ...more] = runs;
      const seen = `status ${result.status ?? '-'}, handlers ${runs.map((r) => `${r.route}[auth=${String(r.authOp)}]`).join(', ') || 'none'}`;
      const group: readonly (string | undefined)[] = keyed.overlaps;
      const inGroup = run !== undefined && more.length === 0 && group.includes(run.handlerOp) && group.includes(run.authOp);
      const own = order !== 'prot' || run?.handlerOp === keyed.op;
      if (result.status !== 200 || !inGroup || !own) failures.push(`${keyed.method} ${keyed.target} with a valid key (${keyed.op}): ${seen}`);
    }
    expect(failures, `${name}: keyed controls`).toEqual([]);
  }, Math.max(120_000, RUNS * 60));
});
