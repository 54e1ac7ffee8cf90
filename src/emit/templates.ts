// Template loading: the built-in skeletons (`templates/*.hbs`) and runtime files
// (`templates/runtime/`), a user's `--templates` overrides of either, rendering (plain
// `{{name}}` skeletons directly, plain-template.ts; anything else with Handlebars,
// compiled once per run, no HTML escaping), and the record of which overrides a run
// read, for the input hash. The only file IO of the emit stage.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type HandlebarsModule from 'handlebars';
import { readContainedFileSync } from '../load/read.js';
import { compareCodeUnits } from '../shared/order.js';
import { RUNTIME_IMPORTS, type RuntimeFile } from './manifest.js';
import { renderPlain } from './plain-template.js';

/** Handlebars, loaded on first use (emit is synchronous, Handlebars a CommonJS module). */
let handlebars: typeof HandlebarsModule | undefined;
const loadHandlebars = (): typeof HandlebarsModule => (handlebars ??= createRequire(import.meta.url)('handlebars') as typeof HandlebarsModule);

export const BUILTIN_TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));

/** A `--templates` folder that is missing, or a template that does not compile or render; names the file. */
export class TemplateError extends Error {}

/** No template override larger than this is read (the built-in ones are a few KB). */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;

/** Built-in templates with optional user overrides; each read and compiled once per run. */
export class TemplateSource {
  private readonly compiled = new Map<string, HandlebarsModule.TemplateDelegate>();
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
      // A templates folder may come from a pull request: only regular files inside it are
      // read (no symlink to /proc/self/environ or /etc/passwd, no FIFO, bounded size).
      const result = readContainedFileSync(this.overrides, file, MAX_TEMPLATE_BYTES);
      if (result.ok) got = { text: result.bytes.toString('utf8'), file, override: true };
      else if (result.kind !== 'missing') throw new TemplateError(`template ${shownPath(file)} ${result.kind === 'refused' ? result.reason : `cannot be read (${result.reason})`}`);
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
    const used = [...this.texts.entries()].filter(([, t]) => t.override).sort(([a], [b]) => compareCodeUnits(a, b));
    return used.length === 0 ? undefined : Object.fromEntries(used.map(([name, t]) => [name, t.text]));
  }

  render(name: string, view: Record<string, string>): string {
    const source = this.load(name);
    const plain = renderPlain(source.text, view);
    if (plain !== undefined) return plain;
    try {
      let t = this.compiled.get(name);
      if (!t) {
        // noEscape: HTML escaping corrupts code; values are escaped by the sinks instead.
        t = loadHandlebars().compile(source.text, { noEscape: true, strict: true });
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

  /**
   * The runtime files, by name. A user override must import exactly what the built-in
   * file does (its manifest row): the output holds no other runtime file.
   */
  /** A built-in SQL file (templates/sql/): copied as is, never overridden. */
  sql(name: string): string {
    return readFileSync(path.join(BUILTIN_TEMPLATES, 'sql', name), 'utf8');
  }

  runtime(files: readonly RuntimeFile[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const name of files) {
      const source = this.load(name);
      if (source.override) {
        const imports = [...source.text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]\.\/([\w.-]+)\.js['"]/g)].map((m) => `${m[1]}.ts`);
        const allowed: readonly string[] = RUNTIME_IMPORTS[name];
        const extra = imports.filter((f) => !allowed.includes(f));
        if (extra.length > 0) throw new TemplateError(`template ${shownPath(source.file)} imports ${extra.join(', ')}, which the built-in ${name} does not: an override cannot add runtime files`);
      }
      out.set(name, source.text);
    }
    return out;
  }
}

/** A path as the user would write it: relative to the working directory when inside it. */
function shownPath(p: string): string {
  const rel = path.relative(process.cwd(), path.resolve(p));
  return (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(p)).split(path.sep).join('/');
}
