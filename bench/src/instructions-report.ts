// The "Instruction counts" section: how the callgrind figures shown beside the guard and
// stores tables are made, both sets of counts with their ratios, and how repeatable they
// were in this run (the two N1 segments of each contender give two estimates).
import { GUARD_N, MARKER, SEEDS, STORES_N, STORES_SEGMENTS, type InstructionCounts, type PerCall } from './instructions.js';
import type { ServerCount, StoreInstructions } from './instructions-stores.js';
import { count, fmt, pct, section, table, type Section } from './report.js';

export function instructionsReport(guard: InstructionCounts | undefined, stores: StoreInstructions | undefined, labels: Record<string, string>): Section {
  const out = section();
  const L = out.lines;
  L.push('', '## Instruction counts (callgrind)', '');
  L.push(
    `Besides wall and CPU time, instructions executed (callgrind's Ir), counted with \`valgrind --tool=callgrind --dump-instr=no --collect-jumps=no --dump-before=${MARKER}\` around \`node --single-threaded ${SEEDS.join(' ')}\` (no concurrent compiler or GC threads; V8's hash and random seeds fixed, which it otherwise draws per process: a string's hash decides where a \`Map\` keeps it, and the same build counted up to 40 instructions apart from run to run without them). The script (bench/src/instructions-guard.ts) or server (bench/store-server.mjs, a keep-alive client sending the requests one after another over one connection, so that every request runs the same sequence of calls) calls \`os.hostname()\` between segments, which makes callgrind dump and reset its counters: each contender runs a warm-up (the JIT settles), then N1 and N2 calls in pairs (three for the guard rows, four for the stores servers), one segment each; node runs with 128 MB semi-spaces, so no collection happens inside a segment, and a minor collection (\`--expose-gc\`) before each marker makes every segment start from the same young generation. Instructions per call = (Ir(N2) − Ir(N1)) ÷ (N2 − N1) for each pair, so start-up and each segment's fixed cost (the marker, the collection, the loop's entry) cancel; for the guard rows the median of the three pairs' estimates is reported, for a stores server (min Ir(N2) − min Ir(N1)) ÷ (N2 − N1), since a server's one-off costs only ever add. Guard rows: warm-up ${GUARD_N.warm}, N1 = ${GUARD_N.n1}, N2 = ${GUARD_N.n2} calls; stores servers: warm-up ${STORES_N.warm} requests with callgrind's instrumentation off (\`--instr-atstart=no\`, then \`callgrind_control -i on\`) and three discarded settling segments of ${STORES_N.settle} (their cost per request still fell by ~20% over the first ~25000, and again for some 4000 after instrumentation is turned on), nothing periodic in the counted server (cache TTL and LISTEN heartbeat longer than the count, idle pool connections kept), N1 = ${STORES_N.n1}, N2 = ${STORES_N.n2} requests. The raw dumps are left in test-output/bench/callgrind.`,
    '',
    "**These counts are repeatable whatever the machine's load**: a busy machine slows a run down but does not change which instructions it executes, so unlike the time figures above they do not move with other work on the machine, and a 10% regression in the code shows as a 10% change here. \"Repeatability\" below is the largest distance of a pair's estimate from that median, for the same contender in this run; rerunning the count gives figures within the same margin. They count instructions, not time: a cache miss or a system call costs one instruction here and much more on the clock, so they complement the time figures rather than replace them.",
    '',
  );
  const drift = (xs: Array<PerCall | undefined>) => Math.max(...xs.map((x) => x?.drift ?? 0));
  if (guard?.guard) {
    const g = guard.guard;
    L.push('Guard rows (instructions per call, the same contenders and requests as the guard table):', '');
    L.push(
      ...table(
        ['scenario', 'generated guard', 'hand-written', 'ratio', 'repeatability (largest distance of a pair from the median)'],
        'lrrrr',
        Object.entries(g).map(([k, v]) => [labels[k] ?? k, count(v.guard.ir), count(v.hand.ir), `**${fmt(v.guard.ir / v.hand.ir)}×**`, pct(drift([v.guard, v.hand]), 2)]),
      ),
    );
  } else {
    L.push(`Guard rows: n/a: ${guard?.skipped ?? guard?.guardError ?? 'not counted (BENCH_INSTRUCTIONS=0)'}.`);
  }
  L.push('');
  if (stores?.perRequest) {
    const p = stores.perRequest;
    const a = p.memory?.ir;
    L.push('Stores servers (instructions per request of the whole server process: Fastify, the hook, the store, the quota, the sockets):', '');
    const rows: Array<[string, ServerCount | undefined]> = [
      ['(a) in-memory store, no quota', p.memory],
      ['(c) PostgreSQL store (LISTEN, cached), no quota', p.postgres],
      ['(d) PostgreSQL store + Redis `quotaLimiter`, `batch: 64` (`RateLimit` fields on 429s only, the default)', p.batch],
      ["(d') the same, `headers: 'always'` (the fields on every success too)", p.always],
    ];
    L.push(
      `Per request of a server = (smallest Ir(N2) − smallest Ir(N1)) ÷ (N2 − N1) over its four segments of each size: now and then a segment holds a one-off cost of tens of millions of instructions (a major collection, a connection pool's idle timer), which only ever adds, so the smallest segment of each size is the undisturbed one. A segment more than 2% above the smallest of its size is counted as disturbed; repeatability is how far the undisturbed ones are from the smallest (per request, relative to the figure).`,
      '',
    );
    L.push(...table(['server', 'instructions per request', '÷ (a)', 'repeatability', 'disturbed segments'], 'lrrrr', rows.map(([label, x]) => [label, count(x?.ir), x && a ? `**${fmt(x.ir / a)}×**` : 'n/a', pct(x?.drift, 2), x ? `${x.disturbed} of ${STORES_SEGMENTS.length}` : 'n/a'])));
    const worstDrift = Math.max(...rows.map(([, x]) => x?.drift ?? 0));
    // A server still has timers and the LISTEN / Redis sockets, whose work lands in some
    // segments and not others (a lease fetched every 64 requests), so the claim above
    // holds for these rows only as far as their pairs agree; say so when they do not.
    if (worstDrift > 0.05) {
      L.push('', `**Not repeatable in this run**: the pairs' estimates of a server are up to ${pct(worstDrift, 0)} apart, more than the 5% these counts are meant to show; read these store ratios with that margin (the guard rows above are counted the same way and agree within it).`);
    }
  } else {
    L.push(`Stores servers: n/a: ${stores?.skipped ?? stores?.error ?? 'not counted (the stores part was skipped, or BENCH_INSTRUCTIONS=0)'}.`);
  }
  return out;
}
