// Emit stage: IR -> file plans. Per-spec files are Handlebars skeletons filled with
// values that already went through the sinks; the runtime is hand-written source
// under templates/runtime/, copied with the files it imports.
import { readFileSync } from 'node:fs';
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
  const inputHash = contentHash({ model: stripOrigins(model), server: options.server, client: options.client });
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
  const runtimeRoots = ['runtime-server.ts', 'runtime-keys.ts', ...options.server.map((a) => `${a}.ts`)];

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
    runtimeRoots.push('runtime-client.ts');
    for (const integration of options.client) if (integration !== 'fetch') runtimeRoots.push(`${integration}.ts`);
  }

  for (const [name, text] of templates.runtimeClosure(runtimeRoots)) files.set(name, head + text);
  return [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([p, contents]) => ({ path: p, contents }));
}

/** Origins say where a value was written, not what it means: they stay out of the hash. */
function stripOrigins(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripOrigins);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'origin').map(([k, v]) => [k, stripOrigins(v)]));
}

/** Built-in templates with optional user overrides; compiled once per run. */
class TemplateSource {
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();
  constructor(private readonly overrides: string | undefined) {}

  read(name: string): string {
    if (this.overrides) {
      try {
        return readFileSync(path.join(this.overrides, name), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return readFileSync(path.join(BUILTIN_TEMPLATES, name.endsWith('.hbs') ? name : path.join('runtime', name)), 'utf8');
  }

  render(name: string, view: Record<string, string>): string {
    let t = this.compiled.get(name);
    if (!t) {
      // noEscape: HTML escaping corrupts code; values are escaped by the sinks instead.
      t = Handlebars.compile(this.read(name), { noEscape: true, strict: true });
      this.compiled.set(name, t);
    }
    return t(view);
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
