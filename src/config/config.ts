// Configuration: `codegen.config.json` or `codegen.config.mjs` / `.js` / `.ts` exporting
// `defineConfig({...})`, found in the working directory; CLI flags override it.
// One config may list several specs (monorepos).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLIENT_INTEGRATIONS, SERVER_ADAPTERS, type ClientIntegration, type Features, type ServerAdapter } from '../emit/index.js';
import { ENV_PREFIX_PATTERN } from '../naming/env-names.js';
import { didYouMean } from '../shared/did-you-mean.js';
import { transpileToModule } from '../verify/compiler.js';
import { configSchema, formatProblem, validate } from './json-schema.js';

export interface SpecConfig {
  /** The OpenAPI file, relative to the config file's folder. */
  spec: string;
  /** Output folder for generated files (default `generated`). */
  out?: string;
  /** Server adapters to emit next to guard.ts (default: none); one name stands for a list of one. */
  server?: OneOrMore<ServerAdapter | 'all'>;
  /** `true` = client.ts with fetch; or a list of `fetch`, `openapi-fetch`, `axios` (one name: a list of one). */
  client?: boolean | OneOrMore<ClientIntegration | 'all'>;
  /** Folder with template overrides. */
  templates?: string;
  /** Leave out operations whose security names an undefined or invalid scheme (each reported), instead of refusing. */
  skipInvalid?: boolean;
  /**
   * Folders (relative to the config file) whose files a `$ref` may name, besides the
   * spec's own folder (and its subfolders). By default a `$ref` to any other file is
   * refused, so a spec cannot make codegen read files outside its tree.
   */
  allowRefsOutside?: string[];
  /**
   * Prefix of every environment variable the generated client's credentialsFromEnv()
   * reads (`MYAPI_` -> `MYAPI_API_KEY`); must match /^[A-Z][A-Z0-9_]*_$/.
   * Default: derived from the spec's title (`Petstore` -> `PETSTORE_`).
   */
  envPrefix?: string;
  /**
   * Operation ids that are public on purpose: `lint` does not report them as
   * `operation-without-security` (as `x-public: true` on the operation does).
   */
  public?: string[];
  /** Where API key records live: `memory` (default) or `postgres` (emits the PostgreSQL store and its SQL). */
  keys?: 'memory' | 'postgres';
  /** Emit per-key quotas (runtime-quota.ts; the output imports rate-limiter-flexible). */
  quotas?: boolean;
  /** Emit usage counting for billing (runtime-usage.ts, PostgreSQL). */
  usage?: boolean;
  /** Emit the JWT access token verifier (runtime-jwt.ts and its helpers; the output imports jose). */
  jwt?: boolean;
  /** Emit the RFC 7662 token introspection verifier (runtime-introspection.ts). */
  introspection?: boolean;
}

type OneOrMore<T> = T | readonly T[];

export interface Config extends Partial<SpecConfig> {
  /** Editor completion: `./node_modules/openapi-security-codegen/codegen.schema.json`. */
  $schema?: string;
  /** Several specs, each with its own output folder. */
  specs?: SpecConfig[];
  /**
   * The accept file of reviewed `codegen diff` changes (relative to the config file):
   * entries naming operation, change class, reason and expiry date.
   */
  accept?: string;
}

/** Identity with types: `export default defineConfig({ spec: 'openapi.yaml', out: 'src/generated' })`. */
export function defineConfig(config: Config): Config {
  return config;
}

export const CONFIG_FILES = ['codegen.config.json', 'codegen.config.mjs', 'codegen.config.js', 'codegen.config.ts'] as const;

export interface ResolvedTarget {
  /** The spec file, relative to the working directory (for reading it and in diagnostics). */
  readonly spec: string;
  /**
   * The spec file as recorded in the generated files (header, input hash): relative to
   * the config file's folder, or to the working directory when there is no config file;
   * always `/`-separated. So the output does not depend on where codegen is run from.
   */
  readonly specLabel: string;
  readonly out: string;
  readonly server: readonly ServerAdapter[];
  readonly client: readonly ClientIntegration[];
  readonly templates?: string;
  readonly skipInvalid?: boolean;
  /** `allowRefsOutside`, each folder relative to the working directory. */
  readonly allowRefsOutside?: readonly string[];
  /** `envPrefix`, checked; absent: derived from the spec's title at emit. */
  readonly envPrefix?: string;
  /** `public`: operation ids public on purpose (lint). */
  readonly public?: readonly string[];
  /** The optional runtime features (`keys`, `quotas`, `usage`, `jwt`, `introspection`), only those asked for. */
  readonly features?: Features;
}


export class ConfigError extends Error {}

export async function loadConfig(cwd: string, explicit?: string, options: { jsonOnly?: boolean } = {}): Promise<{ config: Config; file?: string }> {
  // A .mjs/.js/.ts config is code: found (not named by --config) while every input is on the command line, it is not run.
  const candidates = explicit ? [explicit] : options.jsonOnly ? CONFIG_FILES.filter((f) => f.endsWith('.json')) : CONFIG_FILES;
  for (const name of candidates) {
    const file = path.resolve(cwd, name);
    if (!existsSync(file)) {
      if (explicit) throw new ConfigError(`config file ${explicit} not found`);
      continue;
    }
    let config: unknown;
    try {
      if (file.endsWith('.json')) config = JSON.parse(readFileSync(file, 'utf8'));
      else {
        const mod = (file.endsWith('.ts') ? await importTypeScript(file) : await import(pathToFileURL(file).href)) as { default?: unknown };
        if (!mod.default) throw new ConfigError(`${name} has no default export`);
        config = mod.default;
      }
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`cannot read ${name}: ${(error as Error).message}`);
    }
    return { config: checkConfig(config, name), file };
  }
  return { config: {} };
}

/**
 * The config checked against codegen.schema.json (the file editors read): every unknown
 * key, wrong type or unknown value is reported, one line each, naming the file and key.
 */
export function checkConfig(config: unknown, file: string): Config {
  const problems = validate(config, configSchema());
  if (problems.length > 0) throw new ConfigError(problems.map((p) => formatProblem(p, file)).join('\n'));
  return config as Config;
}

/**
 * Node 20 cannot import TypeScript, so a `.ts` config is transpiled (types erased, no
 * type-check) to a sibling temporary `.mjs`, keeping its relative imports working.
 * The compiler (verify/compiler.ts) is loaded only then, so other configs never pay for it.
 */
async function importTypeScript(file: string): Promise<unknown> {
  const output = await transpileToModule(readFileSync(file, 'utf8'), file);
  const temp = path.join(path.dirname(file), `.codegen.config.${process.pid}.${Date.now()}.mjs`);
  writeFileSync(temp, output);
  try {
    return await import(pathToFileURL(temp).href);
  } finally {
    rmSync(temp, { force: true });
  }
}

export interface Overrides {
  spec?: string | undefined;
  out?: string | undefined;
  server?: string[] | undefined;
  client?: string[] | boolean | undefined;
  templates?: string | undefined;
  skipInvalid?: boolean | undefined;
  envPrefix?: string | undefined;
}

/** Config + flags -> one target per spec. Paths in a config file are relative to it. */
export function resolveTargets(config: Config, overrides: Overrides, cwd: string, configFile?: string): ResolvedTarget[] {
  const base = configFile ? path.dirname(configFile) : cwd;
  const rel = (p: string): string => path.relative(cwd, path.resolve(base, p)) || '.';
  const specs: SpecConfig[] = overrides.spec
    ? [{ ...stripSpecs(config), spec: overrides.spec }]
    : config.specs && config.specs.length > 0
      ? config.specs.map((s) => ({ ...stripSpecs(config), ...s }))
      : config.spec
        ? [{ ...stripSpecs(config), spec: config.spec }]
        : [];
  if (specs.length === 0) throw new ConfigError('no spec given: pass --spec <file> or create codegen.config.json with a "spec" field');
  if (overrides.out !== undefined && specs.length > 1) {
    throw new ConfigError(`--out ${overrides.out} cannot be used with a config that lists ${specs.length} specs: each spec needs its own output folder (set "out" per spec in the config, or pass --spec too)`);
  }
  const label = (abs: string): string => {
    const r = path.relative(base, abs);
    return (r === '' ? path.basename(abs) : r).split(path.sep).join('/');
  };
  const targets = specs.map((s) => {
    const fromFlag = overrides.spec !== undefined;
    const specAbs = fromFlag ? path.resolve(cwd, overrides.spec!) : path.resolve(base, s.spec);
    const target: ResolvedTarget = {
      spec: fromFlag ? overrides.spec! : rel(s.spec),
      specLabel: label(specAbs),
      out: overrides.out ?? (s.out !== undefined ? rel(s.out) : 'generated'),
      server: parseList(overrides.server ?? s.server ?? [], SERVER_ADAPTERS, 'server'),
      client: parseClient(overrides.client ?? s.client ?? false),
    };
    const templates = overrides.templates ?? (s.templates !== undefined ? rel(s.templates) : undefined);
    const skipInvalid = overrides.skipInvalid ?? s.skipInvalid ?? false;
    const allowRefsOutside = refFolders(s.allowRefsOutside).map(rel);
    const envPrefix = checkEnvPrefix(overrides.envPrefix ?? s.envPrefix);
    return {
      ...target,
      ...(templates === undefined ? {} : { templates }),
      ...(skipInvalid ? { skipInvalid } : {}),
      ...(allowRefsOutside.length > 0 ? { allowRefsOutside } : {}),
      ...(envPrefix === undefined ? {} : { envPrefix }),
      ...(s.public !== undefined && s.public.length > 0 ? { public: [...s.public] } : {}),
      ...featuresOf(s),
    };
  });
  assertDistinctOutputs(targets, cwd);
  return targets;
}

function featuresOf(s: SpecConfig): { features?: Features } {
  const features: Features = {
    ...(s.keys === 'postgres' ? { keys: 'postgres' as const } : {}),
    ...(s.quotas === true ? { quotas: true as const } : {}),
    ...(s.usage === true ? { usage: true as const } : {}),
    ...(s.jwt === true ? { jwt: true as const } : {}),
    ...(s.introspection === true ? { introspection: true as const } : {}),
  };
  return Object.keys(features).length > 0 ? { features } : {};
}

/**
 * Two targets writing one folder would overwrite each other (and delete each other's
 * files as stale); a folder inside another target's folder would be taken for that
 * target's stale files. Both are refused.
 */
function assertDistinctOutputs(targets: readonly ResolvedTarget[], cwd: string): void {
  for (let i = 0; i < targets.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = targets[j]!;
      const b = targets[i]!;
      const from = path.relative(path.resolve(cwd, a.out), path.resolve(cwd, b.out));
      const to = path.relative(path.resolve(cwd, b.out), path.resolve(cwd, a.out));
      if (from === '') throw new ConfigError(`specs ${a.spec} and ${b.spec} both write to ${a.out}: give each spec its own "out" folder`);
      const inside = (r: string): boolean => r !== '' && r !== '..' && !r.startsWith(`..${path.sep}`) && !path.isAbsolute(r);
      if (inside(from) || inside(to)) {
        const [outer, inner] = inside(from) ? [a, b] : [b, a];
        throw new ConfigError(`output folder ${inner.out} (for ${inner.spec}) is inside ${outer.out} (for ${outer.spec}): give each spec a separate "out" folder`);
      }
    }
  }
}

/**
 * Every `allowRefsOutside` folder a config names (top level and per spec), absolute.
 * For `codegen diff`, which compares spec files rather than configured targets: any
 * folder the config trusts for one of its specs is trusted for the files compared.
 */
export function trustedRefFolders(config: Config, cwd: string, configFile?: string): string[] {
  const base = configFile ? path.dirname(configFile) : cwd;
  const lists = [config.allowRefsOutside, ...(Array.isArray(config.specs) ? config.specs.map((s) => s.allowRefsOutside) : [])];
  return [...new Set(lists.flatMap((l) => refFolders(l)).map((f) => path.resolve(base, f)))];
}

/** `allowRefsOutside` as written, checked: a list of non-empty folder paths. */
function refFolders(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.trim() === '')) {
    throw new ConfigError(`"allowRefsOutside" must be a list of folder paths, relative to the config file (e.g. ["../shared"]); got ${JSON.stringify(value)}`);
  }
  return value as string[];
}

/** `envPrefix` (config or `--env-prefix`) as written, checked: uppercase, ending in `_`. */
function checkEnvPrefix(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !ENV_PREFIX_PATTERN.test(value)) {
    throw new ConfigError(`"envPrefix" must be uppercase letters, digits and _, start with a letter and end with _ (e.g. "MYAPI_"); got ${JSON.stringify(value)}`);
  }
  return value;
}

function stripSpecs(config: Config): Partial<SpecConfig> {
  const { specs: _specs, $schema: _schema, ...rest } = config;
  return rest;
}

function parseClient(value: boolean | OneOrMore<string>): ClientIntegration[] {
  if (value === true) return ['fetch'];
  if (value === false) return [];
  const list = parseList(value, CLIENT_INTEGRATIONS, 'client');
  // client.ts (and its fetch wrapper) is the base every integration builds on.
  return list.length > 0 && !list.includes('fetch') ? ['fetch', ...list] : list;
}

function parseList<T extends string>(value: OneOrMore<string>, allowed: readonly T[], what: string): T[] {
  const items = (typeof value === 'string' ? [value] : value).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (items.length === 1 && items[0] === 'all') return [...allowed];
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) throw new ConfigError(`unknown ${what} "${item}"${didYouMean(item, [...allowed, 'all'])} (expected: ${allowed.join(', ')}, or all)`);
  }
  return allowed.filter((a) => items.includes(a));
}
