// Shared state of one normalize run: the loaded spec, the diagnostics sink and
// small readers that keep pointers attached to every value they return.
//
// Raw nodes carry the openapi-types shape the spec promises (`Raw<OpenAPIV3.OperationObject>`)
// so that every field name the readers ask for is checked by the compiler: a typo
// like `field(op, 'securty')` does not compile. The shape is only a promise about
// names: values stay `unknown` and each reader checks them, since a spec may put
// anything anywhere.
import type { Diagnostic, DiagnosticCode, Severity } from '../diagnostics/types.js';
import type { Located, LoadedSpec } from '../load/load.js';
import { joinPointer } from '../load/pointer.js';
import type { Origin } from '../ir/types.js';

declare const SHAPE: unique symbol;

/** A located spec value that should have shape `T` (unchecked: `value` stays `unknown`). */
export type Raw<T> = Located & { readonly [SHAPE]?: T };

/**
 * T's fields by their spelling: openapi-types keys path items by the `HttpMethods`
 * enum, whose members are the strings `'get'`, `'put'`, ….
 */
type Spelled<T> = { [P in keyof T as P extends string ? `${P}` : never]-?: NonNullable<T[P]> };
/** Field names of any member of a union (a node may be any spec version's object). */
export type FieldOf<T> = T extends unknown ? keyof Spelled<T> & string : never;
type FieldType<T, K extends string> = T extends unknown ? (K extends keyof Spelled<T> ? Spelled<T>[K] : never) : never;
type EntryOf<T> = T extends readonly (infer E)[] ? E : T extends Readonly<Record<string, infer V>> ? NonNullable<V> : unknown;
/** What a `$ref` resolves to: the shape without its Reference Object alternative. */
type Resolved<T> = Exclude<T, { $ref: string }>;

export class NormalizeContext {
  readonly diagnostics: Diagnostic[] = [];
  /** Schemes whose definition is broken: requirements naming them are not also "undefined". */
  readonly rejectedSchemes = new Set<string>();

  constructor(readonly spec: LoadedSpec) {}

  report(code: DiagnosticCode, severity: Severity, at: Origin, message: string, subject?: string): void {
    const d: Diagnostic = { code, severity, message, file: at.file, pointer: at.at };
    this.diagnostics.push(subject === undefined ? d : { ...d, subject });
  }

  /** Follow `$ref`s; an unresolvable one is reported and yields undefined. */
  async resolve<T>(node: Raw<T>): Promise<Raw<Resolved<T>> | undefined> {
    const r = await this.spec.deref(node);
    if ('code' in r) {
      this.diagnostics.push(r);
      return undefined;
    }
    return r;
  }
}

function childOf(node: Located, key: string | number): Located {
  const v = node.value;
  const value = isRecord(v) && Object.prototype.hasOwnProperty.call(v, key) ? v[key as string] : Array.isArray(v) ? v[key as number] : undefined;
  return { value, file: node.file, pointer: joinPointer(node.pointer, key) };
}

/** A named field of an object node (own property only: `__proto__` is not a field). */
export function field<T, K extends FieldOf<T>>(node: Raw<T>, key: K): Raw<FieldType<T, K>> {
  return childOf(node, key);
}

/** An entry of a map or array node, by a key the spec chose (a scheme name, a path, an index). */
export function entry<T>(node: Raw<T>, key: string | number): Raw<EntryOf<T>> {
  return childOf(node, key);
}

export function originOf(node: Located): Origin {
  return { file: node.file, at: node.pointer };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Own enumerable keys of a mapping, in document order. */
export function keysOf(node: Located): string[] {
  return isRecord(node.value) ? Object.keys(node.value) : [];
}

/** A named field's value when it is a string. */
export function stringAt<T>(node: Raw<T>, key: FieldOf<T>): string | undefined {
  const v = childOf(node, key).value;
  return typeof v === 'string' ? v : undefined;
}
