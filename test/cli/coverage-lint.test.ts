// Coverage lint through the CLI (main() in-process, as the corpus test runs it: the
// same code as the binary, without depending on a fresh dist/): the config's `public`
// reaches lint and generate, lint lists every silent operation, generate prints a few
// and a count, and the GitHub description lints to one warning and a summary line.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { REPO } from '../helpers/cli.js';
import { oas3, writeFiles } from '../helpers/spec-files.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(args: readonly string[], cwd: string): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  try {
    const code = await main(args, cwd);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
}

const get = (operationId: string, extra: Record<string, unknown> = {}) => ({ get: { operationId, responses: { 200: { description: 'ok' } }, ...extra } });
const schemes = { key: { type: 'apiKey', in: 'header', name: 'X-Key' } };
/** One secured operation and six silent ones (s1..s6), one of them (health) listed in the config. */
const spec = oas3({
  schemes,
  paths: {
    '/admin': get('admin', { security: [{ key: [] }] }),
    '/health': get('health'),
    ...Object.fromEntries(['s1', 's2', 's3', 's4', 's5', 's6'].map((s) => [`/${s}`, get(s)])),
  },
});
const lines = (text: string, code: string): string[] => text.split('\n').filter((l) => l.includes(` ${code}: `));

describe('codegen lint / generate: coverage warnings with the config\'s "public"', () => {
  it('lint lists every silent operation but the listed one, and the unknown id with did-you-mean; exit 0 (warnings)', async () => {
    const dir = writeFiles({ 'openapi.json': spec, 'codegen.config.json': { spec: 'openapi.json', public: ['health', 'helth2'] } });
    const r = await run(['lint'], dir);
    expect(r.code, r.stderr).toBe(0);
    const silent = lines(r.stdout, 'operation-without-security');
    expect(silent.map((l) => /operation "([^"]+)"/.exec(l)?.[1])).toEqual(['s1', 's2', 's3', 's4', 's5', 's6']);
    expect(silent[0]).toMatch(/^openapi\.json#\/paths\/~1s1\/get: warning operation-without-security: /);
    expect(lines(r.stdout, 'unknown-public-operation')).toEqual([
      'openapi.json: warning unknown-public-operation: the config\'s "public" lists "helth2", which names no operation of this spec (an operationId, or "<method> <path>" for an operation without one); did you mean "health"?',
    ]);
    expect(r.stdout).toContain('0 error(s), 7 warning(s)');
  });

  it('a per-spec "public" in "specs" reaches lint too', async () => {
    const dir = writeFiles({ 'openapi.json': spec, 'codegen.config.json': { specs: [{ spec: 'openapi.json', public: ['health', 's1', 's2', 's3', 's4', 's5', 's6'] }] } });
    const r = await run(['lint'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('0 error(s), 0 warning(s)');
  });

  it('generate prints 3 of the silent operations and one line counting the rest (it still generates)', async () => {
    const dir = writeFiles({ 'openapi.json': spec, 'codegen.config.json': { spec: 'openapi.json', out: 'gen', public: ['health'] } });
    const r = await run(['generate'], dir);
    expect(r.code, r.stderr).toBe(0);
    const silent = lines(r.stderr, 'operation-without-security');
    expect(silent).toHaveLength(4);
    expect(silent[3]).toBe('openapi.json#/paths/~1s4/get: warning operation-without-security: 3 more operations have no security requirement, "s4" first; `codegen lint` lists each');
    expect(readFileSync(path.join(dir, 'gen/security.ts'), 'utf8')).toContain('health');
  });
});

describe('codegen lint on the GitHub description (623 operations, no security)', () => {
  it('one no-security warning and the count line: short enough to read', async () => {
    const corpus = path.resolve(process.env['CORPUS_DIR'] ?? path.join(REPO, '../shared/corpus'));
    const r = await run(['lint', '--spec', path.join(corpus, 'specs/github.com__api.github.com__0.0.4.json')], REPO);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout.trim().split('\n');
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/github\.com__api\.github\.com__0\.0\.4\.json: warning no-security: .*all 623 of its operations are public/);
    expect(out[1]).toBe('0 error(s), 1 warning(s)');
  }, 30_000);
});
