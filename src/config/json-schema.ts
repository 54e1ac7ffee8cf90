// A validator for the small subset of JSON Schema (draft-07) that codegen.schema.json
// uses, so the config is checked against the very file that ships for editors and the
// two cannot drift. A keyword outside the subset is refused (an internal error a test
// catches), never silently ignored. Problems carry the value's path; `formatProblem`
// turns one into a line naming the file and the key, with a did-you-mean.
import { readFileSync } from 'node:fs';
import { didYouMean } from '../shared/did-you-mean.js';

export interface Schema {
  readonly $schema?: string;
  readonly title?: string;
  readonly description?: string;
  /** Shown instead of the generic "must be …" when the value has the wrong type (also read by VS Code). */
  readonly errorMessage?: string;
  readonly $ref?: string;
  readonly definitions?: Readonly<Record<string, Schema>>;
  readonly type?: JsonType;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: false;
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly Schema[];
  readonly minLength?: number;
  /** A regular expression (JavaScript, `u` flag) a string must match; `errorMessage` says what it means. */
  readonly pattern?: string;
}

type JsonType = 'object' | 'array' | 'string' | 'boolean' | 'number' | 'integer' | 'null';

/** Every keyword the validator understands: the schema may use no other. */
export const SUPPORTED_KEYWORDS: ReadonlySet<string> = new Set([
  '$schema', 'title', 'description', 'errorMessage', '$ref', 'definitions', 'type', 'properties', 'additionalProperties', 'required', 'items', 'enum', 'anyOf', 'minLength', 'pattern',
]);

export type Path = readonly (string | number)[];

export type SchemaProblem =
  | { readonly kind: 'unknown-key'; readonly path: Path; readonly known: readonly string[] }
  | { readonly kind: 'missing-key'; readonly path: Path }
  | { readonly kind: 'type'; readonly path: Path; readonly expected: string; readonly value: unknown }
  | { readonly kind: 'enum'; readonly path: Path; readonly allowed: readonly string[]; readonly value: string }
  | { readonly kind: 'empty'; readonly path: Path };

let shipped: Schema | undefined;

/** codegen.schema.json at the package root (next to dist/ and src/ alike), read once. */
export function configSchema(): Schema {
  if (!shipped) {
    const schema = JSON.parse(readFileSync(new URL('../../codegen.schema.json', import.meta.url), 'utf8')) as Schema;
    assertSupported(schema);
    shipped = schema;
  }
  return shipped;
}

/** Throws when the schema uses a keyword (anywhere) that `validate` would not honour. */
export function assertSupported(schema: Schema, at = '#'): void {
  for (const keyword of Object.keys(schema)) {
    if (!SUPPORTED_KEYWORDS.has(keyword)) throw new Error(`codegen.schema.json uses "${keyword}" at ${at}, which the config validator does not implement`);
  }
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) throw new Error(`codegen.schema.json: only "additionalProperties": false is implemented (at ${at})`);
  for (const [group, members] of [['definitions', schema.definitions], ['properties', schema.properties]] as const) {
    for (const [name, member] of Object.entries(members ?? {})) assertSupported(member, `${at}/${group}/${name}`);
  }
  if (schema.items) assertSupported(schema.items, `${at}/items`);
  schema.anyOf?.forEach((branch, i) => assertSupported(branch, `${at}/anyOf/${i}`));
}

/** Every problem of `value` against `schema`, in the order the value is written. */
export function validate(value: unknown, schema: Schema, root: Schema = schema, path: Path = []): SchemaProblem[] {
  const s = resolve(schema, root);
  if (s.anyOf) {
    const branch = s.anyOf.find((b) => fits(value, resolve(b, root)));
    return branch ? validate(value, branch, root, path) : [{ kind: 'type', path, expected: s.errorMessage ?? `must be ${s.anyOf.map((b) => describe(resolve(b, root))).join(' or ')}`, value }];
  }
  if (!fits(value, s)) return [{ kind: 'type', path, expected: s.errorMessage ?? `must be ${describe(s)}`, value }];
  if (s.enum && !s.enum.includes(value)) {
    return [{ kind: 'enum', path, allowed: s.enum.map(String), value: String(value) }];
  }
  if (typeof value === 'string' && s.minLength !== undefined && value.length < s.minLength) return [{ kind: 'empty', path }];
  if (typeof value === 'string' && s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value)) {
    return [{ kind: 'type', path, expected: s.errorMessage ?? `must match ${s.pattern}`, value }];
  }
  if (Array.isArray(value)) return s.items ? value.flatMap((item, i) => validate(item, s.items!, root, [...path, i])) : [];
  if (isObject(value)) {
    const problems: SchemaProblem[] = [];
    const known = Object.keys(s.properties ?? {});
    for (const [key, v] of Object.entries(value)) {
      // A JS config may hold `out: process.env.OUT`: undefined is the same as absent.
      if (v === undefined) continue;
      const property = s.properties && Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
      if (property) problems.push(...validate(v, property, root, [...path, key]));
      else if (s.additionalProperties === false) problems.push({ kind: 'unknown-key', path: [...path, key], known });
    }
    for (const key of s.required ?? []) {
      if (!Object.hasOwn(value, key) || value[key] === undefined) problems.push({ kind: 'missing-key', path: [...path, key] });
    }
    return problems;
  }
  return [];
}

/** One line: what is wrong, at which key, in which file; with a did-you-mean when a known name is close. */
export function formatProblem(problem: SchemaProblem, file: string): string {
  const at = dotted(problem.path);
  const key = JSON.stringify(at);
  switch (problem.kind) {
    case 'unknown-key':
      return `unknown key ${key} in ${file}${didYouMean(String(problem.path.at(-1)), problem.known)}`;
    case 'missing-key':
      return `missing key ${key} in ${file}`;
    case 'empty':
      return `${key} must not be empty in ${file}`;
    case 'type':
      return `${problem.path.length === 0 ? 'the config' : key} ${problem.expected}, in ${file}; got ${shown(problem.value)}`;
    case 'enum': {
      const comma = problem.value.includes(',') ? `; list each value separately (${JSON.stringify(problem.value.split(',').map((v) => v.trim()))})` : '';
      return `unknown value ${JSON.stringify(problem.value)} for ${key} in ${file}${comma || didYouMean(problem.value, problem.allowed)} (expected: ${problem.allowed.join(', ')})`;
    }
  }
}

/** `specs[0].server[1]`; a key that is not a plain name is quoted: `["my key"]`. */
export function dotted(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

function resolve(schema: Schema, root: Schema): Schema {
  let s = schema;
  for (let hops = 0; s.$ref !== undefined; hops++) {
    const name = /^#\/definitions\/([^/]+)$/.exec(s.$ref)?.[1];
    const target = name !== undefined && root.definitions && Object.hasOwn(root.definitions, name) ? root.definitions[name] : undefined;
    if (!target || hops > 16) throw new Error(`codegen.schema.json: cannot resolve $ref ${s.$ref}`);
    s = target;
  }
  return s;
}

/** Whether the value has a type the schema allows (an enum allows the types of its members). */
function fits(value: unknown, s: Schema): boolean {
  if (s.type !== undefined) return typeOf(value) === s.type || (s.type === 'number' && typeOf(value) === 'integer');
  if (s.enum) return s.enum.some((e) => typeOf(e) === typeOf(value));
  return true;
}

function typeOf(value: unknown): JsonType | 'other' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean') return typeof value as 'string' | 'boolean';
  return isObject(value) ? 'object' : 'other';
}

function isObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(s: Schema): string {
  if (s.enum) return `one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  switch (s.type) {
    case 'object': return 'an object';
    case 'array': return 'a list';
    case 'boolean': return 'true or false';
    case 'integer': return 'a whole number';
    case 'null': return 'null';
    case undefined: return 'a value';
    default: return `a ${s.type}`;
  }
}

function shown(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint' || typeof value === 'symbol') return `a ${typeof value}`;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !isObject(value)) return `a ${value.constructor?.name ?? 'non-plain'} object`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    return 'an unprintable value';
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
