// Opt-in full schema validation (`codegen lint --validate`). Never the gate for
// generation: real specs fail the official schemas for reasons that have nothing to
// do with security. Each schema error becomes a `schema` diagnostic with its pointer.
import path from 'node:path';
import type { Diagnostic } from '../diagnostics/types.js';
import { displayPath } from './load.js';

interface SchemaErrorDetail {
  readonly instancePath?: string;
  readonly message?: string;
}

export async function validateSchema(specPath: string, cwd: string = process.cwd()): Promise<Diagnostic[]> {
  const absPath = path.resolve(cwd, specPath);
  const file = displayPath(absPath, cwd);
  const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
  try {
    // Validate a parsed copy: dereferencing is the parser's business, not ours.
    await SwaggerParser.validate(absPath);
    return [];
  } catch (error) {
    const details = (error as { details?: readonly SchemaErrorDetail[] }).details;
    if (!Array.isArray(details) || details.length === 0) {
      const first = String((error as Error).message ?? error).split('\n')[0] ?? '';
      return [{ code: 'schema', severity: 'error', message: first, file, pointer: '' }];
    }
    return details.map((d) => ({ code: 'schema' as const, severity: 'error' as const, message: `does not match the OpenAPI schema: ${d.message ?? 'invalid'}`, file, pointer: d.instancePath ?? '' }));
  }
}
