// Canonical JSON: one text per value whatever the key order, for input hashes (the
// `// Input hash:` line of every generated file) and for the diff's "same definition?"
// test. Changing this changes every generated header, so it exists once.
import { compareCodeUnits } from './order.js';

/**
 * JSON with object keys in code-unit order and no whitespace. Properties whose value is
 * `undefined` are left out and `undefined` elsewhere becomes `null`, as `JSON.stringify`
 * does, so `{ a: undefined }` and `{}` are the same value.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort(compareCodeUnits);
  return `{${keys
    .filter((k) => record[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`)
    .join(',')}}`;
}
