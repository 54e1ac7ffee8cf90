// Parsing the root spec: what swagger-parser's `parse` returns for it, or its error.
// swagger-parser (and json-schema-ref-parser and ajv under it) costs more to load than
// parsing a large JSON spec does, and for a `.json` file it adds nothing: its JSON
// parser is `JSON.parse` of the text, followed by a few checks of the version fields.
// So a `.json` spec whose text `JSON.parse` reads, and that those checks would accept,
// is taken as is (the same object swagger-parser would return). Anything else (YAML,
// invalid JSON, a document the checks refuse, OpenAPI 3.1, whose `$id`s the parser
// registers) goes through swagger-parser itself, so every result and every error
// message stays exactly swagger-parser's.

interface Parser {
  parse(path: string, options: object): Promise<unknown>;
}

/**
 * The root document, parsed as swagger-parser would; rejects with swagger-parser's error.
 * `options` hand swagger-parser the bytes already read (load.ts `preReadOptions`).
 */
export async function parseRoot(absPath: string, bytes: Buffer, options: object): Promise<unknown> {
  const fast = jsonFastPath(absPath, bytes);
  if (fast !== undefined) return fast;
  // Loaded on first use: a JSON spec, --help and --version never pay for it.
  const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
  return (new SwaggerParser() as unknown as Parser).parse(absPath, options);
}

// The OpenAPI 3.0 versions swagger-parser 13 accepts (lib/index.js); 3.1 always goes the long way.
const SUPPORTED_30 = ['3.0.0', '3.0.1', '3.0.2', '3.0.3', '3.0.4'];

/**
 * The document when swagger-parser would certainly return exactly it, else undefined
 * (then swagger-parser decides). It picks its JSON parser for a path ending in `.json`
 * (any case; a `?`, `#` or `%` in the path could change what it takes for the
 * extension once made a URL, so those go the long way); that parser returns
 * `JSON.parse(bytes.toString())` when the text is not blank and parses.
 */
function jsonFastPath(absPath: string, bytes: Buffer): Record<string, unknown> | undefined {
  if (!/\.json$/i.test(absPath) || /[?#%]/.test(absPath)) return undefined;
  const text = bytes.toString();
  if (text.trim().length === 0) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  const record = doc as Record<string, unknown>;
  return acceptedAsParsed(record) ? record : undefined;
}

/**
 * Whether swagger-parser's `parse` returns this document unchanged: its version checks
 * pass, and it is not one whose `$id`s json-schema-ref-parser walks and resolves
 * (`usesDynamicIdScope`: OpenAPI 3.1, or a 2019-09 / 2020-12 / OAS 3.1 `$schema`),
 * which could throw on a malformed `$id`. `fixOasRelativeServers` only changes
 * documents read from http(s) URLs, never a file.
 */
function acceptedAsParsed(doc: Record<string, unknown>): boolean {
  const schema = doc.$schema;
  if (typeof schema === 'string' && (schema.includes('draft/2019-09/') || schema.includes('draft/2020-12/') || schema.includes('oas/3.1/'))) return false;
  const openapi = doc.openapi;
  if (typeof openapi === 'string' && /^3\.1(?:\.|$)/.test(openapi)) return false;
  const info = doc.info as { version?: unknown } | null | undefined;
  const numericApiVersion = Boolean(info) && typeof info?.version === 'number';
  if (doc.swagger) return doc.swagger === '2.0' && !numericApiVersion;
  // Not 3.1 (refused above), so a document without `paths` is refused.
  if (doc.paths === undefined) return false;
  return typeof openapi === 'string' && !numericApiVersion && SUPPORTED_30.includes(openapi);
}
