// Print plain data (the IR tables) as a TypeScript literal, deterministically:
// key order is the caller's (already canonical), strings and keys go through sinks.
// A large spec's operations table is thousands of nodes printed once per run, in a
// process too short for the JIT to help much: so plain loops that append to one
// string, no intermediate arrays.
import { propertyKey, stringLiteral } from './sinks.js';

export type Data = string | number | boolean | null | readonly Data[] | { readonly [key: string]: Data | undefined };

export function printLiteral(value: Data, indent = ''): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const inner = indent + '  ';
  if (isArray(value)) {
    if (value.length === 0) return '[]';
    // A short list of strings stays on one line. (A hole counts as an empty string, and
    // prints as nothing, as `every`, `join` and `map` treat one.)
    let strings = true;
    let length = 0;
    for (let i = 0; i < value.length && strings; i++) {
      if (!(i in value)) continue;
      const v = value[i];
      if (typeof v === 'string') length += v.length;
      else strings = false;
    }
    if (strings && length < 80) {
      let out = '[';
      for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ', ') + (i in value ? printLiteral(value[i]!) : '');
      return out + ']';
    }
    let out = '[\n';
    for (let i = 0; i < value.length; i++) out += (i in value ? inner + printLiteral(value[i]!, inner) : '') + ',\n';
    return out + indent + ']';
  }
  let out = '';
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (v === undefined) continue;
    out += `${inner}${propertyKey(k)}: ${printLiteral(v, inner)},\n`;
  }
  return out === '' ? '{}' : `{\n${out}${indent}}`;
}

function isArray(v: Data): v is readonly Data[] {
  return Array.isArray(v);
}
