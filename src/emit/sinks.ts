// The only ways a string from the spec reaches generated code. Every emitter goes
// through these, so a scheme name, header name, operationId or description can
// never close a string, a comment or a template and inject code.

/**
 * A TypeScript string literal. JSON.stringify escapes quotes, backslashes and
 * control characters; U+2028/U+2029 are escaped too so the output is also safe
 * for tools that still treat them as line terminators.
 */
export function stringLiteral(value: string): string {
  const json = JSON.stringify(value);
  // Checked first: most strings hold neither, and this runs for every string of the tables.
  return json.includes('\u2028') || json.includes('\u2029') ? json.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029') : json;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * An object-literal property key. `__proto__` is written as a computed key: a
 * plain `__proto__:` (or `"__proto__":`) in a literal sets the prototype instead
 * of defining a property.
 */
export function propertyKey(key: string): string {
  if (key === '__proto__') return `[${stringLiteral(key)}]`;
  return IDENTIFIER.test(key) ? key : stringLiteral(key);
}

/** Text for a line inside a `/** … *\/` block: `*\/` cannot close it, newlines stay inside. */
export function docCommentText(text: string): string {
  return text
    .replace(/\*\//g, '*\\/')
    .replace(/\r\n?|[\n\u2028\u2029]/g, ' ')
    .trim();
}

/** Text for a `//` line comment: no line terminator can end it early. */
export function lineCommentText(text: string): string {
  return text.replace(/\r\n?|[\n\u2028\u2029]/g, ' ');
}

/** A union of string literal types, `never` when empty. */
export function literalUnion(values: readonly string[]): string {
  return values.length === 0 ? 'never' : values.map(stringLiteral).join(' | ');
}
