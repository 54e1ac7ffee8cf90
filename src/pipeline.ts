// The pipeline as one library call: load -> normalize -> check -> emit. Nothing
// here touches the output folder; the CLI (or a caller) decides to write or compare.
import { createRequire } from 'node:module';
import { checkModel } from './check/rules.js';
import { skipInvalidOperations } from './check/skip.js';
import { hasErrors, type Diagnostic } from './diagnostics/types.js';
import { emit, type ClientIntegration, type Features, type ServerAdapter } from './emit/index.js';
import type { FilePlan } from './emit/plan.js';
import type { SecurityModel } from './ir/types.js';
import { loadSpec } from './load/load.js';
import { normalize } from './normalize/normalize.js';

export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export interface ModelResult {
  /** Undefined when the document could not be read at all. */
  readonly model: SecurityModel | undefined;
  /** Errors first, then warnings, then infos; each group in the order found. */
  readonly diagnostics: readonly Diagnostic[];
}

export interface ModelOptions {
  /** Leave out operations whose security cannot be enforced instead of refusing the spec. */
  readonly skipInvalid?: boolean;
  /** Folders (absolute, or relative to `cwd`) whose files `$ref`s may name, besides the spec's own folder. */
  readonly allowRefsOutside?: readonly string[] | undefined;
  /** Operation ids public on purpose (the config's `public`): not reported as `operation-without-security`; an id that names no operation is. */
  readonly public?: readonly string[] | undefined;
}

/** Load and normalize a spec, and run every check. */
export async function buildModel(specPath: string, cwd: string = process.cwd(), options: ModelOptions = {}): Promise<ModelResult> {
  const loaded = await loadSpec(specPath, cwd, { allowRefsOutside: options.allowRefsOutside });
  if (!loaded.ok) return { model: undefined, diagnostics: loaded.diagnostics };
  const normalized = await normalize(loaded.spec);
  let model = normalized.model;
  const checked = model ? checkModel(model, normalized.rejectedSchemes, { publicIds: options.public }) : undefined;
  let all = [...normalized.diagnostics, ...(checked?.diagnostics ?? [])];
  if (model && checked && options.skipInvalid) {
    const skipped = skipInvalidOperations(model, all, checked.unenforceable);
    model = skipped.model;
    all = [...skipped.diagnostics];
  }
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return { model, diagnostics: all.map((d, i) => ({ d, i })).sort((a, b) => rank[a.d.severity] - rank[b.d.severity] || a.i - b.i).map((x) => x.d) };
}

export interface GenerateOptions {
  /** The spec file, relative to `cwd`. */
  readonly spec: string;
  /**
   * How the generated files name the spec (header, input hash); default: `spec` as
   * the loader shows it (relative to `cwd`). The CLI passes it relative to the config
   * file's folder, so the bytes do not depend on where codegen runs. `/`-separated.
   */
  readonly specLabel?: string;
  readonly server?: readonly ServerAdapter[];
  readonly client?: readonly ClientIntegration[];
  readonly templates?: string;
  /** Prefix of the client's environment variables (`MYAPI_`); default: derived from the spec's title. */
  readonly envPrefix?: string | undefined;
  /** Optional runtime files (`keys: 'postgres'`, `quotas`, `usage`). */
  readonly features?: Features | undefined;
  readonly cwd?: string;
  readonly skipInvalid?: boolean;
  /** Folders (absolute, or relative to `cwd`) whose files `$ref`s may name, besides the spec's own folder. */
  readonly allowRefsOutside?: readonly string[] | undefined;
  /**
   * Operation ids public on purpose (the config's `public`), for the coverage warnings
   * generate prints like lint does; the generated files do not depend on it.
   */
  readonly public?: readonly string[] | undefined;
}

export interface GenerateResult extends ModelResult {
  /** Empty when an error diagnostic stopped generation. */
  readonly files: readonly FilePlan[];
}

/** Generate in memory. Refuses (no files) when any error diagnostic exists. */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const { model, diagnostics } = await buildModel(options.spec, options.cwd, { skipInvalid: options.skipInvalid === true, allowRefsOutside: options.allowRefsOutside, public: options.public });
  if (!model || hasErrors(diagnostics)) return { model, diagnostics, files: [] };
  const files = emit(options.specLabel === undefined ? model : { ...model, file: options.specLabel }, {
    server: options.server ?? [],
    client: options.client ?? [],
    generatorVersion: VERSION,
    ...(options.templates !== undefined ? { templates: options.templates } : {}),
    ...(options.envPrefix !== undefined ? { envPrefix: options.envPrefix } : {}),
    ...(options.features !== undefined ? { features: options.features } : {}),
  });
  return { model, diagnostics, files };
}
