// Load stage: read a spec file (YAML or JSON) with swagger-parser, and offer a
// lazy `$ref` follower for the few nodes security needs (schemes, path items,
// operations). Whole schema trees are never dereferenced: large specs stay fast
// and circular schema refs do not matter. External files are resolved (through
// swagger-parser's resolver) only when a security-relevant `$ref` points outside
// the root file.
import path from 'node:path';
import type { Diagnostic } from '../diagnostics/types.js';
import { getAtPointer, splitPointer } from './pointer.js';

/** A node read from the spec, with where it was found (for diagnostics). */
export interface Located<T = unknown> {
  readonly value: T;
  readonly file: string;
  readonly pointer: string;
}

export interface LoadedSpec {
  /** The path as shown to users: relative to cwd when inside it, `/`-separated. */
  readonly file: string;
  readonly root: Record<string, unknown>;
  /** Follow `$ref` chains; returns a diagnostic for an unresolvable one. */
  deref(node: Located): Promise<Located | Diagnostic>;
}

export type LoadResult = { ok: true; spec: LoadedSpec } | { ok: false; diagnostics: Diagnostic[] };

interface RefsLike {
  get(ref: string): unknown;
  exists(ref: string): boolean;
}

export function displayPath(absPath: string, cwd: string): string {
  // Relative even when outside cwd: output and diagnostics must not depend on where the repo is checked out.
  const rel = path.relative(cwd, absPath);
  const shown = rel && !path.isAbsolute(rel) ? rel : absPath;
  return shown.split(path.sep).join('/');
}

export async function loadSpec(specPath: string, cwd: string = process.cwd()): Promise<LoadResult> {
  const absPath = path.resolve(cwd, specPath);
  const file = displayPath(absPath, cwd);
  // Loaded on first use: the CLI's --help and --version should not pay for it.
  const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
  const parser = new SwaggerParser();
  let root: unknown;
  try {
    root = await parser.parse(absPath);
  } catch (error) {
    return { ok: false, diagnostics: [parseErrorDiagnostic(error, file, absPath)] };
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    return { ok: false, diagnostics: [{ code: 'not-openapi', severity: 'error', message: 'the document is not an object', file, pointer: '' }] };
  }
  const doc = root as Record<string, unknown>;
  let refs: RefsLike | undefined;
  const externalRefs = async (): Promise<RefsLike> => {
    if (!refs) {
      await parser.resolve(absPath, doc as never, { continueOnError: true, resolve: { http: false } } as never);
      refs = parser.$refs as unknown as RefsLike;
    }
    return refs;
  };

  const deref = async (node: Located): Promise<Located | Diagnostic> => {
    let current = node;
    let currentAbs = current.file === file ? absPath : path.resolve(cwd, current.file);
    const seen = new Set<string>();
    for (;;) {
      const v = current.value;
      if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, '$ref')) return current;
      const ref = (v as { $ref: unknown }).$ref;
      const refPointer = current.pointer + '/$ref';
      if (typeof ref !== 'string') {
        return { code: 'unresolved-ref', severity: 'error', message: '$ref is not a string', file: current.file, pointer: refPointer };
      }
      const hash = ref.indexOf('#');
      const refFile = hash === -1 ? ref : ref.slice(0, hash);
      const fragment = hash === -1 ? '' : ref.slice(hash + 1);
      const targetAbs = refFile === '' ? currentAbs : path.resolve(path.dirname(currentAbs), decodeURI(refFile));
      const key = targetAbs + '#' + fragment;
      if (seen.has(key)) {
        return { code: 'unresolved-ref', severity: 'error', message: `$ref "${ref}" is circular`, file: current.file, pointer: refPointer };
      }
      seen.add(key);
      let targetDoc: unknown;
      if (targetAbs === absPath) {
        targetDoc = doc;
      } else if (/^[a-z][a-z0-9+.-]+:/i.test(refFile)) {
        return { code: 'unresolved-ref', severity: 'error', message: `$ref "${ref}" points to a URL; only local files are read`, file: current.file, pointer: refPointer, subject: lastToken(current.pointer) };
      } else {
        const r = await externalRefs();
        try {
          targetDoc = r.get(targetAbs);
        } catch {
          targetDoc = undefined;
        }
        if (targetDoc === undefined) {
          return { code: 'unresolved-ref', severity: 'error', message: `$ref "${ref}" cannot be resolved: file ${displayPath(targetAbs, cwd)} cannot be read`, file: current.file, pointer: refPointer, subject: lastToken(current.pointer) };
        }
      }
      const got = getAtPointer(targetDoc, splitPointer(fragment));
      if (!got.found) {
        return { code: 'unresolved-ref', severity: 'error', message: `$ref "${ref}" cannot be resolved: nothing at that pointer`, file: current.file, pointer: refPointer, subject: lastToken(current.pointer) };
      }
      currentAbs = targetAbs;
      current = { value: got.value, file: displayPath(targetAbs, cwd), pointer: fragment.startsWith('/') ? fragment : fragment === '' ? '' : '/' + fragment };
    }
  };
  return { ok: true, spec: { file, root: doc, deref } };
}

function lastToken(pointer: string): string {
  const tokens = splitPointer(pointer);
  return tokens[tokens.length - 1] ?? '';
}

function parseErrorDiagnostic(error: unknown, file: string, absPath: string): Diagnostic {
  const e = error as { name?: string; message?: string; code?: string; ioErrorCode?: string };
  const message = String(e.message ?? error);
  if (e.name === 'ResolverError' || e.ioErrorCode) {
    const reason = e.ioErrorCode === 'ENOENT' ? 'file not found' : (e.ioErrorCode ?? 'cannot be read');
    return { code: 'io', severity: 'error', message: `cannot read ${file}: ${reason}`, file, pointer: '' };
  }
  if (e.name === 'SyntaxError' && /not a valid/i.test(message)) {
    return { code: 'not-openapi', severity: 'error', message: 'not an OpenAPI or Swagger document (no "openapi" or "swagger" field)', file, pointer: '' };
  }
  if (/unsupported (openapi|swagger) version/i.test(message)) {
    return { code: 'not-openapi', severity: 'error', message: `unsupported version: ${message.split('\n')[0]} (expected Swagger 2.0 or OpenAPI 3.0 / 3.1)`, file, pointer: '' };
  }
  // swagger-parser reports YAML/JSON errors as "Error parsing <file>: <reason> (line:col)".
  const firstLine = message.split('\n')[0] ?? message;
  const pos = /\((\d+):(\d+)\)\s*$/.exec(firstLine);
  const prefix = `Error parsing ${absPath}: `;
  const reason = (firstLine.startsWith(prefix) ? firstLine.slice(prefix.length) : firstLine).replace(/\s*\(\d+:\d+\)\s*$/, '');
  const d: Diagnostic = { code: 'syntax', severity: 'error', message: `syntax error: ${reason}`, file, pointer: '' };
  return pos ? { ...d, line: Number(pos[1]), column: Number(pos[2]) } : d;
}
