// Emit stage: IR -> file plans. Per-spec files are Handlebars skeletons filled with
// values that already went through the sinks; the runtime is hand-written source
// under templates/runtime/, copied with the files it imports.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { SecurityModel } from '../ir/types.js';
import { envNames } from '../naming/env-names.js';
import { printLiteral } from './literal.js';
import { contentHash, header, packageJson, type FilePlan } from './plan.js';
import { docCommentText, literalUnion, stringLiteral } from './sinks.js';
import { operationsTable, schemesTable, usedSchemeIds } from './tables.js';

export const SERVER_ADAPTERS = ['express', 'fastify', 'koa', 'hono', 'fetch', 'node'] as const;
export type ServerAdapter = (typeof SERVER_ADAPTERS)[number];
export const CLIENT_INTEGRATIONS = ['fetch', 'openapi-fetch', 'axios'] as const;
export type ClientIntegration = (typeof CLIENT_INTEGRATIONS)[number];

export interface EmitOptions {
  readonly server: readonly ServerAdapter[];
  /** `[]` means no client; `fetch` alone gives client.ts. */
  readonly client: readonly ClientIntegration[];
  /** Folder with user overrides of `*.hbs` skeletons and runtime files. */
  readonly templates?: string;
  readonly generatorVersion: string;
}

export const BUILTIN_TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));

export function emit(model: SecurityModel, options: EmitOptions): FilePlan[] {
  const templates = new TemplateSource(options.templates);
  // Every override that this run uses is read before the hash is taken, so the hash
  // (and `codegen check`) changes when one of them does.
  const runtime = templates.runtimeClosure(runtimeRootsFor(options));
  for (const name of ['security.ts.hbs', 'guard.ts.hbs', ...(options.client.length > 0 ? ['client.ts.hbs'] : [])]) templates.read(name);
  const overrides = templates.overridesUsed();
  const inputHash = contentHash({ model: stripOrigins(model), server: options.server, client: options.client, ...(overrides ? { templates: overrides } : {}) });
  const headerInfo = { version: options.generatorVersion, specFile: model.file, inputHash };
  const head = header(headerInfo);
  const used = usedSchemeIds(model);
  const files = new Map<string, string>();

  const view = {
    header: head,
    title: docCommentText(model.title || model.file),
    schemes: printLiteral(schemesTable(model)),
    operations: printLiteral(operationsTable(model)),
    basePath: stringLiteral(model.basePath),
    usedSchemes: literalUnion(used),
  };
  files.set('package.json', packageJson(headerInfo));
  files.set('security.ts', templates.render('security.ts.hbs', view));
  files.set('guard.ts', templates.render('guard.ts.hbs', view));

  if (options.client.length > 0) {
    const names = envNames(used);
    const envTable = Object.fromEntries(used.map((id) => [id, names.get(id) ?? '']));
    const envDoc = used.map((id) => {
      const scheme = model.schemes.find((s) => s.id === id);
      const base = names.get(id) ?? '';
      const vars = scheme?.kind === 'http' && scheme.scheme === 'basic' ? `${base}_USERNAME, ${base}_PASSWORD` : scheme?.kind === 'mutualTLS' ? '(not read: configure the certificate on the transport)' : base;
      return ` *   ${docCommentText(id)}: ${vars}`;
    });
    files.set('client.ts', templates.render('client.ts.hbs', { ...view, envNames: printLiteral(envTable), envDoc: envDoc.join('\n') }));
  }

  for (const [name, text] of runtime) files.set(name, head + text);
  return [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([p, contents]) => ({ path: p, contents }));
}

/** The runtime files the options ask for; their imports are added by `runtimeClosure`. */
function runtimeRootsFor(options: EmitOptions): string[] {
  const roots = ['runtime-server.ts', 'runtime-keys.ts', ...options.server.map((a) => `${a}.ts`)];
  if (options.client.length > 0) {
    roots.push('runtime-client.ts');
    for (const integration of options.client) if (integration !== 'fetch') roots.push(`${integration}.ts`);
  }
  return roots;
}

/** Origins say where a value was written, not what it means: they stay out of the hash. */
function stripOrigins(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripOrigins);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'origin').map(([k, v]) => [k, stripOrigins(v)]));
}

/** A `--templates` folder that is missing, or a template that does not compile or render; names the file. */
export class TemplateError extends Error {}

/** Built-in templates with optional user overrides; each read and compiled once per run. */
class TemplateSource {
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();
  private readonly texts = new Map<string, { text: string; file: string; override: boolean }>();

  constructor(private readonly overrides: string | undefined) {
    if (overrides === undefined) return;
    let isDir = false;
    try {
      isDir = statSync(overrides).isDirectory();
    } catch {
      throw new TemplateError(`templates folder ${shownPath(overrides)} not found`);
    }
    if (!isDir) throw new TemplateError(`templates folder ${shownPath(overrides)} is not a folder`);
  }

  read(name: string): string {
    return this.load(name).text;
  }

  private load(name: string): { text: string; file: string; override: boolean } {
    const cached = this.texts.get(name);
    if (cached) return cached;
    let got: { text: string; file: string; override: boolean } | undefined;
    if (this.overrides !== undefined) {
      const file = path.join(this.overrides, name);
      try {
        got = { text: readFileSync(file, 'utf8'), file, override: true };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new TemplateError(`template ${shownPath(file)}: ${(error as Error).message}`);
      }
    }
    if (!got) {
      const file = path.join(BUILTIN_TEMPLATES, name.endsWith('.hbs') ? name : path.join('runtime', name));
      try {
        got = { text: readFileSync(file, 'utf8'), file, override: false };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        const where = this.overrides === undefined ? 'the built-in templates' : `${shownPath(this.overrides)} or the built-in templates`;
        throw new TemplateError(`template ${name} (imported by another template) is in neither ${where}`);
      }
    }
    this.texts.set(name, got);
    return got;
  }

  /** The override files read so far (name -> contents), or undefined when none was. */
  overridesUsed(): Record<string, string> | undefined {
    const used = [...this.texts.entries()].filter(([, t]) => t.override).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return used.length === 0 ? undefined : Object.fromEntries(used.map(([name, t]) => [name, t.text]));
  }

  render(name: string, view: Record<string, string>): string {
    const source = this.load(name);
    try {
      let t = this.compiled.get(name);
      if (!t) {
        // noEscape: HTML escaping corrupts code; values are escaped by the sinks instead.
        t = Handlebars.compile(source.text, { noEscape: true, strict: true });
        this.compiled.set(name, t);
      }
      return t(view);
    } catch (error) {
      // Handlebars compiles lazily: syntax errors surface on the first call, like unknown names.
      // Parse errors span lines (the source excerpt and a caret): keep the first and the last, on one line.
      const lines = ((error as Error)?.message ?? String(error)).replace(/ in \[object Object\]/g, '').split('\n');
      const message = lines.length > 1 ? `${lines[0]} ${lines[lines.length - 1]}` : lines[0];
      throw new TemplateError(`template ${shownPath(source.file)}: ${message}`);
    }
  }

  /** The runtime files named, plus every runtime file they import, transitively. */
  runtimeClosure(roots: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    const queue = [...roots];
    while (queue.length > 0) {
      const name = queue.shift() as string;
      if (out.has(name)) continue;
      const text = this.read(name);
      out.set(name, text);
      for (const m of text.matchAll(/from\s+'\.\/([\w.-]+)\.js'/g)) queue.push(`${m[1]}.ts`);
    }
    return out;
  }
}

/** A path as the user would write it: relative to the working directory when inside it. */
function shownPath(p: string): string {
  const rel = path.relative(process.cwd(), path.resolve(p));
  return (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(p)).split(path.sep).join('/');
}
