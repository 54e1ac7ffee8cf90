// The sinks every spec string goes through on its way into generated code
// (src/emit/sinks.ts) and the data printer built on them (src/emit/literal.ts), fed
// hostile strings: quotes, backticks, `${`, `*/`, line terminators (\n, \r, U+2028,
// U+2029), NUL and other controls, lone surrogates, prototype names, very long strings.
// Given/want tables with the expected output written out by hand (String.raw keeps a
// backslash a backslash), then properties over arbitrary UTF-16 (lone surrogates
// included): a printed literal evaluates back to exactly its input, and no comment
// text can close or leave its comment.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { printLiteral, type Data } from '../../src/emit/literal.js';
import { docCommentText, lineCommentText, literalUnion, propertyKey, stringLiteral } from '../../src/emit/sinks.js';

const evaluate = (source: string): unknown => new Function(`return ${source};`)() as unknown;
/** Raw line terminators (ECMAScript LineTerminator). */
const TERMINATOR = /[\n\r\u2028\u2029]/;
/** A lone surrogate: with the u flag a well-formed pair is one code point, not Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

// Arbitrary UTF-16: any code unit (so lone surrogates and NUL), weighted towards the
// characters and sequences that end strings, comments and templates.
const HOSTILE_UNITS = ['"', "'", '`', '${', '}', '\\', '*/', '/*', '*', '/', '\n', '\r', '\r\n', '\u2028', '\u2029', '\0', '\ud800', '\udfff', '</script>', '__proto__'];
const unit = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_UNITS), weight: 3 },
  { arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 1 },
);
const hostileString = fc.string({ unit, maxLength: 40 });

describe('stringLiteral', () => {
  const cases: [name: string, given: string, want: string][] = [
    ['empty', '', '""'],
    ['plain', 'X-API-Key', '"X-API-Key"'],
    ['double quote', 'a"b', String.raw`"a\"b"`],
    ['single quote stays (the literal is double-quoted)', "a'b", `"a'b"`],
    ['backtick stays', 'a`b', '"a`b"'],
    ['template opener stays (not a template literal)', '${globalThis.x = 1}', '"${globalThis.x = 1}"'],
    ['comment closer stays', 'a */ b', '"a */ b"'],
    ['backslash', 'a\\b', String.raw`"a\\b"`],
    ['backslash before a quote', '\\"', String.raw`"\\\""`],
    ['newline', 'a\nb', String.raw`"a\nb"`],
    ['carriage return', 'a\rb', String.raw`"a\rb"`],
    ['CRLF', '\r\n', String.raw`"\r\n"`],
    ['tab, backspace, form feed', '\t\b\f', String.raw`"\t\b\f"`],
    ['U+2028 LINE SEPARATOR', 'a\u2028b', String.raw`"a\u2028b"`],
    ['U+2029 PARAGRAPH SEPARATOR', 'a\u2029b', String.raw`"a\u2029b"`],
    ['NUL', 'a\0b', String.raw`"a\u0000b"`],
    ['ESC and unit separator', '\u001b\u001f', String.raw`"\u001b\u001f"`],
    ['DEL is printable for JSON, kept', '\u007f', '"\u007f"'],
    ['lone high surrogate', 'a\ud800b', String.raw`"a\ud800b"`],
    ['lone low surrogate', '\udfff', String.raw`"\udfff"`],
    ['reversed pair is two lone surrogates', '\udc00\ud83d', String.raw`"\udc00\ud83d"`],
    ['a real pair is kept as is', '\ud83d\ude00', '"\ud83d\ude00"'],
    ['__proto__ is just text', '__proto__', '"__proto__"'],
    ['constructor is just text', 'constructor', '"constructor"'],
    ['HTML closer is just text', '</script><!--', '"</script><!--"'],
    ['everything at once', `"'\`\${*/\n\r\u2028\u2029\0`, String.raw`"\"'` + '`${*/' + String.raw`\n\r\u2028\u2029\u0000"`],
  ];
  it.each(cases)('%s', (_name, given, want) => {
    expect(stringLiteral(given)).toBe(want);
    expect(evaluate(want)).toBe(given);
  });

  it('very long strings: escaped in full, nothing truncated', () => {
    expect(stringLiteral('a'.repeat(200_000))).toBe(`"${'a'.repeat(200_000)}"`);
    expect(stringLiteral('"\n\u2028'.repeat(50_000))).toBe(`"${String.raw`\"\n\u2028`.repeat(50_000)}"`);
    const mixed = `*/\${\`'"\0\ud800`.repeat(20_000);
    expect(evaluate(stringLiteral(mixed))).toBe(mixed);
  });

  it('property: evaluating the literal gives back the string; one line, well-formed UTF-16, starts and ends with a quote', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const lit = stringLiteral(s);
        expect(new Function('return ' + lit)()).toBe(s);
        expect(lit).not.toMatch(TERMINATOR);
        expect(lit).not.toMatch(LONE_SURROGATE);
        expect(lit.startsWith('"') && lit.endsWith('"')).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('propertyKey', () => {
  const cases: [name: string, given: string, want: string][] = [
    ['identifier', 'ApiKey', 'ApiKey'],
    ['identifier with _ and $', '_$a1', '_$a1'],
    ['reserved words are valid property names', 'class', 'class'],
    ['constructor is an ordinary own key', 'constructor', 'constructor'],
    ['toString is an ordinary own key', 'toString', 'toString'],
    ['__proto__ is computed, so it is not the prototype', '__proto__', '["__proto__"]'],
    ['__proto__ lookalike is plain', '__proto__x', '__proto__x'],
    ['starts with a digit', '1st', '"1st"'],
    ['a number', '42', '"42"'],
    ['empty', '', '""'],
    ['space and brackets', 'OAuth (legacy)', '"OAuth (legacy)"'],
    ['dash and dot', 'a.b-c', '"a.b-c"'],
    ['non-ASCII letter is quoted', 'clé', '"clé"'],
    ['quote', 'x"y', String.raw`"x\"y"`],
    ['template opener', '${x}', '"${x}"'],
    ['comment closer', '*/', '"*/"'],
    ['newline', 'a\nb', String.raw`"a\nb"`],
    ['U+2028', '\u2028', String.raw`"\u2028"`],
    ['lone surrogate', '\ud800', String.raw`"\ud800"`],
  ];
  it.each(cases)('%s', (_name, given, want) => {
    expect(propertyKey(given)).toBe(want);
    const object = evaluate(`{ ${want}: 1 }`) as object;
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
    expect(Object.keys(object)).toEqual([given]);
  });

  it('property: an object literal with the key has exactly that own key, and the ordinary prototype', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '0', '-1')), (key) => {
        const object = new Function(`return { ${propertyKey(key)}: 1 };`)() as Record<string, unknown>;
        expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
        expect(Object.keys(object)).toEqual([key]);
        expect(Object.getOwnPropertyDescriptor(object, key)?.value).toBe(1);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('docCommentText', () => {
  const cases: [name: string, given: string, want: string][] = [
    ['plain', 'Petstore API key', 'Petstore API key'],
    ['comment closer is broken', 'a */ b', String.raw`a *\/ b`],
    ['every closer', '*/*/', String.raw`*\/*\/`],
    ['closer after stars', '**/', String.raw`**\/`],
    ['an opener is harmless inside', '/* x', '/* x'],
    ['newline becomes a space', 'line 1\nline 2', 'line 1 line 2'],
    ['CRLF is one space', 'a\r\nb', 'a b'],
    ['CR alone', 'a\rb', 'a b'],
    ['two newlines, two spaces', 'a\n\nb', 'a  b'],
    ['U+2028 and U+2029', 'a\u2028b\u2029c', 'a b c'],
    ['a closer split by a newline stays split', '*\n/', '* /'],
    ['a closer split by CRLF stays split', '*\r\n/', '* /'],
    ['a closer split by U+2028 stays split', '*\u2028/', '* /'],
    ['trimmed', '  \n padded \n ', 'padded'],
    ['quotes, backticks and ${ are fine in a comment', `'"\`\${x}`, `'"\`\${x}`],
    ['NUL is kept (harmless in a comment)', 'a\0b', 'a\0b'],
    ['lone surrogate is kept', 'a\ud800', 'a\ud800'],
    ['injection attempt', '*/ globalThis.__pwned = 1 /*\n', String.raw`*\/ globalThis.__pwned = 1 /*`],
  ];
  it.each(cases)('%s', (_name, given, want) => {
    expect(docCommentText(given)).toBe(want);
  });

  it('very long text: every closer broken, nothing truncated', () => {
    expect(docCommentText('*/'.repeat(100_000))).toBe(String.raw`*\/`.repeat(100_000));
    expect(docCommentText('x\n'.repeat(100_000))).toBe(`${'x '.repeat(99_999)}x`);
  });

  it('property: never contains */ or a line terminator, and cannot leave a /** */ block', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const text = docCommentText(s);
        expect(text).not.toContain('*/');
        expect(text).not.toMatch(TERMINATOR);
        expect(new Function(`/**\n * ${text}\n */\nreturn 42;`)()).toBe(42);
        expect(new Function(`/** ${text} */ return 42;`)()).toBe(42);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('lineCommentText', () => {
  const cases: [name: string, given: string, want: string][] = [
    ['plain', 'Generated from spec.yaml', 'Generated from spec.yaml'],
    ['newline', 'a\nglobalThis.x = 1', 'a globalThis.x = 1'],
    ['CRLF is one space', 'a\r\nb', 'a b'],
    ['CR', 'a\rb', 'a b'],
    ['U+2028 and U+2029', '\u2028\u2029', '  '],
    ['*/ is harmless in a line comment', 'a */ b', 'a */ b'],
    ['not trimmed', ' a ', ' a '],
  ];
  it.each(cases)('%s', (_name, given, want) => {
    expect(lineCommentText(given)).toBe(want);
  });

  it('property: no line terminator, so nothing after // can run', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const text = lineCommentText(s);
        expect(text).not.toMatch(TERMINATOR);
        expect(new Function(`// ${text}\nreturn 42;`)()).toBe(42);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('literalUnion', () => {
  const cases: [name: string, given: string[], want: string][] = [
    ['empty is never', [], 'never'],
    ['one', ['read'], '"read"'],
    ['several, in order', ['b', 'a'], '"b" | "a"'],
    ['hostile members are string literals', ['x" | number | "', '*/', '\n'], String.raw`"x\" | number | \"" | "*/" | "\n"`],
  ];
  it.each(cases)('%s', (_name, given, want) => {
    expect(literalUnion(given)).toBe(want);
  });
});

describe('printLiteral', () => {
  const proto: Data = {};
  Object.defineProperty(proto, '__proto__', { value: 'p', enumerable: true, writable: true, configurable: true });

  const cases: [name: string, given: Data, want: string][] = [
    ['null', null, 'null'],
    ['true', true, 'true'],
    ['false', false, 'false'],
    ['zero', 0, '0'],
    ['negative', -12, '-12'],
    ['fraction', 0.5, '0.5'],
    ['string', 'a"b', String.raw`"a\"b"`],
    ['empty array', [], '[]'],
    ['empty object', {}, '{}'],
    ['short string array on one line', ['read', 'write'], '["read", "write"]'],
    ['hostile strings on one line, escaped', ['a\n', '*/', '${x}'], String.raw`["a\n", "*/", ` + '"${x}"]'],
    ['79 characters of strings: one line', ['a'.repeat(79)], `["${'a'.repeat(79)}"]`],
    ['80 characters of strings: one per line', ['a'.repeat(40), 'b'.repeat(40)], `[\n  "${'a'.repeat(40)}",\n  "${'b'.repeat(40)}",\n]`],
    ['non-string array: one per line', [1, null], '[\n  1,\n  null,\n]'],
    ['object keys through propertyKey', { ApiKey: 'k', 'OAuth (legacy)': 'o', constructor: 'c' }, '{\n  ApiKey: "k",\n  "OAuth (legacy)": "o",\n  constructor: "c",\n}'],
    ['an own __proto__ key is computed', proto, '{\n  ["__proto__"]: "p",\n}'],
    ['undefined values are left out', { a: undefined, b: 1 }, '{\n  b: 1,\n}'],
    ['only undefined values: empty object', { a: undefined }, '{}'],
    ['nested, indented', { a: { b: [1] } }, '{\n  a: {\n    b: [\n      1,\n    ],\n  },\n}'],
  ];
  it.each(cases)('%s', (_name, given, want) => {
    expect(printLiteral(given)).toBe(want);
  });

  it('indent is the caller\'s', () => {
    expect(printLiteral({ a: [true] }, '    ')).toBe('{\n      a: [\n        true,\n      ],\n    }');
  });

  /**
   * Deep equality for plain data, by own keys in order and with ordinary prototypes
   * (vitest's equality reads `.constructor`, which is data here when a key is "constructor").
   */
  function sameData(got: unknown, want: Data): boolean {
    if (want === null || typeof want !== 'object') return Object.is(got, want);
    if (got === null || typeof got !== 'object') return false;
    if (Array.isArray(want)) {
      return Array.isArray(got) && got.length === want.length && want.every((w, i) => sameData(got[i], w));
    }
    if (Array.isArray(got) || Object.getPrototypeOf(got) !== Object.prototype) return false;
    const record = want as { readonly [key: string]: Data | undefined };
    const keys = Object.keys(record).filter((k) => record[k] !== undefined);
    const own = got as Record<string, unknown>;
    return JSON.stringify(Object.keys(own)) === JSON.stringify(keys) && keys.every((k) => sameData(Object.getOwnPropertyDescriptor(own, k)?.value, record[k]!));
  }

  /** Plain data with hostile strings and keys; objects built with defineProperty, so `__proto__` is an own key. */
  const key = fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '0', '10', ''));
  const data: fc.Arbitrary<Data> = fc.letrec<{ value: Data }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      hostileString,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => {
        const object: Record<string, Data> = {};
        for (const [k, v] of entries) Object.defineProperty(object, k, { value: v, enumerable: true, writable: true, configurable: true });
        return object;
      }),
    ),
  })).value;

  it('property: evaluating the printed literal gives back the data (own keys, ordinary prototypes)', () => {
    fc.assert(
      fc.property(data, (value) => {
        const back = new Function('return ' + printLiteral(value))() as unknown;
        expect(sameData(back, value)).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });
});
