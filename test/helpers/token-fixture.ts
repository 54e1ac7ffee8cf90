// Test helper: generate a spec with every server adapter and the token verifier
// features (`jwt`, `introspection`) into test-output/<name>/, as test/helpers/generated.ts
// does for the other features, so the generated runtime-jwt.ts resolves the
// repository's jose and vitest can import the folder as TypeScript.
import path from 'node:path';
import { generate } from '../../src/pipeline.js';
import { SERVER_ADAPTERS } from '../../src/emit/index.js';
import { writeOutput } from '../../src/write/write.js';
import { REPO } from './cli.js';
import { TEST_OUTPUT } from './generated.js';

/** Generates `spec` (relative to the repository) with `jwt` and `introspection` into test-output/<name>/; returns the folder. */
export async function generateTokenFixture(spec: string, name: string): Promise<string> {
  const result = await generate({ spec, cwd: REPO, server: SERVER_ADAPTERS, client: [], features: { jwt: true, introspection: true } });
  if (result.files.length === 0) {
    throw new Error(`generation refused ${spec}: ${result.diagnostics.map((d) => `${d.code} ${d.pointer}`).join('; ')}`);
  }
  const out = path.join(TEST_OUTPUT, name);
  await writeOutput(out, result.files, REPO);
  return out;
}
