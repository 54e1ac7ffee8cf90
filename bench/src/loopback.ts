// Family 4: loopback throughput. Express 5 and Fastify 5 (bench/server.mjs, a fresh
// process per run): bare / hand-written check / the generated adapter with valid
// credentials / hand-written and guard with invalid credentials, rounds alternating the
// five, autocannon with 10 connections; the goal is ≤ 5% throughput cost.
import path from 'node:path';
import { BENCH, HTTP_ROUNDS, HTTP_SECONDS, log } from './config.js';
import { fmt, pct, section, table, yes, type Section } from './report.js';
import { load, pinned, startServer } from './servers.js';
import { halfRange, median } from './timing.js';

const GOAL = 0.05;

export interface LoopbackRow {
  framework: string;
  bare: number;
  hand: number;
  valid: number;
  handInvalid: number;
  invalid: number;
  spread: number;
}

export async function measureLoopback(petDir: string): Promise<LoopbackRow[]> {
  const valid = { 'x-api-key': 'key-1', 'x-app-id': 'app-1' };
  const invalid = { 'x-api-key': 'wrong', 'x-app-id': 'app-1' };
  const rows: LoopbackRow[] = [];
  for (const framework of ['express', 'fastify']) {
    const r: Record<'bare' | 'hand' | 'valid' | 'handInvalid' | 'invalid', number[]> = { bare: [], hand: [], valid: [], handInvalid: [], invalid: [] };
    for (let round = 0; round < HTTP_ROUNDS; round++) {
      for (const [key, variant, headers, status] of [['bare', 'bare', valid, 200], ['hand', 'hand', valid, 200], ['valid', 'guard', valid, 200], ['handInvalid', 'hand', invalid, 401], ['invalid', 'guard', invalid, 401]] as const) {
        log(`http: ${framework} ${key}, round ${round + 1}/${HTTP_ROUNDS} (${HTTP_SECONDS} s)`);
        const { child, port } = await startServer(path.join(BENCH, 'server.mjs'), [framework, variant, petDir]);
        try {
          // Warm-up (JIT, connection pools), discarded, then the measured run.
          load(port, headers, 1);
          const res = load(port, headers, HTTP_SECONDS);
          const wrong = res.non2xx && status === 200 ? res.non2xx : 0;
          if (wrong || res.errors) throw new Error(`${framework} ${key}: ${wrong} unexpected statuses, ${res.errors} errors`);
          if (status === 401 && res['4xx'] < res['2xx']) throw new Error(`${framework} ${key}: expected 401s, got ${res['4xx']} 4xx and ${res['2xx']} 2xx`);
          r[key].push(res.requests.average);
        } finally {
          child.kill();
        }
      }
    }
    const spread = Math.max(...Object.values(r).map(halfRange));
    rows.push({ framework, bare: median(r.bare), hand: median(r.hand), valid: median(r.valid), handInvalid: median(r.handInvalid), invalid: median(r.invalid), spread });
  }
  return rows;
}

export function loopbackReport(rows: LoopbackRow[], error: string | undefined): Section {
  const out = section();
  const L = out.lines;
  L.push('', '## Loopback throughput (autocannon, 10 connections, 127.0.0.1)', '');
  for (const fw of ['express', 'fastify']) {
    const h = rows.find((x) => x.framework === fw);
    const goal = `${fw} throughput cost ≤ 5%`;
    if (!h) out.goals.push({ goal, figure: HTTP_SECONDS <= 0 ? 'n/a (BENCH_HTTP_SECONDS=0)' : 'n/a', met: undefined, beforeKey: fw });
    else out.goals.push({ goal, figure: `valid ${pct(1 - h.valid / h.bare)}, invalid ${pct(1 - h.invalid / h.bare)} (against bare; against the same 401 hand-written: ${pct(1 - h.invalid / h.handInvalid)})`, met: 1 - h.valid / h.bare <= GOAL && 1 - h.invalid / h.bare <= GOAL, beforeKey: fw });
  }
  if (HTTP_SECONDS <= 0) {
    L.push('Skipped (BENCH_HTTP_SECONDS=0).');
    return out;
  }
  if (error || rows.length === 0) {
    L.push(`Not measured in this run: ${error ?? 'no result'}`);
    return out;
  }
  L.push(
    `${HTTP_SECONDS} s per run after a discarded 1 s warm-up${pinned ? ' (server on CPU 1, autocannon on CPU 0, via taskset)' : ''}, ${HTTP_ROUNDS} round${HTTP_ROUNDS === 1 ? '' : 's'} alternating bare / hand-written check / guard with valid / hand-written with invalid / guard with invalid credentials, a fresh server process per run, ${HTTP_ROUNDS === 1 ? 'requests per second' : 'median requests per second'}. The guard is the generated adapter for the petstore spec, wired as a user would: Express \`app.use(authMiddleware(guard))\`, Fastify \`app.addHook('onRequest', authHook(guard))\` (bench/server.mjs). Goal: ≤ 5% throughput cost, valid and invalid.`,
    '',
  );
  const bold = (c: number) => `**${pct(c)}** (${yes(c <= GOAL)})`;
  L.push(
    ...table(
      ['framework', 'bare (200)', 'hand-written check, valid (200)', 'cost', 'generated guard, valid (200)', 'cost', 'hand-written check, invalid (401)', 'cost', 'generated guard, invalid (401)', 'cost', 'guard ÷ hand-written, invalid'],
      'lrrrrrrrrrr',
      rows.map((h) => [h.framework, `${fmt(h.bare, 0)} req/s`, `${fmt(h.hand, 0)} req/s`, pct(1 - h.hand / h.bare), `${fmt(h.valid, 0)} req/s`, bold(1 - h.valid / h.bare), `${fmt(h.handInvalid, 0)} req/s`, pct(1 - h.handInvalid / h.bare), `${fmt(h.invalid, 0)} req/s`, bold(1 - h.invalid / h.bare), pct(1 - h.invalid / h.handInvalid)]),
    ),
  );
  L.push('', "The hand-written columns are the same two checks with the same async verifiers in an async middleware/hook (no route matching); on a failure it sends the same 401 the guard sends (status, `WWW-Authenticate`, problem body), so the last column is the guard's own cost on the invalid path. Both invalid columns answer 401 instead of the route's 200, so their cost against bare also measures a different response.");
  const spread = Math.max(...rows.map((h) => h.spread));
  L.push('', HTTP_ROUNDS > 1 ? `Round-to-round spread in this run: up to ±${pct(spread)} of a median (half the range of its rounds), so a cost smaller than that is not distinguishable from zero.` : 'One round only: no spread can be given; a single loopback figure on a shared machine is easily off by 10%.');
  if (out.goals.some((g) => g.met === false)) {
    out.where.push("- **Throughput.** A cost inside the round-to-round spread above is not a measurement. The invalid column also changes the response (a 401 with an RFC 9457 body and `WWW-Authenticate` instead of the route's 200), which in Fastify is sent from the `onRequest` hook through `reply.send` with its own header handling.");
  }
  return out;
}
