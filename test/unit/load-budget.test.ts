// The loader's time budget (src/load/read.ts): one budget per load, shared by the root
// file and every `$ref`'d file, so nothing the spec names can make codegen hang.
import { describe, expect, it, vi } from 'vitest';
import { loadSpec } from '../../src/load/load.js';
import { LoadBudget, TIMED_OUT } from '../../src/load/read.js';
import { oas3, writeFiles } from '../helpers/spec-files.js';

describe('load budget', () => {
  it('a task that never settles ends at the limit; once spent, every later task is refused at once', async () => {
    const budget = new LoadBudget(50);
    const started = performance.now();
    let aborted = false;
    const never = await budget.run((signal) => {
      signal.addEventListener('abort', () => (aborted = true));
      return new Promise<string>(() => {});
    });
    expect(never).toBe(TIMED_OUT);
    expect(aborted).toBe(true); // a read in progress is told to stop
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await budget.run(async () => 'late')).toBe(TIMED_OUT);
  });

  it('a timer that fires before the clock says the time is up still spends the whole budget', async () => {
    // Node's timers run on the loop's millisecond clock: one can fire when
    // `performance.now()` has counted a fraction less than the limit. Frozen here, so
    // the clock says no time passed at all while the timer fires.
    const frozen = vi.spyOn(performance, 'now').mockReturnValue(1000);
    try {
      const budget = new LoadBudget(20);
      expect(await budget.run(() => new Promise<string>(() => {}))).toBe(TIMED_OUT);
      expect(await budget.run(async () => 'late')).toBe(TIMED_OUT);
    } finally {
      frozen.mockRestore();
    }
  });

  it('time is counted across tasks, not per task', async () => {
    const budget = new LoadBudget(80);
    const wait = (ms: number) => new Promise<string>((resolve) => setTimeout(() => resolve('done'), ms));
    expect(await budget.run(() => wait(50))).toBe('done');
    expect(await budget.run(() => wait(50))).toBe(TIMED_OUT);
  });

  it('a spent budget is an io error for the root spec, naming the file', async () => {
    const dir = writeFiles({ 'openapi.json': oas3({}) });
    const r = await loadSpec('openapi.json', dir, { limits: { timeoutMs: 0 } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics).toEqual([expect.objectContaining({ code: 'io', severity: 'error', file: 'openapi.json', pointer: '', message: 'cannot read openapi.json: reading and parsing it took longer than 0 s' })]);
  });
});
