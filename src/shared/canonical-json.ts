// Canonical JSON: one text per value whatever the key order, for input hashes (the
// `// Input hash:` line of every generated file) and for the diff's "same definition?"
// test. Changing this changes every generated header, so it exists once.
//
// It runs once per generate over the whole IR (thousands of nodes for a large spec),
// in a process too short for the JIT to help much: so one pass that appends to a
// string, no intermediate arrays, and leaving out keys (`omit`) in the same pass
// instead of copying the value first.

/**
 * JSON with object keys in code-unit order and no whitespace. Properties whose value is
 * `undefined` are left out and `undefined` elsewhere becomes `null`, as `JSON.stringify`
 * does, so `{ a: undefined }` and `{}` are the same value. Keys in `omit` are left out
 * of every object, at any depth.
 */
export function canonicalJson(value: unknown, omit?: ReadonlySet<string>): string {
  return write(value, omit);
}

function write(value: unknown, omit: ReadonlySet<string> | undefined): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    // A hole writes nothing, as `map` + `join` always did.
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + (i in value ? write(value[i], omit) : '');
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  // `sort()` without a comparator orders strings by UTF-16 code unit (shared/order.ts).
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = record[k];
    if (v === undefined || omit?.has(k)) continue;
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + write(v, omit);
    first = false;
  }
  return out + '}';
}
