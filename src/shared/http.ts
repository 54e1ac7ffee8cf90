// HTTP facts the generator relies on in more than one stage: the method order every
// operation list is sorted by, and RFC 9110's token grammar. (The generated runtime has
// its own copy in templates/runtime/runtime-http-schemes.ts: the output depends on
// nothing from this package; src/report/html.ts embeds the method list in its browser
// script for the same reason.)
import type { HttpMethod } from '../ir/types.js';

/** The operations a path item can hold, in the order OpenAPI lists them (3.1 §4.8.9). */
export const HTTP_METHODS: readonly HttpMethod[] = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Position of `method` in HTTP_METHODS (-1 for anything else): the sort key after the path. */
export function methodRank(method: string): number {
  return (HTTP_METHODS as readonly string[]).indexOf(method);
}

/** RFC 9110 §5.6.2 token: field names (§5.1) and auth-scheme names (§11.1) are tokens. */
const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function isHttpToken(text: string): boolean {
  return HTTP_TOKEN.test(text);
}
