// Load stage: read a spec file (YAML or JSON) as swagger-parser parses it (a `.json`
// spec it would accept as is without loading it: parse-root.ts), and offer a
// lazy `$ref` follower for the few nodes security needs (schemes, path items,
// operations). Whole schema trees are never dereferenced: large specs stay fast
// and circular schema refs do not matter. An external file is read only when a
// security-relevant `$ref` points into it, and then only that file (never a
// whole-document resolve, which would open every file any schema names). Every
// file goes through `SafeReader` (regular files, size limit, allowed folders) under
// one time budget per load.
import path from 'node:path';
import type { Diagnostic } from '../diagnostics/types.js';
import { parseRoot } from './parse-root.js';
import { getAtPointer, splitPointer } from './pointer.js';
import { DEFAULT_LIMITS, LoadBudget, SafeReader, TIMED_OUT, type LoadLimits, type ReadFailure } from './read.js';

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
  /** Follow `$ref` chains; returns a diagnostic for an unresolvable or refused one. */
  deref(node: Located): Promise<Located | Diagnostic>;
}

export type LoadResult = { ok: true; spec: LoadedSpec } | { ok: false; diagnostics: Diagnostic[] };

export interface LoadOptions {
  /** Folders (absolute, or relative to `cwd`) whose files `$ref`s may name, besides the spec's own folder. */
  readonly allowRefsOutside?: readonly string[] | undefined;
  /** Lower limits, for tests; default 64 MiB per file, 30 s per load. */
  readonly limits?: Partial<LoadLimits> | undefined;
}

/** A `$ref`'d file: its parsed value, or why it is not available. */
type FileLoad = { readonly ok: true; readonly doc: unknown } | ReadFailure | { readonly ok: false; readonly kind: 'syntax' | 'timeout'; readonly reason: string };

interface Parser {
  parse(path: string, options: object): Promise<unknown>;
}
type ParserClass = new () => Parser;

export function displayPath(absPath: string, cwd: string): string {
  // Relative even when outside cwd: output and diagnostics must not depend on where the repo is checked out.
  const rel = path.relative(cwd, absPath);
  const shown = rel && !path.isAbsolute(rel) ? rel : absPath;
  return shown.split(path.sep).join('/');
}

/** The reader and budget of one load, from its options (shared with `validateSchema`). */
export function loadPolicy(absPath: string, cwd: string, options: LoadOptions): { reader: SafeReader; budget: LoadBudget; limits: LoadLimits } {
  const limits: LoadLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const folders = [path.dirname(absPath), ...(options.allowRefsOutside ?? []).map((f) => path.resolve(cwd, f))];
  return { reader: new SafeReader(folders, limits), budget: new LoadBudget(limits.timeoutMs), limits };
}

/**
 * Parser options that hand the parser bytes we already read (through `SafeReader`)
 * instead of letting it open the path itself; no other file and no URL is read.
 */
export function preReadOptions(bytes: Buffer, external: boolean): object {
  return {
    resolve: { file: false, http: false, preRead: { order: 1, canRead: true, read: () => bytes } },
    // A `$ref`'d file is only useful as YAML or JSON; text and binary would yield a string to point into.
    ...(external ? { parse: { text: false, binary: false } } : {}),
  };
}

export async function loadSpec(specPath: string, cwd: string = process.cwd(), options: LoadOptions = {}): Promise<LoadResult> {
  const absPath = path.resolve(cwd, specPath);
  const file = displayPath(absPath, cwd);
  const { reader, budget, limits } = loadPolicy(absPath, cwd, options);
  const timeLimit = `${limits.timeoutMs / 1000} s`;

  const rootLoad = await budget.run(async (signal) => {
    const read = await reader.readRoot(absPath, signal);
    if (!read.ok) return read;
    try {
      return { ok: true as const, doc: await parseRoot(absPath, read.bytes, preReadOptions(read.bytes, false)) };
    } catch (error) {
      return { ok: false as const, kind: 'syntax' as const, error };
    }
  });
  if (rootLoad === TIMED_OUT) {
    return { ok: false, diagnostics: [{ code: 'io', severity: 'error', message: `cannot read ${file}: reading and parsing it took longer than ${timeLimit}`, file, pointer: '' }] };
  }
  if (!rootLoad.ok) {
    if (rootLoad.kind === 'syntax') return { ok: false, diagnostics: [parseErrorDiagnostic(rootLoad.error, file, absPath)] };
    const reason = rootLoad.kind === 'missing' ? 'file not found' : rootLoad.kind === 'refused' ? `it ${rootLoad.reason}` : rootLoad.reason;
    return { ok: false, diagnostics: [{ code: 'io', severity: 'error', message: `cannot read ${file}: ${reason}`, file, pointer: '' }] };
  }
  const root = rootLoad.doc;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    return { ok: false, diagnostics: [{ code: 'not-openapi', severity: 'error', message: 'the document is not an object', file, pointer: '' }] };
  }
  const doc = root as Record<string, unknown>;

  // One read and parse per file per load, however many `$ref`s point into it (and concurrent ones share it).
  const files = new Map<string, Promise<FileLoad>>();
  const loadFile = (targetAbs: string): Promise<FileLoad> => {
    let pending = files.get(targetAbs);
    if (!pending) {
      pending = budget
        .run(async (signal): Promise<FileLoad> => {
          const read = await reader.readRef(targetAbs, signal);
          if (!read.ok) return read;
          try {
            return { ok: true, doc: await new (await refParser())().parse(targetAbs, preReadOptions(read.bytes, true)) };
          } catch (error) {
            return { ok: false, kind: 'syntax', reason: parseReason(error, targetAbs) };
          }
        })
        .then((r) => (r === TIMED_OUT ? { ok: false, kind: 'timeout', reason: `reading and parsing the spec and the files it references took longer than ${timeLimit} in total` } : r));
      files.set(targetAbs, pending);
    }
    return pending;
  };
  // Display path -> absolute path of every file a Located may come from.
  const absOf = new Map<string, string>([[file, absPath]]);

  const deref = async (node: Located): Promise<Located | Diagnostic> => {
    let current = node;
    let currentAbs = absOf.get(current.file) ?? path.resolve(cwd, current.file);
    const seen = new Set<string>();
    for (;;) {
      const v = current.value;
      if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, '$ref')) return current;
      const ref = (v as { $ref: unknown }).$ref;
      const at = { file: current.file, pointer: current.pointer + '/$ref', subject: lastToken(current.pointer) };
      const fail = (code: 'unresolved-ref' | 'ref-refused', message: string): Diagnostic => ({ code, severity: 'error', message, ...at });
      if (typeof ref !== 'string') {
        return { code: 'unresolved-ref', severity: 'error', message: '$ref is not a string', file: at.file, pointer: at.pointer };
      }
      const hash = ref.indexOf('#');
      const refFile = hash === -1 ? ref : ref.slice(0, hash);
      const fragment = hash === -1 ? '' : ref.slice(hash + 1);
      if (/^[a-z][a-z0-9+.-]+:/i.test(refFile)) {
        return fail('unresolved-ref', `$ref "${ref}" points to a URL; only local files are read`);
      }
      let decoded: string;
      try {
        decoded = decodeURI(refFile);
      } catch {
        return fail('unresolved-ref', `$ref "${ref}" is not a valid URI reference`);
      }
      const targetAbs = refFile === '' ? currentAbs : path.resolve(path.dirname(currentAbs), decoded);
      const key = targetAbs + '#' + fragment;
      if (seen.has(key)) {
        return { code: 'unresolved-ref', severity: 'error', message: `$ref "${ref}" is circular`, file: at.file, pointer: at.pointer };
      }
      seen.add(key);
      const shown = displayPath(targetAbs, cwd);
      let targetDoc: unknown;
      if (targetAbs === absPath) {
        targetDoc = doc;
      } else {
        const loaded = await loadFile(targetAbs);
        if (!loaded.ok) {
          switch (loaded.kind) {
            case 'missing':
              return fail('unresolved-ref', `$ref "${ref}" cannot be resolved: file ${shown} not found`);
            case 'unreadable':
              return fail('unresolved-ref', `$ref "${ref}" cannot be resolved: file ${shown} cannot be read (${loaded.reason})`);
            case 'syntax':
              return fail('unresolved-ref', `$ref "${ref}" cannot be resolved: file ${shown} is not valid YAML or JSON: ${loaded.reason}`);
            case 'refused':
              return fail('ref-refused', `$ref "${ref}" refused: file ${shown} ${loaded.reason}`);
            case 'timeout':
              return fail('ref-refused', `$ref "${ref}" refused: ${loaded.reason}`);
          }
        }
        targetDoc = loaded.doc;
      }
      const got = getAtPointer(targetDoc, splitPointer(fragment));
      if (!got.found) {
        return fail('unresolved-ref', `$ref "${ref}" cannot be resolved: nothing at that pointer`);
      }
      currentAbs = targetAbs;
      absOf.set(shown, targetAbs);
      current = { value: got.value, file: shown, pointer: fragment.startsWith('/') ? fragment : fragment === '' ? '' : '/' + fragment };
    }
  };
  return { ok: true, spec: { file, root: doc, deref } };
}

/**
 * swagger-parser's base class (json-schema-ref-parser), which parses any YAML or JSON
 * file without the OpenAPI checks that `$ref`'d fragments would fail; reached through
 * the prototype, so the parser is exactly the one swagger-parser uses (not a second
 * dependency). Loaded on first use: most specs need no other file.
 */
async function refParser(): Promise<ParserClass> {
  const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
  return Object.getPrototypeOf(SwaggerParser) as ParserClass;
}

function lastToken(pointer: string): string {
  const tokens = splitPointer(pointer);
  return tokens[tokens.length - 1] ?? '';
}

/** The first line of a parser error, without its "Error parsing <file>: " prefix. */
function parseReason(error: unknown, absPath: string): string {
  const first = String((error as Error)?.message ?? error).split('\n')[0] ?? '';
  const m = /^Error parsing [^:]*: /.exec(first);
  return first.startsWith(`Error parsing ${absPath}: `) ? first.slice(`Error parsing ${absPath}: `.length) : m ? first.slice(m[0].length) : first;
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
