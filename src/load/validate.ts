// Opt-in full schema validation (`codegen lint --validate`). Never the gate for
// generation: real specs fail the official schemas for reasons that have nothing to
// do with security. Each schema error becomes a `schema` diagnostic with its pointer.
// Validation dereferences the whole document, so it reads every file any `$ref`
// names: each read goes through the loader's `SafeReader` (regular files, size
// limit, allowed folders, one time budget), and URLs are never fetched.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../diagnostics/types.js';
import { displayPath, loadPolicy, type LoadOptions } from './load.js';
import { TIMED_OUT } from './read.js';

interface SchemaErrorDetail {
  readonly instancePath?: string;
  readonly message?: string;
}

export async function validateSchema(specPath: string, cwd: string = process.cwd(), options: LoadOptions = {}): Promise<Diagnostic[]> {
  const absPath = path.resolve(cwd, specPath);
  const file = displayPath(absPath, cwd);
  const { reader, budget, limits } = loadPolicy(absPath, cwd, options);
  // The parser wraps a resolver's error in its own (losing the message), so the first refusal is kept here.
  let refusal: string | undefined;
  const refuse = (message: string): never => {
    refusal ??= message;
    throw new Error(message);
  };
  const guarded = {
    order: 1,
    canRead: true,
    read: async (target: { url: string }): Promise<Buffer> => {
      const url = target.url;
      if (/^[a-z][a-z0-9+.-]+:/i.test(url) && !url.startsWith('file:')) return refuse(`${url}: a URL; only local files are read`);
      const abs = url.startsWith('file:') ? fileURLToPath(url) : decodeURI(url);
      const shown = displayPath(abs, cwd);
      const r = await budget.run((signal) => (abs === absPath ? reader.readRoot(abs, signal) : reader.readRef(abs, signal)));
      if (r === TIMED_OUT) return refuse(`reading the spec and the files it references took longer than ${limits.timeoutMs / 1000} s in total`);
      if (!r.ok) return refuse(r.kind === 'missing' ? `file ${shown} not found` : r.kind === 'refused' ? `file ${shown} ${r.reason}` : `file ${shown} cannot be read (${r.reason})`);
      return r.bytes;
    },
  };
  const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
  try {
    // Validate a parsed copy: dereferencing is the parser's business, not ours.
    await SwaggerParser.validate(absPath, { resolve: { file: false, http: false, guarded } } as never);
    return [];
  } catch (error) {
    if (refusal !== undefined) {
      return [{ code: 'schema', severity: 'error', message: `cannot validate: ${refusal}`, file, pointer: '' }];
    }
    const details = (error as { details?: readonly SchemaErrorDetail[] }).details;
    if (!Array.isArray(details) || details.length === 0) {
      const first = String((error as Error).message ?? error).split('\n')[0] ?? '';
      return [{ code: 'schema', severity: 'error', message: first, file, pointer: '' }];
    }
    return details.map((d) => ({ code: 'schema' as const, severity: 'error' as const, message: `does not match the OpenAPI schema: ${d.message ?? 'invalid'}`, file, pointer: d.instancePath ?? '' }));
  }
}
