// The stores' throughput cost measured side by side: a store server and an in-memory one
// run at the same time on the same core (CPU 1), each under its own autocannon (both on
// CPU 0). Measured one after the other, the same server's rate moved by ±20% from run to
// run on this project's 2-core machine, more than the 10% the goal is about; run
// together, whatever slows the machine down slows both alike. The kernel's scheduler
// gives two processes that are always ready to run equal shares of a core, so the ratio
// of their rates is the inverse ratio of their cost per request; each server's own CPU
// time per request (/proc) is read as well, which does not depend on equal shares. Two
// in-memory servers side by side read 1.00 ± 0.03 (checked: BENCH_STORES_PAIRS=memory:memory).
// The in-memory server comes in two forms: `memory`, a process without PostgreSQL, and
// `memory-pg`, one that did the store's PostgreSQL start-up too and never uses it per
// request (bench/store-server.mjs): the difference between the two is what pg's start-up
// does to node itself, not what the store does per request.
import path from 'node:path';
import { BENCH, log } from './config.js';
import { sideBySide, startServer, stopServer, type Started } from './servers.js';
import { serverEnv, type ServerConfig } from './stores-throughput.js';
import { halfRange, median } from './timing.js';

/** bench/store-server.mjs variants a pair can name. */
export type ServerVariant = 'memory' | 'memory-pg' | 'postgres' | 'postgres-quota-batch';
export interface Pair {
  /** The server measured. */
  server: ServerVariant;
  /** The in-memory server beside it. */
  base: ServerVariant;
}
/**
 * (d) and (c) beside (a′), the in-memory server with pg's start-up. (d) beside (a), a
 * process without pg, is left out to keep the bench under 10 minutes: it measures pg's
 * start-up rather than the store (stores-report.ts quotes its figures).
 */
export const DEFAULT_PAIRS: readonly Pair[] = [
  { server: 'postgres-quota-batch', base: 'memory-pg' },
  { server: 'postgres', base: 'memory-pg' },
];

/** `server:base,…` (BENCH_STORES_PAIRS), else the default pairs. */
export function pairsFrom(spec: string | undefined): readonly Pair[] {
  if (spec === undefined || spec === '') return DEFAULT_PAIRS;
  const known = new Set<string>(['memory', 'memory-pg', 'postgres', 'postgres-quota-batch']);
  return spec.split(',').map((item) => {
    const [server, base] = item.split(':');
    if (!known.has(server ?? '') || !known.has(base ?? '')) throw new Error(`BENCH_STORES_PAIRS: ${JSON.stringify(item)} is not server:base of ${[...known].join(', ')}`);
    return { server: server as ServerVariant, base: base as ServerVariant };
  });
}

export interface PairedFigures extends Pair {
  /** Median over the rounds of the server's rate ÷ the base's, in the same run. */
  ratio: number;
  /** Half the range of the rounds' ratios, relative to their median. */
  spread: number;
  /** Median over the rounds of the server's CPU per request ÷ the base's. */
  cpuRatio: number | undefined;
  /** The medians of the two rates (requests per second, each with half a core). */
  rate: number;
  baseRate: number;
  rounds: number;
}

/** Both servers loaded at once for `seconds` (servers.ts `sideBySide`); every answer must be a 200. */
async function together(a: Started, b: Started, headers: Record<string, string>, seconds: number) {
  const { results, cpu } = await sideBySide(a, b, [headers, headers], seconds);
  for (const r of results) {
    if (r.non2xx || r.errors || r.timeouts) throw new Error(`side by side: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts (expected 200s only)`);
  }
  return { rates: results.map((r) => r.requests.average), cpu };
}

/** `pair.server` and `pair.base` side by side on CPU 1, `rounds` times (fresh processes each round, started in alternating order). */
export async function pairedThroughput(o: ServerConfig & { pair: Pair; seconds: number; rounds: number }): Promise<PairedFigures> {
  const env = serverEnv(o);
  const headers = { 'x-api-key': o.key, 'x-app-id': 'app-1' };
  const script = path.join(BENCH, 'store-server.mjs');
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  const rates: number[] = [];
  const baseRates: number[] = [];
  for (let round = 0; round < o.rounds; round++) {
    log(`stores: ${o.pair.server} beside ${o.pair.base} on one core, round ${round + 1}/${o.rounds} (${o.seconds} s)`);
    // Started in alternating order: the one started second does not always find the warmer machine.
    const baseFirst = round % 2 === 0;
    const started: Started[] = [];
    try {
      for (const variant of baseFirst ? [o.pair.base, o.pair.server] : [o.pair.server, o.pair.base]) started.push(await startServer(script, [variant, o.dir], env));
      const [base, server] = (baseFirst ? started : [...started].reverse()) as [Started, Started];
      await together(base, server, headers, 1); // warm-up of both (JIT, the first lookup, connections), discarded
      const { rates: [rb, rs], cpu: [cb, cs] } = await together(base, server, headers, o.seconds);
      ratios.push((rs as number) / (rb as number));
      rates.push(rs as number);
      baseRates.push(rb as number);
      if (cb !== undefined && cs !== undefined) cpuRatios.push(cs / cb);
    } finally {
      for (const s of started) await stopServer(s.child);
    }
  }
  return {
    ...o.pair,
    ratio: median(ratios),
    spread: halfRange(ratios),
    cpuRatio: cpuRatios.length === o.rounds ? median(cpuRatios) : undefined,
    rate: median(rates),
    baseRate: median(baseRates),
    rounds: o.rounds,
  };
}
