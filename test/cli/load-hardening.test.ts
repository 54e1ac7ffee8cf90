// The loader against hostile `$ref`s, through the real CLI: a spec may name any path
// (devices, FIFOs, folders, huge files, files outside its tree). Each is refused with
// exit 2, a diagnostic naming the `$ref` and where it was written, and the output
// folder untouched; and a `$ref` outside what security needs is never opened at all.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, snapshotTree, type CliRun } from '../helpers/cli.js';
import { tempDir } from '../helpers/spec-files.js';

/** A few seconds at most: every refusal happens before anything is read. */
const QUICK_MS = 5_000;

/** Like runCli, but a hung child is killed (and reported) instead of hanging the suite. */
function runWithin(args: readonly string[], cwd: string, ms = 10_000): Promise<CliRun & { ms: number; killed: boolean }> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, timeout: ms, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr, ms: performance.now() - started, killed: Boolean(error?.killed) });
    });
  });
}

/** A 3.0 spec with one scheme `S` (and `security` using it), plus extra `components`. */
function spec(scheme: unknown, components: Record<string, unknown> = {}): string {
  return JSON.stringify({
    openapi: '3.0.3',
    info: { title: 'load', version: '1' },
    security: [{ S: [] }],
    paths: { '/pets': { get: { operationId: 'listPets', responses: { '200': { description: 'ok' } } } } },
    components: { securitySchemes: { S: scheme }, ...components },
  });
}

const KEY = { type: 'apiKey', in: 'header', name: 'X-API-Key' };

let work: string;
let api: string;
beforeAll(async () => {
  work = tempDir('osc-load-');
  api = path.join(work, 'api');
  mkdirSync(path.join(api, 'folder'), { recursive: true });
  execFileSync('mkfifo', [path.join(api, 'pipe')]);
  writeFileSync(path.join(api, 'schemes.json'), JSON.stringify({ Key: { $ref: 'more/key.yaml#/Key' } }));
  mkdirSync(path.join(api, 'more'));
  writeFileSync(path.join(api, 'more/key.yaml'), 'Key: { type: apiKey, in: header, name: X-API-Key }\n');
  mkdirSync(path.join(work, 'shared'));
  writeFileSync(path.join(work, 'shared/key.json'), JSON.stringify({ Key: KEY }));
  // 64 MiB + 1 byte, sparse: costs no disk.
  writeFileSync(path.join(api, 'huge.json'), '');
  truncateSync(path.join(api, 'huge.json'), 64 * 1024 * 1024 + 1);
  writeFileSync(path.join(api, 'good.json'), spec(KEY));
  // A previous output with a file of the user's: every refusal must leave it exactly as it is.
  const first = await runCli(['--spec', 'api/good.json', '--out', 'out'], work);
  expect(first.code, first.stderr).toBe(0);
  writeFileSync(path.join(work, 'out/mine.txt'), 'user file');
});

/** Writes `api/<name>` with scheme S = `scheme`, runs generate into `out`; expects a quick refusal. */
async function refused(name: string, scheme: unknown, args: readonly string[] = []): Promise<string> {
  writeFileSync(path.join(api, name), spec(scheme));
  const before = snapshotTree(path.join(work, 'out'));
  const r = await runWithin(['--spec', `api/${name}`, '--out', 'out', ...args], work);
  expect(r.killed, 'the run hung').toBe(false);
  expect(r.ms).toBeLessThan(QUICK_MS);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain('out left untouched');
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(snapshotTree(path.join(work, 'out'))).toEqual(before);
  return r.stderr;
}

const at = (name: string) => `api/${name}#/components/securitySchemes/S/$ref: error ref-refused: `;

// Past the child's 10 s kill, so a hang fails as "the run hung" and leaves no process behind.
const SLOW = { timeout: 30_000 };

describe('hostile $ref targets are refused: exit 2, quickly, naming the $ref and its pointer, output untouched', SLOW, () => {
  it('an absolute /dev/zero: outside the spec folder; allowed by the config, still not a regular file', async () => {
    const err = await refused('zero.json', { $ref: '/dev/zero' });
    expect(err).toContain(`${at('zero.json')}$ref "/dev/zero" refused: file `);
    expect(err).toContain('is outside the spec\'s folder');
    writeFileSync(path.join(work, 'dev.config.json'), JSON.stringify({ allowRefsOutside: ['/dev'] }));
    const allowed = await refused('zero.json', { $ref: '/dev/zero' }, ['--config', 'dev.config.json']);
    expect(allowed).toContain(`${at('zero.json')}$ref "/dev/zero" refused: file `);
    expect(allowed).toContain('is not a regular file (a character device)');
  });

  it('a FIFO (relative, with a fragment)', async () => {
    expect(await refused('fifo.json', { $ref: 'pipe#/S' })).toContain(`${at('fifo.json')}$ref "pipe#/S" refused: file api/pipe is not a regular file (a FIFO)`);
  });

  it('a folder', async () => {
    expect(await refused('dir.json', { $ref: './folder' })).toContain(`${at('dir.json')}$ref "./folder" refused: file api/folder is not a regular file (a folder)`);
  });

  it('a file over 64 MiB (checked before reading)', async () => {
    expect(await refused('big.json', { $ref: 'huge.json#/S' })).toContain(`${at('big.json')}$ref "huge.json#/S" refused: file api/huge.json is larger than 64 MiB (67108865 bytes)`);
  });

  it('a file outside the spec folder, also through a symlink inside it', async () => {
    expect(await refused('outside.json', { $ref: '../shared/key.json#/Key' })).toContain(`${at('outside.json')}$ref "../shared/key.json#/Key" refused: file shared/key.json is outside the spec's folder`);
    execFileSync('ln', ['-sf', '../shared', path.join(api, 'link')]);
    expect(await refused('linked.json', { $ref: 'link/key.json#/Key' })).toContain(`${at('linked.json')}$ref "link/key.json#/Key" refused: file api/link/key.json is outside the spec's folder`);
  });

  it('the root spec itself: a device exits 2 at once', async () => {
    const r = await runWithin(['--spec', '/dev/zero', '--out', 'out'], work);
    expect(r.killed).toBe(false);
    expect(r.ms).toBeLessThan(QUICK_MS);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error io: cannot read \S*dev\/zero: it is not a regular file \(a character device\)/);
  });
});

describe('what is allowed still loads', SLOW, () => {
  it('a file outside the spec folder, with allowRefsOutside (relative to the config file)', async () => {
    writeFileSync(path.join(api, 'shared-ok.json'), spec({ $ref: '../shared/key.json#/Key' }));
    // A config file of its own (not codegen.config.json), so the other tests stay without it.
    writeFileSync(path.join(work, 'shared.config.json'), JSON.stringify({ spec: 'api/shared-ok.json', out: 'out-shared', allowRefsOutside: ['shared'] }));
    const r = await runWithin(['--config', 'shared.config.json'], work);
    expect(r.code, r.stderr).toBe(0);
    expect(snapshotTree(path.join(work, 'out-shared'))['security.ts']).toContain('X-API-Key');
    // A malformed option is a config error (exit 2), like the other options.
    writeFileSync(path.join(work, 'bad.config.json'), JSON.stringify({ spec: 'api/shared-ok.json', allowRefsOutside: 'shared' }));
    const bad = await runWithin(['--config', 'bad.config.json', '--out', 'out-bad'], work);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"allowRefsOutside" must be a list of folder paths');
  });

  it('a scheme in another file of the same folder, through a chain of $refs across two files', async () => {
    writeFileSync(path.join(api, 'chain.json'), spec({ $ref: 'schemes.json#/Key' }));
    const r = await runWithin(['--spec', 'api/chain.json', '--out', 'out-chain'], work);
    expect(r.code, r.stderr).toBe(0);
    expect(snapshotTree(path.join(work, 'out-chain'))['security.ts']).toContain('X-API-Key');
  });

  it('only the $refs security needs are read: /etc/passwd, a missing file and a FIFO under components/schemas are never opened', async () => {
    // Had the loader resolved the whole document (as it once did), it would have read
    // /etc/passwd and blocked forever opening the FIFO: the run would be killed.
    const schemas = { Passwd: { $ref: '/etc/passwd' }, Missing: { $ref: 'nope/missing.yaml' }, Pipe: { $ref: 'pipe' }, Nested: { properties: { p: { $ref: 'pipe#/x' } } } };
    writeFileSync(path.join(api, 'needed.json'), spec({ $ref: 'schemes.json#/Key' }, { schemas }));
    const r = await runWithin(['--spec', 'api/needed.json', '--out', 'out-needed'], work);
    expect(r.killed, 'the run hung: a $ref under components/schemas was opened').toBe(false);
    expect(r.ms).toBeLessThan(QUICK_MS);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(snapshotTree(path.join(work, 'out-needed'))['security.ts']).toContain('X-API-Key');
  });
});
