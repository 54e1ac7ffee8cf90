// The API key format (runtime-api-keys.ts, and its deliberate copy src/keys/format.ts
// for `codegen keys`): round trips, scanner patterns, every one-character change
// refused before any store lookup, ids that do not collide, the two copies agreeing,
// and the CLI.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apiKeyChecksum, apiKeyPattern, generateApiKey, parseApiKey } from '../../templates/runtime/runtime-api-keys.js';
import { hashKey } from '../../templates/runtime/runtime-keys.js';
import { checksumOf, newApiKey, patternSource } from '../../src/keys/format.js';
import { REPO, runCli } from '../helpers/cli.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

describe('API key format', () => {
  it('round-trips: parse gives prefix and id, the scanner pattern matches, the hash is hashKey(key)', () => {
    fc.assert(
      fc.property(fc.constantFrom('demo', 'acme_live', 'a', 'x1_y2_z3'), (prefix) => {
        const k = generateApiKey({ prefix });
        expect(k.key).toMatch(new RegExp(`^${prefix}_[0-9A-Za-z]{12}_[0-9A-Za-z]{28}$`));
        expect(parseApiKey(k.key)).toEqual({ prefix, id: k.id });
        expect(parseApiKey(k.key, { prefix })).toEqual({ prefix, id: k.id });
        expect(apiKeyPattern(prefix).test(`token=${k.key};`)).toBe(true);
        expect(k.hash).toBe(hashKey(k.key));
      }),
      { numRuns: 200 },
    );
  });
  it('every one-character change of a key is refused by parseApiKey (prefix given)', () => {
    for (let n = 0; n < 20; n++) {
      const { key } = generateApiKey({ prefix: 'acme_live' });
      for (let i = 0; i < key.length; i++) {
        for (const c of [...BASE62, '_', '-']) {
          if (c === key[i]) continue;
          const mutated = key.slice(0, i) + c + key.slice(i + 1);
          expect(parseApiKey(mutated, { prefix: 'acme_live' }), mutated).toBeUndefined();
        }
      }
    }
  });
  it('refuses what is not a key at all', () => {
    const { key } = generateApiKey({ prefix: 'demo' });
    for (const bad of ['', 'demo', key + 'x', key.slice(0, -1), `Demo${key.slice(4)}`, `${key} `, 'a'.repeat(10_000)]) expect(parseApiKey(bad)).toBeUndefined();
    expect(() => generateApiKey({ prefix: 'Bad' })).toThrow(TypeError);
    expect(() => apiKeyPattern('a.b')).toThrow(TypeError);
  });
  it('ids do not collide in 1e5 draws', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) ids.add(generateApiKey({ prefix: 'p' }).id);
    expect(ids.size).toBe(100_000);
  });
  it('the CLI copy and the runtime agree (keys, checksums, patterns)', () => {
    fc.assert(fc.property(fc.stringMatching(/^[0-9A-Za-z_]{1,40}$/), (body) => checksumOf(body) === apiKeyChecksum(body)));
    const fromCli = newApiKey('acme_live');
    expect(parseApiKey(fromCli.key)).toEqual({ prefix: 'acme_live', id: fromCli.id });
    expect(fromCli.hash).toBe(hashKey(fromCli.key));
    expect(patternSource('acme_live')).toBe(apiKeyPattern('acme_live').source);
  });
});

describe('codegen keys', () => {
  it('new --json prints the key once and a record holding its id and hash, never the key', async () => {
    const r = await runCli(['keys', 'new', '--prefix', 'demo', '--app', 'web', '--app', 'ios', '--json'], REPO);
    expect(r.code).toBe(0);
    const { key, record } = JSON.parse(r.stdout) as { key: string; record: Record<string, unknown> };
    expect(parseApiKey(key, { prefix: 'demo' })).toEqual({ prefix: 'demo', id: record['id'] });
    expect(record).toMatchObject({ prefix: 'demo', apps: ['web', 'ios'], hash: createHash('sha256').update(key).digest('hex') });
    expect(JSON.stringify(record)).not.toContain(key);
  });
  it('pattern prints a gitleaks rule and a GitHub custom pattern; a bad prefix exits 2', async () => {
    const gitleaks = await runCli(['keys', 'pattern', '--prefix', 'acme_live', '--format', 'gitleaks'], REPO);
    expect(gitleaks.stdout).toContain(`regex = '''${apiKeyPattern('acme_live').source}'''`);
    const github = JSON.parse((await runCli(['keys', 'pattern', '--prefix', 'acme_live', '--format', 'github'], REPO)).stdout) as { secret_format: string };
    expect(new RegExp(`^${github.secret_format}$`).test(generateApiKey({ prefix: 'acme_live' }).key)).toBe(true);
    const bad = await runCli(['keys', 'new', '--prefix', 'Acme'], REPO);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('--prefix "Acme"')]);
  });
});
