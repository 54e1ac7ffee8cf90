// Loopback load, shared by the throughput families (loopback.ts, stores-throughput.ts):
// a server script started in its own process (it prints its port), autocannon as the
// load generator, and both pinned to different cores when there are two, so they never
// share one.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchRequire } from './config.js';
import { childOutput, processCpuSeconds } from './timing.js';

export const pinned = existsSync('/usr/bin/taskset') && os.cpus().length >= 2;
/** The command line of `args` run by node on `cpu` (when pinning is possible). */
const onCpu = (cpu: number, args: string[]): [string, string[]] => (pinned ? ['/usr/bin/taskset', ['-c', String(cpu), process.execPath, ...args]] : [process.execPath, args]);
const AUTOCANNON = () => path.join(path.dirname(benchRequire.resolve('autocannon/package.json')), 'autocannon.js');

export interface Started {
  child: ChildProcess;
  port: number;
}

/** Starts `node script ...args` on CPU 1; resolves with the port it prints. */
export function startServer(script: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Started> {
  return new Promise((resolve, reject) => {
    const [cmd, argv] = onCpu(1, [script, ...args]);
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], ...(env ? { env } : {}) });
    child.stdout!.once('data', (d) => resolve({ child, port: Number(String(d).trim()) }));
    child.once('exit', (code) => reject(new Error(`${path.basename(script)} ${args[0]} exited (${code})`)));
  });
}

/** SIGTERM, and wait for the exit (the store servers close their connections first). */
export function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export interface Autocannon {
  requests: { average: number; total: number };
  latency: { average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  '2xx': number;
  '4xx': number;
}

/** The command line of autocannon on CPU 0: 10 connections for `seconds` against GET /v1/pets. */
function autocannon(port: number, headers: Record<string, string>, seconds: number): [string, string[]] {
  const h = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]);
  return onCpu(0, [AUTOCANNON(), '-c', '10', '-d', String(seconds), '-j', ...h, `http://127.0.0.1:${port}/v1/pets`]);
}

/** autocannon on CPU 0: 10 connections for `seconds` against GET /v1/pets. */
export function load(port: number, headers: Record<string, string>, seconds: number): Autocannon {
  const [cmd, args] = autocannon(port, headers, seconds);
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`autocannon failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Autocannon;
}

/** `load`, not blocking the bench process: for several loads at the same time. */
export async function loadConcurrently(port: number, headers: Record<string, string>, seconds: number): Promise<Autocannon> {
  const r = await childOutput(...autocannon(port, headers, seconds));
  if (r.code !== 0) throw new Error(`autocannon failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Autocannon;
}

/** Two servers side by side: each loaded by its own autocannon for the same `seconds`, at the same time. */
export interface SideBySide {
  results: [Autocannon, Autocannon];
  /** Each server's own CPU seconds per request over the run (/proc), when readable. */
  cpu: [number | undefined, number | undefined];
}

/**
 * Loads `a` and `b` at once (both servers on CPU 1, both autocannons on CPU 0): the
 * kernel gives two always-ready processes equal shares of a core, so the ratio of their
 * rates is the inverse ratio of their cost per request, and whatever slows the machine
 * during the run slows both (stores-paired.ts and loopback.ts measure this way).
 */
export async function sideBySide(a: Started, b: Started, headers: readonly [Record<string, string>, Record<string, string>], seconds: number): Promise<SideBySide> {
  const cpu0 = [processCpuSeconds(a.child.pid), processCpuSeconds(b.child.pid)];
  const results = (await Promise.all([loadConcurrently(a.port, headers[0], seconds), loadConcurrently(b.port, headers[1], seconds)])) as [Autocannon, Autocannon];
  const cpu1 = [processCpuSeconds(a.child.pid), processCpuSeconds(b.child.pid)];
  const perRequest = (i: 0 | 1): number | undefined => (cpu0[i] === undefined || cpu1[i] === undefined ? undefined : ((cpu1[i] as number) - (cpu0[i] as number)) / results[i].requests.total);
  return { results, cpu: [perRequest(0), perRequest(1)] };
}
