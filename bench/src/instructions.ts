// Instruction counts with valgrind's callgrind: the machinery, and the guard rows' count.
// A script (or a server) runs under callgrind with `--dump-before=uv_os_gethostname`:
// every `os.hostname()` it calls dumps the counters gathered since the previous dump and
// resets them, so the run is cut into segments at points the script chooses, with one
// process start-up for all of them. Each contender runs a warm-up (the JIT settles), then
// N1, N2, N1, N2, N1 and N2 calls, a segment each; 128 MB semi-spaces keep collections out of
// the segments, and a minor GC before each marker empties the young generation, so every
// segment starts from the same heap. Per call = (Ir(N2) − Ir(N1)) ÷ (N2 − N1): the fixed
// cost of a segment (the marker, the minor GC, the loop's entry) cancels; the three pairs
// give three estimates, their median is the figure and their spread the count's
// repeatability in this run. Node runs with `--single-threaded` (no concurrent compiler
// or GC threads) and `--no-memory-reducer` (no collections started by a timer when the
// heap looks idle, which a server under callgrind's slowdown met at random points), so
// the same calls execute the same instructions
// whatever the machine's load; and with fixed `--hash-seed` and `--random-seed` (V8
// draws both at random per process, and a string's hash decides where a `Map` or a
// dictionary keeps it, hence how long a lookup walks: the same build gave counts up to 40
// instructions apart from run to run), so that two runs of one build give one count and
// a change's effect is not lost in that spread. Optional: without /usr/bin/valgrind the rows say n/a and why.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BENCH, QUICK, WORK, log } from './config.js';
import { childOutput, median } from './timing.js';

export const VALGRIND = '/usr/bin/valgrind';
export const CALLGRIND_CONTROL = '/usr/bin/callgrind_control';
export const MARKER = 'uv_os_gethostname';
/** V8's seeds, fixed (see above); the value is arbitrary, chosen once. */
export const SEEDS = ['--hash-seed=7', '--random-seed=7'];
/** Calls per segment: warm-up, then N1 and N2, in pairs. */
// The warm-up is long enough for the optimising compiler to have settled: with 2000
// calls the pairs' estimates were up to 50% apart, with 6000 the denials still moved by
// 12%, with 20000 every row is within 2%. The guard count is the same in a smoke run (it
// runs in the background there). A stores server handles one request at a time (one
// connection): its per-request cost still fell by ~20% over the first ~25000 requests
// (the JIT reaching Fastify's and node's HTTP paths), then stayed within 0.5% from pair
// to pair. Its warm-up runs with callgrind's instrumentation off (about 2.5 minutes
// saved), which is turned on for settling segments before the pairs; a smoke run does
// not count the stores (they take minutes under callgrind).
export const GUARD_N = { warm: 20000, n1: 1000, n2: 4000 };
export const STORES_N = { warm: 24000, settle: 1500, n1: 300, n2: 1000 };
/** The segment labels after the warm-up, in order: n1.0, n2.0, n1.1, n2.1, … */
export const segments = (pairs: number): string[] => Array.from({ length: pairs }, (_, i) => [`n1.${i}`, `n2.${i}`]).flat();
/** The guard rows: three pairs, the median of their estimates reported. */
export const SEGMENTS = segments(3);
/**
 * The stores servers: four pairs, the smallest N1 and N2 taken (`perRequestOfServer`):
 * a server's one-off costs land in some segments, and one more pair makes it likelier
 * that a calm segment of each size remains.
 */
export const STORES_SEGMENTS = segments(4);

export interface PerCall {
  /** Instructions per call: the median of the pairs' estimates. */
  ir: number;
  /** The largest distance of an estimate from that median, relative to it. */
  drift: number;
}
export interface InstructionCounts {
  skipped?: string;
  guard?: Record<string, { guard: PerCall; hand: PerCall }>;
  guardError?: string;
}

export const valgrindMissing = (): string | undefined => (existsSync(VALGRIND) ? undefined : `${VALGRIND} is not installed (apt-get install valgrind), so instructions were not counted`);

/** The command line of `node --single-threaded args` under callgrind, dumping at each marker into `out`. */
export function callgrindCommand(out: string, args: string[], instrumentAtStart = true): [string, string[]] {
  return [VALGRIND, ['-q', '--tool=callgrind', `--callgrind-out-file=${out}`, '--dump-instr=no', '--collect-jumps=no', `--dump-before=${MARKER}`, ...(instrumentAtStart ? [] : ['--instr-atstart=no']), process.execPath, '--single-threaded', ...SEEDS, '--no-memory-reducer', '--expose-gc', '--min-semi-space-size=128', '--max-semi-space-size=128', ...args]];
}

/** The Ir totals of the numbered dumps of `out` (out.1, out.2, …), in order; the final dump (at exit) is not a segment. */
export function dumpTotals(out: string): number[] {
  const dir = path.dirname(out);
  const base = path.basename(out);
  const numbered = readdirSync(dir)
    .filter((f) => f.startsWith(`${base}.`) && /^\d+$/.test(f.slice(base.length + 1)))
    .sort((a, b) => Number(a.slice(base.length + 1)) - Number(b.slice(base.length + 1)));
  return numbered.map((f) => {
    const text = readFileSync(path.join(dir, f), 'utf8');
    const m = text.match(/^totals:\s*(\d+)/m) ?? text.match(/^summary:\s*(\d+)/m);
    if (!m) throw new Error(`${f}: no totals line`);
    return Number(m[1]);
  });
}

export const clearDumps = (out: string): void => {
  for (const f of existsSync(path.dirname(out)) ? readdirSync(path.dirname(out)) : []) if (f.startsWith(path.basename(out))) rmSync(path.join(path.dirname(out), f));
};

/** Per call from the segments N1, N2, N1, N2, … of the same calls: one estimate per pair, their median and spread. */
export function perCall(seg: number[], n: { n1: number; n2: number }): PerCall {
  const estimates = Array.from({ length: seg.length / 2 }, (_, i) => (seg[2 * i + 1]! - seg[2 * i]!) / (n.n2 - n.n1));
  const ir = median(estimates);
  return { ir, drift: Math.max(...estimates.map((e) => Math.abs(e - ir))) / ir };
}

/**
 * Per request of a server from the same segments, robust to disturbances: a server's
 * segment sometimes holds a one-off extra cost (a major collection, a pool's idle timer)
 * of tens of millions of instructions, which only ever adds. So the figure is
 * (min Ir(N2) − min Ir(N1)) ÷ (N2 − N1); a segment more than 2% above the smallest of
 * its size counts as disturbed, and `drift` is how far the undisturbed ones are from
 * that smallest, per request, relative to the figure.
 */
export function perRequestOfServer(seg: number[], n: { n1: number; n2: number }): PerCall & { disturbed: number } {
  const n1 = seg.filter((_, i) => i % 2 === 0);
  const n2 = seg.filter((_, i) => i % 2 === 1);
  const min1 = Math.min(...n1);
  const min2 = Math.min(...n2);
  const ir = (min2 - min1) / (n.n2 - n.n1);
  const calm1 = n1.filter((x) => x <= min1 * 1.02);
  const calm2 = n2.filter((x) => x <= min2 * 1.02);
  const drift = Math.max(...calm1.map((x) => (x - min1) / n.n1), ...calm2.map((x) => (x - min2) / n.n2)) / ir;
  return { ir, drift, disturbed: seg.length - calm1.length - calm2.length };
}

/** Runs `script` under callgrind; resolves with its stdout and the dump totals. */
export async function underCallgrind(name: string, args: string[]): Promise<{ stdout: string; totals: number[] }> {
  const out = path.join(WORK, 'callgrind', `${name}.out`);
  clearDumps(out);
  const { code, stdout, stderr } = await childOutput(...callgrindCommand(out, args));
  if (code !== 0) throw new Error(`${name} under callgrind exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return { stdout, totals: dumpTotals(out) };
}

/** The guard rows (a), (b), (c), (c'), (d) and their hand-written contenders: one callgrind run of instructions-guard.js. */
export async function countGuard(dirs: { pet: string; s20: string; s800: string }): Promise<InstructionCounts> {
  const missing = valgrindMissing();
  if (missing) return { skipped: missing };
  log('instructions: the guard rows under callgrind');
  try {
    const script = path.join(BENCH, 'dist/instructions-guard.js');
    const { stdout, totals } = await underCallgrind('guard', [script, JSON.stringify({ ...dirs, n: GUARD_N })]);
    const labels = JSON.parse(stdout.trim().split('\n').pop()!) as string[];
    // The last labels.length dumps are the labelled segments (earlier ones: start-up).
    const seg = totals.slice(totals.length - labels.length);
    if (seg.length !== labels.length) throw new Error(`expected ${labels.length} segments, callgrind dumped ${totals.length}`);
    const at = (label: string) => seg[labels.indexOf(label)]!;
    const guard: NonNullable<InstructionCounts['guard']> = {};
    for (const label of labels.filter((l) => l.endsWith(':warm'))) {
      const [row, who] = label.split(':') as [string, 'guard' | 'hand'];
      (guard[row] ??= {} as { guard: PerCall; hand: PerCall })[who] = perCall(SEGMENTS.map((s) => at(`${row}:${who}:${s}`)), GUARD_N);
    }
    return { guard };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`instructions: guard failed: ${message}`);
    return { guardError: message };
  }
}
