// Shared state of one normalize run: the loaded spec, the diagnostics sink and
// small readers that keep pointers attached to every value they return.
import type { Diagnostic, DiagnosticCode, Severity } from '../diagnostics/types.js';
import type { Located, LoadedSpec } from '../load/load.js';
import { joinPointer } from '../load/pointer.js';
import type { Origin } from '../ir/types.js';

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
  async resolve(node: Located): Promise<Located | undefined> {
    const r = await this.spec.deref(node);
    if ('code' in r) {
      this.diagnostics.push(r);
      return undefined;
    }
    return r;
  }
}

export function child(node: Located, key: string | number): Located {
  const v = node.value;
  const value = isRecord(v) && Object.prototype.hasOwnProperty.call(v, key) ? v[key as string] : Array.isArray(v) ? v[key as number] : undefined;
  return { value, file: node.file, pointer: joinPointer(node.pointer, key) };
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

export function stringAt(node: Located, key: string): string | undefined {
  const v = child(node, key).value;
  return typeof v === 'string' ? v : undefined;
}
