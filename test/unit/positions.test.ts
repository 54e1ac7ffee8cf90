// JSON pointer -> line and column (src/load/positions.ts), for SARIF. Every fixture is
// written inline with its line numbers in a comment beside it, and every expected
// line and column was counted by hand from that text (columns are 1-based and count
// UTF-16 code units), so a reader can check each number by eye.
import { describe, expect, it } from 'vitest';
import { indexPositions, locatePointer } from '../../src/load/positions.js';

const at = (text: string, pointer: string) => {
  const { line, column } = locatePointer(text, pointer);
  return [line, column];
};

// prettier-ignore
const YAML = [
  'openapi: 3.0.3',                                          // 1
  "info: { title: t, version: '1' }",                        // 2
  'paths:',                                                  // 3
  '  /pets:',                                                // 4
  '    get:',                                                // 5
  '      operationId: listPets',                             // 6
  '      security:',                                         // 7
  '        - ApiKey: []',                                    // 8
  '          AppId: []',                                     // 9
  '        - {}',                                            // 10
  '  "/a~b/{id}":',                                          // 11
  "    'post':",                                             // 12
  '      security: [{ OAuth2: [read] }]',                    // 13
  'components:',                                             // 14
  '  securitySchemes:',                                      // 15
  '    ApiKey: { type: apiKey, in: header, name: X-API-Key }', // 16
  '',
].join('\n');

describe('positions in YAML', () => {
  it('a member is located at its key, an item at its first character, the root at 1:1', () => {
    expect(at(YAML, '')).toEqual([1, 1]);
    expect(at(YAML, '/paths')).toEqual([3, 1]);
    expect(at(YAML, '/paths/~1pets')).toEqual([4, 3]);
    expect(at(YAML, '/paths/~1pets/get')).toEqual([5, 5]);
    expect(at(YAML, '/paths/~1pets/get/security')).toEqual([7, 7]);
    expect(at(YAML, '/paths/~1pets/get/security/0')).toEqual([8, 11]); // `- ApiKey`: the item (a mapping) starts at `A`
    expect(at(YAML, '/paths/~1pets/get/security/0/AppId')).toEqual([9, 11]);
    expect(at(YAML, '/paths/~1pets/get/security/1')).toEqual([10, 11]); // the `{` of `{}`
  });

  it('quoted keys, keys with `/` and `~` (pointer escapes ~1, ~0), flow mappings and sequences', () => {
    expect(at(YAML, '/paths/~1a~0b~1{id}')).toEqual([11, 3]); // the opening quote
    expect(at(YAML, '/paths/~1a~0b~1{id}/post')).toEqual([12, 5]); // 'post' is quoted
    expect(at(YAML, '/paths/~1a~0b~1{id}/post/security/0/OAuth2')).toEqual([13, 20]);
    expect(at(YAML, '/components/securitySchemes/ApiKey/name')).toEqual([16, 41]);
    // a `$ref` fragment may be percent-encoded: {id} as %7Bid%7D
    expect(at(YAML, '/paths/~1a~0b~1%7Bid%7D/post')).toEqual([12, 5]);
    expect(at(YAML, '#/paths/~1pets')).toEqual([4, 3]);
  });

  it('a pointer that does not exist: its nearest existing ancestor, and the result says which', () => {
    expect(locatePointer(YAML, '/paths/~1pets/delete')).toEqual({ line: 4, column: 3, pointer: '/paths/~1pets' });
    expect(locatePointer(YAML, '/paths/~1nope/get/security')).toEqual({ line: 3, column: 1, pointer: '/paths' });
    expect(locatePointer(YAML, '/paths/~1pets/get/security/5')).toEqual({ line: 7, column: 7, pointer: '/paths/~1pets/get/security' });
    expect(locatePointer(YAML, '/paths/~1pets/get/security/01')).toEqual({ line: 7, column: 7, pointer: '/paths/~1pets/get/security' }); // not an array index
    expect(locatePointer(YAML, '/nothing')).toEqual({ line: 1, column: 1, pointer: '' });
    expect(locatePointer(YAML, '/openapi/x')).toEqual({ line: 1, column: 1, pointer: '/openapi' }); // into a scalar
  });

  it('CRLF line endings give the same lines and columns', () => {
    const crlf = YAML.replace(/\n/g, '\r\n');
    expect(at(crlf, '/paths/~1pets/get/security/0/AppId')).toEqual([9, 11]);
    expect(at(crlf, '/components/securitySchemes/ApiKey/name')).toEqual([16, 41]);
    expect(at(crlf, '/paths/~1a~0b~1{id}/post/security/0/OAuth2')).toEqual([13, 20]);
  });

  it('anchors and aliases: a path through an alias stays where it is written (the alias), not at the shared anchor', () => {
    // prettier-ignore
    const text = [
      'x-sec: &sec',              // 1
      '  - ApiKey: []',           // 2
      'x-op: &op',                // 3
      '  security: []',           // 4
      '  operationId: base',      // 5
      'paths:',                   // 6
      '  /a:',                    // 7
      '    get:',                 // 8
      '      security: *sec',     // 9
      '    put:',                 // 10
      '      <<: *op',            // 11
      '      operationId: put',   // 12
      '    post: *op',            // 13
      '    patch:',               // 14
      '      security:',          // 15
      '        - *sec',           // 16
      '',
    ].join('\n');
    expect(at(text, '/x-sec/0/ApiKey')).toEqual([2, 5]); // the anchor's own text
    expect(locatePointer(text, '/paths/~1a/get/security/0/ApiKey')).toEqual({ line: 9, column: 7, pointer: '/paths/~1a/get/security/0/ApiKey' });
    expect(at(text, '/paths/~1a/post')).toEqual([13, 5]);
    expect(at(text, '/paths/~1a/post/operationId')).toEqual([13, 5]);
    expect(at(text, '/paths/~1a/patch/security/0')).toEqual([16, 11]); // the `*` of `*sec`
    expect(at(text, '/paths/~1a/patch/security/0/ApiKey')).toEqual([16, 11]);
    // `<<` merge keys (js-yaml, which the loader parses with, applies them): an own key wins
    expect(at(text, '/paths/~1a/put/operationId')).toEqual([12, 7]);
    expect(locatePointer(text, '/paths/~1a/put/security')).toEqual({ line: 11, column: 7, pointer: '/paths/~1a/put/security' });
    expect(locatePointer(text, '/paths/~1a/put/nothing')).toEqual({ line: 10, column: 5, pointer: '/paths/~1a/put' });
  });

  it('a mapping that merges itself ends the search instead of looping', () => {
    // prettier-ignore
    const text = [
      'a: &a',      // 1
      '  x: 1',     // 2
      '  <<: *a',   // 3
      '',
    ].join('\n');
    expect(locatePointer(text, '/a/x')).toEqual({ line: 2, column: 3, pointer: '/a/x' });
    expect(locatePointer(text, '/a/nothing')).toEqual({ line: 1, column: 1, pointer: '/a' });
  });

  it('columns count UTF-16 code units (SARIF utf16CodeUnits); a byte order mark is not counted', () => {
    // x: { "😀": 1, b: 2 } -- the emoji is two code units (columns 7-8), so `b` is at 15, not 14
    expect(at('x: { "😀": 1, b: 2 }\n', '/x/b')).toEqual([1, 15]);
    expect(at('x: { "é": 1, b: 2 }\n', '/x/b')).toEqual([1, 14]);
    expect(at('\uFEFFopenapi: 3.0.3\npaths: {}\n', '/openapi')).toEqual([1, 1]);
    expect(at('\uFEFFopenapi: 3.0.3\npaths: {}\n', '/paths')).toEqual([2, 1]);
  });

  it('numeric and other non-string keys are matched by their text (`200:` is "200")', () => {
    // prettier-ignore
    const text = [
      'responses:',                  // 1
      '  200: { description: ok }',  // 2
      "  '404': { description: no }", // 3
      '',
    ].join('\n');
    expect(at(text, '/responses/200/description')).toEqual([2, 10]);
    expect(at(text, '/responses/404')).toEqual([3, 3]);
  });

  it('text that is not YAML at all is located at 1:1, without throwing', () => {
    expect(locatePointer('a: [\n  b: {\n', '/a/0')).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
    expect(locatePointer('', '/paths')).toEqual({ line: 1, column: 1, pointer: '' });
    expect(locatePointer('just a string', '/paths')).toEqual({ line: 1, column: 1, pointer: '' });
  });
});

// prettier-ignore
const JSON_TEXT = [
  '{',                                                        // 1
  '  "openapi": "3.0.3",',                                    // 2
  '  "paths": {',                                             // 3
  '    "/pets/{id}": {',                                      // 4
  '      "get": { "security": [ { "ApiKey": [] }, {} ] },',   // 5
  '      "x-esc\\"key": 1,',                                  // 6: the key is x-esc"key
  '      "a\\/b": 2,',                                        // 7: the key is a/b
  '      "dup": 1,',                                          // 8
  '      "dup": 2',                                           // 9
  '    }',                                                    // 10
  '  }',                                                      // 11
  '}',                                                        // 12
].join('\n');

describe('positions in JSON', () => {
  it('members, items, escapes in keys; a duplicate key is the last one (as JSON.parse reads it)', () => {
    expect(at(JSON_TEXT, '')).toEqual([1, 1]);
    expect(at(JSON_TEXT, '/paths')).toEqual([3, 3]);
    expect(at(JSON_TEXT, '/paths/~1pets~1{id}/get')).toEqual([5, 7]);
    expect(at(JSON_TEXT, '/paths/~1pets~1{id}/get/security')).toEqual([5, 16]);
    expect(at(JSON_TEXT, '/paths/~1pets~1{id}/get/security/0')).toEqual([5, 30]);
    expect(at(JSON_TEXT, '/paths/~1pets~1{id}/get/security/0/ApiKey')).toEqual([5, 32]);
    expect(at(JSON_TEXT, '/paths/~1pets~1{id}/get/security/1')).toEqual([5, 48]);
    expect(at(JSON_TEXT, '/paths/~1pets~1{id}/x-esc"key')).toEqual([6, 7]);
    expect(at(JSON_TEXT, '/paths/~1pets~1{id}/a~1b')).toEqual([7, 7]);
    expect(at(JSON_TEXT, '/paths/~1pets~1{id}/dup')).toEqual([9, 7]);
    expect(locatePointer(JSON_TEXT, '/paths/~1pets~1{id}/get/security/2')).toEqual({ line: 5, column: 16, pointer: '/paths/~1pets~1{id}/get/security' });
  });

  it('CRLF JSON, minified JSON, and flow YAML that is not JSON', () => {
    expect(at(JSON_TEXT.replace(/\n/g, '\r\n'), '/paths/~1pets~1{id}/get/security/1')).toEqual([5, 48]);
    //        1234567890123456789012345678901
    const min = '{"paths":{"/a":{"get":{"x":1}}}}';
    expect(at(min, '/paths/~1a/get/x')).toEqual([1, 24]);
    // unquoted keys: not JSON, so the YAML parser reads it
    //           123456789012345678901234
    const flow = '{ paths: { /a: { get: {} } } }';
    expect(at(flow, '/paths/~1a/get')).toEqual([1, 18]);
  });

  it('a 4 MB JSON spec: found, on the line its text puts it (one parse for many lookups)', () => {
    const paths: Record<string, unknown> = {};
    for (let i = 0; i < 6000; i++) {
      paths[`/r${i}/{id}`] = { get: { operationId: `op${i}`, security: [{ k: [] }], responses: { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } } } } } } } } };
    }
    const text = JSON.stringify({ openapi: '3.0.3', info: { title: 'big', version: '1' }, paths }, null, 2);
    expect(text.length).toBeGreaterThan(3.9e6);
    // Expected lines from the text itself, by plain string search: JSON.stringify indents paths by 4.
    const lines = text.split('\n');
    const index = indexPositions(text);
    for (const i of [0, 2999, 5999]) {
      const line = lines.indexOf(`    "/r${i}/{id}": {`) + 1;
      expect(index.locate(`/paths/~1r${i}~1{id}`)).toEqual({ line, column: 5, pointer: `/paths/~1r${i}~1{id}` });
      // "/r0/{id}": {  /  "get": {  /  "operationId": ...  /  "security": [  /  {  /  "k": [] (indented 12)
      expect(lines[line + 4]).toBe('            "k": []');
      expect(index.locate(`/paths/~1r${i}~1{id}/get/security/0/k`)).toEqual({ line: line + 5, column: 13, pointer: `/paths/~1r${i}~1{id}/get/security/0/k` });
    }
    expect(index.locate('/paths/~1r6000~1{id}/get').pointer).toBe('/paths');
  });
});
