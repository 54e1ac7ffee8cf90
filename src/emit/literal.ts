// Print plain data (the IR tables) as a TypeScript literal, deterministically:
// key order is the caller's (already canonical), strings and keys go through sinks.
import { propertyKey, stringLiteral } from './sinks.js';

export type Data = string | number | boolean | null | readonly Data[] | { readonly [key: string]: Data | undefined };

export function printLiteral(value: Data, indent = ''): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const inner = indent + '  ';
  if (isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => typeof v === 'string') && value.join('').length < 80) {
      return `[${value.map((v) => printLiteral(v)).join(', ')}]`;
    }
    return `[\n${value.map((v) => inner + printLiteral(v, inner)).join(',\n')},\n${indent}]`;
  }
  const entries = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .map((k) => `${inner}${propertyKey(k)}: ${printLiteral(value[k] as Data, inner)}`);
  return entries.length === 0 ? '{}' : `{\n${entries.join(',\n')},\n${indent}}`;
}

function isArray(v: Data): v is readonly Data[] {
  return Array.isArray(v);
}
