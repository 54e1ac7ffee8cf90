// The one timing helper of the bench: every family takes its figures through it.
//  - rounds(): ns per call, alternating the contenders round by round, CPU time of this
//    process (and wall time), median of the rounds and their median absolute deviation;
//  - wholeProcess(): one child process's wall time and peak RSS (GNU time);
//  - processCpuSeconds(): another process's CPU time so far (/proc), for servers;
//  - childOutput(): a child process's exit code and output, without blocking the bench;
//  - median, mad, percentile, halfRange: the statistics the report quotes.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
/** Median absolute deviation: the spread of a set of rounds that one outlier does not move. */
export const mad = (xs: readonly number[]): number => median(xs.map((x) => Math.abs(x - median(xs))));
/** Nearest-rank percentile. */
export const percentile = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
};
/** Half the range of the rounds as a share of their median (the loopback parts' spread). */
export const halfRange = (xs: readonly number[]): number => (xs.length > 1 ? (Math.max(...xs) - Math.min(...xs)) / 2 / median(xs) : NaN);

/**
 * CPU time (user + system) of this process since `c0`, in ns. In-process figures use it
 * rather than wall time so that other load on a shared machine, which only delays this
 * process, does not count as its cost (helper threads, e.g. the GC's, do).
 */
const cpuNs = (c0: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) * 1000;
};

export interface Figure {
  /** Median over the rounds, ns per call. */
  median: number;
  /** Median absolute deviation of the rounds, ns. */
  spread: number;
  rounds: number[];
}
export type Timed<K extends string> = Record<K, { cpu: Figure; wall: Figure }>;

export type Fn = () => unknown;
export interface RoundsOptions {
  seconds: number;
  /** Calls per batch between clock reads. */
  batch?: number;
  /** Synchronous contenders: a plain loop, no promise hop between calls. */
  sync?: boolean;
  /** Warm-up calls per contender (the JIT), or `{ ms }` of warm-up per contender. */
  warmup?: number | { ms: number };
  rounds?: number;
}

let sink: unknown;
/**
 * ns per call of each contender, CPU and wall: `rounds` rounds (5) of `seconds` each,
 * alternating the contenders, so a slow spell of the machine lands on all of them.
 */
export async function rounds<K extends string>(fns: Record<K, Fn>, o: RoundsOptions): Promise<Timed<K>> {
  const size = o.batch ?? (o.sync ? 1000 : 200);
  const nRounds = o.rounds ?? 5;
  const keys = Object.keys(fns) as K[];
  const batch = o.sync
    ? (fn: Fn) => {
        for (let i = 0; i < size; i++) sink = fn();
      }
    : async (fn: Fn) => {
        for (let i = 0; i < size; i++) await fn();
      };
  const warmup = o.warmup ?? (o.sync ? 20000 : 2000);
  for (const k of keys) {
    if (typeof warmup === 'number') for (let i = 0; i < warmup / size; i++) await batch(fns[k]);
    else {
      const until = Date.now() + warmup.ms;
      while (Date.now() < until) await batch(fns[k]);
    }
  }
  const cpu = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  const wall = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < nRounds; round++) {
    for (const k of keys) {
      let n = 0;
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const until = t0 + BigInt(Math.round(o.seconds * 1e9));
      let t = t0;
      while (t < until) {
        await batch(fns[k]);
        n += size;
        t = process.hrtime.bigint();
      }
      cpu[k].push(cpuNs(c0) / n);
      wall[k].push(Number(t - t0) / n);
    }
  }
  (globalThis as { __benchSink?: unknown }).__benchSink = sink;
  const figure = (xs: number[]): Figure => ({ median: median(xs), spread: mad(xs), rounds: xs });
  return Object.fromEntries(keys.map((k) => [k, { cpu: figure(cpu[k]), wall: figure(wall[k]) }])) as Timed<K>;
}

/** A stopwatch a contender starts and stops itself, once per call, around the part of the call that is measured. */
export interface Stopwatch {
  start(): void;
  stop(): void;
}

/**
 * ns per call of the part of each call its contender times itself (`insideRounds`'s
 * `make` receives the stopwatch and returns the call): for a peer whose step runs inside
 * a larger call and can only be reached through its hooks. Wall clock (`process.hrtime`),
 * summed over the calls of a round; rounds alternate the contenders as in `rounds`, and
 * a call that did not stop the watch exactly once is an error (the set-up is wrong).
 */
export async function insideRounds<K extends string>(make: Record<K, (watch: Stopwatch) => Fn>, o: { seconds: number; rounds?: number; warmup?: number }): Promise<Record<K, Figure>> {
  const keys = Object.keys(make) as K[];
  let started = 0n;
  let elapsed = 0n;
  let stops = 0;
  const watch: Stopwatch = {
    start() {
      started = process.hrtime.bigint();
    },
    stop() {
      elapsed += process.hrtime.bigint() - started;
      stops++;
    },
  };
  const fns = Object.fromEntries(keys.map((k) => [k, make[k](watch)])) as Record<K, Fn>;
  for (const k of keys) for (let i = 0; i < (o.warmup ?? 2000); i++) await fns[k]();
  const per = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < (o.rounds ?? 5); round++) {
    for (const k of keys) {
      elapsed = 0n;
      stops = 0;
      let n = 0;
      const until = process.hrtime.bigint() + BigInt(Math.round(o.seconds * 1e9));
      while (process.hrtime.bigint() < until) {
        for (let i = 0; i < 100; i++) await fns[k]();
        n += 100;
      }
      if (stops !== n) throw new Error(`${k}: the watch stopped ${stops} times in ${n} calls`);
      per[k].push(Number(elapsed) / n);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, { median: median(per[k]), spread: mad(per[k]), rounds: per[k] }])) as Record<K, Figure>;
}

/** CPU medians only, by key (what most tables print). */
export const cpuOf = <K extends string>(t: Timed<K>): Record<K, number> => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, (v as { cpu: Figure }).cpu.median])) as Record<K, number>;

export interface ProcessSample {
  ms: number;
  rssMb: number;
  code: number | null;
  stderr: string;
}
export interface ProcessSummary {
  ms: number;
  rssMb: number;
  failed?: string;
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
export const hasGnuTime = TIME !== undefined;

/** One node process: wall time measured around it, peak RSS from GNU time (when present). */
export function wholeProcess(args: string[], cwd: string, work: string): ProcessSample {
  const rssFile = path.join(work, 'rss.txt');
  const cmd = TIME ?? process.execPath;
  const argv = TIME ? ['-f', '%M', '-o', rssFile, process.execPath, ...args] : args;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rssMb = TIME && existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 : NaN;
  return { ms, rssMb, code: r.status, stderr: (r.stderr ?? '').trim() };
}

/** Medians of the successful runs; the first failure's message when some failed. */
export function processSummary(samples: ProcessSample[]): ProcessSummary {
  const ok = samples.filter((s) => s.code === 0);
  if (ok.length === 0) return { ms: NaN, rssMb: NaN, failed: samples[0]?.stderr.split('\n').slice(0, 3).join(' / ') ?? 'no run' };
  const failed = ok.length < samples.length ? samples.find((s) => s.code !== 0)!.stderr.split('\n')[0] : undefined;
  return { ms: median(ok.map((s) => s.ms)), rssMb: median(ok.map((s) => s.rssMb)), ...(failed === undefined ? {} : { failed }) };
}

/** CPU seconds (user + system) of a Linux process so far, from /proc; undefined elsewhere. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/** Runs `cmd args` without blocking this process; resolves with its exit code and output (rejects only when it cannot start). */
export function childOutput(cmd: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
