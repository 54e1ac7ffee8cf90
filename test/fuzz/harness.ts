// Shared machinery of the routing fuzz tests (routing-fuzz.test.ts, siblings-fuzz.test.ts):
// the run parameters read from the environment, the key the verifier accepts, sending
// one target over a raw socket with its `x-fuzz-id`, collecting the handler runs each
// request caused, and fuzzing one server with a list of targets: every exchange is
// checked by the fixture's own rules plus the common ones (an HTTP response arrived
// within the timeout; no server flagged an anomaly), and the result comes back as
// the violations, a diagnosable report and a one-line status summary.
import { appendFileSync, writeFileSync } from 'node:fs';
import { pool, rawHttp, type RawResult } from './raw-client.js';
import { ANOMALY_HEADER, FUZZ_ID_HEADER, handlerRuns, type HandlerRun } from './routes.js';
import type { Target } from './targets.js';
import type { Adapters } from './apps.js';
import { generateFixture, importGenerated } from '../helpers/generated.js';
import type { Guard } from '../../templates/runtime/runtime-server.js';

// ---------------------------------------------------------------------------
// Run parameters
// ---------------------------------------------------------------------------

const env = process.env;
export const RANDOM = env['FUZZ_RANDOM'] === '1';
export const SEED = env['FUZZ_SEED'] !== undefined ? Number(env['FUZZ_SEED']) : RANDOM ? Math.floor(Math.random() * 2 ** 31) : 20261202;
/** FUZZ_RUNS, else 5000 with FUZZ_RANDOM, else the fixture's fixed-seed default. */
export const runsOr = (fixedDefault: number): number => (env['FUZZ_RUNS'] !== undefined ? Number(env['FUZZ_RUNS']) : RANDOM ? 5000 : fixedDefault);
const CONCURRENCY = 16;
const REQUEST_TIMEOUT_MS = 2000;

const list = (name: string): string[] | undefined => env[name]?.split(',').map((s) => s.trim()).filter(Boolean);
const onlyFrameworks = list('FUZZ_FRAMEWORKS');
const onlyModes = list('FUZZ_MODES');
/** Whether FUZZ_FRAMEWORKS / FUZZ_MODES (comma lists) keep this server. */
export const selected = (framework: string, mode: string): boolean =>
  (onlyFrameworks === undefined || onlyFrameworks.includes(framework)) && (onlyModes === undefined || onlyModes.includes(mode));

/** FUZZ_TARGETS='GET /v1/files/../a/b /v1/x' replays just these (method optional, GET by default). */
export const REPLAY: readonly Target[] | undefined = env['FUZZ_TARGETS']?.match(/(?:[A-Z]+ )?\S+/g)?.map((t): Target => {
  const [method, target] = t.includes(' ') ? (t.split(' ') as [string, string]) : ['GET', t];
  return { method, target };
});

/** FUZZ_DUMP=<file>: every exchange as a JSON line; each fixture writes `<file>` with its name before the extension. */
export function dumpFile(fixture: string): string | undefined {
  const base = env['FUZZ_DUMP'];
  if (base === undefined) return undefined;
  const file = base.replace(/(\.[^./]*)?$/, (ext) => `.${fixture}${ext}`);
  writeFileSync(file, '');
  return file;
}

// ---------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------

export const VALID_KEY = 'k-good';
export const verifiers = { ApiKey: (key: string) => (key === VALID_KEY ? { client: 'c' } : null) };

// ---------------------------------------------------------------------------
// Exchanges
// ---------------------------------------------------------------------------

let nextId = 0;

export interface Exchange {
  readonly target: Target;
  readonly result: RawResult;
  readonly runs: readonly HandlerRun[];
}

export interface Violation {
  /** Every rule the exchange broke. */
  readonly rules: readonly string[];
  readonly exchange: Exchange;
}

/** Sends one target; the response and the id its handler runs are logged under. */
async function send(port: number, target: Target, headers: Readonly<Record<string, string>> = {}): Promise<{ id: string; result: RawResult }> {
  const id = `r${++nextId}`;
  const result = await rawHttp(port, target.method, target.target, { [FUZZ_ID_HEADER]: id, ...headers }, REQUEST_TIMEOUT_MS);
  return { id, result };
}

/** Takes the handler runs logged for `id`. */
function takeRuns(id: string): HandlerRun[] {
  const runs = handlerRuns.get(id) ?? [];
  handlerRuns.delete(id);
  return runs;
}

/** A short wait, so handler runs that come late still count. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100));

/** A few requests (controls, e.g. with a valid key) at once, settled, each with its handler runs. */
export async function exchangeAll(port: number, targets: readonly Target[], headers: Readonly<Record<string, string>> = {}): Promise<Exchange[]> {
  const sent = await Promise.all(targets.map((target) => send(port, target, headers)));
  await settle();
  return sent.map(({ id, result }, i) => ({ target: targets[i] as Target, result, runs: takeRuns(id) }));
}

/** The rules every exchange keeps, whatever the fixture. */
function commonRules(e: Exchange): string[] {
  const rules: string[] = [];
  if (e.result.error !== undefined) rules.push(`no HTTP response: ${e.result.error}`);
  const anomaly = new RegExp(`\\r\\n${ANOMALY_HEADER}: *([^\\r]*)`, 'i').exec(e.result.head);
  if (anomaly !== null) rules.push(`server flagged an anomaly: ${anomaly[1] ?? ''}`);
  return rules;
}

const clip = (s: string, n = 160): string => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);

function describeViolation(server: string, v: Violation): string {
  const { target, result, runs } = v.exchange;
  const handlers = runs.map((r) => `${r.route}[auth=${r.hasAuth ? String(r.authOp) : 'none'}]`).join(', ') || 'none';
  return `  ${server} ${target.method} ${JSON.stringify(clip(target.target))} → status ${result.status ?? '-'}, handlers: ${handlers}\n    ${v.rules.join('; ')}; body: ${JSON.stringify(clip(result.body, 120))}`;
}

export interface FuzzResult {
  readonly exchanges: readonly Exchange[];
  readonly violations: readonly Violation[];
  /** The first violations, each with target, status, handlers, rules and body ('' when none). */
  readonly report: string;
  /** Status counts, how many requests reached a handler, violations, time. */
  readonly summary: string;
}

/**
 * Sends every target to `port` without credentials, `CONCURRENCY` in flight, and
 * checks each exchange by `rules` (the fixture's) and the common rules.
 */
export async function fuzzServer(name: string, port: number, targets: readonly Target[], rules: (e: Exchange) => string[], seed: number, dump?: string): Promise<FuzzResult> {
  const started = Date.now();
  const sent = await pool(targets, CONCURRENCY, (target) => send(port, target));
  await settle();
  const exchanges: Exchange[] = sent.map(({ id, result }, i) => ({ target: targets[i] as Target, result, runs: takeRuns(id) }));
  if (dump !== undefined) {
    const lines = exchanges.map((e) => JSON.stringify({ server: name, method: e.target.method, target: e.target.target, status: e.result.status ?? null, error: e.result.error ?? null, runs: e.runs }));
    appendFileSync(dump, lines.join('\n') + '\n');
  }
  const violations = exchanges.flatMap((exchange): Violation[] => {
    const broken = [...commonRules(exchange), ...rules(exchange)];
    return broken.length === 0 ? [] : [{ rules: broken, exchange }];
  });
  const statuses = new Map<string, number>();
  for (const e of exchanges) {
    const k = e.result.status === undefined ? 'none' : String(e.result.status);
    statuses.set(k, (statuses.get(k) ?? 0) + 1);
  }
  const counts = [...statuses.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}:${n}`).join(' ');
  const handlerCount = exchanges.filter((e) => e.runs.length > 0).length;
  const summary = `  ${name.padEnd(16)} ${counts} | handler ran for ${handlerCount} | ${violations.length} violations | ${Date.now() - started} ms`;
  const report =
    violations.length === 0
      ? ''
      : `${violations.length} violations on ${name} (seed ${seed}); first ${Math.min(10, violations.length)}:\n` + violations.slice(0, 10).map((v) => describeViolation(name, v)).join('\n');
  return { exchanges, violations, report, summary };
}

/** Generates a fixture spec's output and loads its guard (with the fuzz verifiers) and every adapter. */
export async function loadFixture(spec: string, name: string): Promise<{ guard: Guard<string, unknown>; adapters: Adapters }> {
  const dir = await generateFixture(spec, name);
  const { createGuard } = await importGenerated<{ createGuard(verifiers: object): Guard<string, unknown> }>(dir, 'guard.ts');
  const adapters: Adapters = {
    express: await importGenerated(dir, 'express.ts'),
    fastify: await importGenerated(dir, 'fastify.ts'),
    koa: await importGenerated(dir, 'koa.ts'),
    hono: await importGenerated(dir, 'hono.ts'),
    node: await importGenerated(dir, 'node.ts'),
    fetch: await importGenerated(dir, 'fetch.ts'),
  };
  return { guard: createGuard(verifiers), adapters };
}
