// Test helper: write spec fragments to a temporary folder, so tests go through
// the real loader (swagger-parser) exactly as the CLI does.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildModel } from '../../src/pipeline.js';

export function tempDir(prefix = 'osc-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Write files (name -> object or raw text) into a fresh temp dir; returns its path. */
export function writeFiles(files: Record<string, unknown>): string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

/** A minimal 3.0 document around the given security parts. */
export function oas3(parts: { schemes?: Record<string, unknown>; security?: unknown; paths?: Record<string, unknown>; openapi?: string; servers?: unknown }): Record<string, unknown> {
  return {
    openapi: parts.openapi ?? '3.0.3',
    info: { title: 't', version: '1' },
    ...(parts.servers !== undefined ? { servers: parts.servers } : {}),
    ...(parts.security !== undefined ? { security: parts.security } : {}),
    paths: parts.paths ?? {},
    components: { securitySchemes: parts.schemes ?? {} },
  };
}

export async function modelOf(doc: unknown, name = 'openapi.json') {
  const dir = writeFiles({ [name]: doc });
  return buildModel(name, dir);
}
