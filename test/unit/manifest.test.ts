// The runtime manifest (src/emit/manifest.ts) against the runtime sources: TypeScript
// itself lists each file's imports (static, re-exports, double-quoted and dynamic
// alike), and they must be exactly the file's row, so no import can leave a file out
// of the output. Plus the closure for a few targets, and overrides that add imports.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CLIENT_RUNTIME, RUNTIME_IMPORTS, runtimeFilesFor, SERVER_RUNTIME } from '../../src/emit/manifest.js';
import { BUILTIN_TEMPLATES, TemplateError, TemplateSource } from '../../src/emit/templates.js';

const RUNTIME = path.join(BUILTIN_TEMPLATES, 'runtime');
const files = readdirSync(RUNTIME).filter((f) => f.endsWith('.ts')).sort();

describe('runtime manifest', () => {
  it('has one row per runtime file, and no other', () => {
    expect(Object.keys(RUNTIME_IMPORTS).sort()).toEqual(files);
  });
  it.each(files)('%s imports exactly its row', (file) => {
    const info = ts.preProcessFile(readFileSync(path.join(RUNTIME, file), 'utf8'), true, true);
    const imports = info.importedFiles.map((f) => f.fileName);
    const local = imports.filter((name) => name.startsWith('.')).map((name) => name.replace(/^\.\//, '').replace(/\.js$/, '.ts'));
    expect([...new Set(local)].sort()).toEqual([...(RUNTIME_IMPORTS as Record<string, readonly string[]>)[file]!].sort());
    // Anything not relative is a framework or node module (or rate-limiter-flexible, which only runtime-quota.ts and runtime-quota-tally.ts import, or jose, which only runtime-jwt.ts, runtime-jwt-checks.ts and runtime-jwks.ts import), never another runtime file by another path.
    for (const name of imports.filter((n) => !n.startsWith('.'))) expect(name).toMatch(/^(node:|express$|fastify$|koa$|hono(\/route)?$|axios$|openapi-fetch$|rate-limiter-flexible$|jose$)/);
  });
  it('targets start from their own files; fetch is a row on each side', () => {
    expect(SERVER_RUNTIME.fetch).toEqual(['fetch.ts']);
    expect(CLIENT_RUNTIME.fetch).toEqual(['runtime-client.ts']);
  });
  it('the closure of a target holds what it imports, transitively, and nothing of the client for a server', () => {
    const express = runtimeFilesFor(['express'], []);
    expect(express).toContain('runtime-evaluate.ts');
    expect(express).toContain('runtime-http-schemes.ts');
    expect(express.some((f) => f.startsWith('runtime-client') || f === 'runtime-attach.ts')).toBe(false);
    const client = runtimeFilesFor([], ['axios']);
    expect(client).toEqual(expect.arrayContaining(['axios.ts', 'runtime-client.ts', 'runtime-attach.ts', 'runtime-oauth2.ts', 'runtime-routes.ts']));
    expect(client).not.toContain('express.ts');
  });
});

describe('overrides of runtime files', () => {
  const folder = (name: string, text: string): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'manifest-'));
    writeFileSync(path.join(dir, name), text);
    return dir;
  };
  it('may change a file but not what it imports', () => {
    const builtin = readFileSync(path.join(RUNTIME, 'runtime-keys.ts'), 'utf8');
    expect(new TemplateSource(folder('runtime-keys.ts', builtin + '\n// mine\n')).runtime(['runtime-keys.ts']).get('runtime-keys.ts')).toContain('// mine');
    for (const line of ["import { x } from './runtime-extra.js';", 'import { x } from "./runtime-extra.js";', "const m = await import('./runtime-extra.js');"]) {
      expect(() => new TemplateSource(folder('runtime-keys.ts', line + '\n' + builtin)).runtime(['runtime-keys.ts'])).toThrow(TemplateError);
    }
  });
});
