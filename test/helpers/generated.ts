// Test helper: generate a spec's full output (every server adapter, the client and
// its integrations, and every optional runtime feature) through the library, written with the real writer into
// test-output/<name>/ inside the repository, so the generated files resolve the
// repository's node_modules (express, fastify, … and their types) and vitest can
// import them as TypeScript. Each test file passes its own `name`.
import path from 'node:path';
import { generate } from '../../src/pipeline.js';
import { CLIENT_INTEGRATIONS, SERVER_ADAPTERS } from '../../src/emit/index.js';
import { writeOutput } from '../../src/write/write.js';
import { REPO } from './cli.js';

export const TEST_OUTPUT = path.join(REPO, 'test-output');

/** Generates `spec` (relative to the repository) into test-output/<name>/; returns the folder. */
export async function generateFixture(spec: string, name: string): Promise<string> {
  const result = await generate({ spec, cwd: REPO, server: SERVER_ADAPTERS, client: CLIENT_INTEGRATIONS, features: { keys: 'postgres', quotas: true, usage: true, jwt: true, introspection: true } });
  if (result.files.length === 0) {
    throw new Error(`generation refused ${spec}: ${result.diagnostics.map((d) => `${d.code} ${d.pointer}`).join('; ')}`);
  }
  const out = path.join(TEST_OUTPUT, name);
  await writeOutput(out, result.files, REPO);
  return out;
}

/** Imports a generated module (`guard.ts`, `express.ts`, …) from a fixture folder. */
export async function importGenerated<T = Record<string, unknown>>(dir: string, file: string): Promise<T> {
  return (await import(/* @vite-ignore */ path.join(dir, file))) as T;
}
