// RFC 6901 JSON pointers: the only way locations are written in diagnostics and the IR.

export function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function joinPointer(base: string, ...tokens: readonly (string | number)[]): string {
  let out = base;
  for (const t of tokens) out += '/' + escapeToken(String(t));
  return out;
}

/** Split a pointer into its unescaped tokens; `''` and `'/'`-less input give `[]`. */
export function splitPointer(pointer: string): string[] {
  if (pointer === '' || pointer === '#') return [];
  const body = pointer.startsWith('#') ? pointer.slice(1) : pointer;
  return body.split('/').slice(1).map((t) => unescapeToken(safeDecode(t)));
}

function safeDecode(token: string): string {
  try {
    return decodeURIComponent(token);
  } catch {
    return token;
  }
}

/** Own-property walk, so a token such as `__proto__` never reaches a prototype. */
export function getAtPointer(doc: unknown, tokens: readonly string[]): { found: boolean; value: unknown } {
  let node: unknown = doc;
  for (const t of tokens) {
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, t)) {
      return { found: false, value: undefined };
    }
    node = (node as Record<string, unknown>)[t];
  }
  return { found: true, value: node };
}
